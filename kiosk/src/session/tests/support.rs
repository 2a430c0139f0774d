//! A kiosk driver for tests: the realistic catalog from `kiosk/tests/data/`, a fixed config,
//! a test clock, and helpers that step the machine and keep every effect.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use hall_api::application::{ApplicationReceipt, Status, Subject};
use hall_api::catalog::Catalog;
use kiosk_config::schema::Language;
use kiosk_drivers::status::DeviceClass;

use crate::session::citizen::tests::zhang_san;
use crate::session::{step, Citizen, Effect, Event, Now, Session, SessionConfig, UiInput};

pub const IDLE: u64 = 90;
pub const COUNTDOWN: u64 = 15;
pub const FAREWELL: u64 = 8;
pub const INSTANCE: &str = "test-instance-01";
pub const ID_CARD: &str = "11010519491231002X";
pub const ITEM: &str = "GA-000101-001";
pub const BUNDLE: &str = "yjs-xinshenger";

pub fn catalog() -> Arc<Catalog> {
    let text = include_str!("../../../tests/data/session_catalog.json");
    Arc::new(serde_json::from_str(text).expect("the test catalog parses"))
}

pub fn config() -> SessionConfig {
    SessionConfig {
        idle_timeout: Duration::from_secs(IDLE),
        countdown: Duration::from_secs(COUNTDOWN),
        farewell: Duration::from_secs(FAREWELL),
        language: Language::ZhCn,
        elder_mode_offered: true,
        reach_mode: false,
        instance: INSTANCE.into(),
        progress_url: "https://hall.example.gov.cn/p".into(),
        hall_name: "临安区政务服务中心".into(),
    }
}

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 5, 6).expect("a real date")
}

pub fn at(secs: u64) -> Now {
    let base: DateTime<Utc> = Utc
        .with_ymd_and_hms(2024, 5, 6, 1, 0, 0)
        .single()
        .expect("a real time");
    Now {
        mono: Duration::from_secs(secs),
        utc: base + chrono::Duration::seconds(secs as i64),
        today: today(),
    }
}

pub fn citizen() -> Citizen {
    zhang_san()
}

pub fn other_citizen() -> Citizen {
    let mut c = zhang_san();
    c.name = "李四".into();
    // Another made-up number with a correct check digit.
    c.id_number = "110105198001010016".into();
    c
}

pub fn receipt(subject: Subject) -> ApplicationReceipt {
    ApplicationReceipt {
        id: "app-1".into(),
        tracking_code: "LA20240506-0042".into(),
        verifier: "q7Xk2m".into(),
        subject,
        status: Status::Submitted,
        received_at: at(0).utc,
        promised_by: NaiveDate::from_ymd_opt(2024, 5, 27).expect("a real date"),
    }
}

/// The machine under test, its clock, and every effect it produced.
pub struct Kiosk {
    pub s: Session,
    pub secs: u64,
    pub log: Vec<Effect>,
}

impl Kiosk {
    /// A kiosk with every device working and the catalog loaded, at home.
    pub fn ready() -> Kiosk {
        let mut k = Kiosk::bare();
        k.ev(Event::CatalogLoaded {
            catalog: catalog(),
            most_used: vec![ITEM.into(), "YB-000402-001".into()],
        });
        for device in DeviceClass::ALL {
            k.ev(Event::DeviceChanged {
                device,
                available: true,
            });
        }
        k.log.clear();
        k
    }

    /// A kiosk as created: nothing reported yet.
    pub fn bare() -> Kiosk {
        Kiosk {
            s: Session::new(config(), at(0)).expect("a valid config"),
            secs: 0,
            log: Vec::new(),
        }
    }

    /// Steps one event; returns its effects (also kept in `log`).
    pub fn ev(&mut self, event: Event) -> Vec<Effect> {
        let (next, fx) = step(&self.s, event);
        self.s = next;
        self.log.extend(fx.iter().cloned());
        fx
    }

    /// A touch.
    pub fn ui(&mut self, input: UiInput) -> Vec<Effect> {
        self.ev(Event::Ui(input))
    }

    /// Lets `secs` seconds pass, one tick a second (as the service does).
    pub fn wait(&mut self, secs: u64) -> Vec<Effect> {
        let mut fx = Vec::new();
        for _ in 0..secs {
            self.secs += 1;
            fx.extend(self.ev(Event::Tick(at(self.secs))));
        }
        fx
    }

    pub fn screen(&self) -> &'static str {
        self.s.screen.name()
    }

    /// Effects of one kind in the whole log.
    pub fn count(&self, pred: impl Fn(&Effect) -> bool) -> usize {
        self.log.iter().filter(|e| pred(e)).count()
    }

    /// The state dumped in full, unmasked (test-only serialisation), to search for data.
    pub fn dump(&self) -> String {
        serde_json::to_string(&self.s).expect("the state serialises")
    }

    /// Card in, item picked, form started: on the form screen.
    pub fn at_form(item: &str, bundle: bool) -> Kiosk {
        let mut k = Kiosk::ready();
        k.ui(UiInput::StartApplying);
        k.ev(Event::CardRead(citizen()));
        k.ui(if bundle {
            UiInput::PickBundle(item.into())
        } else {
            UiInput::PickItem(item.into())
        });
        k.ui(UiInput::StartForm);
        assert_eq!(k.screen(), "form");
        k
    }
}

