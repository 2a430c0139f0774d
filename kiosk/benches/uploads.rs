//! Upload throughput of photographed materials to the hall: applications each with one
//! material of three camera pages (rendered document photos through the camera handle and
//! the page pipeline, made into one PDF), saved in the outbox with their PDF, then delivered
//! by the delivery rounds as on a kiosk: status, chunked PUTs, then the application.
//! Prints MB/s and pages/s for a few chunk sizes.
//!
//! The hall is the real one (axum + SQLite, every chunk sealed and committed with
//! `synchronous=FULL`) on loopback in this process. Each application carries distinct bytes
//! (one byte of the PDF's trailing comment changes), so nothing is deduplicated away.
//! `cargo bench -p kiosk --bench uploads` (without LTO on the shared machine:
//! `CARGO_PROFILE_BENCH_LTO=false CARGO_PROFILE_BENCH_CODEGEN_UNITS=16`);
//! `UPLOADS_APPLICATIONS=N` changes how many applications per chunk size.

#[path = "../tests/exactly_once_support/hall.rs"]
#[allow(dead_code)]
mod loopback_hall;

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use kiosk::citizen::effects::assemble;
use kiosk::delivery::{BackendClock, Delivery};
use kiosk::devices::CameraHandle;
use kiosk::hall::HallClient;
use kiosk::outbox::{Outbox, OutboxKey, RecordKind};
use kiosk::session::DocBytes;
use kiosk::uploads::sha256_hex;
use kiosk_drivers::camera::sample;
use loopback_hall::LoopbackHall;

const PAGES: usize = 3;

fn main() {
    let applications: usize = std::env::var("UPLOADS_APPLICATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let page = sample::render_page().expect("fonts-noto-cjk renders the sample page");
    let photos = sample::standard_specs()[..PAGES]
        .iter()
        .map(|spec| sample::photograph(&page, spec).photo)
        .collect();
    let camera = CameraHandle::from_photos(photos);
    let pages: Vec<DocBytes> = (0..PAGES)
        .map(|_| {
            let shot = camera.still(true).expect("a page");
            DocBytes::new(shot.page.expect("processed").jpeg)
        })
        .collect();
    let pdf = assemble(&pages).expect("a PDF").pdf.bytes().to_vec();
    println!(
        "material: {PAGES} pages, PDF {} KiB; {applications} applications per chunk size",
        pdf.len() / 1024
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    for chunk in [64 * 1024, 256 * 1024, 1024 * 1024] {
        runtime.block_on(run(&pdf, applications, chunk));
    }
}

/// The PDF with its last comment byte varied: distinct bytes, same size.
fn variant(pdf: &[u8], n: usize) -> Vec<u8> {
    let mut out = pdf.to_vec();
    out.extend_from_slice(format!("\n%{n:08}\n").as_bytes());
    out
}

async fn run(pdf: &[u8], applications: usize, chunk: u64) {
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
    let key = OutboxKey::from_bytes(&[9u8; 32]).expect("key");
    let outbox = Arc::new(Outbox::open(&dir.path().join("outbox.sqlite"), key).expect("outbox"));
    let mut bytes = 0u64;
    for n in 0..applications {
        let doc = variant(pdf, n);
        let body = application(n, &sha256_hex(&doc));
        bytes += doc.len() as u64;
        outbox
            .enqueue_with_attachments(
                RecordKind::Application,
                &format!("uploads-bench-{n:06}"),
                &body,
                &[&doc],
                SystemTime::now(),
                SystemTime::now(),
            )
            .expect("enqueue");
    }
    let delivery = Delivery::new(outbox.clone(), client, Arc::new(BackendClock::default()));
    delivery.set_chunk_bytes(chunk);
    let started = Instant::now();
    let mut delivered = 0;
    while delivered < applications {
        let round = delivery.round().await.expect("a round");
        assert!(round.hall_failed.is_none(), "{round:?}");
        assert_eq!(round.rejected, 0);
        delivered += round.delivered;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "chunk {:>4} KiB: {:.1} MB/s, {:.1} pages/s, {:.1} applications/s ({} MB in {:.2} s)",
        chunk / 1024,
        bytes as f64 / 1e6 / secs,
        (applications * PAGES) as f64 / secs,
        applications as f64 / secs,
        bytes as f64 / 1e6,
        secs
    );
    let arrivals = hall.arrivals();
    arrivals.assert_each_once();
    assert_eq!(arrivals.by_key.len(), applications);
}

fn application(n: usize, sha: &str) -> Vec<u8> {
    let mut body: serde_json::Value =
        serde_json::from_slice(&loopback_hall::application_body(n)).expect("the test body");
    body["materials"] = serde_json::json!([
        {"code": "photo", "source": "scanned", "pages": PAGES, "attachments": [sha]}
    ]);
    serde_json::to_vec(&body).expect("json")
}
