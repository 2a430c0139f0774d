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
    assert_eq!(figure(&page.body, "fig-rectification"), "—", "no case due");
    assert!(page.body.contains("整改率按整改期限在本期内"));
    assert!(page
        .body
        .contains(r#"<title id="chart-rectification-title">各部门整改率（%）</title>"#));
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
    for table in [
        "summary",
        "channels",
        "departments",
        "daily",
        "sites",
        "kiosks",
    ] {
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

mod fast_path {
    //! The report's fast path (facts kept by triggers, intake grouped in Rust, working days
    //! from the calendar) against a straightforward recomputation from the base tables, on a
    //! mixed data set written with plain SQL and through the workbench; and again after the
    //! migration's backfill of a database from before it.

    use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
    use hall::staff::reports::{compute, range_for, Period, PeriodKind, Report};
    use hall::store::reports::{
        CaseFact, Channel, Concluded, Due, IntakeCount, RatingCount, ReportFacts, ReportRange,
        ReportStore, TicketCount,
    };
    use rusqlite::{params, Connection};

    use super::*;

    fn ts(at: DateTime<Utc>) -> String {
        at.to_rfc3339_opts(SecondsFormat::Micros, true)
    }

    fn parse(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    /// The report's facts the plain way: grouped and joined by SQLite from the base tables
    /// (the timeline, the work records, the case steps), local days by `date()`.
    fn reference_facts(c: &Connection, r: &ReportRange) -> ReportFacts {
        let intake = c
            .prepare(
                "SELECT subject_type, subject_code, channel, kiosk_id,
                        date(substr(received_at, 1, 19), '+8 hours'), COUNT(*)
                 FROM applications WHERE received_at >= ?1 AND received_at < ?2
                 GROUP BY 1, 2, 3, 4, 5",
            )
            .unwrap()
            .query_map(params![ts(r.intake_from), ts(r.to)], |row| {
                Ok(IntakeCount {
                    subject_type: row.get(0)?,
                    subject_code: row.get(1)?,
                    channel: Channel::parse(&row.get::<_, String>(2)?).unwrap(),
                    kiosk_id: row.get(3)?,
                    day: day(&row.get::<_, String>(4)?),
                    count: row.get(5)?,
                })
            })
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let concluded = c
            .prepare(
                "SELECT a.subject_type, a.subject_code, w.accepted_at, w.due_on, t.at,
                        EXISTS (SELECT 1 FROM timeline v
                                WHERE v.application_id = a.id AND v.status = 'revisited')
                 FROM (SELECT application_id, MIN(at) AS at FROM timeline
                       WHERE status = 'concluded' GROUP BY application_id) t
                      JOIN applications a ON a.id = t.application_id
                      LEFT JOIN application_work w ON w.application_id = a.id
                 WHERE t.at >= ?1 AND t.at < ?2",
            )
            .unwrap()
            .query_map(params![ts(r.from), ts(r.to)], |row| {
                Ok(Concluded {
                    subject_type: row.get(0)?,
                    subject_code: row.get(1)?,
                    accepted_at: row.get::<_, Option<String>>(2)?.as_deref().map(parse),
                    due_on: row.get::<_, Option<String>>(3)?.as_deref().map(day),
                    concluded_at: parse(&row.get::<_, String>(4)?),
                    revisited: row.get(5)?,
                })
            })
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let due = c
            .prepare(
                "SELECT a.subject_type, a.subject_code, w.due_on,
                        (SELECT MIN(t.at) FROM timeline t
                         WHERE t.application_id = a.id AND t.status = 'concluded')
                 FROM application_work w JOIN applications a ON a.id = w.application_id
                 WHERE w.due_on >= ?1 AND w.due_on <= ?2",
            )
            .unwrap()
            .query_map(
                params![r.due_from.to_string(), r.due_to.to_string()],
                |row| {
                    Ok(Due {
                        subject_type: row.get(0)?,
                        subject_code: row.get(1)?,
                        due_on: day(&row.get::<_, String>(2)?),
                        concluded_at: row.get::<_, Option<String>>(3)?.as_deref().map(parse),
                    })
                },
            )
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let ratings = c
            .prepare(
                "SELECT a.subject_type, a.subject_code, r.level, COUNT(*)
                 FROM ratings r JOIN applications a ON a.id = r.application_id
                 WHERE r.rated_at >= ?1 AND r.rated_at < ?2 GROUP BY 1, 2, 3",
            )
            .unwrap()
            .query_map(params![ts(r.from), ts(r.to)], |row| {
                Ok(RatingCount {
                    subject_type: row.get(0)?,
                    subject_code: row.get(1)?,
                    level: row.get(2)?,
                    count: row.get(3)?,
                })
            })
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let tickets = c
            .prepare(
                "SELECT kiosk_id, kind, COUNT(*) FROM tickets
                 WHERE received_at >= ?1 AND received_at < ?2 GROUP BY 1, 2",
            )
            .unwrap()
            .query_map(params![ts(r.from), ts(r.to)], |row| {
                Ok(TicketCount {
                    kiosk_id: row.get(0)?,
                    kind: row.get(1)?,
                    count: row.get(2)?,
                })
            })
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        // Every 差评 with its case; a closed case closed at its latest step.
        let cases = c
            .prepare(
                "SELECT a.subject_type, a.subject_code, r.rated_at,
                        CASE WHEN k.stage = 'closed' THEN
                            (SELECT MAX(s.at) FROM followup_steps s WHERE s.subject_id = r.id)
                        END
                 FROM ratings r JOIN rating_cases k ON k.rating_id = r.id
                      JOIN applications a ON a.id = r.application_id
                 WHERE r.level <= 2 AND r.rated_at >= ?1 AND r.rated_at < ?2",
            )
            .unwrap()
            .query_map(params![ts(r.cases_from), ts(r.to)], |row| {
                Ok(CaseFact {
                    subject_type: row.get(0)?,
                    subject_code: row.get(1)?,
                    rated_at: parse(&row.get::<_, String>(2)?),
                    closed_at: row.get::<_, Option<String>>(3)?.as_deref().map(parse),
                })
            })
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        ReportFacts {
            intake,
            concluded,
            due,
            ratings,
            tickets,
            cases,
        }
    }

    /// xorshift64*: a reproducible mixed data set.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
        }
    }

    /// 1,500 applications over the last 120 days (items and bundles, every channel, some
    /// received on either side of local midnight), at every stage, some 办结 twice, some
    /// concluded without a work record, due dates set and moved, ratings at every level with
    /// open and closed cases, and tickets.
    fn fill(c: &mut Connection, hall: &TestHall) {
        let catalog = hall.state.catalog();
        let mut subjects: Vec<(&str, String)> = catalog
            .catalog
            .items
            .iter()
            .map(|i| ("item", i.code.clone()))
            .collect();
        subjects.extend(
            catalog
                .catalog
                .bundles
                .iter()
                .map(|b| ("bundle", b.code.clone())),
        );
        assert!(subjects.iter().any(|(t, _)| *t == "bundle"));
        let now = Utc::now();
        let mut rng = Rng(0x5EED_1234_ABCD_0001);
        let tx = c.transaction().unwrap();
        for n in 0..1500u64 {
            let id = format!("mix-{n:05}");
            let (t, code) = &subjects[rng.below(subjects.len() as u64) as usize];
            let mut received = now - Duration::seconds(rng.below(120 * 86_400) as i64);
            if n % 50 == 0 {
                // Either side of a local midnight (16:00 UTC).
                let edge = received
                    .date_naive()
                    .and_hms_opt(16, 0, 0)
                    .unwrap()
                    .and_utc();
                received = edge - Duration::microseconds(if n % 100 == 0 { 1 } else { 0 });
            }
            let channel = ["kiosk", "counter", "department"][rng.below(3) as usize];
            let kiosk = format!("zizhu-{:02}", rng.below(4));
            tx.execute(
                "INSERT INTO applications (id, kiosk_id, tracking_code, verifier_hash,
                     subject_type, subject_code, subject_name, catalog_version, applicant_key,
                     payload, mailed, status, received_at, promised_by, channel)
                 VALUES (?1, ?2, ?3, x'00', ?4, ?5, '名称', 'v', x'01', x'02', 0, 'submitted',
                         ?6, '2030-01-01', ?7)",
                params![
                    id,
                    kiosk,
                    format!("MIX-{n:05}"),
                    t,
                    code,
                    ts(received),
                    channel
                ],
            )
            .unwrap();
            let stages = [
                "accepted",
                "processing",
                "concluded",
                "feedback",
                "revisited",
            ];
            let reached = rng.below(6) as usize;
            let mut at = received;
            let mut seq = 1;
            tx.execute(
                "INSERT INTO timeline (application_id, seq, status, at) VALUES (?1, 1, 'submitted', ?2)",
                params![id, ts(at)],
            )
            .unwrap();
            let with_work = n % 13 != 0;
            for stage in stages.iter().take(reached) {
                at += Duration::hours(1 + rng.below(120) as i64);
                seq += 1;
                tx.execute(
                    "INSERT INTO timeline (application_id, seq, status, at) VALUES (?1, ?2, ?3, ?4)",
                    params![id, seq, stage, ts(at)],
                )
                .unwrap();
                if *stage == "accepted" && with_work {
                    let due = (at + Duration::days(rng.below(25) as i64)).date_naive();
                    tx.execute(
                        "INSERT INTO application_work (application_id, accepted_at, due_on)
                         VALUES (?1, ?2, ?3)",
                        params![id, ts(at), due.to_string()],
                    )
                    .unwrap();
                }
            }
            if reached >= 3 && n % 7 == 0 {
                // 办结 again later (after a correction): the first one counts.
                seq += 1;
                tx.execute(
                    "INSERT INTO timeline (application_id, seq, status, at) VALUES (?1, ?2, 'concluded', ?3)",
                    params![id, seq, ts(at + Duration::days(3))],
                )
                .unwrap();
            }
            if reached >= 1 && with_work && n % 11 == 0 {
                // The due date moved.
                tx.execute(
                    "UPDATE application_work SET due_on = ?2 WHERE application_id = ?1",
                    params![id, (received + Duration::days(9)).date_naive().to_string()],
                )
                .unwrap();
            }
            tx.execute(
                "UPDATE applications SET status = ?2 WHERE id = ?1",
                params![
                    id,
                    if reached == 0 {
                        "submitted"
                    } else {
                        stages[reached - 1]
                    }
                ],
            )
            .unwrap();
            if reached >= 3 && n % 3 != 0 {
                let level = 1 + rng.below(5) as i64;
                let rid = format!("mix-r-{n:05}");
                let rated = at + Duration::hours(2);
                tx.execute(
                    "INSERT INTO ratings (id, application_id, subject_code, level, reasons,
                         body_mac, kiosk_id, rated_at)
                     VALUES (?1, ?2, ?3, ?4, '[]', x'00', ?5, ?6)",
                    params![rid, id, code, level, kiosk, ts(rated)],
                )
                .unwrap();
                if level <= 2 {
                    let steps = rng.below(4) as i64; // 0–2 open, 3 closed in 2 or 3 steps
                    let (stage, version) = match steps {
                        0 => ("verify", 0),
                        1 => ("rectify", 1),
                        2 => ("callback", 2),
                        _ => ("closed", 2 + (n % 2) as i64),
                    };
                    tx.execute(
                        "INSERT INTO rating_cases (rating_id, stage, version) VALUES (?1, ?2, ?3)",
                        params![rid, stage, version],
                    )
                    .unwrap();
                    for s in 1..=version {
                        let step_at = rated + Duration::days(rng.below(14) as i64 + 4 * s);
                        tx.execute(
                            "INSERT INTO followup_steps (subject_id, seq, at, staff, action)
                             VALUES (?1, ?2, ?3, 'desk', 'step')",
                            params![rid, s, ts(step_at)],
                        )
                        .unwrap();
                    }
                }
            }
            if n % 9 == 0 {
                tx.execute(
                    "INSERT INTO tickets (id, kind, reference, category, kiosk_id, sealed,
                         received_at)
                     VALUES (?1, ?2, ?3, 'assistance', ?4, x'00', ?5)",
                    params![
                        format!("mix-t-{n:05}"),
                        if n % 2 == 0 { "help" } else { "complaint" },
                        format!("BZ-MIX{n:05}"),
                        kiosk,
                        ts(received)
                    ],
                )
                .unwrap();
            }
        }
        tx.commit().unwrap();
    }

    async fn compare(hall: &TestHall, label: &str) -> usize {
        let state = &hall.state;
        let catalog = state.catalog();
        let calendar = &state.staff.calendar;
        let rect = state.staff.settings.rectification;
        let today = hall::state::today_local();
        let mut departments: Vec<Option<String>> = vec![None];
        departments.extend(
            catalog
                .catalog
                .departments
                .iter()
                .take(3)
                .map(|d| Some(d.code.clone())),
        );
        let conn = db(hall);
        let mut compared = 0;
        for kind in [PeriodKind::Day, PeriodKind::Week, PeriodKind::Month] {
            for back in [0, 1, 9, 33, 70, 100] {
                let period = Period::containing(kind, today - Duration::days(back));
                let range = range_for(period, today, calendar, rect);
                let fast = hall.store.report_facts(range).await.unwrap();
                let plain = reference_facts(&conn, &range);
                for d in &departments {
                    let report = |facts: &ReportFacts| -> Report {
                        compute(
                            facts,
                            &catalog.catalog,
                            calendar,
                            rect,
                            period,
                            d.as_deref(),
                            &[],
                            today,
                        )
                    };
                    let (f, p) = (report(&fast), report(&plain));
                    assert_eq!(f, p, "{label}: {kind:?} {back} days back, {d:?}");
                    compared += 1;
                }
            }
        }
        compared
    }

    #[tokio::test]
    async fn the_fast_report_equals_a_straightforward_recomputation() {
        let hall = TestHall::new().await;
        let app = hall.router();
        // Some through the real API and the workbench's steps (the product's write path).
        let kiosk = hall.credential(PrincipalKind::Kiosk, "zizhu-09").await;
        let op_pw = account(&hall, "op", Role::Operator, &[]).await;
        let (o, oc) = sign_in(&app, "op", &op_pw).await;
        for n in 0..3 {
            let (id, _, _) = submit(&app, &kiosk, &format!("fast-path-{n:04}")).await;
            type Step<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>);
            let steps: &[Step<'_>] = &[
                ("accept", "1", vec![]),
                ("assign", "2", vec![("handler", "李审批")]),
                (
                    "conclude",
                    "3",
                    vec![("result", "准予办理"), ("waybill", "1151234567890")],
                ),
            ];
            for (action, version, extra) in steps.iter().take(n + 1) {
                let mut form = vec![("csrf", oc.as_str()), ("version", *version)];
                form.extend_from_slice(extra);
                let r = send(
                    &app,
                    post(&format!("/staff/applications/{id}/{action}"), &o, &form),
                )
                .await;
                assert_eq!(r.status, StatusCode::SEE_OTHER, "{action}: {}", r.body);
            }
        }
        fill(&mut db(&hall), &hall);
        let (facts, concluded, due): (i64, i64, i64) = db(&hall)
            .query_row(
                "SELECT COUNT(*), COUNT(concluded_at), COUNT(due_on) FROM application_facts",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(facts, 1503, "one row per application");
        assert!(concluded > 300 && due > 600, "{concluded} {due}");
        let n = compare(&hall, "kept by triggers").await;
        assert_eq!(n, 3 * 6 * 4);

        // The page, its chart and its CSV say what the computed report says, 整改率 included.
        let (s, _) = sign_in(&app, "op", &op_pw).await;
        let today = hall::state::today_local();
        let month = Period::containing(PeriodKind::Month, today - Duration::days(33));
        let report = compute(
            &hall
                .store
                .report_facts(range_for(
                    month,
                    today,
                    &hall.state.staff.calendar,
                    hall.state.staff.settings.rectification,
                ))
                .await
                .unwrap(),
            &hall.state.catalog().catalog,
            &hall.state.staff.calendar,
            hall.state.staff.settings.rectification,
            month,
            None,
            &[],
            today,
        );
        let rate = report
            .total
            .rectification_rate()
            .expect("cases due that month");
        let shown = format!("{:.1}%", rate * 100.0);
        let q = format!("period=month&date={}", month.start);
        let page = send(&app, get(&format!("/staff/reports?{q}"), &s)).await;
        assert_eq!(figure(&page.body, "fig-rectification"), shown);
        assert!(page.body.contains("chart-rectification-desc"));
        let csv = send(&app, get(&format!("/staff/reports/summary.csv?{q}"), &s)).await;
        assert!(
            csv.body.contains(&format!("\r\n整改率,{shown},")),
            "{}",
            csv.body
        );
        let csv = send(
            &app,
            get(&format!("/staff/reports/departments.csv?{q}"), &s),
        )
        .await;
        assert!(csv.body.contains("整改率"));

        // A database from before migration 9: its facts are backfilled when the hall opens it.
        db(&hall)
            .execute_batch(
                "DROP TRIGGER application_facts_new; DROP TRIGGER application_facts_status; DROP TRIGGER application_facts_work_new;
                 DROP TRIGGER application_facts_work; DROP TRIGGER application_facts_timeline;
                 DROP TABLE application_facts; DROP TABLE due_soon_notices; DROP INDEX ratings_by_time_covering;
                 DROP INDEX applications_by_status;
                 CREATE INDEX applications_by_status ON applications (status, received_at);
                 ALTER TABLE staff_accounts DROP COLUMN must_change_password;
                 PRAGMA user_version = 8;",
            )
            .unwrap();
        let reopened = hall::store::sqlite::SqliteStore::open(&hall.db).unwrap();
        drop(reopened);
        compare(&hall, "backfilled").await;
    }
}
