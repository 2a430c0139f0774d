//! 跨省通办 between halls: what one hall sends another. Only halls speak it, with a
//! `partner` credential (`Authorization: Bearer <our code at their hall>.<secret>`).
//!
//! - `POST /api/v1/partner/applications` with an `Idempotency-Key` (`fwd-<origin id>`):
//!   an application taken in at the origin hall (代收) for the receiving hall to handle.
//!   The same key and body answer the stored receipt again; the same key with another body
//!   is a 409, exactly as at kiosk intake.
//! - `POST /api/v1/partner/progress`: the origin hall asks where the applications it
//!   forwarded stand (by its own ids); the receiving hall answers for those it holds.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::application::{CreateApplication, Status, TimelineEntry};

/// The body of `POST /api/v1/partner/applications`. Personal data: see
/// [`CreateApplication`] (its `Debug` shows no form value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ForwardedApplication {
    /// The origin hall's application id (the key of later progress queries).
    pub origin_id: String,
    /// The tracking code on the citizen's receipt from the origin hall.
    pub origin_tracking_code: String,
    /// When the origin hall took it in.
    pub received_at: DateTime<Utc>,
    /// The application as the kiosk sent it (`handledBy` left out).
    pub application: CreateApplication,
}

/// The answer to a forward (and, identically, to its replay).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ForwardReceipt {
    /// The receiving hall's application id.
    pub id: String,
    /// The receiving hall's tracking code.
    pub tracking_code: String,
    /// Its promised completion date there.
    pub promised_by: NaiveDate,
}

/// The body of `POST /api/v1/partner/progress`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartnerProgressQuery {
    /// The origin hall's application ids (at most [`MAX_PROGRESS_QUERY`]).
    pub origin_ids: Vec<String>,
}

/// The most ids one progress query may ask for.
pub const MAX_PROGRESS_QUERY: usize = 200;

/// Where forwarded applications stand; ids the receiving hall does not hold are left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PartnerProgressList {
    /// One per held application.
    pub applications: Vec<PartnerProgress>,
}

/// One forwarded application at the receiving hall: no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PartnerProgress {
    /// The origin hall's id.
    pub origin_id: String,
    /// Current status there.
    pub status: Status,
    /// Its whole timeline there, oldest first (the first entry is its 已提交).
    pub timeline: Vec<TimelineEntry>,
}
