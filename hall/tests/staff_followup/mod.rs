//! Tickets and 差评 cases on the workbench, in process (part of the `authorisation` binary):
//! a help ticket claimed, given a home visit and closed, each step audited with the staff id,
//! stale and CSRF-less forms refused, personal details only on the ticket page, reviewers
//! refused; a 差评 opening its case in the rating's transaction and going 核实 → 整改 → 回访
//! with each role taking only its step, and an old one shown overdue.
// Test helpers: a panic is how they report a failure.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use axum::Router;
use serde_json::{json, Value};

use crate::authorisation::common::*;
use crate::authorisation::staff_pages::{csrf_of, get, post, send, sign_in, submit};
use hall::store::staff::Role;
use hall::store::PrincipalKind;

const PHONE: &str = "13912345678";
const NOTE: &str = "老人行动不便，需上门办理";
const ADDRESS: &str = "城关镇幸福路18号3单元";

async fn account(hall: &TestHall, name: &str, role: Role, depts: &[String]) -> String {
    let pw = hall::staff::auth::add_account(hall.store.as_ref(), name, role, depts, name)
        .await
        .expect("account")
        .to_string();
    crate::authorisation::common::password_chosen(&hall.store, name).await;
    pw
}

fn db(hall: &TestHall) -> rusqlite::Connection {
    rusqlite::Connection::open(&hall.db).unwrap()
}

