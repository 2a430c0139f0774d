//! The session state. The state is the view: the UI draws [`Session::screen`] with the flags
//! beside it (language, elder mode, countdown, notice, what the devices allow) and needs no
//! separate "show screen" effect.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use hall_api::catalog::Catalog;
use kiosk_config::schema::Language;
use kiosk_drivers::status::DeviceClass;

use super::citizen::Citizen;
use super::config::{Now, SessionConfig};
use super::docs;
use super::effect::PrintDoc;
use super::error::SessionError;
use super::prints::PrintStage;
use super::screens::{AppointmentStage, ProgressView, Screen};
use super::transaction::Transaction;

/// An asynchronous request the machine made (a fetch); its result event carries the same id,
/// and a result whose id the state no longer waits for (the citizen left, or asked again) is
/// ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct RequestId(pub u64);

/// Which devices work right now, as the service last reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct Devices {
    /// The ID-card reader can read.
    pub reader: bool,
    /// The receipt printer can print (online, paper not out, cover closed).
    pub printer: bool,
    /// The QR / barcode scanner can scan.
    pub scanner: bool,
    /// The loudspeaker plays (voice prompts); never needed to serve, only to speak.
    pub audio: bool,
    /// The document camera takes pages (materials photographed at the kiosk); without it
    /// materials are handed in at the window or by mail.
    pub camera: bool,
    /// The A4 printer can print (the 一次性告知 list and the A4 受理回执 go to it).
    pub a4printer: bool,
}

impl Devices {
    /// Whether anything can print: the receipt roll, or the A4 printer.
    pub fn can_print(&self) -> bool {
        self.printer || self.a4printer
    }

    /// Whether this device class works.
    pub fn get(&self, device: DeviceClass) -> bool {
        match device {
            DeviceClass::IdCardReader => self.reader,
            DeviceClass::ReceiptPrinter => self.printer,
            DeviceClass::Scanner => self.scanner,
            DeviceClass::Audio => self.audio,
            DeviceClass::Camera => self.camera,
            DeviceClass::A4Printer => self.a4printer,
        }
    }

    pub(crate) fn set(&mut self, device: DeviceClass, available: bool) {
        match device {
            DeviceClass::IdCardReader => self.reader = available,
            DeviceClass::ReceiptPrinter => self.printer = available,
            DeviceClass::Scanner => self.scanner = available,
            DeviceClass::Audio => self.audio = available,
            DeviceClass::Camera => self.camera = available,
            DeviceClass::A4Printer => self.a4printer = available,
        }
    }
}

/// Something broken that the out-of-service screen names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(test, derive(serde::Serialize))]
pub enum Fault {
    /// The ID-card reader does not work.
    Reader,
    /// The scanner does not work.
    Scanner,
    /// The printer does not work.
    Printer,
    /// No service catalog could be loaded (neither from the hall nor from the cache).
    NoCatalog,
}

/// What the kiosk can offer with the devices and data it has; the UI greys out the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offers {
    /// Apply for an item (needs the reader and a catalog).
    pub apply: bool,
    /// Browse the service guides (needs a catalog).
    pub browse: bool,
    /// Identify with the ID card (needs the reader).
    pub id_card: bool,
    /// Scan a receipt's QR code or an appointment code (needs the scanner).
    pub scan: bool,
    /// Book an appointment (needs a catalog for the departments).
    pub appointment: bool,
    /// Print (materials lists, receipts, booking slips); without it receipts show on screen.
    pub print: bool,
    /// 自助打印 of result documents (needs the A4 printer; home shows why when it cannot).
    pub self_print: bool,
}

/// The idle watch: when the citizen last did anything, and the countdown once it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct Idle {
    /// Monotonic time of the last input (touch, card, scan).
    pub last_input: Duration,
    /// When the running countdown ends; `None` while no countdown shows.
    pub countdown_until: Option<Duration>,
}

/// A short message over the current screen, until the next input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub enum Notice {
    /// The card could not be read; try again.
    CardReadFailed,
    /// A code was scanned that is neither a receipt nor an appointment code.
    UnknownCode,
    /// That needs the ID-card reader, which does not work now.
    ReaderUnavailable,
    /// That needs the printer, which does not work now.
    PrinterUnavailable,
    /// Printing failed; the document is shown on screen instead.
    PrintFailed,
    /// That needs the ID card first.
    CardNeeded,
    /// This item cannot be completed at the kiosk: read the guide, or book a visit.
    NotKioskCompletable,
    /// A different card was inserted: the previous citizen's session was closed.
    NewCitizen,
    /// Staff are being called (一键求助): the hall has not answered yet.
    HelpCalled,
    /// The hall passed the call on to the on-duty staff: they will come.
    HelpNotified,
    /// The call could not be passed on now: the citizen is shown the hotline.
    HelpHotline,
    /// The hall could not be reached; try again later.
    HallUnreachable,
    /// The chosen item or bundle is not in the catalog (the catalog changed).
    UnknownSubject,
}

