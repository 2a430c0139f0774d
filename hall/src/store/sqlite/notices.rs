//! The notice queue on SQLite. Enqueues run on the writer thread inside the savepoint of the
//! ticket or rating that caused them (one transaction); claims are one `UPDATE … RETURNING`
//! under the database's write lock, which serialises claimers across processes too.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::reads::{parse_ts, ts};
use super::{staff, writes, SqliteStore};
use crate::error::HallError;
use crate::notify::queue::{Claimed, DeliveryLogRow, NewNotice, NoticeStore, Outcome, TargetStats};
use crate::store::staff::{StaffMove, StaffMoved};
use crate::store::{Moved, NewRating, NewTicket, Rated, TicketRecord, Written};
use hall_api::application::TimelineEntry;

pub(super) fn enqueue(conn: &Connection, n: &NewNotice) -> Result<(), HallError> {
    let at = ts(n.created_at);
    conn.prepare_cached(
        "INSERT INTO notice_events (id, kind, created_at, sealed) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![n.id, n.kind.as_str(), at, n.sealed])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO notice_deliveries (event_id, kind, target, status, next_attempt_at,
             created_at, updated_at)
         VALUES (?1, ?2, ?3, 'pending', ?4, ?4, ?4)",
    )?;
    for target in &n.targets {
        insert.execute(params![n.id, n.kind.as_str(), target, at])?;
    }
    Ok(())
}

/// Which lane of the queue: citizen and staff notices, or forwards to partner halls (kind
/// `partner_forward`). Each worker claims, waits for and counts its own lane only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lane {
    Notices,
    Forwards,
}

impl Lane {
    fn forwards(self) -> bool {
        self == Lane::Forwards
    }
}

pub(super) fn claim(
    conn: &Connection,
    lane: Lane,
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
    limit: usize,
) -> Result<Vec<Claimed>, HallError> {
    let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
    let now = ts(now);
    let mut stmt = conn.prepare_cached(
        "UPDATE notice_deliveries
         SET claimed_by = ?1, claimed_until = ?2, attempts = attempts + 1, updated_at = ?3
         WHERE id IN (
             SELECT id FROM notice_deliveries
             WHERE status = 'pending' AND next_attempt_at <= ?3
               AND (claimed_until IS NULL OR claimed_until <= ?3)
               AND (kind = 'partner_forward') = ?5
             ORDER BY next_attempt_at, id LIMIT ?4)
         RETURNING id, event_id, kind, target, attempts",
    )?;
    let rows = stmt
        .query_map(
            params![worker, ts(until), now, limit as i64, lane.forwards()],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get::<_, String>(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                ))
            },
        )?
        .collect::<Result<Vec<(i64, String, String, String, u32)>, _>>()?;
    let mut body = conn.prepare_cached("SELECT sealed FROM notice_events WHERE id = ?1")?;
    let mut out = Vec::with_capacity(rows.len());
    for (delivery_id, event_id, kind, target, attempts) in rows {
        let sealed: Option<Vec<u8>> = body
            .query_row([&event_id], |r| r.get(0))
            .optional()?
            .flatten();
        out.push(Claimed {
            delivery_id,
            event_id,
            kind,
            target,
            attempts,
            sealed,
        });
    }
    out.sort_by_key(|c| c.delivery_id);
    Ok(out)
}

/// Erases the event's body once no delivery of it is pending.
fn erase_if_done(conn: &Connection, delivery_id: i64) -> Result<(), HallError> {
    conn.prepare_cached(
        "UPDATE notice_events SET sealed = NULL
         WHERE id = (SELECT event_id FROM notice_deliveries WHERE id = ?1)
           AND NOT EXISTS (SELECT 1 FROM notice_deliveries d
                           WHERE d.event_id = notice_events.id AND d.status = 'pending')",
    )?
    .execute([delivery_id])?;
    Ok(())
}

