//! The device status model, shared by every driver.
//!
//! The vocabulary is XFS4IoT's `Common.Status.device` with UnifiedPOS's health-check levels
//! (see `shared/reference/kiosk-standards.md` §1.3): the device manager publishes it, `/metrics`
//! exports it as `kiosk_device_state`, and heartbeats carry it to the hall's fleet view.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

pub use vocab::device::{DeviceClass, DeviceState, PaperState};

/// Who the device is: what a technician needs to find it and order a spare.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceIdentity {
    /// Model name as the device reports it, or from the VID:PID table.
    pub model: Option<String>,
    /// Serial number (for a reader, the SAM id).
    pub serial: Option<String>,
    /// Firmware version, where the device reports one.
    pub firmware: Option<String>,
    /// How it is connected: `/dev/ttyUSB0 @115200`, `usb 0483:5720`, or `sim`.
    pub connection: String,
}

/// The last error a device reported, kept until the next one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastError {
    /// A stable machine code (`timeout`, `checksum`, `paperOut`, `samNotAuthorised`, …).
    pub code: String,
    /// English text for technicians' logs; never contains personal data.
    pub message: String,
    /// When it happened.
    pub at: SystemTime,
}

/// Monotonic counters, UnifiedPOS style. They only grow while the process runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCounters {
    /// Operations that succeeded (cards read, receipts printed, codes scanned).
    pub operations_ok: u64,
    /// Operations that failed.
    pub operations_failed: u64,
    /// Frames lost to checksum errors, garbage or timeouts on the wire.
    pub communication_errors: u64,
    /// Times the driver reconnected after losing the device.
    pub reconnects: u64,
}

/// UnifiedPOS `checkHealth` levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum HealthCheckLevel {
    /// Nothing moves: the device is asked for its status.
    Internal,
    /// The device does real work: prints a test receipt, waits for a card or a scan.
    External,
}

/// The result of the last health check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheck {
    /// Which level ran.
    pub level: HealthCheckLevel,
    /// Whether it passed.
    pub passed: bool,
    /// What it found, in English for the technician.
    pub text: String,
    /// When it ran.
    pub at: SystemTime,
}

/// State of the ID-card reader's SAM (安全模块).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum SamState {
    /// The SAM answered its self-check.
    Ok,
    /// The SAM is not authorised (SW3 0x60 family): the reader needs service.
    NotAuthorised,
    /// The SAM failed or did not answer.
    Fault,
    /// Not checked yet.
    #[default]
    Unknown,
}

/// The fields only one class of device has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "class")]
pub enum ClassStatus {
    /// ID-card reader fields.
    IdCardReader {
        /// The SAM's state.
        sam: SamState,
        /// Whether a card is on the reader now.
        card_present: bool,
    },
    /// Receipt printer fields.
    ReceiptPrinter {
        /// Paper supply.
        paper: PaperState,
        /// Whether the cover is open.
        cover_open: bool,
        /// Whether the cutter reported an error.
        cutter_error: bool,
    },
    /// Scanner fields.
    Scanner {
        /// Codes rejected as hostile or malformed since start.
        rejected_codes: u64,
    },
    /// Loudspeaker fields.
    Audio {
        /// Prompts played to the end since start.
        prompts_played: u64,
        /// Prompts that could not be played (the words stayed on screen).
        prompts_failed: u64,
    },
    /// Document camera fields.
    Camera {
        /// Pages taken and processed since start.
        pages_taken: u64,
        /// Photos in which no sheet was found (the citizen was asked to retake).
        pages_retaken: u64,
    },
    /// A4 printer fields, from IPP `printer-state-reasons`.
    A4Printer {
        /// Paper in the trays (`media-empty` → out, `media-low` → low, `media-jam` → jammed).
        paper: PaperState,
        /// A door or cover is open (`door-open`, `cover-open`).
        cover_open: bool,
        /// Toner is low or empty (`toner-low`, `toner-empty`, `marker-supply-low`, …).
        toner_low: bool,
        /// Jobs the printer reported completed since start.
        jobs_completed: u64,
    },
}

