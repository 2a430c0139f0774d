//! The emulator's simulated sensors and the faults a technician or a test can switch at
//! run time, with the status bytes a printer in that state answers (reference §1.7).

use crate::printer::status::PaperLevel;

/// Simulated printer condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Faults {
    /// Paper sensors.
    pub paper: PaperLevel,
    /// Cover open: printing stops.
    pub cover_open: bool,
    /// Cutter jammed: printing stops until cleared.
    pub cutter_jam: bool,
    /// Offline (e.g. deselected): printing stops.
    pub offline: bool,
    /// Slow printing: paper speed in mm/s (`None` = instant).
    pub slow_mm_s: Option<u16>,
    /// Paper left on the roll in dots; when it reaches 0 the paper runs out mid-job.
    pub paper_left_dots: Option<usize>,
    /// The next cut jams the cutter.
    pub jam_next_cut: bool,
}

/// Fault names accepted by [`Faults::apply`] (the `--fault` option and the control input).
pub const FAULT_NAMES: &[&str] = &[
    "paper-low",
    "paper-out",
    "paper-ok",
    "cover-open",
    "cover-closed",
    "cutter-jam",
    "jam-next-cut",
    "offline",
    "online",
    "slow",
    "slow=MM_PER_S",
    "fast",
    "paper-left=MM",
    "clear",
];

impl Faults {
    /// Switches a fault by name (`paper-out`, `cover-open`, `slow=20`, `clear`, …).
    pub fn apply(&mut self, name: &str) -> Result<(), String> {
        let name = name.trim();
        match name {
            "paper-low" => self.paper = PaperLevel::NearEnd,
            "paper-out" => self.paper = PaperLevel::Out,
            "paper-ok" => {
                self.paper = PaperLevel::Adequate;
                self.paper_left_dots = None;
            }
            "cover-open" => self.cover_open = true,
            "cover-closed" => self.cover_open = false,
            "cutter-jam" => self.cutter_jam = true,
            "jam-next-cut" => self.jam_next_cut = true,
            "offline" => self.offline = true,
            "online" => self.offline = false,
            "slow" => self.slow_mm_s = Some(20),
            "fast" => self.slow_mm_s = None,
            "clear" => *self = Faults::default(),
            _ => {
                if let Some(v) = name.strip_prefix("slow=") {
                    let mm: u16 = v
                        .parse()
                        .map_err(|_| format!("slow=N needs mm/s, got {v:?}"))?;
                    self.slow_mm_s = Some(mm.max(1));
                } else if let Some(v) = name.strip_prefix("paper-left=") {
                    let mm: usize = v
                        .parse()
                        .map_err(|_| format!("paper-left=N needs mm, got {v:?}"))?;
                    self.paper_left_dots = Some(mm * 8);
                } else {
                    return Err(format!(
                        "unknown fault {name:?}; known: {}",
                        FAULT_NAMES.join(", ")
                    ));
                }
            }
        }
        Ok(())
    }

    /// Whether the mechanism has stopped (data is held until the cause is cleared).
    pub fn halted(&self) -> bool {
        self.offline || self.cover_open || self.cutter_jam || self.paper == PaperLevel::Out
    }

    /// The answer to `DLE EOT n`.
    pub fn realtime_answer(&self, n: u8) -> Option<u8> {
        let bit = |on: bool, mask: u8| if on { mask } else { 0 };
        Some(match n {
            1 => 0x12 | bit(self.halted(), 0x08),
            2 => {
                0x12 | bit(self.cover_open, 0x04)
                    | bit(self.paper == PaperLevel::Out, 0x20)
                    | bit(self.cutter_jam, 0x40)
            }
            3 => 0x12 | bit(self.cutter_jam, 0x08),
            4 => {
                0x12 | match self.paper {
                    PaperLevel::Adequate => 0,
                    PaperLevel::NearEnd => 0x0C,
                    PaperLevel::Out => 0x60,
                }
            }
            _ => return None,
        })
    }

    /// The answer to `GS r 1`.
    pub fn transmit_answer(&self) -> u8 {
        match self.paper {
            PaperLevel::Adequate => 0x00,
            PaperLevel::NearEnd => 0x03,
            PaperLevel::Out => 0x0F,
        }
    }

    /// The 4-byte Automatic Status Back frame.
    pub fn asb_frame(&self) -> [u8; 4] {
        let bit = |on: bool, mask: u8| if on { mask } else { 0 };
        [
            0x10 | bit(self.halted(), 0x08) | bit(self.cover_open, 0x20),
            bit(self.cutter_jam, 0x08),
            match self.paper {
                PaperLevel::Adequate => 0,
                PaperLevel::NearEnd => 0x03,
                PaperLevel::Out => 0x0F,
            },
            0,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::printer::profile::StatusBits;
    use crate::printer::status::PrinterStatus;

    fn status_of(f: &Faults) -> PrinterStatus {
        let mut s = PrinterStatus::default();
        for n in 1..=4 {
            let b = f.realtime_answer(n).unwrap();
            s.apply_realtime(n, b, &StatusBits::STANDARD).unwrap();
        }
        s
    }

    #[test]
    fn answers_match_the_reference_examples() {
        let mut f = Faults::default();
        assert_eq!(f.realtime_answer(1), Some(0x12));
        f.apply("paper-out").unwrap();
        assert_eq!(f.realtime_answer(4), Some(0x72));
        assert_eq!(f.realtime_answer(1), Some(0x1A));
        f.apply("paper-low").unwrap();
        assert_eq!(f.realtime_answer(4), Some(0x1E));
        assert_eq!(f.realtime_answer(5), None);
    }

    #[test]
    fn every_fault_round_trips_through_the_status_parser() {
        for (name, code) in [
            ("paper-out", "paperOut"),
            ("paper-low", "paperLow"),
            ("cover-open", "coverOpen"),
            ("cutter-jam", "cutterJam"),
            ("offline", "offline"),
        ] {
            let mut f = Faults::default();
            f.apply(name).unwrap();
            assert_eq!(status_of(&f).code(), code, "{name}");
            let asb = PrinterStatus::from_asb(f.asb_frame()).unwrap();
            assert_eq!(asb.is_ready(), status_of(&f).is_ready(), "{name}");
        }
    }

    #[test]
    fn names_with_values_parse_and_unknown_names_are_listed() {
        let mut f = Faults::default();
        f.apply("slow=15").unwrap();
        f.apply("paper-left=30").unwrap();
        assert_eq!((f.slow_mm_s, f.paper_left_dots), (Some(15), Some(240)));
        assert!(f.apply("slow=fast").is_err());
        assert!(f.apply("on-fire").unwrap_err().contains("cover-open"));
        f.apply("clear").unwrap();
        assert_eq!(f, Faults::default());
    }
}
