//! Known kiosk devices by USB VID:PID, so `kioskctl devices` can say "that is the receipt
//! printer" instead of printing bare numbers. A table, not a constant the drivers depend on:
//! the same VID:PID is reused by unrelated products, so drivers are chosen by configuration
//! and interface class, and this only names what is probably plugged in.
//!
//! Sources: `shared/reference/idcard-reader-protocol.md`, `escpos-printer.md`; scanner and
//! USB-serial vendor ids are well-known assignments. Entries whose source is a single
//! unreliable list are marked [`Confidence::Unverified`].

use std::fmt;

use serde::Serialize;

use crate::status::DeviceClass;

/// What kind of kiosk device an id belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum KnownKind {
    /// 二代证阅读器.
    IdCardReader,
    /// Receipt (or label) printer.
    ReceiptPrinter,
    /// QR / barcode scanner.
    Scanner,
    /// A USB-serial bridge: the device behind it (often a reader or printer) shows as a tty.
    SerialBridge,
}

impl KnownKind {
    /// The device class, for kinds the kiosk drives directly.
    pub fn class(self) -> Option<DeviceClass> {
        match self {
            KnownKind::IdCardReader => Some(DeviceClass::IdCardReader),
            KnownKind::ReceiptPrinter => Some(DeviceClass::ReceiptPrinter),
            KnownKind::Scanner => Some(DeviceClass::Scanner),
            KnownKind::SerialBridge => None,
        }
    }

    /// A short label for listings.
    pub fn label(self) -> &'static str {
        match self {
            KnownKind::IdCardReader => "ID-card reader",
            KnownKind::ReceiptPrinter => "receipt printer",
            KnownKind::Scanner => "scanner",
            KnownKind::SerialBridge => "USB-serial bridge",
        }
    }
}

