//! `kioskctl devices`: what is plugged in, for a technician at the kiosk. Serial ports and
//! USB devices, known kiosk devices named by VID:PID, and any device that is present but
//! not accessible flagged with the fix. No USB bus at all is a plain sentence, not an error.

use std::fmt::Write as _;

use clap::Args;
use kiosk_drivers::listing::{
    list_devices, Access, DeviceListing, SerialAttachment, SerialEntry, UsbEntry, UsbListing,
};
use kiosk_drivers::usb_ids::{Confidence, KnownDevice};

/// `kioskctl devices`
#[derive(Debug, Args)]
pub struct DevicesArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// List every built-in UART and every USB device, not only the likely ones.
    #[arg(long)]
    pub all: bool,
}

/// Runs `kioskctl devices`; returns the exit code (0 even when nothing is found).
pub fn run(args: DevicesArgs) -> i32 {
    let listing = list_devices();
    if args.json {
        match serde_json::to_string_pretty(&listing) {
            Ok(text) => outln!("{text}"),
            Err(e) => {
                eprintln!("cannot format the listing as JSON: {e}");
                return 1;
            }
        }
    } else {
        out!("{}", render(&listing, args.all));
    }
    0
}

/// The listing as text for a technician.
pub fn render(listing: &DeviceListing, all: bool) -> String {
    let mut out = String::new();
    let mut denied = 0usize;
    out.push_str("Serial ports\n");
    if let Some(why) = &listing.serial_error {
        let _ = writeln!(out, "  cannot list serial ports: {why}");
    }
    let (builtin, attached): (Vec<&SerialEntry>, Vec<&SerialEntry>) = listing
        .serial
        .iter()
        .partition(|p| p.attachment == SerialAttachment::Builtin);
    if listing.serial.is_empty() && listing.serial_error.is_none() {
        out.push_str("  none\n");
    }
    for port in &attached {
        render_serial(&mut out, port, &mut denied);
    }
    if all || builtin.len() <= 2 {
        for port in &builtin {
            render_serial(&mut out, port, &mut denied);
        }
    } else if let (Some(first), Some(last)) = (builtin.first(), builtin.last()) {
        let _ = writeln!(
            out,
            "  {} … {}  {} built-in UARTs (an RS-232 device would be on one of these; \
             --all lists each)",
            first.path.display(),
            last.path.display(),
            builtin.len()
        );
        denied += builtin.iter().filter(|p| is_denied(&p.access)).count();
    }
    out.push_str("\nUSB devices\n");
    match &listing.usb {
        UsbListing::NoBus(why) => {
            let text = format!(
                "No USB bus on this machine: {why}. USB scanners, printers and ID-card \
                 readers cannot be used here; serial ports and the simulators \
                 (device = \"sim\") still work."
            );
            out.push_str(&wrap(&text, "  "));
        }
        UsbListing::Failed(why) => {
            let _ = writeln!(out, "  cannot list USB devices: {why}");
        }
        UsbListing::Devices(devices) => {
            let shown: Vec<&UsbEntry> = devices
                .iter()
                .filter(|d| all || d.known.is_some() || is_denied(&d.access) || likely(d))
                .collect();
            if shown.is_empty() {
                out.push_str("  no kiosk devices (--all lists every USB device)\n");
            }
            for dev in &shown {
                render_usb(&mut out, dev, &mut denied);
            }
            let hidden = devices.len() - shown.len();
            if hidden > 0 {
                let _ = writeln!(
                    out,
                    "  ({hidden} other USB devices hidden; --all lists them)"
                );
            }
        }
    }
    if denied > 0 {
        let _ = writeln!(
            out,
            "\n{denied} device(s) present but NOT ACCESSIBLE to this user: apply the fix shown."
        );
    }
    out
}

