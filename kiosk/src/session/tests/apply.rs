//! The application path from the form on: form → materials → delivery → review → submit →
//! receipt, for one item and for a 一件事 bundle.

use std::sync::Arc;

use hall_api::application::{
    Delivery, MaterialSource, ReusableMaterial, ReusableMaterials, Subject,
};
use hall_api::form::FieldErrorCode;
use serde_json::json;

use super::support::*;
use crate::session::transaction::{ReuseLookup, Submission};
use crate::session::{Effect, Event, Screen, SubmitOutcome, TextField, UiInput};

fn reuse_request(k: &Kiosk) -> crate::session::RequestId {
    match k.s.transaction.as_ref().map(|t| t.reuse) {
        Some(ReuseLookup::Pending(r)) => r,
        other => panic!("no reusable lookup pending: {other:?}"),
    }
}

#[test]
fn the_form_is_prefilled_from_the_card_and_marked() {
    let k = Kiosk::at_form(ITEM, false);
    let t = k.s.transaction.as_ref().unwrap();
    assert_eq!(t.values.value("applicantName"), Some(&json!("张三丰")));
    assert_eq!(t.values.value("applicantId"), Some(&json!(ID_CARD)));
    assert_eq!(
        t.values.value("sex"),
        Some(&json!("M")),
        "the option value, not 男"
    );
    let marked: Vec<_> = t.prefilled.iter().map(String::as_str).collect();
    assert_eq!(marked, ["applicantId", "applicantName", "sex"]);
    let fx = &k.log;
    assert!(fx.iter().any(|e| matches!(e,
        Effect::FetchReusableMaterials { query, .. } if query.id_number == ID_CARD)));
}

#[test]
fn fields_are_validated_as_they_are_typed_and_all_at_next() {
    let mut k = Kiosk::at_form(ITEM, false);
    k.ui(UiInput::Next);
    assert_eq!(k.screen(), "form");
    let t = k.s.transaction.as_ref().unwrap();
    let missing: Vec<_> = t.errors.keys().map(String::as_str).collect();
    // The declaration is made on the review, by 确认提交: not asked among the fields.
    assert_eq!(missing, ["phone", "reason"]);
    k.ui(UiInput::SetField {
        key: "phone".into(),
        value: json!("123").into(),
    });
    let t = k.s.transaction.as_ref().unwrap();
    assert_eq!(t.errors["phone"].code, FieldErrorCode::InvalidPhone);
    k.ui(UiInput::SetField {
        key: "phone".into(),
        value: json!("13812345678").into(),
    });
    assert!(!k
        .s
        .transaction
        .as_ref()
        .unwrap()
        .errors
        .contains_key("phone"));
    k.ui(UiInput::SetField {
        key: "applicantName".into(),
        value: json!("张三").into(),
    });
    let t = k.s.transaction.as_ref().unwrap();
    assert!(
        !t.prefilled.contains("applicantName"),
        "an edited value is no longer marked"
    );
    k.ui(UiInput::SetField {
        key: "notAField".into(),
        value: json!("x").into(),
    });
    assert!(k
        .s
        .transaction
        .as_ref()
        .unwrap()
        .values
        .value("notAField")
        .is_none());
    k.ui(UiInput::SetField {
        key: "reason".into(),
        value: json!("x".repeat(5000)).into(),
    });
    let t = k.s.transaction.as_ref().unwrap();
    assert_eq!(t.errors["reason"].code, FieldErrorCode::UnknownOption);
    assert!(t.values.value("reason").unwrap().as_str().unwrap().len() <= 1_000);
    fill_item_form(&mut k);
    k.ui(UiInput::Next);
    assert_eq!(k.screen(), "materials");
}

