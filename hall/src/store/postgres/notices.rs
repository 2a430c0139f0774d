//! The notice queue on PostgreSQL: enqueued in the transaction of the write that caused the
//! event; claimed with `FOR UPDATE SKIP LOCKED`, so workers in several hall processes take
//! disjoint rows without waiting on each other, and a lapsed lease is taken over. The
//! forwarding lane (kind `partner_forward`) rides the same rows, as on SQLite.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use hall_api::application::TimelineEntry;

use super::intake::{create_ticket_in, rate_in};
use super::staff::staff_move_in;
use super::writes::move_status_in;
use super::PgStore;
use crate::error::HallError;
use crate::notify::queue::{Claimed, DeliveryLogRow, NewNotice, NoticeStore, Outcome, TargetStats};
use crate::partners::FORWARD_KIND;
use crate::store::staff::{StaffMove, StaffMoved};
use crate::store::{Moved, NewRating, NewTicket, Rated, TicketRecord, Written};

pub(super) async fn enqueue<C: GenericClient>(c: &C, n: &NewNotice) -> Result<(), HallError> {
    c.execute(
        "INSERT INTO notice_events (id, kind, created_at, sealed) VALUES ($1, $2, $3, $4)",
        &[&n.id, &n.kind.as_str(), &n.created_at, &n.sealed],
    )
    .await?;
    let insert = c
        .prepare_cached(
            "INSERT INTO notice_deliveries (event_id, kind, target, status, next_attempt_at,
                 created_at, updated_at)
             VALUES ($1, $2, $3, 'pending', $4, $4, $4)",
        )
        .await?;
    for target in &n.targets {
        c.execute(&insert, &[&n.id, &n.kind.as_str(), target, &n.created_at])
            .await?;
    }
    Ok(())
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Erases the event's body once no delivery of it is pending.
async fn erase_if_done<C: GenericClient>(c: &C, delivery_id: i64) -> Result<(), HallError> {
    c.execute(
        "UPDATE notice_events SET sealed = NULL
         WHERE id = (SELECT event_id FROM notice_deliveries WHERE id = $1)
           AND NOT EXISTS (SELECT 1 FROM notice_deliveries d
                           WHERE d.event_id = notice_events.id AND d.status = 'pending')",
        &[&delivery_id],
    )
    .await?;
    Ok(())
}

#[async_trait]
impl NoticeStore for PgStore {
    /// Enqueues an event on its own.
    async fn enqueue(&self, notice: NewNotice) -> Result<(), HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        enqueue(&tx, &notice).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores a ticket and, if it is new, its notice, in one transaction.
    async fn create_ticket_notifying(
        &self,
        ticket: NewTicket,
        notice: Option<NewNotice>,
    ) -> Result<Written<TicketRecord>, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let written = create_ticket_in(&tx, &ticket).await?;
        if let (Written::Created(_), Some(n)) = (&written, &notice) {
            enqueue(&tx, n).await?;
        }
        tx.commit().await?;
        Ok(written)
    }

    /// Records a rating and, if it is new, its notice, in one transaction.
    async fn rate_notifying(
        &self,
        rating: NewRating,
        notice: Option<NewNotice>,
    ) -> Result<Rated, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let rated = rate_in(&tx, &rating).await?;
        if let (Rated::Done(r), Some(n)) = (&rated, &notice) {
            // A replay answers the first record: only a new rating notifies.
            if r.id == rating.id {
                enqueue(&tx, n).await?;
            }
        }
        tx.commit().await?;
        Ok(rated)
    }

    /// A workbench move and, if done (not stale, not refused), its notice, in one
    /// transaction.
    async fn staff_move_notifying(
        &self,
        mv: StaffMove,
        notice: Option<NewNotice>,
    ) -> Result<StaffMoved, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let moved = staff_move_in(&tx, &mv).await?;
        if let (StaffMoved::Done(_), Some(n)) = (&moved, &notice) {
            enqueue(&tx, n).await?;
        }
        tx.commit().await?;
        Ok(moved)
    }

    /// The staff API's status move with its citizen notice, in one transaction.
    async fn move_status_notifying(
        &self,
        id: &str,
        entry: TimelineEntry,
        notice: Option<NewNotice>,
    ) -> Result<Moved, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let moved = move_status_in(&tx, id, &entry).await?;
        if let (Moved::Done(_), Some(n)) = (&moved, &notice) {
            enqueue(&tx, n).await?;
        }
        tx.commit().await?;
        Ok(moved)
    }

    /// Whether the citizen asked for progress notices on this application.
    async fn notice_consent(&self, application_id: &str) -> Result<bool, HallError> {
        let c = self.client().await?;
        let row = c
            .query_opt(
                "SELECT sms_notices FROM application_consents WHERE application_id = $1",
                &[&application_id],
            )
            .await?;
        Ok(row.is_some_and(|r| r.get(0)))
    }

    /// Claims up to `limit` due notice deliveries for `worker` until `now + lease`.
    async fn claim(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Claimed>, HallError> {
        self.claim_lane(false, worker, now, lease, limit).await
    }

    /// Records how an attempt ended (ignored if the claim passed to another worker; a
    /// delivery counts whoever holds the claim now: the notice did go out).
    async fn settle(
        &self,
        id: i64,
        worker: &str,
        outcome: Outcome,
        now: DateTime<Utc>,
    ) -> Result<(), HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        match &outcome {
            Outcome::Delivered => {
                tx.execute(
                    "UPDATE notice_deliveries SET status = 'delivered', delivered_at = $2,
                         updated_at = $2, claimed_by = NULL, claimed_until = NULL
                     WHERE id = $1 AND status = 'pending'",
                    &[&id, &now],
                )
                .await?;
                erase_if_done(&tx, id).await?;
            }
            Outcome::Retry { error, at } => {
                tx.execute(
                    "UPDATE notice_deliveries SET next_attempt_at = $3, last_error = $4,
                         updated_at = $5, claimed_by = NULL, claimed_until = NULL
                     WHERE id = $1 AND claimed_by = $2 AND status = 'pending'",
                    &[&id, &worker, at, error, &now],
                )
                .await?;
            }
            Outcome::GiveUp { error } => {
                tx.execute(
                    "UPDATE notice_deliveries SET status = 'failed', last_error = $3,
                         updated_at = $4, claimed_by = NULL, claimed_until = NULL
                     WHERE id = $1 AND claimed_by = $2 AND status = 'pending'",
                    &[&id, &worker, error, &now],
                )
                .await?;
                erase_if_done(&tx, id).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// When the next pending notice falls due (after its lease, if claimed).
    async fn next_due(&self) -> Result<Option<DateTime<Utc>>, HallError> {
        let c = self.client().await?;
        let row = c
            .query_one(
                "SELECT MIN(GREATEST(next_attempt_at, claimed_until)) FROM notice_deliveries
                 WHERE status = 'pending' AND kind <> $1",
                &[&FORWARD_KIND],
            )
            .await?;
        Ok(row.get(0))
    }

    /// Figures per notice target that has rows.
    async fn queue_stats(&self, now: DateTime<Utc>) -> Result<Vec<TargetStats>, HallError> {
        self.lane_stats(false, now).await
    }

    /// The newest `limit` rows of the notice delivery log.
    async fn delivery_log(&self, limit: usize) -> Result<Vec<DeliveryLogRow>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT event_id, kind, target, status, attempts, last_error, created_at,
                        delivered_at, updated_at
                 FROM notice_deliveries WHERE kind <> $2 ORDER BY id DESC LIMIT $1",
                &[&i64::try_from(limit).unwrap_or(i64::MAX), &FORWARD_KIND],
            )
            .await?;
        rows.into_iter()
            .map(|r| {
                let attempts: i64 = r.get(4);
                Ok(DeliveryLogRow {
                    event_id: r.get(0),
                    kind: r.get(1),
                    target: r.get(2),
                    status: r.get(3),
                    attempts: u32::try_from(attempts)
                        .map_err(|_| HallError::Corrupt(format!("{attempts} attempts")))?,
                    last_error: r.get(5),
                    created_at: r.get(6),
                    delivered_at: r.get(7),
                    updated_at: r.get(8),
                })
            })
            .collect()
    }
}

