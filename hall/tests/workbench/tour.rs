//! Every workbench page, once, in one Chromium session as the hall's operator (who sees every
//! tab and every action form): each page passes axe-core (no serious or critical WCAG 2.1 AA
//! violation) and is photographed at 1366×768 and 1920×1080 (plus the whole page when it is
//! taller than the window) into `target/staff-screens/tour-*.png`, for a person to look at.
//! The hall holds an application in every stage, one of them overdue, a help ticket, a 差评
//! with its rectification case, so no page is shown empty.
// Test helpers: a panic is how they report a failure.
#![allow(clippy::unwrap_used)]

use fantoccini::{Client, Locator};
use serde_json::{json, Value};

use super::axe::audit;
use super::{browser, driver, screens, set_viewport, text};
use crate::dashboard_chromium::common::*;
use hall::store::staff::Role;
use hall::store::PrincipalKind;

/// An application to set up: its name, mailed or collected, and the staff API's moves.
type Stage = (
    &'static str,
    bool,
    &'static [(&'static str, Option<&'static str>)],
);

/// The window sizes every page is photographed at.
const SIZES: [(u32, u32); 2] = [(1366, 768), (1920, 1080)];

/// Runs axe on the page (collecting failures) and takes its screenshots.
async fn look(c: &Client, name: &str, failures: &mut Vec<String>) {
    failures.extend(audit(c, name).await);
    for (w, h) in SIZES {
        set_viewport(c, w, h).await;
        let png = c.screenshot().await.unwrap();
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 5_000,
            "{name}: a real picture"
        );
        std::fs::write(screens().join(format!("tour-{name}-{w}.png")), png).unwrap();
    }
    let (w, h) = SIZES[0];
    set_viewport(c, w, h).await;
    let tall = c
        .execute("return document.documentElement.scrollHeight", vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap_or(0);
    if tall > u64::from(h) {
        set_viewport(c, w, tall as u32).await;
        let png = c.screenshot().await.unwrap();
        std::fs::write(screens().join(format!("tour-{name}-full.png")), png).unwrap();
        set_viewport(c, w, h).await;
    }
}

/// Opens `path` and waits for `#id` on it.
async fn open(c: &Client, base: &str, path: &str, id: &str) {
    c.goto(&format!("{base}{path}")).await.unwrap();
    c.wait().for_element(Locator::Id(id)).await.unwrap();
}

