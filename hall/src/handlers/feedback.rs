//! 好差评 ratings (one per application, proved by the receipt), complaints (办不成事) and help
//! requests. Contacts and free text are sealed; reason codes and levels stay queryable.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use hall_api::error::{ErrorBody, ErrorCode};
use hall_api::feedback::{
    is_bad_level, CreateComplaint, CreateHelpRequest, CreateRating, HelpKind, RatingReceipt,
    TicketReceipt,
};
use serde::Serialize;

use super::applications::{key_conflict, replayed};
use super::verify_receipt;
use crate::auth::{Kiosk, MaybeKiosk};
use crate::crypto::{new_id, new_reference};
use crate::error::{ApiError, HallError};
use crate::extract::{ClientAddr, IdempotencyKey};
use crate::idempotency::{legacy_mac, prior, Prior, RawJson};
use crate::state::AppState;
use crate::store::{
    ApplicationRecord, IdempotencyScope, NewRating, NewTicket, Rated, TicketRecord, Written,
};

fn to_json<T: Serialize>(v: &T) -> Result<Vec<u8>, HallError> {
    serde_json::to_vec(v).map_err(|e| HallError::Corrupt(e.to_string()))
}

/// Records the rating of an application.
#[utoipa::path(post, path = "/api/v1/ratings", tag = "citizens",
    request_body = CreateRating,
    responses((status = 201, body = RatingReceipt),
        (status = 404, description = "Code and verifier do not match", body = ErrorBody),
        (status = 409, description = "Rated before, differently", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)),
    security((), ("kiosk" = [])))]
pub async fn rate(
    State(state): State<Arc<AppState>>,
    MaybeKiosk(kiosk): MaybeKiosk,
    ClientAddr(client): ClientAddr,
    raw: RawJson,
) -> Result<Response, ApiError> {
    let body_mac = raw.mac(&state.secrets, "rating");
    let req: CreateRating = raw.parse()?;
    drop(raw);
    req.validate().map_err(ApiError::validation)?;
    let app = verify_receipt(&state, client, &req.tracking_code, &req.verifier).await?;
    match record_rating(&state, &app, &req, kiosk.map(|k| k.id), body_mac).await? {
        Rated::Done(r) => Ok((
            StatusCode::CREATED,
            Json(RatingReceipt {
                id: r.id,
                level: r.level,
                bad: is_bad_level(r.level),
                subject_code: r.subject_code,
                rated_at: r.rated_at,
            }),
        )
            .into_response()),
        Rated::AlreadyRated => Err(ApiError::conflict(
            ErrorCode::AlreadyRated,
            "this application was rated already; one rating per application",
            "该办件已评价过",
        )),
    }
}

/// Stores a validated rating of a verified application: the one path for kiosk ratings and
/// the progress page's form (comment and contact sealed; the log names ids and codes only).
pub async fn record_rating(
    state: &AppState,
    app: &ApplicationRecord,
    req: &CreateRating,
    kiosk_id: Option<String>,
    body_mac: [u8; 32],
) -> Result<Rated, ApiError> {
    let id = new_id()?;
    let sealed = if req.comment.is_some() || req.contact.is_some() {
        let plain = zeroize::Zeroizing::new(to_json(&(&req.comment, &req.contact))?);
        Some(state.secrets.seal(&id, &plain)?)
    } else {
        None
    };
    let rating = NewRating {
        application_id: app.id.clone(),
        subject_code: app.subject_code.clone(),
        level: req.level,
        reasons_json: String::from_utf8(to_json(&req.reasons)?).unwrap_or_default(),
        sealed,
        body_mac,
        legacy_mac: legacy_mac(&state.secrets, "rating", req),
        kiosk_id,
        rated_at: Utc::now(),
        id,
    };
    let reasons = req
        .reasons
        .iter()
        .map(|r| r.label_zh().to_owned())
        .collect();
    let rated = crate::notify::rate(state, rating, app, reasons).await?;
    if let Rated::Done(r) = &rated {
        tracing::info!(application = %app.id, level = r.level, subject = %r.subject_code, "rated");
    }
    Ok(rated)
}

fn check_item(state: &AppState, item_code: Option<&str>) -> Result<(), ApiError> {
    match item_code {
        Some(code) if state.catalog().catalog.item(code).is_none() => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::UnknownItem,
            "the item code is not in the current catalog",
            "事项不存在",
        )),
        _ => Ok(()),
    }
}

fn ticket_response(
    state: &AppState,
    written: Written<TicketRecord>,
    kind: &str,
    kiosk: &str,
) -> Result<Response, ApiError> {
    let on_duty_notified = crate::notify::on_duty_notified(state, kind);
    let body = |t: TicketRecord| {
        Json(TicketReceipt {
            id: t.id,
            reference: t.reference,
            received_at: t.received_at,
            on_duty_notified,
        })
    };
    match written {
        Written::Created(t) => {
            tracing::info!(kiosk = %kiosk, kind, ticket = %t.id, "ticket opened");
            Ok((StatusCode::CREATED, body(t)).into_response())
        }
        Written::Replayed(t) => Ok(replayed(StatusCode::CREATED, body(t))),
        Written::Conflict => Err(key_conflict()),
    }
}

