//! 预约 (`appointment.slint`, with `appointment_parts.slint`): department, day, slot, contact,
//! the booked slip.

use slint::ComponentHandle;

use super::{index_or_none, model, s, Paging};
use crate::generated as ui;

/// A department to browse by.
#[derive(Debug, Clone, PartialEq)]
pub struct Department {
    /// Catalog id.
    pub id: String,
    /// Short name (公安, 民政…).
    pub name: String,
}

/// Where a booking is (the session's `AppointmentStage`, its `Slots` split into day and slot): the
/// Slint enum of `appointment_parts.slint`, re-exported.
pub use crate::generated::AppointmentStage;

/// A day or slot to pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickOption {
    /// A day as `YYYY-MM-DD` (what `PickDay` parses), or a slot id (what `PickSlot` takes).
    pub id: String,
    /// What the button says (11月27日 周五, 09:00–09:30).
    pub label: String,
    /// Bookings still free; 0 shows the option full and disabled.
    pub free: u32,
}

/// A box of the booking contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactField {
    /// Name.
    Name,
    /// Phone.
    Phone,
}

/// The appointment screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AppointmentVm {
    /// The stage.
    pub stage: AppointmentStage,
    /// Departments to book with.
    pub departments: Vec<Department>,
    /// The chosen department's name.
    pub department_name: String,
    /// Days with their free counts.
    pub days: Vec<PickOption>,
    /// The chosen day, worded.
    pub day_label: String,
    /// Slots of the chosen day with their free counts.
    pub slots: Vec<PickOption>,
    /// The chosen slot, worded.
    pub slot_label: String,
    /// Name for the booking (the citizen types or checks it).
    pub name: String,
    /// Its error.
    pub name_error: String,
    /// Phone for reminders.
    pub phone: String,
    /// Its error.
    pub phone_error: String,
    /// The box the keyboard types into.
    pub active: Option<ContactField>,
    /// The booking's reference code, once booked.
    pub reference: String,
    /// What the slip's QR code encodes.
    pub qr_payload: String,
    /// Where to go (hall, floor, window).
    pub place: String,
    /// The page of the list of the stage (departments, days or slots) shown: that list holds
    /// that page only.
    pub paging: Paging,
    /// The departments' names are long (English): one to a row where they would be two.
    pub long_names: bool,
}

fn department_rows(departments: &[Department]) -> Vec<ui::DepartmentRow> {
    departments
        .iter()
        .map(|d| ui::DepartmentRow {
            id: s(&d.id),
            name: s(&d.name),
        })
        .collect()
}

fn picks(options: &[PickOption]) -> Vec<ui::PickRow> {
    options
        .iter()
        .map(|o| ui::PickRow {
            id: s(&o.id),
            label: s(&o.label),
            free: i32::try_from(o.free).unwrap_or(i32::MAX),
        })
        .collect()
}

/// The appointment screen at its stage.
pub fn apply_appointment(app: &ui::AppWindow, vm: &AppointmentVm) {
    let g = app.global::<ui::AppointmentAdapter<'_>>();
    g.set_stage(vm.stage);
    g.set_departments(model(department_rows(&vm.departments)));
    g.set_department_name(s(&vm.department_name));
    g.set_days(model(picks(&vm.days)));
    g.set_day_label(s(&vm.day_label));
    g.set_slots(model(picks(&vm.slots)));
    g.set_slot_label(s(&vm.slot_label));
    g.set_long_names(vm.long_names);
    vm.paging.apply(|t, p, n| {
        g.set_page_text(t);
        g.set_has_prev(p);
        g.set_has_next(n);
    });
    g.set_name(s(&vm.name));
    g.set_name_error(s(&vm.name_error));
    g.set_phone(s(&vm.phone));
    g.set_phone_error(s(&vm.phone_error));
    let typing = vm.stage == AppointmentStage::Contact;
    g.set_active(index_or_none(vm.active.filter(|_| typing).map(
        |f| match f {
            ContactField::Name => 0,
            ContactField::Phone => 1,
        },
    )));
    g.set_reference(s(&vm.reference));
    g.set_place(s(&vm.place));
    let booked = vm.stage == AppointmentStage::Booked && !vm.qr_payload.is_empty();
    g.set_qr(if booked {
        crate::qr::qr_image(&vm.qr_payload).unwrap_or_default()
    } else {
        slint::Image::default()
    });
}