/// The first link on the page whose address starts with `prefix`.
async fn href(c: &Client, prefix: &str) -> String {
    c.find(Locator::Css(&format!("main a[href^='{prefix}']")))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_workbench_page_passes_axe_core_and_is_photographed() {
    let running = start().await;
    let base = running.base.clone();
    let hall = &running.hall;
    let kiosk = hall.credential(PrincipalKind::Kiosk, "zizhu-03").await;
    let staff = hall.credential(PrincipalKind::Staff, "api-clerk").await;
    let ops = hall::staff::auth::add_account(
        hall.store.as_ref(),
        "ops-sun",
        Role::Operator,
        &[],
        "孙运维",
    )
    .await
    .unwrap()
    .to_string();
    crate::dashboard_chromium::common::password_chosen(&hall.store, "ops-sun").await;

    // One application per stage, through the kiosk API and the staff API.
    let http = reqwest::Client::new();
    let stages: [Stage; 9] = [
        ("submitted", true, &[]),
        ("accepted", true, &[("accepted", None)]),
        (
            "processing-mail",
            true,
            &[("accepted", None), ("processing", None)],
        ),
        (
            "processing-pickup",
            false,
            &[("accepted", None), ("processing", None)],
        ),
        (
            "correction",
            false,
            &[
                ("accepted", None),
                ("correctionRequired", Some("请补交近期白底免冠证件照1张")),
            ],
        ),
        (
            "rejected",
            true,
            &[("rejected", Some("已持有有效社会保障卡，不符合首次申领条件"))],
        ),
        (
            "concluded",
            true,
            &[
                ("accepted", None),
                ("processing", None),
                ("concluded", Some("已交邮政EMS寄出")),
            ],
        ),
        (
            "feedback",
            true,
            &[
                ("accepted", None),
                ("processing", None),
                ("concluded", None),
                ("feedback", None),
            ],
        ),
        (
            "revisited",
            true,
            &[
                ("accepted", None),
                ("processing", None),
                ("concluded", None),
                ("feedback", None),
                ("revisited", None),
            ],
        ),
    ];
    // Every application carries the ID card read and an uploaded photo (the 材料文件 table).
    let mut photo = b"%PDF-1.7\n".to_vec();
    photo.resize(4096, b' ');
    let photo_sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&photo));
    let s = http
        .put(format!("{base}/api/v1/attachments/{photo_sha}"))
        .bearer_auth(&kiosk)
        .body(photo)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(s, 201, "the photo uploaded");
    let mut ids = Vec::new();
    for (i, (stage, mail, moves)) in stages.iter().enumerate() {
        let mut body = application_body();
        body["materials"] = json!([
            {"code": "sfz", "source": "idCardRead"},
            {"code": "photo", "source": "scanned", "pages": 1, "attachments": [photo_sha]},
        ]);
        if !mail {
            body["delivery"] = json!({"method": "pickUp"});
        }
        let receipt: Value = http
            .post(format!("{base}/api/v1/applications"))
            .bearer_auth(&kiosk)
            .header("idempotency-key", format!("tour-{i:04}"))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = receipt["id"].as_str().unwrap().to_owned();
        for (to, note) in moves.iter() {
            let s = http
                .post(format!("{base}/api/v1/applications/{id}/status"))
                .bearer_auth(&staff)
                .json(&json!({"to": to, "note": note}))
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(s, 200, "{stage}: move to {to}");
        }
        if i == 0 {
            // A 差评 on the first one, which opens a rectification case.
            let rated = http
                .post(format!("{base}/api/v1/ratings"))
                .bearer_auth(&kiosk)
                .json(&json!({"trackingCode": receipt["trackingCode"],
                    "verifier": receipt["verifier"], "level": 1,
                    "reasons": ["repeatedTrips"], "comment": "跑了三趟",
                    "contact": {"phone": "13700002222"}}))
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(rated, 201);
        }
        ids.push((*stage, id));
    }
    // The accepted one is overdue (the staff API sets no due date; the workbench's 受理 does).
    let conn = rusqlite::Connection::open(&hall.db).unwrap();
    let changed = conn
        .execute(
            "INSERT INTO application_work (application_id, due_on) VALUES (?1, '2024-01-02')",
            [&ids[1].1],
        )
        .unwrap();
    assert_eq!(changed, 1);
    let ticket = http
        .post(format!("{base}/api/v1/help-requests"))
        .bearer_auth(&kiosk)
        .header("idempotency-key", "tour-help-1")
        .json(
            &json!({"kind": "homeVisit", "note": "腿脚不便，请上门办理养老认证",
            "contact": {"name": "王奶奶", "phone": "13700001111"}}),
        )
        .send()
        .await
        .unwrap()
        .status();
    assert!(ticket.is_success(), "{ticket}");

    let drv = driver().await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&drv, profile.path()).await;
    let mut failures = Vec::new();

    // Signed out: the sign-in page, and with its error.
    open(&c, &base, "/staff/login", "password").await;
    look(&c, "login", &mut failures).await;
    // The check can fail: an unlabelled box and pale text put into the page are reported.
    c.execute(
        "document.querySelector('main').insertAdjacentHTML('beforeend', \
         '<p style=\"color:#bbb;background:#fff\">浅色文字</p><input type=\"text\">');",
        vec![],
    )
    .await
    .unwrap();
    let planted = audit(&c, "planted").await.join("\n");
    assert!(
        planted.contains("color-contrast (serious)") && planted.contains("label (critical)"),
        "axe-core did not see the planted faults: {planted}"
    );
    open(&c, &base, "/staff/login", "password").await;
    sign_in_fails(&c).await;
    look(&c, "login-refused", &mut failures).await;

    // By keyboard alone: the name box has the focus, Tab reaches the password, Enter signs in.
    c.active_element()
        .await
        .unwrap()
        .send_keys(&format!("ops-sun\u{E004}{ops}\u{E007}"))
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("search")).await.unwrap();
    assert_eq!(
        c.active_element()
            .await
            .unwrap()
            .attr("id")
            .await
            .unwrap()
            .as_deref(),
        Some("search"),
        "the search box has the focus, for the receipt scanner"
    );
    // Tab moves on to the 查找 button, which shows a 3 px focus ring.
    c.active_element()
        .await
        .unwrap()
        .send_keys("\u{E004}")
        .await
        .unwrap();
    let ring = c
        .execute(
            "const e = document.activeElement, s = getComputedStyle(e);
             return [e.textContent.trim(), e.matches(':focus-visible'), s.outlineStyle, s.outlineWidth];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        ring,
        json!(["查找", true, "solid", "3px"]),
        "the focus is visible"
    );
    for inbox in [
        "new",
        "accepted",
        "processing",
        "due-soon",
        "overdue",
        "correction",
        "concluded",
        "callback",
    ] {
        open(&c, &base, &format!("/staff/inbox/{inbox}"), "search").await;
        assert_eq!(
            text(&c, "nav.tabs a[aria-current=page]").await,
            text(&c, "nav.tabs a.current").await,
            "the screen reader is told which tab is open"
        );
        if inbox == "overdue" {
            assert!(
                text(&c, "main").await.contains("已超期"),
                "the overdue one is listed"
            );
        }
        look(&c, &format!("inbox-{inbox}"), &mut failures).await;
    }

    // The search box: an ID number lists the applicant's applications.
    search_for(&c, ID_NUMBER, "main table").await;
    assert!(
        text(&c, "main h2").await.contains("1101**********002X"),
        "the applicant's applications, the ID number masked"
    );
    assert_eq!(
        c.find_all(Locator::Css("main tr[data-application]"))
            .await
            .unwrap()
            .len(),
        ids.len(),
        "every one of the applicant's applications"
    );
    look(&c, "search-results", &mut failures).await;
    // A code that is not there: the message page.
    search_for(&c, "ZZ0000000000", "#message").await;
    look(&c, "search-not-found", &mut failures).await;

    for (stage, id) in &ids {
        open(&c, &base, &format!("/staff/applications/{id}"), "status").await;
        look(&c, &format!("application-{stage}"), &mut failures).await;
    }
    // A refused move shows its error above the form.
    let (_, submitted) = &ids[0];
    open(
        &c,
        &base,
        &format!("/staff/applications/{submitted}"),
        "status",
    )
    .await;
    c.find(Locator::Css("#act-reject button[type=submit]"))
        .await
        .unwrap();
    c.execute(
        "document.getElementById('reject-reason').removeAttribute('required');
         document.querySelector('#act-reject button[type=submit]').click();",
        vec![],
    )
    .await
    .unwrap();
    c.wait().for_element(Locator::Id("error")).await.unwrap();
    look(&c, "application-form-error", &mut failures).await;

    open(&c, &base, "/staff/tickets", "tickets").await;
    look(&c, "tickets", &mut failures).await;
    let t = href(&c, "/staff/tickets/").await;
    open(&c, &base, &t, "reference").await;
    look(&c, "ticket", &mut failures).await;

    open(&c, &base, "/staff/ratings", "cases").await;
    look(&c, "ratings", &mut failures).await;
    let r = href(&c, "/staff/ratings/").await;
    open(&c, &base, &r, "case").await;
    look(&c, "rating-case", &mut failures).await;

    for period in ["day", "week", "month"] {
        open(
            &c,
            &base,
            &format!("/staff/reports?period={period}"),
            "period",
        )
        .await;
        look(&c, &format!("reports-{period}"), &mut failures).await;
    }
    // The operators' fleet page (update bundles, rollouts, remote actions).
    open(&c, &base, "/staff/fleet", "search").await;
    assert!(text(&c, "main").await.contains("升级包"), "the fleet page");
    look(&c, "fleet", &mut failures).await;

    open(&c, &base, "/staff/applications/no-such-id", "message").await;
    look(&c, "not-found", &mut failures).await;

    c.close().await.unwrap();
    assert!(
        failures.is_empty(),
        "axe-core found serious or critical WCAG 2.1 AA violations:\n{}",
        failures.join("\n")
    );
}

/// Types `q` and Enter into the search box and waits for `css` on the next page (the old
/// page is marked first, so an element it also has is not taken for the new one's).
async fn search_for(c: &Client, q: &str, css: &str) {
    c.execute("document.body.dataset.old = '1';", vec![])
        .await
        .unwrap();
    c.find(Locator::Id("search"))
        .await
        .unwrap()
        .send_keys(&format!("{q}\u{E007}"))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css(&format!("body:not([data-old]) {css}")))
        .await
        .unwrap();
}

/// A wrong password: the sign-in page again, with the message.
async fn sign_in_fails(c: &Client) {
    c.find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("ops-sun")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys("not-the-password")
        .await
        .unwrap();
    c.execute("document.body.dataset.old = '1';", vec![])
        .await
        .unwrap();
    c.find(Locator::Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("body:not([data-old]) [role=alert]"))
        .await
        .unwrap();
}
