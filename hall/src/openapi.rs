//! The OpenAPI 3 document, generated from the handlers' annotations and the wire types'
//! schemas (hall-api's `openapi` feature), so it cannot drift from the implementation.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::citizen::progress_page;
use crate::handlers::{
    applications, appointments, attachments, catalog, contact, dashboard, feedback, fleet, prints,
    staff,
};
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
        attachments::limits, attachments::put, attachments::status,
        prints::printable, prints::print, prints::print_failed,
        contact::known_contact,
        feedback::rate, feedback::complain, feedback::help,
        appointments::slots, appointments::book, appointments::by_reference,
        fleet::heartbeat, fleet::fleet, fleet::metrics, dashboard::page,
        crate::updates::handlers::download, crate::updates::handlers::action_result,
        progress_page::page, progress_page::rate,
        crate::partners::handlers::receive, crate::partners::handlers::progress,
    ),
    components(schemas(hall_api::error::ErrorBody, hall_api::error::ErrorCode)),
    modifiers(&Security, &CommonAnswers)
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
            (
                "partner",
                "`hall partner add CODE` at the called hall (a partner hall's credential)",
            ),
        ] {
            let mut http = Http::new(HttpAuthScheme::Bearer);
            http.description = Some(format!("`<id>.<secret>` as printed by {who}"));
            components.add_security_scheme(name, SecurityScheme::Http(http));
        }
    }
}

/// Adds the answers the shared layers give, so every operation lists every status it can
/// answer: 400/413/415 where a JSON body is read, 400 where a query or path is parsed, 401
/// where a credential is checked, 500 (a caught panic) and 503 (timeout, overload, storage
/// unavailable) everywhere. A property-based check of the served document (schemathesis, in
/// `scripts/test.sh`) keeps this honest.
#[derive(Debug)]
struct CommonAnswers;

fn error_answer(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{Content, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("ErrorBody"))),
        )
        .build()
        .into()
}

fn add_answers(op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::path::ParameterIn;
    let body = op.request_body.is_some();
    let parsed = op.parameters.iter().flatten().any(|p| {
        matches!(p.parameter_in, ParameterIn::Query | ParameterIn::Path)
            || p.name.eq_ignore_ascii_case("idempotency-key")
    });
    let secured = op.security.iter().flatten().any(|r| {
        serde_json::to_value(r)
            .ok()
            .and_then(|v| v.as_object().map(|o| !o.is_empty()))
            .unwrap_or(false)
    });
    let mut wanted: Vec<(&str, &str)> = Vec::new();
    if body || parsed {
        wanted.push(("400", "Malformed body, parameter or header"));
    }
    if body {
        wanted.push(("413", "Body larger than the hall accepts"));
        wanted.push(("415", "Body is not `application/json`"));
    }
    if secured {
        wanted.push(("401", "No or wrong credential"));
    }
    wanted.push(("500", "A fault in the hall; retry later"));
    wanted.push((
        "503",
        "Overloaded, timed out or storage unavailable; retry after `Retry-After`",
    ));
    for (status, description) in wanted {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| error_answer(description));
    }
}

impl Modify for CommonAnswers {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        for item in doc.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                add_answers(op);
            }
        }
    }
}
