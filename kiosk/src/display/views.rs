//! The session's state as the view models of the screens around the form and beside the
//! application path: identify, materials hand-in, delivery, submitting, appointment,
//! complaint, help, farewell and the notice banner. Pure functions, like [`super::map`].
//!
//! Text a citizen is typing is shown as typed (they must see it); `typing` carries the box
//! being typed into and its text, which replaces the session's copy while the keyboard is
//! open.

use hall_api::application::MaterialSource;
use hall_api::form::FieldError;
use kiosk_ui::vm;

use super::map::content;
use crate::session::screens::{AppointmentStage, ContactDraft, Farewell};
use crate::session::state::HelpAck;
use crate::session::{Notice, Screen, Session, TextField};

/// The box being typed into, and its text.
pub type Typing<'a> = Option<(TextField, &'a str)>;

fn shown(typing: Typing<'_>, field: TextField, stored: &str) -> String {
    match typing {
        Some((f, text)) if f == field => text.to_owned(),
        _ => stored.to_owned(),
    }
}

/// 我要办事: what the devices allow.
pub fn identify(s: &Session) -> vm::IdentifyVm {
    let offers = s.offers();
    vm::IdentifyVm {
        card_offered: offers.id_card,
        scan_offered: offers.scan,
        browse_offered: offers.browse,
    }
}

/// The materials hand-in: reused ones marked.
pub fn materials(s: &Session) -> vm::MaterialsVm {
    let Some(t) = s.transaction.as_ref() else {
        return vm::MaterialsVm::default();
    };
    vm::MaterialsVm {
        item_name: content(s, &t.title, t.title_en.as_deref()),
        materials: t
            .materials
            .iter()
            .map(|l| {
                let m = &l.material;
                vm::HandInLine {
                    code: m.code.clone(),
                    name: content(s, &m.name, m.name_en.as_deref()),
                    form: super::map::amounts(s, m.originals, m.copies),
                    can_reuse: l.held,
                    reused: l.source == MaterialSource::Reused,
                    by_id_card: l.source == MaterialSource::IdCardRead,
                }
            })
            .collect(),
        reuse_unknown: matches!(
            t.reuse,
            crate::session::transaction::ReuseLookup::Unavailable
        ),
    }
}

/// The address box a session text field is, if any.
pub fn address_field(field: TextField) -> Option<vm::AddressField> {
    match field {
        TextField::Recipient => Some(vm::AddressField::Recipient),
        TextField::RecipientPhone => Some(vm::AddressField::Phone),
        TextField::Region => Some(vm::AddressField::Region),
        TextField::AddressDetail => Some(vm::AddressField::Detail),
        _ => None,
    }
}

/// The session text field of an address box.
pub fn address_text_field(field: vm::AddressField) -> TextField {
    match field {
        vm::AddressField::Recipient => TextField::Recipient,
        vm::AddressField::Phone => TextField::RecipientPhone,
        vm::AddressField::Region => TextField::Region,
        vm::AddressField::Detail => TextField::AddressDetail,
    }
}

/// 免费邮寄 or pick-up, and the address.
pub fn delivery(s: &Session, typing: Typing<'_>) -> vm::DeliveryVm {
    let Some(t) = s.transaction.as_ref() else {
        return vm::DeliveryVm::default();
    };
    let a = &t.address;
    let errors = t
        .address_errors
        .iter()
        .filter_map(|e| {
            let key = e.field.rsplit('.').next().unwrap_or_default();
            let field = match key {
                "recipient" => vm::AddressField::Recipient,
                "phone" => vm::AddressField::Phone,
                "region" => vm::AddressField::Region,
                "detail" => vm::AddressField::Detail,
                _ => return None,
            };
            Some((field, e.message.clone()))
        })
        .collect();
    let department = t
        .items
        .first()
        .and_then(|code| s.catalog.as_ref()?.item(code))
        .and_then(|item| s.catalog.as_ref()?.department(&item.department));
    vm::DeliveryVm {
        item_name: content(s, &t.title, t.title_en.as_deref()),
        mail: t.mail,
        pickup_place: department.map_or_else(String::new, |d| {
            format!("{} {}", content(s, &d.name, d.name_en.as_deref()), d.window)
        }),
        address: vm::AddressVm {
            recipient: shown(typing, TextField::Recipient, &a.recipient),
            phone: shown(typing, TextField::RecipientPhone, &a.phone),
            region: shown(typing, TextField::Region, &a.region),
            detail: shown(typing, TextField::AddressDetail, &a.detail),
        },
        errors,
        active: typing.and_then(|(f, _)| address_field(f)),
    }
}

