//! What the machine asks the service to do. Effects are data: the service executes them
//! (print, store in the outbox and deliver, ask the hall, speak, wipe) and feeds results back
//! as events.

use std::fmt;

use hall_api::application::{CreateApplication, ProgressQuery, ReusableMaterialsQuery};
use hall_api::appointment::CreateAppointment;
use hall_api::feedback::{CreateComplaint, CreateHelpRequest, CreateRating};

use super::capture::{DocBytes, ScannedDoc};
use super::state::RequestId;

/// An effect for the service to carry out. `Debug` leaves out payload contents (form values,
/// free text), so effects can be logged.
#[derive(Clone, PartialEq)]
pub enum Effect {
    /// Print a document on the receipt printer.
    Print(PrintDoc),
    /// Store the application in the outbox and try to deliver it; answer with
    /// `Event::SubmitResult` (delivered, queued, or refused).
    Submit {
        /// The idempotency key (also the outbox record's key).
        idempotency_key: String,
        /// The application.
        payload: CreateApplication,
        /// The PDFs of the materials photographed here, which the payload references by
        /// hash: stored with the application and uploaded before it.
        attachments: Vec<ScannedDoc>,
    },
    /// Take a page with the document camera through its page pipeline; answer with
    /// `Event::PageTaken`.
    TakePage {
        /// Echoed in the answer.
        request: RequestId,
    },
    /// Make a material's pages into one PDF; answer with `Event::MaterialAssembled`.
    AssembleMaterial {
        /// Echoed in the answer.
        request: RequestId,
        /// The material's code (for the log).
        code: String,
        /// The pages, in order.
        pages: Vec<DocBytes>,
    },
    /// Store and deliver a rating (no answer needed).
    SubmitRating {
        /// The idempotency key.
        idempotency_key: String,
        /// The rating.
        payload: CreateRating,
    },
    /// Store and deliver a 办不成事 complaint (no answer needed).
    SubmitComplaint {
        /// The idempotency key.
        idempotency_key: String,
        /// The complaint.
        payload: CreateComplaint,
    },
    /// Store and deliver a help request; answer with `Event::HelpAnswered`.
    SubmitHelpRequest {
        /// The idempotency key.
        idempotency_key: String,
        /// The request.
        payload: CreateHelpRequest,
    },
    /// Ask the hall where applications stand; answer with `Event::ProgressFetched`.
    FetchProgress {
        /// Echoed in the answer.
        request: RequestId,
        /// By receipt or by ID number.
        lookup: ProgressLookup,
    },
    /// Ask the hall which materials it holds for this citizen; answer with
    /// `Event::ReusableMaterialsFetched`.
    FetchReusableMaterials {
        /// Echoed in the answer.
        request: RequestId,
        /// The ID number (Debug masked).
        query: ReusableMaterialsQuery,
    },
    /// Ask the hall for the phone number the citizen gave before with consent; answer with
    /// `Event::KnownContactFetched`.
    FetchKnownContact {
        /// Echoed in the answer.
        request: RequestId,
        /// The ID number (Debug masked).
        query: hall_api::contact::ContactQuery,
    },
    /// Ask the hall for a department's slots; answer with `Event::SlotsFetched`.
    FetchSlots {
        /// Echoed in the answer.
        request: RequestId,
        /// Department code.
        department: String,
    },
    /// Book a slot; answer with `Event::BookResult`.
    Book {
        /// The idempotency key.
        idempotency_key: String,
        /// The booking.
        payload: CreateAppointment,
    },
    /// Look up a scanned appointment code; answer with `Event::AppointmentFetched`.
    FetchAppointment {
        /// Echoed in the answer.
        request: RequestId,
        /// The code (`YY-…`).
        reference: String,
    },
    /// Ask the hall which result documents the proof may print; answer with
    /// `Event::PrintableFetched`.
    FetchPrintable {
        /// Echoed in the answer.
        request: RequestId,
        /// The card's number or the receipt (Debug masked).
        proof: hall_api::attachment::PrintableQuery,
    },
    /// Fetch one copy of a result document from the hall and print it on the A4 printer,
    /// giving the copy back if the printer does not print it; answer with
    /// `Event::ResultDocumentPrinted`.
    PrintResultDocument {
        /// Echoed in the answer.
        request: RequestId,
        /// The document's id at the hall.
        document_id: String,
        /// Its title (the job's name on the printer).
        title: String,
        /// The card's number or the receipt (Debug masked).
        proof: hall_api::attachment::PrintableQuery,
    },
    /// Say this aloud (elder mode): the current screen's prompt in the current language.
    Speak(String),
    /// Forget every personal datum of the session (the state already has; the service
    /// drops its own copies, e.g. the last card read, and any view models).
    WipePersonalData,
    /// A session ended (for `kiosk_sessions_total`).
    SessionEnded(EndReason),
}

