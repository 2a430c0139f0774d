//! The screens of the session, each with the data only it needs (drafts, lookups). Drafts
//! that hold personal text use [`PersonalText`], zeroized on drop.

use std::time::Duration;

use chrono::NaiveDate;
use hall_api::application::{Progress, ProgressQuery};
use hall_api::appointment::{AppointmentReceipt, Slot};
use hall_api::feedback::{BadRatingReason, HelpKind};
use hall_api::form::FieldError;

use super::personal::PersonalText;
use super::state::{Fault, HelpAck, RequestId};

/// What is on screen.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub enum Screen {
    /// 首页: 办事, 查进度, 预约, 办不成事, 求助; a card or a scan here starts at once.
    Home,
    /// No way in (no reader and no scanner): names what is broken; help still works.
    OutOfService {
        /// What is broken.
        faults: Vec<Fault>,
    },
    /// Insert the ID card (or, without a reader, scan a receipt or appointment code).
    Identify,
    /// Choose an item or a 一件事 bundle.
    Choose(ChooseView),
    /// 一次性告知: the chosen subject's complete materials list, fee and time limit; printable.
    Guide,
    /// The form, prefilled from the card, validated field by field.
    Form,
    /// The materials: reused ones marked, the rest to hand in later.
    Materials,
    /// 免费邮寄 or pick-up, and the address (only when every item allows mail).
    Delivery,
    /// Everything once more before submitting.
    Review,
    /// Waiting for the service to store (and try to deliver) the application.
    Submitting,
    /// The receipt: printed, or on screen with its QR code when there is no printer.
    Receipt,
    /// 好差评: optional, never forced.
    Rating(RatingDraft),
    /// 查进度.
    Progress(ProgressView),
    /// 预约.
    Appointment(AppointmentView),
    /// 办不成事 反映.
    Complaint(ComplaintDraft),
    /// 帮办代办 / 上门服务 request.
    Help(HelpDraft),
    /// 自助打印: result documents printed on A4 by their citizen.
    Prints(super::prints::PrintsView),
    /// A closing message; goes home by itself at `until` (monotonic) or on a touch.
    Farewell {
        /// What to say.
        message: Farewell,
        /// When it goes home by itself.
        until: Duration,
    },
}

impl Screen {
    /// Whether this screen's own data holds personal text.
    pub fn holds_personal_data(&self) -> bool {
        match self {
            Screen::Rating(d) => d.comment.trimmed().is_some() || d.contact.any(),
            Screen::Appointment(v) => v.name.trimmed().is_some() || v.phone.trimmed().is_some(),
            Screen::Complaint(d) => d.text.trimmed().is_some() || d.contact.any(),
            Screen::Help(d) => d.note.trimmed().is_some() || d.contact.any(),
            // The card's number or the receipt, and the list found with it.
            Screen::Prints(v) => v.proof.is_some(),
            _ => false,
        }
    }

    /// A stable name for the screen (prompts, metrics, tests).
    pub fn name(&self) -> &'static str {
        match self {
            Screen::Home => "home",
            Screen::OutOfService { .. } => "outOfService",
            Screen::Identify => "identify",
            Screen::Choose(_) => "choose",
            Screen::Guide => "guide",
            Screen::Form => "form",
            Screen::Materials => "materials",
            Screen::Delivery => "delivery",
            Screen::Review => "review",
            Screen::Submitting => "submitting",
            Screen::Receipt => "receipt",
            Screen::Rating(_) => "rating",
            Screen::Progress(_) => "progress",
            Screen::Appointment(_) => "appointment",
            Screen::Complaint(_) => "complaint",
            Screen::Help(_) => "help",
            Screen::Prints(_) => "prints",
            Screen::Farewell { .. } => "farewell",
        }
    }
}

/// How the citizen looks for an item.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub enum ChooseView {
    /// 常办事项 (the default).
    MostUsed,
    /// Every department.
    Departments,
    /// One department's items.
    Department(String),
    /// 一件事 bundles.
    Bundles,
    /// Items and bundles whose name or code contains the query.
    Search(String),
}

/// A call-back contact being typed (name optional, phone).
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct ContactDraft {
    /// 称呼 (optional).
    pub name: PersonalText,
    /// Phone.
    pub phone: PersonalText,
}

