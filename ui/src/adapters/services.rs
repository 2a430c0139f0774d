//! Adapters of appointments, complaints, help requests, the farewell, the notice banner and the
//! "help is coming" line of the shell.

use slint::ComponentHandle;

use super::journey::index_or_none;
use super::{department_rows, model, s};
use crate::generated as ui;
use crate::vm;

fn picks(options: &[vm::PickOption]) -> Vec<ui::PickRow> {
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
pub fn apply_appointment(app: &ui::AppWindow, vm: &vm::AppointmentVm) {
    let g = app.global::<ui::AppointmentAdapter<'_>>();
    g.set_stage(match vm.stage {
        vm::AppointmentStage::Department => ui::AppointmentStage::Department,
        vm::AppointmentStage::Day => ui::AppointmentStage::Day,
        vm::AppointmentStage::Slot => ui::AppointmentStage::Slot,
        vm::AppointmentStage::Contact => ui::AppointmentStage::Contact,
        vm::AppointmentStage::Booking => ui::AppointmentStage::Booking,
        vm::AppointmentStage::Booked => ui::AppointmentStage::Booked,
        vm::AppointmentStage::Loading => ui::AppointmentStage::Loading,
        vm::AppointmentStage::Failed => ui::AppointmentStage::Failed,
    });
    g.set_departments(model(department_rows(&vm.departments)));
    g.set_department_name(s(&vm.department_name));
    g.set_days(model(picks(&vm.days)));
    g.set_day_label(s(&vm.day_label));
    g.set_slots(model(picks(&vm.slots)));
    g.set_slot_label(s(&vm.slot_label));
    g.set_long_names(vm.long_names);
    super::apply_paging(&vm.paging, |t, p, n| {
        g.set_page_text(t);
        g.set_has_prev(p);
        g.set_has_next(n);
    });
    g.set_name(s(&vm.name));
    g.set_name_error(s(&vm.name_error));
    g.set_phone(s(&vm.phone));
    g.set_phone_error(s(&vm.phone_error));
    let typing = vm.stage == vm::AppointmentStage::Contact;
    g.set_active(index_or_none(vm.active.filter(|_| typing).map(
        |f| match f {
            vm::ContactField::Name => 0,
            vm::ContactField::Phone => 1,
        },
    )));
    g.set_reference(s(&vm.reference));
    g.set_place(s(&vm.place));
    let booked = vm.stage == vm::AppointmentStage::Booked && !vm.qr_payload.is_empty();
    g.set_qr(if booked {
        crate::qr::qr_image(&vm.qr_payload).unwrap_or_default()
    } else {
        slint::Image::default()
    });
}

fn draft(m: &vm::MessageVm, contact_required: bool) -> ui::MessageDraft {
    ui::MessageDraft {
        text: s(&m.text),
        text_error: s(&m.text_error),
        name: s(&m.name),
        phone: s(&m.phone),
        phone_error: s(&m.phone_error),
        active: index_or_none(m.active.map(|f| match f {
            vm::MessageField::Text => 0,
            vm::MessageField::Name => 1,
            vm::MessageField::Phone => 2,
        })),
        contact_required,
    }
}

/// The 办不成事 screen.
pub fn apply_complaint(app: &ui::AppWindow, vm: &vm::ComplaintVm) {
    let g = app.global::<ui::ComplaintAdapter<'_>>();
    g.set_item_name(s(&vm.item_name));
    g.set_draft(draft(&vm.message, false));
}

/// The help-request screen.
pub fn apply_help(app: &ui::AppWindow, vm: &vm::HelpVm) {
    let g = app.global::<ui::HelpAdapter<'_>>();
    g.set_kind(vm.kind.into());
    g.set_item_name(s(&vm.item_name));
    g.set_draft(draft(&vm.message, true));
}

/// The Slint side of a help kind (the generated enum of `feedback.slint`, whose screen asks
/// for 代办 or 上门服务; 帮办 at the kiosk is a call for staff, never shown there).
impl From<vm::HelpKind> for ui::HelpKind {
    fn from(kind: vm::HelpKind) -> Self {
        match kind {
            vm::HelpKind::HomeVisit => ui::HelpKind::HomeVisit,
            vm::HelpKind::Proxy | vm::HelpKind::Assistance => ui::HelpKind::Proxy,
        }
    }
}

/// The help kind a tap on the help screen chose.
impl From<ui::HelpKind> for vm::HelpKind {
    fn from(kind: ui::HelpKind) -> Self {
        match kind {
            ui::HelpKind::Proxy => vm::HelpKind::Proxy,
            ui::HelpKind::HomeVisit => vm::HelpKind::HomeVisit,
        }
    }
}

/// The closing message.
pub fn apply_farewell(app: &ui::AppWindow, kind: vm::FarewellKind) {
    app.global::<ui::FarewellAdapter<'_>>()
        .set_kind(match kind {
            vm::FarewellKind::ThanksForRating => ui::FarewellKind::ThanksForRating,
            vm::FarewellKind::Done => ui::FarewellKind::Done,
            vm::FarewellKind::ComplaintSent => ui::FarewellKind::ComplaintSent,
            vm::FarewellKind::HelpSending => ui::FarewellKind::HelpSending,
            vm::FarewellKind::HelpRequested => ui::FarewellKind::HelpRequested,
            vm::FarewellKind::HelpSaved => ui::FarewellKind::HelpSaved,
        });
}

/// The notice banner: `Some` shows it over the current screen, `None` hides it.
pub fn apply_notice(app: &ui::AppWindow, notice: Option<vm::NoticeKind>) {
    let g = app.global::<ui::NoticeAdapter<'_>>();
    g.set_visible(notice.is_some());
    if let Some(kind) = notice {
        g.set_kind(match kind {
            vm::NoticeKind::CardReadFailed => ui::NoticeKind::CardReadFailed,
            vm::NoticeKind::UnknownCode => ui::NoticeKind::UnknownCode,
            vm::NoticeKind::ReaderUnavailable => ui::NoticeKind::ReaderUnavailable,
            vm::NoticeKind::PrinterUnavailable => ui::NoticeKind::PrinterUnavailable,
            vm::NoticeKind::PrintFailed => ui::NoticeKind::PrintFailed,
            vm::NoticeKind::CardNeeded => ui::NoticeKind::CardNeeded,
            vm::NoticeKind::NotKioskCompletable => ui::NoticeKind::NotKioskCompletable,
            vm::NoticeKind::NewCitizen => ui::NoticeKind::NewCitizen,
            vm::NoticeKind::HelpCalled => ui::NoticeKind::HelpCalled,
            vm::NoticeKind::HelpNotified => ui::NoticeKind::HelpNotified,
            vm::NoticeKind::HelpHotline => ui::NoticeKind::HelpHotline,
            vm::NoticeKind::HallUnreachable => ui::NoticeKind::HallUnreachable,
            vm::NoticeKind::UnknownSubject => ui::NoticeKind::UnknownSubject,
        });
    }
}

/// Staff were called during this session: every screen says where the call stands.
pub fn set_help_call(app: &ui::AppWindow, call: vm::HelpCall) {
    app.global::<ui::Shell<'_>>().set_help_call(match call {
        vm::HelpCall::None => ui::HelpCall::None,
        vm::HelpCall::Calling => ui::HelpCall::Calling,
        vm::HelpCall::Notified => ui::HelpCall::Notified,
        vm::HelpCall::Hotline => ui::HelpCall::Hotline,
    });
}