impl ClassStatus {
    /// The class fields a device starts with before its first check.
    pub fn initial(class: DeviceClass) -> Self {
        match class {
            DeviceClass::IdCardReader => ClassStatus::IdCardReader {
                sam: SamState::Unknown,
                card_present: false,
            },
            DeviceClass::ReceiptPrinter => ClassStatus::ReceiptPrinter {
                paper: PaperState::Unknown,
                cover_open: false,
                cutter_error: false,
            },
            DeviceClass::Scanner => ClassStatus::Scanner { rejected_codes: 0 },
            DeviceClass::Audio => ClassStatus::Audio {
                prompts_played: 0,
                prompts_failed: 0,
            },
            DeviceClass::Camera => ClassStatus::Camera {
                pages_taken: 0,
                pages_retaken: 0,
            },
            DeviceClass::A4Printer => ClassStatus::A4Printer {
                paper: PaperState::Unknown,
                cover_open: false,
                toner_low: false,
                jobs_completed: 0,
            },
        }
    }
}

/// One device's whole status: what the device manager publishes in its snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceStatus {
    /// Which device.
    pub class: DeviceClass,
    /// Its state.
    pub state: DeviceState,
    /// Class-specific fields.
    pub detail: ClassStatus,
    /// Who it is and how it is connected.
    pub identity: DeviceIdentity,
    /// Monotonic counters.
    pub counters: DeviceCounters,
    /// The last error, if any since start.
    pub last_error: Option<LastError>,
    /// The last health check, if any ran.
    pub last_health_check: Option<HealthCheck>,
}

impl DeviceStatus {
    /// A device that has not been checked yet.
    pub fn new(class: DeviceClass, connection: impl Into<String>) -> Self {
        DeviceStatus {
            class,
            state: DeviceState::Unknown,
            detail: ClassStatus::initial(class),
            identity: DeviceIdentity {
                connection: connection.into(),
                ..DeviceIdentity::default()
            },
            counters: DeviceCounters::default(),
            last_error: None,
            last_health_check: None,
        }
    }

    /// Records an error: keeps it as the last error and counts a failed operation.
    pub fn record_error(&mut self, code: &str, message: impl Into<String>) {
        self.counters.operations_failed += 1;
        self.last_error = Some(LastError {
            code: code.to_owned(),
            message: message.into(),
            at: SystemTime::now(),
        });
    }
}

/// A change a driver pushes; never only polled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "event")]
pub enum DeviceEvent {
    /// The device's status changed (state, class fields, or a new last error).
    StatusChanged(DeviceStatus),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_use_the_xfs4iot_spelling_in_json_and_labels() {
        for state in DeviceState::ALL {
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.as_str()));
        }
        assert_eq!(DeviceState::HardwareError.as_str(), "hardwareError");
    }

    #[test]
    fn a_new_device_is_unknown_with_its_class_fields() {
        let status = DeviceStatus::new(DeviceClass::ReceiptPrinter, "sim");
        assert_eq!(status.state, DeviceState::Unknown);
        assert!(matches!(
            status.detail,
            ClassStatus::ReceiptPrinter {
                paper: PaperState::Unknown,
                ..
            }
        ));
    }

    #[test]
    fn recording_an_error_keeps_it_and_counts_it() {
        let mut status = DeviceStatus::new(DeviceClass::IdCardReader, "/dev/ttyUSB0");
        status.record_error("timeout", "no answer to FIND within 300 ms");
        status.record_error("checksum", "bad XOR checksum in READ answer");
        assert_eq!(status.counters.operations_failed, 2);
        assert_eq!(status.last_error.as_ref().unwrap().code, "checksum");
    }

    #[test]
    fn only_online_and_busy_devices_are_usable() {
        let usable: Vec<_> = DeviceState::ALL
            .into_iter()
            .filter(|s| s.is_usable())
            .collect();
        assert_eq!(usable, vec![DeviceState::Online, DeviceState::Busy]);
    }
}
