//! The preview flow's page-to-page navigation: browse → guide → form (then `journey`), receipt →
//! rating, plus progress, out-of-service and maintenance.

use slint::ComponentHandle;

use super::{go, go_home, handler, handler0, input, show_rating, FlowState, Shared};
use crate::adapters;
use crate::generated as ui;
use crate::preview;
use crate::vm::{self, ScreenId};

fn show_browse_page(app: &ui::AppWindow, st: &mut FlowState) {
    let dept = st.browse.selected_department.clone();
    let dept_name = st
        .browse
        .departments
        .iter()
        .find(|d| d.id == dept)
        .map(|d| d.name.clone());
    let all: Vec<_> = preview::items()
        .into_iter()
        .filter(|i| {
            dept_name
                .as_ref()
                .is_none_or(|n| i.detail.starts_with(n.as_str()))
        })
        .collect();
    let rows = st.rows();
    st.browse.pages = all.len().div_ceil(rows).max(1);
    st.browse.page = st.browse.page.min(st.browse.pages - 1);
    st.browse.items = all
        .into_iter()
        .skip(st.browse.page * rows)
        .take(rows)
        .collect();
    st.browse.list_title = dept_name.unwrap_or_else(|| "常用事项".into());
    adapters::apply_browse(app, &st.browse);
}

fn open_guide(app: &ui::AppWindow, st: &mut FlowState, name: String) {
    let mut guide = preview::guide();
    guide.item_name = name.clone();
    st.item_name = name;
    adapters::apply_guide(app, &guide);
    go(app, ScreenId::Guide);
}

pub(super) fn connect(app: &ui::AppWindow, state: &Shared) {
    let browse = app.global::<ui::BrowseAdapter<'_>>();
    browse.on_select_department(handler(app, state, |app, st, id: slint::SharedString| {
        st.browse.selected_department = id.to_string();
        st.browse.page = 0;
        show_browse_page(app, st);
    }));
    browse.on_prev_page(handler0(app, state, |app, st| {
        st.browse.page = st.browse.page.saturating_sub(1);
        show_browse_page(app, st);
    }));
    browse.on_next_page(handler0(app, state, |app, st| {
        st.browse.page += 1;
        show_browse_page(app, st);
    }));
    browse.on_open_item(handler(app, state, |app, st, id: slint::SharedString| {
        let name = preview::items()
            .into_iter()
            .find(|i| i.id == id.as_str())
            .map(|i| i.name)
            .unwrap_or_default();
        open_guide(app, st, name);
    }));
    browse.on_open_bundle(handler(app, state, |app, st, id: slint::SharedString| {
        let name = st
            .browse
            .bundles
            .iter()
            .find(|b| b.id == id.as_str())
            .map(|b| b.name.clone())
            .unwrap_or_default();
        open_guide(app, st, name);
    }));

    let guide = app.global::<ui::GuideAdapter<'_>>();
    guide.on_back(handler0(app, state, |app, _st| go(app, ScreenId::Browse)));
    guide.on_print_list(handler0(app, state, |_app, _st| {}));
    guide.on_proceed(handler0(app, state, |app, st| {
        st.form = preview::form();
        st.form.item_name = st.item_name.clone();
        st.form.active = None;
        st.form.pages = 1;
        adapters::apply_form(app, &st.form);
        go(app, ScreenId::Form);
    }));

    let form = app.global::<ui::FormAdapter<'_>>();
    form.on_back(handler0(app, state, |app, st| {
        st.form.active = None;
        go(app, ScreenId::Guide);
    }));
    form.on_next(handler0(app, state, |app, st| {
        st.form.active = None;
        if input::validate_form(st) {
            super::journey::after_form(app, st);
        }
        adapters::apply_form(app, &st.form);
    }));

    let receipt = app.global::<ui::ReceiptAdapter<'_>>();
    receipt.on_print(handler0(app, state, |app, st| {
        st.receipt.printed = true;
        adapters::apply_receipt(app, &st.receipt);
    }));
    receipt.on_rate(handler0(app, state, |app, st| {
        st.rating = vm::RatingVm {
            item_name: st.item_name.clone(),
            ..Default::default()
        };
        show_rating(app, st);
        go(app, ScreenId::Rating);
    }));
    receipt.on_done(handler0(app, state, go_home));

    let rating = app.global::<ui::RatingAdapter<'_>>();
    rating.on_choose_level(handler(app, state, |app, st, level: i32| {
        st.rating.level = u8::try_from(level.clamp(0, 5)).unwrap_or(0);
        if st.rating.level <= 2 && st.rating.reasons.is_empty() {
            st.rating.reasons = preview::rating()
                .reasons
                .into_iter()
                .map(|(r, _)| (r, false))
                .collect();
        }
        st.rating.message.clear();
        show_rating(app, st);
    }));
    rating.on_toggle_reason(handler(app, state, |app, st, i: i32| {
        if let Some(r) = usize::try_from(i)
            .ok()
            .and_then(|i| st.rating.reasons.get_mut(i))
        {
            r.1 = !r.1;
        }
        show_rating(app, st);
    }));
    rating.on_submit(handler0(app, state, |app, st| {
        let bad = st.rating.level > 0 && st.rating.level <= 2;
        if bad && !st.rating.reasons.iter().any(|r| r.1) {
            st.rating.message = "请至少选择一个不满意的原因".into();
            show_rating(app, st);
        } else {
            super::services::thanks_for_rating(app);
        }
    }));
    rating.on_skip(handler0(app, state, go_home));

    app.global::<ui::ProgressAdapter<'_>>()
        .on_scan_again(handler0(app, state, go_home));
    app.global::<ui::OutOfServiceAdapter<'_>>()
        .on_retry(handler0(app, state, go_home));
    let maintenance = app.global::<ui::MaintenanceAdapter<'_>>();
    maintenance.on_exit(handler0(app, state, go_home));
    maintenance.on_self_test(handler(
        app,
        state,
        |app, _st, device: slint::SharedString| {
            let mut vm = preview::maintenance();
            vm.test_result = format!("{device}: self-test requested (preview: no device attached)");
            adapters::apply_maintenance(app, &vm);
        },
    ));
}
