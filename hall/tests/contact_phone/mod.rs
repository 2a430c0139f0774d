//! One-touch phone reuse over real HTTP (part of the `e2e` binary): the phone of a consented
//! application is offered masked with a token; not without consent, not for another card,
//! not after a later application withdrew consent; the token fills the form's phone (any
//! number of times until it expires) and is refused when expired, from another kiosk, or
//! forged, with an error on the phone field; the full number is in no response body and no
//! log line.
// Test helpers: a panic is how they report a failure.
#![allow(clippy::unwrap_used)]

use std::sync::Mutex;

use hall::store::{PrincipalKind, Store};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::client;
use crate::e2e::common::*;

/// The number the citizen gave: it must appear nowhere the hall answers or logs.
const PHONE: &str = "13955557777";
const MASKED: &str = "139****7777";
const OTHER_ID: &str = "330102199003070019";

/// A kiosk's HTTP view of a running hall, keeping every response body it saw.
struct Kiosk<'a> {
    base: &'a str,
    token: String,
    bodies: &'a Mutex<Vec<String>>,
}

impl Kiosk<'_> {
    async fn post(&self, path: &str, body: Value, key: Option<&str>) -> (StatusCode, Value) {
        let mut req = client()
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body);
        if let Some(key) = key {
            req = req.header("idempotency-key", key);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        self.bodies.lock().unwrap().push(text.clone());
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn contact(&self, id_number: &str) -> (StatusCode, Value) {
        self.post(
            "/api/v1/citizen/contact",
            json!({ "idNumber": id_number }),
            None,
        )
        .await
    }

    async fn apply(&self, body: Value, key: &str) -> (StatusCode, Value) {
        self.post("/api/v1/applications", body, Some(key)).await
    }
}

/// An application for [`ITEM`] by `id_number`, picked up at the hall; the phone typed, or a
/// token instead.
fn application(id_number: &str, phone: Option<&str>, token: Option<&str>, consent: bool) -> Value {
    let mut fields = json!({
        "applicantName": "张三",
        "applicantIdNumber": id_number,
        "homeAddress": "浙江省某县城关镇人民路1号",
        "declaration": true
    });
    if let Some(p) = phone {
        fields["phone"] = json!(p);
    }
    let mut body = json!({
        "subject": {"type": "item", "code": ITEM},
        "catalogVersion": "2026.12-seed.4",
        "applicant": {"idNumber": id_number, "name": "张三"},
        "fields": fields,
        "delivery": {"method": "pickUp"},
        "submittedAt": "2026-12-04T01:02:03Z",
        "notifyConsent": consent
    });
    if let Some(t) = token {
        body["phoneToken"] = json!(t);
    }
    body
}

/// The phone sealed in a stored application, opened with the hall's key.
async fn stored_phone(hall: &TestHall, id: &str) -> Option<String> {
    let sealed = hall.store.application_payload(id).await.unwrap().unwrap();
    let plain = hall.state.secrets.open(id, &sealed).unwrap();
    let v: Value = serde_json::from_slice(&plain).unwrap();
    v["fields"]["phone"].as_str().map(str::to_owned)
}

fn offered(answer: &Value) -> Option<(String, String)> {
    let p = answer.get("phone")?;
    Some((
        p.get("masked")?.as_str()?.to_owned(),
        p.get("token")?.as_str()?.to_owned(),
    ))
}

fn refused_on_phone(status: StatusCode, body: &Value) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields = body["fields"].as_array().unwrap();
    assert!(
        fields
            .iter()
            .any(|f| f["field"] == "phone" && f["code"] == "invalidPhone"),
        "{body}"
    );
}

