//! What `kioskctl selftest [DEVICE] [--external]` prints: for each check, which device,
//! what was checked, PASS or FAIL, and the device's own words — which, on a failure, end
//! with what to do. Plain English for technicians; the admin socket carries the
//! [`SelftestReport`] and the CLI prints its `Display`.

use std::fmt;
use std::time::Duration;

use kiosk_drivers::status::{DeviceClass, HealthCheck, HealthCheckLevel};
use serde::{Deserialize, Serialize};

use super::manager::DeviceManager;

/// One check's outcome, ready to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelftestLine {
    /// Which device (`idcard`, `printer`, `scanner`).
    pub device: String,
    /// `internal` or `external`.
    pub level: String,
    /// What was checked, in words.
    pub checked: String,
    /// Whether it passed.
    pub passed: bool,
    /// What happened; on a failure, what to do.
    pub text: String,
}

/// Every check of one `selftest` run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelftestReport {
    /// In the order they ran.
    pub lines: Vec<SelftestLine>,
}

/// What a check does, in words a technician recognises.
pub fn what_is_checked(class: DeviceClass, level: HealthCheckLevel) -> &'static str {
    match (class, level) {
        (DeviceClass::IdCardReader, HealthCheckLevel::Internal) => {
            "asked the reader's SAM for its status (SAM status check)"
        }
        (DeviceClass::IdCardReader, HealthCheckLevel::External) => {
            "waited for an ID card to be placed and read"
        }
        (DeviceClass::ReceiptPrinter, HealthCheckLevel::Internal) => {
            "asked the printer for its status (paper, cover, cutter)"
        }
        (DeviceClass::ReceiptPrinter, HealthCheckLevel::External) => {
            "printed a test receipt and waited for the printer to confirm it"
        }
        (DeviceClass::Scanner, HealthCheckLevel::Internal) => {
            "checked that the scanner's port is open and being read"
        }
        (DeviceClass::Scanner, HealthCheckLevel::External) => "waited for a code to be scanned",
        (DeviceClass::Camera, _) => "opened the document camera and decoded one preview frame",
        (DeviceClass::Audio, _) => {
            "played a 0.6 s, 880 Hz tone on the loudspeaker at the configured volume"
        }
        (DeviceClass::A4Printer, HealthCheckLevel::Internal) => {
            "asked the A4 printer for its state over IPP (paper, cover, toner)"
        }
        (DeviceClass::A4Printer, HealthCheckLevel::External) => {
            "printed an A4 test page and followed the job until the printer said it was printed"
        }
    }
}

fn level_word(level: HealthCheckLevel) -> &'static str {
    match level {
        HealthCheckLevel::Internal => "internal",
        HealthCheckLevel::External => "external",
    }
}

impl SelftestReport {
    /// The report of these results (as [`DeviceManager::selftest`] returns them).
    pub fn new(results: &[(DeviceClass, HealthCheck)]) -> SelftestReport {
        let lines = results
            .iter()
            .map(|(class, check)| SelftestLine {
                device: class.label().to_owned(),
                level: level_word(check.level).to_owned(),
                checked: what_is_checked(*class, check.level).to_owned(),
                passed: check.passed,
                text: check.text.clone(),
            })
            .collect();
        SelftestReport { lines }
    }

    /// Whether every check passed (and there was at least one).
    pub fn passed(&self) -> bool {
        !self.lines.is_empty() && self.lines.iter().all(|l| l.passed)
    }
}

impl fmt::Display for SelftestReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lines.is_empty() {
            return writeln!(
                f,
                "no device was checked: none is fitted (every device is configured `none`)"
            );
        }
        for line in &self.lines {
            let verdict = if line.passed { "PASS" } else { "FAIL" };
            writeln!(
                f,
                "{verdict}  {} ({}): {}\n      {}",
                line.device, line.level, line.checked, line.text
            )?;
        }
        let failed = self.lines.iter().filter(|l| !l.passed).count();
        if failed == 0 {
            writeln!(f, "all {} check(s) passed", self.lines.len())
        } else {
            writeln!(
                f,
                "{failed} of {} check(s) FAILED: see the lines above for what to do",
                self.lines.len()
            )
        }
    }
}

impl DeviceManager {
    /// [`DeviceManager::selftest`] as a report a CLI prints as it is.
    pub async fn selftest_report(
        &self,
        device: Option<DeviceClass>,
        external: bool,
        wait: Duration,
    ) -> SelftestReport {
        SelftestReport::new(&self.selftest(device, external, wait).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    fn check(level: HealthCheckLevel, passed: bool, text: &str) -> HealthCheck {
        HealthCheck {
            level,
            passed,
            text: text.into(),
            at: SystemTime::now(),
        }
    }

    #[test]
    fn the_report_says_what_was_checked_the_verdict_and_what_to_do() {
        let report = SelftestReport::new(&[
            (
                DeviceClass::ReceiptPrinter,
                check(
                    HealthCheckLevel::Internal,
                    false,
                    "printer answered but cannot print: paper out: load a new paper roll",
                ),
            ),
            (
                DeviceClass::Scanner,
                check(
                    HealthCheckLevel::Internal,
                    true,
                    "scanner port open and read",
                ),
            ),
        ]);
        assert!(!report.passed());
        let text = report.to_string();
        assert!(
            text.contains("FAIL  printer (internal): asked the printer for its status"),
            "{text}"
        );
        assert!(text.contains("load a new paper roll"), "{text}");
        assert!(text.contains("PASS  scanner (internal)"), "{text}");
        assert!(text.contains("1 of 2 check(s) FAILED"), "{text}");
    }

    #[test]
    fn an_empty_run_is_not_a_pass() {
        let report = SelftestReport::new(&[]);
        assert!(!report.passed());
        assert!(report.to_string().contains("no device was checked"));
    }
}
