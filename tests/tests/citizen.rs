//! A citizen's whole visit against the real kiosk service (simulated reader, printer and
//! scanner on pseudo-terminals) and the real hall on loopback: card → item → form → submit →
//! printed receipt whose QR code brings back the progress → rating at the hall; and a 一件事
//! bundle whose shared materials and fields are asked once; calls for help answered as the hall
//! says; the voice of elder mode; the printed receipt opened on a phone (Chromium) that follows
//! the hall and texts the citizen.

use std::collections::BTreeMap;
use std::time::Duration;

use kiosk_e2e::hall_db;
use kiosk_e2e::kiosk::{KioskOptions, Rig, KIOSK_ID};
use kiosk_e2e::receipt::{decode_qr, printed_texts, query_param, receipt_pngs};
use kiosk_e2e::staff_web::StaffWeb;
use kiosk_e2e::{eventually, Hall};

const LONG: Duration = Duration::from_secs(60);

/// Places the sample card and waits until the session knows the citizen.
fn identify(rig: &Rig) -> serde_json::Value {
    rig.sim("card place resident-zhang-san");
    rig.wait_show(LONG, "the card to be read", |s| !s["citizen"].is_null())
}

#[test]
fn a_citizen_applies_gets_a_receipt_checks_progress_and_rates() {
    let rig = Rig::start(&KioskOptions::default());
    let staff = Hall::credential(&rig.hall_db, "staff", "clerk");

    let s = identify(&rig);
    assert_eq!(s["holdsPersonalData"], true, "{s:#}");
    let citizen = s["citizen"].as_str().unwrap_or_default();
    assert!(citizen.contains("张*"), "masked name on screen: {citizen}");
    assert!(
        citizen.contains("1101") && citizen.contains('*') && !citizen.contains("19491231"),
        "masked ID number on screen: {citizen}"
    );

    let s = rig.press("item QR-000172-001");
    assert_eq!(s["subject"], "居民身份证换领", "{s:#}");
    rig.press("start-form");
    rig.press("field phone 13800138000");
    rig.press("field reason expired");
    let s = rig.press("field declaration true");
    assert_eq!(s["fieldErrors"], serde_json::json!([]), "{s:#}");
    for _ in 0..3 {
        rig.press("next");
    }
    let s = rig.press("submit");
    assert!(
        ["submitting", "receipt"].contains(&s["screen"].as_str().unwrap_or_default()),
        "{s:#}"
    );
    let s = rig.wait_show(LONG, "the delivered receipt", |s| {
        s["screen"] == "receipt" && s["submission"] == "delivered"
    });
    let code = s["trackingCode"]
        .as_str()
        .expect("a tracking code on the receipt")
        .to_owned();

    // The hall stored it exactly once, under that code, from this kiosk.
    let stored = hall_db::applications(&rig.hall_db);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].tracking_code, code);
    assert_eq!(stored[0].subject_code, "QR-000172-001");
    assert_eq!(stored[0].kiosk_id, KIOSK_ID);
    let details = hall_db::application_details(&rig.hall_url(), &staff, &stored[0].id);
    assert_eq!(details["fields"]["phone"], "13800138000", "{details:#}");
    assert_eq!(details["fields"]["reason"], "expired", "{details:#}");

    // The printed receipt's QR code carries the tracking code.
    let qr = eventually(LONG, || {
        receipt_pngs(&rig.receipts_dir())
            .iter()
            .flat_map(|p| decode_qr(p))
            .find(|text| query_param(text, "c").as_deref() == Some(code.as_str()))
    })
    .unwrap_or_else(|| {
        panic!(
            "no receipt PNG in {} with a QR code for {code}",
            rig.receipts_dir().display()
        )
    });
    assert!(
        query_param(&qr, "v").is_some_and(|v| !v.is_empty()),
        "the QR code carries a verifier: {qr}"
    );

    // A bad rating with a reason reaches the hall, tied to this application.
    rig.press("done");
    rig.press("rate 2");
    rig.press("reason tooSlow");
    rig.press("send");
    let ratings = hall_db::ratings_when_any(&rig.hall_db, LONG);
    assert_eq!(ratings.len(), 1, "{ratings:?}");
    assert_eq!(ratings[0].application_id, stored[0].id);
    assert_eq!(ratings[0].level, 2);
    assert!(ratings[0].reasons.contains("tooSlow"), "{ratings:?}");

    // Back home with nothing personal held; scanning the receipt shows the progress.
    rig.sim("card remove");
    let s = rig.wait_show(LONG, "the session to end", |s| s["screen"] == "home");
    assert_eq!(s["holdsPersonalData"], false, "{s:#}");
    rig.sim(&format!("scan {qr}"));
    let s = rig.wait_show(LONG, "the progress of the scanned receipt", |s| {
        s["screen"] == "progress"
            && s["progress"]
                .as_array()
                .is_some_and(|p| p.iter().any(|l| l.as_str().is_some_and(|l| l != "loading")))
    });
    assert_eq!(
        s["progress"],
        serde_json::json!([format!("{code} submitted")]),
        "{s:#}"
    );
}

