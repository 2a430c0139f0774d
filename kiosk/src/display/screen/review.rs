//! The 请核对 screen (`review.slint`): everything entered, before submitting, with the consent to
//! progress texts.

use std::rc::Rc;

use hall_api::application::MaterialSource;
use kiosk_ui::generated as ui;
use kiosk_ui::vm;
use slint::ComponentHandle;
use vocab::mask::{mask_id_number, mask_name, mask_phone};

use crate::display::frontend::{on0, Frontend};
use crate::display::map::{content, tr};
use crate::session::{Screen, Session, UiInput};

/// The review page.
pub fn view(s: &Session) -> vm::ReviewVm {
    let Some(t) = s.transaction.as_ref() else {
        return vm::ReviewVm::default();
    };
    let f = super::form::view(s, 0, usize::MAX, None);
    // Fields the card's name fills: masked on the review, whatever their label says.
    let name_fields: Vec<&str> = t
        .form
        .fields
        .iter()
        .filter(|x| x.prefill == Some(hall_api::form::PrefillSource::Name))
        .map(|x| x.key.as_str())
        .collect();
    let mut rows: Vec<(String, String)> = f
        .fields
        .iter()
        .filter(|field| !field.value.is_empty() || field.kind == vm::FieldKind::Checkbox)
        .map(|field| {
            let value = match field.kind {
                vm::FieldKind::Checkbox => {
                    if field.checked {
                        tr(s, "是", "yes")
                    } else {
                        tr(s, "否", "no")
                    }
                }
                vm::FieldKind::IdNumber => mask_id_number(&field.value),
                // The card's name, in either language's label.
                _ if t.prefilled.contains(&field.id)
                    && name_fields.contains(&field.id.as_str()) =>
                {
                    mask_name(&field.value)
                }
                _ => field.value.clone(),
            };
            (field.label.clone(), value)
        })
        .collect();
    rows.push((
        tr(s, "领取方式", "Delivery"),
        if t.mail {
            tr(s, "免费邮寄", "free mail")
        } else {
            tr(s, "窗口领取", "collect at the window")
        },
    ));
    vm::ReviewVm {
        item_name: content(s, &t.title, t.title_en.as_deref()),
        rows,
        materials: t
            .materials
            .iter()
            .map(|l| {
                let how = match l.source {
                    MaterialSource::Reused => tr(s, "（已有，复用）", " (held, reused)"),
                    MaterialSource::IdCardRead => tr(s, "（已在本机读卡）", " (ID card read here)"),
                    MaterialSource::Scanned => {
                        let pages = l.scan.as_ref().map_or(0, |d| d.pages);
                        if s.is_chinese() {
                            format!("（已在本机拍照提交，{pages} 页）")
                        } else {
                            format!(" (photographed here, {pages} pages)")
                        }
                    }
                    _ => tr(s, "（窗口补交）", " (hand in later)"),
                };
                format!(
                    "{}{how}",
                    content(s, &l.material.name, l.material.name_en.as_deref())
                )
            })
            .collect(),
        submitting: matches!(s.screen, Screen::Submitting),
        notify_phone: t.notify_phone().map(mask_phone).unwrap_or_default(),
        notify_consent: t.notify_consent,
    }
}

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let app = &f.app;
    let review = app.global::<ui::ReviewAdapter<'_>>();
    review.on_edit(on0(f, |f| f.press(UiInput::Back)));
    review.on_submit(on0(f, |f| f.press(UiInput::Submit)));
    review.on_toggle_notify(on0(f, |f| f.press(UiInput::ToggleNotifyConsent)));
}
