//! Delivery of outbox records to the hall: a fast path for the citizen waiting at the
//! screen, and a background worker that retries everything else with backoff.
//!
//! Every submission is saved in the outbox before the first byte goes to the hall, so a
//! crash, a cut network or a timeout at any moment leaves the record on disk; the hall
//! deduplicates by idempotency key, so a redelivery after an answer was lost never doubles.
//!
//! Records are handled one by one: one the outbox cannot open is quarantined by
//! [`Outbox::due`] and the rest still go. When a round fails (the hall unreachable, 5xx, a
//! proxy's page) the worker waits for the whole hall link ([`LinkBackoff`]) before it tries
//! anything again; per record it only counts attempts and keeps the last error for display.
//! Rejected and quarantined records are purged after the configured retention.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::{watch, Notify};

use hall_api::attachment::AttachmentLimits;

use crate::hall::{HallClient, HallError};
use crate::outbox::{
    random_unit, LinkBackoff, Outbox, OutboxError, Pending, RecordId, RecordKind, Requeued,
};
use crate::uploads::UploadError;

/// How many due records the worker takes per round.
const BATCH: usize = 32;
/// The longest the worker sleeps with nothing due, in case the clock jumped.
const IDLE_WAKE: Duration = Duration::from_secs(30);
/// How often the worker purges rejected and quarantined records past their retention.
const PURGE_EVERY: Duration = Duration::from_secs(3600);
/// The retention of rejected and quarantined records when none is configured.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(30 * 86_400);

/// What happened to a submission the citizen is waiting for.
#[derive(Debug)]
pub enum Outcome {
    /// The hall confirmed it; its answer (the receipt) as JSON.
    Delivered(Vec<u8>),
    /// Saved on this kiosk; it will be sent automatically.
    Queued {
        /// Why it was not delivered now (for the log; no personal data).
        reason: String,
    },
    /// The hall refused it for good (validation, unknown item); kept for a technician.
    Rejected {
        /// The hall's Chinese message for the citizen.
        message_zh: String,
        /// The English reason for the log.
        reason: String,
        /// The fields the hall found wrong (validation), for the form to show.
        fields: Vec<hall_api::form::FieldError>,
    },
}

/// The time of the last successful answer from the hall, for `/metrics`.
#[derive(Debug, Default)]
pub struct BackendClock {
    last_success_ms: AtomicU64,
}

impl BackendClock {
    /// Records a success now.
    pub fn success(&self) {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        self.last_success_ms.store(ms, Ordering::Relaxed);
    }

    /// The last success, if any since start.
    pub fn last_success(&self) -> Option<SystemTime> {
        match self.last_success_ms.load(Ordering::Relaxed) {
            0 => None,
            ms => Some(UNIX_EPOCH + Duration::from_millis(ms)),
        }
    }
}

/// Delivers outbox records to the hall.
#[derive(Debug)]
pub struct Delivery {
    outbox: Arc<Outbox>,
    hall: HallClient,
    kick: Notify,
    in_flight: Mutex<HashSet<RecordId>>,
    link: Mutex<LinkBackoff>,
    retention: Duration,
    /// When the hall last answered.
    pub clock: Arc<BackendClock>,
    /// Upload chunk size (at most what the hall allows).
    chunk_bytes: AtomicU64,
    /// The upload limits the hall stated, once asked.
    limits: Mutex<Option<AttachmentLimits>>,
}

/// What one delivery round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    /// Records the hall confirmed.
    pub delivered: usize,
    /// Records the hall refused for good.
    pub rejected: usize,
    /// The round stopped because the hall could not be reached (the reason, no personal
    /// data): the link backs off.
    pub hall_failed: Option<String>,
    /// The round took a whole batch: more may be due at once.
    pub full: bool,
}

/// A record being sent; see [`Delivery::claim`].
struct Claim<'a> {
    delivery: &'a Delivery,
    id: RecordId,
}

impl Claim<'_> {
    fn release(&self) {
        self.delivery
            .in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.id);
    }

    /// Ends the claim without waking the worker (the worker's own, finished attempt).
    fn release_quietly(self) {
        self.release();
        std::mem::forget(self);
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        self.release();
        // The record is free again: the worker delivers it if this attempt did not.
        self.delivery.kick.notify_one();
    }
}

/// Runs blocking outbox calls off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, OutboxError> + Send + 'static,
) -> Result<T, OutboxError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(OutboxError::Task(e.to_string())))
}