/// The kiosk's cached catalog (written beside its config).
fn catalog(rig: &Rig) -> serde_json::Value {
    let text = std::fs::read_to_string(rig.dir.path().join("catalog.json")).expect("catalog");
    serde_json::from_str(&text).expect("catalog JSON")
}

#[test]
fn a_bundle_asks_each_shared_material_and_field_once() {
    const BUNDLE: &str = "yjs-xinshenger";
    let rig = Rig::start(&KioskOptions::default());
    let staff = Hall::credential(&rig.hall_db, "staff", "clerk");

    // What the catalog says: the bundle's items share some materials and fields.
    let catalog = catalog(&rig);
    let catalog = if catalog["catalog"].is_object() {
        catalog["catalog"].clone()
    } else {
        catalog
    };
    let bundle = catalog["bundles"]
        .as_array()
        .and_then(|b| b.iter().find(|b| b["code"] == BUNDLE))
        .expect("the bundle in the catalog")
        .clone();
    let items: Vec<serde_json::Value> = bundle["items"]
        .as_array()
        .expect("bundle items")
        .iter()
        .map(|code| {
            catalog["items"]
                .as_array()
                .and_then(|all| all.iter().find(|i| &i["code"] == code))
                .expect("bundle item in catalog")
                .clone()
        })
        .collect();
    let mut material_names: BTreeMap<String, (String, usize)> = BTreeMap::new();
    let mut field_keys: BTreeMap<String, usize> = BTreeMap::new();
    for item in &items {
        for m in item["materials"].as_array().into_iter().flatten() {
            let code = m["code"].as_str().unwrap_or_default().to_owned();
            let name = m["name"].as_str().unwrap_or_default().to_owned();
            material_names.entry(code).or_insert((name, 0)).1 += 1;
        }
        for f in item["form"]["fields"].as_array().into_iter().flatten() {
            *field_keys
                .entry(f["key"].as_str().unwrap_or_default().to_owned())
                .or_default() += 1;
        }
    }
    assert!(
        material_names.values().any(|(_, n)| *n > 1) && field_keys.values().any(|n| *n > 1),
        "the bundle's items share materials and fields: {material_names:?} {field_keys:?}"
    );

    identify(&rig);
    let s = rig.press(&format!("bundle {BUNDLE}"));
    assert_eq!(s["subject"], bundle["name"], "{s:#}");

    // The printed 一次性告知 guide lists each material exactly once (`N. NAME（…`).
    rig.press("print-guide");
    let guide = eventually(LONG, || printed_texts(&rig.receipts_dir()).pop())
        .expect("the guide is printed");
    for (code, (name, _)) in &material_names {
        assert_eq!(
            guide.matches(&format!(". {name}（")).count(),
            1,
            "material {code} ({name}) once in the guide:\n{guide}"
        );
    }

    // The form asks each field once: leaving them empty names each missing one.
    rig.press("start-form");
    let s = rig.press("next");
    let errors: Vec<String> = s["fieldErrors"]
        .as_array()
        .expect("field errors")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    assert!(!errors.is_empty(), "an empty form is refused: {s:#}");
    for key in &errors {
        assert!(
            field_keys.contains_key(key),
            "{key} is a field of the bundle"
        );
    }
    println!("bundle form: missing {errors:?}; catalog fields {field_keys:?}");
    fill_required(&rig, &items, &errors);
    let s = rig.press("next");
    assert_eq!(s["fieldErrors"], serde_json::json!([]), "{s:#}");
    rig.press("next");
    rig.press("next");
    rig.press("submit");
    rig.wait_show(LONG, "the delivered receipt", |s| {
        s["screen"] == "receipt" && s["submission"] == "delivered"
    });

    // The hall has one application for the bundle, each material handed in once.
    let stored = hall_db::applications(&rig.hall_db);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].subject_code, BUNDLE);
    let details = hall_db::application_details(&rig.hall_url(), &staff, &stored[0].id);
    let mut handed: Vec<String> = details["materials"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["code"].as_str().map(str::to_owned))
        .collect();
    let before = handed.len();
    handed.sort();
    handed.dedup();
    assert_eq!(handed.len(), before, "no material twice: {details:#}");
    for code in &handed {
        assert!(
            material_names.contains_key(code),
            "{code} is a bundle material"
        );
    }
}

