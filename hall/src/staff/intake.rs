//! Counter intake (无差别综合受理): the front desk takes an application at the window for any
//! department, a reviewer at their own department's window, with the kiosk's form engine (the
//! catalog's schema, [`hall_api::form::validate_form`] and the hall's intake checks) and the
//! same intake path ([`crate::handlers::applications::take_in`]), so every application is in
//! one system with its channel recorded. A 代办 records the agent, sealed with the applicant's
//! data. The form carries an idempotency key: a resubmitted form stores one application.
//! Reading the posted form into an application is in [`super::intake_form`]; the HTML in
//! [`super::intake_views`].

use std::fmt;
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use hall_api::application::{Status, Subject, TimelineEntry};
use hall_api::catalog::Catalog;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::access::{departments_of, Action};
use super::auth::Signed;
use super::intake_form::{self, Filled};
use super::intake_views::{self, FormView, PickerView};
use super::pages::{audit, field, frame, html, signed_form, Fields};
use super::views;
use crate::error::ApiError;
use crate::handlers::applications::{resolve, take_in, Origin};
use crate::state::{today_local, AppState};
use crate::store::reports::Channel;
use crate::store::staff::{Role, StaffAccount, StaffMove, StaffMoved};
use crate::store::{IdempotencyScope, Written};

/// The page title (and the navigation tab's label).
pub const TITLE: &str = "窗口受理";

/// What the window records besides the kiosk's payload; sealed with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CounterRecord {
    /// The staff member who took the application in.
    pub staff: String,
    /// `counter` (综合窗口) or `department` (a department's own window).
    pub channel: String,
    /// The 代办 agent, when someone applied on behalf of the applicant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<Agent>,
    /// Material codes handed in at the window.
    #[serde(default)]
    pub at_window: Vec<String>,
}

/// Someone applying on behalf of the applicant (代办). Personal data: its `Debug` output is
/// masked and it is wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    /// 代办人姓名.
    pub name: String,
    /// 代办人公民身份号码 (GB 11643 checked).
    pub id_number: String,
    /// The relation's code (see [`RELATIONS`]).
    pub relation: String,
}

impl fmt::Debug for Agent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Agent")
            .field("name", &vocab::mask::mask_name(&self.name))
            .field("id_number", &vocab::mask::mask_id_number(&self.id_number))
            .field("relation", &self.relation)
            .finish()
    }
}

/// The agent's relation to the applicant: (code, label).
pub const RELATIONS: &[(&str, &str)] = &[
    ("spouse", "配偶"),
    ("parent", "父母"),
    ("child", "子女"),
    ("relative", "其他近亲属"),
    ("entrusted", "受委托人"),
    ("employer", "单位经办人"),
];

/// The label of a relation code.
pub fn relation_label(code: &str) -> &str {
    RELATIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, l)| l)
}

/// Whether a role may open the intake pages at all (callback staff may not).
pub fn may_take_in(role: Role) -> bool {
    !matches!(role, Role::Callback)
}

/// The channel an account takes an application of these departments in, or `None` when it
/// may not: the front desk, the supervisor and the operator at the 综合窗口 for every
/// department; a reviewer at their department's window, only for subjects wholly of their
/// departments.
pub fn channel_for(account: &StaffAccount, departments: &[String]) -> Option<Channel> {
    match account.role {
        Role::FrontDesk | Role::Supervisor | Role::Operator => Some(Channel::Counter),
        Role::Reviewer => (!departments.is_empty()
            && departments.iter().all(|d| account.departments.contains(d)))
        .then_some(Channel::DepartmentWindow),
        Role::Callback => None,
    }
}

/// The picker's search text (`GET /staff/intake?q=…`: item names and codes, not personal).
#[derive(Debug, Deserialize)]
pub struct PickerQuery {
    q: Option<String>,
}

fn refused(state: &AppState, signed: &Signed, text: &str) -> Response {
    let f = frame(state, signed, TITLE, None);
    html(
        StatusCode::FORBIDDEN,
        views::message(Some(&f), "无权受理", text, Some("/staff/")),
    )
}

