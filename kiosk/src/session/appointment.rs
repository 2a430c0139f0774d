//! 预约: department → day → slot → name and phone → booked (slip printed, or on screen); and
//! a scanned appointment code shown back. Works without the card reader (name typed).

use hall_api::appointment::{AppointmentReceipt, CreateAppointment, SlotList};
use hall_api::form::{is_phone, FieldError, FieldErrorCode};

use super::docs;
use super::effect::{Effect, EndReason};
use super::event::{BookOutcome, LookupResult, TextField, UiInput};
use super::form::bounded;
use super::personal::PersonalText;
use super::screens::{AppointmentStage, AppointmentView, Screen};
use super::state::{Notice, RequestId, Session};
use super::step::go_home;

fn view(s: &Session, item_code: Option<String>, stage: AppointmentStage) -> AppointmentView {
    AppointmentView {
        item_code,
        stage,
        name: PersonalText::new(
            s.citizen
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_default(),
        ),
        phone: PersonalText::default(),
        errors: Vec::new(),
    }
}

/// Opens booking; from a guide the item's department is already known.
pub(crate) fn open(s: &mut Session, item_code: Option<String>, fx: &mut Vec<Effect>) {
    let Some(catalog) = s.catalog.clone() else {
        s.notice = Some(Notice::UnknownSubject);
        return;
    };
    let department = item_code
        .as_deref()
        .and_then(|c| catalog.item(c))
        .map(|i| i.department.clone());
    s.screen = Screen::Appointment(view(s, item_code, AppointmentStage::Department));
    if let Some(department) = department {
        fetch_slots(s, department, fx);
    }
}

/// A card read while booking fills in the name.
pub(crate) fn card_read(s: &mut Session) {
    let name = s
        .citizen
        .as_ref()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    if let Screen::Appointment(v) = &mut s.screen {
        if v.name.trimmed().is_none() {
            v.name = PersonalText::new(name);
        }
    }
}

/// A scanned appointment code: look the booking up.
pub(crate) fn lookup(s: &mut Session, reference: String, fx: &mut Vec<Effect>) {
    let request = s.next_request();
    s.screen = Screen::Appointment(view(s, None, AppointmentStage::Lookup(request)));
    fx.push(Effect::FetchAppointment { request, reference });
}

fn fetch_slots(s: &mut Session, department: String, fx: &mut Vec<Effect>) {
    let request = s.next_request();
    if let Screen::Appointment(v) = &mut s.screen {
        v.stage = AppointmentStage::Slots {
            department: department.clone(),
            loading: Some(request),
            slots: Vec::new(),
            day: None,
            failed: false,
        };
        fx.push(Effect::FetchSlots {
            request,
            department,
        });
    }
}

/// Touches on the booking screens.
pub(crate) fn input(s: &mut Session, input: UiInput, fx: &mut Vec<Effect>) {
    let known = |code: &str| {
        s.catalog
            .as_ref()
            .is_some_and(|c| c.department(code).is_some())
    };
    let Screen::Appointment(v) = &mut s.screen else {
        return;
    };
    match (&mut v.stage, input) {
        (AppointmentStage::Department, UiInput::PickDepartment(code)) if known(&code) => {
            fetch_slots(s, code, fx);
        }
        (AppointmentStage::Slots { slots, day, .. }, UiInput::PickDay(date))
            if slots.iter().any(|x| x.date == date) =>
        {
            *day = Some(date);
        }
        (AppointmentStage::Slots { slots, .. }, UiInput::PickSlot(id)) => {
            if let Some(slot) = slots.iter().find(|x| x.id == id && x.remaining > 0) {
                v.stage = AppointmentStage::Contact { slot: slot.clone() };
            }
        }
        (AppointmentStage::Contact { .. }, UiInput::SetText { field, value }) => match field {
            TextField::ContactName => v.name = bounded(&value, 100),
            TextField::ContactPhone => v.phone = bounded(&value, 100),
            _ => {}
        },
        (AppointmentStage::Contact { slot }, UiInput::Book) => {
            v.errors = contact_errors(&v.name, &v.phone);
            if v.errors.is_empty() {
                let payload = CreateAppointment {
                    slot_id: slot.id.clone(),
                    item_code: v.item_code.clone(),
                    name: v.name.trim().to_owned(),
                    phone: v.phone.trim().to_owned(),
                };
                let slot = slot.clone();
                let idempotency_key = s.next_key();
                if let Screen::Appointment(v) = &mut s.screen {
                    v.stage = AppointmentStage::Booking {
                        slot,
                        key: idempotency_key.clone(),
                    };
                }
                fx.push(Effect::Book {
                    idempotency_key,
                    payload,
                });
            }
        }
        (AppointmentStage::Booked(b), UiInput::Reprint) => {
            let b = b.clone();
            print_slip(s, &b, fx);
        }
        (AppointmentStage::Booked(_), UiInput::Done) => go_home(s, EndReason::Completed, fx),
        (
            AppointmentStage::Slots {
                day: day @ Some(_), ..
            },
            UiInput::Back,
        ) => *day = None,
        (AppointmentStage::Contact { slot }, UiInput::Back) => {
            let department = slot.department.clone();
            fetch_slots(s, department, fx);
        }
        (AppointmentStage::Slots { .. } | AppointmentStage::Failed, UiInput::Back) => {
            v.stage = AppointmentStage::Department;
        }
        (_, UiInput::Back) => {
            if s.transaction.is_some() {
                s.screen = Screen::Guide;
            } else {
                go_home(s, EndReason::Cancelled, fx);
            }
        }
        _ => {}
    }
}

