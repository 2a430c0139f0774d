//! The staff workbench in real headless Chromium through WebDriver (Debian's
//! `chromium-driver`, driven by fantoccini), against the real hall on loopback: a kiosk
//! application sent through the kiosk API is found at the front desk by typing its receipt
//! QR's URL into the search box, accepted, taken on and concluded with an EMS waybill by the
//! department's reviewer, given its 反馈 and called back, and the supervisor's day report
//! follows; another department's reviewer gets 403; a POST without the CSRF token is refused.
//! Every page shown is checked with axe-core (`axe`) and photographed (1366×768) into
//! `target/staff-screens/`; `tour` visits every page as the operator, at 1366×768 and 1920×1080.
//! Needs: `apt-get install -y --no-install-recommends chromium chromium-driver`.
// Test helpers: a panic is how they report a failure.
#![allow(clippy::unwrap_used)]

pub mod axe;
mod followup;
mod intake;
mod tour;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::dashboard_chromium::common::*;
use hall::store::staff::Role;
use hall::store::PrincipalKind;

/// chromedriver on a free loopback port, killed when dropped.
pub(crate) struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) async fn driver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is not installed: apt-get install -y chromium-driver");
    // Owned at once, so it is killed and reaped on every path.
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if http
            .get(format!("{}/status", driver.url))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not answer on {}", driver.url);
}

pub(crate) async fn browser(driver: &Driver, profile: &std::path::Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--hide-scrollbars", "--window-size=1366,768",
            format!("--user-data-dir={}", profile.display()),
        ]}),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let c = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session in chromium");
    set_viewport(&c, 1366, 768).await;
    c
}

/// Sizes the window so that the page's viewport (what a screenshot shows) is `w`×`h`: the
/// window's own frame is measured and added.
pub(crate) async fn set_viewport(c: &Client, w: u32, h: u32) {
    c.set_window_size(w, h).await.unwrap();
    let frame = c
        .execute(
            "return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight];",
            vec![],
        )
        .await
        .unwrap();
    let extra = |i: usize| frame[i].as_u64().unwrap_or(0) as u32;
    if extra(0) > 0 || extra(1) > 0 {
        c.set_window_size(w + extra(0), h + extra(1)).await.unwrap();
    }
}

/// A phone's viewport (`w`×`h` CSS pixels, narrower than a desktop window may be), through
/// chromedriver's Chrome DevTools command endpoint.
pub(crate) async fn emulate_phone(driver: &Driver, c: &Client, w: u32, h: u32) {
    let session = c.session_id().await.unwrap().unwrap();
    let status = reqwest::Client::new()
        .post(format!("{}/session/{session}/goog/cdp/execute", driver.url))
        .json(&json!({"cmd": "Emulation.setDeviceMetricsOverride",
            "params": {"width": w, "height": h, "deviceScaleFactor": 1, "mobile": true}}))
        .send()
        .await
        .unwrap()
        .status();
    assert!(
        status.is_success(),
        "chromedriver refused the emulation: {status}"
    );
}

fn screens() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("staff-screens");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Checks the page with axe-core and photographs it.
async fn shot(c: &Client, name: &str) {
    axe::assert_accessible(c, name).await;
    let png = c.screenshot().await.unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 5_000,
        "a real picture"
    );
    std::fs::write(screens().join(format!("{name}.png")), png).unwrap();
}

