//! Adapters: map the view models of [`crate::vm`] onto the screens' adapter globals. Pure
//! mapping, no logic: the session machine decides, these only show. The screens added for the
//! session machine's path are in [`journey`] and [`services`] (re-exported here); each adapter
//! global's doc comments in `ui/views/*.slint` name the `UiInput` each callback stands for.

mod camera;
mod journey;
mod prints;
mod services;

pub use camera::*;
pub use journey::*;
pub use prints::*;
pub use services::*;

use slint::{ComponentHandle, Model, ModelRc, SharedString, VecModel};

use crate::generated as ui;
use crate::vm;

fn s(text: &str) -> SharedString {
    SharedString::from(text)
}

fn model<T: Clone + 'static>(rows: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(rows))
}

fn page_text(page: usize, pages: usize) -> SharedString {
    s(&format!("{} / {}", page + 1, pages.max(1)))
}

/// Shows `screen`.
pub fn show_screen(app: &ui::AppWindow, screen: vm::ScreenId) {
    let id = match screen {
        vm::ScreenId::Home => ui::Screen::Home,
        vm::ScreenId::Identify => ui::Screen::Identify,
        vm::ScreenId::Browse => ui::Screen::Browse,
        vm::ScreenId::Guide => ui::Screen::Guide,
        vm::ScreenId::Form => ui::Screen::Form,
        vm::ScreenId::Materials => ui::Screen::Materials,
        vm::ScreenId::Camera => ui::Screen::Camera,
        vm::ScreenId::Delivery => ui::Screen::Delivery,
        vm::ScreenId::Review => ui::Screen::Review,
        vm::ScreenId::Submitting => ui::Screen::Submitting,
        vm::ScreenId::Receipt => ui::Screen::Receipt,
        vm::ScreenId::Rating => ui::Screen::Rating,
        vm::ScreenId::Progress => ui::Screen::Progress,
        vm::ScreenId::Appointment => ui::Screen::Appointment,
        vm::ScreenId::Complaint => ui::Screen::Complaint,
        vm::ScreenId::Help => ui::Screen::Help,
        vm::ScreenId::Farewell => ui::Screen::Farewell,
        vm::ScreenId::Prints => ui::Screen::Prints,
        vm::ScreenId::OutOfService => ui::Screen::OutOfService,
        vm::ScreenId::MaintenancePin => ui::Screen::MaintenancePin,
        vm::ScreenId::Maintenance => ui::Screen::Maintenance,
    };
    app.global::<ui::Shell<'_>>().set_screen(id);
}

/// The screen showing now.
pub fn current_screen(app: &ui::AppWindow) -> vm::ScreenId {
    match app.global::<ui::Shell<'_>>().get_screen() {
        ui::Screen::Home => vm::ScreenId::Home,
        ui::Screen::Identify => vm::ScreenId::Identify,
        ui::Screen::Browse => vm::ScreenId::Browse,
        ui::Screen::Guide => vm::ScreenId::Guide,
        ui::Screen::Form => vm::ScreenId::Form,
        ui::Screen::Materials => vm::ScreenId::Materials,
        ui::Screen::Camera => vm::ScreenId::Camera,
        ui::Screen::Delivery => vm::ScreenId::Delivery,
        ui::Screen::Review => vm::ScreenId::Review,
        ui::Screen::Submitting => vm::ScreenId::Submitting,
        ui::Screen::Receipt => vm::ScreenId::Receipt,
        ui::Screen::Rating => vm::ScreenId::Rating,
        ui::Screen::Progress => vm::ScreenId::Progress,
        ui::Screen::Appointment => vm::ScreenId::Appointment,
        ui::Screen::Complaint => vm::ScreenId::Complaint,
        ui::Screen::Help => vm::ScreenId::Help,
        ui::Screen::Farewell => vm::ScreenId::Farewell,
        ui::Screen::Prints => vm::ScreenId::Prints,
        ui::Screen::OutOfService => vm::ScreenId::OutOfService,
        ui::Screen::MaintenancePin => vm::ScreenId::MaintenancePin,
        ui::Screen::Maintenance => vm::ScreenId::Maintenance,
    }
}

/// What the voice prompt says on the current screen, in the current language.
pub fn voice_caption(app: &ui::AppWindow) -> String {
    app.global::<ui::Shell<'_>>()
        .get_voice_caption()
        .to_string()
}

/// Elder mode on or off.
pub fn set_elder(app: &ui::AppWindow, elder: bool) {
    app.global::<ui::Theme<'_>>().set_elder(elder);
}

