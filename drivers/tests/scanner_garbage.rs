//! Garbage in, in bulk: megabytes of pseudo-random bytes (a fixed seed, so a failure
//! reproduces) through the serial framer and filter and the HID decoders. Nothing may panic,
//! and whatever is accepted must satisfy the text policy.

use std::time::Instant;

use kiosk_drivers::scanner::codec::{Framer, Framing};
use kiosk_drivers::scanner::flood::FloodLimit;
use kiosk_drivers::scanner::hid::{HidPosAssembler, KeyOutcome, KeyboardDecoder, KeyboardLayout};
use kiosk_drivers::scanner::{ScanFilter, ScanOutcome, TextPolicy};

/// xorshift64*: deterministic, good enough to spray bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Bytes biased towards what matters: terminators, `]`, ESC, high bytes, ASCII.
    fn byte(&mut self) -> u8 {
        match self.next() % 10 {
            0 => b'\r',
            1 => b']',
            2 => 0x1b,
            3 => 0x80 | (self.next() as u8),
            _ => b' ' + (self.next() % 95) as u8,
        }
    }
}

fn accepted_text_is_clean(outcome: &ScanOutcome, policy: &TextPolicy) {
    if let ScanOutcome::Scan(scan) = outcome {
        assert!(!scan.text.is_empty());
        assert!(
            scan.text.len() <= policy.max_len * 2,
            "decoded text grew too much"
        );
        assert!(
            !scan.text.chars().any(char::is_control),
            "control character accepted: {:?}",
            scan.text
        );
    }
}

fn no_flood_limit() -> FloodLimit {
    FloodLimit {
        burst: u32::MAX,
        per_second: u32::MAX,
    }
}

#[test]
fn random_serial_bytes_never_panic_and_only_clean_text_passes() {
    let policy = TextPolicy {
        max_len: 64,
        ..TextPolicy::default()
    };
    let framing = Framing {
        max_frame: 80,
        ..Framing::default()
    };
    let mut filter = ScanFilter::new(framing.clone(), policy.clone(), no_flood_limit());
    let mut framer = Framer::new(&framing);
    let mut rng = Rng(0x5EED_0001);
    let (mut frames, mut scans, mut rejected) = (Vec::new(), 0u32, 0u32);
    for _ in 0..20_000 {
        let len = (rng.next() % 100) as usize;
        let chunk: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
        framer.push(&chunk, &mut frames);
        for frame in frames.drain(..) {
            match filter.judge_frame(frame, Instant::now()) {
                Some(outcome @ ScanOutcome::Scan(_)) => {
                    accepted_text_is_clean(&outcome, &policy);
                    scans += 1;
                }
                Some(ScanOutcome::Rejected(_)) => rejected += 1,
                None => {}
            }
        }
    }
    // The generator makes both kinds; if either count is 0 the test exercises nothing.
    assert!(
        scans > 1_000 && rejected > 1_000,
        "{scans} scans, {rejected} rejected"
    );
}

#[test]
fn random_hid_reports_never_panic_and_only_clean_text_passes() {
    let policy = TextPolicy::default();
    let mut filter = ScanFilter::new(Framing::default(), policy.clone(), no_flood_limit());
    let mut pos = HidPosAssembler::new(2_048);
    let mut keys = KeyboardDecoder::new(KeyboardLayout::Us, false, 2_048);
    let mut rng = Rng(0x5EED_0002);
    let (mut pos_frames, mut key_frames, mut key_unknown) = (0u32, 0u32, 0u32);
    for _ in 0..50_000 {
        // Mostly full-size scanned-data reports with a plausible length byte; some not.
        let len = if rng.next() % 4 == 0 {
            (rng.next() % 70) as usize
        } else {
            64
        };
        let mut report: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
        if len >= 2 && rng.next() % 8 != 0 {
            report[0] = 0x02;
            report[1] = (rng.next() % 60) as u8;
        }
        if len == 64 && rng.next() % 2 == 0 {
            report[63] = 0; // last report of a code
        }
        if let Ok(Some(frame)) = pos.push(&report) {
            pos_frames += 1;
            if let Some(outcome) = filter.judge_frame(frame, Instant::now()) {
                accepted_text_is_clean(&outcome, &policy);
            }
        }
        // Keyboard reports: small usages so keys, Enter and Alt codes all occur.
        let kb: Vec<u8> = (0..8)
            .map(|i| match i {
                0 => (rng.next() as u8) & 0x26,
                1 => 0,
                _ if rng.next() % 3 == 0 => 0,
                _ => (rng.next() % 0x65) as u8,
            })
            .collect();
        match keys.push(&kb) {
            Ok(Some(KeyOutcome::Frame(frame))) => {
                key_frames += 1;
                if let Some(outcome) = filter.judge_frame(frame, Instant::now()) {
                    accepted_text_is_clean(&outcome, &policy);
                }
            }
            Ok(Some(KeyOutcome::UnknownKey(_))) => key_unknown += 1,
            Ok(None) | Err(_) => {}
        }
    }
    // If either count is small the test exercises little: the generator is off.
    assert!(
        pos_frames > 5_000 && key_frames > 50 && key_unknown > 1_000,
        "{pos_frames} HID POS frames, {key_frames} keyboard frames, {key_unknown} unknown keys"
    );
}