/// Types a plausible value into each missing field, by its kind in the catalog.
fn fill_required(rig: &Rig, items: &[serde_json::Value], missing: &[String]) {
    for key in missing {
        let field = items
            .iter()
            .flat_map(|i| i["form"]["fields"].as_array().into_iter().flatten())
            .find(|f| f["key"] == key.as_str())
            .expect("a field of the bundle");
        let kind = &field["kind"];
        let value = match kind["type"].as_str().unwrap_or_default() {
            "phone" => "13800138000".to_owned(),
            "idNumber" => "11010519491231002X".to_owned(),
            "checkbox" | "declaration" | "bool" | "boolean" => "true".to_owned(),
            "number" => "1".to_owned(),
            "date" | "pastDate" => "2024-01-02".to_owned(),
            "select" => kind["options"][0]["value"]
                .as_str()
                .or_else(|| kind["options"][0].as_str())
                .unwrap_or("x")
                .to_owned(),
            _ => "示例".to_owned(),
        };
        let s = rig.press(&format!("field {key} {value}"));
        assert!(
            !s["fieldErrors"]
                .as_array()
                .is_some_and(|e| e.iter().any(|k| k.as_str() == Some(key.as_str()))),
            "{key} = {value} accepted ({kind}): {s:#}"
        );
    }
}

#[test]
fn one_key_help_says_the_staff_on_duty_know_only_once_the_hall_passed_it_on() {
    let mut rig = Rig::start(&KioskOptions::default());

    // This hall has no notifier: it records the call but nobody on duty hears of it, so the
    // kiosk shows the hotline instead of promising that someone is coming.
    let s = rig.press("call-help");
    assert_eq!(
        s["notice"], "HelpCalled",
        "calling, nothing promised: {s:#}"
    );
    let s = rig.wait_show(LONG, "the hall's answer to the call", |s| {
        s["helpAck"] != "Waiting"
    });
    assert_eq!(s["helpAck"], "Hotline", "{s:#}");
    assert_eq!(s["notice"], "HelpHotline", "{s:#}");
    rig.press("home");

    // The same hall with a webhook to the on-duty staff's phones.
    let hook = Gateway::start();
    let config = rig.dir.path().join("notify.toml");
    std::fs::write(
        &config,
        format!(
            "[worker]\npoll_seconds = 0.2\n\
             [[webhook]]\nname = \"duty\"\nurl = \"{}\"\nsecret = \"county-duty-secret-0001\"\n\
             events = [\"help.requested\"]\n",
            hook.url
        ),
    )
    .expect("write the notifier config");
    rig.stop_hall();
    rig.hall = Some(Hall::start_notifying(
        &rig.hall_db,
        &rig.hall_listen,
        Some(&config),
    ));
    rig.press("call-help");
    let s = rig.wait_show(LONG, "the hall's answer to the second call", |s| {
        s["helpAck"] != "Waiting"
    });
    assert_eq!(s["helpAck"], "Notified", "{s:#}");
    assert_eq!(s["notice"], "HelpNotified", "{s:#}");
    assert!(
        eventually(LONG, || (!hook.of_kind("help.requested").is_empty())
            .then_some(()))
        .is_some(),
        "the on-duty webhook got the call"
    );
}