impl fmt::Debug for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Effect::Print(doc) => f.debug_tuple("Print").field(&doc.title).finish(),
            Effect::Submit {
                idempotency_key,
                payload,
                attachments,
            } => f
                .debug_struct("Submit")
                .field("idempotency_key", idempotency_key)
                .field("subject", &payload.subject)
                .field("applicant", &payload.applicant)
                .field("attachments", &attachments.len())
                .finish_non_exhaustive(),
            Effect::TakePage { request } => f
                .debug_struct("TakePage")
                .field("request", request)
                .finish(),
            Effect::AssembleMaterial {
                request,
                code,
                pages,
            } => f
                .debug_struct("AssembleMaterial")
                .field("request", request)
                .field("code", code)
                .field("pages", &pages.len())
                .finish(),
            Effect::SubmitRating {
                idempotency_key,
                payload,
            } => f
                .debug_struct("SubmitRating")
                .field("idempotency_key", idempotency_key)
                .field("level", &payload.level)
                .field("reasons", &payload.reasons)
                .finish_non_exhaustive(),
            Effect::SubmitComplaint {
                idempotency_key,
                payload,
            } => f
                .debug_struct("SubmitComplaint")
                .field("idempotency_key", idempotency_key)
                .field("item_code", &payload.item_code)
                .finish_non_exhaustive(),
            Effect::SubmitHelpRequest {
                idempotency_key,
                payload,
            } => f
                .debug_struct("SubmitHelpRequest")
                .field("idempotency_key", idempotency_key)
                .field("kind", &payload.kind)
                .finish_non_exhaustive(),
            Effect::FetchProgress { request, lookup } => {
                let by = match lookup {
                    ProgressLookup::Receipt(_) => "receipt",
                    ProgressLookup::IdNumber(_) => "idNumber",
                };
                f.debug_struct("FetchProgress")
                    .field("request", request)
                    .field("by", &by)
                    .finish()
            }
            Effect::FetchReusableMaterials { request, query } => f
                .debug_struct("FetchReusableMaterials")
                .field("request", request)
                .field("query", query)
                .finish(),
            Effect::FetchKnownContact { request, query } => f
                .debug_struct("FetchKnownContact")
                .field("request", request)
                .field("query", query)
                .finish(),
            Effect::FetchSlots {
                request,
                department,
            } => f
                .debug_struct("FetchSlots")
                .field("request", request)
                .field("department", department)
                .finish(),
            Effect::Book {
                idempotency_key,
                payload,
            } => f
                .debug_struct("Book")
                .field("idempotency_key", idempotency_key)
                .field("payload", payload)
                .finish(),
            Effect::FetchAppointment { request, reference } => f
                .debug_struct("FetchAppointment")
                .field("request", request)
                .field("reference", reference)
                .finish(),
            Effect::FetchPrintable { request, proof } => f
                .debug_struct("FetchPrintable")
                .field("request", request)
                .field("proof", proof)
                .finish(),
            Effect::PrintResultDocument {
                request,
                document_id,
                title,
                proof,
            } => f
                .debug_struct("PrintResultDocument")
                .field("request", request)
                .field("document_id", document_id)
                .field("title", title)
                .field("proof", proof)
                .finish(),
            Effect::Speak(text) => f.debug_tuple("Speak").field(text).finish(),
            Effect::WipePersonalData => f.write_str("WipePersonalData"),
            Effect::SessionEnded(reason) => f.debug_tuple("SessionEnded").field(reason).finish(),
        }
    }
}

/// How a progress lookup identifies the applications.
#[derive(Debug, Clone, PartialEq)]
pub enum ProgressLookup {
    /// From a scanned receipt: tracking code plus verifier (`POST /api/v1/progress`).
    Receipt(ProgressQuery),
    /// Every application of the citizen on the card (`POST /api/v1/progress/by-id-number`).
    IdNumber(ReusableMaterialsQuery),
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndReason {
    /// The citizen finished (rating given or skipped, or a closing screen timed out).
    Completed,
    /// The citizen pressed 返回首页.
    Cancelled,
    /// Nobody touched the screen: the idle countdown ran out.
    Timeout,
    /// A different card was inserted mid-session.
    NewCitizen,
}

impl EndReason {
    /// Stable label for metrics.
    pub fn label(self) -> &'static str {
        match self {
            EndReason::Completed => "completed",
            EndReason::Cancelled => "cancelled",
            EndReason::Timeout => "timeout",
            EndReason::NewCitizen => "new_citizen",
        }
    }
}

/// The kinds of printed document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// 一次性告知: everything needed for an item (on A4 where there is an A4 printer).
    Guide,
    /// The application receipt (受理回执): on the roll, and on A4 as well where there is one.
    Receipt,
    /// The appointment slip (on the roll; on A4 only where there is no roll).
    Slip,
}

/// A printable document, independent of any printer: a title, lines of text and an optional
/// QR code. The printer driver lays it out for its paper width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintDoc {
    /// Which document it is: decides the paper where a kiosk has both a receipt roll and
    /// an A4 printer.
    pub kind: DocKind,
    /// The heading (printed large).
    pub title: String,
    /// The body, one line each (the driver wraps long ones).
    pub lines: Vec<String>,
    /// QR code content, printed below the lines.
    pub qr: Option<String>,
}

impl PrintDoc {
    /// What the QR code is for, printed under it on every paper: a receipt's code is the
    /// progress page's address. The slip's code is read by the hall's ticket machine, and
    /// its lines already say so.
    pub fn qr_caption(&self) -> Option<&'static str> {
        match (self.kind, &self.qr) {
            (DocKind::Receipt, Some(_)) => Some("扫描二维码查询办理进度"),
            _ => None,
        }
    }
}
