//! In-process router tests (tower `oneshot`): catalog caching, intake and its replays,
//! validation, authorisation, and that every bad input is a 4xx JSON error that writes nothing.

use crate::common;
mod progress_page;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use hall::store::{PrincipalKind, Store};
use serde_json::{json, Value};

fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!(status, expected, "body: {body}");
    assert_eq!(body["code"], code, "body: {body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(body["messageZh"].as_str().is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn the_catalog_is_served_with_an_etag_and_revalidates_with_304() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let (status, headers, body) = call(&app, request("GET", "/api/v1/catalog", None, None)).await;
    assert_eq!(status, StatusCode::OK);
    let etag = headers["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.len() > 10);
    let catalog: hall_api::catalog::Catalog = serde_json::from_value(body).unwrap();
    assert!(catalog.items.len() >= 21);
    assert!(catalog.bundle("yjs-xinshenger").is_some());

    let req = Request::get("/api/v1/catalog")
        .header("if-none-match", &etag)
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = call(&app, req).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(headers["etag"].to_str().unwrap(), etag);

    let req = Request::get("/api/v1/catalog")
        .header("if-none-match", "\"stale\"")
        .body(Body::empty())
        .unwrap();
    assert_eq!(call(&app, req).await.0, StatusCode::OK);
}

#[tokio::test]
async fn an_application_is_taken_once_per_key_and_a_different_body_is_a_conflict() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let post = |body: Value, key: &str| {
        let mut r = request("POST", "/api/v1/applications", Some(&kiosk), Some(body));
        r.headers_mut()
            .insert("idempotency-key", key.parse().unwrap());
        r
    };
    let (s1, h1, first) = call(&app, post(application_body(), "key-00000001")).await;
    assert_eq!(s1, StatusCode::CREATED, "{first}");
    assert!(h1.get("idempotent-replayed").is_none());
    assert_eq!(first["status"], "submitted");
    assert_eq!(first["verifier"].as_str().unwrap().len(), 8);

    let (s2, h2, second) = call(&app, post(application_body(), "key-00000001")).await;
    assert_eq!(s2, StatusCode::CREATED);
    assert_eq!(h2["idempotent-replayed"], "true");
    assert_eq!(first, second, "the same key and body give the same receipt");

    let mut other = application_body();
    other["fields"]["phone"] = json!("13900000000");
    let (s3, _, body) = call(&app, post(other.clone(), "key-00000001")).await;
    assert_error(s3, &body, StatusCode::CONFLICT, "idempotencyConflict");
    assert_eq!(hall.count("applications"), 1);

    let (s4, _, third) = call(&app, post(other, "key-00000002")).await;
    assert_eq!(s4, StatusCode::CREATED);
    assert_ne!(third["trackingCode"], first["trackingCode"]);
    assert_eq!(hall.count("applications"), 2);
}

#[tokio::test]
async fn personal_data_is_not_stored_in_clear() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let mut r = request(
        "POST",
        "/api/v1/applications",
        Some(&kiosk),
        Some(application_body()),
    );
    r.headers_mut()
        .insert("idempotency-key", "pii-check-1".parse().unwrap());
    assert_eq!(call(&app, r).await.0, StatusCode::CREATED);
    hall.store.close();
    let mut bytes = std::fs::read(&hall.db).unwrap();
    if let Ok(wal) = std::fs::read(hall.dir.path().join("hall.db-wal")) {
        bytes.extend(wal);
    }
    for secret in [
        ID_NUMBER.as_bytes(),
        "张三".as_bytes(),
        "13812345678".as_bytes(),
        "人民路".as_bytes(),
    ] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret),
            "found {:?} in the database",
            String::from_utf8_lossy(secret)
        );
    }
}

#[tokio::test]
async fn validation_reports_field_errors_and_writes_nothing() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let before = hall.written();
    let mut body = application_body();
    body["fields"]["phone"] = json!("12345");
    body["fields"]["declaration"] = json!(false);
    body["fields"]["surprise"] = json!("x");
    body["applicant"]["idNumber"] = json!("110105194912310021");
    let mut r = request("POST", "/api/v1/applications", Some(&kiosk), Some(body));
    r.headers_mut()
        .insert("idempotency-key", "bad-fields-1".parse().unwrap());
    let (status, _, err) = call(&app, r).await;
    assert_error(
        status,
        &err,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validationFailed",
    );
    let fields: Vec<(&str, &str)> = err["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap(), f["code"].as_str().unwrap()))
        .collect();
    for expected in [
        ("phone", "invalidPhone"),
        ("declaration", "mustBeChecked"),
        ("surprise", "unknownField"),
        ("applicant.idNumber", "invalidIdNumber"),
        ("applicantIdNumber", "invalidIdNumber"),
    ] {
        assert!(
            fields.contains(&expected),
            "{expected:?} missing from {fields:?}"
        );
    }
    assert_eq!(hall.written(), before);
}