/// What the loudspeaker last said (ALSA's file plugin writes raw 16-bit PCM).
fn spoken(rig: &Rig) -> Vec<i16> {
    std::fs::read(rig.dir.path().join("voice.raw"))
        .unwrap_or_default()
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

/// Waits until the loudspeaker has said something other than `before` that is speech: at
/// least half a second (espeak-ng speaks at 22,050 Hz) and not silence.
fn wait_for_speech(rig: &Rig, before: &[i16], what: &str) -> Vec<i16> {
    eventually(LONG, || {
        let now = spoken(rig);
        let loud = now.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / now.len().max(1) as f64;
        (now.len() > 11_025 && now.as_slice() != before && loud.sqrt() > 100.0).then_some(now)
    })
    .unwrap_or_else(|| panic!("the loudspeaker said nothing for {what}"))
}

/// How many samples espeak-ng's Mandarin voice makes of `prompt` (the length the whole
/// prompt takes when played to its end).
fn rendered_samples(prompt: &str) -> usize {
    let out = std::process::Command::new("espeak-ng")
        .args(["-v", "cmn", "--stdout", "--", prompt])
        .output()
        .expect("espeak-ng runs");
    assert!(out.status.success(), "espeak-ng failed on {prompt:?}");
    kiosk_drivers::audio::wav::read(&out.stdout)
        .expect("espeak-ng writes WAV")
        .samples
        .len()
}

/// Waits for the screen's prompt to be spoken whole: the samples that reached the sound
/// device are as many as espeak-ng makes of the words `session show` says the screen speaks
/// (within 5 %: not cut short, not another prompt).
fn wait_for_prompt(rig: &Rig, before: &[i16], what: &str) -> Vec<i16> {
    let prompt = rig.show()["prompt"].as_str().unwrap_or_default().to_owned();
    assert!(!prompt.is_empty(), "{what}: the screen has words to say");
    let expected = rendered_samples(&prompt);
    let mut last = 0;
    eventually(LONG, || {
        let now = wait_for_speech(rig, before, what);
        last = now.len();
        (now.len().abs_diff(expected) * 20 <= expected).then_some(now)
    })
    .unwrap_or_else(|| panic!("{what}: {last} samples played, {expected} in the prompt {prompt:?}"))
}

#[test]
fn elder_mode_speaks_every_new_screen_through_the_loudspeaker() {
    let rig = Rig::start(&KioskOptions::default());
    assert!(spoken(&rig).is_empty(), "silent until asked");
    let s = rig.press("elder");
    assert_eq!(s["elderMode"], true);
    let home = wait_for_prompt(&rig, &[], "the home screen in elder mode");
    let s = rig.press("browse");
    assert_eq!(s["voice"], true, "elder mode speaks: {s:#}");
    wait_for_prompt(&rig, &home, "the item list");
}

/// A loopback gateway for the hall's notices: answers 204 and keeps each request's body.
struct Gateway {
    url: String,
    bodies: std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
}

impl Gateway {
    fn start() -> Gateway {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the gateway");
        let url = format!(
            "http://{}/sms",
            listener.local_addr().expect("the gateway's address")
        );
        let bodies = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = bodies.clone();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten().take(50) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut got = Vec::new();
                let mut buf = [0u8; 8192];
                let body = loop {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break None,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                    let text = String::from_utf8_lossy(&got).into_owned();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let length = head
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse::<usize>().ok())?
                            })
                            .unwrap_or(0);
                        if body.len() >= length {
                            break Some(body.to_owned());
                        }
                    }
                };
                if let Some(json) = body.and_then(|b| serde_json::from_str(&b).ok()) {
                    kept.lock().expect("gateway lock").push(json);
                }
                let _ = stream.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
            }
        });
        Gateway { url, bodies }
    }

    /// The notices of `kind` received so far.
    fn of_kind(&self, kind: &str) -> Vec<serde_json::Value> {
        self.bodies
            .lock()
            .expect("gateway lock")
            .iter()
            .filter(|b| b["kind"] == kind)
            .cloned()
            .collect()
    }
}

