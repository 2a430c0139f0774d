//! When the screen waits for an ID card (the reader then polls eagerly) and when it does
//! not (the reader polls slowly, so the line and the SAM rest while the citizen types).

use kiosk_drivers::status::DeviceClass;

use super::support::*;
use crate::session::{Event, Notice, UiInput};

#[test]
fn home_and_the_card_screen_wait_for_a_card_until_one_is_read() {
    let mut k = Kiosk::ready();
    assert!(k.s.waits_for_card(), "home");
    k.ui(UiInput::StartApplying);
    assert!(k.s.waits_for_card(), "{}", k.screen());
    k.ev(Event::CardRead(citizen()));
    assert_eq!(k.screen(), "choose");
    assert!(!k.s.waits_for_card(), "the citizen is known");
    k.ui(UiInput::Home);
    assert!(k.s.waits_for_card(), "home again: the next citizen's card");
}

#[test]
fn no_screen_with_a_citizen_on_it_waits_for_a_card() {
    for k in at_every_screen() {
        let expected = k.s.citizen.is_none() && k.screen() == "identify";
        assert_eq!(k.s.waits_for_card(), expected, "{}", k.screen());
    }
}

#[test]
fn browsing_without_a_card_waits_only_once_the_card_is_asked_for() {
    let mut k = Kiosk::ready();
    k.ui(UiInput::Browse);
    assert!(!k.s.waits_for_card(), "browsing the guides");
    k.ui(UiInput::PickItem(ITEM.into()));
    assert!(!k.s.waits_for_card(), "reading a guide");
    k.ui(UiInput::StartForm);
    assert_eq!(k.s.notice, Some(Notice::CardNeeded));
    assert!(k.s.waits_for_card());
    k.ev(Event::CardRead(citizen()));
    assert_eq!(k.screen(), "form");
    assert!(!k.s.waits_for_card(), "typing on the form");
}

#[test]
fn progress_and_self_print_wait_for_a_card_or_a_receipt() {
    let mut k = Kiosk::ready();
    k.ui(UiInput::OpenProgress);
    assert!(k.s.waits_for_card(), "查进度: card or receipt");
    k.ev(Event::CardRead(citizen()));
    assert!(!k.s.waits_for_card(), "looking up");

    let mut k = Kiosk::ready();
    k.ui(UiInput::OpenPrints);
    assert!(k.s.waits_for_card(), "自助打印: card or receipt");
    k.ev(Event::CardRead(citizen()));
    assert!(!k.s.waits_for_card(), "looking up");
}

#[test]
fn the_farewell_waits_for_the_next_citizens_card() {
    let mut k = at_receipt();
    assert!(!k.s.waits_for_card());
    k.ui(UiInput::Done);
    k.ui(UiInput::SkipRating);
    assert_eq!(k.screen(), "farewell");
    assert!(k.s.waits_for_card());
}

#[test]
fn without_a_working_reader_nothing_waits_for_a_card() {
    let mut k = Kiosk::ready();
    k.ev(Event::DeviceChanged {
        device: DeviceClass::IdCardReader,
        available: false,
    });
    assert_eq!(k.screen(), "home", "the scanner still works");
    assert!(!k.s.waits_for_card());
    k.ui(UiInput::OpenProgress);
    assert!(!k.s.waits_for_card());
}