#[tokio::test]
async fn every_bad_input_is_a_4xx_json_error_that_writes_nothing() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let before = hall.written();
    let with_key = |mut r: Request<Body>| {
        r.headers_mut()
            .insert("idempotency-key", "some-key-123".parse().unwrap());
        r
    };
    let raw = |body: &str, ct: &str| {
        Request::post("/api/v1/applications")
            .header("authorization", format!("Bearer {kiosk}"))
            .header("idempotency-key", "some-key-123")
            .header("content-type", ct)
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    let mut wrong_type = application_body();
    wrong_type["applicant"]["idNumber"] = json!(12345);
    let mut unknown_item = application_body();
    unknown_item["subject"] = json!({"type": "item", "code": "XX-999999-999"});
    let mut unknown_bundle = application_body();
    unknown_bundle["subject"] = json!({"type": "bundle", "code": "yjs-none"});
    let mut extra_top_level = application_body();
    extra_top_level["admin"] = json!(true);
    let huge = format!("{{\"x\": \"{}\"}}", "a".repeat(200 * 1024));
    let cases: Vec<(&str, Request<Body>, StatusCode, &str)> = vec![
        (
            "malformed JSON",
            raw("{\"subject\": ", "application/json"),
            StatusCode::BAD_REQUEST,
            "malformedBody",
        ),
        (
            "not JSON at all",
            raw("\u{0}\u{1}garbage", "application/json"),
            StatusCode::BAD_REQUEST,
            "malformedBody",
        ),
        (
            "wrong content type",
            raw(&application_body().to_string(), "text/plain"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupportedMediaType",
        ),
        (
            "wrong type",
            with_key(request(
                "POST",
                "/api/v1/applications",
                Some(&kiosk),
                Some(wrong_type),
            )),
            StatusCode::BAD_REQUEST,
            "malformedBody",
        ),
        (
            "unknown field",
            with_key(request(
                "POST",
                "/api/v1/applications",
                Some(&kiosk),
                Some(extra_top_level),
            )),
            StatusCode::BAD_REQUEST,
            "malformedBody",
        ),
        (
            "oversized",
            raw(&huge, "application/json"),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payloadTooLarge",
        ),
        (
            "unknown item",
            with_key(request(
                "POST",
                "/api/v1/applications",
                Some(&kiosk),
                Some(unknown_item),
            )),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknownItem",
        ),
        (
            "unknown bundle",
            with_key(request(
                "POST",
                "/api/v1/applications",
                Some(&kiosk),
                Some(unknown_bundle),
            )),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknownBundle",
        ),
        (
            "no key",
            request(
                "POST",
                "/api/v1/applications",
                Some(&kiosk),
                Some(application_body()),
            ),
            StatusCode::BAD_REQUEST,
            "missingIdempotencyKey",
        ),
        (
            "no credential",
            with_key(request(
                "POST",
                "/api/v1/applications",
                None,
                Some(application_body()),
            )),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "wrong secret",
            with_key(request(
                "POST",
                "/api/v1/applications",
                Some(&format!("k1.{}", "0".repeat(64))),
                Some(application_body()),
            )),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "garbage credential",
            with_key(request(
                "POST",
                "/api/v1/applications",
                Some("💥"),
                Some(application_body()),
            )),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "bad slot query",
            request(
                "GET",
                "/api/v1/appointments/slots?department=gongan&days=abc",
                None,
                None,
            ),
            StatusCode::BAD_REQUEST,
            "badParameter",
        ),
        (
            "unknown department",
            request(
                "GET",
                "/api/v1/appointments/slots?department=nope",
                None,
                None,
            ),
            StatusCode::BAD_REQUEST,
            "badParameter",
        ),
        (
            "unknown route",
            request("GET", "/api/v1/nothing", None, None),
            StatusCode::NOT_FOUND,
            "notFound",
        ),
        (
            "wrong method",
            request("DELETE", "/api/v1/catalog", None, None),
            StatusCode::METHOD_NOT_ALLOWED,
            "badParameter",
        ),
        (
            "empty complaint",
            with_key(request(
                "POST",
                "/api/v1/complaints",
                Some(&kiosk),
                Some(json!({"description": "  "})),
            )),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validationFailed",
        ),
        (
            "help without contact",
            with_key(request(
                "POST",
                "/api/v1/help-requests",
                Some(&kiosk),
                Some(json!({"kind": "homeVisit"})),
            )),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validationFailed",
        ),
        (
            "booking a bad slot",
            with_key(request(
                "POST",
                "/api/v1/appointments",
                Some(&kiosk),
                Some(
                    json!({"slotId": "gongan.2000-01-03.0900", "name": "张三", "phone": "13812345678"}),
                ),
            )),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validationFailed",
        ),
        (
            "rating with a guessed code",
            request(
                "POST",
                "/api/v1/ratings",
                None,
                Some(
                    json!({"trackingCode": "240506-AAAA-BBBB", "verifier": "ABCDEFGH", "level": 5}),
                ),
            ),
            StatusCode::NOT_FOUND,
            "notFound",
        ),
        (
            "heartbeat with a bad error code",
            request(
                "POST",
                "/api/v1/kiosks/k1/heartbeat",
                Some(&kiosk),
                Some({
                    let mut h = heartbeat_body();
                    h["devices"][2]["lastErrorCode"] = json!("<script>");
                    h
                }),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validationFailed",
        ),
    ];
    for (name, req, expected, code) in cases {
        let (status, _, body) = call(&app, req).await;
        assert!(status.is_client_error(), "{name}: {status}");
        assert_eq!(status, expected, "{name}: {body}");
        assert_eq!(body["code"], code, "{name}: {body}");
        assert_eq!(hall.written(), before, "{name} wrote something");
    }
}

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_routes_served() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let (s, _, doc) = call(&app, request("GET", "/api/v1/openapi.json", None, None)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    let mut documented: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.clone(), p.clone()))
        })
        .collect();
    documented.sort();
    let mut served: Vec<(String, String)> = hall::router::ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    served.sort();
    assert_eq!(documented, served);
    // The English names and the phone token are documented (optional, camelCase).
    let s = &doc["components"]["schemas"];
    assert!(
        s["ServiceItem"]["properties"]["nameEn"].is_object(),
        "{}",
        s["ServiceItem"]
    );
    assert!(s["FormField"]["properties"]["labelEn"].is_object());
    assert!(s["CreateApplication"]["properties"]["phoneToken"].is_object());
    for (method, path) in hall::router::ROUTES {
        let uri = path
            .replace("{id}", "some-id")
            .replace("{reference}", "YY-1");
        let (status, _, body) = call(&app, request(&method.to_uppercase(), &uri, None, None)).await;
        assert_ne!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} is not routed"
        );
        assert!(
            status != StatusCode::NOT_FOUND
                || body["message"] != "no such route; see /api/v1/openapi.json",
            "{method} {path} is not routed"
        );
    }
    for schema in [
        "CreateApplication",
        "ApplicationReceipt",
        "ErrorBody",
        "Heartbeat",
        "FleetView",
        "Catalog",
        "FormField",
        "ContactQuery",
        "KnownContact",
        "KnownPhone",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "schema {schema} missing"
        );
    }
}

