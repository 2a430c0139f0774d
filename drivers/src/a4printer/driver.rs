//! [`A4Printer`]: one IPP printer URI. Blocking calls (the device manager runs them on its
//! blocking pool): Get-Printer-Attributes for status and health, Print-Job with a PDF, and
//! Get-Job-Attributes until the job completes, fails or stalls.

use std::io::Cursor;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ipp::operation::IppOperation;
use ipp::prelude::*;

use super::error::A4Error;
use super::reasons::{condition, A4Condition, IppPrinterState, PrinterReport};

/// How long one IPP request may take (a PDF upload included).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// The attributes a status query asks for: state, reasons, identity, formats.
const STATUS_ATTRIBUTES: [&str; 8] = [
    "printer-state",
    "printer-state-reasons",
    "printer-state-message",
    "printer-is-accepting-jobs",
    "printer-make-and-model",
    "printer-serial-number",
    "printer-firmware-string-version",
    "document-format-supported",
];

/// IPP `job-state` (RFC 8011 §5.3.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    /// 3: waiting to print.
    Pending,
    /// 4: held.
    Held,
    /// 5: printing.
    Processing,
    /// 6: printing stopped (the printer stopped: paper, cover, …).
    ProcessingStopped,
    /// 7: canceled.
    Canceled,
    /// 8: aborted by the printer.
    Aborted,
    /// 9: printed.
    Completed,
}

impl JobOutcome {
    fn from_enum(value: i32) -> Option<Self> {
        Some(match value {
            3 => JobOutcome::Pending,
            4 => JobOutcome::Held,
            5 => JobOutcome::Processing,
            6 => JobOutcome::ProcessingStopped,
            7 => JobOutcome::Canceled,
            8 => JobOutcome::Aborted,
            9 => JobOutcome::Completed,
            _ => return None,
        })
    }

    /// The RFC 8011 keyword (`pending`, `processing-stopped`, `completed`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            JobOutcome::Pending => "pending",
            JobOutcome::Held => "pending-held",
            JobOutcome::Processing => "processing",
            JobOutcome::ProcessingStopped => "processing-stopped",
            JobOutcome::Canceled => "canceled",
            JobOutcome::Aborted => "aborted",
            JobOutcome::Completed => "completed",
        }
    }

    /// Whether the job will not change any more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobOutcome::Canceled | JobOutcome::Aborted | JobOutcome::Completed
        )
    }
}

/// One job as the printer describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobReport {
    /// The printer's job id.
    pub job_id: i32,
    /// `job-state`.
    pub state: JobOutcome,
    /// `job-state-reasons`.
    pub reasons: Vec<String>,
    /// `job-impressions-completed`, where the printer counts them.
    pub impressions: Option<i32>,
}

/// How a job is followed to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobWait {
    /// Pause between two Get-Job-Attributes.
    pub poll: Duration,
    /// When to stop following and report the job as stalled (it stays on the printer).
    pub give_up_after: Duration,
}

impl Default for JobWait {
    fn default() -> Self {
        JobWait {
            poll: Duration::from_millis(500),
            give_up_after: Duration::from_secs(120),
        }
    }
}

/// An IPP printer (IPP Everywhere, or a CUPS queue) at one `ipp://` URI.
pub struct A4Printer {
    uri: Uri,
    shown: String,
    client: IppClient,
}

impl std::fmt::Debug for A4Printer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "A4Printer({})", self.shown)
    }
}

impl A4Printer {
    /// A printer at `uri` (`ipp://host[:port]/path`; `http://` is accepted as the same).
    /// Nothing is sent yet.
    pub fn new(uri: &str) -> Result<Self, A4Error> {
        let invalid = |reason: &str| A4Error::InvalidUri {
            uri: uri.to_owned(),
            reason: reason.to_owned(),
        };
        let parsed: Uri = uri.trim().parse().map_err(|_| invalid("not a URI"))?;
        match parsed.scheme_str() {
            Some("ipp") | Some("http") => {}
            Some("ipps") | Some("https") => {
                return Err(invalid(
                    "IPP over TLS is not supported by this kiosk build; use ipp:// on the kiosk's own network",
                ))
            }
            _ => return Err(invalid("the scheme must be ipp://")),
        }
        if parsed.host().is_none_or(str::is_empty) {
            return Err(invalid("no host"));
        }
        let client = IppClient::builder(parsed.clone())
            .request_timeout(REQUEST_TIMEOUT)
            .build();
        Ok(A4Printer {
            shown: parsed.to_string(),
            uri: parsed,
            client,
        })
    }

    /// The URI, for identity and logs.
    pub fn uri(&self) -> &str {
        &self.shown
    }

