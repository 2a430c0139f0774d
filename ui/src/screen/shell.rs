//! The shell around every screen (`shell.slint`, `theme.slint`): which screen shows, the
//! header (hall, clock, hotline), the line saying where a call for staff stands, and the modes
//! (elder, reach, voice, landscape).

use slint::ComponentHandle;

use super::s;
use crate::generated as ui;

/// Which screen is showing: the Slint enum `Screen` of `shell.slint` (each screen described
/// there), re-exported.
pub use crate::generated::Screen as ScreenId;

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

/// Where a call for staff (一键求助) stands, shown on every screen until the session ends: the
/// Slint enum of `shell.slint` (none, calling, notified, hotline), re-exported.
pub use crate::generated::HelpCall;

/// Shows `screen`.
pub fn show_screen(app: &ui::AppWindow, screen: ScreenId) {
    app.global::<ui::Shell<'_>>().set_screen(screen);
}

/// The screen showing now.
pub fn current_screen(app: &ui::AppWindow) -> ScreenId {
    app.global::<ui::Shell<'_>>().get_screen()
}

/// What the voice prompt says on the current screen, in the current language.
pub fn voice_caption(app: &ui::AppWindow) -> String {
    app.global::<ui::Shell<'_>>()
        .get_voice_caption()
        .to_string()
}

/// Elder mode on or off.
pub fn set_elder(app: &ui::AppWindow, elder: bool) {
    app.global::<ui::Theme<'_>>().set_elder(elder);
}

/// Reach mode (轮椅模式) on or off: every control in the lower part of a portrait screen.
pub fn set_reach(app: &ui::AppWindow, reach: bool) {
    app.global::<ui::Theme<'_>>().set_reach_mode(reach);
}

/// Prompts spoken (the 语音 button shows it) or not.
pub fn set_voice(app: &ui::AppWindow, voice: bool) {
    app.global::<ui::Shell<'_>>().set_voice(voice);
}

/// Portrait (false) or landscape (true) layout.
pub fn set_landscape(app: &ui::AppWindow, landscape: bool) {
    app.global::<ui::Theme<'_>>().set_landscape(landscape);
}

/// Shared header state.
pub fn apply_shell(app: &ui::AppWindow, vm: &ShellVm) {
    let g = app.global::<ui::Shell<'_>>();
    g.set_hall_name(s(&vm.hall_name));
    g.set_date_text(s(&vm.date_text));
    g.set_time_text(s(&vm.time_text));
    g.set_hotline(s(&vm.hotline));
}

/// Staff were called during this session: every screen says where the call stands.
pub fn set_help_call(app: &ui::AppWindow, call: HelpCall) {
    app.global::<ui::Shell<'_>>().set_help_call(call);
}
