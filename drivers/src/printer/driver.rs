//! The receipt printer driver: status before each job, the job written with timeouts sized
//! from print time, and confirmation after it — a receipt counts as printed only when the
//! printer answers `GS r 1` (processed after the cut) with paper present and a real-time
//! check shows no cutter or cover fault.

use std::time::{Duration, Instant};

use crate::status::{ClassStatus, DeviceClass, DeviceEvent, DeviceState, DeviceStatus, LastError};

use super::codec::Encoder;
use super::error::PrinterError;
use super::layout::Receipt;
use super::profile::PrinterProfile;
use super::status::{is_realtime_answer, is_transmit_answer, PaperLevel, PrinterStatus};
use super::transport::PrinterTransport;

/// Timeouts of the driver; the defaults suit a real printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Wait for one real-time status answer.
    pub status: Duration,
    /// Added to the estimated print time when waiting for a job's confirmation.
    pub confirm_margin: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            status: Duration::from_millis(500),
            confirm_margin: Duration::from_secs(5),
        }
    }
}

/// How a printed job was confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    /// `GS r 1` answered after the cut, and a real-time check was clean.
    Printed,
    /// The printer cannot answer (unidirectional USB): only the port status was checked.
    PortStatusOnly,
}

/// A receipt printer on some transport.
#[derive(Debug)]
pub struct ReceiptPrinter<T: PrinterTransport> {
    transport: T,
    profile: PrinterProfile,
    timeouts: Timeouts,
    status: DeviceStatus,
    published: Option<DeviceStatus>,
}

impl<T: PrinterTransport> ReceiptPrinter<T> {
    /// A driver for the printer on `transport`, of model `profile`.
    pub fn new(transport: T, profile: PrinterProfile) -> Self {
        let status = DeviceStatus::new(DeviceClass::ReceiptPrinter, transport.describe());
        ReceiptPrinter {
            transport,
            profile,
            timeouts: Timeouts::default(),
            status,
            published: None,
        }
    }

    /// Replaces the timeouts.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// The model profile.
    pub fn profile(&self) -> &PrinterProfile {
        &self.profile
    }

    /// The status in the shared model, as of the last check.
    pub fn device_status(&self) -> &DeviceStatus {
        &self.status
    }

    /// The status as an event if it changed since the last call: the device manager pushes
    /// these instead of making everyone poll.
    pub fn take_event(&mut self) -> Option<DeviceEvent> {
        if self.published.as_ref() == Some(&self.status) {
            return None;
        }
        self.published = Some(self.status.clone());
        Some(DeviceEvent::StatusChanged(self.status.clone()))
    }

    /// Asks the printer for its status: DLE EOT 1–4 over a bidirectional link, else the
    /// USB port status.
    pub fn query_status(&mut self) -> Result<PrinterStatus, PrinterError> {
        let result = self.query_status_inner();
        match &result {
            Ok(s) => self.record(s),
            Err(e) => {
                self.status.state = DeviceState::Offline;
                self.status.counters.communication_errors += 1;
                // A failed query is a communication error, not a failed print.
                self.status.last_error = Some(LastError {
                    code: "status".into(),
                    message: e.to_string(),
                    at: std::time::SystemTime::now(),
                });
            }
        }
        result
    }

    fn query_status_inner(&mut self) -> Result<PrinterStatus, PrinterError> {
        if !self.transport.can_read() {
            return match self.transport.port_status() {
                Some(r) => r.map(PrinterStatus::from_port_status),
                None => Err(PrinterError::Protocol {
                    context: "reading status",
                    detail: "this printer can neither answer nor report port status".into(),
                }),
            };
        }
        self.drain()?;
        let mut status = PrinterStatus::default();
        for n in 1..=4u8 {
            self.transport
                .write_all(&[0x10, 0x04, n], self.timeouts.status)?;
            let byte = self.read_matching(
                is_realtime_answer,
                self.timeouts.status,
                "waiting for DLE EOT answer",
            )?;
            status
                .apply_realtime(n, byte, &self.profile.status_bits)
                .map_err(|e| PrinterError::Protocol {
                    context: "parsing DLE EOT answer",
                    detail: e.to_string(),
                })?;
        }
        Ok(status)
    }

    /// Discards stale bytes (answers to earlier queries, ASB frames) before a new query.
    fn drain(&mut self) -> Result<(), PrinterError> {
        let mut buf = [0u8; 256];
        for _ in 0..64 {
            if self.transport.read(&mut buf, Duration::from_millis(15))? == 0 {
                break;
            }
        }
        Ok(())
    }

