//! Screenshots of every screen, in zh-CN and English, normal and elder mode, rendered with the
//! software renderer into PNG files with no display (`kioskctl screenshots --out DIR`).

use std::path::{Path, PathBuf};

use slint::{ComponentHandle, PhysicalSize};

use crate::adapters;
use crate::error::UiError;
use crate::generated::AppWindow;
use crate::headless::{self, Frame};
use crate::preview;
use crate::vm::{
    AppointmentStage, ContactField, KeyboardMode, KeyboardVm, Language, NoticeKind, ScreenId,
};

/// What is laid over or opened on a screen for a shot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    /// The screen as it first shows.
    None,
    /// The on-screen keyboard open (browse search: pinyin; form: the active field's keyboard).
    Keyboard,
    /// The idle countdown over the screen.
    IdleCountdown,
    /// The appointment screen at a later stage than the department picker.
    Appointment(AppointmentStage),
    /// A notice banner over the screen.
    Notice(NoticeKind),
    /// The receipt of an application queued on the kiosk (network down).
    Queued,
    /// Staff were called: "help is coming" on the screen.
    HelpCalled,
    /// The guide of an item that cannot be done at the kiosk: 预约到窗口 instead of the form.
    WindowOnly,
    /// Standard mode with the voice switched on: the spoken words shown under the title.
    VoiceOn,
}

impl Extra {
    /// The part of the file name that names this extra ("" for none).
    pub fn slug(self) -> String {
        match self {
            Extra::None => String::new(),
            Extra::Keyboard => "-keyboard".into(),
            Extra::IdleCountdown => "-idle".into(),
            Extra::Appointment(stage) => format!("-{stage:?}").to_lowercase(),
            Extra::Notice(kind) => format!("-notice-{kind:?}").to_lowercase(),
            Extra::Queued => "-queued".into(),
            Extra::HelpCalled => "-help-called".into(),
            Extra::WindowOnly => "-window-only".into(),
            Extra::VoiceOn => "-voice".into(),
        }
    }
}

/// One screenshot to take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shot {
    /// The screen.
    pub screen: ScreenId,
    /// Its language.
    pub language: Language,
    /// Elder mode.
    pub elder: bool,
    /// 1920×1080 instead of 1080×1920.
    pub landscape: bool,
    /// What is open on top.
    pub extra: Extra,
}

impl Shot {
    /// The PNG's file name: `<screen>[-<extra>]-<lang>-<normal|elder>[-landscape].png`.
    pub fn file_name(&self) -> String {
        let extra = self.extra.slug();
        format!(
            "{}{}-{}-{}{}.png",
            self.screen.slug(),
            extra,
            self.language.tag(),
            if self.elder { "elder" } else { "normal" },
            if self.landscape { "-landscape" } else { "" }
        )
    }

    /// The window size of this shot.
    pub fn size(&self) -> PhysicalSize {
        if self.landscape {
            PhysicalSize::new(1920, 1080)
        } else {
            PhysicalSize::new(1080, 1920)
        }
    }
}

/// Every shot: each screen in both languages and both modes, plus the keyboards, the idle
/// overlay, the appointment's stages, every notice, the queued receipt, "help is coming", and
/// the home screen in landscape.
pub fn shots() -> Vec<Shot> {
    let mut out = Vec::new();
    for language in [Language::ZhCn, Language::En] {
        for elder in [false, true] {
            let shot = |screen, extra, landscape| Shot {
                screen,
                language,
                elder,
                landscape,
                extra,
            };
            for screen in ScreenId::ALL {
                out.push(shot(screen, Extra::None, false));
            }
            out.push(shot(ScreenId::Browse, Extra::Keyboard, false));
            out.push(shot(ScreenId::Form, Extra::Keyboard, false));
            out.push(shot(ScreenId::Form, Extra::IdleCountdown, false));
            out.push(shot(ScreenId::Delivery, Extra::Keyboard, false));
            out.push(shot(ScreenId::Complaint, Extra::Keyboard, false));
            for stage in [
                AppointmentStage::Day,
                AppointmentStage::Slot,
                AppointmentStage::Contact,
                AppointmentStage::Booked,
                AppointmentStage::Failed,
            ] {
                out.push(shot(
                    ScreenId::Appointment,
                    Extra::Appointment(stage),
                    false,
                ));
            }
            out.push(shot(ScreenId::Appointment, Extra::Keyboard, false));
            // Every notice where text is longest (English, elder) and in the default mode; one
            // elsewhere, to keep the run short.
            let all_notices = (language == Language::En) == elder;
            for kind in NoticeKind::ALL {
                if all_notices || kind == NoticeKind::CardReadFailed {
                    out.push(shot(ScreenId::Review, Extra::Notice(kind), false));
                }
            }
            out.push(shot(ScreenId::Receipt, Extra::Queued, false));
            out.push(shot(ScreenId::Form, Extra::HelpCalled, false));
            out.push(shot(ScreenId::Guide, Extra::WindowOnly, false));
            if !elder {
                // Elder mode speaks anyway; in standard mode the 语音 button turns it on.
                for screen in [ScreenId::Home, ScreenId::Form, ScreenId::Review] {
                    out.push(shot(screen, Extra::VoiceOn, false));
                }
            }
            out.push(shot(ScreenId::Home, Extra::None, true));
        }
    }
    out
}

