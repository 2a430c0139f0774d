//! One frame in, one verdict out: strip prefix/suffix, split the AIM identifier, decode and
//! check the text, then apply the flood limit. Shared by the serial and the USB paths so a
//! code is judged the same whichever way it came.

use std::time::{Instant, SystemTime};

use super::codec::{split_aim, strip_affixes, Frame, Framing};
use super::flood::{FloodGuard, FloodLimit, FloodVerdict};
use super::sanitize::{check_text, Rejection, TextPolicy};
use super::ScanEvent;

/// What became of one frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanOutcome {
    /// A code that passed every check.
    Scan(ScanEvent),
    /// A code refused, and why. Its text is not kept.
    Rejected(Rejection),
}

/// Judges frames. Holds the flood guard's state, so keep one per scanner.
#[derive(Debug, Clone)]
pub struct ScanFilter {
    framing: Framing,
    policy: TextPolicy,
    flood: FloodGuard,
    rejected: u64,
}

impl ScanFilter {
    /// A filter with this framing, text policy and flood limit.
    pub fn new(framing: Framing, policy: TextPolicy, limit: FloodLimit) -> Self {
        ScanFilter {
            framing,
            policy,
            flood: FloodGuard::new(limit),
            rejected: 0,
        }
    }

    /// Codes refused so far, flood drops included (only a flood's first drop is reported).
    pub fn rejected_total(&self) -> u64 {
        self.rejected
    }

    /// The framing this filter strips.
    pub fn framing(&self) -> &Framing {
        &self.framing
    }

    /// Counts a rejection found before judging (a malformed report) and returns it.
    pub fn reject(&mut self, why: Rejection) -> ScanOutcome {
        self.rejected += 1;
        ScanOutcome::Rejected(why)
    }

    /// Applies the flood limit. On a drop, returns what to report: the flood's first drop,
    /// or nothing for later ones (those are only counted, here).
    fn flood_check(&mut self, now: Instant) -> Result<(), Option<ScanOutcome>> {
        match self.flood.check(now) {
            FloodVerdict::Allow => Ok(()),
            FloodVerdict::Drop { dropped, first } => {
                if !first {
                    self.rejected += 1;
                }
                Err(Some(ScanOutcome::Rejected(Rejection::Flood { dropped })).filter(|_| first))
            }
        }
    }

    /// Judges a frame from the framer. `None` for nothing worth reporting.
    pub fn judge_frame(&mut self, frame: Frame, now: Instant) -> Option<ScanOutcome> {
        match frame {
            Frame::Code(bytes) => self.judge(&bytes, now),
            Frame::Overlong { len } => {
                let outcome = match self.flood_check(now) {
                    Err(flood) => flood,
                    Ok(()) => Some(ScanOutcome::Rejected(Rejection::TooLong {
                        len,
                        max: self.policy.max_len,
                    })),
                };
                if outcome.is_some() {
                    self.rejected += 1;
                }
                outcome
            }
        }
    }

    /// Judges one code's bytes as received (terminator removed, prefix/suffix/AIM still in).
    /// Returns `None` for a frame that is only a prefix/suffix (nothing scanned).
    pub fn judge(&mut self, frame: &[u8], now: Instant) -> Option<ScanOutcome> {
        let outcome = self.judge_uncounted(frame, now);
        if matches!(outcome, Some(ScanOutcome::Rejected(_))) {
            self.rejected += 1;
        }
        outcome
    }

