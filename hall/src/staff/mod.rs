//! The staff workbench at `/staff/`: server-rendered pages (maud, plain HTML forms, no
//! scripts) where staff work the loop 受理 → 承办 → 办结 → 反馈 → 回访.
//!
//! - [`auth`]: passwords, sessions, CSRF, lockout ([`password`]: changing one's own); [`access`]: who sees and does what.
//! - [`search`]: what the search box accepts (codes, the receipt QR's URL, ID numbers).
//! - [`calendar`]: working days from the holiday files, for due dates.
//! - [`reports`]: 绩效考评 (with [`reports_view`], [`svg`] charts and [`csv`] downloads).
//! - [`inbox`]: the inboxes; [`views`]: the HTML; [`pages`] and [`case`]: the handlers.
//! - [`intake`]: counter intake (无差别综合受理) with the kiosk's form engine ([`intake_form`],
//!   [`intake_views`]) and the printable [`receipt`].
//! - [`catalog_edit`]: 督查 edits items (with [`catalog_views`]), each save a new catalog
//!   version.
//! - [`tickets`]: the help and complaint queue; [`ratings`]: 好差评 and 差评整改 (with their
//!   `*_views`).
//! - [`fleet_ops`]: updates and remote actions (operators).
//! - [`notices`]: the notices' delivery log (supervisors and operators).

pub mod access;
pub mod auth;
pub mod calendar;
pub mod case;
pub mod catalog_edit;
pub mod catalog_views;
pub mod csv;
pub mod files;
pub mod fleet_ops;
pub mod inbox;
pub mod intake;
pub mod intake_form;
pub mod intake_views;
pub mod notices;
pub mod pages;
pub mod password;
pub mod ratings;
pub mod ratings_views;
pub mod receipt;
pub mod reports;
pub mod reports_view;
pub mod search;
pub mod svg;
pub mod tickets;
pub mod tickets_views;
pub mod views;

use std::path::PathBuf;
use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

/// The workbench's tunables.
#[derive(Debug, Clone)]
pub struct StaffSettings {
    /// Mark cookies `Secure` (set when the hall is served over TLS, directly or behind a
    /// proxy that terminates it).
    pub secure_cookies: bool,
    /// Signed out after this long without a request.
    pub idle: chrono::Duration,
    /// Failed sign-ins before the account is locked.
    pub max_failures: u32,
    /// How long a locked account stays locked.
    pub lockout: chrono::Duration,
    /// Extra or replacement holiday files (`YYYY.toml`), besides the built-in 2025–2027.
    pub holidays_dir: Option<PathBuf>,
    /// Working days after a 差评 by which each step of its case is due.
    pub rectification: ratings::RectificationDays,
}

impl Default for StaffSettings {
    fn default() -> Self {
        StaffSettings {
            secure_cookies: false,
            idle: chrono::Duration::minutes(30),
            max_failures: 5,
            lockout: chrono::Duration::minutes(15),
            holidays_dir: None,
            rectification: ratings::RectificationDays::default(),
        }
    }
}

/// What the workbench keeps while the hall runs.
#[derive(Debug)]
pub struct StaffState {
    /// Tunables.
    pub settings: StaffSettings,
    /// Working days.
    pub calendar: calendar::Calendar,
}

impl StaffState {
    /// Loads the holiday calendar.
    pub fn new(settings: StaffSettings) -> Result<Self, crate::HallError> {
        let calendar = match &settings.holidays_dir {
            Some(dir) => calendar::Calendar::shipped_and_dir(dir),
            None => calendar::Calendar::shipped(),
        }
        .map_err(|e| crate::HallError::InvalidArgument(e.to_string()))?;
        Ok(StaffState { settings, calendar })
    }
}

/// The workbench's routes (HTML, not part of the JSON API or its OpenAPI document).
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/staff", get(pages::home))
        .route("/staff/", get(pages::home))
        .route("/staff/login", get(pages::login_form).post(pages::login))
        .route("/staff/logout", post(pages::logout))
        .route("/staff/inbox/{name}", get(pages::inbox))
        .route("/staff/search", post(pages::search))
        .route("/staff/applications/{id}", get(pages::application))
        .route("/staff/applications/{id}/{action}", post(pages::act))
        .route("/staff/applications/{id}/receipt", get(receipt::page))
        .route(
            "/staff/applications/{id}/attachments/{position}",
            get(files::attachment),
        )
        .route(
            "/staff/applications/{id}/result-documents",
            // A PDF up to the attachment limit, not the API's 64 KiB.
            post(files::attach_result).layer(axum::extract::DefaultBodyLimit::max(
                files::UPLOAD_BODY_LIMIT,
            )),
        )
        .route(
            "/staff/applications/{id}/result-documents/{doc}",
            get(files::result_document),
        )
        .route("/staff/intake", get(intake::picker))
        .route(
            "/staff/intake/{code}",
            get(intake::form).post(intake::submit),
        )
        .route("/staff/tickets", get(tickets::queue))
        .route("/staff/tickets/{id}", get(tickets::ticket))
        .route("/staff/tickets/{id}/{action}", post(tickets::act))
        .route("/staff/ratings", get(ratings::list))
        .route("/staff/ratings/{id}", get(ratings::rating))
        .route("/staff/ratings/{id}/{action}", post(ratings::act))
        .route("/staff/reports", get(reports::page))
        .route("/staff/reports/{file}", get(reports::csv))
        .route("/staff/notices", get(notices::page))
        .route("/staff/fleet", get(fleet_ops::page))
        .route("/staff/fleet/{what}", post(fleet_ops::act))
        .route("/staff/catalog", get(catalog_edit::list))
        .route(
            "/staff/catalog/items/{code}",
            get(catalog_edit::item).post(catalog_edit::save),
        )
        .route(
            auth::PASSWORD_PAGE,
            get(password::show).post(password::change),
        )
}
