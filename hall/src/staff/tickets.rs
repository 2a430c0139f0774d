//! The ticket queue: help requests (一键求助, 代办, 上门服务) and 办不成事 complaints. The
//! queue lists nothing personal; the ticket page unseals the text and contact and audits the
//! view. Claim, note, home visit and close are each one transaction with the staff id, the time
//! and an audit line, and a form drawn from an older version is refused, not applied.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{NaiveDate, Utc};
use hall_api::feedback::CallbackContact;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::auth::Signed;
use super::pages::{audit, field, frame, html, signed_form, Fields};
use super::tickets_views::{self as tv, StepLine, TicketPage};
use super::views;
use crate::error::ApiError;
use crate::state::{today_local, AppState};
use crate::store::followup::{
    step_context, Acted, TicketAct, TicketAction, TicketQuery, TicketRow, TicketStatus,
};
use crate::store::staff::Role;
use crate::store::PrincipalKind;

/// Front desk, supervisor and operator work tickets; reviewers and callback staff do not see
/// them.
pub fn may_work_tickets(role: Role) -> bool {
    matches!(role, Role::FrontDesk | Role::Supervisor | Role::Operator)
}

/// The workbench's links beyond the inboxes for a role: (path, label).
pub fn nav_links(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut links = Vec::new();
    if may_work_tickets(role) {
        links.push(("/staff/tickets", tv::TITLE));
    }
    if super::ratings::may_see_ratings(role) {
        links.push(("/staff/ratings", super::ratings_views::TITLE));
    }
    links
}

/// The Chinese name of a ticket category.
pub fn category_zh(category: &str) -> &str {
    match category {
        "assistance" => "一键求助",
        "proxy" => "代办",
        "homeVisit" => "上门服务",
        "banbucheng" => "办不成事",
        other => other,
    }
}

/// The categories, in the queue's filter order.
pub const CATEGORIES: [&str; 4] = ["assistance", "proxy", "homeVisit", "banbucheng"];

/// A step's details, sealed in the database.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StepDetail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    outcome: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    visit_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    visitor: Option<String>,
}

impl StepDetail {
    fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(d) = self.visit_on {
            parts.push(format!("上门日期 {d}"));
        }
        if let Some(a) = &self.address {
            parts.push(format!("地址 {a}"));
        }
        if let Some(v) = &self.visitor {
            parts.push(format!("上门人员 {v}"));
        }
        if let Some(o) = &self.outcome {
            parts.push(format!("办理结果：{o}"));
        }
        if let Some(n) = &self.note {
            parts.push(n.clone());
        }
        parts.join("；")
    }
}

fn refused(state: &AppState, signed: &Signed) -> Response {
    let f = frame(state, signed, tv::TITLE, None);
    html(
        StatusCode::FORBIDDEN,
        views::message(
            Some(&f),
            "无权访问",
            "工单由综合受理和督查人员办理，您的角色无权查看。",
            Some("/staff/"),
        ),
    )
}

fn not_found(state: &AppState, signed: &Signed) -> Response {
    let f = frame(state, signed, tv::TITLE, None);
    html(
        StatusCode::NOT_FOUND,
        views::message(Some(&f), "未找到", "没有这张工单。", Some("/staff/tickets")),
    )
}

/// `GET /staff/tickets?status=open|claimed|closed&category=…`: the queue, newest first.
pub async fn queue(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if !may_work_tickets(signed.account().role) {
        return Ok(refused(&state, &signed));
    }
    let status = q
        .get("status")
        .and_then(|s| TicketStatus::parse(s))
        .unwrap_or(TicketStatus::Open);
    let category = q
        .get("category")
        .filter(|c| CATEGORIES.contains(&c.as_str()))
        .cloned();
    let rows = state
        .store
        .tickets(TicketQuery {
            status: Some(status),
            category: category.clone(),
            limit: 200,
        })
        .await?;
    let counts = state.store.ticket_counts().await?;
    let catalog = state.catalog();
    let item_name = |r: &TicketRow| {
        r.item_code
            .as_deref()
            .and_then(|c| catalog.catalog.item(c).map(|i| i.name.clone()))
    };
    let f = frame(&state, &signed, tv::TITLE, None);
    Ok(html(
        StatusCode::OK,
        tv::queue(&f, status, category.as_deref(), &counts, &rows, &item_name),
    ))
}

