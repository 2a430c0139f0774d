//! The poll pace over the real pty: the simulator counts the FIND polls it gets. Relaxed at
//! an hour, the runner sends none; eager, it keeps polling; a card placed while relaxed is
//! found as soon as the pace turns eager. No timing is asserted: "none" is checked after a
//! pause (a slow machine only polls less), "keeps polling" by waiting for a count.

use std::time::{Duration, Instant};

use crate::idcard_common;

use idcard_common::*;
use kiosk_drivers::idcard::runner::eager_interval;
use kiosk_drivers::idcard::{Pace, ReaderEvent, RunnerConfig};
use kiosk_drivers::status::SamState;

const HOUR: Duration = Duration::from_secs(3600);

fn paced_config(pace: Pace) -> RunnerConfig {
    RunnerConfig {
        poll_interval: HOUR,
        eager_poll_interval: Duration::from_millis(10),
        sam_recheck_interval: HOUR,
        pace,
        ..fast_config()
    }
}

/// A bench with an empty reader and the runner at `pace`.
fn start_empty(pace: Pace) -> Bench {
    start_configured(
        "zhang-san",
        115_200,
        |sim| sim.remove_card(),
        paced_config(pace),
    )
}

/// A round trip through the runner's control queue: every control message sent before it
/// (a pace change) has been handled when this returns.
fn settle(bench: &Bench) {
    let (tx, rx) = std::sync::mpsc::channel();
    bench.reader.check_sam(tx);
    rx.recv_timeout(WAIT).expect("the SAM check is answered");
}

fn finds(bench: &Bench) -> u64 {
    bench.control().finds_seen()
}

/// Waits until the simulator has seen `n` more FIND polls (bounded by WAIT).
fn wait_finds(bench: &Bench, n: u64) {
    let start = finds(bench);
    let end = Instant::now() + WAIT;
    while finds(bench) < start + n {
        assert!(Instant::now() < end, "the runner stopped polling for cards");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn polls_only_while_eager_and_a_card_waits_for_the_eager_pace() {
    let mut bench = start_empty(Pace::Relaxed);
    bench.wait_status("online with the SAM ok", |s| {
        online(s) && sam(s) == SamState::Ok
    });
    settle(&bench);
    let relaxed = finds(&bench);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(finds(&bench), relaxed, "relaxed (hourly): no polls");

    bench.reader.set_pace(Pace::Eager);
    wait_finds(&bench, 20);

    bench.reader.set_pace(Pace::Relaxed);
    settle(&bench);
    let after = finds(&bench);
    // A card placed now is not looked for until the pace turns eager again.
    bench.control().place_card(None);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(finds(&bench), after, "relaxed again: the polls stopped");
    assert!(
        !bench
            .drain()
            .iter()
            .any(|e| matches!(e, ReaderEvent::CardPlaced | ReaderEvent::CardRead(_))),
        "{:#?}",
        bench.seen
    );

    bench.reader.set_pace(Pace::Eager);
    assert_eq!(bench.wait_card().id_number, "11010519491231002X");
    // Removal is noticed by the eager presence poll too.
    bench.control().remove_card();
    bench.wait_event("CardRemoved", |e| matches!(e, ReaderEvent::CardRemoved));
}

#[test]
fn a_runner_started_eager_finds_a_card_at_once() {
    let mut bench = start_empty(Pace::Eager);
    bench.wait_status("online", online);
    wait_finds(&bench, 5);
    bench.control().place_card(None);
    assert_eq!(bench.wait_card().name, "张三");
}

#[test]
fn eager_polling_takes_at_most_a_quarter_of_a_slow_line() {
    let config = RunnerConfig::default();
    // 115200 baud: the configured eager interval (a no-card poll is 42 bytes, 3.6 ms).
    assert_eq!(eager_interval(&config, 115_200), config.eager_poll_interval);
    assert!(config.eager_poll_interval < config.poll_interval);
    // 9600 baud: the same poll takes 43.75 ms on the wire; four times that at least.
    let slow = eager_interval(&config, 9_600);
    assert!(slow >= Duration::from_micros(4 * 43_750), "{slow:?}");
    assert!(slow <= config.poll_interval, "{slow:?}");
    // Never slower than relaxed, whatever is configured.
    let odd = RunnerConfig {
        poll_interval: Duration::from_millis(20),
        ..RunnerConfig::default()
    };
    assert_eq!(eager_interval(&odd, 115_200), Duration::from_millis(20));
}
