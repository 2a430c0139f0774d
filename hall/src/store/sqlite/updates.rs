//! Bundles, rollouts and remote actions on SQLite (migration 13).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::reads::{parse_ts, ts};
use super::SqliteStore;
use crate::error::HallError;
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

fn bundle(r: &Row<'_>) -> Result<Bundle, HallError> {
    let size: i64 = r.get(3)?;
    Ok(Bundle {
        sha256: r.get(0)?,
        version: r.get(1)?,
        compatible: r.get(2)?,
        size: u64::try_from(size).map_err(|_| HallError::Corrupt("bundle size".into()))?,
        signer: r.get(4)?,
        added_at: parse_ts(&r.get::<_, String>(5)?)?,
    })
}

/// Waves as stored: `10,50,100`.
pub(crate) fn parse_waves_column(text: &str) -> Result<Vec<u8>, HallError> {
    text.split(',')
        .map(|p| p.parse::<u8>())
        .collect::<Result<_, _>>()
        .map_err(|_| HallError::Corrupt(format!("rollout waves {text:?}")))
}

/// Waves to store.
pub(crate) fn waves_column(waves: &[u8]) -> String {
    waves
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn rollout_state(text: &str) -> Result<RolloutState, HallError> {
    RolloutState::parse(text).ok_or_else(|| HallError::Corrupt(format!("rollout state {text:?}")))
}

pub(crate) fn outcome(text: &str) -> Result<KioskOutcome, HallError> {
    KioskOutcome::parse(text).ok_or_else(|| HallError::Corrupt(format!("rollout outcome {text:?}")))
}

pub(crate) fn request(text: &str) -> Result<hall_api::updates::ActionRequest, HallError> {
    serde_json::from_str(text).map_err(|e| HallError::Corrupt(format!("action request: {e}")))
}

fn rollout(r: &Row<'_>) -> Result<Rollout, HallError> {
    let pct: i64 = r.get(4)?;
    let wave: i64 = r.get(6)?;
    Ok(Rollout {
        id: r.get(0)?,
        version: r.get(1)?,
        target: r.get(2)?,
        waves: parse_waves_column(&r.get::<_, String>(3)?)?,
        max_failure_pct: u8::try_from(pct).map_err(|_| HallError::Corrupt("max failure".into()))?,
        state: rollout_state(&r.get::<_, String>(5)?)?,
        wave: u32::try_from(wave).map_err(|_| HallError::Corrupt("rollout wave".into()))?,
        reason: r.get(7)?,
        created_by: r.get(8)?,
        created_at: parse_ts(&r.get::<_, String>(9)?)?,
        updated_at: parse_ts(&r.get::<_, String>(10)?)?,
    })
}

fn action(r: &Row<'_>) -> Result<KioskAction, HallError> {
    let finished: Option<String> = r.get(5)?;
    Ok(KioskAction {
        id: r.get(0)?,
        kiosk_id: r.get(1)?,
        request: request(&r.get::<_, String>(2)?)?,
        requested_by: r.get(3)?,
        requested_at: parse_ts(&r.get::<_, String>(4)?)?,
        finished_at: finished.as_deref().map(parse_ts).transpose()?,
        ok: r.get::<_, Option<i64>>(6)?.map(|v| v != 0),
        output: r.get(7)?,
    })
}

fn all<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    map: fn(&Row<'_>) -> Result<T, HallError>,
) -> Result<Vec<T>, HallError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(map(r)?);
    }
    Ok(out)
}

fn kiosk_row(r: &Row<'_>) -> Result<RolloutKiosk, HallError> {
    let wave: i64 = r.get(1)?;
    Ok(RolloutKiosk {
        kiosk_id: r.get(0)?,
        wave: u32::try_from(wave).map_err(|_| HallError::Corrupt("kiosk wave".into()))?,
        outcome: outcome(&r.get::<_, String>(2)?)?,
        updated_at: parse_ts(&r.get::<_, String>(3)?)?,
    })
}

