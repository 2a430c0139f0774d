//! An application taken in after its item was withdrawn (it waited in the kiosk's outbox),
//! for a cross-province item handled at a partner place: its first timeline note carries
//! both the 代收 note and the withdrawal note. Looked at as the citizen sees it on a phone
//! (360 px, Chinese and English) and as staff see it at the desk (1366 px), with axe-core;
//! screenshots `progress-withdrawn-*.png` (target tmp dir) and
//! `staff-screens/withdrawn-case.png`.

use std::path::Path;

use fantoccini::Locator;
use serde_json::json;

use crate::dashboard_chromium::common::*;
use crate::dashboard_chromium::workbench;
use hall::handlers::applications::{WITHDRAWN_AFTER_SUBMISSION, WITHDRAWN_AFTER_SUBMISSION_EN};
use hall::partners::{Partner, PartnerStore};
use hall::store::staff::Role;
use hall::store::{PrincipalKind, Store};

/// A 跨省通办 item of the seed.
const CROSS_ITEM: &str = "QR-000172-001";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawn_cross_province_application_reads_well_on_the_phone_and_at_the_desk() {
    let running = start().await;
    let base = running.base.clone();
    let hall = &running.hall;
    let kiosk = hall.credential(PrincipalKind::Kiosk, "zizhu-01").await;
    hall.store
        .put_partner(
            Partner {
                code: "420600".into(),
                name: "湖北省襄阳市".into(),
                name_en: "Xiangyang, Hubei".into(),
                url: "http://127.0.0.1:9".into(),
                token_sealed: None,
                created_at: chrono::Utc::now(),
            },
            None,
        )
        .await
        .expect("the partner");
    // The citizen applied five minutes ago; the kiosk could not reach the hall; the item
    // was withdrawn meanwhile.
    let applied = chrono::Utc::now() - chrono::TimeDelta::minutes(5);
    assert!(hall
        .store
        .set_item_withdrawn(CROSS_ITEM, true)
        .await
        .expect("withdraw"));
    hall.state.refresh().await.expect("refresh");
    let body = json!({
        "subject": {"type": "item", "code": CROSS_ITEM},
        "catalogVersion": "seed",
        "applicant": {"idNumber": ID_NUMBER, "name": "张三"},
        "fields": {
            "applicantName": "张三",
            "applicantIdNumber": ID_NUMBER,
            "phone": "13812345678",
            "reason": "expired",
            "declaration": true
        },
        "delivery": {"method": "pickUp"},
        "submittedAt": applied.to_rfc3339(),
        "handledBy": "420600"
    });
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{base}/api/v1/applications"))
        .bearer_auth(&kiosk)
        .header("idempotency-key", "withdrawn-cross-1")
        .json(&body)
        .send()
        .await
        .expect("submit");
    assert_eq!(r.status(), 201);
    let receipt: serde_json::Value = r.json().await.expect("receipt");
    let id = receipt["id"].as_str().expect("id").to_owned();
    let url = format!(
        "{base}/progress?c={}&v={}",
        receipt["trackingCode"].as_str().expect("code"),
        receipt["verifier"].as_str().expect("verifier")
    );
    // Both notes are stored; neither overwrote the other.
    let rec = hall
        .store
        .application(&id)
        .await
        .expect("read")
        .expect("stored");
    let both = format!("代收：本件由湖北省襄阳市办理，已转交。{WITHDRAWN_AFTER_SUBMISSION}");
    assert_eq!(rec.timeline[0].note.as_deref(), Some(both.as_str()));

    let drv = workbench::driver().await;
    let profile = tempfile::tempdir().expect("profile");
    let c = workbench::browser(&drv, profile.path()).await;
    let mut failures = Vec::new();
    for (name, page_url, expect) in [
        ("zh", url.clone(), both.clone()),
        (
            "en",
            format!("{url}&lang=en"),
            format!(
                "Taken in here for Xiangyang, Hubei, which handles it; passed on to them. \
                 {WITHDRAWN_AFTER_SUBMISSION_EN}."
            ),
        ),
    ] {
        workbench::emulate_phone(&drv, &c, 360, 740).await;
        c.goto(&page_url).await.expect("open the page");
        let note = c
            .find(Locator::Css("#history li:last-child .note"))
            .await
            .expect("the first entry's note")
            .text()
            .await
            .expect("its text");
        assert_eq!(note, expect, "{name}");
        let handled = c
            .find(Locator::Id("handled-by"))
            .await
            .expect("办理地")
            .text()
            .await
            .expect("its text");
        assert!(
            handled.contains(if name == "zh" {
                "湖北省襄阳市"
            } else {
                "Xiangyang, Hubei"
            }),
            "{name}: {handled}"
        );
        failures.extend(workbench::axe::audit(&c, &format!("progress-withdrawn-{name}")).await);
        // The whole page, history included.
        let height = c
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .expect("height")
            .as_u64()
            .expect("a number") as u32;
        workbench::emulate_phone(&drv, &c, 360, height).await;
        let png = c.screenshot().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG") && png.len() > 5_000);
        std::fs::write(
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("progress-withdrawn-{name}.png")),
            png,
        )
        .expect("screenshot written");
    }
    assert!(
        failures.is_empty(),
        "axe-core found serious or critical WCAG 2.1 AA violations:\n{}",
        failures.join("\n")
    );

    c.close().await.expect("close the phone");

    // At the desk: the application page, as an operator, in a desktop window.
    let desk_profile = tempfile::tempdir().expect("profile");
    let c = workbench::browser(&drv, desk_profile.path()).await;
    let pw =
        hall::staff::auth::add_account(hall.store.as_ref(), "ops-zhou", Role::Operator, &[], "周")
            .await
            .expect("account")
            .to_string();
    password_chosen(&hall.store, "ops-zhou").await;
    workbench::sign_in(&c, &base, "ops-zhou", &pw).await;
    c.goto(&format!("{base}/staff/applications/{id}"))
        .await
        .expect("the application page");
    let page = c
        .find(Locator::Css("main"))
        .await
        .expect("main")
        .text()
        .await
        .expect("text");
    assert!(page.contains(&both), "the staff see both notes: {page}");
    // The guide it was taken in under, although its item is withdrawn now: the department,
    // the 承诺时限, the form's answers and the materials list.
    let seed = hall::seed::catalog();
    let item = seed.item(CROSS_ITEM).expect("the seed's item");
    let dept = seed.department(&item.department).expect("its department");
    let limit = format!("{} 个工作日", item.promised_limit_days);
    for shown in [
        dept.name.as_str(),
        limit.as_str(),
        "13812345678",
        item.materials[0].name.as_str(),
    ] {
        assert!(page.contains(shown), "{shown:?} not on the page: {page}");
    }
    assert!(!page.contains("目录中已无此事项"), "{page}");
    // Handled at the partner place: said so, and nothing to work here.
    let place = c
        .find(Locator::Id("handled-by"))
        .await
        .expect("办理地 on the staff page")
        .text()
        .await
        .expect("text");
    assert!(place.starts_with("湖北省襄阳市"), "{place}");
    assert!(c.find(Locator::Id("partner-handled")).await.is_ok());
    assert!(
        c.find(Locator::Css("form[id^=act-]")).await.is_err(),
        "no step forms for a forwarded application"
    );
    workbench::shot_full(&c, "withdrawn-case").await;

    // The same withdrawal without 跨省通办: worked here, with its real 承诺时限 on 受理.
    let mut local = body.clone();
    local
        .as_object_mut()
        .expect("an object")
        .remove("handledBy");
    let r = http
        .post(format!("{base}/api/v1/applications"))
        .bearer_auth(&kiosk)
        .header("idempotency-key", "withdrawn-local-1")
        .json(&local)
        .send()
        .await
        .expect("submit");
    assert_eq!(r.status(), 201);
    let local_id = r.json::<serde_json::Value>().await.expect("receipt")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    c.goto(&format!("{base}/staff/applications/{local_id}"))
        .await
        .expect("the application page");
    c.find(Locator::Css("#act-accept button[type=submit]"))
        .await
        .expect("受理 is offered")
        .click()
        .await
        .expect("受理");
    c.wait()
        .for_element(Locator::Css("#act-assign"))
        .await
        .expect("accepted: 承办 is next");
    let due = c
        .find(Locator::Id("due"))
        .await
        .expect("the due date")
        .text()
        .await
        .expect("text");
    let expected = hall
        .state
        .staff
        .calendar
        .add_working_days(hall::state::today_local(), item.promised_limit_days);
    assert!(
        due.starts_with(&expected.to_string()),
        "{due} vs {expected}"
    );
    workbench::shot_full(&c, "withdrawn-local-accepted").await;
    c.close().await.expect("close the browser");
}
