//! Heartbeats grouped into one write. 10,000 kiosks at one heartbeat each 30 s are ≈ 333
//! upserts a second; one transaction (and one WAL flush) each would make the heartbeat the
//! database's busiest write. Instead one writer task per hall writes batches, one at a time:
//! a batch is every heartbeat that arrived while the previous batch was being written (group
//! commit, as SQLite's writer thread does: no added wait when the hall is quiet, bigger
//! batches when it is busy), optionally gathered for [`HeartbeatBatching::wait`] more, at
//! most [`MAX_BATCH`]. It is written as one `INSERT … SELECT FROM UNNEST … ON CONFLICT DO
//! UPDATE`, a single statement and transaction.
//!
//! A heartbeat is answered only after its batch has committed, so what the kiosk was told is
//! stored and the fleet view of every hall shows it at once; a hall shutting down finishes
//! the requests in flight, and so writes every batch they wait for before it stops. The
//! upsert keeps the newest heartbeat when two halls' batches cross (`WHERE last_seen <=`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use tokio::sync::{mpsc, oneshot};

use super::pg;
use crate::error::HallError;

/// The most heartbeats written in one statement.
pub const MAX_BATCH: usize = 1024;

/// How heartbeats are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeartbeatBatching {
    /// Grouped (see the module's doc); false writes each on its own.
    pub batched: bool,
    /// How long a batch gathers after its first heartbeat, beyond what queued meanwhile.
    pub wait: Duration,
}

impl Default for HeartbeatBatching {
    fn default() -> Self {
        HeartbeatBatching {
            batched: true,
            wait: Duration::ZERO,
        }
    }
}

impl std::str::FromStr for HeartbeatBatching {
    type Err = String;

    /// `off`, or the milliseconds a batch waits for more (`0`: group commit only).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "off" {
            return Ok(HeartbeatBatching {
                batched: false,
                wait: Duration::ZERO,
            });
        }
        match s.parse::<u64>() {
            Ok(ms) if ms <= 1000 => Ok(HeartbeatBatching {
                batched: true,
                wait: Duration::from_millis(ms),
            }),
            _ => Err(format!(
                "{s:?}: give `off` or milliseconds from 0 to 1000 (0: no added wait)"
            )),
        }
    }
}

/// One heartbeat waiting for its batch.
struct Beat {
    kiosk_id: String,
    at: DateTime<Utc>,
    json: String,
    done: oneshot::Sender<Result<(), HallError>>,
}

/// The batcher of one store: its task starts with the first heartbeat (a CLI command that
/// opens the store starts none) and ends when the store is dropped.
#[derive(Debug, Default)]
pub(super) struct Heartbeats {
    batching: HeartbeatBatching,
    queue: OnceLock<mpsc::Sender<Beat>>,
    written: Arc<Written>,
}

/// Batches and heartbeats written so far.
#[derive(Debug, Default)]
struct Written {
    batches: AtomicU64,
    beats: AtomicU64,
}

impl Heartbeats {
    pub(super) fn new(batching: HeartbeatBatching) -> Self {
        Heartbeats {
            batching,
            queue: OnceLock::new(),
            written: Arc::default(),
        }
    }

    /// (batches, heartbeats) written so far.
    pub(super) fn written(&self) -> (u64, u64) {
        (
            self.written.batches.load(Ordering::Relaxed),
            self.written.beats.load(Ordering::Relaxed),
        )
    }

    pub(super) fn batching(&self) -> HeartbeatBatching {
        self.batching
    }

    /// Queues a heartbeat and waits until its batch is committed.
    pub(super) async fn record(
        &self,
        pool: &Pool,
        kiosk_id: &str,
        at: DateTime<Utc>,
        json: String,
    ) -> Result<(), HallError> {
        let queue = self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(MAX_BATCH * 4);
            let written = Arc::clone(&self.written);
            tokio::spawn(gather(pool.clone(), self.batching.wait, rx, written));
            tx
        });
        let (done, answer) = oneshot::channel();
        let beat = Beat {
            kiosk_id: kiosk_id.to_owned(),
            at,
            json,
            done,
        };
        queue
            .send(beat)
            .await
            .map_err(|_| HallError::Unavailable("the heartbeat writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| HallError::Unavailable("the heartbeat writer has stopped".into()))?
    }
}

