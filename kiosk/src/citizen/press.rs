//! `kioskctl session press …`: the citizen's touches as words, for technicians testing a
//! kiosk from its console, the demo without a screen, and the end-to-end tests. Each word
//! is exactly one [`UiInput`], the same the screen sends.

use chrono::NaiveDate;
use hall_api::application::MaterialSource;
use hall_api::feedback::{BadRatingReason, HelpKind};
use kiosk_config::schema::Language;

use crate::session::personal::{FieldValue, PersonalText};
use crate::session::{TextField, UiInput};

/// Every word, with its argument, for the help text and error messages.
pub const WORDS: &str = "home, back, elder, voice, reach, lang zh|en, call-help, still-here, \
dismiss, apply, progress, appointment, complaint, help-request assistance|proxy|home-visit, browse, \
most-used, departments, department CODE, bundles, search TEXT, item CODE, bundle CODE, \
print-guide, start-form, field KEY VALUE (JSON, or text), text recipient|recipient-phone|\
region|address|comment|contact-name|contact-phone TEXT, material CODE reuse|later|scanned, \
mail yes|no, next, submit, reprint, done, rate 1-5, reason NAME, send, skip, progress-card, \
rate-later, pick-department CODE, day YYYY-MM-DD, slot ID, book, take-page, retake-page, \
finish-material, self-print, self-print-card, print-document ID, print-list";

/// Parses one line of words into an input.
/// Why a line of words is not an input (the message names the words that would be).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PressError {
    /// A word that needs an argument came without one.
    #[error("`{word}` needs {what}")]
    Needs {
        /// The word.
        word: String,
        /// What it needs.
        what: &'static str,
    },
    /// A word's argument is not one it takes.
    #[error("`{word}` takes {what}")]
    Takes {
        /// The word.
        word: &'static str,
        /// What it takes.
        what: &'static str,
    },
    /// `text BOX …` of a box the screens do not have.
    #[error("`text` does not know the box `{0}`")]
    UnknownBox(String),
    /// An empty line.
    #[error("nothing to press; words: {WORDS}")]
    Nothing,
    /// A word that is not one of [`WORDS`].
    #[error("unknown word `{0}`; words: {WORDS}")]
    UnknownWord(String),
}

/// A word's argument is not one it takes.
fn takes(word: &'static str, what: &'static str) -> PressError {
    PressError::Takes { word, what }
}

