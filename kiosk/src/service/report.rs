//! The kiosk's own view of itself turned into what the hall expects: device reports and
//! outbox depth for heartbeats.

use hall_api::fleet::{DeviceReport, OutboxDepth};
use kiosk_drivers::status::{ClassStatus, DeviceStatus};

use crate::outbox::{OutboxStats, RecordKind};

/// One device as a heartbeat reports it (no identity, no personal data).
pub fn device_report(status: &DeviceStatus) -> DeviceReport {
    let (paper, cover_open) = match status.detail {
        ClassStatus::ReceiptPrinter {
            paper, cover_open, ..
        }
        | ClassStatus::A4Printer {
            paper, cover_open, ..
        } => (Some(paper), Some(cover_open)),
        _ => (None, None),
    };
    DeviceReport {
        class: status.class,
        state: status.state,
        paper,
        cover_open,
        last_error_code: status.last_error.as_ref().map(|e| e.code.clone()),
    }
}

/// Outbox depth for a heartbeat.
pub fn outbox_depth(stats: &OutboxStats) -> OutboxDepth {
    let count = |kind| {
        u32::try_from(stats.pending_by_kind.get(&kind).copied().unwrap_or(0)).unwrap_or(u32::MAX)
    };
    OutboxDepth {
        applications: count(RecordKind::Application),
        ratings: count(RecordKind::Rating),
        other: count(RecordKind::Complaint)
            .saturating_add(count(RecordKind::HelpRequest))
            .saturating_add(count(RecordKind::Appointment)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_drivers::status::{DeviceClass, DeviceState, PaperState};

    #[test]
    fn a_report_carries_the_state_and_the_printers_paper() {
        for class in DeviceClass::ALL {
            for state in DeviceState::ALL {
                let mut status = DeviceStatus::new(class, "sim");
                status.state = state;
                let report = device_report(&status);
                assert_eq!((report.class, report.state), (class, state));
                // Paper and cover only for the printers.
                let printer = matches!(class, DeviceClass::ReceiptPrinter | DeviceClass::A4Printer);
                assert_eq!(report.paper.is_some(), printer, "{class}");
                assert_eq!(report.cover_open.is_some(), printer, "{class}");
            }
        }
        for paper in PaperState::ALL {
            let mut status = DeviceStatus::new(DeviceClass::ReceiptPrinter, "sim");
            status.detail = ClassStatus::ReceiptPrinter {
                paper,
                cover_open: true,
                cutter_error: false,
            };
            let report = device_report(&status);
            assert_eq!(report.paper.map(|p| p.as_str()), Some(paper.as_str()));
            assert_eq!(report.cover_open, Some(true));
        }
    }

    #[test]
    fn outbox_depth_groups_kinds() {
        let mut stats = OutboxStats::default();
        stats.pending_by_kind.insert(RecordKind::Application, 4);
        stats.pending_by_kind.insert(RecordKind::Complaint, 1);
        stats.pending_by_kind.insert(RecordKind::Appointment, 2);
        let depth = outbox_depth(&stats);
        assert_eq!((depth.applications, depth.ratings, depth.other), (4, 0, 3));
    }
}
