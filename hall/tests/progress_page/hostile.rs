//! The progress page under attack: unknown codes and wrong verifiers told apart by nothing,
//! the guessing limiter, hostile addresses and forms, cross-site posts, and logs free of
//! personal data and verifiers.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use super::*;
#[tokio::test]
async fn an_unknown_code_and_a_wrong_verifier_get_the_same_page_and_the_limiter_applies() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let r = submit(&app, &kiosk, "progress-page-0004", false).await;
    let wrong_verifier = page(&app, &format!("/progress?c={}&v=AAAAAAAA", r.code)).await;
    let unknown_code = page(&app, "/progress?c=240101-AAAA-AAAA&v=AAAAAAAA").await;
    assert_eq!(wrong_verifier.0, StatusCode::NOT_FOUND);
    assert_eq!(wrong_verifier.0, unknown_code.0);
    assert_eq!(
        wrong_verifier.2, unknown_code.2,
        "the same page, byte for byte"
    );
    assert!(wrong_verifier.2.contains("未找到该办件"));
    assert_page_headers(&wrong_verifier.1);
    // The API's answer for the same pair: the same 404.
    let (s, _, _) = call(
        &app,
        request(
            "POST",
            "/api/v1/progress",
            None,
            Some(json!({"trackingCode": r.code, "verifier": "AAAAAAAA"})),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The tracking code is now locked after PER_CODE failures, for the page and the API.
    for _ in 0..hall::limiter::PER_CODE {
        page(&app, &format!("/progress?c={}&v=BBBBBBBB", r.code)).await;
    }
    let (s, h, html) = page(&app, &r.url()).await;
    assert_eq!(
        s,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right verifier waits"
    );
    assert!(h.contains_key("retry-after") && html.contains("尝试次数过多"));
    let (s, _, _) = call(
        &app,
        request(
            "POST",
            "/api/v1/progress",
            None,
            Some(json!({"trackingCode": r.code, "verifier": r.verifier})),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn hostile_input_gets_a_clear_page_and_writes_nothing() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let staff = hall.credential(PrincipalKind::Staff, "clerk").await;
    let r = submit(&app, &kiosk, "progress-page-0005", false).await;
    for to in ["accepted", "processing", "concluded"] {
        move_to(&app, &staff, &r, to, None).await;
    }
    let long = "A".repeat(10_000);
    let many = vec!["x=1"; 100].join("&");
    for (uri, status, words) in [
        ("/progress".to_owned(), 400, "缺少办件编号或查询码"),
        (
            "/progress?c=240506-ABCD-EFGH".to_owned(),
            400,
            "缺少办件编号或查询码",
        ),
        ("/progress?c=%zz&v=1".to_owned(), 400, "二维码内容有误"),
        ("/progress?c=%FF%FE&v=1".to_owned(), 400, "二维码内容有误"),
        (
            "/progress?c=%3Cscript%3Ealert(1)%3C/script%3E&v=1".to_owned(),
            400,
            "二维码内容有误",
        ),
        (format!("/progress?c={long}&v=1"), 400, "二维码内容有误"),
        (format!("/progress?{many}"), 400, "二维码内容有误"),
        (
            "/progress?c=%E4%B8%AD%E6%96%87&v=%00".to_owned(),
            400,
            "二维码内容有误",
        ),
        (
            "/progress?c=240506-ABCD-EFGH&v=AAAAAAAA&lang=%3Cb%3E".to_owned(),
            404,
            "未找到该办件",
        ),
        (
            "/progress?c=240506-ABCD-EFGH&v=AAAAAAAA&lang=en".to_owned(),
            404,
            "Application not found",
        ),
    ] {
        let (s, h, html) = page(&app, &uri).await;
        assert_eq!(s.as_u16(), status, "{uri:.80}");
        assert_eq!(h["content-type"], "text/html; charset=utf-8", "{uri:.80}");
        assert!(html.contains(words), "{uri:.80}: {html}");
        assert!(
            !html.contains("<script") && !html.contains("<b>"),
            "{uri:.80}"
        );
    }
    let before = hall.written();
    let form = |rest: &str| rating_form(&r, rest);
    let cases: Vec<(&str, Request<Body>, u16, &str)> = vec![
        (
            "cross-site",
            form_post(&form("level=5"), Some("cross-site")),
            403,
            "请从办件进度页面提交评价",
        ),
        (
            "same-site",
            form_post(&form("level=5"), Some("same-site")),
            403,
            "请从办件进度页面提交评价",
        ),
        (
            "foreign origin",
            {
                let mut req = form_post(&form("level=5"), None);
                req.headers_mut()
                    .insert("origin", "https://evil.example".parse().expect("header"));
                req
            },
            403,
            "请从办件进度页面提交评价",
        ),
        (
            "null origin",
            {
                let mut req = form_post(&form("level=5"), None);
                req.headers_mut()
                    .insert("origin", "null".parse().expect("header"));
                req
            },
            403,
            "请从办件进度页面提交评价",
        ),
        (
            "json body",
            {
                let mut req = form_post(&form("level=5"), Some("same-origin"));
                req.headers_mut()
                    .insert("content-type", "application/json".parse().expect("header"));
                req
            },
            400,
            "提交的内容有误",
        ),
        (
            "not UTF-8",
            {
                let mut req = form_post("", Some("same-origin"));
                *req.body_mut() = Body::from(vec![b'c', b'=', 0xff, 0xfe]);
                req
            },
            400,
            "提交的内容有误",
        ),
        (
            "too large",
            form_post(
                &form(&format!("level=5&comment={}", "A".repeat(70_000))),
                Some("same-origin"),
            ),
            413,
            "提交的内容有误",
        ),
        (
            "no codes",
            form_post("level=5", Some("same-origin")),
            400,
            "缺少办件编号或查询码",
        ),
        (
            "wrong verifier",
            form_post(
                &format!("c={}&v=AAAAAAAA&level=5", r.code),
                Some("same-origin"),
            ),
            404,
            "未找到该办件",
        ),
        (
            "no level",
            form_post(&form(""), Some("same-origin")),
            422,
            "请选择评价等级",
        ),
        (
            "level 9",
            form_post(&form("level=9"), Some("same-origin")),
            422,
            "评价等级有误",
        ),
        (
            "level text",
            form_post(&form("level=%3Cb%3E"), Some("same-origin")),
            422,
            "评价等级有误",
        ),
        (
            "unknown reason",
            form_post(&form("level=1&reason=%3Cb%3E"), Some("same-origin")),
            422,
            "原因选项有误",
        ),
        (
            "comment too long",
            form_post(
                &form(&format!("level=4&comment={}", "长".repeat(301))),
                Some("same-origin"),
            ),
            422,
            "意见最多300个字",
        ),
    ];
    for (name, req, status, words) in cases {
        let (s, h, html) = text(&app, req).await;
        assert_eq!(s.as_u16(), status, "{name}: {html:.400}");
        assert_eq!(h["content-type"], "text/html; charset=utf-8", "{name}");
        assert!(html.contains(words), "{name}: {html}");
        assert!(!html.contains("<b>"), "{name}");
        assert_eq!(hall.written(), before, "{name} wrote something");
    }
    // A form posted by a browser from the page itself, and by a client that sends neither
    // header (it holds the receipt's codes, which is what the API asks for too).
    let mut from_page = form_post(&form("level=5"), None);
    from_page.headers_mut().insert(
        "origin",
        "https://hall.example.gov.cn".parse().expect("header"),
    );
    assert_eq!(text(&app, from_page).await.0, StatusCode::SEE_OTHER);
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_page_and_its_rating_leave_no_personal_data_or_verifier_in_the_logs() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let staff = hall.credential(PrincipalKind::Staff, "clerk").await;
    let r = submit(&app, &kiosk, "progress-page-0006", true).await;
    for to in ["accepted", "processing", "concluded"] {
        move_to(&app, &staff, &r, to, None).await;
    }
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    {
        let _guard = tracing::subscriber::set_default(subscriber);
        let (s, _, _) = page(&app, &r.url()).await;
        assert_eq!(s, StatusCode::OK);
        let comment = "我是王小明，电话13912345678，身份证11010519491231002X";
        let (s, _, _) = text(
            &app,
            form_post(
                &rating_form(
                    &r,
                    &format!("level=1&reason=other&comment={}", encode(comment)),
                ),
                Some("same-origin"),
            ),
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
    }
    let logs = String::from_utf8(logs.0.lock().expect("logs").clone()).expect("UTF-8 logs");
    assert!(logs.contains("path=/progress"), "spans are logged: {logs}");
    assert!(logs.contains("rated") && logs.contains(&r.id), "{logs}");
    for secret in [
        r.verifier.as_str(),
        "王小明",
        "13912345678",
        ID_NUMBER,
        "张三",
    ] {
        assert!(!logs.contains(secret), "{secret:?} in the logs: {logs}");
    }
    // The comment is sealed, not stored in clear.
    for file in ["hall.db", "hall.db-wal"] {
        let raw = std::fs::read(hall.dir.path().join(file)).unwrap_or_default();
        assert!(
            !raw.windows("王小明".len())
                .any(|w| w == "王小明".as_bytes()),
            "{file}"
        );
    }
}

fn encode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}
