//! Pure USB descriptor parsing for scanners: which interface of a configuration is a HID
//! interface with an interrupt IN endpoint, and whether its report descriptor says HID POS
//! barcode scanner (usage page 0x8C) or keyboard. Raw bytes in, so it is tested against
//! recorded descriptors; the rusb path only fetches the bytes.

/// A HID interface with an interrupt IN endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HidInterface {
    /// bInterfaceNumber.
    pub number: u8,
    /// bInterfaceSubClass (1 = boot interface).
    pub subclass: u8,
    /// bInterfaceProtocol (1 = keyboard, 2 = mouse, with subclass 1).
    pub protocol: u8,
    /// The interrupt IN endpoint address (bit 7 set).
    pub endpoint_in: u8,
    /// wMaxPacketSize of that endpoint.
    pub max_packet: u16,
}

impl HidInterface {
    /// Whether the interface declares itself a boot keyboard.
    pub fn is_boot_keyboard(&self) -> bool {
        self.subclass == 1 && self.protocol == 1
    }
}

const DESC_INTERFACE: u8 = 0x04;
const DESC_ENDPOINT: u8 = 0x05;
const CLASS_HID: u8 = 0x03;

/// Finds the HID interfaces (alternate setting 0) with an interrupt IN endpoint in a raw
/// configuration descriptor (as returned by GET_DESCRIPTOR(CONFIGURATION)). Malformed
/// descriptors end the walk; what was found before is kept.
pub fn hid_interfaces(config: &[u8]) -> Vec<HidInterface> {
    let mut found = Vec::new();
    let mut current: Option<HidInterface> = None;
    let mut pos = 0;
    while pos + 2 <= config.len() {
        let len = usize::from(config[pos]);
        if len < 2 || pos + len > config.len() {
            break;
        }
        let desc = &config[pos..pos + len];
        match desc[1] {
            DESC_INTERFACE if len >= 9 => {
                current = (desc[3] == 0 && desc[5] == CLASS_HID).then_some(HidInterface {
                    number: desc[2],
                    subclass: desc[6],
                    protocol: desc[7],
                    endpoint_in: 0,
                    max_packet: 0,
                });
            }
            DESC_ENDPOINT if len >= 7 => {
                let (address, attributes) = (desc[2], desc[3]);
                if let Some(mut iface) = current {
                    if address & 0x80 != 0 && attributes & 0x03 == 0x03 {
                        iface.endpoint_in = address;
                        iface.max_packet = u16::from_le_bytes([desc[4], desc[5]]) & 0x7ff;
                        found.push(iface);
                        current = None;
                    }
                }
            }
            _ => {}
        }
        pos += len;
    }
    found
}

/// What a HID report descriptor describes, as far as a scanner goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// A HID POS barcode scanner (usage page 0x8C).
    HidPos,
    /// A keyboard (generic desktop page, usage 6): a keyboard-wedge scanner.
    Keyboard,
}

