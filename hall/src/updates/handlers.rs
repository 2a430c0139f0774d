//! The kiosks' side of updates and remote actions: the bundle download (kiosk-authenticated
//! like the heartbeat, with HTTP Range so a cut download resumes) and the result of a
//! remote action.

use std::io::SeekFrom;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use hall_api::error::{ErrorBody, ErrorCode};
use hall_api::updates::{ActionResult, MAX_ACTION_OUTPUT};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::ActionFinished;
use crate::auth::Kiosk;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;

/// A `Range` header this hall cannot serve (416).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsatisfiable;

/// A byte range asked for with `Range: bytes=…`, resolved against the file's size:
/// `Ok(None)` is the whole file; one range only.
pub fn parse_range(header: Option<&str>, size: u64) -> Result<Option<(u64, u64)>, Unsatisfiable> {
    let no = |_| Unsatisfiable;
    let Some(h) = header else { return Ok(None) };
    let spec = h.trim().strip_prefix("bytes=").ok_or(Unsatisfiable)?;
    if spec.contains(',') {
        return Err(Unsatisfiable);
    }
    let (start, end) = spec.split_once('-').ok_or(Unsatisfiable)?;
    let (start, end) = match (start.trim(), end.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().map_err(no)?;
            if n == 0 {
                return Err(Unsatisfiable);
            }
            (
                size.saturating_sub(n),
                size.checked_sub(1).ok_or(Unsatisfiable)?,
            )
        }
        (s, "") => (
            s.parse().map_err(no)?,
            size.checked_sub(1).ok_or(Unsatisfiable)?,
        ),
        (s, e) => {
            let e: u64 = e.parse().map_err(no)?;
            (s.parse().map_err(no)?, e.min(size.saturating_sub(1)))
        }
    };
    if start >= size || start > end {
        return Err(Unsatisfiable);
    }
    Ok(Some((start, end)))
}

fn valid_sha(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Downloads a bundle (whole, or the `Range` asked for).
#[utoipa::path(get, path = "/api/v1/updates/{sha256}", tag = "fleet",
    params(("sha256" = String, Path, description = "The bundle's SHA-256, lowercase hex")),
    responses((status = 200, description = "The bundle", content_type = "application/octet-stream"),
        (status = 206, description = "The range asked for", content_type = "application/octet-stream"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 416, body = ErrorBody)),
    security(("kiosk" = [])))]
pub async fn download(
    State(state): State<Arc<AppState>>,
    Kiosk(kiosk): Kiosk,
    Path(sha256): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let unknown = || ApiError::not_found("no bundle with that SHA-256");
    if !valid_sha(&sha256) {
        return Err(unknown());
    }
    let (Some(dir), Some(bundle)) = (
        state.settings.bundle_dir.as_ref(),
        state.store.bundle_by_sha(&sha256).await?,
    ) else {
        return Err(unknown());
    };
    let path = dir.join(format!("{sha256}.raucb"));
    let mut file = tokio::fs::File::open(&path).await.map_err(|e| {
        tracing::error!(path = %path.display(), %e, "a stored bundle's file cannot be opened");
        unknown()
    })?;
    let size = bundle.size;
    let range = headers.get(header::RANGE).map(|v| v.to_str().unwrap_or(""));
    let range = parse_range(range, size).map_err(|Unsatisfiable| {
        ApiError::new(
            StatusCode::RANGE_NOT_SATISFIABLE,
            ErrorCode::BadParameter,
            format!(
                "Range not satisfiable: the bundle has {size} bytes; ask for one range within it"
            ),
            "请求范围有误",
        )
    })?;
    let (status, start, len) = match range {
        Some((s, e)) => (StatusCode::PARTIAL_CONTENT, s, e - s + 1),
        None => (StatusCode::OK, 0, size),
    };
    file.seek(SeekFrom::Start(start))
        .await
        .map_err(crate::error::HallError::from)?;
    tracing::info!(kiosk = %kiosk.id, version = %bundle.version, start, len, "bundle download");
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file.take(len)));
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{sha256}\"")) {
        h.insert(header::ETAG, etag);
    }
    if status == StatusCode::PARTIAL_CONTENT {
        if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{}/{size}", start + len - 1)) {
            h.insert(header::CONTENT_RANGE, v);
        }
    }
    Ok(response)
}

/// Records the result of a remote action (once; a retry is answered the same).
#[utoipa::path(post, path = "/api/v1/kiosks/{id}/actions/{action}/result", tag = "fleet",
    params(("id" = String, Path, description = "The kiosk's own id"),
        ("action" = String, Path, description = "The action's id from the heartbeat's answer")),
    request_body = ActionResult,
    responses((status = 200, description = "Recorded (`{\"status\":\"recorded\"}`)", body = Object), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("kiosk" = [])))]
pub async fn action_result(
    State(state): State<Arc<AppState>>,
    Kiosk(kiosk): Kiosk,
    Path((id, action)): Path<(String, String)>,
    ApiJson(result): ApiJson<ActionResult>,
) -> Result<Json<serde_json::Value>, ApiError> {
    if id != kiosk.id {
        return Err(ApiError::forbidden(
            "a kiosk may only post its own actions' results",
        ));
    }
    if result.output.len() > MAX_ACTION_OUTPUT {
        return Err(ApiError::validation(vec![crate::handlers::field_error(
            "output",
            hall_api::form::FieldErrorCode::TooLong,
            "at most 48 KiB",
        )]));
    }
    match state
        .store
        .finish_action(&kiosk.id, &action, result.ok, result.output, Utc::now())
        .await?
    {
        ActionFinished::NotFound => Err(ApiError::not_found("no such action for this kiosk")),
        ActionFinished::Recorded | ActionFinished::AlreadyFinished => {
            tracing::info!(kiosk = %kiosk.id, action = %action, ok = result.ok, "remote action finished");
            Ok(Json(serde_json::json!({ "status": "recorded" })))
        }
    }
}

/// Returns the JSON of an action's result for callers that want it (the dashboard).
pub fn describe(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "ok",
        Some(false) => "failed",
        None => "pending",
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_range, Unsatisfiable};

    #[test]
    fn ranges_resolve_against_the_size() {
        assert_eq!(parse_range(None, 10), Ok(None));
        assert_eq!(parse_range(Some("bytes=0-3"), 10), Ok(Some((0, 3))));
        assert_eq!(parse_range(Some("bytes=4-"), 10), Ok(Some((4, 9))));
        assert_eq!(parse_range(Some("bytes=-3"), 10), Ok(Some((7, 9))));
        assert_eq!(parse_range(Some("bytes=5-100"), 10), Ok(Some((5, 9))));
        for bad in [
            "bytes=10-",
            "bytes=5-4",
            "items=0-1",
            "bytes=0-1,3-4",
            "bytes=x-",
            "bytes=-0",
        ] {
            assert_eq!(parse_range(Some(bad), 10), Err(Unsatisfiable), "{bad}");
        }
        assert_eq!(parse_range(Some("bytes=0-"), 0), Err(Unsatisfiable));
    }
}
