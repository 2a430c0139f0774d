//! The first sign-in with a password printed by `hall staff add` (or `hall staff passwd`):
//! every other page sends the staff member to the password page and every other POST is
//! refused until they choose a new one (long enough, not the old one, typed twice); a
//! signed-in staff member can change their password from the same page.

use super::*;

/// Signs in through the form without opening an inbox; returns the session cookie and where
/// the sign-in sent the browser.
async fn sign_in_only(app: &Router, name: &str, password: &str) -> Page {
    let form = send(app, get("/staff/login", "")).await;
    let nonce_cookie = cookie_value(&form.cookies, "hall_staff_login").expect("login cookie");
    send(
        app,
        post(
            "/staff/login",
            &nonce_cookie,
            &[
                ("csrf", &csrf_of(&form.body)),
                ("name", name),
                ("password", password),
            ],
        ),
    )
    .await
}

async fn change(app: &Router, session: &str, csrf: &str, fields: [&str; 3]) -> Page {
    send(
        app,
        post(
            "/staff/password",
            session,
            &[
                ("csrf", csrf),
                ("current", fields[0]),
                ("new", fields[1]),
                ("confirm", fields[2]),
            ],
        ),
    )
    .await
}

/// Asserts that the session is held at the password page: GETs redirect there, POSTs are
/// refused and do nothing.
async fn held(app: &Router, session: &str, csrf: &str, hall: &TestHall) {
    for page in [
        "/staff/",
        "/staff/inbox/new",
        "/staff/tickets",
        "/staff/ratings",
        "/staff/applications/whatever",
    ] {
        let p = send(app, get(page, session)).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{page}");
        assert_eq!(p.location.as_deref(), Some("/staff/password"), "{page}");
    }
    let audits_before: i64 = db(hall)
        .query_row("SELECT COUNT(*) FROM staff_audit", [], |r| r.get(0))
        .unwrap();
    let p = send(
        app,
        post(
            "/staff/search",
            session,
            &[("csrf", csrf), ("q", "11010519491231002X")],
        ),
    )
    .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.body.contains("请先修改密码"), "{}", p.body);
    let audits_after: i64 = db(hall)
        .query_row("SELECT COUNT(*) FROM staff_audit", [], |r| r.get(0))
        .unwrap();
    assert_eq!(audits_before, audits_after, "a refused POST does nothing");
}

#[tokio::test]
async fn a_first_password_must_be_replaced_before_any_other_page_works() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let first =
        hall::staff::auth::add_account(hall.store.as_ref(), "desk", Role::FrontDesk, &[], "")
            .await
            .unwrap()
            .to_string();
    let signed = sign_in_only(&app, "desk", &first).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    let session = cookie_value(&signed.cookies, "hall_staff").unwrap();
    let form = send(&app, get("/staff/password", &session)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("初始密码"), "{}", form.body);
    for field in ["name=\"current\"", "name=\"new\"", "name=\"confirm\""] {
        assert!(form.body.contains(field), "{field}");
    }
    let csrf = csrf_of(&form.body);
    held(&app, &session, &csrf, &hall).await;

    // Each bad attempt says why, changes nothing, and the session stays held.
    let good = "县政务服务中心值班2026";
    for (fields, status, says) in [
        (
            ["wrong-password-1", good, good],
            StatusCode::UNAUTHORIZED,
            "当前密码不正确",
        ),
        (
            [&first, "short-pw", "short-pw"],
            StatusCode::BAD_REQUEST,
            "至少需要 12 个字符",
        ),
        (
            [&first, &first, &first],
            StatusCode::BAD_REQUEST,
            "不能与当前密码相同",
        ),
        (
            [&first, good, "县政务服务中心值班2027"],
            StatusCode::BAD_REQUEST,
            "两次输入的新密码不一致",
        ),
    ] {
        let p = change(&app, &session, &csrf, fields).await;
        assert_eq!(p.status, status, "{}", p.body);
        assert!(p.body.contains(says), "{says}: {}", p.body);
        held(&app, &session, &csrf, &hall).await;
    }
    // Without the CSRF token: refused.
    let p = change(&app, &session, "", [&first, good, good]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    held(&app, &session, &csrf, &hall).await;

    let p = change(&app, &session, &csrf, [&first, good, good]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        send(&app, get("/staff/inbox/new", &session)).await.status,
        StatusCode::OK,
        "the same session now works"
    );
    let (hash, audit): (String, i64) = db(&hall)
        .query_row(
            "SELECT password_hash, (SELECT COUNT(*) FROM staff_audit
                 WHERE staff = 'desk' AND action = 'password-changed')
             FROM staff_accounts WHERE name = 'desk'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains(good));
    assert_eq!(audit, 1);
    assert_eq!(
        sign_in_only(&app, "desk", &first).await.status,
        StatusCode::UNAUTHORIZED,
        "the first password is gone"
    );
    let (session, _) = sign_in(&app, "desk", good).await;

    // A signed-in staff member changes their password from the page (no warning shown).
    let form = send(&app, get("/staff/password", &session)).await;
    assert!(!form.body.contains("初始密码"));
    assert!(send(&app, get("/staff/inbox/new", &session))
        .await
        .body
        .contains("href=\"/staff/password\""));
    let newer = "another long passphrase";
    let p = change(&app, &session, &csrf_of(&form.body), [good, newer, newer]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    sign_in(&app, "desk", newer).await;

    // `hall staff passwd`: the reset password must be replaced again; old sessions end.
    let reset = hall::staff::auth::reset_password(hall.store.as_ref(), "desk")
        .await
        .unwrap()
        .to_string();
    assert_eq!(
        send(&app, get("/staff/inbox/new", &session))
            .await
            .location
            .as_deref(),
        Some("/staff/login")
    );
    let signed = sign_in_only(&app, "desk", &reset).await;
    let session = cookie_value(&signed.cookies, "hall_staff").unwrap();
    let form = send(&app, get("/staff/password", &session)).await;
    assert!(form.body.contains("初始密码"));
    held(&app, &session, &csrf_of(&form.body), &hall).await;
    // Signing out still works while held.
    let out = send(
        &app,
        post("/staff/logout", &session, &[("csrf", &csrf_of(&form.body))]),
    )
    .await;
    assert_eq!(out.location.as_deref(), Some("/staff/login"));
}