#[async_trait]
impl UpdateStore for SqliteStore {
    async fn add_bundle(&self, b: Bundle) -> Result<BundleAdded, HallError> {
        self.write(move |conn| {
            let same: Option<String> = conn
                .query_row(
                    "SELECT version FROM update_bundles WHERE sha256 = ?1",
                    [&b.sha256],
                    |r| r.get(0),
                )
                .optional()?;
            if same.is_some() {
                return Ok(BundleAdded::AlreadyThere);
            }
            let n = conn.execute(
                "INSERT INTO update_bundles (sha256, version, compatible, size, signer, added_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
                params![
                    b.sha256,
                    b.version,
                    b.compatible,
                    i64::try_from(b.size).unwrap_or(i64::MAX),
                    b.signer,
                    ts(b.added_at)
                ],
            )?;
            Ok(if n == 1 {
                BundleAdded::Stored
            } else {
                BundleAdded::VersionTaken
            })
        })
        .await
    }

    async fn bundles(&self) -> Result<Vec<Bundle>, HallError> {
        self.read(|c| all(c, &format!("{BUNDLE} ORDER BY added_at DESC"), [], bundle))
            .await
    }

    async fn bundle(&self, version: &str) -> Result<Option<Bundle>, HallError> {
        let v = version.to_owned();
        self.read(move |c| {
            Ok(
                all(c, &format!("{BUNDLE} WHERE version = ?1"), [v], bundle)?
                    .into_iter()
                    .next(),
            )
        })
        .await
    }

    async fn bundle_by_sha(&self, sha256: &str) -> Result<Option<Bundle>, HallError> {
        let s = sha256.to_owned();
        self.read(move |c| {
            Ok(all(c, &format!("{BUNDLE} WHERE sha256 = ?1"), [s], bundle)?
                .into_iter()
                .next())
        })
        .await
    }

    async fn start_rollout(&self, r: Rollout, kiosks: Vec<(String, u32)>) -> Result<(), HallError> {
        self.write(move |conn| {
            conn.execute(
                "UPDATE rollouts SET state = 'superseded', updated_at = ?1 WHERE state = 'active'",
                [ts(r.created_at)],
            )?;
            conn.execute(
                "INSERT INTO rollouts (id, version, target, waves, max_failure_pct, state, wave,
                     reason, created_by, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
                params![
                    r.id,
                    r.version,
                    r.target,
                    waves_column(&r.waves),
                    r.max_failure_pct,
                    r.state.as_str(),
                    r.wave,
                    r.reason,
                    r.created_by,
                    ts(r.created_at)
                ],
            )?;
            let mut stmt = conn.prepare_cached(
                "INSERT INTO rollout_kiosks (rollout_id, kiosk_id, wave, outcome, updated_at)
                 VALUES (?1, ?2, ?3, 'pending', ?4)",
            )?;
            for (kiosk, wave) in &kiosks {
                stmt.execute(params![r.id, kiosk, wave, ts(r.created_at)])?;
            }
            Ok(())
        })
        .await
    }

    async fn rollouts(&self) -> Result<Vec<Rollout>, HallError> {
        self.read(|c| {
            all(
                c,
                &format!("{ROLLOUT} ORDER BY created_at DESC, id"),
                [],
                rollout,
            )
        })
        .await
    }

    async fn active_rollout(&self) -> Result<Option<Rollout>, HallError> {
        self.read(|c| {
            Ok(all(
                c,
                &format!("{ROLLOUT} WHERE state = 'active' ORDER BY created_at DESC"),
                [],
                rollout,
            )?
            .into_iter()
            .next())
        })
        .await
    }

    async fn rollout_kiosks(&self, rollout_id: &str) -> Result<Vec<RolloutKiosk>, HallError> {
        let id = rollout_id.to_owned();
        self.read(move |c| {
            all(
                c,
                "SELECT kiosk_id, wave, outcome, updated_at FROM rollout_kiosks
                 WHERE rollout_id = ?1 ORDER BY wave, kiosk_id",
                [id],
                kiosk_row,
            )
        })
        .await
    }

