//! 预约服务: one-hour slots on working days (09–12 and 14–17, China Standard Time) per
//! department, each with the department's capacity; bookings are idempotent and never
//! exceed capacity (the check and the insert run in one transaction on the writer).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Datelike, NaiveDate, Timelike, Utc};
use hall_api::appointment::{AppointmentReceipt, CreateAppointment, Slot, SlotList};
use hall_api::catalog::Department;
use hall_api::error::{ErrorBody, ErrorCode};
use hall_api::form::FieldErrorCode;
use serde::Deserialize;

use super::applications::{key_conflict, replayed};
use super::field_error;
use crate::auth::Kiosk;
use crate::crypto::{new_id, new_reference};
use crate::error::{ApiError, HallError};
use crate::extract::{ApiQuery, IdempotencyKey};
use crate::idempotency::{legacy_mac, prior, Prior, RawJson};
use crate::state::{local_now, AppState};
use crate::store::{Booked, BookingRecord, IdempotencyScope, NewBooking, Written};

/// Slot start hours.
const HOURS: [u32; 6] = [9, 10, 11, 14, 15, 16];
/// Furthest ahead a slot can be listed or booked, in days.
const MAX_DAYS: i64 = 14;

/// Query of `GET /api/v1/appointments/slots`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SlotQuery {
    /// Department code.
    pub department: String,
    /// First day (default today).
    pub from: Option<NaiveDate>,
    /// Number of days (1–14, default 7).
    pub days: Option<u32>,
}

fn slot_id(dept: &str, date: NaiveDate, hour: u32) -> String {
    format!("{dept}.{}.{hour:02}00", date.format("%Y-%m-%d"))
}

fn is_working_day(date: NaiveDate) -> bool {
    date.weekday().number_from_monday() <= 5
}

/// Whether a slot is still bookable now (today's slots until their start).
fn bookable(date: NaiveDate, hour: u32) -> bool {
    let now = local_now();
    let today = now.date_naive();
    is_working_day(date)
        && (date > today || (date == today && hour > now.hour()))
        && (date - today).num_days() <= MAX_DAYS
}

fn slot(dept: &Department, date: NaiveDate, hour: u32, booked: u32) -> Slot {
    Slot {
        id: slot_id(&dept.code, date, hour),
        department: dept.code.clone(),
        date,
        start: format!("{hour:02}:00"),
        end: format!("{:02}:00", hour + 1),
        capacity: dept.slot_capacity,
        remaining: dept.slot_capacity.saturating_sub(booked),
    }
}

fn department(state: &AppState, code: &str) -> Result<Department, ApiError> {
    state
        .catalog()
        .catalog
        .department(code)
        .cloned()
        .ok_or_else(|| ApiError::bad_request(ErrorCode::BadParameter, "unknown department code"))
}

/// Bookable slots of a department.
#[utoipa::path(get, path = "/api/v1/appointments/slots", tag = "appointments",
    params(SlotQuery),
    responses((status = 200, body = SlotList), (status = 400, body = ErrorBody)))]
pub async fn slots(
    State(state): State<Arc<AppState>>,
    ApiQuery(q): ApiQuery<SlotQuery>,
) -> Result<Json<SlotList>, ApiError> {
    let dept = department(&state, &q.department)?;
    let days = q.days.unwrap_or(7);
    if !(1..=MAX_DAYS as u32).contains(&days) {
        return Err(ApiError::bad_request(
            ErrorCode::BadParameter,
            "days must be 1-14",
        ));
    }
    let today = local_now().date_naive();
    let from = q.from.unwrap_or(today).max(today);
    let counts = state.store.slot_counts(&format!("{}.", dept.code)).await?;
    let mut out = Vec::new();
    for date in from.iter_days().take(days as usize) {
        for hour in HOURS {
            if bookable(date, hour) {
                let id = slot_id(&dept.code, date, hour);
                let booked = counts.iter().find(|(s, _)| *s == id).map_or(0, |(_, n)| *n);
                out.push(slot(&dept, date, hour, booked));
            }
        }
    }
    Ok(Json(SlotList { slots: out }))
}

fn parse_slot_id(id: &str) -> Option<(String, NaiveDate, u32)> {
    let mut parts = id.splitn(3, '.');
    let dept = parts.next()?;
    let date = NaiveDate::parse_from_str(parts.next()?, "%Y-%m-%d").ok()?;
    let hhmm = parts.next()?;
    if hhmm.len() != 4 || !hhmm.ends_with("00") {
        return None;
    }
    let hour: u32 = hhmm[..2].parse().ok()?;
    HOURS.contains(&hour).then(|| (dept.to_owned(), date, hour))
}

/// Books a slot.
#[utoipa::path(post, path = "/api/v1/appointments", tag = "appointments",
    request_body = CreateAppointment,
    params(("Idempotency-Key" = String, Header, description = "Same on every retry")),
    responses((status = 201, body = AppointmentReceipt), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, description = "Slot full, or key reused with another body", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("kiosk" = [])))]
