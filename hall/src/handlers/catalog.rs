//! `GET /api/v1/catalog`: the versioned catalog with a strong ETag, so kiosks revalidate
//! cheaply with `If-None-Match` and get 304 while nothing changed.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hall_api::catalog::Catalog;

use crate::state::AppState;

/// The catalog, or 304 if the client's copy is current.
#[utoipa::path(get, path = "/api/v1/catalog", tag = "catalog",
    params(("If-None-Match" = Option<String>, Header, description = "The ETag of the cached copy")),
    responses((status = 200, description = "The catalog, with ETag", body = Catalog),
        (status = 304, description = "The cached copy is current")))]
pub async fn get(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let entry = state.catalog();
    let etag =
        HeaderValue::from_str(&entry.etag).unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
    let matches = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| {
            let t = t.trim();
            t == "*" || t.trim_start_matches("W/") == entry.etag
        });
    let cache = (header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if matches {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag), cache]).into_response();
    }
    (
        StatusCode::OK,
        [
            (header::ETAG, etag),
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            cache,
        ],
        entry.json.clone(),
    )
        .into_response()
}
