//! The scanner runner over a real pseudo-terminal: unplug (the pty is closed) → offline →
//! replug (a fresh pty behind the same link) → online again, without restarting anything.

use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use kiosk_drivers::scanner::driver::SerialScannerConfig;
use kiosk_drivers::scanner::runner::{ScannerEvent, ScannerRunner};
use kiosk_drivers::scanner::sim::{ScannerProfile, ScannerSim};
use kiosk_drivers::scanner::Symbology;
use kiosk_drivers::status::{DeviceEvent, DeviceState};
use kiosk_drivers::Backoff;
use kiosk_drivers::DeviceStatus;

/// A hang guard only: nothing here measures speed.
const PATIENCE: Duration = Duration::from_secs(15);

fn quick_backoff() -> Backoff {
    Backoff {
        first: Duration::from_millis(20),
        max: Duration::from_millis(200),
    }
}

/// Waits for the next status event whose state satisfies `want`; returns it.
fn wait_status(rx: &Receiver<ScannerEvent>, want: impl Fn(DeviceState) -> bool) -> DeviceStatus {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(ScannerEvent::Status(DeviceEvent::StatusChanged(s))) if want(s.state) => return s,
            Ok(_) => {}
            Err(e) => panic!("no matching status event: {e}"),
        }
    }
}

/// Scans `text` until the runner delivers it. Right after a (re)connect the driver may still
/// be flushing the tty's input, so a code sent in that instant can be dropped as stale.
fn scan_until_seen(sim: &mut ScannerSim, rx: &Receiver<ScannerEvent>, text: &str) {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        sim.scan(Symbology::Qr, text).expect("sim is plugged");
        while let Ok(event) = rx.recv_timeout(Duration::from_millis(300)) {
            match event {
                ScannerEvent::Scan(scan) if scan.text == text => return,
                ScannerEvent::Scan(_) | ScannerEvent::Status(_) => {}
                ScannerEvent::Rejected(r) => panic!("unexpected rejection: {r}"),
            }
        }
    }
    panic!("{text} never arrived");
}

#[test]
fn unplug_goes_offline_and_replug_comes_back_online_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut sim = ScannerSim::start(dir.path().join("scanner"), ScannerProfile::default()).unwrap();
    let (tx, rx) = mpsc::channel();
    let runner =
        ScannerRunner::spawn_serial(SerialScannerConfig::new(sim.link()), quick_backoff(), tx)
            .unwrap();

    let online = wait_status(&rx, |s| s == DeviceState::Online);
    assert_eq!(online.counters.reconnects, 0);
    assert!(online.identity.connection.contains("scanner"));
    scan_until_seen(&mut sim, &rx, "BEFORE-UNPLUG");

    sim.unplug();
    let offline = wait_status(&rx, |s| s != DeviceState::Online);
    assert_eq!(offline.state, DeviceState::Offline);
    assert_eq!(offline.last_error.as_ref().unwrap().code, "disconnected");
    // While unplugged the link is gone, so reopening finds no device.
    let gone = wait_status(&rx, |s| s == DeviceState::PowerOff);
    assert_eq!(gone.last_error.as_ref().unwrap().code, "noDevice");
    assert!(!gone.state.is_usable());

    sim.replug().unwrap();
    let back = wait_status(&rx, |s| s == DeviceState::Online);
    assert_eq!(back.counters.reconnects, 1);
    scan_until_seen(&mut sim, &rx, "AFTER-REPLUG");

    let snapshot = runner.status();
    assert_eq!(snapshot.state, DeviceState::Online);
    assert!(snapshot.counters.operations_ok >= 2);
    assert!(snapshot.counters.communication_errors >= 2);
    runner.stop();
}

