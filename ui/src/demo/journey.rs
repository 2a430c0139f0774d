//! The preview flow through the screens the session machine adds around the form: identify,
//! materials hand-in, delivery, submitting (then the receipt, queued when the preview's network
//! is down), and the notice banner.

use std::time::Duration;

use slint::ComponentHandle;

use super::{go, go_home, handler, handler0, FlowState, Shared};
use crate::adapters;
use crate::generated as ui;
use crate::preview;
use crate::vm::{self, AddressField, ScreenId};

/// How long the preview "submits" before showing the receipt.
pub const SUBMIT_SECS: u64 = 1;

/// The mailing address is complete and the phone has 11 digits; errors go to their boxes.
pub(super) fn validate_delivery(d: &mut vm::DeliveryVm) -> bool {
    d.errors.clear();
    if !d.mail {
        return true;
    }
    for f in AddressField::ALL {
        let value = d.address.get(f).trim();
        let error = if value.is_empty() {
            "此项必填"
        } else if f == AddressField::Phone && !super::validate::is_mobile(value) {
            "手机号码应为 11 位数字"
        } else {
            continue;
        };
        d.errors.push((f, error.to_owned()));
    }
    d.errors.is_empty()
}

fn show_review(app: &ui::AppWindow, st: &FlowState) {
    let mut review = preview::review();
    review.item_name = st.item_name.clone();
    review.rows = st
        .form
        .fields
        .iter()
        .filter(|f| f.kind != vm::FieldKind::Checkbox && !f.value.is_empty())
        .map(|f| (f.label.clone(), f.value.clone()))
        .collect();
    let a = &st.delivery.address;
    let how = if st.delivery.mail {
        format!("邮寄：{} {}{}", a.recipient, a.region, a.detail)
    } else {
        format!("窗口领取：{}", st.delivery.pickup_place)
    };
    review.rows.push(("领取方式".to_owned(), how));
    review.materials = st
        .hand_in
        .materials
        .iter()
        .map(|m| {
            let how = if m.reused { "电子证照" } else { "后补" };
            format!("{}（{how}）", m.name)
        })
        .collect();
    adapters::apply_review(app, &review);
    go(app, ScreenId::Review);
}

/// The form is done: on to the materials.
pub(super) fn after_form(app: &ui::AppWindow, st: &mut FlowState) {
    st.hand_in.item_name = st.item_name.clone();
    adapters::apply_materials(app, &st.hand_in);
    go(app, ScreenId::Materials);
}

pub(super) fn connect(app: &ui::AppWindow, state: &Shared) {
    let identify = app.global::<ui::IdentifyAdapter<'_>>();
    identify.on_browse(handler0(app, state, |app, _st| go(app, ScreenId::Browse)));
    identify.on_back(handler0(app, state, go_home));

    let materials = app.global::<ui::MaterialsAdapter<'_>>();
    let set_reuse = handler(
        app,
        state,
        |app, st, (code, on): (slint::SharedString, bool)| {
            for m in &mut st.hand_in.materials {
                if m.code == code.as_str() && m.can_reuse {
                    m.reused = on;
                }
            }
            adapters::apply_materials(app, &st.hand_in);
        },
    );
    materials.on_set_reuse(move |code, on| set_reuse((code, on)));
    materials.on_next(handler0(app, state, |app, st| {
        st.delivery.item_name = st.item_name.clone();
        adapters::apply_delivery(app, &st.delivery);
        go(app, ScreenId::Delivery);
    }));
    materials.on_back(handler0(app, state, |app, _st| go(app, ScreenId::Form)));

    let delivery = app.global::<ui::DeliveryAdapter<'_>>();
    delivery.on_choose_mail(handler(app, state, |app, st, mail: bool| {
        st.delivery.mail = mail;
        st.delivery.errors.clear();
        adapters::apply_delivery(app, &st.delivery);
    }));
    delivery.on_activate(handler(app, state, |app, st, i: i32| {
        let Some(field) = AddressField::from_index(i) else {
            return;
        };
        st.delivery.active = Some(field);
        super::input::open_keyboard(app, st, field == AddressField::Phone);
    }));
    delivery.on_next(handler0(app, state, |app, st| {
        if validate_delivery(&mut st.delivery) {
            show_review(app, st);
        }
        adapters::apply_delivery(app, &st.delivery);
    }));
    delivery.on_back(handler0(app, state, |app, _st| {
        go(app, ScreenId::Materials)
    }));

    let review = app.global::<ui::ReviewAdapter<'_>>();
    review.on_edit(handler0(app, state, |app, _st| go(app, ScreenId::Form)));
    review.on_submit(handler0(app, state, |app, st| {
        adapters::apply_submitting(
            app,
            &vm::SubmittingVm {
                item_name: st.item_name.clone(),
            },
        );
        go(app, ScreenId::Submitting);
        st.receipt = preview::receipt();
        st.receipt.item_name = st.item_name.clone();
        st.receipt.delivered = !st.network_down;
        let receipt = st.receipt.clone();
        let weak = app.as_weak();
        slint::Timer::single_shot(Duration::from_secs(SUBMIT_SECS), move || {
            let Some(app) = weak.upgrade() else { return };
            // Only if the citizen is still waiting (the idle timeout may have gone home).
            if adapters::current_screen(&app) == ScreenId::Submitting {
                adapters::apply_receipt(&app, &receipt);
                go(&app, ScreenId::Receipt);
            }
        });
    }));

    app.global::<ui::NoticeAdapter<'_>>()
        .on_dismiss(handler0(app, state, |app, st| {
            st.notice = None;
            adapters::apply_notice(app, None);
        }));
}