/// 办不成事: something could not be done; staff follow it up.
#[utoipa::path(post, path = "/api/v1/complaints", tag = "citizens",
    request_body = CreateComplaint,
    params(("Idempotency-Key" = String, Header, description = "Same on every retry")),
    responses((status = 201, body = TicketReceipt), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("kiosk" = [])))]
pub async fn complain(
    State(state): State<Arc<AppState>>,
    Kiosk(kiosk): Kiosk,
    IdempotencyKey(key): IdempotencyKey,
    raw: RawJson,
) -> Result<Response, ApiError> {
    let body_mac = raw.mac(&state.secrets, "complaint");
    let legacy = || {
        raw.parse::<CreateComplaint>()
            .ok()
            .and_then(|req| legacy_mac(&state.secrets, "complaint", &req))
    };
    if let Some(answer) =
        ticket_prior(&state, &kiosk.id, "complaint", &key, &body_mac, legacy).await?
    {
        return answer;
    }
    let req: CreateComplaint = raw.parse()?;
    drop(raw);
    req.validate().map_err(ApiError::validation)?;
    check_item(&state, req.item_code.as_deref())?;
    let id = new_id()?;
    let plain = zeroize::Zeroizing::new(to_json(&(&req.description, &req.contact))?);
    let ticket = NewTicket {
        scope: IdempotencyScope {
            kiosk_id: kiosk.id.clone(),
            kind: "complaint",
            key,
            body_mac,
        },
        sealed: state.secrets.seal(&id, &plain)?,
        reference: new_reference("TS")?,
        category: "banbucheng".into(),
        item_code: req.item_code.clone(),
        received_at: Utc::now(),
        id,
    };
    ticket_response(
        &state,
        crate::notify::create_ticket(&state, ticket, &kiosk).await?,
        "complaint",
        &kiosk.id,
    )
}

/// Answers a stored key of a ticket (replay or 409) before anything is validated; `None` for
/// a new key.
async fn ticket_prior(
    state: &AppState,
    kiosk: &str,
    kind: &'static str,
    key: &str,
    mac: &[u8; 32],
    legacy: impl FnOnce() -> Option<[u8; 32]>,
) -> Result<Option<Result<Response, ApiError>>, ApiError> {
    Ok(match prior(state, kiosk, kind, key, mac, legacy).await? {
        Prior::New => None,
        Prior::Conflict => Some(Err(key_conflict())),
        Prior::Replay(id) => {
            let t = state.store.ticket(&id).await?.ok_or_else(|| {
                HallError::Corrupt(format!("ticket {id} of a stored key vanished"))
            })?;
            Some(ticket_response(state, Written::Replayed(t), kind, kiosk))
        }
    })
}

/// 帮办代办 and 上门服务 requests.
#[utoipa::path(post, path = "/api/v1/help-requests", tag = "citizens",
    request_body = CreateHelpRequest,
    params(("Idempotency-Key" = String, Header, description = "Same on every retry")),
    responses((status = 201, body = TicketReceipt), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("kiosk" = [])))]
pub async fn help(
    State(state): State<Arc<AppState>>,
    Kiosk(kiosk): Kiosk,
    IdempotencyKey(key): IdempotencyKey,
    raw: RawJson,
) -> Result<Response, ApiError> {
    let body_mac = raw.mac(&state.secrets, "help");
    let legacy = || {
        raw.parse::<CreateHelpRequest>()
            .ok()
            .and_then(|req| legacy_mac(&state.secrets, "help", &req))
    };
    if let Some(answer) = ticket_prior(&state, &kiosk.id, "help", &key, &body_mac, legacy).await? {
        return answer;
    }
    let req: CreateHelpRequest = raw.parse()?;
    drop(raw);
    req.validate().map_err(ApiError::validation)?;
    check_item(&state, req.item_code.as_deref())?;
    let id = new_id()?;
    let plain = zeroize::Zeroizing::new(to_json(&(&req.note, &req.contact))?);
    let category = match req.kind {
        HelpKind::Assistance => "assistance",
        HelpKind::Proxy => "proxy",
        HelpKind::HomeVisit => "homeVisit",
    };
    let ticket = NewTicket {
        scope: IdempotencyScope {
            kiosk_id: kiosk.id.clone(),
            kind: "help",
            key,
            body_mac,
        },
        sealed: state.secrets.seal(&id, &plain)?,
        reference: new_reference("BZ")?,
        category: category.into(),
        item_code: req.item_code.clone(),
        received_at: Utc::now(),
        id,
    };
    ticket_response(
        &state,
        crate::notify::create_ticket(&state, ticket, &kiosk).await?,
        "help",
        &kiosk.id,
    )
}
