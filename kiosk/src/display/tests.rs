//! The screen against the session: every session screen maps onto view models without
//! revealing more than it should, and the real Slint components' callbacks become the
//! session inputs they name.

use std::sync::Arc;

use kiosk_ui::generated as ui;
use kiosk_ui::screen::browse::BrowseTab;
use kiosk_ui::screen::delivery::AddressField;
use kiosk_ui::screen::shell::{current_screen, ScreenId};
use kiosk_ui::screen::Paging;
use slint::ComponentHandle;
use tokio::sync::{mpsc, watch};

use super::{map, screen};
use crate::citizen::SessionHandle;
use crate::session::tests::support::{
    at_every_screen, at_receipt, at_review, Kiosk, ID_CARD, ITEM,
};
use crate::session::{Event, UiInput};

fn every_view_text(k: &Kiosk) -> String {
    let s = &k.s;
    format!(
        "{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}",
        screen::browse::view(s, 0, 6, "", false),
        screen::guide::view(s, 0, 6),
        screen::review::view(s),
        screen::receipt::view(s),
        screen::rating::view(s),
        screen::progress::view(s),
        screen::out_of_service::view(s),
        screen::identify::view(s),
        screen::handin::view(s),
        screen::delivery::view(s, None),
        screen::appointment::view(s, None),
        screen::feedback::complaint(s, None),
        screen::feedback::help(s, None),
        screen::notice::view(s),
    )
}

#[test]
fn no_view_but_the_form_shows_the_whole_id_number() {
    for k in at_every_screen() {
        let text = every_view_text(&k);
        assert!(
            !text.contains(ID_CARD),
            "screen {} reveals the ID number: {text}",
            k.screen()
        );
        // The form shows the prefilled number masked until the citizen edits it.
        let form = format!("{:?}", screen::form::view(&k.s, 0, 20, None));
        assert!(!form.contains(ID_CARD), "form reveals it on {}", k.screen());
    }
}

#[test]
fn the_form_shows_the_number_in_full_only_while_it_is_edited() {
    let k = Kiosk::at_form(ITEM, false);
    let key =
        k.s.transaction
            .as_ref()
            .and_then(|t| {
                t.form
                    .fields
                    .iter()
                    .find(|f| matches!(f.kind, hall_api::form::FieldKind::IdNumber))
                    .map(|f| f.key.clone())
            })
            .expect("the item's form has an ID-number field");
    let editing = screen::form::view(&k.s, 0, 20, Some(&key));
    assert!(format!("{editing:?}").contains(ID_CARD));
    let field = editing.fields.iter().find(|f| f.id == key).expect("field");
    assert!(field.prefilled, "marked as read from the card");
}

#[test]
fn review_and_receipt_carry_what_the_citizen_checks() {
    let k = at_review();
    let review = screen::review::view(&k.s);
    assert!(review
        .rows
        .iter()
        .any(|(l, v)| l == "领取方式" && v == "免费邮寄"));
    assert!(!review.submitting);
    let k = at_receipt();
    assert_eq!(map::screen_id(&k.s), ScreenId::Receipt);
    let receipt = screen::receipt::view(&k.s);
    assert!(receipt.delivered);
    let query = crate::session::docs::parse_receipt_qr(&receipt.qr_payload)
        .expect("the QR code on screen reads back as a receipt");
    assert_eq!(query.tracking_code, receipt.tracking_code);
    assert!(receipt.applicant.contains('*'));
}

#[test]
fn every_session_screen_has_its_own_ui_screen() {
    let mut seen = std::collections::HashSet::new();
    for k in at_every_screen() {
        let id = map::screen_id(&k.s);
        // The UI's slug and the session's name for a screen are the same words.
        let slug = id.slug().replace('-', "");
        let name = match k.screen() {
            "choose" => "browse".to_owned(),
            other => other.to_lowercase(),
        };
        assert_eq!(slug, name, "{id:?}");
        seen.insert(id);
    }
    assert!(seen.len() >= 10, "{seen:?}");
}