async fn kiosk_post(app: &Router, kiosk: &str, uri: &str, key: &str, body: Value) -> Value {
    let mut req = request("POST", uri, Some(kiosk), Some(body));
    req.headers_mut()
        .insert("idempotency-key", key.parse().unwrap());
    let (status, _, body) = call(app, req).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

fn ticket_state(hall: &TestHall, id: &str) -> (String, Option<String>, u32) {
    db(hall)
        .query_row(
            "SELECT status, claimed_by, version FROM tickets WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
}

fn audit_actions(hall: &TestHall, id: &str) -> Vec<(String, String)> {
    db(hall)
        .prepare("SELECT staff, action FROM staff_audit WHERE application_id = ?1 ORDER BY seq")
        .unwrap()
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test]
async fn a_help_ticket_is_claimed_visited_and_closed_by_the_front_desk() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "kiosk-a").await;
    let pw = account(&hall, "desk", Role::FrontDesk, &[]).await;
    let (mine, _) = crate::authorisation::staff_pages::departments(&hall);
    let rev_pw = account(&hall, "rev", Role::Reviewer, &[mine]).await;
    let help = kiosk_post(
        &app,
        &kiosk,
        "/api/v1/help-requests",
        "help-ticket-0001",
        json!({"kind": "homeVisit", "itemCode": ITEM, "note": NOTE,
            "contact": {"name": "李大爷", "phone": PHONE}}),
    )
    .await;
    let id = help["id"].as_str().unwrap().to_owned();
    let reference = help["reference"].as_str().unwrap().to_owned();
    let complaint = kiosk_post(
        &app,
        &kiosk,
        "/api/v1/complaints",
        "complaint-00001",
        json!({"description": "档案不在本县，无法办理"}),
    )
    .await;
    let complaint_id = complaint["id"].as_str().unwrap().to_owned();

    let (cookie, csrf) = sign_in(&app, "desk", &pw).await;
    // The queue: both tickets, newest first, nothing personal.
    let queue = send(&app, get("/staff/tickets", &cookie)).await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains(&reference), "{}", queue.body);
    let (help_at, complaint_at) = (
        queue.body.find(&id).unwrap(),
        queue.body.find(&complaint_id).unwrap(),
    );
    assert!(complaint_at < help_at, "newest first");
    assert!(queue.body.contains("上门服务") && queue.body.contains("办不成事"));
    for secret in [PHONE, NOTE, "李大爷"] {
        assert!(!queue.body.contains(secret), "{secret} on the queue");
    }
    let only_visits = send(&app, get("/staff/tickets?category=homeVisit", &cookie)).await;
    assert!(only_visits.body.contains(&id) && !only_visits.body.contains(&complaint_id));
    assert!(
        audit_actions(&hall, &id).is_empty(),
        "listing is not a view"
    );

    // The ticket page shows the text and the contact, and the view is audited.
    let page = send(&app, get(&format!("/staff/tickets/{id}"), &cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(PHONE) && page.body.contains(NOTE));
    assert_eq!(
        audit_actions(&hall, &id),
        vec![("desk".into(), "view-ticket".into())]
    );

    let act = |action: &str, form: Vec<(&'static str, String)>| {
        let uri = format!("/staff/tickets/{id}/{action}");
        let cookie = cookie.clone();
        let app = app.clone();
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            send(&app, post(&uri, &cookie, &pairs)).await
        }
    };
    // Without the CSRF token: refused, nothing done.
    let no_csrf = act("claim", vec![("version", "0".into())]).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    assert_eq!(ticket_state(&hall, &id), ("open".into(), None, 0));

    let claim = act(
        "claim",
        vec![("csrf", csrf.clone()), ("version", "0".into())],
    )
    .await;
    assert_eq!(claim.status, StatusCode::SEE_OTHER, "{}", claim.body);
    assert_eq!(
        ticket_state(&hall, &id),
        ("claimed".into(), Some("desk".into()), 1)
    );
    // The same form again is stale: refused with a message, nothing written.
    let stale = act(
        "note",
        vec![
            ("csrf", csrf.clone()),
            ("version", "0".into()),
            ("note", "x".into()),
        ],
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("已被他人处理"), "{}", stale.body);
    assert_eq!(ticket_state(&hall, &id).2, 1);

    // A visit needs a valid date, an address and a visitor.
    let tomorrow = (hall::state::today_local() + chrono::Duration::days(1)).to_string();
    let bad_date = act(
        "visit",
        vec![
            ("csrf", csrf.clone()),
            ("version", "1".into()),
            ("date", "明天".into()),
            ("address", ADDRESS.into()),
            ("visitor", "王敏".into()),
        ],
    )
    .await;
    assert_eq!(bad_date.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad_date.body.contains("请填写上门日期"),
        "{}",
        bad_date.body
    );
    let visit = act(
        "visit",
        vec![
            ("csrf", csrf.clone()),
            ("version", "1".into()),
            ("date", tomorrow.clone()),
            ("address", ADDRESS.into()),
            ("visitor", "王敏".into()),
        ],
    )
    .await;
    assert_eq!(visit.status, StatusCode::SEE_OTHER, "{}", visit.body);
    // The address is sealed at rest.
    let sealed: Vec<u8> = db(&hall)
        .query_row(
            "SELECT sealed_detail FROM followup_steps WHERE subject_id = ?1 AND seq = 2",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!String::from_utf8_lossy(&sealed).contains("幸福路"));
    // A complaint gets no home visit.
    let c_csrf = csrf_of(
        &send(
            &app,
            get(&format!("/staff/tickets/{complaint_id}"), &cookie),
        )
        .await
        .body,
    );
    let no_visit = send(
        &app,
        post(
            &format!("/staff/tickets/{complaint_id}/visit"),
            &cookie,
            &[
                ("csrf", &c_csrf),
                ("version", "0"),
                ("date", &tomorrow),
                ("address", ADDRESS),
                ("visitor", "王敏"),
            ],
        ),
    )
    .await;
    assert_eq!(no_visit.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_visit.body.contains("只有上门服务工单"));

    let empty_close = act(
        "close",
        vec![
            ("csrf", csrf.clone()),
            ("version", "2".into()),
            ("outcome", " ".into()),
        ],
    )
    .await;
    assert_eq!(empty_close.status, StatusCode::UNPROCESSABLE_ENTITY);
    let close = act(
        "close",
        vec![
            ("csrf", csrf.clone()),
            ("version", "2".into()),
            ("outcome", "已上门办结".into()),
        ],
    )
    .await;
    assert_eq!(close.status, StatusCode::SEE_OTHER);
    assert_eq!(
        ticket_state(&hall, &id),
        ("closed".into(), Some("desk".into()), 3)
    );
    let after = act(
        "note",
        vec![
            ("csrf", csrf.clone()),
            ("version", "3".into()),
            ("note", "再记一笔".into()),
        ],
    )
    .await;
    assert_eq!(after.status, StatusCode::CONFLICT);
    assert!(after.body.contains("不能添加记录"), "{}", after.body);

    let page = send(&app, get(&format!("/staff/tickets/{id}"), &cookie)).await;
    assert!(
        page.body.contains(ADDRESS)
            && page.body.contains(&tomorrow)
            && page.body.contains("已上门办结")
    );
    assert!(page.body.contains("工单已办结") && !page.body.contains("ticket-close"));
    let steps: Vec<String> = audit_actions(&hall, &id)
        .into_iter()
        .filter(|(who, _)| who == "desk")
        .map(|(_, a)| a)
        .filter(|a| a.starts_with("followup-"))
        .collect();
    assert_eq!(
        steps,
        ["followup-claim", "followup-visit", "followup-close"]
    );
    let closed = send(&app, get("/staff/tickets?status=closed", &cookie)).await;
    assert!(closed.body.contains(&id));

    // Reviewers do not see tickets at all.
    let (rcookie, rcsrf) = sign_in(&app, "rev", &rev_pw).await;
    assert_eq!(
        send(&app, get("/staff/tickets", &rcookie)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(
            &app,
            get(&format!("/staff/tickets/{complaint_id}"), &rcookie)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let r = send(
        &app,
        post(
            &format!("/staff/tickets/{complaint_id}/claim"),
            &rcookie,
            &[("csrf", &rcsrf), ("version", "0")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(ticket_state(&hall, &complaint_id).0, "open");
    assert!(!send(&app, get("/staff/inbox/new", &rcookie))
        .await
        .body
        .contains("/staff/tickets"));
}

async fn rate(app: &Router, code: &str, verifier: &str, level: u8, contact: bool) -> String {
    let mut body = json!({"trackingCode": code, "verifier": verifier, "level": level,
        "reasons": if level <= 2 { json!(["tooSlow"]) } else { json!([]) }, "comment": "等了很久"});
    if contact {
        body["contact"] = json!({"phone": PHONE});
    }
    let (status, _, body) = call(app, request("POST", "/api/v1/ratings", None, Some(body))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

fn stage(hall: &TestHall, rating: &str) -> Option<String> {
    db(hall)
        .query_row(
            "SELECT stage FROM rating_cases WHERE rating_id = ?1",
            [rating],
            |r| r.get(0),
        )
        .ok()
}

#[tokio::test]
async fn a_bad_rating_opens_a_case_taken_through_verify_rectify_and_callback() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "kiosk-a").await;
    let (_, bad_code, bad_v) = submit(&app, &kiosk, "rate-app-000001").await;
    let (_, good_code, good_v) = submit(&app, &kiosk, "rate-app-000002").await;
    let (_, quiet_code, quiet_v) = submit(&app, &kiosk, "rate-app-000003").await;
    let bad = rate(&app, &bad_code, &bad_v, 2, true).await;
    let good = rate(&app, &good_code, &good_v, 5, false).await;
    let quiet = rate(&app, &quiet_code, &quiet_v, 1, false).await;
    // The case is opened with the rating; a good rating opens none.
    assert_eq!(stage(&hall, &bad).as_deref(), Some("verify"));
    assert_eq!(stage(&hall, &good), None);

    let sup_pw = account(&hall, "sup", Role::Supervisor, &[]).await;
    let desk_pw = account(&hall, "desk", Role::FrontDesk, &[]).await;
    let cb_pw = account(&hall, "caller", Role::Callback, &[]).await;
    let (mine, _) = crate::authorisation::staff_pages::departments(&hall);
    let rev_pw = account(&hall, "rev", Role::Reviewer, &[mine]).await;
    let (sup, _) = sign_in(&app, "sup", &sup_pw).await;
    let list = send(&app, get("/staff/ratings", &sup)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("未办结 2 件，其中超期 0 件"),
        "{}",
        list.body
    );
    assert!(list.body.contains(&bad_code) && list.body.contains(&good_code));
    assert!(
        list.body.contains(r#"id="bad-count">2<"#),
        "two 差评 counted"
    );
    assert!(
        list.body.contains("手机进度页"),
        "rated from the progress page"
    );
    assert!(
        !list.body.contains(PHONE) && !list.body.contains("等了很久"),
        "nothing personal on the list"
    );

    // The rating page shows the comment and contact and audits the view.
    let page = send(&app, get(&format!("/staff/ratings/{bad}"), &sup)).await;
    assert!(page.body.contains(PHONE) && page.body.contains("等了很久"));
    assert!(audit_actions(&hall, &bad).contains(&("sup".into(), "view-rating".into())));

    // Callback staff cannot verify; the front desk can, once.
    let (caller, caller_csrf) = sign_in(&app, "caller", &cb_pw).await;
    let form = |csrf: &str, version: &str| {
        vec![
            ("csrf".to_owned(), csrf.to_owned()),
            ("version".into(), version.into()),
            ("finding".into(), "属实".into()),
            ("reached".into(), "yes".into()),
            ("satisfaction".into(), "满意".into()),
            ("note".into(), "已处理".into()),
        ]
    };
    let go = |cookie: String, uri: String, f: Vec<(String, String)>| {
        let app = app.clone();
        async move {
            let pairs: Vec<(&str, &str)> =
                f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            send(&app, post(&uri, &cookie, &pairs)).await
        }
    };
    let refused = go(
        caller.clone(),
        format!("/staff/ratings/{bad}/verify"),
        form(&caller_csrf, "0"),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let (desk, desk_csrf) = sign_in(&app, "desk", &desk_pw).await;
    let mut no_csrf = form(&desk_csrf, "0");
    no_csrf.remove(0);
    let r = go(
        desk.clone(),
        format!("/staff/ratings/{bad}/verify"),
        no_csrf,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no CSRF token");
    assert_eq!(
        stage(&hall, &bad).as_deref(),
        Some("verify"),
        "nothing done"
    );
    let mut no_note = form(&desk_csrf, "0");
    no_note.pop();
    let r = go(
        desk.clone(),
        format!("/staff/ratings/{bad}/verify"),
        no_note,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("请填写核实情况"));
    let r = go(
        desk.clone(),
        format!("/staff/ratings/{bad}/verify"),
        form(&desk_csrf, "0"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(stage(&hall, &bad).as_deref(), Some("rectify"));
    let r = go(
        desk.clone(),
        format!("/staff/ratings/{bad}/verify"),
        form(&desk_csrf, "0"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a stale form");
    assert!(r.body.contains("已被他人办理"));
    let r = go(
        desk.clone(),
        format!("/staff/ratings/{bad}/rectify"),
        form(&desk_csrf, "1"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        stage(&hall, &bad).as_deref(),
        Some("callback"),
        "a contact: 回访 next"
    );
    let r = go(
        desk.clone(),
        format!("/staff/ratings/{bad}/callback"),
        form(&desk_csrf, "2"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = go(
        caller.clone(),
        format!("/staff/ratings/{bad}/callback"),
        form(&caller_csrf, "2"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(stage(&hall, &bad).as_deref(), Some("closed"));
    let steps: Vec<(String, String)> = audit_actions(&hall, &bad)
        .into_iter()
        .filter(|(_, a)| a.starts_with("followup-"))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("desk".into(), "followup-verify".into()),
            ("desk".into(), "followup-rectify".into()),
            ("caller".into(), "followup-callback".into())
        ]
    );
    let page = send(&app, get(&format!("/staff/ratings/{bad}"), &sup)).await;
    assert!(page.body.contains("整改已办结") && page.body.contains("核实结论：属实"));

    // Without a contact, 整改 closes the case. An old one is overdue for the supervisor.
    db(&hall)
        .execute(
            "UPDATE ratings SET rated_at = '2025-01-02T02:00:00.000000Z' WHERE id = ?1",
            [&quiet],
        )
        .unwrap();
    let list = send(&app, get("/staff/ratings", &sup)).await;
    assert!(
        list.body.contains("未办结 1 件，其中超期 1 件"),
        "{}",
        list.body
    );
    assert!(list.body.contains("已超期"));
    let r = go(
        desk.clone(),
        format!("/staff/ratings/{quiet}/verify"),
        form(&desk_csrf, "0"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = go(
        desk.clone(),
        format!("/staff/ratings/{quiet}/rectify"),
        form(&desk_csrf, "1"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(stage(&hall, &quiet).as_deref(), Some("closed"));
    assert!(send(&app, get("/staff/ratings", &sup))
        .await
        .body
        .contains("未办结 0 件"));

    // Reviewers: 403.
    let (rev, _) = sign_in(&app, "rev", &rev_pw).await;
    assert_eq!(
        send(&app, get("/staff/ratings", &rev)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&app, get(&format!("/staff/ratings/{good}"), &rev))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

/// The follow-up migration backfills cases: the database is taken back to the version before
/// it (found by its SQL, wherever renumbering put it), the report's migration undone first, and
/// reopened; the later migrations run again.
#[tokio::test]
async fn the_follow_up_migration_opens_cases_for_bad_ratings_stored_before_it() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "kiosk-a").await;
    let (_, code, verifier) = submit(&app, &kiosk, "migrate-app-0001").await;
    let (_, good_code, good_v) = submit(&app, &kiosk, "migrate-app-0002").await;
    let bad = rate(&app, &code, &verifier, 1, false).await;
    let good = rate(&app, &good_code, &good_v, 4, false).await;
    let latest: u32 = db(&hall)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    // Take the database back to the schema before this migration, as an older hall left it:
    // first undo the report migration (9), then 6.
    db(&hall)
        .execute_batch(
            "DROP TRIGGER application_facts_new; DROP TRIGGER application_facts_status; DROP TRIGGER application_facts_work_new;
             DROP TRIGGER application_facts_work; DROP TRIGGER application_facts_timeline;
             DROP TABLE application_facts; DROP TABLE due_soon_notices; DROP INDEX ratings_by_time_covering;
             DROP INDEX applications_by_status;
             CREATE INDEX applications_by_status ON applications (status, received_at);
             ALTER TABLE staff_accounts DROP COLUMN must_change_password;
             DROP TABLE followup_steps; DROP TABLE rating_cases;
             DROP INDEX tickets_by_status;
             ALTER TABLE tickets DROP COLUMN claimed_by; ALTER TABLE tickets DROP COLUMN version;",
        )
        .unwrap();
    // Back to just before the follow-up migration, wherever renumbering put it; the later
    // ones run again and must tolerate that.
    let followup = hall::store::sqlite::migration_containing("CREATE TABLE rating_cases").unwrap();
    db(&hall)
        .pragma_update(None, "user_version", followup - 1)
        .unwrap();
    let reopened = hall::store::sqlite::SqliteStore::open(&hall.db).unwrap();
    assert_eq!(stage(&hall, &bad).as_deref(), Some("verify"));
    assert_eq!(stage(&hall, &good), None);
    let version: u32 = db(&hall)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, latest);
    drop(reopened);
}
