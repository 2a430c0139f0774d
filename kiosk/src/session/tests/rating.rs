//! 好差评: optional, never forced; 差评 needs a reason; call-back contact optional.

use hall_api::feedback::BadRatingReason;

use super::support::*;
use crate::session::screens::{Farewell, RatingDraft};
use crate::session::{Effect, Event, Screen, TextField, UiInput};

fn at_rating() -> Kiosk {
    let mut k = at_receipt();
    k.ui(UiInput::Done);
    assert_eq!(k.s.screen, Screen::Rating(RatingDraft::default()));
    k.log.clear();
    k
}

fn ratings(k: &Kiosk) -> Vec<hall_api::feedback::CreateRating> {
    k.log
        .iter()
        .filter_map(|e| match e {
            Effect::SubmitRating { payload, .. } => Some(payload.clone()),
            _ => None,
        })
        .collect()
}

fn draft(k: &Kiosk) -> &RatingDraft {
    match &k.s.screen {
        Screen::Rating(d) => d,
        other => panic!("not rating: {other:?}"),
    }
}

#[test]
fn a_good_rating_is_sent_with_the_tracking_code() {
    let mut k = at_rating();
    k.ui(UiInput::RateLevel(5));
    k.ui(UiInput::ToggleReason(BadRatingReason::TooSlow));
    assert!(draft(&k).reasons.is_empty(), "reasons only for a 差评");
    k.ui(UiInput::SetText {
        field: TextField::ContactPhone,
        value: "13700001111".into(),
    });
    k.ui(UiInput::Send);
    let sent = ratings(&k);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].level, 5);
    assert_eq!(sent[0].tracking_code, "LA20240506-0042");
    assert_eq!(sent[0].verifier, "q7Xk2m");
    assert!(sent[0].reasons.is_empty() && sent[0].contact.is_none());
    assert!(matches!(
        k.s.screen,
        Screen::Farewell {
            message: Farewell::ThanksForRating,
            ..
        }
    ));
}

#[test]
fn a_bad_rating_cannot_be_sent_without_a_reason() {
    for level in [1, 2] {
        let mut k = at_rating();
        k.ui(UiInput::RateLevel(level));
        k.ui(UiInput::Send);
        assert!(ratings(&k).is_empty(), "level {level}");
        assert_eq!(k.screen(), "rating");
        assert_eq!(draft(&k).errors[0].field, "reasons");
        k.ui(UiInput::ToggleReason(BadRatingReason::TooManyMaterials));
        k.ui(UiInput::ToggleReason(BadRatingReason::Other));
        k.ui(UiInput::ToggleReason(BadRatingReason::Other));
        k.ui(UiInput::Send);
        let sent = ratings(&k);
        assert_eq!(sent.len(), 1, "level {level}");
        assert_eq!(sent[0].reasons, [BadRatingReason::TooManyMaterials]);
        assert!(sent[0].contact.is_none(), "the contact is optional");
    }
}

#[test]
fn a_bad_rating_may_leave_a_call_back_contact_which_is_checked() {
    let mut k = at_rating();
    k.ui(UiInput::RateLevel(1));
    k.ui(UiInput::ToggleReason(BadRatingReason::HardToUse));
    k.ui(UiInput::SetText {
        field: TextField::ContactPhone,
        value: "12345".into(),
    });
    k.ui(UiInput::Send);
    assert!(ratings(&k).is_empty());
    assert_eq!(draft(&k).errors[0].field, "contact.phone");
    k.ui(UiInput::SetText {
        field: TextField::ContactPhone,
        value: "13700001111".into(),
    });
    k.ui(UiInput::SetText {
        field: TextField::ContactName,
        value: "张先生".into(),
    });
    k.ui(UiInput::SetText {
        field: TextField::Comment,
        value: "  字太小  ".into(),
    });
    k.ui(UiInput::Send);
    let sent = ratings(&k);
    let contact = sent[0].contact.as_ref().unwrap();
    assert_eq!(contact.phone, "13700001111");
    assert_eq!(contact.name.as_deref(), Some("张先生"));
    assert_eq!(sent[0].comment.as_deref(), Some("字太小"));
}

