//! Capped exponential backoff with full jitter, for redelivery after a failure.
//!
//! Full jitter (a uniform draw between zero and the exponential bound) keeps a fleet of
//! kiosks that lost the hall at the same moment from hammering it in step when it returns.

use std::time::{Duration, Instant};

/// The first retry's upper bound.
pub const BASE: Duration = Duration::from_secs(2);
/// No wait is longer than this, however many attempts failed.
pub const CAP: Duration = Duration::from_secs(300);

/// The upper bound of the wait after `attempts` failed attempts (1 → 2 s, 2 → 4 s, … ≤ 5 min).
pub fn bound(attempts: u32) -> Duration {
    let exponent = attempts.saturating_sub(1).min(16);
    BASE.saturating_mul(1 << exponent).min(CAP)
}

/// The wait after `attempts` failures, given a uniform draw `unit` in [0, 1).
/// At least a tenth of the bound, so a failing record never spins.
pub fn delay(attempts: u32, unit: f64) -> Duration {
    let bound = bound(attempts);
    bound.mul_f64(unit.clamp(0.0, 1.0)).max(bound / 10)
}

/// A uniform draw in [0, 1) from the system's random source.
pub fn random_unit() -> f64 {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

/// One backoff for the whole hall link: after a failed delivery round (the hall unreachable,
/// 5xx, a proxy's page) nothing is sent until the wait is over, however many records are
/// waiting, so a kiosk with a long backlog does not hammer a hall that is coming back.
/// The clock and the random draw are passed in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkBackoff {
    failures: u32,
    until: Option<Instant>,
}

impl LinkBackoff {
    /// A round failed at `now`: the next may start after the returned wait.
    pub fn failed(&mut self, now: Instant, unit: f64) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let wait = delay(self.failures, unit);
        self.until = Some(now + wait);
        wait
    }

    /// The hall answered: no wait.
    pub fn succeeded(&mut self) {
        self.failures = 0;
        self.until = None;
    }

    /// How long to wait still at `now`, if at all.
    pub fn wait(&self, now: Instant) -> Option<Duration> {
        self.until
            .and_then(|until| until.checked_duration_since(now))
            .filter(|d| !d.is_zero())
    }

    /// Failed rounds in a row.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_double_then_stop_at_the_cap() {
        assert_eq!(bound(1), Duration::from_secs(2));
        assert_eq!(bound(2), Duration::from_secs(4));
        assert_eq!(bound(5), Duration::from_secs(32));
        assert_eq!(bound(9), CAP);
        assert_eq!(bound(u32::MAX), CAP);
    }

    #[test]
    fn delays_stay_within_a_tenth_of_the_bound_and_the_bound() {
        for attempts in 1..20 {
            for unit in [0.0, 0.3, 0.999, 7.0, -1.0] {
                let d = delay(attempts, unit);
                assert!(
                    d >= bound(attempts) / 10 && d <= bound(attempts),
                    "{attempts} {unit}"
                );
            }
        }
    }

    #[test]
    fn draws_are_in_the_unit_interval_and_vary() {
        let draws: Vec<f64> = (0..100).map(|_| random_unit()).collect();
        assert!(draws.iter().all(|u| (0.0..1.0).contains(u)));
        assert!(draws.iter().any(|u| (u - draws[0]).abs() > 1e-9));
    }

    #[test]
    fn the_link_waits_longer_after_each_failed_round_and_not_after_an_answer() {
        let start = Instant::now();
        let mut link = LinkBackoff::default();
        assert_eq!(link.wait(start), None);
        // The top of the jitter range: the wait is the bound itself.
        let first = link.failed(start, 0.999_999);
        assert!(first > Duration::from_millis(1_900) && first <= bound(1));
        assert_eq!(link.wait(start), Some(first));
        assert_eq!(
            link.wait(start + first),
            None,
            "over once the wait has passed"
        );
        let mut previous = first;
        for n in 2..=12 {
            let wait = link.failed(start, 0.999_999);
            assert!(wait >= previous && wait <= CAP, "round {n}: {wait:?}");
            previous = wait;
        }
        assert_eq!(link.failures(), 12);
        assert!(
            previous > CAP - Duration::from_secs(1),
            "capped: {previous:?}"
        );
        // Full jitter: the bottom of the range waits a tenth of the bound, never zero.
        let low = link.clone().failed(start, 0.0);
        assert_eq!(low, CAP / 10);
        link.succeeded();
        assert_eq!((link.failures(), link.wait(start)), (0, None));
    }
}