/// Reach mode (轮椅模式) on or off: every control in the lower part of a portrait screen.
pub fn set_reach(app: &ui::AppWindow, reach: bool) {
    app.global::<ui::Theme<'_>>().set_reach_mode(reach);
}

/// Prompts spoken (the 语音 button shows it) or not.
pub fn set_voice(app: &ui::AppWindow, voice: bool) {
    app.global::<ui::Shell<'_>>().set_voice(voice);
}

/// Portrait (false) or landscape (true) layout.
pub fn set_landscape(app: &ui::AppWindow, landscape: bool) {
    app.global::<ui::Theme<'_>>().set_landscape(landscape);
}

/// Shared header state.
pub fn apply_shell(app: &ui::AppWindow, vm: &vm::ShellVm) {
    let g = app.global::<ui::Shell<'_>>();
    g.set_hall_name(s(&vm.hall_name));
    g.set_date_text(s(&vm.date_text));
    g.set_time_text(s(&vm.time_text));
    g.set_hotline(s(&vm.hotline));
}

fn department_rows(departments: &[vm::Department]) -> Vec<ui::DepartmentRow> {
    departments
        .iter()
        .map(|d| ui::DepartmentRow {
            id: s(&d.id),
            name: s(&d.name),
        })
        .collect()
}

fn item_rows(items: &[vm::ItemEntry]) -> Vec<ui::ItemRow> {
    items
        .iter()
        .map(|i| ui::ItemRow {
            id: s(&i.id),
            name: s(&i.name),
            detail: s(&i.detail),
        })
        .collect()
}

/// The browsing screen.
pub fn apply_browse(app: &ui::AppWindow, vm: &vm::BrowseVm) {
    let g = app.global::<ui::BrowseAdapter<'_>>();
    g.set_tab(match vm.tab {
        vm::BrowseTab::MostUsed => ui::BrowseTab::MostUsed,
        vm::BrowseTab::Bundles => ui::BrowseTab::Bundles,
        vm::BrowseTab::Departments => ui::BrowseTab::Departments,
        vm::BrowseTab::Department => ui::BrowseTab::Department,
        vm::BrowseTab::Search => ui::BrowseTab::Search,
    });
    g.set_has_bundles(vm.has_bundles);
    g.set_query(s(&vm.query));
    g.set_searching(vm.searching);
    g.set_list_title(s(&vm.list_title));
    g.set_items(model(item_rows(&vm.items)));
    g.set_page_text(page_text(vm.page, vm.pages));
    g.set_has_prev(vm.page > 0);
    g.set_has_next(vm.page + 1 < vm.pages);
}

/// 一次性告知 (the guide).
pub fn apply_guide(app: &ui::AppWindow, vm: &vm::GuideVm) {
    let g = app.global::<ui::GuideAdapter<'_>>();
    g.set_item_name(s(&vm.item_name));
    g.set_facts(model(
        vm.facts
            .iter()
            .map(|(l, v)| ui::FactRow {
                label: s(l),
                value: s(v),
            })
            .collect(),
    ));
    g.set_materials(model(
        vm.materials
            .iter()
            .map(|m| ui::MaterialRow {
                name: s(&m.name),
                form: s(&m.form),
                note: s(&m.note),
                required: m.required,
                reused: m.reused,
            })
            .collect(),
    ));
    g.set_page_text(page_text(vm.page, vm.pages));
    g.set_window_only(vm.window_only);
    g.set_has_prev(vm.page > 0);
    g.set_has_next(vm.page + 1 < vm.pages);
}

/// The Slint side of a field type (the generated enum of `form.slint`).
impl From<vm::FieldKind> for ui::FieldKind {
    fn from(kind: vm::FieldKind) -> Self {
        match kind {
            vm::FieldKind::Text => ui::FieldKind::Text,
            vm::FieldKind::Number => ui::FieldKind::Number,
            vm::FieldKind::Date => ui::FieldKind::Date,
            vm::FieldKind::Phone => ui::FieldKind::Phone,
            vm::FieldKind::IdNumber => ui::FieldKind::IdNumber,
            vm::FieldKind::Select => ui::FieldKind::Select,
            vm::FieldKind::Address => ui::FieldKind::Address,
            vm::FieldKind::Checkbox => ui::FieldKind::Checkbox,
        }
    }
}

