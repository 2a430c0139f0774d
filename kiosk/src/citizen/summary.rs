//! What `kioskctl session show` prints: the screen and what is on it, with personal data
//! masked exactly as on screen. Technicians and the end-to-end tests read it; nothing here
//! can reveal more than the screen itself.

use serde::{Deserialize, Serialize};
use vocab::mask::{mask_id_number, mask_name};

use crate::session::prints::{PrintStage, PrintsView};
use crate::session::screens::{AppointmentStage, ProgressView};
use crate::session::transaction::Submission;
use crate::session::{prompts, Screen, Session};

/// The session as a technician may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionSummary {
    /// The screen's stable name (`home`, `choose`, `form`, `receipt`, …).
    pub screen: String,
    /// The words of the screen's voice prompt (what elder mode says and shows).
    pub prompt: String,
    /// The notice over the screen (`CardReadFailed`, `PrintFailed`, …).
    pub notice: Option<String>,
    /// `zh-CN` or `en`.
    pub language: String,
    /// 长辈模式.
    pub elder_mode: bool,
    /// Prompts are spoken.
    pub voice: bool,
    /// 轮椅模式: every control within reach of a seated citizen.
    #[serde(default)]
    pub reach: bool,
    /// Staff were called.
    pub help_called: bool,
    /// Where the latest call for staff stands: `Waiting`, `Notified` or `Hotline`.
    pub help_ack: String,
    /// Seconds left on the idle countdown, while it shows.
    pub countdown_seconds: Option<u64>,
    /// Which devices citizens can use: reader, printer, scanner.
    pub devices: [bool; 3],
    /// What is broken, for the out-of-service screen.
    pub faults: Vec<String>,
    /// The catalog version in use.
    pub catalog_version: Option<String>,
    /// Whether the session holds any personal data now.
    pub holds_personal_data: bool,
    /// The identified citizen, masked (`张*  3301**********1234`).
    pub citizen: Option<String>,
    /// The item or bundle being applied for.
    pub subject: Option<String>,
    /// Form field keys with an error.
    pub field_errors: Vec<String>,
    /// The phone number the hall knows from before, masked (`138****5678`), if it offered one.
    pub known_phone: Option<String>,
    /// The citizen chose it: the hall fills the phone field from its token.
    pub uses_known_phone: bool,
    /// `pending`, `delivered` or `queued`, once submitted.
    pub submission: Option<String>,
    /// The idempotency key of the submission.
    pub submission_key: Option<String>,
    /// The hall's tracking code, once delivered.
    pub tracking_code: Option<String>,
    /// The progress page: stage of each application found (`received`, `done`…), or
    /// `notFound` / `unreachable` / `loading` / `waiting`.
    pub progress: Vec<String>,
    /// The appointment's stage, or its reference once booked.
    pub appointment: Option<String>,
    /// The document camera takes pages now.
    #[serde(default)]
    pub camera: bool,
    /// The A4 printer prints now.
    #[serde(default)]
    pub a4printer: bool,
    /// The application's materials, each `code source` (`hukoubu scanned 3`: photographed
    /// here, 3 pages; `sfz idCardRead`; `hukoubu later`).
    #[serde(default)]
    pub materials: Vec<String>,
    /// The material being photographed: `code N pages`, then `waiting page|pdf` while the
    /// camera or the PDF is being made, and `problem NoSheet`… after something went wrong.
    #[serde(default)]
    pub capture: Option<String>,
    /// 自助打印: `waiting`, `loading`, `list` then `ID COPIES-LEFT` per document, `printing ID`,
    /// `printed`, or `problem NoDocuments`…; empty on other screens.
    #[serde(default)]
    pub prints: Vec<String>,
}