/// Fills the ID-card item's form validly (the card filled name, number and sex).
pub fn fill_item_form(k: &mut Kiosk) {
    use serde_json::json;
    for (key, value) in [
        ("phone", json!("13812345678")),
        ("reason", json!("expired")),
        ("declaration", json!(true)),
    ] {
        k.ui(UiInput::SetField {
            key: key.into(),
            value: value.into(),
        });
    }
}

/// Types a complete mailing address.
pub fn fill_address(k: &mut Kiosk) {
    use crate::session::TextField;
    for (field, value) in [
        (TextField::RecipientPhone, "13912345678"),
        (TextField::Region, "浙江省杭州市临安区"),
        (TextField::AddressDetail, "衣锦街100号3幢201室"),
    ] {
        k.ui(UiInput::SetText {
            field,
            value: value.into(),
        });
    }
}

/// On the review screen of the ID-card item, mailing chosen.
pub fn at_review() -> Kiosk {
    let mut k = Kiosk::at_form(ITEM, false);
    fill_item_form(&mut k);
    // The camera works and the household register may be photographed: the materials page
    // asks (handed in later here); then the review, which offers the delivery page.
    k.ui(UiInput::Next);
    assert_eq!(k.screen(), "materials");
    k.ui(UiInput::Next);
    assert_eq!(k.screen(), "review");
    k.ui(UiInput::ChangeDelivery);
    assert_eq!(k.screen(), "delivery");
    k.ui(UiInput::ChooseMail(true));
    fill_address(&mut k);
    k.ui(UiInput::Next);
    assert_eq!(k.screen(), "review");
    k
}

/// The idempotency key of the only `Submit` in the log.
pub fn submitted_key(k: &Kiosk) -> String {
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
    assert_eq!(keys.len(), 1, "exactly one Submit: {keys:?}");
    keys[0].clone()
}

/// On the receipt screen after a delivered submission.
pub fn at_receipt() -> Kiosk {
    let mut k = at_review();
    k.ui(UiInput::Submit);
    let key = submitted_key(&k);
    k.ev(Event::SubmitResult {
        key,
        outcome: crate::session::SubmitOutcome::Delivered(receipt(Subject::Item(ITEM.into()))),
    });
    assert_eq!(k.screen(), "receipt");
    k
}

/// A kiosk on each screen a citizen can be on, with the citizen's data where that screen
/// has it.
pub fn at_every_screen() -> Vec<Kiosk> {
    use hall_api::feedback::HelpKind;
    let mut out = Vec::new();
    let with = |f: &dyn Fn(&mut Kiosk)| {
        let mut k = Kiosk::ready();
        k.ev(Event::CardRead(citizen()));
        f(&mut k);
        k
    };
    let mut identify = Kiosk::ready();
    identify.ui(UiInput::StartApplying);
    out.push(identify);
    out.push(with(&|_| {}));
    out.push(with(&|k| {
        k.ui(UiInput::PickItem(ITEM.into()));
    }));
    out.push(Kiosk::at_form(ITEM, false));
    out.push(Kiosk::at_form(BUNDLE, true));
    let mut materials = Kiosk::at_form(ITEM, false);
    fill_item_form(&mut materials);
    materials.ui(UiInput::Next);
    out.push(materials);
    let mut delivery = Kiosk::at_form(ITEM, false);
    fill_item_form(&mut delivery);
    delivery.ui(UiInput::Next);
    delivery.ui(UiInput::Next);
    delivery.ui(UiInput::ChooseMail(true));
    fill_address(&mut delivery);
    out.push(delivery);
    out.push(at_review());
    let mut submitting = at_review();
    submitting.ui(UiInput::Submit);
    out.push(submitting);
    out.push(at_receipt());
    let mut rating = at_receipt();
    rating.ui(UiInput::Done);
    rating.ui(UiInput::RateLevel(2));
    rating.ui(UiInput::SetText {
        field: crate::session::TextField::ContactPhone,
        value: "13700001111".into(),
    });
    out.push(rating);
    let mut progress = Kiosk::ready();
    progress.ui(UiInput::OpenProgress);
    progress.ev(Event::CardRead(citizen()));
    out.push(progress);
    let mut appointment = Kiosk::ready();
    appointment.ui(UiInput::OpenAppointment);
    appointment.ev(Event::CardRead(citizen()));
    out.push(appointment);
    out.push(with(&|k| {
        k.ui(UiInput::OpenComplaint);
        k.ui(UiInput::SetText {
            field: crate::session::TextField::Comment,
            value: "张三丰的户口簿找不到了".into(),
        });
    }));
    let mut help = Kiosk::ready();
    help.ui(UiInput::OpenHelpRequest(HelpKind::HomeVisit));
    help.ui(UiInput::SetText {
        field: crate::session::TextField::ContactPhone,
        value: "13700001111".into(),
    });
    out.push(help);
    for k in &mut out {
        k.log.clear();
    }
    out
}
