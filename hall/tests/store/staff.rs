//! The workbench's storage on both backends: accounts, sessions, lock-out, audit, inbox and
//! staff moves with their version check; on PostgreSQL, two halls moving one application
//! from the same form: one move applies, the other is refused as stale.

use std::sync::Arc;

use chrono::{Duration, NaiveDate, SubsecRound, Utc};
use hall::notify::queue::NoticeStore;
use hall::store::postgres::PgStore;
use hall::store::staff::{
    AuditEntry, InboxQuery, Role, StaffAccount, StaffMove, StaffMoved, StaffStore,
};
use hall::store::Store;
use hall_api::application::{Status, TimelineEntry};

fn account(name: &str) -> StaffAccount {
    StaffAccount {
        name: name.into(),
        display: "王五".into(),
        role: Role::Reviewer,
        departments: vec!["社保".into(), "民政".into()],
        password_hash: "$argon2id$x".into(),
        failed_sign_ins: 0,
        locked_until: None,
        revoked: false,
        must_change_password: true,
    }
}

fn staff_move(id: &str, seen: u32, status: Status) -> StaffMove {
    StaffMove {
        application_id: id.into(),
        seen_version: seen,
        entry: TimelineEntry {
            status,
            at: Utc::now().trunc_subsecs(6),
            note: None,
        },
        staff: "wang".into(),
        sealed_detail: Some(vec![4, 5]),
        due_on: NaiveDate::from_ymd_opt(2024, 6, 1),
        handler: Some("wang".into()),
    }
}

on_both!(accounts_sessions_and_lock_out, store => {
    store.put_staff_account(account("wang")).await.unwrap();
    let got = store.staff_account("wang").await.unwrap().unwrap();
    assert_eq!(got, account("wang"));
    let now = Utc::now().trunc_subsecs(6);
    let idle = Duration::minutes(30);
    store.open_staff_session("wang", [1; 32], "csrf-1".into(), now, idle).await.unwrap();
    store.open_staff_session("wang", [2; 32], "csrf-2".into(), now, idle).await.unwrap();
    let s = store.staff_session([1; 32], now + Duration::minutes(1), idle).await.unwrap().unwrap();
    assert_eq!((s.csrf.as_str(), s.last_seen), ("csrf-1", now + Duration::minutes(1)));
    assert!(store.staff_session([1; 32], now + Duration::minutes(40), idle).await.unwrap().is_none(), "idle");
    assert!(store.staff_session([1; 32], now, idle).await.unwrap().is_none(), "and gone");
    assert!(store.choose_staff_password("wang", "$argon2id$y".into(), [2; 32]).await.unwrap());
    assert!(!store.staff_account("wang").await.unwrap().unwrap().must_change_password);
    assert!(store.staff_session([2; 32], now, idle).await.unwrap().is_some(), "kept");
    store.close_staff_session([2; 32]).await.unwrap();
    assert!(store.staff_session([2; 32], now, idle).await.unwrap().is_none());
    for _ in 0..2 {
        assert_eq!(store.staff_sign_in_failed("wang", now, 3, Duration::minutes(15)).await.unwrap(), None);
    }
    assert_eq!(
        store.staff_sign_in_failed("wang", now, 3, Duration::minutes(15)).await.unwrap(),
        Some(now + Duration::minutes(15))
    );
    let locked = store.staff_account("wang").await.unwrap().unwrap();
    assert_eq!((locked.failed_sign_ins, locked.locked_until), (0, Some(now + Duration::minutes(15))));
    assert!(store.set_staff_password("wang", "$argon2id$z".into()).await.unwrap());
    assert!(store.staff_account("wang").await.unwrap().unwrap().must_change_password);
    store.open_staff_session("wang", [3; 32], "csrf-3".into(), now, idle).await.unwrap();
    assert!(store.revoke_staff("wang", now).await.unwrap());
    assert!(store.staff_account("wang").await.unwrap().unwrap().revoked);
    assert!(store.staff_session([3; 32], now, idle).await.unwrap().is_none(), "revoked ends sessions");
    assert!(!store.revoke_staff("nobody", now).await.unwrap());
});

