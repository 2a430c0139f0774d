//! 跨省通办 on SQLite: partners, each application's link to its partner, and the forwarding
//! lane of the notice queue (rows of kind `partner_forward`, claimed and settled by the
//! same statements as notices, see `notices.rs`).

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hall_api::application::TimelineEntry;
use rusqlite::{params, Connection, OptionalExtension};

use super::notices::{self, Lane};
use super::reads::{parse_ts, ts};
use super::{writes, SqliteStore};
use crate::error::HallError;
use crate::notify::queue::{Claimed, NewNotice, Outcome, TargetStats};
use crate::partners::{target_of, OpenForward, Partner, PartnerLink, PartnerStore, FORWARD_KIND};
use crate::store::{Moved, Principal, PrincipalKind};

fn bump(conn: &Connection, name: &str) -> Result<(), HallError> {
    conn.execute(
        "UPDATE generations SET value = value + 1 WHERE name = ?1",
        [name],
    )?;
    Ok(())
}

/// Writes an application's partner link (and queues its forward) in the transaction that
/// stored the application (its first timeline entry already carries the 代收 note: see
/// [`crate::store::NewApplication::first_entry_note`]).
pub(super) fn link(
    conn: &Connection,
    application_id: &str,
    link: &PartnerLink,
) -> Result<(), HallError> {
    let (direction, place, remote_id, remote_tracking, applied) =
        match link {
            PartnerLink::ForwardTo { place, forward } => {
                let at = ts(forward.created_at);
                conn.prepare_cached(
                "INSERT INTO notice_events (id, kind, created_at, sealed) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![forward.event_id, FORWARD_KIND, at, forward.sealed])?;
                conn.prepare_cached(
                "INSERT INTO notice_deliveries (event_id, kind, target, status, next_attempt_at,
                     created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'pending', ?4, ?4, ?4)",
            )?
            .execute(params![forward.event_id, FORWARD_KIND, target_of(&place.code), at])?;
                // The partner's own first entry (已提交 there) is not a step of ours.
                ("out", place, None, None, 1)
            }
            PartnerLink::ReceivedFrom {
                place,
                origin_id,
                origin_tracking_code,
            } => (
                "in",
                place,
                Some(origin_id.as_str()),
                Some(origin_tracking_code.as_str()),
                0,
            ),
        };
    conn.prepare_cached(
        "INSERT INTO partner_links (application_id, direction, partner_code, partner_name,
             partner_name_en, remote_id, remote_tracking_code, applied_steps)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        application_id,
        direction,
        place.code,
        place.name,
        place.name_en,
        remote_id,
        remote_tracking,
        applied
    ])?;
    Ok(())
}

fn partner_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Partner, String)> {
    Ok((
        Partner {
            code: r.get(0)?,
            name: r.get(1)?,
            name_en: r.get(2)?,
            url: r.get(3)?,
            token_sealed: r.get(4)?,
            created_at: DateTime::<Utc>::UNIX_EPOCH,
        },
        r.get(5)?,
    ))
}

fn partners(conn: &Connection, code: Option<&str>) -> Result<Vec<Partner>, HallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, name, name_en, url, token_sealed, created_at FROM partners
         WHERE ?1 IS NULL OR code = ?1 ORDER BY code",
    )?;
    let rows = stmt
        .query_map([code], partner_row)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(p, created)| {
            Ok(Partner {
                created_at: parse_ts(&created)?,
                ..p
            })
        })
        .collect()
}

