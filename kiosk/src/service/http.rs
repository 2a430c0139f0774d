//! `/metrics` and `/healthz` on the configured local address.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::Service;

/// Serves until shutdown.
pub async fn serve(
    service: Arc<Service>,
    listener: TcpListener,
    mut shutdown: watch::Receiver<bool>,
) {
    let app = Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .with_state(service);
    let stop = async move {
        let _ = shutdown.changed().await;
    };
    if let Err(err) = axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
    {
        tracing::error!(%err, "the /metrics server stopped");
    }
}

async fn metrics(State(service): State<Arc<Service>>) -> impl IntoResponse {
    match service.metrics().await {
        Ok(text) => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        ),
        Err(err) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("metrics unavailable: {err}\n"),
        ),
    }
}

async fn healthz(State(service): State<Arc<Service>>) -> impl IntoResponse {
    match service.status().await {
        Ok(status) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({
                "status": "ok",
                "kioskId": status.kiosk_id,
                "outboxPending": status.outbox_pending,
                "hallLastSuccessSecondsAgo": status.hall_last_success_seconds_ago,
            })),
        ),
        Err(err) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({ "status": "unavailable", "reason": err.to_string() })),
        ),
    }
}
