//! Kiosk heartbeats, the operators' fleet view (JSON) and Prometheus metrics of the fleet.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use hall_api::error::ErrorBody;
use hall_api::fleet::{
    DeviceClass, DeviceState, FleetView, Heartbeat, HeartbeatAck, KioskHealth, PaperState,
};
use hall_api::form::FieldErrorCode;

use super::field_error;
use crate::auth::{Kiosk, Operator};
use crate::error::{ApiError, HallError};
use crate::extract::ApiJson;
use crate::state::AppState;

fn valid_code(code: &str) -> bool {
    (1..=64).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// Records a kiosk's heartbeat; a kiosk may only speak for itself.
#[utoipa::path(post, path = "/api/v1/kiosks/{id}/heartbeat", tag = "fleet",
    params(("id" = String, Path, description = "The kiosk's own id")),
    request_body = Heartbeat,
    responses((status = 200, body = HeartbeatAck), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, description = "The credential belongs to another kiosk", body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("kiosk" = [])))]
pub async fn heartbeat(
    State(state): State<Arc<AppState>>,
    Kiosk(kiosk): Kiosk,
    Path(id): Path<String>,
    ApiJson(hb): ApiJson<Heartbeat>,
) -> Result<Json<HeartbeatAck>, ApiError> {
    if id != kiosk.id {
        tracing::warn!(kiosk = %kiosk.id, "kiosk tried to send a heartbeat for another kiosk");
        return Err(ApiError::forbidden(
            "a kiosk may only send its own heartbeat",
        ));
    }
    let mut errors = Vec::new();
    if hb.devices.len() > 16 {
        errors.push(field_error(
            "devices",
            FieldErrorCode::TooLong,
            "at most 16 devices",
        ));
    }
    for (i, d) in hb.devices.iter().enumerate() {
        if d.last_error_code.as_deref().is_some_and(|c| !valid_code(c)) {
            errors.push(field_error(
                &format!("devices[{i}].lastErrorCode"),
                FieldErrorCode::InvalidCharacters,
                "1-64 chars [A-Za-z0-9._-]",
            ));
        }
    }
    if let Some(u) = &hb.update {
        let fields = [
            u.slot.as_ref(),
            u.target.as_ref(),
            u.failed_version.as_ref(),
            u.detail.as_ref(),
        ];
        if fields
            .iter()
            .flatten()
            .any(|s| s.len() > 64 || s.chars().any(char::is_control))
        {
            errors.push(field_error(
                "update",
                FieldErrorCode::TooLong,
                "update fields are at most 64 characters",
            ));
        }
    }
    let v = &hb.versions;
    let versions = [Some(&v.kiosk), v.image.as_ref(), v.catalog.as_ref()];
    if versions
        .iter()
        .flatten()
        .any(|s| s.len() > 64 || s.chars().any(char::is_control))
    {
        errors.push(field_error(
            "versions",
            FieldErrorCode::TooLong,
            "versions are at most 64 characters",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let json = serde_json::to_string(&hb).map_err(|e| HallError::Corrupt(e.to_string()))?;
    state
        .store
        .record_heartbeat(&kiosk.id, Utc::now(), json)
        .await?;
    let update =
        crate::updates::fleet_ops::on_heartbeat(state.store.as_ref(), &kiosk.id, &hb).await?;
    let actions = crate::updates::fleet_ops::pending(state.store.as_ref(), &kiosk.id).await?;
    Ok(Json(HeartbeatAck {
        update,
        actions,
        server_time: Utc::now(),
        // The version of the catalog this kiosk is served (its site's).
        catalog_version: state
            .catalog_for_kiosk(&kiosk.id)
            .await?
            .catalog
            .version
            .clone(),
    }))
}

/// Builds the fleet view from the store.
pub async fn fleet_view(state: &AppState) -> Result<FleetView, HallError> {
    let now = Utc::now();
    let window = state.settings.online_window;
    let rows = state.store.kiosks().await?;
    let kiosks = rows
        .into_iter()
        .map(|row| {
            let hb: Option<Heartbeat> = row
                .last_heartbeat
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok());
            let online = row
                .last_seen
                .is_some_and(|t| (now - t).to_std().map_or(true, |age| age < window));
            let devices = hb.as_ref().map(|h| h.devices.clone()).unwrap_or_default();
            let paper = devices
                .iter()
                .find(|d| d.class == DeviceClass::ReceiptPrinter)
                .and_then(|d| d.paper);
            let mut faults: Vec<String> = devices
                .iter()
                .filter(|d| d.state.is_fault())
                .map(|d| {
                    let class = d.class.as_str();
                    match &d.last_error_code {
                        Some(code) => format!("{class}: {} ({code})", d.state.as_str()),
                        None => format!("{class}: {}", d.state.as_str()),
                    }
                })
                .collect();
            if matches!(paper, Some(PaperState::Out | PaperState::Jammed)) {
                faults.push(format!(
                    "receiptPrinter: paper {}",
                    paper.map_or("", |p| p.as_str())
                ));
            }
            KioskHealth {
                kiosk_id: row.id,
                // The registry's label, else what the kiosk says of itself.
                location: if row.location.trim().is_empty() {
                    hb.as_ref()
                        .and_then(|h| h.location.clone())
                        .unwrap_or_default()
                } else {
                    row.location
                },
                online,
                last_seen: row.last_seen,
                versions: hb.as_ref().map(|h| h.versions.clone()),
                devices,
                paper,
                faults,
                outbox: hb.as_ref().map(|h| h.outbox).unwrap_or_default(),
                update: hb.and_then(|h| h.update),
            }
        })
        .collect();
    Ok(FleetView {
        generated_at: now,
        online_window_seconds: window.as_secs(),
        kiosks,
    })
}

/// Every kiosk's health.
#[utoipa::path(get, path = "/api/v1/fleet", tag = "fleet",
    responses((status = 200, body = FleetView), (status = 401, body = ErrorBody)),
    security(("operator" = [])))]