/// The submitting screen.
pub fn submitting(s: &Session) -> vm::SubmittingVm {
    vm::SubmittingVm {
        item_name: s
            .transaction
            .as_ref()
            .map(|t| t.title.clone())
            .unwrap_or_default(),
    }
}

fn error_of(errors: &[FieldError], pick: impl Fn(&str) -> bool) -> String {
    errors
        .iter()
        .find(|e| pick(&e.field))
        .map(|e| e.message.clone())
        .unwrap_or_default()
}

/// The booking screen at its stage.
pub fn appointment(s: &Session, typing: Typing<'_>) -> vm::AppointmentVm {
    let Screen::Appointment(view) = &s.screen else {
        return vm::AppointmentVm::default();
    };
    let catalog = s.catalog.as_ref();
    let departments = catalog
        .map(|c| {
            c.departments
                .iter()
                .map(|d| vm::Department {
                    id: d.code.clone(),
                    name: content(s, &d.name, d.name_en.as_deref()),
                })
                .collect()
        })
        .unwrap_or_default();
    let department_name = |code: &str| {
        catalog.and_then(|c| c.department(code)).map_or_else(
            || code.to_owned(),
            |d| content(s, &d.name, d.name_en.as_deref()),
        )
    };
    let mut out = vm::AppointmentVm {
        departments,
        name: shown(typing, TextField::ContactName, &view.name),
        phone: shown(typing, TextField::ContactPhone, &view.phone),
        name_error: error_of(&view.errors, |f| f == "name"),
        phone_error: error_of(&view.errors, |f| f.ends_with("phone")),
        active: typing.and_then(|(f, _)| match f {
            TextField::ContactName => Some(vm::ContactField::Name),
            TextField::ContactPhone => Some(vm::ContactField::Phone),
            _ => None,
        }),
        ..Default::default()
    };
    let date_format = if s.is_chinese() {
        "%m月%d日"
    } else {
        "%b %d"
    };
    let slot_label = |slot: &hall_api::appointment::Slot| {
        format!(
            "{} {}–{}",
            slot.date.format(date_format),
            slot.start,
            slot.end
        )
    };
    match &view.stage {
        AppointmentStage::Department => out.stage = vm::AppointmentStage::Department,
        AppointmentStage::Slots {
            department,
            loading,
            slots,
            day,
            failed,
        } => {
            out.department_name = department_name(department);
            let mut days: Vec<vm::PickOption> = Vec::new();
            for slot in slots {
                let id = slot.date.format("%Y-%m-%d").to_string();
                match days.iter_mut().find(|d| d.id == id) {
                    Some(d) => d.free += slot.remaining,
                    None => days.push(vm::PickOption {
                        id,
                        label: slot.date.format(date_format).to_string(),
                        free: slot.remaining,
                    }),
                }
            }
            out.days = days;
            out.stage = if *failed {
                vm::AppointmentStage::Failed
            } else if loading.is_some() {
                vm::AppointmentStage::Loading
            } else if let Some(day) = day {
                out.day_label = day.format(date_format).to_string();
                out.slots = slots
                    .iter()
                    .filter(|slot| slot.date == *day)
                    .map(|slot| vm::PickOption {
                        id: slot.id.clone(),
                        label: format!("{}–{}", slot.start, slot.end),
                        free: slot.remaining,
                    })
                    .collect();
                vm::AppointmentStage::Slot
            } else {
                vm::AppointmentStage::Day
            };
        }
        AppointmentStage::Contact { slot } | AppointmentStage::Booking { slot, .. } => {
            out.department_name = department_name(&slot.department);
            out.slot_label = slot_label(slot);
            out.stage = if matches!(view.stage, AppointmentStage::Contact { .. }) {
                vm::AppointmentStage::Contact
            } else {
                vm::AppointmentStage::Booking
            };
        }
        AppointmentStage::Booked(b) => {
            out.department_name = department_name(&b.slot.department);
            out.slot_label = slot_label(&b.slot);
            out.reference = b.reference.clone();
            out.qr_payload = b.reference.clone();
            out.place = catalog
                .and_then(|c| c.department(&b.slot.department))
                .map_or_else(String::new, |d| d.window.clone());
            out.stage = vm::AppointmentStage::Booked;
        }
        AppointmentStage::Lookup(_) => out.stage = vm::AppointmentStage::Loading,
        AppointmentStage::Failed => out.stage = vm::AppointmentStage::Failed,
    }
    out
}