#[test]
fn reused_materials_are_marked_and_the_rest_handed_in_later() {
    let mut k = Kiosk::at_form(ITEM, false);
    let request = reuse_request(&k);
    k.ev(Event::ReusableMaterialsFetched {
        request,
        result: Some(ReusableMaterials {
            materials: vec![
                ReusableMaterial {
                    code: "hukou".into(),
                    name: "居民户口簿".into(),
                    handed_in_at: at(0).utc,
                    attachments: Vec::new(),
                    valid_until: None,
                },
                // The hall holds a photo, but this item's photo is not reusable.
                ReusableMaterial {
                    code: "photo-receipt".into(),
                    name: "照片".into(),
                    handed_in_at: at(0).utc,
                    attachments: Vec::new(),
                    valid_until: None,
                },
            ],
            documents: Vec::new(),
        }),
    });
    let lines = &k.s.transaction.as_ref().unwrap().materials;
    assert!(lines[0].held && lines[0].source == MaterialSource::Reused);
    assert!(!lines[1].held && lines[1].source == MaterialSource::Later);
    fill_item_form(&mut k);
    // The photographable register is held (reused): nothing left to decide about the
    // materials, so the form goes straight to the review, which lists them.
    k.ui(UiInput::Next);
    assert_eq!(k.screen(), "review");
    let review = crate::display::screen::review::view(&k.s);
    assert!(review
        .materials
        .iter()
        .any(|(text, done)| *done && text.contains("复用")));
    assert!(review
        .materials
        .iter()
        .any(|(text, done)| !*done && text.contains("窗口补交")));
    // A touch on the review cannot change how a material is given.
    k.ui(UiInput::SetMaterialSource {
        code: "photo-receipt".into(),
        source: MaterialSource::Reused,
    });
    assert_eq!(
        k.s.transaction.as_ref().unwrap().materials[1].source,
        MaterialSource::Later
    );
}

#[test]
fn a_late_or_failed_reuse_lookup_changes_nothing_wrong() {
    let mut k = Kiosk::at_form(ITEM, false);
    let request = reuse_request(&k);
    k.ev(Event::ReusableMaterialsFetched {
        request: crate::session::RequestId(request.0 + 100),
        result: Some(ReusableMaterials {
            materials: vec![],
            documents: Vec::new(),
        }),
    });
    assert_eq!(
        k.s.transaction.as_ref().unwrap().reuse,
        ReuseLookup::Pending(request)
    );
    k.ev(Event::ReusableMaterialsFetched {
        request,
        result: None,
    });
    let t = k.s.transaction.as_ref().unwrap();
    assert_eq!(t.reuse, ReuseLookup::Unavailable);
    // Everything is handed in later but what the card read here gives.
    assert!(t.materials.iter().all(|l| l.source
        == if l.material.satisfied_by_id_card {
            MaterialSource::IdCardRead
        } else {
            MaterialSource::Later
        }));
}

