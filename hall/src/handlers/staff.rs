//! Staff endpoints: an application's progress by id, its unsealed details (each access
//! logged), and moves along 受理 → 承办 → 办结 → 反馈 → 回访 (or 不予受理 / 补正).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use chrono::Utc;
use hall_api::application::{ApplicationDetails, Delivery, Progress, StatusChange, TimelineEntry};
use hall_api::error::{ErrorBody, ErrorCode};
use hall_api::form::FieldErrorCode;

use super::applications::progress;
use super::field_error;
use crate::auth::Staff;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::store::Moved;

/// Staff: an application's progress by id.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "staff",
    params(("id" = String, Path, description = "Application id")),
    responses((status = 200, body = Progress), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("staff" = [])))]
pub async fn get_one(
    State(state): State<Arc<AppState>>,
    Staff(_): Staff,
    Path(id): Path<String>,
) -> Result<Json<Progress>, ApiError> {
    if id.len() > 64 {
        return Err(ApiError::not_found("no such application"));
    }
    let rec = state
        .store
        .application(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such application"))?;
    Ok(Json(progress(&rec)))
}

/// The sealed payload, read back.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenedPayload {
    applicant: hall_api::application::Applicant,
    fields: hall_api::form::FormValues,
    materials: Vec<hall_api::application::HandedInMaterial>,
    delivery: Delivery,
    submitted_at: chrono::DateTime<Utc>,
}

/// Staff: an application with its personal payload (unsealed for this answer; each access is
/// logged with the staff id, never the content).
#[utoipa::path(get, path = "/api/v1/applications/{id}/details", tag = "staff",
    params(("id" = String, Path, description = "Application id")),
    responses((status = 200, body = ApplicationDetails), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("staff" = [])))]
pub async fn details(
    State(state): State<Arc<AppState>>,
    Staff(staff): Staff,
    Path(id): Path<String>,
) -> Result<Json<ApplicationDetails>, ApiError> {
    let missing = || ApiError::not_found("no such application");
    if id.len() > 64 {
        return Err(missing());
    }
    let rec = state.store.application(&id).await?.ok_or_else(missing)?;
    let sealed = state
        .store
        .application_payload(&id)
        .await?
        .ok_or_else(missing)?;
    let plain = zeroize::Zeroizing::new(state.secrets.open(&id, &sealed)?);
    let opened: OpenedPayload = serde_json::from_slice(&plain)
        .map_err(|e| crate::error::HallError::Corrupt(format!("payload of {id}: {e}")))?;
    tracing::info!(staff = %staff.id, application = %id, "staff opened an application's personal data");
    Ok(Json(ApplicationDetails {
        progress: progress(&rec),
        kiosk_id: rec.kiosk_id.clone(),
        applicant: opened.applicant,
        fields: opened.fields,
        materials: opened.materials,
        delivery: opened.delivery,
        submitted_at: opened.submitted_at,
    }))
}

/// Staff: moves an application along 受理 → 承办 → 办结 → 反馈 → 回访 (or 不予受理 / 补正).
#[utoipa::path(post, path = "/api/v1/applications/{id}/status", tag = "staff",
    params(("id" = String, Path, description = "Application id")),
    request_body = StatusChange,
    responses((status = 200, body = Progress), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not allowed from the current status", body = ErrorBody),
        (status = 422, description = "Reason missing or too long", body = ErrorBody)),
    security(("staff" = [])))]
pub async fn move_status(
    State(state): State<Arc<AppState>>,
    Staff(staff): Staff,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<StatusChange>,
) -> Result<Json<Progress>, ApiError> {
    let note = change
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if change.to.needs_reason() && note.is_none() {
        return Err(ApiError::validation(vec![field_error(
            "note",
            FieldErrorCode::Required,
            "不予受理或补正须说明理由",
        )]));
    }
    if note
        .is_some_and(|n| n.chars().count() > 300 || n.chars().any(|c| c.is_control() && c != '\n'))
    {
        return Err(ApiError::validation(vec![field_error(
            "note",
            FieldErrorCode::TooLong,
            "说明最多300个字",
        )]));
    }
    if id.len() > 64 {
        return Err(ApiError::not_found("no such application"));
    }
    let Some(rec) = state.store.application(&id).await? else {
        return Err(ApiError::not_found("no such application"));
    };
    if let Some(place) = &rec.handled_by {
        // 跨省通办: its stages come from the partner's hall (see `partners::worker`).
        return Err(ApiError::conflict(
            ErrorCode::InvalidTransition,
            format!(
                "this application is handled by partner place {} (taken in here and forwarded); its stages come from there",
                place.code
            ),
            "本件跨省通办，办理环节由对方同步",
        ));
    }
    let entry = TimelineEntry {
        status: change.to,
        at: Utc::now(),
        note: note.map(str::to_owned),
    };
    let window = {
        let catalog = state.catalog();
        crate::staff::access::departments_of(&catalog.catalog, &rec.subject_type, &rec.subject_code)
            .first()
            .and_then(|d| catalog.catalog.department(d))
            .map(|d| d.window.clone())
            .unwrap_or_default()
    };
    // With its citizen notice (受理, 补正, 不予受理, 办结) in the same transaction, if any.
    match crate::notify::citizen::move_status(&state, &rec, entry, &window).await? {
        Moved::Done(rec) => {
            tracing::info!(staff = %staff.id, application = %id, to = ?change.to, "status moved");
            Ok(Json(progress(&rec)))
        }
        Moved::NotFound => Err(ApiError::not_found("no such application")),
        Moved::NotAllowed(from) => Err(ApiError::conflict(
            ErrorCode::InvalidTransition,
            format!("cannot move from {from:?} to {:?}", change.to),
            "当前状态不能进行此操作",
        )),
    }
}
