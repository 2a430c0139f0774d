//! Notices to citizens (issue 17, part of the `authorisation` binary): staff work kiosk
//! applications on the real workbench (in process, signed in, CSRF and version checked) while
//! the hall serves on loopback with its notice worker; a real webhook receiver on loopback
//! checks each signature. With the citizen's consent and a mobile number: one notice per
//! 受理 / 补正 / 不予受理 / 办结, in Chinese, with the receipt's progress link (fetched: 200,
//! showing the stage); without consent: none; a stale replay of a move: none; nothing carries
//! the ID number or the full name.
// Test helpers: a panic is how they report a failure.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::authorisation::common::*;
use crate::authorisation::staff_pages::{get, post, send, sign_in};
use hall::store::staff::Role;
use hall::store::PrincipalKind;

const SECRET: &str = "county-sms-gateway-secret-2025";
const NAME: &str = "张三";
const PHONE: &str = "13812345678";

/// Accepted notices, in arrival order; a bad signature is counted and refused.
#[derive(Clone, Default)]
struct Gateway {
    accepted: Arc<Mutex<Vec<(String, Value, String)>>>,
    bad: Arc<Mutex<u32>>,
}

impl Gateway {
    fn accepted(&self) -> Vec<(String, Value, String)> {
        self.accepted.lock().unwrap().clone()
    }
}

/// The county's SMS gateway: HMAC-SHA256 over `timestamp "." raw body`, checked here
/// independently of the hall's code.
async fn hook(State(g): State<Gateway>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let ts = header("x-hall-timestamp");
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(ts.as_bytes());
    mac.update(b".");
    mac.update(&body);
    let want = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    if header("x-hall-signature") != want {
        *g.bad.lock().unwrap() += 1;
        return StatusCode::UNAUTHORIZED;
    }
    let raw = String::from_utf8(body.to_vec()).unwrap();
    let json: Value = serde_json::from_str(&raw).unwrap();
    g.accepted
        .lock()
        .unwrap()
        .push((header("x-hall-event-id"), json, raw));
    StatusCode::NO_CONTENT
}

