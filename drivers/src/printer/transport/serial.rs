//! Serial transport through `serialport`: explicit baud and flow control (DTR/DSR-style
//! hardware or XON/XOFF), writes that handle partial progress, reads with timeouts.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use kiosk_config::schema::FlowControl;

use super::{Link, PrinterTransport};
use crate::printer::error::PrinterError;

/// A printer on a serial port or a pseudo-terminal.
pub struct SerialTransport {
    port: Box<dyn serialport::SerialPort>,
    label: String,
}

impl std::fmt::Debug for SerialTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SerialTransport({})", self.label)
    }
}

impl SerialTransport {
    /// Opens a serial port with 8N1 framing, the given baud rate and flow control.
    pub fn open(path: &str, baud: u32, flow: FlowControl) -> Result<Self, PrinterError> {
        let flow = match flow {
            FlowControl::None => serialport::FlowControl::None,
            FlowControl::Hardware => serialport::FlowControl::Hardware,
            FlowControl::Software => serialport::FlowControl::Software,
        };
        let port = serialport::new(path, baud)
            .data_bits(serialport::DataBits::Eight)
            .parity(serialport::Parity::None)
            .stop_bits(serialport::StopBits::One)
            .flow_control(flow)
            .timeout(Duration::from_millis(100))
            .open()
            .map_err(|e| PrinterError::SerialOpen {
                path: path.to_owned(),
                kind: crate::ErrorKind::from_serial_open(std::path::Path::new(path), &e),
                message: e.to_string(),
            })?;
        Ok(SerialTransport {
            port,
            label: format!("{path} @{baud}"),
        })
    }

    /// Wraps an already open port (e.g. one end of a pseudo-terminal pair).
    pub fn from_port(port: Box<dyn serialport::SerialPort>, label: impl Into<String>) -> Self {
        SerialTransport {
            port,
            label: label.into(),
        }
    }
}

impl PrinterTransport for SerialTransport {}

impl Link for SerialTransport {
    type Error = PrinterError;

    fn write_all(&mut self, data: &[u8], timeout: Duration) -> Result<(), PrinterError> {
        let mut sent = 0;
        let mut last_progress = Instant::now();
        while sent < data.len() {
            let _ = self
                .port
                .set_timeout(timeout.min(Duration::from_millis(500)));
            match self.port.write(&data[sent..]) {
                Ok(0) => {}
                Ok(n) => {
                    sent += n;
                    last_progress = Instant::now();
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::TimedOut
                            | std::io::ErrorKind::WouldBlock
                            | std::io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Err(PrinterError::io("writing to the serial port", e)),
            }
            if sent < data.len() && last_progress.elapsed() >= timeout {
                return Err(PrinterError::Timeout(timeout, "writing to the serial port"));
            }
        }
        self.port
            .flush()
            .map_err(|e| PrinterError::io("flushing the serial port", e))
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, PrinterError> {
        let _ = self.port.set_timeout(timeout.max(Duration::from_millis(1)));
        match self.port.read(buf) {
            Ok(n) => Ok(n),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                ) =>
            {
                Ok(0)
            }
            Err(e) => Err(PrinterError::io("reading from the serial port", e)),
        }
    }

    fn describe(&self) -> String {
        self.label.clone()
    }
}
