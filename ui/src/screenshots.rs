//! Screenshots of every screen, in zh-CN and English, normal and elder mode, rendered with the
//! software renderer into PNG files with no display (`kioskctl screenshots --out DIR`).

use std::path::{Path, PathBuf};

use slint::{ComponentHandle, PhysicalSize};

use crate::adapters;
use crate::error::UiError;
use crate::generated::AppWindow;
use crate::headless::{self, Frame};
use crate::preview;
use crate::vm::{KeyboardMode, KeyboardVm, Language, ScreenId};

/// What is laid over or opened on a screen for a shot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    /// The screen as it first shows.
    None,
    /// The on-screen keyboard open (browse search: pinyin; form: the active field's keyboard).
    Keyboard,
    /// The idle countdown over the screen.
    IdleCountdown,
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
        let extra = match self.extra {
            Extra::None => "",
            Extra::Keyboard => "-keyboard",
            Extra::IdleCountdown => "-idle",
        };
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
/// overlay, and the home screen in landscape.
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
            out.push(shot(ScreenId::Home, Extra::None, true));
        }
    }
    out
}

/// Fills the window with the preview data of `shot` and shows its screen.
pub fn apply(app: &AppWindow, shot: &Shot) -> Result<(), UiError> {
    crate::language::set_language(app, shot.language)?;
    adapters::set_elder(app, shot.elder);
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
    let mut materials = preview::materials();
    if shot.elder {
        // Fewer items per screen in elder mode: two materials a page.
        materials.materials.truncate(2);
        materials.pages = 2;
    }
    adapters::apply_materials(app, &materials);
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
        (ScreenId::Form, Some(_)) => KeyboardVm {
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
    adapters::apply_receipt(app, &preview::receipt());
    adapters::apply_rating(app, &preview::rating());
    adapters::apply_progress(app, &preview::progress());
    let (problems, since) = preview::out_of_service();
    adapters::apply_out_of_service(app, &problems, &since);
    adapters::apply_pin(app, &preview::pin());
    adapters::apply_maintenance(app, &preview::maintenance());
    adapters::apply_idle(app, (shot.extra == Extra::IdleCountdown).then_some(27));
    adapters::show_screen(app, shot.screen);
    Ok(())
}

/// Renders every shot into `out_dir`, calling `inspect` with the window, the shot and the
/// frame after each render (the tests check labels and pixels there). Returns the files written.
pub fn render_each(
    out_dir: &Path,
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
    for shot in shots() {
        apply(&app, &shot)?;
        let frame = headless::render(&window, shot.size());
        inspect(&app, &shot, &frame);
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