/// Wraps text at 80 columns, each line starting with `indent`; a `command` in backticks is
/// never split, so it can be copied whole.
fn wrap(text: &str, indent: &str) -> String {
    let mut in_code = false;
    let glued: String = text
        .chars()
        .map(|c| {
            if c == '`' {
                in_code = !in_code;
            }
            if c == ' ' && in_code {
                '\u{a0}'
            } else {
                c
            }
        })
        .collect();
    let width = |s: &str| s.chars().count();
    let mut out = String::new();
    let mut line = String::from(indent);
    for word in glued.split(' ').filter(|w| !w.is_empty()) {
        if width(&line) > width(indent) && width(&line) + 1 + width(word) > 80 {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(indent);
        }
        if width(&line) > width(indent) {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out.replace('\u{a0}', " ")
}

fn is_denied(access: &Access) -> bool {
    matches!(access, Access::PermissionDenied { .. })
}

/// Interface classes a kiosk device uses: CDC (2, 10), HID (3), printer (7), vendor (255).
fn likely(dev: &UsbEntry) -> bool {
    dev.interface_classes
        .iter()
        .any(|c| matches!(c, 2 | 3 | 7 | 10 | 255))
}

fn known_text(known: Option<&KnownDevice>) -> String {
    match known {
        Some(k) if k.confidence == Confidence::Unverified => {
            format!("{}: {} (id not verified)", k.kind, k.name)
        }
        Some(k) => format!("{}: {}", k.kind, k.name),
        None => String::new(),
    }
}

fn render_access(out: &mut String, access: &Access, denied: &mut usize) {
    match access {
        Access::Ok => {}
        Access::PermissionDenied { node, fix } => {
            *denied += 1;
            out.push_str(&wrap(
                &format!("PERMISSION DENIED ({node}). Fix: {fix}"),
                "      ",
            ));
        }
        Access::Unknown { reason } => {
            let _ = writeln!(out, "      access not checked: {reason}");
        }
    }
}

fn render_serial(out: &mut String, port: &SerialEntry, denied: &mut usize) {
    let how = match &port.attachment {
        SerialAttachment::Usb {
            vid,
            pid,
            serial,
            manufacturer,
            product,
        } => {
            let mut text = format!("USB {vid:04x}:{pid:04x}");
            let strings: Vec<&str> = [manufacturer, product]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect();
            if !strings.is_empty() {
                let _ = write!(text, " \"{}\"", strings.join(" "));
            }
            if let Some(serial) = serial {
                let _ = write!(text, " serial {serial}");
            }
            text
        }
        SerialAttachment::Pci => "PCI serial card".into(),
        SerialAttachment::Bluetooth => "Bluetooth".into(),
        SerialAttachment::Builtin => "built-in UART".into(),
    };
    let status = if is_denied(&port.access) {
        ""
    } else {
        "  accessible"
    };
    let _ = writeln!(out, "  {:<14} {how}{status}", port.path.display());
    let known = known_text(port.known);
    if !known.is_empty() {
        let _ = writeln!(out, "      {known}");
    }
    render_access(out, &port.access, denied);
}

fn render_usb(out: &mut String, dev: &UsbEntry, denied: &mut usize) {
    let strings: Vec<&str> = [&dev.manufacturer, &dev.product]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let classes: Vec<&str> = dev
        .interface_classes
        .iter()
        .map(|c| class_name(*c))
        .collect();
    let status = if is_denied(&dev.access) {
        ""
    } else {
        "  accessible"
    };
    let _ = writeln!(
        out,
        "  {:04x}:{:04x}  bus {:03} dev {:03}  \"{}\" [{}]{status}",
        dev.vid,
        dev.pid,
        dev.bus,
        dev.address,
        strings.join(" "),
        classes.join(", "),
    );
    let known = known_text(dev.known);
    if !known.is_empty() {
        let _ = writeln!(
            out,
            "      {known}; use device = \"{:04x}:{:04x}\"",
            dev.vid, dev.pid
        );
    }
    render_access(out, &dev.access, denied);
}

fn class_name(class: u8) -> &'static str {
    match class {
        0x02 | 0x0A => "CDC serial",
        0x03 => "HID",
        0x07 => "printer",
        0x08 => "mass storage",
        0x0E => "video",
        0xE0 => "wireless",
        0xFF => "vendor",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    #[test]
    fn wrapping_keeps_commands_in_backticks_whole() {
        let text = format!("{} `usermod -aG dialout kiosk` then", "word ".repeat(14));
        let wrapped = super::wrap(&text, "  ");
        assert!(wrapped.contains("`usermod -aG dialout kiosk`"), "{wrapped}");
        assert!(
            wrapped.lines().all(|l| l.chars().count() <= 80),
            "{wrapped}"
        );
    }

    use kiosk_drivers::usb_ids::lookup;

    use super::*;

    fn serial(path: &str, attachment: SerialAttachment, access: Access) -> SerialEntry {
        let known = match &attachment {
            SerialAttachment::Usb { vid, pid, .. } => lookup(*vid, *pid),
            _ => None,
        };
        SerialEntry {
            path: PathBuf::from(path),
            attachment,
            known,
            access,
        }
    }

    fn usb(vid: u16, pid: u16, classes: &[u8], access: Access) -> UsbEntry {
        UsbEntry {
            bus: 1,
            address: 7,
            vid,
            pid,
            interface_classes: classes.to_vec(),
            manufacturer: Some("EPSON".into()),
            product: None,
            known: lookup(vid, pid),
            access,
        }
    }

    #[test]
    fn no_usb_bus_is_a_sentence_not_an_error_dump() {
        let text = render(
            &DeviceListing {
                serial: vec![serial("/dev/ttyS0", SerialAttachment::Builtin, Access::Ok)],
                serial_error: None,
                usb: UsbListing::NoBus("no /sys/bus/usb".into()),
            },
            false,
        );
        assert!(
            text.contains("No USB bus on this machine: no /sys/bus/usb."),
            "{text}"
        );
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        assert!(
            text.contains("/dev/ttyS0     built-in UART  accessible"),
            "{text}"
        );
        assert!(!text.contains("NOT ACCESSIBLE"), "{text}");
    }

    #[test]
    fn a_denied_known_device_is_named_with_its_fix_and_counted() {
        let denied = Access::PermissionDenied {
            node: "root:dialout 0660".into(),
            fix: "add the kiosk user to dialout".into(),
        };
        let usb_port = SerialAttachment::Usb {
            vid: 0x1a86,
            pid: 0x7523,
            serial: None,
            manufacturer: None,
            product: Some("USB Serial".into()),
        };
        let printer_denied = Access::PermissionDenied {
            node: "root:root 0664".into(),
            fix: "install a udev rule".into(),
        };
        let listing = DeviceListing {
            serial: vec![serial("/dev/ttyUSB0", usb_port, denied)],
            serial_error: None,
            usb: UsbListing::Devices(vec![
                usb(0x04b8, 0x0202, &[7], printer_denied),
                usb(0x1d6b, 0x0003, &[9], Access::Ok),
            ]),
        };
        let text = render(&listing, false);
        assert!(text.contains("USB 1a86:7523 \"USB Serial\""), "{text}");
        assert!(
            text.contains("USB-serial bridge: QinHeng CH340/CH341"),
            "{text}"
        );
        assert!(text.contains("PERMISSION DENIED (root:dialout 0660). Fix: add the kiosk user"));
        assert!(text.contains("Fix: install a udev rule"), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        assert!(text
            .contains("receipt printer: Epson TM-T88 family / TM-T70; use device = \"04b8:0202\""));
        assert!(text.contains("(1 other USB devices hidden"), "{text}");
        assert!(
            text.contains("2 device(s) present but NOT ACCESSIBLE"),
            "{text}"
        );
        assert!(render(&listing, true).contains("1d6b:0003"));
    }

    #[test]
    fn many_builtin_uarts_are_summarised_on_one_line() {
        let ports = (0..32)
            .map(|i| {
                serial(
                    &format!("/dev/ttyS{i}"),
                    SerialAttachment::Builtin,
                    Access::Ok,
                )
            })
            .collect();
        let listing = DeviceListing {
            serial: ports,
            serial_error: None,
            usb: UsbListing::Devices(vec![]),
        };
        let text = render(&listing, false);
        assert!(
            text.contains("/dev/ttyS0 … /dev/ttyS31  32 built-in UARTs"),
            "{text}"
        );
        assert!(text.contains("no kiosk devices"), "{text}");
        assert_eq!(
            render(&listing, true)
                .matches("built-in UART  accessible")
                .count(),
            32
        );
    }
}
