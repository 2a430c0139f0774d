//! Long random walks through the machine (a fixed-seed generator, so runs repeat): it never
//! panics, a session never submits the same application twice, and going home always leaves
//! no personal data and the configured layout; reach mode (轮椅模式) is switched on and off
//! among the other inputs and every screen is reached with it on.

use hall_api::application::{MaterialSource, Subject};
use hall_api::feedback::{BadRatingReason, HelpKind};
use kiosk_config::schema::Language;
use kiosk_drivers::status::DeviceClass;
use serde_json::json;

use super::support::*;
use crate::session::{
    BookOutcome, Effect, Event, LookupResult, RequestId, Screen, SubmitOutcome, TextField, UiInput,
};

/// xorshift64*: a tiny deterministic generator for test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_input(r: &mut Rng) -> UiInput {
    let texts = ["", "13812345678", "张三丰", "x\u{0}y", "浙江省杭州市临安区"];
    let text = texts[r.below(texts.len() as u64) as usize];
    match r.below(33) {
        0 => UiInput::Home,
        1 | 2 => UiInput::Back,
        3 => UiInput::ToggleElderMode,
        4 => UiInput::SetLanguage(Language::En),
        5 => UiInput::CallForHelp,
        6 => UiInput::StartApplying,
        7 => UiInput::OpenProgress,
        8 => UiInput::OpenAppointment,
        9 => UiInput::OpenComplaint,
        10 => UiInput::OpenHelpRequest(HelpKind::Proxy),
        11 => UiInput::Browse,
        12 => UiInput::PickItem(ITEM.into()),
        13 => UiInput::PickBundle(BUNDLE.into()),
        14 => UiInput::StartForm,
        15 => UiInput::SetField {
            key: ["phone", "reason", "declaration", "childName"][r.below(4) as usize].into(),
            value: [
                json!("13812345678"),
                json!("expired"),
                json!(true),
                json!(3),
            ][r.below(4) as usize]
                .clone()
                .into(),
        },
        16 => UiInput::SetText {
            field: [
                TextField::Recipient,
                TextField::RecipientPhone,
                TextField::Region,
                TextField::AddressDetail,
                TextField::Comment,
                TextField::ContactName,
                TextField::ContactPhone,
            ][r.below(7) as usize],
            value: text.into(),
        },
        17 => UiInput::SetMaterialSource {
            code: "hukou".into(),
            source: MaterialSource::Reused,
        },
        18 if r.below(2) == 0 => UiInput::ChangeDelivery,
        18 => UiInput::ChooseMail(r.below(2) == 0),
        19..=21 => UiInput::Next,
        22 => UiInput::Submit,
        23 => UiInput::Done,
        24 => UiInput::RateLevel(r.below(7) as u8),
        25 => UiInput::ToggleReason(BadRatingReason::TooSlow),
        26 => UiInput::Send,
        27 => UiInput::SkipRating,
        28 => UiInput::PickDepartment("gongan".into()),
        29 => UiInput::OpenPrints,
        30 => UiInput::PrintDocument("d1".into()),
        31 => UiInput::ToggleReachMode,
        _ => UiInput::Book,
    }
}

fn random_event(r: &mut Rng, k: &Kiosk) -> Event {
    let last_key = k.log.iter().rev().find_map(|e| match e {
        Effect::Submit {
            idempotency_key, ..
        }
        | Effect::Book {
            idempotency_key, ..
        } => Some(idempotency_key.clone()),
        _ => None,
    });
    let request = RequestId(k.s.counter.saturating_sub(r.below(2)));
    match r.below(20) {
        0..=9 => Event::Ui(random_input(r)),
        10 => Event::CardRead(if r.below(4) == 0 {
            other_citizen()
        } else {
            citizen()
        }),
        11 => Event::CardRemoved,
        12 => Event::Scanned(
            ["https://h/p?c=LA1&v=v1", "YY-1", "garbage"][r.below(3) as usize].into(),
        ),
        13 => Event::DeviceChanged {
            device: DeviceClass::ALL[r.below(3) as usize],
            available: r.below(3) != 0,
        },
        14 => Event::SubmitResult {
            key: last_key.unwrap_or_default(),
            outcome: match r.below(3) {
                0 => SubmitOutcome::Delivered(receipt(Subject::Item(ITEM.into()))),
                1 => SubmitOutcome::Queued,
                _ => SubmitOutcome::Refused(vec![]),
            },
        },
        15 => Event::BookResult {
            key: last_key.unwrap_or_default(),
            outcome: BookOutcome::Unreachable,
        },
        16 => Event::ProgressFetched {
            request,
            result: LookupResult::NotFound,
        },
        17 => Event::ReusableMaterialsFetched {
            request,
            result: None,
        },
        18 => Event::PrintFailed,
        19 if r.below(2) == 0 => Event::PrintableFetched {
            request,
            result: LookupResult::Found(vec![hall_api::attachment::PrintableDocument {
                id: "d1".into(),
                tracking_code: "LA1".into(),
                subject_name: "户籍证明开具".into(),
                title: "户籍证明".into(),
                bytes: 1000,
                copies_left: 1,
                attached_at: at(0).utc,
            }]),
        },
        19 => Event::ResultDocumentPrinted {
            request,
            outcome: crate::session::PrintOutcome::Printed { copy: 1 },
        },
        _ => Event::Tick(at(k.secs + 1 + r.below(40))),
    }
}