fn contact_errors(name: &PersonalText, phone: &PersonalText) -> Vec<FieldError> {
    let mut errors = Vec::new();
    match name.trimmed() {
        None => errors.push(FieldError {
            field: "name".into(),
            code: FieldErrorCode::Required,
            message: "姓名：必填，请填写".into(),
        }),
        Some(n) if n.chars().count() > 30 || n.chars().any(char::is_control) => {
            errors.push(FieldError {
                field: "name".into(),
                code: FieldErrorCode::TooLong,
                message: "姓名：最多30个字".into(),
            });
        }
        Some(_) => {}
    }
    if !is_phone(phone.trim()) {
        errors.push(FieldError {
            field: "phone".into(),
            code: FieldErrorCode::InvalidPhone,
            message: "联系电话：请填写11位手机号或带区号的固定电话".into(),
        });
    }
    errors
}

/// The hall's slots; ignored unless this exact fetch is awaited.
pub(crate) fn slots_fetched(s: &mut Session, request: RequestId, result: LookupResult<SlotList>) {
    let Screen::Appointment(v) = &mut s.screen else {
        return;
    };
    let AppointmentStage::Slots {
        department,
        loading,
        slots,
        failed,
        ..
    } = &mut v.stage
    else {
        return;
    };
    if *loading != Some(request) {
        return;
    }
    *loading = None;
    match result {
        LookupResult::Found(list) => {
            *slots = list
                .slots
                .into_iter()
                .filter(|x| &x.department == department)
                .collect();
        }
        LookupResult::NotFound => slots.clear(),
        LookupResult::Unreachable => *failed = true,
    }
}

/// The answer to `Book`.
pub(crate) fn book_result(s: &mut Session, key: &str, outcome: BookOutcome, fx: &mut Vec<Effect>) {
    let Screen::Appointment(v) = &mut s.screen else {
        return;
    };
    let AppointmentStage::Booking { slot, key: k } = &v.stage else {
        return;
    };
    if k != key {
        return;
    }
    match outcome {
        BookOutcome::Booked(receipt) => {
            v.stage = AppointmentStage::Booked(receipt.clone());
            print_slip(s, &receipt, fx);
        }
        BookOutcome::Refused(errors) => {
            v.stage = AppointmentStage::Contact { slot: slot.clone() };
            v.errors = errors;
        }
        BookOutcome::Unreachable => {
            v.stage = AppointmentStage::Failed;
            s.notice = Some(Notice::HallUnreachable);
        }
    }
}

/// The answer to `FetchAppointment`.
pub(crate) fn appointment_fetched(
    s: &mut Session,
    request: RequestId,
    result: LookupResult<AppointmentReceipt>,
) {
    let Screen::Appointment(v) = &mut s.screen else {
        return;
    };
    if v.stage != AppointmentStage::Lookup(request) {
        return;
    }
    match result {
        LookupResult::Found(receipt) => v.stage = AppointmentStage::Booked(receipt),
        LookupResult::NotFound => {
            v.stage = AppointmentStage::Failed;
            s.notice = Some(Notice::UnknownCode);
        }
        LookupResult::Unreachable => {
            v.stage = AppointmentStage::Failed;
            s.notice = Some(Notice::HallUnreachable);
        }
    }
}

fn print_slip(s: &mut Session, b: &AppointmentReceipt, fx: &mut Vec<Effect>) {
    if !s.devices.can_print() {
        s.notice = Some(Notice::PrinterUnavailable);
        return;
    }
    let department = s
        .catalog
        .as_ref()
        .and_then(|c| c.department(&b.slot.department))
        .map_or_else(|| b.slot.department.clone(), |d| d.name.clone());
    let name = match &s.screen {
        Screen::Appointment(v) => v.name.as_str().to_owned(),
        _ => String::new(),
    };
    fx.push(Effect::Print(docs::booking_slip(b, &department, &name)));
}