/// chromedriver on a free loopback port, killed when dropped.
struct ChromeDriver {
    child: std::process::Child,
    url: String,
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ChromeDriver {
    fn start() -> ChromeDriver {
        let port = kiosk_e2e::free_port();
        let child = std::process::Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("chromedriver is not installed: apt-get install -y chromium-driver");
        let driver = ChromeDriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        eventually(LONG, || {
            std::net::TcpStream::connect(("127.0.0.1", port)).ok()
        })
        .expect("chromedriver answers");
        driver
    }

    /// A headless Chromium as a 360×740 phone.
    async fn phone(&self, profile: &std::path::Path) -> fantoccini::Client {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--disable-background-networking",
                    format!("--user-data-dir={}", profile.display())],
                "mobileEmulation": {"deviceMetrics": {"width": 360, "height": 740, "pixelRatio": 2.0}}
            }),
        );
        fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a WebDriver session in chromium")
    }
}

/// The text of the element `css` on the page.
async fn text_of(c: &fantoccini::Client, css: &str) -> String {
    c.find(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css} on the page: {e}"))
        .text()
        .await
        .unwrap_or_default()
}

/// The value of the hidden `version` field of the application page's step forms (the
/// timeline's length the form was drawn from).
fn page_version(web: &StaffWeb, id: &str) -> String {
    let page = web
        .get(&format!("/staff/applications/{id}"))
        .text()
        .expect("the application page");
    let marker = "name=\"version\" value=\"";
    let at = page
        .find(marker)
        .unwrap_or_else(|| panic!("no step form on the application page: {page}"))
        + marker.len();
    page[at..]
        .split('"')
        .next()
        .expect("the version")
        .to_owned()
}

/// One workbench step as a browser posts it: the page's version, the step's own fields.
fn workbench_step(web: &StaffWeb, id: &str, action: &str, fields: &[(&str, &str)]) {
    let version = page_version(web, id);
    let mut all = vec![("version", version.as_str())];
    all.extend_from_slice(fields);
    let r = web.post_form(&format!("/staff/applications/{id}/{action}"), &all);
    let status = r.status();
    assert_eq!(
        status.as_u16(),
        303,
        "the workbench's {action}: {status} {}",
        r.text().unwrap_or_default()
    );
}

