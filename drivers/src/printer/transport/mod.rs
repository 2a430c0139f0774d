//! Transports that carry ESC/POS bytes to a printer and status bytes back: serial ports
//! (RS-232, USB-serial, pseudo-terminals) and USB bulk pipes through libusb.

pub mod serial;
pub mod usb;
pub mod usb_rusb;

use super::error::PrinterError;
pub use crate::link::Link;

/// A byte pipe to a printer: the drivers' one [`Link`] (writes complete fully or fail; reads
/// time out with `Ok(0)`), plus what only printers have.
pub trait PrinterTransport: Link<Error = PrinterError> {
    /// Whether the printer can answer at all (a unidirectional USB printer cannot).
    fn can_read(&self) -> bool {
        true
    }

    /// USB printer-class `GET_PORT_STATUS`, where the transport has it.
    fn port_status(&mut self) -> Option<Result<u8, PrinterError>> {
        None
    }
}

impl<T: PrinterTransport + ?Sized> PrinterTransport for Box<T> {
    fn can_read(&self) -> bool {
        (**self).can_read()
    }
    fn port_status(&mut self) -> Option<Result<u8, PrinterError>> {
        (**self).port_status()
    }
}