pub(super) fn settle(
    conn: &Connection,
    id: i64,
    worker: &str,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> Result<(), HallError> {
    let now = ts(now);
    match outcome {
        // Delivered counts whoever holds the claim now: the notice did go out.
        Outcome::Delivered => {
            conn.prepare_cached(
                "UPDATE notice_deliveries SET status = 'delivered', delivered_at = ?2,
                     updated_at = ?2, claimed_by = NULL, claimed_until = NULL
                 WHERE id = ?1 AND status = 'pending'",
            )?
            .execute(params![id, now])?;
            erase_if_done(conn, id)?;
        }
        Outcome::Retry { error, at } => {
            conn.prepare_cached(
                "UPDATE notice_deliveries SET next_attempt_at = ?3, last_error = ?4,
                     updated_at = ?5, claimed_by = NULL, claimed_until = NULL
                 WHERE id = ?1 AND claimed_by = ?2 AND status = 'pending'",
            )?
            .execute(params![id, worker, ts(*at), error, now])?;
        }
        Outcome::GiveUp { error } => {
            conn.prepare_cached(
                "UPDATE notice_deliveries SET status = 'failed', last_error = ?3,
                     updated_at = ?4, claimed_by = NULL, claimed_until = NULL
                 WHERE id = ?1 AND claimed_by = ?2 AND status = 'pending'",
            )?
            .execute(params![id, worker, error, now])?;
            erase_if_done(conn, id)?;
        }
    }
    Ok(())
}

pub(super) fn stats(
    conn: &Connection,
    lane: Lane,
    now: DateTime<Utc>,
) -> Result<Vec<TargetStats>, HallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT target,
                SUM(status = 'pending'),
                SUM(status = 'pending' AND attempts > 0 AND claimed_until IS NULL),
                MIN(CASE WHEN status = 'pending' THEN created_at END),
                SUM(status = 'delivered'),
                SUM(status = 'failed')
         FROM notice_deliveries WHERE (kind = 'partner_forward') = ?1
         GROUP BY target ORDER BY target",
    )?;
    let rows = stmt
        .query_map([lane.forwards()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(target, pending, retrying, oldest, delivered, failed)| {
            let age = match oldest {
                Some(t) => ((now - parse_ts(&t)?).num_milliseconds().max(0) as f64) / 1000.0,
                None => 0.0,
            };
            Ok(TargetStats {
                target,
                pending: pending as u64,
                retrying: retrying as u64,
                oldest_pending_age_seconds: age,
                delivered: delivered as u64,
                failed: failed as u64,
            })
        })
        .collect()
}

