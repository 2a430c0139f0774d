//! The A4 printer as a device: an IPP printer the kiosk reaches over the network, so there
//! is nothing to open or reconnect. A poller thread asks it for its state
//! (Get-Printer-Attributes) every few seconds and publishes what it says — paper, cover,
//! toner, offline — like any other device's status (heartbeat, `/metrics`, `kioskctl
//! status`); [`A4Handle`] prints PDFs and receipts laid out on A4, following each job to
//! its end.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kiosk_drivers::a4printer::{pdf, A4Error, A4Printer, JobReport, JobWait};
use kiosk_drivers::printer::Receipt;
use kiosk_drivers::status::{ClassStatus, DeviceClass, DeviceState, DeviceStatus};

use super::error::DeviceError;
use super::hub::Hub;

/// The A4 printer, cheap to clone; `None` inside when the kiosk has none.
#[derive(Debug, Clone)]
pub struct A4Handle {
    printer: Option<Arc<A4Printer>>,
    hub: Hub,
    wait: JobWait,
}

impl A4Handle {
    pub(crate) fn new(printer: Option<Arc<A4Printer>>, hub: Hub, wait: JobWait) -> Self {
        A4Handle { printer, hub, wait }
    }

    /// Whether the kiosk has an A4 printer configured.
    pub fn fitted(&self) -> bool {
        self.printer.is_some()
    }

    /// Whether the printer can print now, from its last published state.
    pub fn usable(&self) -> bool {
        self.printer.is_some() && self.hub.get(DeviceClass::A4Printer).state.is_usable()
    }

    /// The printer's last published status (paper, cover, state).
    pub fn status(&self) -> DeviceStatus {
        self.hub.get(DeviceClass::A4Printer)
    }

    fn printer(&self) -> Result<Arc<A4Printer>, DeviceError> {
        self.printer
            .clone()
            .ok_or(DeviceError::NotFitted(DeviceClass::A4Printer))
    }

    /// Asks the printer for its state now and publishes it.
    pub async fn refresh(&self) -> Result<DeviceStatus, DeviceError> {
        let printer = self.printer()?;
        let hub = self.hub.clone();
        tokio::task::spawn_blocking(move || poll_once(&printer, &hub))
            .await
            .map_err(|_| DeviceError::Stopped)?
    }

    /// Prints a PDF and follows the job until the printer says it is printed. `title` is
    /// the job's name on the printer: a document title, never personal data.
    pub async fn print_pdf<B>(&self, pdf: B, title: &str) -> Result<JobReport, DeviceError>
    where
        B: AsRef<[u8]> + Send + Sync + 'static,
    {
        let printer = self.printer()?;
        let (hub, wait, title) = (self.hub.clone(), self.wait, title.to_owned());
        tokio::task::spawn_blocking(move || {
            let result = printer.print_pdf(pdf, &title, wait);
            hub.update(DeviceClass::A4Printer, |s| match &result {
                Ok(_) => {
                    s.counters.operations_ok += 1;
                    if let ClassStatus::A4Printer { jobs_completed, .. } = &mut s.detail {
                        *jobs_completed += 1;
                    }
                }
                Err(e) => s.record_error(e.code(), e.to_string()),
            });
            // The printer's state after a job (paper used up, a cover opened) is news.
            let _ = poll_once(&printer, &hub);
            result.map_err(DeviceError::A4)
        })
        .await
        .map_err(|_| DeviceError::Stopped)?
    }

    /// Cancels a job on the printer (one that stalled, so it does not come out later).
    pub async fn cancel(&self, job_id: i32) -> Result<(), DeviceError> {
        let printer = self.printer()?;
        tokio::task::spawn_blocking(move || printer.cancel_job(job_id))
            .await
            .map_err(|_| DeviceError::Stopped)?
            .map_err(DeviceError::A4)
    }

    /// Lays a receipt out on A4 and prints it.
    pub async fn print_receipt(
        &self,
        receipt: &Receipt,
        title: &str,
    ) -> Result<JobReport, DeviceError> {
        self.printer()?;
        let pdf = pdf::render(receipt, title).map_err(DeviceError::A4)?;
        self.print_pdf(pdf, title).await
    }
}

/// One Get-Printer-Attributes, published; an unreachable printer is `offline`.
fn poll_once(printer: &A4Printer, hub: &Hub) -> Result<DeviceStatus, DeviceError> {
    let answer = printer.condition();
    hub.update(DeviceClass::A4Printer, |s| apply(s, &answer));
    match answer {
        Ok(_) => Ok(hub.get(DeviceClass::A4Printer)),
        Err(e) => Err(DeviceError::A4(e)),
    }
}

/// Writes one answer into a status.
pub(crate) fn apply(
    s: &mut DeviceStatus,
    answer: &Result<
        (
            kiosk_drivers::a4printer::A4Condition,
            kiosk_drivers::a4printer::PrinterReport,
        ),
        A4Error,
    >,
) {
    match answer {
        Ok((cond, report)) => {
            s.state = cond.state;
            if let ClassStatus::A4Printer {
                paper,
                cover_open,
                toner_low,
                ..
            } = &mut s.detail
            {
                *paper = cond.paper;
                *cover_open = cond.cover_open;
                *toner_low = cond.toner_low;
            }
            s.identity.model = report.model.clone();
            s.identity.serial = report.serial.clone();
            s.identity.firmware = report.firmware.clone();
        }
        Err(e) => {
            let was_reachable = s.state != DeviceState::Offline;
            s.state = DeviceState::Offline;
            // Counted once per outage, not once per poll.
            if was_reachable {
                s.record_error(e.code(), e.to_string());
                s.counters.communication_errors += 1;
            }
        }
    }
}

/// The poller: one query now, then one every `every`, until `stop`.
pub(crate) fn poll(printer: Arc<A4Printer>, hub: Hub, stop: Arc<AtomicBool>, every: Duration) {
    let step = Duration::from_millis(50);
    while !stop.load(Ordering::Relaxed) {
        if let Err(e) = poll_once(&printer, &hub) {
            tracing::debug!(%e, "A4 printer status");
        }
        let mut waited = Duration::ZERO;
        while waited < every && !stop.load(Ordering::Relaxed) {
            std::thread::sleep(step);
            waited += step;
        }
    }
}
