//! The receipt QR's progress page on a phone-sized headless Chromium (360×740, one WebDriver
//! session): one application per stage on a real server, each page's DOM checked as the
//! browser built it, axe-core run on it (no serious or critical WCAG 2.1 AA violation), and a
//! screenshot per stage left in the target tmp dir (`progress-*.png`) for a person to look at.
//! Each screenshot must be 360 px wide with nothing drawn into the side margins (text that
//! overflows its card would be).

mod withdrawn;

use std::path::Path;

use serde_json::json;

use crate::dashboard_chromium::common::*;
use hall::store::PrincipalKind;

struct Page {
    name: &'static str,
    url: String,
    /// Strings the browser's DOM must hold.
    expect: Vec<String>,
    /// Window height of the screenshot (740, or taller to see a whole form).
    height: u32,
}

async fn submit(
    http: &reqwest::Client,
    base: &str,
    kiosk: &str,
    key: &str,
    mail: bool,
) -> (String, String) {
    let mut body = application_body();
    if !mail {
        body["delivery"] = json!({"method": "pickUp"});
    }
    let r: serde_json::Value = http
        .post(format!("{base}/api/v1/applications"))
        .bearer_auth(kiosk)
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .expect("submit")
        .json()
        .await
        .expect("receipt");
    let url = format!(
        "{base}/progress?c={}&v={}",
        r["trackingCode"].as_str().expect("code"),
        r["verifier"].as_str().expect("verifier")
    );
    (r["id"].as_str().expect("id").to_owned(), url)
}

async fn moves(
    http: &reqwest::Client,
    base: &str,
    staff: &str,
    id: &str,
    steps: &[(&str, Option<&str>)],
) {
    for (to, note) in steps {
        let s = http
            .post(format!("{base}/api/v1/applications/{id}/status"))
            .bearer_auth(staff)
            .json(&json!({"to": to, "note": note}))
            .send()
            .await
            .expect("move")
            .status();
        assert_eq!(s, 200, "move to {to}");
    }
}

/// Decodes a screenshot: (width, height, RGB rows).
fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<[u8; 3]>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes))
        .read_info()
        .expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let step = match info.color_type {
        png::ColorType::Rgba => 4,
        png::ColorType::Rgb => 3,
        other => panic!("unexpected colour type {other:?}"),
    };
    let pixels = buf[..info.buffer_size()]
        .chunks(step)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    (info.width, info.height, pixels)
}

