//! Exactly-once across SIGKILL: a child process (this test binary re-run with
//! `EXACTLY_ONCE_CHILD_DB` set) enqueues and delivers applications in a loop through the real
//! outbox and delivery worker to the real hall (in this process, behind the fault proxy), and
//! is killed with SIGKILL at random moments, many times over, each time restarted on the same
//! outbox. At the end every application the child reported as saved (it prints the key once
//! `enqueue` returned) is in the hall exactly once, nothing is in the hall twice, and the
//! outbox is empty.
//!
//! The kill moments come from a seeded generator whose seed is printed;
//! `EXACTLY_ONCE_SEED=N` replays them, `EXACTLY_ONCE_KILLS=N` sets how many (default 30).

use crate::exactly_once_support;

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use exactly_once_support::hall::LoopbackHall;
use exactly_once_support::proxy::{Counters, Fault, FaultProxy};
use exactly_once_support::rng::{self, SplitMix};
use exactly_once_support::{hall_client, TestKiosk};
use kiosk::outbox::Outbox;
use tokio::io::AsyncBufReadExt;

const REPORTED: &str = "enqueued ";
/// A child left alone (its parent died) stops by itself after this.
const CHILD_LIFETIME: Duration = Duration::from_secs(120);

/// The child: saves and delivers applications until killed, printing each key once saved.
/// Run only by the test below (it does nothing without `EXACTLY_ONCE_CHILD_DB`).
#[test]
#[ignore = "helper process for applications_survive_sigkill_at_random_moments"]
fn sigkill_child() {
    let Ok(db) = std::env::var("EXACTLY_ONCE_CHILD_DB") else {
        return;
    };
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
    let url = var("EXACTLY_ONCE_URL");
    let credential = PathBuf::from(var("EXACTLY_ONCE_CREDENTIAL"));
    let round: u64 = var("EXACTLY_ONCE_ROUND").parse().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let mut rng = SplitMix::new(round.wrapping_mul(0x5DEE_CE66_D1CE_4E5B));
        let kiosk = TestKiosk::start(
            &PathBuf::from(db),
            hall_client(&url, &credential, Duration::from_millis(800)),
        );
        let started = Instant::now();
        let mut stdout = std::io::stdout();
        for n in 0usize.. {
            if started.elapsed() > CHILD_LIFETIME {
                return;
            }
            let key = format!("sigkill-r{round:03}-{n:05}");
            if rng.below(2) == 0 {
                kiosk.enqueue(&key, n).await;
            } else {
                kiosk.submit(&key, n, Duration::from_secs(2)).await;
            }
            // One write of a whole line: a pipe write this short is atomic.
            let line = format!("{REPORTED}{key}\n");
            if stdout.write_all(line.as_bytes()).is_err() || stdout.flush().is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(rng.below(15))).await;
        }
    });
}

/// Runs one child until a kill `after` its start; returns the keys it reported.
async fn run_child(
    db: &std::path::Path,
    url: &str,
    credential: &std::path::Path,
    round: u64,
    after: Duration,
) -> Vec<String> {
    let mut child =
        tokio::process::Command::new(std::env::current_exe().expect("test binary path"))
            .args([
                "--exact",
                &this_module_test!("sigkill_child"),
                "--ignored",
                "--nocapture",
            ])
            .env("EXACTLY_ONCE_CHILD_DB", db)
            .env("EXACTLY_ONCE_URL", url)
            .env("EXACTLY_ONCE_CREDENTIAL", credential)
            .env("EXACTLY_ONCE_ROUND", round.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start the child");
    let stdout = child.stdout.take().expect("child stdout");
    let reported = Arc::new(Mutex::new(Vec::new()));
    let collector = reported.clone();
    let reader = tokio::spawn(async move {
        let mut lines = tokio::io::BufReader::new(stdout);
        let mut line = String::new();
        loop {
            line.clear();
            match lines.read_line(&mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            // A line cut by the kill has no newline: that key was not reported.
            if let Some(key) = line
                .strip_prefix(REPORTED)
                .and_then(|l| l.strip_suffix('\n'))
            {
                collector.lock().expect("keys").push(key.to_owned());
            }
        }
    });
    tokio::time::sleep(after).await;
    child.start_kill().expect("SIGKILL the child");
    let status = child.wait().await.expect("reap the child");
    assert!(
        status.code().is_none(),
        "the child ended by itself: {status}"
    );
    reader.await.expect("stdout reader");
    let keys = reported.lock().expect("keys").clone();
    keys
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applications_survive_sigkill_at_random_moments() {
    let seed = rng::seed("sigkill");
    let kills: u64 = std::env::var("EXACTLY_ONCE_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let mut rng = SplitMix::new(seed);
    let dir = tempfile::tempdir().unwrap();
    let hall = LoopbackHall::start(dir.path()).await;
    let credential = dir.path().join("kiosk.credential");
    hall.kiosk_credential(&credential).await;
    let proxy = FaultProxy::start(hall.addr, seed ^ 0xFA17).await;
    let db = dir.path().join("var/outbox.sqlite");

    let mut reported = Vec::new();
    let mut left_pending = 0u64;
    for round in 0..kills {
        // Half the rounds with lost answers, 500s and slowness mixed in.
        proxy.set(if round % 2 == 0 {
            Fault::Pass
        } else {
            Fault::Chaos(Duration::from_millis(1_200))
        });
        let after = Duration::from_millis(30 + rng.below(1_200));
        let keys = run_child(&db, &proxy.url(), &credential, round, after).await;
        reported.extend(keys);
        let outbox = Outbox::open(&db, exactly_once_support::outbox_key()).unwrap();
        left_pending += outbox.stats(SystemTime::now()).unwrap().pending;
    }
    assert!(
        reported.len() as u64 > kills,
        "the child reported only {} applications in {kills} runs",
        reported.len()
    );
    assert!(left_pending > 0, "no kill ever left a record in the outbox");

    // A last, peaceful start on the same outbox delivers what the kills left behind.
    proxy.set(Fault::Pass);
    let kiosk = TestKiosk::start(
        &db,
        hall_client(&proxy.url(), &credential, Duration::from_secs(3)),
    );
    kiosk.drained(Duration::from_secs(240)).await;
    kiosk.stop().await;
    proxy.settle().await;

    let arrivals = hall.arrivals();
    arrivals.assert_each_once();
    for key in &reported {
        assert_eq!(
            arrivals.by_key.get(key),
            Some(&1),
            "{key} was reported saved but did not arrive once"
        );
    }
    let reported_set: HashSet<&String> = reported.iter().collect();
    assert_eq!(
        reported_set.len(),
        reported.len(),
        "a key was reported twice"
    );
    let unreported = arrivals
        .by_key
        .keys()
        .filter(|k| !reported_set.contains(k))
        .inspect(|k| assert!(k.starts_with("sigkill-r"), "unknown key {k}"))
        .count();
    let counters = proxy.counters();
    println!(
        "sigkill: {kills} kills, {} reported and each arrived once, {unreported} more arrived \
         (killed between save and report), {left_pending} records left pending across kills, \
         faults (500, slow, dropped) = ({}, {}, {})",
        reported.len(),
        Counters::get(&counters.http500),
        Counters::get(&counters.slowed),
        Counters::get(&counters.dropped),
    );
}
