//! `hall`: the county hall backend.
//!
//! - [`router`] builds the routes; [`handlers`] holds one file per resource (catalog,
//!   applications, feedback, appointments, fleet, dashboard); [`citizen`] the citizen's phone
//!   pages (the receipt QR's progress page).
//! - [`store`] is storage behind a trait; [`store::sqlite`] the default implementation (WAL,
//!   `synchronous=FULL`, one writer thread with group commit, pooled readers).
//! - [`auth`] checks kiosk, operator and staff credentials; [`extract`] turns malformed input
//!   into the JSON error body; [`limiter`] stops guessing of tracking codes.
//! - [`crypto`] holds the keys: keyed hashes of ID numbers, sealed personal data.
//! - [`net`] finds the client behind trusted proxies; [`tls`] serves HTTPS (rustls).
//! - [`staff`] is the staff workbench at `/staff/` (sign-in, inboxes, the loop).
//! - [`notify`] tells on-duty staff of new help requests, complaints and 差评 (webhook, email)
//!   from a durable queue in the database.
//! - [`catalog_versions`] stores catalog versions with their effective time;
//!   [`catalog_file`] reads and writes the county's spreadsheet (`hall catalog …`).
//! - [`sites`] is the county → township → village tree, each kiosk's site and the items
//!   each site offers (the kiosk's catalog is filtered by it).
//! - [`partners`] is 跨省通办 between halls: partner places, forwarding applications taken in
//!   here (代收) through a durable queue, and their stage changes coming back.
//! - [`seed`] is the catalog loaded on first start; [`openapi`] the OpenAPI document.
//!
//! - [`program`] is the `hall` command line; the binary (`main.rs`) only calls it.

pub mod auth;
pub mod backup;
pub mod catalog_file;
pub mod catalog_versions;
pub mod citizen;
pub mod crypto;
pub mod error;
pub mod extract;
pub mod handlers;
pub mod idempotency;
pub mod limiter;
pub mod net;
pub mod notify;
pub mod openapi;
pub mod partners;
pub mod program;
pub mod router;
pub mod seed;
pub mod sites;
pub mod staff;
pub mod state;
pub mod store;
pub mod tls;
pub mod updates;

use std::future::Future;
use std::sync::Arc;

pub use error::{ApiError, HallError};
pub use state::{AppState, Settings};

/// Serves on `listener` until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router::router(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<net::PeerAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Serves HTTPS on `listener` with `tls` (see [`tls::server_config`]) until `shutdown`
/// resolves, then finishes the requests in flight.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    tls: Arc<tokio_rustls::rustls::ServerConfig>,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router::router(state);
    axum::serve(
        tls::TlsListener::new(listener, tls)?,
        app.into_make_service_with_connect_info::<net::PeerAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