    fn judge_uncounted(&mut self, frame: &[u8], now: Instant) -> Option<ScanOutcome> {
        let body = strip_affixes(frame, &self.framing);
        if body.is_empty() && !frame.is_empty() {
            return None;
        }
        let (symbology, aim, rest) = if self.framing.aim {
            split_aim(body)
        } else {
            (super::Symbology::Unknown, None, body)
        };
        // Every code, good or bad, counts against the flood limit, so a stream of hostile
        // codes is cut like a stream of good ones; the limit runs before decoding, so a
        // flood costs as little as possible.
        if let Err(flood) = self.flood_check(now) {
            return flood;
        }
        if rest.len() > self.policy.max_len {
            return Some(ScanOutcome::Rejected(Rejection::TooLong {
                len: rest.len(),
                max: self.policy.max_len,
            }));
        }
        Some(match check_text(rest, &self.policy) {
            Ok(text) => ScanOutcome::Scan(ScanEvent {
                symbology,
                aim,
                text,
                raw: body.to_vec(),
                at: SystemTime::now(),
            }),
            Err(rejection) => ScanOutcome::Rejected(rejection),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::scanner::Symbology;

    fn filter() -> ScanFilter {
        ScanFilter::new(
            Framing {
                prefix: b"#".to_vec(),
                ..Framing::default()
            },
            TextPolicy::default(),
            FloodLimit::default(),
        )
    }

    #[test]
    fn a_framed_qr_code_becomes_a_scan_with_symbology_text_and_raw_bytes() {
        let mut f = filter();
        let Some(ScanOutcome::Scan(scan)) = f.judge(b"#]Q1https://a.cn/x", Instant::now()) else {
            panic!("expected a scan");
        };
        assert_eq!(scan.symbology, Symbology::Qr);
        assert_eq!(scan.aim.as_deref(), Some("]Q1"));
        assert_eq!(scan.text, "https://a.cn/x");
        assert_eq!(scan.raw, b"]Q1https://a.cn/x");
    }

    #[test]
    fn aim_can_be_switched_off_for_codes_that_start_with_a_bracket() {
        let mut f = ScanFilter::new(
            Framing {
                aim: false,
                ..Framing::default()
            },
            TextPolicy::default(),
            FloodLimit::default(),
        );
        let Some(ScanOutcome::Scan(scan)) = f.judge(b"]Q1abc", Instant::now()) else {
            panic!("expected a scan");
        };
        assert_eq!(
            (scan.symbology, scan.text.as_str()),
            (Symbology::Unknown, "]Q1abc")
        );
    }

    #[test]
    fn a_control_character_rejects_the_code() {
        let mut f = filter();
        assert_eq!(
            f.judge(b"]Q1abc\x1b[0m", Instant::now()),
            Some(ScanOutcome::Rejected(Rejection::ControlCharacter {
                code_point: 0x1b,
                at: 3
            }))
        );
    }

    #[test]
    fn an_overlong_frame_is_rejected_with_the_policy_limit() {
        let mut f = filter();
        assert_eq!(
            f.judge_frame(Frame::Overlong { len: 20_000 }, Instant::now()),
            Some(ScanOutcome::Rejected(Rejection::TooLong {
                len: 20_000,
                max: 2_048
            }))
        );
    }

    #[test]
    fn a_flood_yields_a_few_scans_and_one_flood_report_per_run() {
        let mut f = filter();
        let t0 = Instant::now();
        let outcomes: Vec<_> = (0..200)
            .filter_map(|i| f.judge(b"]Q1SAME", t0 + Duration::from_micros(i * 100)))
            .collect();
        let scans = outcomes
            .iter()
            .filter(|o| matches!(o, ScanOutcome::Scan(_)))
            .count();
        let floods = outcomes
            .iter()
            .filter(|o| matches!(o, ScanOutcome::Rejected(Rejection::Flood { .. })))
            .count();
        assert_eq!((scans, floods), (5, 1), "{outcomes:?}");
        assert_eq!(f.rejected_total(), 195, "every dropped code is counted");
    }

    #[test]
    fn a_flood_of_hostile_codes_is_cut_like_a_flood_of_good_ones() {
        let mut f = filter();
        let t0 = Instant::now();
        let reported = (0..300)
            .filter_map(|i| {
                let frame = if i % 2 == 0 {
                    Frame::Overlong { len: 20_000 }
                } else {
                    Frame::Code(b"]Q1\x1b[2J".to_vec())
                };
                f.judge_frame(frame, t0 + Duration::from_micros(i * 100))
            })
            .count();
        // Five rejections from the burst, then one flood report: not 300 events.
        assert_eq!(reported, 6);
        assert_eq!(f.rejected_total(), 300, "every code is still counted");
    }

    #[test]
    fn a_lone_prefix_is_not_a_scan() {
        let mut f = filter();
        assert_eq!(f.judge(b"#", Instant::now()), None);
    }
}
