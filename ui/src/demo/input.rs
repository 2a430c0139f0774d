//! The preview flow's typing: the on-screen keyboard into the browse search or the active form
//! field (or address, contact and message box), pinyin composition and candidates, field
//! validation, and the maintenance PIN pad.

use slint::ComponentHandle;

use super::{go, handler, handler0, show_pin, validate, FlowState, Shared};
use crate::adapters;
use crate::generated as ui;
use crate::ime::{initials, PinyinIme};
use crate::preview;
use crate::vm::{ContactField, KeyboardMode, MessageField, MessageVm, ScreenId};

/// The text the keyboard types into now, if any.
fn target<'a>(app: &ui::AppWindow, st: &'a mut FlowState) -> Option<&'a mut String> {
    match adapters::current_screen(app) {
        ScreenId::Browse if st.browse.searching => Some(&mut st.browse.query),
        ScreenId::Form => {
            let i = st.form.active?;
            st.form.fields.get_mut(i).map(|f| &mut f.value)
        }
        ScreenId::Delivery => {
            let f = st.delivery.active?;
            Some(st.delivery.address.get_mut(f))
        }
        ScreenId::Appointment => match st.appointment.active? {
            ContactField::Name => Some(&mut st.appointment.name),
            ContactField::Phone => Some(&mut st.appointment.phone),
        },
        ScreenId::Complaint => message_box(&mut st.complaint.message),
        ScreenId::Help => message_box(&mut st.help.message),
        _ => None,
    }
}

fn message_box(m: &mut MessageVm) -> Option<&mut String> {
    match m.active? {
        MessageField::Text => Some(&mut m.text),
        MessageField::Name => Some(&mut m.name),
        MessageField::Phone => Some(&mut m.phone),
    }
}

/// Opens the keyboard on the box just made active (outside the form): digits for phones,
/// pinyin otherwise.
pub(super) fn open_keyboard(app: &ui::AppWindow, st: &mut FlowState, numeric: bool) {
    st.keyboard = crate::vm::KeyboardVm {
        mode: if numeric {
            KeyboardMode::Numeric
        } else {
            KeyboardMode::Pinyin
        },
        ..Default::default()
    };
    refresh(app, st);
}

/// Closes the keyboard on the screens outside the form.
fn close_box(st: &mut FlowState) {
    st.delivery.active = None;
    st.appointment.active = None;
    st.complaint.message.active = None;
    st.help.message.active = None;
}

/// Re-shows whatever the keyboard changed: candidates, the search results or the form.
fn refresh(app: &ui::AppWindow, st: &mut FlowState) {
    st.keyboard
        .show_candidates(&mut st.candidate_page, st.elder);
    adapters::apply_keyboard(app, &st.keyboard);
    if adapters::current_screen(app) == ScreenId::Browse {
        let q = st.browse.query.trim().to_lowercase();
        let items: Vec<_> = preview::items()
            .into_iter()
            .filter(|i| q.is_empty() || i.name.contains(&q) || initials(&i.name).contains(&q))
            .collect();
        st.browse.list_title = if q.is_empty() {
            "常用事项".into()
        } else {
            "搜索结果".into()
        };
        let rows = st.rows();
        st.browse.pages = items.len().div_ceil(rows).max(1);
        st.browse.page = 0;
        st.browse.items = items.into_iter().take(rows).collect();
        adapters::apply_browse(app, &st.browse);
    } else {
        adapters::apply_form(app, &st.form);
        adapters::apply_delivery(app, &st.delivery);
        adapters::apply_appointment(app, &st.appointment);
        super::services::show_message(app, st);
    }
}

fn commit(app: &ui::AppWindow, st: &mut FlowState, text: &str) {
    if let Some(t) = target(app, st) {
        t.push_str(text);
    }
    if let Some(i) = st.form.active {
        if let Some(f) = st.form.fields.get_mut(i) {
            f.error.clear();
            f.prefilled = false;
        }
    }
}

/// Checks every field of the form page; true when all are fine.
pub(super) fn validate_form(st: &mut FlowState) -> bool {
    let mut ok = true;
    for f in &mut st.form.fields {
        f.error = validate::check(f);
        ok &= f.error.is_empty();
    }
    ok
}

