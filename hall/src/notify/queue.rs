//! The durable notice queue and the worker that drains it.
//!
//! Two tables (see the migration): `notice_events` holds each event once, its JSON sealed
//! under the hall's data key and erased once every target is done with it; the delivery log
//! `notice_deliveries` holds one row per (event, target) with the kind, target, status
//! (`pending`, `delivered`, `failed`), attempts, last error and times: no message body and no
//! personal data, so it can be kept and read freely.
//!
//! Claiming is safe for several hall processes on one database: a claim marks due rows with
//! the worker's id and a lease (`claimed_until`) in one write transaction. On SQLite the
//! database's single writer lock serialises claims across processes; on PostgreSQL the same
//! statement selects with `FOR UPDATE SKIP LOCKED`. A worker that dies mid-delivery leaves its
//! rows claimed until the lease ends; then any worker takes them again (at least once).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::config::Checked;
use super::events::{EventKind, Notice};
use super::{DeliveryError, Notices};
use crate::crypto::Secrets;
use crate::error::HallError;
use crate::state::AppState;
use crate::store::staff::{StaffMove, StaffMoved};
use crate::store::{Moved, NewRating, NewTicket, Rated, TicketRecord, Written};
use hall_api::application::TimelineEntry;

/// An event ready to enqueue: one delivery per target.
#[derive(Debug, Clone)]
pub struct NewNotice {
    /// Event id.
    pub id: String,
    /// Kind.
    pub kind: EventKind,
    /// When.
    pub created_at: DateTime<Utc>,
    /// The [`Notice`] as JSON, sealed with the event id as context.
    pub sealed: Vec<u8>,
    /// Target names.
    pub targets: Vec<String>,
}

/// A claimed delivery.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// Delivery row id.
    pub delivery_id: i64,
    /// Event id.
    pub event_id: String,
    /// Kind (as stored).
    pub kind: String,
    /// Target name.
    pub target: String,
    /// Attempts including this one.
    pub attempts: u32,
    /// The sealed notice (`None` if it was erased: nothing left to send).
    pub sealed: Option<Vec<u8>>,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered.
    Delivered,
    /// Failed; try again at the given time.
    Retry {
        /// Why.
        error: String,
        /// When to try again.
        at: DateTime<Utc>,
    },
    /// Failed for good.
    GiveUp {
        /// Why.
        error: String,
    },
}

/// A row of the delivery log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryLogRow {
    /// Event id.
    pub event_id: String,
    /// Kind.
    pub kind: String,
    /// Target name.
    pub target: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    /// Attempts so far.
    pub attempts: u32,
    /// The last failure, if any.
    pub last_error: Option<String>,
    /// When enqueued.
    pub created_at: DateTime<Utc>,
    /// When delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When the row last changed.
    pub updated_at: DateTime<Utc>,
}

/// The queue's figures for one target.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TargetStats {
    /// Target name.
    pub target: String,
    /// Waiting to be sent.
    pub pending: u64,
    /// Pending after at least one failure.
    pub retrying: u64,
    /// Seconds since the oldest pending delivery was enqueued (0 if none).
    pub oldest_pending_age_seconds: f64,
    /// Delivered.
    pub delivered: u64,
    /// Given up.
    pub failed: u64,
}