async fn gateway() -> (Gateway, String) {
    let g = Gateway::default();
    let app = axum::Router::new()
        .route("/sms", axum::routing::post(hook))
        .with_state(g.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (g, url)
}

/// A hall on loopback whose notices to citizens go to `url`, links prefixed with its own
/// address (what a phone reaches).
async fn hall_notifying(url: &str) -> (RunningHall, tokio::sync::watch::Sender<bool>) {
    let running = start().await;
    let toml = format!(
        "base_url = \"{}\"\n[retry]\nfirst_seconds = 0.05\nmax_seconds = 0.2\n\
         [worker]\npoll_seconds = 0.2\nlease_seconds = 3\n\
         [[webhook]]\nname = \"county-sms\"\nurl = \"{url}\"\nsecret = \"{SECRET}\"\n\
         timeout_seconds = 1\nevents = [\"citizen.accepted\", \"citizen.correctionRequired\", \
         \"citizen.rejected\", \"citizen.concluded\"]\n",
        running.base
    );
    let cfg = hall::notify::NotifyConfig::parse(Path::new("notify.toml"), &toml).unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    hall::notify::queue::spawn(
        &running.hall.state,
        running.hall.store.clone(),
        cfg,
        stopped,
    )
    .unwrap();
    (running, stop)
}

/// A kiosk application for [`ITEM`] (mailed), with or without the notice tick; (id, code).
async fn apply(app: &axum::Router, kiosk: &str, key: &str, consent: bool) -> (String, String) {
    let mut body = application_body();
    body["notifyConsent"] = json!(consent);
    submit_body(app, kiosk, key, body).await
}

async fn submit_body(app: &axum::Router, kiosk: &str, key: &str, body: Value) -> (String, String) {
    let mut req = request("POST", "/api/v1/applications", Some(kiosk), Some(body));
    req.headers_mut()
        .insert("idempotency-key", key.parse().unwrap());
    let (status, _, receipt) = call(app, req).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    (
        receipt["id"].as_str().unwrap().to_owned(),
        receipt["trackingCode"].as_str().unwrap().to_owned(),
    )
}

async fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    for _ in 0..400 {
        if let Some(v) = probe() {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

/// The delivery log through the CLI's own formatter.
async fn log_text(hall: &TestHall) -> String {
    let rows = hall::notify::NoticeStore::delivery_log(hall.store.as_ref(), 100)
        .await
        .unwrap();
    hall::notify::log::table(&rows)
}

fn assert_nothing_personal(text: &str) {
    for secret in [ID_NUMBER, "11010519491231002x", NAME, "浙江省某县"] {
        assert!(!text.contains(secret), "{secret} leaked into {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_move_sends_one_notice_with_its_text_and_a_working_progress_link() {
    let (gw, url) = gateway().await;
    let (running, _stop) = hall_notifying(&url).await;
    let hall = &running.hall;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let pw =
        hall::staff::auth::add_account(hall.store.as_ref(), "ops-li", Role::Operator, &[], "李")
            .await
            .unwrap()
            .to_string();
    crate::authorisation::common::password_chosen(&hall.store, "ops-li").await;
    let (cookie, csrf) = sign_in(&app, "ops-li", &pw).await;
    let http = reqwest::Client::new();
    let step = |id: &str, action: &str, version: &str, extra: &[(&str, &str)]| {
        let mut form = vec![("csrf", csrf.as_str()), ("version", version)];
        form.extend_from_slice(extra);
        post(
            &format!("/staff/applications/{id}/{action}"),
            &cookie,
            &form,
        )
    };
    // Waits for the n-th notice; checks its kind, text and link (the page shows `stage`).
    let expect = |n: usize, kind: &'static str, stage: &'static str, code: String| {
        let gw = gw.clone();
        let http = http.clone();
        async move {
            let got = wait_for(kind, || Some(gw.accepted()).filter(|a| a.len() >= n)).await;
            let (id_header, body, raw) = got[n - 1].clone();
            assert_eq!(body["kind"], kind, "{body}");
            assert_eq!(body["id"], id_header.as_str());
            assert_eq!(body["audience"], "citizen");
            assert_eq!(body["to"], PHONE, "to the form's phone");
            assert_eq!(body["data"]["trackingCode"], code.as_str());
            let text = body["text"].as_str().unwrap().to_owned();
            assert!(text.contains(&code), "{text}");
            let link = body["link"].as_str().unwrap().to_owned();
            assert!(
                text.ends_with(&format!("查看进度：{link}")),
                "the SMS ends with the link: {text}"
            );
            assert!(link.contains(&format!("/progress?c={code}&v=")), "{link}");
            let page = http.get(&link).send().await.unwrap();
            assert_eq!(page.status(), reqwest::StatusCode::OK, "{link}");
            let html = page.text().await.unwrap();
            assert!(
                html.contains(&format!("id=\"status\">{stage}</span>")),
                "the page shows {stage}"
            );
            assert_nothing_personal(&raw);
            text
        }
    };

    // 1. Consent: 补正 (two materials listed, the note with an ID number and the full name
    // typed by staff), then 受理, 承办 (no notice), 办结 by EMS.
    let (a, a_code) = apply(&app, &kiosk, "notice-app-0001", true).await;
    let r = send(
        &app,
        step(
            &a,
            "correction",
            "1",
            &[
                ("material", "photo"),
                ("material", "sfz"),
                ("note", &format!("{NAME}的身份证 {ID_NUMBER} 照片不清晰")),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let text = expect(1, "citizen.correctionRequired", "补正", a_code.clone()).await;
    assert!(
        text.contains("需要补正：本人近期免冠白底证件照（数码回执）、居民身份证。"),
        "{text}"
    );
    assert!(
        text.contains("说明：张*的身份证 1101**********002X 照片不清晰"),
        "{text}"
    );

    // A replay of the same 补正 form (the version it was drawn from is stale): refused,
    // nothing sent.
    let replay = send(&app, step(&a, "correction", "1", &[("material", "photo")])).await;
    assert_eq!(replay.status, StatusCode::CONFLICT);

    let r = send(&app, step(&a, "accept", "2", &[])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let text = expect(2, "citizen.accepted", "受理", a_code.clone()).await;
    assert!(text.contains("已受理，承诺于"), "{text}");
    let r = send(&app, step(&a, "assign", "3", &[("handler", "王审批")])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = send(
        &app,
        step(
            &a,
            "conclude",
            "4",
            &[("result", "准予办理"), ("waybill", "1151234567890")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let text = expect(3, "citizen.concluded", "办结", a_code.clone()).await;
    assert!(
        text.contains("已办结，结果已通过EMS寄出，运单号 1151234567890"),
        "{text}"
    );

    // 2. Consent: 不予受理 with the reason.
    let (b, b_code) = apply(&app, &kiosk, "notice-app-0002", true).await;
    let r = send(
        &app,
        step(
            &b,
            "reject",
            "1",
            &[("reason", "申请人已持有有效社会保障卡")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let text = expect(4, "citizen.rejected", "不予受理", b_code).await;
    assert!(
        text.contains("不予受理，原因：申请人已持有有效社会保障卡"),
        "{text}"
    );

    // 3. Consent, collected at the window: 办结 names the window and the pick-up code.
    let mut body = application_body();
    body["notifyConsent"] = json!(true);
    body["delivery"] = json!({"method": "pickUp"});
    let (d, d_code) = submit_body(&app, &kiosk, "notice-app-0004", body).await;
    for (action, version, extra) in [
        ("accept", "1", vec![]),
        ("assign", "2", vec![("handler", "王审批")]),
        (
            "conclude",
            "3",
            vec![
                ("result", "准予办理"),
                ("window", "综合窗口 3号"),
                ("pickup", "5821"),
            ],
        ),
    ] {
        let r = send(&app, step(&d, action, version, &extra)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{action}: {}", r.body);
        if action == "accept" {
            expect(5, "citizen.accepted", "受理", d_code.clone()).await;
        }
    }
    let text = expect(6, "citizen.concluded", "办结", d_code).await;
    assert!(
        text.contains("已办结，请到综合窗口 3号领取，取件码 5821。"),
        "{text}"
    );

    // 4. No consent: moves send nothing.
    let (c, _) = apply(&app, &kiosk, "notice-app-0003", false).await;
    let r = send(&app, step(&c, "accept", "1", &[])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // Every notice went once (the enqueue shares the move's transaction, so the log is
    // complete now), nothing for the 承办, the stale replay or the application without
    // consent.
    assert_eq!(hall.count("notice_deliveries"), 6);
    wait_for("all delivered", || {
        let conn = rusqlite::Connection::open(&hall.db).unwrap();
        let pending: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM notice_deliveries WHERE status != 'delivered'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        (pending == 0).then_some(())
    })
    .await;
    assert_eq!(gw.accepted().len(), 6);
    assert_eq!(*gw.bad.lock().unwrap(), 0);
    let text = log_text(hall).await;
    for (kind, times) in [
        ("citizen.correctionRequired", 1),
        ("citizen.accepted", 2),
        ("citizen.concluded", 2),
        ("citizen.rejected", 1),
    ] {
        assert_eq!(
            text.lines()
                .filter(|l| l.contains(kind) && l.contains("county-sms") && l.contains("delivered"))
                .count(),
            times,
            "{kind} {times}× in\n{text}"
        );
    }
    assert_nothing_personal(&text);
    assert!(!text.contains(PHONE), "{text}");
    // The same log on the workbench, for the operator; the front desk may not see it.
    let page = send(&app, get("/staff/notices", &cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.matches("<tr data-kind=\"citizen.").count(), 6);
    assert_eq!(page.body.matches("<td>受理（群众短信）</td>").count(), 2);
    assert_eq!(page.body.matches("已送达").count(), 6);
    assert_nothing_personal(&page.body);
    assert!(!page.body.contains(PHONE) && !page.body.contains(&a_code));
    let desk =
        hall::staff::auth::add_account(hall.store.as_ref(), "desk", Role::FrontDesk, &[], "王")
            .await
            .unwrap()
            .to_string();
    crate::authorisation::common::password_chosen(&hall.store, "desk").await;
    let (desk, _) = sign_in(&app, "desk", &desk).await;
    assert_eq!(
        send(&app, get("/staff/notices", &desk)).await.status,
        StatusCode::FORBIDDEN
    );
    // The sealed bodies are erased once delivered; the consent is recorded per application.
    assert_eq!(hall.count("notice_events WHERE sealed IS NOT NULL"), 0);
    assert_eq!(hall.count("application_consents WHERE sms_notices = 1"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_api_moves_notify_too_and_a_refused_move_sends_nothing() {
    let (gw, url) = gateway().await;
    let (running, _stop) = hall_notifying(&url).await;
    let hall = &running.hall;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let staff = hall.credential(PrincipalKind::Staff, "clerk").await;
    let (id, code) = apply(&app, &kiosk, "notice-api-0001", true).await;
    let mv = |to: &str, note: Option<&str>| {
        let mut body = json!({"to": to});
        if let Some(n) = note {
            body["note"] = json!(n);
        }
        request(
            "POST",
            &format!("/api/v1/applications/{id}/status"),
            Some(&staff),
            Some(body),
        )
    };
    let (s, _, _) = call(&app, mv("accepted", None)).await;
    assert_eq!(s, StatusCode::OK);
    // The same move again (a retried request): refused by the status rules, nothing queued.
    let (s, _, _) = call(&app, mv("accepted", None)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    // Skipping 承办: refused, nothing queued.
    let (s, _, _) = call(&app, mv("concluded", None)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(hall.count("notice_deliveries"), 1);
    let got = wait_for("the notice", || {
        Some(gw.accepted()).filter(|a| !a.is_empty())
    })
    .await;
    assert_eq!(got[0].1["kind"], "citizen.accepted");
    assert!(got[0].1["text"].as_str().unwrap().contains(&code));
    for (to, note) in [
        ("processing", None),
        ("concluded", Some("准予办理，已寄出")),
    ] {
        let (s, _, _) = call(&app, mv(to, note)).await;
        assert_eq!(s, StatusCode::OK);
    }
    let got = wait_for("the 办结 notice", || {
        Some(gw.accepted()).filter(|a| a.len() >= 2)
    })
    .await;
    assert_eq!(got[1].1["kind"], "citizen.concluded");
    assert!(
        got[1].1["text"]
            .as_str()
            .unwrap()
            .contains("结果将通过EMS免费寄出，运单号请查看进度页面"),
        "{}",
        got[1].1
    );
    assert_eq!(hall.count("notice_deliveries"), 2);
}