#[test]
fn the_sessions_notices_and_boxes_map_one_for_one_onto_the_uis() {
    use kiosk_ui::screen::feedback::MessageField;
    use kiosk_ui::screen::notice::NoticeKind;

    use crate::session::{Notice, TextField};
    let kinds: Vec<NoticeKind> = Notice::ALL.into_iter().map(NoticeKind::from).collect();
    assert_eq!(kinds, NoticeKind::ALL);
    let distinct: std::collections::HashSet<NoticeKind> = kinds.into_iter().collect();
    assert_eq!(distinct.len(), Notice::ALL.len());

    let mut fields = std::collections::HashSet::new();
    for (i, a) in AddressField::ALL.into_iter().enumerate() {
        assert_eq!(a.index(), i);
        assert_eq!(
            AddressField::from_index(i32::try_from(i).expect("small")),
            Some(a)
        );
        assert_eq!(screen::delivery::address_field(TextField::from(a)), Some(a));
        assert!(fields.insert(format!("{:?}", TextField::from(a))));
    }
    for (i, m) in MessageField::ALL.into_iter().enumerate() {
        assert_eq!(m.index(), i);
        assert_eq!(
            MessageField::from_index(i32::try_from(i).expect("small")),
            Some(m)
        );
        assert!(fields.insert(format!("{:?}", TextField::from(m))));
    }
    assert_eq!(screen::delivery::address_field(TextField::Comment), None);
    // The re-exported Slint enums' defaults (their first values) are what the screens start
    // on: the search box's keyboard is pinyin; a farewell says "done".
    assert_eq!(
        kiosk_ui::screen::keyboard::KeyboardVm::default().mode,
        kiosk_ui::screen::keyboard::KeyboardMode::Pinyin
    );
    assert_eq!(
        kiosk_ui::screen::farewell::FarewellKind::default(),
        kiosk_ui::screen::farewell::FarewellKind::Done
    );
    assert_eq!(AddressField::from_index(4), None);
    assert_eq!(MessageField::from_index(-1), None);
}

#[test]
fn the_address_shows_what_is_being_typed_and_its_errors() {
    use crate::session::TextField;
    let k = at_review();
    let mut s = k.s.clone();
    s.screen = crate::session::Screen::Delivery;
    let typed = screen::delivery::view(&s, Some((TextField::Region, "浙江省杭")));
    assert!(typed.mail);
    assert_eq!(typed.address.region, "浙江省杭");
    assert_eq!(typed.active, Some(AddressField::Region));
    let t = s.transaction.as_mut().expect("a transaction");
    t.address_errors = crate::session::address_errors(&t.address)
        .into_iter()
        .chain([hall_api::form::FieldError {
            field: "delivery.address.phone".into(),
            code: hall_api::form::FieldErrorCode::InvalidPhone,
            message: "联系电话有误".into(),
        }])
        .collect();
    let shown = screen::delivery::view(&s, None);
    assert!(shown
        .errors
        .iter()
        .any(|(f, m)| *f == AddressField::Phone && m == "联系电话有误"));
}

#[test]
fn a_long_list_is_cut_into_pages_that_show_every_row_once() {
    // Not paged: the whole list, no pager.
    let mut short = vec![1, 2, 3];
    assert_eq!(Paging::cut(&mut short, 0, 0), Paging::default());
    assert_eq!(Paging::cut(&mut short, 5, 3), Paging::default());
    assert_eq!(short, [1, 2, 3]);
    // Seven rows three a page: 3 + 3 + 1, a page past the end shows the last.
    let mut seen = Vec::new();
    for page in 0..4 {
        let mut rows: Vec<i32> = (1..=7).collect();
        let p = Paging::cut(&mut rows, page, 3);
        assert_eq!(p.pages, 3);
        assert_eq!(p.page, page.min(2));
        assert_eq!(rows.first().copied(), i32::try_from(p.first + 1).ok());
        if page < 3 {
            seen.extend(rows);
        }
    }
    assert_eq!(seen, (1..=7).collect::<Vec<_>>());
}

#[test]
fn the_address_one_box_a_page_opens_on_the_box_still_to_fill() {
    use crate::session::TextField;
    let k = at_review();
    let mut s = k.s.clone();
    s.screen = crate::session::Screen::Delivery;
    let t = s.transaction.as_mut().expect("a transaction");
    t.mail = true;
    t.address = Default::default();
    t.address.recipient = crate::session::personal::PersonalText::new("张三");
    // Not paged: all four boxes.
    let mut v = screen::delivery::view(&s, None);
    screen::delivery::page(&mut v, None, 0, 0);
    assert_eq!(v.shown, AddressField::ALL);
    assert!(!v.paging.paged());
    // One a page: the phone, the first empty box; a page chosen is kept.
    let mut v = screen::delivery::view(&s, None);
    screen::delivery::page(&mut v, None, 1, 0);
    assert_eq!(v.shown, [AddressField::Phone]);
    assert_eq!((v.paging.page, v.paging.pages), (1, 4));
    let mut v = screen::delivery::view(&s, None);
    screen::delivery::page(&mut v, Some(3), 1, 0);
    assert_eq!(v.shown, [AddressField::Detail]);
    // All typed but the phone refused: its box.
    let t = s.transaction.as_mut().expect("a transaction");
    for (field, text) in [
        (TextField::RecipientPhone, "123"),
        (TextField::Region, "浙江省杭州市临安区"),
        (TextField::AddressDetail, "衣锦街100号"),
    ] {
        let value = crate::session::personal::PersonalText::new(text);
        match field {
            TextField::RecipientPhone => t.address.phone = value,
            TextField::Region => t.address.region = value,
            _ => t.address.detail = value,
        }
    }
    t.address_errors = crate::session::address_errors(&t.address);
    assert!(!t.address_errors.is_empty());
    let mut v = screen::delivery::view(&s, None);
    screen::delivery::page(&mut v, None, 1, 0);
    assert_eq!(v.shown, [AddressField::Phone], "{:?}", v.errors);
    // Nothing to fill nor to put right: the page shown before stays.
    s.transaction
        .as_mut()
        .expect("a transaction")
        .address_errors
        .clear();
    let mut v = screen::delivery::view(&s, None);
    screen::delivery::page(&mut v, None, 1, 3);
    assert_eq!(v.shown, [AddressField::Detail]);
}