/// Fills the window with the preview data of `shot` and shows its screen.
pub fn apply(app: &AppWindow, shot: &Shot) -> Result<(), UiError> {
    crate::language::set_language(app, shot.language)?;
    adapters::set_elder(app, shot.elder);
    // Elder mode starts with the voice on (the session does the same).
    adapters::set_voice(app, shot.elder || shot.extra == Extra::VoiceOn);
    adapters::set_landscape(app, shot.landscape);
    adapters::apply_shell(app, &preview::shell());
    let rows = if shot.elder { 3 } else { 6 };
    let mut browse = preview::browse(rows);
    browse.searching = shot.extra == Extra::Keyboard && shot.screen == ScreenId::Browse;
    if browse.searching {
        browse.query = "zhang".into();
        browse.list_title = "搜索结果".into();
        browse.items.truncate(2);
    }
    adapters::apply_browse(app, &browse);
    let mut guide = preview::guide();
    if shot.elder {
        // Fewer items per screen in elder mode: two materials a page.
        guide.materials.truncate(2);
        guide.pages = 2;
    }
    guide.window_only = shot.extra == Extra::WindowOnly;
    adapters::apply_guide(app, &guide);
    apply_after_form(app, shot);
    let mut form = preview::form();
    if shot.extra != Extra::Keyboard {
        form.active = None;
    }
    if shot.elder {
        // Fewer fields per page in elder mode.
        form.fields.truncate(4);
        form.pages = 3;
    }
    adapters::apply_form(app, &form);
    let keyboard = match (shot.screen, form.active) {
        (ScreenId::Form, Some(_)) | (ScreenId::Appointment, _) => KeyboardVm {
            mode: KeyboardMode::Numeric,
            ..KeyboardVm::default()
        },
        _ => {
            let mut k = preview::keyboard();
            if shot.elder {
                k.candidates.truncate(4);
            }
            k
        }
    };
    adapters::apply_keyboard(app, &keyboard);
    adapters::apply_review(app, &preview::review());
    let mut receipt = preview::receipt();
    receipt.delivered = shot.extra != Extra::Queued;
    adapters::apply_receipt(app, &receipt);
    adapters::apply_rating(app, &preview::rating());
    adapters::apply_progress(app, &preview::progress());
    let (problems, since) = preview::out_of_service();
    adapters::apply_out_of_service(app, &problems, &since);
    adapters::apply_pin(app, &preview::pin());
    adapters::apply_maintenance(app, &preview::maintenance());
    adapters::apply_idle(app, (shot.extra == Extra::IdleCountdown).then_some(27));
    adapters::apply_notice(
        app,
        match shot.extra {
            Extra::Notice(kind) => Some(kind),
            _ => None,
        },
    );
    adapters::set_help_call(
        app,
        if shot.extra == Extra::HelpCalled {
            crate::vm::HelpCall::Notified
        } else {
            crate::vm::HelpCall::None
        },
    );
    adapters::show_screen(app, shot.screen);
    Ok(())
}

/// The screens added for the session machine's path, with their keyboards and stages.
fn apply_after_form(app: &AppWindow, shot: &Shot) {
    let keyboard = shot.extra == Extra::Keyboard;
    adapters::apply_identify(app, &preview::identify());
    adapters::apply_materials(app, &preview::hand_in());
    let mut delivery = preview::delivery();
    if keyboard && shot.screen == ScreenId::Delivery {
        delivery.active = Some(crate::vm::AddressField::Detail);
    }
    adapters::apply_delivery(app, &delivery);
    adapters::apply_submitting(app, &preview::submitting());
    let stage = match shot.extra {
        Extra::Appointment(stage) => stage,
        Extra::Keyboard => AppointmentStage::Contact,
        _ => AppointmentStage::Department,
    };
    let mut appointment = preview::appointment(stage);
    if keyboard && shot.screen == ScreenId::Appointment {
        appointment.active = Some(ContactField::Phone);
    }
    adapters::apply_appointment(app, &appointment);
    let mut complaint = preview::complaint();
    if keyboard && shot.screen == ScreenId::Complaint {
        complaint.message.active = Some(crate::vm::MessageField::Text);
    }
    adapters::apply_complaint(app, &complaint);
    adapters::apply_help(app, &preview::help());
    adapters::apply_farewell(app, crate::vm::FarewellKind::ThanksForRating);
}

/// Renders every shot into `out_dir`, calling `inspect` with the window, the shot and the
/// frame after each render (the tests check labels and pixels there). Returns the files written.
pub fn render_each(
    out_dir: &Path,
    inspect: impl FnMut(&AppWindow, &Shot, &Frame),
) -> Result<Vec<PathBuf>, UiError> {
    render_shots(out_dir, &shots(), inspect)
}

/// Renders the given shots into `out_dir` (a subset of [`shots`] while working on a screen).
pub fn render_shots(
    out_dir: &Path,
    shots: &[Shot],
    mut inspect: impl FnMut(&AppWindow, &Shot, &Frame),
) -> Result<Vec<PathBuf>, UiError> {
    std::fs::create_dir_all(out_dir).map_err(|source| UiError::Io {
        path: out_dir.to_owned(),
        source,
    })?;
    let window = headless::window()?;
    let app = AppWindow::new()?;
    app.show()?;
    let mut written = Vec::new();
    for shot in shots {
        apply(&app, shot)?;
        let frame = headless::render(&window, shot.size());
        inspect(&app, shot, &frame);
        let path = out_dir.join(shot.file_name());
        frame.save_png(&path)?;
        written.push(path);
    }
    app.hide()?;
    Ok(written)
}

/// Renders every screen into `out_dir` as PNG files and returns their paths.
pub fn render_all(out_dir: &Path) -> Result<Vec<PathBuf>, UiError> {
    render_each(out_dir, |_, _, _| {})
}