#[test]
fn the_printed_receipt_opens_on_a_phone_follows_the_hall_and_texts_the_citizen() {
    let mut rig = Rig::start(&KioskOptions::default());
    let hall = rig.hall_url().trim_end_matches('/').to_owned();
    // The hall texts citizens through the county's SMS gateway (here on loopback).
    let gateway = Gateway::start();
    let config = rig.dir.path().join("notify.toml");
    std::fs::write(
        &config,
        format!(
            "base_url = \"{}\"\n[worker]\npoll_seconds = 0.2\n\
             [[webhook]]\nname = \"county-sms\"\nurl = \"{}\"\nsecret = \"county-sms-secret-0001\"\n\
             events = [\"citizen.accepted\", \"citizen.correctionRequired\", \"citizen.concluded\"]\n",
            hall,
            gateway.url
        ),
    )
    .expect("write the notifier config");
    rig.stop_hall();
    rig.hall = Some(Hall::start_notifying(
        &rig.hall_db,
        &rig.hall_listen,
        Some(&config),
    ));

    // At the kiosk: the card, the form, "text me the progress" ticked, submit.
    identify(&rig);
    for words in kiosk_e2e::kiosk::TO_REVIEW {
        rig.press(words);
    }
    let s = rig.press("next");
    assert_eq!(s["screen"], "review", "{s:#}");
    rig.press("notify-consent");
    rig.press("submit");
    let s = rig.wait_show(LONG, "the delivered receipt", |s| {
        s["screen"] == "receipt" && s["submission"] == "delivered"
    });
    let code = s["trackingCode"].as_str().unwrap_or_default().to_owned();

    // At home: the phone's camera reads the printed receipt's QR code.
    let qr = eventually(LONG, || {
        receipt_pngs(&rig.receipts_dir())
            .iter()
            .flat_map(|p| decode_qr(p))
            .find(|text| query_param(text, "c").as_deref() == Some(code.as_str()))
    })
    .expect("a printed receipt with the QR code");
    assert!(qr.starts_with(&format!("{hall}/progress?")), "{qr}");

    // The back office: the front desk and the 公安 department's reviewer, signed in to the
    // workbench; the front desk finds the application by the receipt's QR address, as a
    // scanner at the counter types it into the search box.
    let desk = StaffWeb::sign_in_new(&hall, &rig.hall_db, "desk-zhao", "front-desk", &[]);
    let reviewer =
        StaffWeb::sign_in_new(&hall, &rig.hall_db, "reviewer-sun", "reviewer", &["gongan"]);
    let found = desk.post_form("/staff/search", &[("q", qr.as_str())]);
    assert_eq!(
        found.status().as_u16(),
        303,
        "the search finds it by the QR"
    );
    let id = found
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .and_then(|l| l.strip_prefix("/staff/applications/"))
        .expect("the application's page")
        .to_owned();

    let notice = |kind: &str| {
        eventually(LONG, || gateway.of_kind(kind).into_iter().next())
            .unwrap_or_else(|| panic!("no {kind} notice reached the gateway"))
    };
    let rt = tokio::runtime::Runtime::new().expect("a runtime for the browser");
    let driver = ChromeDriver::start();
    let profile = tempfile::tempdir().expect("profile dir");
    let c = rt.block_on(driver.phone(profile.path()));
    // What the phone shows after a reload: the status pill.
    let status_now = |c: &fantoccini::Client| {
        rt.block_on(async {
            c.refresh().await.expect("reload");
            text_of(c, "#status").await
        })
    };
    rt.block_on(async {
        c.goto(&qr).await.expect("the progress page opens");
        let width: f64 = c
            .execute("return document.documentElement.clientWidth", vec![])
            .await
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or_default();
        assert_eq!(width, 360.0, "a phone's width");
    });
    assert_eq!(status_now(&c), "已提交");

    // 补正: the page says what to bring, and so does the SMS.
    workbench_step(
        &desk,
        &id,
        "correction",
        &[("note", "请补交近期免冠白底证件照一张")],
    );
    assert_eq!(status_now(&c), "补正");
    assert!(rt
        .block_on(text_of(&c, "#correction"))
        .contains("请补交近期免冠白底证件照一张"));
    let sms = notice("citizen.correctionRequired");
    assert!(
        sms["text"]
            .as_str()
            .is_some_and(|t| t.contains("请补交近期免冠白底证件照一张") && t.contains(&code)),
        "{sms}"
    );

    // 受理: the page follows and the citizen gets the link by SMS.
    workbench_step(&desk, &id, "accept", &[]);
    assert_eq!(status_now(&c), "受理");
    let sms = notice("citizen.accepted");
    assert_eq!(sms["to"], "13800138000", "the number the citizen gave");
    assert_eq!(sms["data"]["progressLink"], qr, "the receipt's own link");
    let body = sms.to_string();
    assert!(!body.contains("110105"), "no ID number in the SMS: {body}");

    // 承办 and 办结 by the department (the workbench reads the fields that apply: the window
    // and pick-up code here, a waybill for a mailed result).
    workbench_step(&reviewer, &id, "assign", &[("handler", "孙审批")]);
    assert_eq!(status_now(&c), "承办");
    workbench_step(
        &reviewer,
        &id,
        "conclude",
        &[
            ("result", "准予换领"),
            ("window", "综合窗口 3号"),
            ("pickup", "5821"),
            ("waybill", "1151234567890"),
        ],
    );
    assert_eq!(status_now(&c), "办结");
    let sms = notice("citizen.concluded");
    // Collected at the window (the form left 免费邮寄 off): where, and the pick-up code.
    assert!(
        sms["text"]
            .as_str()
            .is_some_and(|t| t.contains(&code) && t.contains("请到综合窗口 3号领取，取件码 5821")),
        "{sms}"
    );
    for kind in [
        "citizen.accepted",
        "citizen.correctionRequired",
        "citizen.concluded",
    ] {
        assert_eq!(gateway.of_kind(kind).len(), 1, "one {kind} notice");
    }

    // Rated once from the phone; a second rating is refused.
    rt.block_on(async {
        c.find(fantoccini::Locator::Css("input[name=level][value='5']"))
            .await
            .expect("the rating form")
            .click()
            .await
            .expect("choose 非常满意");
        c.find(fantoccini::Locator::Css("#rating button[type=submit]"))
            .await
            .expect("the send button")
            .click()
            .await
            .expect("send the rating");
    });
    let rated = eventually(LONG, || {
        let r = hall_db::ratings(&rig.hall_db);
        (!r.is_empty()).then_some(r)
    })
    .expect("the rating stored");
    assert_eq!(rated.len(), 1);
    assert_eq!(rated[0].level, 5);
    assert!(rt.block_on(text_of(&c, "#rating")).contains("您已评价"));
    let again = reqwest::blocking::Client::new()
        .post(format!("{hall}/progress"))
        .header("origin", hall.as_str())
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("c", code.as_str()),
            ("v", query_param(&qr, "v").unwrap_or_default().as_str()),
            ("level", "1"),
            ("reason", "tooSlow"),
        ])
        .send()
        .expect("the page answers")
        .status();
    assert_eq!(again.as_u16(), 409, "one rating per application");
    assert_eq!(hall_db::ratings(&rig.hall_db).len(), 1);
    let _ = rt.block_on(c.close());
}

