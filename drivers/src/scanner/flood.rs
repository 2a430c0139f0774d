//! Flood limiting: a token bucket over accepted codes. A scanner left in continuous mode in
//! front of a code, or a hostile one, must not bury the session machine in events; the
//! clock is a parameter so the behaviour is tested without sleeping.

use std::time::{Duration, Instant};

/// How many codes may come how fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FloodLimit {
    /// Codes allowed back to back (a citizen scanning a few codes quickly).
    pub burst: u32,
    /// Codes allowed per second once the burst is used.
    pub per_second: u32,
}

impl Default for FloodLimit {
    fn default() -> Self {
        // A person cannot present more than a few codes a second; scanners in continuous
        // mode repeat the same code tens of times a second.
        FloodLimit {
            burst: 5,
            per_second: 3,
        }
    }
}

/// What the guard decided about one code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloodVerdict {
    /// Let it through.
    Allow,
    /// Drop it; `dropped` counts the codes dropped in this flood, this one included, and
    /// `first` says whether this is the first drop of the flood (report once, not per code).
    Drop {
        /// Codes dropped since the flood began.
        dropped: u64,
        /// Whether this is the flood's first dropped code.
        first: bool,
    },
}

/// A token bucket. Tokens are kept in thousandths to refill smoothly with integer math.
#[derive(Debug, Clone)]
pub struct FloodGuard {
    limit: FloodLimit,
    milli_tokens: u64,
    last: Option<Instant>,
    dropped_in_flood: u64,
}

impl FloodGuard {
    /// A full bucket.
    pub fn new(limit: FloodLimit) -> Self {
        let limit = FloodLimit {
            burst: limit.burst.max(1),
            per_second: limit.per_second.max(1),
        };
        FloodGuard {
            limit,
            milli_tokens: u64::from(limit.burst) * 1_000,
            last: None,
            dropped_in_flood: 0,
        }
    }

    /// Decides about a code arriving at `now`.
    pub fn check(&mut self, now: Instant) -> FloodVerdict {
        let cap = u64::from(self.limit.burst) * 1_000;
        if let Some(last) = self.last {
            let elapsed = now
                .saturating_duration_since(last)
                .min(Duration::from_secs(3_600));
            let refill = elapsed.as_millis() as u64 * u64::from(self.limit.per_second);
            self.milli_tokens = (self.milli_tokens + refill).min(cap);
        }
        self.last = Some(now);
        if self.milli_tokens >= 1_000 {
            self.milli_tokens -= 1_000;
            self.dropped_in_flood = 0;
            FloodVerdict::Allow
        } else {
            self.dropped_in_flood += 1;
            FloodVerdict::Drop {
                dropped: self.dropped_in_flood,
                first: self.dropped_in_flood == 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_a_flood_is_dropped_and_reported_once() {
        let mut guard = FloodGuard::new(FloodLimit {
            burst: 5,
            per_second: 3,
        });
        let t0 = Instant::now();
        // 1,000 codes in one millisecond-spaced burst (one second in all).
        let verdicts: Vec<_> = (0..1_000)
            .map(|i| guard.check(t0 + Duration::from_millis(i)))
            .collect();
        let allowed = verdicts
            .iter()
            .filter(|v| **v == FloodVerdict::Allow)
            .count();
        // 5 from the bucket plus ~3 refilled over the second.
        assert!((5..=8).contains(&allowed), "allowed {allowed}");
        let firsts = verdicts
            .iter()
            .filter(|v| matches!(v, FloodVerdict::Drop { first: true, .. }))
            .count();
        assert!(
            firsts <= 4,
            "a flood is reported once per run of drops, got {firsts}"
        );
        assert!(matches!(
            verdicts.last(),
            Some(FloodVerdict::Drop { dropped, .. }) if *dropped > 100
        ));
    }

    #[test]
    fn the_bucket_refills_at_the_configured_rate() {
        let mut guard = FloodGuard::new(FloodLimit {
            burst: 2,
            per_second: 2,
        });
        let t0 = Instant::now();
        assert_eq!(guard.check(t0), FloodVerdict::Allow);
        assert_eq!(guard.check(t0), FloodVerdict::Allow);
        assert_eq!(
            guard.check(t0),
            FloodVerdict::Drop {
                dropped: 1,
                first: true
            }
        );
        // Half a second later one token (2/s) is back.
        assert_eq!(
            guard.check(t0 + Duration::from_millis(500)),
            FloodVerdict::Allow
        );
        assert!(matches!(
            guard.check(t0 + Duration::from_millis(501)),
            FloodVerdict::Drop { first: true, .. }
        ));
    }

    #[test]
    fn a_citizen_scanning_one_code_a_second_is_never_limited() {
        let mut guard = FloodGuard::new(FloodLimit::default());
        let t0 = Instant::now();
        for i in 0..100 {
            assert_eq!(
                guard.check(t0 + Duration::from_secs(i)),
                FloodVerdict::Allow
            );
        }
    }
}
