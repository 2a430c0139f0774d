//! Everything that can happen to a session: the clock, the citizen's touches (from the UI),
//! devices (card, scanner, availability) and the results of effects (from the service).

use std::sync::Arc;

use chrono::NaiveDate;
use hall_api::application::{ApplicationReceipt, Progress, ReusableMaterials};
use hall_api::appointment::{AppointmentReceipt, SlotList};
use hall_api::catalog::Catalog;
use hall_api::feedback::{BadRatingReason, HelpKind};
use hall_api::form::FieldError;
use kiosk_config::schema::Language;
use kiosk_drivers::status::DeviceClass;
use kiosk_drivers::ErrorKind;

use super::citizen::Citizen;
use super::config::Now;
use super::personal::{FieldValue, PersonalText};
use super::state::RequestId;

/// An event the service feeds into [`step`](super::step).
#[derive(Debug, Clone)]
pub enum Event {
    /// The time. The service sends one about every second (the countdown shows seconds), and
    /// one right before each input so that the input is stamped with the right time.
    Tick(Now),
    /// A touch on the screen (or a key), from the UI.
    Ui(UiInput),
    /// A (new) catalog was loaded, from the hall or the on-disk cache; `most_used` are item
    /// codes for 常办事项, most used first.
    CatalogLoaded {
        /// The catalog.
        catalog: Arc<Catalog>,
        /// Item codes for "most used".
        most_used: Vec<String>,
    },
    /// A device became usable or unusable.
    DeviceChanged {
        /// Which.
        device: DeviceClass,
        /// Whether it works now.
        available: bool,
    },
    /// An ID card was read.
    CardRead(Citizen),
    /// A card was put on the reader but could not be read; the kind says why (the card,
    /// the link, or the reader), and with it what the citizen is told.
    CardReadFailed(ErrorKind),
    /// The card was taken off the reader. Not a reset: the citizen may keep going without
    /// it (the data read stays until the session ends).
    CardRemoved,
    /// The scanner read a code (a receipt's QR code, an appointment code, or anything else).
    Scanned(String),
    /// A printout failed (paper out, jam); the document shows on screen instead.
    PrintFailed,
    /// The answer to `FetchReusableMaterials`.
    ReusableMaterialsFetched {
        /// The request answered.
        request: RequestId,
        /// The materials, or `None` if the hall could not be asked.
        result: Option<ReusableMaterials>,
    },
    /// The answer to `FetchKnownContact`.
    KnownContactFetched {
        /// The request answered.
        request: RequestId,
        /// What the hall knows, or `None` if it could not be asked.
        result: Option<hall_api::contact::KnownContact>,
    },
    /// The answer to `Submit`.
    SubmitResult {
        /// The application's idempotency key.
        key: String,
        /// What happened.
        outcome: SubmitOutcome,
    },
    /// The answer to `SubmitHelpRequest`.
    HelpAnswered {
        /// The help request's idempotency key.
        key: String,
        /// The hall recorded it and passed it on to the on-duty staff.
        notified: bool,
    },
    /// The answer to `FetchProgress`.
    ProgressFetched {
        /// The request answered.
        request: RequestId,
        /// What the hall said.
        result: LookupResult<Vec<Progress>>,
    },
    /// The answer to `FetchSlots`.
    SlotsFetched {
        /// The request answered.
        request: RequestId,
        /// The slots.
        result: LookupResult<SlotList>,
    },
    /// The answer to `Book`.
    BookResult {
        /// The booking's idempotency key.
        key: String,
        /// What happened.
        outcome: BookOutcome,
    },
    /// The answer to `TakePage`: the page (a greyscale JPEG from the camera's page
    /// pipeline), or why there is none.
    PageTaken {
        /// The request answered.
        request: RequestId,
        /// The page.
        result: Result<super::capture::DocBytes, super::capture::CaptureProblem>,
    },
    /// The answer to `AssembleMaterial`: the material's PDF with its hash.
    MaterialAssembled {
        /// The request answered.
        request: RequestId,
        /// The PDF.
        result: Result<super::capture::ScannedDoc, super::capture::CaptureProblem>,
    },
    /// The answer to `FetchPrintable`: the result documents the citizen may print.
    PrintableFetched {
        /// The request answered.
        request: RequestId,
        /// The documents.
        result: LookupResult<Vec<hall_api::attachment::PrintableDocument>>,
    },
    /// The answer to `PrintResultDocument`.
    ResultDocumentPrinted {
        /// The request answered.
        request: RequestId,
        /// What became of it.
        outcome: super::prints::PrintOutcome,
    },
    /// The answer to `FetchAppointment` (a scanned appointment code).
    AppointmentFetched {
        /// The request answered.
        request: RequestId,
        /// The booking.
        result: LookupResult<AppointmentReceipt>,
    },
}

/// What became of a submitted application.
#[derive(Debug, Clone, PartialEq)]
pub enum SubmitOutcome {
    /// The hall has it.
    Delivered(ApplicationReceipt),
    /// Stored in the outbox; the hall could not be reached now.
    Queued,
    /// The hall refused it with field errors (form keys, or `delivery.address.*`).
    Refused(Vec<FieldError>),
}

