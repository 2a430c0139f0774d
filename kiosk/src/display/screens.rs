//! Callbacks of the screens around the form and beside the application path: identify,
//! materials hand-in, delivery (with the address keyboard), appointment, complaint, help,
//! farewell and the notice banner. Each is one `UiInput`; opening a text box starts the
//! keyboard on the session's current text for it.

use std::rc::Rc;

use chrono::NaiveDate;
use hall_api::application::MaterialSource;
use kiosk_ui::generated as ui;
use kiosk_ui::vm::{self, KeyboardMode};
use slint::{ComponentHandle, SharedString};

use super::frontend::{on0, on1, Frontend, Target};
use super::views;
use crate::session::screens::Screen;
use crate::session::{Session, TextField, UiInput};

/// The session's current text of a box.
fn stored(s: &Session, field: TextField) -> String {
    let text = match (&s.screen, field) {
        (Screen::Delivery, _) => s.transaction.as_ref().map(|t| match field {
            TextField::Recipient => t.address.recipient.as_str(),
            TextField::RecipientPhone => t.address.phone.as_str(),
            TextField::Region => t.address.region.as_str(),
            TextField::AddressDetail => t.address.detail.as_str(),
            _ => "",
        }),
        (Screen::Appointment(v), TextField::ContactName) => Some(v.name.as_str()),
        (Screen::Appointment(v), TextField::ContactPhone) => Some(v.phone.as_str()),
        (Screen::Complaint(d), TextField::Comment) => Some(d.text.as_str()),
        (Screen::Complaint(d), TextField::ContactName) => Some(d.contact.name.as_str()),
        (Screen::Complaint(d), TextField::ContactPhone) => Some(d.contact.phone.as_str()),
        (Screen::Help(d), TextField::Comment) => Some(d.note.as_str()),
        (Screen::Help(d), TextField::ContactName) => Some(d.contact.name.as_str()),
        (Screen::Help(d), TextField::ContactPhone) => Some(d.contact.phone.as_str()),
        _ => None,
    };
    text.unwrap_or_default().to_owned()
}

/// Opens the keyboard on a text box.
fn open_box(f: &Frontend, field: TextField) {
    let text = stored(&f.current.borrow(), field);
    let mode = match field {
        TextField::RecipientPhone | TextField::ContactPhone => KeyboardMode::Numeric,
        _ => KeyboardMode::Pinyin,
    };
    {
        let mut local = f.local.borrow_mut();
        local.editing = Some((Target::Text(field), text));
        local.keyboard = vm::KeyboardVm {
            mode,
            ..Default::default()
        };
    }
    f.press(UiInput::StillHere);
    f.redraw();
}

fn message_box(index: i32) -> Option<TextField> {
    vm::MessageField::from_index(index).map(|m| match m {
        vm::MessageField::Text => TextField::Comment,
        vm::MessageField::Name => TextField::ContactName,
        vm::MessageField::Phone => TextField::ContactPhone,
    })
}

/// Wires the callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let app = &f.app;
    let identify = app.global::<ui::IdentifyAdapter<'_>>();
    identify.on_browse(on0(f, |f| f.press(UiInput::Browse)));
    identify.on_back(on0(f, |f| f.press(UiInput::Back)));

    let materials = app.global::<ui::MaterialsAdapter<'_>>();
    let set_reuse = on1(f, |f, (code, reuse): (SharedString, bool)| {
        f.press(UiInput::SetMaterialSource {
            code: code.to_string(),
            source: if reuse {
                MaterialSource::Reused
            } else {
                MaterialSource::Later
            },
        })
    });
    materials.on_set_reuse(move |code, reuse| set_reuse((code, reuse)));
    materials.on_next(on0(f, |f| f.press(UiInput::Next)));
    materials.on_back(on0(f, |f| f.press(UiInput::Back)));

    let delivery = app.global::<ui::DeliveryAdapter<'_>>();
    delivery.on_choose_mail(on1(f, |f, mail: bool| f.press(UiInput::ChooseMail(mail))));
    delivery.on_activate(on1(f, |f, i: i32| {
        if let Some(field) = vm::AddressField::from_index(i) {
            open_box(f, views::address_text_field(field));
        }
    }));
    delivery.on_next(on0(f, |f| f.press(UiInput::Next)));
    delivery.on_back(on0(f, |f| f.press(UiInput::Back)));

    let appointment = app.global::<ui::AppointmentAdapter<'_>>();
    appointment.on_pick_department(on1(f, |f, id: SharedString| {
        f.press(UiInput::PickDepartment(id.to_string()))
    }));
    appointment.on_pick_day(on1(f, |f, id: SharedString| {
        if let Ok(day) = NaiveDate::parse_from_str(&id, "%Y-%m-%d") {
            f.press(UiInput::PickDay(day));
        }
    }));
    appointment.on_pick_slot(on1(f, |f, id: SharedString| {
        f.press(UiInput::PickSlot(id.to_string()))
    }));
    appointment.on_activate(on1(f, |f, i: i32| match i {
        0 => open_box(f, TextField::ContactName),
        1 => open_box(f, TextField::ContactPhone),
        _ => {}
    }));
    appointment.on_book(on0(f, |f| f.press(UiInput::Book)));
    appointment.on_back(on0(f, |f| f.press(UiInput::Back)));
    appointment.on_done(on0(f, |f| f.press(UiInput::Done)));

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
        let kind = match kiosk_ui::adapters::help_kind_from(kind) {
            vm::HelpKind::Proxy => hall_api::feedback::HelpKind::Proxy,
            vm::HelpKind::HomeVisit => hall_api::feedback::HelpKind::HomeVisit,
        };
        f.press(UiInput::OpenHelpRequest(kind));
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

    app.global::<ui::FarewellAdapter<'_>>()
        .on_done(on0(f, |f| f.press(UiInput::Done)));
    app.global::<ui::NoticeAdapter<'_>>()
        .on_dismiss(on0(f, |f| f.press(UiInput::DismissNotice)));
}