#[test]
fn rejected_codes_are_reported_and_counted_in_the_status() {
    let dir = tempfile::tempdir().unwrap();
    let mut sim = ScannerSim::start(dir.path().join("scanner"), ScannerProfile::default()).unwrap();
    let (tx, rx) = mpsc::channel();
    let runner =
        ScannerRunner::spawn_serial(SerialScannerConfig::new(sim.link()), quick_backoff(), tx)
            .unwrap();
    wait_status(&rx, |s| s == DeviceState::Online);
    scan_until_seen(&mut sim, &rx, "WARM-UP");
    sim.send_raw(b"]Q1\x1b[2Jevil\r").unwrap();
    let rejection = loop {
        match rx.recv_timeout(PATIENCE).expect("an event") {
            ScannerEvent::Rejected(r) => break r,
            _ => continue,
        }
    };
    assert_eq!(rejection.code(), "controlCharacter");
    scan_until_seen(&mut sim, &rx, "AFTER");
    let status = runner.status();
    assert_eq!(
        status.detail,
        kiosk_drivers::status::ClassStatus::Scanner { rejected_codes: 1 }
    );
    assert_eq!(status.last_error.unwrap().code, "controlCharacter");
}

#[test]
fn a_serial_scanner_is_started_from_its_config_section() {
    let dir = tempfile::tempdir().unwrap();
    let mut sim = ScannerSim::start(dir.path().join("scanner"), ScannerProfile::default()).unwrap();
    let config = kiosk_config::schema::Scanner {
        device: kiosk_config::DeviceSelector::Serial(sim.link().to_path_buf()),
        ..kiosk_config::schema::Scanner::default()
    };
    let (tx, rx) = mpsc::channel();
    let runner = ScannerRunner::spawn_configured(&config, quick_backoff(), tx)
        .unwrap()
        .expect("a serial selector starts a runner");
    assert!(runner.status().identity.connection.ends_with("@9600"));
    wait_status(&rx, |s| s == DeviceState::Online);
    scan_until_seen(&mut sim, &rx, "FROM-CONFIG");
    let sim_config = kiosk_config::schema::Scanner::default();
    let (tx, _rx) = mpsc::channel();
    assert!(
        ScannerRunner::spawn_configured(&sim_config, quick_backoff(), tx)
            .unwrap()
            .is_none()
    );
}

#[test]
fn a_scanner_missing_at_start_is_found_once_plugged_in() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("late-scanner");
    let (tx, rx) = mpsc::channel();
    let runner =
        ScannerRunner::spawn_serial(SerialScannerConfig::new(&link), quick_backoff(), tx).unwrap();
    let off = wait_status(&rx, |s| s == DeviceState::PowerOff);
    assert!(off.last_error.unwrap().message.contains("late-scanner"));
    let mut sim = ScannerSim::start(&link, ScannerProfile::default()).unwrap();
    wait_status(&rx, |s| s == DeviceState::Online);
    scan_until_seen(&mut sim, &rx, "LATE");
    drop(runner);
}

#[test]
fn retries_while_unplugged_do_not_flood_the_listener_with_status_events() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("absent");
    let (tx, rx) = mpsc::channel();
    let runner =
        ScannerRunner::spawn_serial(SerialScannerConfig::new(&link), quick_backoff(), tx).unwrap();
    wait_status(&rx, |s| s == DeviceState::PowerOff);
    // Let it retry several times (backoff 20 ms → 200 ms), then count what it sent.
    let start = Instant::now();
    while runner.status().counters.communication_errors < 4 && start.elapsed() < PATIENCE {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(runner.status().counters.communication_errors >= 4);
    runner.stop();
    let extra: Vec<_> = rx.try_iter().collect();
    assert!(
        extra.is_empty(),
        "repeated failures re-published: {extra:?}"
    );
}

#[test]
fn the_runner_stops_when_the_listener_goes_away() {
    let dir = tempfile::tempdir().unwrap();
    let mut sim = ScannerSim::start(dir.path().join("scanner"), ScannerProfile::default()).unwrap();
    let (tx, rx) = mpsc::channel();
    let runner =
        ScannerRunner::spawn_serial(SerialScannerConfig::new(sim.link()), quick_backoff(), tx)
            .unwrap();
    wait_status(&rx, |s| s == DeviceState::Online);
    drop(rx);
    // The next event fails to deliver and ends the thread.
    let _ = sim.scan(Symbology::Qr, "NOBODY-LISTENS");
    let start = Instant::now();
    while runner.is_running() && start.elapsed() < PATIENCE {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        !runner.is_running(),
        "the runner kept going with nobody listening"
    );
}
