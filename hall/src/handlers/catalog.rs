//! `GET /api/v1/catalog`: the versioned catalog with a strong ETag, so kiosks revalidate
//! cheaply with `If-None-Match` and get 304 while nothing changed. A kiosk (its credential
//! sent) gets the catalog of its site: without the items the site does not offer.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hall_api::catalog::Catalog;

use crate::auth::MaybeKiosk;
use crate::error::ApiError;
use crate::state::AppState;

/// The catalog, or 304 if the client's copy is current.
#[utoipa::path(get, path = "/api/v1/catalog", tag = "catalog",
    params(("If-None-Match" = Option<String>, Header, description = "The ETag of the cached copy")),
    responses((status = 200, description = "The catalog, with ETag", body = Catalog),
        (status = 304, description = "The cached copy is current"),
        (status = 401, description = "A wrong kiosk credential (the credential is optional: a kiosk gets its site's catalog)", body = hall_api::error::ErrorBody),
        (status = 503, description = "Storage unavailable; retry after Retry-After", body = hall_api::error::ErrorBody)))]
pub async fn get(
    State(state): State<Arc<AppState>>,
    MaybeKiosk(kiosk): MaybeKiosk,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    // A kiosk gets what its site offers; anyone else the whole catalog.
    let entry = match &kiosk {
        Some(k) => state.catalog_for_kiosk(&k.id).await?,
        None => state.catalog(),
    };
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
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag), cache]).into_response());
    }
    Ok((
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
        .into_response())
}
