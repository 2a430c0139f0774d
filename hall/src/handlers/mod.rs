//! HTTP handlers, one file per resource, and the helpers they share.

pub mod applications;
pub mod appointments;
pub mod attachments;
pub mod catalog;
pub mod contact;
pub mod dashboard;
pub mod feedback;
pub mod fleet;
pub mod material_refs;
pub mod prints;
pub mod staff;

use std::net::IpAddr;

use axum::http::StatusCode;
use hall_api::error::ErrorCode;
use hall_api::form::{FieldError, FieldErrorCode};

use crate::crypto::constant_time_eq;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::ApplicationRecord;

/// A field error with a Chinese message.
pub fn field_error(field: &str, code: FieldErrorCode, message: &str) -> FieldError {
    FieldError {
        field: field.to_owned(),
        code,
        message: message.to_owned(),
    }
}

/// Checks a receipt's tracking code and verifier under the guessing limiter. Unknown codes
/// and wrong verifiers get the same 404 after the same work, so neither can be told apart.
pub async fn verify_receipt(
    state: &AppState,
    client: IpAddr,
    tracking_code: &str,
    verifier: &str,
) -> Result<ApplicationRecord, ApiError> {
    let code = tracking_code.trim().to_ascii_uppercase();
    if let Some(wait) = state.limiter.check(client, &code) {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            "too many failed attempts for this client or tracking code; wait and retry",
            "尝试次数过多，请稍后再试",
        );
        e.retry_after = Some(wait.as_secs().max(1));
        return Err(e);
    }
    // A malformed code can never match: no look-up, and the limiter stores nothing for it.
    let plausible = crate::limiter::is_tracking_code(&code) && verifier.len() <= 32;
    let rec = if plausible {
        state.store.application_by_tracking(&code).await?
    } else {
        None
    };
    let presented = state.secrets.verifier_hash(verifier);
    let expected = rec.as_ref().map_or([0xA5; 32], |r| r.verifier_hash);
    match rec {
        Some(r) if constant_time_eq(&presented, &expected) => Ok(r),
        _ => {
            state.limiter.fail(client, &code);
            Err(ApiError::not_found(
                "the tracking code and verifier do not match an application",
            ))
        }
    }
}
