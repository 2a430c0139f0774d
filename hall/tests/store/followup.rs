//! Tickets and 差评 cases on both backends: actions check the form's version, steps and
//! audit lines are kept, listings and counts read back.

use chrono::{Duration, SubsecRound, Utc};
use hall::store::followup::{
    Acted, CaseAct, CaseStage, FollowUpStore, TicketAct, TicketAction, TicketQuery, TicketStatus,
};
use hall::store::staff::StaffStore;
use hall::store::{IdempotencyScope, NewRating, NewTicket, Rated, Store};

on_both!(ticket_and_case_actions_check_the_version, store => {
    let now = Utc::now().trunc_subsecs(6);
    store.create_ticket(NewTicket {
        scope: IdempotencyScope { kiosk_id: "k1".into(), kind: "complaint", key: "c1".into(), body_mac: [1; 32] },
        id: "t1".into(),
        reference: "TS-1".into(),
        category: "banbucheng".into(),
        item_code: Some("GG-1".into()),
        sealed: vec![7; 3],
        received_at: now,
    }).await.unwrap();
    let act = |seen, action| TicketAct {
        ticket_id: "t1".into(),
        seen_version: seen,
        action,
        staff: "li".into(),
        at: now,
        sealed_detail: Some(vec![seen as u8]),
    };
    let Acted::Done(row) = store.ticket_act(act(0, TicketAction::Claim)).await.unwrap() else { panic!("claimed") };
    assert_eq!((row.status, row.claimed_by.as_deref(), row.version), (TicketStatus::Claimed, Some("li"), 1));
    assert!(matches!(store.ticket_act(act(0, TicketAction::Close)).await.unwrap(), Acted::Stale(r) if r.version == 1));
    assert!(matches!(store.ticket_act(act(1, TicketAction::Claim)).await.unwrap(), Acted::NotAllowed(_)));
    assert!(matches!(store.ticket_act(act(1, TicketAction::Close)).await.unwrap(), Acted::Done(_)));
    let mut missing = act(0, TicketAction::Claim);
    missing.ticket_id = "nope".into();
    assert!(matches!(store.ticket_act(missing).await.unwrap(), Acted::NotFound));
    let detail = store.ticket_detail("t1").await.unwrap().unwrap();
    assert_eq!((detail.sealed, detail.steps.len(), detail.row.status), (vec![7; 3], 2, TicketStatus::Closed));
    assert_eq!(detail.steps[1].action, "close");
    assert_eq!(store.audit_of("t1").await.unwrap().len(), 2);
    assert_eq!(store.ticket_counts().await.unwrap(), [(TicketStatus::Closed, 1)]);
    let q = |status| TicketQuery { status, category: None, limit: 10 };
    assert_eq!(store.tickets(q(Some(TicketStatus::Closed))).await.unwrap().len(), 1);
    assert!(store.tickets(q(Some(TicketStatus::Open))).await.unwrap().is_empty());

    store.create_application(crate::store::app("key-1", "a1", "T-1")).await.unwrap();
    let rated = store.rate(NewRating {
        id: "r1".into(),
        application_id: "a1".into(),
        subject_code: "GG-000245-001".into(),
        level: 1,
        reasons_json: "[\"slow\"]".into(),
        sealed: Some(vec![9]),
        body_mac: [1; 32],
        legacy_mac: None,
        kiosk_id: Some("k1".into()),
        rated_at: now,
    }).await.unwrap();
    assert!(matches!(rated, Rated::Done(_)));
    let open = store.open_cases(10).await.unwrap();
    assert_eq!((open.len(), open[0].case), (1, Some((CaseStage::Verify, 0))));
    assert_eq!(open[0].tracking_code, "T-1");
    let case = |seen, done, next| CaseAct {
        rating_id: "r1".into(),
        seen_version: seen,
        done,
        next,
        staff: "li".into(),
        at: now,
        sealed_detail: None,
    };
    assert_eq!(store.case_act(case(0, CaseStage::Verify, CaseStage::Rectify)).await.unwrap(), Acted::Done((CaseStage::Rectify, 1)));
    assert_eq!(store.case_act(case(0, CaseStage::Verify, CaseStage::Rectify)).await.unwrap(), Acted::Stale((CaseStage::Rectify, 1)));
    assert_eq!(store.case_act(case(1, CaseStage::Verify, CaseStage::Rectify)).await.unwrap(), Acted::NotAllowed((CaseStage::Rectify, 1)));
    let detail = store.rating_detail("r1").await.unwrap().unwrap();
    assert_eq!((detail.sealed, detail.steps.len(), detail.row.level), (Some(vec![9]), 1, 1));
    let day = Duration::days(1);
    assert_eq!(store.ratings(now - day, now + day, 10).await.unwrap().len(), 1);
    assert!(store.ratings(now + day, now + day + day, 10).await.unwrap().is_empty());
    let counts = store.rating_counts(now - day, now + day).await.unwrap();
    assert_eq!((counts.len(), counts[0].level, counts[0].count), (1, 1, 1));
});