#[test]
fn the_whole_path_submits_once_and_prints_an_honest_receipt() {
    let mut k = at_review();
    k.ui(UiInput::Submit);
    assert_eq!(k.screen(), "submitting");
    // A double tap (and a tap on the busy screen) yields no second Submit.
    k.ui(UiInput::Submit);
    k.ui(UiInput::Submit);
    let key = submitted_key(&k);
    assert!(hall_api::is_valid_idempotency_key(&key), "{key}");
    assert!(key.starts_with(INSTANCE));
    let Some(Effect::Submit { payload, .. }) =
        k.log.iter().find(|e| matches!(e, Effect::Submit { .. }))
    else {
        panic!()
    };
    assert_eq!(payload.subject, Subject::Item(ITEM.into()));
    assert_eq!(payload.applicant.id_number, ID_CARD);
    assert_eq!(payload.catalog_version, "2024.05-3");
    assert_eq!(payload.submitted_at, at(0).utc);
    let Delivery::Mail { address } = &payload.delivery else {
        panic!("mail was chosen")
    };
    assert_eq!(address.recipient, "张三丰", "prefilled from the card");
    assert_eq!(address.phone, "13912345678");
    assert_eq!(payload.fields.get("phone"), Some(&json!("13812345678")));
    assert!(hall_api::form::validate_form(
        &k.s.catalog.as_ref().unwrap().item(ITEM).unwrap().form,
        &payload.fields,
        today()
    )
    .is_ok());
    k.log.clear();
    k.ev(Event::SubmitResult {
        key: key.clone(),
        outcome: SubmitOutcome::Delivered(receipt(Subject::Item(ITEM.into()))),
    });
    assert_eq!(k.screen(), "receipt");
    let [Effect::Print(doc)] = &k.log[..] else {
        panic!("{:?}", k.log)
    };
    let body = doc.lines.join("\n");
    assert!(body.contains("办件编号：LA20240506-0042"), "{body}");
    assert!(
        body.contains("状态：中心已收件，待窗口审核受理"),
        "a 受理回执 says what 已提交 means: {body}"
    );
    assert!(
        body.contains("1101**********002X") && body.contains("张**"),
        "{body}"
    );
    assert!(!body.contains(ID_CARD) && !body.contains("三丰"), "{body}");
    assert!(
        body.contains("免费邮寄") && body.contains("数码照片回执"),
        "{body}"
    );
    assert_eq!(
        doc.qr.as_deref(),
        Some("https://hall.example.gov.cn/p?c=LA20240506-0042&v=q7Xk2m")
    );
    // A replayed answer changes nothing.
    k.log.clear();
    k.ev(Event::SubmitResult {
        key,
        outcome: SubmitOutcome::Queued,
    });
    assert!(k.log.is_empty());
    assert!(matches!(
        k.s.transaction.as_ref().unwrap().submission,
        Some(Submission::Delivered { .. })
    ));
    k.ui(UiInput::Reprint);
    assert_eq!(k.count(|e| matches!(e, Effect::Print(_))), 1);
    k.ui(UiInput::Done);
    assert_eq!(k.screen(), "rating");
}

#[test]
fn a_queued_application_says_so_and_skips_the_rating() {
    let mut k = at_review();
    k.ui(UiInput::Submit);
    let key = submitted_key(&k);
    k.log.clear();
    k.ev(Event::SubmitResult {
        key: key.clone(),
        outcome: SubmitOutcome::Queued,
    });
    let [Effect::Print(doc)] = &k.log[..] else {
        panic!("{:?}", k.log)
    };
    let body = doc.lines.join("\n");
    assert!(doc.title.contains("待发送"));
    assert!(
        body.contains("已保存在本机，网络恢复后将自动发送"),
        "{body}"
    );
    assert!(
        body.contains(&key) && !body.contains("办件编号："),
        "{body}"
    );
    assert_eq!(doc.qr, None, "no tracking code yet, so no progress QR");
    k.ui(UiInput::Done);
    assert_eq!(k.screen(), "farewell");
    k.wait(FAREWELL);
    assert_eq!(k.s.screen, Screen::Home);
    assert_eq!(k.count(|e| matches!(e, Effect::WipePersonalData)), 1);
    assert_eq!(
        k.count(|e| matches!(
            e,
            Effect::SessionEnded(crate::session::EndReason::Completed)
        )),
        1
    );
}