pub fn parse(line: &str) -> Result<UiInput, PressError> {
    let line = line.trim();
    let (word, rest) = match line.split_once(char::is_whitespace) {
        Some((w, r)) => (w, r.trim()),
        None => (line, ""),
    };
    let need = |what: &'static str| -> Result<String, PressError> {
        if rest.is_empty() {
            Err(PressError::Needs {
                word: word.to_owned(),
                what,
            })
        } else {
            Ok(rest.to_owned())
        }
    };
    let input = match word {
        "home" => UiInput::Home,
        "back" => UiInput::Back,
        "elder" => UiInput::ToggleElderMode,
        "voice" => UiInput::ToggleVoice,
        "reach" => UiInput::ToggleReachMode,
        "lang" => UiInput::SetLanguage(match rest {
            "zh" | "zh-CN" => Language::ZhCn,
            "en" => Language::En,
            _ => return Err(takes("lang", "zh or en")),
        }),
        "call-help" => UiInput::CallForHelp,
        "still-here" => UiInput::StillHere,
        "dismiss" => UiInput::DismissNotice,
        "apply" => UiInput::StartApplying,
        "progress" => UiInput::OpenProgress,
        "appointment" => UiInput::OpenAppointment,
        "complaint" => UiInput::OpenComplaint,
        "help-request" => UiInput::OpenHelpRequest(match rest {
            "assistance" => HelpKind::Assistance,
            "proxy" => HelpKind::Proxy,
            "home-visit" => HelpKind::HomeVisit,
            _ => return Err(takes("help-request", "assistance, proxy or home-visit")),
        }),
        "browse" => UiInput::Browse,
        "most-used" => UiInput::ShowMostUsed,
        "departments" => UiInput::ShowDepartments,
        "department" => UiInput::OpenDepartment(need("a department code")?),
        "bundles" => UiInput::ShowBundles,
        "search" => UiInput::Search(rest.to_owned()),
        "item" => UiInput::PickItem(need("an item code")?),
        "bundle" => UiInput::PickBundle(need("a bundle code")?),
        "print-guide" => UiInput::PrintGuide,
        "start-form" => UiInput::StartForm,
        "field" => {
            let (key, value) = need("a key and a value")?
                .split_once(char::is_whitespace)
                .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
                .ok_or(PressError::Needs {
                    word: "field".into(),
                    what: "a key and a value",
                })?;
            // Text, as typed on the screen's keyboard; true/false for a checkbox, null clears.
            // The session turns it into a number for a number field.
            let value = match value.as_str() {
                "true" => serde_json::Value::Bool(true),
                "false" => serde_json::Value::Bool(false),
                "null" => serde_json::Value::Null,
                _ => serde_json::Value::String(value),
            };
            UiInput::SetField {
                key,
                value: FieldValue::from(value),
            }
        }
        "text" => {
            let (field, value) = rest
                .split_once(char::is_whitespace)
                .map(|(f, v)| (f, v.trim()))
                .unwrap_or((rest, ""));
            let field = match field {
                "recipient" => TextField::Recipient,
                "recipient-phone" => TextField::RecipientPhone,
                "region" => TextField::Region,
                "address" => TextField::AddressDetail,
                "comment" => TextField::Comment,
                "contact-name" => TextField::ContactName,
                "contact-phone" => TextField::ContactPhone,
                _ => return Err(PressError::UnknownBox(field.to_owned())),
            };
            UiInput::SetText {
                field,
                value: PersonalText::new(value),
            }
        }
        "material" => {
            let (code, how) = rest
                .split_once(char::is_whitespace)
                .ok_or(PressError::Needs {
                    word: "material".into(),
                    what: "a code and reuse, later or scanned",
                })?;
            let source = match how.trim() {
                "reuse" => MaterialSource::Reused,
                "later" => MaterialSource::Later,
                "scanned" => MaterialSource::Scanned,
                _ => return Err(takes("material", "reuse, later or scanned")),
            };
            UiInput::SetMaterialSource {
                code: code.to_owned(),
                source,
            }
        }
        "change-delivery" => UiInput::ChangeDelivery,
        "mail" => UiInput::ChooseMail(match rest {
            "yes" => true,
            "no" => false,
            _ => return Err(takes("mail", "yes or no")),
        }),
        "next" => UiInput::Next,
        "submit" => UiInput::Submit,
        "notify-consent" => UiInput::ToggleNotifyConsent,
        "use-phone" => UiInput::UseKnownPhone,
        "reprint" => UiInput::Reprint,
        "done" => UiInput::Done,
        "rate" => match rest.parse::<u8>() {
            Ok(level @ 1..=5) => UiInput::RateLevel(level),
            _ => return Err(takes("rate", "a level from 1 to 5")),
        },
        "reason" => UiInput::ToggleReason(
            serde_json::from_value::<BadRatingReason>(serde_json::Value::String(rest.to_owned()))
                .map_err(|_| {
                takes(
                    "reason",
                    "unclearGuide, tooManyMaterials, repeatedTrips, tooSlow, hardToUse, \
                         deviceFault, poorAttitude or other",
                )
            })?,
        ),
        "send" => UiInput::Send,
        "skip" => UiInput::SkipRating,
        "progress-card" => UiInput::ProgressByCard,
        "rate-later" => UiInput::RateLater,
        "pick-department" => UiInput::PickDepartment(need("a department code")?),
        "day" => UiInput::PickDay(
            NaiveDate::parse_from_str(rest, "%Y-%m-%d")
                .map_err(|_| takes("day", "a date as YYYY-MM-DD"))?,
        ),
        "slot" => UiInput::PickSlot(need("a slot id")?),
        "book" => UiInput::Book,
        "take-page" => UiInput::TakePage,
        "retake-page" => UiInput::RetakePage,
        "finish-material" => UiInput::FinishMaterial,
        "self-print" => UiInput::OpenPrints,
        "self-print-card" => UiInput::PrintsByCard,
        "print-document" => UiInput::PrintDocument(need("a document id")?),
        "print-list" => UiInput::ShowPrintList,
        "" => return Err(PressError::Nothing),
        other => return Err(PressError::UnknownWord(other.to_owned())),
    };
    Ok(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_become_the_screens_inputs() {
        assert_eq!(parse("apply").unwrap(), UiInput::StartApplying);
        assert_eq!(
            parse("item  gongan-001 ").unwrap(),
            UiInput::PickItem("gongan-001".into())
        );
        assert_eq!(parse("rate 5").unwrap(), UiInput::RateLevel(5));
        // The document camera's steps (拍照 / 重拍 / 完成).
        assert_eq!(parse("take-page").unwrap(), UiInput::TakePage);
        assert_eq!(parse("retake-page").unwrap(), UiInput::RetakePage);
        assert_eq!(parse("finish-material").unwrap(), UiInput::FinishMaterial);
        assert_eq!(
            parse("lang en").unwrap(),
            UiInput::SetLanguage(Language::En)
        );
        assert_eq!(
            parse("reason tooSlow").unwrap(),
            UiInput::ToggleReason(BadRatingReason::TooSlow)
        );
        match parse("field phone 13800138000").unwrap() {
            UiInput::SetField { key, value } => {
                assert_eq!(key, "phone");
                assert_eq!(value.take(), serde_json::json!("13800138000"));
            }
            other => panic!("{other:?}"),
        }
        match parse("field note 住址 变更").unwrap() {
            UiInput::SetField { value, .. } => {
                assert_eq!(value.take(), serde_json::json!("住址 变更"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_words_say_what_is_expected() {
        assert!(parse("rate 6").unwrap_err().to_string().contains("1 to 5"));
        assert!(parse("fly")
            .unwrap_err()
            .to_string()
            .contains("unknown word `fly`"));
        assert!(parse("item")
            .unwrap_err()
            .to_string()
            .contains("needs an item code"));
        assert!(parse("day tomorrow")
            .unwrap_err()
            .to_string()
            .contains("YYYY-MM-DD"));
        assert!(parse("").is_err());
    }
}
