//! Scanner throughput and latency figures: `cargo bench -p kiosk-drivers --bench scanner`.
//! A plain bench binary (no harness): it prints figures, it asserts nothing about speed.

use std::hint::black_box;
use std::time::{Duration, Instant};

use kiosk_drivers::scanner::codec::{Frame, Framer, Framing};
use kiosk_drivers::scanner::driver::{SerialScanner, SerialScannerConfig};
use kiosk_drivers::scanner::flood::FloodLimit;
use kiosk_drivers::scanner::hid::{
    hid_pos_reports, keyboard_reports, HidPosAssembler, KeyboardDecoder, KeyboardLayout,
};
use kiosk_drivers::scanner::sanitize::{check_text, TextEncoding, TextPolicy};
use kiosk_drivers::scanner::sim::{ScannerProfile, ScannerSim};
use kiosk_drivers::scanner::{ScanFilter, ScanOutcome, Symbology};

fn report(name: &str, items: usize, bytes: usize, elapsed: Duration) {
    let secs = elapsed.as_secs_f64();
    println!(
        "{name:<44} {:>12.0} items/s {:>9.1} MB/s",
        items as f64 / secs,
        bytes as f64 / secs / 1e6
    );
}

fn no_flood_limit() -> FloodLimit {
    FloodLimit {
        burst: u32::MAX,
        per_second: u32::MAX,
    }
}

fn framing_and_filter() {
    let profile = ScannerProfile::default();
    let wire: Vec<u8> = (0..20_000)
        .flat_map(|i| {
            profile.encode(
                Symbology::Qr,
                &format!("https://zwfw.example.gov.cn/yy?no=2026-{i:06}&sig=abcdef0123456789"),
            )
        })
        .collect();
    let framing = Framing::default();
    let mut filter = ScanFilter::new(framing.clone(), TextPolicy::default(), no_flood_limit());
    let start = Instant::now();
    let mut framer = Framer::new(&framing);
    let mut frames = Vec::new();
    let mut scans = 0usize;
    for chunk in wire.chunks(512) {
        framer.push(chunk, &mut frames);
        for frame in frames.drain(..) {
            if let Some(ScanOutcome::Scan(s)) = filter.judge_frame(frame, Instant::now()) {
                scans += black_box(s.text.len()).min(1);
            }
        }
    }
    report(
        "serial framing + checks (QR URLs)",
        scans,
        wire.len(),
        start.elapsed(),
    );
}

fn hostile_long_lines() {
    let mut wire = vec![b'7'; 20_000];
    wire.push(b'\r');
    let framing = Framing::default();
    let rounds = 500;
    let start = Instant::now();
    let mut framer = Framer::new(&framing);
    let mut frames = Vec::new();
    for _ in 0..rounds {
        framer.push(&wire, &mut frames);
        assert!(matches!(
            frames.pop(),
            Some(Frame::Overlong { len: 20_000 })
        ));
    }
    report(
        "20,000-byte lines dropped",
        rounds,
        rounds * wire.len(),
        start.elapsed(),
    );
}

fn sanitizer() {
    let policy = TextPolicy::default();
    let utf8 = "政务服务预约A0042".repeat(80);
    let gb = TextEncoding::Gb18030.encode(&utf8);
    for (name, bytes) in [
        ("sanitize 1.8 KB UTF-8 code", utf8.as_bytes()),
        ("sanitize 1.2 KB GB18030 code", &gb[..]),
    ] {
        let rounds = 20_000;
        let start = Instant::now();
        for _ in 0..rounds {
            black_box(check_text(black_box(bytes), &policy).is_ok());
        }
        report(name, rounds, rounds * bytes.len(), start.elapsed());
    }
}

fn hid_decoding() {
    let data: Vec<u8> = b"https://zwfw.example.gov.cn/yy?no=2026-000042".repeat(4);
    let pos = hid_pos_reports(Some("]Q1"), &data);
    let rounds = 20_000;
    let mut asm = HidPosAssembler::new(4_096);
    let start = Instant::now();
    for _ in 0..rounds {
        for r in &pos {
            black_box(asm.push(r).ok());
        }
    }
    report(
        "HID POS reports → codes",
        rounds,
        rounds * pos.len() * 64,
        start.elapsed(),
    );

    let keys = keyboard_reports(&data, KeyboardLayout::Us).unwrap_or_default();
    let mut dec = KeyboardDecoder::new(KeyboardLayout::Us, false, 4_096);
    let start = Instant::now();
    for _ in 0..rounds {
        for r in &keys {
            black_box(dec.push(r).ok());
        }
    }
    report(
        "keyboard boot reports → codes",
        rounds,
        rounds * keys.len() * 8,
        start.elapsed(),
    );
}

/// Time from the simulator writing a code into the pty to the driver returning the scan.
fn pty_latency() {
    let Ok(dir) = tempfile::tempdir() else { return };
    let Ok(mut sim) = ScannerSim::start(dir.path().join("bench"), ScannerProfile::default()) else {
        println!("pty latency: no pseudo-terminals here");
        return;
    };
    let mut config = SerialScannerConfig::new(sim.link());
    config.flood = no_flood_limit();
    let Ok(mut scanner) = SerialScanner::open(&config) else {
        return;
    };
    let mut samples = Vec::new();
    let mut out = Vec::new();
    for i in 0..500 {
        let start = Instant::now();
        if sim.scan(Symbology::Qr, &format!("LATENCY-{i}")).is_err() {
            return;
        }
        while out.is_empty() {
            if scanner.poll(&mut out).is_err() {
                return;
            }
        }
        samples.push(start.elapsed());
        out.clear();
    }
    samples.sort();
    let pct = |p: usize| samples[samples.len() * p / 100].as_secs_f64() * 1e6;
    println!(
        "{:<44} p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs ({} codes)",
        "pty scan latency (sim write → scan event)",
        pct(50),
        pct(99),
        samples.last().map_or(0.0, |d| d.as_secs_f64() * 1e6),
        samples.len()
    );
}

fn main() {
    framing_and_filter();
    hostile_long_lines();
    sanitizer();
    hid_decoding();
    pty_latency();
}
