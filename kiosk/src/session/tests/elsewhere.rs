//! The other paths: progress, appointments, 办不成事, help; and what works from every screen
//! (home, one-key help, elder mode, language), and a different card mid-session.

use chrono::NaiveDate;
use hall_api::application::{Progress, Status, Subject};
use hall_api::appointment::{AppointmentReceipt, Slot, SlotList};
use hall_api::feedback::HelpKind;
use kiosk_config::schema::Language;

use super::support::*;
use crate::session::effect::ProgressLookup;
use crate::session::screens::{AppointmentStage, Farewell, ProgressView};
use crate::session::{
    prompts, BookOutcome, Effect, EndReason, Event, HelpAck, LookupResult, Notice, RequestId,
    Screen, TextField, UiInput,
};

const QR: &str = "https://hall.example.gov.cn/p?c=LA20240506-0042&v=q7Xk2m";

fn progress() -> Progress {
    Progress {
        tracking_code: "LA20240506-0042".into(),
        subject: Subject::Item(ITEM.into()),
        subject_name: "居民身份证换领".into(),
        status: Status::Processing,
        timeline: vec![],
        promised_by: NaiveDate::from_ymd_opt(2024, 5, 27).unwrap(),
        mailed: true,
        rated: false,
        handled_by: None,
    }
}

fn request_of(fx: &[Effect]) -> RequestId {
    fx.iter()
        .find_map(|e| match e {
            Effect::FetchProgress { request, .. }
            | Effect::FetchSlots { request, .. }
            | Effect::FetchAppointment { request, .. } => Some(*request),
            _ => None,
        })
        .expect("a fetch")
}

#[test]
fn the_help_screen_switches_between_proxy_and_home_visit_keeping_the_text() {
    let mut k = Kiosk::ready();
    k.ui(UiInput::OpenHelpRequest(HelpKind::Proxy));
    k.ui(UiInput::SetText {
        field: TextField::ContactPhone,
        value: "13912345678".into(),
    });
    k.ui(UiInput::OpenHelpRequest(HelpKind::HomeVisit));
    let Screen::Help(d) = &k.s.screen else {
        panic!("{:?}", k.s.screen)
    };
    assert_eq!(d.kind, HelpKind::HomeVisit);
    assert_eq!(d.contact.phone.as_str(), "13912345678");
}

#[test]
fn a_receipt_scanned_while_the_last_citizen_is_thanked_starts_a_new_visit() {
    let mut k = at_receipt();
    k.ui(UiInput::Done);
    k.ui(UiInput::SkipRating);
    assert_eq!(k.screen(), "farewell");
    k.log.clear();
    let fx = k.ev(Event::Scanned(QR.into()));
    assert!(
        matches!(
            fx[..],
            [
                Effect::WipePersonalData,
                Effect::SessionEnded(EndReason::Completed),
                Effect::FetchProgress { .. }
            ]
        ),
        "{fx:?}"
    );
    assert!(k.s.citizen.is_none(), "the last citizen's data is gone");
    assert_eq!(k.screen(), "progress");
}

#[test]
fn progress_by_scanning_the_receipt() {
    let mut k = Kiosk::ready();
    let fx = k.ev(Event::Scanned(QR.into()));
    let [Effect::FetchProgress {
        request,
        lookup: ProgressLookup::Receipt(q),
    }] = &fx[..]
    else {
        panic!("{fx:?}")
    };
    assert_eq!(
        (q.tracking_code.as_str(), q.verifier.as_str()),
        ("LA20240506-0042", "q7Xk2m")
    );
    let request = *request;
    k.ev(Event::ProgressFetched {
        request: RequestId(request.0 + 7),
        result: LookupResult::NotFound,
    });
    assert_eq!(
        k.s.screen,
        Screen::Progress(ProgressView::Loading {
            request,
            receipt: Some(q.clone())
        }),
        "stale answer ignored"
    );
    k.ev(Event::ProgressFetched {
        request,
        result: LookupResult::Found(vec![progress()]),
    });
    assert_eq!(
        k.s.screen,
        Screen::Progress(ProgressView::Shown {
            list: vec![progress()],
            receipt: Some(q.clone())
        })
    );
    k.ui(UiInput::Done);
    assert_eq!(k.s.screen, Screen::Home);
}

