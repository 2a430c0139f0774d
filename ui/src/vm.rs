//! View models: plain Rust structs, one per screen, that the kiosk's session machine fills in.
//! They know nothing of Slint; [`crate::adapters`] maps them onto the screens' adapter globals.
//! Strings arrive ready to show: names and ID numbers already masked by the caller where needed.
//! The screens of the application path after the form are in [`journey`], the document
//! camera's in [`camera`]; appointments,
//! complaints, help, farewell and the notice banner in [`services`].

mod camera;
mod journey;
mod prints;
mod services;

pub use camera::*;
pub use journey::*;
pub use prints::*;
pub use services::*;

/// Which screen is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScreenId {
    /// Welcome, ID-card prompt and the main entries.
    Home,
    /// 我要办事: place the ID card, or scan a code, or browse the guides.
    Identify,
    /// Departments, search, most-used items and bundles.
    Browse,
    /// 一次性告知: the complete list of materials for an item, printable.
    Guide,
    /// The form engine.
    Form,
    /// The materials handed in: reused ones marked, the rest to hand in later.
    Materials,
    /// A material photographed with the document camera: preview, pages, 拍照 / 重拍 / 完成.
    Camera,
    /// 免费邮寄 or 窗口领取, and the mailing address.
    Delivery,
    /// Everything entered, before submitting.
    Review,
    /// Storing (and trying to deliver) the application.
    Submitting,
    /// Tracking code and QR code after submitting.
    Receipt,
    /// 好差评.
    Rating,
    /// An application's progress timeline.
    Progress,
    /// 预约: department, day, slot, contact, the booked slip.
    Appointment,
    /// 办不成事 反映.
    Complaint,
    /// 代办 / 上门服务 request, and calling staff to the kiosk.
    Help,
    /// A closing message before going home.
    Farewell,
    /// 自助打印: result documents printed on A4 by their applicant.
    Prints,
    /// A device the citizen path needs is broken.
    OutOfService,
    /// The maintenance PIN.
    MaintenancePin,
    /// Device status, self-tests, configuration and logs.
    Maintenance,
}

impl ScreenId {
    /// Every screen, in the order of the citizen path, then the technicians' screens.
    pub const ALL: [ScreenId; 21] = [
        ScreenId::Home,
        ScreenId::Identify,
        ScreenId::Browse,
        ScreenId::Guide,
        ScreenId::Form,
        ScreenId::Materials,
        ScreenId::Camera,
        ScreenId::Delivery,
        ScreenId::Review,
        ScreenId::Submitting,
        ScreenId::Receipt,
        ScreenId::Rating,
        ScreenId::Progress,
        ScreenId::Appointment,
        ScreenId::Complaint,
        ScreenId::Help,
        ScreenId::Farewell,
        ScreenId::Prints,
        ScreenId::OutOfService,
        ScreenId::MaintenancePin,
        ScreenId::Maintenance,
    ];

    /// A short file-name-friendly name.
    pub fn slug(self) -> &'static str {
        match self {
            ScreenId::Home => "home",
            ScreenId::Identify => "identify",
            ScreenId::Browse => "browse",
            ScreenId::Guide => "guide",
            ScreenId::Form => "form",
            ScreenId::Materials => "materials",
            ScreenId::Camera => "camera",
            ScreenId::Delivery => "delivery",
            ScreenId::Review => "review",
            ScreenId::Submitting => "submitting",
            ScreenId::Receipt => "receipt",
            ScreenId::Rating => "rating",
            ScreenId::Progress => "progress",
            ScreenId::Appointment => "appointment",
            ScreenId::Complaint => "complaint",
            ScreenId::Help => "help",
            ScreenId::Farewell => "farewell",
            ScreenId::Prints => "prints",
            ScreenId::OutOfService => "out-of-service",
            ScreenId::MaintenancePin => "maintenance-pin",
            ScreenId::Maintenance => "maintenance",
        }
    }
}

/// The UI language (one enum with the configuration and the session).
pub use vocab::language::Language;

/// State every screen shares: hall, clock, hotline and the voice caption.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ShellVm {
    /// The hall's name as the header shows it.
    pub hall_name: String,
    /// Already formatted for the current language.
    pub date_text: String,
    /// `HH:MM`.
    pub time_text: String,
    /// The hall's service hotline.
    pub hotline: String,
}

/// A department to browse by.
#[derive(Debug, Clone, PartialEq)]
pub struct Department {
    /// Catalog id.
    pub id: String,
    /// Short name (公安, 民政…).
    pub name: String,
}

