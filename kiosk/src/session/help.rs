//! 办不成事 complaints and help requests (代办, 上门服务). Plain 帮办 (staff come to the kiosk)
//! is the one-key help in `step`, available on every screen.

use hall_api::feedback::{CreateComplaint, CreateHelpRequest, HelpKind};

use super::effect::{Effect, EndReason};
use super::event::{TextField, UiInput};
use super::form::{bounded, MAX_INPUT_CHARS};
use super::personal::PersonalText;
use super::rating::contact;
use super::screens::{ContactDraft, Farewell, HelpDraft, Screen};
use super::state::{HelpAck, Notice, Session};
use super::step::go_home;
use super::submit::farewell;

/// Opens a help request of this kind.
pub(crate) fn open(s: &mut Session, kind: HelpKind) {
    s.screen = Screen::Help(HelpDraft {
        kind,
        item_code: s
            .transaction
            .as_ref()
            .and_then(|t| t.first_item())
            .map(str::to_owned),
        note: PersonalText::default(),
        contact: ContactDraft::default(),
        errors: Vec::new(),
    });
}

/// Touches on the complaint and help-request screens.
pub(crate) fn input(s: &mut Session, input: UiInput, fx: &mut Vec<Effect>) {
    match input {
        UiInput::SetText { field, value } => {
            let (text, contact) = match &mut s.screen {
                Screen::Complaint(d) => (&mut d.text, &mut d.contact),
                Screen::Help(d) => (&mut d.note, &mut d.contact),
                _ => return,
            };
            match field {
                TextField::Comment => *text = bounded(&value, MAX_INPUT_CHARS),
                TextField::ContactName => contact.name = bounded(&value, 100),
                TextField::ContactPhone => contact.phone = bounded(&value, 100),
                _ => {}
            }
        }
        UiInput::OpenHelpRequest(kind) => {
            // Switching between 代办 and 上门服务 keeps what was typed.
            if let Screen::Help(d) = &mut s.screen {
                d.kind = kind;
                d.errors.clear();
            }
        }
        UiInput::Send => send(s, fx),
        UiInput::Back => {
            if s.transaction.is_some() {
                s.screen = Screen::Guide;
            } else {
                go_home(s, EndReason::Cancelled, fx);
            }
        }
        _ => {}
    }
}

enum Payload {
    Complaint(CreateComplaint),
    Help(CreateHelpRequest),
}

fn send(s: &mut Session, fx: &mut Vec<Effect>) {
    let (message, payload) = match &mut s.screen {
        Screen::Complaint(d) => {
            let payload = CreateComplaint {
                item_code: d.item_code.clone(),
                description: d.text.trim().to_owned(),
                contact: contact(&d.contact),
            };
            if let Err(errors) = payload.validate() {
                d.errors = errors;
                return;
            }
            (Farewell::ComplaintSent, Payload::Complaint(payload))
        }
        Screen::Help(d) => {
            let payload = CreateHelpRequest {
                kind: d.kind,
                item_code: d.item_code.clone(),
                note: d.note.trimmed().map(str::to_owned),
                contact: contact(&d.contact),
            };
            if let Err(errors) = payload.validate() {
                d.errors = errors;
                return;
            }
            (
                Farewell::HelpRequested(HelpAck::Waiting),
                Payload::Help(payload),
            )
        }
        _ => return,
    };
    let idempotency_key = s.next_key();
    fx.push(match payload {
        Payload::Complaint(payload) => Effect::SubmitComplaint {
            idempotency_key,
            payload,
        },
        Payload::Help(payload) => {
            s.help_waiting.push(idempotency_key.clone());
            Effect::SubmitHelpRequest {
                idempotency_key,
                payload,
            }
        }
    });
    farewell(s, message);
}

/// The hall's answer to a help request of this session (一键求助 or the help screen): only
/// now may the citizen be told the on-duty staff know; otherwise the hotline. An answer that
/// comes after the session ended, or for another request, changes nothing.
pub(crate) fn answered(s: &mut Session, key: &str, notified: bool) {
    let Some(at) = s.help_waiting.iter().position(|k| k == key) else {
        return;
    };
    s.help_waiting.remove(at);
    let ack = if notified {
        HelpAck::Notified
    } else {
        HelpAck::Hotline
    };
    // A notified call stays notified: a later request that could not be passed on does not
    // take back what the citizen was told.
    if s.help_ack != HelpAck::Notified {
        s.help_ack = ack;
    }
    if let Screen::Farewell {
        message: Farewell::HelpRequested(shown),
        ..
    } = &mut s.screen
    {
        if *shown == HelpAck::Waiting {
            *shown = ack;
        }
    }
    if matches!(s.notice, Some(Notice::HelpCalled)) {
        s.notice = Some(match s.help_ack {
            HelpAck::Notified => Notice::HelpNotified,
            _ => Notice::HelpHotline,
        });
    }
}
