//! Counter intake in real Chromium: the front desk follows the navigation to 窗口受理, finds
//! the item by name, submits the generated form once with a field missing (the message is
//! next to it, what was typed kept), then complete; the application page shows it 受理 and
//! the printable receipt draws its QR code. Screenshots: `10-intake-*`.

use fantoccini::{Client, Locator};
use hall_api::form::FieldKind;

use super::{browser, driver, shot, shot_full, sign_in, text};
use crate::dashboard_chromium::common::*;
use hall::store::staff::Role;

async fn type_into(c: &Client, id: &str, value: &str) {
    let el = c.find(Locator::Id(id)).await.unwrap();
    el.clear().await.unwrap();
    el.send_keys(value).await.unwrap();
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_front_desk_takes_an_application_at_the_window_in_chromium() {
    let running = start().await;
    let base = running.base.clone();
    let hall = &running.hall;
    let pw = hall::staff::auth::add_account(
        hall.store.as_ref(),
        "desk-wang",
        Role::FrontDesk,
        &[],
        "王前台",
    )
    .await
    .unwrap()
    .to_string();
    crate::dashboard_chromium::common::password_chosen(&hall.store, "desk-wang").await;
    let drv = driver().await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&drv, profile.path()).await;
    sign_in(&c, &base, "desk-wang", &pw).await;

    click(&c, "nav a[href='/staff/intake']").await;
    type_into(&c, "intake-q", "社会保障卡申领\u{E007}").await;
    c.wait()
        .for_element(Locator::Css(&format!("a[href='/staff/intake/{ITEM}']")))
        .await
        .unwrap();
    shot(&c, "10-intake-picker").await;
    click(&c, &format!("a[href='/staff/intake/{ITEM}']")).await;
    c.wait()
        .for_element(Locator::Id("applicant-id"))
        .await
        .unwrap();
    shot_full(&c, "10-intake-form").await;

    type_into(&c, "applicant-id", ID_NUMBER).await;
    type_into(&c, "applicant-name", "张三").await;
    let item = hall.state.catalog().catalog.item(ITEM).unwrap().clone();
    let fields: Vec<_> = item
        .form
        .fields
        .iter()
        .filter(|f| !hall::staff::intake_form::from_applicant(f))
        .cloned()
        .collect();
    // Everything but the phone first: the page says what is missing, keeps the rest.
    for f in &fields {
        let id = format!("f-{}", f.key);
        match &f.kind {
            FieldKind::Checkbox => click(&c, &format!("#{id}")).await,
            FieldKind::Phone => {}
            FieldKind::Address | FieldKind::Text => type_into(&c, &id, "城关镇人民路1号").await,
            other => panic!("fill a {other:?} field here"),
        }
    }
    click(&c, "#intake-submit").await;
    c.wait().for_element(Locator::Id("errors")).await.unwrap();
    assert!(text(&c, "#f-phone-err").await.contains("必填"));
    let kept = c
        .find(Locator::Id("applicant-name"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("张三"));
    shot_full(&c, "10-intake-error").await;

    type_into(&c, "f-phone", "13812345678").await;
    click(&c, "#intake-submit").await;
    c.wait().for_element(Locator::Id("tracking")).await.unwrap();
    assert_eq!(text(&c, "#status").await, "受理");
    assert!(text(&c, "#received").await.contains("综合窗口"));
    let code = text(&c, "#tracking").await;
    shot_full(&c, "10-intake-application").await;

    click(&c, "#receipt-link").await;
    c.wait()
        .for_element(Locator::Id("receipt-qr"))
        .await
        .unwrap();
    assert_eq!(text(&c, "#receipt-code").await, code);
    assert!(text(&c, "#receipt-url")
        .await
        .contains(&format!("/progress?c={code}&v=")));
    shot(&c, "10-intake-receipt").await;
    c.close().await.unwrap();
}
