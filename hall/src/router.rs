//! Builds the routes. [`ROUTES`] lists every (method, path) the router serves; a test checks
//! that each is served and described in the OpenAPI document, and nothing else is.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use hall_api::error::ErrorCode;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

use crate::citizen::progress_page;
use crate::error::ApiError;
use crate::handlers::{
    applications, appointments, attachments, catalog, contact, dashboard, feedback, fleet, prints,
    staff,
};
use crate::openapi::ApiDoc;
use crate::state::AppState;

/// Every route: (method, path in OpenAPI spelling).
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/api/v1/openapi.json"),
    ("get", "/api/v1/catalog"),
    ("post", "/api/v1/applications"),
    ("get", "/api/v1/applications/{id}"),
    ("get", "/api/v1/applications/{id}/details"),
    ("post", "/api/v1/applications/{id}/status"),
    ("post", "/api/v1/progress"),
    ("post", "/api/v1/progress/by-id-number"),
    ("post", "/api/v1/materials/reusable"),
    ("get", "/api/v1/attachments/limits"),
    ("put", "/api/v1/attachments/{sha256}"),
    ("get", "/api/v1/attachments/{sha256}/status"),
    ("post", "/api/v1/result-documents/printable"),
    ("post", "/api/v1/result-documents/{id}/print"),
    ("post", "/api/v1/result-documents/{id}/prints/{copy}/failed"),
    ("post", "/api/v1/citizen/contact"),
    ("post", "/api/v1/ratings"),
    ("post", "/api/v1/complaints"),
    ("post", "/api/v1/help-requests"),
    ("get", "/api/v1/appointments/slots"),
    ("post", "/api/v1/appointments"),
    ("get", "/api/v1/appointments/{reference}"),
    ("post", "/api/v1/kiosks/{id}/heartbeat"),
    ("get", "/api/v1/fleet"),
    ("get", "/api/v1/updates/{sha256}"),
    ("post", "/api/v1/kiosks/{id}/actions/{action}/result"),
    ("get", "/metrics"),
    ("get", "/dashboard"),
    ("get", "/progress"),
    ("post", "/progress"),
    ("post", "/api/v1/partner/applications"),
    ("post", "/api/v1/partner/progress"),
];

/// Liveness for blackbox probes.
#[utoipa::path(get, path = "/healthz", tag = "service",
    responses((status = 200, description = "The service is up", body = Object)))]
pub async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// The OpenAPI 3 document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "service",
    responses((status = 200, description = "OpenAPI 3.1 document", body = Object)))]
pub async fn openapi_json() -> Response {
    match ApiDoc::openapi().to_json() {
        Ok(json) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            json,
        )
            .into_response(),
        Err(e) => ApiError::from(crate::error::HallError::Corrupt(format!("openapi: {e}")))
            .into_response(),
    }
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such route; see /api/v1/openapi.json")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::BadParameter,
        "this method is not allowed on this route; see /api/v1/openapi.json",
        "请求方式有误",
    )
}

/// A bug must still answer with the JSON error body (and be logged), not a bare 500.
fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::from(crate::error::HallError::Internal(
        "a handler panicked".into(),
    ))
    .into_response()
}

/// A request that outlived the timeout (or a fault in a middleware): 503 with the JSON
/// error body and `Retry-After`. Work already queued (a write) still completes; the client's
/// retry with the same `Idempotency-Key` gets the replay.
async fn overloaded(err: tower::BoxError) -> ApiError {
    let mut e = if err.is::<tower::timeout::error::Elapsed>() {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "the request took longer than the hall allows; retry with the same Idempotency-Key",
            "系统繁忙，请稍后再试",
        )
    } else {
        tracing::error!(error = %err, "middleware failed");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "the hall could not take the request; retry shortly",
            "系统繁忙，请稍后再试",
        )
    };
    e.retry_after = Some(5);
    e
}

