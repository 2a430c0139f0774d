//! Wire types of the hall backend's API v1 (`/api/v1`), shared by the hall and the kiosk so
//! the two cannot drift apart.
//!
//! - [`catalog`]: departments, service items (materials, fees, time limits, 跨省通办, form),
//!   一件事 bundles (materials and fields asked once).
//! - [`form`]: typed form fields and [`form::validate_field`] / [`form::validate_form`], the
//!   one pure validation both sides run.
//! - [`application`]: intake, receipt (tracking code + verifier), status loop, progress,
//!   reusable materials.
//! - [`attachment`]: uploads (content-addressed, chunked, per kiosk), their limits, and
//!   result documents for 自助打印.
//! - [`contact`]: one-touch reuse of a phone number given before with consent.
//! - [`feedback`]: 好差评 ratings, complaints (办不成事), help requests.
//! - [`appointment`]: slots and bookings.
//! - [`fleet`]: heartbeats and the fleet view.
//! - [`partner`]: 跨省通办 between halls (forwarded applications and their progress).
//! - [`error`]: the error body.
//!
//! Authentication: kiosks send `Authorization: Bearer <kiosk-id>.<secret>` (printed once by
//! `hall kiosk add`); operators and staff send `Authorization: Bearer <name>.<secret>` from
//! `hall operator add` / `hall staff add` (the dashboard also takes it as HTTP Basic
//! `name:secret`). Writes from kiosks carry an `Idempotency-Key` header (8–64 characters of
//! `[A-Za-z0-9_-]`, a UUID is ideal).

pub mod application;
pub mod appointment;
pub mod attachment;
pub mod catalog;
pub mod contact;
pub mod error;
pub mod feedback;
pub mod fleet;
pub mod form;
pub mod partner;
pub mod updates;

/// Path prefix of every API v1 route.
pub const API_PREFIX: &str = "/api/v1";

/// The request header that carries the idempotency key.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

/// Whether an idempotency key is acceptable: 8–64 characters of `[A-Za-z0-9_-]`.
pub fn is_valid_idempotency_key(key: &str) -> bool {
    (8..=64).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether a kiosk, operator or staff id is acceptable: 1–64 characters of `[a-z0-9-]`,
/// not starting with `-`.
pub fn is_valid_principal_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && !id.starts_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod wire_tests;
