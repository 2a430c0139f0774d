//! Talking to a device and keeping it connected: the one byte-pipe trait [`Link`] under the
//! drivers, the one reconnect [`Backoff`], the [`Retry`] state that applies it, and
//! [`supervise`], the one open → serve → wait loop every device runner (ID-card reader,
//! scanner, the kiosk's receipt-printer worker) runs on its own thread.
//!
//! The rule, for every device class alike:
//! - a failed open waits `first`, doubling up to `max`; a failure a person must fix
//!   ([`ErrorKind::needs_person`], e.g. permission denied) waits `max` straight away, in
//!   case they already did;
//! - a link that stayed up for at least `max` was a success: when it is lost it is reopened
//!   at once and the doubling starts over;
//! - a link lost sooner (a flapping cable, a port that hangs up at once) counts as one more
//!   failure and waits like a failed open.
//!
//! A hot-plug event ends any wait early (each runner's `wait` does that).

use std::time::{Duration, Instant};

use crate::error::ErrorKind;

/// A byte pipe to a device, every read and write bounded by a timeout: serial ttys and
/// pseudo-terminals, USB bulk pipes, test fakes. Each device class names its own error
/// (`IdCardError`, `PrinterError`), whose `kind()` is the one [`ErrorKind`]; a class adds
/// what only it needs as a subtrait (the reader's `set_baud`, the printer's port status).
pub trait Link: Send {
    /// The device class's error.
    type Error;

    /// Writes all of `data`, or fails once `timeout` passes without progress.
    fn write_all(&mut self, data: &[u8], timeout: Duration) -> Result<(), Self::Error>;

    /// Reads what has arrived, waiting at most `timeout`; `Ok(0)` means nothing came.
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, Self::Error>;

    /// Drops bytes already received (late answers to an earlier command).
    fn discard_input(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }

    /// How the device is connected, for the device identity (`/dev/ttyUSB0 @115200`,
    /// `usb 6868:0500`).
    fn describe(&self) -> String;
}

impl<L: Link + ?Sized> Link for Box<L> {
    type Error = L::Error;
    fn write_all(&mut self, data: &[u8], timeout: Duration) -> Result<(), L::Error> {
        (**self).write_all(data, timeout)
    }
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, L::Error> {
        (**self).read(buf, timeout)
    }
    fn discard_input(&mut self) -> Result<(), L::Error> {
        (**self).discard_input()
    }
    fn describe(&self) -> String {
        (**self).describe()
    }
}

/// Reconnect delays: doubling from `first` up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first delay after a failure.
    pub first: Duration,
    /// The longest delay; also how long a link must stay up to count as a success.
    pub max: Duration,
}

impl Default for Backoff {
    /// 100 ms doubling to 5 s: what the device manager has always used.
    fn default() -> Self {
        Backoff {
            first: Duration::from_millis(100),
            max: Duration::from_secs(5),
        }
    }
}

impl Backoff {
    /// The delay before attempt `n` (0-based) after a failure.
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX);
        self.first.saturating_mul(factor).min(self.max)
    }

    /// [`delay`](Self::delay) with full jitter: `unit` (a random number in `0.0..=1.0`,
    /// passed in so this stays pure) scales it. For callers that share a remote end with
    /// many others; one kiosk's own USB devices have no crowd to spread out, so the
    /// supervisor does not jitter.
    pub fn jittered(&self, attempt: u32, unit: f64) -> Duration {
        self.delay(attempt).mul_f64(unit.clamp(0.0, 1.0))
    }

    /// What to do after an open connection was lost, given how long it `lived` and the
    /// attempt count so far: reopen at once and start over after a success, else back off.
    /// Returns the wait and the next attempt number.
    pub fn after_loss(&self, lived: Duration, attempt: u32) -> (Duration, u32) {
        if lived >= self.max {
            (Duration::ZERO, 0)
        } else {
            (self.delay(attempt), attempt.saturating_add(1))
        }
    }
}

/// Where a device stands in its backoff: the attempt count the rule above moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    backoff: Backoff,
    attempt: u32,
}

impl Retry {
    /// No failures yet.
    pub fn new(backoff: Backoff) -> Self {
        Retry {
            backoff,
            attempt: 0,
        }
    }

    /// The wait after a failed open of this kind.
    pub fn open_failed(&mut self, kind: ErrorKind) -> Duration {
        let wait = if kind.retry_soon() {
            self.backoff.delay(self.attempt)
        } else {
            self.backoff.max
        };
        self.attempt = self.attempt.saturating_add(1);
        wait
    }

    /// The wait after something failed that has no kind (a runner thread that died).
    pub fn failed(&mut self) -> Duration {
        self.open_failed(ErrorKind::Timeout)
    }

    /// The wait after a link that lived `lived` was lost.
    pub fn lost(&mut self, lived: Duration) -> Duration {
        let (wait, next) = self.backoff.after_loss(lived, self.attempt);
        self.attempt = next;
        wait
    }

    /// Failures counted since the last success.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }
}

/// Why serving an open link ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    /// The link broke or went away: reopen it.
    Lost,
    /// Told to stop, or nobody listens any more: end the loop.
    Stop,
}

