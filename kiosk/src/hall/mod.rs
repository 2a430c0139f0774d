//! The kiosk's client of the hall backend: submissions, progress, catalog (with ETag and an
//! on-disk cache for when the hall is out of reach), heartbeats.
//!
//! Errors say whether trying again can help ([`HallError::retryable`]): the outbox worker
//! retries network failures, 5xx and anything that is not the hall's own JSON answer (a
//! proxy's HTML 401/403/404/408/429 page) with backoff, and sets aside only what the hall
//! itself refused for good.

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
    /// Something answered that is not the hall's API (a proxy's error page, a bad body).
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
    /// operator may fix, any answer that is not the hall's own error body), as opposed to a
    /// refusal by the hall that will never change. Only the hall's JSON refusals are final: a
    /// proxy or captive portal in between answers 4xx pages of its own that say nothing
    /// about the submission.
    pub fn retryable(&self) -> bool {
        match self {
            HallError::Setup(_) => false,
            HallError::Network(_) => true,
            HallError::Refused { status, body } => {
                body.code.is_retryable()
                    || *status >= 500
                    || matches!(body.code, ErrorCode::Unauthorized | ErrorCode::Forbidden)
            }
            HallError::Unexpected { .. } => true,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(status: u16, code: ErrorCode) -> HallError {
        HallError::Refused {
            status,
            body: ErrorBody {
                code,
                message: "m".into(),
                message_zh: "中".into(),
                fields: Vec::new(),
            },
        }
    }

    #[test]
    fn only_the_halls_own_refusals_are_final() {
        for status in [400, 401, 403, 404, 408, 409, 413, 422, 429, 451, 500, 502] {
            let page = HallError::Unexpected {
                status,
                detail: "an HTML page".into(),
            };
            assert!(page.retryable(), "a proxy's {status} page must be retried");
        }
        assert!(!refusal(422, ErrorCode::ValidationFailed).retryable());
        assert!(!refusal(422, ErrorCode::UnknownItem).retryable());
        assert!(!refusal(409, ErrorCode::IdempotencyConflict).retryable());
        assert!(!refusal(404, ErrorCode::NotFound).retryable());
        assert!(refusal(401, ErrorCode::Unauthorized).retryable());
        assert!(refusal(429, ErrorCode::RateLimited).retryable());
        assert!(refusal(503, ErrorCode::Unavailable).retryable());
        assert!(HallError::Network("reset".into()).retryable());
        assert!(!HallError::Setup("bad CA".into()).retryable());
    }
}