#[tokio::test]
async fn a_consented_phone_is_offered_masked_and_reused_by_token_and_never_shown_or_logged() {
    // The binary's one global subscriber (see common::captured_log).
    let captured = captured_log();

    let running = start().await;
    let hall = &running.hall;
    let bodies = Mutex::new(Vec::new());
    let k1 = Kiosk {
        base: &running.base,
        token: hall.credential(PrincipalKind::Kiosk, "k1").await,
        bodies: &bodies,
    };
    let k2 = Kiosk {
        base: &running.base,
        token: hall.credential(PrincipalKind::Kiosk, "k2").await,
        bodies: &bodies,
    };

    // Nothing known yet.
    let (s, known) = k1.contact(ID_NUMBER).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(known, json!({ "phone": null }));

    // Typed once, without consent: still not offered.
    let (s, _) = k1
        .apply(
            application(ID_NUMBER, Some(PHONE), None, false),
            "contact-key-0001",
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(k1.contact(ID_NUMBER).await.1, json!({ "phone": null }));

    // With consent: offered, masked.
    let (s, _) = k1
        .apply(
            application(ID_NUMBER, Some(PHONE), None, true),
            "contact-key-0002",
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, known) = k1.contact(ID_NUMBER).await;
    assert_eq!(s, StatusCode::OK);
    let (masked, token) = offered(&known).expect("offered");
    assert_eq!(masked, MASKED);
    // Another card: nothing. A malformed number: a field error, not a look-up.
    assert_eq!(k1.contact(OTHER_ID).await.1, json!({ "phone": null }));
    let (s, body) = k1.contact("123").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "idNumber");

    // The token fills the phone: twice within its expiry (a second application).
    for key in ["contact-key-0003", "contact-key-0004"] {
        let (s, receipt) = k1
            .apply(application(ID_NUMBER, None, Some(&token), true), key)
            .await;
        assert_eq!(s, StatusCode::CREATED, "{receipt}");
        let id = receipt["id"].as_str().unwrap();
        assert_eq!(stored_phone(hall, id).await.as_deref(), Some(PHONE));
    }
    // From another kiosk: refused on the phone field, nothing stored.
    let before = hall.count("applications");
    let (s, body) = k2
        .apply(
            application(ID_NUMBER, None, Some(&token), true),
            "contact-key-0005",
        )
        .await;
    refused_on_phone(s, &body);
    // For another card at the same kiosk, or forged: refused.
    let (s, body) = k1
        .apply(
            application(OTHER_ID, None, Some(&token), true),
            "contact-key-0006",
        )
        .await;
    refused_on_phone(s, &body);
    let (_, mac) = token.split_once('.').unwrap();
    let forged = format!("{:x}.{mac}", chrono::Utc::now().timestamp() + 86_400);
    let (s, body) = k1
        .apply(
            application(ID_NUMBER, None, Some(&forged), true),
            "contact-key-0007",
        )
        .await;
    refused_on_phone(s, &body);
    assert_eq!(hall.count("applications"), before);

    // A later application without consent withdraws the offer, and the old token with it.
    let (s, _) = k1
        .apply(
            application(ID_NUMBER, Some("13800001111"), None, false),
            "contact-key-0008",
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(k1.contact(ID_NUMBER).await.1, json!({ "phone": null }));
    let (s, body) = k1
        .apply(
            application(ID_NUMBER, None, Some(&token), true),
            "contact-key-0009",
        )
        .await;
    refused_on_phone(s, &body);

    // Every look-up was audited under its own route, without the number.
    let conn = rusqlite::Connection::open(&hall.db).unwrap();
    let audited: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM id_lookups WHERE route = 'contact'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 5);

    // The full number: in no response body and no log line.
    let bodies = bodies.into_inner().unwrap();
    assert!(bodies.iter().any(|b| b.contains(MASKED)));
    for b in &bodies {
        assert!(!b.contains(PHONE), "a response carries the number: {b}");
    }
    let logs = captured.text();
    assert!(
        logs.contains("known contact looked up"),
        "the hall logged: {logs}"
    );
    assert!(logs.contains("a phone token was refused"));
    for line in logs.lines() {
        assert!(
            !line.contains(PHONE),
            "a log line carries the number: {line}"
        );
    }
}

#[tokio::test]
async fn an_expired_token_is_refused_and_look_ups_share_the_id_number_limit() {
    // Tokens that expire as they are made: the expiry is a setting, no waiting.
    let running = start_with(hall::Settings {
        phone_token_ttl: std::time::Duration::ZERO,
        id_lookups_per_minute: 3,
        ..hall::Settings::default()
    })
    .await;
    let hall = &running.hall;
    let bodies = Mutex::new(Vec::new());
    let k1 = Kiosk {
        base: &running.base,
        token: hall.credential(PrincipalKind::Kiosk, "k1").await,
        bodies: &bodies,
    };
    let (s, _) = k1
        .apply(
            application(ID_NUMBER, Some(PHONE), None, true),
            "expiry-key-0001",
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, known) = k1.contact(ID_NUMBER).await;
    let (masked, token) = offered(&known).expect("offered");
    assert_eq!(masked, MASKED);
    let (s, body) = k1
        .apply(
            application(ID_NUMBER, None, Some(&token), true),
            "expiry-key-0002",
        )
        .await;
    refused_on_phone(s, &body);
    // The same per-kiosk budget as the other look-ups by ID number.
    let (s, _) = k1
        .post(
            "/api/v1/materials/reusable",
            json!({ "idNumber": ID_NUMBER }),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(k1.contact(ID_NUMBER).await.0, StatusCode::OK);
    assert_eq!(k1.contact(ID_NUMBER).await.0, StatusCode::TOO_MANY_REQUESTS);
}
