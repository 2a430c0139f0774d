//! The 预约 screen (`appointment.slint`): department, day, slot, contact, the booked slip.

use std::rc::Rc;

use chrono::NaiveDate;
use hall_api::form::FieldError;
use kiosk_ui::generated as ui;
use kiosk_ui::screen::appointment::{
    AppointmentStage as ShownStage, AppointmentVm, ContactField, Department, PickOption,
};
use slint::{ComponentHandle, SharedString};

use super::{open_box, shown, Typing};
use crate::display::frontend::{list_step, on0, on1, Frontend};
use crate::display::map::content;
use crate::session::screens::AppointmentStage;
use crate::session::{Screen, Session, TextField, UiInput};

pub(super) fn error_of(errors: &[FieldError], pick: impl Fn(&str) -> bool) -> String {
    errors
        .iter()
        .find(|e| pick(&e.field))
        .map(|e| e.message.clone())
        .unwrap_or_default()
}

/// The booking screen at its stage.
pub fn view(s: &Session, typing: Typing<'_>) -> AppointmentVm {
    let Screen::Appointment(view) = &s.screen else {
        return AppointmentVm::default();
    };
    let catalog = s.catalog.as_ref();
    let departments = catalog
        .map(|c| {
            c.departments
                .iter()
                .map(|d| Department {
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
    let mut out = AppointmentVm {
        departments,
        long_names: !s.is_chinese(),
        name: shown(typing, TextField::ContactName, &view.name),
        phone: shown(typing, TextField::ContactPhone, &view.phone),
        name_error: error_of(&view.errors, |f| f == "name"),
        phone_error: error_of(&view.errors, |f| f.ends_with("phone")),
        active: typing.and_then(|(f, _)| match f {
            TextField::ContactName => Some(ContactField::Name),
            TextField::ContactPhone => Some(ContactField::Phone),
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
        AppointmentStage::Department => out.stage = ShownStage::Department,
        AppointmentStage::Slots {
            department,
            loading,
            slots,
            day,
            failed,
        } => {
            out.department_name = department_name(department);
            let mut days: Vec<PickOption> = Vec::new();
            for slot in slots {
                let id = slot.date.format("%Y-%m-%d").to_string();
                match days.iter_mut().find(|d| d.id == id) {
                    Some(d) => d.free += slot.remaining,
                    None => days.push(PickOption {
                        id,
                        label: slot.date.format(date_format).to_string(),
                        free: slot.remaining,
                    }),
                }
            }
            out.days = days;
            out.stage = if *failed {
                ShownStage::Failed
            } else if loading.is_some() {
                ShownStage::Loading
            } else if let Some(day) = day {
                out.day_label = day.format(date_format).to_string();
                out.slots = slots
                    .iter()
                    .filter(|slot| slot.date == *day)
                    .map(|slot| PickOption {
                        id: slot.id.clone(),
                        label: format!("{}–{}", slot.start, slot.end),
                        free: slot.remaining,
                    })
                    .collect();
                ShownStage::Slot
            } else {
                ShownStage::Day
            };
        }
        AppointmentStage::Contact { slot } | AppointmentStage::Booking { slot, .. } => {
            out.department_name = department_name(&slot.department);
            out.slot_label = slot_label(slot);
            out.stage = if matches!(view.stage, AppointmentStage::Contact { .. }) {
                ShownStage::Contact
            } else {
                ShownStage::Booking
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
            out.stage = ShownStage::Booked;
        }
        AppointmentStage::Lookup(_) => out.stage = ShownStage::Loading,
        AppointmentStage::Failed => out.stage = ShownStage::Failed,
    }
    out
}

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let app = &f.app;
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
    appointment.on_prev_page(on0(f, |f| list_step(f, false)));
    appointment.on_next_page(on0(f, |f| list_step(f, true)));
    appointment.on_book(on0(f, |f| f.press(UiInput::Book)));
    appointment.on_back(on0(f, |f| f.press(UiInput::Back)));
    appointment.on_done(on0(f, |f| f.press(UiInput::Done)));
}
