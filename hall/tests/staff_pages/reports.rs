//! The supervisor's report (绩效考评) through the real router and a real SQLite store: its
//! figures follow the applications as staff move them, only supervisors and operators see
//! it, bad picks get a message, and every table downloads as a CSV with a BOM, an
//! attachment disposition, Chinese headers and nothing personal.
#![allow(clippy::unwrap_used)]

use axum::http::{header, StatusCode};
use tower::ServiceExt;

use super::*;

/// The text of the element with this id (`<div … id="x">text</div>`).
fn figure(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("{id}"));
    let start = at + html[at..].find('>').unwrap() + 1;
    html[start..start + html[start..].find('<').unwrap()].to_owned()
}

#[tokio::test]
async fn the_report_follows_the_loop_and_is_for_supervisors_only() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "zizhu-01").await;
    let sup_pw = account(&hall, "sup", Role::Supervisor, &[]).await;
    let op_pw = account(&hall, "op", Role::Operator, &[]).await;
    let desk_pw = account(&hall, "desk", Role::FrontDesk, &[]).await;
    let (id, code, _) = submit(&app, &kiosk, "report-1").await;
    let (id2, code2, _) = submit(&app, &kiosk, "report-2").await;
    submit(&app, &kiosk, "report-3").await;
    // Until the counter takes applications, a department window's intake is set by hand.
    db(&hall)
        .execute(
            "UPDATE applications SET channel = 'department' WHERE id = ?1",
            [&id2],
        )
        .unwrap();
    let (s, _) = sign_in(&app, "sup", &sup_pw).await;
    let today = hall::state::today_local().format("%Y-%m-%d").to_string();
    let uri = format!("/staff/reports?period=day&date={today}&department=");
    let page = send(&app, get(&uri, &s)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(figure(&page.body, "fig-intake"), "3");
    assert_eq!(figure(&page.body, "fig-unified"), "66.7%");
    assert_eq!(figure(&page.body, "fig-on-time"), "—", "nothing 办结 yet");
    assert_eq!(figure(&page.body, "fig-rectification"), "—");
    assert!(page.body.contains("整改率：差评整改工单尚未启用"));
    assert!(page
        .body
        .contains(r#"<svg xmlns="http://www.w3.org/2000/svg" role="img""#));
    assert!(page
        .body
        .contains(r#"<title id="chart-daily-title">每日受理量</title>"#));
    assert!(!page.body.contains("<script"));
    assert!(!page.body.contains(&code), "aggregates only");

    // The operator takes one through 受理 → 承办 → 办结 today; it is rated twice (in SQL:
    // one rating per application is the API's rule, the report only counts).
    let (o, oc) = sign_in(&app, "op", &op_pw).await;
    for (action, version, extra) in [
        ("accept", "1", vec![]),
        ("assign", "2", vec![("handler", "李审批")]),
        (
            "conclude",
            "3",
            vec![("result", "准予办理"), ("waybill", "1151234567890")],
        ),
    ] {
        let mut form = vec![("csrf", oc.as_str()), ("version", version)];
        form.extend_from_slice(&extra);
        let r = send(
            &app,
            post(&format!("/staff/applications/{id}/{action}"), &o, &form),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{action}: {}", r.body);
    }
    let conn = db(&hall);
    for (rid, app_id, level) in [("r1", &id, 5), ("r2", &id2, 1)] {
        conn.execute(
            "INSERT INTO ratings (id, application_id, subject_code, level, reasons, body_mac,
                 kiosk_id, rated_at)
             VALUES (?1, ?2, ?3, ?4, '[]', x'00', 'zizhu-01', ?5)",
            rusqlite::params![
                rid,
                app_id,
                ITEM,
                level,
                chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
            ],
        )
        .unwrap();
    }
    let page = send(&app, get(&uri, &s)).await;
    assert_eq!(figure(&page.body, "fig-on-time"), "100.0%");
    assert_eq!(figure(&page.body, "fig-median"), "0.0");
    assert_eq!(
        figure(&page.body, "fig-callback"),
        "0.0%",
        "办结, not yet 回访"
    );
    assert_eq!(figure(&page.body, "fig-good"), "50.0%");
    assert_eq!(figure(&page.body, "fig-bad"), "1");
    // Left for a look in a browser (screenshots: see hall/README.md).
    std::fs::write(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("staff-report.html"),
        &page.body,
    )
    .unwrap();
    // The operator sees it too; the front desk does not, nor its CSV.
    assert_eq!(send(&app, get(&uri, &o)).await.status, StatusCode::OK);
    let (dk, _) = sign_in(&app, "desk", &desk_pw).await;
    assert_eq!(
        send(&app, get(&uri, &dk)).await.status,
        StatusCode::FORBIDDEN
    );
    let refused = send(&app, get("/staff/reports/summary.csv", &dk)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let link = format!(
        "href=\"/staff/reports/departments.csv?period=day&amp;date={today}&amp;department=\""
    );
    assert!(page.body.contains(&link), "each table links its CSV");
    // Signed out: to the sign-in page, not the figures.
    assert_ne!(send(&app, get(&uri, "")).await.status, StatusCode::OK);

    // Bad picks get a message, not a 500.
    for bad in [
        "period=year",
        "date=2026-02-30",
        "department=nope",
        "date=%FF",
    ] {
        let r = send(&app, get(&format!("/staff/reports?{bad}"), &s)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(r.body.contains("绩效考评"), "{bad}: {}", r.body);
    }
    let missing = send(&app, get("/staff/reports/nope.csv", &s)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // Every table as CSV.
    for table in ["summary", "channels", "departments", "daily", "kiosks"] {
        let resp = app
            .clone()
            .oneshot(get(
                &format!("/staff/reports/{table}.csv?period=day&date={today}"),
                &s,
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{table}");
        let h = resp.headers();
        assert_eq!(h[header::CONTENT_TYPE], "text/csv; charset=utf-8");
        let disposition = h[header::CONTENT_DISPOSITION].to_str().unwrap().to_owned();
        assert!(
            disposition.starts_with("attachment; filename=\"report-")
                && disposition.ends_with(".csv\""),
            "{disposition}"
        );
        let bytes = http_body_util::BodyExt::collect(resp.into_body())
            .await
            .unwrap()
            .to_bytes();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{table}: BOM");
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        for secret in [code.as_str(), &code2, &id, ID_NUMBER, "张", "1151234567890"] {
            assert!(!text.contains(secret), "{table} leaks {secret}");
        }
        let first = text.lines().next().unwrap();
        assert!(!first.is_ascii(), "Chinese headers: {first}");
        if table == "summary" {
            assert!(text.contains("\r\n无差别综合受理率,66.7%,"), "{text}");
            assert!(text.contains("\r\n整改率,—,"), "{text}");
        }
        if table == "kiosks" {
            assert!(text.contains("\r\nzizhu-01,"), "{text}");
        }
    }
}