fn apply_step(
    conn: &Connection,
    id: &str,
    index: u32,
    entry: Option<&TimelineEntry>,
    notice: Option<&NewNotice>,
    finished: bool,
) -> Result<Option<Moved>, HallError> {
    let applied: Option<u32> = conn
        .query_row(
            "SELECT applied_steps FROM partner_links WHERE application_id = ?1 AND direction = 'out'",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    if applied != Some(index) {
        // Applied before (a repeated or overlapping poll), or not a forward of ours.
        return Ok(None);
    }
    let moved = match entry {
        Some(e) => {
            let moved = writes::move_status(conn, id, e)?;
            if let (Moved::Done(_), Some(n)) = (&moved, notice) {
                notices::enqueue(conn, n)?;
            }
            Some(moved)
        }
        None => None,
    };
    conn.prepare_cached(
        "UPDATE partner_links SET applied_steps = ?2 + 1, finished = finished OR ?3
         WHERE application_id = ?1",
    )?
    .execute(params![id, index, finished])?;
    Ok(moved)
}

#[async_trait]
impl PartnerStore for SqliteStore {
    async fn put_partner(
        &self,
        partner: Partner,
        principal: Option<Principal>,
    ) -> Result<(), HallError> {
        self.write(move |c| {
            let now = ts(Utc::now());
            c.execute(
                "INSERT INTO partners (code, name, name_en, url, token_sealed, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name,
                     name_en = excluded.name_en, url = excluded.url,
                     token_sealed = COALESCE(excluded.token_sealed, partners.token_sealed),
                     updated_at = excluded.updated_at",
                params![
                    partner.code,
                    partner.name,
                    partner.name_en,
                    partner.url,
                    partner.token_sealed,
                    now
                ],
            )?;
            if let Some(p) = &principal {
                writes::put_principal(c, p)?;
            }
            bump(c, "catalog")?;
            bump(c, "credentials")
        })
        .await
    }

    async fn set_partner_token(&self, code: &str, sealed: Vec<u8>) -> Result<bool, HallError> {
        let code = code.to_owned();
        self.write(move |c| {
            let n = c.execute(
                "UPDATE partners SET token_sealed = ?2, updated_at = ?3 WHERE code = ?1",
                params![code, sealed, ts(Utc::now())],
            )?;
            Ok(n > 0)
        })
        .await
    }

    async fn remove_partner(&self, code: &str) -> Result<bool, HallError> {
        let code = code.to_owned();
        self.write(move |c| {
            let n = c.execute("DELETE FROM partners WHERE code = ?1", [&code])?;
            writes::revoke_principal(c, PrincipalKind::Partner, &code)?;
            if n > 0 {
                bump(c, "catalog")?;
                bump(c, "credentials")?;
            }
            Ok(n > 0)
        })
        .await
    }

    async fn partners(&self) -> Result<Vec<Partner>, HallError> {
        self.read(|c| partners(c, None)).await
    }

    async fn partner(&self, code: &str) -> Result<Option<Partner>, HallError> {
        let code = code.to_owned();
        self.read(move |c| Ok(partners(c, Some(&code))?.into_iter().next()))
            .await
    }

    async fn received_from(
        &self,
        code: &str,
        origin_ids: Vec<String>,
    ) -> Result<Vec<(String, String)>, HallError> {
        let code = code.to_owned();
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT application_id FROM partner_links
                 WHERE partner_code = ?1 AND remote_id = ?2 AND direction = 'in'",
            )?;
            let mut out = Vec::new();
            for origin in origin_ids {
                let ours: Option<String> = stmt
                    .query_row(params![code, origin], |r| r.get(0))
                    .optional()?;
                if let Some(ours) = ours {
                    out.push((origin, ours));
                }
            }
            Ok(out)
        })
        .await
    }

    async fn open_forwards(&self, code: &str) -> Result<Vec<OpenForward>, HallError> {
        let code = code.to_owned();
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT application_id, applied_steps FROM partner_links
                 WHERE direction = 'out' AND finished = 0 AND partner_code = ?1
                   AND remote_id IS NOT NULL
                 ORDER BY application_id",
            )?;
            let rows = stmt
                .query_map([&code], |r| {
                    Ok(OpenForward {
                        application_id: r.get(0)?,
                        applied_steps: r.get(1)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
    }

    async fn apply_partner_step(
        &self,
        application_id: &str,
        index: u32,
        entry: Option<TimelineEntry>,
        notice: Option<NewNotice>,
        finished: bool,
    ) -> Result<Option<Moved>, HallError> {
        let id = application_id.to_owned();
        self.write(move |c| apply_step(c, &id, index, entry.as_ref(), notice.as_ref(), finished))
            .await
    }

    async fn mark_forwarded(
        &self,
        application_id: &str,
        remote_id: &str,
        remote_tracking_code: &str,
    ) -> Result<(), HallError> {
        let (id, rid, rtc) = (
            application_id.to_owned(),
            remote_id.to_owned(),
            remote_tracking_code.to_owned(),
        );
        self.write(move |c| {
            c.execute(
                "UPDATE partner_links SET remote_id = ?2, remote_tracking_code = ?3
                 WHERE application_id = ?1 AND direction = 'out'",
                params![id, rid, rtc],
            )?;
            Ok(())
        })
        .await
    }

    async fn claim_forwards(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Claimed>, HallError> {
        let worker = worker.to_owned();
        self.write(move |c| notices::claim(c, Lane::Forwards, &worker, now, lease, limit))
            .await
    }

    async fn settle_forward(
        &self,
        delivery_id: i64,
        worker: &str,
        outcome: Outcome,
        now: DateTime<Utc>,
    ) -> Result<(), HallError> {
        let worker = worker.to_owned();
        self.write(move |c| notices::settle(c, delivery_id, &worker, &outcome, now))
            .await
    }

    async fn next_forward_due(&self) -> Result<Option<DateTime<Utc>>, HallError> {
        self.read(|c| {
            let at: Option<String> = c.query_row(
                "SELECT MIN(MAX(next_attempt_at, COALESCE(claimed_until, '')))
                 FROM notice_deliveries WHERE status = 'pending' AND kind = 'partner_forward'",
                [],
                |r| r.get(0),
            )?;
            at.as_deref().map(parse_ts).transpose()
        })
        .await
    }

    async fn forward_stats(&self, now: DateTime<Utc>) -> Result<Vec<TargetStats>, HallError> {
        self.read(move |c| notices::stats(c, Lane::Forwards, now))
            .await
    }
}
