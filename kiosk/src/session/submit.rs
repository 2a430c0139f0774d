//! Review, submit (exactly one `Submit` per application, whatever the taps), the service's
//! answer (delivered, queued in the outbox, or refused with field errors) and the receipt
//! (printed, or on screen with its QR code when there is no printer).

use super::docs;
use super::effect::Effect;
use super::event::{SubmitOutcome, UiInput};
use super::screens::{Farewell, RatingDraft, Screen};
use super::state::{Notice, Session};
use super::transaction::Submission;

/// Touches on the review, submitting and receipt screens.
pub(crate) fn input(s: &mut Session, input: UiInput, fx: &mut Vec<Effect>) {
    match (&s.screen, input) {
        (Screen::Review, UiInput::Submit) => submit(s, fx),
        (Screen::Review, UiInput::ToggleNotifyConsent) => {
            if let Some(t) = s.transaction.as_mut().filter(|t| t.submission.is_none()) {
                t.notify_consent = !t.notify_consent && t.notify_phone().is_some();
            }
        }
        (Screen::Review, UiInput::Back) => {
            let camera = s.devices.camera;
            let materials = s
                .transaction
                .as_ref()
                .is_some_and(|t| super::form::materials_to_decide(t, camera));
            s.screen = if materials {
                Screen::Materials
            } else {
                Screen::Form
            };
        }
        (Screen::Review, UiInput::ChangeDelivery)
            if s.transaction.as_ref().is_some_and(|t| t.mail_allowed) =>
        {
            s.screen = Screen::Delivery;
        }
        (Screen::Receipt, UiInput::Reprint) => print_receipt(s, fx),
        (Screen::Receipt, UiInput::Done) => {
            let delivered = matches!(
                s.transaction.as_ref().and_then(|t| t.submission.as_ref()),
                Some(Submission::Delivered { .. })
            );
            if delivered {
                s.screen = Screen::Rating(RatingDraft::default());
            } else {
                // A queued application has no tracking code yet, so it cannot be rated here
                // (CreateRating needs one); the citizen can rate later through progress.
                farewell(s, Farewell::Done);
            }
        }
        // Submitting waits for the service; the receipt has no way back.
        _ => {}
    }
}

fn submit(s: &mut Session, fx: &mut Vec<Effect>) {
    let pending = s
        .transaction
        .as_ref()
        .is_none_or(|t| t.submission.is_some());
    if pending || s.citizen.is_none() {
        return;
    }
    let key = s.next_key();
    let (Some(citizen), Some(t)) = (&s.citizen, &mut s.transaction) else {
        return;
    };
    t.declare();
    let payload = t.payload(citizen, &s.now);
    let attachments = t.attachments();
    t.submission = Some(Submission::Pending { key: key.clone() });
    s.screen = Screen::Submitting;
    fx.push(Effect::Submit {
        idempotency_key: key,
        payload,
        attachments,
    });
}

/// The service's answer to `Submit`; answers for another (older) submission are ignored.
pub(crate) fn result(s: &mut Session, key: &str, outcome: SubmitOutcome, fx: &mut Vec<Effect>) {
    let Some(t) = &mut s.transaction else { return };
    if !matches!(&t.submission, Some(Submission::Pending { key: k }) if k == key) {
        return;
    }
    match outcome {
        SubmitOutcome::Delivered(receipt) => {
            t.submission = Some(Submission::Delivered {
                key: key.to_owned(),
                receipt,
            });
        }
        SubmitOutcome::Queued => {
            t.submission = Some(Submission::Queued {
                key: key.to_owned(),
            })
        }
        SubmitOutcome::Refused(errors) => {
            // Back to where the problem is; a fresh key for the corrected application.
            t.submission = None;
            let (address, fields): (Vec<_>, Vec<_>) = errors
                .into_iter()
                .partition(|e| e.field.starts_with("delivery"));
            t.address_errors = address;
            t.errors = fields.into_iter().map(|e| (e.field.clone(), e)).collect();
            if s.screen == Screen::Submitting {
                // A material over the hall's size limits (`materials.{code}`) is fixed on
                // the materials screen: photograph fewer pages, or hand it in later.
                let materials_only =
                    !t.errors.is_empty() && t.errors.keys().all(|k| k.starts_with("materials"));
                s.screen = if t.errors.is_empty() && !t.address_errors.is_empty() {
                    Screen::Delivery
                } else if materials_only {
                    Screen::Materials
                } else {
                    Screen::Form
                };
            }
            return;
        }
    }
    if s.screen == Screen::Submitting {
        s.screen = Screen::Receipt;
        print_receipt(s, fx);
    }
}

fn print_receipt(s: &mut Session, fx: &mut Vec<Effect>) {
    let (Some(t), Some(c)) = (&s.transaction, &s.citizen) else {
        return;
    };
    let Some(doc) = docs::receipt(t, c, &s.config.hall_name, &s.config.progress_url) else {
        return;
    };
    if s.devices.can_print() {
        fx.push(Effect::Print(doc));
    } else {
        s.notice = Some(Notice::PrinterUnavailable);
    }
}

/// Shows a closing message that goes home by itself after `config.farewell`.
pub(crate) fn farewell(s: &mut Session, message: Farewell) {
    s.screen = Screen::Farewell {
        message,
        until: s.now.mono + s.config.farewell,
    };
}
