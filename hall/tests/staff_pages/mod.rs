//! The staff workbench in process (part of the `authorisation` binary): sign-in with its
//! CSRF nonce and lockout, per-session CSRF on every POST, idle sign-out, revocation, a
//! reviewer refused another department's application, stale forms and skipped stages
//! refused, and the ID-number search audited without the number showing.
// Test helpers: a panic is how they report a failure.
#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::authorisation::common::*;
use hall::store::staff::{Role, StaffStore};
use hall::store::PrincipalKind;

mod fleet;
mod password;
mod reports;

/// The raw answer of a request.
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub cookies: Vec<String>,
    pub body: String,
}

pub async fn send(app: &Router, req: Request<Body>) -> Page {
    let resp = app.clone().oneshot(req).await.expect("infallible router");
    let status = resp.status();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let cookies = resp
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    Page {
        status,
        location,
        cookies,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub fn get(uri: &str, cookie: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

pub fn post(uri: &str, cookie: &str, form: &[(&str, &str)]) -> Request<Body> {
    let body = form
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The value of the first hidden `csrf` field of a page.
pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..at + html[at..].find('"').unwrap()].to_owned()
}

fn cookie_value(cookies: &[String], name: &str) -> Option<String> {
    cookies.iter().find_map(|c| {
        let first = c.split(';').next()?;
        let (k, v) = first.split_once('=')?;
        (k == name && !v.is_empty()).then(|| format!("{k}={v}"))
    })
}

/// Signs in through the form; returns the session cookie and the session's CSRF token.
pub async fn sign_in(app: &Router, name: &str, password: &str) -> (String, String) {
    let form = send(app, get("/staff/login", "")).await;
    let nonce_cookie = cookie_value(&form.cookies, "hall_staff_login").expect("login cookie");
    let nonce = csrf_of(&form.body);
    let done = send(
        app,
        post(
            "/staff/login",
            &nonce_cookie,
            &[("csrf", &nonce), ("name", name), ("password", password)],
        ),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let session = cookie_value(&done.cookies, "hall_staff").expect("session cookie");
    let set = done
        .cookies
        .iter()
        .find(|c| c.starts_with("hall_staff="))
        .unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let home = send(app, get("/staff/inbox/new", &session)).await;
    assert_eq!(home.status, StatusCode::OK);
    (session.clone(), csrf_of(&home.body))
}

/// A kiosk application for [`ITEM`] through the kiosk API; returns (id, code, verifier).
pub async fn submit(app: &Router, kiosk: &str, key: &str) -> (String, String, String) {
    let mut req = request(
        "POST",
        "/api/v1/applications",
        Some(kiosk),
        Some(application_body()),
    );
    req.headers_mut()
        .insert("idempotency-key", key.parse().unwrap());
    let (status, _, body) = call(app, req).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["id"].as_str().unwrap().to_owned(),
        body["trackingCode"].as_str().unwrap().to_owned(),
        body["verifier"].as_str().unwrap().to_owned(),
    )
}

/// The department of [`ITEM`] and another one.
pub fn departments(hall: &TestHall) -> (String, String) {
    let catalog = hall.state.catalog();
    let mine = catalog.catalog.item(ITEM).unwrap().department.clone();
    let other = catalog
        .catalog
        .departments
        .iter()
        .find(|d| d.code != mine)
        .unwrap()
        .code
        .clone();
    (mine, other)
}

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

#[tokio::test]
async fn sign_in_needs_its_nonce_and_locks_after_five_failures() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let pw = account(&hall, "desk", Role::FrontDesk, &[]).await;
    assert_eq!(
        send(&app, get("/staff/", "")).await.location.as_deref(),
        Some("/staff/login"),
        "not signed in: to the sign-in page"
    );
    let form = send(&app, get("/staff/login", "")).await;
    let nonce = csrf_of(&form.body);
    // The right password without the nonce's cookie is refused.
    let no_cookie = send(
        &app,
        post(
            "/staff/login",
            "",
            &[("csrf", &nonce), ("name", "desk"), ("password", &pw)],
        ),
    )
    .await;
    assert_eq!(no_cookie.status, StatusCode::FORBIDDEN);
    assert!(no_cookie.body.contains("安全校验未通过"));

    let cookie = cookie_value(&form.cookies, "hall_staff_login").unwrap();
    for i in 0..5 {
        let wrong = send(
            &app,
            post(
                "/staff/login",
                &cookie,
                &[("csrf", &nonce), ("name", "desk"), ("password", "nope")],
            ),
        )
        .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(cookie_value(&wrong.cookies, "hall_staff").is_none());
        if i == 4 {
            assert!(wrong.body.contains("已锁定"), "{}", wrong.body);
        }
    }
    // Locked: the right password is refused too, and the lock is in the database.
    let locked = send(
        &app,
        post(
            "/staff/login",
            &cookie,
            &[("csrf", &nonce), ("name", "desk"), ("password", &pw)],
        ),
    )
    .await;
    assert_eq!(locked.status, StatusCode::FORBIDDEN);
    assert!(locked.body.contains("锁定"));
    let until: Option<String> = db(&hall)
        .query_row(
            "SELECT locked_until FROM staff_accounts WHERE name = 'desk'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(until.is_some());
    // The lock over, the password works.
    db(&hall)
        .execute(
            "UPDATE staff_accounts SET locked_until = '2000-01-01T00:00:00Z'",
            [],
        )
        .unwrap();
    let (session, _) = sign_in(&app, "desk", &pw).await;
    assert!(session.starts_with("hall_staff="));
    // The password is stored only as an Argon2id hash.
    let hash: String = db(&hall)
        .query_row("SELECT password_hash FROM staff_accounts", [], |r| r.get(0))
        .unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains(&pw));
}

#[tokio::test]
async fn sessions_end_when_idle_revoked_or_signed_out_and_posts_need_the_token() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let pw = account(&hall, "desk", Role::FrontDesk, &[]).await;
    let (session, csrf) = sign_in(&app, "desk", &pw).await;
    // A POST without the token, or with another, is refused.
    for form in [
        vec![("q", "250106-7KQ2-M9XA")],
        vec![("csrf", "0000"), ("q", "x")],
    ] {
        let r = send(&app, post("/staff/search", &session, &form)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    // Idle for 31 minutes: signed out.
    db(&hall)
        .execute(
            "UPDATE staff_sessions SET last_seen = '2000-01-01T00:00:00Z'",
            [],
        )
        .unwrap();
    let idle = send(&app, get("/staff/inbox/new", &session)).await;
    assert_eq!(idle.location.as_deref(), Some("/staff/login"));
    assert_eq!(hall.count("staff_sessions"), 0);
    // Revoked: the next request is refused and sign-in fails.
    let (session, csrf2) = sign_in(&app, "desk", &pw).await;
    assert_ne!(csrf, csrf2, "a fresh token per session");
    hall.store
        .revoke_staff("desk", chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(
        send(&app, get("/staff/inbox/new", &session))
            .await
            .location
            .as_deref(),
        Some("/staff/login")
    );
    // A new password brings the account back; signing out ends the session.
    let pw = account(&hall, "desk", Role::FrontDesk, &[]).await;
    let (session, csrf) = sign_in(&app, "desk", &pw).await;
    let out = send(&app, post("/staff/logout", &session, &[("csrf", &csrf)])).await;
    assert_eq!(out.location.as_deref(), Some("/staff/login"));
    assert_eq!(
        send(&app, get("/staff/inbox/new", &session))
            .await
            .location
            .as_deref(),
        Some("/staff/login")
    );
    // Abandoned sessions are swept when someone signs in.
    let _ = sign_in(&app, "desk", &pw).await;
    db(&hall)
        .execute(
            "UPDATE staff_sessions SET last_seen = '2000-01-01T00:00:00Z'",
            [],
        )
        .unwrap();
    let _ = sign_in(&app, "desk", &pw).await;
    assert_eq!(hall.count("staff_sessions"), 1);
}

#[tokio::test]
async fn reviewers_see_only_their_department_and_moves_are_checked() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let (mine, other) = departments(&hall);
    let desk_pw = account(&hall, "desk", Role::FrontDesk, &[]).await;
    let rev_pw = account(&hall, "rev", Role::Reviewer, std::slice::from_ref(&mine)).await;
    let stranger_pw = account(&hall, "stranger", Role::Reviewer, &[other]).await;
    let (id, code, _) = submit(&app, &kiosk, "workbench-1").await;
    let page = format!("/staff/applications/{id}");

    // The stranger: 403 on the page and on a step, and nothing in their inbox.
    let (s, s_csrf) = sign_in(&app, "stranger", &stranger_pw).await;
    let refused = send(&app, get(&page, &s)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("其他部门") && !refused.body.contains("张三"));
    let refused = send(
        &app,
        post(
            &format!("{page}/accept"),
            &s,
            &[("csrf", &s_csrf), ("version", "1")],
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let inbox = send(&app, get("/staff/inbox/new", &s)).await;
    assert!(!inbox.body.contains(&code));
    let found = send(
        &app,
        post("/staff/search", &s, &[("csrf", &s_csrf), ("q", &code)]),
    )
    .await;
    assert_eq!(found.status, StatusCode::FORBIDDEN);

    // The front desk finds it in the new inbox; opening it is audited.
    let (d, d_csrf) = sign_in(&app, "desk", &desk_pw).await;
    assert!(send(&app, get("/staff/inbox/new", &d))
        .await
        .body
        .contains(&code));
    let opened = send(&app, get(&page, &d)).await;
    assert_eq!(opened.status, StatusCode::OK);
    assert!(opened.body.contains("张三") && opened.body.contains("1101**********002X"));
    assert!(
        !opened.body.contains(ID_NUMBER),
        "the ID number is masked on screen"
    );
    assert!(opened.body.contains("自助机扫描 1 页") && opened.body.contains("未提交（"));
    // Skipping stages: 办结 from 已提交 is refused; the front desk may not 承办.
    let skip = send(
        &app,
        post(
            &format!("{page}/conclude"),
            &d,
            &[
                ("csrf", &d_csrf),
                ("version", "1"),
                ("result", "x"),
                ("waybill", "1234567890123"),
            ],
        ),
    )
    .await;
    assert_eq!(
        skip.status,
        StatusCode::FORBIDDEN,
        "front desk cannot conclude"
    );
    let (r, r_csrf) = sign_in(&app, "rev", &rev_pw).await;
    let skip = send(
        &app,
        post(
            &format!("{page}/conclude"),
            &r,
            &[
                ("csrf", &r_csrf),
                ("version", "1"),
                ("result", "x"),
                ("waybill", "1234567890123"),
            ],
        ),
    )
    .await;
    assert_eq!(skip.status, StatusCode::CONFLICT);
    assert!(skip.body.contains("不能越过环节"), "{}", skip.body);
    // 不予受理 needs its reason (the page says so, nothing moves).
    let no_reason = send(
        &app,
        post(
            &format!("{page}/reject"),
            &d,
            &[("csrf", &d_csrf), ("version", "1"), ("reason", "  ")],
        ),
    )
    .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("须填写理由"));
    // 受理 once; the same stale form a second time says so.
    let ok = send(
        &app,
        post(
            &format!("{page}/accept"),
            &d,
            &[("csrf", &d_csrf), ("version", "1")],
        ),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let stale = send(
        &app,
        post(
            &format!("{page}/correction"),
            &d,
            &[
                ("csrf", &d_csrf),
                ("version", "1"),
                ("note", "身份证复印件不清晰"),
            ],
        ),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("已被他人办理") && stale.body.contains("受理"));
    // The due date is set in working days; the reviewer sees it in the accepted inbox.
    let work = hall.store.work(&id).await.unwrap();
    let days = hall
        .state
        .catalog()
        .catalog
        .item(ITEM)
        .unwrap()
        .promised_limit_days;
    let today = hall::state::today_local();
    assert_eq!(
        work.due_on,
        Some(hall.state.staff.calendar.add_working_days(today, days))
    );
    assert!(send(&app, get("/staff/inbox/accepted", &r))
        .await
        .body
        .contains(&code));
    // Every step recorded with its staff id, and the view in the audit trail.
    let steps = hall.store.steps(&id).await.unwrap();
    assert_eq!(
        steps.iter().map(|s| s.staff.as_str()).collect::<Vec<_>>(),
        ["desk"]
    );
    let audit = hall.store.audit_of(&id).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "view-details" && a.staff == "desk"));
    assert!(audit
        .iter()
        .any(|a| a.action == "move" && a.staff == "desk"));
}

#[tokio::test]
async fn the_search_box_takes_codes_urls_and_id_numbers_and_refuses_junk() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let pw = account(&hall, "desk", Role::FrontDesk, &[]).await;
    let (id, code, verifier) = submit(&app, &kiosk, "workbench-2").await;
    let (s, csrf) = sign_in(&app, "desk", &pw).await;
    for q in [
        code.clone(),
        code.to_lowercase(),
        format!("https://hall.example.gov.cn/progress?c={code}&v={verifier}"),
        format!("{code} {verifier}"),
    ] {
        let r = send(
            &app,
            post("/staff/search", &s, &[("csrf", &csrf), ("q", &q)]),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{q}: {}", r.body);
        assert_eq!(r.location, Some(format!("/staff/applications/{id}")));
    }
    let wrong_v = send(
        &app,
        post(
            "/staff/search",
            &s,
            &[("csrf", &csrf), ("q", &format!("{code} ABCDEFGH"))],
        ),
    )
    .await;
    assert_eq!(wrong_v.status, StatusCode::NOT_FOUND);
    let junk = "<script>".repeat(100);
    for (q, status) in [
        ("", StatusCode::UNPROCESSABLE_ENTITY),
        (junk.as_str(), StatusCode::UNPROCESSABLE_ENTITY),
        ("240101-AAAA-BBBB", StatusCode::NOT_FOUND),
    ] {
        let r = send(
            &app,
            post("/staff/search", &s, &[("csrf", &csrf), ("q", q)]),
        )
        .await;
        assert_eq!(r.status, status, "{q:.20}");
        assert!(!r.body.contains("<script>"));
    }
    // By ID number: listed, audited, never shown in full.
    let by_id = send(
        &app,
        post("/staff/search", &s, &[("csrf", &csrf), ("q", ID_NUMBER)]),
    )
    .await;
    assert_eq!(by_id.status, StatusCode::OK);
    assert!(by_id.body.contains(&code));
    assert!(!by_id.body.contains(ID_NUMBER));
    let (n, detail): (i64, String) = db(&hall)
        .query_row(
            "SELECT COUNT(*), MAX(detail) FROM staff_audit WHERE action = 'search-id-number' AND staff = 'desk'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((n, detail.as_str()), (1, "1 found"));
}

#[tokio::test]
async fn the_whole_loop_ends_with_the_call_back_and_keeps_step_details_sealed() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let (mine, _) = departments(&hall);
    let desk_pw = account(&hall, "desk", Role::FrontDesk, &[]).await;
    let rev_pw = account(&hall, "rev", Role::Reviewer, std::slice::from_ref(&mine)).await;
    let call_pw = account(&hall, "caller", Role::Callback, &[]).await;
    let (id, code, _) = submit(&app, &kiosk, "workbench-3").await;
    let page = format!("/staff/applications/{id}");
    let (d, dc) = sign_in(&app, "desk", &desk_pw).await;
    let (r, rc) = sign_in(&app, "rev", &rev_pw).await;
    let (c, cc) = sign_in(&app, "caller", &call_pw).await;
    let go = |cookie: &str, csrf: &str, action: &str, version: &str, extra: &[(&str, &str)]| {
        let mut form = vec![("csrf", csrf), ("version", version)];
        form.extend_from_slice(extra);
        post(&format!("{page}/{action}"), cookie, &form)
    };
    // 补正 with materials from the item's list; one not on it is refused.
    let bad = send(
        &app,
        go(&d, &dc, "correction", "1", &[("material", "no-such")]),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = send(
        &app,
        go(
            &d,
            &dc,
            "correction",
            "1",
            &[("material", "photo"), ("note", "照片不清晰")],
        ),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert!(send(&app, get("/staff/inbox/correction", &d))
        .await
        .body
        .contains(&code));
    for (cookie, csrf, action, version, extra) in [
        (&d, &dc, "accept", "2", vec![]),
        (&r, &rc, "assign", "3", vec![("handler", "李审批")]),
        (
            &r,
            &rc,
            "conclude",
            "4",
            vec![("result", "准予办理"), ("waybill", "1151234567890")],
        ),
        (
            &d,
            &dc,
            "feedback",
            "5",
            vec![("note", "已电话告知邮寄信息")],
        ),
    ] {
        let r = send(&app, go(cookie, csrf, action, version, &extra)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{action}: {}", r.body);
    }
    // The callback role calls back; it may not do another role's step.
    let refused = send(&app, go(&c, &cc, "feedback", "6", &[])).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(send(&app, get("/staff/inbox/callback", &c))
        .await
        .body
        .contains(&code));
    let bad = send(
        &app,
        go(
            &c,
            &cc,
            "callback",
            "6",
            &[
                ("called", "yes"),
                ("reached", "maybe"),
                ("satisfaction", "satisfied"),
            ],
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = send(
        &app,
        go(
            &c,
            &cc,
            "callback",
            "6",
            &[
                ("called", "yes"),
                ("reached", "yes"),
                ("satisfaction", "satisfied"),
                ("note", "对邮寄服务很满意"),
            ],
        ),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let rec = hall.state.store.application(&id).await.unwrap().unwrap();
    assert_eq!(rec.status, hall_api::application::Status::Revisited);
    assert_eq!(rec.timeline.len(), 7);
    assert!(
        rec.timeline[1]
            .note
            .as_deref()
            .unwrap()
            .contains("本人近期免冠白底证件照"),
        "the citizen sees what to bring"
    );
    assert!(rec.timeline[4]
        .note
        .as_deref()
        .unwrap()
        .contains("1151234567890"));
    let steps = hall.store.steps(&id).await.unwrap();
    let who: Vec<&str> = steps.iter().map(|s| s.staff.as_str()).collect();
    assert_eq!(who, ["desk", "desk", "rev", "rev", "desk", "caller"]);
    // Internal details are sealed: the call note is on the page, not in the database's clear.
    for s in &steps {
        let raw = s.sealed_detail.as_deref().unwrap();
        assert!(!String::from_utf8_lossy(raw).contains("满意"));
    }
    let shown = send(&app, get(&page, &c)).await;
    assert!(shown.body.contains("对邮寄服务很满意") && shown.body.contains("已接通"));
}

#[tokio::test]
async fn overdue_and_due_soon_lists_and_the_supervisors_counts_per_department() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let desk_pw = account(&hall, "desk", Role::FrontDesk, &[]).await;
    let sup_pw = account(&hall, "sup", Role::Supervisor, &[]).await;
    let (late, late_code, _) = submit(&app, &kiosk, "workbench-4").await;
    let (soon, soon_code, _) = submit(&app, &kiosk, "workbench-5").await;
    let (d, dc) = sign_in(&app, "desk", &desk_pw).await;
    for id in [&late, &soon] {
        let r = send(
            &app,
            post(
                &format!("/staff/applications/{id}/accept"),
                &d,
                &[("csrf", &dc), ("version", "1")],
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    let today = hall::state::today_local();
    let yesterday = today.pred_opt().unwrap().to_string();
    db(&hall)
        .execute(
            "UPDATE application_work SET due_on = ?1 WHERE application_id = ?2",
            [&yesterday, &late],
        )
        .unwrap();
    db(&hall)
        .execute(
            "UPDATE application_work SET due_on = ?1 WHERE application_id = ?2",
            [&today.to_string(), &soon],
        )
        .unwrap();
    let (s, _) = sign_in(&app, "sup", &sup_pw).await;
    let overdue = send(&app, get("/staff/inbox/overdue", &s)).await;
    assert!(overdue.body.contains(&late_code) && !overdue.body.contains(&soon_code));
    assert!(overdue.body.contains("已超期"));
    let table = &overdue.body[overdue.body.find("per-department").unwrap()..];
    assert!(
        table.contains("县人力资源和社会保障局</td><td>1</td>"),
        "{table:.400}"
    );
    let due_soon = send(&app, get("/staff/inbox/due-soon", &s)).await;
    assert!(due_soon.body.contains(&soon_code) && !due_soon.body.contains(&late_code));
    // The supervisor is told which holiday files are provisional; the front desk is not.
    assert!(overdue.body.contains("暂定") && overdue.body.contains("holidays/2027.toml"));
    assert!(!send(&app, get("/staff/inbox/overdue", &d))
        .await
        .body
        .contains("暂定"));
    // The supervisor watches and moves nothing.
    let page = send(&app, get(&format!("/staff/applications/{late}"), &s)).await;
    assert!(page.body.contains("没有可办理的操作"));
}

#[tokio::test]
async fn cookies_are_secure_when_the_hall_says_it_is_served_over_tls() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(
        hall::store::sqlite::SqliteStore::open(&dir.path().join("h.db")).unwrap(),
    );
    let settings = hall::Settings {
        staff: hall::staff::StaffSettings {
            secure_cookies: true,
            ..Default::default()
        },
        ..Default::default()
    };
    let state = hall::AppState::new(
        store.clone(),
        hall::crypto::Secrets::generate().unwrap(),
        settings,
    )
    .await
    .unwrap();
    let app = hall::router::router(state);
    let pw = hall::staff::auth::add_account(store.as_ref(), "desk", Role::FrontDesk, &[], "")
        .await
        .unwrap();
    let form = send(&app, get("/staff/login", "")).await;
    assert!(
        form.cookies.iter().all(|c| c.ends_with("; Secure")),
        "{:?}",
        form.cookies
    );
    let nonce_cookie = cookie_value(&form.cookies, "hall_staff_login").unwrap();
    let done = send(
        &app,
        post(
            "/staff/login",
            &nonce_cookie,
            &[
                ("csrf", &csrf_of(&form.body)),
                ("name", "desk"),
                ("password", &pw),
            ],
        ),
    )
    .await;
    let session = done
        .cookies
        .iter()
        .find(|c| c.starts_with("hall_staff="))
        .unwrap();
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Strict")
            && session.ends_with("; Secure")
    );
}
