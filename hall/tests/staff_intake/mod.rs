//! Counter intake (无差别综合受理) against the real hall on loopback with a real SQLite store
//! (part of the `authorisation` binary): the front desk takes an application at the window
//! for any department (channel 综合窗口, in that department's reviewer's inbox, audited, with
//! a printable receipt and its QR code); bad input is shown next to its field and stores
//! nothing; a resubmitted form stores one application; a 代办 agent is sealed, masked on the
//! page and absent from the logs; a reviewer takes in only their department's items (channel
//! 部门窗口); the report's 无差别综合受理率 follows.
// Test helpers: a panic is how they report a failure.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use hall_api::form::FieldKind;
use reqwest::StatusCode;

use crate::authorisation::common::*;
use hall::store::staff::Role;
use hall::store::PrincipalKind;

/// A signed-in browser without JavaScript: the session cookie and the CSRF token.
struct Staff {
    http: reqwest::Client,
    base: String,
    cookie: String,
    csrf: String,
}

/// What a page answered.
struct Answer {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn answer(resp: reqwest::Response) -> Answer {
    let status = resp.status();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Answer {
        status,
        location,
        body: resp.text().await.unwrap(),
    }
}

fn hidden(html: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let at = html.find(&needle).unwrap_or_else(|| panic!("{name}")) + needle.len();
    html[at..at + html[at..].find('"').unwrap()].to_owned()
}

fn set_cookie(resp: &reqwest::Response, name: &str) -> String {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            let first = c.split(';').next()?;
            first
                .starts_with(&format!("{name}="))
                .then(|| first.to_owned())
        })
        .unwrap_or_else(|| panic!("cookie {name}"))
}