/// Runs a request once one of the concurrency permits is free. The wait happens inside the
/// request (not in `poll_ready`), so the request timeout bounds it: an overloaded hall
/// answers 503 with `Retry-After` instead of queueing without end.
async fn admit(
    permits: Arc<tokio::sync::Semaphore>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match permits.acquire_owned().await {
        Ok(_permit) => next.run(req).await,
        // The semaphore is never closed; answer as overloaded if it ever is.
        Err(_) => overloaded(Box::new(std::io::Error::other("closed")))
            .await
            .into_response(),
    }
}

/// The whole service: the routes, then (inside out) the body limit, a concurrency limit
/// shared by all routes, a request timeout answering 503, the panic catcher and the trace
/// span (which names the client as [`crate::extract::client_of`] finds it).
pub fn router(state: Arc<AppState>) -> Router {
    let limit = state.settings.body_limit;
    let trusted = state.settings.trusted_proxies.clone();
    let span = move |req: &axum::http::Request<axum::body::Body>| {
        let client = crate::extract::client_of(req.extensions(), req.headers(), &trusted);
        tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), %client)
    };
    let permits = Arc::new(tokio::sync::Semaphore::new(
        state.settings.concurrency_limit,
    ));
    let guard = tower::ServiceBuilder::new()
        .layer(axum::error_handling::HandleErrorLayer::new(overloaded))
        .layer(tower::timeout::TimeoutLayer::new(
            state.settings.request_timeout,
        ))
        .layer(axum::middleware::from_fn(move |req, next| {
            admit(Arc::clone(&permits), req, next)
        }));
    Router::new()
        .route("/healthz", get(health))
        .route("/api/v1/openapi.json", get(openapi_json))
        .route("/api/v1/catalog", get(catalog::get))
        .route("/api/v1/applications", post(applications::create))
        .route("/api/v1/applications/{id}", get(staff::get_one))
        .route("/api/v1/applications/{id}/details", get(staff::details))
        .route("/api/v1/applications/{id}/status", post(staff::move_status))
        .route("/api/v1/progress", post(applications::query_progress))
        .route(
            "/api/v1/progress/by-id-number",
            post(applications::progress_by_id_number),
        )
        .route("/api/v1/materials/reusable", post(applications::reusable))
        .route("/api/v1/attachments/limits", get(attachments::limits))
        .route("/api/v1/attachments/{sha256}", put(attachments::put))
        .route(
            "/api/v1/attachments/{sha256}/status",
            get(attachments::status),
        )
        .route(
            "/api/v1/result-documents/printable",
            post(prints::printable),
        )
        .route("/api/v1/result-documents/{id}/print", post(prints::print))
        .route(
            "/api/v1/result-documents/{id}/prints/{copy}/failed",
            post(prints::print_failed),
        )
        .route("/api/v1/citizen/contact", post(contact::known_contact))
        .route("/api/v1/ratings", post(feedback::rate))
        .route("/api/v1/complaints", post(feedback::complain))
        .route("/api/v1/help-requests", post(feedback::help))
        .route("/api/v1/appointments/slots", get(appointments::slots))
        .route("/api/v1/appointments", post(appointments::book))
        .route(
            "/api/v1/appointments/{reference}",
            get(appointments::by_reference),
        )
        .route(
            "/api/v1/partner/applications",
            post(crate::partners::handlers::receive),
        )
        .route(
            "/api/v1/partner/progress",
            post(crate::partners::handlers::progress),
        )
        .route("/api/v1/kiosks/{id}/heartbeat", post(fleet::heartbeat))
        .route("/api/v1/fleet", get(fleet::fleet))
        .route(
            "/api/v1/updates/{sha256}",
            get(crate::updates::handlers::download),
        )
        .route(
            "/api/v1/kiosks/{id}/actions/{action}/result",
            post(crate::updates::handlers::action_result),
        )
        .route("/metrics", get(fleet::metrics))
        .route("/dashboard", get(dashboard::page))
        .merge(crate::staff::routes())
        .route(
            "/progress",
            get(progress_page::page).post(progress_page::rate),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(limit))
        .layer(guard)
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceLayer::new_for_http().make_span_with(span))
        .with_state(state)
}
