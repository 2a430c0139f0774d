//! The maintenance PIN pad: counts digits, checks the PIN when complete, and locks for a while
//! after repeated failures. Time is passed in (seconds), so tests and mock time drive it.

/// Wrong PINs in a row before the pad locks.
pub const MAX_FAILURES: u32 = 3;
/// How long the pad stays locked, in seconds.
pub const LOCKOUT_SECS: u64 = 300;

/// What a key press led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinOutcome {
    /// Keep typing.
    Typing,
    /// Right PIN: open maintenance.
    Accepted,
    /// Wrong PIN; this many tries remain before the lockout.
    Rejected {
        /// Tries left.
        left: u32,
    },
    /// Locked; try again after this many seconds.
    Locked {
        /// Seconds until unlocked.
        secs_left: u64,
    },
}

/// The PIN pad's state. The typed digits are kept only until the PIN is complete.
pub struct PinPad {
    pin: String,
    typed: String,
    failures: u32,
    locked_until: Option<u64>,
}

impl std::fmt::Debug for PinPad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the PIN or the digits typed.
        f.debug_struct("PinPad")
            .field("typed", &self.typed.len())
            .field("failures", &self.failures)
            .field("locked_until", &self.locked_until)
            .finish()
    }
}

impl PinPad {
    /// A pad for `pin` (digits).
    pub fn new(pin: &str) -> Self {
        PinPad {
            pin: pin.to_owned(),
            typed: String::new(),
            failures: 0,
            locked_until: None,
        }
    }

    /// Digits typed so far.
    pub fn entered(&self) -> usize {
        self.typed.len()
    }

    /// The PIN's length.
    pub fn length(&self) -> usize {
        self.pin.len()
    }

    /// Seconds of lockout left at `now`, if locked.
    pub fn locked(&self, now: u64) -> Option<u64> {
        self.locked_until
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    /// A digit pressed at `now` (seconds since start).
    pub fn press(&mut self, digit: char, now: u64) -> PinOutcome {
        if let Some(secs_left) = self.locked(now) {
            return PinOutcome::Locked { secs_left };
        }
        if self.locked_until.is_some() {
            self.locked_until = None;
            self.failures = 0;
        }
        if !digit.is_ascii_digit() {
            return PinOutcome::Typing;
        }
        self.typed.push(digit);
        if self.typed.len() < self.pin.len() {
            return PinOutcome::Typing;
        }
        let right = self.typed == self.pin;
        self.typed.clear();
        if right {
            self.failures = 0;
            return PinOutcome::Accepted;
        }
        self.failures += 1;
        if self.failures >= MAX_FAILURES {
            self.locked_until = Some(now + LOCKOUT_SECS);
            PinOutcome::Locked {
                secs_left: LOCKOUT_SECS,
            }
        } else {
            PinOutcome::Rejected {
                left: MAX_FAILURES - self.failures,
            }
        }
    }

    /// Removes the last digit typed.
    pub fn backspace(&mut self) {
        self.typed.pop();
    }

    /// Forgets the digits typed (leaving the screen).
    pub fn clear(&mut self) {
        self.typed.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn type_pin(pad: &mut PinPad, pin: &str, now: u64) -> PinOutcome {
        let mut last = PinOutcome::Typing;
        for c in pin.chars() {
            last = pad.press(c, now);
        }
        last
    }

    #[test]
    fn right_pin_is_accepted() {
        let mut pad = PinPad::new("246810");
        assert_eq!(type_pin(&mut pad, "24681", 0), PinOutcome::Typing);
        assert_eq!(pad.entered(), 5);
        assert_eq!(pad.press('0', 0), PinOutcome::Accepted);
        assert_eq!(pad.entered(), 0);
    }

    #[test]
    fn three_failures_lock_for_five_minutes_then_unlock() {
        let mut pad = PinPad::new("246810");
        assert_eq!(
            type_pin(&mut pad, "111111", 0),
            PinOutcome::Rejected { left: 2 }
        );
        assert_eq!(
            type_pin(&mut pad, "222222", 1),
            PinOutcome::Rejected { left: 1 }
        );
        assert_eq!(
            type_pin(&mut pad, "333333", 2),
            PinOutcome::Locked { secs_left: 300 }
        );
        // Even the right PIN is refused while locked.
        assert_eq!(
            type_pin(&mut pad, "246810", 100),
            PinOutcome::Locked { secs_left: 202 }
        );
        assert_eq!(pad.locked(301), Some(1));
        assert_eq!(pad.locked(302), None);
        assert_eq!(type_pin(&mut pad, "246810", 302), PinOutcome::Accepted);
    }

    #[test]
    fn debug_never_shows_the_pin() {
        let mut pad = PinPad::new("246810");
        pad.press('2', 0);
        let shown = format!("{pad:?}");
        assert!(
            !shown.contains("246810") && !shown.contains("\"2\""),
            "{shown}"
        );
    }

    #[test]
    fn non_digits_and_backspace() {
        let mut pad = PinPad::new("1234");
        assert_eq!(pad.press('x', 0), PinOutcome::Typing);
        assert_eq!(pad.entered(), 0);
        pad.press('1', 0);
        pad.press('9', 0);
        pad.backspace();
        assert_eq!(type_pin(&mut pad, "234", 0), PinOutcome::Accepted);
    }
}
