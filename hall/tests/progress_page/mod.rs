//! The receipt QR's progress page (`GET /progress`) and its 好差评 form
//! (`POST /progress`), in-process: every stage, 补正 and 不予受理, one rating and a
//! refused second; `hostile.rs`: unknown and wrong codes indistinguishable, hostile input,
//! clean logs.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

use crate::router::common::*;
use hall::store::PrincipalKind;

mod hostile;

/// What the kiosk printed: the receipt's two codes, and the id staff use.
struct Receipt {
    code: String,
    verifier: String,
    id: String,
}

impl Receipt {
    fn url(&self) -> String {
        format!("/progress?c={}&v={}", self.code, self.verifier)
    }

    /// The page's links and redirects: relative, so a path prefix added by a proxy stays.
    fn link(&self) -> String {
        self.url()[1..].to_owned()
    }
}

async fn submit(app: &Router, kiosk: &str, key: &str, mail: bool) -> Receipt {
    let mut body = application_body();
    if !mail {
        body["delivery"] = json!({"method": "pickUp"});
    }
    let mut req = request("POST", "/api/v1/applications", Some(kiosk), Some(body));
    req.headers_mut()
        .insert("idempotency-key", key.parse().expect("header"));
    let (s, _, r) = call(app, req).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    Receipt {
        code: r["trackingCode"].as_str().expect("code").to_owned(),
        verifier: r["verifier"].as_str().expect("verifier").to_owned(),
        id: r["id"].as_str().expect("id").to_owned(),
    }
}

async fn move_to(app: &Router, staff: &str, r: &Receipt, to: &str, note: Option<&str>) {
    let (s, _, body) = call(
        app,
        request(
            "POST",
            &format!("/api/v1/applications/{}/status", r.id),
            Some(staff),
            Some(json!({"to": to, "note": note})),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "move to {to}: {body}");
}

async fn text(app: &Router, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let resp = app.clone().oneshot(req).await.expect("infallible router");
    let (parts, body) = resp.into_parts();
    let bytes = body.collect().await.expect("body").to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8(bytes.to_vec()).expect("UTF-8 page"),
    )
}

async fn page(app: &Router, uri: &str) -> (StatusCode, HeaderMap, String) {
    let req = Request::builder()
        .uri(uri)
        .body(Body::empty())
        .expect("request");
    text(app, req).await
}

fn form_post(form: &str, site: Option<&str>) -> Request<Body> {
    let mut b = Request::builder()
        .method("POST")
        .uri("/progress")
        .header("host", "hall.example.gov.cn")
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(site) = site {
        b = b.header("sec-fetch-site", site);
    }
    b.body(Body::from(form.to_owned())).expect("request")
}

fn rating_form(r: &Receipt, rest: &str) -> String {
    format!("c={}&v={}&{rest}", r.code, r.verifier)
}

/// The `<li>` of a timeline step, by its label.
fn step_class<'a>(html: &'a str, label: &str) -> &'a str {
    let at = html
        .find(&format!("<span class=\"step\">{label}</span>"))
        .unwrap_or_else(|| panic!("no step {label}"));
    let li = html[..at].rfind("<li class=\"").expect("li") + "<li class=\"".len();
    &html[li..li + html[li..].find('"').expect("class end")]
}

fn assert_page_headers(h: &HeaderMap) {
    assert_eq!(h["content-type"], "text/html; charset=utf-8");
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["referrer-policy"], "no-referrer");
    let csp = h["content-security-policy"].to_str().expect("csp");
    assert!(
        csp.starts_with("default-src 'none'; style-src 'sha256-"),
        "{csp}"
    );
    assert!(
        csp.contains("form-action 'self'") && !csp.contains("unsafe"),
        "{csp}"
    );
}

