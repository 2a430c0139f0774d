//! 好差评: five levels, optional and never forced (skip is always there); levels 1–2 are 差评
//! and need at least one reason, with an optional call-back contact. One rating per
//! application, tied to its tracking code.

use hall_api::feedback::{is_bad_level, CallbackContact, CreateRating};
use hall_api::form::{FieldError, FieldErrorCode};

use super::effect::Effect;
use super::event::{TextField, UiInput};
use super::form::{bounded, MAX_INPUT_CHARS};
use super::screens::{ContactDraft, Farewell, Screen};
use super::state::Session;
use super::submit::farewell;
use super::transaction::Submission;

/// Touches on the rating screen.
pub(crate) fn input(s: &mut Session, input: UiInput, fx: &mut Vec<Effect>) {
    let Screen::Rating(draft) = &mut s.screen else {
        return;
    };
    match input {
        UiInput::RateLevel(level) if (1..=5).contains(&level) => {
            draft.level = Some(level);
            draft.errors.clear();
            if !is_bad_level(level) {
                draft.reasons.clear();
                draft.contact = ContactDraft::default();
            }
        }
        UiInput::ToggleReason(reason) if draft.level.is_some_and(is_bad_level) => {
            if let Some(i) = draft.reasons.iter().position(|r| *r == reason) {
                draft.reasons.remove(i);
            } else {
                draft.reasons.push(reason);
            }
        }
        UiInput::SetText { field, value } => {
            let bad = draft.level.is_some_and(is_bad_level);
            match field {
                TextField::Comment => draft.comment = bounded(&value, MAX_INPUT_CHARS),
                TextField::ContactName if bad => draft.contact.name = bounded(&value, 100),
                TextField::ContactPhone if bad => draft.contact.phone = bounded(&value, 100),
                _ => {}
            }
        }
        UiInput::Send => send(s, fx),
        UiInput::SkipRating | UiInput::Back => farewell(s, Farewell::Done),
        _ => {}
    }
}

fn send(s: &mut Session, fx: &mut Vec<Effect>) {
    let later = match &s.screen {
        Screen::Rating(d) => d.later.clone(),
        _ => None,
    };
    let target = match (
        later,
        s.transaction.as_ref().and_then(|t| t.submission.as_ref()),
    ) {
        (Some(q), _) => Some((q.tracking_code, q.verifier)),
        (None, Some(Submission::Delivered { receipt, .. })) => {
            Some((receipt.tracking_code.clone(), receipt.verifier.clone()))
        }
        _ => None,
    };
    let Some((tracking_code, verifier)) = target else {
        return farewell(s, Farewell::Done);
    };
    let Screen::Rating(draft) = &mut s.screen else {
        return;
    };
    let Some(level) = draft.level else {
        draft.errors = vec![FieldError {
            field: "level".into(),
            code: FieldErrorCode::Required,
            message: "请选择评价等级".into(),
        }];
        return;
    };
    let payload = CreateRating {
        tracking_code,
        verifier,
        level,
        reasons: draft.reasons.clone(),
        comment: draft.comment.trimmed().map(str::to_owned),
        contact: contact(&draft.contact),
    };
    if let Err(errors) = payload.validate() {
        draft.errors = errors;
        return;
    }
    let idempotency_key = s.next_key();
    fx.push(Effect::SubmitRating {
        idempotency_key,
        payload,
    });
    farewell(s, Farewell::ThanksForRating);
}

/// The wire contact, when a phone was given.
pub(crate) fn contact(draft: &ContactDraft) -> Option<CallbackContact> {
    draft.phone.trimmed().map(|phone| CallbackContact {
        name: draft.name.trimmed().map(str::to_owned),
        phone: phone.to_owned(),
    })
}