/// `GET /staff/intake`: every item and 一件事 this account may take in, grouped by
/// department, filtered by the search text.
pub async fn picker(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    Query(q): Query<PickerQuery>,
) -> Response {
    if !may_take_in(signed.account().role) {
        return refused(&state, &signed, "您的岗位不能受理申请。");
    }
    let catalog = state.catalog();
    let query: String = q.q.unwrap_or_default().trim().chars().take(40).collect();
    let view = PickerView::build(&catalog.catalog, signed.account(), &query);
    let f = frame(&state, &signed, TITLE, None);
    html(StatusCode::OK, intake_views::picker(&f, &view))
}

/// The subject of a code (an item first, then a bundle) and its departments.
fn subject_of(catalog: &Catalog, code: &str) -> Option<(Subject, Vec<String>)> {
    if catalog.item(code).is_some() {
        Some((
            Subject::Item(code.to_owned()),
            departments_of(catalog, "item", code),
        ))
    } else if catalog.bundle(code).is_some() {
        Some((
            Subject::Bundle(code.to_owned()),
            departments_of(catalog, "bundle", code),
        ))
    } else {
        None
    }
}

/// The subject and the channel, or the page that says why not (404, 403).
fn admit(
    state: &AppState,
    signed: &Signed,
    code: &str,
) -> Result<(Subject, Vec<String>, Channel), Box<Response>> {
    if !may_take_in(signed.account().role) {
        return Err(Box::new(refused(state, signed, "您的岗位不能受理申请。")));
    }
    let catalog = state.catalog();
    let Some((subject, departments)) = subject_of(&catalog.catalog, code) else {
        let f = frame(state, signed, TITLE, None);
        return Err(Box::new(html(
            StatusCode::NOT_FOUND,
            views::message(
                Some(&f),
                "未找到",
                "事项目录中没有这个事项（可能已停办），请重新选择。",
                Some("/staff/intake"),
            ),
        )));
    };
    match channel_for(signed.account(), &departments) {
        Some(channel) => Ok((subject, departments, channel)),
        None => {
            tracing::info!(staff = %signed.account().name, subject = %code, "counter intake refused: another department's item");
            Err(Box::new(refused(
                state,
                signed,
                "该事项属于其他部门。部门窗口只能受理本部门的事项，请引导申请人到综合受理窗口。",
            )))
        }
    }
}

fn form_view<'a>(
    state: &AppState,
    signed: &Signed,
    subject: &Subject,
    channel: Channel,
    key: String,
    filled: Option<&'a Fields>,
) -> Result<FormView<'a>, ApiError> {
    let catalog = state.catalog();
    let resolved = resolve(&catalog.catalog, subject)?;
    let (code, name) = match subject {
        Subject::Item(c) => (c.clone(), catalog.catalog.item(c).map(|i| i.name.clone())),
        Subject::Bundle(c) => (c.clone(), catalog.catalog.bundle(c).map(|b| b.name.clone())),
    };
    let form = match subject {
        Subject::Item(c) => catalog
            .catalog
            .item(c)
            .map(|i| i.form.clone())
            .unwrap_or_default(),
        Subject::Bundle(c) => catalog
            .catalog
            .bundle(c)
            .map(|b| catalog.catalog.bundle_form(b))
            .unwrap_or_default(),
    };
    Ok(FormView {
        subject: subject.clone(),
        code,
        name: name.unwrap_or_default(),
        channel,
        promised_days: resolved.promised_days,
        mail_allowed: resolved.mail_allowed,
        form,
        materials: resolved.materials,
        key,
        may_accept: Action::Accept.allowed_for(signed.account().role),
        filled,
        errors: Vec::new(),
    })
}

/// `GET /staff/intake/{code}`: the generated form, with a fresh idempotency key.
pub async fn form(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let (subject, _, channel) = match admit(&state, &signed, &code) {
        Ok(found) => found,
        Err(page) => return Ok(*page),
    };
    let key = super::auth::new_token()?;
    let view = form_view(&state, &signed, &subject, channel, key, None)?;
    let f = frame(&state, &signed, TITLE, None);
    Ok(html(StatusCode::OK, intake_views::form(&f, &view)))
}

