//! USB printers: descriptor model, a parser for raw descriptors (as recorded from real
//! printers), the choice of printer interface and bulk endpoints, and a transport over a
//! small [`UsbPrinterIo`] trait (real implementation: [`super::usb_rusb`]).
//!
//! Rules from the reference (§2.1–2.5): class 0x07 interfaces, preferring protocol 2 (bidirectional),
//! then 3, then 1, as Linux usblp does; Epson 04b8:0202 has a vendor-class interface, so known
//! VID:PIDs and vendor-class interfaces with a bulk OUT are accepted too; endpoint numbers are
//! never hard-coded; writes loop over short writes with timeouts sized from print time.

use std::time::Duration;

use super::{Link, PrinterTransport};
use crate::printer::error::PrinterError;

/// USB interface class of printers.
pub const CLASS_PRINTER: u8 = 0x07;
/// Vendor-specific class.
pub const CLASS_VENDOR: u8 = 0xFF;

/// Receipt printers known by VID:PID, including vendor-class ones (reference §2.2).
pub const KNOWN_PRINTERS: &[(u16, u16, &str)] = &[
    (
        0x04b8,
        0x0202,
        "Epson TM-T88 family / TM-T70 (vendor class)",
    ),
    (0x04b8, 0x0e03, "Epson TM-T20"),
    (0x04b8, 0x0e15, "Epson TM-T20II"),
    (0x6868, 0x0200, "Gprinter GP-58"),
    (0x6868, 0x0500, "Gprinter ZH-380 / GP-R222C"),
    (0x0471, 0x0055, "Gprinter (Zhuhai Howbest)"),
    (0x0483, 0x5743, "Xprinter XP-T58H"),
    (0x0416, 0x5011, "generic POS58/POS80 board"),
    (0x1fc9, 0x2016, "NXP-VID printer board"),
];

/// Transfer type of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferType {
    /// Control.
    Control,
    /// Isochronous.
    Isochronous,
    /// Bulk.
    Bulk,
    /// Interrupt.
    Interrupt,
}

/// One endpoint descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointInfo {
    /// bEndpointAddress (bit 7 set = IN).
    pub address: u8,
    /// Transfer type.
    pub transfer: TransferType,
    /// wMaxPacketSize.
    pub max_packet: u16,
}

impl EndpointInfo {
    /// Whether data flows device → host.
    pub fn is_in(&self) -> bool {
        self.address & 0x80 != 0
    }
}

/// One interface alternate setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceInfo {
    /// bInterfaceNumber.
    pub number: u8,
    /// bAlternateSetting.
    pub alt: u8,
    /// bInterfaceClass.
    pub class: u8,
    /// bInterfaceSubClass.
    pub subclass: u8,
    /// bInterfaceProtocol (printer: 1 uni-, 2 bidirectional, 3 IEEE 1284.4).
    pub protocol: u8,
    /// Its endpoints.
    pub endpoints: Vec<EndpointInfo>,
}

/// A device as discovery sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsbDeviceInfo {
    /// idVendor.
    pub vid: u16,
    /// idProduct.
    pub pid: u16,
    /// bDeviceClass (0x02 on CDC-looking printers such as the GP-R222C).
    pub device_class: u8,
    /// Bus number and address, for messages.
    pub location: String,
    /// Interfaces of the active configuration.
    pub interfaces: Vec<InterfaceInfo>,
}

/// The interface and endpoints a printer driver uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrinterEndpoints {
    /// bInterfaceNumber to claim.
    pub interface: u8,
    /// Alternate setting to select.
    pub alt: u8,
    /// Bulk OUT endpoint address.
    pub bulk_out: u8,
    /// Bulk IN endpoint address (none on unidirectional printers).
    pub bulk_in: Option<u8>,
    /// wMaxPacketSize of the OUT endpoint.
    pub max_packet: u16,
    /// Whether the interface is printer class (so GET_PORT_STATUS is meaningful).
    pub printer_class: bool,
}

/// Why raw descriptor bytes could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed USB descriptor at byte {offset}: {reason}")]
pub struct DescriptorError {
    /// Where.
    pub offset: usize,
    /// What.
    pub reason: &'static str,
}

