//! The HTTP webhook: a signed JSON POST, for a county's SMS gateway or 12345 platform.
//!
//! Headers: `X-Hall-Event-Id` (stable across retries: drop ids already seen),
//! `X-Hall-Event` (the kind), `X-Hall-Timestamp` (Unix seconds of this attempt) and
//! `X-Hall-Signature: sha256=<hex>`, the HMAC-SHA256 under the shared secret of
//! `<timestamp>.<raw body>`. A receiver recomputes the MAC over the bytes it received,
//! compares in constant time, and refuses timestamps more than 5 minutes from its clock
//! ([`verify`] does exactly this). Any 2xx is success; 4xx other than 408/429 means the
//! receiver refused the notice for good; everything else is retried.

use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::config::{Secret, WebhookTarget};
use super::events::{Event, Notice};
use super::{DeliveryError, Notifier};
use crate::error::HallError;

/// Header names.
pub const SIGNATURE: &str = "x-hall-signature";
/// Unix seconds of the attempt, covered by the signature.
pub const TIMESTAMP: &str = "x-hall-timestamp";
/// The stable event id.
pub const EVENT_ID: &str = "x-hall-event-id";
/// The event kind.
pub const EVENT: &str = "x-hall-event";
/// How far a receiver should accept a timestamp from its own clock.
pub const TOLERANCE: Duration = Duration::from_secs(300);

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> HmacSha256 {
    let mut m = <HmacSha256 as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m
}

/// The `X-Hall-Signature` value for a body sent at `timestamp`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
    )
}

/// Why a received webhook is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The signature header is not `sha256=<64 hex>`.
    #[error("malformed signature header")]
    Malformed,
    /// The timestamp is too far from now (a replay, or a wrong clock).
    #[error("timestamp outside the accepted window")]
    Stale,
    /// The MAC does not match.
    #[error("signature does not match")]
    Mismatch,
}

/// Checks a received webhook: the signature over `timestamp` and the raw body, and the
/// timestamp against `now` (both Unix seconds).
pub fn verify(
    secret: &[u8],
    timestamp: i64,
    body: &[u8],
    signature: &str,
    now: i64,
) -> Result<(), VerifyError> {
    let hex_part = signature
        .strip_prefix("sha256=")
        .ok_or(VerifyError::Malformed)?;
    let given = hex::decode(hex_part).map_err(|_| VerifyError::Malformed)?;
    if given.len() != 32 {
        return Err(VerifyError::Malformed);
    }
    if timestamp.abs_diff(now) > TOLERANCE.as_secs() {
        return Err(VerifyError::Stale);
    }
    mac(secret, timestamp, body)
        .verify_slice(&given)
        .map_err(|_| VerifyError::Mismatch)
}

/// The JSON body: the envelope (id, kind, audience, time, Chinese title and text, link),
/// `to` (the phone) for citizen notices only, and the event's data.
pub fn body(notice: &Notice) -> Value {
    let message = notice.message();
    let kind = notice.event.kind();
    let (to, data) = match &notice.event {
        Event::HelpRequested(t) | Event::ComplaintFiled(t) => (None, json!(t)),
        Event::BadRating(r) => (None, json!(r)),
        Event::ApplicationDueSoon(d) => (None, json!(d)),
        Event::Citizen(n) => {
            let mut data = json!(n);
            if let Some(map) = data.as_object_mut() {
                map.remove("consent");
            }
            (Some(n.consent.phone().to_owned()), data)
        }
    };
    let mut body = json!({
        "id": notice.id,
        "kind": kind.as_str(),
        "audience": if kind.is_citizen() { "citizen" } else { "staff" },
        "occurredAt": notice.occurred_at,
        "title": message.title,
        "text": message.text,
        "link": notice.link(),
        "data": data,
    });
    if let (Some(to), Some(map)) = (to, body.as_object_mut()) {
        map.insert("to".into(), Value::String(to));
    }
    body
}

/// Posts notices to one URL.
#[derive(Debug)]
pub struct WebhookNotifier {
    name: String,
    url: String,
    secret: Secret,
    client: reqwest::Client,
}

impl WebhookNotifier {
    /// A notifier for a configured target.
    pub fn new(target: &WebhookTarget) -> Result<Self, HallError> {
        let client = reqwest::Client::builder()
            .timeout(target.timeout)
            .connect_timeout(target.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("hall/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| HallError::InvalidArgument(format!("webhook {}: {e}", target.name)))?;
        Ok(WebhookNotifier {
            name: target.name.clone(),
            url: target.url.clone(),
            secret: target.secret.clone(),
            client,
        })
    }
}

/// A transport error described without its URL (which may carry a token).
fn describe(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let mut text = kind.to_owned();
    let e = e.without_url();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[async_trait]
impl Notifier for WebhookNotifier {
    fn name(&self) -> &str {
        &self.name
    }

    async fn deliver(&self, notice: &Notice) -> Result<(), DeliveryError> {
        let raw = serde_json::to_vec(&body(notice))
            .map_err(|e| DeliveryError::permanent(format!("cannot encode: {e}")))?;
        let timestamp = chrono::Utc::now().timestamp();
        let response = self
            .client
            .post(&self.url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            )
            .header(EVENT_ID, &notice.id)
            .header(EVENT, notice.event.kind().as_str())
            .header(TIMESTAMP, timestamp.to_string())
            .header(SIGNATURE, sign(self.secret.expose(), timestamp, &raw))
            .body(raw)
            .send()
            .await
            .map_err(|e| DeliveryError::transient(describe(e)))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        // The response body is not logged: a receiver might echo the notice back.
        let message = format!("HTTP {}", status.as_u16());
        if status.is_client_error() && !matches!(status.as_u16(), 408 | 429) {
            Err(DeliveryError::permanent(message))
        } else {
            Err(DeliveryError::transient(message))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_body_time_and_secret() {
        let secret = b"0123456789abcdef0123";
        let body = "{\"kind\":\"help.requested\",\"title\":\"新的求助\"}".as_bytes();
        let sig = sign(secret, 1_700_000_000, body);
        assert!(sig.starts_with("sha256=") && sig.len() == 7 + 64);
        assert_eq!(
            verify(secret, 1_700_000_000, body, &sig, 1_700_000_100),
            Ok(())
        );
        assert_eq!(
            verify(secret, 1_700_000_000, b"{}", &sig, 1_700_000_000),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(secret, 1_700_000_001, body, &sig, 1_700_000_001),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(
                b"another-secret-000",
                1_700_000_000,
                body,
                &sig,
                1_700_000_000
            ),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(secret, 1_700_000_000, body, &sig, 1_700_000_301),
            Err(VerifyError::Stale)
        );
        assert_eq!(
            verify(secret, 1_700_000_000, body, "sha1=abc", 1_700_000_000),
            Err(VerifyError::Malformed)
        );
    }
}
