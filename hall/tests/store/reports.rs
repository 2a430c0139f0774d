//! The report's facts on both backends: intake per local (UTC+8) day, 办结 and due dates
//! from the facts the triggers keep, ratings, tickets and cases of the period.

use chrono::{NaiveDate, TimeZone, Utc};
use hall::store::reports::{Channel, ReportRange, ReportStore};
use hall::store::staff::{StaffMove, StaffMoved, StaffStore};
use hall::store::{NewRating, Store};
use hall_api::application::{Status, TimelineEntry};

on_both!(report_facts_count_the_period, store => {
    let at = |d, h, m| Utc.with_ymd_and_hms(2024, 5, d, h, m, 0).unwrap();
    // 15:59 UTC is 23:59 on the 6th in the hall; 16:00 UTC is the 7th.
    for (i, t) in [at(6, 15, 59), at(6, 16, 0), at(6, 16, 30)].into_iter().enumerate() {
        let mut a = crate::store::app(&format!("k{i}"), &format!("a{i}"), &format!("T-{i}"));
        a.received_at = t;
        store.create_application(a).await.unwrap();
    }
    let due = NaiveDate::from_ymd_opt(2024, 5, 20).unwrap();
    for (version, (status, t)) in (1..).zip([(Status::Accepted, at(7, 1, 0)), (Status::Processing, at(7, 2, 0)), (Status::Concluded, at(8, 3, 0))]) {
        let mv = StaffMove {
            application_id: "a0".into(),
            seen_version: version,
            entry: TimelineEntry { status, at: t, note: None },
            staff: "li".into(),
            sealed_detail: None,
            due_on: Some(due),
            handler: None,
        };
        assert!(matches!(store.staff_move(mv).await.unwrap(), StaffMoved::Done(_)));
    }
    store.rate(NewRating {
        id: "r0".into(),
        application_id: "a0".into(),
        subject_code: "GG-000245-001".into(),
        level: 2,
        reasons_json: "[]".into(),
        sealed: None,
        body_mac: [1; 32],
        legacy_mac: None,
        kiosk_id: Some("k1".into()),
        rated_at: at(9, 0, 0),
    }).await.unwrap();
    let range = ReportRange {
        from: at(1, 0, 0),
        to: at(31, 0, 0),
        intake_from: at(1, 0, 0),
        due_from: NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(),
        due_to: NaiveDate::from_ymd_opt(2024, 5, 31).unwrap(),
        cases_from: at(1, 0, 0),
    };
    let facts = store.report_facts(range).await.unwrap();
    let mut days: Vec<_> = facts.intake.iter().map(|c| (c.day.to_string(), c.count, c.channel)).collect();
    days.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(days, [("2024-05-06".to_owned(), 1, Channel::Kiosk), ("2024-05-07".to_owned(), 2, Channel::Kiosk)]);
    assert_eq!(facts.concluded.len(), 1);
    let c = &facts.concluded[0];
    assert_eq!((c.accepted_at, c.due_on, c.concluded_at, c.revisited), (Some(at(7, 1, 0)), Some(due), at(8, 3, 0), false));
    assert_eq!(facts.due.len(), 1);
    assert_eq!((facts.due[0].due_on, facts.due[0].concluded_at), (due, Some(at(8, 3, 0))));
    assert_eq!(facts.ratings.iter().map(|r| (r.level, r.count)).collect::<Vec<_>>(), [(2, 1)]);
    assert!(facts.tickets.is_empty());
    assert_eq!(facts.cases.len(), 1, "a 差评 opens a case");
    assert_eq!((facts.cases[0].rated_at, facts.cases[0].closed_at), (at(9, 0, 0), None));
    let later = ReportRange { from: at(20, 0, 0), intake_from: at(20, 0, 0), cases_from: at(20, 0, 0), ..range };
    let none = store.report_facts(later).await.unwrap();
    assert!(none.intake.is_empty() && none.concluded.is_empty() && none.ratings.is_empty());
});