    /// Reads until a byte with the wanted answer pattern arrives; other bytes (XON/XOFF,
    /// ASB frames) are skipped, as the reference advises (§2.5).
    fn read_matching(
        &mut self,
        want: fn(u8) -> bool,
        timeout: Duration,
        what: &'static str,
    ) -> Result<u8, PrinterError> {
        let deadline = Instant::now() + timeout;
        let mut b = [0u8; 1];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(PrinterError::Timeout(timeout, what));
            }
            if self
                .transport
                .read(&mut b, left.min(Duration::from_millis(100)))?
                == 1
                && want(b[0])
            {
                return Ok(b[0]);
            }
        }
    }

    /// Lays out, encodes and prints a receipt; see [`ReceiptPrinter::print_job`].
    pub fn print_receipt(
        &mut self,
        receipt: &Receipt,
    ) -> Result<(PrinterStatus, Confirmation), PrinterError> {
        let job = receipt.encode(&self.profile)?;
        self.print_job(&job)
    }

    /// Prints an encoded job: checks status first, writes, then waits for confirmation.
    /// `Ok` means the printer confirmed the receipt; its status may still say paper low.
    pub fn print_job(&mut self, job: &[u8]) -> Result<(PrinterStatus, Confirmation), PrinterError> {
        let result = self.print_job_inner(job);
        match &result {
            Ok(_) => self.status.counters.operations_ok += 1,
            Err(e) => self.status.record_error(error_code(e), e.to_string()),
        }
        result
    }

    fn print_job_inner(
        &mut self,
        job: &[u8],
    ) -> Result<(PrinterStatus, Confirmation), PrinterError> {
        let before = self.query_status()?;
        if !before.is_ready() {
            return Err(PrinterError::NotReady(before));
        }
        let print_time = self.estimate_print_time(job.len());
        let write_timeout = print_time + self.timeouts.confirm_margin;
        if let Err(e) = self.transport.write_all(job, write_timeout) {
            // A stalled write usually means the printer stopped: say why, if it can tell.
            // With the bulk pipe full, DLE EOT cannot get through; the USB class request can.
            let stalled = match self.transport.port_status() {
                Some(Ok(byte)) => Ok(PrinterStatus::from_port_status(byte)),
                _ => self.query_status(),
            };
            if let Ok(s) = stalled {
                if !s.is_ready() {
                    self.record(&s);
                    return Err(PrinterError::NotConfirmed(s));
                }
            }
            return Err(e);
        }
        if !self.transport.can_read() {
            let s = self.query_status()?;
            return if s.is_ready() {
                Ok((s, Confirmation::PortStatusOnly))
            } else {
                Err(PrinterError::NotConfirmed(s))
            };
        }
        let marker = Encoder::new().transmit_paper_status().bytes().to_vec();
        self.drain()?;
        self.transport.write_all(&marker, self.timeouts.status)?;
        let answer = self.read_matching(
            is_transmit_answer,
            write_timeout,
            "waiting for the printer to finish the receipt",
        );
        let after = self.query_status()?;
        match answer {
            Ok(byte) => {
                let paper = PrinterStatus::paper_from_transmit(byte, &self.profile.status_bits)
                    .map_err(|e| PrinterError::Protocol {
                        context: "parsing GS r answer",
                        detail: e.to_string(),
                    })?;
                if paper == PaperLevel::Out
                    || after.cutter_error
                    || after.cover_open
                    || after.unrecoverable
                {
                    return Err(PrinterError::NotConfirmed(after));
                }
                Ok((after, Confirmation::Printed))
            }
            Err(PrinterError::Timeout(..)) if !after.is_ready() => {
                Err(PrinterError::NotConfirmed(after))
            }
            Err(e) => Err(e),
        }
    }

    /// Upper bound of the time the job takes to print: every 8 bytes counted as a millimetre
    /// (text prints fewer bytes per mm than that, raster more), at the profile's speed.
    pub fn estimate_print_time(&self, bytes: usize) -> Duration {
        let mm = bytes as f64 / 8.0;
        Duration::from_secs_f64(mm / f64::from(self.profile.speed_mm_s.max(1)))
    }

    /// `DLE ENQ 1`: tells the printer to recover after a technician cleared a jam.
    pub fn recover(&mut self) -> Result<(), PrinterError> {
        self.transport
            .write_all(&[0x10, 0x05, 0x01], self.timeouts.status)
    }

    fn record(&mut self, s: &PrinterStatus) {
        self.status.state = s.device_state();
        self.status.detail = ClassStatus::ReceiptPrinter {
            paper: s.paper_state(),
            cover_open: s.cover_open,
            cutter_error: s.cutter_error,
        };
    }

    /// Gives the transport back.
    pub fn into_transport(self) -> T {
        self.transport
    }
}

fn error_code(e: &PrinterError) -> &'static str {
    match e {
        PrinterError::NotReady(s) | PrinterError::NotConfirmed(s) => s.code(),
        PrinterError::Timeout(..) => "timeout",
        PrinterError::Content(_) => "content",
        _ => "io",
    }
}