#[test]
fn changing_to_a_good_level_drops_reasons_and_contact() {
    let mut k = at_rating();
    k.ui(UiInput::RateLevel(2));
    k.ui(UiInput::ToggleReason(BadRatingReason::TooSlow));
    k.ui(UiInput::SetText {
        field: TextField::ContactPhone,
        value: "13700001111".into(),
    });
    k.ui(UiInput::RateLevel(4));
    assert!(draft(&k).reasons.is_empty() && !draft(&k).contact.any());
    k.ui(UiInput::RateLevel(0));
    k.ui(UiInput::RateLevel(6));
    assert_eq!(draft(&k).level, Some(4), "out-of-range levels are ignored");
}

#[test]
fn the_rating_is_never_forced() {
    // Skip.
    let mut k = at_rating();
    k.ui(UiInput::SkipRating);
    assert!(matches!(
        k.s.screen,
        Screen::Farewell {
            message: Farewell::Done,
            ..
        }
    ));
    // Send without a level: asked to choose, nothing sent, and skip still works.
    let mut k = at_rating();
    k.ui(UiInput::Send);
    assert_eq!(draft(&k).errors[0].field, "level");
    k.ui(UiInput::Back);
    assert_eq!(k.screen(), "farewell");
    // Home, or walking away: no rating is sent.
    let mut k = at_rating();
    k.ui(UiInput::RateLevel(1));
    k.ui(UiInput::Home);
    let mut idle = at_rating();
    idle.ui(UiInput::RateLevel(3));
    idle.wait(IDLE + COUNTDOWN);
    for k in [k, idle] {
        assert_eq!(k.s.screen, Screen::Home);
        assert!(ratings(&k).is_empty());
    }
}

#[test]
fn one_rating_per_application() {
    let mut k = at_rating();
    k.ui(UiInput::RateLevel(5));
    k.ui(UiInput::Send);
    k.ui(UiInput::Send);
    k.ev(Event::Tick(at(k.secs)));
    assert_eq!(ratings(&k).len(), 1);
}

#[test]
fn an_unrated_application_can_be_rated_later_through_its_receipt_qr() {
    use crate::session::LookupResult;
    use hall_api::application::{Progress, Status, Subject};
    let progress = |rated| Progress {
        tracking_code: "LA20240506-0042".into(),
        subject: Subject::Item(ITEM.into()),
        subject_name: "居民身份证换领".into(),
        status: Status::Concluded,
        timeline: vec![],
        promised_by: today(),
        mailed: false,
        rated,
        handled_by: None,
    };
    for rated in [false, true] {
        let mut k = Kiosk::ready();
        let fx = k.ev(Event::Scanned(
            "https://hall.example.gov.cn/p?c=LA20240506-0042&v=q7Xk2m".into(),
        ));
        let [Effect::FetchProgress { request, .. }] = &fx[..] else {
            panic!("{fx:?}")
        };
        k.ev(Event::ProgressFetched {
            request: *request,
            result: LookupResult::Found(vec![progress(rated)]),
        });
        k.ui(UiInput::RateLater);
        if rated {
            assert_eq!(k.screen(), "progress", "one rating per application");
            continue;
        }
        assert_eq!(k.screen(), "rating");
        k.ui(UiInput::RateLevel(4));
        k.ui(UiInput::Send);
        let sent = ratings(&k);
        assert_eq!(sent.len(), 1);
        assert_eq!(
            (sent[0].tracking_code.as_str(), sent[0].verifier.as_str()),
            ("LA20240506-0042", "q7Xk2m")
        );
    }
    // Looked up by ID card, there is no verifier: no rating offered.
    let mut k = Kiosk::ready();
    k.ui(UiInput::OpenProgress);
    let fx = k.ev(Event::CardRead(citizen()));
    let [Effect::FetchProgress { request, .. }] = &fx[..] else {
        panic!("{fx:?}")
    };
    k.ev(Event::ProgressFetched {
        request: *request,
        result: LookupResult::Found(vec![progress(false)]),
    });
    k.ui(UiInput::RateLater);
    assert_eq!(k.screen(), "progress");
}
