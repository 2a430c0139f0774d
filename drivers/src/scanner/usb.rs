//! USB HID scanners read directly with libusb (HID POS or keyboard wedge), so a wedge
//! scanner's keystrokes go to the kiosk service and never into whatever window has focus.
//!
//! [`UsbScanner`] is generic over the drivers' one byte pipe, [`Link`] (a read is one
//! interrupt IN report; `Ok(0)`: nothing came): tests drive it with a fake that replays
//! generated reports (there is no USB bus on the build machine), and [`RusbInterruptIn`] is
//! the real, deliberately thin implementation.

use std::time::{Duration, Instant};

use super::codec::Framing;
use super::filter::{ScanFilter, ScanOutcome};
use super::flood::FloodLimit;
use super::hid::{HidPosAssembler, KeyOutcome, KeyboardDecoder, KeyboardLayout};
use super::runner::ScanSource;
use super::sanitize::{Rejection, TextPolicy};
use super::usb_desc::{hid_interfaces, report_kind, HidInterface, ReportKind};
use super::ScannerError;
use crate::link::Link;
use crate::ErrorKind;

/// A USB scanner, generic over how reports are read.
#[derive(Debug)]
pub struct UsbScanner<T> {
    io: T,
    device: String,
    kind: ReportKind,
    hid_pos: HidPosAssembler,
    keys: KeyboardDecoder,
    filter: ScanFilter,
    timeout: Duration,
    buf: [u8; 64],
}

impl<T: Link<Error = ScannerError>> UsbScanner<T> {
    /// A scanner reading `kind` reports from `io`; `device` names it in errors (`0c2e:0b81`).
    pub fn new(io: T, device: String, kind: ReportKind, policy: TextPolicy) -> Self {
        let max_frame = policy.max_len.saturating_add(3);
        UsbScanner {
            io,
            device,
            kind,
            hid_pos: HidPosAssembler::new(max_frame),
            keys: KeyboardDecoder::new(KeyboardLayout::Us, false, max_frame),
            filter: ScanFilter::new(Framing::default(), policy, FloodLimit::default()),
            timeout: Duration::from_millis(200),
            buf: [0; 64],
        }
    }

    /// What the device sends.
    pub fn kind(&self) -> ReportKind {
        self.kind
    }

    /// The device (`0c2e:0b81`).
    pub fn device(&self) -> &str {
        &self.device
    }
}

impl<T: Link<Error = ScannerError>> ScanSource for UsbScanner<T> {
    fn poll(&mut self, out: &mut Vec<ScanOutcome>) -> Result<(), ScannerError> {
        let n = self.io.read(&mut self.buf, self.timeout)?;
        if n == 0 {
            return Ok(());
        }
        let report = &self.buf[..n.min(self.buf.len())];
        let now = Instant::now();
        let frame = match self.kind {
            ReportKind::HidPos => self.hid_pos.push(report).map(|f| f.map(Ok)),
            ReportKind::Keyboard => self.keys.push(report).map(|k| {
                k.map(|k| match k {
                    KeyOutcome::Frame(frame) => Ok(frame),
                    KeyOutcome::UnknownKey(usage) => Err(usage),
                })
            }),
        };
        match frame {
            Ok(Some(Ok(frame))) => out.extend(self.filter.judge_frame(frame, now)),
            Ok(Some(Err(usage))) => {
                out.push(self.filter.reject(Rejection::UnknownKey { usage }));
            }
            Ok(None) => {}
            // A malformed report is a wire error, not a scan: count it as a rejection.
            Err(_) => out.push(self.filter.reject(Rejection::BadReport)),
        }
        Ok(())
    }

    fn rejected_total(&self) -> u64 {
        self.filter.rejected_total()
    }
}

/// The real interrupt IN endpoint, over libusb. Kept thin: everything it decides is in
/// [`hid_interfaces`] and [`report_kind`], which are tested on recorded descriptors.
pub struct RusbInterruptIn {
    handle: rusb::DeviceHandle<rusb::Context>,
    endpoint: u8,
    /// `vid:pid`, for errors.
    device: String,
}

impl std::fmt::Debug for RusbInterruptIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RusbInterruptIn(endpoint {:#04x})", self.endpoint)
    }
}

impl Link for RusbInterruptIn {
    type Error = ScannerError;

