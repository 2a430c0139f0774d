//! Delivery rate after an outage: 10,000 applications wait in the outbox (saved while the
//! hall was unreachable), the hall comes back, and the delivery worker drains them one
//! request at a time, as on a kiosk. Prints records/s and the total drain time, then checks
//! in the hall's database that every application arrived exactly once.
//!
//! The hall is the real one (axum + SQLite, `synchronous=FULL`) on loopback in this process.
//! `cargo bench -p kiosk --bench outbox_drain`; `OUTBOX_DRAIN_RECORDS=N` changes the backlog.

#[path = "../tests/exactly_once_support/hall.rs"]
#[allow(dead_code)]
mod loopback_hall;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use kiosk::delivery::{BackendClock, Delivery};
use kiosk::hall::HallClient;
use kiosk::outbox::{Outbox, OutboxKey, RecordKind};
use loopback_hall::LoopbackHall;

fn main() {
    let records: usize = std::env::var("OUTBOX_DRAIN_RECORDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(drain(records));
}

async fn drain(records: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let hall = LoopbackHall::start(dir.path()).await;
    let credential = dir.path().join("kiosk.credential");
    hall.kiosk_credential(&credential).await;
    let config = kiosk_config::schema::Hall {
        base_url: hall.url(),
        credential_file: Some(credential),
        ..kiosk_config::schema::Hall::default()
    };
    let client = HallClient::new(&config, loopback_hall::KIOSK_ID).expect("hall client");

    // The outage: every application saved, none delivered.
    let key = OutboxKey::from_bytes(&[9u8; 32]).expect("key");
    let outbox = Arc::new(Outbox::open(&dir.path().join("outbox.sqlite"), key).expect("outbox"));
    let keys: Vec<String> = (0..records).map(|n| format!("drain-{n:06}")).collect();
    let saving = Instant::now();
    {
        let outbox = outbox.clone();
        let keys = keys.clone();
        tokio::task::spawn_blocking(move || {
            let saved_at = SystemTime::now() - Duration::from_secs(3600);
            for (n, key) in keys.iter().enumerate() {
                let body = loopback_hall::application_body(n);
                outbox
                    .enqueue(RecordKind::Application, key, &body, saved_at)
                    .expect("enqueue");
            }
        })
        .await
        .expect("enqueue task");
    }
    let saving = saving.elapsed();

    // The hall is back: the worker drains the backlog.
    let delivery = Delivery::new(outbox.clone(), client, Arc::new(BackendClock::default()));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let worker = tokio::spawn(delivery.clone().run(stopped));
    let mut halfway = None;
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let stats = outbox.stats(SystemTime::now()).expect("stats");
        assert_eq!(stats.rejected, 0, "the hall refused a record");
        if halfway.is_none() && stats.pending <= records as u64 / 2 {
            halfway = Some(started.elapsed());
        }
        if stats.pending == 0 {
            break;
        }
    }
    let drained = started.elapsed();
    let _ = stop.send(true);
    let _ = worker.await;

    let arrivals = hall.arrivals();
    arrivals.assert_exactly(&keys);
    println!(
        "outbox drain after an outage ({records} applications queued, real hall on loopback, \
         one request at a time):"
    );
    println!(
        "  drained in {:.2} s   {:.0} records/s   (first half in {:.2} s)",
        drained.as_secs_f64(),
        records as f64 / drained.as_secs_f64(),
        halfway.unwrap_or(drained).as_secs_f64()
    );
    println!(
        "  queueing them took {:.2} s ({:.0} durable enqueues/s); every application arrived exactly once",
        saving.as_secs_f64(),
        records as f64 / saving.as_secs_f64()
    );
}