#[test]
fn progress_not_found_or_unreachable_is_said() {
    for (result, view) in [
        (LookupResult::NotFound, ProgressView::NotFound),
        (LookupResult::Found(vec![]), ProgressView::NotFound),
        (LookupResult::Unreachable, ProgressView::Unreachable),
    ] {
        let mut k = Kiosk::ready();
        k.ui(UiInput::OpenProgress);
        let fx = k.ev(Event::Scanned(QR.into()));
        k.ev(Event::ProgressFetched {
            request: request_of(&fx),
            result,
        });
        assert_eq!(k.s.screen, Screen::Progress(view));
    }
}

#[test]
fn progress_by_id_card() {
    let mut k = Kiosk::ready();
    k.ui(UiInput::OpenProgress);
    assert_eq!(k.s.screen, Screen::Progress(ProgressView::Waiting));
    k.ui(UiInput::ProgressByCard);
    assert_eq!(k.s.notice, Some(Notice::CardNeeded));
    let fx = k.ev(Event::CardRead(citizen()));
    assert!(
        matches!(&fx[..], [Effect::FetchProgress { lookup: ProgressLookup::IdNumber(q), .. }] if q.id_number == ID_CARD),
        "{fx:?}"
    );
    assert!(
        !format!("{fx:?}").contains(ID_CARD),
        "the effect's Debug is masked"
    );
}

#[test]
fn unknown_codes_are_refused_and_a_stray_scan_keeps_the_form() {
    let mut k = Kiosk::ready();
    assert!(k
        .ev(Event::Scanned("https://shop.example/?sku=1".into()))
        .is_empty());
    assert_eq!(k.s.notice, Some(Notice::UnknownCode));
    let mut k = Kiosk::at_form(ITEM, false);
    assert!(k.ev(Event::Scanned(QR.into())).is_empty());
    assert_eq!(k.screen(), "form");
    assert_eq!(k.s.notice, Some(Notice::UnknownCode));
}

fn slot(id: &str, remaining: u32) -> Slot {
    Slot {
        id: id.into(),
        department: "gongan".into(),
        date: NaiveDate::from_ymd_opt(2024, 5, 7).unwrap(),
        start: "09:00".into(),
        end: "10:00".into(),
        capacity: 6,
        remaining,
    }
}

