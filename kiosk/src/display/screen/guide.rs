//! The 一次性告知 screen (`guide.slint`): every material of the chosen item or bundle, fee and time
//! limit, printable.

use std::rc::Rc;

use kiosk_ui::generated as ui;
use kiosk_ui::screen::guide::{GuideVm, Material};
use slint::ComponentHandle;

use crate::display::frontend::{on0, page_step, Frontend};
use crate::display::map::{amounts, content, limit_text, page_of, tr};
use crate::session::{Session, UiInput};

/// 一次性告知: the transaction's materials, fee and time limit.
pub fn view(s: &Session, page: usize, rows: usize) -> GuideVm {
    let Some(t) = s.transaction.as_ref() else {
        return GuideVm::default();
    };
    let all: Vec<Material> = t
        .materials
        .iter()
        .map(|line| {
            let m = &line.material;
            Material {
                name: content(s, &m.name, m.name_en.as_deref()),
                form: amounts(s, m.originals, m.copies),
                note: m.note.clone().unwrap_or_default(),
                required: m.required,
                reused: line.held,
            }
        })
        .collect();
    let (materials, page, pages) = page_of(&all, page, rows);
    let fee = t
        .fees
        .iter()
        .map(|f| f.note.clone())
        .collect::<Vec<_>>()
        .join("；");
    GuideVm {
        item_name: content(s, &t.title, t.title_en.as_deref()),
        facts: vec![
            (
                tr(s, "承诺时限", "Time limit"),
                limit_text(s, t.promised_days),
            ),
            (
                tr(s, "收费", "Fee"),
                if fee.is_empty() {
                    tr(s, "不收费", "free")
                } else {
                    fee
                },
            ),
            (
                tr(s, "自助办理", "At the kiosk"),
                if t.kiosk_completable {
                    tr(s, "可在本机提交", "can be submitted here")
                } else {
                    tr(
                        s,
                        "请到窗口办理，可预约",
                        "at a window; you can book a visit",
                    )
                },
            ),
        ]
        .into_iter()
        // Why not here (a lost card cannot be checked at a kiosk): the item's own guidance.
        .chain(
            (!t.kiosk_completable && !t.summary.trim().is_empty())
                .then(|| (tr(s, "说明", "Why"), t.summary.clone())),
        )
        .collect(),
        materials,
        page,
        pages,
        window_only: !t.kiosk_completable,
    }
}

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let app = &f.app;
    let guide = app.global::<ui::GuideAdapter<'_>>();
    guide.on_print_list(on0(f, |f| f.press(UiInput::PrintGuide)));
    guide.on_proceed(on0(f, |f| f.press(UiInput::StartForm)));
    guide.on_book(on0(f, |f| f.press(UiInput::OpenAppointment)));
    guide.on_back(on0(f, |f| f.press(UiInput::Back)));
    guide.on_prev_page(on0(f, |f| page_step(f, |l| &mut l.guide_page, false)));
    guide.on_next_page(on0(f, |f| page_step(f, |l| &mut l.guide_page, true)));
}
