//! Device selectors: how a configuration names the device to open.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Which device to open: a serial port, a USB device, or the built-in simulator.
///
/// ```
/// use kiosk_config::DeviceSelector;
///
/// let usb: DeviceSelector = "0483:5720".parse().unwrap();
/// assert_eq!(usb, DeviceSelector::Usb { vid: 0x0483, pid: 0x5720, serial: None });
///
/// let with_serial: DeviceSelector = "0483:5720:A1B2".parse().unwrap();
/// assert_eq!(with_serial.to_string(), "0483:5720:A1B2");
///
/// let tty: DeviceSelector = "/dev/ttyUSB0".parse().unwrap();
/// assert_eq!(tty, DeviceSelector::Serial("/dev/ttyUSB0".into()));
///
/// assert_eq!("sim".parse::<DeviceSelector>().unwrap(), DeviceSelector::Sim);
/// assert!("printer".parse::<DeviceSelector>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DeviceSelector {
    /// A serial port (RS-232, USB-serial or USB-CDC), by path.
    Serial(PathBuf),
    /// A USB device by vendor and product id, and optionally its serial number.
    Usb {
        /// USB vendor id.
        vid: u16,
        /// USB product id.
        pid: u16,
        /// The device's serial-number string, to tell two identical devices apart.
        serial: Option<String>,
    },
    /// The built-in simulator (the demo and training mode).
    Sim,
    /// Not fitted on this kiosk.
    None,
}

/// Why a selector could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a device selector: {reason}; use a serial path (/dev/ttyUSB0), a USB id (VID:PID or VID:PID:SERIAL in hex, e.g. 0483:5720), \"sim\" or \"none\"")]
pub struct SelectorError {
    input: String,
    reason: &'static str,
}

impl FromStr for DeviceSelector {
    type Err = SelectorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |reason| SelectorError {
            input: s.to_owned(),
            reason,
        };
        let s_trim = s.trim();
        match s_trim {
            "" => return Err(err("it is empty")),
            "sim" => return Ok(DeviceSelector::Sim),
            "none" => return Ok(DeviceSelector::None),
            _ => {}
        }
        if s_trim.starts_with('/') {
            return Ok(DeviceSelector::Serial(PathBuf::from(s_trim)));
        }
        let mut parts = s_trim.splitn(3, ':');
        let (Some(vid), Some(pid)) = (parts.next(), parts.next()) else {
            return Err(err("it is neither a path, a USB id nor a keyword"));
        };
        let hex16 = |p: &str| {
            (p.len() == 4)
                .then(|| u16::from_str_radix(p, 16).ok())
                .flatten()
        };
        let (Some(vid), Some(pid)) = (hex16(vid), hex16(pid)) else {
            return Err(err("VID and PID must be four hex digits each"));
        };
        let serial = match parts.next() {
            None => None,
            Some("") => return Err(err("the serial after the second colon is empty")),
            Some(serial) => Some(serial.to_owned()),
        };
        Ok(DeviceSelector::Usb { vid, pid, serial })
    }
}

impl fmt::Display for DeviceSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceSelector::Serial(path) => write!(f, "{}", path.display()),
            DeviceSelector::Usb { vid, pid, serial } => {
                write!(f, "{vid:04x}:{pid:04x}")?;
                if let Some(serial) = serial {
                    write!(f, ":{serial}")?;
                }
                Ok(())
            }
            DeviceSelector::Sim => f.write_str("sim"),
            DeviceSelector::None => f.write_str("none"),
        }
    }
}

impl Serialize for DeviceSelector {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DeviceSelector {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usb_ids_are_case_insensitive_hex_and_print_lowercase() {
        let sel: DeviceSelector = "0FE6:811E".parse().unwrap();
        assert_eq!(sel.to_string(), "0fe6:811e");
    }

    #[test]
    fn malformed_selectors_say_what_is_wrong() {
        for (input, reason) in [
            ("", "empty"),
            ("483:5720", "four hex digits"),
            ("0483:57zz", "four hex digits"),
            ("0483:5720:", "serial"),
            ("ttyUSB0", "neither a path"),
        ] {
            let err = input.parse::<DeviceSelector>().unwrap_err().to_string();
            assert!(err.contains(reason), "{input:?}: {err}");
        }
    }

    #[test]
    fn selectors_round_trip_through_text() {
        for text in [
            "/dev/ttyACM0",
            "0416:5011",
            "0416:5011:SN-01",
            "sim",
            "none",
        ] {
            let sel: DeviceSelector = text.parse().unwrap();
            assert_eq!(sel.to_string(), text);
        }
    }
}
