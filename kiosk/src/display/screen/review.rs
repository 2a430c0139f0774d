//! The 请核对 screen (`review.slint`): everything entered, before submitting, with the consent to
//! progress texts.

use std::rc::Rc;

use kiosk_ui::generated as ui;
use kiosk_ui::screen::form::FieldKind;
use kiosk_ui::screen::review::ReviewVm;
use slint::ComponentHandle;
use vocab::mask::{mask_id_number, mask_name, mask_phone};

use hall_api::application::MaterialSource;
use hall_api::form::PrefillSource;

use crate::display::frontend::{on0, Frontend};
use crate::display::map::{content, tr};
use crate::session::transaction::Transaction;
use crate::session::{Screen, Session, UiInput};

/// The review page.
pub fn view(s: &Session) -> ReviewVm {
    let Some(t) = s.transaction.as_ref() else {
        return ReviewVm::default();
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
        .filter(|field| !field.value.is_empty() || field.kind == FieldKind::Checkbox)
        .map(|field| {
            let value = match field.kind {
                FieldKind::Checkbox => {
                    if field.checked {
                        tr(s, "是", "yes")
                    } else {
                        tr(s, "否", "no")
                    }
                }
                FieldKind::IdNumber => mask_id_number(&field.value),
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
    // Elder mode's larger rows: what the card gave (checked on the form, marked green there)
    // as one row, the name and number, so that the rest and the buttons fit.
    if s.elder_mode {
        let from_card: Vec<String> = f
            .fields
            .iter()
            .filter(|field| t.prefilled.contains(&field.id))
            .map(|field| field.label.clone())
            .collect();
        let who: Vec<String> = f
            .fields
            .iter()
            .filter(|field| {
                t.prefilled.contains(&field.id)
                    && t.form.fields.iter().any(|x| {
                        x.key == field.id
                            && matches!(
                                x.prefill,
                                Some(PrefillSource::Name | PrefillSource::IdNumber)
                            )
                    })
            })
            .filter_map(|field| rows.iter().find(|(l, _)| *l == field.label))
            .map(|(_, value)| value.clone())
            .collect();
        rows.retain(|(label, _)| !from_card.contains(label));
        if !who.is_empty() {
            rows.insert(0, (tr(s, "申请人", "Applicant"), who.join("  ")));
        }
    }
    rows.push((
        tr(s, "领取方式", "Delivery"),
        if t.mail {
            tr(s, "免费邮寄", "free mail")
        } else {
            tr(s, "窗口领取", "collect at the window")
        },
    ));
    ReviewVm {
        item_name: content(s, &t.title, t.title_en.as_deref()),
        rows,
        materials: materials(s, t),
        delivery_changeable: t.mail_allowed,
        declarations: t.declaration_labels(s.is_chinese()),
        submitting: matches!(s.screen, Screen::Submitting),
        notify_phone: t.notify_phone().map(mask_phone).unwrap_or_default(),
        notify_consent: t.notify_consent,
    }
}

/// The materials: each with how it is given; in elder mode one line saying how many are
/// handed in and which are owed (the larger rows leave no room for a list).
fn materials(s: &Session, t: &Transaction) -> Vec<(String, bool)> {
    let lines: Vec<(String, bool)> = t
        .materials
        .iter()
        .map(|l| {
            let (how, done) = match l.source {
                MaterialSource::IdCardRead => (tr(s, "（已读取身份证）", " (card read)"), true),
                MaterialSource::Scanned => {
                    let pages = l.scan.as_ref().map_or(0, |d| d.pages);
                    let how = if s.is_chinese() {
                        format!("（已在本机拍照提交，{pages} 页）")
                    } else {
                        format!(" (photographed here, {pages} pages)")
                    };
                    (how, true)
                }
                MaterialSource::Reused => (tr(s, "（已有，复用）", " (held, reused)"), true),
                _ => (tr(s, "（请到窗口补交）", " (hand in at the window)"), false),
            };
            (
                format!(
                    "{}{how}",
                    content(s, &l.material.name, l.material.name_en.as_deref())
                ),
                done,
            )
        })
        .collect();
    if !s.elder_mode || lines.is_empty() {
        return lines;
    }
    let done = lines.iter().filter(|(_, done)| *done).count();
    let owed: Vec<String> = t
        .materials
        .iter()
        .filter(|l| {
            !matches!(
                l.source,
                MaterialSource::IdCardRead | MaterialSource::Scanned | MaterialSource::Reused
            )
        })
        .map(|l| content(s, &l.material.name, l.material.name_en.as_deref()))
        .collect();
    let text = match (owed.is_empty(), s.is_chinese()) {
        (true, true) => format!("材料：{done} 项已交齐"),
        (true, false) => format!("Materials: all {done} handed in"),
        (false, true) => format!("材料：{done} 项已交；请到窗口补交{}", owed.join("、")),
        (false, false) => format!(
            "Materials: {done} handed in; bring to the window: {}",
            owed.join(", ")
        ),
    };
    vec![(text, owed.is_empty())]
}

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let app = &f.app;
    let review = app.global::<ui::ReviewAdapter<'_>>();
    review.on_edit(on0(f, |f| f.press(UiInput::Back)));
    review.on_change_delivery(on0(f, |f| f.press(UiInput::ChangeDelivery)));
    review.on_submit(on0(f, |f| f.press(UiInput::Submit)));
    review.on_toggle_notify(on0(f, |f| f.press(UiInput::ToggleNotifyConsent)));
}
