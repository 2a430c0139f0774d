//! Bundles, rollouts and remote actions on PostgreSQL (migration 13).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio_postgres::Row;

use super::PgStore;
use crate::error::HallError;
use crate::store::sqlite::updates::{
    outcome, parse_waves_column, request, rollout_state, waves_column,
};
use crate::updates::{
    ActionFinished, Bundle, BundleAdded, KioskAction, KioskOutcome, Rollout, RolloutKiosk,
    RolloutState, UpdateStore,
};

const BUNDLE: &str =
    "SELECT sha256, version, compatible, size, signer, added_at FROM update_bundles";
const ROLLOUT: &str = "SELECT id, version, target, waves, max_failure_pct, state, wave, reason,
     created_by, created_at, updated_at FROM rollouts";
const ACTION: &str = "SELECT id, kiosk_id, request, requested_by, requested_at, finished_at, ok,
     output FROM kiosk_actions";
const KIOSK: &str = "SELECT kiosk_id, wave, outcome, updated_at FROM rollout_kiosks";

fn bundle(r: &Row) -> Result<Bundle, HallError> {
    Ok(Bundle {
        sha256: r.get(0),
        version: r.get(1),
        compatible: r.get(2),
        size: u64::try_from(r.get::<_, i64>(3))
            .map_err(|_| HallError::Corrupt("bundle size".into()))?,
        signer: r.get(4),
        added_at: r.get(5),
    })
}

fn rollout(r: &Row) -> Result<Rollout, HallError> {
    Ok(Rollout {
        id: r.get(0),
        version: r.get(1),
        target: r.get(2),
        waves: parse_waves_column(r.get(3))?,
        max_failure_pct: u8::try_from(r.get::<_, i32>(4))
            .map_err(|_| HallError::Corrupt("max failure".into()))?,
        state: rollout_state(r.get(5))?,
        wave: u32::try_from(r.get::<_, i32>(6))
            .map_err(|_| HallError::Corrupt("rollout wave".into()))?,
        reason: r.get(7),
        created_by: r.get(8),
        created_at: r.get(9),
        updated_at: r.get(10),
    })
}

fn kiosk(r: &Row) -> Result<RolloutKiosk, HallError> {
    Ok(RolloutKiosk {
        kiosk_id: r.get(0),
        wave: u32::try_from(r.get::<_, i32>(1))
            .map_err(|_| HallError::Corrupt("kiosk wave".into()))?,
        outcome: outcome(r.get(2))?,
        updated_at: r.get(3),
    })
}

fn action(r: &Row) -> Result<KioskAction, HallError> {
    Ok(KioskAction {
        id: r.get(0),
        kiosk_id: r.get(1),
        request: request(r.get(2))?,
        requested_by: r.get(3),
        requested_at: r.get(4),
        finished_at: r.get(5),
        ok: r.get(6),
        output: r.get(7),
    })
}

