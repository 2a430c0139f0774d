//! Delivery of outbox records to the hall: a fast path for the citizen waiting at the
//! screen, and a background worker that retries everything else with backoff.
//!
//! Every submission is saved in the outbox before the first byte goes to the hall, so a
//! crash, a cut network or a timeout at any moment leaves the record on disk; the hall
//! deduplicates by idempotency key, so a redelivery after an answer was lost never doubles.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::{watch, Notify};

use crate::hall::{HallClient, HallError};
use crate::outbox::{Outbox, OutboxError, Pending, RecordId, RecordKind};

/// How many due records the worker takes per round.
const BATCH: usize = 32;
/// The longest the worker sleeps with nothing due, in case the clock jumped.
const IDLE_WAKE: Duration = Duration::from_secs(30);

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
    /// When the hall last answered.
    pub clock: Arc<BackendClock>,
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
        Arc::new(Delivery {
            outbox,
            hall,
            kick: Notify::new(),
            in_flight: Mutex::new(HashSet::new()),
            clock,
        })
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
        payload: Vec<u8>,
        deadline: Duration,
    ) -> Result<Outcome, OutboxError> {
        let outbox = self.outbox.clone();
        let key = idempotency_key.clone();
        let payload = zeroize::Zeroizing::new(payload);
        let sealed_payload = payload.clone();
        let id = blocking(move || outbox.enqueue(kind, &key, &sealed_payload, SystemTime::now()))
            .await?;
        let Some(_claim) = self.claim(id) else {
            // The worker is sending it right now; it will be delivered from there.
            return Ok(Outcome::Queued {
                reason: "already being delivered by the worker".into(),
            });
        };
        let attempt =
            tokio::time::timeout(deadline, self.hall.submit(kind, &idempotency_key, &payload))
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
                blocking(move || outbox.delivered(id)).await?;
                Ok(Outcome::Delivered(body))
            }
            Err(err) if err.retryable() => {
                let reason = err.to_string();
                let logged = reason.clone();
                let next = blocking(move || outbox.failed(id, SystemTime::now(), &logged)).await?;
                tracing::info!(record = id, %reason, retry_in_s = next.duration_since(SystemTime::now()).unwrap_or_default().as_secs(), "submission saved for later");
                Ok(Outcome::Queued { reason })
            }
            Err(err) => {
                self.clock.success(); // the hall answered, even if it said no
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
                blocking(move || outbox.rejected(id, &logged)).await?;
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

    /// Delivers what is due once. Returns how many records were delivered.
    pub async fn deliver_due(&self) -> Result<usize, OutboxError> {
        let outbox = self.outbox.clone();
        let due: Vec<Pending> = blocking(move || outbox.due(SystemTime::now(), BATCH)).await?;
        let mut delivered = 0;
        for record in due {
            let Some(claim) = self.claim(record.id) else {
                continue;
            };
            let result = self
                .hall
                .submit(record.kind, &record.idempotency_key, &record.payload)
                .await;
            let outcome = self.settle(record.id, result).await;
            claim.release_quietly();
            match outcome? {
                Outcome::Delivered(_) => delivered += 1,
                // The hall is unreachable: stop this round instead of timing out on each.
                Outcome::Queued { .. } => break,
                Outcome::Rejected { .. } => {}
            }
        }
        Ok(delivered)
    }

    /// The worker: delivers due records, sleeps until the next is due or it is kicked, and
    /// stops when `shutdown` turns true (after one last round).
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        loop {
            if let Err(err) = self.deliver_due().await {
                tracing::error!(%err, "outbox delivery round failed");
            }
            let outbox = self.outbox.clone();
            let next = blocking(move || outbox.next_due()).await.ok().flatten();
            let wait = next
                .map(|t| t.duration_since(SystemTime::now()).unwrap_or_default())
                .unwrap_or(IDLE_WAKE)
                .min(IDLE_WAKE)
                .max(Duration::from_millis(50));
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
}