#[test]
fn an_appointment_is_booked_once_and_its_slip_printed() {
    let mut k = Kiosk::ready();
    k.ui(UiInput::OpenAppointment);
    k.ui(UiInput::PickDepartment("nosuch".into()));
    assert!(k.log.is_empty());
    let fx = k.ui(UiInput::PickDepartment("gongan".into()));
    let request = request_of(&fx);
    let mut other = slot("yibao.2024-05-07.0900", 3);
    other.department = "yibao".into();
    k.ev(Event::SlotsFetched {
        request,
        result: LookupResult::Found(SlotList {
            slots: vec![
                slot("gongan.2024-05-07.0900", 0),
                slot("gongan.2024-05-07.1000", 2),
                other,
            ],
        }),
    });
    let Screen::Appointment(v) = &k.s.screen else {
        panic!()
    };
    let AppointmentStage::Slots { slots, .. } = &v.stage else {
        panic!("{v:?}")
    };
    assert_eq!(slots.len(), 2, "only this department's");
    k.ui(UiInput::PickDay(
        NaiveDate::from_ymd_opt(2024, 5, 9).unwrap(),
    ));
    k.ui(UiInput::PickDay(
        NaiveDate::from_ymd_opt(2024, 5, 7).unwrap(),
    ));
    k.ui(UiInput::PickSlot("gongan.2024-05-07.0900".into()));
    assert!(
        matches!(&k.s.screen, Screen::Appointment(v) if matches!(v.stage, AppointmentStage::Slots { day: Some(_), .. })),
        "a full slot cannot be picked"
    );
    k.ui(UiInput::PickSlot("gongan.2024-05-07.1000".into()));
    k.ui(UiInput::Book);
    let Screen::Appointment(v) = &k.s.screen else {
        panic!()
    };
    let fields: Vec<_> = v.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["name", "phone"], "no card: the name is typed");
    k.ui(UiInput::SetText {
        field: TextField::ContactName,
        value: "王五".into(),
    });
    k.ui(UiInput::SetText {
        field: TextField::ContactPhone,
        value: "13600002222".into(),
    });
    k.ui(UiInput::Book);
    k.ui(UiInput::Book);
    let books: Vec<_> = k
        .log
        .iter()
        .filter_map(|e| match e {
            Effect::Book {
                idempotency_key,
                payload,
            } => Some((idempotency_key.clone(), payload.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(books.len(), 1, "a double tap books once");
    let (key, payload) = &books[0];
    assert_eq!(payload.slot_id, "gongan.2024-05-07.1000");
    assert_eq!(
        (payload.name.as_str(), payload.phone.as_str()),
        ("王五", "13600002222")
    );
    k.log.clear();
    let booked = AppointmentReceipt {
        id: "b1".into(),
        reference: "YY-20240507-0003".into(),
        slot: slot("gongan.2024-05-07.1000", 1),
        booked_at: at(0).utc,
    };
    k.ev(Event::BookResult {
        key: key.clone(),
        outcome: BookOutcome::Booked(booked.clone()),
    });
    let [Effect::Print(doc)] = &k.log[..] else {
        panic!("{:?}", k.log)
    };
    assert_eq!(doc.qr.as_deref(), Some("YY-20240507-0003"));
    let body = doc.lines.join("\n");
    assert!(
        body.contains("县公安局") && body.contains("王*") && !body.contains("王五"),
        "{body}"
    );
    let fx = k.ui(UiInput::Done);
    assert_eq!(
        fx,
        [
            Effect::WipePersonalData,
            Effect::SessionEnded(EndReason::Completed)
        ]
    );
}

#[test]
fn a_refused_or_failed_booking_says_so() {
    let mut k = Kiosk::ready();
    k.ev(Event::CardRead(citizen()));
    k.ui(UiInput::Home);
    k.ui(UiInput::OpenAppointment);
    k.ev(Event::CardRead(citizen()));
    let fx = k.ui(UiInput::PickDepartment("gongan".into()));
    k.ev(Event::SlotsFetched {
        request: request_of(&fx),
        result: LookupResult::Found(SlotList {
            slots: vec![slot("gongan.2024-05-07.1000", 2)],
        }),
    });
    k.ui(UiInput::PickSlot("gongan.2024-05-07.1000".into()));
    let Screen::Appointment(v) = &k.s.screen else {
        panic!()
    };
    assert_eq!(v.name.as_str(), "张三丰", "the name comes from the card");
    k.ui(UiInput::SetText {
        field: TextField::ContactPhone,
        value: "13600002222".into(),
    });
    let fx = k.ui(UiInput::Book);
    let [Effect::Book {
        idempotency_key, ..
    }] = &fx[..]
    else {
        panic!("{fx:?}")
    };
    k.ev(Event::BookResult {
        key: idempotency_key.clone(),
        outcome: BookOutcome::Unreachable,
    });
    assert_eq!(k.s.notice, Some(Notice::HallUnreachable));
    k.ui(UiInput::Back);
    let Screen::Appointment(v) = &k.s.screen else {
        panic!()
    };
    assert_eq!(v.stage, AppointmentStage::Department);
    // Slots that cannot be fetched.
    let fx = k.ui(UiInput::PickDepartment("gongan".into()));
    k.ev(Event::SlotsFetched {
        request: request_of(&fx),
        result: LookupResult::Unreachable,
    });
    assert!(
        matches!(&k.s.screen, Screen::Appointment(v) if matches!(v.stage, AppointmentStage::Slots { failed: true, .. }))
    );
}

#[test]
fn a_scanned_appointment_code_shows_the_booking() {
    let mut k = Kiosk::ready();
    let fx = k.ev(Event::Scanned("YY-20240507-0003".into()));
    assert!(
        matches!(&fx[..], [Effect::FetchAppointment { reference, .. }] if reference == "YY-20240507-0003")
    );
    let booked = AppointmentReceipt {
        id: "b1".into(),
        reference: "YY-20240507-0003".into(),
        slot: slot("gongan.2024-05-07.1000", 1),
        booked_at: at(0).utc,
    };
    k.ev(Event::AppointmentFetched {
        request: request_of(&fx),
        result: LookupResult::Found(booked.clone()),
    });
    assert!(
        matches!(&k.s.screen, Screen::Appointment(v) if v.stage == AppointmentStage::Booked(booked.clone()))
    );
    let mut k = Kiosk::ready();
    let fx = k.ev(Event::Scanned("YY-1".into()));
    k.ev(Event::AppointmentFetched {
        request: request_of(&fx),
        result: LookupResult::NotFound,
    });
    assert!(matches!(&k.s.screen, Screen::Appointment(v) if v.stage == AppointmentStage::Failed));
}

#[test]
fn a_complaint_from_inside_a_transaction_names_the_item() {
    let mut k = Kiosk::at_form(ITEM, false);
    k.ui(UiInput::OpenComplaint);
    k.ui(UiInput::Send);
    assert_eq!(k.count(|e| matches!(e, Effect::SubmitComplaint { .. })), 0);
    let Screen::Complaint(d) = &k.s.screen else {
        panic!()
    };
    assert_eq!(d.errors[0].field, "description");
    k.ui(UiInput::SetText {
        field: TextField::Comment,
        value: "照片回执读不出来".into(),
    });
    k.ui(UiInput::Send);
    let sent: Vec<_> = k
        .log
        .iter()
        .filter_map(|e| match e {
            Effect::SubmitComplaint { payload, .. } => Some(payload.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].item_code.as_deref(), Some(ITEM));
    assert_eq!(sent[0].description, "照片回执读不出来");
    assert!(matches!(k.s.screen, Screen::Farewell { .. }));
}

#[test]
fn a_home_visit_needs_a_phone() {
    let mut k = Kiosk::ready();
    k.ui(UiInput::OpenHelpRequest(HelpKind::HomeVisit));
    k.ui(UiInput::Send);
    assert_eq!(
        k.count(|e| matches!(e, Effect::SubmitHelpRequest { .. })),
        0
    );
    k.ui(UiInput::SetText {
        field: TextField::ContactPhone,
        value: "0571-87654321".into(),
    });
    k.ui(UiInput::Send);
    assert_eq!(k.count(|e| matches!(e, Effect::SubmitHelpRequest { payload, .. } if payload.kind == HelpKind::HomeVisit)), 1);
}

#[test]
fn one_key_help_calls_staff_once_from_any_screen() {
    for mut k in at_every_screen() {
        let screen = k.screen();
        k.ui(UiInput::CallForHelp);
        k.ui(UiInput::CallForHelp);
        assert_eq!(k.count(|e| matches!(e, Effect::SubmitHelpRequest { payload, .. } if payload.kind == HelpKind::Assistance)), 1, "{screen}");
        assert_eq!(k.screen(), screen, "help does not leave the screen");
        assert!(k.s.help_called);
    }
}

#[test]
fn there_is_a_way_home_from_every_screen() {
    for mut k in at_every_screen() {
        let screen = k.screen();
        let fx = k.ui(UiInput::Home);
        assert_eq!(k.s.screen, Screen::Home, "{screen}");
        assert_eq!(
            fx,
            [
                Effect::WipePersonalData,
                Effect::SessionEnded(EndReason::Cancelled)
            ],
            "{screen}"
        );
        assert!(!k.s.holds_personal_data(), "{screen}");
    }
}

#[test]
fn elder_mode_speaks_each_screen_and_the_language_follows() {
    let mut k = Kiosk::ready();
    let fx = k.ui(UiInput::ToggleElderMode);
    assert_eq!(
        fx,
        [Effect::Speak(
            "您好，请选择要办理的业务，或放置身份证。".into()
        )]
    );
    let fx = k.ev(Event::CardRead(citizen()));
    assert_eq!(fx, [Effect::Speak("请选择要办理的事项。".into())]);
    let fx = k.ui(UiInput::SetLanguage(Language::En));
    assert_eq!(
        fx,
        [Effect::Speak("Please choose the service you need.".into())]
    );
    let fx = k.ui(UiInput::PickItem(ITEM.into()));
    assert!(matches!(&fx[..], [Effect::Speak(t)] if t.starts_with("These are all the materials")));
    assert!(
        k.s.elder_mode && k.s.language == Language::En,
        "kept across screens"
    );
    assert!(
        k.ui(UiInput::ShowBundles).is_empty(),
        "same prompt, nothing said again"
    );
    let fx = k.wait(IDLE);
    assert!(
        matches!(&fx[..], [Effect::Speak(t)] if t.starts_with("You have been inactive")),
        "{fx:?}"
    );
    k.ui(UiInput::Home);
    assert!(
        !k.s.elder_mode && k.s.language == Language::ZhCn,
        "reset at home"
    );
    // Without elder mode nothing is spoken.
    let fx = k.ev(Event::CardRead(citizen()));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Speak(_))));
}

#[test]
fn elder_mode_can_be_switched_off_in_the_config() {
    let mut config = config();
    config.elder_mode_offered = false;
    let mut k = Kiosk::ready();
    k.s = crate::session::Session::new(config, at(0)).unwrap();
    k.ui(UiInput::ToggleElderMode);
    assert!(!k.s.elder_mode);
}

#[test]
fn reach_mode_lasts_the_session_and_goes_back_to_the_configured_default() {
    let mut k = Kiosk::ready();
    assert!(!k.s.reach, "off unless the kiosk is configured low-mounted");
    // A switch of layout only: nothing is said, the screen stays.
    assert!(k.ui(UiInput::ToggleReachMode).is_empty());
    assert!(k.s.reach);
    k.ev(Event::CardRead(citizen()));
    k.ui(UiInput::PickItem(ITEM.into()));
    assert!(k.s.reach, "kept across screens");
    k.ui(UiInput::ToggleReachMode);
    assert!(!k.s.reach, "one touch switches it off again");
    k.ui(UiInput::ToggleReachMode);
    k.ui(UiInput::Home);
    assert!(!k.s.reach, "reset at home");
    // A low-mounted kiosk starts every session in it, and comes back to it at home.
    let mut config = config();
    config.reach_mode = true;
    let mut k = Kiosk::ready();
    k.s = crate::session::Session::new(config, at(0)).unwrap();
    assert!(k.s.reach);
    k.ui(UiInput::ToggleReachMode);
    assert!(!k.s.reach);
    k.ui(UiInput::Home);
    assert!(k.s.reach, "back to the configured default");
}

#[test]
fn a_different_card_closes_the_previous_session_first() {
    let mut k = at_review();
    let fx = k.ev(Event::CardRead(other_citizen()));
    assert_eq!(
        fx,
        [
            Effect::WipePersonalData,
            Effect::SessionEnded(EndReason::NewCitizen)
        ]
    );
    assert_eq!(k.screen(), "choose");
    assert_eq!(k.s.notice, Some(Notice::NewCitizen));
    assert!(k.s.transaction.is_none());
    let dump = k.dump();
    assert!(!dump.contains(ID_CARD) && !dump.contains("13912345678") && dump.contains("李四"));
    // The same card again changes nothing.
    let before = k.dump();
    assert!(k.ev(Event::CardRead(other_citizen())).is_empty());
    assert_eq!(k.dump(), before);
}

#[test]
fn an_instance_id_that_cannot_stem_keys_is_refused() {
    for bad in [
        "short",
        "has space in it",
        &"x".repeat(41),
        "ünïcode-instance",
    ] {
        let mut config = config();
        config.instance = bad.into();
        let err = crate::session::Session::new(config, at(0)).unwrap_err();
        assert_eq!(
            err.kind(),
            crate::session::SessionErrorKind::Report,
            "{bad}"
        );
    }
}

/// The key of the last help request the session sent.
fn help_key(fx: &[Effect]) -> String {
    fx.iter()
        .find_map(|e| match e {
            Effect::SubmitHelpRequest {
                idempotency_key, ..
            } => Some(idempotency_key.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no help request in {fx:?}"))
}

#[test]
fn one_key_help_says_the_staff_know_only_once_the_hall_says_so() {
    let mut k = Kiosk::ready();
    let key = help_key(&k.ui(UiInput::CallForHelp));
    assert_eq!(
        k.s.notice,
        Some(Notice::HelpCalled),
        "calling, not yet told"
    );
    assert_eq!(k.s.help_ack, HelpAck::Waiting);
    // An answer for some other request changes nothing.
    k.ev(Event::HelpAnswered {
        key: "someone-else".into(),
        notified: true,
    });
    assert_eq!(k.s.help_ack, HelpAck::Waiting);
    k.ev(Event::HelpAnswered {
        key,
        notified: true,
    });
    assert_eq!(k.s.help_ack, HelpAck::Notified);
    assert_eq!(k.s.notice, Some(Notice::HelpNotified));
}

#[test]
fn one_key_help_the_hall_did_not_pass_on_shows_the_hotline() {
    let mut k = Kiosk::ready();
    let key = help_key(&k.ui(UiInput::CallForHelp));
    // Queued on the kiosk (no network), or the hall has nobody on duty to tell.
    k.ev(Event::HelpAnswered {
        key,
        notified: false,
    });
    assert_eq!(k.s.help_ack, HelpAck::Hotline);
    assert_eq!(k.s.notice, Some(Notice::HelpHotline));
    assert!(
        k.s.help_called,
        "the call stands; the screen keeps saying so"
    );
}

#[test]
fn the_help_screen_farewell_follows_the_halls_answer() {
    for (notified, shown) in [(true, HelpAck::Notified), (false, HelpAck::Hotline)] {
        let mut k = Kiosk::ready();
        k.ui(UiInput::OpenHelpRequest(HelpKind::Proxy));
        k.ui(UiInput::SetText {
            field: TextField::ContactPhone,
            value: "0571-87654321".into(),
        });
        let key = help_key(&k.ui(UiInput::Send));
        assert!(matches!(
            k.s.screen,
            Screen::Farewell {
                message: Farewell::HelpRequested(HelpAck::Waiting),
                ..
            }
        ));
        assert!(prompts::prompt(&k.s).contains("正在发送"));
        k.ev(Event::HelpAnswered { key, notified });
        assert!(
            matches!(k.s.screen, Screen::Farewell { message: Farewell::HelpRequested(ack), .. } if ack == shown),
            "{:?}",
            k.s.screen
        );
        let said = prompts::prompt(&k.s);
        assert_eq!(said.contains("已通知值班人员"), notified, "{said}");
        assert_eq!(said.contains("服务热线"), !notified, "{said}");
    }
}

#[test]
fn a_help_answer_after_the_session_ended_changes_nothing() {
    let mut k = Kiosk::ready();
    let key = help_key(&k.ui(UiInput::CallForHelp));
    k.ui(UiInput::Home);
    assert!(!k.s.help_called);
    k.ev(Event::HelpAnswered {
        key,
        notified: true,
    });
    assert_eq!(k.s.help_ack, HelpAck::Waiting);
    assert_eq!(k.s.notice, None);
}

/// The consent the only `Submit` in the log carried.
fn submitted_consent(k: &Kiosk) -> bool {
    let sent: Vec<bool> = k
        .log
        .iter()
        .filter_map(|e| match e {
            Effect::Submit { payload, .. } => Some(payload.notify_consent),
            _ => None,
        })
        .collect();
    assert_eq!(sent.len(), 1, "exactly one Submit");
    sent[0]
}

#[test]
fn progress_texts_are_off_unless_the_citizen_ticks_them() {
    let mut k = at_review();
    assert_eq!(
        k.s.transaction.as_ref().and_then(|t| t.notify_phone()),
        Some("13812345678")
    );
    k.ui(UiInput::Submit);
    assert!(!submitted_consent(&k), "off by default");

    let mut k = at_review();
    k.ui(UiInput::ToggleNotifyConsent);
    k.ui(UiInput::ToggleNotifyConsent);
    k.ui(UiInput::ToggleNotifyConsent);
    k.ui(UiInput::Submit);
    assert!(submitted_consent(&k), "ticked (three taps: on, off, on)");
}

#[test]
fn there_is_no_consent_without_a_phone_number_to_text() {
    let mut k = at_review();
    // The rule is the consent's own, whatever the form asks: no number, nothing to tick.
    if let Some(t) = k.s.transaction.as_mut() {
        t.values.set("phone", serde_json::Value::Null);
    }
    k.ui(UiInput::ToggleNotifyConsent);
    assert!(!k.s.transaction.as_ref().is_some_and(|t| t.notify_consent));
}

/// The test catalog with two partner places and its first item open to 跨省通办.
fn cross_province_catalog(partners: bool) -> hall_api::catalog::Catalog {
    let mut c = (*catalog()).clone();
    if partners {
        for (code, name, en) in [
            ("420600", "湖北省襄阳市", "Xiangyang, Hubei"),
            ("110000", "北京市", "Beijing"),
        ] {
            c.partners.push(hall_api::catalog::PartnerPlace {
                code: code.into(),
                name: name.into(),
                name_en: en.into(),
            });
        }
    }
    for item in c.items.iter_mut().filter(|i| i.code == ITEM) {
        item.cross_province = true;
    }
    c
}

#[test]
fn a_cross_province_item_asks_where_it_belongs_with_our_county_chosen() {
    use crate::session::transaction::{Transaction, PLACE_FIELD, PLACE_HERE};
    let catalog = cross_province_catalog(true);
    let mut t = Transaction::for_item(&catalog, ITEM).expect("the item");
    let first = &t.form.fields[0];
    assert_eq!(first.key, PLACE_FIELD);
    let hall_api::form::FieldKind::Select { options } = &first.kind else {
        panic!("a choice: {:?}", first.kind)
    };
    let values: Vec<&str> = options.iter().map(|o| o.value.as_str()).collect();
    assert_eq!(values, [PLACE_HERE, "420600", "110000"]);
    // Our county unless the citizen changes it: no touch needed, nothing forwarded.
    let sent = t.payload(&citizen(), &at(0));
    assert_eq!(sent.handled_by, None);
    assert!(
        !sent.fields.contains_key(PLACE_FIELD),
        "not one of the items' fields"
    );
    t.values
        .set(PLACE_FIELD, serde_json::Value::String("420600".into()));
    let sent = t.payload(&citizen(), &at(0));
    assert_eq!(sent.handled_by.as_deref(), Some("420600"));
    assert_eq!(t.handled_by_name(), Some("湖北省襄阳市"));
    assert!(!sent.fields.contains_key(PLACE_FIELD));
    // The choice is a field like the others: an unknown place does not pass the form.
    t.values
        .set(PLACE_FIELD, serde_json::Value::String("999999".into()));
    assert!(hall_api::form::validate_form(&t.form, t.values.get(), today()).is_err());

    // Without partners, or for an item not open to 跨省通办, there is nothing to ask.
    let alone = cross_province_catalog(false);
    let t = Transaction::for_item(&alone, ITEM).expect("the item");
    assert!(t.form.fields.iter().all(|f| f.key != PLACE_FIELD));
    let mut local = cross_province_catalog(true);
    for item in local.items.iter_mut() {
        item.cross_province = false;
    }
    let t = Transaction::for_item(&local, ITEM).expect("the item");
    assert!(t.form.fields.iter().all(|f| f.key != PLACE_FIELD));
}

/// The request id of the only contact look-up in `effects`.
fn contact_request(effects: &[Effect]) -> Option<crate::session::state::RequestId> {
    effects.iter().find_map(|e| match e {
        Effect::FetchKnownContact { request, query } => {
            assert_eq!(query.id_number, ID_CARD, "asked for the card's holder");
            Some(*request)
        }
        _ => None,
    })
}

#[test]
fn a_phone_given_before_is_one_touch_and_travels_as_a_token_never_as_a_number() {
    use serde_json::json;
    let mut k = Kiosk::ready();
    k.ui(UiInput::StartApplying);
    k.ev(Event::CardRead(citizen()));
    k.ui(UiInput::PickItem(ITEM.into()));
    let asked = k.ui(UiInput::StartForm);
    let request = contact_request(&asked).expect("the hall is asked once the form opens");
    k.ev(Event::KnownContactFetched {
        request,
        result: Some(hall_api::contact::KnownContact {
            phone: Some(hall_api::contact::KnownPhone {
                masked: "138****5678".into(),
                token: "tok-1".into(),
            }),
        }),
    });
    for (key, value) in [("reason", json!("expired")), ("declaration", json!(true))] {
        k.ui(UiInput::SetField {
            key: key.into(),
            value: value.into(),
        });
    }
    // Without the number the form does not pass; one touch on 使用上次留的号码 and it does.
    k.ui(UiInput::Next);
    assert_eq!(k.screen(), "form");
    k.ui(UiInput::UseKnownPhone);
    k.ui(UiInput::Next);
    assert_eq!(k.screen(), "materials");
    let t = k.s.transaction.as_ref().expect("a transaction");
    assert_eq!(
        t.notify_phone(),
        Some("138****5678"),
        "the consent names it masked"
    );
    let sent = t.payload(&citizen(), &at(0));
    assert_eq!(sent.phone_token.as_deref(), Some("tok-1"));
    assert!(!sent.fields.contains_key("phone"), "the hall fills it in");

    // Typing a number instead drops the token.
    k.ui(UiInput::Back);
    k.ui(UiInput::SetField {
        key: "phone".into(),
        value: json!("13912345678").into(),
    });
    let t = k.s.transaction.as_ref().expect("a transaction");
    assert!(!t.use_known_phone);
    let sent = t.payload(&citizen(), &at(0));
    assert_eq!(sent.phone_token, None);
    assert_eq!(sent.fields.get("phone"), Some(&json!("13912345678")));
}

#[test]
fn without_a_phone_given_before_there_is_nothing_to_touch() {
    let mut k = Kiosk::ready();
    k.ui(UiInput::StartApplying);
    k.ev(Event::CardRead(citizen()));
    k.ui(UiInput::PickItem(ITEM.into()));
    let request = contact_request(&k.ui(UiInput::StartForm)).expect("asked");
    // A late answer to another request changes nothing; the hall's "none" leaves it empty.
    k.ev(Event::KnownContactFetched {
        request: crate::session::state::RequestId(request.0 + 100),
        result: Some(hall_api::contact::KnownContact {
            phone: Some(hall_api::contact::KnownPhone {
                masked: "138****0000".into(),
                token: "stale".into(),
            }),
        }),
    });
    k.ev(Event::KnownContactFetched {
        request,
        result: Some(hall_api::contact::KnownContact { phone: None }),
    });
    k.ui(UiInput::UseKnownPhone);
    let t = k.s.transaction.as_ref().expect("a transaction");
    assert!(t.known_phone.is_none() && !t.use_known_phone);
    assert_eq!(t.payload(&citizen(), &at(0)).phone_token, None);
}
