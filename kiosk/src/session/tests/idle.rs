//! The idle timeout on every screen, the countdown, its cancellation, and the wipe.

use std::time::Duration;

use serde_json::json;

use super::support::*;
use crate::session::{Effect, EndReason, Event, Screen, SubmitOutcome, UiInput};

/// Strings of the test citizen that must be gone after a wipe.
const PERSONAL: [&str; 9] = [
    ID_CARD,
    "1231002X",
    "110105194912",
    "张三丰",
    "三丰",
    "衣锦街",
    "13812345678",
    "13912345678",
    "13700001111",
];

fn assert_wiped(k: &Kiosk) {
    let dump = k.dump();
    for needle in PERSONAL {
        assert!(!dump.contains(needle), "{needle} left in the state: {dump}");
    }
    let debug = format!("{:?}", k.s);
    assert!(
        !debug.contains("1101**********002X") && !debug.contains("张**"),
        "{debug}"
    );
    assert!(k.s.citizen.is_none() && k.s.transaction.is_none());
    assert!(!k.s.holds_personal_data());
}

#[test]
fn every_screen_counts_down_then_goes_home_and_wipes_everything() {
    for mut k in at_every_screen() {
        let screen = k.screen();
        let start = k.secs;
        k.wait(IDLE - 1);
        assert_eq!(k.s.countdown_remaining(), None, "{screen}: not yet");
        k.wait(1);
        assert_eq!(
            k.s.countdown_remaining(),
            Some(Duration::from_secs(COUNTDOWN)),
            "{screen}: countdown after {}s",
            k.secs - start
        );
        k.wait(COUNTDOWN - 1);
        assert_eq!(
            k.screen(),
            screen,
            "{screen}: still there one second before the end"
        );
        assert_eq!(k.s.countdown_remaining(), Some(Duration::from_secs(1)));
        let fx = k.wait(1);
        assert_eq!(k.s.screen, Screen::Home, "{screen}");
        assert_eq!(
            fx,
            [
                Effect::WipePersonalData,
                Effect::SessionEnded(EndReason::Timeout)
            ],
            "{screen}"
        );
        assert_wiped(&k);
        // Nothing more happens at home however long it stays idle.
        assert!(k.wait(IDLE * 3).is_empty(), "{screen}");
    }
}

#[test]
fn the_timeout_wipes_what_was_typed_and_read() {
    let mut k = at_review();
    assert!(k.dump().contains(ID_CARD) && k.dump().contains("13912345678"));
    k.wait(IDLE + COUNTDOWN);
    assert_wiped(&k);
}

#[test]
fn a_touch_during_the_countdown_cancels_it_and_does_nothing_else() {
    let mut k = Kiosk::at_form(ITEM, false);
    k.wait(IDLE + 5);
    assert!(k.s.countdown_remaining().is_some());
    k.ui(UiInput::SetField {
        key: "phone".into(),
        value: json!("13812345678").into(),
    });
    assert_eq!(k.s.countdown_remaining(), None);
    assert_eq!(k.screen(), "form");
    let t = k.s.transaction.as_ref().unwrap();
    assert!(
        t.values.value("phone").is_none(),
        "the touch was aimed at the overlay"
    );
    // The idle clock starts again from the touch.
    k.wait(IDLE - 1);
    assert_eq!(k.s.countdown_remaining(), None);
    k.wait(1);
    assert!(k.s.countdown_remaining().is_some());
    k.ui(UiInput::StillHere);
    k.wait(COUNTDOWN + 1);
    assert_eq!(k.screen(), "form");
}

#[test]
fn home_on_the_countdown_goes_home_at_once() {
    let mut k = Kiosk::at_form(ITEM, false);
    k.wait(IDLE);
    let fx = k.ui(UiInput::Home);
    assert_eq!(
        fx,
        [
            Effect::WipePersonalData,
            Effect::SessionEnded(EndReason::Cancelled)
        ]
    );
    assert_wiped(&k);
}

#[test]
fn a_card_or_a_scan_is_activity() {
    let mut k = Kiosk::ready();
    k.ev(Event::CardRead(citizen()));
    k.wait(IDLE + 3);
    assert!(k.s.countdown_remaining().is_some());
    k.ev(Event::CardRead(citizen()));
    assert_eq!(k.s.countdown_remaining(), None);
    k.wait(IDLE - 1);
    k.ev(Event::Scanned("garbage".into()));
    k.wait(IDLE - 1);
    assert_eq!(k.s.countdown_remaining(), None);
    assert_eq!(k.screen(), "choose");
}

