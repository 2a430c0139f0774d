//! Outbox durable enqueue latency: each enqueue is a committed, fsynced SQLite transaction
//! (WAL, synchronous=FULL) holding an encrypted payload the size of a real application.
//! Prints p50 / p99 / max over the run. `cargo bench -p kiosk --bench outbox_enqueue`

use std::time::{Instant, SystemTime};

use kiosk::outbox::{Outbox, OutboxKey, RecordKind};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn main() {
    let runs: usize = std::env::var("OUTBOX_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let key = OutboxKey::from_bytes(&[5u8; 32]).expect("key");
    let outbox = Outbox::open(&dir.path().join("outbox.sqlite"), key).expect("open outbox");
    // About the size of a CreateApplication with a dozen fields and a mailing address.
    let payload = vec![b'x'; 2_048];
    let mut latencies_ms = Vec::with_capacity(runs);
    let started = Instant::now();
    for n in 0..runs {
        let key = format!("bench-{n:08}");
        let t = Instant::now();
        outbox
            .enqueue(RecordKind::Application, &key, &payload, SystemTime::now())
            .expect("enqueue");
        latencies_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let total = started.elapsed().as_secs_f64();
    latencies_ms.sort_by(f64::total_cmp);
    println!(
        "outbox durable enqueue ({runs} records, 2 KiB payload, on {}):",
        dir.path().display()
    );
    println!(
        "  p50 {:.3} ms   p99 {:.3} ms   max {:.3} ms   {:.0} enqueues/s",
        percentile(&latencies_ms, 0.50),
        percentile(&latencies_ms, 0.99),
        latencies_ms.last().copied().unwrap_or_default(),
        runs as f64 / total
    );
}