#[test]
fn a_refusal_goes_back_to_the_field_and_resubmits_with_a_new_key() {
    let mut k = at_review();
    k.ui(UiInput::Submit);
    let first = submitted_key(&k);
    let refusal = hall_api::form::FieldError {
        field: "reason".into(),
        code: FieldErrorCode::UnknownOption,
        message: "换领原因：请从选项中选择".into(),
    };
    k.ev(Event::SubmitResult {
        key: first.clone(),
        outcome: SubmitOutcome::Refused(vec![refusal]),
    });
    assert_eq!(k.screen(), "form");
    assert!(k
        .s
        .transaction
        .as_ref()
        .unwrap()
        .errors
        .contains_key("reason"));
    k.ui(UiInput::Next);
    k.ui(UiInput::Next);
    k.ui(UiInput::Next);
    k.ui(UiInput::Submit);
    let keys: Vec<_> = k
        .log
        .iter()
        .filter_map(|e| match e {
            Effect::Submit {
                idempotency_key, ..
            } => Some(idempotency_key.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0], keys[1]);
    // An address refusal goes to the delivery screen.
    let address = hall_api::form::FieldError {
        field: "delivery.address.region".into(),
        code: FieldErrorCode::Required,
        message: "省市区县：必填".into(),
    };
    k.ev(Event::SubmitResult {
        key: keys[1].clone(),
        outcome: SubmitOutcome::Refused(vec![address]),
    });
    assert_eq!(k.screen(), "delivery");
}

#[test]
fn the_address_is_checked_and_mail_is_offered_only_where_allowed() {
    let mut k = Kiosk::at_form(ITEM, false);
    fill_item_form(&mut k);
    k.ui(UiInput::Next);
    k.ui(UiInput::Next);
    // Collecting at the window is assumed; the review offers the delivery page.
    assert_eq!(k.screen(), "review");
    assert!(!k.s.transaction.as_ref().unwrap().mail);
    k.ui(UiInput::ChangeDelivery);
    assert_eq!(k.screen(), "delivery");
    k.ui(UiInput::ChooseMail(true));
    k.ui(UiInput::Next);
    let fields: Vec<_> =
        k.s.transaction
            .as_ref()
            .unwrap()
            .address_errors
            .iter()
            .map(|e| e.field.as_str())
            .collect();
    assert_eq!(
        fields,
        [
            "delivery.address.region",
            "delivery.address.detail",
            "delivery.address.phone"
        ]
    );
    assert_eq!(k.screen(), "delivery");
    // A box typed again loses its old error; the others keep theirs until 下一步.
    k.ui(UiInput::SetText {
        field: TextField::RecipientPhone,
        value: "1".into(),
    });
    let errors = |k: &Kiosk| -> Vec<String> {
        k.s.transaction
            .as_ref()
            .unwrap()
            .address_errors
            .iter()
            .map(|e| e.field.clone())
            .collect()
    };
    assert_eq!(
        errors(&k),
        ["delivery.address.region", "delivery.address.detail"]
    );
    k.ui(UiInput::Next);
    assert!(
        errors(&k).contains(&"delivery.address.phone".to_owned()),
        "checked anew"
    );
    k.ui(UiInput::ChooseMail(false));
    k.ui(UiInput::Next);
    assert_eq!(k.screen(), "review", "pick-up needs no address");

    let mut catalog = (*catalog()).clone();
    catalog
        .items
        .iter_mut()
        .for_each(|i| i.mail_delivery = false);
    let mut k = Kiosk::ready();
    k.ev(Event::CatalogLoaded {
        catalog: Arc::new(catalog),
        most_used: vec![],
    });
    k.ev(Event::CardRead(citizen()));
    k.ui(UiInput::PickItem(ITEM.into()));
    k.ui(UiInput::StartForm);
    fill_item_form(&mut k);
    k.ui(UiInput::Next);
    k.ui(UiInput::Next);
    assert_eq!(k.screen(), "review");
    k.ui(UiInput::ChangeDelivery);
    assert_eq!(k.screen(), "review", "no delivery screen without 免费邮寄");
    k.ui(UiInput::Back);
    assert_eq!(k.screen(), "materials");
}

#[test]
fn a_bundle_asks_each_shared_material_and_field_once() {
    let mut k = Kiosk::at_form(BUNDLE, true);
    let t = k.s.transaction.as_ref().unwrap();
    let codes: Vec<_> = t
        .materials
        .iter()
        .map(|l| l.material.code.as_str())
        .collect();
    assert_eq!(
        codes,
        [
            "parents-id",
            "marriage",
            "birth-record",
            "birth-cert",
            "hukou"
        ]
    );
    let marriage = &t.materials[1];
    assert!(
        marriage.material.required,
        "required because 落户 requires it"
    );
    assert_eq!(marriage.material.copies, 1);
    assert_eq!(marriage.for_items, ["WJ-000201-001", "GA-000305-002"]);
    let hukou = &t.materials[4];
    assert_eq!(hukou.for_items, ["GA-000305-002", "YB-000402-001"]);
    let keys: Vec<_> = t.form.fields.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "applicantName",
            "phone",
            "childName",
            "childBirthDate",
            "homeAddress"
        ]
    );
    assert!(t.prefilled.contains("homeAddress") && t.prefilled.contains("applicantName"));
    for (key, value) in [
        ("phone", json!("13812345678")),
        ("childName", json!("张小宝")),
        ("childBirthDate", json!("2024-05-07")),
    ] {
        k.ui(UiInput::SetField {
            key: key.into(),
            value: value.into(),
        });
    }
    let t = k.s.transaction.as_ref().unwrap();
    assert_eq!(
        t.errors["childBirthDate"].code,
        FieldErrorCode::DateInFuture,
        "today is 2024-05-06"
    );
    k.ui(UiInput::SetField {
        key: "childBirthDate".into(),
        value: json!("2024-05-01").into(),
    });
    k.ui(UiInput::Next);
    k.ui(UiInput::Next);
    k.ui(UiInput::Next);
    k.ui(UiInput::Submit);
    let Some(Effect::Submit { payload, .. }) =
        k.log.iter().find(|e| matches!(e, Effect::Submit { .. }))
    else {
        panic!("{:?}", k.log)
    };
    assert_eq!(payload.subject, Subject::Bundle(BUNDLE.into()));
    assert_eq!(payload.materials.len(), 5);
    assert_eq!(payload.delivery, Delivery::PickUp);
}