/// The keyboard a field of this kind types with, if any.
pub fn keyboard_for(kind: vm::FieldKind) -> Option<vm::KeyboardMode> {
    match kind {
        vm::FieldKind::Text | vm::FieldKind::Address => Some(vm::KeyboardMode::Pinyin),
        vm::FieldKind::Number | vm::FieldKind::Date | vm::FieldKind::Phone => {
            Some(vm::KeyboardMode::Numeric)
        }
        vm::FieldKind::IdNumber => Some(vm::KeyboardMode::IdNumber),
        vm::FieldKind::Select | vm::FieldKind::Checkbox => None,
    }
}

fn field_row(f: &vm::Field) -> ui::FieldRow {
    ui::FieldRow {
        id: s(&f.id),
        label: s(&f.label),
        kind: f.kind.into(),
        value: s(&f.value),
        placeholder: s(&f.placeholder),
        required: f.required,
        prefilled: f.prefilled,
        error: s(&f.error),
        options: model(f.options.iter().map(|o| s(o)).collect()),
        checked: f.checked,
        suggestion: s(&f.suggestion),
        suggested: f.suggested,
    }
}

/// Updates one field in place (a keystroke): only that row is redrawn, not the whole form.
pub fn update_form_field(app: &ui::AppWindow, index: usize, field: &vm::Field) {
    let fields = app.global::<ui::FormAdapter<'_>>().get_fields();
    if index < fields.row_count() {
        fields.set_row_data(index, field_row(field));
    }
}

/// The form engine.
pub fn apply_form(app: &ui::AppWindow, vm: &vm::FormVm) {
    let g = app.global::<ui::FormAdapter<'_>>();
    g.set_item_name(s(&vm.item_name));
    g.set_fields(model(vm.fields.iter().map(field_row).collect()));
    let active = vm.active.filter(|i| {
        vm.fields
            .get(*i)
            .is_some_and(|f| keyboard_for(f.kind).is_some())
    });
    g.set_active(active.and_then(|i| i32::try_from(i).ok()).unwrap_or(-1));
    g.set_page_text(page_text(vm.page, vm.pages));
    g.set_has_prev_page(vm.page > 0);
    g.set_is_last_page(vm.page + 1 >= vm.pages);
}

/// The value currently shown in field `index` of the form, if any.
pub fn form_field_value(app: &ui::AppWindow, index: usize) -> Option<String> {
    let fields = app.global::<ui::FormAdapter<'_>>().get_fields();
    fields.row_data(index).map(|f| f.value.to_string())
}

/// The review screen.
pub fn apply_review(app: &ui::AppWindow, vm: &vm::ReviewVm) {
    let g = app.global::<ui::ReviewAdapter<'_>>();
    g.set_item_name(s(&vm.item_name));
    g.set_rows(model(
        vm.rows
            .iter()
            .map(|(l, v)| ui::ReviewRow {
                label: s(l),
                value: s(v),
            })
            .collect(),
    ));
    g.set_materials(model(
        vm.materials
            .iter()
            .map(|(text, done)| ui::ReviewMaterial {
                text: s(text),
                done: *done,
            })
            .collect(),
    ));
    g.set_delivery_changeable(vm.delivery_changeable);
    g.set_declarations(model(vm.declarations.iter().map(|d| s(d)).collect()));
    g.set_submitting(vm.submitting);
    g.set_notify_phone(s(&vm.notify_phone));
    g.set_notify_consent(vm.notify_consent);
}

/// The receipt screen, with its QR code.
pub fn apply_receipt(app: &ui::AppWindow, vm: &vm::ReceiptVm) {
    let g = app.global::<ui::ReceiptAdapter<'_>>();
    g.set_item_name(s(&vm.item_name));
    g.set_delivered(vm.delivered);
    g.set_tracking_code(s(&vm.tracking_code));
    g.set_applicant(s(&vm.applicant));
    g.set_submitted_at(s(&vm.submitted_at));
    g.set_time_limit(s(&vm.time_limit));
    g.set_printed(vm.printed);
    g.set_qr(crate::qr::qr_image(&vm.qr_payload).unwrap_or_default());
    app.global::<ui::Shell<'_>>()
        .set_receipt_queued(!vm.delivered);
}

