//! Run-time language switch between the zh-CN source strings and the bundled English.

use slint::ComponentHandle;

/// The UI language (one enum with the configuration and the session).
pub use vocab::language::Language;

use crate::error::UiError;
use crate::generated::{AppWindow, Shell};

/// Switches every `@tr` string of every screen to `language` at once.
///
/// Call it once after creating the window too: otherwise Slint picks the initial language from
/// the process locale, and the kiosk must start in Chinese whatever the locale says.
pub fn set_language(app: &AppWindow, language: Language) -> Result<(), UiError> {
    // "" selects the source language (zh-CN); "en" the bundled English .po.
    let tag = match language {
        Language::ZhCn => "",
        Language::En => "en",
    };
    slint::select_bundled_translation(tag)
        .map_err(|e| UiError::Platform(format!("cannot select language {tag:?}: {e}")))?;
    app.global::<Shell<'_>>()
        .set_language(language.tag().into());
    Ok(())
}

/// The language the screen shows now.
pub fn current_language(app: &AppWindow) -> Language {
    if app.global::<Shell<'_>>().get_language() == "en" {
        Language::En
    } else {
        Language::ZhCn
    }
}
