//! IPP printer state → the device vocabulary. Pure: what [`A4Printer`](super::A4Printer)
//! reads with Get-Printer-Attributes goes in, the kiosk's `DeviceState` and class fields come
//! out.
//!
//! RFC 8011 §5.4.12 gives `printer-state-reasons` keywords an optional severity suffix
//! (`-report`, `-warning`, `-error`); printers disagree on which one they use for the same
//! condition (ippeveprinter says `media-empty-report` and still holds jobs), so the mapping
//! goes by the keyword and ignores the suffix, except that an unknown `-error` is a fault.

use crate::status::{DeviceState, PaperState};

/// IPP `printer-state` (RFC 8011 §5.4.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IppPrinterState {
    /// 3: ready for jobs.
    Idle,
    /// 4: working on a job.
    Processing,
    /// 5: stopped: needs attention, or taken out of service.
    Stopped,
}

impl IppPrinterState {
    /// From the enum value; `None` for values outside RFC 8011.
    pub fn from_enum(value: i32) -> Option<Self> {
        match value {
            3 => Some(IppPrinterState::Idle),
            4 => Some(IppPrinterState::Processing),
            5 => Some(IppPrinterState::Stopped),
            _ => None,
        }
    }
}

/// What a printer said about itself in one Get-Printer-Attributes answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrinterReport {
    /// `printer-state`, if the printer sent a valid one.
    pub state: Option<IppPrinterState>,
    /// `printer-state-reasons`, as sent (with suffixes); `none` when all is well.
    pub reasons: Vec<String>,
    /// `printer-state-message`, the printer's own words for a technician.
    pub message: Option<String>,
    /// `printer-is-accepting-jobs`.
    pub accepting_jobs: Option<bool>,
    /// `printer-make-and-model`.
    pub model: Option<String>,
    /// `printer-serial-number` (IPP Everywhere) or `printer-device-id`'s serial, where given.
    pub serial: Option<String>,
    /// `printer-firmware-string-version`, where given.
    pub firmware: Option<String>,
    /// `document-format-supported`.
    pub formats: Vec<String>,
}

/// The printer's condition in the kiosk's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct A4Condition {
    /// The device state.
    pub state: DeviceState,
    /// Paper in the trays.
    pub paper: PaperState,
    /// A door or cover is open.
    pub cover_open: bool,
    /// Toner (or another marker supply) is low or empty.
    pub toner_low: bool,
    /// The reasons that decided it, without suffixes, for the technician (`media-empty`, …).
    pub reasons: Vec<String>,
}

/// A reason keyword without its RFC 8011 severity suffix.
pub fn base_keyword(reason: &str) -> &str {
    for suffix in ["-report", "-warning", "-error"] {
        if let Some(base) = reason.strip_suffix(suffix) {
            return base;
        }
    }
    reason
}

