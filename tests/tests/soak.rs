//! The soak: many simulated citizens in a row against the real kiosk and hall, the kiosk's
//! resident memory sampled as they go. Nothing may be lost and memory must stay flat.
//!
//! Not part of the default run (it takes minutes):
//!
//! ```text
//! KIOSK_SOAK_CITIZENS=200 cargo test -p kiosk-e2e --release soak -- --ignored --nocapture
//! ```
//!
//! `E2E_KIOSK_BIN=target/release/kiosk` soaks a release kiosk (`cargo build --release --bin
//! kiosk`) while the test itself stays in the dev profile.
//!
//! `KIOSK_SOAK_CITIZENS` (default 200) sets how many citizens come; `KIOSK_SOAK_SAMPLE_EVERY`
//! (default N/20) how often the kiosk's VmRSS and PSS are read (`/proc/PID/status`,
//! `/proc/PID/smaps_rollup`); `KIOSK_SOAK_SCREEN=1` draws the screen offscreen at
//! 1080×1920 (`--offscreen`, the image's renderer and size) instead of running headless.
//! At the start and at the end, at the home screen, the PSS is broken down by mapping
//! (`/proc/PID/smaps`: font files, the binary, shared libraries, the main heap, anonymous
//! memory: the allocator's thread arenas, stacks, frame buffers).

use std::time::{Duration, Instant};

use kiosk_e2e::hall_db;
use kiosk_e2e::kiosk::{KioskOptions, Rig, TO_REVIEW};

const LONG: Duration = Duration::from_secs(60);
const SAMPLES: [&str; 2] = ["resident-zhang-san", "resident-li-xiuying"];

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

/// The allocator settings the image's systemd unit gives the kiosk (`Environment=MALLOC_…`
/// in `image-build/systemd/kiosk.service`), so the soak measures what the kiosk holds there.
fn unit_allocator_env() -> Vec<(String, String)> {
    let unit = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../image-build/systemd/kiosk.service");
    let text = std::fs::read_to_string(&unit).unwrap_or_else(|e| panic!("{}: {e}", unit.display()));
    let env: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Environment="))
        .filter_map(|kv| kv.split_once('='))
        .filter(|(k, _)| k.starts_with("MALLOC_"))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    assert!(!env.is_empty(), "no MALLOC_ settings in {}", unit.display());
    env
}

/// The KiB figure of the line `key` (`VmRSS:`, `Pss:`) in `/proc/PID/FILE`.
fn proc_kib(pid: u32, file: &str, key: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/{file}"))
        .unwrap_or_else(|e| panic!("/proc/{pid}/{file}: {e}"));
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{key} in /proc/PID/{file}"))
}

/// The kiosk's resident set size in KiB (`VmRSS` of `/proc/PID/status`).
fn rss_kib(pid: u32) -> u64 {
    proc_kib(pid, "status", "VmRSS:")
}

/// The kiosk's proportional set size in KiB (`Pss` of `/proc/PID/smaps_rollup`): shared
/// pages (libraries, font files) count by the share this process maps.
fn pss_kib(pid: u32) -> u64 {
    proc_kib(pid, "smaps_rollup", "Pss:")
}

/// PSS in KiB by kind of mapping, from `/proc/PID/smaps`, largest first; the biggest
/// anonymous mappings are listed one by one (thread arenas are 64 MiB-aligned heaps, stacks
/// have a guard page before them).
fn pss_breakdown(pid: u32) -> Vec<(String, u64)> {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).expect("proc smaps");
    let exe = std::fs::read_link(format!("/proc/{pid}/exe"))
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut kinds: std::collections::BTreeMap<String, u64> = Default::default();
    let mut anon: Vec<(String, u64)> = Vec::new();
    let mut current = (String::new(), String::new());
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        let first = fields.next().unwrap_or("");
        if first.contains('-') && !first.ends_with(':') {
            let _perms = fields.next();
            let path = fields.nth(3).unwrap_or("").to_owned();
            let kind = if path.is_empty() {
                "anonymous (arenas, stacks, buffers)"
            } else if path == exe {
                "the kiosk binary"
            } else if [".ttc", ".otf", ".ttf"].iter().any(|e| path.ends_with(e)) {
                "font files"
            } else if path.contains(".so") {
                "shared libraries"
            } else if path == "[heap]" {
                "[heap] (main arena)"
            } else {
                "other (stack, vdso, sqlite shm, files)"
            };
            current = (kind.to_owned(), format!("{first} {path}"));
        } else if first == "Pss:" {
            let kib: u64 = fields.next().and_then(|v| v.parse().ok()).unwrap_or(0);
            *kinds.entry(current.0.clone()).or_default() += kib;
            if current.0.starts_with("anonymous") && kib >= 1024 {
                anon.push((format!("  anon {}", current.1), kib));
            }
        }
    }
    let mut out: Vec<(String, u64)> = kinds.into_iter().collect();
    out.sort_by_key(|b| std::cmp::Reverse(b.1));
    anon.sort_by_key(|b| std::cmp::Reverse(b.1));
    out.extend(anon.into_iter().take(8));
    out
}

fn print_breakdown(when: &str, pid: u32) {
    println!("soak: PSS by mapping {when}:");
    for (kind, kib) in pss_breakdown(pid) {
        println!("  {kind:<52} {:>8} KiB", kib);
    }
}