#[test]
fn taking_the_card_back_is_not_a_reset() {
    let mut k = Kiosk::at_form(ITEM, false);
    let fx = k.ev(Event::CardRemoved);
    assert!(fx.is_empty());
    assert_eq!(k.screen(), "form");
    assert!(k.s.citizen.is_some());
    fill_item_form(&mut k);
    k.ui(UiInput::Next);
    assert_eq!(k.screen(), "materials");
}

#[test]
fn a_result_arriving_after_the_timeout_is_ignored() {
    let mut k = at_review();
    k.ui(UiInput::Submit);
    let key = submitted_key(&k);
    k.wait(IDLE + COUNTDOWN);
    assert_eq!(k.s.screen, Screen::Home);
    k.log.clear();
    k.ev(Event::SubmitResult {
        key,
        outcome: SubmitOutcome::Delivered(receipt(hall_api::application::Subject::Item(
            ITEM.into(),
        ))),
    });
    assert!(k.log.is_empty(), "{:?}", k.log);
    assert_eq!(k.s.screen, Screen::Home);
    assert_wiped(&k);
}

#[test]
fn a_closing_screen_goes_home_by_itself() {
    let mut k = at_receipt();
    k.ui(UiInput::Done);
    k.ui(UiInput::SkipRating);
    assert_eq!(k.screen(), "farewell");
    k.wait(FAREWELL - 1);
    assert_eq!(k.screen(), "farewell");
    let fx = k.wait(1);
    assert_eq!(
        fx,
        [
            Effect::WipePersonalData,
            Effect::SessionEnded(EndReason::Completed)
        ]
    );
    assert_wiped(&k);
    // A touch on it goes home at once, too.
    let mut k = at_receipt();
    k.ui(UiInput::Done);
    k.ui(UiInput::SkipRating);
    k.ui(UiInput::Done);
    assert_eq!(k.s.screen, Screen::Home);
}

#[test]
fn display_settings_left_at_home_reset_after_the_idle_time() {
    let mut k = Kiosk::ready();
    k.ui(UiInput::ToggleElderMode);
    k.ui(UiInput::SetLanguage(kiosk_config::schema::Language::En));
    k.wait(IDLE - 1);
    assert!(k.s.elder_mode);
    k.wait(1);
    assert!(!k.s.elder_mode);
    assert_eq!(k.s.language, kiosk_config::schema::Language::ZhCn);
}

#[test]
fn reach_mode_left_on_at_home_resets_after_the_idle_time() {
    let mut k = Kiosk::ready();
    k.ui(UiInput::ToggleReachMode);
    k.wait(IDLE - 1);
    assert!(k.s.reach);
    k.wait(1);
    assert!(!k.s.reach, "the next citizen finds the configured layout");
}

#[test]
fn logging_events_and_effects_shows_no_personal_data() {
    // Every effect of the whole path, and the events that carried the data in.
    let mut k = at_receipt();
    k.ui(UiInput::Done);
    k.ui(UiInput::RateLevel(1));
    k.ui(UiInput::ToggleReason(
        hall_api::feedback::BadRatingReason::TooSlow,
    ));
    k.ui(UiInput::SetText {
        field: crate::session::TextField::ContactPhone,
        value: "13700001111".into(),
    });
    k.ui(UiInput::SetText {
        field: crate::session::TextField::Comment,
        value: "张三丰说太慢".into(),
    });
    k.ui(UiInput::Send);
    let state = format!("{:?}", k.s);
    assert!(
        state.contains("1101**********002X"),
        "the live state shows the masked form"
    );
    assert!(
        state.contains("2024.05-3") && !state.contains("不动产首次登记"),
        "catalog by version"
    );
    for needle in PERSONAL {
        assert!(!state.contains(needle), "{needle} in {state}");
    }
    let effects = format!("{:?}", k.log);
    let events = format!(
        "{:?} {:?} {:?}",
        Event::CardRead(citizen()),
        UiInput::SetField {
            key: "phone".into(),
            value: json!("13812345678").into()
        },
        UiInput::SetText {
            field: crate::session::TextField::AddressDetail,
            value: "衣锦街100号".into()
        }
    );
    for needle in PERSONAL {
        assert!(!effects.contains(needle), "{needle} in {effects}");
        assert!(!events.contains(needle), "{needle} in {events}");
    }
    assert!(
        effects.contains("Submit") && effects.contains("SubmitRating"),
        "{effects}"
    );
}

#[test]
fn help_on_the_countdown_calls_staff_and_keeps_the_session() {
    let mut k = Kiosk::at_form(ITEM, false);
    k.wait(IDLE);
    let fx = k.ui(UiInput::CallForHelp);
    assert!(
        matches!(&fx[..], [Effect::SubmitHelpRequest { .. }]),
        "{fx:?}"
    );
    assert_eq!(k.s.countdown_remaining(), None);
    assert_eq!(k.screen(), "form");
}