#[test]
fn back_walks_the_path_backwards() {
    let mut k = at_review();
    // The delivery page was visited from the review, and is not on the way back.
    for expected in ["materials", "form", "guide", "choose"] {
        k.ui(UiInput::Back);
        assert_eq!(k.screen(), expected);
    }
    k.ui(UiInput::Back);
    assert_eq!(k.s.screen, Screen::Home);
    assert!(!k.s.holds_personal_data());
}

#[test]
fn a_material_the_card_stands_for_is_given_by_reading_it_and_never_owed() {
    let mut k = Kiosk::at_form(ITEM, false);
    let t = k.s.transaction.as_ref().unwrap();
    let old_id = t
        .materials
        .iter()
        .find(|l| l.material.code == "old-id")
        .expect("the item lists the old card");
    assert_eq!(old_id.source, MaterialSource::IdCardRead);
    // The hall holding one changes nothing, and the citizen cannot switch it to "later".
    let request = reuse_request(&k);
    k.ev(Event::ReusableMaterialsFetched {
        request,
        result: Some(ReusableMaterials {
            materials: Vec::new(),
            documents: Vec::new(),
        }),
    });
    fill_item_form(&mut k);
    k.ui(UiInput::Next);
    k.ui(UiInput::SetMaterialSource {
        code: "old-id".into(),
        source: MaterialSource::Later,
    });
    let t = k.s.transaction.as_ref().unwrap();
    let line = t
        .materials
        .iter()
        .find(|l| l.material.code == "old-id")
        .unwrap();
    assert_eq!(line.source, MaterialSource::IdCardRead);
    // The application says so, and what is owed does not name it.
    let payload = t.payload(k.s.citizen.as_ref().unwrap(), &k.s.now);
    let given = payload
        .materials
        .iter()
        .find(|m| m.code == "old-id")
        .unwrap();
    assert_eq!(given.source, MaterialSource::IdCardRead);
    let owed = crate::session::docs::owed_materials(t);
    assert!(!owed.iter().any(|m| m.contains("原居民身份证")), "{owed:?}");
}