/// One citizen's visit: card, item, form, submit, receipt, a rating every other time, home.
/// Returns whether the application was delivered at once (else it was queued).
fn one_citizen(rig: &Rig, i: usize) -> bool {
    rig.sim(&format!("card place {}", SAMPLES[i % SAMPLES.len()]));
    rig.wait_show(LONG, "the card read", |s| !s["citizen"].is_null());
    for words in TO_REVIEW.iter().chain(&["next", "submit"]) {
        rig.press(words);
    }
    let s = rig.wait_show(LONG, "the receipt", |s| {
        s["screen"] == "receipt" && s["submission"] != "pending"
    });
    let delivered = s["submission"] == "delivered";
    rig.press("done");
    if i % 2 == 0 {
        rig.press("rate 5");
        rig.press("send");
    } else {
        rig.press("skip");
    }
    rig.sim("card remove");
    rig.wait_show(LONG, "the farewell or home", |s| {
        s["screen"] == "farewell" || s["screen"] == "home"
    });
    rig.press("home");
    rig.wait_show(LONG, "home, wiped", |s| {
        s["screen"] == "home" && s["holdsPersonalData"] == false
    });
    delivered
}

fn mean(xs: &[u64]) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    xs.iter().sum::<u64>() as f64 / xs.len() as f64
}

#[test]
#[ignore = "the soak takes minutes; run it with -- --ignored"]
fn soak_many_citizens_in_a_row() {
    let citizens = env_number("KIOSK_SOAK_CITIZENS", 200);
    let every = env_number("KIOSK_SOAK_SAMPLE_EVERY", (citizens / 20).max(1));
    let screen = std::env::var("KIOSK_SOAK_SCREEN").is_ok_and(|v| v == "1");
    let env = unit_allocator_env();
    println!("the kiosk runs with its unit's allocator settings: {env:?}");
    let rig = Rig::start(&KioskOptions {
        screen,
        env,
        ..KioskOptions::default()
    });
    let pid = rig.kiosk_pid();
    let started = Instant::now();
    let mut samples: Vec<(usize, u64)> = vec![(0, rss_kib(pid))];
    let mut delivered_at_once = 0;
    let mode = if screen {
        "offscreen 1080x1920"
    } else {
        "headless"
    };
    println!("soak: {citizens} citizens, {mode}, VmRSS and PSS sampled every {every}");
    print_breakdown("at the home screen, at start", pid);
    println!(
        "{:>9} {:>10} {:>9} {:>9}",
        "citizens", "VmRSS KiB", "PSS KiB", "elapsed"
    );
    println!(
        "{:>9} {:>10} {:>9} {:>8.1}s",
        0,
        samples[0].1,
        pss_kib(pid),
        0.0
    );
    for i in 0..citizens {
        if one_citizen(&rig, i) {
            delivered_at_once += 1;
        }
        if (i + 1) % every == 0 || i + 1 == citizens {
            let rss = rss_kib(pid);
            samples.push((i + 1, rss));
            println!(
                "{:>9} {:>10} {:>9} {:>8.1}s",
                i + 1,
                rss,
                pss_kib(pid),
                started.elapsed().as_secs_f64()
            );
        }
    }
    let elapsed = started.elapsed();
    print_breakdown(
        &format!("at the home screen after {citizens} citizens"),
        pid,
    );
    println!(
        "soak: PSS at the home screen after {citizens} citizens ({mode}): {} KiB",
        pss_kib(pid)
    );

    // Nothing lost: every application and every rating reaches the hall, once.
    let outbox_empty = kiosk_e2e::eventually(LONG, || {
        rig.outbox_list().contains("outbox empty").then_some(())
    });
    let stored = hall_db::applications(&rig.hall_db);
    let ratings = hall_db::ratings(&rig.hall_db);
    let mut codes: Vec<&str> = stored.iter().map(|a| a.tracking_code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();

    // The first half is warm-up: the allocator's per-thread arenas, SQLite's page cache and
    // the renderer-free service's buffers fill up over the first tens of citizens (measured:
    // 44 MiB at start, a plateau near 75 MiB from about the 80th citizen on, dev profile).
    // A leak keeps growing after that: the second half must stay flat.
    let rss: Vec<u64> = samples.iter().skip(1).map(|(_, r)| *r).collect();
    let half = rss.len() / 2;
    let quarter = (rss.len() / 4).max(1);
    let first = mean(&rss[half..half + quarter.min(rss.len() - half)]);
    let last = mean(&rss[rss.len() - quarter..]);
    let limit = first * 1.05 + 2.0 * 1024.0;
    println!(
        "soak: {citizens} citizens in {:.1}s ({:.2} s each); {delivered_at_once} delivered at once; \
         hall holds {} applications, {} ratings",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() / citizens as f64,
        stored.len(),
        ratings.len()
    );
    println!(
        "soak: VmRSS at start {} KiB; after warm-up (third quarter) mean {first:.0} KiB, \
         last-quarter mean {last:.0} KiB (limit {limit:.0} KiB); peak {} KiB",
        samples[0].1,
        rss.iter().max().copied().unwrap_or(0)
    );

    assert!(outbox_empty.is_some(), "the outbox drained");
    assert_eq!(stored.len(), citizens, "every submission reached the hall");
    assert_eq!(codes.len(), citizens, "each application once");
    assert_eq!(ratings.len(), citizens.div_ceil(2), "every rating sent");
    assert!(
        last <= limit,
        "memory grew after warm-up: third quarter {first:.0} KiB, last quarter {last:.0} KiB"
    );
}
