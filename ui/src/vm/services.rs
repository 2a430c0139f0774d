//! View models of the services beside the application path: appointments, 办不成事 complaints,
//! help requests, the farewell, and the notice banner over any screen.

use super::Department;

/// Where a booking is (the session's `AppointmentStage`, its `Slots` split into day and slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AppointmentStage {
    /// Pick a department.
    #[default]
    Department,
    /// Pick a day (slots loaded, no day yet).
    Day,
    /// Pick a slot of the chosen day.
    Slot,
    /// Name and phone for the chosen slot.
    Contact,
    /// Waiting for the booking.
    Booking,
    /// Booked: the slip.
    Booked,
    /// Slots or a scanned booking are loading.
    Loading,
    /// The hall could not be reached or refused.
    Failed,
}

/// A day or slot to pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickOption {
    /// A day as `YYYY-MM-DD` (what `PickDay` parses), or a slot id (what `PickSlot` takes).
    pub id: String,
    /// What the button says (11月27日 周五, 09:00–09:30).
    pub label: String,
    /// Bookings still free; 0 shows the option full and disabled.
    pub free: u32,
}

/// A box of the booking contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactField {
    /// Name.
    Name,
    /// Phone.
    Phone,
}

/// The appointment screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AppointmentVm {
    /// The stage.
    pub stage: AppointmentStage,
    /// Departments to book with.
    pub departments: Vec<Department>,
    /// The chosen department's name.
    pub department_name: String,
    /// Days with their free counts.
    pub days: Vec<PickOption>,
    /// The chosen day, worded.
    pub day_label: String,
    /// Slots of the chosen day with their free counts.
    pub slots: Vec<PickOption>,
    /// The chosen slot, worded.
    pub slot_label: String,
    /// Name for the booking (the citizen types or checks it).
    pub name: String,
    /// Its error.
    pub name_error: String,
    /// Phone for reminders.
    pub phone: String,
    /// Its error.
    pub phone_error: String,
    /// The box the keyboard types into.
    pub active: Option<ContactField>,
    /// The booking's reference code, once booked.
    pub reference: String,
    /// What the slip's QR code encodes.
    pub qr_payload: String,
    /// Where to go (hall, floor, window).
    pub place: String,
    /// The page of the list of the stage (departments, days or slots) shown: that list holds
    /// that page only.
    pub paging: super::Paging,
    /// The departments' names are long (English): one to a row where they would be two.
    pub long_names: bool,
}

/// A box of a complaint or help request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageField {
    /// The complaint text or the help note.
    Text,
    /// Call-back name.
    Name,
    /// Call-back phone.
    Phone,
}

impl MessageField {
    /// The box at a screen position (what `activate` reports).
    pub fn from_index(index: i32) -> Option<MessageField> {
        match index {
            0 => Some(MessageField::Text),
            1 => Some(MessageField::Name),
            2 => Some(MessageField::Phone),
            _ => None,
        }
    }
}

/// A text with an optional call-back contact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageVm {
    /// The text.
    pub text: String,
    /// Its error.
    pub text_error: String,
    /// Call-back name.
    pub name: String,
    /// Call-back phone.
    pub phone: String,
    /// Its error.
    pub phone_error: String,
    /// The box the keyboard types into.
    pub active: Option<MessageField>,
}

/// The 办不成事 screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComplaintVm {
    /// The item it concerns ("" for none).
    pub item_name: String,
    /// What was typed.
    pub message: MessageVm,
}

/// The kind of help asked for (the one enum in `vocab`). On this screen: 代办 or 上门服务
/// (帮办 at the kiosk is `CallForHelp`, not a request).
pub use vocab::help::HelpKind;

/// The help-request screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpVm {
    /// What help.
    pub kind: HelpKind,
    /// The item it concerns ("" for none).
    pub item_name: String,
    /// What was typed (the contact is required).
    pub message: MessageVm,
}

impl Default for HelpVm {
    /// The screen opens on 代办.
    fn default() -> Self {
        HelpVm {
            kind: HelpKind::Proxy,
            item_name: String::new(),
            message: MessageVm::default(),
        }
    }
}

/// The closing messages (the session's `Farewell`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FarewellKind {
    /// 感谢您的评价.
    ThanksForRating,
    /// The transaction is done.
    #[default]
    Done,
    /// The complaint was taken.
    ComplaintSent,
    /// The help request was sent; the hall has not answered yet.
    HelpSending,
    /// The hall passed the help request on to the on-duty staff.
    HelpRequested,
    /// The help request is kept, but nobody on duty could be told now (the hotline).
    HelpSaved,
}

/// Where a call for staff (一键求助) stands, shown on every screen until the session ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HelpCall {
    /// Nobody was called.
    #[default]
    None,
    /// Called; the hall has not answered yet.
    Calling,
    /// The hall told the on-duty staff.
    Notified,
    /// Nobody on duty could be told now: the hotline.
    Hotline,
}

/// A short message over the current screen (the session's `Notice`, one for one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// The card could not be read.
    CardReadFailed,
    /// The scanned code is neither a receipt nor an appointment code.
    UnknownCode,
    /// The ID-card reader does not work now.
    ReaderUnavailable,
    /// The printer does not work now.
    PrinterUnavailable,
    /// Printing failed; the document shows on screen.
    PrintFailed,
    /// The ID card is needed first.
    CardNeeded,
    /// The item cannot be completed at the kiosk.
    NotKioskCompletable,
    /// A different card: the previous session was closed.
    NewCitizen,
    /// Staff are being called.
    HelpCalled,
    /// The on-duty staff were told.
    HelpNotified,
    /// Nobody on duty could be told: the hotline.
    HelpHotline,
    /// The hall could not be reached.
    HallUnreachable,
    /// The chosen item or bundle is no longer in the catalog.
    UnknownSubject,
}

impl NoticeKind {
    /// Every notice (screenshots show each).
    pub const ALL: [NoticeKind; 13] = [
        NoticeKind::CardReadFailed,
        NoticeKind::UnknownCode,
        NoticeKind::ReaderUnavailable,
        NoticeKind::PrinterUnavailable,
        NoticeKind::PrintFailed,
        NoticeKind::CardNeeded,
        NoticeKind::NotKioskCompletable,
        NoticeKind::NewCitizen,
        NoticeKind::HelpCalled,
        NoticeKind::HelpNotified,
        NoticeKind::HelpHotline,
        NoticeKind::HallUnreachable,
        NoticeKind::UnknownSubject,
    ];
}