/// Whether a form's idempotency key looks like one the form page issued.
fn key_ok(key: &str) -> bool {
    (16..=64).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The keyed hash of what was posted where (the subject's code, then every field but the
/// session's CSRF token, in order): a resubmitted form has the same, an edited one another.
fn body_mac(state: &AppState, code: &str, form: &Fields) -> [u8; 32] {
    let mut parts: Vec<&[u8]> = vec![code.as_bytes(), b"\0"];
    for (k, v) in form.iter().filter(|(k, _)| k != "csrf") {
        parts.extend([k.as_bytes(), b"\0", v.as_bytes(), b"\0"]);
    }
    state.secrets.mac("counter-intake-body/form", &parts)
}

/// `POST /staff/intake/{code}`: validates every field (the page again with the messages and
/// what was typed), stores through the kiosk's intake path once per form, accepts at once if
/// asked, audits, and goes to the application page.
pub async fn submit(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    Path(code): Path<String>,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Response, ApiError> {
    let form = match signed_form(&signed, form) {
        Ok(f) => f,
        Err(r) => return Ok(r.into_response()),
    };
    let (subject, _, channel) = match admit(&state, &signed, &code) {
        Ok(found) => found,
        Err(page) => return Ok(*page),
    };
    let f = frame(&state, &signed, TITLE, None);
    let key = field(&form, "intake_key").unwrap_or("").to_owned();
    if !key_ok(&key) {
        return Ok(html(
            StatusCode::BAD_REQUEST,
            views::message(
                Some(&f),
                "表单已失效",
                "受理表单缺少编号，请重新打开受理页面填写。",
                Some(&format!("/staff/intake/{code}")),
            ),
        ));
    }
    let catalog = state.catalog();
    let resolved = resolve(&catalog.catalog, &subject)?;
    let mut view = form_view(&state, &signed, &subject, channel, key.clone(), Some(&form))?;
    let owner = format!("window:{}", signed.account().name);
    let mac = body_mac(&state, &code, &form);
    let filled = match intake_form::read(&form, &view, &catalog.catalog.version, &resolved) {
        Ok(filled) => filled,
        Err(errors) => {
            // A form stored before (the day or the catalog changed since, or it was posted to
            // another item's address) is not validated again: it answers what was stored.
            match state
                .store
                .idempotency_settled(&owner, "application", &key)
                .await?
            {
                Some((stored, id)) if crate::crypto::constant_time_eq(&stored, &mac) => {
                    return Ok(Redirect::to(&format!("/staff/applications/{id}")).into_response());
                }
                Some((_, id)) => return Ok(already_submitted(&f, Some(&id))),
                None => {}
            }
            view.errors = errors;
            return Ok(html(StatusCode::OK, intake_views::form(&f, &view)));
        }
    };
    let Filled {
        request,
        agent,
        at_window,
        accept_now,
    } = filled;
    let account = signed.account();
    let has_agent = agent.is_some();
    let record = CounterRecord {
        staff: account.name.clone(),
        channel: channel.as_str().to_owned(),
        agent,
        at_window,
    };
    let origin = Origin {
        scope: IdempotencyScope {
            kiosk_id: owner.clone(),
            kind: "application",
            key: key.clone(),
            body_mac: mac,
        },
        channel,
        counter: Some(&record),
        partner: None,
        note: None,
    };
    let rec = match take_in(&state, &request, resolved, origin).await? {
        Written::Created(rec) => rec,
        Written::Replayed(rec) => {
            tracing::info!(staff = %account.name, application = %rec.id, "counter intake resubmitted; the stored application answers");
            return Ok(Redirect::to(&format!("/staff/applications/{}", rec.id)).into_response());
        }
        Written::Conflict => {
            let earlier = state
                .store
                .idempotency_settled(&owner, "application", &key)
                .await?;
            return Ok(already_submitted(&f, earlier.map(|(_, id)| id).as_deref()));
        }
    };
    let where_zh = channel.label_zh();
    let detail = if has_agent {
        format!("{where_zh}（代办）")
    } else {
        where_zh.to_owned()
    };
    audit(
        state.store.as_ref(),
        &account.name,
        "intake",
        &rec.id,
        Some(detail),
    )
    .await?;
    tracing::info!(staff = %account.name, application = %rec.id, subject = %rec.subject_code, channel = channel.as_str(), proxy = has_agent, "application taken in at a window");
    if accept_now && Action::Accept.allowed_for(account.role) {
        accept(&state, account, &rec).await?;
    }
    Ok(Redirect::to(&format!("/staff/applications/{}", rec.id)).into_response())
}

/// 409: this form (its key) was stored before with other content; nothing is changed.
fn already_submitted(f: &super::views::Frame<'_>, earlier: Option<&str>) -> Response {
    let back = earlier.map_or_else(
        || "/staff/intake".to_owned(),
        |id| format!("/staff/applications/{id}"),
    );
    html(
        StatusCode::CONFLICT,
        views::message(
            Some(f),
            "表单已提交过",
            "这张受理表单已经提交并生成了办件，修改后的内容未保存。请查看已生成的办件；如需受理新的申请，请重新打开受理页面。",
            Some(&back),
        ),
    )
}

/// 受理 at once, as the application page's step would (its due date in working days).
async fn accept(
    state: &AppState,
    account: &StaffAccount,
    rec: &crate::store::ApplicationRecord,
) -> Result<(), ApiError> {
    let catalog = state.catalog();
    let days = resolve(&catalog.catalog, &subject_from(rec)).map_or(0, |r| r.promised_days);
    let due_on = state.staff.calendar.add_working_days(today_local(), days);
    let mv = StaffMove {
        application_id: rec.id.clone(),
        seen_version: u32::try_from(rec.timeline.len()).unwrap_or(u32::MAX),
        entry: TimelineEntry {
            status: Status::Accepted,
            at: Utc::now(),
            note: None,
        },
        staff: account.name.clone(),
        sealed_detail: None,
        due_on: Some(due_on),
        handler: None,
    };
    // The same move as the workbench's 受理: the citizen who consented is texted.
    let stage = crate::notify::events::CitizenStage::Accepted {
        due_by: Some(due_on),
    };
    match crate::notify::citizen::staff_move(state, rec, mv, Some(stage)).await? {
        StaffMoved::Done(_) => {
            tracing::info!(staff = %account.name, application = %rec.id, "counter intake accepted at once");
            Ok(())
        }
        // Someone moved it in the moment between: it stays as they left it.
        other => {
            tracing::info!(staff = %account.name, application = %rec.id, outcome = ?other, "counter intake not accepted at once");
            Ok(())
        }
    }
}

fn subject_from(rec: &crate::store::ApplicationRecord) -> Subject {
    if rec.subject_type == "bundle" {
        Subject::Bundle(rec.subject_code.clone())
    } else {
        Subject::Item(rec.subject_code.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(role: Role, departments: &[&str]) -> StaffAccount {
        StaffAccount {
            name: "x".into(),
            display: "x".into(),
            role,
            departments: departments.iter().map(|d| (*d).to_owned()).collect(),
            password_hash: String::new(),
            failed_sign_ins: 0,
            locked_until: None,
            revoked: false,
            must_change_password: false,
        }
    }

    #[test]
    fn the_front_desk_takes_every_department_a_reviewer_only_their_own() {
        let both = ["gongan".to_owned(), "renshe".to_owned()];
        let one = ["renshe".to_owned()];
        assert_eq!(
            channel_for(&account(Role::FrontDesk, &[]), &both),
            Some(Channel::Counter)
        );
        assert_eq!(
            channel_for(&account(Role::Supervisor, &[]), &one),
            Some(Channel::Counter)
        );
        let reviewer = account(Role::Reviewer, &["renshe"]);
        assert_eq!(
            channel_for(&reviewer, &one),
            Some(Channel::DepartmentWindow)
        );
        assert_eq!(
            channel_for(&reviewer, &both),
            None,
            "a bundle reaching past theirs"
        );
        assert_eq!(channel_for(&reviewer, &["gongan".into()]), None);
        assert_eq!(channel_for(&reviewer, &[]), None);
        assert_eq!(channel_for(&account(Role::Callback, &[]), &one), None);
        assert!(!may_take_in(Role::Callback) && may_take_in(Role::Reviewer));
    }

    #[test]
    fn an_agent_debug_hides_the_number_and_name() {
        let a = Agent {
            name: "李四".into(),
            id_number: "11010519491231002X".into(),
            relation: "child".into(),
        };
        let shown = format!("{a:?}");
        assert!(
            !shown.contains("11010519491231002X") && !shown.contains("李四"),
            "{shown}"
        );
        assert!(shown.contains("1101**********002X"), "{shown}");
        assert_eq!(relation_label("child"), "子女");
    }

    #[test]
    fn only_keys_the_form_page_issues_are_taken() {
        assert!(key_ok(&"a1".repeat(32)));
        assert!(!key_ok("short"));
        assert!(!key_ok(&"z".repeat(32)));
        assert!(!key_ok(&"a".repeat(65)));
    }
}
