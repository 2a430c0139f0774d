//! Tickets and 差评 cases in Chromium: the front desk finds a 上门服务 ticket in the queue,
//! claims it, schedules the visit and closes it; then verifies and rectifies a 差评, which
//! leaves the 回访 open on the supervisor's ratings page. Screenshots in `target/staff-screens/`.
// Test helpers: a panic is how they report a failure.
#![allow(clippy::unwrap_used)]

use fantoccini::{Client, Locator};
use serde_json::json;

use super::{browser, driver, shot, shot_full, sign_in, sign_out, text};
use crate::common::*;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_home_visit_ticket_and_a_bad_rating_are_worked_in_chromium() {
    let running = start().await;
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
            crate::common::password_chosen(&store, name).await;
            pw
        }
    };
    let desk = add("desk-chen", Role::FrontDesk, "陈前台").await;
    let sup = add("sup-zhou", Role::Supervisor, "周督查").await;

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
    c.close().await.unwrap();
}