    fn send(
        &self,
        doing: &'static str,
        request: IppRequestResponse,
    ) -> Result<IppRequestResponse, A4Error> {
        let response = self.client.send(request).map_err(|e| match e {
            IppError::ClientError(ureq::Error::StatusCode(code)) => A4Error::Protocol {
                uri: self.shown.clone(),
                doing,
                message: format!("HTTP status {code}"),
            },
            IppError::ClientError(_) | IppError::IoError(_) => A4Error::Unreachable {
                uri: self.shown.clone(),
                doing,
                message: e.to_string(),
            },
            other => A4Error::Protocol {
                uri: self.shown.clone(),
                doing,
                message: other.to_string(),
            },
        })?;
        let status = response.header().status_code();
        if status == ipp::model::StatusCode::ServerErrorBusy {
            return Err(A4Error::Busy {
                uri: self.shown.clone(),
                doing,
                waited_secs: 0,
            });
        }
        if !status.is_success() {
            return Err(A4Error::Refused {
                uri: self.shown.clone(),
                doing,
                status: format!("{status:?}"),
            });
        }
        Ok(response)
    }

    /// Get-Printer-Attributes: the printer's state, reasons and identity.
    pub fn query(&self) -> Result<PrinterReport, A4Error> {
        let op = IppOperationBuilder::get_printer_attributes(self.uri.clone())
            .attributes(STATUS_ATTRIBUTES)
            .build()
            .map_err(|e| self.protocol("building Get-Printer-Attributes", e))?;
        let response = self.send("Get-Printer-Attributes", op.into_ipp_request())?;
        let attrs = response.attributes();
        let group = attrs
            .groups_of(DelimiterTag::PrinterAttributes)
            .next()
            .ok_or_else(|| A4Error::Protocol {
                uri: self.shown.clone(),
                doing: "Get-Printer-Attributes",
                message: "no printer attributes in the answer".to_owned(),
            })?;
        let get = |name: &str| group.get(name).map(|a| a.value());
        Ok(PrinterReport {
            state: get("printer-state")
                .and_then(as_enum)
                .and_then(IppPrinterState::from_enum),
            reasons: get("printer-state-reasons")
                .map(strings)
                .unwrap_or_default(),
            message: get("printer-state-message").and_then(first_string),
            accepting_jobs: get("printer-is-accepting-jobs").and_then(|v| match v {
                IppValue::Boolean(b) => Some(*b),
                _ => None,
            }),
            model: get("printer-make-and-model").and_then(first_string),
            serial: get("printer-serial-number").and_then(first_string),
            firmware: get("printer-firmware-string-version").and_then(first_string),
            formats: get("document-format-supported")
                .map(strings)
                .unwrap_or_default(),
        })
    }

    /// The printer's condition in the device vocabulary, with the report it came from.
    pub fn condition(&self) -> Result<(A4Condition, PrinterReport), A4Error> {
        let report = self.query()?;
        Ok((condition(&report), report))
    }

    /// Print-Job with a PDF; returns the printer's job id. `title` is the job name the
    /// printer shows and logs: a document title, never personal data. The bytes may be any
    /// owner of them (a buffer that wipes itself when dropped, for a citizen's document).
    pub fn submit_pdf<B>(&self, pdf: B, title: &str) -> Result<i32, A4Error>
    where
        B: AsRef<[u8]> + Send + 'static,
    {
        let op =
            IppOperationBuilder::print_job(self.uri.clone(), IppPayload::new(Cursor::new(pdf)))
                .document_format("application/pdf")
                .job_title(title)
                .user_name("kiosk")
                .build()
                .map_err(|e| self.protocol("building Print-Job", e))?;
        let response = self.send("Print-Job", op.into_ipp_request())?;
        let job_id = response
            .attributes()
            .groups_of(DelimiterTag::JobAttributes)
            .find_map(|g| g.get("job-id"))
            .and_then(|a| match a.value() {
                IppValue::Integer(id) => Some(*id),
                _ => None,
            })
            .ok_or_else(|| A4Error::Protocol {
                uri: self.shown.clone(),
                doing: "Print-Job",
                message: "no job-id in the answer".to_owned(),
            });
        job_id
    }

