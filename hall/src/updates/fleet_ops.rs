//! What a heartbeat does to rollouts and what its answer carries: the kiosk's progress is
//! recorded, the rollout re-evaluated when a kiosk finished, and the answer offers the
//! version to a kiosk whose wave is open, with every unfinished remote action.

use chrono::Utc;
use hall_api::fleet::Heartbeat;
use hall_api::updates::{RemoteAction, WantedUpdate};

use super::rollout::{evaluate, outcome_from, Verdict};
use super::RolloutState;
use crate::error::HallError;
use crate::store::Store;

/// The download path of a bundle.
pub fn bundle_url(sha256: &str) -> String {
    format!("/api/v1/updates/{sha256}")
}

/// Records what `hb` says about the active rollout and answers the update `kiosk_id`
/// should install, if any.
pub async fn on_heartbeat(
    store: &dyn Store,
    kiosk_id: &str,
    hb: &Heartbeat,
) -> Result<Option<WantedUpdate>, HallError> {
    let Some(mut rollout) = store.active_rollout().await? else {
        return Ok(None);
    };
    let Some(entry) = store.rollout_kiosk(&rollout.id, kiosk_id).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    let outcome = outcome_from(entry.outcome, &rollout.version, hb);
    if outcome != entry.outcome {
        store
            .set_rollout_kiosk(&rollout.id, kiosk_id, outcome, now)
            .await?;
        if outcome.is_finished() {
            let kiosks = store.rollout_kiosks(&rollout.id).await?;
            let outcomes: Vec<_> = kiosks.iter().map(|k| (k.wave, k.outcome)).collect();
            let (state, wave, reason) =
                match evaluate(rollout.waves.len(), rollout.max_failure_pct, &outcomes) {
                    Verdict::Open(w) => (RolloutState::Active, w, None),
                    Verdict::Done => (RolloutState::Done, rollout.wave, None),
                    Verdict::Halt { wave, failed, of } => {
                        tracing::warn!(rollout = %rollout.id, version = %rollout.version, wave,
                            failed, of, "rollout halted: too many kiosks failed the update");
                        (
                            RolloutState::Halted,
                            wave,
                            Some(format!(
                                "wave {} failed on {failed} of {of} kiosks (limit {}%)",
                                wave + 1,
                                rollout.max_failure_pct
                            )),
                        )
                    }
                };
            if (state, wave) != (rollout.state, rollout.wave) {
                store
                    .set_rollout_progress(&rollout.id, state, wave, reason, now)
                    .await?;
                rollout.state = state;
                rollout.wave = wave;
            }
        }
    }
    let offer = rollout.state == RolloutState::Active
        && entry.wave <= rollout.wave
        && !outcome.is_finished()
        && hb.versions.image.as_deref() != Some(rollout.version.as_str());
    if !offer {
        return Ok(None);
    }
    let Some(bundle) = store.bundle(&rollout.version).await? else {
        return Err(HallError::Corrupt(format!(
            "rollout {} names version {} without a bundle",
            rollout.id, rollout.version
        )));
    };
    Ok(Some(WantedUpdate {
        url: bundle_url(&bundle.sha256),
        version: bundle.version,
        sha256: bundle.sha256,
        size: bundle.size,
    }))
}

/// The kiosk's unfinished remote actions, oldest first (delivered again until the kiosk
/// posts a result; the kiosk runs each id once).
pub async fn pending(store: &dyn Store, kiosk_id: &str) -> Result<Vec<RemoteAction>, HallError> {
    Ok(store
        .pending_actions(kiosk_id)
        .await?
        .into_iter()
        .map(|a| RemoteAction {
            id: a.id,
            action: a.request,
        })
        .collect())
}