/// Gathers batches and writes them, one at a time, until every sender is gone.
async fn gather(pool: Pool, wait: Duration, mut rx: mpsc::Receiver<Beat>, written: Arc<Written>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        // What queued while the previous batch was written.
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(beat) => batch.push(beat),
                Err(_) => break,
            }
        }
        if !wait.is_zero() {
            let deadline = tokio::time::sleep(wait);
            tokio::pin!(deadline);
            while batch.len() < MAX_BATCH {
                tokio::select! {
                    beat = rx.recv() => match beat {
                        Some(beat) => batch.push(beat),
                        None => break,
                    },
                    () = &mut deadline => break,
                }
            }
        }
        let result = write(&pool, &batch).await;
        if result.is_ok() {
            written.batches.fetch_add(1, Ordering::Relaxed);
            written
                .beats
                .fetch_add(batch.len() as u64, Ordering::Relaxed);
        }
        for beat in batch {
            let _ = beat.done.send(result.as_ref().map(|_| ()).map_err(copy));
        }
    }
}

/// One statement for the whole batch; a kiosk twice in it keeps its newest heartbeat.
async fn write(pool: &Pool, batch: &[Beat]) -> Result<(), HallError> {
    let mut newest: HashMap<&str, &Beat> = HashMap::with_capacity(batch.len());
    for beat in batch {
        let slot = newest.entry(beat.kiosk_id.as_str()).or_insert(beat);
        if beat.at >= slot.at {
            *slot = beat;
        }
    }
    let (mut ids, mut ats, mut jsons) = (Vec::new(), Vec::new(), Vec::new());
    for beat in newest.into_values() {
        ids.push(beat.kiosk_id.as_str());
        ats.push(beat.at);
        jsons.push(beat.json.as_str());
    }
    let client = pool.get().await.map_err(|e| match e {
        deadpool_postgres::PoolError::Backend(e) => pg(e),
        other => HallError::Unavailable(format!("no database connection: {other}")),
    })?;
    client
        .execute(
            "INSERT INTO kiosk_state (kiosk_id, last_seen, heartbeat)
             SELECT * FROM UNNEST($1::text[], $2::timestamptz[], $3::text[])
             ON CONFLICT (kiosk_id) DO UPDATE SET last_seen = excluded.last_seen,
                 heartbeat = excluded.heartbeat
             WHERE kiosk_state.last_seen <= excluded.last_seen",
            &[&ids, &ats, &jsons],
        )
        .await
        .map_err(pg)?;
    Ok(())
}

/// The batch's error for each of its heartbeats (the error itself is not `Clone`).
fn copy(e: &HallError) -> HallError {
    match e {
        HallError::Postgres {
            sqlstate,
            message,
            transient,
        } => HallError::Postgres {
            sqlstate: sqlstate.clone(),
            message: message.clone(),
            transient: *transient,
        },
        HallError::Unavailable(m) => HallError::Unavailable(m.clone()),
        other => HallError::Internal(format!("heartbeat batch: {other}")),
    }
}

/// Shared between the store's clones.
pub(super) type SharedHeartbeats = Arc<Heartbeats>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_batch_setting_reads_off_or_milliseconds_and_refuses_the_rest() {
        let off: HeartbeatBatching = "off".parse().unwrap();
        assert!(!off.batched);
        assert_eq!(
            "0".parse::<HeartbeatBatching>(),
            Ok(HeartbeatBatching::default())
        );
        let twenty: HeartbeatBatching = "20".parse().unwrap();
        assert_eq!(
            (twenty.batched, twenty.wait),
            (true, Duration::from_millis(20))
        );
        for bad in ["1001", "-1", "20ms", ""] {
            let e = bad.parse::<HeartbeatBatching>().unwrap_err();
            assert!(e.contains("off") && e.contains("1000"), "{e}");
        }
    }
}