fn message(
    text: &str,
    contact: &ContactDraft,
    errors: &[FieldError],
    typing: Typing<'_>,
) -> vm::MessageVm {
    vm::MessageVm {
        text: shown(typing, TextField::Comment, text),
        text_error: error_of(errors, |f| !f.contains("phone") && !f.contains("name")),
        name: shown(typing, TextField::ContactName, &contact.name),
        phone: shown(typing, TextField::ContactPhone, &contact.phone),
        phone_error: error_of(errors, |f| f.contains("phone")),
        active: typing.and_then(|(f, _)| match f {
            TextField::Comment => Some(vm::MessageField::Text),
            TextField::ContactName => Some(vm::MessageField::Name),
            TextField::ContactPhone => Some(vm::MessageField::Phone),
            _ => None,
        }),
    }
}

fn item_name(s: &Session, code: Option<&String>) -> String {
    code.and_then(|c| s.catalog.as_ref()?.item(c))
        .map(|i| content(s, &i.name, i.name_en.as_deref()))
        .unwrap_or_default()
}

/// 办不成事.
pub fn complaint(s: &Session, typing: Typing<'_>) -> vm::ComplaintVm {
    let Screen::Complaint(d) = &s.screen else {
        return vm::ComplaintVm::default();
    };
    vm::ComplaintVm {
        item_name: item_name(s, d.item_code.as_ref()),
        message: message(&d.text, &d.contact, &d.errors, typing),
    }
}

/// 代办 / 上门服务.
pub fn help(s: &Session, typing: Typing<'_>) -> vm::HelpVm {
    let Screen::Help(d) = &s.screen else {
        return vm::HelpVm::default();
    };
    vm::HelpVm {
        kind: match d.kind {
            hall_api::feedback::HelpKind::HomeVisit => vm::HelpKind::HomeVisit,
            _ => vm::HelpKind::Proxy,
        },
        item_name: item_name(s, d.item_code.as_ref()),
        message: message(&d.note, &d.contact, &d.errors, typing),
    }
}

/// The farewell's message.
pub fn farewell(s: &Session) -> vm::FarewellKind {
    match &s.screen {
        Screen::Farewell { message, .. } => match message {
            Farewell::ThanksForRating => vm::FarewellKind::ThanksForRating,
            Farewell::Done => vm::FarewellKind::Done,
            Farewell::ComplaintSent => vm::FarewellKind::ComplaintSent,
            Farewell::HelpRequested(HelpAck::Waiting) => vm::FarewellKind::HelpSending,
            Farewell::HelpRequested(HelpAck::Notified) => vm::FarewellKind::HelpRequested,
            Farewell::HelpRequested(HelpAck::Hotline) => vm::FarewellKind::HelpSaved,
        },
        _ => vm::FarewellKind::Done,
    }
}

/// Where the session's call for staff stands, for the line under every header.
pub fn help_call(s: &Session) -> vm::HelpCall {
    match (s.help_called, s.help_ack) {
        (false, _) => vm::HelpCall::None,
        (true, HelpAck::Waiting) => vm::HelpCall::Calling,
        (true, HelpAck::Notified) => vm::HelpCall::Notified,
        (true, HelpAck::Hotline) => vm::HelpCall::Hotline,
    }
}

/// The banner over the screen.
pub fn notice(s: &Session) -> Option<vm::NoticeKind> {
    s.notice.map(|n| match n {
        Notice::CardReadFailed => vm::NoticeKind::CardReadFailed,
        Notice::UnknownCode => vm::NoticeKind::UnknownCode,
        Notice::ReaderUnavailable => vm::NoticeKind::ReaderUnavailable,
        Notice::PrinterUnavailable => vm::NoticeKind::PrinterUnavailable,
        Notice::PrintFailed => vm::NoticeKind::PrintFailed,
        Notice::CardNeeded => vm::NoticeKind::CardNeeded,
        Notice::NotKioskCompletable => vm::NoticeKind::NotKioskCompletable,
        Notice::NewCitizen => vm::NoticeKind::NewCitizen,
        Notice::HelpCalled => vm::NoticeKind::HelpCalled,
        Notice::HelpNotified => vm::NoticeKind::HelpNotified,
        Notice::HelpHotline => vm::NoticeKind::HelpHotline,
        Notice::HallUnreachable => vm::NoticeKind::HallUnreachable,
        Notice::UnknownSubject => vm::NoticeKind::UnknownSubject,
    })
}