pub async fn fleet(
    State(state): State<Arc<AppState>>,
    Operator(_): Operator,
) -> Result<Json<FleetView>, ApiError> {
    Ok(Json(fleet_view(&state).await?))
}

/// The fleet as Prometheus/OpenMetrics text: `hall_kiosk_up`, last-heartbeat timestamps,
/// device states as statesets, paper states and outbox depth. Labels carry kiosk ids and
/// device classes only, never personal data.
#[utoipa::path(get, path = "/metrics", tag = "fleet",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain"), (status = 401, body = ErrorBody)),
    security(("operator" = [])))]
pub async fn metrics(
    State(state): State<Arc<AppState>>,
    Operator(_): Operator,
) -> Result<Response, ApiError> {
    let view = fleet_view(&state).await?;
    let mut out = String::new();
    let _ = writeln!(out, "# HELP hall_kiosk_up Whether the kiosk sent a heartbeat within the online window.\n# TYPE hall_kiosk_up gauge");
    for k in &view.kiosks {
        let _ = writeln!(
            out,
            "hall_kiosk_up{{kiosk=\"{}\"}} {}",
            k.kiosk_id,
            u8::from(k.online)
        );
    }
    let _ = writeln!(out, "# HELP hall_kiosk_last_heartbeat_timestamp_seconds When the last heartbeat arrived.\n# TYPE hall_kiosk_last_heartbeat_timestamp_seconds gauge");
    for k in &view.kiosks {
        if let Some(t) = k.last_seen {
            let _ = writeln!(
                out,
                "hall_kiosk_last_heartbeat_timestamp_seconds{{kiosk=\"{}\"}} {}",
                k.kiosk_id,
                t.timestamp()
            );
        }
    }
    let _ = writeln!(out, "# HELP hall_kiosk_device_state Device state as a stateset (1 for the current state).\n# TYPE hall_kiosk_device_state gauge");
    for k in &view.kiosks {
        for d in &k.devices {
            let class = d.class.as_str();
            for s in DeviceState::ALL {
                let _ = writeln!(
                    out,
                    "hall_kiosk_device_state{{kiosk=\"{}\",device=\"{class}\",state=\"{}\"}} {}",
                    k.kiosk_id,
                    s.as_str(),
                    u8::from(d.state == s)
                );
            }
        }
    }
    let _ = writeln!(out, "# HELP hall_kiosk_printer_paper_state Receipt paper as a stateset.\n# TYPE hall_kiosk_printer_paper_state gauge");
    for k in &view.kiosks {
        if let Some(p) = k.paper {
            for s in [
                PaperState::Full,
                PaperState::Low,
                PaperState::Out,
                PaperState::Jammed,
                PaperState::Unknown,
            ] {
                let _ = writeln!(
                    out,
                    "hall_kiosk_printer_paper_state{{kiosk=\"{}\",state=\"{}\"}} {}",
                    k.kiosk_id,
                    s.as_str(),
                    u8::from(p == s)
                );
            }
        }
    }
    let _ = writeln!(out, "# HELP hall_kiosk_outbox_pending Items waiting in the kiosk's outbox.\n# TYPE hall_kiosk_outbox_pending gauge");
    for k in &view.kiosks {
        for (kind, n) in [
            ("application", k.outbox.applications),
            ("rating", k.outbox.ratings),
            ("other", k.outbox.other),
        ] {
            let _ = writeln!(
                out,
                "hall_kiosk_outbox_pending{{kiosk=\"{}\",kind=\"{kind}\"}} {n}",
                k.kiosk_id
            );
        }
    }
    crate::notify::write_metrics(&state, &mut out).await?;
    crate::partners::worker::write_metrics(&state, &mut out).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        out,
    )
        .into_response())
}