/// A device the supervisor keeps connected. Implemented by each runner; the runner keeps
/// its status and events, the supervisor only decides when to (re)open.
pub trait Supervised {
    /// The open link (a driver over a port).
    type Link;
    /// Why an open failed.
    type Error;
    /// Opens the device.
    fn open(&mut self) -> Result<Self::Link, Self::Error>;
    /// What to do about an open error.
    fn kind(error: &Self::Error) -> ErrorKind;
    /// Records a failed open (status, last error); `false` means stop.
    fn open_failed(&mut self, error: &Self::Error) -> bool;
    /// Uses the link until it is lost or the runner must stop.
    fn serve(&mut self, link: Self::Link) -> Served;
    /// Waits up to `wait` (less on a hot-plug wake-up); `true` means stop.
    fn wait(&mut self, wait: Duration) -> bool;
}

/// The one reconnect loop: open, serve until lost, back off, open again, until stopped.
pub fn supervise<D: Supervised>(device: &mut D, backoff: Backoff) {
    let mut retry = Retry::new(backoff);
    loop {
        let wait = match device.open() {
            Ok(link) => {
                let opened = Instant::now();
                match device.serve(link) {
                    Served::Stop => return,
                    Served::Lost => retry.lost(opened.elapsed()),
                }
            }
            Err(error) => {
                if !device.open_failed(&error) {
                    return;
                }
                retry.open_failed(D::kind(&error))
            }
        };
        if device.wait(wait) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b() -> Backoff {
        Backoff {
            first: Duration::from_millis(100),
            max: Duration::from_secs(1),
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let delays: Vec<_> = (0..6).map(|n| b().delay(n).as_millis()).collect();
        assert_eq!(delays, vec![100, 200, 400, 800, 1000, 1000]);
        assert_eq!(b().delay(u32::MAX), Duration::from_secs(1));
    }

    #[test]
    fn jitter_scales_the_delay_and_never_exceeds_it() {
        assert_eq!(b().jittered(2, 0.5), Duration::from_millis(200));
        assert_eq!(b().jittered(2, 7.0), Duration::from_millis(400));
        assert_eq!(b().jittered(2, -1.0), Duration::ZERO);
    }

    #[test]
    fn a_device_that_drops_right_after_opening_backs_off_and_a_stable_one_does_not() {
        // Flapping: each short-lived connection waits longer than the one before.
        let mut attempt = 0;
        let mut waits = Vec::new();
        for _ in 0..5 {
            let (wait, next) = b().after_loss(Duration::from_millis(5), attempt);
            waits.push(wait.as_millis());
            attempt = next;
        }
        assert_eq!(waits, vec![100, 200, 400, 800, 1000]);
        // A connection that lived long is retried at once, and the count starts over.
        assert_eq!(
            b().after_loss(Duration::from_secs(30), attempt),
            (Duration::ZERO, 0)
        );
    }

    #[test]
    fn retry_waits_the_longest_for_what_a_person_must_fix_and_resets_after_a_stable_link() {
        let mut r = Retry::new(b());
        assert_eq!(r.open_failed(ErrorKind::NotFound).as_millis(), 100);
        assert_eq!(r.open_failed(ErrorKind::Timeout).as_millis(), 200);
        assert_eq!(
            r.open_failed(ErrorKind::PermissionDenied),
            Duration::from_secs(1)
        );
        assert_eq!(r.attempt(), 3);
        // Short-lived: one more failure.
        assert_eq!(r.lost(Duration::from_millis(10)).as_millis(), 800);
        // Stable: reopen at once, the doubling starts over.
        assert_eq!(r.lost(Duration::from_secs(2)), Duration::ZERO);
        assert_eq!(r.attempt(), 0);
        assert_eq!(r.failed().as_millis(), 100);
    }

    /// A device whose opens fail `fail_first` times, then serve a link that is lost after
    /// `lives` (fake time), until `rounds` links were served; records every wait.
    struct Script {
        fail_first: u32,
        opened: u32,
        rounds: u32,
        waits: Vec<u128>,
        failures: Vec<ErrorKind>,
    }

    impl Supervised for Script {
        type Link = u32;
        type Error = ErrorKind;
        fn open(&mut self) -> Result<u32, ErrorKind> {
            if self.fail_first > 0 {
                self.fail_first -= 1;
                return Err(if self.fail_first == 0 {
                    ErrorKind::PermissionDenied
                } else {
                    ErrorKind::NotFound
                });
            }
            self.opened += 1;
            Ok(self.opened)
        }
        fn kind(error: &ErrorKind) -> ErrorKind {
            *error
        }
        fn open_failed(&mut self, error: &ErrorKind) -> bool {
            self.failures.push(*error);
            true
        }
        fn serve(&mut self, link: u32) -> Served {
            if link >= self.rounds {
                Served::Stop
            } else {
                Served::Lost
            }
        }
        fn wait(&mut self, wait: Duration) -> bool {
            self.waits.push(wait.as_millis());
            false
        }
    }

    #[test]
    fn the_loop_backs_off_on_failed_opens_and_stops_when_serving_says_so() {
        let mut s = Script {
            fail_first: 3,
            opened: 0,
            rounds: 3,
            waits: Vec::new(),
            failures: Vec::new(),
        };
        supervise(&mut s, b());
        assert_eq!(
            s.failures,
            vec![
                ErrorKind::NotFound,
                ErrorKind::NotFound,
                ErrorKind::PermissionDenied
            ]
        );
        // 100, 200, then the cap for a permission problem; then two quick losses of
        // short-lived links (served instantly) back off further: 800, 1000.
        assert_eq!(s.waits, vec![100, 200, 1000, 800, 1000]);
        assert_eq!(s.opened, 3);
    }
}
