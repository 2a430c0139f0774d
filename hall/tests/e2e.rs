//! End-to-end: the real server on 127.0.0.1:0 with a temporary database, driven by a real
//! HTTP client (reqwest): the whole citizen path, staff moves, feedback, appointments,
//! idempotency under concurrent duplicates, and graceful shutdown.

use crate::common;
mod contact_phone;
mod partners;
#[path = "e2e/pg_ops.rs"]
mod pg_ops;
#[path = "e2e/postgres.rs"]
mod postgres;
#[path = "e2e/two_halls.rs"]
mod two_halls;

use common::*;
use hall::store::PrincipalKind;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .expect("client")
}

fn newborn_bundle_body() -> Value {
    json!({
        "subject": {"type": "bundle", "code": "yjs-xinshenger"},
        "catalogVersion": "2024.05-seed.1",
        "applicant": {"idNumber": ID_NUMBER, "name": "张三"},
        "fields": {
            "applicantName": "张三", "applicantIdNumber": ID_NUMBER, "phone": "13812345678",
            "childName": "张小三", "childSex": "male", "childBirthDate": "2024-04-20",
            "hospital": "县人民医院", "settleWith": "father",
            "insuredIdNumber": ID_NUMBER, "homeAddress": "浙江省某县城关镇人民路1号",
            "declaration": true
        },
        "materials": [
            {"code": "chushengyixue", "source": "scanned", "pages": 1},
            {"code": "hukoubu", "source": "scanned", "pages": 4}
        ],
        "delivery": {"method": "pickUp"},
        "submittedAt": "2024-05-06T01:02:03Z"
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_path_from_intake_to_rating_over_real_http() {
    let mut running = start().await;
    let base = running.base.clone();
    let kiosk = running.hall.credential(PrincipalKind::Kiosk, "k1").await;
    let staff = running.hall.credential(PrincipalKind::Staff, "clerk").await;
    let http = client();

    let hb = http
        .post(format!("{base}/api/v1/kiosks/k1/heartbeat"))
        .bearer_auth(&kiosk)
        .json(&heartbeat_body())
        .send()
        .await
        .unwrap();
    assert_eq!(hb.status(), StatusCode::OK);

    let first = http
        .get(format!("{base}/api/v1/catalog"))
        .send()
        .await
        .unwrap();
    let etag = first.headers()["etag"].clone();
    let again = http
        .get(format!("{base}/api/v1/catalog"))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    // Nothing held yet for this citizen.
    let lookup = |http: &reqwest::Client| {
        http.post(format!("{base}/api/v1/materials/reusable"))
            .bearer_auth(&kiosk)
            .json(&json!({"idNumber": ID_NUMBER}))
            .send()
    };
    let none: Value = lookup(&http).await.unwrap().json().await.unwrap();
    assert_eq!(none["materials"], json!([]));

    let resp = http
        .post(format!("{base}/api/v1/applications"))
        .bearer_auth(&kiosk)
        .header("idempotency-key", "e2e-bundle-0001")
        .json(&newborn_bundle_body())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let receipt: Value = resp.json().await.unwrap();
    let code = receipt["trackingCode"].as_str().unwrap().to_owned();
    let verifier = receipt["verifier"].as_str().unwrap().to_owned();
    let id = receipt["id"].as_str().unwrap().to_owned();

    // The birth certificate and household register are now reusable; nothing else is.
    let held: Value = lookup(&http).await.unwrap().json().await.unwrap();
    let codes: Vec<&str> = held["materials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["chushengyixue", "hukoubu"]);

    // Progress needs the verifier.
    let progress = |v: &str| {
        http.post(format!("{base}/api/v1/progress"))
            .json(&json!({"trackingCode": code, "verifier": v}))
            .send()
    };
    assert_eq!(
        progress("WRONG123").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let p: Value = progress(&verifier.to_lowercase())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p["status"], "submitted");
    assert_eq!(p["subjectName"], "新生儿出生一件事");
    assert!(
        !p.to_string().contains("张三"),
        "progress carries no personal data"
    );

    // Staff move it along the loop; an illegal move is refused.
    let mv = |to: &str, note: Option<&str>| {
        http.post(format!("{base}/api/v1/applications/{id}/status"))
            .bearer_auth(&staff)
            .json(&json!({"to": to, "note": note}))
            .send()
    };
    assert_eq!(
        mv("processing", None).await.unwrap().status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        mv("rejected", None).await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    for to in ["accepted", "processing", "concluded"] {
        assert_eq!(mv(to, None).await.unwrap().status(), StatusCode::OK, "{to}");
    }
    // Staff can open the sealed payload; a kiosk cannot.
    let details = |token: &str| {
        http.get(format!("{base}/api/v1/applications/{id}/details"))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(
        details(&kiosk).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let d: Value = details(&staff).await.unwrap().json().await.unwrap();
    assert_eq!(d["applicant"]["name"], "张三");
    assert_eq!(d["fields"]["childName"], "张小三");
    assert_eq!(d["kioskId"], "k1");
    assert_eq!(d["progress"]["trackingCode"], code.as_str());

    let p: Value = progress(&verifier).await.unwrap().json().await.unwrap();
    let steps: Vec<&str> = p["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        vec!["submitted", "accepted", "processing", "concluded"]
    );

    // One rating per application; the identical retry is fine, a second opinion is not.
    let rating = json!({"trackingCode": code, "verifier": verifier, "level": 2,
        "reasons": ["tooSlow"], "comment": "等了很久", "contact": {"phone": "13812345678"}});
    let r1 = http
        .post(format!("{base}/api/v1/ratings"))
        .bearer_auth(&kiosk)
        .json(&rating)
        .send()
        .await
        .unwrap();
    assert_eq!(r1.status(), StatusCode::CREATED);
    let r1: Value = r1.json().await.unwrap();
    assert_eq!(r1["bad"], true);
    assert_eq!(r1["subjectCode"], "yjs-xinshenger");
    let r2: Value = http
        .post(format!("{base}/api/v1/ratings"))
        .json(&rating)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r2["id"], r1["id"]);
    let mut other = rating.clone();
    other["level"] = json!(5);
    other["reasons"] = json!([]);
    other["contact"] = Value::Null;
    let r3 = http
        .post(format!("{base}/api/v1/ratings"))
        .json(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r3.status(), StatusCode::CONFLICT);

    // 办不成事 and help.
    let c = http.post(format!("{base}/api/v1/complaints")).bearer_auth(&kiosk).header("idempotency-key", "complaint-0001")
        .json(&json!({"itemCode": "QR-000246-004", "description": "档案不在本县，无法办理", "contact": {"phone": "0571-87654321"}}))
        .send().await.unwrap();
    assert_eq!(c.status(), StatusCode::CREATED);
    let c: Value = c.json().await.unwrap();
    assert!(c["reference"].as_str().unwrap().starts_with("TS-"));
    let h = http.post(format!("{base}/api/v1/help-requests")).bearer_auth(&kiosk).header("idempotency-key", "help-00000001")
        .json(&json!({"kind": "homeVisit", "note": "老人行动不便", "contact": {"name": "李四", "phone": "13900000000"}}))
        .send().await.unwrap();
    assert_eq!(h.status(), StatusCode::CREATED);
    let h: Value = h.json().await.unwrap();
    assert_eq!(
        h["onDutyNotified"], false,
        "a hall without notifiers tells the kiosk nobody on duty was told (it shows the hotline)"
    );
    assert!(c["onDutyNotified"] == false, "nor for complaints: {c}");

    // Appointments: book the first free slot until it is full.
    let slots: Value = http
        .get(format!(
            "{base}/api/v1/appointments/slots?department=minzheng&days=7"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let slot = &slots["slots"][0];
    let capacity = slot["capacity"].as_u64().unwrap();
    assert_eq!(slot["remaining"].as_u64().unwrap(), capacity);
    for i in 0..capacity {
        let b = http
            .post(format!("{base}/api/v1/appointments"))
            .bearer_auth(&kiosk)
            .header("idempotency-key", format!("booking-{i:04}"))
            .json(&json!({"slotId": slot["id"], "name": "王五", "phone": "13700000000"}))
            .send()
            .await
            .unwrap();
        assert_eq!(b.status(), StatusCode::CREATED);
        let b: Value = b.json().await.unwrap();
        assert_eq!(b["slot"]["remaining"].as_u64().unwrap(), capacity - i - 1);
    }
    let full = http
        .post(format!("{base}/api/v1/appointments"))
        .bearer_auth(&kiosk)
        .header("idempotency-key", "booking-full")
        .json(&json!({"slotId": slot["id"], "name": "王五", "phone": "13700000000"}))
        .send()
        .await
        .unwrap();
    assert_eq!(full.status(), StatusCode::CONFLICT);
    let full: Value = full.json().await.unwrap();
    assert_eq!(full["code"], "slotFull");
    let replay = http
        .post(format!("{base}/api/v1/appointments"))
        .bearer_auth(&kiosk)
        .header("idempotency-key", "booking-0000")
        .json(&json!({"slotId": slot["id"], "name": "王五", "phone": "13700000000"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        replay.status(),
        StatusCode::CREATED,
        "a retry of a booking is not refused for being full"
    );

    // Graceful shutdown: the server stops and the task ends cleanly.
    running.stop.take().unwrap().send(()).unwrap();
    running.task.await.unwrap().unwrap();
    assert!(http.get(format!("{base}/healthz")).send().await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_duplicates_of_one_key_make_exactly_one_application() {
    let running = start().await;
    let base = running.base.clone();
    let kiosk = running.hall.credential(PrincipalKind::Kiosk, "k1").await;
    let http = client();
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let (http, base, kiosk) = (http.clone(), base.clone(), kiosk.clone());
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(format!("{base}/api/v1/applications"))
                .bearer_auth(&kiosk)
                .header("idempotency-key", "the-same-key-0001")
                .json(&application_body())
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }));
    }
    let mut bodies = Vec::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
        bodies.push(body);
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "every duplicate got the same receipt"
    );
    assert_eq!(running.hall.count("applications"), 1);
    assert_eq!(running.hall.count("idempotency"), 1);

    // And many different keys at once: each its own application and tracking code.
    let mut tasks = Vec::new();
    for i in 0..64 {
        let (http, base, kiosk) = (http.clone(), base.clone(), kiosk.clone());
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(format!("{base}/api/v1/applications"))
                .bearer_auth(&kiosk)
                .header("idempotency-key", format!("distinct-key-{i:04}"))
                .json(&application_body())
                .send()
                .await
                .unwrap();
            r.json::<Value>().await.unwrap()["trackingCode"]
                .as_str()
                .unwrap()
                .to_owned()
        }));
    }
    let mut codes = std::collections::HashSet::new();
    for t in tasks {
        codes.insert(t.await.unwrap());
    }
    assert_eq!(codes.len(), 64);
    assert_eq!(running.hall.count("applications"), 65);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_tracking_codes_is_stopped_with_429() {
    let running = start().await;
    let base = running.base.clone();
    let http = client();
    let mut last = StatusCode::OK;
    for i in 0..(hall::limiter::PER_CLIENT + 1) {
        let r = http
            .post(format!("{base}/api/v1/progress"))
            .json(&json!({"trackingCode": format!("240506-AAAA-{i:04}"), "verifier": "ABCDEFGH"}))
            .send()
            .await
            .unwrap();
        last = r.status();
        if last == StatusCode::TOO_MANY_REQUESTS {
            assert!(r.headers().contains_key("retry-after"));
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["code"], "rateLimited");
            break;
        }
        assert_eq!(last, StatusCode::NOT_FOUND);
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

/// A test CA and a certificate for `hall.test` and 127.0.0.1 signed by it: (CA PEM, cert
/// PEM, key PEM).
fn test_pki() -> (String, String, String) {
    let ca_key = rcgen::KeyPair::generate().expect("test set-up");
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).expect("test set-up");
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "hall test CA");
    let ca = ca.self_signed(&ca_key).expect("test set-up");
    let key = rcgen::KeyPair::generate().expect("test set-up");
    let mut leaf =
        rcgen::CertificateParams::new(vec!["hall.test".to_owned()]).expect("test set-up");
    leaf.subject_alt_names.push(rcgen::SanType::IpAddress(
        std::net::Ipv4Addr::LOCALHOST.into(),
    ));
    let leaf = leaf.signed_by(&key, &ca, &ca_key).expect("test set-up");
    (ca.pem(), leaf.pem(), key.serialize_pem())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hall_serves_https_that_a_client_trusting_only_its_ca_accepts() {
    let hall = TestHall::new().await;
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let (ca_pem, cert_pem, key_pem) = test_pki();
    let cert = hall.dir.path().join("hall.crt");
    let key = hall.dir.path().join("hall.key");
    std::fs::write(&cert, cert_pem).unwrap();
    std::fs::write(&key, key_pem).unwrap();
    let tls = hall::tls::server_config(&cert, &key).unwrap();
    // A key that does not fit, or a file that is not PEM, is a clear error.
    assert!(hall::tls::server_config(&cert, &cert).is_err());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(hall::serve_tls(
        listener,
        tls,
        hall.state.clone(),
        async move {
            let _ = stopped.await;
        },
    ));

    let trusting = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap())
        .resolve("hall.test", addr)
        .build()
        .unwrap();
    let base = format!("https://hall.test:{}", addr.port());
    let r = trusting
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = trusting
        .post(format!("{base}/api/v1/applications"))
        .bearer_auth(&kiosk)
        .header("idempotency-key", "tls-key-0001")
        .json(&application_body())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(hall.count("applications"), 1);

    // A client that does not trust the test CA refuses the server; plain HTTP gets nothing.
    let public_roots = reqwest::Client::builder()
        .resolve("hall.test", addr)
        .build()
        .unwrap();
    assert!(public_roots
        .get(format!("{base}/healthz"))
        .send()
        .await
        .is_err());
    let plain = client().get(format!("http://{addr}/healthz")).send().await;
    assert!(plain.map(|r| r.status() != StatusCode::OK).unwrap_or(true));

    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
}

async fn miss(http: &reqwest::Client, base: &str, forwarded: &str, i: u32) -> StatusCode {
    http.post(format!("{base}/api/v1/progress"))
        .header("x-forwarded-for", forwarded)
        .json(&json!({"trackingCode": format!("240506-BBBB-{i:04}"), "verifier": "ABCDEFGH"}))
        .send()
        .await
        .expect("test set-up")
        .status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_each_citizen_is_limited_alone() {
    let settings = hall::Settings {
        trusted_proxies: vec!["127.0.0.0/8".parse().unwrap()],
        ..hall::Settings::default()
    };
    let running = start_with(settings).await;
    let http = client();
    for i in 0..hall::limiter::PER_CLIENT {
        // A forged left-most entry does not help: the proxy's right-most entry counts.
        let forged = format!("198.51.100.{i}, 203.0.113.1");
        assert_eq!(
            miss(&http, &running.base, &forged, i).await,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        miss(&http, &running.base, "203.0.113.1", 100).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        miss(&http, &running.base, "203.0.113.2", 101).await,
        StatusCode::NOT_FOUND
    );

    // Without trust, X-Forwarded-For is the client's own claim and changes nothing.
    let untrusted = start().await;
    for i in 0..hall::limiter::PER_CLIENT {
        let forwarded = format!("203.0.113.{i}");
        assert_eq!(
            miss(&http, &untrusted.base, &forwarded, i).await,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        miss(&http, &untrusted.base, "203.0.113.200", 200).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

fn hall_cli(args: &[&str], db: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_hall"))
        .args(args)
        .arg("--db")
        .arg(db)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run hall")
}

/// Polls until `done` (another process changed the database; the hall checks every second).
async fn eventually<F, Fut>(what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if done().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{what} did not happen within 10 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_withdraws_an_item_and_revokes_a_kiosk_of_a_running_hall() {
    let running = start().await;
    let base = running.base.clone();
    let db = running.hall.db.clone();
    let kiosk = running.hall.credential(PrincipalKind::Kiosk, "k1").await;
    let http = client();
    let submit = |key: &'static str| {
        http.post(format!("{base}/api/v1/applications"))
            .bearer_auth(&kiosk)
            .header("idempotency-key", key)
            .json(&application_body())
            .send()
    };
    let first = submit("cli-key-0001").await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();

    let out = hall_cli(&["catalog", "withdraw", ITEM], &db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = hall_cli(&["catalog", "withdraw", "NO-SUCH-ITEM"], &db);
    assert!(!out.status.success());
    eventually("the withdrawal", || async {
        let c: hall_api::catalog::Catalog = http
            .get(format!("{base}/api/v1/catalog"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        c.item(ITEM).is_none()
    })
    .await;
    let again = submit("cli-key-0001").await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    assert_eq!(
        submit("cli-key-0002").await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let out = hall_cli(&["catalog", "restore", ITEM], &db);
    assert!(out.status.success());

    let out = hall_cli(&["kiosk", "revoke", "k1"], &db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eventually("the revocation", || async {
        http.post(format!("{base}/api/v1/kiosks/k1/heartbeat"))
            .bearer_auth(&kiosk)
            .json(&heartbeat_body())
            .send()
            .await
            .unwrap()
            .status()
            == StatusCode::UNAUTHORIZED
    })
    .await;
    let out = hall_cli(&["kiosk", "revoke", "k1"], &db);
    assert!(
        !out.status.success(),
        "revoking twice says there is nothing to revoke"
    );
}

/// Notices (issue 16): webhooks received by a real axum server on loopback and checked with
/// an independent HMAC, retries from the durable queue, a killed `hall` process, and email to
/// a real SMTP server (Python's aiosmtpd).
#[cfg(test)]
mod notify {
    use std::io::{BufRead, BufReader};
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use axum::body::Bytes;
    use axum::extract::State;
    use axum::http::HeaderMap;
    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    use super::*;

    const SECRET: &str = "county-sms-gateway-secret-2024";
    const NAME: &str = "李四";
    const PHONE: &str = "13900000000";
    const NOTE: &str = "老人行动不便";

    /// What the receiver got: accepted bodies (JSON) with their event-id headers.
    #[derive(Clone, Default)]
    struct Receiver {
        accepted: Arc<Mutex<Vec<(String, Value)>>>,
        hits: Arc<AtomicUsize>,
        bad_signatures: Arc<AtomicUsize>,
        fail_first: Arc<AtomicUsize>,
        raw: Arc<Mutex<Vec<String>>>,
    }

    impl Receiver {
        fn accepted(&self) -> Vec<(String, Value)> {
            self.accepted.lock().unwrap().clone()
        }
    }

    /// Checks the signature the way a county's gateway would: HMAC-SHA256 over
    /// `timestamp "." raw-body`, hex, in `X-Hall-Signature: sha256=…`.
    async fn hook(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
        r.hits.fetch_add(1, Ordering::SeqCst);
        r.raw
            .lock()
            .unwrap()
            .push(String::from_utf8_lossy(&body).into_owned());
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
        let fresh = ts
            .parse::<i64>()
            .is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() <= 300);
        if header("x-hall-signature") != want || !fresh {
            r.bad_signatures.fetch_add(1, Ordering::SeqCst);
            return StatusCode::UNAUTHORIZED;
        }
        if r.fail_first
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
        let json: Value = serde_json::from_slice(&body).unwrap();
        r.accepted
            .lock()
            .unwrap()
            .push((header("x-hall-event-id"), json));
        StatusCode::NO_CONTENT
    }

    /// Starts the receiver on `addr` (port 0: any).
    async fn receiver(addr: &str, fail_first: usize) -> (Receiver, String) {
        let r = Receiver::default();
        r.fail_first.store(fail_first, Ordering::SeqCst);
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(hook))
            .with_state(r.clone());
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (r, url)
    }

    fn config(webhook_url: Option<&str>, smtp_port: Option<u16>) -> String {
        let mut c = String::from(
            "[retry]\nfirst_seconds = 0.05\nmax_seconds = 0.2\ngive_up_after = 1000\n\
             [worker]\npoll_seconds = 0.2\nlease_seconds = 3\n",
        );
        if let Some(url) = webhook_url {
            c.push_str(&format!(
                "[[webhook]]\nname = \"duty-sms\"\nurl = \"{url}\"\nsecret = \"{SECRET}\"\n\
                 timeout_seconds = 1\nevents = [\"help.requested\", \"complaint.filed\", \"rating.bad\"]\n"
            ));
        }
        if let Some(port) = smtp_port {
            c.push_str(&format!(
                "[[email]]\nname = \"duty-mail\"\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\n\
                 from = \"县政务服务中心 <hall@county.example>\"\nto = [\"duty@county.example\"]\n\
                 timeout_seconds = 2\nevents = [\"help.requested\"]\n"
            ));
        }
        c
    }

    /// An in-process hall on loopback with the notifiers of `toml` and a running worker.
    async fn hall_with(toml: &str) -> (RunningHall, tokio::sync::watch::Sender<bool>) {
        let running = start().await;
        let cfg = hall::notify::NotifyConfig::parse(Path::new("test.toml"), toml).unwrap();
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

    async fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
        for _ in 0..600 {
            if let Some(v) = probe() {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("timed out waiting for {what}");
    }

    fn help_body() -> Value {
        json!({"kind": "homeVisit", "itemCode": ITEM,
            "note": format!("{NOTE}，身份证 {ID_NUMBER}"),
            "contact": {"name": NAME, "phone": PHONE}})
    }

    fn assert_no_personal_data(text: &str) {
        for secret in [
            ID_NUMBER,
            NAME,
            PHONE,
            NOTE,
            "张三",
            "13812345678",
            "等了很久",
        ] {
            assert!(!text.contains(secret), "{secret} leaked into {text}");
        }
    }

    /// Rows of the delivery log: (kind, target, status, attempts, last_error).
    fn log_rows(db: &Path) -> Vec<(String, String, String, u32, Option<String>)> {
        let conn = rusqlite::Connection::open(db).unwrap();
        let mut stmt = conn
            .prepare("SELECT kind, target, status, attempts, last_error FROM notice_deliveries ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn help_complaint_and_bad_rating_reach_the_webhook_signed_and_without_personal_data() {
        let (rx, url) = receiver("127.0.0.1:0", 0).await;
        let (running, _stop) = hall_with(&config(Some(&url), None)).await;
        let base = running.base.clone();
        let kiosk = running.hall.credential(PrincipalKind::Kiosk, "k1").await;
        let ops = running
            .hall
            .credential(PrincipalKind::Operator, "ops")
            .await;
        let http = client();
        let post = |path: &str, key: Option<&str>, body: Value| {
            let mut b = http
                .post(format!("{base}{path}"))
                .bearer_auth(&kiosk)
                .json(&body);
            if let Some(k) = key {
                b = b.header("idempotency-key", k);
            }
            b.send()
        };
        let help: Value = post("/api/v1/help-requests", Some("help-notify-01"), help_body())
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            help["onDutyNotified"], true,
            "a notifier takes help.requested: the kiosk may say 已通知值班人员"
        );
        let complaint = json!({"itemCode": ITEM, "description": format!("{NOTE} {ID_NUMBER}"), "contact": {"phone": PHONE}});
        assert_eq!(
            post("/api/v1/complaints", Some("complaint-notify-1"), complaint)
                .await
                .unwrap()
                .status(),
            StatusCode::CREATED
        );
        let mut receipts = Vec::new();
        for key in ["app-notify-0001", "app-notify-0002"] {
            let r: Value = post("/api/v1/applications", Some(key), application_body())
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            receipts.push(r);
        }
        let rate = |r: &Value, level: u8| {
            let mut body = json!({"trackingCode": r["trackingCode"], "verifier": r["verifier"],
                "level": level, "reasons": [], "comment": "等了很久"});
            if level <= 2 {
                body["reasons"] = json!(["tooSlow"]);
                body["contact"] = json!({"name": NAME, "phone": PHONE});
            }
            body
        };
        assert_eq!(
            post("/api/v1/ratings", None, rate(&receipts[0], 2))
                .await
                .unwrap()
                .status(),
            StatusCode::CREATED
        );

        let got = wait_for("three notices", || {
            Some(rx.accepted()).filter(|a| a.len() >= 3)
        })
        .await;
        assert_eq!(rx.bad_signatures.load(Ordering::SeqCst), 0);
        let mut kinds: Vec<&str> = got
            .iter()
            .map(|(_, b)| b["kind"].as_str().unwrap())
            .collect();
        kinds.sort_unstable();
        assert_eq!(kinds, ["complaint.filed", "help.requested", "rating.bad"]);
        for (id_header, b) in &got {
            assert_eq!(
                id_header,
                b["id"].as_str().unwrap(),
                "the event id header matches the body"
            );
            assert_eq!(b["audience"], "staff");
            assert_eq!(b["data"]["kioskId"], "k1");
            assert_eq!(b["data"]["location"], "测试 k1");
            assert!(b["link"].as_str().unwrap().starts_with("/staff/"), "{b}");
            assert!(
                b.get("to").is_none(),
                "staff notices have no recipient number"
            );
        }
        let help_notice = &got
            .iter()
            .find(|(_, b)| b["kind"] == "help.requested")
            .unwrap()
            .1;
        assert_eq!(help_notice["data"]["reference"], help["reference"]);
        assert_eq!(help_notice["data"]["category"], "homeVisit");
        assert_eq!(help_notice["data"]["itemName"], "社会保障卡申领");
        assert_eq!(
            help_notice["link"],
            format!("/staff/tickets/{}", help["id"].as_str().unwrap())
        );
        let bad = &got
            .iter()
            .find(|(_, b)| b["kind"] == "rating.bad")
            .unwrap()
            .1;
        assert_eq!(bad["data"]["level"], 2);
        assert_eq!(bad["data"]["reasons"], json!(["办理时间长"]));
        assert_eq!(bad["data"]["trackingCode"], receipts[0]["trackingCode"]);
        for raw in rx.raw.lock().unwrap().iter() {
            assert_no_personal_data(raw);
        }

        // Replays of the help request and the 差评, and a good rating, enqueue nothing: the
        // enqueue shares the write's transaction, so the log is complete when the answer
        // arrives.
        assert_eq!(
            post("/api/v1/ratings", None, rate(&receipts[0], 2))
                .await
                .unwrap()
                .status(),
            StatusCode::CREATED
        );
        assert_eq!(
            post("/api/v1/help-requests", Some("help-notify-01"), help_body())
                .await
                .unwrap()
                .status(),
            StatusCode::CREATED
        );
        assert_eq!(
            post("/api/v1/ratings", None, rate(&receipts[1], 5))
                .await
                .unwrap()
                .status(),
            StatusCode::CREATED
        );
        assert_eq!(running.hall.count("notice_deliveries"), 3);
        assert_eq!(running.hall.count("notice_events"), 3);

        // The log: delivered once each, no bodies, no personal data; bodies erased.
        let rows = wait_for("delivered rows", || {
            Some(log_rows(&running.hall.db))
                .filter(|r| r.iter().all(|(_, _, s, _, _)| s == "delivered"))
        })
        .await;
        assert!(
            rows.iter()
                .all(|(_, t, _, a, _)| t == "duty-sms" && *a == 1),
            "{rows:?}"
        );
        assert_eq!(
            running.hall.count("notice_events WHERE sealed IS NOT NULL"),
            0
        );

        let metrics = http
            .get(format!("{base}/metrics"))
            .bearer_auth(&ops)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for line in [
            "# TYPE hall_notify_queue_depth gauge",
            "hall_notify_queue_depth{target=\"duty-sms\"} 0",
            "hall_notify_delivered_total{target=\"duty-sms\"} 3",
            "hall_notify_failed_total{target=\"duty-sms\"} 0",
        ] {
            assert!(
                metrics.lines().any(|l| l == line),
                "{line} missing in\n{metrics}"
            );
        }
        // Prometheus' own linter accepts the whole page (Debian: prometheus).
        let mut promtool = Command::new("promtool")
            .args(["check", "metrics"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("promtool (Debian: prometheus)");
        std::io::Write::write_all(&mut promtool.stdin.take().unwrap(), metrics.as_bytes()).unwrap();
        let checked = promtool.wait_with_output().unwrap();
        assert!(checked.status.success(), "{checked:?}\n{metrics}");
    }

    /// Sets an application's status and due date as the workbench's steps leave them.
    fn set_stage(db: &Path, id: &str, status: &str, due: chrono::NaiveDate) {
        let conn = rusqlite::Connection::open(db).unwrap();
        conn.execute(
            "UPDATE applications SET status = ?2 WHERE id = ?1",
            rusqlite::params![id, status],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO application_work (application_id, accepted_at, due_on)
             VALUES (?1, ?2, ?3)
             ON CONFLICT (application_id) DO UPDATE SET due_on = excluded.due_on",
            rusqlite::params![id, chrono::Utc::now().to_rfc3339(), due.to_string()],
        )
        .unwrap();
    }

    /// The sweep (a periodic task stopped by the shutdown signal) tells the staff's webhook,
    /// signed, of each open application due within 2 working days, once per due date: not
    /// again on later sweeps nor after a restart (a fresh store on the same database), not
    /// for one due later, and never for a concluded one.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_application_due_in_two_working_days_is_told_once_even_after_a_restart() {
        let (rx, url) = receiver("127.0.0.1:0", 0).await;
        let toml = format!(
            "[retry]\nfirst_seconds = 0.05\nmax_seconds = 0.2\n[worker]\npoll_seconds = 0.2\n\
             [[webhook]]\nname = \"duty-sms\"\nurl = \"{url}\"\nsecret = \"{SECRET}\"\n\
             timeout_seconds = 1\nevents = [\"application.dueSoon\"]\n"
        );
        let (running, stop) = hall_with(&toml).await;
        let base = running.base.clone();
        let kiosk = running.hall.credential(PrincipalKind::Kiosk, "k1").await;
        let http = client();
        let mut ids = Vec::new();
        for n in 0..4 {
            let r: Value = http
                .post(format!("{base}/api/v1/applications"))
                .bearer_auth(&kiosk)
                .header("idempotency-key", format!("due-soon-app-{n:04}"))
                .json(&application_body())
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            ids.push(r["id"].as_str().unwrap().to_owned());
        }
        let state = running.hall.state.clone();
        let today = hall::state::today_local();
        let in_two = state.staff.calendar.add_working_days(today, 2);
        let later = state.staff.calendar.add_working_days(today, 3);
        let db = running.hall.db.clone();
        set_stage(&db, &ids[0], "accepted", in_two); // told
        set_stage(&db, &ids[1], "processing", today); // told (due today)
        set_stage(&db, &ids[2], "processing", later); // not yet
        set_stage(&db, &ids[3], "concluded", in_two); // concluded: none

        let (sweep_stop, sweep_stopped) = tokio::sync::watch::channel(false);
        let sweep = hall::notify::due_soon::spawn(
            state.clone(),
            running.hall.store.clone(),
            Duration::from_millis(50),
            sweep_stopped,
        );
        let got = wait_for("two due-soon notices", || {
            let a = rx.accepted();
            (a.len() >= 2).then_some(a)
        })
        .await;
        // Many more sweeps run meanwhile; none adds a notice.
        tokio::time::sleep(Duration::from_millis(600)).await;
        sweep_stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(5), sweep)
            .await
            .expect("the sweep stops on shutdown")
            .unwrap();
        assert_eq!(rx.accepted().len(), 2, "{:?}", rx.accepted());
        assert_eq!(rx.bad_signatures.load(Ordering::SeqCst), 0);
        let mut told: Vec<String> = got
            .iter()
            .map(|(event_id, body)| {
                assert_eq!(body["id"], event_id.as_str());
                assert_eq!(body["kind"], "application.dueSoon");
                assert_eq!(body["audience"], "staff");
                let id = body["data"]["applicationId"].as_str().unwrap().to_owned();
                assert_eq!(
                    body["link"],
                    format!("/staff/applications/{id}").as_str(),
                    "{body}"
                );
                assert!(body["text"].as_str().unwrap().contains("到期"), "{body}");
                id
            })
            .collect();
        told.sort();
        let mut want = vec![ids[0].clone(), ids[1].clone()];
        want.sort();
        assert_eq!(told, want);
        let due_of = |id: &str| {
            got.iter()
                .find(|(_, b)| b["data"]["applicationId"] == id)
                .map(|(_, b)| b["data"]["dueOn"].as_str().unwrap().to_owned())
        };
        assert_eq!(due_of(&ids[0]), Some(in_two.to_string()));
        assert_eq!(due_of(&ids[1]), Some(today.to_string()));
        for raw in rx.raw.lock().unwrap().iter() {
            assert_no_personal_data(raw);
        }

        // As after a restart: a fresh store on the same database sweeps again; nothing new.
        let fresh = hall::store::sqlite::SqliteStore::open(&db).unwrap();
        let again = hall::notify::due_soon::sweep_once(&state, &fresh, today)
            .await
            .unwrap();
        assert_eq!(again, 0);
        // The third falls due within two working days (its due date moved): told once.
        set_stage(&db, &ids[2], "processing", in_two);
        assert_eq!(
            hall::notify::due_soon::sweep_once(&state, &fresh, today)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            hall::notify::due_soon::sweep_once(&state, &fresh, today)
                .await
                .unwrap(),
            0
        );
        wait_for("the third notice", || {
            (rx.accepted().len() == 3).then_some(())
        })
        .await;
        fresh.close();
        let markers: i64 = rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM due_soon_notices", [], |r| r.get(0))
            .unwrap();
        assert_eq!(markers, 3);
        assert!(
            !rx.accepted()
                .iter()
                .any(|(_, b)| b["data"]["applicationId"] == ids[3].as_str()),
            "a concluded application gets none"
        );
        let _ = stop.send(true);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_receiver_failing_twice_gets_the_notice_once() {
        let (rx, url) = receiver("127.0.0.1:0", 2).await;
        let (running, _stop) = hall_with(&config(Some(&url), None)).await;
        let kiosk = running.hall.credential(PrincipalKind::Kiosk, "k1").await;
        let r = client()
            .post(format!("{}/api/v1/help-requests", running.base))
            .bearer_auth(&kiosk)
            .header("idempotency-key", "help-retry-0001")
            .json(&help_body())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let rows = wait_for("the delivery", || {
            Some(log_rows(&running.hall.db))
                .filter(|r| r.first().is_some_and(|r| r.2 == "delivered"))
        })
        .await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].3, 3, "two failures, then success");
        assert_eq!(rows[0].4.as_deref(), Some("HTTP 500"));
        assert_eq!(rx.hits.load(Ordering::SeqCst), 3);
        assert_eq!(rx.accepted().len(), 1, "accepted once");
        let raws = rx.raw.lock().unwrap().clone();
        let ids: Vec<Value> = raws
            .iter()
            .map(|b| serde_json::from_str::<Value>(b).unwrap()["id"].clone())
            .collect();
        assert!(
            ids.windows(2).all(|w| w[0] == w[1]),
            "the same event id on every attempt"
        );
    }

    /// The real `hall` binary, its log lines collected.
    struct HallProcess {
        child: Child,
        addr: String,
        log: Arc<Mutex<Vec<String>>>,
    }

    impl HallProcess {
        fn start(db: &Path, config: &Path) -> Self {
            let mut child = Command::new(env!("CARGO_BIN_EXE_hall"))
                .args(["serve", "--listen", "127.0.0.1:0", "--db"])
                .arg(db)
                .arg("--notify-config")
                .arg(config)
                .env("RUST_LOG", "info")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let stderr = child.stderr.take().unwrap();
            let log = Arc::new(Mutex::new(Vec::new()));
            let (tx, rx) = std::sync::mpsc::channel();
            let sink = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if line.contains("hall listening") {
                        let _ = tx.send(line.clone());
                    }
                    sink.lock().unwrap().push(line);
                }
            });
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .expect("hall did not start");
            let addr = line
                .split("addr=")
                .nth(1)
                .and_then(|s| s.split_whitespace().next())
                .unwrap()
                .to_owned();
            HallProcess { child, addr, log }
        }
    }

    impl Drop for HallProcess {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn credential(db: &Path) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_hall"))
            .args([
                "kiosk",
                "add",
                "k1",
                "--label",
                "城关镇便民服务中心 1号机",
                "--db",
            ])
            .arg(db)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_notice_queued_while_the_receiver_is_down_survives_a_killed_hall_and_arrives_once() {
        let dir = tempfile::tempdir().unwrap();
        let db: PathBuf = dir.path().join("hall.db");
        // A port for the receiver, with nothing listening on it yet.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cfg = dir.path().join("notify.toml");
        std::fs::write(
            &cfg,
            config(Some(&format!("http://127.0.0.1:{port}/hook")), None),
        )
        .unwrap();
        let token = credential(&db);
        let http = client();
        let help = |base: String, key: &'static str| {
            http.post(format!("http://{base}/api/v1/help-requests"))
                .bearer_auth(&token)
                .header("idempotency-key", key)
                .json(&help_body())
                .send()
        };

        let mut first = HallProcess::start(&db, &cfg);
        let r = help(first.addr.clone(), "help-killed-0001").await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        wait_for("a failed attempt", || {
            log_rows(&db)
                .first()
                .filter(|r| r.3 >= 1 && r.4.is_some())
                .cloned()
        })
        .await;
        first.child.kill().unwrap(); // SIGKILL: no clean shutdown
        first.child.wait().unwrap();
        let first_log = first.log.lock().unwrap().join("\n");
        drop(first);
        assert_eq!(log_rows(&db)[0].2, "pending");

        let (rx, _) = receiver(&format!("127.0.0.1:{port}"), 0).await;
        let second = HallProcess::start(&db, &cfg);
        let got = wait_for("the notice after the restart", || {
            Some(rx.accepted()).filter(|a| !a.is_empty())
        })
        .await;
        assert_eq!(got[0].1["kind"], "help.requested");
        assert_eq!(got[0].1["data"]["location"], "城关镇便民服务中心 1号机");
        // A second notice after the first one was recorded as delivered: once it arrives,
        // the first has had every chance to be sent again.
        wait_for("the delivered row", || {
            log_rows(&db)
                .first()
                .filter(|r| r.2 == "delivered")
                .cloned()
        })
        .await;
        assert_eq!(
            help(second.addr.clone(), "help-killed-0002")
                .await
                .unwrap()
                .status(),
            StatusCode::CREATED
        );
        let got = wait_for("the second notice", || {
            Some(rx.accepted()).filter(|a| a.len() >= 2)
        })
        .await;
        assert_eq!(got.len(), 2);
        assert_ne!(got[0].0, got[1].0, "the first notice arrived exactly once");
        assert_eq!(rx.bad_signatures.load(Ordering::SeqCst), 0);
        let logs = format!("{first_log}\n{}", second.log.lock().unwrap().join("\n"));
        assert!(
            logs.contains("notice delivery failed; will retry"),
            "{logs}"
        );
        assert_no_personal_data(&logs);
    }

    #[test]
    fn a_bad_notifier_config_stops_the_start_and_names_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("notify.toml");
        std::fs::write(
            &cfg,
            "[[webhook]]\nname = \"duty-sms\"\nurl = \"https://sms.example/hook\"\n\
             secret = \"short\"\nevents = [\"help.requested\"]\n",
        )
        .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_hall"))
            .args(["serve", "--listen", "127.0.0.1:0", "--db"])
            .arg(dir.path().join("hall.db"))
            .arg("--notify-config")
            .arg(&cfg)
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("notify.toml: webhook[0].secret: must be at least 16 characters"),
            "{stderr}"
        );
        assert!(
            !stderr.contains("short"),
            "the secret is not echoed: {stderr}"
        );
        assert!(
            !dir.path().join("hall.db").exists(),
            "checked before anything is created"
        );
    }

    /// Issue 17: a citizen notice for a staff move, queued while the SMS gateway is down,
    /// survives a killed `hall` and arrives once; `hall notices list` shows the log without
    /// anything personal.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_citizen_notice_survives_a_killed_hall_and_arrives_once() {
        let dir = tempfile::tempdir().unwrap();
        let db: PathBuf = dir.path().join("hall.db");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cfg = dir.path().join("notify.toml");
        std::fs::write(
            &cfg,
            format!(
                "base_url = \"https://hall.county.example\"\n\
                 [retry]\nfirst_seconds = 0.05\nmax_seconds = 0.2\ngive_up_after = 1000\n\
                 [worker]\npoll_seconds = 0.2\nlease_seconds = 3\n\
                 [[webhook]]\nname = \"county-sms\"\nurl = \"http://127.0.0.1:{port}/hook\"\n\
                 secret = \"{SECRET}\"\ntimeout_seconds = 1\n\
                 events = [\"citizen.accepted\", \"citizen.concluded\"]\n"
            ),
        )
        .unwrap();
        let kiosk = credential(&db);
        let out = Command::new(env!("CARGO_BIN_EXE_hall"))
            .args(["staff", "add", "clerk", "--db"])
            .arg(&db)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let staff = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        let http = client();

        let mut first = HallProcess::start(&db, &cfg);
        let mut body = application_body();
        body["notifyConsent"] = json!(true);
        let receipt: Value = http
            .post(format!("http://{}/api/v1/applications", first.addr))
            .bearer_auth(&kiosk)
            .header("idempotency-key", "citizen-killed-0001")
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = receipt["id"].as_str().unwrap().to_owned();
        let mv = |addr: String, to: &'static str| {
            http.post(format!("http://{addr}/api/v1/applications/{id}/status"))
                .bearer_auth(&staff)
                .json(&json!({"to": to}))
                .send()
        };
        assert_eq!(
            mv(first.addr.clone(), "accepted").await.unwrap().status(),
            StatusCode::OK
        );
        wait_for("a failed attempt", || {
            log_rows(&db)
                .first()
                .filter(|r| r.3 >= 1 && r.4.is_some())
                .cloned()
        })
        .await;
        first.child.kill().unwrap(); // SIGKILL mid-delivery: no clean shutdown
        first.child.wait().unwrap();
        let first_log = first.log.lock().unwrap().join("\n");
        drop(first);
        assert_eq!(log_rows(&db)[0].2, "pending");

        let (rx, _) = receiver(&format!("127.0.0.1:{port}"), 0).await;
        let second = HallProcess::start(&db, &cfg);
        let got = wait_for("the notice after the restart", || {
            Some(rx.accepted()).filter(|a| !a.is_empty())
        })
        .await;
        assert_eq!(got[0].1["kind"], "citizen.accepted");
        assert_eq!(got[0].1["to"], "13812345678");
        let link = got[0].1["link"].as_str().unwrap();
        assert_eq!(
            link,
            format!(
                "https://hall.county.example/progress?c={}&v={}",
                receipt["trackingCode"].as_str().unwrap(),
                receipt["verifier"].as_str().unwrap()
            ),
            "the receipt QR's address"
        );
        wait_for("the delivered row", || {
            log_rows(&db)
                .first()
                .filter(|r| r.2 == "delivered")
                .cloned()
        })
        .await;
        // A later move's notice arrives after it: by then the first had every chance to be
        // sent again.
        for to in ["processing", "concluded"] {
            assert_eq!(
                mv(second.addr.clone(), to).await.unwrap().status(),
                StatusCode::OK
            );
        }
        let got = wait_for("the 办结 notice", || {
            Some(rx.accepted()).filter(|a| a.len() >= 2)
        })
        .await;
        assert_eq!(got.len(), 2, "the 受理 notice arrived exactly once");
        assert_eq!(got[1].1["kind"], "citizen.concluded");
        assert_ne!(got[0].0, got[1].0);
        assert_eq!(rx.bad_signatures.load(Ordering::SeqCst), 0);

        let out = Command::new(env!("CARGO_BIN_EXE_hall"))
            .args(["notices", "list", "--db"])
            .arg(&db)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let list = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = list.lines().collect();
        assert!(
            lines[0].starts_with("CREATED") && lines[0].contains("LAST ERROR"),
            "{list}"
        );
        let accepted = lines
            .iter()
            .find(|l| l.contains("citizen.accepted"))
            .unwrap();
        assert!(
            accepted.contains("county-sms") && accepted.contains("delivered"),
            "{list}"
        );
        assert!(
            accepted.ends_with("cannot connect"),
            "the last error's class: {list}"
        );
        let logs = format!("{first_log}\n{}", second.log.lock().unwrap().join("\n"));
        for text in [&list, &logs] {
            assert_no_personal_data(text);
            assert!(
                !text.contains(receipt["verifier"].as_str().unwrap()),
                "{text}"
            );
        }
    }

    type SinkLines = tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>;

    /// The sink's next line, or `None` after 30 s or at its end.
    async fn next_line(lines: &mut SinkLines) -> Option<String> {
        tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .ok()?
            .ok()?
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_help_request_is_mailed_in_chinese_to_a_real_smtp_server() {
        // aiosmtpd (python3-aiosmtpd) on an ephemeral port; each mail decoded with Python's
        // email package and printed as one JSON line.
        let script = r#"
import asyncio, email, json
from email import policy
from aiosmtpd.smtp import SMTP
class Sink:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        print(json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos,
            "subject": str(msg["subject"]), "contentType": str(msg["content-type"]),
            "body": msg.get_body(("plain",)).get_content(),
            "raw": envelope.content.decode("ascii", "replace")}), flush=True)
        return "250 OK"
async def main():
    srv = await asyncio.get_running_loop().create_server(lambda: SMTP(Sink(), hostname="sink.test"), "127.0.0.1", 0)
    print("PORT", srv.sockets[0].getsockname()[1], flush=True)
    await srv.serve_forever()
asyncio.run(main())
"#;
        // Debian's interpreter, where python3-aiosmtpd installs (a pyenv shim may come first).
        let python = if Path::new("/usr/bin/python3").exists() {
            "/usr/bin/python3"
        } else {
            "python3"
        };
        let mut sink = tokio::process::Command::new(python)
            .args(["-c", script])
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 with aiosmtpd (Debian: python3-aiosmtpd)");
        let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(
            sink.stdout.take().unwrap(),
        ));
        let first = next_line(&mut lines)
            .await
            .expect("SMTP sink did not start (is python3-aiosmtpd installed?)");
        let port: u16 = first.strip_prefix("PORT ").unwrap().parse().unwrap();

        let (running, _stop) = hall_with(&config(None, Some(port))).await;
        let kiosk = running.hall.credential(PrincipalKind::Kiosk, "k1").await;
        let r: Value = client()
            .post(format!("{}/api/v1/help-requests", running.base))
            .bearer_auth(&kiosk)
            .header("idempotency-key", "help-mail-00001")
            .json(&help_body())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let line = next_line(&mut lines).await.expect("no mail arrived");
        let mail: Value = serde_json::from_str(&line).unwrap();
        let reference = r["reference"].as_str().unwrap();
        assert_eq!(
            mail["subject"],
            format!("【政务服务】新的上门服务：{reference}")
        );
        assert_eq!(mail["from"], "hall@county.example");
        assert_eq!(mail["to"], json!(["duty@county.example"]));
        assert!(
            mail["contentType"].as_str().unwrap().contains("utf-8"),
            "{mail}"
        );
        assert!(
            mail["raw"].as_str().unwrap().contains("Subject: =?utf-8?"),
            "{mail}"
        );
        let body = mail["body"].as_str().unwrap();
        assert!(body.contains("测试 k1（k1）"), "{body}");
        assert!(body.contains("事项：社会保障卡申领"), "{body}");
        assert!(
            body.contains(&format!("/staff/tickets/{}", r["id"].as_str().unwrap())),
            "{body}"
        );
        assert_no_personal_data(body);
        assert_no_personal_data(mail["raw"].as_str().unwrap());
        let rows = wait_for("the delivered row", || {
            Some(log_rows(&running.hall.db))
                .filter(|r| r.first().is_some_and(|r| r.2 == "delivered"))
        })
        .await;
        assert_eq!(
            (rows[0].0.as_str(), rows[0].1.as_str(), rows[0].3),
            ("help.requested", "duty-mail", 1)
        );
    }
}