/// A row in a list of items or bundles.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemEntry {
    /// Catalog id.
    pub id: String,
    /// The item's name.
    pub name: String,
    /// One line under the name: department, time limit.
    pub detail: String,
}

/// What the browsing screen's list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BrowseTab {
    /// 常用: the most used items.
    #[default]
    MostUsed,
    /// 一件事 bundles.
    Bundles,
    /// Every department.
    Departments,
    /// One department's items.
    Department,
    /// Search results.
    Search,
}

/// The browsing screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BrowseVm {
    /// What the list shows.
    pub tab: BrowseTab,
    /// Whether the catalog has 一件事 bundles (their tab is shown).
    pub has_bundles: bool,
    /// What the citizen typed in the search box.
    pub query: String,
    /// The keyboard is open for the search box.
    pub searching: bool,
    /// Heading of the list (常用事项, a department's name, 搜索结果).
    pub list_title: String,
    /// One page of the list: items, bundles or departments, as `tab` says.
    pub items: Vec<ItemEntry>,
    /// Zero-based page shown and the number of pages.
    pub page: usize,
    /// How many pages there are (at least 1).
    pub pages: usize,
}

/// One required material.
#[derive(Debug, Clone, PartialEq)]
pub struct Material {
    /// What it is.
    pub name: String,
    /// How and how many (原件, 复印件 2 份…), worded for the citizen.
    pub form: String,
    /// Any remark (where to get it, validity).
    pub note: String,
    /// Required for everyone (true) or only in some cases.
    pub required: bool,
    /// The system already holds it (electronic licence): nothing to hand in.
    pub reused: bool,
}

/// Which page of a list is shown, where the list is paged (reach mode, 轮椅模式: a long list
/// would put its first rows above what a seated citizen can reach).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Paging {
    /// Zero-based page shown.
    pub page: usize,
    /// Number of pages; 0 or 1: not paged (no 上一页/下一页).
    pub pages: usize,
    /// Index in the whole list of the first row shown.
    pub first: usize,
}

impl Paging {
    /// Keeps page `page` (clamped) of `rows` rows of `list` and says which it is; `rows` 0
    /// keeps the whole list.
    pub fn cut<T>(list: &mut Vec<T>, page: usize, rows: usize) -> Paging {
        if rows == 0 || list.len() <= rows {
            return Paging::default();
        }
        let pages = list.len().div_ceil(rows);
        let page = page.min(pages - 1);
        let first = page * rows;
        list.truncate(first + rows);
        list.drain(..first);
        Paging { page, pages, first }
    }

    /// More than one page.
    pub fn paged(&self) -> bool {
        self.pages > 1
    }
}

/// 一次性告知 (the guide).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GuideVm {
    /// The item's name.
    pub item_name: String,
    /// Label and value pairs: department, time limit, fee, where to collect.
    pub facts: Vec<(String, String)>,
    /// One page of materials.
    pub materials: Vec<Material>,
    /// Zero-based page.
    pub page: usize,
    /// Number of pages (at least 1).
    pub pages: usize,
    /// Not doable at the kiosk: the guide offers an appointment instead of the form.
    pub window_only: bool,
}

/// The type of a form field, which decides its control and keyboard (the one enum in `vocab`).
pub use vocab::form::FieldType as FieldKind;

/// One field of a form.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Schema id.
    pub id: String,
    /// The label shown.
    pub label: String,
    /// Its type.
    pub kind: FieldKind,
    /// The current value (masked if the field holds personal data not being edited).
    pub value: String,
    /// Hint shown while empty, or the sentence next to a checkbox.
    pub placeholder: String,
    /// Must be filled.
    pub required: bool,
    /// Filled from the ID card or an earlier application.
    pub prefilled: bool,
    /// Validation message; empty when valid.
    pub error: String,
    /// Options of a select.
    pub options: Vec<String>,
    /// A checkbox's state.
    pub checked: bool,
    /// A one-touch choice offered under the field ("使用上次留的号码 138****5678"); empty for none.
    pub suggestion: String,
    /// The suggestion is in use: the field shows it and needs no typing.
    pub suggested: bool,
}

/// The form engine's screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormVm {
    /// The item's name.
    pub item_name: String,
    /// The fields of this page.
    pub fields: Vec<Field>,
    /// Index of the field being typed into.
    pub active: Option<usize>,
    /// Zero-based page.
    pub page: usize,
    /// Number of pages (at least 1).
    pub pages: usize,
}