impl Notice {
    /// Every notice.
    pub const ALL: [Notice; 13] = [
        Notice::CardReadFailed,
        Notice::UnknownCode,
        Notice::ReaderUnavailable,
        Notice::PrinterUnavailable,
        Notice::PrintFailed,
        Notice::CardNeeded,
        Notice::NotKioskCompletable,
        Notice::NewCitizen,
        Notice::HelpCalled,
        Notice::HelpNotified,
        Notice::HelpHotline,
        Notice::HallUnreachable,
        Notice::UnknownSubject,
    ];
}

/// Where a call for staff stands. The citizen is told "已通知值班人员" only once the hall has
/// said it passed the call on; otherwise the hotline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub enum HelpAck {
    /// Sent; the hall has not answered yet.
    Waiting,
    /// The hall recorded it and notified the on-duty staff.
    Notified,
    /// Not passed on now (kept on this kiosk for later, or nobody on duty is notified by the
    /// hall): the citizen should call the hotline.
    Hotline,
}

/// The whole state of the citizen session. `Debug` masks personal data (through its
/// holders) and names the catalog by version only.
#[derive(Clone)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct Session {
    /// Settings given at creation.
    #[cfg_attr(test, serde(skip))]
    pub config: Arc<SessionConfig>,
    /// The latest time the service told.
    pub now: Now,
    /// The service catalog, once loaded.
    #[cfg_attr(test, serde(skip))]
    pub catalog: Option<Arc<Catalog>>,
    /// Item codes to show under "most used" (常办事项), most used first.
    pub most_used: Vec<String>,
    /// Which devices work.
    pub devices: Devices,
    /// Current language; back to the configured one at home.
    #[cfg_attr(test, serde(skip))]
    pub language: Language,
    /// 长辈模式: large type, and every screen's prompt spoken; off again at home.
    pub elder_mode: bool,
    /// Prompts are spoken (on with elder mode; the 语音 button turns it on or off).
    pub voice: bool,
    /// 轮椅模式: every control in the lower part of a portrait screen, within reach of a
    /// seated citizen; back to the configured default at home.
    pub reach: bool,
    /// The idle watch.
    pub idle: Idle,
    /// What is on screen, with its own data.
    pub screen: Screen,
    /// The identified citizen (from the ID card), if any.
    pub citizen: Option<Citizen>,
    /// The application being prepared, if any.
    pub transaction: Option<Transaction>,
    /// A message over the screen.
    pub notice: Option<Notice>,
    /// Staff were called during this session (the screen shows where the call stands).
    pub help_called: bool,
    /// Where the latest call for staff stands (一键求助, or the help screen's request).
    pub help_ack: HelpAck,
    /// The idempotency keys of the help requests still waiting for the hall's answer.
    pub(crate) help_waiting: Vec<String>,
    /// Source of request ids and idempotency keys; grows for the life of the process.
    pub(crate) counter: u64,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("now", &self.now)
            .field("catalog", &self.catalog.as_ref().map(|c| &c.version))
            .field("devices", &self.devices)
            .field("language", &self.language)
            .field("elder_mode", &self.elder_mode)
            .field("voice", &self.voice)
            .field("reach", &self.reach)
            .field("idle", &self.idle)
            .field("screen", &self.screen)
            .field("citizen", &self.citizen)
            .field("transaction", &self.transaction)
            .field("notice", &self.notice)
            .field("help_called", &self.help_called)
            .field("help_ack", &self.help_ack)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A session at the home screen (or out of service until the devices and the catalog are
    /// reported). The service creates one at start and feeds it every event. Fails only if
    /// `config.instance` cannot stem idempotency keys.
    pub fn new(config: SessionConfig, now: Now) -> Result<Session, SessionError> {
        if !config.instance_is_valid() {
            return Err(SessionError::InvalidInstance {
                len: config.instance.len(),
            });
        }
        let (language, reach) = (config.language, config.reach_mode);
        let mut s = Session {
            config: Arc::new(config),
            now,
            catalog: None,
            most_used: Vec::new(),
            devices: Devices::default(),
            language,
            elder_mode: false,
            voice: false,
            reach,
            idle: Idle {
                last_input: now.mono,
                countdown_until: None,
            },
            screen: Screen::Home,
            citizen: None,
            transaction: None,
            notice: None,
            help_called: false,
            help_ack: HelpAck::Waiting,
            help_waiting: Vec::new(),
            counter: 0,
        };
        s.screen = s.resting_screen();
        Ok(s)
    }

    /// The receipt of the submitted application, for the receipt screen (which shows it,
    /// QR code included, whether or not it could be printed); `None` before a result.
    pub fn receipt_doc(&self) -> Option<PrintDoc> {
        let (t, c) = (self.transaction.as_ref()?, self.citizen.as_ref()?);
        docs::receipt(t, c, &self.config.hall_name, &self.config.progress_url)
    }

    /// What the kiosk can offer now.
    pub fn offers(&self) -> Offers {
        let catalog = self.catalog.is_some();
        Offers {
            apply: self.devices.reader && catalog,
            browse: catalog,
            id_card: self.devices.reader,
            scan: self.devices.scanner,
            appointment: catalog,
            print: self.devices.can_print(),
            self_print: self.devices.a4printer,
        }
    }

    /// Everything broken, for the out-of-service screen and the status line.
    pub fn faults(&self) -> Vec<Fault> {
        let mut faults = Vec::new();
        if !self.devices.reader {
            faults.push(Fault::Reader);
        }
        if !self.devices.scanner {
            faults.push(Fault::Scanner);
        }
        if !self.devices.printer {
            faults.push(Fault::Printer);
        }
        if self.catalog.is_none() {
            faults.push(Fault::NoCatalog);
        }
        faults
    }

    /// Out of service when there is no way in: neither the card reader nor the scanner
    /// works, so nobody can identify or look anything up.
    pub fn out_of_service(&self) -> bool {
        !self.devices.reader && !self.devices.scanner
    }

    /// The screen with no session on it: home, or out of service naming what is broken.
    pub(crate) fn resting_screen(&self) -> Screen {
        if self.out_of_service() {
            Screen::OutOfService {
                faults: self.faults(),
            }
        } else {
            Screen::Home
        }
    }

    /// Seconds left on the idle countdown, for the overlay; `None` while none runs.
    pub fn countdown_remaining(&self) -> Option<Duration> {
        self.idle
            .countdown_until
            .map(|until| until.saturating_sub(self.now.mono))
    }

    /// What a touch that needs the card says when none was read: place it, or (without a
    /// reader) that the reader does not work.
    pub(crate) fn card_notice(&self) -> Notice {
        if self.devices.reader {
            Notice::CardNeeded
        } else {
            Notice::ReaderUnavailable
        }
    }

    /// Whether the screen waits for an ID card now: the entry screens with nobody identified,
    /// 查进度 and 自助打印 before a card or receipt, the booking's contact stage with no name
    /// yet, a "请先放置身份证" notice, and the farewell (the next citizen may be there). The
    /// service polls the reader eagerly only then (a card reaches the screen sooner) and
    /// slowly otherwise (the line and the SAM rest while the citizen types).
    pub fn waits_for_card(&self) -> bool {
        if !self.devices.reader {
            return false;
        }
        let nobody = self.citizen.is_none();
        if nobody && self.notice == Some(Notice::CardNeeded) {
            return true;
        }
        match &self.screen {
            Screen::Home | Screen::Identify | Screen::Progress(ProgressView::Waiting) => nobody,
            Screen::Prints(v) => v.stage == PrintStage::Waiting,
            Screen::Appointment(v) => {
                nobody
                    && v.name.trimmed().is_none()
                    && matches!(v.stage, AppointmentStage::Contact { .. })
            }
            Screen::Farewell { .. } => true,
            _ => false,
        }
    }

    /// Whether any personal data is held (citizen, form, drafts with text).
    pub fn holds_personal_data(&self) -> bool {
        self.citizen.is_some() || self.transaction.is_some() || self.screen.holds_personal_data()
    }

    /// The next idempotency key: `{instance}-{counter}`.
    pub(crate) fn next_key(&mut self) -> String {
        self.counter += 1;
        format!("{}-{}", self.config.instance, self.counter)
    }

    /// The next request id.
    pub(crate) fn next_request(&mut self) -> RequestId {
        self.counter += 1;
        RequestId(self.counter)
    }

    /// Whether this is a Chinese screen.
    pub fn is_chinese(&self) -> bool {
        self.language == Language::ZhCn
    }
}
