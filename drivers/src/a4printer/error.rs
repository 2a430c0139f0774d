//! The A4 printer's error type: one enum of causes, with a `kind()` (the drivers' one
//! [`ErrorKind`]) the service acts on.

use crate::ErrorKind;

/// Everything that can go wrong while talking to an A4 printer or making a PDF for it.
#[derive(Debug, thiserror::Error)]
pub enum A4Error {
    /// The configured URI is not one the driver can use.
    #[error("A4 printer URI {uri:?} is not usable: {reason}; write it as ipp://HOST[:PORT]/ipp/print or ipp://HOST:631/printers/QUEUE")]
    InvalidUri {
        /// The URI as configured.
        uri: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No answer on the network: printer off, cable out, wrong address.
    #[error("A4 printer at {uri} is unreachable while {doing}: {message}; check that it is switched on and on the network")]
    Unreachable {
        /// The printer's URI.
        uri: String,
        /// What the driver was doing.
        doing: &'static str,
        /// What the HTTP layer said.
        message: String,
    },
    /// The printer answered with something that is not valid IPP, or lacks what it must carry.
    #[error("A4 printer at {uri} gave an unusable answer while {doing}: {message}")]
    Protocol {
        /// The printer's URI.
        uri: String,
        /// What the driver was doing.
        doing: &'static str,
        /// What was wrong.
        message: String,
    },
    /// The printer refused the request with an IPP status.
    #[error("A4 printer at {uri} refused {doing}: IPP status {status}")]
    Refused {
        /// The printer's URI.
        uri: String,
        /// What the driver asked for.
        doing: &'static str,
        /// The IPP status code's name.
        status: String,
    },
    /// The printer is busy with another job (IPP `server-error-busy`) and kept refusing a new
    /// one for the whole wait: a long job ahead, or a printer that takes one job at a time.
    #[error("A4 printer at {uri} stayed busy with another job for {waited_secs} s while {doing}; the document was not sent")]
    Busy {
        /// The printer's URI.
        uri: String,
        /// What the driver asked for.
        doing: &'static str,
        /// How long the driver kept trying.
        waited_secs: u64,
    },
    /// The job ended without being printed.
    #[error("A4 print job {job_id} ended {state} ({reasons}): the document was not printed")]
    JobFailed {
        /// The printer's job id.
        job_id: i32,
        /// `canceled` or `aborted`.
        state: &'static str,
        /// The job's state reasons, comma-separated.
        reasons: String,
    },
    /// The job is still queued or printing after the wait: usually paper out or a cover open.
    #[error("A4 print job {job_id} did not finish in time ({state}; printer: {printer_reasons}); it stays queued on the printer")]
    JobStalled {
        /// The printer's job id.
        job_id: i32,
        /// The job's last state.
        state: &'static str,
        /// The printer's state reasons then, comma-separated.
        printer_reasons: String,
    },
    /// The PDF could not be made.
    #[error("cannot make the PDF: {0}")]
    Pdf(String),
}

impl A4Error {
    /// What the caller should do about it.
    pub fn kind(&self) -> ErrorKind {
        match self {
            A4Error::Unreachable { .. } => ErrorKind::NotFound,
            A4Error::Busy { .. } => ErrorKind::Busy,
            A4Error::Protocol { .. } => ErrorKind::Protocol,
            A4Error::Refused { .. } | A4Error::JobFailed { .. } => ErrorKind::Fault,
            // Usually paper or a cover: the printer's reasons say which (RFC 8011 keywords).
            A4Error::JobStalled {
                printer_reasons, ..
            } => {
                if printer_reasons.contains("media-empty")
                    || printer_reasons.contains("media-needed")
                {
                    ErrorKind::PaperOut
                } else if printer_reasons.contains("cover-open")
                    || printer_reasons.contains("door-open")
                {
                    ErrorKind::CoverOpen
                } else {
                    ErrorKind::Fault
                }
            }
            A4Error::InvalidUri { .. } | A4Error::Pdf(_) => ErrorKind::InvalidInput,
        }
    }

    /// A stable machine code for `last_error.code` and logs.
    pub fn code(&self) -> &'static str {
        match self {
            A4Error::InvalidUri { .. } => "invalidUri",
            A4Error::Unreachable { .. } => "unreachable",
            A4Error::Protocol { .. } => "protocol",
            A4Error::Refused { .. } => "refused",
            A4Error::Busy { .. } => "busy",
            A4Error::JobFailed { .. } => "jobFailed",
            A4Error::JobStalled { .. } => "jobStalled",
            A4Error::Pdf(_) => "pdf",
        }
    }
}
