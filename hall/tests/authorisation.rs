//! Authorisation, in process: kiosk A cannot act as kiosk B, and kiosk, operator and staff
//! credentials each reach only their own routes (fleet view, dashboard, metrics, status moves);
//! the staff workbench's sign-in, sessions and department rule are in `staff_pages`; notices
//! to citizens on staff moves in `citizen_notices`.

mod attachments;
mod catalog_data;
mod citizen_notices;
use crate::common;
mod sites;
mod staff_followup;
mod staff_intake;
mod staff_pages;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use hall::store::{PrincipalKind, Store};
use serde_json::{json, Value};

fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!(status, expected, "body: {body}");
    assert_eq!(body["code"], code, "body: {body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(body["messageZh"].as_str().is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn the_fleet_view_names_an_unlabelled_kiosk_by_where_it_says_it_stands() {
    let hall = TestHall::new().await;
    let app = hall.router();
    // Registered without a label (`hall kiosk add ID`), and one with the registry's label.
    let issued = hall::auth::issue(PrincipalKind::Kiosk, "kiosk-u", "").expect("issue");
    hall.store
        .put_principal(issued.principal.clone())
        .await
        .unwrap();
    let unlabelled = issued.token.to_string();
    let labelled = hall.credential(PrincipalKind::Kiosk, "kiosk-v").await;
    let op = hall.credential(PrincipalKind::Operator, "ops").await;
    for (id, token) in [("kiosk-u", &unlabelled), ("kiosk-v", &labelled)] {
        let mut body = heartbeat_body();
        body["location"] = json!("城关镇便民服务中心 1号机");
        common::post_heartbeat(&app, id, token, body).await;
    }
    let (s, _, fleet) = call(&app, request("GET", "/api/v1/fleet", Some(&op), None)).await;
    assert_eq!(s, StatusCode::OK);
    let kiosks = fleet["kiosks"].as_array().unwrap();
    assert_eq!(kiosks[0]["kioskId"], "kiosk-u");
    assert_eq!(
        kiosks[0]["location"], "城关镇便民服务中心 1号机",
        "what it says"
    );
    assert_eq!(
        kiosks[1]["location"], "测试 kiosk-v",
        "the registry's label first"
    );
}