    /// A scanner only sends: there is no OUT endpoint to write to.
    fn write_all(&mut self, _: &[u8], _: Duration) -> Result<(), ScannerError> {
        Err(ScannerError::Usb {
            device: self.device.clone(),
            message: "a HID scanner takes no output".into(),
            kind: ErrorKind::Unsupported,
        })
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, ScannerError> {
        match self.handle.read_interrupt(self.endpoint, buf, timeout) {
            Ok(n) => Ok(n),
            Err(rusb::Error::Timeout | rusb::Error::Interrupted) => Ok(0),
            // Gone or broken: reopen (the runner's supervisor waits as for any lost link).
            Err(e) => Err(ScannerError::Usb {
                device: self.device.clone(),
                message: e.to_string(),
                kind: ErrorKind::Disconnected,
            }),
        }
    }

    fn describe(&self) -> String {
        format!("usb {}", self.device)
    }
}

/// Sorts a libusb error into what the caller should do.
pub fn usb_error_kind(err: rusb::Error) -> ErrorKind {
    match err {
        rusb::Error::Access => ErrorKind::PermissionDenied,
        rusb::Error::NoDevice | rusb::Error::NotFound => ErrorKind::NotFound,
        rusb::Error::Busy => ErrorKind::Busy,
        rusb::Error::NotSupported | rusb::Error::InvalidParam => ErrorKind::InvalidInput,
        _ => ErrorKind::Disconnected,
    }
}

/// Opens the first USB device matching `vid:pid` (and serial, if given), finds its HID
/// scanner interface, claims it (detaching the kernel's keyboard driver) and returns the
/// endpoint and what kind of reports it sends.
pub fn open_usb(
    vid: u16,
    pid: u16,
    serial: Option<&str>,
    policy: TextPolicy,
) -> Result<UsbScanner<RusbInterruptIn>, ScannerError> {
    use rusb::UsbContext;
    let name = format!("{vid:04x}:{pid:04x}");
    let fail = |message: String, kind| ScannerError::Usb {
        device: name.clone(),
        message,
        kind,
    };
    let usb = |what: &str, e: rusb::Error| fail(format!("{what}: {e}"), usb_error_kind(e));
    let timeout = Duration::from_secs(1);
    if !std::path::Path::new("/sys/bus/usb").exists() {
        return Err(fail(
            "this machine has no USB bus (/sys/bus/usb is missing)".into(),
            ErrorKind::NotFound,
        ));
    }
    let context = rusb::Context::new().map_err(|e| usb("no USB access (libusb init)", e))?;
    let devices = context
        .devices()
        .map_err(|e| usb("cannot list USB devices", e))?;
    let mut last_err = fail("not connected".into(), ErrorKind::NotFound);
    for device in devices.iter() {
        let Ok(desc) = device.device_descriptor() else {
            continue;
        };
        if (desc.vendor_id(), desc.product_id()) != (vid, pid) {
            continue;
        }
        let handle = match device.open() {
            Ok(h) => h,
            Err(e) => {
                last_err = usb("cannot open", e);
                continue;
            }
        };
        if let Some(want) = serial {
            if handle
                .read_serial_number_string_ascii(&desc)
                .ok()
                .as_deref()
                != Some(want)
            {
                continue;
            }
        }
        let mut config = vec![0u8; 1024];
        let n = handle
            .read_control(0x80, 0x06, 0x0200, 0, &mut config, timeout)
            .map_err(|e| usb("cannot read its configuration descriptor", e))?;
        let _ = handle.set_auto_detach_kernel_driver(true);
        for iface in hid_interfaces(&config[..n]) {
            if let Some(kind) = claim_scanner_interface(&handle, &iface, timeout) {
                let io = RusbInterruptIn {
                    handle,
                    endpoint: iface.endpoint_in,
                    device: name.clone(),
                };
                return Ok(UsbScanner::new(io, name, kind, policy));
            }
        }
        return Err(fail(
            "no HID POS or keyboard interface with an interrupt IN endpoint".into(),
            ErrorKind::InvalidInput,
        ));
    }
    Err(last_err)
}

/// Claims a HID interface and reads its report descriptor; `None` if it is no scanner.
fn claim_scanner_interface(
    handle: &rusb::DeviceHandle<rusb::Context>,
    iface: &HidInterface,
    timeout: Duration,
) -> Option<ReportKind> {
    handle.claim_interface(iface.number).ok()?;
    let mut desc = vec![0u8; 4096];
    let index = u16::from(iface.number);
    let kind = match handle.read_control(0x81, 0x06, 0x2200, index, &mut desc, timeout) {
        Ok(n) => report_kind(&desc[..n]),
        Err(_) => None,
    }
    .or(iface.is_boot_keyboard().then_some(ReportKind::Keyboard));
    if kind == Some(ReportKind::Keyboard) && iface.is_boot_keyboard() {
        // SET_PROTOCOL(boot): 8-byte reports without report ids, whatever the descriptor says.
        let _ = handle.write_control(0x21, 0x0B, 0, index, &[], timeout);
    }
    if kind.is_none() {
        let _ = handle.release_interface(iface.number);
    }
    kind
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;
    use crate::scanner::hid::{hid_pos_reports, keyboard_reports};
    use crate::scanner::Symbology;

    /// Replays reports (an empty one: a quiet read), then reports the device lost.
    struct Replay(VecDeque<Vec<u8>>);

    impl Link for Replay {
        type Error = ScannerError;
        fn write_all(&mut self, _: &[u8], _: Duration) -> Result<(), ScannerError> {
            Ok(())
        }
        fn read(&mut self, buf: &mut [u8], _: Duration) -> Result<usize, ScannerError> {
            match self.0.pop_front() {
                Some(r) => {
                    buf[..r.len()].copy_from_slice(&r);
                    Ok(r.len())
                }
                None => Err(ScannerError::Usb {
                    device: "0c2e:0b81".into(),
                    message: "LIBUSB_ERROR_NO_DEVICE".into(),
                    kind: ErrorKind::Disconnected,
                }),
            }
        }
        fn describe(&self) -> String {
            "replay".into()
        }
    }

    fn run(kind: ReportKind, reports: Vec<Vec<u8>>) -> (Vec<ScanOutcome>, ScannerError) {
        let mut scanner = UsbScanner::new(
            Replay(reports.into()),
            "0c2e:0b81".into(),
            kind,
            TextPolicy::default(),
        );
        let mut out = Vec::new();
        loop {
            if let Err(e) = scanner.poll(&mut out) {
                return (out, e);
            }
        }
    }

    #[test]
    fn hid_pos_reports_become_scans_and_unplug_is_a_disconnect() {
        let mut reports: Vec<Vec<u8>> =
            hid_pos_reports(Some("]Q1"), "https://zw.gov.cn/预约".as_bytes())
                .iter()
                .map(|r| r.to_vec())
                .collect();
        reports.insert(0, Vec::new()); // a quiet period first
        let (out, err) = run(ReportKind::HidPos, reports);
        let [ScanOutcome::Scan(scan)] = out.as_slice() else {
            panic!("{out:?}");
        };
        assert_eq!(
            (scan.symbology, scan.text.as_str()),
            (Symbology::Qr, "https://zw.gov.cn/预约")
        );
        assert_eq!(err.kind(), ErrorKind::Disconnected);
        assert!(err.to_string().contains("0c2e:0b81"), "{err}");
    }

    #[test]
    fn keyboard_wedge_reports_become_scans_and_escapes_are_rejected() {
        let mut reports: Vec<Vec<u8>> = keyboard_reports(b"A0042", KeyboardLayout::Us)
            .unwrap()
            .iter()
            .map(|r| r.to_vec())
            .collect();
        reports.push(vec![0, 0, 0x29, 0, 0, 0, 0, 0]); // Escape
        reports.push(vec![0, 0, 0x28, 0, 0, 0, 0, 0]); // Enter
        reports.push(vec![0, 0, 4]); // a short, malformed report
        let (out, _) = run(ReportKind::Keyboard, reports);
        assert!(
            matches!(&out[0], ScanOutcome::Scan(s) if s.text == "A0042"),
            "{out:?}"
        );
        assert_eq!(
            out[1..],
            [
                ScanOutcome::Rejected(Rejection::UnknownKey { usage: 0x29 }),
                ScanOutcome::Rejected(Rejection::BadReport)
            ]
        );
    }

    #[test]
    fn libusb_errors_map_to_actions() {
        assert_eq!(
            usb_error_kind(rusb::Error::Access),
            ErrorKind::PermissionDenied
        );
        assert_eq!(usb_error_kind(rusb::Error::NoDevice), ErrorKind::NotFound);
        assert_eq!(usb_error_kind(rusb::Error::Busy), ErrorKind::Busy);
        assert_eq!(usb_error_kind(rusb::Error::Io), ErrorKind::Disconnected);
    }
}
