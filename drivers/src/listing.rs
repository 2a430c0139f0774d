//! What is plugged in: serial ports (via `serialport`, from sysfs) and USB devices (via
//! `rusb`), each named from the VID:PID table and marked when this user may not open it,
//! so a missing udev rule or group shows up as a fix to apply, not as a missing device.
//!
//! Nothing is opened: access is checked with `access(2)`, so listing never resets a device
//! or disturbs the kiosk service that holds it.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serialport::SerialPortType;

use crate::usb_ids::{lookup, KnownDevice};

/// Whether this user may open a device node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "access")]
pub enum Access {
    /// Read and write allowed.
    Ok,
    /// Present but not accessible: the fix says what to change.
    PermissionDenied {
        /// The device node's owner and mode, `root:dialout 0660`.
        node: String,
        /// What to do about it, for a technician.
        fix: String,
    },
    /// The check itself failed (the node vanished, or no node for this device).
    Unknown {
        /// What went wrong.
        reason: String,
    },
}

/// How a serial port is attached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum SerialAttachment {
    /// Behind USB (CDC-ACM or a USB-serial bridge).
    Usb {
        /// USB vendor id.
        vid: u16,
        /// USB product id.
        pid: u16,
        /// The USB serial-number string, if any.
        serial: Option<String>,
        /// Manufacturer string.
        manufacturer: Option<String>,
        /// Product string.
        product: Option<String>,
    },
    /// A PCI serial card.
    Pci,
    /// Bluetooth RFCOMM.
    Bluetooth,
    /// A built-in UART (`/dev/ttyS*`, `/dev/ttyAMA*`): may or may not have a connector.
    Builtin,
}

/// One serial port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SerialEntry {
    /// `/dev/ttyUSB0`.
    pub path: PathBuf,
    /// How it is attached.
    pub attachment: SerialAttachment,
    /// The table's name for it, when behind a known USB id.
    pub known: Option<&'static KnownDevice>,
    /// Whether this user may open it.
    pub access: Access,
}

/// One USB device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsbEntry {
    /// Bus number.
    pub bus: u8,
    /// Address on the bus.
    pub address: u8,
    /// Vendor id.
    pub vid: u16,
    /// Product id.
    pub pid: u16,
    /// Interface classes (7 printer, 3 HID, 2/10 CDC, 255 vendor), from the descriptors.
    pub interface_classes: Vec<u8>,
    /// Manufacturer string, from sysfs.
    pub manufacturer: Option<String>,
    /// Product string, from sysfs.
    pub product: Option<String>,
    /// The table's name for it.
    pub known: Option<&'static KnownDevice>,
    /// Whether this user may open it.
    pub access: Access,
}

/// The USB side of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum UsbListing {
    /// The devices found (possibly none).
    Devices(Vec<UsbEntry>),
    /// This machine has no USB bus at all (a VM or container without USB passthrough).
    NoBus(String),
    /// libusb failed; the text says how.
    Failed(String),
}

/// Everything `kioskctl devices` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceListing {
    /// Serial ports found.
    pub serial: Vec<SerialEntry>,
    /// Why serial ports could not be listed, if they could not.
    pub serial_error: Option<String>,
    /// USB devices.
    pub usb: UsbListing,
}

/// Lists serial ports and USB devices.
pub fn list_devices() -> DeviceListing {
    let (serial, serial_error) = match list_serial() {
        Ok(ports) => (ports, None),
        Err(why) => (Vec::new(), Some(why)),
    };
    DeviceListing {
        serial,
        serial_error,
        usb: list_usb(),
    }
}

/// Lists serial ports from sysfs. Built-in UARTs are kept: an RS-232 reader may be on one.
pub fn list_serial() -> Result<Vec<SerialEntry>, String> {
    if !Path::new("/sys/class/tty").is_dir() {
        return Err("/sys/class/tty is missing (sysfs not mounted?): cannot list ports".into());
    }
    let ports = serialport::available_ports().map_err(|e| e.to_string())?;
    let mut entries: Vec<SerialEntry> = ports
        .into_iter()
        .map(|p| {
            let path = PathBuf::from(&p.port_name);
            let attachment = match p.port_type {
                SerialPortType::UsbPort(u) => SerialAttachment::Usb {
                    vid: u.vid,
                    pid: u.pid,
                    serial: u.serial_number,
                    manufacturer: u.manufacturer,
                    product: u.product,
                },
                SerialPortType::PciPort => SerialAttachment::Pci,
                SerialPortType::BluetoothPort => SerialAttachment::Bluetooth,
                SerialPortType::Unknown => SerialAttachment::Builtin,
            };
            let known = match &attachment {
                SerialAttachment::Usb { vid, pid, .. } => lookup(*vid, *pid),
                _ => None,
            };
            let access = check_access(&path, &serial_fix(&path));
            SerialEntry {
                path,
                attachment,
                known,
                access,
            }
        })
        .collect();
    entries.sort_by_key(|e| natural_key(&e.path));
    Ok(entries)
}