impl fmt::Display for KnownKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How sure the table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Confidence {
    /// Seen in a cited source (driver code, quirk table, open client).
    Confirmed,
    /// From a single unreliable list, or a vendor id whose products vary: verify on site.
    Unverified,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KnownDevice {
    /// USB vendor id.
    pub vid: u16,
    /// USB product id, or `None` for "any product of this vendor".
    pub pid: Option<u16>,
    /// What it is.
    pub kind: KnownKind,
    /// Vendor and model, as a technician would say it.
    pub name: &'static str,
    /// How sure the table is.
    pub confidence: Confidence,
}

use Confidence::{Confirmed, Unverified};
use KnownKind::{IdCardReader, ReceiptPrinter, Scanner, SerialBridge};

const fn dev(
    vid: u16,
    pid: Option<u16>,
    kind: KnownKind,
    name: &'static str,
    confidence: Confidence,
) -> KnownDevice {
    KnownDevice {
        vid,
        pid,
        kind,
        name,
        confidence,
    }
}

/// The table. Exact VID:PID rows win over vendor-wide rows.
pub const KNOWN_DEVICES: &[KnownDevice] = &[
    // ID-card readers (idcard-reader-protocol.md §USB).
    dev(
        0x0400,
        Some(0xC35A),
        IdCardReader,
        "二代证 reader (SAM over USB bulk)",
        Confirmed,
    ),
    dev(
        0x10C4,
        Some(0x0007),
        IdCardReader,
        "Miaxis 二代证 reader (HID)",
        Confirmed,
    ),
    dev(
        0xC216,
        Some(0x0102),
        IdCardReader,
        "中软高科 cloud ID reader",
        Unverified,
    ),
    // Receipt printers (escpos-printer.md §2.1, §2.2).
    dev(
        0x04B8,
        Some(0x0202),
        ReceiptPrinter,
        "Epson TM-T88 family / TM-T70",
        Confirmed,
    ),
    dev(
        0x04B8,
        Some(0x0E03),
        ReceiptPrinter,
        "Epson TM-T20",
        Confirmed,
    ),
    dev(
        0x04B8,
        Some(0x0E15),
        ReceiptPrinter,
        "Epson TM-T20II",
        Confirmed,
    ),
    dev(
        0x04B8,
        None,
        ReceiptPrinter,
        "Epson (Seiko Epson) printer",
        Unverified,
    ),
    dev(
        0x6868,
        Some(0x0200),
        ReceiptPrinter,
        "Gprinter 佳博 GP-58",
        Confirmed,
    ),
    dev(
        0x6868,
        Some(0x0500),
        ReceiptPrinter,
        "Gprinter 佳博 ZH-380 / GP-R222C",
        Confirmed,
    ),
    dev(
        0x6868,
        None,
        ReceiptPrinter,
        "Gprinter 佳博 printer",
        Unverified,
    ),
    dev(
        0x0471,
        Some(0x0055),
        ReceiptPrinter,
        "Gprinter label printer (Zhuhai Howbest)",
        Confirmed,
    ),
    dev(
        0x0483,
        Some(0x5743),
        ReceiptPrinter,
        "Xprinter 芯烨 XP-T58H",
        Confirmed,
    ),
    dev(
        0x2D37,
        Some(0xCBB4),
        ReceiptPrinter,
        "Xprinter 芯烨 XP-P323B (label)",
        Confirmed,
    ),
    dev(
        0x2D37,
        None,
        ReceiptPrinter,
        "Xprinter 芯烨 printer",
        Unverified,
    ),
    dev(
        0x20D1,
        Some(0x7007),
        ReceiptPrinter,
        "HPRT 汉印 HM-A300S (label)",
        Confirmed,
    ),
    dev(
        0x20D1,
        None,
        ReceiptPrinter,
        "HPRT 汉印 printer",
        Unverified,
    ),
    dev(
        0x0416,
        Some(0x5011),
        ReceiptPrinter,
        "generic POS58/POS80 printer board",
        Confirmed,
    ),
    dev(
        0x1FC9,
        Some(0x2016),
        ReceiptPrinter,
        "printer on an NXP-VID board (e.g. Honeywell IHR810)",
        Confirmed,
    ),
    dev(
        0x0FE6,
        Some(0x811E),
        ReceiptPrinter,
        "Rongta 容大 printer",
        Unverified,
    ),
    dev(
        0x154F,
        None,
        ReceiptPrinter,
        "SNBC 新北洋 printer",
        Unverified,
    ),
    dev(
        0x0519,
        None,
        ReceiptPrinter,
        "Star Micronics printer",
        Unverified,
    ),
    dev(0x1504, None, ReceiptPrinter, "Bixolon printer", Unverified),
    dev(0x0DD4, None, ReceiptPrinter, "Custom printer", Unverified),
    // Scanners: vendor ids; product ids depend on model and on the interface mode set.
    dev(
        0x0C2E,
        None,
        Scanner,
        "Honeywell (Metrologic) scanner",
        Unverified,
    ),
    dev(0x05E0, None, Scanner, "Zebra (Symbol) scanner", Unverified),
    dev(0x1EAB, None, Scanner, "Newland 新大陆 scanner", Unverified),
    dev(0x05F9, None, Scanner, "Datalogic scanner", Unverified),
    // USB-serial bridges: the device behind them shows as /dev/ttyUSB*.
    dev(0x1A86, None, SerialBridge, "QinHeng CH340/CH341", Confirmed),
    dev(0x0403, None, SerialBridge, "FTDI", Unverified),
    dev(0x067B, None, SerialBridge, "Prolific PL2303", Unverified),
    dev(
        0x10C4,
        Some(0xEA60),
        SerialBridge,
        "Silicon Labs CP210x",
        Unverified,
    ),
];

/// The best row for a VID:PID: the exact product if listed, else the vendor-wide row.
///
/// ```
/// use kiosk_drivers::usb_ids::{lookup, KnownKind};
///
/// assert_eq!(lookup(0x04b8, 0x0202).unwrap().kind, KnownKind::ReceiptPrinter);
/// assert_eq!(lookup(0x0c2e, 0x1234).unwrap().kind, KnownKind::Scanner);
/// assert!(lookup(0x1d6b, 0x0002).is_none()); // a root hub
/// ```
pub fn lookup(vid: u16, pid: u16) -> Option<&'static KnownDevice> {
    KNOWN_DEVICES
        .iter()
        .find(|d| d.vid == vid && d.pid == Some(pid))
        .or_else(|| {
            KNOWN_DEVICES
                .iter()
                .find(|d| d.vid == vid && d.pid.is_none())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_rows_win_over_vendor_rows() {
        assert_eq!(lookup(0x04B8, 0x0E15).unwrap().name, "Epson TM-T20II");
        assert_eq!(
            lookup(0x04B8, 0x9999).unwrap().confidence,
            Confidence::Unverified
        );
    }

    #[test]
    fn a_shared_vendor_id_is_not_guessed_beyond_its_listed_products() {
        // 0x10C4 is Silicon Labs: two listed products, no vendor-wide row.
        assert_eq!(
            lookup(0x10C4, 0x0007).unwrap().kind,
            KnownKind::IdCardReader
        );
        assert_eq!(
            lookup(0x10C4, 0xEA60).unwrap().kind,
            KnownKind::SerialBridge
        );
        assert!(lookup(0x10C4, 0x8A2A).is_none());
    }

    #[test]
    fn no_exact_vid_pid_is_listed_twice() {
        for (i, a) in KNOWN_DEVICES.iter().enumerate() {
            for b in &KNOWN_DEVICES[i + 1..] {
                assert!(
                    (a.vid, a.pid) != (b.vid, b.pid),
                    "{:04x}:{:?} listed twice",
                    a.vid,
                    a.pid
                );
            }
        }
    }

    #[test]
    fn every_kiosk_class_has_entries() {
        // Every serial device class; the loudspeaker is found by ALSA, not by USB id.
        for class in DeviceClass::SERIAL {
            assert!(KNOWN_DEVICES.iter().any(|d| d.kind.class() == Some(class)));
        }
    }
}