fn log(conn: &Connection, limit: usize) -> Result<Vec<DeliveryLogRow>, HallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT event_id, kind, target, status, attempts, last_error, created_at, delivered_at,
                updated_at
         FROM notice_deliveries WHERE kind <> 'partner_forward' ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt
        .query_map([limit as i64], |r| {
            Ok((
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?),
                (
                    r.get(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, String>(8)?,
                ),
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(
            |((event_id, kind, target, status, attempts), (last_error, c, d, u))| {
                Ok(DeliveryLogRow {
                    event_id,
                    kind,
                    target,
                    status,
                    attempts,
                    last_error,
                    created_at: parse_ts(&c)?,
                    delivered_at: d.as_deref().map(parse_ts).transpose()?,
                    updated_at: parse_ts(&u)?,
                })
            },
        )
        .collect()
}

#[async_trait]
impl NoticeStore for SqliteStore {
    async fn enqueue(&self, notice: NewNotice) -> Result<(), HallError> {
        self.write(move |c| enqueue(c, &notice)).await
    }

    async fn create_ticket_notifying(
        &self,
        ticket: NewTicket,
        notice: Option<NewNotice>,
    ) -> Result<Written<TicketRecord>, HallError> {
        self.write(move |c| {
            let written = writes::create_ticket(c, &ticket)?;
            if let (Written::Created(_), Some(n)) = (&written, &notice) {
                enqueue(c, n)?;
            }
            Ok(written)
        })
        .await
    }

    async fn rate_notifying(
        &self,
        rating: NewRating,
        notice: Option<NewNotice>,
    ) -> Result<Rated, HallError> {
        self.write(move |c| {
            let rated = writes::rate(c, &rating)?;
            if let (Rated::Done(r), Some(n)) = (&rated, &notice) {
                // A replay of the same rating returns the first record: only a new one notifies.
                if r.id == rating.id {
                    enqueue(c, n)?;
                }
            }
            Ok(rated)
        })
        .await
    }

    async fn staff_move_notifying(
        &self,
        mv: StaffMove,
        notice: Option<NewNotice>,
    ) -> Result<StaffMoved, HallError> {
        self.write(move |c| {
            let moved = staff::staff_move(c, &mv)?;
            // A stale form or a refused move writes nothing, so it sends nothing either.
            if let (StaffMoved::Done(_), Some(n)) = (&moved, &notice) {
                enqueue(c, n)?;
            }
            Ok(moved)
        })
        .await
    }

    async fn move_status_notifying(
        &self,
        id: &str,
        entry: TimelineEntry,
        notice: Option<NewNotice>,
    ) -> Result<Moved, HallError> {
        let id = id.to_owned();
        self.write(move |c| {
            let moved = writes::move_status(c, &id, &entry)?;
            if let (Moved::Done(_), Some(n)) = (&moved, &notice) {
                enqueue(c, n)?;
            }
            Ok(moved)
        })
        .await
    }

    async fn notice_consent(&self, application_id: &str) -> Result<bool, HallError> {
        let id = application_id.to_owned();
        self.read(move |c| {
            let consent: Option<bool> = c
                .query_row(
                    "SELECT sms_notices FROM application_consents WHERE application_id = ?1",
                    [&id],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(consent.unwrap_or(false))
        })
        .await
    }

    async fn claim(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Claimed>, HallError> {
        let worker = worker.to_owned();
        self.write(move |c| claim(c, Lane::Notices, &worker, now, lease, limit))
            .await
    }

    async fn settle(
        &self,
        delivery_id: i64,
        worker: &str,
        outcome: Outcome,
        now: DateTime<Utc>,
    ) -> Result<(), HallError> {
        let worker = worker.to_owned();
        self.write(move |c| settle(c, delivery_id, &worker, &outcome, now))
            .await
    }

    async fn next_due(&self) -> Result<Option<DateTime<Utc>>, HallError> {
        self.read(|c| {
            let at: Option<String> = c.query_row(
                "SELECT MIN(MAX(next_attempt_at, COALESCE(claimed_until, '')))
                 FROM notice_deliveries WHERE status = 'pending' AND kind <> 'partner_forward'",
                [],
                |r| r.get(0),
            )?;
            at.as_deref().map(parse_ts).transpose()
        })
        .await
    }

    async fn queue_stats(&self, now: DateTime<Utc>) -> Result<Vec<TargetStats>, HallError> {
        self.read(move |c| stats(c, Lane::Notices, now)).await
    }

    async fn delivery_log(&self, limit: usize) -> Result<Vec<DeliveryLogRow>, HallError> {
        self.read(move |c| log(c, limit)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::EventKind;

    fn notice(id: &str, targets: &[&str]) -> NewNotice {
        NewNotice {
            id: id.into(),
            kind: EventKind::HelpRequested,
            created_at: Utc::now(),
            sealed: vec![1, 2, 3],
            targets: targets.iter().map(|t| (*t).to_owned()).collect(),
        }
    }

    fn sealed_of(db: &std::path::Path, id: &str) -> Option<Vec<u8>> {
        let conn = Connection::open(db).expect("open");
        conn.query_row(
            "SELECT sealed FROM notice_events WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .expect("row")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_processes_never_claim_the_same_delivery_and_a_lapsed_lease_is_taken_over() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("hall.db");
        // Two stores on one file: two writers, as two hall processes would have.
        let a = SqliteStore::open(&db).expect("open a");
        let b = SqliteStore::open(&db).expect("open b");
        for i in 0..40 {
            a.enqueue(notice(&format!("e{i:02}"), &["sms"]))
                .await
                .expect("enqueue");
        }
        let now = Utc::now();
        let lease = Duration::from_secs(60);
        let (ca, cb) = tokio::join!(a.claim("wa", now, lease, 25), b.claim("wb", now, lease, 25));
        let (ca, cb) = (ca.expect("claim a"), cb.expect("claim b"));
        assert_eq!(ca.len() + cb.len(), 40, "every due delivery claimed once");
        let mut ids: Vec<i64> = ca.iter().chain(&cb).map(|c| c.delivery_id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 40, "no delivery claimed twice");
        assert!(ca
            .iter()
            .chain(&cb)
            .all(|c| c.attempts == 1 && c.sealed.as_deref() == Some(&[1, 2, 3][..])));
        // Nothing is free while the leases hold.
        assert!(b
            .claim("wb", now, lease, 100)
            .await
            .expect("claim")
            .is_empty());
        // b finishes its own deliveries.
        for c in &cb {
            b.settle(c.delivery_id, "wb", Outcome::Delivered, now)
                .await
                .expect("settle");
        }
        // Worker a dies; after its lease b takes its deliveries over.
        let later = now + chrono::Duration::seconds(61);
        let taken = b.claim("wb", later, lease, 100).await.expect("claim");
        let mut want: Vec<i64> = ca.iter().map(|c| c.delivery_id).collect();
        let mut got: Vec<i64> = taken.iter().map(|c| c.delivery_id).collect();
        want.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, want);
        assert!(taken.iter().all(|c| c.attempts == 2));
        // a's late failure report does not undo b's claim; b's success counts.
        let first = ca[0].delivery_id;
        a.settle(
            first,
            "wa",
            Outcome::Retry {
                error: "late".into(),
                at: later,
            },
            later,
        )
        .await
        .expect("settle");
        b.settle(first, "wb", Outcome::Delivered, later)
            .await
            .expect("settle");
        let log = b.delivery_log(100).await.expect("log");
        let row = log
            .iter()
            .find(|r| r.event_id == ca[0].event_id)
            .expect("row");
        assert_eq!(
            (row.status.as_str(), row.last_error.as_deref()),
            ("delivered", None)
        );
        a.close();
        b.close();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn retries_wait_their_turn_and_bodies_are_erased_when_every_target_is_done() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("hall.db");
        let s = SqliteStore::open(&db).expect("open");
        s.enqueue(notice("e1", &["sms", "mail"]))
            .await
            .expect("enqueue");
        // As stored: microseconds.
        let now = parse_ts(&ts(Utc::now())).expect("time");
        let lease = Duration::from_secs(60);
        let claimed = s.claim("w", now, lease, 10).await.expect("claim");
        assert_eq!(claimed.len(), 2);
        let (sms, mail) = (&claimed[0], &claimed[1]);
        assert_eq!((sms.target.as_str(), mail.target.as_str()), ("sms", "mail"));
        let retry_at = now + chrono::Duration::seconds(30);
        s.settle(
            sms.delivery_id,
            "w",
            Outcome::Retry {
                error: "HTTP 500".into(),
                at: retry_at,
            },
            now,
        )
        .await
        .expect("settle");
        s.settle(mail.delivery_id, "w", Outcome::Delivered, now)
            .await
            .expect("settle");
        assert!(
            sealed_of(&db, "e1").is_some(),
            "kept while the SMS is pending"
        );
        assert_eq!(s.next_due().await.expect("due"), Some(retry_at));
        assert!(s
            .claim("w", now + chrono::Duration::seconds(29), lease, 10)
            .await
            .expect("claim")
            .is_empty());
        let again = s.claim("w", retry_at, lease, 10).await.expect("claim");
        assert_eq!((again.len(), again[0].attempts), (1, 2));
        s.settle(
            again[0].delivery_id,
            "w",
            Outcome::GiveUp {
                error: "HTTP 410".into(),
            },
            retry_at,
        )
        .await
        .expect("settle");
        assert_eq!(
            sealed_of(&db, "e1"),
            None,
            "erased once no target is pending"
        );
        let stats = s.queue_stats(retry_at).await.expect("stats");
        let by = |t: &str| {
            stats
                .iter()
                .find(|s| s.target == t)
                .cloned()
                .expect("target")
        };
        assert_eq!(
            (by("sms").failed, by("sms").pending, by("mail").delivered),
            (1, 0, 1)
        );
        let log = s.delivery_log(10).await.expect("log");
        let sms_row = log.iter().find(|r| r.target == "sms").expect("sms row");
        assert_eq!(
            (
                sms_row.status.as_str(),
                sms_row.attempts,
                sms_row.last_error.as_deref()
            ),
            ("failed", 2, Some("HTTP 410"))
        );
        s.close();
    }
}