#[test]
fn in_english_the_screens_own_words_are_english() {
    let mut k = at_review();
    k.ui(UiInput::SetLanguage(kiosk_config::schema::Language::En));
    let review = screen::review::view(&k.s);
    assert!(
        review
            .rows
            .iter()
            .any(|(l, v)| l == "Delivery" && v == "free mail"),
        "{review:?}"
    );
    let cjk = |t: &str| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let guide = screen::guide::view(&k.s, 0, 6);
    assert!(guide.facts.iter().all(|(l, _)| !cjk(l)), "{guide:?}");
    let mut bare = Kiosk::bare();
    bare.ui(UiInput::SetLanguage(kiosk_config::schema::Language::En));
    for line in screen::out_of_service::view(&bare.s) {
        assert!(!cjk(&line), "{line}");
    }
}

#[test]
fn pages_clamp_and_count() {
    let all: Vec<u32> = (0..13).collect();
    assert_eq!(map::page_of(&all, 0, 6), ((0..6).collect(), 0, 3));
    assert_eq!(map::page_of(&all, 9, 6), (vec![12], 2, 3));
    assert_eq!(map::page_of::<u32>(&[], 4, 6), (vec![], 0, 1));
}

/// The real components, offscreen: touches become the session's inputs.
#[test]
fn the_screens_callbacks_reach_the_session() {
    let window = kiosk_ui::headless::window().expect("the first platform of this thread");
    window.set_size(slint::PhysicalSize::new(1080, 1920));
    let app = ui::AppWindow::new().expect("the UI builds");

    let mut k = Kiosk::at_form(ITEM, false);
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let (presses_tx, _presses) = mpsc::unbounded_channel();
    let (view_tx, view_rx) = watch::channel(Arc::new(k.s.clone()));
    let handle = SessionHandle::new(events_tx, presses_tx, view_rx);
    let (_devices_tx, devices) = watch::channel(Vec::new());
    let config = kiosk_config::Config::default();
    let (f, _timers) = super::attach(&config, handle, devices, None, None, None, app);
    fn next(events: &mut mpsc::UnboundedReceiver<Event>) -> UiInput {
        match events.try_recv() {
            Ok(Event::Ui(input)) => input,
            other => panic!("expected a touch, got {other:?}"),
        }
    }

    assert_eq!(super::map::screen_id(&f.current.borrow()), ScreenId::Form);
    let fields = screen::form::view(&k.s, 0, 6, None).fields;
    let index = |key: &str| {
        i32::try_from(fields.iter().position(|f| f.id == key).expect(key)).expect("small")
    };
    let reason_label = fields[usize::try_from(index("reason")).expect("index")].options[0].clone();
    // The declaration is not among the fields: 确认提交 on the review makes it.
    assert!(!fields.iter().any(|f| f.id == "declaration"));
    f.app
        .global::<ui::FormAdapter<'_>>()
        .invoke_choose(index("reason"), reason_label.into());
    match next(&mut events) {
        UiInput::SetField { key, value } => {
            assert_eq!(key, "reason");
            let value = value.take();
            assert!(value.is_string(), "{value}");
            assert!(
                !value
                    .as_str()
                    .unwrap_or_default()
                    .chars()
                    .any(|c| c > '\u{7f}'),
                "the option's value, not its (Chinese) label: {value}"
            );
        }
        other => panic!("{other:?}"),
    }
    // Typing a phone number: each key goes to the session as the field's text.
    f.app
        .global::<ui::FormAdapter<'_>>()
        .invoke_activate(index("phone"));
    assert_eq!(next(&mut events), UiInput::StillHere);
    for key in ["1", "3", "8"] {
        f.app
            .global::<ui::KeyboardAdapter<'_>>()
            .invoke_key(key.into());
    }
    let mut last = None;
    while let Ok(Event::Ui(input)) = events.try_recv() {
        last = Some(input);
    }
    match last {
        Some(UiInput::SetField { key, value }) => {
            assert_eq!(key, "phone");
            assert_eq!(value.take(), serde_json::json!("138"));
        }
        other => panic!("{other:?}"),
    }

    // A new state from the session is drawn by the poll timer.
    k.ui(UiInput::Home);
    view_tx.send_replace(Arc::new(k.s.clone()));
    assert!(f.poll());
    assert_eq!(current_screen(&f.app), ScreenId::Home);
    f.app.global::<ui::HomeAdapter<'_>>().invoke_start_service();
    assert_eq!(next(&mut events), UiInput::StartApplying);
    f.app.global::<ui::Shell<'_>>().invoke_toggle_language();
    assert_eq!(
        next(&mut events),
        UiInput::SetLanguage(kiosk_config::schema::Language::En)
    );

    // The maintenance PIN: five taps open the pad; the screen is the technician's.
    for _ in 0..5 {
        f.app.global::<ui::Shell<'_>>().invoke_hidden_tap();
    }
    assert_eq!(current_screen(&f.app), ScreenId::MaintenancePin);
}