impl Delivery {
    /// A delivery service over an outbox and a hall client.
    pub fn new(outbox: Arc<Outbox>, hall: HallClient, clock: Arc<BackendClock>) -> Arc<Self> {
        Self::with_retention(outbox, hall, clock, DEFAULT_RETENTION)
    }

    /// As [`Delivery::new`], keeping rejected and quarantined records for `retention`.
    pub fn with_retention(
        outbox: Arc<Outbox>,
        hall: HallClient,
        clock: Arc<BackendClock>,
        retention: Duration,
    ) -> Arc<Self> {
        Arc::new(Delivery {
            outbox,
            hall,
            kick: Notify::new(),
            in_flight: Mutex::new(HashSet::new()),
            link: Mutex::new(LinkBackoff::default()),
            retention,
            clock,
            chunk_bytes: AtomicU64::new(crate::uploads::DEFAULT_CHUNK_BYTES),
            limits: Mutex::new(None),
        })
    }

    /// Sends attachments in chunks of at most `bytes` (the hall's own limit still applies).
    pub fn set_chunk_bytes(&self, bytes: u64) {
        self.chunk_bytes.store(bytes.max(1), Ordering::Relaxed);
    }

    /// The upload limits the hall states, asked once (within `wait`) and kept; while the hall
    /// cannot be asked, the limits of the API version this kiosk was built with.
    pub async fn attachment_limits(&self, wait: Duration) -> AttachmentLimits {
        if let Some(known) = self
            .limits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            return known;
        }
        match tokio::time::timeout(wait, self.hall.attachment_limits()).await {
            Ok(Ok(limits)) => {
                *self.limits.lock().unwrap_or_else(|p| p.into_inner()) = Some(limits.clone());
                limits
            }
            Ok(Err(err)) => {
                tracing::info!(%err, "the hall's upload limits are unknown; using the built-in ones");
                AttachmentLimits::default()
            }
            Err(_) => AttachmentLimits::default(),
        }
    }

    /// One attempt at a record: its attachments first (if any), then the record itself.
    async fn attempt(
        &self,
        (id, kind, key): (RecordId, RecordKind, &str),
        payload: &[u8],
        attachments: u32,
    ) -> Result<Vec<u8>, HallError> {
        if attachments > 0 {
            let limit = self
                .limits
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .as_ref()
                .map_or(u64::MAX, |l| l.max_chunk_bytes);
            let chunk = self.chunk_bytes.load(Ordering::Relaxed).min(limit);
            match crate::uploads::upload_record(&self.outbox, &self.hall, (id, kind, key), chunk)
                .await
            {
                Ok(_) => {}
                Err(UploadError::Hall(err)) => return Err(err),
                // The attachments cannot be read back: retrying from here will not help,
                // and the application must not go without them.
                Err(UploadError::Outbox(err)) => {
                    return Err(HallError::Setup(format!(
                        "the record's attachments cannot be read from the outbox: {err}"
                    )))
                }
            }
        }
        self.hall.submit(kind, key, payload).await
    }

    fn link(&self) -> std::sync::MutexGuard<'_, LinkBackoff> {
        self.link.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How long the worker still waits before it tries the hall again, if it waits.
    pub fn link_wait(&self) -> Option<Duration> {
        self.link().wait(Instant::now())
    }

    /// `kioskctl outbox retry` without an id: every pending record is due now and the hall
    /// link's wait is over (the technician says the hall is back). Rejected and quarantined
    /// records are left alone. Returns how many records were made due.
    pub async fn retry_pending(&self) -> Result<usize, OutboxError> {
        let outbox = self.outbox.clone();
        let count = blocking(move || outbox.retry_pending_now(SystemTime::now())).await?;
        self.link().succeeded();
        self.kick();
        Ok(count)
    }

    /// `kioskctl outbox retry ID`: see [`Outbox::requeue`]. The hall link's wait is over.
    pub async fn retry_one(&self, id: RecordId) -> Result<Requeued, OutboxError> {
        let outbox = self.outbox.clone();
        let found = blocking(move || outbox.requeue(id, SystemTime::now())).await?;
        if matches!(found, Requeued::Pending | Requeued::Rejected { .. }) {
            self.link().succeeded();
            self.kick();
        }
        Ok(found)
    }

    /// Marks a record as being sent, unless it already is. The claim ends when the guard
    /// drops, also when the caller abandons the attempt (a timeout or a cancelled task
    /// around [`Delivery::submit_now`]): a claim that outlived its attempt would make the
    /// worker skip the record until the kiosk restarts.
    fn claim(&self, id: RecordId) -> Option<Claim<'_>> {
        let free = self
            .in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id);
        // Built only when claimed (not eagerly, as `then_some` would): dropping a Claim
        // releases the record.
        if free {
            Some(Claim { delivery: self, id })
        } else {
            None
        }
    }

    /// Saves a submission durably, then tries to deliver it within `deadline` while the
    /// citizen waits. Fails only if it could not be saved (the disk is full, the outbox is
    /// broken): then nothing was sent either.
    pub async fn submit_now(
        self: &Arc<Self>,
        kind: RecordKind,
        idempotency_key: String,
        payload: impl Into<zeroize::Zeroizing<Vec<u8>>>,
        deadline: Duration,
    ) -> Result<Outcome, OutboxError> {
        let outbox = self.outbox.clone();
        let key = idempotency_key.clone();
        let payload: zeroize::Zeroizing<Vec<u8>> = payload.into();
        let sealed_payload = payload.clone();
        let now = SystemTime::now();
        // Held from the worker while this attempt runs: its outcome is the citizen's to see.
        let due = now + deadline;
        let id =
            blocking(move || outbox.enqueue_due(kind, &key, &sealed_payload, now, due)).await?;
        self.deliver_now(id, kind, &idempotency_key, &payload, 0, deadline)
            .await
    }

    /// As [`Delivery::submit_now`] for an application with attachments (the PDFs of the
    /// materials photographed here): saved together in one transaction, then the
    /// attachments uploaded and the application sent within `deadline`.
    pub async fn submit_with_attachments(
        self: &Arc<Self>,
        idempotency_key: String,
        payload: impl Into<zeroize::Zeroizing<Vec<u8>>>,
        attachments: Vec<crate::session::DocBytes>,
        deadline: Duration,
    ) -> Result<Outcome, OutboxError> {
        let kind = RecordKind::Application;
        let outbox = self.outbox.clone();
        let key = idempotency_key.clone();
        let payload: zeroize::Zeroizing<Vec<u8>> = payload.into();
        let sealed_payload = payload.clone();
        let count = u32::try_from(attachments.len()).unwrap_or(u32::MAX);
        let now = SystemTime::now();
        let due = now + deadline;
        let id = blocking(move || {
            let parts: Vec<&[u8]> = attachments.iter().map(|a| a.bytes()).collect();
            outbox.enqueue_with_attachments(kind, &key, &sealed_payload, &parts, now, due)
        })
        .await?;
        self.deliver_now(id, kind, &idempotency_key, &payload, count, deadline)
            .await
    }

    async fn deliver_now(
        self: &Arc<Self>,
        id: RecordId,
        kind: RecordKind,
        idempotency_key: &str,
        payload: &[u8],
        attachments: u32,
        deadline: Duration,
    ) -> Result<Outcome, OutboxError> {
        let Some(_claim) = self.claim(id) else {
            // The worker is sending it right now; it will be delivered from there.
            return Ok(Outcome::Queued {
                reason: "already being delivered by the worker".into(),
            });
        };
        let attempt = tokio::time::timeout(
            deadline,
            self.attempt((id, kind, idempotency_key), payload, attachments),
        )
        .await;
        let result = match attempt {
            Ok(result) => result,
            Err(_) => Err(HallError::Network(format!(
                "no answer within {} ms",
                deadline.as_millis()
            ))),
        };
        // Dropping the claim releases the record and wakes the worker.
        self.settle(id, result).await
    }

    /// Records the result of one attempt in the outbox.
    async fn settle(
        &self,
        id: RecordId,
        result: Result<Vec<u8>, HallError>,
    ) -> Result<Outcome, OutboxError> {
        let outbox = self.outbox.clone();
        match result {
            Ok(body) => {
                self.clock.success();
                self.link().succeeded();
                blocking(move || outbox.delivered(id)).await?;
                Ok(Outcome::Delivered(body))
            }
            Err(err) if err.retryable() => {
                let reason = err.to_string();
                let logged = reason.clone();
                let attempts =
                    blocking(move || outbox.failed(id, &logged, SystemTime::now())).await?;
                tracing::info!(record = id, attempts, %reason, "submission saved for later");
                Ok(Outcome::Queued { reason })
            }
            Err(err) => {
                self.clock.success(); // the hall answered, even if it said no
                self.link().succeeded();
                let reason = err.to_string();
                let message_zh = err
                    .message_zh()
                    .unwrap_or("提交未被受理，请联系工作人员")
                    .to_owned();
                let fields = match &err {
                    HallError::Refused { body, .. } => body.fields.clone(),
                    _ => Vec::new(),
                };
                let logged = reason.clone();
                blocking(move || outbox.rejected(id, &logged, SystemTime::now())).await?;
                tracing::warn!(record = id, %reason, "the hall refused a submission; kept for a technician");
                Ok(Outcome::Rejected {
                    message_zh,
                    reason,
                    fields,
                })
            }
        }
    }

    /// Wakes the worker (a record was added, or a technician asked for a retry).
    pub fn kick(&self) {
        self.kick.notify_one();
    }

    /// Delivers what is due once, whatever the hall link's wait says. Returns how many
    /// records were delivered.
    pub async fn deliver_due(&self) -> Result<usize, OutboxError> {
        Ok(self.round().await?.delivered)
    }

    /// One round: the due records one by one, until the batch is done or the hall cannot be
    /// reached.
    pub async fn round(&self) -> Result<Round, OutboxError> {
        let outbox = self.outbox.clone();
        let due: Vec<Pending> = blocking(move || outbox.due(SystemTime::now(), BATCH)).await?;
        let mut round = Round {
            full: due.len() == BATCH,
            ..Round::default()
        };
        for record in due {
            let Some(claim) = self.claim(record.id) else {
                continue;
            };
            let result = self
                .attempt(
                    (record.id, record.kind, &record.idempotency_key),
                    &record.payload,
                    record.attachments,
                )
                .await;
            let outcome = self.settle(record.id, result).await;
            claim.release_quietly();
            match outcome? {
                Outcome::Delivered(_) => round.delivered += 1,
                // The hall is unreachable: stop this round instead of timing out on each.
                Outcome::Queued { reason } => {
                    round.hall_failed = Some(reason);
                    round.full = false;
                    break;
                }
                Outcome::Rejected { .. } => round.rejected += 1,
            }
        }
        Ok(round)
    }

    /// Deletes rejected and quarantined records past the retention; logs each without
    /// personal data (id, kind, state, age).
    pub async fn purge(&self) -> Result<usize, OutboxError> {
        let outbox = self.outbox.clone();
        let retention = self.retention;
        let purged = blocking(move || outbox.purge_set_aside(SystemTime::now(), retention)).await?;
        for p in &purged {
            tracing::info!(
                record = p.id,
                kind = %p.kind,
                state = %p.state,
                age_days = p.age.as_secs() / 86_400,
                "outbox record purged after its retention"
            );
        }
        Ok(purged.len())
    }

    /// The worker: delivers due records, sleeps until the next is due or it is kicked, and
    /// stops when `shutdown` turns true (after one last round). After a failed round it
    /// waits for the hall link's backoff; after an outbox error its own backoff, so a
    /// persistent fault is logged now and then, not every few milliseconds.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let mut store = LinkBackoff::default();
        let mut last_purge: Option<Instant> = None;
        loop {
            let wait = if let Some(wait) = self.link_wait() {
                // Kicks (new records) do not end the wait; a retry or a citizen's success
                // resets the link, and the loop comes back here to see.
                wait
            } else if let Some(wait) = store.wait(Instant::now()) {
                wait
            } else {
                match self.round().await {
                    Ok(round) => {
                        store.succeeded();
                        if let Some(reason) = &round.hall_failed {
                            let wait = self.link().failed(Instant::now(), random_unit());
                            tracing::info!(%reason, retry_in_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX), "hall not reachable; waiting before the next delivery round");
                            wait
                        } else if round.full {
                            continue;
                        } else {
                            // Housekeeping when idle, so it never delays a delivery.
                            if last_purge.is_none_or(|t| t.elapsed() >= PURGE_EVERY) {
                                last_purge = Some(Instant::now());
                                if let Err(err) = self.purge().await {
                                    tracing::error!(%err, "outbox purge failed");
                                }
                            }
                            self.idle_wait().await
                        }
                    }
                    Err(err) => {
                        let wait = store.failed(Instant::now(), random_unit());
                        tracing::error!(%err, retry_in_s = wait.as_secs(), "outbox delivery round failed");
                        wait
                    }
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.kick.notified() => {}
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        let _ = self.deliver_due().await;
                        return;
                    }
                }
            }
        }
    }

    /// After a good round everything due was sent or is being sent by a citizen's attempt
    /// (which kicks when it ends); new records kick too. Sleep until a record saved for a
    /// later time is due, at most [`IDLE_WAKE`].
    async fn idle_wait(&self) -> Duration {
        let outbox = self.outbox.clone();
        let next = blocking(move || outbox.next_due()).await.ok().flatten();
        next.and_then(|t| t.duration_since(SystemTime::now()).ok())
            .filter(|d| !d.is_zero())
            .unwrap_or(IDLE_WAKE)
            .min(IDLE_WAKE)
    }
}
