//! Upload throughput: starts the hall on loopback with a temporary on-disk SQLite database
//! (WAL, synchronous=FULL) and uploads PDFs of a few MiB in chunks as a kiosk would
//! (`PUT /api/v1/attachments/{sha256}` with `Content-Range`), printing MB/s per chunk size.
//! Each upload is a new document (new hash), so every byte is sealed, stored, read back and
//! hashed on completion.
//!
//! `CARGO_PROFILE_BENCH_LTO=false CARGO_PROFILE_BENCH_CODEGEN_UNITS=16 cargo bench -p hall --bench uploads -- [--mib N] [--rounds N]`

#[path = "support/mod.rs"]
mod support;
use std::sync::Arc;
use std::time::Instant;
use support::arg;

use hall::store::sqlite::SqliteStore;
use hall::store::{PrincipalKind, Store};
use hall::{AppState, Settings};
use sha2::{Digest, Sha256};

/// A PDF-looking document of `len` bytes, different for each `seed`.
fn document(len: usize, seed: usize) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut state = (seed as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while out.len() < len {
        // xorshift: incompressible-looking bytes like a scan's JPEG streams.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn main() {
    let mib = arg("--mib", 4).max(1);
    let rounds = arg("--rounds", 3).max(1);
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir on disk");
    let db = dir.path().join("bench.db");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let store = Arc::new(SqliteStore::open(&db).expect("open store"));
    rt.block_on(async {
        let secrets = hall::crypto::Secrets::generate().expect("keys");
        let state = AppState::new(store.clone(), secrets, Settings::default())
            .await
            .expect("state");
        let issued = hall::auth::issue(PrincipalKind::Kiosk, "bench", "bench").expect("issue");
        store
            .put_principal(issued.principal.clone())
            .await
            .expect("credential");
        let token = issued.token.to_string();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(hall::serve(listener, state, async move {
            let _ = rx.await;
        }));
        let http = reqwest::Client::new();
        println!(
            "hall uploads: {mib} MiB documents, {rounds} per chunk size, loopback, database {} (WAL, synchronous=FULL)",
            db.display()
        );
        let mut seed = 0;
        for chunk_kib in [64usize, 256, 1024] {
            let chunk = chunk_kib * 1024;
            let mut bytes = 0usize;
            let started = Instant::now();
            for _ in 0..rounds {
                seed += 1;
                let doc = document(mib * 1024 * 1024, seed);
                let sha = hex::encode(Sha256::digest(&doc));
                let mut start = 0;
                while start < doc.len() {
                    let end = (start + chunk).min(doc.len());
                    let r = http
                        .put(format!("{base}/api/v1/attachments/{sha}"))
                        .bearer_auth(&token)
                        .header(
                            "content-range",
                            format!("bytes {start}-{}/{}", end - 1, doc.len()),
                        )
                        .body(doc[start..end].to_vec())
                        .send()
                        .await
                        .expect("upload");
                    assert!(r.status().is_success(), "{}", r.status());
                    start = end;
                }
                bytes += doc.len();
            }
            let secs = started.elapsed().as_secs_f64();
            println!(
                "  chunks of {chunk_kib:>4} KiB: {:>7.1} MB/s ({} documents, {:.2} s)",
                bytes as f64 / 1e6 / secs,
                rounds,
                secs
            );
        }
        let _ = tx.send(());
    });
}
