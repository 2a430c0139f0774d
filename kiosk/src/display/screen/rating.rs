//! The 好差评 screen (`rating.slint`): five levels, and reasons for a 差评.

use std::rc::Rc;

use hall_api::feedback::BadRatingReason;
use kiosk_ui::generated as ui;
use kiosk_ui::screen::rating::RatingVm;
use kiosk_ui::screen::Paging;
use slint::ComponentHandle;

use crate::display::frontend::{list_step, on0, on1, Frontend};
use crate::display::map::tr;
use crate::session::{Screen, Session, UiInput};

/// The 差评 reasons in screen order (the rating screen's `toggle-reason(i)` is an index here),
/// with their Chinese and English words.
pub const REASONS: [(BadRatingReason, &str, &str); 8] = [
    (BadRatingReason::UnclearGuide, "指南不清楚", "unclear guide"),
    (
        BadRatingReason::TooManyMaterials,
        "材料太多",
        "too many materials",
    ),
    (BadRatingReason::RepeatedTrips, "来回跑", "repeated trips"),
    (BadRatingReason::TooSlow, "办理太慢", "too slow"),
    (BadRatingReason::HardToUse, "机器难用", "hard to use"),
    (BadRatingReason::DeviceFault, "设备故障", "device fault"),
    (BadRatingReason::PoorAttitude, "服务态度", "attitude"),
    (BadRatingReason::Other, "其他", "other"),
];

/// 好差评.
pub fn view(s: &Session) -> RatingVm {
    let Screen::Rating(d) = &s.screen else {
        return RatingVm::default();
    };
    RatingVm {
        item_name: s
            .transaction
            .as_ref()
            .map(|t| t.title.clone())
            .unwrap_or_default(),
        level: d.level.unwrap_or(0),
        reasons: REASONS
            .iter()
            .map(|(r, zh, en)| (tr(s, zh, en), d.reasons.contains(r)))
            .collect(),
        message: d
            .errors
            .first()
            .map(|e| e.message.clone())
            .unwrap_or_default(),
        reason_paging: Paging::default(),
    }
}

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let app = &f.app;
    let rating = app.global::<ui::RatingAdapter<'_>>();
    rating.on_choose_level(on1(f, |f, level: i32| {
        if let Ok(level @ 1..=5) = u8::try_from(level) {
            f.press(UiInput::RateLevel(level));
        }
    }));
    rating.on_toggle_reason(on1(f, |f, i: i32| {
        if let Some((r, _, _)) = usize::try_from(i).ok().and_then(|i| REASONS.get(i)) {
            f.press(UiInput::ToggleReason(*r));
        }
    }));
    rating.on_reason_prev_page(on0(f, |f| list_step(f, false)));
    rating.on_reason_next_page(on0(f, |f| list_step(f, true)));
    rating.on_submit(on0(f, |f| f.press(UiInput::Send)));
    rating.on_skip(on0(f, |f| f.press(UiInput::SkipRating)));
}
