//! Device class, state and paper supply, in XFS4IoT's words (`Common.Status.device`; see
//! `shared/reference/kiosk-standards.md` §1.3). The kiosk's device manager publishes them,
//! `/metrics` exports them, heartbeats carry them (camelCase on the wire) and the hall's fleet
//! view reads them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Which kind of device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum DeviceClass {
    /// 二代证阅读器: the resident ID-card reader (SAM module).
    IdCardReader,
    /// 凭条打印机: the receipt printer.
    ReceiptPrinter,
    /// 扫码器: the QR / barcode scanner.
    Scanner,
    /// 扬声器: the loudspeaker the voice prompts play on (an ALSA PCM).
    Audio,
    /// 高拍仪: the document camera (a UVC camera over V4L2).
    Camera,
    /// A4打印机: the A4 laser printer (IPP Everywhere / a CUPS queue over `ipp://`).
    A4Printer,
}

impl DeviceClass {
    /// Every class, in the order screens and reports list them.
    pub const ALL: [DeviceClass; 6] = [
        DeviceClass::IdCardReader,
        DeviceClass::ReceiptPrinter,
        DeviceClass::Scanner,
        DeviceClass::Audio,
        DeviceClass::Camera,
        DeviceClass::A4Printer,
    ];

    /// The devices on a serial line (USB-serial or RS-232), each with its simulator; the
    /// loudspeaker is an ALSA PCM instead.
    pub const SERIAL: [DeviceClass; 3] = [
        DeviceClass::IdCardReader,
        DeviceClass::ReceiptPrinter,
        DeviceClass::Scanner,
    ];

    /// The stable label used in metrics and logs (`idcard`, `printer`, `scanner`, `audio`,
    /// `camera`, `a4printer`).
    pub fn label(self) -> &'static str {
        match self {
            DeviceClass::IdCardReader => "idcard",
            DeviceClass::ReceiptPrinter => "printer",
            DeviceClass::Scanner => "scanner",
            DeviceClass::Audio => "audio",
            DeviceClass::Camera => "camera",
            DeviceClass::A4Printer => "a4printer",
        }
    }

    /// The wire spelling (`idCardReader`, …), as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceClass::IdCardReader => "idCardReader",
            DeviceClass::ReceiptPrinter => "receiptPrinter",
            DeviceClass::Scanner => "scanner",
            DeviceClass::Audio => "audio",
            DeviceClass::Camera => "camera",
            DeviceClass::A4Printer => "a4Printer",
        }
    }
}

impl fmt::Display for DeviceClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The device state, in XFS4IoT's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum DeviceState {
    /// Present and working.
    Online,
    /// Present but not answering, or taken out of service.
    Offline,
    /// No power or not connected (unplugged).
    PowerOff,
    /// Not fitted on this kiosk (not configured).
    NoDevice,
    /// The device reports a fault it cannot clear by itself (cutter jam, SAM fault).
    HardwareError,
    /// A person is stopping proper operation (cover left open, paper out, card held wrongly).
    UserError,
    /// Working on a command (printing, reading a card).
    Busy,
    /// Not yet known: the driver has not finished its first check. Also what a state this
    /// build does not know (a newer kiosk's) reads as.
    #[default]
    #[serde(other)]
    Unknown,
}

impl DeviceState {
    /// Every state, for metrics that export one series per state.
    pub const ALL: [DeviceState; 8] = [
        DeviceState::Online,
        DeviceState::Offline,
        DeviceState::PowerOff,
        DeviceState::NoDevice,
        DeviceState::HardwareError,
        DeviceState::UserError,
        DeviceState::Busy,
        DeviceState::Unknown,
    ];

    /// The XFS4IoT spelling (`online`, `hardwareError`, …), used in metrics labels and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceState::Online => "online",
            DeviceState::Offline => "offline",
            DeviceState::PowerOff => "powerOff",
            DeviceState::NoDevice => "noDevice",
            DeviceState::HardwareError => "hardwareError",
            DeviceState::UserError => "userError",
            DeviceState::Busy => "busy",
            DeviceState::Unknown => "unknown",
        }
    }

    /// Whether a citizen can use the device in this state.
    pub fn is_usable(self) -> bool {
        matches!(self, DeviceState::Online | DeviceState::Busy)
    }

    /// Whether the state is a fault an operator should see (not online, busy or absent).
    pub fn is_fault(self) -> bool {
        !matches!(
            self,
            DeviceState::Online | DeviceState::Busy | DeviceState::NoDevice
        )
    }
}

impl fmt::Display for DeviceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Paper supply of a printer, XFS4IoT `paper` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum PaperState {
    /// Enough paper.
    Full,
    /// The near-end sensor fired: a few metres left.
    Low,
    /// No paper: nothing can be printed.
    Out,
    /// Paper jammed in the path or the cutter.
    Jammed,
    /// Not known yet (no status read, or the model has no sensor); also a value this build
    /// does not know (a newer kiosk's).
    #[default]
    #[serde(other)]
    Unknown,
}

impl PaperState {
    /// Every paper state, for metrics that export one series per state.
    pub const ALL: [PaperState; 5] = [
        PaperState::Full,
        PaperState::Low,
        PaperState::Out,
        PaperState::Jammed,
        PaperState::Unknown,
    ];

    /// The XFS4IoT spelling, used in metrics labels and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            PaperState::Full => "full",
            PaperState::Low => "low",
            PaperState::Out => "out",
            PaperState::Jammed => "jammed",
            PaperState::Unknown => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_spelling_is_what_serde_writes() {
        for class in DeviceClass::ALL {
            let json = serde_json::to_string(&class).unwrap();
            assert_eq!(json, format!("\"{}\"", class.as_str()));
        }
        for state in DeviceState::ALL {
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{state}\""));
        }
        for paper in PaperState::ALL {
            let json = serde_json::to_string(&paper).unwrap();
            assert_eq!(json, format!("\"{}\"", paper.as_str()));
        }
    }

    #[test]
    fn faults_are_what_an_operator_must_act_on() {
        let faults: Vec<_> = DeviceState::ALL
            .into_iter()
            .filter(|s| s.is_fault())
            .collect();
        assert_eq!(
            faults,
            [
                DeviceState::Offline,
                DeviceState::PowerOff,
                DeviceState::HardwareError,
                DeviceState::UserError,
                DeviceState::Unknown
            ]
        );
        assert!(DeviceState::Busy.is_usable() && !DeviceState::UserError.is_usable());
    }
}