pub(super) fn connect(app: &ui::AppWindow, state: &Shared) {
    let kb = app.global::<ui::KeyboardAdapter<'_>>();
    kb.on_key(handler(app, state, |app, st, key: slint::SharedString| {
        if st.keyboard.mode == KeyboardMode::Pinyin && key.chars().all(|c| c.is_ascii_lowercase()) {
            st.keyboard.composition.push_str(&key);
            st.candidate_page = 0;
        } else if st.keyboard.mode == KeyboardMode::Pinyin
            && key == " "
            && !st.keyboard.composition.is_empty()
        {
            if let Some(first) = st.keyboard.candidates.first().cloned() {
                st.keyboard.composition =
                    PinyinIme.remainder_after(&st.keyboard.composition, &first);
                commit(app, st, &first);
            }
        } else {
            commit(app, st, &key);
        }
        refresh(app, st);
    }));
    kb.on_backspace(handler0(app, state, |app, st| {
        if st.keyboard.composition.pop().is_none() {
            if let Some(t) = target(app, st) {
                t.pop();
            }
        }
        refresh(app, st);
    }));
    kb.on_candidate(handler(app, state, |app, st, i: i32| {
        let Some(c) = usize::try_from(i)
            .ok()
            .and_then(|i| st.keyboard.candidates.get(i).cloned())
        else {
            return;
        };
        st.keyboard.composition = PinyinIme.remainder_after(&st.keyboard.composition, &c);
        st.candidate_page = 0;
        commit(app, st, &c);
        refresh(app, st);
    }));
    kb.on_next_candidates(handler0(app, state, |app, st| {
        st.candidate_page += 1;
        refresh(app, st);
    }));
    kb.on_switch_mode(handler(app, state, |app, st, mode: ui::KeyboardMode| {
        st.keyboard.composition.clear();
        let id_field = st
            .form
            .active
            .and_then(|i| st.form.fields.get(i))
            .is_some_and(|f| f.kind == crate::vm::FieldKind::IdNumber);
        st.keyboard.mode = match mode {
            ui::KeyboardMode::Pinyin => KeyboardMode::Pinyin,
            ui::KeyboardMode::Latin => KeyboardMode::Latin,
            _ if id_field && adapters::current_screen(app) == ScreenId::Form => {
                KeyboardMode::IdNumber
            }
            _ => KeyboardMode::Numeric,
        };
        refresh(app, st);
    }));
    kb.on_done(handler0(app, state, |app, st| {
        st.keyboard.composition.clear();
        close_box(st);
        if adapters::current_screen(app) == ScreenId::Browse {
            st.browse.searching = false;
        } else if let Some(f) = st
            .form
            .active
            .take()
            .and_then(|i| st.form.fields.get_mut(i))
        {
            f.error = validate::check(f);
        }
        refresh(app, st);
    }));

    let browse = app.global::<ui::BrowseAdapter<'_>>();
    browse.on_open_search(handler0(app, state, |app, st| {
        st.browse.searching = true;
        st.keyboard = Default::default();
        refresh(app, st);
    }));

    let form = app.global::<ui::FormAdapter<'_>>();
    form.on_activate(handler(app, state, |app, st, i: i32| {
        let Some(i) = usize::try_from(i).ok() else {
            return;
        };
        let Some(kind) = st.form.fields.get(i).map(|f| f.kind) else {
            return;
        };
        if let Some(mode) = adapters::keyboard_for(kind) {
            st.form.active = Some(i);
            st.keyboard = crate::vm::KeyboardVm {
                mode,
                ..Default::default()
            };
            refresh(app, st);
        }
    }));
    let choose = handler(
        app,
        state,
        |app, st, (i, option): (i32, slint::SharedString)| {
            if let Some(f) = usize::try_from(i)
                .ok()
                .and_then(|i| st.form.fields.get_mut(i))
            {
                f.value = option.to_string();
                f.error.clear();
            }
            adapters::apply_form(app, &st.form);
        },
    );
    form.on_choose(move |i, o| choose((i, o)));
    form.on_toggle(handler(app, state, |app, st, i: i32| {
        if let Some(f) = usize::try_from(i)
            .ok()
            .and_then(|i| st.form.fields.get_mut(i))
        {
            f.checked = !f.checked;
        }
        adapters::apply_form(app, &st.form);
    }));

    let pin = app.global::<ui::PinAdapter<'_>>();
    pin.on_digit(handler(app, state, |app, st, d: slint::SharedString| {
        let now = st.clock;
        let Some(c) = d.chars().next() else { return };
        match st.pin.press(c, now) {
            super::pin::PinOutcome::Accepted => {
                st.pin_message.clear();
                go(app, ScreenId::Maintenance);
            }
            super::pin::PinOutcome::Rejected { left } => {
                st.pin_message = format!("密码错误，还可尝试 {left} 次");
            }
            super::pin::PinOutcome::Locked { .. } | super::pin::PinOutcome::Typing => {}
        }
        show_pin(app, st);
    }));
    pin.on_backspace(handler0(app, state, |app, st| {
        st.pin.backspace();
        show_pin(app, st);
    }));
    pin.on_cancel(handler0(app, state, super::go_home));
}