async fn page_of(
    state: &AppState,
    signed: &Signed,
    id: &str,
) -> Result<Option<TicketPage>, ApiError> {
    let Some(d) = state.store.ticket_detail(id).await? else {
        return Ok(None);
    };
    let plain = Zeroizing::new(state.secrets.open(id, &d.sealed)?);
    let (text, contact): (Option<String>, Option<CallbackContact>) = serde_json::from_slice(&plain)
        .map_err(|e| crate::HallError::Corrupt(format!("ticket {id}: {e}")))?;
    let mut steps = Vec::new();
    for s in &d.steps {
        let detail = match &s.sealed_detail {
            Some(b) => {
                let plain = Zeroizing::new(state.secrets.open(&step_context(id, s.seq), b)?);
                serde_json::from_slice::<StepDetail>(&plain)
                    .map_err(|e| crate::HallError::Corrupt(format!("ticket step {id}: {e}")))?
                    .summary()
            }
            None => String::new(),
        };
        steps.push(StepLine {
            at: views::local(s.at),
            staff: s.staff.clone(),
            action: TicketAction::from_slug(&s.action)
                .map_or_else(|| s.action.clone(), |a| a.label_zh().to_owned()),
            detail,
        });
    }
    let location = state
        .store
        .principal(PrincipalKind::Kiosk, &d.row.kiosk_id)
        .await?
        .map(|p| p.label)
        .unwrap_or_default();
    let item = d.row.item_code.as_deref().map(|c| {
        let name = state
            .catalog()
            .catalog
            .item(c)
            .map(|i| i.name.clone())
            .unwrap_or_default();
        format!("{name} {c}")
    });
    let actions = TicketAction::ALL
        .into_iter()
        .filter(|a| a.next(d.row.status).is_some())
        .filter(|a| *a != TicketAction::Visit || d.row.category == "homeVisit")
        .collect();
    Ok(Some(TicketPage {
        text,
        contact: contact
            .as_ref()
            .map(|c| (c.name.clone().unwrap_or_default(), c.phone.clone())),
        location,
        item,
        steps,
        audit: state.store.audit_of(id).await?,
        actions,
        me: signed.account().display.clone(),
        today: today_local(),
        row: d.row,
    }))
}

/// `GET /staff/tickets/{id}`: the ticket with its text and contact (the view is audited).
pub async fn ticket(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    show(&state, &signed, &id, StatusCode::OK, None).await
}

async fn show(
    state: &AppState,
    signed: &Signed,
    id: &str,
    status: StatusCode,
    error: Option<&str>,
) -> Result<Response, ApiError> {
    if !may_work_tickets(signed.account().role) {
        return Ok(refused(state, signed));
    }
    // Audit first, so the trail shown includes this view.
    if state.store.ticket_detail(id).await?.is_none() {
        return Ok(not_found(state, signed));
    }
    audit(
        state.store.as_ref(),
        &signed.account().name,
        "view-ticket",
        id,
        None,
    )
    .await?;
    tracing::info!(staff = %signed.account().name, ticket = %id, "staff viewed a ticket");
    let Some(page) = page_of(state, signed, id).await? else {
        return Ok(not_found(state, signed));
    };
    let f = frame(state, signed, tv::TITLE, None);
    Ok(html(status, tv::ticket(&f, &page, error)))
}

/// A form's text field: trimmed, at most `max` characters; `None` if empty.
fn text(form: &Fields, name: &str, max: usize) -> Result<Option<String>, String> {
    let v = field(form, name).unwrap_or("").trim();
    if v.chars().count() > max {
        return Err(format!("内容过长（最多{max}个字），请精简后重试。"));
    }
    Ok((!v.is_empty()).then(|| v.to_owned()))
}