fn int(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

#[async_trait]
impl UpdateStore for PgStore {
    async fn add_bundle(&self, b: Bundle) -> Result<BundleAdded, HallError> {
        let c = self.client().await?;
        let same = c
            .query_opt(
                "SELECT 1 FROM update_bundles WHERE sha256 = $1",
                &[&b.sha256],
            )
            .await?;
        if same.is_some() {
            return Ok(BundleAdded::AlreadyThere);
        }
        let n = c
            .execute(
                "INSERT INTO update_bundles (sha256, version, compatible, size, signer, added_at)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                &[
                    &b.sha256,
                    &b.version,
                    &b.compatible,
                    &i64::try_from(b.size).unwrap_or(i64::MAX),
                    &b.signer,
                    &b.added_at,
                ],
            )
            .await?;
        Ok(if n == 1 {
            BundleAdded::Stored
        } else {
            BundleAdded::VersionTaken
        })
    }

    async fn bundles(&self) -> Result<Vec<Bundle>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(&format!("{BUNDLE} ORDER BY added_at DESC"), &[])
            .await?;
        rows.iter().map(bundle).collect()
    }

    async fn bundle(&self, version: &str) -> Result<Option<Bundle>, HallError> {
        let c = self.client().await?;
        let row = c
            .query_opt(&format!("{BUNDLE} WHERE version = $1"), &[&version])
            .await?;
        row.as_ref().map(bundle).transpose()
    }

    async fn bundle_by_sha(&self, sha256: &str) -> Result<Option<Bundle>, HallError> {
        let c = self.client().await?;
        let row = c
            .query_opt(&format!("{BUNDLE} WHERE sha256 = $1"), &[&sha256])
            .await?;
        row.as_ref().map(bundle).transpose()
    }

    async fn start_rollout(&self, r: Rollout, kiosks: Vec<(String, u32)>) -> Result<(), HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "UPDATE rollouts SET state = 'superseded', updated_at = $1 WHERE state = 'active'",
            &[&r.created_at],
        )
        .await?;
        tx.execute(
            "INSERT INTO rollouts (id, version, target, waves, max_failure_pct, state, wave,
                 reason, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
            &[
                &r.id,
                &r.version,
                &r.target,
                &waves_column(&r.waves),
                &i32::from(r.max_failure_pct),
                &r.state.as_str(),
                &int(r.wave),
                &r.reason,
                &r.created_by,
                &r.created_at,
            ],
        )
        .await?;
        let stmt = tx
            .prepare(
                "INSERT INTO rollout_kiosks (rollout_id, kiosk_id, wave, outcome, updated_at)
                 VALUES ($1, $2, $3, 'pending', $4)",
            )
            .await?;
        for (k, wave) in &kiosks {
            tx.execute(&stmt, &[&r.id, k, &int(*wave), &r.created_at])
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn rollouts(&self) -> Result<Vec<Rollout>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(&format!("{ROLLOUT} ORDER BY created_at DESC, id"), &[])
            .await?;
        rows.iter().map(rollout).collect()
    }

    async fn active_rollout(&self) -> Result<Option<Rollout>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(
                &format!("{ROLLOUT} WHERE state = 'active' ORDER BY created_at DESC LIMIT 1"),
                &[],
            )
            .await?;
        rows.first().map(rollout).transpose()
    }

    async fn rollout_kiosks(&self, rollout_id: &str) -> Result<Vec<RolloutKiosk>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(
                &format!("{KIOSK} WHERE rollout_id = $1 ORDER BY wave, kiosk_id"),
                &[&rollout_id],
            )
            .await?;
        rows.iter().map(kiosk).collect()
    }

    async fn rollout_kiosk(
        &self,
        rollout_id: &str,
        kiosk_id: &str,
    ) -> Result<Option<RolloutKiosk>, HallError> {
        let c = self.client().await?;
        let row = c
            .query_opt(
                &format!("{KIOSK} WHERE rollout_id = $1 AND kiosk_id = $2"),
                &[&rollout_id, &kiosk_id],
            )
            .await?;
        row.as_ref().map(kiosk).transpose()
    }

    async fn set_rollout_kiosk(
        &self,
        rollout_id: &str,
        kiosk_id: &str,
        outcome: KioskOutcome,
        at: DateTime<Utc>,
    ) -> Result<(), HallError> {
        let c = self.client().await?;
        c.execute(
            "UPDATE rollout_kiosks SET outcome = $3, updated_at = $4
             WHERE rollout_id = $1 AND kiosk_id = $2",
            &[&rollout_id, &kiosk_id, &outcome.as_str(), &at],
        )
        .await?;
        Ok(())
    }

    async fn set_rollout_progress(
        &self,
        rollout_id: &str,
        state: RolloutState,
        wave: u32,
        reason: Option<String>,
        at: DateTime<Utc>,
    ) -> Result<(), HallError> {
        let c = self.client().await?;
        c.execute(
            "UPDATE rollouts SET state = $2, wave = $3, reason = $4, updated_at = $5
             WHERE id = $1 AND state = 'active'",
            &[&rollout_id, &state.as_str(), &int(wave), &reason, &at],
        )
        .await?;
        Ok(())
    }

    async fn queue_action(&self, a: KioskAction) -> Result<(), HallError> {
        let json = serde_json::to_string(&a.request)
            .map_err(|e| HallError::Internal(format!("action request: {e}")))?;
        let c = self.client().await?;
        c.execute(
            "INSERT INTO kiosk_actions (id, kiosk_id, request, requested_by, requested_at)
             VALUES ($1, $2, $3, $4, $5)",
            &[&a.id, &a.kiosk_id, &json, &a.requested_by, &a.requested_at],
        )
        .await?;
        Ok(())
    }

    async fn pending_actions(&self, kiosk_id: &str) -> Result<Vec<KioskAction>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(
                &format!(
                    "{ACTION} WHERE kiosk_id = $1 AND finished_at IS NULL ORDER BY requested_at, id"
                ),
                &[&kiosk_id],
            )
            .await?;
        rows.iter().map(action).collect()
    }

    async fn finish_action(
        &self,
        kiosk_id: &str,
        action_id: &str,
        ok: bool,
        output: String,
        at: DateTime<Utc>,
    ) -> Result<ActionFinished, HallError> {
        let c = self.client().await?;
        let n = c
            .execute(
                "UPDATE kiosk_actions SET finished_at = $3, ok = $4, output = $5
                 WHERE id = $1 AND kiosk_id = $2 AND finished_at IS NULL",
                &[&action_id, &kiosk_id, &at, &ok, &output],
            )
            .await?;
        if n == 1 {
            return Ok(ActionFinished::Recorded);
        }
        let exists = c
            .query_opt(
                "SELECT 1 FROM kiosk_actions WHERE id = $1 AND kiosk_id = $2",
                &[&action_id, &kiosk_id],
            )
            .await?;
        Ok(if exists.is_some() {
            ActionFinished::AlreadyFinished
        } else {
            ActionFinished::NotFound
        })
    }

    async fn actions(
        &self,
        kiosk_id: Option<&str>,
        limit: usize,
    ) -> Result<Vec<KioskAction>, HallError> {
        let c = self.client().await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = c
            .query(
                &format!(
                    "{ACTION} WHERE $1::TEXT IS NULL OR kiosk_id = $1
                     ORDER BY requested_at DESC, id LIMIT $2"
                ),
                &[&kiosk_id, &limit],
            )
            .await?;
        rows.iter().map(action).collect()
    }
}
