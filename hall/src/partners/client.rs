//! Calling a partner hall: the forward's body (built and sealed at intake) and the two
//! requests the worker makes. Errors say what happened without any body in them.

use std::time::Duration;

use chrono::{DateTime, Utc};
use hall_api::application::CreateApplication;
use hall_api::partner::{
    ForwardReceipt, ForwardedApplication, PartnerProgressList, PartnerProgressQuery,
};
use reqwest::StatusCode;
use zeroize::Zeroizing;

use super::QueuedForward;
use crate::crypto::Secrets;
use crate::error::HallError;
use crate::notify::DeliveryError;

/// The forward of our application `id`, sealed for the queue (context: its event id).
pub fn queued_forward(
    secrets: &Secrets,
    id: &str,
    tracking_code: &str,
    received_at: DateTime<Utc>,
    req: &CreateApplication,
) -> Result<QueuedForward, HallError> {
    let mut application = req.clone();
    application.handled_by = None;
    // The partner could not read this hall's phone token; the number is already filled in.
    application.phone_token = None;
    let body = ForwardedApplication {
        origin_id: id.to_owned(),
        origin_tracking_code: tracking_code.to_owned(),
        received_at,
        application,
    };
    let plain = Zeroizing::new(
        serde_json::to_vec(&body).map_err(|e| HallError::Corrupt(format!("forward: {e}")))?,
    );
    let event_id = super::forward_key(id);
    Ok(QueuedForward {
        sealed: secrets.seal(&event_id, &plain)?,
        event_id,
        created_at: received_at,
    })
}

/// HTTP to partner halls.
#[derive(Debug, Clone)]
pub struct PartnerClient {
    http: reqwest::Client,
}

impl PartnerClient {
    /// A client whose every request ends within `timeout`.
    pub fn new(timeout: Duration) -> Result<Self, HallError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("hall/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| HallError::InvalidArgument(format!("partner client: {e}")))?;
        Ok(PartnerClient { http })
    }

    /// Sends a forward (`body`: the unsealed [`ForwardedApplication`] JSON) with its key.
    pub async fn forward(
        &self,
        base_url: &str,
        token: &str,
        key: &str,
        body: Vec<u8>,
    ) -> Result<ForwardReceipt, DeliveryError> {
        let url = format!(
            "{}/api/v1/partner/applications",
            base_url.trim_end_matches('/')
        );
        let response = self
            .http
            .post(&url)
            .bearer_auth(token)
            .header(hall_api::IDEMPOTENCY_KEY_HEADER, key)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| unreachable_error(&url, &e))?;
        answer(&url, response).await
    }

    /// Asks where our forwarded applications `ids` stand.
    pub async fn progress(
        &self,
        base_url: &str,
        token: &str,
        ids: Vec<String>,
    ) -> Result<PartnerProgressList, DeliveryError> {
        let url = format!("{}/api/v1/partner/progress", base_url.trim_end_matches('/'));
        let response = self
            .http
            .post(&url)
            .bearer_auth(token)
            .json(&PartnerProgressQuery { origin_ids: ids })
            .send()
            .await
            .map_err(|e| unreachable_error(&url, &e))?;
        answer(&url, response).await
    }
}

/// Whether an error means the partner could not be reached at all (it counts towards
/// "unreachable" in the logs and metrics).
pub fn is_unreachable(e: &DeliveryError) -> bool {
    e.message.starts_with(UNREACHABLE)
}

const UNREACHABLE: &str = "unreachable: ";

fn unreachable_error(url: &str, e: &reqwest::Error) -> DeliveryError {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    DeliveryError::transient(format!("{UNREACHABLE}{url}: {what}"))
}

async fn answer<T: serde::de::DeserializeOwned>(
    url: &str,
    response: reqwest::Response,
) -> Result<T, DeliveryError> {
    let status = response.status();
    if status.is_success() {
        return response.json::<T>().await.map_err(|e| {
            DeliveryError::transient(format!("{url}: the answer does not decode: {e}"))
        });
    }
    // The partner's error body is its own JSON error (no personal data); keep its code.
    let code = response
        .json::<hall_api::error::ErrorBody>()
        .await
        .map(|b| format!("{:?}: {}", b.code, b.message))
        .unwrap_or_default();
    let message = format!("{url}: HTTP {} {code}", status.as_u16());
    Err(match status {
        // A credential not yet exchanged or mistyped, an overloaded or restarting hall:
        // fixable without touching the application, so retried.
        StatusCode::UNAUTHORIZED
        | StatusCode::FORBIDDEN
        | StatusCode::REQUEST_TIMEOUT
        | StatusCode::TOO_MANY_REQUESTS => DeliveryError::transient(message),
        s if s.is_server_error() => DeliveryError::transient(message),
        // The partner refuses this application (409, 422, 400): retrying cannot help.
        _ => DeliveryError::permanent(message),
    })
}
