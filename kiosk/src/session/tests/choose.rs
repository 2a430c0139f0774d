//! Identifying and choosing: card → most used / department / bundle / search → guide
//! (一次性告知), printable; guides read before the card; items the kiosk cannot complete.

use super::support::*;
use crate::session::screens::ChooseView;
use crate::session::{listing, Choice, Effect, Event, Notice, Screen, UiInput};

#[test]
fn the_card_leads_to_the_most_used_items() {
    let mut k = Kiosk::ready();
    k.ui(UiInput::StartApplying);
    assert_eq!(k.s.screen, Screen::Identify);
    k.ev(Event::CardRead(citizen()));
    assert_eq!(k.s.screen, Screen::Choose(ChooseView::MostUsed));
    let catalog = k.s.catalog.clone().unwrap();
    let most = listing(&catalog, &ChooseView::MostUsed, &k.s.most_used);
    assert_eq!(most.len(), 2);
    assert!(matches!(&most[0], Choice::Item { code, .. } if code == ITEM));
}

#[test]
fn a_card_on_the_home_screen_starts_at_once() {
    let mut k = Kiosk::ready();
    k.ev(Event::CardRead(citizen()));
    assert_eq!(k.screen(), "choose");
}

#[test]
fn choosing_by_department_bundle_and_search() {
    let mut k = Kiosk::ready();
    k.ev(Event::CardRead(citizen()));
    let catalog = k.s.catalog.clone().unwrap();
    k.ui(UiInput::ShowDepartments);
    k.ui(UiInput::OpenDepartment("gongan".into()));
    let Screen::Choose(view) = k.s.screen.clone() else {
        panic!()
    };
    let items = listing(&catalog, &view, &[]);
    assert_eq!(items.len(), 2, "two public-security items: {items:?}");
    k.ui(UiInput::OpenDepartment("nosuch".into()));
    assert_eq!(
        k.s.screen,
        Screen::Choose(ChooseView::Department("gongan".into()))
    );
    k.ui(UiInput::Back);
    assert_eq!(k.s.screen, Screen::Choose(ChooseView::Departments));
    k.ui(UiInput::ShowBundles);
    let bundles = listing(&catalog, &ChooseView::Bundles, &[]);
    assert!(matches!(&bundles[..], [Choice::Bundle { code, .. }] if code == BUNDLE));
    k.ui(UiInput::Search("新生儿\u{7}".repeat(30)));
    let Screen::Choose(ChooseView::Search(q)) = &k.s.screen else {
        panic!()
    };
    assert_eq!(q.chars().count(), 40, "bounded, control characters dropped");
    let hits = listing(&catalog, &ChooseView::Search("新生儿".into()), &[]);
    assert_eq!(hits.len(), 3, "the bundle, 落户 and 参保: {hits:?}");
    let by_code = listing(&catalog, &ChooseView::Search("ga-000101".into()), &[]);
    assert!(matches!(&by_code[..], [Choice::Item { code, .. }] if code == ITEM));
    assert!(listing(&catalog, &ChooseView::Search("  ".into()), &[]).is_empty());
    // Pinyin initials, as the search box offers: 居民身份证换领 ← jmsfz (and JMSFZ).
    for q in ["jmsfz", "JMSFZ"] {
        let by_initials = listing(&catalog, &ChooseView::Search(q.into()), &[]);
        assert!(
            matches!(&by_initials[..], [Choice::Item { code, .. }] if code == ITEM),
            "{q}: {by_initials:?}"
        );
    }
    k.ui(UiInput::PickItem("NO-SUCH".into()));
    assert_eq!(k.s.notice, Some(Notice::UnknownSubject));
    // 知道了 closes the notice and does nothing else.
    let screen = k.s.screen.clone();
    k.ui(UiInput::DismissNotice);
    assert_eq!(k.s.notice, None);
    assert_eq!(k.s.screen, screen);
}

#[test]
fn the_guide_lists_every_material_and_prints() {
    let mut k = Kiosk::ready();
    k.ev(Event::CardRead(citizen()));
    k.ui(UiInput::PickItem(ITEM.into()));
    assert_eq!(k.s.screen, Screen::Guide);
    let fx = k.ui(UiInput::PrintGuide);
    let [Effect::Print(doc)] = &fx[..] else {
        panic!("{fx:?}")
    };
    assert!(doc.title.contains("居民身份证换领"));
    let body = doc.lines.join("\n");
    assert!(
        body.contains("居民户口簿") && body.contains("数码照片回执"),
        "{body}"
    );
    assert!(
        body.contains("20.00 元") && body.contains("15个工作日"),
        "{body}"
    );
    assert!(
        body.contains("1. 居民户口簿（原件1份，必交，可在自助机上拍照提交）"),
        "no zero counts, and the camera named for a photographable material: {body}"
    );
    k.ui(UiInput::Back);
    assert_eq!(k.s.screen, Screen::Choose(ChooseView::MostUsed));
    assert!(k.s.transaction.is_none());
}

#[test]
fn guides_can_be_read_before_the_card_and_the_card_then_opens_the_form() {
    let mut k = Kiosk::ready();
    k.ui(UiInput::Browse);
    k.ui(UiInput::PickItem(ITEM.into()));
    k.ui(UiInput::StartForm);
    assert_eq!(k.s.screen, Screen::Identify);
    assert_eq!(k.s.notice, Some(Notice::CardNeeded));
    k.ev(Event::CardRead(citizen()));
    assert_eq!(k.screen(), "form");
    assert!(k
        .s
        .transaction
        .as_ref()
        .unwrap()
        .prefilled
        .contains("applicantName"));
}

#[test]
fn an_item_the_kiosk_cannot_complete_offers_the_guide_and_a_booking() {
    let mut k = Kiosk::ready();
    k.ev(Event::CardRead(citizen()));
    k.ui(UiInput::PickItem("ZR-000510-003".into()));
    k.ui(UiInput::StartForm);
    assert_eq!(k.s.screen, Screen::Guide);
    assert_eq!(k.s.notice, Some(Notice::NotKioskCompletable));
    let fx = k.ui(UiInput::OpenAppointment);
    assert!(
        matches!(&fx[..], [Effect::FetchSlots { department, .. }] if department == "ziranziyuan"),
        "{fx:?}"
    );
    assert_eq!(k.screen(), "appointment");
}
