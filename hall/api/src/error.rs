//! The error body every 4xx and 5xx carries: a stable code programs act on, an English
//! message for technicians, a Chinese message a kiosk may show, and field errors.

use serde::{Deserialize, Serialize};

use crate::form::FieldError;

/// What went wrong, stable across versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum ErrorCode {
    /// The body is not valid JSON or does not fit the schema (400).
    MalformedBody,
    /// The body is not `application/json` (415).
    UnsupportedMediaType,
    /// The body is larger than the limit (413).
    PayloadTooLarge,
    /// A query parameter or path segment is malformed (400).
    BadParameter,
    /// Field-level validation failed; see `fields` (422).
    ValidationFailed,
    /// The item code is not in the catalog (422).
    UnknownItem,
    /// The bundle code is not in the catalog (422).
    UnknownBundle,
    /// The `Idempotency-Key` header is missing or malformed (400).
    MissingIdempotencyKey,
    /// The `Idempotency-Key` was used before with a different body (409).
    IdempotencyConflict,
    /// No credential, or a wrong one (401).
    Unauthorized,
    /// The credential is valid but may not do this (403).
    Forbidden,
    /// No such resource, or the tracking code and verifier do not match (404).
    NotFound,
    /// The application was rated already, differently (409).
    AlreadyRated,
    /// The status move is not allowed from the current status (409).
    InvalidTransition,
    /// The appointment slot is full (409).
    SlotFull,
    /// Too many attempts; wait `Retry-After` seconds (429).
    RateLimited,
    /// The hall is shutting down or overloaded; retry later (503).
    Unavailable,
    /// A fault in the hall; retry later, and tell the operator if it persists (500).
    Internal,
    /// An application references attachments the hall does not hold completely for this
    /// kiosk (409; `fields` lists each missing hash): upload them, then send the same request
    /// again. Retryable.
    AttachmentsMissing,
    /// A chunk does not start where the hall's copy ends, or announces another total (409):
    /// ask the status and resume from `received`.
    AttachmentOffset,
    /// The uploaded bytes do not hash to the SHA-256 in the path (422); the partial upload
    /// was discarded.
    AttachmentHashMismatch,
    /// The document is neither a PDF nor a JPEG (415).
    UnsupportedDocument,
    /// Every allowed copy of a result document was printed (409).
    CopiesUsed,
}

impl ErrorCode {
    /// Whether a client should retry the same request later (the kiosk outbox uses this).
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorCode::RateLimited
                | ErrorCode::Unavailable
                | ErrorCode::Internal
                | ErrorCode::AttachmentsMissing
        )
    }
}

/// The JSON body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// What went wrong.
    pub code: ErrorCode,
    /// English, for technicians and logs: what happened and what to do.
    pub message: String,
    /// Chinese, safe to show a citizen.
    pub message_zh: String,
    /// Field errors for `validationFailed` (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}