/// What became of a booking.
#[derive(Debug, Clone, PartialEq)]
pub enum BookOutcome {
    /// Booked.
    Booked(AppointmentReceipt),
    /// The slot is full now, or the hall refused the contact details.
    Refused(Vec<FieldError>),
    /// The hall could not be reached.
    Unreachable,
}

/// The result of a lookup at the hall.
#[derive(Debug, Clone, PartialEq)]
pub enum LookupResult<T> {
    /// Found.
    Found(T),
    /// The hall does not know it.
    NotFound,
    /// The hall could not be reached.
    Unreachable,
}

/// A touch from the UI. Inputs that make no sense on the current screen are ignored.
#[derive(Debug, Clone, PartialEq)]
pub enum UiInput {
    /// 返回首页: from any screen; ends the session and wipes personal data.
    Home,
    /// 返回: one screen back.
    Back,
    /// 长辈模式 on/off, from any screen.
    ToggleElderMode,
    /// 语音: speak the prompts, or stop.
    ToggleVoice,
    /// 轮椅模式 on/off: every control within reach of a seated citizen, from any screen.
    ToggleReachMode,
    /// Language, from any screen.
    SetLanguage(Language),
    /// 一键求助: staff come to the kiosk (帮办), from any screen.
    CallForHelp,
    /// "I'm still here": cancels the idle countdown (any touch does).
    StillHere,
    /// Closes the notice.
    DismissNotice,
    /// Home: 我要办事.
    StartApplying,
    /// Home: 查进度.
    OpenProgress,
    /// Home or a guide: 预约.
    OpenAppointment,
    /// Home or anywhere in a transaction: 办不成事.
    OpenComplaint,
    /// Home: 代办 / 上门服务 request.
    OpenHelpRequest(HelpKind),
    /// Identify (no reader, or just looking): browse the guides without a card.
    Browse,
    /// Choose: switch view.
    ShowMostUsed,
    /// Choose: every department.
    ShowDepartments,
    /// Choose: one department's items.
    OpenDepartment(String),
    /// Choose: 一件事 bundles.
    ShowBundles,
    /// Choose: search by name or code.
    Search(String),
    /// Choose: this item.
    PickItem(String),
    /// Choose: this bundle.
    PickBundle(String),
    /// Guide: print the materials list.
    PrintGuide,
    /// Guide: start filling in.
    StartForm,
    /// Form: a field's value (JSON: text, number, boolean; `null` clears).
    SetField {
        /// The field key.
        key: String,
        /// The value (masked in `Debug`).
        value: FieldValue,
    },
    /// A text box outside the form.
    SetText {
        /// Which box.
        field: TextField,
        /// Its text (masked in `Debug`).
        value: PersonalText,
    },
    /// Materials: how one material is given (reuse only where the hall holds it; `scanned`
    /// opens the camera for a material the catalog lets the kiosk photograph).
    SetMaterialSource {
        /// The material code.
        code: String,
        /// Reused or later.
        source: hall_api::application::MaterialSource,
    },
    /// Camera (materials, a material being photographed): 拍照 / 下一页, take a page.
    TakePage,
    /// Camera: 重拍, take the last page again.
    RetakePage,
    /// Camera: 完成, the material's pages are all taken.
    FinishMaterial,
    /// Delivery: 免费邮寄 (true) or pick-up (false).
    ChooseMail(bool),
    /// Review: 更改领取方式 (the delivery page, which the path skips: collecting at the window
    /// is assumed until the citizen changes it).
    ChangeDelivery,
    /// Next (form, materials, delivery).
    Next,
    /// Review: tick or untick "text me the progress" (办理进度短信通知).
    ToggleNotifyConsent,
    /// Use (or stop using) the phone number given to the hall before, shown masked.
    UseKnownPhone,
    /// Review: 提交.
    Submit,
    /// Receipt: print again (if the printer works).
    Reprint,
    /// Receipt / booking slip: done; on to the rating (or home).
    Done,
    /// Rating: the level, 1–5.
    RateLevel(u8),
    /// Rating: tick or untick a 差评 reason.
    ToggleReason(BadRatingReason),
    /// Rating, complaint, help request: send.
    Send,
    /// Rating: 跳过 (never forced).
    SkipRating,
    /// Progress: look up by the ID card on the reader (or already read).
    ProgressByCard,
    /// Progress (by receipt, not yet rated): rate it now.
    RateLater,
    /// Appointment: this department.
    PickDepartment(String),
    /// Appointment: this day.
    PickDay(NaiveDate),
    /// Appointment: this slot id.
    PickSlot(String),
    /// Appointment: book.
    Book,
    /// Home: 自助打印 (result documents on the A4 printer).
    OpenPrints,
    /// 自助打印: look up by the ID card on the reader (or already read).
    PrintsByCard,
    /// 自助打印: print this document (its id from the hall's list).
    PrintDocument(String),
    /// 自助打印: back to the list (打印其他).
    ShowPrintList,
}

/// Text boxes outside the item form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    /// Mailing address: 收件人.
    Recipient,
    /// Mailing address: 联系电话.
    RecipientPhone,
    /// Mailing address: 省/市/区县.
    Region,
    /// Mailing address: street etc.
    AddressDetail,
    /// Rating comment, complaint text, or help note.
    Comment,
    /// Call-back or booking name.
    ContactName,
    /// Call-back or booking phone.
    ContactPhone,
}
