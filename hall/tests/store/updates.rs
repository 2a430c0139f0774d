//! Bundles, rollouts and remote actions on both stores (migration 13).

// Test helpers: a panic is how they report a failure.
#![allow(clippy::unwrap_used)]

use chrono::{SubsecRound, Utc};
use hall::updates::{
    ActionFinished, Bundle, BundleAdded, KioskAction, KioskOutcome, Rollout, RolloutState,
    UpdateStore,
};
use hall_api::updates::ActionRequest;

fn bundle(sha: char, version: &str) -> Bundle {
    Bundle {
        sha256: sha.to_string().repeat(64),
        version: version.into(),
        compatible: "zizhu-kiosk".into(),
        size: 5_000_000_000,
        signer: "CN = county".into(),
        added_at: Utc::now().trunc_subsecs(6),
    }
}

on_both!(bundles_rollouts_and_actions_round_trip, store => {
    let b = bundle('a', "2.0.0");
    assert_eq!(store.add_bundle(b.clone()).await.unwrap(), BundleAdded::Stored);
    assert_eq!(store.add_bundle(b.clone()).await.unwrap(), BundleAdded::AlreadyThere);
    assert_eq!(store.add_bundle(bundle('b', "2.0.0")).await.unwrap(), BundleAdded::VersionTaken);
    assert_eq!(store.bundle("2.0.0").await.unwrap(), Some(b.clone()));
    assert_eq!(store.bundle_by_sha(&b.sha256).await.unwrap(), Some(b.clone()));
    assert_eq!(store.bundles().await.unwrap(), vec![b.clone()]);

    let now = Utc::now().trunc_subsecs(6);
    let r = Rollout {
        id: "r1".into(), version: "2.0.0".into(), target: "all".into(), waves: vec![10, 50, 100],
        max_failure_pct: 20, state: RolloutState::Active, wave: 0, reason: None,
        created_by: "ops".into(), created_at: now, updated_at: now,
    };
    store.start_rollout(r.clone(), vec![("k1".into(), 0), ("k2".into(), 1)]).await.unwrap();
    assert_eq!(store.active_rollout().await.unwrap(), Some(r.clone()));
    store.set_rollout_kiosk("r1", "k1", KioskOutcome::Succeeded, now).await.unwrap();
    let kiosks = store.rollout_kiosks("r1").await.unwrap();
    assert_eq!(kiosks.iter().map(|k| (k.kiosk_id.as_str(), k.wave, k.outcome)).collect::<Vec<_>>(),
        vec![("k1", 0, KioskOutcome::Succeeded), ("k2", 1, KioskOutcome::Pending)]);
    assert_eq!(store.rollout_kiosk("r1", "k2").await.unwrap().unwrap().wave, 1);
    store.set_rollout_progress("r1", RolloutState::Active, 1, None, now).await.unwrap();
    // A second rollout supersedes the first.
    let r2 = Rollout { id: "r2".into(), created_at: now + chrono::Duration::seconds(1), ..r.clone() };
    store.start_rollout(r2.clone(), vec![("k1".into(), 0)]).await.unwrap();
    assert_eq!(store.active_rollout().await.unwrap().unwrap().id, "r2");
    let all = store.rollouts().await.unwrap();
    assert_eq!(all.iter().map(|r| (r.id.as_str(), r.state)).collect::<Vec<_>>(),
        vec![("r2", RolloutState::Active), ("r1", RolloutState::Superseded)]);
    // A superseded rollout is not moved again.
    store.set_rollout_progress("r1", RolloutState::Halted, 2, Some("x".into()), now).await.unwrap();
    assert_eq!(store.rollouts().await.unwrap()[1].state, RolloutState::Superseded);

    let action = |id: &str, request| KioskAction {
        id: id.into(), kiosk_id: "k1".into(), request, requested_by: "ops".into(),
        requested_at: now, finished_at: None, ok: None, output: None,
    };
    store.queue_action(action("a1", ActionRequest::Journal { minutes: 5 })).await.unwrap();
    store.queue_action(action("a2", ActionRequest::Config { toml: "[hall]\n".into() })).await.unwrap();
    assert_eq!(store.pending_actions("k1").await.unwrap().len(), 2);
    assert!(store.pending_actions("k2").await.unwrap().is_empty());
    assert_eq!(store.finish_action("k2", "a1", true, "x".into(), now).await.unwrap(), ActionFinished::NotFound);
    assert_eq!(store.finish_action("k1", "a1", true, "log".into(), now).await.unwrap(), ActionFinished::Recorded);
    assert_eq!(store.finish_action("k1", "a1", false, "again".into(), now).await.unwrap(), ActionFinished::AlreadyFinished);
    let pending = store.pending_actions("k1").await.unwrap();
    assert_eq!(pending, vec![action("a2", ActionRequest::Config { toml: "[hall]\n".into() })]);
    let listed = store.actions(None, 10).await.unwrap();
    let a1 = listed.iter().find(|a| a.id == "a1").unwrap();
    assert_eq!((a1.ok, a1.output.as_deref(), a1.finished_at), (Some(true), Some("log"), Some(now)));
    assert_eq!(store.actions(Some("k2"), 10).await.unwrap(), vec![]);
});
