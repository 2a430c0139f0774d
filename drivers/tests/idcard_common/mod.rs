//! Shared bench for the driver-vs-simulator tests: a simulator on its own pseudo-terminal
//! behind a symlink in a temp dir, and the real runner on that path. Every wait is bounded.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use kiosk_drivers::idcard::sim::{load_sample, SimControl, SimLine, SimulatorHandle};
use kiosk_drivers::idcard::{ReaderEvent, ReaderHandle, RunnerConfig, SerialConnector};
use kiosk_drivers::status::{ClassStatus, DeviceEvent, DeviceStatus, SamState};
use kiosk_drivers::DeviceState;

/// Generous: the machine is shared, and a wait only ends early on success.
pub const WAIT: Duration = Duration::from_secs(30);

pub struct Bench {
    pub reader: ReaderHandle,
    pub sim: SimulatorHandle,
    pub seen: Vec<String>,
    _dir: tempfile::TempDir,
}

pub fn fast_config() -> RunnerConfig {
    RunnerConfig {
        poll_interval: Duration::from_millis(30),
        sam_recheck_interval: Duration::from_millis(150),
        backoff: kiosk_drivers::Backoff {
            first: Duration::from_millis(50),
            max: Duration::from_millis(400),
        },
        ..RunnerConfig::default()
    }
}

/// A simulator serving `sample` at `sim_baud`, set up by `prepare` before the driver starts.
pub fn start_with(sample: &str, sim_baud: u32, prepare: impl FnOnce(&SimControl)) -> Bench {
    start_configured(sample, sim_baud, prepare, fast_config())
}

/// [`start_with`], the runner configured by `config`.
pub fn start_configured(
    sample: &str,
    sim_baud: u32,
    prepare: impl FnOnce(&SimControl),
    config: RunnerConfig,
) -> Bench {
    let dir = tempfile::tempdir().expect("temp dir for the pty link");
    let control = SimControl::new(Some(load_sample(sample).expect("bundled sample")), sim_baud);
    prepare(&control);
    let sim = SimulatorHandle::start(control, SimLine::OwnPty(dir.path().join("idcard")))
        .expect("simulator on its own pty");
    let reader = ReaderHandle::spawn(
        SerialConnector {
            path: sim.path().to_owned(),
        },
        config,
    );
    Bench {
        reader,
        sim,
        seen: Vec::new(),
        _dir: dir,
    }
}

pub fn start(sample: &str) -> Bench {
    start_with(sample, 115_200, |_| {})
}

impl Bench {
    pub fn control(&self) -> &SimControl {
        self.sim.control()
    }

    /// The next event that matches, skipping others; panics (with what was seen) after WAIT.
    pub fn wait_event(&mut self, what: &str, want: impl Fn(&ReaderEvent) -> bool) -> ReaderEvent {
        let end = Instant::now() + WAIT;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match self.reader.events().recv_timeout(left) {
                Ok(event) => {
                    self.seen.push(describe(&event));
                    if want(&event) {
                        return event;
                    }
                }
                Err(_) => break,
            }
        }
        panic!("no {what} within {WAIT:?}; events seen: {:#?}", self.seen);
    }

    pub fn wait_status(
        &mut self,
        what: &str,
        want: impl Fn(&DeviceStatus) -> bool,
    ) -> DeviceStatus {
        match self.wait_event(what, |e| matches!(e, ReaderEvent::Status(s) if { let DeviceEvent::StatusChanged(s) = s.as_ref(); want(s) })) {
            ReaderEvent::Status(s) => {
                let DeviceEvent::StatusChanged(s) = *s;
                s
            }
            _ => unreachable!("filtered above"),
        }
    }

    pub fn wait_card(&mut self) -> Box<kiosk_drivers::idcard::IdCard> {
        match self.wait_event("CardRead", |e| matches!(e, ReaderEvent::CardRead(_))) {
            ReaderEvent::CardRead(card) => card,
            _ => unreachable!("filtered above"),
        }
    }

    /// Waits until the simulator has answered `n` more commands (bounded), so a test can
    /// say "the driver kept polling and nothing happened" without a timer.
    pub fn let_it_poll(&self, n: u64) {
        let start = self.control().commands_seen();
        let end = Instant::now() + WAIT;
        while self.control().commands_seen() < start + n {
            assert!(Instant::now() < end, "the driver stopped polling");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Events that arrived so far without waiting.
    pub fn drain(&mut self) -> Vec<ReaderEvent> {
        let events: Vec<_> = self.reader.events().try_iter().collect();
        self.seen.extend(events.iter().map(describe));
        events
    }
}

pub fn sam(status: &DeviceStatus) -> SamState {
    match status.detail {
        ClassStatus::IdCardReader { sam, .. } => sam,
        _ => SamState::Unknown,
    }
}

pub fn card_present(status: &DeviceStatus) -> bool {
    matches!(
        status.detail,
        ClassStatus::IdCardReader {
            card_present: true,
            ..
        }
    )
}

pub fn error_code(status: &DeviceStatus) -> Option<&str> {
    status.last_error.as_ref().map(|e| e.code.as_str())
}

pub fn online(status: &DeviceStatus) -> bool {
    status.state == DeviceState::Online
}

fn describe(event: &ReaderEvent) -> String {
    match event {
        ReaderEvent::Status(s) => {
            let DeviceEvent::StatusChanged(s) = s.as_ref();
            format!(
                "status {} sam={:?} card={} err={:?}",
                s.state,
                sam(s),
                card_present(s),
                error_code(s)
            )
        }
        other => format!("{other:?}"),
    }
}