pub async fn book(
    State(state): State<Arc<AppState>>,
    Kiosk(kiosk): Kiosk,
    IdempotencyKey(key): IdempotencyKey,
    raw: RawJson,
) -> Result<Response, ApiError> {
    let body_mac = raw.mac(&state.secrets, "appointment");
    let legacy = || {
        raw.parse::<CreateAppointment>()
            .ok()
            .and_then(|req| legacy_mac(&state.secrets, "appointment", &req))
    };
    match prior(&state, &kiosk.id, "appointment", &key, &body_mac, legacy).await? {
        Prior::New => {}
        Prior::Conflict => return Err(key_conflict()),
        Prior::Replay(id) => {
            // Answered from the stored booking even if the slot has passed since.
            let b = state.store.booking(&id).await?.ok_or_else(|| {
                HallError::Corrupt(format!("booking {id} of a stored key vanished"))
            })?;
            let (dept, date, hour) = parse_slot_id(&b.slot_id)
                .and_then(|(d, date, hour)| {
                    state
                        .catalog()
                        .catalog
                        .department(&d)
                        .cloned()
                        .map(|dept| (dept, date, hour))
                })
                .ok_or_else(|| {
                    HallError::Corrupt(format!("booking {id}: slot {} is unknown", b.slot_id))
                })?;
            return Ok(replayed(
                StatusCode::CREATED,
                Json(AppointmentReceipt {
                    slot: slot(&dept, date, hour, b.booked_in_slot),
                    id: b.id,
                    reference: b.reference,
                    booked_at: b.booked_at,
                }),
            ));
        }
    }
    let req: CreateAppointment = raw.parse()?;
    drop(raw);
    let mut errors = Vec::new();
    let parsed = parse_slot_id(&req.slot_id);
    let dept = parsed
        .as_ref()
        .and_then(|(d, _, _)| state.catalog().catalog.department(d).cloned());
    let slot_ok =
        matches!((&parsed, &dept), (Some((_, date, hour)), Some(_)) if bookable(*date, *hour));
    if !slot_ok {
        errors.push(field_error(
            "slotId",
            FieldErrorCode::UnknownOption,
            "该时段不可预约，请重新选择",
        ));
    }
    let name_len = req.name.trim().chars().count();
    if !(1..=30).contains(&name_len) || req.name.chars().any(char::is_control) {
        errors.push(field_error(
            "name",
            FieldErrorCode::TooLong,
            "姓名应为1至30个字",
        ));
    }
    if !hall_api::form::is_phone(&req.phone) {
        errors.push(field_error(
            "phone",
            FieldErrorCode::InvalidPhone,
            "联系电话有误",
        ));
    }
    if let Some(code) = &req.item_code {
        if state.catalog().catalog.item(code).is_none() {
            errors.push(field_error(
                "itemCode",
                FieldErrorCode::UnknownOption,
                "事项不存在",
            ));
        }
    }
    let (Some((_, date, hour)), Some(dept), true) = (parsed, dept, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let id = new_id()?;
    let plain = zeroize::Zeroizing::new(
        serde_json::to_vec(&(&req.name, &req.phone))
            .map_err(|e| crate::error::HallError::Corrupt(e.to_string()))?,
    );
    let booking = NewBooking {
        scope: IdempotencyScope {
            kiosk_id: kiosk.id.clone(),
            kind: "appointment",
            key,
            body_mac,
        },
        sealed: state.secrets.seal(&id, &plain)?,
        reference: new_reference("YY")?,
        slot_id: req.slot_id.clone(),
        capacity: dept.slot_capacity,
        item_code: req.item_code.clone(),
        booked_at: Utc::now(),
        id,
    };
    let body = |b: BookingRecord| {
        Json(AppointmentReceipt {
            slot: slot(&dept, date, hour, b.booked_in_slot),
            id: b.id,
            reference: b.reference,
            booked_at: b.booked_at,
        })
    };
    match state.store.book(booking).await? {
        Booked::Written(Written::Created(b)) => {
            tracing::info!(kiosk = %kiosk.id, slot = %b.slot_id, "appointment booked");
            Ok((StatusCode::CREATED, body(b)).into_response())
        }
        Booked::Written(Written::Replayed(b)) => Ok(replayed(StatusCode::CREATED, body(b))),
        Booked::Written(Written::Conflict) => Err(key_conflict()),
        Booked::Full => Err(ApiError::conflict(
            ErrorCode::SlotFull,
            "the slot is full; pick another",
            "该时段已约满，请选择其他时段",
        )),
    }
}

/// A booking by the reference on its slip (a citizen scans it at a kiosk).
#[utoipa::path(get, path = "/api/v1/appointments/{reference}", tag = "appointments",
    params(("reference" = String, Path, description = "The slip's reference (YY-…)")),
    responses((status = 200, body = AppointmentReceipt), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("kiosk" = [])))]
pub async fn by_reference(
    State(state): State<Arc<AppState>>,
    Kiosk(_): Kiosk,
    axum::extract::Path(reference): axum::extract::Path<String>,
) -> Result<Json<AppointmentReceipt>, ApiError> {
    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "no booking has this reference",
            "未找到该预约，请核对预约凭条",
        )
    };
    if reference.len() > 64 {
        return Err(not_found());
    }
    let booking = state
        .store
        .booking_by_reference(&reference)
        .await?
        .ok_or_else(not_found)?;
    let (dept_code, date, hour) = parse_slot_id(&booking.slot_id).ok_or_else(not_found)?;
    let dept = department(&state, &dept_code)?;
    Ok(Json(AppointmentReceipt {
        slot: slot(&dept, date, hour, booking.booked_in_slot),
        id: booking.id,
        reference: booking.reference,
        booked_at: booking.booked_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_ids_round_trip_and_reject_odd_hours() {
        let d = NaiveDate::from_ymd_opt(2024, 5, 6).unwrap();
        let id = slot_id("gongan", d, 9);
        assert_eq!(id, "gongan.2024-05-06.0900");
        assert_eq!(parse_slot_id(&id), Some(("gongan".into(), d, 9)));
        assert_eq!(parse_slot_id("gongan.2024-05-06.1300"), None, "lunch break");
        assert_eq!(parse_slot_id("gongan.2024-05-06.0930"), None);
        assert_eq!(parse_slot_id("gongan.2024-13-06.0900"), None);
        assert_eq!(parse_slot_id("garbage"), None);
    }
}
