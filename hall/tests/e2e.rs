//! End-to-end: the real server on 127.0.0.1:0 with a temporary database, driven by a real
//! HTTP client (reqwest): the whole citizen path, staff moves, feedback, appointments,
//! idempotency under concurrent duplicates, and graceful shutdown.

mod common;

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
