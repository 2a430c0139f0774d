//! The kiosk's client of the hall backend: submissions, progress, catalog (with ETag and an
//! on-disk cache for when the hall is out of reach), heartbeats.
//!
//! Errors say whether trying again can help ([`HallError::retryable`]): the outbox worker
//! retries network failures and 5xx with backoff, and sets aside what the hall refused for good.

mod cache;
mod client;

pub use cache::CatalogCache;
pub use client::{CatalogFetch, HallClient};

use hall_api::error::{ErrorBody, ErrorCode};

/// What went wrong talking to the hall.
#[derive(Debug, thiserror::Error)]
pub enum HallError {
    /// The configuration cannot make a client (bad CA file, bad URL).
    #[error("hall client setup: {0}")]
    Setup(String),
    /// No answer: connection refused, DNS, TLS, timeout.
    #[error("hall unreachable: {0}")]
    Network(String),
    /// The hall answered with an error body.
    #[error("hall answered {status}: {} ({:?})", body.message, body.code)]
    Refused {
        /// HTTP status.
        status: u16,
        /// The hall's error body.
        body: ErrorBody,
    },
    /// The hall answered something that is not the API (a proxy's error page, a bad body).
    #[error("hall answered {status} with an unexpected body: {detail}")]
    Unexpected {
        /// HTTP status.
        status: u16,
        /// What was wrong with it (never the body itself: it might echo personal data).
        detail: String,
    },
}

impl HallError {
    /// Whether the same request may succeed later (network, 5xx, rate limiting, auth that an
    /// operator may fix), as opposed to a refusal that will never change.
    pub fn retryable(&self) -> bool {
        match self {
            HallError::Setup(_) => false,
            HallError::Network(_) => true,
            HallError::Refused { status, body } => {
                body.code.is_retryable()
                    || *status >= 500
                    || matches!(body.code, ErrorCode::Unauthorized | ErrorCode::Forbidden)
            }
            HallError::Unexpected { status, .. } => {
                *status >= 500 || *status == 429 || *status == 0
            }
        }
    }

    /// The Chinese message the hall gave for the citizen, if any.
    pub fn message_zh(&self) -> Option<&str> {
        match self {
            HallError::Refused { body, .. } => Some(&body.message_zh),
            _ => None,
        }
    }
}