/// Parses a device descriptor (18 bytes) followed by one configuration descriptor with all
/// its interface and endpoint descriptors (the layout of sysfs `descriptors` and `lsusb -v`).
pub fn parse_descriptors(bytes: &[u8], location: &str) -> Result<UsbDeviceInfo, DescriptorError> {
    let err = |offset, reason| DescriptorError { offset, reason };
    if bytes.len() < 18 || bytes[0] != 18 || bytes[1] != 0x01 {
        return Err(err(0, "no 18-byte device descriptor first"));
    }
    let vid = u16::from_le_bytes([bytes[8], bytes[9]]);
    let pid = u16::from_le_bytes([bytes[10], bytes[11]]);
    let device_class = bytes[4];
    let mut interfaces: Vec<InterfaceInfo> = Vec::new();
    let mut pos = 18;
    let mut saw_config = false;
    while pos < bytes.len() {
        let len = usize::from(bytes[pos]);
        if len < 2 || pos + len > bytes.len() {
            return Err(err(pos, "descriptor length runs past the end"));
        }
        let d = &bytes[pos..pos + len];
        match d[1] {
            0x02 if len >= 9 => {
                if saw_config {
                    break; // only the first configuration
                }
                saw_config = true;
                let total = usize::from(u16::from_le_bytes([d[2], d[3]]));
                if pos + total > bytes.len() {
                    return Err(err(pos, "wTotalLength runs past the end"));
                }
            }
            0x04 if len >= 9 => interfaces.push(InterfaceInfo {
                number: d[2],
                alt: d[3],
                class: d[5],
                subclass: d[6],
                protocol: d[7],
                endpoints: Vec::new(),
            }),
            0x05 if len >= 7 => {
                let Some(iface) = interfaces.last_mut() else {
                    return Err(err(pos, "endpoint before any interface"));
                };
                iface.endpoints.push(EndpointInfo {
                    address: d[2],
                    transfer: match d[3] & 0x03 {
                        0 => TransferType::Control,
                        1 => TransferType::Isochronous,
                        2 => TransferType::Bulk,
                        _ => TransferType::Interrupt,
                    },
                    max_packet: u16::from_le_bytes([d[4], d[5]]) & 0x07FF,
                });
            }
            0x02 | 0x04 | 0x05 => return Err(err(pos, "descriptor too short for its type")),
            _ => {} // class-specific, IAD, HID, … ignored
        }
        pos += len;
    }
    if !saw_config {
        return Err(err(18, "no configuration descriptor"));
    }
    Ok(UsbDeviceInfo {
        vid,
        pid,
        device_class,
        location: location.to_owned(),
        interfaces,
    })
}

/// Whether the VID:PID is in the known-printer list.
pub fn known_printer(vid: u16, pid: u16) -> Option<&'static str> {
    KNOWN_PRINTERS
        .iter()
        .find(|(v, p, _)| *v == vid && *p == pid)
        .map(|(_, _, n)| *n)
}

/// Chooses the printer interface and its bulk endpoints, or `None` if the device is no printer.
///
/// A vendor-class interface (Epson 04b8:0202) is taken only when the VID:PID is a known
/// printer or `selected` says the technician named this device: USB-serial bridges are
/// vendor class with bulk pipes too, and must not be mistaken for printers.
pub fn choose_endpoints(dev: &UsbDeviceInfo, selected: bool) -> Option<PrinterEndpoints> {
    let known = selected || known_printer(dev.vid, dev.pid).is_some();
    let rank = |i: &InterfaceInfo| -> Option<u8> {
        let has_out = i
            .endpoints
            .iter()
            .any(|e| e.transfer == TransferType::Bulk && !e.is_in());
        if !has_out {
            return None;
        }
        match (i.class, i.subclass, i.protocol) {
            (CLASS_PRINTER, 1, 2) => Some(0),
            (CLASS_PRINTER, 1, 3) => Some(1),
            (CLASS_PRINTER, 1, 1) => Some(2),
            (CLASS_PRINTER, _, _) => Some(3),
            (CLASS_VENDOR, _, _) if known => Some(4),
            _ => None,
        }
    };
    let best = dev
        .interfaces
        .iter()
        .filter_map(|i| rank(i).map(|r| (r, i)))
        .min_by_key(|(r, i)| (*r, i.number, i.alt))?;
    let iface = best.1;
    let out = iface
        .endpoints
        .iter()
        .find(|e| e.transfer == TransferType::Bulk && !e.is_in())?;
    let bulk_in = iface
        .endpoints
        .iter()
        .find(|e| e.transfer == TransferType::Bulk && e.is_in())
        .filter(|_| !(iface.class == CLASS_PRINTER && iface.protocol == 1))
        .map(|e| e.address);
    Some(PrinterEndpoints {
        interface: iface.number,
        alt: iface.alt,
        bulk_out: out.address,
        bulk_in,
        max_packet: out.max_packet,
        printer_class: iface.class == CLASS_PRINTER,
    })
}