/// One application through the kiosk by touch words, from the card to the delivered receipt.
fn apply_once(rig: &Rig, phone: Option<&str>, consent: bool) -> serde_json::Value {
    identify(rig);
    rig.press("item QR-000172-001");
    let s = rig.press("start-form");
    if let Some(phone) = phone {
        rig.press(&format!("field phone {phone}"));
    } else {
        let s = rig.wait_show(LONG, "the number given before", |s| {
            s["knownPhone"].is_string()
        });
        assert_eq!(s["knownPhone"], "138****8000", "{s:#}");
        let s = rig.press("use-phone");
        assert_eq!(s["usesKnownPhone"], true, "{s:#}");
    }
    let _ = s;
    rig.press("field reason expired");
    let s = rig.press("field declaration true");
    assert_eq!(s["fieldErrors"], serde_json::json!([]), "{s:#}");
    for _ in 0..3 {
        rig.press("next");
    }
    if consent {
        rig.press("notify-consent");
    }
    rig.press("submit");
    let s = rig.wait_show(LONG, "the delivered receipt", |s| {
        s["screen"] == "receipt" && s["submission"] == "delivered"
    });
    rig.press("home");
    rig.sim("card remove");
    rig.wait_show(LONG, "the session to end", |s| s["screen"] == "home");
    s
}

#[test]
fn a_phone_given_with_consent_is_offered_masked_next_time_and_the_hall_fills_it_in() {
    let rig = Rig::start(&KioskOptions::default());
    let staff = Hall::credential(&rig.hall_db, "staff", "clerk");
    apply_once(&rig, Some("13800138000"), true);

    // Next visit: eleven key presses become one touch; the kiosk never holds the number.
    let second = apply_once(&rig, None, false);
    let shown = second.to_string();
    assert!(!shown.contains("13800138000"), "{shown}");
    let stored = hall_db::applications(&rig.hall_db);
    assert_eq!(stored.len(), 2, "{stored:?}");
    let latest = stored
        .iter()
        .find(|a| Some(a.tracking_code.as_str()) == second["trackingCode"].as_str())
        .expect("the second application");
    let details = hall_db::application_details(&rig.hall_url(), &staff, &latest.id);
    assert_eq!(details["fields"]["phone"], "13800138000", "{details:#}");
}
