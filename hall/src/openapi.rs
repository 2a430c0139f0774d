//! The OpenAPI 3 document, generated from the handlers' annotations and the wire types'
//! schemas (hall-api's `openapi` feature), so it cannot drift from the implementation.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::citizen::progress_page;
use crate::handlers::{applications, appointments, catalog, dashboard, feedback, fleet, staff};
use crate::router;

/// The document.
#[derive(Debug, OpenApi)]
#[openapi(
    info(title = "County hall backend API", version = "1",
        description = "Catalog, exactly-once intake, progress, 好差评, appointments, complaints and the kiosk fleet. Every error has the ErrorBody shape."),
    paths(
        router::health, router::openapi_json, catalog::get,
        applications::create, staff::get_one,
        staff::details, staff::move_status,
        applications::query_progress, applications::progress_by_id_number, applications::reusable,
        feedback::rate, feedback::complain, feedback::help,
        appointments::slots, appointments::book, appointments::by_reference,
        fleet::heartbeat, fleet::fleet, fleet::metrics, dashboard::page,
        progress_page::page, progress_page::rate,
    ),
    components(schemas(hall_api::error::ErrorBody, hall_api::error::ErrorCode)),
    modifiers(&Security)
)]
pub struct ApiDoc;

/// Adds the three bearer credentials (kiosk, operator, staff).
#[derive(Debug)]
struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        for (name, who) in [
            ("kiosk", "`hall kiosk add ID`"),
            (
                "operator",
                "`hall operator add NAME` (the dashboard also takes Basic name:secret)",
            ),
            ("staff", "`hall staff add NAME`"),
        ] {
            let mut http = Http::new(HttpAuthScheme::Bearer);
            http.description = Some(format!("`<id>.<secret>` as printed by {who}"));
            components.add_security_scheme(name, SecurityScheme::Http(http));
        }
    }
}