/// The queue's storage. Implementations enqueue in the same transaction as the write that
/// caused the event, and claim atomically across processes.
#[async_trait]
pub trait NoticeStore: Send + Sync + std::fmt::Debug {
    /// Enqueues an event on its own (for events with no write of their own).
    async fn enqueue(&self, notice: NewNotice) -> Result<(), HallError>;
    /// Stores a ticket and, if it is new, its notice, in one transaction.
    async fn create_ticket_notifying(
        &self,
        ticket: NewTicket,
        notice: Option<NewNotice>,
    ) -> Result<Written<TicketRecord>, HallError>;
    /// Records a rating and, if it is new, its notice, in one transaction.
    async fn rate_notifying(
        &self,
        rating: NewRating,
        notice: Option<NewNotice>,
    ) -> Result<Rated, HallError>;
    /// Moves an application on the workbench and, if the move is done (not stale, not
    /// refused), enqueues its citizen notice, in one transaction.
    async fn staff_move_notifying(
        &self,
        mv: StaffMove,
        notice: Option<NewNotice>,
    ) -> Result<StaffMoved, HallError>;
    /// The staff API's status move with its citizen notice, likewise.
    async fn move_status_notifying(
        &self,
        id: &str,
        entry: TimelineEntry,
        notice: Option<NewNotice>,
    ) -> Result<Moved, HallError>;
    /// Whether the citizen ticked "send progress notices to my phone" on this application's
    /// form (false for applications taken in before the consent was recorded).
    async fn notice_consent(&self, application_id: &str) -> Result<bool, HallError>;
    /// Claims up to `limit` due deliveries for `worker` until `now + lease`, counting an
    /// attempt for each.
    async fn claim(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Claimed>, HallError>;
    /// Records how an attempt ended (ignored if the claim passed to another worker).
    async fn settle(
        &self,
        delivery_id: i64,
        worker: &str,
        outcome: Outcome,
        now: DateTime<Utc>,
    ) -> Result<(), HallError>;
    /// When the next pending delivery falls due, if any.
    async fn next_due(&self) -> Result<Option<DateTime<Utc>>, HallError>;
    /// Figures per target that has rows.
    async fn queue_stats(&self, now: DateTime<Utc>) -> Result<Vec<TargetStats>, HallError>;
    /// The newest `limit` rows of the delivery log.
    async fn delivery_log(&self, limit: usize) -> Result<Vec<DeliveryLogRow>, HallError>;
}

/// Worker timing and links.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Link prefix.
    pub base_url: String,
    /// First retry delay.
    pub first_retry: Duration,
    /// Longest retry delay.
    pub max_retry: Duration,
    /// Attempts before giving up.
    pub give_up_after: u32,
    /// Idle poll interval.
    pub poll: Duration,
    /// Claim lease.
    pub lease: Duration,
    /// Claim batch.
    pub batch: usize,
}

impl From<&Checked> for Settings {
    fn from(c: &Checked) -> Self {
        Settings {
            base_url: c.base_url.clone(),
            first_retry: c.first_retry,
            max_retry: c.max_retry,
            give_up_after: c.give_up_after,
            poll: c.poll,
            lease: c.lease,
            batch: c.batch,
        }
    }
}

/// The delay before retry number `attempt` (1 = the first retry): `first · 2^(attempt-1)`
/// capped at `max`, then drawn uniformly from its upper half (jitter, so that many notices
/// failing together do not retry in step).
pub fn backoff(first: Duration, max: Duration, attempt: u32, random: u32) -> Duration {
    let exp = 2f64.powi(attempt.saturating_sub(1).min(30) as i32);
    let full = (first.as_secs_f64() * exp).min(max.as_secs_f64());
    let fraction = 0.5 + 0.5 * f64::from(random) / f64::from(u32::MAX);
    Duration::from_secs_f64(full * fraction)
}

fn random_u32() -> u32 {
    let mut b = [0u8; 4];
    // Jitter only: a failing random source falls back to no jitter.
    if getrandom::fill(&mut b).is_err() {
        return u32::MAX;
    }
    u32::from_le_bytes(b)
}

/// Keeps a log message short and free of line breaks.
fn short(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    one_line.chars().take(300).collect()
}

/// Drains the queue until `shutdown` turns true.
#[derive(Debug)]
pub struct Worker {
    notices: Arc<Notices>,
    secrets: Secrets,
    id: String,
}

impl Worker {
    /// A worker with a fresh id (several may run, in one or more processes).
    pub fn new(notices: Arc<Notices>, secrets: Secrets) -> Result<Self, HallError> {
        Ok(Worker {
            notices,
            secrets,
            id: format!("{}-{}", std::process::id(), &crate::crypto::new_id()?[..8]),
        })
    }

    /// Starts the worker on the runtime.
    pub fn spawn(
        self,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(self.run(shutdown))
    }

    /// The loop: claim what is due, deliver it concurrently, record each outcome; when
    /// nothing is due, sleep until the next due time, an enqueue, the poll interval or
    /// shutdown. Deliveries in flight at shutdown finish (bounded by their timeouts).
    pub async fn run(self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        let s = self.notices.settings.clone();
        tracing::info!(worker = %self.id, "notice worker started");
        while !*shutdown.borrow() {
            let claimed = match self
                .notices
                .store
                .claim(&self.id, Utc::now(), s.lease, s.batch)
                .await
            {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot claim notices; retrying");
                    Vec::new()
                }
            };
            if claimed.is_empty() {
                let idle = match self.notices.store.next_due().await {
                    Ok(Some(at)) => (at - Utc::now())
                        .to_std()
                        .unwrap_or(Duration::ZERO)
                        .min(s.poll),
                    _ => s.poll,
                };
                tokio::select! {
                    // A dropped sender also stops the worker.
                    changed = shutdown.changed() => if changed.is_err() { break },
                    _ = self.notices.wake.notified() => {}
                    _ = tokio::time::sleep(idle.max(Duration::from_millis(10))) => {}
                }
                continue;
            }
            let mut set = tokio::task::JoinSet::new();
            for c in claimed {
                let notices = Arc::clone(&self.notices);
                let secrets = self.secrets.clone();
                let worker = self.id.clone();
                set.spawn(async move { attempt(&notices, &secrets, &worker, c).await });
            }
            while set.join_next().await.is_some() {}
        }
        tracing::info!(worker = %self.id, "notice worker stopped");
    }
}

