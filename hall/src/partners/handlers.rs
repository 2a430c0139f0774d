//! The partner endpoints (a partner hall's `partner` credential only) and the check of a
//! kiosk's `handledBy`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hall_api::application::CreateApplication;
use hall_api::catalog::Catalog;
use hall_api::error::{ErrorBody, ErrorCode};
use hall_api::form::FieldErrorCode;
use hall_api::partner::{
    ForwardReceipt, ForwardedApplication, PartnerProgress, PartnerProgressList,
    PartnerProgressQuery, MAX_PROGRESS_QUERY,
};

use super::scope_of;
use super::PartnerIntent;
use crate::auth::PartnerHall;
use crate::error::{ApiError, HallError};
use crate::extract::{ApiJson, IdempotencyKey};
use crate::handlers::applications::{
    check, key_conflict, replayed, resolve, take_in, Origin, Resolved,
};
use crate::handlers::field_error;
use crate::idempotency::{prior, Prior, RawJson};
use crate::state::AppState;
use crate::store::reports::Channel;
use crate::store::{ApplicationRecord, IdempotencyScope, Written};

/// 422 unless `handledBy` (if given) names a partner place of this hall's catalog and the
/// subject is an item with `crossProvince`.
pub(crate) fn check_handled_by(
    catalog: &Catalog,
    req: &CreateApplication,
    resolved: &Resolved,
) -> Result<(), ApiError> {
    let Some(code) = &req.handled_by else {
        return Ok(());
    };
    let refuse = |message: String, zh: &str| {
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::ValidationFailed,
            message,
            zh,
        );
        e.body.fields = vec![field_error("handledBy", FieldErrorCode::UnknownOption, zh)];
        e
    };
    if !catalog.partners.iter().any(|p| &p.code == code) {
        return Err(refuse(
            format!(
                "handledBy {:?} is not a partner place of this hall; offer only the catalog's `partners` (refresh the catalog)",
                code.chars().take(32).collect::<String>()
            ),
            "该地区暂未开通跨省通办",
        ));
    }
    if !resolved.cross_province {
        return Err(refuse(
            "handledBy is only allowed for items with crossProvince; leave it out for this subject"
                .into(),
            "该事项暂不支持跨省通办",
        ));
    }
    Ok(())
}

fn receipt(rec: &ApplicationRecord) -> ForwardReceipt {
    ForwardReceipt {
        id: rec.id.clone(),
        tracking_code: rec.tracking_code.clone(),
        promised_by: rec.promised_by,
    }
}

/// A forwarded application from a partner hall, taken in exactly once per
/// `Idempotency-Key` (scoped to that partner): the same rules as kiosk intake.
#[utoipa::path(post, path = "/api/v1/partner/applications", tag = "partners",
    request_body = ForwardedApplication,
    params(("Idempotency-Key" = String, Header, description = "fwd-<origin application id>, the same on every retry")),
    responses(
        (status = 201, description = "Taken in, or the replay of an earlier forward (header Idempotent-Replayed: true)", body = ForwardReceipt),
        (status = 400, description = "Malformed body or missing key", body = ErrorBody),
        (status = 401, description = "No or wrong partner credential", body = ErrorBody),
        (status = 403, description = "The partner was removed", body = ErrorBody),
        (status = 409, description = "Key reused with another body", body = ErrorBody),
        (status = 422, description = "Unknown or not cross-province item, or invalid fields", body = ErrorBody),
        (status = 503, description = "Overloaded; retry with the same key", body = ErrorBody)),
    security(("partner" = [])))]
pub async fn receive(
    State(state): State<Arc<AppState>>,
    PartnerHall(caller): PartnerHall,
    IdempotencyKey(key): IdempotencyKey,
    raw: RawJson,
) -> Result<Response, ApiError> {
    let owner = scope_of(&caller.id);
    let body_mac = raw.mac(&state.secrets, "partner-application");
    match prior(&state, &owner, "application", &key, &body_mac, || None).await? {
        Prior::Replay(id) => {
            let rec = state.store.application(&id).await?.ok_or_else(|| {
                HallError::Corrupt(format!("application {id} of a stored key vanished"))
            })?;
            tracing::info!(partner = %caller.id, application = %rec.id, "forwarded application replayed");
            return Ok(replayed(StatusCode::CREATED, Json(receipt(&rec))));
        }
        Prior::Conflict => return Err(key_conflict()),
        Prior::New => {}
    }
    let fwd: ForwardedApplication = raw.parse()?;
    drop(raw);
    let partner = state.store.partner(&caller.id).await?.ok_or_else(|| {
        ApiError::forbidden("this hall no longer lists you as a partner; ask its operator")
    })?;
    let catalog = state.catalog();
    let resolved = resolve(&catalog.catalog, &fwd.application.subject)?;
    let errors = check(&fwd.application, &resolved);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    if !resolved.cross_province || fwd.application.handled_by.is_some() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::ValidationFailed,
            "only items with crossProvince are taken from partners, without handledBy",
            "该事项暂不支持跨省通办",
        ));
    }
    let origin = Origin {
        scope: IdempotencyScope {
            kiosk_id: owner,
            kind: "application",
            key,
            body_mac,
        },
        channel: Channel::Partner,
        counter: None,
        partner: Some(PartnerIntent::Received {
            place: partner.place(),
            origin_id: fwd.origin_id.clone(),
            origin_tracking_code: fwd.origin_tracking_code.clone(),
        }),
        note: None,
    };
    match take_in(&state, &fwd.application, resolved, origin).await? {
        Written::Created(rec) => {
            tracing::info!(partner = %caller.id, application = %rec.id, subject = %rec.subject_code, "forwarded application taken in");
            Ok((StatusCode::CREATED, Json(receipt(&rec))).into_response())
        }
        Written::Replayed(rec) => {
            tracing::info!(partner = %caller.id, application = %rec.id, "forwarded application replayed");
            Ok(replayed(StatusCode::CREATED, Json(receipt(&rec))))
        }
        Written::Conflict => Err(key_conflict()),
    }
}

/// Where the applications a partner forwarded stand (by its ids); ids not held here (or
/// forwarded by another partner) are left out.
#[utoipa::path(post, path = "/api/v1/partner/progress", tag = "partners",
    request_body = PartnerProgressQuery,
    responses((status = 200, body = PartnerProgressList),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No or wrong partner credential", body = ErrorBody),
        (status = 422, description = "Too many ids", body = ErrorBody)),
    security(("partner" = [])))]
pub async fn progress(
    State(state): State<Arc<AppState>>,
    PartnerHall(caller): PartnerHall,
    ApiJson(q): ApiJson<PartnerProgressQuery>,
) -> Result<Json<PartnerProgressList>, ApiError> {
    if q.origin_ids.len() > MAX_PROGRESS_QUERY || q.origin_ids.iter().any(|id| id.len() > 64) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::ValidationFailed,
            format!("ask for at most {MAX_PROGRESS_QUERY} ids of at most 64 characters"),
            "请求过大",
        ));
    }
    let held = state.store.received_from(&caller.id, q.origin_ids).await?;
    let mut applications = Vec::with_capacity(held.len());
    for (origin_id, ours) in held {
        if let Some(rec) = state.store.application(&ours).await? {
            applications.push(PartnerProgress {
                origin_id,
                status: rec.status,
                timeline: rec.timeline,
            });
        }
    }
    Ok(Json(PartnerProgressList { applications }))
}
