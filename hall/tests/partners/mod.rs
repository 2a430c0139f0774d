//! 跨省通办 between two real `hall` processes on loopback, each with its own SQLite database,
//! partnered both ways: a kiosk at hall A applies for a cross-province item handled at hall
//! B; B is down when A takes it in (and killed with SIGKILL again later), A is killed and
//! restarted mid-way; in the end B holds exactly one application, and B's stage changes show
//! in A's timeline, progress API and phone page, with A's citizen notices queued.
// Test helpers: a panic is how they report a failure.
#![allow(clippy::unwrap_used)]

mod harness;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use harness::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const ID_NUMBER: &str = "11010519491231002X";
const NAME: &str = "欧阳明月";
const CROSS_ITEM: &str = "QR-000172-001";
const LOCAL_ITEM: &str = "QR-000172-010";
const B_CODE: &str = "420600";
const A_CODE: &str = "330122";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_province_application_reaches_the_partner_once_and_its_stages_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let (db_a, db_b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let (port_a, port_b) = (free_port(), free_port());
    let (log_a, log_b) = (
        Arc::new(Mutex::new(Vec::new())),
        Arc::new(Mutex::new(Vec::new())),
    );
    let url_a = format!("http://127.0.0.1:{port_a}");
    // A reaches B through a proxy (see below).
    let port_proxy = free_port();
    let url_b = format!("http://127.0.0.1:{port_proxy}");

    // The two engineers: A registers B and reads out the credential B calls A with; B
    // registers A with it and reads out the one A calls B with; A stores that.
    let b_calls_a = token(&cli(
        &db_a,
        &[
            "partner",
            "add",
            B_CODE,
            "--url",
            &url_b,
            "--name",
            "湖北省襄阳市",
            "--name-en",
            "Xiangyang, Hubei",
        ],
    ));
    let a_calls_b = token(&cli(
        &db_b,
        &[
            "partner",
            "add",
            A_CODE,
            "--url",
            &url_a,
            "--name",
            "浙江省某县",
            "--token",
            &b_calls_a,
        ],
    ));
    cli(&db_a, &["partner", "set-token", B_CODE, &a_calls_b]);
    let listed = String::from_utf8(cli(&db_a, &["partner", "list"]).stdout).unwrap();
    assert!(
        listed.contains("420600\t湖北省襄阳市\tXiangyang, Hubei")
            && listed.contains("token set\t0 (0) / 0 / 0"),
        "{listed}"
    );
    let kiosk = token(&cli(
        &db_a,
        &["kiosk", "add", "k1", "--label", "城关镇 1号机"],
    ));
    let operator = token(&cli(&db_a, &["operator", "add", "ops"]));
    let staff_b = token(&cli(&db_b, &["staff", "add", "clerk"]));
    let kiosk_b = token(&cli(
        &db_b,
        &["kiosk", "add", "kb", "--label", "襄阳 1号机"],
    ));
    let notify = notify_config(dir.path());
    let http = reqwest::Client::new();

    // B is down. A serves its catalog with B as a partner place.
    let a = Hall::start(&db_a, port_a, Some(&notify), &log_a);
    let catalog: Value = http
        .get(format!("{}/api/v1/catalog", a.base))
        .bearer_auth(&kiosk)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        catalog["partners"],
        json!([{"code": B_CODE, "name": "湖北省襄阳市", "nameEn": "Xiangyang, Hubei"}])
    );
    let submit = |body: Value, key: &str| {
        http.post(format!("{url_a}/api/v1/applications"))
            .bearer_auth(&kiosk)
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };

    // Refusals: an unknown partner, an item without crossProvince.
    for (body, key) in [
        (application(CROSS_ITEM, Some("999999")), "refuse-unknown-1"),
        (application(LOCAL_ITEM, Some(B_CODE)), "refuse-local-001"),
    ] {
        let r = submit(body, key).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["code"], "validationFailed", "{e}");
        assert_eq!(e["fields"][0]["field"], "handledBy", "{e}");
        assert!(e["message"].as_str().unwrap().contains("handledBy"), "{e}");
    }

    // 代收 at A.
    let r = submit(application(CROSS_ITEM, Some(B_CODE)), "cross-province-1")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let receipt: Value = r.json().await.unwrap();
    let (code, verifier) = (
        receipt["trackingCode"].as_str().unwrap().to_owned(),
        receipt["verifier"].as_str().unwrap().to_owned(),
    );
    let progress = || {
        let http = http.clone();
        let body = json!({"trackingCode": code, "verifier": verifier});
        let url = format!("{url_a}/api/v1/progress");
        async move {
            http.post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let p = progress().await;
    assert_eq!(p["handledBy"]["code"], B_CODE);
    assert!(
        p["timeline"][0]["note"].as_str().unwrap().contains("代收"),
        "{p}"
    );

    // B is unreachable: A retries, reports it after a while, and counts it in /metrics.
    let log_has = |log: &Arc<Mutex<Vec<String>>>, text: &str| {
        log.lock().unwrap().iter().any(|l| l.contains(text))
    };
    wait_for("retries and the unreachable report", || {
        (log_has(&log_a, "forward failed; will retry")
            && log_has(&log_a, "partner hall unreachable for long"))
        .then_some(())
    })
    .await;
    let metrics = http
        .get(format!("{url_a}/metrics"))
        .bearer_auth(&operator)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("hall_partner_forward_queue_depth{partner=\"420600\"} 1"),
        "{metrics}"
    );
    let down: f64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("hall_partner_unreachable_seconds{partner=\"420600\"} "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(down > 0.0, "{metrics}");

    // A is killed mid-way and restarted. Then B comes up behind a proxy that lets the
    // forward reach B and throws B's answer away (B stored it, A never heard); B is killed
    // at once (SIGKILL) and restarted; only then does the proxy pass traffic. A sends the
    // same key and body again and B answers from its record.
    a.kill();
    let a = Hall::start(&db_a, port_a, Some(&notify), &log_a);
    let proxy = LossyProxy::start(port_proxy, port_b).await;
    let b = Hall::start(&db_b, port_b, Some(&notify), &log_b);
    wait_for("the first answer thrown away", || {
        proxy.dropped().then_some(())
    })
    .await;
    b.kill();
    let b = Hall::start(&db_b, port_b, Some(&notify), &log_b);
    proxy.open();
    let b_rows = || query(&db_b, "SELECT id, channel FROM applications");
    let held = wait_for("the forward at B", || {
        let rows = b_rows();
        (!rows.is_empty()).then_some(rows)
    })
    .await;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0][1], "partner");
    let b_id = held[0][0].clone();
    wait_for("A to record B's receipt", || {
        let r = query(
            &db_a,
            "SELECT l.remote_id, d.status FROM partner_links l
             JOIN notice_deliveries d ON d.kind = 'partner_forward'
             WHERE l.direction = 'out'",
        );
        (r[0][0] == b_id && r[0][1] == "delivered").then_some(())
    })
    .await;
    let listed = String::from_utf8(cli(&db_a, &["partner", "list"]).stdout).unwrap();
    assert!(listed.contains("token set\t0 (0) / 1 / 0"), "{listed}");
    let link = query(
        &db_b,
        "SELECT partner_code, remote_tracking_code FROM partner_links",
    );
    assert_eq!(link, vec![vec![A_CODE.to_owned(), code.clone()]]);

    // B answered the repeat from its record.
    wait_for("B's replay in its log", || {
        log_has(&log_b, "forwarded application replayed").then_some(())
    })
    .await;

    // The partner endpoint's idempotency: the same key with another body is a 409.
    let a_id = receipt["id"].as_str().unwrap();
    let mut other = json!({
        "originId": a_id, "originTrackingCode": code, "receivedAt": "2026-12-04T01:02:03Z",
        "application": application(CROSS_ITEM, None)
    });
    other["application"]["fields"]["reason"] = json!("damaged");
    let r = http
        .post(format!(
            "http://127.0.0.1:{port_b}/api/v1/partner/applications"
        ))
        .bearer_auth(&a_calls_b)
        .header("idempotency-key", format!("fwd-{a_id}"))
        .json(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);

    // Credentials stay in their lanes.
    let r = submit(application(CROSS_ITEM, None), "partner-as-kiosk1")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "the kiosk itself may");
    for (url, cred) in [
        (format!("{url_a}/api/v1/applications"), &b_calls_a),
        (
            format!("http://127.0.0.1:{port_b}/api/v1/applications"),
            &a_calls_b,
        ),
        (format!("{url_a}/api/v1/partner/applications"), &kiosk),
        (
            format!("http://127.0.0.1:{port_b}/api/v1/partner/applications"),
            &kiosk_b,
        ),
        (
            format!("http://127.0.0.1:{port_b}/api/v1/partner/applications"),
            &staff_b,
        ),
    ] {
        let r = http
            .post(&url)
            .bearer_auth(cred)
            .header("idempotency-key", "lane-check-0001")
            .json(&application(CROSS_ITEM, None))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{url}");
    }
    let r = http
        .post(format!("{url_a}/api/v1/partner/progress"))
        .bearer_auth(&staff_b)
        .json(&json!({"originIds": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // A's staff cannot move what the partner handles.
    let staff_a = token(&cli(&db_a, &["staff", "add", "clerk-a"]));
    let r = http
        .post(format!("{url_a}/api/v1/applications/{a_id}/status"))
        .bearer_auth(&staff_a)
        .json(&json!({"to": "accepted"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);

    // B's staff move it; A is killed and restarted between the moves.
    let b_base = format!("http://127.0.0.1:{port_b}");
    let mv = |to: &str, note: Option<&str>| {
        let body = match note {
            Some(n) => json!({"to": to, "note": n}),
            None => json!({"to": to}),
        };
        http.post(format!("{b_base}/api/v1/applications/{b_id}/status"))
            .bearer_auth(&staff_b)
            .json(&body)
            .send()
    };
    for (to, note) in [
        ("accepted", None),
        ("correctionRequired", Some("请补交本人近期免冠照片")),
    ] {
        assert_eq!(mv(to, note).await.unwrap().status(), StatusCode::OK, "{to}");
    }
    let statuses = |p: &Value| -> Vec<String> {
        p["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["status"].as_str().unwrap().to_owned())
            .collect()
    };
    let p = {
        let mut got = Value::Null;
        for _ in 0..600 {
            got = progress().await;
            if got["status"] == "correctionRequired" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        got
    };
    assert_eq!(
        statuses(&p),
        ["submitted", "accepted", "correctionRequired"],
        "{p}"
    );
    assert_eq!(
        p["timeline"][2]["note"],
        "湖北省襄阳市办理：请补交本人近期免冠照片"
    );
    a.kill();
    for to in ["accepted", "processing", "concluded"] {
        assert_eq!(mv(to, None).await.unwrap().status(), StatusCode::OK, "{to}");
    }
    let a = Hall::start(&db_a, port_a, Some(&notify), &log_a);
    let p = {
        let mut got = Value::Null;
        for _ in 0..600 {
            got = progress().await;
            if got["status"] == "concluded" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        got
    };
    assert_eq!(
        statuses(&p),
        [
            "submitted",
            "accepted",
            "correctionRequired",
            "accepted",
            "processing",
            "concluded"
        ],
        "{p}"
    );
    assert!(
        p["timeline"][5]["note"]
            .as_str()
            .unwrap()
            .starts_with("湖北省襄阳市办理"),
        "{p}"
    );
    let page = http
        .get(format!("{}/progress?c={code}&v={verifier}", a.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"handled-by\">湖北省襄阳市") && page.contains("湖北省襄阳市办理"),
        "{page}"
    );

    // A's citizen notices followed B's stages, each once.
    let kinds = query(
        &db_a,
        "SELECT kind, COUNT(*) FROM notice_deliveries WHERE kind LIKE 'citizen.%' GROUP BY kind ORDER BY kind",
    );
    assert_eq!(
        kinds,
        [
            ["citizen.accepted", "2"],
            ["citizen.concluded", "1"],
            ["citizen.correctionRequired", "1"]
        ]
        .map(|r| r.map(str::to_owned).to_vec())
        .to_vec()
    );
    // B (with the same notifier) queued none: its citizen is A's.
    assert!(query(&db_b, "SELECT 1 FROM notice_deliveries").is_empty());

    // One application at B, never two; nothing personal in either hall's log.
    assert_eq!(b_rows().len(), 1);
    drop((a, b));
    for (hall, log) in [("A", &log_a), ("B", &log_b)] {
        let log = log.lock().unwrap();
        assert!(log.len() > 10, "{hall} logged");
        for line in log.iter() {
            assert!(
                !line.contains(ID_NUMBER) && !line.contains(NAME),
                "{hall} logged personal data: {line}"
            );
        }
    }
}

/// The partners list is part of the served catalog: adding one changes the version and the
/// ETag kiosks cache by, and removing it changes them back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_a_partner_changes_the_catalog_version_and_etag() {
    use hall::partners::{Partner, PartnerStore};
    let hall = super::common::TestHall::new().await;
    let before = hall.state.catalog();
    assert!(before.catalog.partners.is_empty());
    let partner = Partner {
        code: B_CODE.into(),
        name: "湖北省襄阳市".into(),
        name_en: "Xiangyang, Hubei".into(),
        url: "http://127.0.0.1:9".into(),
        token_sealed: None,
        created_at: chrono::Utc::now(),
    };
    hall.store.put_partner(partner, None).await.unwrap();
    // The hall's own watcher may be reloading at the same moment: wait for the new catalog.
    let with = wait_for("the catalog with the partner", || {
        let c = hall.state.catalog();
        (!c.catalog.partners.is_empty()).then_some(c)
    })
    .await;
    assert_eq!(with.catalog.partners.len(), 1);
    assert_ne!(with.etag, before.etag);
    assert_ne!(with.catalog.version, before.catalog.version);
    assert!(with.json.contains("\"nameEn\":\"Xiangyang, Hubei\""));
    assert!(hall.store.remove_partner(B_CODE).await.unwrap());
    wait_for("the catalog without the partner", || {
        (hall.state.catalog().etag == before.etag).then_some(())
    })
    .await;
}