#[test]
fn in_english_catalog_content_is_the_halls_english_or_says_chinese_only() {
    let mut k = at_review();
    k.ui(UiInput::SetLanguage(kiosk_config::schema::Language::En));
    // The hall wrote English for the item and the name field; not for its materials.
    let mut catalog = (**k.s.catalog.as_ref().expect("a catalog")).clone();
    for item in catalog.items.iter_mut().filter(|i| i.code == ITEM) {
        item.name_en = Some("ID card renewal".into());
    }
    k.s.catalog = Some(Arc::new(catalog));
    let t = k.s.transaction.as_mut().expect("a transaction");
    t.title_en = Some("ID card renewal".into());
    let name_key = t
        .form
        .fields
        .iter_mut()
        .find(|f| f.prefill == Some(hall_api::form::PrefillSource::Name))
        .map(|f| {
            f.label_en = Some("Applicant's name".into());
            f.key.clone()
        })
        .expect("the form has the card's name");
    let citizen_name = k.s.citizen.as_ref().expect("a citizen").name.clone();
    let first_material = t.materials[0].material.name.clone();

    let guide = screen::guide::view(&k.s, 0, 6);
    assert_eq!(guide.item_name, "ID card renewal");
    assert_eq!(
        guide.materials[0].name,
        format!("{first_material} (Chinese only)"),
        "no English for it: said so"
    );
    let review = screen::review::view(&k.s);
    assert_eq!(review.item_name, "ID card renewal");
    let (_, shown) = review
        .rows
        .iter()
        .find(|(l, _)| l == "Applicant's name")
        .expect("the English label");
    // Masked as in Chinese: the label changed, the rule did not.
    assert_ne!(shown, &citizen_name);
    assert!(shown.contains('*'), "{shown}");
    let form = screen::form::view(&k.s, 0, 20, None);
    assert!(form
        .fields
        .iter()
        .any(|f| f.id == name_key && f.label == "Applicant's name"));
    let browse = screen::browse::view(&k.s, 0, 50, "", false);
    assert!(!browse.items.is_empty());
    // The bundles' tab, on the choose screen.
    let mut c = Kiosk::at_form(ITEM, false);
    c.ui(UiInput::SetLanguage(kiosk_config::schema::Language::En));
    c.ui(UiInput::Back);
    c.ui(UiInput::Back);
    c.ui(UiInput::ShowBundles);
    let bundles = screen::browse::view(&c.s, 0, 50, "", false);
    assert_eq!(bundles.tab, BrowseTab::Bundles);
    assert!(!bundles.items.is_empty());
    for entry in browse.items.iter().chain(&bundles.items) {
        let expected = if entry.id == ITEM {
            entry.name == "ID card renewal"
        } else {
            entry.name.ends_with(" (Chinese only)")
        };
        assert!(expected, "{entry:?}");
    }
    // And back in Chinese, the hall's Chinese as it wrote it.
    k.ui(UiInput::SetLanguage(kiosk_config::schema::Language::ZhCn));
    assert_eq!(
        screen::guide::view(&k.s, 0, 6).materials[0].name,
        first_material
    );
}