/// Sets up the notifiers of `cfg` on a running hall's state and starts one worker; the
/// worker stops when `shutdown` turns true.
pub fn spawn(
    state: &Arc<AppState>,
    store: Arc<dyn NoticeStore>,
    cfg: Checked,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>, HallError> {
    let targets = cfg.webhooks.len() + cfg.emails.len();
    let notices = Arc::new(Notices::from_config(store, cfg)?);
    state
        .notices
        .set(Arc::clone(&notices))
        .map_err(|_| HallError::InvalidArgument("the notifiers are already set up".into()))?;
    tracing::info!(targets, "notifiers configured");
    Ok(Worker::new(notices, state.secrets.clone())?.spawn(shutdown))
}

fn open(secrets: &Secrets, c: &Claimed) -> Result<Notice, String> {
    let sealed = c.sealed.as_deref().ok_or("the notice was erased")?;
    let plain = zeroize::Zeroizing::new(
        secrets
            .open(&c.event_id, sealed)
            .map_err(|_| "the notice cannot be opened with this key file".to_owned())?,
    );
    serde_json::from_slice(&plain).map_err(|e| format!("the notice does not decode: {e}"))
}

async fn attempt(notices: &Notices, secrets: &Secrets, worker: &str, c: Claimed) {
    let s = &notices.settings;
    let result = match (open(secrets, &c), notices.notifier(&c.target)) {
        (Err(e), _) => Err(DeliveryError::permanent(e)),
        (_, None) => Err(DeliveryError::permanent(format!(
            "target {:?} is not in the notifier configuration",
            c.target
        ))),
        (Ok(notice), Some(n)) => n.deliver(&notice).await,
    };
    let now = Utc::now();
    let outcome = match result {
        Ok(()) => {
            tracing::info!(event = %c.event_id, kind = %c.kind, target = %c.target, attempts = c.attempts, "notice delivered");
            Outcome::Delivered
        }
        Err(e) if e.permanent || c.attempts >= s.give_up_after => {
            tracing::error!(event = %c.event_id, kind = %c.kind, target = %c.target, attempts = c.attempts, error = %e, "notice not delivered; giving up");
            Outcome::GiveUp {
                error: short(&e.message),
            }
        }
        Err(e) => {
            let wait = backoff(s.first_retry, s.max_retry, c.attempts, random_u32());
            tracing::warn!(event = %c.event_id, kind = %c.kind, target = %c.target, attempts = c.attempts, retry_in_ms = wait.as_millis() as u64, error = %e, "notice delivery failed; will retry");
            let at = now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
            Outcome::Retry {
                error: short(&e.message),
                at,
            }
        }
    };
    if let Err(e) = notices
        .store
        .settle(c.delivery_id, worker, outcome, now)
        .await
    {
        tracing::error!(event = %c.event_id, error = %e, "cannot record a notice delivery; it will be retried after the lease");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitters_within_the_upper_half() {
        let (first, max) = (Duration::from_secs(10), Duration::from_secs(300));
        assert_eq!(backoff(first, max, 1, u32::MAX), Duration::from_secs(10));
        assert_eq!(backoff(first, max, 1, 0), Duration::from_secs(5));
        assert_eq!(backoff(first, max, 3, u32::MAX), Duration::from_secs(40));
        assert_eq!(backoff(first, max, 10, u32::MAX), max);
        assert_eq!(backoff(first, max, u32::MAX, u32::MAX), max);
        for r in [0, 1, u32::MAX / 3, u32::MAX / 2, u32::MAX - 1] {
            let d = backoff(first, max, 4, r);
            assert!(
                d >= Duration::from_secs(40) && d <= Duration::from_secs(80),
                "{d:?}"
            );
        }
    }

    #[test]
    fn log_errors_are_one_short_line() {
        let long = "x\ny".repeat(400);
        let s = short(&long);
        assert_eq!(s.chars().count(), 300);
        assert!(!s.contains('\n'));
    }
}
