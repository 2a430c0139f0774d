//! The staff side over a real server: the application page lists the attachments and the
//! ID card read (masked), each opening is audited, another department is refused; a reviewer
//! attaches a result document after 办结; the kiosk prints it once per copy for the applicant
//! only; 已有材料 offers uploads and result documents by hash for reuse.

use chrono::Utc;
use hall::store::staff::Role;
use hall::store::{PrincipalKind, Store};
use hall_api::application::{Status, TimelineEntry};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::*;

/// A staff member signed in through the form: (session cookie, CSRF token).
async fn sign_in(base: &str, name: &str, password: &str) -> (String, String) {
    let c = client();
    let form = c.get(format!("{base}/staff/login")).send().await.unwrap();
    let nonce_cookie = cookie(&form, "hall_staff_login");
    let nonce = crate::authorisation::staff_pages::csrf_of(&form.text().await.unwrap());
    let done = c
        .post(format!("{base}/staff/login"))
        .header("cookie", &nonce_cookie)
        .form(&[
            ("csrf", nonce.as_str()),
            ("name", name),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let session = cookie(&done, "hall_staff");
    let home = c
        .get(format!("{base}/staff/inbox/new"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    let csrf = crate::authorisation::staff_pages::csrf_of(&home.text().await.unwrap());
    (session, csrf)
}

fn cookie(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            let first = c.split(';').next()?;
            first
                .starts_with(&format!("{name}="))
                .then(|| first.to_owned())
        })
        .expect("cookie")
}

async fn account(hall: &TestHall, name: &str, role: Role, departments: &[String]) -> String {
    let pw = hall::staff::auth::add_account(hall.store.as_ref(), name, role, departments, name)
        .await
        .unwrap()
        .to_string();
    password_chosen(&hall.store, name).await;
    pw
}

async fn page(base: &str, session: &str, path: &str) -> reqwest::Response {
    client()
        .get(format!("{base}{path}"))
        .header("cookie", session)
        .send()
        .await
        .unwrap()
}

fn audit_rows(hall: &TestHall, action: &str) -> Vec<(String, Option<String>)> {
    let conn = rusqlite::Connection::open(&hall.db).unwrap();
    let mut stmt = conn
        .prepare("SELECT staff, detail FROM staff_audit WHERE action = ?1 ORDER BY seq")
        .unwrap();
    stmt.query_map([action], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

async fn conclude(hall: &TestHall, id: &str) {
    for status in [Status::Accepted, Status::Processing, Status::Concluded] {
        let moved = hall
            .store
            .move_status(
                id,
                TimelineEntry {
                    status,
                    at: Utc::now(),
                    note: None,
                },
            )
            .await
            .unwrap();
        assert!(matches!(moved, hall::store::Moved::Done(_)), "{moved:?}");
    }
}

/// A multipart body by hand: (content type, bytes).
fn multipart(fields: &[(&str, &str)], file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----hall-test-boundary-7MA4YWxk";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\ncontent-disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend(
        format!(
            "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"result.pdf\"\r\ncontent-type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend(file);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn printable(base: &str, kiosk: &str, query: Value) -> (StatusCode, Value) {
    let r = client()
        .post(format!("{base}/api/v1/result-documents/printable"))
        .bearer_auth(kiosk)
        .json(&query)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn print(base: &str, kiosk: &str, id: &str, proof: Value) -> reqwest::Response {
    client()
        .post(format!("{base}/api/v1/result-documents/{id}/print"))
        .bearer_auth(kiosk)
        .json(&json!({ "proof": proof }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn staff_open_attachments_audited_attach_results_and_kiosks_print_them_once_per_copy() {
    let run = start().await;
    let (base, hall) = (&run.base, &run.hall);
    let kiosk = hall.credential(PrincipalKind::Kiosk, "kiosk-a").await;
    let (mine, other) = crate::authorisation::staff_pages::departments(hall);
    let pw = account(hall, "shen", Role::Reviewer, &[mine]).await;
    let pw_other = account(hall, "wai", Role::Reviewer, &[other]).await;
    let doc = pdf(90 * 1024, 9);
    upload(base, &kiosk, &doc, 32 * 1024).await;
    let (s, receipt) = apply(
        base,
        &kiosk,
        "staff-files-1",
        &with_attachments(&[&sha(&doc)]),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{receipt}");
    let id = receipt["id"].as_str().unwrap().to_owned();

    // The page lists the file and the ID card read, masked.
    let (session, csrf) = sign_in(base, "shen", &pw).await;
    let html = page(base, &session, &format!("/staff/applications/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("已读取身份证（核验）1101**********002X"),
        "{html}"
    );
    assert!(!html.contains(ID_NUMBER));
    let link = format!("/staff/applications/{id}/attachments/0");
    assert!(html.contains(&link), "{html}");
    assert!(
        html.contains("办结后可上传结果文书"),
        "not concluded yet: no form"
    );

    // Opening it: the bytes, the right type, no caching, and an audit line without content.
    let before = audit_rows(hall, "view-attachment").len();
    let r = page(base, &session, &link).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.bytes().await.unwrap().as_ref(), doc.as_slice());
    let rows = audit_rows(hall, "view-attachment");
    assert_eq!(rows.len(), before + 1);
    assert_eq!(
        rows[before],
        ("shen".to_owned(), Some("photo #1".to_owned()))
    );
    // Another department: refused, nothing served, nothing audited for them.
    let (other_session, _) = sign_in(base, "wai", &pw_other).await;
    let r = page(base, &other_session, &link).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(!r.text().await.unwrap().contains(MARKER));
    assert_eq!(audit_rows(hall, "view-attachment").len(), before + 1);
    // No such file.
    let r = page(
        base,
        &session,
        &format!("/staff/applications/{id}/attachments/7"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // After 办结 the reviewer attaches the result, two copies allowed.
    conclude(hall, &id).await;
    // Larger than the API's 64 KiB body limit: the form takes a PDF up to 8 MiB.
    let result = pdf(700 * 1024, 10);
    let upload_result = |session: String, fields: Vec<(&'static str, String)>, file: Vec<u8>| {
        let base = base.clone();
        let id = id.clone();
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (ct, body) = multipart(&f, &file);
            client()
                .post(format!("{base}/staff/applications/{id}/result-documents"))
                .header("cookie", session)
                .header("content-type", ct)
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    // Without the session's CSRF token, or not a PDF: refused, nothing stored.
    let r = upload_result(
        session.clone(),
        vec![("csrf", "x".into()), ("title", "户籍证明".into())],
        result.clone(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = upload_result(
        session.clone(),
        vec![("csrf", csrf.clone()), ("title", "户籍证明".into())],
        b"GIF89a".to_vec(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(hall.count("result_documents"), 0);
    let r = upload_result(
        session.clone(),
        vec![
            ("csrf", csrf.clone()),
            ("title", "社会保障卡申领结果".into()),
            ("copies", "2".into()),
        ],
        result.clone(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = page(base, &session, &format!("/staff/applications/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("社会保障卡申领结果") && html.contains("0 / 2"),
        "{html}"
    );

    // The kiosk: another card sees nothing and cannot print it.
    let (s, none) = printable(base, &kiosk, json!({"by": "idCard", "idNumber": OTHER_ID})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(none["documents"], json!([]));
    let (_, mine_list) =
        printable(base, &kiosk, json!({"by": "idCard", "idNumber": ID_NUMBER})).await;
    let docs = mine_list["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 1, "{mine_list}");
    assert_eq!(docs[0]["copiesLeft"], 2);
    let doc_id = docs[0]["id"].as_str().unwrap().to_owned();
    let r = print(
        base,
        &kiosk,
        &doc_id,
        json!({"by": "idCard", "idNumber": OTHER_ID}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The applicant's card: copy 1; the receipt: copy 2; then none left.
    let r = print(
        base,
        &kiosk,
        &doc_id,
        json!({"by": "idCard", "idNumber": ID_NUMBER}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.headers()["print-copy"], "1");
    assert_eq!(r.bytes().await.unwrap().as_ref(), result.as_slice());
    let by_receipt = json!({"by": "receipt", "trackingCode": receipt["trackingCode"], "verifier": receipt["verifier"]});
    let r = print(base, &kiosk, &doc_id, by_receipt.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = print(base, &kiosk, &doc_id, by_receipt.clone()).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "copiesUsed");
    // The kiosk's printer ran out of paper on copy 2: it gives the copy back (not with
    // another card's proof), once; the citizen prints it again as copy 3.
    let failed = |proof: Value, copy: u32| {
        client()
            .post(format!(
                "{base}/api/v1/result-documents/{doc_id}/prints/{copy}/failed"
            ))
            .bearer_auth(&kiosk)
            .json(&json!({"proof": proof, "failure": "paperOut"}))
            .send()
    };
    let other = json!({"by": "idCard", "idNumber": OTHER_ID});
    assert_eq!(
        failed(other, 2).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let r = failed(by_receipt.clone(), 2).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["copiesLeft"], 1);
    let again = failed(by_receipt.clone(), 2).await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND, "given back once");
    let (_, one_left) = printable(base, &kiosk, by_receipt.clone()).await;
    assert_eq!(one_left["documents"][0]["copiesLeft"], 1, "{one_left}");
    let r = print(base, &kiosk, &doc_id, by_receipt.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["print-copy"], "3");
    let r = print(base, &kiosk, &doc_id, by_receipt.clone()).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let (_, left) = printable(base, &kiosk, by_receipt).await;
    assert_eq!(left["documents"], json!([]));
    // A wrong verifier is the progress query's 404.
    let wrong =
        json!({"by": "receipt", "trackingCode": receipt["trackingCode"], "verifier": "WRONG123"});
    assert_eq!(
        printable(base, &kiosk, wrong).await.0,
        StatusCode::NOT_FOUND
    );
    // Staff see both prints with the kiosk.
    let html = page(base, &session, &format!("/staff/applications/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("2 / 2") && html.matches("自助机 kiosk-a").count() >= 3,
        "{html}"
    );
    assert!(
        html.contains("未打印出（打印机缺纸），份数已退回"),
        "{html}"
    );

    // 已有材料: the result document is offered by its hash.
    let reusable: Value = client()
        .post(format!("{base}/api/v1/materials/reusable"))
        .bearer_auth(&kiosk)
        .json(&json!({"idNumber": ID_NUMBER}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        reusable["documents"][0]["sha256"],
        sha(&result).as_str(),
        "{reusable}"
    );
    assert_eq!(reusable["documents"][0]["title"], "社会保障卡申领结果");
}

/// 居民身份证换领 with the household register photographed.
fn hukou_application(id_number: &str, name: &str, source: &str, hashes: &[&str]) -> Value {
    json!({
        "subject": {"type": "item", "code": "QR-000172-001"},
        "catalogVersion": "2024.05-seed.1",
        "applicant": {"idNumber": id_number, "name": name},
        "fields": {
            "applicantName": name,
            "applicantIdNumber": id_number,
            "phone": "13812345678",
            "reason": "expired",
            "declaration": true
        },
        "materials": [
            {"code": "sfz", "source": "idCardRead"},
            {"code": "hukoubu", "source": source, "pages": 3, "attachments": hashes}
        ],
        "delivery": {"method": "pickUp"},
        "submittedAt": "2024-05-06T01:02:03Z"
    })
}

#[tokio::test]
async fn an_earlier_upload_is_offered_and_reused_by_the_same_citizen_only() {
    let run = start().await;
    let (base, hall) = (&run.base, &run.hall);
    let a = hall.credential(PrincipalKind::Kiosk, "kiosk-a").await;
    let b = hall.credential(PrincipalKind::Kiosk, "kiosk-b").await;
    let register = pdf(120 * 1024, 20);
    let hash = sha(&register);
    upload(base, &a, &register, 64 * 1024).await;
    let (s, v) = apply(
        base,
        &a,
        "hukou-first",
        &hukou_application(ID_NUMBER, "张三", "scanned", &[&hash]),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    // At another kiosk, the same citizen is offered the register with its hash.
    let offered: Value = client()
        .post(format!("{base}/api/v1/materials/reusable"))
        .bearer_auth(&b)
        .json(&json!({"idNumber": ID_NUMBER}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let hukou = offered["materials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == "hukoubu")
        .unwrap_or_else(|| panic!("{offered}"));
    assert_eq!(hukou["attachments"], json!([hash]));
    assert!(hukou["validUntil"].is_string());
    // Another citizen is offered nothing, and cannot reference it.
    let (s, v) = apply(
        base,
        &b,
        "hukou-other",
        &hukou_application(OTHER_ID, "李四", "reused", &[&hash]),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["fields"][0]["field"], "materials[1].attachments[0]");
    // The same citizen references it from kiosk B without uploading again.
    let (s, v) = apply(
        base,
        &b,
        "hukou-reuse",
        &hukou_application(ID_NUMBER, "张三", "reused", &[&hash]),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(hall.count("attachments"), 1, "nothing uploaded again");
    let conn = rusqlite::Connection::open(&hall.db).unwrap();
    let reused: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM application_attachments WHERE reused = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(reused, 1);
    // As a scan from B (not B's upload) it is missing: B cannot pass it off as its own.
    let (s, v) = apply(
        base,
        &b,
        "hukou-scan-b",
        &hukou_application(ID_NUMBER, "张三", "scanned", &[&hash]),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("attachmentsMissing"))
    );
}