/// The step a purposeful citizen would take here, so walks get deep into the path.
fn guided(r: &mut Rng, k: &Kiosk) -> Event {
    let good = [
        ("phone", json!("13812345678")),
        ("reason", json!("expired")),
        ("declaration", json!(true)),
        ("childName", json!("张小宝")),
        ("childBirthDate", json!("2024-05-01")),
    ];
    let ui = |input| Event::Ui(input);
    match &k.s.screen {
        // A citizen in a wheelchair turns on 轮椅模式 first (the button at the home screen's foot).
        Screen::Home if !k.s.reach && r.below(4) == 0 => ui(UiInput::ToggleReachMode),
        Screen::Home if r.below(4) == 0 => ui(UiInput::StartApplying),
        Screen::Home | Screen::Identify => Event::CardRead(citizen()),
        Screen::Choose(_) if r.below(2) == 0 => ui(UiInput::PickItem(ITEM.into())),
        Screen::Choose(_) => ui(UiInput::PickBundle(BUNDLE.into())),
        Screen::Guide => ui(UiInput::StartForm),
        Screen::Form => {
            let t = k.s.transaction.as_ref().expect("a form has a transaction");
            let missing = good.iter().find(|(key, _)| {
                t.form.fields.iter().any(|f| f.key == *key) && t.values.value(key).is_none()
            });
            match missing {
                Some((key, value)) => ui(UiInput::SetField {
                    key: (*key).into(),
                    value: value.clone().into(),
                }),
                None => ui(UiInput::Next),
            }
        }
        Screen::Materials | Screen::Delivery => ui(UiInput::Next),
        // Now and then the delivery page, which the path skips.
        Screen::Review if r.below(4) == 0 => ui(UiInput::ChangeDelivery),
        Screen::Review => ui(UiInput::Submit),
        Screen::Submitting => {
            let key = match k.s.transaction.as_ref().and_then(|t| t.submission.as_ref()) {
                Some(sub) => sub.key().to_owned(),
                None => String::new(),
            };
            Event::SubmitResult {
                key,
                outcome: if r.below(3) == 0 {
                    SubmitOutcome::Queued
                } else {
                    SubmitOutcome::Delivered(receipt(Subject::Item(ITEM.into())))
                },
            }
        }
        Screen::Receipt => ui(UiInput::Done),
        Screen::Rating(d) if d.level.is_none() => ui(UiInput::RateLevel(1 + r.below(5) as u8)),
        Screen::Rating(_) => ui(UiInput::Send),
        _ => random_event(r, k),
    }
}

#[test]
fn random_walks_keep_the_invariants() {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let mut visited = std::collections::BTreeSet::new();
    // The screens seen in reach mode (轮椅模式), switched on and off at random.
    let mut visited_reach = std::collections::BTreeSet::new();
    for _ in 0..300 {
        let mut k = Kiosk::ready();
        for _ in 0..120 {
            let event = if r.below(3) == 0 {
                random_event(&mut r, &k)
            } else {
                guided(&mut r, &k)
            };
            if let Event::Tick(now) = &event {
                k.secs = now.mono.as_secs();
            }
            let went_home = matches!(event, Event::Ui(UiInput::Home));
            let was_reach = k.s.reach;
            let toggled = matches!(event, Event::Ui(UiInput::ToggleReachMode));
            let fx = k.ev(event);
            visited.insert(k.screen());
            if k.s.reach {
                visited_reach.insert(k.screen());
            }
            if toggled && !went_home {
                // One touch flips it, whatever the screen; it changes nothing else.
                assert_eq!(k.s.reach, !was_reach, "{:?}", k.s.screen);
                assert!(fx.is_empty(), "{fx:?}");
            }
            let submits = fx
                .iter()
                .filter(|e| matches!(e, Effect::Submit { .. }))
                .count();
            assert!(submits <= 1, "{fx:?}");
            if went_home || fx.contains(&Effect::WipePersonalData) {
                assert!(matches!(
                    k.s.screen,
                    Screen::Home
                        | Screen::OutOfService { .. }
                        | Screen::Choose(_)
                        | Screen::Progress(_)
                        | Screen::Appointment(_)
                        | Screen::Prints(_)
                ));
                // A different card wipes and then starts its own session (on choose); a
                // receipt or booking scanned on the farewell starts a visit with no card.
                if !matches!(k.s.screen, Screen::Choose(_) | Screen::Prints(_)) {
                    assert!(!k.s.holds_personal_data(), "{:?}", k.s);
                    assert!(!k.dump().contains(ID_CARD));
                }
                // The next citizen gets the configured layout, not the last one's.
                assert_eq!(k.s.reach, k.s.config.reach_mode, "{:?}", k.s.screen);
            }
        }
        // Every application key was submitted once.
        let mut keys: Vec<_> = k
            .log
            .iter()
            .filter_map(|e| match e {
                Effect::Submit {
                    idempotency_key, ..
                } => Some(idempotency_key.clone()),
                _ => None,
            })
            .collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n, "a key was reused");
    }
    // The walks reach every screen, so the invariants were checked everywhere.
    let all = [
        "home",
        "outOfService",
        "identify",
        "choose",
        "guide",
        "form",
        "materials",
        "delivery",
        "review",
        "submitting",
        "receipt",
        "rating",
        "progress",
        "appointment",
        "complaint",
        "help",
        "farewell",
        "prints",
    ];
    let missed: Vec<_> = all.iter().filter(|s| !visited.contains(*s)).collect();
    assert!(missed.is_empty(), "never reached: {missed:?}");
    let missed: Vec<_> = all
        .iter()
        .filter(|s| **s != "outOfService" && !visited_reach.contains(*s))
        .collect();
    assert!(missed.is_empty(), "never reached in reach mode: {missed:?}");
}