#[tokio::test]
async fn the_page_follows_the_application_through_every_stage_and_takes_one_rating() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let staff = hall.credential(PrincipalKind::Staff, "clerk").await;
    let r = submit(&app, &kiosk, "progress-page-0001", false).await;

    let (s, h, html) = page(&app, &r.url()).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert_page_headers(&h);
    assert!(html.contains("社会保障卡申领") && html.contains(&r.code));
    // The applicant only as the receipt prints it.
    assert!(html.contains("张*  1101**********002X"), "{html}");
    assert!(!html.contains("张三") && !html.contains(ID_NUMBER));
    assert!(!html.contains("<script"));
    assert_eq!(step_class(&html, "已提交"), "current");
    assert_eq!(step_class(&html, "受理"), "todo");
    assert!(
        html.contains("县人力资源和社会保障局 · C区 17-19号窗口"),
        "pick-up window"
    );
    assert!(html.contains("承诺办结日期"));
    assert!(!html.contains("<form"), "no rating before it is done");
    assert!(html.contains(&format!(
        "href=\"{}&amp;lang=en\"",
        r.link().replace('&', "&amp;")
    )));

    for (to, label) in [("accepted", "受理"), ("processing", "承办")] {
        move_to(&app, &staff, &r, to, None).await;
        let (_, _, html) = page(&app, &r.url()).await;
        assert_eq!(step_class(&html, label), "current", "{to}");
        assert_eq!(step_class(&html, "已提交"), "done");
        assert_eq!(step_class(&html, "办结"), "todo");
        assert!(!html.contains("<form"), "{to}");
    }
    // Rating before the end is refused and writes nothing.
    let (s, _, html) = text(
        &app,
        form_post(&rating_form(&r, "level=5"), Some("same-origin")),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("办结后才能评价"));
    assert_eq!(hall.count("ratings"), 0);

    move_to(
        &app,
        &staff,
        &r,
        "concluded",
        Some("请于工作日到窗口领取社保卡"),
    )
    .await;
    let (_, _, html) = page(&app, &r.url()).await;
    assert_eq!(step_class(&html, "办结"), "current");
    assert!(html.contains("action=\"progress\"") && html.contains("请于工作日到窗口领取社保卡"));
    assert!(
        html.contains("href=\"#rating\"") && html.contains("id=\"rating\""),
        "a jump to the form"
    );
    for level in ["非常满意", "满意", "基本满意", "不满意", "非常不满意"] {
        assert!(html.contains(&format!(">{level}</label>")), "{level}");
    }
    for reason in [
        "办事指南不清晰",
        "材料繁琐、重复提交",
        "多次跑动",
        "办理时间长",
        "设备操作不便",
        "设备故障",
        "服务态度差",
        "其他",
    ] {
        assert!(html.contains(reason), "{reason}");
    }
    // The form carries the codes (no session) and the language.
    assert!(html.contains(&format!("name=\"v\" value=\"{}\"", r.verifier)));

    // A 差评 without a reason: the form again with the message, nothing written.
    let (s, _, html) = text(
        &app,
        form_post(
            &rating_form(&r, "level=2&comment=%E5%A4%AA%E6%85%A2"),
            Some("same-origin"),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请选择不满意的原因") && html.contains(">太慢</textarea>"));
    assert!(html.contains("value=\"2\" required checked"));
    assert_eq!(hall.count("ratings"), 0);

    let (s, h, _) = text(
        &app,
        form_post(
            &rating_form(
                &r,
                "level=2&reason=tooSlow&reason=repeatedTrips&comment=%E5%A4%AA%E6%85%A2",
            ),
            Some("same-origin"),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], r.link().as_str());
    assert_eq!(hall.count("ratings"), 1);
    let conn = rusqlite::Connection::open(&hall.db).expect("db");
    let (level, reasons, kiosk_id): (u8, String, Option<String>) = conn
        .query_row("SELECT level, reasons, kiosk_id FROM ratings", [], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .expect("the rating");
    assert_eq!((level, kiosk_id), (2, None));
    assert_eq!(reasons, r#"["tooSlow","repeatedTrips"]"#);

    let (_, _, html) = page(&app, &r.url()).await;
    assert!(html.contains("您已评价") && !html.contains("<form"));
    assert!(html.contains(">已评价</span>") && !html.contains("href=\"#rating\""));
    // A second rating, same or different, is refused with a clear message.
    for second in [
        "level=5",
        "level=2&reason=tooSlow&reason=repeatedTrips&comment=%E5%A4%AA%E6%85%A2",
    ] {
        let (s, _, html) = text(
            &app,
            form_post(&rating_form(&r, second), Some("same-origin")),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{second}");
        assert!(
            html.contains("该办件已评价过，每件只能评价一次"),
            "{second}"
        );
    }
    // And through the kiosk's API too: one rating per application.
    let (s, _, body) = call(
        &app,
        request(
            "POST",
            "/api/v1/ratings",
            None,
            Some(json!({"trackingCode": r.code, "verifier": r.verifier, "level": 5})),
        ),
    )
    .await;
    assert_eq!(
        (s, body["code"].clone()),
        (StatusCode::CONFLICT, json!("alreadyRated"))
    );
    assert_eq!(hall.count("ratings"), 1);

    for (to, label) in [("feedback", "反馈"), ("revisited", "回访")] {
        move_to(&app, &staff, &r, to, None).await;
        let (_, _, html) = page(&app, &r.url()).await;
        assert_eq!(step_class(&html, label), "current", "{to}");
        assert_eq!(step_class(&html, "办结"), "done", "{to}");
    }
}

#[tokio::test]
async fn english_is_a_switch_that_every_link_and_the_form_keep() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let staff = hall.credential(PrincipalKind::Staff, "clerk").await;
    let r = submit(&app, &kiosk, "progress-page-0002", true).await;
    for to in ["accepted", "processing"] {
        move_to(&app, &staff, &r, to, None).await;
    }
    move_to(&app, &staff, &r, "concluded", Some("EMS 1190 2233 4455")).await;
    let (s, _, html) = page(&app, &format!("{}&lang=en", r.url())).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<html lang=\"en\">") && html.contains("Promised by"));
    assert!(html.contains("Very dissatisfied") && html.contains("Submit rating"));
    assert!(html.contains("name=\"lang\" value=\"en\""));
    assert!(html.contains(&format!(
        "href=\"{}\" lang=\"zh-CN\">中文</a>",
        r.link().replace('&', "&amp;")
    )));
    // Mailed: the waybill staff recorded at 办结.
    assert!(html.contains("id=\"waybill\"") && html.contains("EMS 1190 2233 4455"));
    let (s, h, _) = text(
        &app,
        form_post(
            &rating_form(&r, "lang=en&level=4&reason=tooSlow"),
            Some("same-origin"),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], format!("{}&lang=en", r.link()).as_str());
    let conn = rusqlite::Connection::open(&hall.db).expect("db");
    let reasons: String = conn
        .query_row("SELECT reasons FROM ratings", [], |row| row.get(0))
        .expect("the rating");
    assert_eq!(reasons, "[]", "reasons left ticked count only for a 差评");
    let (_, _, html) = page(&app, &format!("{}&lang=en", r.url())).await;
    assert!(html.contains("Rated. Thank you"));
}

#[tokio::test]
async fn correction_and_refusal_say_what_to_bring_where_and_why() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let staff = hall.credential(PrincipalKind::Staff, "clerk").await;
    let r = submit(&app, &kiosk, "progress-page-0003", false).await;
    move_to(&app, &staff, &r, "accepted", None).await;
    move_to(
        &app,
        &staff,
        &r,
        "correctionRequired",
        Some("照片不符合要求，请补交白底免冠照片<1张>"),
    )
    .await;
    let (s, _, html) = page(&app, &r.url()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"correction\""));
    assert!(
        html.contains("照片不符合要求，请补交白底免冠照片&lt;1张&gt;"),
        "escaped note"
    );
    assert!(html.contains("县人力资源和社会保障局 · C区 17-19号窗口"));
    assert_eq!(step_class(&html, "补正"), "fix");
    assert_eq!(step_class(&html, "受理"), "done");
    assert_eq!(step_class(&html, "承办"), "todo");
    assert!(!html.contains("<form"));

    move_to(&app, &staff, &r, "rejected", Some("不符合首次申领条件")).await;
    let (_, _, html) = page(&app, &r.url()).await;
    assert!(html.contains("id=\"rejection\"") && html.contains("不符合首次申领条件"));
    assert_eq!(step_class(&html, "不予受理"), "stop");
    assert!(
        !html.contains("<span class=\"step\">承办</span>"),
        "the timeline stops there"
    );
    assert!(!html.contains("id=\"delivery\""), "nothing to collect");
    assert!(
        html.contains("action=\"progress\""),
        "a refusal can be rated"
    );
}

#[tokio::test]
async fn staff_notes_reach_the_phone_without_an_id_number_or_the_full_name() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let staff = hall.credential(PrincipalKind::Staff, "clerk").await;
    let r = submit(&app, &kiosk, "progress-page-0009", false).await;
    move_to(&app, &staff, &r, "accepted", None).await;
    // Staff typed the applicant's name and number into the note, as people do.
    move_to(
        &app,
        &staff,
        &r,
        "correctionRequired",
        Some(&format!("张三（{ID_NUMBER}）的照片不清晰，请补交")),
    )
    .await;
    let (s, _, html) = page(&app, &r.url()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("照片不清晰，请补交"), "the note is shown");
    assert!(!html.contains(ID_NUMBER), "no ID number on the phone page");
    assert!(!html.contains("张三"), "no full name on the phone page");
    assert!(html.contains("张*"), "the masked name instead");
}