/// Sorts `/dev/ttyS10` after `/dev/ttyS9`.
fn natural_key(path: &Path) -> (String, u64) {
    let text = path.to_string_lossy();
    let digits = text.len() - text.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, num) = text.split_at(text.len() - digits);
    (stem.to_owned(), num.parse().unwrap_or(0))
}

/// The udev rule that would give a device to a group, and that group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdevFix {
    /// The rule, as it would stand in a rules file.
    pub rule: String,
    /// The group it grants access to.
    pub group: &'static str,
}

fn serial_fix(path: &Path) -> UdevFix {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    UdevFix {
        rule: format!("KERNEL==\"{name}\", GROUP=\"dialout\", MODE=\"0660\""),
        group: "dialout",
    }
}

fn usb_fix(vid: u16, pid: u16) -> UdevFix {
    UdevFix {
        rule: format!(
            "SUBSYSTEM==\"usb\", ATTR{{idVendor}}==\"{vid:04x}\", \
             ATTR{{idProduct}}==\"{pid:04x}\", GROUP=\"plugdev\", MODE=\"0660\""
        ),
        group: "plugdev",
    }
}

/// Who owns a device node and with which mode.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NodeOwner {
    user: String,
    group: String,
    mode: u32,
}

/// Checks read/write access to a device node without opening it.
pub fn check_access(node: &Path, fix: &UdevFix) -> Access {
    use nix::unistd::{access, AccessFlags};
    access_from(
        access(node, AccessFlags::R_OK | AccessFlags::W_OK),
        node,
        fix,
    )
}

fn access_from(result: nix::Result<()>, node: &Path, fix: &UdevFix) -> Access {
    match result {
        Ok(()) => Access::Ok,
        Err(nix::errno::Errno::EACCES | nix::errno::Errno::EPERM) => {
            let owner = node_owner(node);
            let me = nix::unistd::User::from_uid(nix::unistd::getuid())
                .ok()
                .flatten()
                .map_or_else(|| "the kiosk user".to_owned(), |u| u.name);
            Access::PermissionDenied {
                node: owner.as_ref().map_or_else(
                    || "owner unknown".to_owned(),
                    |o| format!("{}:{} {:04o}", o.user, o.group, o.mode),
                ),
                fix: fix_text(owner.as_ref(), &me, fix),
            }
        }
        Err(e) => Access::Unknown {
            reason: format!("{}: {}", node.display(), e.desc()),
        },
    }
}

/// What to do: join the node's group when that group may read and write it; otherwise a
/// udev rule must hand the node to a group first.
fn fix_text(owner: Option<&NodeOwner>, me: &str, fix: &UdevFix) -> String {
    match owner {
        Some(o) if o.mode & 0o060 == 0o060 && o.group != "root" => format!(
            "add {me} to group {group}: `usermod -aG {group} {me}`, then log in again (or \
             restart the kiosk service)",
            group = o.group
        ),
        _ => format!(
            "only {owner} may open it: install a udev rule such as {rule} (image-build/udev \
             has the kiosk's rules), add {me} to {group} (`usermod -aG {group} {me}`), then \
             replug the device or run `udevadm trigger`",
            owner = owner.map_or("root", |o| o.user.as_str()),
            rule = fix.rule,
            group = fix.group
        ),
    }
}

fn node_owner(node: &Path) -> Option<NodeOwner> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(node).ok()?;
    let user = nix::unistd::User::from_uid(meta.uid().into())
        .ok()
        .flatten()
        .map_or_else(|| meta.uid().to_string(), |u| u.name);
    let group = nix::unistd::Group::from_gid(meta.gid().into())
        .ok()
        .flatten()
        .map_or_else(|| meta.gid().to_string(), |g| g.name);
    Some(NodeOwner {
        user,
        group,
        mode: meta.mode() & 0o7777,
    })
}

