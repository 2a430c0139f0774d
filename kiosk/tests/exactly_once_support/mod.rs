//! Support for the exactly-once tests: the real hall in-process on loopback ([`hall`]), a
//! fault-injecting proxy in front of it ([`proxy`]), a seeded generator ([`rng`]), and a
//! kiosk side made of the real outbox, hall client and delivery worker ([`TestKiosk`]).
#![allow(dead_code)]

pub mod hall;
pub mod proxy;
pub mod rng;
pub mod tls;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use kiosk::delivery::{BackendClock, Delivery, Outcome};
use kiosk::hall::HallClient;
use kiosk::outbox::{Outbox, OutboxKey, RecordKind};
use tokio::sync::watch;

/// The outbox key every test kiosk uses.
pub fn outbox_key() -> OutboxKey {
    OutboxKey::from_bytes(&[7u8; 32]).expect("a 32-byte key")
}

/// A hall client for `base_url` with the credential in `credential` and short timeouts.
pub fn hall_client(base_url: &str, credential: &Path, timeout: Duration) -> HallClient {
    hall_client_with_ca(base_url, credential, None, timeout).expect("hall client")
}

/// As [`hall_client`], trusting the CA in `ca_file` when given.
pub fn hall_client_with_ca(
    base_url: &str,
    credential: &Path,
    ca_file: Option<&Path>,
    timeout: Duration,
) -> Result<HallClient, kiosk::hall::HallError> {
    let config = kiosk_config::schema::Hall {
        base_url: base_url.to_owned(),
        credential_file: Some(credential.to_path_buf()),
        ca_file: ca_file.map(Path::to_path_buf),
        connect_timeout_ms: u64::try_from(timeout.as_millis()).expect("ms"),
        request_timeout_ms: u64::try_from(timeout.as_millis()).expect("ms"),
        progress_url: None,
    };
    HallClient::new(&config, hall::KIOSK_ID)
}

/// Idempotency keys `{prefix}-00000`, … (the hall wants 8-64 characters).
pub fn keys(prefix: &str, range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|n| format!("{prefix}-{n:05}")).collect()
}

/// The kiosk side: the real outbox on disk, the real hall client, the delivery worker.
pub struct TestKiosk {
    /// The outbox.
    pub outbox: Arc<Outbox>,
    /// The delivery service (its worker runs in the background).
    pub delivery: Arc<Delivery>,
    shutdown: watch::Sender<bool>,
    worker: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for TestKiosk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestKiosk")
            .field("outbox", &self.outbox)
            .finish()
    }
}

impl TestKiosk {
    /// Opens the outbox at `db` and starts the worker (call inside a tokio runtime).
    pub fn start(db: &Path, client: HallClient) -> Self {
        let outbox = Arc::new(Outbox::open(db, outbox_key()).expect("open the outbox"));
        let delivery = Delivery::new(outbox.clone(), client, Arc::new(BackendClock::default()));
        let (shutdown, stop) = watch::channel(false);
        let worker = tokio::spawn(delivery.clone().run(stop));
        TestKiosk {
            outbox,
            delivery,
            shutdown,
            worker,
        }
    }

    /// The citizen's path: save, then try to deliver within `deadline`.
    pub async fn submit(&self, key: &str, n: usize, deadline: Duration) -> Outcome {
        self.delivery
            .submit_now(
                RecordKind::Application,
                key.to_owned(),
                hall::application_body(n),
                deadline,
            )
            .await
            .expect("the outbox saves the submission")
    }

    /// Saves only (as after an outage), and wakes the worker.
    pub async fn enqueue(&self, key: &str, n: usize) {
        let outbox = self.outbox.clone();
        let key = key.to_owned();
        tokio::task::spawn_blocking(move || {
            outbox.enqueue(
                RecordKind::Application,
                &key,
                &hall::application_body(n),
                SystemTime::now(),
            )
        })
        .await
        .expect("enqueue task")
        .expect("enqueue");
        self.delivery.kick();
    }

    /// Waits (at most `limit`) until the worker has emptied the outbox; a record the hall
    /// refused, or one still there at the limit, fails the test with the outbox's listing.
    pub async fn drained(&self, limit: Duration) {
        let started = Instant::now();
        loop {
            let stats = self.outbox.stats(SystemTime::now()).expect("outbox stats");
            let listing = || {
                let list = self.outbox.list().expect("outbox list");
                format!("{} left, first: {:?}", list.len(), list.first())
            };
            assert_eq!(stats.rejected, 0, "a record was rejected: {}", listing());
            if stats.pending == 0 {
                return;
            }
            assert!(
                started.elapsed() < limit,
                "the outbox did not drain within {limit:?}: {}",
                listing()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits (at most `limit`) until no record is pending; rejected and quarantined ones may
    /// stay.
    pub async fn drained_pending(&self, limit: Duration) {
        let started = Instant::now();
        while self.pending() > 0 {
            assert!(
                started.elapsed() < limit,
                "the outbox did not drain within {limit:?}: {:?}",
                self.outbox.list().expect("outbox list")
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Pending records now.
    pub fn pending(&self) -> u64 {
        self.outbox
            .stats(SystemTime::now())
            .expect("outbox stats")
            .pending
    }

    /// Stops the worker (after its last round).
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = self.worker.await;
    }
}

/// Counts outcomes of citizen submissions.
#[derive(Debug, Default)]
pub struct Tally {
    /// Delivered while the citizen waited.
    pub delivered: usize,
    /// Saved for later.
    pub queued: usize,
    /// Refused by the hall (never expected here).
    pub rejected: usize,
}

impl Tally {
    /// Adds one outcome.
    pub fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Delivered(_) => self.delivered += 1,
            Outcome::Queued { .. } => self.queued += 1,
            Outcome::Rejected { reason, .. } => {
                self.rejected += 1;
                panic!("the hall refused a valid application: {reason}");
            }
        }
    }
}