fn required(form: &Fields, name: &str, max: usize, what: &str) -> Result<String, String> {
    text(form, name, max)?.ok_or_else(|| format!("请填写{what}。"))
}

/// Validates an action's form into its details.
fn detail_of(
    action: TicketAction,
    row: &TicketRow,
    form: &Fields,
    today: NaiveDate,
) -> Result<Option<StepDetail>, String> {
    Ok(match action {
        TicketAction::Claim => text(form, "note", 300)?.map(|n| StepDetail {
            note: Some(n),
            ..StepDetail::default()
        }),
        TicketAction::Note => Some(StepDetail {
            note: Some(required(form, "note", 300, "处理记录")?),
            ..StepDetail::default()
        }),
        TicketAction::Close => Some(StepDetail {
            outcome: Some(required(form, "outcome", 300, "办理结果")?),
            ..StepDetail::default()
        }),
        TicketAction::Visit => {
            if row.category != "homeVisit" {
                return Err("只有上门服务工单可以安排上门。".into());
            }
            let raw = field(form, "date").unwrap_or("").trim();
            let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map_err(|_| "请填写上门日期（格式如 2026-12-08）。".to_owned())?;
            if date < today || date > today + chrono::Duration::days(366) {
                return Err("上门日期须在今天至一年以内。".into());
            }
            Some(StepDetail {
                visit_on: Some(date),
                address: Some(required(form, "address", 200, "上门地址")?),
                visitor: Some(required(form, "visitor", 40, "上门人员")?),
                note: text(form, "note", 300)?,
                ..StepDetail::default()
            })
        }
    })
}

/// `POST /staff/tickets/{id}/{claim,note,visit,close}`.
pub async fn act(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    Path((id, slug)): Path<(String, String)>,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Response, ApiError> {
    let form = match signed_form(&signed, form) {
        Ok(f) => f,
        Err(r) => return Ok(r.into_response()),
    };
    if !may_work_tickets(signed.account().role) {
        return Ok(refused(&state, &signed));
    }
    let Some(action) = TicketAction::from_slug(&slug) else {
        return Ok(not_found(&state, &signed));
    };
    let Some(current) = state.store.ticket_detail(&id).await?.map(|d| d.row) else {
        return Ok(not_found(&state, &signed));
    };
    let Some(seen) = field(&form, "version").and_then(|v| v.parse::<u32>().ok()) else {
        return show(
            &state,
            &signed,
            &id,
            StatusCode::BAD_REQUEST,
            Some("表单缺少版本信息，请刷新页面后重试。"),
        )
        .await;
    };
    let detail = match detail_of(action, &current, &form, today_local()) {
        Ok(d) => d,
        Err(message) => {
            return show(
                &state,
                &signed,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&message),
            )
            .await
        }
    };
    let sealed_detail = match detail {
        Some(d) => {
            let plain = Zeroizing::new(
                serde_json::to_vec(&d).map_err(|e| crate::HallError::Internal(e.to_string()))?,
            );
            Some(state.secrets.seal(&step_context(&id, seen + 1), &plain)?)
        }
        None => None,
    };
    let acted = state
        .store
        .ticket_act(TicketAct {
            ticket_id: id.clone(),
            seen_version: seen,
            action,
            staff: signed.account().name.clone(),
            at: Utc::now(),
            sealed_detail,
        })
        .await?;
    let message = match acted {
        Acted::Done(row) => {
            tracing::info!(staff = %signed.account().name, ticket = %id, action = action.slug(), status = row.status.as_str(), "ticket worked");
            return Ok(Redirect::to(&format!("/staff/tickets/{id}")).into_response());
        }
        Acted::NotFound => return Ok(not_found(&state, &signed)),
        Acted::Stale(row) => format!(
            "该工单已被他人处理（当前：{}），您的操作未保存。请查看最新情况后再操作。",
            row.status.label_zh()
        ),
        Acted::NotAllowed(row) => format!(
            "工单当前为「{}」，不能{}。",
            row.status.label_zh(),
            action.label_zh()
        ),
    };
    show(&state, &signed, &id, StatusCode::CONFLICT, Some(&message)).await
}
