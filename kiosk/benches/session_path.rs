//! How long the session machine takes per step: a whole application path (card, item, form,
//! materials, delivery, review, submit, receipt, rating skipped, farewell, home) run many
//! times with the realistic test catalog. Prints figures; run with
//! `cargo bench -p kiosk --bench session_path`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use hall_api::application::{ApplicationReceipt, Status, Subject};
use hall_api::catalog::Catalog;
use kiosk::session::{
    step, CardType, Citizen, Effect, Event, Now, Session, SessionConfig, SubmitOutcome, UiInput,
};
use kiosk_config::schema::Language;
use kiosk_drivers::status::DeviceClass;
use serde_json::json;

fn now(secs: u64) -> Now {
    let base = Utc
        .with_ymd_and_hms(2024, 5, 6, 1, 0, 0)
        .single()
        .expect("a real time");
    Now {
        mono: Duration::from_secs(secs),
        utc: base + chrono::Duration::seconds(secs as i64),
        today: NaiveDate::from_ymd_opt(2024, 5, 6).expect("a real date"),
    }
}

fn citizen() -> Citizen {
    Citizen {
        name: "张三丰".into(),
        sex: "男".into(),
        nation: "汉".into(),
        birth_date: "1949-12-31".into(),
        address: "浙江省杭州市临安区锦城街道衣锦街100号".into(),
        id_number: "11010519491231002X".into(),
        issuing_authority: "杭州市公安局临安分局".into(),
        valid_from: "2015-01-01".into(),
        valid_until: "长期".into(),
        card_type: CardType::Resident,
    }
}

fn run_path(start: &Session, t: &mut u64, steps: &mut u64) -> Session {
    let mut s = start.clone();
    let mut go = |s: &mut Session, e: Event| -> Vec<Effect> {
        let (next, fx) = step(s, e);
        *s = next;
        *steps += 1;
        fx
    };
    *t += 1;
    go(&mut s, Event::Tick(now(*t)));
    go(&mut s, Event::CardRead(citizen()));
    go(&mut s, Event::Ui(UiInput::PickItem("GA-000101-001".into())));
    go(&mut s, Event::Ui(UiInput::StartForm));
    for (key, value) in [
        ("phone", json!("13812345678")),
        ("reason", json!("expired")),
        ("declaration", json!(true)),
    ] {
        go(
            &mut s,
            Event::Ui(UiInput::SetField {
                key: key.into(),
                value: value.into(),
            }),
        );
    }
    for _ in 0..3 {
        go(&mut s, Event::Ui(UiInput::Next));
    }
    let fx = go(&mut s, Event::Ui(UiInput::Submit));
    let key = fx
        .iter()
        .find_map(|e| match e {
            Effect::Submit {
                idempotency_key, ..
            } => Some(idempotency_key.clone()),
            _ => None,
        })
        .expect("the path submits");
    let receipt = ApplicationReceipt {
        id: "a".into(),
        tracking_code: "LA20240506-0042".into(),
        verifier: "q7Xk2m".into(),
        subject: Subject::Item("GA-000101-001".into()),
        status: Status::Submitted,
        received_at: now(*t).utc,
        promised_by: NaiveDate::from_ymd_opt(2024, 5, 27).expect("a real date"),
    };
    go(
        &mut s,
        Event::SubmitResult {
            key,
            outcome: SubmitOutcome::Delivered(receipt),
        },
    );
    go(&mut s, Event::Ui(UiInput::Done));
    go(&mut s, Event::Ui(UiInput::SkipRating));
    let fx = go(&mut s, Event::Ui(UiInput::Done));
    assert!(
        fx.contains(&Effect::WipePersonalData),
        "the path ends wiped"
    );
    s
}

fn main() {
    let catalog: Catalog = serde_json::from_str(include_str!("../tests/data/session_catalog.json"))
        .expect("the test catalog parses");
    let config = SessionConfig {
        idle_timeout: Duration::from_secs(90),
        countdown: Duration::from_secs(15),
        farewell: Duration::from_secs(8),
        language: Language::ZhCn,
        elder_mode_offered: true,
        reach_mode: false,
        instance: "bench-instance-01".into(),
        progress_url: "https://hall.example.gov.cn/p".into(),
        hall_name: "临安区政务服务中心".into(),
    };
    let mut s = Session::new(config, now(0)).expect("a valid config");
    s = step(
        &s,
        Event::CatalogLoaded {
            catalog: Arc::new(catalog),
            most_used: vec![],
        },
    )
    .0;
    for device in DeviceClass::ALL {
        s = step(
            &s,
            Event::DeviceChanged {
                device,
                available: true,
            },
        )
        .0;
    }
    let (mut t, mut steps) = (0, 0);
    for _ in 0..200 {
        s = run_path(&s, &mut t, &mut steps);
    }
    let paths = 20_000;
    steps = 0;
    let started = Instant::now();
    for _ in 0..paths {
        s = run_path(&s, &mut t, &mut steps);
    }
    let took = started.elapsed();
    println!(
        "session machine: {paths} application paths, {steps} steps in {:.3} s: {:.1} µs per path, {:.2} µs per step",
        took.as_secs_f64(),
        took.as_secs_f64() * 1e6 / paths as f64,
        took.as_secs_f64() * 1e6 / steps as f64,
    );
}