/// The whole page, not only the first screen (the application page is long).
pub(crate) async fn shot_full(c: &Client, name: &str) {
    let height = c
        .execute("return document.documentElement.scrollHeight", vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap();
    set_viewport(c, 1366, height as u32).await;
    shot(c, name).await;
    set_viewport(c, 1366, 768).await;
}

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

pub(crate) async fn sign_in(c: &Client, base: &str, name: &str, password: &str) {
    c.goto(&format!("{base}/staff/login")).await.unwrap();
    c.find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys(name)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(password)
        .await
        .unwrap();
    c.find(Locator::Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("search"))
        .await
        .expect("signed in: the search box is on the page");
}

async fn sign_out(c: &Client) {
    c.find(Locator::Css("form[action='/staff/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("password")).await.unwrap();
}

/// Submits an action form and waits for the next page (the old page is marked first: its
/// `#status` must not be taken for the new one's).
async fn step(c: &Client, form: &str) {
    c.execute("document.body.dataset.old = '1';", vec![])
        .await
        .unwrap();
    c.find(Locator::Css(&format!("#act-{form} button[type=submit]")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("body:not([data-old]) #status"))
        .await
        .unwrap();
}

/// Today's report for every department: intake, on-time rate, 回访 completion.
async fn report_figures(c: &Client, base: &str) -> [String; 3] {
    c.goto(&format!("{base}/staff/reports?period=day"))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("fig-intake"))
        .await
        .unwrap();
    [
        text(c, "#fig-intake").await,
        text(c, "#fig-on-time").await,
        text(c, "#fig-callback").await,
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_application_is_found_by_its_receipt_qr_worked_to_the_callback_in_chromium() {
    let running = start().await;
    let base = running.base.clone();
    let hall = &running.hall;
    let kiosk = hall.credential(PrincipalKind::Kiosk, "zizhu-01").await;
    let catalog = hall.state.catalog();
    let dept = catalog.catalog.item(ITEM).unwrap().department.clone();
    let other = catalog
        .catalog
        .departments
        .iter()
        .find(|d| d.code != dept)
        .unwrap()
        .code
        .clone();
    let add = |name: &'static str, role: Role, depts: Vec<String>, display: &'static str| {
        let store = hall.store.clone();
        async move {
            let pw = hall::staff::auth::add_account(store.as_ref(), name, role, &depts, display)
                .await
                .unwrap()
                .to_string();
            crate::dashboard_chromium::common::password_chosen(&store, name).await;
            pw
        }
    };
    let desk = add("desk-wang", Role::FrontDesk, vec![], "王前台").await;
    let reviewer = add("rev-li", Role::Reviewer, vec![dept.clone()], "李审批").await;
    let stranger = add("rev-zhao", Role::Reviewer, vec![other], "赵审批").await;
    let caller = add("call-qian", Role::Callback, vec![], "钱回访").await;
    let sup = add("sup-wu", Role::Supervisor, vec![], "吴督查").await;

    // The citizen's application, through the real kiosk API.
    let http = reqwest::Client::new();
    let receipt: serde_json::Value = http
        .post(format!("{base}/api/v1/applications"))
        .bearer_auth(&kiosk)
        .header("idempotency-key", "chromium-1")
        .json(&application_body())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = receipt["trackingCode"].as_str().unwrap().to_owned();
    let id = receipt["id"].as_str().unwrap().to_owned();
    let qr = format!(
        "{base}/progress?c={code}&v={}",
        receipt["verifier"].as_str().unwrap()
    );

    let drv = driver().await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&drv, profile.path()).await;

    c.goto(&format!("{base}/staff/")).await.unwrap();
    c.wait().for_element(Locator::Id("password")).await.unwrap();
    shot(&c, "01-login").await;

    // The supervisor's day report before anyone worked it: received, nothing concluded.
    sign_in(&c, &base, "sup-wu", &sup).await;
    let figures = report_figures(&c, &base).await;
    assert_eq!(
        figures,
        ["1", "—", "—"],
        "intake, on-time rate, 回访 completion"
    );
    sign_out(&c).await;

    // The front desk: the scanner types the QR's URL and Enter into the focused box.
    sign_in(&c, &base, "desk-wang", &desk).await;
    assert!(c
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/staff/inbox/new"));
    assert!(
        text(&c, "main").await.contains(&code),
        "the new inbox lists it"
    );
    shot(&c, "02-inbox-new").await;
    c.active_element()
        .await
        .unwrap()
        .send_keys(&format!("{qr}\u{E007}"))
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("tracking")).await.unwrap();
    assert_eq!(text(&c, "#tracking").await, code);
    assert_eq!(text(&c, "#status").await, "已提交");
    shot(&c, "03-application-submitted").await;
    step(&c, "accept").await;
    assert_eq!(text(&c, "#status").await, "受理");
    assert!(
        !text(&c, "#due").await.contains("受理后"),
        "a due date is set"
    );
    shot(&c, "04-application-accepted").await;
    sign_out(&c).await;

    // The department's reviewer: 承办, then 办结 with the EMS waybill.
    sign_in(&c, &base, "rev-li", &reviewer).await;
    assert!(
        text(&c, "main").await.contains(&code),
        "the accepted inbox lists it"
    );
    shot(&c, "05-inbox-reviewer").await;
    c.goto(&format!("{base}/staff/applications/{id}"))
        .await
        .unwrap();
    step(&c, "assign").await;
    assert_eq!(text(&c, "#status").await, "承办");
    c.find(Locator::Id("waybill"))
        .await
        .unwrap()
        .send_keys("1151234567890")
        .await
        .unwrap();
    step(&c, "conclude").await;
    assert_eq!(text(&c, "#status").await, "办结");
    assert!(text(&c, "main").await.contains("1151234567890"));
    shot(&c, "06-application-concluded").await;
    shot_full(&c, "06-application-concluded-full").await;

    // A POST whose CSRF field was taken out is refused.
    c.execute(
        "const f = document.getElementById('act-feedback'); \
         f.querySelector('input[name=csrf]').remove(); f.submit();",
        vec![],
    )
    .await
    .unwrap();
    c.wait().for_element(Locator::Id("message")).await.unwrap();
    assert!(text(&c, "#message").await.contains("安全校验未通过"));
    shot(&c, "07-csrf-refused").await;
    c.goto(&format!("{base}/staff/applications/{id}"))
        .await
        .unwrap();
    assert_eq!(text(&c, "#status").await, "办结", "nothing moved");
    // With the token, the reviewer gives the 反馈.
    step(&c, "feedback").await;
    assert_eq!(text(&c, "#status").await, "反馈");
    sign_out(&c).await;

    // The callback staff: the 回访 inbox lists it; the call is recorded.
    sign_in(&c, &base, "call-qian", &caller).await;
    assert!(c
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/staff/inbox/callback"));
    assert!(
        text(&c, "main").await.contains(&code),
        "the 回访 inbox lists it"
    );
    c.goto(&format!("{base}/staff/applications/{id}"))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("act-callback"))
        .await
        .unwrap();
    c.find(Locator::Id("callback-note"))
        .await
        .unwrap()
        .send_keys("已电话回访，申请人已收到社保卡")
        .await
        .unwrap();
    step(&c, "callback").await;
    assert_eq!(text(&c, "#status").await, "回访");
    assert!(
        text(&c, "main").await.contains("已电话回访"),
        "the note is on the timeline"
    );
    sign_out(&c).await;

    // The report follows: concluded on time, called back.
    sign_in(&c, &base, "sup-wu", &sup).await;
    let figures = report_figures(&c, &base).await;
    assert_eq!(
        figures,
        ["1", "100.0%", "100.0%"],
        "intake, on-time rate, 回访 completion"
    );
    sign_out(&c).await;

    // Another department's reviewer: 403.
    sign_in(&c, &base, "rev-zhao", &stranger).await;
    c.goto(&format!("{base}/staff/applications/{id}"))
        .await
        .unwrap();
    assert!(text(&c, "#message").await.contains("其他部门"));
    shot(&c, "08-other-department").await;
    let cookie = c.get_named_cookie("hall_staff").await.unwrap();
    let status = http
        .get(format!("{base}/staff/applications/{id}"))
        .header("cookie", format!("hall_staff={}", cookie.value()))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN);

    // What the citizen sees: the waybill on the progress page.
    let progress: serde_json::Value = http
        .post(format!("{base}/api/v1/progress"))
        .json(&json!({"trackingCode": code, "verifier": receipt["verifier"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(progress.to_string().contains("1151234567890"), "{progress}");
    c.close().await.unwrap();
}
