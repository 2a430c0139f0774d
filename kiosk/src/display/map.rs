//! What every screen's mapping shares: which UI screen a session screen is, pages of a list,
//! content in the citizen's language (catalog text, with "Chinese only" where the catalog has
//! no English), time limits and amounts, and the spoken caption. The screens themselves are
//! in [`super::screen`].

use kiosk_ui::screen::ScreenId;

use crate::session::{prompts, Screen, Session};

/// The UI screen for a session screen: one for one, but for the materials step, which shows
/// the camera screen while a material is photographed.
pub fn screen_id(s: &Session) -> ScreenId {
    match &s.screen {
        Screen::Home => ScreenId::Home,
        Screen::Identify => ScreenId::Identify,
        Screen::OutOfService { .. } => ScreenId::OutOfService,
        Screen::Choose(_) => ScreenId::Browse,
        Screen::Guide => ScreenId::Guide,
        Screen::Form => ScreenId::Form,
        // A material being photographed: the camera screen, on the materials step.
        Screen::Materials if s.transaction.as_ref().is_some_and(|t| t.capture.is_some()) => {
            ScreenId::Camera
        }
        Screen::Materials => ScreenId::Materials,
        Screen::Delivery => ScreenId::Delivery,
        Screen::Review => ScreenId::Review,
        Screen::Submitting => ScreenId::Submitting,
        Screen::Receipt => ScreenId::Receipt,
        Screen::Rating(_) => ScreenId::Rating,
        Screen::Progress(_) => ScreenId::Progress,
        Screen::Appointment(_) => ScreenId::Appointment,
        Screen::Complaint(_) => ScreenId::Complaint,
        Screen::Help(_) => ScreenId::Help,
        Screen::Prints(_) => ScreenId::Prints,
        Screen::Farewell { .. } => ScreenId::Farewell,
    }
}

/// Splits `all` into pages of `rows`; returns the page shown (clamped) and the page count.
pub fn page_of<T: Clone>(all: &[T], page: usize, rows: usize) -> (Vec<T>, usize, usize) {
    let rows = rows.max(1);
    let pages = all.len().div_ceil(rows).max(1);
    let page = page.min(pages - 1);
    (
        all.iter().skip(page * rows).take(rows).cloned().collect(),
        page,
        pages,
    )
}

pub(crate) fn department_name(s: &Session, code: &str) -> String {
    s.catalog
        .as_ref()
        .and_then(|c| c.departments.iter().find(|d| d.code == code))
        .map_or_else(
            || code.to_owned(),
            |d| content(s, &d.name, d.name_en.as_deref()),
        )
}

/// Catalog text (an item's, a material's, a department's name) in the session's language:
/// the hall's English where it wrote one, otherwise the Chinese marked "(Chinese only)" so an
/// English reader knows it is not a mistake.
pub(crate) fn content(s: &Session, zh: &str, en: Option<&str>) -> String {
    match en.map(str::trim).filter(|e| !e.is_empty()) {
        _ if s.is_chinese() => zh.to_owned(),
        Some(en) => en.to_owned(),
        None => format!("{zh} (Chinese only)"),
    }
}

/// A form's words (a label, an option) in the session's language: the English where there
/// is one, else the Chinese as it is (the field beside it says what it is for).
pub(crate) fn label(s: &Session, zh: &str, en: Option<&str>) -> String {
    match en.map(str::trim).filter(|e| !e.is_empty()) {
        Some(en) if !s.is_chinese() => en.to_owned(),
        _ => zh.to_owned(),
    }
}

/// The words in the session's language: Chinese, or English for the same words. (Catalog
/// content, such as item names, is the hall's and stays as the hall wrote it.)
pub(crate) fn tr(s: &Session, zh: &str, en: &str) -> String {
    if s.is_chinese() { zh } else { en }.to_owned()
}

pub(crate) fn limit_text(s: &Session, days: u32) -> String {
    match (days, s.is_chinese()) {
        (0, true) => "即办".to_owned(),
        (0, false) => "on the spot".to_owned(),
        (n, true) => format!("{n} 个工作日"),
        (n, false) => format!("{n} working days"),
    }
}

/// How many originals and copies, in words.
pub(crate) fn amounts(s: &Session, originals: u32, copies: u32) -> String {
    let mut form = Vec::new();
    if originals > 0 {
        form.push(match s.is_chinese() {
            true => format!("原件 {originals} 份"),
            false => format!("{originals} original(s)"),
        });
    }
    if copies > 0 {
        form.push(match s.is_chinese() {
            true => format!("复印件 {copies} 份"),
            false => format!("{copies} copy(ies)"),
        });
    }
    form.join(if s.is_chinese() { "，" } else { ", " })
}

/// The line over the screen: the notice, else the screen's prompt.
pub fn caption(s: &Session) -> String {
    match s.notice {
        Some(n) => prompts::notice(n, s.language).to_owned(),
        None => prompts::prompt(s),
    }
}
