//! The real USB path through `rusb` (libusb), kept thin: list devices into the descriptor
//! model, open one, detach usblp, claim, and do bulk and control transfers. Everything with
//! logic in it (endpoint choice, short writes, chunking) lives in [`super::usb`] and is tested
//! there against recorded descriptors; this file cannot run without a USB bus.

use std::time::Duration;

use rusb::UsbContext;

use super::usb::{
    choose_endpoints, matches, EndpointInfo, InterfaceInfo, TransferType, UsbDeviceInfo,
    UsbPrinterIo, UsbTransport,
};
use crate::printer::error::PrinterError;

fn usb_err(context: &'static str, e: rusb::Error) -> PrinterError {
    match e {
        rusb::Error::Timeout => PrinterError::Timeout(Duration::ZERO, context),
        rusb::Error::Access => PrinterError::UsbPermission(context.to_owned()),
        rusb::Error::NoDevice | rusb::Error::NotFound => PrinterError::Usb {
            context,
            message: e.to_string(),
            gone: true,
        },
        other => PrinterError::Usb {
            context,
            message: other.to_string(),
            gone: false,
        },
    }
}

fn device_info<T: UsbContext>(dev: &rusb::Device<T>) -> Option<UsbDeviceInfo> {
    let dd = dev.device_descriptor().ok()?;
    let cfg = dev
        .active_config_descriptor()
        .or_else(|_| dev.config_descriptor(0))
        .ok()?;
    let mut interfaces = Vec::new();
    for iface in cfg.interfaces() {
        for alt in iface.descriptors() {
            let endpoints = alt
                .endpoint_descriptors()
                .map(|e| EndpointInfo {
                    address: e.address(),
                    transfer: match e.transfer_type() {
                        rusb::TransferType::Control => TransferType::Control,
                        rusb::TransferType::Isochronous => TransferType::Isochronous,
                        rusb::TransferType::Bulk => TransferType::Bulk,
                        rusb::TransferType::Interrupt => TransferType::Interrupt,
                    },
                    max_packet: e.max_packet_size(),
                })
                .collect();
            interfaces.push(InterfaceInfo {
                number: alt.interface_number(),
                alt: alt.setting_number(),
                class: alt.class_code(),
                subclass: alt.sub_class_code(),
                protocol: alt.protocol_code(),
                endpoints,
            });
        }
    }
    Some(UsbDeviceInfo {
        vid: dd.vendor_id(),
        pid: dd.product_id(),
        device_class: dd.class_code(),
        location: format!("bus {} address {}", dev.bus_number(), dev.address()),
        interfaces,
    })
}

/// Lists USB devices that look like receipt printers.
pub fn list_printers() -> Result<Vec<UsbDeviceInfo>, PrinterError> {
    let ctx = rusb::Context::new().map_err(|e| usb_err("initialising libusb", e))?;
    let devices = ctx
        .devices()
        .map_err(|e| usb_err("listing USB devices", e))?;
    Ok(devices
        .iter()
        .filter_map(|d| device_info(&d))
        .filter(|d| matches(d, None))
        .collect())
}

/// An open, claimed USB printer.
pub struct RusbPrinterIo {
    handle: rusb::DeviceHandle<rusb::Context>,
}

impl std::fmt::Debug for RusbPrinterIo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RusbPrinterIo")
    }
}

impl UsbPrinterIo for RusbPrinterIo {
    fn write_bulk(
        &mut self,
        endpoint: u8,
        data: &[u8],
        timeout: Duration,
    ) -> Result<usize, PrinterError> {
        self.handle
            .write_bulk(endpoint, data, timeout)
            .map_err(|e| usb_err("writing to the USB printer", e))
    }

    fn read_bulk(
        &mut self,
        endpoint: u8,
        buf: &mut [u8],
        timeout: Duration,
    ) -> Result<usize, PrinterError> {
        match self.handle.read_bulk(endpoint, buf, timeout) {
            Err(rusb::Error::Timeout) => Ok(0),
            other => other.map_err(|e| usb_err("reading from the USB printer", e)),
        }
    }

    fn get_port_status(&mut self, interface: u8, timeout: Duration) -> Result<u8, PrinterError> {
        let mut b = [0u8; 1];
        let n = self
            .handle
            .read_control(0xA1, 0x01, 0, u16::from(interface), &mut b, timeout)
            .map_err(|e| usb_err("reading USB port status", e))?;
        if n == 1 {
            Ok(b[0])
        } else {
            Err(PrinterError::Protocol {
                context: "reading USB port status",
                detail: "empty answer".into(),
            })
        }
    }
}

/// Opens the printer with the given VID:PID (or the first printer found), detaching usblp.
pub fn open(want: Option<(u16, u16)>) -> Result<UsbTransport<RusbPrinterIo>, PrinterError> {
    let ctx = rusb::Context::new().map_err(|e| usb_err("initialising libusb", e))?;
    let devices = ctx
        .devices()
        .map_err(|e| usb_err("listing USB devices", e))?;
    for dev in devices.iter() {
        let Some(info) = device_info(&dev) else {
            continue;
        };
        if !matches(&info, want) {
            continue;
        }
        let Some(ep) = choose_endpoints(&info, want.is_some()) else {
            continue;
        };
        let label = format!("usb {:04x}:{:04x} ({})", info.vid, info.pid, info.location);
        let handle = dev.open().map_err(|e| match e {
            rusb::Error::Access => PrinterError::UsbPermission(label.clone()),
            other => usb_err("opening the USB printer", other),
        })?;
        // Not supported on every platform; then detach by hand.
        if handle.set_auto_detach_kernel_driver(true).is_err()
            && handle.kernel_driver_active(ep.interface).unwrap_or(false)
        {
            handle
                .detach_kernel_driver(ep.interface)
                .map_err(|e| usb_err("detaching usblp", e))?;
        }
        handle
            .claim_interface(ep.interface)
            .map_err(|e| usb_err("claiming the printer interface", e))?;
        if ep.alt != 0 {
            handle
                .set_alternate_setting(ep.interface, ep.alt)
                .map_err(|e| usb_err("selecting the alternate setting", e))?;
        }
        return Ok(UsbTransport::new(RusbPrinterIo { handle }, ep, label));
    }
    let what = want
        .map(|(v, p)| format!(" with id {v:04x}:{p:04x}"))
        .unwrap_or_default();
    Err(PrinterError::UsbNotFound(what))
}