/// Lists USB devices with libusb; says plainly when the machine has no USB bus.
pub fn list_usb() -> UsbListing {
    if !Path::new("/sys/bus/usb").exists() && !Path::new("/dev/bus/usb").exists() {
        return UsbListing::NoBus(
            "/sys/bus/usb and /dev/bus/usb are missing (usual in a virtual machine or a \
             container without USB passthrough)"
                .into(),
        );
    }
    use rusb::UsbContext;
    let context = match rusb::Context::new() {
        Ok(c) => c,
        Err(e) => return UsbListing::Failed(format!("libusb could not start: {e}")),
    };
    let devices = match context.devices() {
        Ok(d) => d,
        Err(e) => return UsbListing::Failed(format!("libusb could not list devices: {e}")),
    };
    let mut entries = Vec::new();
    for device in devices.iter() {
        let Ok(desc) = device.device_descriptor() else {
            continue;
        };
        let (bus, address) = (device.bus_number(), device.address());
        let (vid, pid) = (desc.vendor_id(), desc.product_id());
        if desc.class_code() == 0x09 {
            continue; // hubs: never a kiosk device
        }
        let mut interface_classes: Vec<u8> = device
            .active_config_descriptor()
            .map(|c| {
                c.interfaces()
                    .flat_map(|i| i.descriptors().map(|d| d.class_code()).collect::<Vec<_>>())
                    .collect()
            })
            .unwrap_or_default();
        interface_classes.sort_unstable();
        interface_classes.dedup();
        let (manufacturer, product) = sysfs_strings(bus, address);
        let node = PathBuf::from(format!("/dev/bus/usb/{bus:03}/{address:03}"));
        entries.push(UsbEntry {
            bus,
            address,
            vid,
            pid,
            interface_classes,
            manufacturer,
            product,
            known: lookup(vid, pid),
            access: check_access(&node, &usb_fix(vid, pid)),
        });
    }
    UsbListing::Devices(entries)
}

/// Manufacturer and product strings from sysfs (readable without opening the device).
fn sysfs_strings(bus: u8, address: u8) -> (Option<String>, Option<String>) {
    let read = |dir: &Path, file: &str| {
        std::fs::read_to_string(dir.join(file))
            .ok()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let Ok(dirs) = std::fs::read_dir("/sys/bus/usb/devices") else {
        return (None, None);
    };
    for dir in dirs.flatten().map(|d| d.path()) {
        let num = |f| read(&dir, f).and_then(|s| s.parse::<u8>().ok());
        if num("busnum") == Some(bus) && num("devnum") == Some(address) {
            return (read(&dir, "manufacturer"), read(&dir, "product"));
        }
    }
    (None, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accessible_node_is_ok() {
        let fix = serial_fix(Path::new("/dev/null"));
        assert_eq!(check_access(Path::new("/dev/null"), &fix), Access::Ok);
    }

    #[test]
    fn a_missing_node_is_unknown_and_named() {
        let fix = serial_fix(Path::new("/dev/ttyNOPE7"));
        match check_access(Path::new("/dev/ttyNOPE7"), &fix) {
            Access::Unknown { reason } => assert!(reason.contains("/dev/ttyNOPE7"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_group_writable_node_asks_to_join_the_group() {
        let owner = NodeOwner {
            user: "root".into(),
            group: "dialout".into(),
            mode: 0o660,
        };
        let text = fix_text(
            Some(&owner),
            "kiosk",
            &serial_fix(Path::new("/dev/ttyUSB0")),
        );
        assert!(text.contains("`usermod -aG dialout kiosk`"), "{text}");
        assert!(!text.contains("udev"), "{text}");
    }

    #[test]
    fn a_root_only_node_asks_for_a_udev_rule_first() {
        let owner = NodeOwner {
            user: "root".into(),
            group: "root".into(),
            mode: 0o664,
        };
        let text = fix_text(Some(&owner), "kiosk", &usb_fix(0x0c2e, 0x0b81));
        assert!(text.starts_with("only root may open it"), "{text}");
        assert!(
            text.contains("ATTR{idVendor}==\"0c2e\", ATTR{idProduct}==\"0b81\""),
            "{text}"
        );
        assert!(text.contains("`usermod -aG plugdev kiosk`"), "{text}");
        let serial = fix_text(None, "kiosk", &serial_fix(Path::new("/dev/ttyS3")));
        assert!(
            serial.contains("KERNEL==\"ttyS3\", GROUP=\"dialout\""),
            "{serial}"
        );
    }

    #[test]
    fn a_denied_node_shows_its_owner() {
        let fix = serial_fix(Path::new("/dev/null"));
        let got = access_from(Err(nix::errno::Errno::EACCES), Path::new("/dev/null"), &fix);
        let Access::PermissionDenied { node, .. } = got else {
            panic!("{got:?}");
        };
        assert_eq!(node, "root:root 0666");
    }

    #[test]
    fn ports_sort_by_number_not_by_text() {
        let mut paths = ["/dev/ttyS10", "/dev/ttyS9", "/dev/ttyACM0", "/dev/ttyS1"]
            .map(PathBuf::from)
            .to_vec();
        paths.sort_by_key(|p| natural_key(p));
        let got: Vec<_> = paths
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            got,
            ["/dev/ttyACM0", "/dev/ttyS1", "/dev/ttyS9", "/dev/ttyS10"]
        );
    }

    #[test]
    fn a_machine_without_usb_is_reported_as_such() {
        let listing = list_devices();
        let no_bus = !Path::new("/sys/bus/usb").exists() && !Path::new("/dev/bus/usb").exists();
        assert_eq!(
            no_bus,
            matches!(listing.usb, UsbListing::NoBus(_)),
            "{:?}",
            listing.usb
        );
        assert_eq!(listing.serial_error, None);
    }
}