/// 好差评.
pub fn apply_rating(app: &ui::AppWindow, vm: &vm::RatingVm) {
    let g = app.global::<ui::RatingAdapter<'_>>();
    g.set_item_name(s(&vm.item_name));
    g.set_level(i32::from(vm.level.min(5)));
    g.set_reasons(model(
        vm.reasons
            .iter()
            .enumerate()
            .map(|(i, (t, sel))| ui::ReasonRow {
                index: i32::try_from(vm.reason_paging.first + i).unwrap_or(0),
                text: s(t),
                selected: *sel,
            })
            .collect(),
    ));
    g.set_message(s(&vm.message));
    apply_paging(&vm.reason_paging, |t, p, n| {
        g.set_reason_page_text(t);
        g.set_reason_has_prev(p);
        g.set_reason_has_next(n);
    });
}

/// Hands a list's page text and whether there is a previous and a next page to `set`.
pub(crate) fn apply_paging(paging: &vm::Paging, set: impl FnOnce(SharedString, bool, bool)) {
    if paging.paged() {
        set(
            page_text(paging.page, paging.pages),
            paging.page > 0,
            paging.page + 1 < paging.pages,
        );
    } else {
        set(SharedString::new(), false, false);
    }
}

/// The progress timeline.
pub fn apply_progress(app: &ui::AppWindow, vm: &vm::ProgressVm) {
    let g = app.global::<ui::ProgressAdapter<'_>>();
    g.set_tracking_code(s(&vm.tracking_code));
    g.set_item_name(s(&vm.item_name));
    g.set_message(s(&vm.message));
    g.set_stages(model(
        vm.stages
            .iter()
            .map(|st| ui::StageRow {
                name: s(&st.name),
                state: match st.state {
                    vm::StageState::Done => 0,
                    vm::StageState::Current => 1,
                    vm::StageState::Pending => 2,
                },
                time: s(&st.time),
                note: s(&st.note),
            })
            .collect(),
    ));
}

/// The idle countdown: `Some(seconds)` shows it, `None` hides it.
pub fn apply_idle(app: &ui::AppWindow, seconds_left: Option<u32>) {
    let g = app.global::<ui::IdleAdapter<'_>>();
    g.set_visible(seconds_left.is_some());
    g.set_seconds_left(
        seconds_left
            .and_then(|s| i32::try_from(s).ok())
            .unwrap_or(0),
    );
}

/// Out of service: what is broken (citizen words) and since when.
pub fn apply_out_of_service(app: &ui::AppWindow, problems: &[String], since: &str) {
    let g = app.global::<ui::OutOfServiceAdapter<'_>>();
    g.set_problems(model(problems.iter().map(|p| s(p)).collect()));
    g.set_since(s(since));
}

/// The maintenance PIN screen.
pub fn apply_pin(app: &ui::AppWindow, vm: &vm::PinVm) {
    let g = app.global::<ui::PinAdapter<'_>>();
    g.set_entered(i32::try_from(vm.entered).unwrap_or(i32::MAX));
    g.set_length(i32::try_from(vm.length).unwrap_or(6));
    g.set_min_length(i32::try_from(vm.min_length).unwrap_or(6));
    g.set_message(s(&vm.message));
    g.set_locked(vm.locked);
}

/// The maintenance screen.
pub fn apply_maintenance(app: &ui::AppWindow, vm: &vm::MaintenanceVm) {
    let g = app.global::<ui::MaintenanceAdapter<'_>>();
    g.set_devices(model(
        vm.devices
            .iter()
            .map(|d| ui::DeviceRow {
                name: s(&d.name),
                state: s(&d.state),
                detail: s(&d.detail),
                ok: d.ok,
            })
            .collect(),
    ));
    g.set_config(model(
        vm.config
            .iter()
            .map(|(l, v)| ui::ConfigRow {
                label: s(l),
                value: s(v),
            })
            .collect(),
    ));
    g.set_log_lines(model(vm.log_lines.iter().map(|l| s(l)).collect()));
    g.set_test_result(s(&vm.test_result));
}

/// The keyboard's mode and candidate bar.
pub fn apply_keyboard(app: &ui::AppWindow, vm: &vm::KeyboardVm) {
    let g = app.global::<ui::KeyboardAdapter<'_>>();
    g.set_mode(match vm.mode {
        vm::KeyboardMode::Numeric => ui::KeyboardMode::Numeric,
        vm::KeyboardMode::IdNumber => ui::KeyboardMode::IdNumber,
        vm::KeyboardMode::Latin => ui::KeyboardMode::Latin,
        vm::KeyboardMode::Pinyin => ui::KeyboardMode::Pinyin,
    });
    g.set_composition(s(&vm.composition));
    g.set_candidates(model(vm.candidates.iter().map(|c| s(c)).collect()));
    g.set_more_candidates(vm.more_candidates);
}