impl PgStore {
    /// Claims due rows of one lane (`forwards`: the partner lane), counting an attempt for
    /// each. Rows another claimer holds locked are skipped, not waited for.
    pub(super) async fn claim_lane(
        &self,
        forwards: bool,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Claimed>, HallError> {
        let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let c = self.client().await?;
        let stmt = c
            .prepare_cached(
                "UPDATE notice_deliveries d
                 SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1,
                     updated_at = $3
                 WHERE id IN (
                     SELECT id FROM notice_deliveries
                     WHERE status = 'pending' AND next_attempt_at <= $3
                       AND (claimed_until IS NULL OR claimed_until <= $3)
                       AND (kind = $6) = $5
                     ORDER BY next_attempt_at, id LIMIT $4
                     FOR UPDATE SKIP LOCKED)
                 RETURNING d.id, d.event_id, d.kind, d.target, d.attempts,
                     (SELECT sealed FROM notice_events e WHERE e.id = d.event_id)",
            )
            .await?;
        let rows = c
            .query(
                &stmt,
                &[&worker, &until, &now, &limit, &forwards, &FORWARD_KIND],
            )
            .await?;
        let mut out = rows
            .into_iter()
            .map(|r| {
                let attempts: i64 = r.get(4);
                Ok(Claimed {
                    delivery_id: r.get(0),
                    event_id: r.get(1),
                    kind: r.get(2),
                    target: r.get(3),
                    attempts: u32::try_from(attempts)
                        .map_err(|_| HallError::Corrupt(format!("{attempts} attempts")))?,
                    sealed: r.get(5),
                })
            })
            .collect::<Result<Vec<_>, HallError>>()?;
        out.sort_by_key(|c| c.delivery_id);
        Ok(out)
    }

    pub(super) async fn lane_stats(
        &self,
        forwards: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<TargetStats>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT target,
                        COUNT(*) FILTER (WHERE status = 'pending'),
                        COUNT(*) FILTER (WHERE status = 'pending' AND attempts > 0
                                         AND claimed_until IS NULL),
                        MIN(created_at) FILTER (WHERE status = 'pending'),
                        COUNT(*) FILTER (WHERE status = 'delivered'),
                        COUNT(*) FILTER (WHERE status = 'failed')
                 FROM notice_deliveries WHERE (kind = $2) = $1
                 GROUP BY target ORDER BY target",
                &[&forwards, &FORWARD_KIND],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let oldest: Option<DateTime<Utc>> = r.get(3);
                let age =
                    oldest.map_or(0.0, |t| (now - t).num_milliseconds().max(0) as f64 / 1000.0);
                TargetStats {
                    target: r.get(0),
                    pending: count(r.get(1)),
                    retrying: count(r.get(2)),
                    oldest_pending_age_seconds: age,
                    delivered: count(r.get(4)),
                    failed: count(r.get(5)),
                }
            })
            .collect())
    }
}
