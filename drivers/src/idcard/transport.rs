//! The byte pipe under the driver: a small trait so the command sequencing can run on any
//! link, and its serial-port implementation (USB-serial and USB-CDC readers are ttys too).

use std::io::{Read as _, Write as _};
use std::time::Duration;

use serialport::{ClearBuffer, SerialPort};

use super::error::IdCardError;
pub use crate::link::Link;

/// A link to a reader: the drivers' one [`Link`] (every read and write bounded by a
/// timeout), plus the line rate, which only the reader's baud detection changes.
pub trait Transport: Link<Error = IdCardError> {
    /// Changes the line rate.
    fn set_baud(&mut self, baud: u32) -> Result<(), IdCardError>;
}

/// Opens a [`Transport`]; the runner calls it again after an unplug.
pub trait Connector: Send + 'static {
    /// The link it opens.
    type Link: Transport;
    /// Opens the link at `baud`.
    fn open(&mut self, baud: u32) -> Result<Self::Link, IdCardError>;
    /// How the device is connected, for `DeviceIdentity.connection`.
    fn describe(&self) -> String;
}

/// A reader on a serial port.
#[derive(Debug)]
pub struct SerialTransport {
    port: Box<dyn SerialPort>,
    path: String,
}

impl SerialTransport {
    /// Opens `path` 8N1 at `baud`.
    pub fn open(path: &str, baud: u32) -> Result<SerialTransport, IdCardError> {
        let port = serialport::new(path, baud)
            .timeout(Duration::from_millis(100))
            .open()
            .map_err(|source| IdCardError::Open {
                port: path.to_owned(),
                source,
            })?;
        Ok(SerialTransport {
            port,
            path: path.to_owned(),
        })
    }

    fn lost(&self, source: std::io::Error) -> IdCardError {
        IdCardError::Disconnected {
            port: self.path.clone(),
            source,
        }
    }
}

impl Link for SerialTransport {
    type Error = IdCardError;

    fn write_all(&mut self, bytes: &[u8], timeout: Duration) -> Result<(), IdCardError> {
        self.port
            .set_timeout(timeout.max(Duration::from_millis(1)))
            .map_err(|e| self.lost(e.into()))?;
        self.port.write_all(bytes).map_err(|e| self.lost(e))?;
        self.port.flush().map_err(|e| self.lost(e))
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, IdCardError> {
        self.port
            .set_timeout(timeout.max(Duration::from_millis(1)))
            .map_err(|e| self.lost(e.into()))?;
        match self.port.read(buf) {
            Ok(n) => Ok(n),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::Interrupted
                ) =>
            {
                Ok(0)
            }
            Err(e) => Err(self.lost(e)),
        }
    }

    fn discard_input(&mut self) -> Result<(), IdCardError> {
        self.port
            .clear(ClearBuffer::Input)
            .map_err(|e| self.lost(e.into()))
    }

    fn describe(&self) -> String {
        self.path.clone()
    }
}

impl Transport for SerialTransport {
    fn set_baud(&mut self, baud: u32) -> Result<(), IdCardError> {
        self.port
            .set_baud_rate(baud)
            .map_err(|e| self.lost(e.into()))
    }
}

/// Opens a serial port by path; after an unplug the same path is tried again.
#[derive(Debug, Clone)]
pub struct SerialConnector {
    /// The configured path (`/dev/ttyUSB0`, or a simulator's symlink).
    pub path: String,
}

impl Connector for SerialConnector {
    type Link = SerialTransport;

    fn open(&mut self, baud: u32) -> Result<SerialTransport, IdCardError> {
        SerialTransport::open(&self.path, baud)
    }

    fn describe(&self) -> String {
        self.path.clone()
    }
}