fn keyed(token: &str, uri: &str, body: &str, key: &str) -> Request<Body> {
    Request::post(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .header("idempotency-key", key)
        .body(Body::from(body.to_owned()))
        .expect("test set-up")
}

/// Replaces the stored keyed hash of an idempotency key (what another hall version stored).
fn store_mac(hall: &TestHall, key: &str, mac: [u8; 32]) {
    let conn = rusqlite::Connection::open(&hall.db).expect("test set-up");
    let n = conn
        .execute(
            "UPDATE idempotency SET body_mac = ?1 WHERE key = ?2",
            rusqlite::params![&mac[..], key],
        )
        .expect("test set-up");
    assert_eq!(n, 1);
}

#[tokio::test]
async fn a_retry_replays_after_its_item_was_withdrawn_and_only_new_keys_are_refused() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let body = application_body().to_string();
    let (s, _, first) = call(
        &app,
        keyed(&kiosk, "/api/v1/applications", &body, "withdraw-0001"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");

    assert!(hall.store.set_item_withdrawn(ITEM, true).await.unwrap());
    hall.state.refresh().await.unwrap();
    let (_, _, catalog) = call(&app, request("GET", "/api/v1/catalog", None, None)).await;
    let catalog: hall_api::catalog::Catalog = serde_json::from_value(catalog).unwrap();
    assert!(
        catalog.item(ITEM).is_none(),
        "the withdrawn item is no longer served"
    );

    let (s, h, again) = call(
        &app,
        keyed(&kiosk, "/api/v1/applications", &body, "withdraw-0001"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{again}");
    assert_eq!(h["idempotent-replayed"], "true");
    assert_eq!(again, first, "the stored receipt, not a refusal");

    let (s, _, refused) = call(
        &app,
        keyed(&kiosk, "/api/v1/applications", &body, "withdraw-0002"),
    )
    .await;
    assert_error(s, &refused, StatusCode::UNPROCESSABLE_ENTITY, "unknownItem");
    assert_eq!(hall.count("applications"), 1);

    assert!(hall.store.set_item_withdrawn(ITEM, false).await.unwrap());
    hall.state.refresh().await.unwrap();
    let (s, _, _) = call(
        &app,
        keyed(&kiosk, "/api/v1/applications", &body, "withdraw-0002"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "restored: new keys are taken again");
}

#[tokio::test]
async fn an_application_taken_at_the_kiosk_before_its_item_was_withdrawn_is_taken_in_later() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let submitted = |at: chrono::DateTime<chrono::Utc>| {
        let mut body = application_body();
        body["submittedAt"] = json!(at.to_rfc3339());
        body.to_string()
    };
    // The citizen applied; the kiosk could not reach the hall; the item was withdrawn.
    let applied = chrono::Utc::now() - chrono::TimeDelta::minutes(5);
    assert!(hall.store.set_item_withdrawn(ITEM, true).await.unwrap());
    hall.state.refresh().await.unwrap();

    let (s, _, taken) = call(
        &app,
        keyed(
            &kiosk,
            "/api/v1/applications",
            &submitted(applied),
            "waited-0001",
        ),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::CREATED,
        "what the citizen was offered: {taken}"
    );
    // The citizen's progress says why it is being looked at; so does the staff's record.
    let id = taken["id"].as_str().expect("an id").to_owned();
    let record = hall.store.application(&id).await.unwrap().expect("stored");
    assert_eq!(
        record.timeline[0].note.as_deref(),
        Some(hall::handlers::applications::WITHDRAWN_AFTER_SUBMISSION)
    );

    // Applied after the withdrawal (a kiosk with a stale catalog): refused.
    let (s, _, refused) = call(
        &app,
        keyed(
            &kiosk,
            "/api/v1/applications",
            &submitted(chrono::Utc::now()),
            "waited-0002",
        ),
    )
    .await;
    assert_error(s, &refused, StatusCode::UNPROCESSABLE_ENTITY, "unknownItem");

    // A kiosk's clock is not trusted further back than the bound, nor in the future.
    for (at, key) in [
        (
            chrono::Utc::now()
                - hall::state::APPLIED_BEFORE_WITHDRAWAL
                - chrono::TimeDelta::days(1),
            "waited-0003",
        ),
        (
            chrono::Utc::now() + chrono::TimeDelta::days(1),
            "waited-0004",
        ),
    ] {
        let (s, _, refused) = call(
            &app,
            keyed(&kiosk, "/api/v1/applications", &submitted(at), key),
        )
        .await;
        assert_error(s, &refused, StatusCode::UNPROCESSABLE_ENTITY, "unknownItem");
    }
    assert_eq!(hall.count("applications"), 1);
}

#[tokio::test]
async fn a_retry_replays_whatever_the_key_order_and_whitespace() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let (s, _, first) = call(
        &app,
        keyed(
            &kiosk,
            "/api/v1/applications",
            &application_body().to_string(),
            "order-00001",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    // The same JSON, pretty-printed and with the top-level keys in reverse order.
    let value = application_body();
    let mut text = String::from("{\n");
    let keys: Vec<&String> = value.as_object().unwrap().keys().rev().collect();
    for (i, k) in keys.iter().enumerate() {
        let sep = if i + 1 < keys.len() { "," } else { "" };
        text.push_str(&format!(
            "  {}: {}{sep}\n",
            json!(k),
            serde_json::to_string_pretty(&value[k.as_str()]).unwrap()
        ));
    }
    text.push('}');
    assert_ne!(text, application_body().to_string());
    let (s, h, again) = call(
        &app,
        keyed(&kiosk, "/api/v1/applications", &text, "order-00001"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{again}");
    assert_eq!(h["idempotent-replayed"], "true");
    assert_eq!(again, first);
}

#[tokio::test]
async fn a_key_stored_by_another_hall_version_still_replays() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;

    // A later version took a body with a field this version does not know, and stored the
    // keyed hash of its canonical form (simulated: this version refuses the field on a new
    // key, so the row is written as that version would have written it).
    let (s, _, first) = call(
        &app,
        keyed(
            &kiosk,
            "/api/v1/applications",
            &application_body().to_string(),
            "newer-00001",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let mut newer = application_body();
    newer["channel"] = json!("kiosk");
    let raw = hall::idempotency::RawJson(newer.clone());
    store_mac(
        &hall,
        "newer-00001",
        raw.mac(&hall.state.secrets, "application"),
    );
    let (s, h, again) = call(
        &app,
        keyed(
            &kiosk,
            "/api/v1/applications",
            &newer.to_string(),
            "newer-00001",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{again}");
    assert_eq!(h["idempotent-replayed"], "true");
    assert_eq!(again, first);
    // Only a new key is validated: there the unknown field is refused.
    let (s, _, refused) = call(
        &app,
        keyed(
            &kiosk,
            "/api/v1/applications",
            &newer.to_string(),
            "newer-00002",
        ),
    )
    .await;
    assert_error(s, &refused, StatusCode::BAD_REQUEST, "malformedBody");

    // An earlier version stored the hash of its re-serialised request.
    let (s, _, old) = call(
        &app,
        keyed(
            &kiosk,
            "/api/v1/applications",
            &application_body().to_string(),
            "older-00001",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let typed: hall_api::application::CreateApplication =
        serde_json::from_value(application_body()).unwrap();
    let legacy = hall::idempotency::legacy_mac(&hall.state.secrets, "application", &typed).unwrap();
    store_mac(&hall, "older-00001", legacy);
    let (s, h, again) = call(
        &app,
        keyed(
            &kiosk,
            "/api/v1/applications",
            &application_body().to_string(),
            "older-00001",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{again}");
    assert_eq!(h["idempotent-replayed"], "true");
    assert_eq!(again, old);
    // A different body under that key is still a conflict.
    let mut other = application_body();
    other["fields"]["phone"] = json!("13900000000");
    let (s, _, body) = call(
        &app,
        keyed(
            &kiosk,
            "/api/v1/applications",
            &other.to_string(),
            "older-00001",
        ),
    )
    .await;
    assert_error(s, &body, StatusCode::CONFLICT, "idempotencyConflict");
    assert_eq!(hall.count("applications"), 2);
}

#[tokio::test]
async fn a_complaint_retry_replays_after_its_item_was_withdrawn() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let body = json!({"itemCode": ITEM, "description": "材料清单与窗口要求不一致"}).to_string();
    let (s, _, first) = call(
        &app,
        keyed(&kiosk, "/api/v1/complaints", &body, "complaint-01"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    hall.store.set_item_withdrawn(ITEM, true).await.unwrap();
    hall.state.refresh().await.unwrap();
    let (s, h, again) = call(
        &app,
        keyed(&kiosk, "/api/v1/complaints", &body, "complaint-01"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{again}");
    assert_eq!(h["idempotent-replayed"], "true");
    assert_eq!(again, first);
    let (s, _, refused) = call(
        &app,
        keyed(&kiosk, "/api/v1/complaints", &body, "complaint-02"),
    )
    .await;
    assert_error(s, &refused, StatusCode::UNPROCESSABLE_ENTITY, "unknownItem");
    assert_eq!(hall.count("tickets"), 1);
}

#[tokio::test]
async fn a_request_past_the_timeout_gets_503_with_retry_after() {
    // No request may run at once, so every request waits for a permit until the timeout:
    // proves both layers are on the router without depending on how fast anything is.
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(
        hall::store::sqlite::SqliteStore::open(&dir.path().join("h.db")).unwrap(),
    );
    let settings = hall::Settings {
        concurrency_limit: 0,
        request_timeout: std::time::Duration::from_millis(20),
        ..hall::Settings::default()
    };
    let state = hall::AppState::new(store, hall::crypto::Secrets::generate().unwrap(), settings)
        .await
        .unwrap();
    let app = hall::router::router(state);
    let (s, h, body) = call(&app, request("GET", "/api/v1/catalog", None, None)).await;
    assert_error(s, &body, StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    assert_eq!(h["retry-after"], "5");
}

#[tokio::test]
async fn a_malformed_tracking_code_is_refused_and_the_limiter_stores_nothing() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let huge = "A".repeat(60 * 1024);
    for _ in 0..3 {
        let (s, _, body) = call(
            &app,
            request(
                "POST",
                "/api/v1/progress",
                None,
                Some(json!({"trackingCode": huge, "verifier": "ABCDEFGH"})),
            ),
        )
        .await;
        assert_error(s, &body, StatusCode::NOT_FOUND, "notFound");
    }
    assert!(
        hall.state.limiter.is_empty(),
        "{:?}",
        hall.state.limiter.len()
    );
    let (s, _, _) = call(
        &app,
        request(
            "POST",
            "/api/v1/progress",
            None,
            Some(json!({"trackingCode": "240506-AAAA-BBBB", "verifier": "ABCDEFGH"})),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        hall.state.limiter.len(),
        (1, 1),
        "a well-formed miss is counted"
    );
}

#[tokio::test]
async fn logs_name_the_forwarded_client_only_behind_a_trusted_proxy() {
    // The binary's one global subscriber (see common::captured_log for why global).
    let captured = captured_log();
    let hall = TestHall::with_settings(hall::Settings {
        trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        ..hall::Settings::default()
    })
    .await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "log-kiosk").await;
    for (peer, key) in [
        ("10.0.0.7:4000", "log-key-0001"),
        ("198.51.100.3:4000", "log-key-0002"),
    ] {
        let mut req = keyed(
            &kiosk,
            "/api/v1/applications",
            &application_body().to_string(),
            key,
        );
        req.headers_mut()
            .insert("x-forwarded-for", "192.0.2.1, 203.0.113.9".parse().unwrap());
        let peer: std::net::SocketAddr = peer.parse().unwrap();
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(hall::net::PeerAddr(peer)));
        assert_eq!(call(&app, req).await.0, StatusCode::CREATED);
    }
    let log = captured.text();
    let taken: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("application taken in") && l.contains("kiosk=log-kiosk"))
        .collect();
    assert_eq!(taken.len(), 2, "{log}");
    assert!(taken[0].contains("client=203.0.113.9"), "{}", taken[0]);
    assert!(taken[1].contains("client=198.51.100.3"), "{}", taken[1]);
    assert!(
        !log.contains(ID_NUMBER) && !log.contains("13812345678"),
        "personal data in the log"
    );
}

/// The receipt's promised date counts working days by the holiday files, as the workbench's
/// due dates do: with the next three weeks declared holidays, it lies beyond them.
#[tokio::test]
async fn the_promised_date_skips_the_holidays_of_the_calendar() {
    use chrono::Datelike;
    let today = hall::state::today_local();
    let first = today.succ_opt().unwrap();
    let last = first + chrono::Duration::days(20);
    let dir = tempfile::tempdir().unwrap();
    // One file per year the three weeks touch (a file replaces the built-in year).
    for year in [first.year(), last.year()] {
        let from = first.max(chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap());
        let to = last.min(chrono::NaiveDate::from_ymd_opt(year, 12, 31).unwrap());
        std::fs::write(
            dir.path().join(format!("{year}.toml")),
            format!(
                "year = {year}\nholidays = [{{ name = \"测试假期\", from = \"{from}\", to = \"{to}\" }}]\nworkdays = []\n"
            ),
        )
        .unwrap();
    }
    let hall = TestHall::with_settings(hall::Settings {
        staff: hall::staff::StaffSettings {
            holidays_dir: Some(dir.path().to_path_buf()),
            ..hall::staff::StaffSettings::default()
        },
        ..hall::Settings::default()
    })
    .await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let mut r = request(
        "POST",
        "/api/v1/applications",
        Some(&kiosk),
        Some(application_body()),
    );
    r.headers_mut()
        .insert("idempotency-key", "holiday-key-0001".parse().unwrap());
    let (status, _, receipt) = call(&app, r).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    let promised: chrono::NaiveDate = receipt["promisedBy"].as_str().unwrap().parse().unwrap();
    assert!(
        promised > last,
        "promised {promised}, but {first}..={last} are holidays"
    );
}
