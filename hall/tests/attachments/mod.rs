//! Issue 19 over a real server on loopback (part of the `authorisation` binary): chunked,
//! resumable, per-kiosk uploads sealed at rest; applications that reference them (refused
//! retryably until held); the ID card read as a material; staff opening attachments
//! (audited) and attaching result documents; 自助打印 once per copy, refused for another
//! card; 已有材料 offered with their hashes and reused without uploading again.
#![allow(clippy::unwrap_used)]

mod staff;

use hall::store::PrincipalKind;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::authorisation::common::*;

/// A second made-up ID number with a valid check digit.
pub const OTHER_ID: &str = "110105198001010016";
/// What must never be found in clear in the database files.
pub const MARKER: &str = "HOUSEHOLD-REGISTER-OF-LI-XIUYING";

/// A PDF-looking document of `len` bytes carrying [`MARKER`] throughout; `seed` varies it.
pub fn pdf(len: usize, seed: u8) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut i = 0u32;
    while out.len() < len {
        out.extend_from_slice(format!("{MARKER} page {i} seed {seed}\n").as_bytes());
        i += 1;
    }
    out.truncate(len);
    out
}

pub fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// One PUT of `bytes[start..end]` with its Content-Range.
pub async fn put_chunk(
    base: &str,
    token: &str,
    bytes: &[u8],
    start: usize,
    end: usize,
) -> (StatusCode, Value) {
    let r = client()
        .put(format!("{base}/api/v1/attachments/{}", sha(bytes)))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .header(
            "content-range",
            format!("bytes {start}-{}/{}", end - 1, bytes.len()),
        )
        .body(bytes[start..end].to_vec())
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Uploads whole in chunks of `chunk` bytes; the last answer.
pub async fn upload(base: &str, token: &str, bytes: &[u8], chunk: usize) -> (StatusCode, Value) {
    let mut last = (StatusCode::OK, Value::Null);
    let mut start = 0;
    while start < bytes.len() {
        let end = (start + chunk).min(bytes.len());
        last = put_chunk(base, token, bytes, start, end).await;
        assert!(last.0.is_success(), "{start}: {:?}", last);
        start = end;
    }
    last
}

pub async fn status_of(base: &str, token: &str, hash: &str) -> Value {
    client()
        .get(format!("{base}/api/v1/attachments/{hash}/status"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// POSTs an application; (status, body).
pub async fn apply(base: &str, token: &str, key: &str, body: &Value) -> (StatusCode, Value) {
    let r = client()
        .post(format!("{base}/api/v1/applications"))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// [`application_body`] with the photo scanned as these attachments and the ID card read.
pub fn with_attachments(hashes: &[&str]) -> Value {
    let mut body = application_body();
    body["materials"] = json!([
        {"code": "sfz", "source": "idCardRead"},
        {"code": "photo", "source": "scanned", "pages": 1, "attachments": hashes},
    ]);
    body
}

/// Every byte of the database and its WAL.
fn database_bytes(hall: &TestHall) -> Vec<u8> {
    let mut all = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", hall.db.display());
        if let Ok(b) = std::fs::read(path) {
            all.extend(b);
        }
    }
    all
}

#[tokio::test]
async fn uploads_resume_in_chunks_answer_repeats_alike_and_are_sealed_at_rest() {
    let run = start().await;
    let base = &run.base;
    let kiosk = run.hall.credential(PrincipalKind::Kiosk, "kiosk-a").await;
    let doc = pdf(250 * 1024, 1);
    let hash = sha(&doc);

    let limits: Value = client()
        .get(format!("{base}/api/v1/attachments/limits"))
        .bearer_auth(&kiosk)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(limits["maxPageBytes"], 300 * 1024);
    assert_eq!(limits["maxChunkBytes"], 1024 * 1024);

    // Two chunks, then the connection is "cut": the status tells where to resume.
    let (s, v) = put_chunk(base, &kiosk, &doc, 0, 64 * 1024).await;
    assert_eq!(
        (s, v["received"].as_u64()),
        (StatusCode::OK, Some(65536)),
        "{v}"
    );
    put_chunk(base, &kiosk, &doc, 64 * 1024, 128 * 1024).await;
    let held = status_of(base, &kiosk, &hash).await;
    assert_eq!(held["received"], 128 * 1024);
    assert_eq!(held["total"], 250 * 1024);
    assert_eq!(held["complete"], false);
    // A chunk past what is held is refused with the code to resume by.
    let (s, v) = put_chunk(base, &kiosk, &doc, 192 * 1024, 250 * 1024).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["code"], "attachmentOffset");
    // A chunk already held (its answer was lost) is answered, not stored twice.
    let (s, v) = put_chunk(base, &kiosk, &doc, 0, 64 * 1024).await;
    assert_eq!((s, v["received"].as_u64()), (StatusCode::OK, Some(131072)));
    // An overlapping chunk stores only what is new; the last one completes it.
    put_chunk(base, &kiosk, &doc, 100 * 1024, 200 * 1024).await;
    let (s, v) = put_chunk(base, &kiosk, &doc, 200 * 1024, 250 * 1024).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["complete"], true);
    // The same upload again: the same answer, 200.
    let again = client()
        .put(format!("{base}/api/v1/attachments/{hash}"))
        .bearer_auth(&kiosk)
        .body(doc.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    let v: Value = again.json().await.unwrap();
    assert_eq!(
        (v["complete"].as_bool(), v["received"].as_u64()),
        (Some(true), Some(256000))
    );
    assert_eq!(run.hall.count("attachments"), 1);

    // Bytes that do not hash to the path: refused and discarded.
    let wrong = "0".repeat(64);
    let r = client()
        .put(format!("{base}/api/v1/attachments/{wrong}"))
        .bearer_auth(&kiosk)
        .body(pdf(1000, 2))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "attachmentHashMismatch"
    );
    assert_eq!(status_of(base, &kiosk, &wrong).await["received"], 0);
    // Neither PDF nor JPEG; a JPEG over a page's limit; a PDF over the attachment limit.
    let gif = b"GIF89a-not-a-document".to_vec();
    let r = client()
        .put(format!("{base}/api/v1/attachments/{}", sha(&gif)))
        .bearer_auth(&kiosk)
        .body(gif)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "unsupportedDocument"
    );
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    jpeg.resize(400 * 1024, 7);
    let (s, v) = put_chunk(base, &kiosk, &jpeg, 0, 1024).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert!(v["message"].as_str().unwrap().contains("image/jpeg"), "{v}");
    let r = client()
        .put(format!("{base}/api/v1/attachments/{}", "a".repeat(64)))
        .bearer_auth(&kiosk)
        .header("content-range", "bytes 0-9/9000000")
        .body(pdf(10, 3))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // No credential: nothing.
    let r = client()
        .get(format!("{base}/api/v1/attachments/{hash}/status"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // `hall backup` copies the attachments with the rest, still sealed.
    let copy = run.hall.dir.path().join("backup.db");
    hall::backup::snapshot(&run.hall.db, &copy).unwrap();
    assert!(
        hall::backup::snapshot(&run.hall.db, &copy).is_err(),
        "never overwrites"
    );
    let conn = rusqlite::Connection::open(&copy).unwrap();
    let chunks: i64 = conn
        .query_row("SELECT COUNT(*) FROM attachment_chunks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(chunks, run.hall.count("attachment_chunks"));
    assert!(chunks >= 3);
    let copied = std::fs::read(&copy).unwrap();
    assert!(!copied.windows(MARKER.len()).any(|w| w == MARKER.as_bytes()));

    // At rest: neither the document's text nor its hash is in the database files.
    let raw = database_bytes(&run.hall);
    assert!(raw.len() > 250 * 1024, "the chunks are in the database");
    for needle in [
        MARKER.as_bytes(),
        hash.as_bytes(),
        &Sha256::digest(&doc)[..],
    ] {
        assert!(
            !raw.windows(needle.len()).any(|w| w == needle),
            "found {:?} in clear",
            String::from_utf8_lossy(needle)
        );
    }
}

#[tokio::test]
async fn another_kiosk_cannot_learn_of_or_use_an_upload_and_missing_ones_are_retryable() {
    let run = start().await;
    let base = &run.base;
    let a = run.hall.credential(PrincipalKind::Kiosk, "kiosk-a").await;
    let b = run.hall.credential(PrincipalKind::Kiosk, "kiosk-b").await;
    let doc = pdf(40 * 1024, 4);
    let hash = sha(&doc);

    // Referenced before it is uploaded: 409 attachmentsMissing, naming the hash; retryable.
    let body = with_attachments(&[&hash]);
    let (s, v) = apply(base, &a, "attach-key-1", &body).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "attachmentsMissing");
    assert_eq!(v["fields"][0]["message"], hash.as_str());
    assert_eq!(v["fields"][0]["field"], "materials[1].attachments[0]");
    let code: hall_api::error::ErrorCode = serde_json::from_value(v["code"].clone()).unwrap();
    assert!(code.is_retryable());
    assert_eq!(run.hall.count("applications"), 0);

    upload(base, &a, &doc, 16 * 1024).await;
    // Kiosk B sees nothing of A's upload: the same answer as for a hash nobody sent.
    let seen_by_b = status_of(base, &b, &hash).await;
    let never_sent = status_of(base, &b, &"b".repeat(64)).await;
    assert_eq!(seen_by_b["received"], 0);
    assert_eq!(seen_by_b["complete"], false);
    assert_eq!(
        seen_by_b.as_object().unwrap().len(),
        never_sent.as_object().unwrap().len()
    );
    let (s, v) = apply(base, &b, "attach-key-b", &body).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("attachmentsMissing"))
    );

    // A's retry with the same key is taken in, with the link.
    let (s, v) = apply(base, &a, "attach-key-1", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(run.hall.count("application_attachments"), 1);
    // B uploading the same bytes gets its own copy; both kiosks' answers are complete.
    let (s, _) = upload(base, &b, &doc, 64 * 1024).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(run.hall.count("attachments"), 2);

    // The ID card counts only where the catalog says so.
    let mut wrong = with_attachments(&[&hash]);
    wrong["materials"][1]["source"] = json!("idCardRead");
    wrong["materials"][1]["attachments"] = json!([]);
    let (s, v) = apply(base, &a, "attach-key-2", &wrong).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["fields"][0]["field"], "materials[1].source");
    // Attachments on a material handed in later are refused.
    let mut later = with_attachments(&[&hash]);
    later["materials"][1]["source"] = json!("later");
    let (s, _) = apply(base, &a, "attach-key-3", &later).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}