#[tokio::test]
async fn kiosks_operators_and_staff_each_reach_only_their_routes() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let a = hall.credential(PrincipalKind::Kiosk, "kiosk-a").await;
    let b = hall.credential(PrincipalKind::Kiosk, "kiosk-b").await;
    let op = hall.credential(PrincipalKind::Operator, "ops").await;
    let staff = hall.credential(PrincipalKind::Staff, "clerk").await;

    // Kiosk A cannot send B's heartbeat; its own works.
    let (s, _, body) = call(
        &app,
        request(
            "POST",
            "/api/v1/kiosks/kiosk-b/heartbeat",
            Some(&a),
            Some(heartbeat_body()),
        ),
    )
    .await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(hall.count("kiosk_state"), 0);
    let (s, _, ack) = call(
        &app,
        request(
            "POST",
            "/api/v1/kiosks/kiosk-b/heartbeat",
            Some(&b),
            Some(heartbeat_body()),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{ack}");
    assert_eq!(ack["catalogVersion"], hall::seed::SEED_VERSION);

    // An operator token is not a kiosk token, and vice versa; a kiosk cannot move status.
    let (s, _, _) = call(
        &app,
        request(
            "POST",
            "/api/v1/kiosks/ops/heartbeat",
            Some(&op),
            Some(heartbeat_body()),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, h, _) = call(&app, request("GET", "/api/v1/fleet", Some(&a), None)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(h["www-authenticate"].to_str().unwrap().starts_with("Basic"));
    let (s, _, _) = call(
        &app,
        request(
            "POST",
            "/api/v1/applications/x/status",
            Some(&a),
            Some(json!({"to": "accepted"})),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _, _) = call(&app, request("GET", "/api/v1/fleet", Some(&staff), None)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // The operator sees both kiosks; B online with its faults, A never seen.
    let (s, _, fleet) = call(&app, request("GET", "/api/v1/fleet", Some(&op), None)).await;
    assert_eq!(s, StatusCode::OK);
    let kiosks = fleet["kiosks"].as_array().unwrap();
    assert_eq!(kiosks.len(), 2);
    assert_eq!(kiosks[0]["kioskId"], "kiosk-a");
    assert_eq!(kiosks[0]["online"], false);
    assert_eq!(kiosks[1]["online"], true);
    assert_eq!(kiosks[1]["paper"], "low");
    assert_eq!(
        kiosks[1]["faults"],
        json!(["scanner: hardwareError (timeout)"])
    );
    assert_eq!(kiosks[1]["outbox"]["applications"], 2);

    // Basic credentials work for the dashboard; the page names the kiosk.
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(op.replacen('.', ":", 1));
    let req = Request::get("/dashboard")
        .header("authorization", format!("Basic {basic}"))
        .body(Body::empty())
        .unwrap();
    let resp = tower::ServiceExt::oneshot(app.clone(), req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    let html = String::from_utf8(html.to_vec()).unwrap();
    assert!(html.contains("kiosk-b") && html.contains("将尽") && html.contains("离线"));

    // Metrics use the stateset pattern and no personal data.
    let (s, _, _) = call(&app, request("GET", "/metrics", Some(&a), None)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let req = request("GET", "/metrics", Some(&op), None);
    let resp = tower::ServiceExt::oneshot(app.clone(), req).await.unwrap();
    let text = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    let text = String::from_utf8(text.to_vec()).unwrap();
    assert!(text.contains("hall_kiosk_up{kiosk=\"kiosk-b\"} 1"));
    assert!(text.contains(
        "hall_kiosk_device_state{kiosk=\"kiosk-b\",device=\"scanner\",state=\"hardwareError\"} 1"
    ));
    assert!(text.contains("hall_kiosk_printer_paper_state{kiosk=\"kiosk-b\",state=\"low\"} 1"));
}

#[tokio::test]
async fn a_revoked_credential_gets_401_at_once_even_when_cached() {
    use hall::store::Store;
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "zizhu-01").await;
    let staff = hall.credential(PrincipalKind::Staff, "clerk").await;
    let beat = || {
        request(
            "POST",
            "/api/v1/kiosks/zizhu-01/heartbeat",
            Some(&kiosk),
            Some(heartbeat_body()),
        )
    };
    // Verified once: now in the 30 s credential cache.
    assert_eq!(call(&app, beat()).await.0, StatusCode::OK);

    assert!(hall
        .store
        .revoke_principal(PrincipalKind::Kiosk, "zizhu-01")
        .await
        .unwrap());
    assert!(!hall
        .store
        .revoke_principal(PrincipalKind::Kiosk, "zizhu-01")
        .await
        .unwrap());
    // What the running hall's watcher does each second (another process revoked it).
    hall.state.refresh().await.unwrap();
    let (s, _, body) = call(&app, beat()).await;
    assert_error(s, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (s, _, body) = call(
        &app,
        request(
            "POST",
            "/api/v1/applications",
            Some(&kiosk),
            Some(application_body()),
        ),
    )
    .await;
    assert_error(s, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    // Other credentials are untouched; re-issuing the id gives a working credential again.
    let (s, _, _) = call(
        &app,
        request("GET", "/api/v1/applications/none", Some(&staff), None),
    )
    .await;
    assert_ne!(s, StatusCode::UNAUTHORIZED);
    // Staff and operators are revoked the same way.
    assert!(hall
        .store
        .revoke_principal(PrincipalKind::Staff, "clerk")
        .await
        .unwrap());
    hall.state.refresh().await.unwrap();
    let (s, _, body) = call(
        &app,
        request("GET", "/api/v1/applications/none", Some(&staff), None),
    )
    .await;
    assert_error(s, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let fresh = hall.credential(PrincipalKind::Kiosk, "zizhu-01").await;
    let (s, _, _) = call(
        &app,
        request(
            "POST",
            "/api/v1/kiosks/zizhu-01/heartbeat",
            Some(&fresh),
            Some(heartbeat_body()),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
}