/// Reads the top-level application collections of a report descriptor: HID POS wins over
/// keyboard when a scanner offers both. `None` when neither is there or the bytes are bad.
pub fn report_kind(descriptor: &[u8]) -> Option<ReportKind> {
    let mut usage_page: u32 = 0;
    let mut usage: u32 = 0;
    let mut depth = 0u32;
    let mut kind = None;
    let mut pos = 0;
    while pos < descriptor.len() {
        let prefix = descriptor[pos];
        if prefix == 0xFE {
            // Long item: size in the next byte; none are used by scanners, skip it.
            let size = usize::from(*descriptor.get(pos + 1)?);
            pos += 3 + size;
            continue;
        }
        let size = match prefix & 0x03 {
            3 => 4,
            n => usize::from(n),
        };
        let data = descriptor.get(pos + 1..pos + 1 + size)?;
        let value = data
            .iter()
            .rev()
            .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
        match prefix & 0xFC {
            0x04 => usage_page = value, // global: usage page
            0x08 => {
                // local: usage; a 4-byte usage carries its own page in the high half
                usage = value;
                if size == 4 {
                    usage_page = value >> 16;
                    usage = value & 0xFFFF;
                }
            }
            0xA0 => {
                // main: collection; 1 = application
                if depth == 0 && value == 1 {
                    match (usage_page, usage) {
                        (0x8C, _) => return Some(ReportKind::HidPos),
                        (0x01, 0x06) => kind = kind.or(Some(ReportKind::Keyboard)),
                        _ => {}
                    }
                }
                depth += 1;
            }
            0xC0 => depth = depth.saturating_sub(1), // end collection
            _ => {}
        }
        pos += 1 + size;
    }
    kind
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A keyboard-wedge scanner: one boot-keyboard interface, EP 0x81, 8-byte packets.
    const WEDGE_CONFIG: [u8; 34] = [
        0x09, 0x02, 0x22, 0x00, 0x01, 0x01, 0x00, 0x80, 0x32, // configuration
        0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x01, 0x00, // interface 0: HID boot kbd
        0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3F, 0x00, // HID descriptor
        0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x0A, // endpoint 0x81 interrupt, 8 bytes
    ];

    /// A HID POS scanner that also offers a vendor bulk interface first.
    const POS_CONFIG: [u8; 57] = [
        0x09, 0x02, 0x39, 0x00, 0x02, 0x01, 0x00, 0x80, 0x32, // configuration
        0x09, 0x04, 0x00, 0x00, 0x02, 0xFF, 0x00, 0x00, 0x00, // interface 0: vendor
        0x07, 0x05, 0x82, 0x02, 0x40, 0x00, 0x00, // bulk IN
        0x07, 0x05, 0x02, 0x02, 0x40, 0x00, 0x00, // bulk OUT
        0x09, 0x04, 0x01, 0x00, 0x01, 0x03, 0x00, 0x00, 0x00, // interface 1: HID
        0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x80, 0x00, // HID descriptor
        0x07, 0x05, 0x83, 0x03, 0x40, 0x00, 0x01, // interrupt IN 0x83, 64 bytes
    ];

    #[test]
    fn a_boot_keyboard_interface_is_found_with_its_endpoint() {
        let found = hid_interfaces(&WEDGE_CONFIG);
        assert_eq!(
            found,
            vec![HidInterface {
                number: 0,
                subclass: 1,
                protocol: 1,
                endpoint_in: 0x81,
                max_packet: 8
            }]
        );
        assert!(found[0].is_boot_keyboard());
    }

    #[test]
    fn vendor_interfaces_and_bulk_endpoints_are_skipped() {
        let found = hid_interfaces(&POS_CONFIG);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].number, found[0].endpoint_in, found[0].max_packet),
            (1, 0x83, 64)
        );
        assert!(!found[0].is_boot_keyboard());
    }

    #[test]
    fn truncated_or_garbage_config_descriptors_do_not_panic() {
        assert!(hid_interfaces(&WEDGE_CONFIG[..20]).is_empty());
        assert!(hid_interfaces(&[0x00, 0x04, 0xff]).is_empty());
        assert!(hid_interfaces(&[]).is_empty());
    }

    #[test]
    fn a_hid_pos_report_descriptor_is_recognised() {
        let desc = [
            0x05, 0x8C, // usage page (bar code scanner)
            0x09, 0x02, // usage (bar code scanner)
            0xA1, 0x01, // collection (application)
            0x09, 0x12, //   usage (scanned data report)
            0xA1, 0x02, //   collection (logical)
            0x85, 0x02, //     report id 2
            0x15, 0x00, 0x26, 0xFF, 0x00, 0x75, 0x08, 0x95, 0x3F, 0x81, 0x02, // input
            0xC0, 0xC0,
        ];
        assert_eq!(report_kind(&desc), Some(ReportKind::HidPos));
    }

    #[test]
    fn a_keyboard_report_descriptor_is_recognised() {
        let desc = [
            0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, // generic desktop / keyboard / application
            0x05, 0x07, 0x19, 0xE0, 0x29, 0xE7, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x08,
            0x81, 0x02, 0xC0,
        ];
        assert_eq!(report_kind(&desc), Some(ReportKind::Keyboard));
    }

    #[test]
    fn a_device_offering_keyboard_and_hid_pos_is_read_as_hid_pos() {
        let desc = [
            0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0xC0, // keyboard
            0x06, 0x8C, 0x00, 0x09, 0x02, 0xA1, 0x01, 0xC0, // 2-byte usage page 0x008C
        ];
        assert_eq!(report_kind(&desc), Some(ReportKind::HidPos));
    }

    #[test]
    fn mice_and_truncated_descriptors_are_not_scanners() {
        let mouse = [0x05, 0x01, 0x09, 0x02, 0xA1, 0x01, 0xC0];
        assert_eq!(report_kind(&mouse), None);
        assert_eq!(report_kind(&[0x05]), None);
        assert_eq!(report_kind(&[0x07, 0x8C]), None);
    }
}
