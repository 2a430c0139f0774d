//! Transports that carry ESC/POS bytes to a printer and status bytes back: serial ports
//! (RS-232, USB-serial, pseudo-terminals) and USB bulk pipes through libusb.

pub mod serial;
pub mod usb;
pub mod usb_rusb;

use std::time::Duration;

use super::error::PrinterError;

/// A byte pipe to a printer. Writes complete fully or fail; reads time out with `Ok(0)`.
pub trait PrinterTransport: Send {
    /// Writes all of `data`, or fails once `timeout` passes without progress.
    fn write_all(&mut self, data: &[u8], timeout: Duration) -> Result<(), PrinterError>;

    /// Reads what is available, waiting at most `timeout`; `Ok(0)` means nothing came.
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, PrinterError>;

    /// Whether the printer can answer at all (a unidirectional USB printer cannot).
    fn can_read(&self) -> bool {
        true
    }

    /// USB printer-class `GET_PORT_STATUS`, where the transport has it.
    fn port_status(&mut self) -> Option<Result<u8, PrinterError>> {
        None
    }

    /// How it is connected, for the device identity (`/dev/ttyUSB0 @115200`, `usb 6868:0500`).
    fn describe(&self) -> String;
}

impl<T: PrinterTransport + ?Sized> PrinterTransport for Box<T> {
    fn write_all(&mut self, data: &[u8], timeout: Duration) -> Result<(), PrinterError> {
        (**self).write_all(data, timeout)
    }
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, PrinterError> {
        (**self).read(buf, timeout)
    }
    fn can_read(&self) -> bool {
        (**self).can_read()
    }
    fn port_status(&mut self) -> Option<Result<u8, PrinterError>> {
        (**self).port_status()
    }
    fn describe(&self) -> String {
        (**self).describe()
    }
}