impl Staff {
    async fn sign_in(base: &str, name: &str, password: &str) -> Staff {
        let http = client();
        let form = http
            .get(format!("{base}/staff/login"))
            .send()
            .await
            .unwrap();
        let nonce_cookie = set_cookie(&form, "hall_staff_login");
        let nonce = hidden(&form.text().await.unwrap(), "csrf");
        let done = http
            .post(format!("{base}/staff/login"))
            .header("cookie", nonce_cookie)
            .form(&[
                ("csrf", nonce.as_str()),
                ("name", name),
                ("password", password),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        let cookie = set_cookie(&done, "hall_staff");
        let mut staff = Staff {
            http,
            base: base.to_owned(),
            cookie,
            csrf: String::new(),
        };
        let home = staff.get("/staff/inbox/new").await;
        assert_eq!(home.status, StatusCode::OK);
        staff.csrf = hidden(&home.body, "csrf");
        staff
    }

    async fn get(&self, path: &str) -> Answer {
        answer(
            self.http
                .get(format!("{}{path}", self.base))
                .header("cookie", &self.cookie)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    async fn post(&self, path: &str, form: &[(String, String)]) -> Answer {
        answer(
            self.http
                .post(format!("{}{path}", self.base))
                .header("cookie", &self.cookie)
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }
}

async fn account(hall: &TestHall, name: &str, role: Role, depts: &[String]) -> String {
    let pw = hall::staff::auth::add_account(hall.store.as_ref(), name, role, depts, name)
        .await
        .unwrap()
        .to_string();
    crate::authorisation::common::password_chosen(&hall.store, name).await;
    pw
}

fn db(hall: &TestHall) -> rusqlite::Connection {
    rusqlite::Connection::open(&hall.db).unwrap()
}

/// A valid ID number other than [`ID_NUMBER`] (the agent's).
fn agent_id_number() -> String {
    let body = "33010219850312004";
    format!("{body}{}", vocab::id_number::check_char(body).unwrap())
}

const AGENT_NAME: &str = "欧阳代办";

/// A complete, valid intake form for `code` as the page issued it (its CSRF and key).
fn valid_form(hall: &TestHall, code: &str, page: &str) -> Vec<(String, String)> {
    let catalog = hall.state.catalog();
    let c = &catalog.catalog;
    let (schema, materials) = match c.item(code) {
        Some(item) => (item.form.clone(), item.materials.clone()),
        None => {
            let b = c.bundle(code).unwrap();
            let materials = c.bundle_materials(b).into_iter().map(|m| m.material);
            (c.bundle_form(b), materials.collect())
        }
    };
    let mut form: Vec<(String, String)> = vec![
        ("csrf".into(), hidden(page, "csrf")),
        ("intake_key".into(), hidden(page, "intake_key")),
        ("applicant.idNumber".into(), ID_NUMBER.into()),
        ("applicant.name".into(), "张三".into()),
    ];
    for f in &schema.fields {
        if hall::staff::intake_form::from_applicant(f) {
            continue;
        }
        let value = match &f.kind {
            FieldKind::Phone => "13812345678".to_owned(),
            FieldKind::Checkbox => "on".to_owned(),
            FieldKind::Date => "2024-05-01".to_owned(),
            FieldKind::Number => "1".to_owned(),
            FieldKind::IdNumber => ID_NUMBER.to_owned(),
            FieldKind::Select { options } => options[0].value.clone(),
            FieldKind::Text | FieldKind::Address => "城关镇人民路1号".to_owned(),
        };
        form.push((format!("f.{}", f.key), value));
    }
    for m in &materials {
        form.push((format!("m.{}", m.code), "window".into()));
    }
    form.push(("delivery".into(), "pickup".into()));
    form.push(("accept".into(), "on".into()));
    form
}

fn set(form: &mut Vec<(String, String)>, name: &str, value: &str) {
    form.retain(|(k, _)| k != name);
    form.push((name.to_owned(), value.to_owned()));
}

fn applications(hall: &TestHall) -> Vec<(String, String, String, String)> {
    db(hall)
        .prepare("SELECT id, channel, kiosk_id, status FROM applications ORDER BY received_at")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// An item of another department than [`ITEM`]'s.
fn other_item(hall: &TestHall) -> (String, String) {
    let catalog = hall.state.catalog();
    let mine = &catalog.catalog.item(ITEM).unwrap().department;
    let other = catalog
        .catalog
        .items
        .iter()
        .find(|i| &i.department != mine)
        .unwrap();
    (other.code.clone(), other.department.clone())
}

fn figure(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("{id}"));
    let start = at + html[at..].find('>').unwrap() + 1;
    html[start..start + html[start..].find('<').unwrap()].to_owned()
}

#[tokio::test]
async fn the_front_desk_takes_any_departments_application_at_the_window() {
    let running = start().await;
    let hall = &running.hall;
    let base = &running.base;
    let dept = hall
        .state
        .catalog()
        .catalog
        .item(ITEM)
        .unwrap()
        .department
        .clone();
    let desk_pw = account(hall, "desk-wang", Role::FrontDesk, &[]).await;
    let rev_pw = account(hall, "rev-li", Role::Reviewer, &[dept]).await;
    let desk = Staff::sign_in(base, "desk-wang", &desk_pw).await;

    let picker = desk.get("/staff/intake").await;
    assert_eq!(picker.status, StatusCode::OK);
    assert!(picker
        .body
        .contains(&format!("href=\"/staff/intake/{ITEM}\"")));
    assert!(
        picker.body.contains("href=\"/staff/intake\""),
        "the navigation links it"
    );
    let (other, _) = other_item(hall);
    assert!(
        picker.body.contains(&format!("/staff/intake/{other}")),
        "every department"
    );
    let found = desk
        .get("/staff/intake?q=%E7%A4%BE%E4%BC%9A%E4%BF%9D%E9%9A%9C%E5%8D%A1")
        .await;
    assert!(
        found.body.contains(&format!("/staff/intake/{ITEM}")),
        "社会保障卡 finds it"
    );
    assert!(
        !found.body.contains(&format!("/staff/intake/{other}\"")),
        "and not others"
    );

    let page = desk.get(&format!("/staff/intake/{ITEM}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<script"));
    let done = desk
        .post(
            &format!("/staff/intake/{ITEM}"),
            &valid_form(hall, ITEM, &page.body),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let stored = applications(hall);
    assert_eq!(stored.len(), 1);
    let (id, channel, owner, status) = &stored[0];
    assert_eq!(
        done.location.as_deref(),
        Some(format!("/staff/applications/{id}").as_str())
    );
    assert_eq!(
        (channel.as_str(), owner.as_str()),
        ("counter", "window:desk-wang")
    );
    assert_eq!(status, "accepted", "受理 at once, as the desk chose");
    let (due, accepted_by): (Option<String>, String) = db(hall)
        .query_row(
            "SELECT w.due_on, s.staff FROM application_work w, application_steps s
             WHERE w.application_id = ?1 AND s.application_id = ?1 AND s.seq = 2",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(due.is_some(), "the due date counts from 受理");
    assert_eq!(accepted_by, "desk-wang");
    let audit: Vec<(String, String, Option<String>)> = db(hall)
        .prepare(
            "SELECT staff, action, detail FROM staff_audit WHERE application_id = ?1 ORDER BY seq",
        )
        .unwrap()
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        audit[0],
        ("desk-wang".into(), "intake".into(), Some("综合窗口".into()))
    );

    let shown = desk.get(&format!("/staff/applications/{id}")).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown.body.contains("综合窗口（desk-wang）"),
        "{}",
        shown.body
    );
    assert!(shown.body.contains("窗口已收取"));
    assert!(shown.body.contains("1101**********002X") && !shown.body.contains(ID_NUMBER));
    let tracking: String = db(hall)
        .query_row(
            "SELECT tracking_code FROM applications WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert!(shown.body.contains(&tracking));

    let receipt = desk.get(&format!("/staff/applications/{id}/receipt")).await;
    assert_eq!(receipt.status, StatusCode::OK);
    assert!(receipt.body.contains(&tracking));
    let verifier = figure(&receipt.body, "receipt-verifier");
    let url = figure(&receipt.body, "receipt-url");
    assert_eq!(
        url,
        format!("{base}/progress?c={tracking}&amp;v={verifier}")
    );
    assert!(receipt.body.contains("<svg") && receipt.body.contains("<path d=\"M"));
    assert!(!receipt.body.contains(ID_NUMBER) && !receipt.body.contains("张三"));
    // The QR's address is the citizen's progress page for this application.
    let progress = client()
        .get(format!("{base}/progress?c={tracking}&v={verifier}"))
        .send()
        .await
        .unwrap();
    assert_eq!(progress.status(), StatusCode::OK);
    assert!(progress.text().await.unwrap().contains(&tracking));

    // In the department's reviewer's inbox.
    let rev = Staff::sign_in(base, "rev-li", &rev_pw).await;
    let inbox = rev.get("/staff/inbox/accepted").await;
    assert!(inbox.body.contains(&tracking), "{}", inbox.body);
}

#[tokio::test]
async fn a_bundle_is_taken_in_as_one_application() {
    let running = start().await;
    let hall = &running.hall;
    let bundle = hall.state.catalog().catalog.bundles[0].clone();
    let pw = account(hall, "desk", Role::FrontDesk, &[]).await;
    let desk = Staff::sign_in(&running.base, "desk", &pw).await;
    let picker = desk.get("/staff/intake").await;
    assert!(picker
        .body
        .contains(&format!("/staff/intake/{}", bundle.code)));
    let page = desk.get(&format!("/staff/intake/{}", bundle.code)).await;
    assert_eq!(page.status, StatusCode::OK);
    let done = desk
        .post(
            &format!("/staff/intake/{}", bundle.code),
            &valid_form(hall, &bundle.code, &page.body),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let (kind, code): (String, String) = db(hall)
        .query_row(
            "SELECT subject_type, subject_code FROM applications",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (kind.as_str(), code.as_str()),
        ("bundle", bundle.code.as_str())
    );
}

#[tokio::test]
async fn bad_input_is_shown_next_to_its_field_and_nothing_is_stored() {
    let running = start().await;
    let hall = &running.hall;
    let pw = account(hall, "desk", Role::FrontDesk, &[]).await;
    let desk = Staff::sign_in(&running.base, "desk", &pw).await;
    let page = desk.get(&format!("/staff/intake/{ITEM}")).await;
    let mut form = valid_form(hall, ITEM, &page.body);
    let wrong_check = format!("{}1", &ID_NUMBER[..17]);
    set(&mut form, "applicant.idNumber", &wrong_check);
    set(&mut form, "f.phone", "");
    set(&mut form, "applicant.name", "张三丰");
    let refused = desk.post(&format!("/staff/intake/{ITEM}"), &form).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains("id=\"errors\""));
    assert!(
        refused
            .body
            .contains("<p class=\"field-error\" id=\"applicant-id-err\">公民身份号码有误</p>"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("id=\"f-phone-err\">"),
        "next to the phone field"
    );
    assert!(refused.body.contains("必填，请填写"));
    assert!(
        refused.body.contains("value=\"张三丰\""),
        "what was typed is kept"
    );
    assert_eq!(
        hidden(&refused.body, "intake_key"),
        hidden(&page.body, "intake_key")
    );
    assert_eq!(hall.count("applications"), 0);
    assert_eq!(hall.count("idempotency"), 0);

    // A 代办 ticked without its details, and an owed material marked not applicable.
    let mut form = valid_form(hall, ITEM, &page.body);
    set(&mut form, "agent", "on");
    set(&mut form, "agent.idNumber", ID_NUMBER);
    let required = hall
        .state
        .catalog()
        .catalog
        .item(ITEM)
        .unwrap()
        .materials
        .iter()
        .find(|m| m.required)
        .unwrap()
        .clone();
    set(&mut form, &format!("m.{}", required.code), "na");
    let refused = desk.post(&format!("/staff/intake/{ITEM}"), &form).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains("代办人姓名：请填写1至30个字"));
    assert!(refused.body.contains("代办人不能是申请人本人"));
    assert!(refused.body.contains("请选择代办人与申请人的关系"));
    assert!(refused
        .body
        .contains(&format!("「{}」为必须提交的材料", required.name)));
    assert_eq!(hall.count("applications"), 0);

    // Corrected, the same form (its key) goes through.
    let done = desk
        .post(
            &format!("/staff/intake/{ITEM}"),
            &valid_form(hall, ITEM, &page.body),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(hall.count("applications"), 1);

    // Without the CSRF token: refused, nothing stored.
    let page = desk.get(&format!("/staff/intake/{ITEM}")).await;
    let mut form = valid_form(hall, ITEM, &page.body);
    form.retain(|(k, _)| k != "csrf");
    let refused = desk.post(&format!("/staff/intake/{ITEM}"), &form).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(hall.count("applications"), 1);
}

#[tokio::test]
async fn a_form_posted_twice_stores_one_application() {
    let running = start().await;
    let hall = &running.hall;
    let pw = account(hall, "desk", Role::FrontDesk, &[]).await;
    let desk = Staff::sign_in(&running.base, "desk", &pw).await;
    let page = desk.get(&format!("/staff/intake/{ITEM}")).await;
    let form = valid_form(hall, ITEM, &page.body);
    let path = format!("/staff/intake/{ITEM}");
    let (first, second) = tokio::join!(desk.post(&path, &form), desk.post(&path, &form));
    let third = desk.post(&path, &form).await;
    for a in [&first, &second, &third] {
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
        assert_eq!(a.location, first.location);
    }
    assert_eq!(hall.count("applications"), 1);
    assert_eq!(hall.count("timeline"), 2, "submitted and accepted once");

    // The same form changed after it was stored: said so, nothing overwritten or added.
    let mut edited = form.clone();
    set(&mut edited, "applicant.name", "李四");
    let refused = desk.post(&path, &edited).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("这张受理表单已经提交"));
    assert!(refused.body.contains(first.location.as_deref().unwrap()));
    assert_eq!(hall.count("applications"), 1);
    // Or posted to another item's address.
    let (other, _) = other_item(hall);
    let elsewhere = desk.post(&format!("/staff/intake/{other}"), &form).await;
    assert_eq!(elsewhere.status, StatusCode::CONFLICT, "{}", elsewhere.body);
    assert_eq!(hall.count("applications"), 1);

    // A new form (a new key) is a new application, left 已提交 when the desk says so.
    let page = desk.get(&path).await;
    let mut next = valid_form(hall, ITEM, &page.body);
    next.retain(|(k, _)| k != "accept");
    assert_eq!(desk.post(&path, &next).await.status, StatusCode::SEE_OTHER);
    let statuses: Vec<String> = applications(hall).into_iter().map(|a| a.3).collect();
    assert_eq!(
        statuses,
        vec!["accepted".to_owned(), "submitted".to_owned()]
    );
}

/// Collects what the hall logs.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// One thread: the server's tasks log into this test's subscriber.
#[tokio::test(flavor = "current_thread")]
async fn a_proxy_application_records_the_agent_sealed_masked_and_out_of_the_logs() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // With a single live dispatcher, tracing asks only the registering thread's default about a
    // new callsite, so one first hit on another test's thread would mute it here for good; a
    // second (silent) dispatcher makes every registration ask all of them.
    let _second = tracing::Dispatch::new(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(std::io::sink)
            .finish(),
    );
    let running = start().await;
    let hall = &running.hall;
    let pw = account(hall, "desk", Role::FrontDesk, &[]).await;
    let desk = Staff::sign_in(&running.base, "desk", &pw).await;
    let page = desk.get(&format!("/staff/intake/{ITEM}")).await;
    let agent_id = agent_id_number();
    let mut form = valid_form(hall, ITEM, &page.body);
    for (k, v) in [
        ("agent", "on"),
        ("agent.name", AGENT_NAME),
        ("agent.idNumber", agent_id.as_str()),
        ("agent.relation", "child"),
    ] {
        set(&mut form, k, v);
    }
    // Callsites other tests' threads registered before the second dispatcher: ask again.
    tracing::callsite::rebuild_interest_cache();
    let done = desk.post(&format!("/staff/intake/{ITEM}"), &form).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let id = applications(hall)[0].0.clone();

    let shown = desk.get(&format!("/staff/applications/{id}")).await;
    let masked = format!("{}**********{}", &agent_id[..4], &agent_id[14..]);
    assert!(
        shown.body.contains(AGENT_NAME) && shown.body.contains(&masked),
        "{}",
        shown.body
    );
    assert!(shown.body.contains("子女"));
    assert!(
        !shown.body.contains(&agent_id),
        "the agent's number only masked"
    );
    assert!(
        shown.body.contains("窗口收件 综合窗口（代办）"),
        "counted in the audit trail"
    );
    let receipt = desk.get(&format!("/staff/applications/{id}/receipt")).await;
    assert!(receipt.body.contains(&masked) && !receipt.body.contains(AGENT_NAME));
    let proxies: i64 = db(hall)
        .query_row(
            "SELECT COUNT(*) FROM staff_audit WHERE action = 'intake' AND detail LIKE '%代办%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(proxies, 1);

    // Sealed at rest: neither the agent's number nor name is in the database in clear.
    for file in ["hall.db", "hall.db-wal"] {
        let raw = std::fs::read(hall.dir.path().join(file)).unwrap_or_default();
        for secret in [
            agent_id.as_bytes(),
            AGENT_NAME.as_bytes(),
            ID_NUMBER.as_bytes(),
        ] {
            assert!(!raw.windows(secret.len()).any(|w| w == secret), "{file}");
        }
    }
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("application taken in at a window"), "{logs}");
    assert!(logs.contains("proxy=true"), "{logs}");
    for secret in [
        agent_id.as_str(),
        AGENT_NAME,
        ID_NUMBER,
        "张三",
        "13812345678",
    ] {
        assert!(!logs.contains(secret), "{secret:?} in the logs: {logs}");
    }
}

#[tokio::test]
async fn a_reviewer_takes_in_only_their_departments_items_at_their_window() {
    let running = start().await;
    let hall = &running.hall;
    let dept = hall
        .state
        .catalog()
        .catalog
        .item(ITEM)
        .unwrap()
        .department
        .clone();
    let (other, _) = other_item(hall);
    let pw = account(hall, "rev", Role::Reviewer, &[dept]).await;
    let cb_pw = account(hall, "cb", Role::Callback, &[]).await;
    let rev = Staff::sign_in(&running.base, "rev", &pw).await;

    let picker = rev.get("/staff/intake").await;
    assert!(picker.body.contains(&format!("/staff/intake/{ITEM}\"")));
    assert!(!picker.body.contains(&format!("/staff/intake/{other}\"")));
    let refused = rev.get(&format!("/staff/intake/{other}")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("部门窗口只能受理本部门的事项"));

    // A form for their own item posted to another department's address: refused too.
    let page = rev.get(&format!("/staff/intake/{ITEM}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let form = valid_form(hall, ITEM, &page.body);
    let refused = rev.post(&format!("/staff/intake/{other}"), &form).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(hall.count("applications"), 0);

    let done = rev.post(&format!("/staff/intake/{ITEM}"), &form).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(applications(hall)[0].1, "department");

    let cb = Staff::sign_in(&running.base, "cb", &cb_pw).await;
    assert_eq!(cb.get("/staff/intake").await.status, StatusCode::FORBIDDEN);
    assert!(!cb
        .get("/staff/inbox/callback")
        .await
        .body
        .contains("href=\"/staff/intake\""));
    assert_eq!(
        cb.get(&format!("/staff/intake/{ITEM}")).await.status,
        StatusCode::FORBIDDEN
    );
}

/// One valid application for [`ITEM`] taken in by `who`.
async fn take_one(hall: &TestHall, who: &Staff) {
    let page = who.get(&format!("/staff/intake/{ITEM}")).await;
    let a = who
        .post(
            &format!("/staff/intake/{ITEM}"),
            &valid_form(hall, ITEM, &page.body),
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
}

#[tokio::test]
async fn the_report_counts_window_intake_in_the_unified_rate() {
    let running = start().await;
    let hall = &running.hall;
    let base = &running.base;
    let dept = hall
        .state
        .catalog()
        .catalog
        .item(ITEM)
        .unwrap()
        .department
        .clone();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "zizhu-01").await;
    let mut req = request(
        "POST",
        "/api/v1/applications",
        Some(&kiosk),
        Some(application_body()),
    );
    req.headers_mut()
        .insert("idempotency-key", "report-intake-1".parse().unwrap());
    let (status, _, body) = call(&hall.router(), req).await;
    assert_eq!(status, axum::http::StatusCode::CREATED, "{body}");

    let sup_pw = account(hall, "sup", Role::Supervisor, &[]).await;
    let rev_pw = account(hall, "rev", Role::Reviewer, &[dept]).await;
    let desk_pw = account(hall, "desk", Role::FrontDesk, &[]).await;
    let sup = Staff::sign_in(base, "sup", &sup_pw).await;
    let today = hall::state::today_local().format("%Y-%m-%d").to_string();
    let report = format!("/staff/reports?period=day&date={today}&department=");
    let rate = |html: &str| figure(html, "fig-unified");
    assert_eq!(
        rate(&sup.get(&report).await.body),
        "100.0%",
        "one kiosk application"
    );

    let rev = Staff::sign_in(base, "rev", &rev_pw).await;
    take_one(hall, &rev).await;
    let page = sup.get(&report).await;
    assert_eq!(
        rate(&page.body),
        "50.0%",
        "a department window's intake is not unified"
    );
    let desk = Staff::sign_in(base, "desk", &desk_pw).await;
    take_one(hall, &desk).await;
    let page = sup.get(&report).await;
    assert_eq!(rate(&page.body), "66.7%", "the 综合窗口's is");
    assert_eq!(figure(&page.body, "fig-intake"), "3");
    assert!(
        !page.body.contains("window:"),
        "windows are not listed as kiosks"
    );
}
