//! Tests of the wire spelling and of the small pure rules (status loop, ratings).

use serde_json::json;

use crate::application::{Delivery, Status, Subject};
use crate::feedback::{BadRatingReason, CallbackContact, CreateRating};
use crate::fleet::{DeviceState, PaperState};
use crate::form::FieldErrorCode;

#[test]
fn device_and_paper_states_use_the_drivers_spelling() {
    let expected = [
        "online",
        "offline",
        "powerOff",
        "noDevice",
        "hardwareError",
        "userError",
        "busy",
        "unknown",
    ];
    let states: Vec<DeviceState> = expected
        .iter()
        .map(|s| serde_json::from_value(json!(s)).unwrap())
        .collect();
    for (state, text) in states.iter().zip(expected) {
        assert_eq!(state.as_str(), text);
        assert_eq!(serde_json::to_value(state).unwrap(), json!(text));
    }
    for p in ["full", "low", "out", "jammed"] {
        let paper: PaperState = serde_json::from_value(json!(p)).unwrap();
        assert_eq!(paper.as_str(), p);
    }
}

#[test]
fn subjects_and_deliveries_have_a_readable_tagged_form() {
    let s = serde_json::to_value(Subject::Item("QR-000172001-000".into())).unwrap();
    assert_eq!(s, json!({"type": "item", "code": "QR-000172001-000"}));
    assert_eq!(
        serde_json::to_value(Delivery::PickUp).unwrap(),
        json!({"method": "pickUp"})
    );
}

#[test]
fn the_status_loop_moves_only_forward_along_the_closed_loop() {
    use Status::*;
    let path = [
        Submitted, Accepted, Processing, Concluded, Feedback, Revisited,
    ];
    for pair in path.windows(2) {
        assert!(
            pair[0].can_move_to(pair[1]),
            "{:?} -> {:?}",
            pair[0],
            pair[1]
        );
        assert!(
            !pair[1].can_move_to(pair[0]),
            "{:?} -> {:?}",
            pair[1],
            pair[0]
        );
    }
    assert!(Submitted.can_move_to(Rejected));
    assert!(CorrectionRequired.can_move_to(Accepted));
    assert!(!Rejected.can_move_to(Accepted));
    assert!(!Submitted.can_move_to(Concluded));
    assert!(Rejected.needs_reason() && CorrectionRequired.needs_reason());
    assert!(!Accepted.needs_reason());
}

fn rating(level: u8, reasons: Vec<BadRatingReason>) -> CreateRating {
    CreateRating {
        tracking_code: "T".into(),
        verifier: "V".into(),
        level,
        reasons,
        comment: None,
        contact: None,
    }
}

#[test]
fn a_bad_rating_needs_reasons_and_a_good_one_takes_none() {
    assert!(rating(5, vec![]).validate().is_ok());
    assert!(rating(2, vec![BadRatingReason::TooSlow]).validate().is_ok());
    let codes = |r: CreateRating| -> Vec<FieldErrorCode> {
        r.validate().unwrap_err().iter().map(|e| e.code).collect()
    };
    assert_eq!(codes(rating(1, vec![])), vec![FieldErrorCode::Required]);
    assert_eq!(
        codes(rating(4, vec![BadRatingReason::Other])),
        vec![FieldErrorCode::UnknownField]
    );
    assert_eq!(codes(rating(6, vec![])), vec![FieldErrorCode::OutOfRange]);
    let mut with_contact = rating(5, vec![]);
    with_contact.contact = Some(CallbackContact {
        name: None,
        phone: "13812345678".into(),
    });
    assert_eq!(codes(with_contact), vec![FieldErrorCode::UnknownField]);
}

#[test]
fn personal_data_is_masked_in_debug_output() {
    let a = crate::application::Applicant {
        id_number: "11010519491231002X".into(),
        name: "张三".into(),
    };
    let shown = format!("{a:?}");
    assert!(shown.contains("1101**********002X") && shown.contains("张*"));
    assert!(!shown.contains("11010519491231002X") && !shown.contains("张三"));
    let c = CallbackContact {
        name: Some("李四".into()),
        phone: "13812345678".into(),
    };
    assert!(!format!("{c:?}").contains("13812345678"));
}

#[test]
fn english_names_and_the_phone_token_are_camel_case_and_left_out_when_absent() {
    use crate::catalog::Bundle;
    use crate::contact::{ContactQuery, KnownContact, KnownPhone};
    let mut b = Bundle {
        code: "yjs-x".into(),
        name: "某一件事".into(),
        name_en: None,
        summary: "说明".into(),
        items: vec!["A".into(), "B".into()],
    };
    let v = serde_json::to_value(&b).unwrap();
    assert!(v.get("nameEn").is_none(), "{v}");
    b.name_en = Some("Something: all in one visit".into());
    let v = serde_json::to_value(&b).unwrap();
    assert_eq!(v["nameEn"], "Something: all in one visit");
    // A catalog from before the English names still reads.
    let old: Bundle = serde_json::from_value(
        json!({"code": "yjs-x", "name": "某一件事", "summary": "说明", "items": ["A", "B"]}),
    )
    .unwrap();
    assert_eq!(old.name_en, None);

    let q: ContactQuery =
        serde_json::from_value(json!({"idNumber": "11010519491231002X"})).unwrap();
    assert!(!format!("{q:?}").contains("19491231"), "Debug masks it");
    let none = serde_json::to_value(KnownContact { phone: None }).unwrap();
    assert_eq!(none, json!({"phone": null}));
    let some = serde_json::to_value(KnownContact {
        phone: Some(KnownPhone {
            masked: "138****5678".into(),
            token: "t".into(),
        }),
    })
    .unwrap();
    assert_eq!(
        some,
        json!({"phone": {"masked": "138****5678", "token": "t"}})
    );
}

/// A newer kiosk's heartbeat (a device class, a state, a paper value and fields this build
/// does not know) is read, not refused: unknown devices are left out, unknown states read as
/// `unknown`.
#[test]
fn a_heartbeat_from_a_newer_kiosk_is_read() {
    use crate::fleet::{DeviceClass, DeviceState, Heartbeat, PaperState};
    let hb: Heartbeat = serde_json::from_value(serde_json::json!({
        "sentAt": "2027-01-01T00:00:00Z",
        "uptimeSeconds": 5,
        "versions": {"kiosk": "2.0.0", "bootloader": "x"},
        "devices": [
            {"class": "fingerprintReader", "state": "online"},
            {"class": "idCardReader", "state": "sleeping", "temperature": 40},
            {"class": "receiptPrinter", "state": "online", "paper": "nearlyEmpty"}
        ],
        "outbox": {"applications": 0, "ratings": 0, "other": 0, "attachments": 3},
        "update": {"slot": "A", "state": "idle", "progress": 5},
        "batteryPercent": 80
    }))
    .unwrap();
    assert_eq!(hb.devices.len(), 2);
    assert_eq!(hb.devices[0].class, DeviceClass::IdCardReader);
    assert_eq!(hb.devices[0].state, DeviceState::Unknown);
    assert_eq!(hb.devices[1].paper, Some(PaperState::Unknown));
    // A known device that does not fit (state a number) still fails.
    let bad = serde_json::from_value::<Heartbeat>(serde_json::json!({
        "sentAt": "2027-01-01T00:00:00Z", "uptimeSeconds": 5, "versions": {"kiosk": "1"},
        "devices": [{"class": "scanner", "state": 3}],
        "outbox": {"applications": 0, "ratings": 0, "other": 0}
    }));
    assert!(bad.is_err());
}