/// Every pixel of the outer 8 px on both sides is page or header background.
fn margins_clear(name: &str, width: u32, height: u32, pixels: &[[u8; 3]]) {
    const BACKGROUNDS: [[u8; 3]; 2] = [[0xf5, 0xf6, 0xf4], [0x23, 0x45, 0x4f]];
    let near = |a: [u8; 3], b: [u8; 3]| a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 6);
    for y in 0..height {
        for x in (0..8).chain(width - 8..width) {
            let p = pixels[(y * width + x) as usize];
            assert!(
                BACKGROUNDS.iter().any(|b| near(p, *b)),
                "{name}: something drawn into the margin at ({x}, {y}): {p:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_progress_page_renders_every_stage_on_a_phone_screen() {
    let running = start().await;
    let base = running.base.clone();
    let kiosk = running
        .hall
        .credential(PrincipalKind::Kiosk, "zizhu-01")
        .await;
    let staff = running.hall.credential(PrincipalKind::Staff, "clerk").await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut pages = Vec::new();

    let (_, url) = submit(&http, &base, &kiosk, "chromium-progress-1", false).await;
    // The same code with another verifier: the not-found page.
    let (kept, last) = url.split_at(url.len() - 1);
    let wrong = format!("{kept}{}", if last == "A" { "B" } else { "A" });
    pages.push(Page {
        name: "not-found",
        url: wrong,
        expect: vec!["id=\"message\"".into()],
        height: 740,
    });
    pages.push(Page {
        name: "submitted",
        url,
        expect: vec![
            "已提交，等待窗口工作人员受理".into(),
            "C区 17-19号窗口".into(),
        ],
        height: 740,
    });

    let (id, url) = submit(&http, &base, &kiosk, "chromium-progress-7", false).await;
    moves(&http, &base, &staff, &id, &[("accepted", None)]).await;
    pages.push(Page {
        name: "accepted",
        url,
        expect: vec![
            "已受理，正在转交承办部门".into(),
            "<li class=\"current\"><span class=\"step\">受理</span>".into(),
        ],
        height: 740,
    });

    let (id, url) = submit(&http, &base, &kiosk, "chromium-progress-2", false).await;
    moves(
        &http,
        &base,
        &staff,
        &id,
        &[("accepted", None), ("processing", None)],
    )
    .await;
    pages.push(Page {
        name: "processing",
        url,
        expect: vec![
            "承办部门正在办理".into(),
            "<li class=\"current\"><span class=\"step\">承办</span>".into(),
        ],
        height: 740,
    });

    let (id, url) = submit(&http, &base, &kiosk, "chromium-progress-3", false).await;
    moves(
        &http,
        &base,
        &staff,
        &id,
        &[
            ("accepted", None),
            (
                "correctionRequired",
                Some("照片不符合要求：请补交近期白底免冠证件照1张（数码回执）"),
            ),
        ],
    )
    .await;
    pages.push(Page {
        name: "correction",
        url,
        expect: vec![
            "需要补正".into(),
            "<li class=\"fix\"><span class=\"step\">补正</span>".into(),
        ],
        height: 740,
    });

    let (id, url) = submit(&http, &base, &kiosk, "chromium-progress-4", false).await;
    moves(
        &http,
        &base,
        &staff,
        &id,
        &[("rejected", Some("已持有有效社会保障卡，不符合首次申领条件"))],
    )
    .await;
    pages.push(Page {
        name: "rejected",
        url,
        expect: vec!["不予受理的原因".into(), "<li class=\"stop\">".into()],
        height: 740,
    });

    let (id, url) = submit(&http, &base, &kiosk, "chromium-progress-5", true).await;
    moves(
        &http,
        &base,
        &staff,
        &id,
        &[
            ("accepted", None),
            ("processing", None),
            ("concluded", Some("已交邮政EMS寄出，运单号 1190223344556")),
        ],
    )
    .await;
    pages.push(Page {
        name: "done-rating-form",
        url: url.clone(),
        expect: vec![
            "action=\"progress\"".into(),
            "运单号 1190223344556".into(),
            "非常不满意".into(),
        ],
        height: 740,
    });
    pages.push(Page {
        name: "done-rating-form-full",
        url: url.clone(),
        expect: vec!["提交评价".into()],
        height: 2400,
    });
    pages.push(Page {
        name: "done-english",
        url: format!("{url}&lang=en"),
        expect: vec![
            "Rate this service".into(),
            "Very dissatisfied".into(),
            "<html lang=\"en\"".into(),
            "<p class=\"item\" lang=\"zh-CN\">社会保障卡申领</p>".into(),
        ],
        height: 740,
    });

    let (id, url) = submit(&http, &base, &kiosk, "chromium-progress-8", false).await;
    moves(
        &http,
        &base,
        &staff,
        &id,
        &[
            ("accepted", None),
            ("processing", None),
            ("concluded", Some("准予办理，请到窗口领取")),
            ("feedback", Some("结果已当面交付申请人")),
        ],
    )
    .await;
    pages.push(Page {
        name: "feedback",
        url,
        expect: vec![
            "办理结果已告知或送达".into(),
            "<li class=\"current\"><span class=\"step\">反馈</span>".into(),
            "结果已当面交付申请人".into(),
            // Done and not rated: the form is offered.
            "action=\"progress\"".into(),
        ],
        height: 740,
    });

    let (id, url) = submit(&http, &base, &kiosk, "chromium-progress-6", false).await;
    moves(
        &http,
        &base,
        &staff,
        &id,
        &[
            ("accepted", None),
            ("processing", None),
            ("concluded", None),
            ("feedback", None),
            ("revisited", None),
        ],
    )
    .await;
    let (code, verifier) = {
        let q = url.split_once('?').expect("query").1;
        let mut it = q.split('&').map(|p| p.split_once('=').expect("pair").1);
        (
            it.next().expect("c").to_owned(),
            it.next().expect("v").to_owned(),
        )
    };
    let rated = http
        .post(format!("{base}/progress"))
        .header("origin", &base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("c={code}&v={verifier}&level=5"))
        .send()
        .await
        .expect("rate");
    assert_eq!(rated.status(), 303);
    pages.push(Page {
        name: "rated",
        url,
        expect: vec![
            "您已评价，感谢您的反馈！".into(),
            "<li class=\"current\"><span class=\"step\">回访</span>".into(),
        ],
        height: 740,
    });

    // One browser for every page: the DOM as the browser built it, axe-core, a screenshot.
    let drv = crate::dashboard_chromium::workbench::driver().await;
    let profile = tempfile::tempdir().expect("profile");
    let c = crate::dashboard_chromium::workbench::browser(&drv, profile.path()).await;
    let mut failures = Vec::new();
    for page in pages {
        crate::dashboard_chromium::workbench::emulate_phone(&drv, &c, 360, page.height).await;
        c.goto(&page.url).await.expect("open the page");
        let dom = c.source().await.expect("the DOM");
        assert!(
            dom.contains("<main>"),
            "{}: the page did not load: {dom:.300}",
            page.name
        );
        for e in &page.expect {
            assert!(
                dom.contains(e.as_str()),
                "{}: {e:?} not in the DOM",
                page.name
            );
        }
        if page.height == 740 {
            failures.extend(
                crate::dashboard_chromium::workbench::axe::audit(
                    &c,
                    &format!("progress-{}", page.name),
                )
                .await,
            );
        }
        let png_bytes = c.screenshot().await.expect("screenshot");
        let shot =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("progress-{}.png", page.name));
        std::fs::write(&shot, &png_bytes).expect("screenshot written");
        let (w, h, pixels) = decode(&png_bytes);
        assert_eq!((w, h), (360, page.height), "{}", page.name);
        margins_clear(page.name, w, h, &pixels);
        let inked = pixels
            .iter()
            .filter(|p| p.iter().all(|c| *c < 0x38))
            .count();
        assert!(
            inked > 2_000,
            "{}: hardly any dark text drawn ({inked} px)",
            page.name
        );
    }
    c.close().await.expect("close the browser");
    assert!(
        failures.is_empty(),
        "axe-core found serious or critical WCAG 2.1 AA violations:\n{}",
        failures.join("\n")
    );
}
