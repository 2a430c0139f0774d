//! The 办不成事 反映 and 帮办代办 / 上门服务 screens (`feedback.slint`, with `message_form.slint`): a text and a
//! call-back contact.

use std::rc::Rc;

use hall_api::form::FieldError;
use kiosk_ui::generated as ui;
use kiosk_ui::screen::feedback::{ComplaintVm, HelpVm, MessageField, MessageVm};
use slint::ComponentHandle;

use super::appointment::error_of;
use super::{message_box, open_box, shown, Typing};
use crate::display::frontend::{on0, on1, Frontend};
use crate::display::map::content;
use crate::session::screens::ContactDraft;
use crate::session::{Screen, Session, TextField, UiInput};

fn message(
    text: &str,
    contact: &ContactDraft,
    errors: &[FieldError],
    typing: Typing<'_>,
) -> MessageVm {
    MessageVm {
        text: shown(typing, TextField::Comment, text),
        text_error: error_of(errors, |f| !f.contains("phone") && !f.contains("name")),
        name: shown(typing, TextField::ContactName, &contact.name),
        phone: shown(typing, TextField::ContactPhone, &contact.phone),
        phone_error: error_of(errors, |f| f.contains("phone")),
        active: typing.and_then(|(f, _)| {
            MessageField::ALL
                .into_iter()
                .find(|&m| TextField::from(m) == f)
        }),
    }
}

fn item_name(s: &Session, code: Option<&String>) -> String {
    code.and_then(|c| s.catalog.as_ref()?.item(c))
        .map(|i| content(s, &i.name, i.name_en.as_deref()))
        .unwrap_or_default()
}

/// 办不成事.
pub fn complaint(s: &Session, typing: Typing<'_>) -> ComplaintVm {
    let Screen::Complaint(d) = &s.screen else {
        return ComplaintVm::default();
    };
    ComplaintVm {
        item_name: item_name(s, d.item_code.as_ref()),
        message: message(&d.text, &d.contact, &d.errors, typing),
    }
}

/// 代办 / 上门服务.
pub fn help(s: &Session, typing: Typing<'_>) -> HelpVm {
    let Screen::Help(d) = &s.screen else {
        return HelpVm::default();
    };
    HelpVm {
        kind: d.kind,
        item_name: item_name(s, d.item_code.as_ref()),
        message: message(&d.note, &d.contact, &d.errors, typing),
    }
}

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let app = &f.app;
    let complaint = app.global::<ui::ComplaintAdapter<'_>>();
    complaint.on_activate(on1(f, |f, i: i32| {
        if let Some(field) = message_box(i) {
            open_box(f, field);
        }
    }));
    complaint.on_send(on0(f, |f| f.press(UiInput::Send)));
    complaint.on_back(on0(f, |f| f.press(UiInput::Back)));

    let help = app.global::<ui::HelpAdapter<'_>>();
    help.on_choose_kind(on1(f, |f, kind: ui::HelpKind| {
        f.press(UiInput::OpenHelpRequest(kind.into()));
    }));
    help.on_call_staff(on0(f, |f| f.press(UiInput::CallForHelp)));
    help.on_open_complaint(on0(f, |f| f.press(UiInput::OpenComplaint)));
    help.on_activate(on1(f, |f, i: i32| {
        if let Some(field) = message_box(i) {
            open_box(f, field);
        }
    }));
    help.on_send(on0(f, |f| f.press(UiInput::Send)));
    help.on_back(on0(f, |f| f.press(UiInput::Back)));
}
