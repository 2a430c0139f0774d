//! The workbench's handlers: sign-in and out, the inboxes and the search box. The application
//! page and its steps are in [`super::case`].

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use maud::Markup;

use super::access::{departments_of, may_see, subject_codes_for};
use super::auth::{self, Signed, LOGIN_COOKIE, SESSION_COOKIE};
use super::inbox::Inbox;
use super::search::{self, Search};
use super::views::{self, Frame};
use crate::crypto::{constant_time_eq, sha256};
use crate::error::ApiError;
use crate::state::{today_local, AppState};
use crate::store::staff::{AuditEntry, InboxQuery, InboxRow, Role};
use crate::store::Store;

pub use super::case::{act, application};

/// A submitted form: every (name, value) pair in order (checkboxes repeat a name).
pub type Fields = Vec<(String, String)>;

/// The first value of a field.
pub fn field<'a>(form: &'a Fields, name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// An HTML answer with a status.
pub fn html(status: StatusCode, markup: Markup) -> Response {
    (status, markup).into_response()
}

/// The frame of a signed-in page.
pub fn frame<'a>(
    state: &AppState,
    signed: &'a Signed,
    title: &str,
    tab: Option<Inbox>,
) -> Frame<'a> {
    let mut warnings = Vec::new();
    if matches!(signed.account().role, Role::Supervisor | Role::Operator) {
        let cal = &state.staff.calendar;
        for year in cal.missing_years() {
            warnings.push(format!(
                "没有 {year} 年的节假日文件，办结期限暂按周一至周五计算。请添加 holidays/{year}.toml。"
            ));
        }
        for year in cal.provisional_years() {
            warnings.push(format!(
                "{year} 年的节假日文件为暂定版本，请按国务院办公厅通知核对 holidays/{year}.toml。"
            ));
        }
    }
    Frame {
        account: signed.account(),
        csrf: &signed.session.csrf,
        title: title.to_owned(),
        tab,
        warnings,
    }
}

/// The answer to a POST whose CSRF token is missing or wrong.
pub fn csrf_refused() -> Response {
    html(
        StatusCode::FORBIDDEN,
        views::message(
            None,
            "请求被拒绝",
            "安全校验未通过（表单已失效或来源不明）。请返回工作台刷新页面后重新操作。",
            Some("/staff/"),
        ),
    )
}

/// Why a workbench POST was turned away before its handler looked at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The body was not a form.
    BadForm,
    /// The CSRF token was missing or wrong.
    Csrf,
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::Csrf => csrf_refused(),
            Refused::BadForm => html(
                StatusCode::BAD_REQUEST,
                views::message(
                    None,
                    "请求有误",
                    "提交的表单无法识别，请返回刷新页面后重试。",
                    Some("/staff/"),
                ),
            ),
        }
    }
}

/// Reads a form, or says the body was not one.
fn read_form(form: Result<Form<Fields>, FormRejection>) -> Result<Fields, Refused> {
    form.map(|Form(f)| f).map_err(|_| Refused::BadForm)
}