/// The review screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewVm {
    /// The item's name.
    pub item_name: String,
    /// Label and value pairs, as they will be submitted (masked where the citizen need not check).
    pub rows: Vec<(String, String)>,
    /// The materials, each with whether it is handed in now (read from the card,
    /// photographed, held by the hall) or owed (handed in later at the window).
    pub materials: Vec<(String, bool)>,
    /// The citizen may change how the result reaches them (免费邮寄 is offered): the delivery
    /// page, which the path skips, is one touch away.
    pub delivery_changeable: bool,
    /// The declarations (承诺) that 确认提交 makes, said right above it.
    pub declarations: Vec<String>,
    /// Submission in flight: buttons disabled.
    pub submitting: bool,
    /// The masked phone number progress notices would go to (`138****5678`); empty: no
    /// phone on the form, so no tick box.
    pub notify_phone: String,
    /// The citizen ticked "text me the progress".
    pub notify_consent: bool,
}

/// The receipt screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReceiptVm {
    /// The item's name.
    pub item_name: String,
    /// Reached the hall (true) or queued in the outbox (false).
    pub delivered: bool,
    /// The tracking code, also encoded in the QR code.
    pub tracking_code: String,
    /// What the QR code encodes (tracking code and verifier).
    pub qr_payload: String,
    /// Masked applicant (`张*  3301**********1234`).
    pub applicant: String,
    /// When it was submitted.
    pub submitted_at: String,
    /// The promised time limit.
    pub time_limit: String,
    /// The receipt was printed already.
    pub printed: bool,
}

/// 好差评.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RatingVm {
    /// What is being rated.
    pub item_name: String,
    /// 0 = not chosen, 1 = 非常不满意 … 5 = 非常满意.
    pub level: u8,
    /// 差评 reasons with their selection.
    pub reasons: Vec<(String, bool)>,
    /// A message (e.g. "请至少选择一个原因").
    pub message: String,
    /// The page of reasons shown (`reasons` holds that page only).
    pub reason_paging: Paging,
}

/// Where a stage of the timeline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageState {
    /// Finished.
    Done,
    /// Happening now.
    Current,
    /// Not reached yet.
    Pending,
}

/// One stage of an application's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// 受理, 承办, 办结, 反馈, 回访.
    pub name: String,
    /// Where it is.
    pub state: StageState,
    /// When it finished.
    pub time: String,
    /// What happened.
    pub note: String,
}

/// The progress screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProgressVm {
    /// The tracking code looked up; empty while waiting for a scan.
    pub tracking_code: String,
    /// The item's name.
    pub item_name: String,
    /// The timeline.
    pub stages: Vec<Stage>,
    /// Shown above the timeline (请扫描回执上的二维码, 查询码不存在…).
    pub message: String,
}

/// The maintenance PIN screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PinVm {
    /// Digits typed so far (never the digits themselves).
    pub entered: usize,
    /// Dots to draw (the PIN's length, or as many as typed).
    pub length: usize,
    /// Digits needed before 确定 is enabled.
    pub min_length: usize,
    /// Error or lockout message.
    pub message: String,
    /// Locked after too many failures.
    pub locked: bool,
}

/// A device row on the maintenance screen.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceLine {
    /// Device name.
    pub name: String,
    /// Its state word (online, paper low…).
    pub state: String,
    /// Model, port, last error.
    pub detail: String,
    /// Healthy.
    pub ok: bool,
}

/// The maintenance screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MaintenanceVm {
    /// Devices and their state.
    pub devices: Vec<DeviceLine>,
    /// Configuration summary.
    pub config: Vec<(String, String)>,
    /// The last log lines (already free of personal data).
    pub log_lines: Vec<String>,
    /// Result of the last self-test.
    pub test_result: String,
}

/// Which keyboard is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyboardMode {
    /// Digits.
    Numeric,
    /// Digits and X.
    IdNumber,
    /// Latin letters.
    Latin,
    /// Pinyin with a candidate bar.
    #[default]
    Pinyin,
}

/// The keyboard's candidate bar.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyboardVm {
    /// Which keys.
    pub mode: KeyboardMode,
    /// Pinyin typed so far.
    pub composition: String,
    /// One page of candidates.
    pub candidates: Vec<String>,
    /// More pages follow.
    pub more_candidates: bool,
}

impl KeyboardVm {
    /// Fills the candidate bar for the composition: page `page` (wrapped into range, and
    /// written back) of 6 candidates, or of 4 in elder mode's larger keys.
    pub fn show_candidates(&mut self, page: &mut usize, elder: bool) {
        let per = if elder { 4 } else { 6 };
        let all = crate::ime::PinyinIme.candidates_for(&self.composition);
        let pages = all.len().div_ceil(per).max(1);
        *page %= pages;
        self.more_candidates = all.len() > per;
        self.candidates = all.into_iter().skip(*page * per).take(per).collect();
    }
}