impl ContactDraft {
    /// Whether anything was typed.
    pub fn any(&self) -> bool {
        self.name.trimmed().is_some() || self.phone.trimmed().is_some()
    }
}

/// A rating being given.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct RatingDraft {
    /// 1 (非常不满意) … 5 (非常满意), once chosen.
    pub level: Option<u8>,
    /// Reasons, for a 差评.
    pub reasons: Vec<BadRatingReason>,
    /// Free text.
    pub comment: PersonalText,
    /// Call-back contact for a 差评 (optional).
    pub contact: ContactDraft,
    /// What is wrong with the draft after a send attempt.
    pub errors: Vec<FieldError>,
    /// For a later rating from the progress page: the scanned receipt (otherwise the rating
    /// is for the application just submitted).
    pub later: Option<ProgressQuery>,
}

/// The progress page.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub enum ProgressView {
    /// Scan the receipt's QR code (or insert the ID card).
    Waiting,
    /// Asking the hall.
    Loading {
        /// The pending request.
        request: RequestId,
        /// The scanned receipt, when asked by receipt (kept for a later rating).
        receipt: Option<ProgressQuery>,
    },
    /// What the hall said.
    Shown {
        /// The applications found.
        list: Vec<Progress>,
        /// The scanned receipt, when asked by receipt: an unrated application can then be
        /// rated here (好差评 allows rating later through the receipt QR).
        receipt: Option<ProgressQuery>,
    },
    /// The code is not known to the hall.
    NotFound,
    /// The hall could not be reached.
    Unreachable,
}

/// Appointment booking, stage by stage.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct AppointmentView {
    /// The item the visit is for, when booked from a guide.
    pub item_code: Option<String>,
    /// Where in the booking the citizen is.
    pub stage: AppointmentStage,
    /// Name for the booking (from the card when there is one).
    pub name: PersonalText,
    /// Phone for reminders.
    pub phone: PersonalText,
    /// What is wrong with name or phone after a booking attempt.
    pub errors: Vec<FieldError>,
}

/// The stages of a booking.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub enum AppointmentStage {
    /// Pick a department.
    Department,
    /// Pick a day, then a slot.
    Slots {
        /// The department.
        department: String,
        /// The pending fetch, while slots load.
        loading: Option<RequestId>,
        /// The slots offered (empty until loaded).
        slots: Vec<Slot>,
        /// The day picked, if any.
        day: Option<NaiveDate>,
        /// The fetch failed.
        failed: bool,
    },
    /// Name and phone for the chosen slot.
    Contact {
        /// The slot.
        slot: Slot,
    },
    /// Waiting for the booking.
    Booking {
        /// The slot.
        slot: Slot,
        /// The booking's idempotency key.
        key: String,
    },
    /// Booked: the slip (printed, or on screen).
    Booked(AppointmentReceipt),
    /// Looking up a scanned appointment code.
    Lookup(RequestId),
    /// The hall could not be reached or refused; try again later.
    Failed,
}

/// A 办不成事 complaint being typed.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct ComplaintDraft {
    /// The item it concerns (the current transaction's, if any).
    pub item_code: Option<String>,
    /// What could not be done.
    pub text: PersonalText,
    /// Who to call back (optional).
    pub contact: ContactDraft,
    /// What is wrong after a send attempt.
    pub errors: Vec<FieldError>,
}

/// A help request (代办, 上门服务) being typed; plain 帮办 is one key, anywhere.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct HelpDraft {
    /// What help.
    #[cfg_attr(test, serde(skip))]
    pub kind: HelpKind,
    /// The item it concerns (the current transaction's, if any).
    pub item_code: Option<String>,
    /// A short note.
    pub note: PersonalText,
    /// Who to call (required for 代办 and 上门服务).
    pub contact: ContactDraft,
    /// What is wrong after a send attempt.
    pub errors: Vec<FieldError>,
}

/// The closing messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub enum Farewell {
    /// 感谢您的评价.
    ThanksForRating,
    /// The transaction is done (rating skipped or not possible).
    Done,
    /// The complaint was taken.
    ComplaintSent,
    /// The help request was sent; where it stands.
    HelpRequested(HelpAck),
}
