//! `/staff/fleet`: only operators see it and act on it; every POST needs the session's CSRF
//! token; a rollout and a remote action started here are stored and audited under the
//! operator's name, and bad input is answered with a message, writing nothing.

// Test helpers: a panic is how they report a failure.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use hall::store::staff::Role;
use hall::store::PrincipalKind;
use hall::updates::{Bundle, UpdateStore};

use super::{account, get, post, send, sign_in};
use crate::authorisation::common::TestHall;

#[tokio::test]
async fn operators_start_rollouts_and_queue_actions_with_the_csrf_token() {
    let hall = TestHall::new().await;
    let app = hall.router();
    hall.credential(PrincipalKind::Kiosk, "zizhu-01").await;
    hall.store
        .add_bundle(Bundle {
            sha256: "a".repeat(64),
            version: "2.0.0".into(),
            compatible: "zizhu-kiosk".into(),
            size: 10,
            signer: String::new(),
            added_at: chrono::Utc::now(),
        })
        .await
        .unwrap();
    let pw = account(&hall, "ops-wang", Role::Operator, &[]).await;
    let desk_pw = account(&hall, "desk-li", Role::FrontDesk, &[]).await;
    let (desk, desk_csrf) = sign_in(&app, "desk-li", &desk_pw).await;
    assert_eq!(
        send(&app, get("/staff/fleet", &desk)).await.status,
        StatusCode::FORBIDDEN
    );
    let refused = send(
        &app,
        post(
            "/staff/fleet/action",
            &desk,
            &[
                ("csrf", &desk_csrf),
                ("kiosk", "zizhu-01"),
                ("kind", "restart"),
            ],
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let (ops, csrf) = sign_in(&app, "ops-wang", &pw).await;
    let page = send(&app, get("/staff/fleet", &ops)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("2.0.0") && page.body.contains("zizhu-01"),
        "{}",
        page.body
    );
    // Without the token: refused, nothing queued.
    let no_token = send(
        &app,
        post(
            "/staff/fleet/action",
            &ops,
            &[("kiosk", "zizhu-01"), ("kind", "restart")],
        ),
    )
    .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    assert_eq!(hall.count("kiosk_actions"), 0);
    // Bad input: a message, nothing written.
    let bad = send(
        &app,
        post(
            "/staff/fleet/rollout",
            &ops,
            &[
                ("csrf", &csrf),
                ("version", "2.0.0"),
                ("to", "all"),
                ("waves", "50,10"),
                ("max_failure", "20%"),
            ],
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("未执行") && bad.body.contains("--waves"),
        "{}",
        bad.body
    );
    assert_eq!(hall.count("rollouts"), 0);

    let started = send(
        &app,
        post(
            "/staff/fleet/rollout",
            &ops,
            &[
                ("csrf", &csrf),
                ("version", "2.0.0"),
                ("to", "all"),
                ("waves", "100"),
                ("max_failure", "0%"),
            ],
        ),
    )
    .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    assert!(
        started.body.contains("已发起升级 2.0.0"),
        "{}",
        started.body
    );
    let queued = send(
        &app,
        post(
            "/staff/fleet/action",
            &ops,
            &[
                ("csrf", &csrf),
                ("kiosk", "zizhu-01"),
                ("kind", "journal"),
                ("minutes", "15"),
            ],
        ),
    )
    .await;
    assert_eq!(queued.status, StatusCode::OK, "{}", queued.body);
    let actions = hall.store.actions(Some("zizhu-01"), 5).await.unwrap();
    assert_eq!(
        (actions.len(), actions[0].requested_by.as_str()),
        (1, "ops-wang")
    );
    let conn = rusqlite::Connection::open(&hall.db).unwrap();
    let audited: Vec<(String, String)> = conn
        .prepare("SELECT staff, action FROM staff_audit WHERE action IN ('update-rollout', 'kiosk-action') ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        audited,
        [
            ("ops-wang".to_owned(), "update-rollout".to_owned()),
            ("ops-wang".to_owned(), "kiosk-action".to_owned())
        ]
    );
}