    /// Get-Job-Attributes for one job.
    pub fn job(&self, job_id: i32) -> Result<JobReport, A4Error> {
        let op = IppOperationBuilder::get_job_attributes(self.uri.clone(), job_id)
            .user_name("kiosk")
            .build()
            .map_err(|e| self.protocol("building Get-Job-Attributes", e))?;
        let response = self.send("Get-Job-Attributes", op.into_ipp_request())?;
        let attrs = response.attributes();
        let group = attrs
            .groups_of(DelimiterTag::JobAttributes)
            .next()
            .ok_or_else(|| A4Error::Protocol {
                uri: self.shown.clone(),
                doing: "Get-Job-Attributes",
                message: "no job attributes in the answer".to_owned(),
            })?;
        let state = group
            .get("job-state")
            .and_then(|a| as_enum(a.value()))
            .and_then(JobOutcome::from_enum)
            .ok_or_else(|| A4Error::Protocol {
                uri: self.shown.clone(),
                doing: "Get-Job-Attributes",
                message: "no valid job-state".to_owned(),
            })?;
        Ok(JobReport {
            job_id,
            state,
            reasons: group
                .get("job-state-reasons")
                .map(|a| strings(a.value()))
                .unwrap_or_default(),
            impressions: group
                .get("job-impressions-completed")
                .and_then(|a| match a.value() {
                    IppValue::Integer(n) => Some(*n),
                    _ => None,
                }),
        })
    }

    /// Follows a job until it is final, or until `wait.give_up_after` (then
    /// [`A4Error::JobStalled`] with the printer's reasons: the job stays queued).
    pub fn follow(&self, job_id: i32, wait: JobWait) -> Result<JobReport, A4Error> {
        let start = Instant::now();
        loop {
            let report = self.job(job_id)?;
            match report.state {
                JobOutcome::Completed => return Ok(report),
                JobOutcome::Canceled | JobOutcome::Aborted => {
                    return Err(A4Error::JobFailed {
                        job_id,
                        state: report.state.as_str(),
                        reasons: report.reasons.join(","),
                    })
                }
                _ if start.elapsed() >= wait.give_up_after => {
                    let printer_reasons = self
                        .query()
                        .map(|r| r.reasons.join(","))
                        .unwrap_or_else(|e| e.code().to_owned());
                    return Err(A4Error::JobStalled {
                        job_id,
                        state: report.state.as_str(),
                        printer_reasons,
                    });
                }
                _ => std::thread::sleep(wait.poll),
            }
        }
    }

    /// Prints a PDF and follows the job to its end. A printer busy with another job
    /// (`server-error-busy`: many take one job at a time, and the kiosk may send the 受理回执
    /// while the checklist still prints) is asked again every `wait.poll` until
    /// `wait.give_up_after`, as RFC 8011 tells clients to.
    pub fn print_pdf<B>(&self, pdf: B, title: &str, wait: JobWait) -> Result<JobReport, A4Error>
    where
        B: AsRef<[u8]> + Send + Sync + 'static,
    {
        let pdf = Shared(Arc::new(pdf));
        let start = Instant::now();
        let job_id = loop {
            match self.submit_pdf(Shared(Arc::clone(&pdf.0)), title) {
                Err(A4Error::Busy { uri, doing, .. }) => {
                    let waited = start.elapsed();
                    if waited >= wait.give_up_after {
                        return Err(A4Error::Busy {
                            uri,
                            doing,
                            waited_secs: waited.as_secs(),
                        });
                    }
                    std::thread::sleep(wait.poll);
                }
                other => break other?,
            }
        };
        drop(pdf);
        self.follow(job_id, wait)
    }

    /// Cancel-Job: a job that stalled (paper out, a cover open) must not come out later, when
    /// the citizen it belongs to has gone. An already finished job is not an error here: the
    /// printer's answer is `Refused` only when the job still waits and was not cancelled.
    pub fn cancel_job(&self, job_id: i32) -> Result<(), A4Error> {
        let op = IppOperationBuilder::cancel_job(self.uri.clone(), job_id)
            .user_name("kiosk")
            .build()
            .map_err(|e| self.protocol("building Cancel-Job", e))?;
        self.send("Cancel-Job", op.into_ipp_request())?;
        Ok(())
    }

    fn protocol(&self, doing: &'static str, e: impl std::fmt::Display) -> A4Error {
        A4Error::Protocol {
            uri: self.shown.clone(),
            doing,
            message: e.to_string(),
        }
    }
}

fn as_enum(value: &IppValue) -> Option<i32> {
    match value {
        IppValue::Enum(v) | IppValue::Integer(v) => Some(*v),
        _ => None,
    }
}

/// Every string of a (possibly multi-valued) attribute.
fn strings(value: &IppValue) -> Vec<String> {
    match value {
        IppValue::Array(values) => values.iter().flat_map(strings).collect(),
        IppValue::NoValue => Vec::new(),
        other => vec![other.to_string()],
    }
}

fn first_string(value: &IppValue) -> Option<String> {
    strings(value).into_iter().next().filter(|s| !s.is_empty())
}

/// The PDF's bytes, shared by each Print-Job attempt (the owner, e.g. a buffer that wipes
/// itself, is dropped once the last attempt is done with it).
struct Shared<B>(Arc<B>);

impl<B: AsRef<[u8]>> AsRef<[u8]> for Shared<B> {
    fn as_ref(&self) -> &[u8] {
        (*self.0).as_ref()
    }
}