/// Whether a device matches a `VID:PID` selector, or is any printer when none is given.
pub fn matches(dev: &UsbDeviceInfo, want: Option<(u16, u16)>) -> bool {
    match want {
        Some((vid, pid)) => {
            dev.vid == vid && dev.pid == pid && choose_endpoints(dev, true).is_some()
        }
        None => choose_endpoints(dev, false).is_some(),
    }
}

/// The I/O an open USB printer offers: bulk transfers and the class status request.
/// Real: [`super::usb_rusb::RusbPrinterIo`]; tests use a fake.
pub trait UsbPrinterIo: Send {
    /// One bulk OUT transfer; may send fewer bytes than given (a short write).
    fn write_bulk(
        &mut self,
        endpoint: u8,
        data: &[u8],
        timeout: Duration,
    ) -> Result<usize, PrinterError>;
    /// One bulk IN transfer; `Ok(0)` on timeout.
    fn read_bulk(
        &mut self,
        endpoint: u8,
        buf: &mut [u8],
        timeout: Duration,
    ) -> Result<usize, PrinterError>;
    /// Printer class `GET_PORT_STATUS` (bmRequestType 0xA1, bRequest 1, wIndex interface).
    fn get_port_status(&mut self, interface: u8, timeout: Duration) -> Result<u8, PrinterError>;
}

/// Largest chunk per bulk transfer: small enough that a timeout sized from print time means
/// something, large enough to keep the pipe busy (reference §2.5: 4–16 KB).
pub const CHUNK_BYTES: usize = 4096;

/// A printer transport over USB bulk pipes.
pub struct UsbTransport<Io: UsbPrinterIo> {
    io: Io,
    endpoints: PrinterEndpoints,
    label: String,
}

impl<Io: UsbPrinterIo> std::fmt::Debug for UsbTransport<Io> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UsbTransport({}, {:?})", self.label, self.endpoints)
    }
}

impl<Io: UsbPrinterIo> UsbTransport<Io> {
    /// Wraps an opened, claimed device.
    pub fn new(io: Io, endpoints: PrinterEndpoints, label: impl Into<String>) -> Self {
        UsbTransport {
            io,
            endpoints,
            label: label.into(),
        }
    }

    /// The endpoints in use.
    pub fn endpoints(&self) -> PrinterEndpoints {
        self.endpoints
    }
}

impl<Io: UsbPrinterIo> Link for UsbTransport<Io> {
    type Error = PrinterError;

    fn write_all(&mut self, data: &[u8], timeout: Duration) -> Result<(), PrinterError> {
        let mut sent = 0;
        let mut stalls = 0;
        while sent < data.len() {
            let end = (sent + CHUNK_BYTES).min(data.len());
            let n = self
                .io
                .write_bulk(self.endpoints.bulk_out, &data[sent..end], timeout)?;
            if n == 0 {
                stalls += 1;
                if stalls >= 3 {
                    return Err(PrinterError::Timeout(
                        timeout,
                        "writing to the USB printer (no progress)",
                    ));
                }
            } else {
                stalls = 0;
            }
            sent += n;
        }
        Ok(())
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, PrinterError> {
        match self.endpoints.bulk_in {
            Some(ep) => self.io.read_bulk(ep, buf, timeout),
            None => Ok(0),
        }
    }

    fn describe(&self) -> String {
        self.label.clone()
    }
}

impl<Io: UsbPrinterIo> PrinterTransport for UsbTransport<Io> {
    fn can_read(&self) -> bool {
        self.endpoints.bulk_in.is_some()
    }

    fn port_status(&mut self) -> Option<Result<u8, PrinterError>> {
        self.endpoints.printer_class.then(|| {
            self.io
                .get_port_status(self.endpoints.interface, Duration::from_secs(1))
        })
    }
}