    async fn rollout_kiosk(
        &self,
        rollout_id: &str,
        kiosk_id: &str,
    ) -> Result<Option<RolloutKiosk>, HallError> {
        let (id, k) = (rollout_id.to_owned(), kiosk_id.to_owned());
        self.read(move |c| {
            Ok(all(
                c,
                "SELECT kiosk_id, wave, outcome, updated_at FROM rollout_kiosks
                 WHERE rollout_id = ?1 AND kiosk_id = ?2",
                [id, k],
                kiosk_row,
            )?
            .into_iter()
            .next())
        })
        .await
    }

    async fn set_rollout_kiosk(
        &self,
        rollout_id: &str,
        kiosk_id: &str,
        outcome: KioskOutcome,
        at: DateTime<Utc>,
    ) -> Result<(), HallError> {
        let (id, k) = (rollout_id.to_owned(), kiosk_id.to_owned());
        self.write(move |c| {
            c.execute(
                "UPDATE rollout_kiosks SET outcome = ?3, updated_at = ?4
                 WHERE rollout_id = ?1 AND kiosk_id = ?2",
                params![id, k, outcome.as_str(), ts(at)],
            )?;
            Ok(())
        })
        .await
    }

    async fn set_rollout_progress(
        &self,
        rollout_id: &str,
        state: RolloutState,
        wave: u32,
        reason: Option<String>,
        at: DateTime<Utc>,
    ) -> Result<(), HallError> {
        let id = rollout_id.to_owned();
        self.write(move |c| {
            c.execute(
                "UPDATE rollouts SET state = ?2, wave = ?3, reason = ?4, updated_at = ?5
                 WHERE id = ?1 AND state = 'active'",
                params![id, state.as_str(), wave, reason, ts(at)],
            )?;
            Ok(())
        })
        .await
    }

    async fn queue_action(&self, a: KioskAction) -> Result<(), HallError> {
        let json = serde_json::to_string(&a.request)
            .map_err(|e| HallError::Internal(format!("action request: {e}")))?;
        self.write(move |c| {
            c.execute(
                "INSERT INTO kiosk_actions (id, kiosk_id, request, requested_by, requested_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![a.id, a.kiosk_id, json, a.requested_by, ts(a.requested_at)],
            )?;
            Ok(())
        })
        .await
    }

    async fn pending_actions(&self, kiosk_id: &str) -> Result<Vec<KioskAction>, HallError> {
        let k = kiosk_id.to_owned();
        self.read(move |c| {
            all(
                c,
                &format!(
                    "{ACTION} WHERE kiosk_id = ?1 AND finished_at IS NULL ORDER BY requested_at, id"
                ),
                [k],
                action,
            )
        })
        .await
    }

    async fn finish_action(
        &self,
        kiosk_id: &str,
        action_id: &str,
        ok: bool,
        output: String,
        at: DateTime<Utc>,
    ) -> Result<ActionFinished, HallError> {
        let (k, id) = (kiosk_id.to_owned(), action_id.to_owned());
        self.write(move |c| {
            let finished: Option<Option<String>> = c
                .query_row(
                    "SELECT finished_at FROM kiosk_actions WHERE id = ?1 AND kiosk_id = ?2",
                    [&id, &k],
                    |r| r.get(0),
                )
                .optional()?;
            match finished {
                None => Ok(ActionFinished::NotFound),
                Some(Some(_)) => Ok(ActionFinished::AlreadyFinished),
                Some(None) => {
                    c.execute(
                        "UPDATE kiosk_actions SET finished_at = ?2, ok = ?3, output = ?4
                         WHERE id = ?1",
                        params![id, ts(at), ok, output],
                    )?;
                    Ok(ActionFinished::Recorded)
                }
            }
        })
        .await
    }

    async fn actions(
        &self,
        kiosk_id: Option<&str>,
        limit: usize,
    ) -> Result<Vec<KioskAction>, HallError> {
        let k = kiosk_id.map(str::to_owned);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(move |c| {
            all(
                c,
                &format!(
                    "{ACTION} WHERE ?1 IS NULL OR kiosk_id = ?1
                     ORDER BY requested_at DESC, id LIMIT ?2"
                ),
                params![k, limit],
                action,
            )
        })
        .await
    }
}
