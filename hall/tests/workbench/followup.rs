//! Tickets and 差评 cases in Chromium: a 上门服务 ticket fires a signed webhook (received by a
//! real server on loopback) whose link is the ticket's page; the front desk finds it in the
//! queue, claims it, schedules the visit and closes it; then verifies and rectifies a 差评,
//! which leaves the 回访 open on the supervisor's ratings page until the callback staff close
//! the case. Screenshots in `target/staff-screens/`.
// Test helpers: a panic is how they report a failure.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use fantoccini::{Client, Locator};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use super::{browser, driver, shot, shot_full, sign_in, sign_out, text};
use crate::dashboard_chromium::common::*;
use hall::store::staff::Role;
use hall::store::PrincipalKind;

/// Submits a form and waits for the next page (the old one is marked, so an element that is
/// on both pages is not found on the old one).
async fn submit_form(c: &Client, form: &str, waits_for: &str) {
    c.execute("document.body.dataset.old = '1';", vec![])
        .await
        .unwrap();
    c.find(Locator::Css(&format!("#{form} button[type=submit]")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css(&format!("body:not([data-old]) #{waits_for}")))
        .await
        .unwrap();
}

async fn type_into(c: &Client, id: &str, value: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap()
        .send_keys(value)
        .await
        .unwrap();
}

async fn click_link(c: &Client, text: &str) {
    c.find(Locator::LinkText(text))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

const SECRET: &str = "duty-webhook-secret-for-chromium";

/// Bodies of the webhook calls whose HMAC-SHA256 signature (over `timestamp "." body`) holds.
type Received = Arc<Mutex<Vec<serde_json::Value>>>;

async fn hook(State(got): State<Received>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(header("x-hall-timestamp").as_bytes());
    mac.update(b".");
    mac.update(&body);
    let want = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    if header("x-hall-signature") != want {
        return StatusCode::UNAUTHORIZED;
    }
    got.lock()
        .unwrap()
        .push(serde_json::from_slice(&body).unwrap());
    StatusCode::NO_CONTENT
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_home_visit_ticket_and_a_bad_rating_are_worked_in_chromium() {
    let running = start().await;
    // The on-duty webhook: a real server on loopback, and the hall's notice worker.
    let got = Received::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(hook))
        .with_state(got.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let notify = hall::notify::NotifyConfig::parse(
        std::path::Path::new("notify.toml"),
        &format!(
            "[retry]\nfirst_seconds = 0.05\nmax_seconds = 0.2\n[worker]\npoll_seconds = 0.1\n\
             [[webhook]]\nname = \"duty-sms\"\nurl = \"{hook_url}\"\nsecret = \"{SECRET}\"\n\
             events = [\"help.requested\"]\n"
        ),
    )
    .unwrap();
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    hall::notify::queue::spawn(
        &running.hall.state,
        running.hall.store.clone(),
        notify,
        stopped,
    )
    .unwrap();
    let base = running.base.clone();
    let hall = &running.hall;
    let kiosk = hall.credential(PrincipalKind::Kiosk, "zizhu-02").await;
    let add = |name: &'static str, role: Role, display: &'static str| {
        let store = hall.store.clone();
        async move {
            let pw = hall::staff::auth::add_account(store.as_ref(), name, role, &[], display)
                .await
                .unwrap()
                .to_string();
            crate::dashboard_chromium::common::password_chosen(&store, name).await;
            pw
        }
    };
    let desk = add("desk-chen", Role::FrontDesk, "陈前台").await;
    let sup = add("sup-zhou", Role::Supervisor, "周督查").await;
    let caller = add("call-sun", Role::Callback, "孙回访").await;

    let http = reqwest::Client::new();
    let post = |uri: &str, key: Option<&str>, body: serde_json::Value| {
        let mut req = http
            .post(format!("{base}{uri}"))
            .bearer_auth(&kiosk)
            .json(&body);
        if let Some(k) = key {
            req = req.header("idempotency-key", k);
        }
        async move {
            req.send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let ticket = post(
        "/api/v1/help-requests",
        Some("chromium-help-1"),
        json!({"kind": "homeVisit", "note": "腿脚不便，请上门办理养老认证",
            "contact": {"name": "王奶奶", "phone": "13700001111"}}),
    )
    .await;
    let reference = ticket["reference"].as_str().unwrap().to_owned();
    assert_eq!(ticket["onDutyNotified"], true, "{ticket}");
    let mut notice = None;
    for _ in 0..300 {
        notice = got.lock().unwrap().first().cloned();
        if notice.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let notice = notice.expect("the help ticket's webhook arrived, correctly signed");
    assert_eq!(notice["kind"], "help.requested", "{notice}");
    assert_eq!(notice["data"]["reference"], reference.as_str(), "{notice}");
    assert!(
        !notice.to_string().contains("13700001111") && !notice.to_string().contains("王奶奶"),
        "no contact details in the notice: {notice}"
    );
    let ticket_link = notice["link"].as_str().unwrap().to_owned();
    assert!(ticket_link.starts_with("/staff/tickets/"), "{notice}");
    let app = post(
        "/api/v1/applications",
        Some("chromium-app-1"),
        application_body(),
    )
    .await;
    let code = app["trackingCode"].as_str().unwrap().to_owned();
    let rating = post(
        "/api/v1/ratings",
        None,
        json!({"trackingCode": code, "verifier": app["verifier"], "level": 1,
            "reasons": ["repeatedTrips"], "comment": "跑了三趟", "contact": {"phone": "13700002222"}}),
    )
    .await;
    assert_eq!(rating["bad"], true, "{rating}");

    let drv = driver().await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&drv, profile.path()).await;
    sign_in(&c, &base, "desk-chen", &desk).await;
    click_link(&c, "求助与投诉工单").await;
    c.wait().for_element(Locator::Id("tickets")).await.unwrap();
    assert!(text(&c, "#tickets").await.contains(&reference));
    assert!(
        !text(&c, "main").await.contains("13700001111"),
        "no contact on the queue"
    );
    shot(&c, "20-tickets-queue").await;
    click_link(&c, &reference).await;
    c.wait()
        .for_element(Locator::Id("reference"))
        .await
        .unwrap();
    assert_eq!(
        c.current_url().await.unwrap().path(),
        ticket_link,
        "the webhook's link is the ticket's page"
    );
    assert!(text(&c, "#phone").await.contains("13700001111"));
    shot_full(&c, "21-ticket-open").await;
    submit_form(&c, "ticket-claim", "reference").await;
    assert!(text(&c, "#claimed-by").await.contains("desk-chen"));
    let day = (hall::state::today_local() + chrono::Duration::days(2)).to_string();
    c.execute(
        "document.getElementById('visit-date').value = arguments[0];",
        vec![json!(day)],
    )
    .await
    .unwrap();
    type_into(&c, "visit-address", "城关镇和平街7号").await;
    submit_form(&c, "ticket-visit", "reference").await;
    assert!(text(&c, "#steps").await.contains(&day));
    type_into(&c, "close-outcome", "已上门完成养老认证").await;
    submit_form(&c, "ticket-close", "reference").await;
    assert_eq!(text(&c, "#status").await, "已办结");
    shot_full(&c, "22-ticket-closed").await;

    // The 差评: 核实 and 整改 at the front desk; 回访 stays for the callback staff.
    click_link(&c, "好差评").await;
    c.wait().for_element(Locator::Id("cases")).await.unwrap();
    shot_full(&c, "23-ratings").await;
    c.find(Locator::Css("#cases a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("case")).await.unwrap();
    assert!(text(&c, "#comment").await.contains("跑了三趟"));
    type_into(&c, "verify-note", "属实，材料清单未更新").await;
    submit_form(&c, "case-verify", "case").await;
    type_into(&c, "rectify-note", "已更新材料清单并培训窗口人员").await;
    submit_form(&c, "case-rectify", "case").await;
    assert!(text(&c, "#case").await.contains("待回访"));
    shot_full(&c, "24-rating-case").await;
    sign_out(&c).await;

    sign_in(&c, &base, "sup-zhou", &sup).await;
    c.goto(&format!("{base}/staff/ratings")).await.unwrap();
    c.wait().for_element(Locator::Id("cases")).await.unwrap();
    assert!(text(&c, "#cases-count").await.contains("未办结 1 件"));
    assert!(text(&c, "#cases").await.contains("待回访"));
    shot(&c, "25-ratings-supervisor").await;
    sign_out(&c).await;

    // The callback staff call the citizen back: the case is closed.
    sign_in(&c, &base, "call-sun", &caller).await;
    c.goto(&format!("{base}/staff/ratings")).await.unwrap();
    c.wait().for_element(Locator::Id("cases")).await.unwrap();
    c.find(Locator::Css("#cases a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("case")).await.unwrap();
    type_into(&c, "callback-note", "已回访，群众认可整改").await;
    submit_form(&c, "case-callback", "case").await;
    assert!(text(&c, "#case").await.contains("整改已办结"));
    shot_full(&c, "26-rating-case-closed").await;
    sign_out(&c).await;
    sign_in(&c, &base, "sup-zhou", &sup).await;
    c.goto(&format!("{base}/staff/ratings")).await.unwrap();
    c.wait().for_element(Locator::Id("cases")).await.unwrap();
    assert!(text(&c, "#cases-count").await.contains("未办结 0 件"));
    c.close().await.unwrap();
}
