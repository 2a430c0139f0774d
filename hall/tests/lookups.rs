//! Lookups a kiosk makes for a citizen standing at it: every application of the person whose
//! ID card is on the reader (newest first, nobody else's), and a booking by the reference on
//! its slip.

use crate::common;

use axum::http::StatusCode;
use common::*;
use hall::store::PrincipalKind;
use serde_json::{json, Value};

const OTHER_ID: &str = "330102199003070019";

fn post(
    uri: &str,
    token: &str,
    body: Value,
    key: Option<&str>,
) -> axum::http::Request<axum::body::Body> {
    let mut r = request("POST", uri, Some(token), Some(body));
    if let Some(key) = key {
        r.headers_mut()
            .insert("idempotency-key", key.parse().expect("a header value"));
    }
    r
}

#[tokio::test]
async fn the_card_on_the_reader_lists_that_citizens_applications_only() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let mut codes = Vec::new();
    for key in ["lookup-key-0001", "lookup-key-0002"] {
        let (s, _, receipt) = call(
            &app,
            post(
                "/api/v1/applications",
                &kiosk,
                application_body(),
                Some(key),
            ),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{receipt}");
        codes.push(receipt["trackingCode"].as_str().expect("a code").to_owned());
    }
    let mut other = application_body();
    other["applicant"]["idNumber"] = json!(OTHER_ID);
    other["fields"]["applicantIdNumber"] = json!(OTHER_ID);
    let (s, _, body) = call(
        &app,
        post(
            "/api/v1/applications",
            &kiosk,
            other,
            Some("lookup-key-0003"),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");

    let (s, _, list) = call(
        &app,
        post(
            "/api/v1/progress/by-id-number",
            &kiosk,
            json!({"idNumber": ID_NUMBER}),
            None,
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let found: Vec<&str> = list["applications"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| p["trackingCode"].as_str().expect("a code"))
        .collect();
    assert_eq!(found.len(), 2, "{list}");
    for code in &codes {
        assert!(found.contains(&code.as_str()), "{code} in {found:?}");
    }
    assert!(
        !list.to_string().contains(ID_NUMBER),
        "no ID number in the answer"
    );

    let (s, _, none) = call(
        &app,
        post(
            "/api/v1/progress/by-id-number",
            &kiosk,
            json!({"idNumber": "110105198001010016"}),
            None,
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(none["applications"], json!([]));

    let (s, _, bad) = call(
        &app,
        post(
            "/api/v1/progress/by-id-number",
            &kiosk,
            json!({"idNumber": "123"}),
            None,
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    let (s, _, _) = call(
        &app,
        request(
            "POST",
            "/api/v1/progress/by-id-number",
            None,
            Some(json!({"idNumber": ID_NUMBER})),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "only kiosks may ask");
}

#[tokio::test]
async fn a_booking_is_found_by_its_reference() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let (s, _, slots) = call(
        &app,
        request(
            "GET",
            "/api/v1/appointments/slots?department=minzheng&days=7",
            Some(&kiosk),
            None,
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{slots}");
    let slot = slots["slots"][0]["id"].clone();
    let (s, _, booked) = call(
        &app,
        post(
            "/api/v1/appointments",
            &kiosk,
            json!({"slotId": slot, "name": "王五", "phone": "13700000000"}),
            Some("booking-lookup-1"),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{booked}");
    let reference = booked["reference"].as_str().expect("a reference");

    let (s, _, found) = call(
        &app,
        request(
            "GET",
            &format!("/api/v1/appointments/{reference}"),
            Some(&kiosk),
            None,
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{found}");
    assert_eq!(found["reference"], booked["reference"]);
    assert_eq!(found["slot"]["id"], slot);
    assert!(
        !found.to_string().contains("13700000000"),
        "no phone number in the answer"
    );

    let (s, _, missing) = call(
        &app,
        request(
            "GET",
            "/api/v1/appointments/YY-00000000-0000",
            Some(&kiosk),
            None,
        ),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{missing}");
    assert_eq!(missing["code"], "notFound");
}

#[tokio::test]
async fn look_ups_by_id_number_are_audited_without_the_number_and_limited_per_kiosk() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let k1 = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let k2 = hall.credential(PrincipalKind::Kiosk, "k2").await;
    let per_minute = hall.state.settings.id_lookups_per_minute;
    let routes = [
        "/api/v1/progress/by-id-number",
        "/api/v1/materials/reusable",
    ];
    for i in 0..per_minute {
        let uri = routes[i as usize % 2];
        let (s, _, body) = call(&app, post(uri, &k1, json!({"idNumber": ID_NUMBER}), None)).await;
        assert_eq!(s, StatusCode::OK, "{uri}: {body}");
    }
    let (s, h, body) = call(
        &app,
        post(routes[0], &k1, json!({"idNumber": ID_NUMBER}), None),
    )
    .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["code"], "rateLimited");
    let wait: u64 = h["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Another kiosk has its own budget.
    let (s, _, _) = call(
        &app,
        post(routes[1], &k2, json!({"idNumber": OTHER_ID}), None),
    )
    .await;
    assert_eq!(s, StatusCode::OK);

    let conn = rusqlite::Connection::open(&hall.db).unwrap();
    let rows: Vec<(String, String, Vec<u8>)> = conn
        .prepare("SELECT kiosk_id, route, applicant_key FROM id_lookups ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        rows.len(),
        per_minute as usize + 1,
        "every answered look-up, no refused one"
    );
    assert_eq!(
        rows.iter().filter(|r| r.0 == "k1").count(),
        per_minute as usize
    );
    assert!(rows.iter().any(|r| r.1 == "progress") && rows.iter().any(|r| r.1 == "materials"));
    let key = hall.state.secrets.applicant_key(ID_NUMBER);
    assert!(rows.iter().filter(|r| r.0 == "k1").all(|r| r.2 == key));
    // The number itself is nowhere in the database file.
    drop(conn);
    let file = std::fs::read(&hall.db).unwrap();
    let wal = std::fs::read(hall.db.with_extension("db-wal")).unwrap_or_default();
    for bytes in [file, wal] {
        assert!(!bytes
            .windows(ID_NUMBER.len())
            .any(|w| w == ID_NUMBER.as_bytes()));
    }
}

#[tokio::test]
async fn look_ups_by_applicant_use_the_index() {
    let hall = TestHall::new().await;
    let conn = rusqlite::Connection::open(&hall.db).unwrap();
    let plan: Vec<String> = conn
        .prepare(
            "EXPLAIN QUERY PLAN SELECT id FROM applications WHERE applicant_key = ?1
             ORDER BY received_at DESC, id DESC LIMIT 20",
        )
        .unwrap()
        .query_map([&[0u8; 32][..]], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        plan.iter().any(|p| p.contains("applications_by_applicant")),
        "{plan:?}"
    );
}