on_both!(staff_moves_check_the_version_and_fill_the_inbox, store => {
    store.create_application(crate::store::app("key-1", "a1", "T-1")).await.unwrap();
    store.create_application(crate::store::app("key-2", "a2", "T-2")).await.unwrap();
    assert_eq!(store.staff_move(staff_move("nope", 1, Status::Accepted)).await.unwrap(), StaffMoved::NotFound);
    assert_eq!(
        store.staff_move(staff_move("a1", 1, Status::Concluded)).await.unwrap(),
        StaffMoved::NotAllowed(Status::Submitted)
    );
    let notice = hall::notify::queue::NewNotice {
        id: "ev-1".into(),
        kind: hall::notify::EventKind::HelpRequested,
        created_at: Utc::now(),
        sealed: vec![1],
        targets: vec!["sms".into()],
    };
    let StaffMoved::Done(rec) = store.staff_move_notifying(staff_move("a1", 1, Status::Accepted), Some(notice.clone())).await.unwrap() else {
        panic!("moved")
    };
    assert_eq!(rec.timeline.len(), 2);
    assert_eq!(
        store.staff_move_notifying(staff_move("a1", 1, Status::Rejected), Some(notice)).await.unwrap(),
        StaffMoved::Stale(Status::Accepted),
        "a form from before the acceptance"
    );
    assert_eq!(store.delivery_log(10).await.unwrap().len(), 1, "the stale move sent nothing");
    let work = store.work("a1").await.unwrap();
    assert_eq!((work.due_on, work.handler.as_deref()), (NaiveDate::from_ymd_opt(2024, 6, 1), Some("wang")));
    assert_eq!(work.accepted_at, Some(rec.timeline[1].at));
    let steps = store.steps("a1").await.unwrap();
    assert_eq!((steps.len(), steps[0].seq, steps[0].sealed_detail.as_deref()), (1, 2, Some(&[4u8, 5][..])));
    let audit = store.audit_of("a1").await.unwrap();
    assert_eq!(audit.len(), 1);
    assert!(audit[0].detail.as_deref().unwrap().contains('→'));
    store.audit(AuditEntry {
        at: Utc::now().trunc_subsecs(6),
        staff: "wang".into(),
        action: "view".into(),
        application_id: Some("a1".into()),
        detail: None,
    }).await.unwrap();
    assert_eq!(store.audit_of("a1").await.unwrap().len(), 2);
    let inbox = |statuses: Vec<Status>, from, to| InboxQuery {
        statuses,
        subject_codes: None,
        due_from: from,
        due_to: to,
        limit: 10,
    };
    let submitted = store.inbox(inbox(vec![Status::Submitted], None, None)).await.unwrap();
    assert_eq!(submitted.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["a2"]);
    let june = NaiveDate::from_ymd_opt(2024, 6, 1);
    let due = store.inbox(inbox(vec![Status::Accepted], june, june)).await.unwrap();
    assert_eq!((due.len(), due[0].due_on, due[0].handler.as_deref()), (1, june, Some("wang")));
    let may = NaiveDate::from_ymd_opt(2024, 5, 31);
    assert!(store.inbox(inbox(vec![Status::Accepted], None, may)).await.unwrap().is_empty());
    let mut other_item = inbox(vec![Status::Submitted, Status::Accepted], None, None);
    other_item.subject_codes = Some(vec!["XX".into()]);
    assert!(store.inbox(other_item).await.unwrap().is_empty());
});

/// Two halls, one form each showing version 1: one acceptance applies; the other is
/// refused as stale, whichever commits first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_halls_moving_from_one_version_apply_one_move() {
    let url = crate::store::common::pg::fresh_database().await;
    let halls = [
        Arc::new(PgStore::connect(&url).await.unwrap()),
        Arc::new(PgStore::connect(&url).await.unwrap()),
    ];
    for i in 0..10 {
        let id = format!("a{i}");
        halls[0]
            .create_application(crate::store::app(&format!("k{i}"), &id, &format!("T-{i}")))
            .await
            .unwrap();
        let moves = [Status::Accepted, Status::Rejected].map(|status| {
            let (store, mv) = (
                halls[(i + status as usize) % 2].clone(),
                staff_move(&id, 1, status),
            );
            tokio::spawn(async move { store.staff_move(mv).await.unwrap() })
        });
        let mut done = 0;
        for m in moves {
            match m.await.unwrap() {
                StaffMoved::Done(_) => done += 1,
                StaffMoved::Stale(_) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(done, 1);
        assert_eq!(
            halls[1]
                .application(&id)
                .await
                .unwrap()
                .unwrap()
                .timeline
                .len(),
            2
        );
        assert_eq!(halls[1].steps(&id).await.unwrap().len(), 1);
    }
}
