//! The preview flow of the services beside the application path: appointment booking, the
//! 办不成事 complaint, help requests (and calling staff), and the farewell.

use slint::ComponentHandle;

use super::{go, go_home, handler, handler0, FlowState, Shared};
use crate::adapters;
use crate::generated as ui;
use crate::preview;
use crate::vm::{
    self, AppointmentStage, ContactField, FarewellKind, MessageField, NoticeKind, ScreenId,
};

/// Opens the appointment screen at the department picker.
pub(super) fn open_appointment(app: &ui::AppWindow, st: &mut FlowState) {
    st.appointment = vm::AppointmentVm {
        departments: preview::appointment_departments(),
        ..Default::default()
    };
    adapters::apply_appointment(app, &st.appointment);
    go(app, ScreenId::Appointment);
}

fn farewell(app: &ui::AppWindow, kind: FarewellKind) {
    adapters::apply_farewell(app, kind);
    go(app, ScreenId::Farewell);
}

/// Re-shows the complaint or help screen (after typing or an error).
pub(super) fn show_message(app: &ui::AppWindow, st: &FlowState) {
    adapters::apply_complaint(app, &st.complaint);
    adapters::apply_help(app, &st.help);
}

fn open_complaint(app: &ui::AppWindow, st: &mut FlowState) {
    st.complaint = vm::ComplaintVm {
        item_name: st.item_name.clone(),
        ..Default::default()
    };
    show_message(app, st);
    go(app, ScreenId::Complaint);
}

fn book(app: &ui::AppWindow, st: &mut FlowState) {
    let a = &mut st.appointment;
    a.name_error = if a.name.trim().is_empty() {
        "请填写姓名".into()
    } else {
        String::new()
    };
    a.phone_error = if super::validate::is_mobile(a.phone.trim()) {
        String::new()
    } else {
        "手机号码应为 11 位数字".into()
    };
    if a.name_error.is_empty() && a.phone_error.is_empty() {
        let booked = preview::appointment(AppointmentStage::Booked);
        a.stage = AppointmentStage::Booked;
        a.reference = booked.reference;
        a.qr_payload = booked.qr_payload;
        a.place = booked.place;
    }
    adapters::apply_appointment(app, a);
}

pub(super) fn connect(app: &ui::AppWindow, state: &Shared) {
    let home = app.global::<ui::HomeAdapter<'_>>();
    home.on_appointment(handler0(app, state, open_appointment));
    home.on_help(handler0(app, state, |app, st| {
        st.help = vm::HelpVm::default();
        show_message(app, st);
        go(app, ScreenId::Help);
    }));

    let ap = app.global::<ui::AppointmentAdapter<'_>>();
    ap.on_pick_department(handler(app, state, |app, st, id: slint::SharedString| {
        let a = &mut st.appointment;
        if let Some(d) = a.departments.iter().find(|d| d.id == id.as_str()) {
            a.department_name = d.name.clone();
            a.days = preview::appointment_days();
            a.stage = AppointmentStage::Day;
        }
        adapters::apply_appointment(app, a);
    }));
    ap.on_pick_day(handler(app, state, |app, st, day: slint::SharedString| {
        let a = &mut st.appointment;
        if let Some(d) = a.days.iter().find(|d| d.id == day.as_str() && d.free > 0) {
            a.day_label = d.label.clone();
            a.slots = preview::appointment_slots(&d.id);
            a.stage = AppointmentStage::Slot;
        }
        adapters::apply_appointment(app, a);
    }));
    ap.on_pick_slot(handler(app, state, |app, st, slot: slint::SharedString| {
        let a = &mut st.appointment;
        if let Some(s) = a.slots.iter().find(|s| s.id == slot.as_str() && s.free > 0) {
            a.slot_label = s.label.clone();
            a.stage = AppointmentStage::Contact;
        }
        adapters::apply_appointment(app, a);
    }));
    ap.on_activate(handler(app, state, |app, st, i: i32| {
        let field = match i {
            0 => ContactField::Name,
            1 => ContactField::Phone,
            _ => return,
        };
        st.appointment.active = Some(field);
        super::input::open_keyboard(app, st, field == ContactField::Phone);
    }));
    ap.on_book(handler0(app, state, book));
    ap.on_back(handler0(app, state, |app, st| {
        let a = &mut st.appointment;
        a.stage = match a.stage {
            AppointmentStage::Slot => AppointmentStage::Day,
            AppointmentStage::Contact | AppointmentStage::Booking => AppointmentStage::Slot,
            AppointmentStage::Day => AppointmentStage::Department,
            _ => return go_home(app, st),
        };
        adapters::apply_appointment(app, a);
    }));
    ap.on_done(handler0(app, state, go_home));

    let complaint = app.global::<ui::ComplaintAdapter<'_>>();
    complaint.on_activate(handler(app, state, |app, st, i: i32| {
        let Some(field) = MessageField::from_index(i) else {
            return;
        };
        st.complaint.message.active = Some(field);
        super::input::open_keyboard(app, st, field == MessageField::Phone);
    }));
    complaint.on_send(handler0(app, state, |app, st| {
        let m = &mut st.complaint.message;
        m.text_error = if m.text.trim().is_empty() {
            "请说明遇到的问题".into()
        } else {
            String::new()
        };
        if m.text_error.is_empty() {
            farewell(app, FarewellKind::ComplaintSent);
        } else {
            show_message(app, st);
        }
    }));
    complaint.on_back(handler0(app, state, go_home));

    let help = app.global::<ui::HelpAdapter<'_>>();
    help.on_choose_kind(handler(app, state, |app, st, kind: ui::HelpKind| {
        st.help.kind = adapters::help_kind_from(kind);
        show_message(app, st);
    }));
    help.on_call_staff(handler0(app, state, |app, st| {
        st.help_called = true;
        // The demo has no hall: it shows the answer of one that told the staff on duty.
        st.notice = Some(NoticeKind::HelpNotified);
        adapters::set_help_call(app, crate::vm::HelpCall::Notified);
        adapters::apply_notice(app, st.notice);
    }));
    help.on_open_complaint(handler0(app, state, open_complaint));
    help.on_activate(handler(app, state, |app, st, i: i32| {
        let Some(field) = MessageField::from_index(i) else {
            return;
        };
        st.help.message.active = Some(field);
        super::input::open_keyboard(app, st, field == MessageField::Phone);
    }));
    help.on_send(handler0(app, state, |app, st| {
        let m = &mut st.help.message;
        m.phone_error = if super::validate::is_mobile(m.phone.trim()) {
            String::new()
        } else {
            "请留下联系电话，方便工作人员联系您".into()
        };
        if m.phone_error.is_empty() {
            farewell(app, FarewellKind::HelpRequested);
        } else {
            show_message(app, st);
        }
    }));
    help.on_back(handler0(app, state, go_home));

    app.global::<ui::FarewellAdapter<'_>>()
        .on_done(handler0(app, state, go_home));
}

/// After a rating is sent.
pub(super) fn thanks_for_rating(app: &ui::AppWindow) {
    farewell(app, FarewellKind::ThanksForRating);
}