/// Reads a signed-in POST's form and checks its CSRF field: the one gate of every
/// workbench POST but the sign-in.
pub fn signed_form(
    signed: &Signed,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Fields, Refused> {
    let form = read_form(form)?;
    if auth::csrf_ok(&signed.session.csrf, field(&form, "csrf")) {
        Ok(form)
    } else {
        tracing::info!(staff = %signed.account().name, "workbench POST refused: CSRF token missing or wrong");
        Err(Refused::Csrf)
    }
}

/// `/staff/`: the role's first inbox.
pub async fn home(signed: Signed) -> Redirect {
    Redirect::to(&format!(
        "/staff/inbox/{}",
        Inbox::home(signed.account().role).slug()
    ))
}

fn login_page(state: &AppState, status: StatusCode, message: Option<&str>) -> Response {
    let Ok(nonce) = auth::new_token() else {
        return ApiError::from(crate::HallError::Crypto("no random source".into())).into_response();
    };
    let cookie = auth::set_cookie(LOGIN_COOKIE, &nonce, state.staff.settings.secure_cookies);
    (
        status,
        [(header::SET_COOKIE, cookie)],
        views::login(&nonce, message),
    )
        .into_response()
}

/// The sign-in form.
pub async fn login_form(State(state): State<Arc<AppState>>) -> Response {
    login_page(&state, StatusCode::OK, None)
}

/// Signs in: the form's token must match its cookie; a locked account is refused before its
/// password is checked; five failures lock it for fifteen minutes.
pub async fn login(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Response, ApiError> {
    let form = match read_form(form) {
        Ok(f) => f,
        Err(r) => return Ok(r.into_response()),
    };
    let expected = auth::cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if !auth::csrf_ok(expected, field(&form, "csrf")) {
        return Ok(csrf_refused());
    }
    let name = field(&form, "name")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let password = zeroize::Zeroizing::new(field(&form, "password").unwrap_or("").to_owned());
    let wrong = "用户名或密码错误。";
    if !hall_api::is_valid_principal_id(&name) || password.is_empty() || password.len() > 256 {
        return Ok(login_page(&state, StatusCode::UNAUTHORIZED, Some(wrong)));
    }
    let now = Utc::now();
    let Some(account) = state
        .store
        .staff_account(&name)
        .await?
        .filter(|a| !a.revoked)
    else {
        // The same work as a real check, so the answer's timing does not tell which names exist.
        let pw = password.clone();
        let _ = tokio::task::spawn_blocking(move || auth::verify_password(auth::dummy_hash(), &pw))
            .await;
        tracing::info!(staff = %name, "workbench sign-in refused: unknown or revoked account");
        return Ok(login_page(&state, StatusCode::UNAUTHORIZED, Some(wrong)));
    };
    if let Some(until) = account.locked_until.filter(|u| *u > now) {
        let text = format!(
            "该账号因多次密码错误已锁定，请于 {} 后再试，或请管理员重置密码。",
            views::local(until)
        );
        return Ok(login_page(&state, StatusCode::FORBIDDEN, Some(&text)));
    }
    let hash = account.password_hash.clone();
    let pw = password.clone();
    let good = tokio::task::spawn_blocking(move || auth::verify_password(&hash, &pw))
        .await
        .map_err(|e| crate::HallError::Internal(format!("password check: {e}")))?;
    if !good {
        let s = &state.staff.settings;
        let locked = state
            .store
            .staff_sign_in_failed(&name, now, s.max_failures, s.lockout)
            .await?;
        tracing::info!(staff = %name, locked = locked.is_some(), "workbench sign-in refused: wrong password");
        let text = match locked {
            Some(until) => format!("密码错误次数过多，账号已锁定至 {}。", views::local(until)),
            None => wrong.to_owned(),
        };
        return Ok(login_page(&state, StatusCode::UNAUTHORIZED, Some(&text)));
    }
    let token = auth::new_token()?;
    let csrf = auth::new_token()?;
    state
        .store
        .open_staff_session(
            &name,
            sha256(token.as_bytes()),
            csrf,
            now,
            state.staff.settings.idle,
        )
        .await?;
    tracing::info!(staff = %name, role = account.role.as_str(), "workbench sign-in");
    let secure = state.staff.settings.secure_cookies;
    let mut resp = Redirect::to("/staff/").into_response();
    let h = resp.headers_mut();
    for c in [
        auth::set_cookie(SESSION_COOKIE, &token, secure),
        auth::clear_cookie(LOGIN_COOKIE, secure),
    ] {
        if let Ok(v) = c.parse() {
            h.append(header::SET_COOKIE, v);
        }
    }
    Ok(resp)
}

/// Signs out.
pub async fn logout(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Response, ApiError> {
    if let Err(r) = signed_form(&signed, form) {
        return Ok(r.into_response());
    }
    state.store.close_staff_session(signed.token_hash).await?;
    let cookie = auth::clear_cookie(SESSION_COOKIE, state.staff.settings.secure_cookies);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/staff/login")).into_response())
}

/// Department names of a row, from the catalog.
fn department_names(state: &AppState) -> impl Fn(&InboxRow) -> String + '_ {
    let catalog = state.catalog();
    move |r: &InboxRow| {
        departments_of(&catalog.catalog, &r.subject_type, &r.subject_code)
            .iter()
            .map(|d| {
                catalog
                    .catalog
                    .department(d)
                    .map_or_else(|| d.clone(), |x| x.name.clone())
            })
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// An inbox.
pub async fn inbox(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let Some(which) = Inbox::from_slug(&name) else {
        let f = frame(&state, &signed, "未找到", None);
        return Ok(html(
            StatusCode::NOT_FOUND,
            views::message(Some(&f), "未找到", "没有这个待办分类。", Some("/staff/")),
        ));
    };
    let account = signed.account();
    let today = today_local();
    let soon = state.staff.calendar.add_working_days(today, 2);
    let mut query = InboxQuery {
        statuses: which.statuses(),
        limit: 200,
        ..InboxQuery::default()
    };
    if account.role == Role::Reviewer {
        query.subject_codes = Some(subject_codes_for(
            &state.catalog().catalog,
            &account.departments,
        ));
    }
    match which {
        Inbox::DueSoon => {
            query.due_from = Some(today);
            query.due_to = Some(soon);
        }
        Inbox::Overdue => query.due_to = today.pred_opt(),
        _ => {}
    }
    let rows = state.store.inbox(query).await?;
    let f = frame(&state, &signed, which.label_zh(), Some(which));
    let names = department_names(&state);
    // The supervisor's view of deadlines: how many per department.
    let per_department: Vec<(String, usize)> = if matches!(which, Inbox::Overdue | Inbox::DueSoon)
        && matches!(account.role, Role::Supervisor | Role::Operator)
    {
        let mut counts = std::collections::BTreeMap::<String, usize>::new();
        for r in &rows {
            *counts.entry(names(r)).or_default() += 1;
        }
        counts.into_iter().collect()
    } else {
        Vec::new()
    };
    let body = maud::html! {
        @if !per_department.is_empty() {
            div.card {
                h2 { "按部门统计" }
                table id="per-department" {
                    thead { tr { th { "部门" } th { (which.label_zh()) } } }
                    tbody { @for (d, n) in &per_department { tr { td { (d) } td { (n) } } } }
                }
            }
        }
        div.card {
            h2 { (which.label_zh()) " " span.sub #count { "共 " (rows.len()) " 件" } }
            (views::table(&rows, &names, today, soon))
        }
    };
    Ok(html(StatusCode::OK, views::page(&f, body)))
}

/// The search box: a code or the receipt QR's URL opens the application; an ID number lists
/// the applicant's applications (exact match through the keyed hash; each search audited).
pub async fn search(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Response, ApiError> {
    let form = match signed_form(&signed, form) {
        Ok(f) => f,
        Err(r) => return Ok(r.into_response()),
    };
    let f = frame(&state, &signed, "查找办件", None);
    let say = |status: StatusCode, text: &str| {
        html(status, views::message(Some(&f), "查找办件", text, None))
    };
    let parsed = match search::parse(field(&form, "q").unwrap_or("")) {
        Ok(p) => p,
        Err(e) => return Ok(say(StatusCode::UNPROCESSABLE_ENTITY, e.message_zh())),
    };
    let catalog = state.catalog();
    match parsed {
        Search::Receipt { code, verifier } => {
            let Some(rec) = state.store.application_by_tracking(&code).await? else {
                return Ok(say(
                    StatusCode::NOT_FOUND,
                    &format!("未找到办件编号为 {code} 的办件，请核对后重试。"),
                ));
            };
            if let Some(v) = verifier {
                if !constant_time_eq(&state.secrets.verifier_hash(&v), &rec.verifier_hash) {
                    return Ok(say(
                        StatusCode::NOT_FOUND,
                        "回执二维码的校验码与办件编号不符，请核对回执或手工输入办件编号。",
                    ));
                }
            }
            let depts = departments_of(&catalog.catalog, &rec.subject_type, &rec.subject_code);
            if !may_see(signed.account(), &depts) {
                return Ok(say(
                    StatusCode::FORBIDDEN,
                    "该办件属于其他部门，您无权查看。",
                ));
            }
            Ok(Redirect::to(&format!("/staff/applications/{}", rec.id)).into_response())
        }
        Search::IdNumber(number) => {
            let key = state.secrets.applicant_key(&number);
            let found = state.store.applications_of(key, 50).await?;
            state
                .store
                .audit(AuditEntry {
                    at: Utc::now(),
                    staff: signed.account().name.clone(),
                    action: "search-id-number".into(),
                    application_id: None,
                    detail: Some(format!("{} found", found.len())),
                })
                .await?;
            tracing::info!(staff = %signed.account().name, found = found.len(), "staff searched by ID number");
            let rows: Vec<InboxRow> = found
                .into_iter()
                .filter(|r| {
                    may_see(
                        signed.account(),
                        &departments_of(&catalog.catalog, &r.subject_type, &r.subject_code),
                    )
                })
                .map(|r| InboxRow {
                    id: r.id,
                    tracking_code: r.tracking_code,
                    subject_type: r.subject_type,
                    subject_code: r.subject_code,
                    subject_name: r.subject_name,
                    status: r.status,
                    received_at: r.received_at,
                    due_on: None,
                    handler: None,
                })
                .collect();
            let today = today_local();
            let soon = state.staff.calendar.add_working_days(today, 2);
            let names = department_names(&state);
            let body = maud::html! {
                div.card {
                    h2 { "申请人 " (vocab::mask::mask_id_number(&number)) " 的办件" }
                    (views::table(&rows, &names, today, soon))
                }
            };
            Ok(html(StatusCode::OK, views::page(&f, body)))
        }
    }
}

/// Used by [`super::case`]: an audit line.
pub async fn audit(
    store: &dyn Store,
    staff: &str,
    action: &str,
    application_id: &str,
    detail: Option<String>,
) -> Result<(), ApiError> {
    store
        .audit(AuditEntry {
            at: Utc::now(),
            staff: staff.to_owned(),
            action: action.to_owned(),
            application_id: Some(application_id.to_owned()),
            detail,
        })
        .await?;
    Ok(())
}