impl SessionSummary {
    /// The summary of a state.
    pub fn of(s: &Session) -> SessionSummary {
        let t = s.transaction.as_ref();
        let submission = t.and_then(|t| t.submission.as_ref());
        SessionSummary {
            screen: s.screen.name().to_owned(),
            prompt: prompts::prompt(s),
            notice: s.notice.map(|n| format!("{n:?}")),
            language: wire(&s.language),
            elder_mode: s.elder_mode,
            voice: s.voice,
            reach: s.reach,
            help_called: s.help_called,
            help_ack: format!("{:?}", s.help_ack),
            countdown_seconds: s.countdown_remaining().map(|d| d.as_secs()),
            devices: [s.devices.reader, s.devices.printer, s.devices.scanner],
            faults: s.faults().iter().map(|f| format!("{f:?}")).collect(),
            catalog_version: s.catalog.as_ref().map(|c| c.version.clone()),
            holds_personal_data: s.holds_personal_data(),
            citizen: s
                .citizen
                .as_ref()
                .map(|c| format!("{}  {}", mask_name(&c.name), mask_id_number(&c.id_number))),
            subject: t.map(|t| t.title.clone()),
            field_errors: t
                .map(|t| t.errors.keys().cloned().collect())
                .unwrap_or_default(),
            known_phone: t.and_then(|t| t.known_phone.as_ref().map(|k| k.masked.clone())),
            uses_known_phone: t.is_some_and(|t| t.use_known_phone),
            submission: submission.map(|sub| {
                match sub {
                    Submission::Pending { .. } => "pending",
                    Submission::Delivered { .. } => "delivered",
                    Submission::Queued { .. } => "queued",
                }
                .to_owned()
            }),
            submission_key: submission.map(|sub| sub.key().to_owned()),
            tracking_code: submission.and_then(|sub| match sub {
                Submission::Delivered { receipt, .. } => Some(receipt.tracking_code.clone()),
                _ => None,
            }),
            progress: match &s.screen {
                Screen::Progress(view) => progress(view),
                _ => Vec::new(),
            },
            appointment: match &s.screen {
                Screen::Appointment(view) => Some(match &view.stage {
                    AppointmentStage::Department => "department".to_owned(),
                    AppointmentStage::Slots { .. } => "slots".to_owned(),
                    AppointmentStage::Contact { .. } => "contact".to_owned(),
                    AppointmentStage::Booking { .. } => "booking".to_owned(),
                    AppointmentStage::Booked(b) => format!("booked {}", b.reference),
                    AppointmentStage::Lookup(_) => "lookup".to_owned(),
                    AppointmentStage::Failed => "failed".to_owned(),
                }),
                _ => None,
            },
            camera: s.devices.camera,
            a4printer: s.devices.a4printer,
            materials: t
                .map(|t| {
                    t.materials
                        .iter()
                        .map(|l| {
                            let mut line = format!("{} {}", l.material.code, wire(&l.source));
                            if let Some(scan) = &l.scan {
                                line.push_str(&format!(" {}", scan.pages));
                            }
                            line
                        })
                        .collect()
                })
                .unwrap_or_default(),
            capture: t.and_then(|t| t.capture.as_ref()).map(|c| {
                let mut line = format!("{} {} pages", c.code, c.pages.len());
                match c.waiting {
                    Some(crate::session::capture::CaptureWait::Page { .. }) => {
                        line.push_str(" waiting page")
                    }
                    Some(crate::session::capture::CaptureWait::Pdf(_)) => {
                        line.push_str(" waiting pdf")
                    }
                    None => {}
                }
                if let Some(p) = c.problem {
                    line.push_str(&format!(" problem {p:?}"));
                }
                line
            }),
            prints: match &s.screen {
                Screen::Prints(view) => prints(view),
                _ => Vec::new(),
            },
        }
    }
}

fn prints(view: &PrintsView) -> Vec<String> {
    match &view.stage {
        PrintStage::Waiting => vec!["waiting".into()],
        PrintStage::Loading(_) => vec!["loading".into()],
        PrintStage::List => std::iter::once("list".to_owned())
            .chain(
                view.documents
                    .iter()
                    .map(|d| format!("{} {}", d.id, d.copies_left)),
            )
            .collect(),
        PrintStage::Printing { id, .. } => vec![format!("printing {id}")],
        PrintStage::Printed { .. } => vec!["printed".into()],
        PrintStage::Problem(p) => vec![format!("problem {p:?}")],
    }
}

fn progress(view: &ProgressView) -> Vec<String> {
    match view {
        ProgressView::Waiting => vec!["waiting".into()],
        ProgressView::Loading { .. } => vec!["loading".into()],
        ProgressView::Shown { list, .. } => list
            .iter()
            .map(|p| format!("{} {}", p.tracking_code, wire(&p.status)))
            .collect(),
        ProgressView::NotFound => vec!["notFound".into()],
        ProgressView::Unreachable => vec!["unreachable".into()],
    }
}

/// A value's name on the wire (`"zh-CN"`, `"received"`), without quotes.
pub fn wire<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}