/// Maps a printer's report to the device vocabulary. The worst condition wins:
/// hardware fault, then something a person must fix, then offline, then busy, then online.
pub fn condition(report: &PrinterReport) -> A4Condition {
    let mut paper = PaperState::Full;
    let mut cover_open = false;
    let mut toner_low = false;
    let mut person_needed = false;
    let mut fault = false;
    let mut offline = false;
    let mut reasons = Vec::new();
    for raw in &report.reasons {
        let reason = base_keyword(raw);
        if reason == "none" || reason.is_empty() {
            continue;
        }
        reasons.push(reason.to_owned());
        match reason {
            "media-empty" | "media-needed" => {
                if paper != PaperState::Jammed {
                    paper = PaperState::Out;
                }
                person_needed = true;
            }
            "media-low" if paper == PaperState::Full => paper = PaperState::Low,
            "media-jam" => {
                paper = PaperState::Jammed;
                fault = true;
            }
            "door-open" | "cover-open" | "interlock-open" | "input-tray-missing" => {
                cover_open |= reason != "input-tray-missing";
                person_needed = true;
            }
            "toner-low" | "marker-supply-low" | "marker-waste-almost-full" => toner_low = true,
            "toner-empty" | "marker-supply-empty" | "marker-waste-full" => {
                toner_low = true;
                person_needed = true;
            }
            "offline"
            | "shutdown"
            | "paused"
            | "moving-to-paused"
            | "timed-out"
            | "connecting-to-device" => offline = true,
            _ if raw.ends_with("-error") => fault = true,
            _ => {}
        }
    }
    if report.accepting_jobs == Some(false) {
        offline = true;
    }
    let state = if fault {
        DeviceState::HardwareError
    } else if person_needed {
        DeviceState::UserError
    } else if offline || report.state == Some(IppPrinterState::Stopped) {
        DeviceState::Offline
    } else {
        match report.state {
            Some(IppPrinterState::Processing) => DeviceState::Busy,
            Some(IppPrinterState::Idle) => DeviceState::Online,
            Some(IppPrinterState::Stopped) => DeviceState::Offline,
            None => DeviceState::Unknown,
        }
    };
    A4Condition {
        state,
        paper,
        cover_open,
        toner_low,
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(state: IppPrinterState, reasons: &[&str]) -> PrinterReport {
        PrinterReport {
            state: Some(state),
            reasons: reasons.iter().map(|r| (*r).to_owned()).collect(),
            accepting_jobs: Some(true),
            ..PrinterReport::default()
        }
    }

    #[test]
    fn an_idle_printer_with_no_reasons_is_online_with_paper() {
        let c = condition(&report(IppPrinterState::Idle, &["none"]));
        assert_eq!(c.state, DeviceState::Online);
        assert_eq!(c.paper, PaperState::Full);
        assert!(c.reasons.is_empty());
        let busy = condition(&report(IppPrinterState::Processing, &["none"]));
        assert_eq!(busy.state, DeviceState::Busy);
    }

    #[test]
    fn paper_out_needs_a_person_whatever_the_suffix() {
        for reason in [
            "media-empty",
            "media-empty-report",
            "media-empty-error",
            "media-needed-warning",
        ] {
            let c = condition(&report(IppPrinterState::Idle, &[reason]));
            assert_eq!(c.paper, PaperState::Out, "{reason}");
            assert_eq!(c.state, DeviceState::UserError, "{reason}");
        }
    }

    #[test]
    fn low_paper_and_low_toner_keep_it_usable() {
        let c = condition(&report(
            IppPrinterState::Idle,
            &["media-low-report", "toner-low-report"],
        ));
        assert_eq!(c.state, DeviceState::Online);
        assert_eq!(c.paper, PaperState::Low);
        assert!(c.toner_low);
        assert_eq!(c.reasons, vec!["media-low", "toner-low"]);
    }

    #[test]
    fn an_open_door_or_cover_needs_a_person() {
        for reason in ["door-open-error", "cover-open", "interlock-open-warning"] {
            let c = condition(&report(IppPrinterState::Stopped, &[reason]));
            assert!(c.cover_open, "{reason}");
            assert_eq!(c.state, DeviceState::UserError, "{reason}");
        }
    }

    #[test]
    fn a_jam_or_an_unknown_error_is_a_fault_and_wins() {
        let c = condition(&report(
            IppPrinterState::Stopped,
            &["media-jam-error", "media-empty"],
        ));
        assert_eq!(c.state, DeviceState::HardwareError);
        assert_eq!(c.paper, PaperState::Jammed, "a jam outranks empty");
        let other = condition(&report(
            IppPrinterState::Stopped,
            &["fuser-over-temp-error"],
        ));
        assert_eq!(other.state, DeviceState::HardwareError);
        let report_only = condition(&report(IppPrinterState::Idle, &["fuser-over-temp-report"]));
        assert_eq!(report_only.state, DeviceState::Online);
    }

    #[test]
    fn offline_paused_or_not_accepting_is_offline() {
        for reason in ["offline-report", "paused", "shutdown"] {
            let c = condition(&report(IppPrinterState::Idle, &[reason]));
            assert_eq!(c.state, DeviceState::Offline, "{reason}");
        }
        let mut r = report(IppPrinterState::Idle, &["none"]);
        r.accepting_jobs = Some(false);
        assert_eq!(condition(&r).state, DeviceState::Offline);
        assert_eq!(
            condition(&report(IppPrinterState::Stopped, &["none"])).state,
            DeviceState::Offline
        );
        assert_eq!(IppPrinterState::from_enum(6), None);
    }
}
