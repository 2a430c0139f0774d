//! 自助打印: the result documents staff attached, listed for their applicant (by the ID card
//! on the kiosk's reader, or by the receipt) and printed once per allowed copy; and what the
//! hall holds for a citizen to reuse (已有材料).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use hall_api::application::HeldDocument;
use hall_api::attachment::{
    CopiesLeft, PrintFailedReport, PrintRequest, PrintableDocument, PrintableDocuments,
    PrintableQuery,
};
use hall_api::error::{ErrorBody, ErrorCode};

use super::applications::audited_lookup;
use super::attachments::{read_all, sha_of};
use super::material_refs::REUSE_DAYS;
use super::verify_receipt;
use crate::auth::Kiosk;
use crate::error::ApiError;
use crate::extract::{ApiJson, ClientAddr};
use crate::state::AppState;
use crate::store::attachments::ResultDocumentRow;

/// A citizen's reusable uploads — (material code, hashes of its newest application, valid
/// until) — and the result documents of their applications.
pub(crate) async fn held_for(
    state: &AppState,
    applicant_key: [u8; 32],
) -> Result<(Vec<(String, Vec<String>, DateTime<Utc>)>, Vec<HeldDocument>), ApiError> {
    let since = Utc::now() - Duration::days(REUSE_DAYS);
    let mut uploads: Vec<(String, Vec<String>, DateTime<Utc>)> = Vec::new();
    let mut newest_at: Vec<DateTime<Utc>> = Vec::new();
    for (code, row, at) in state.store.reusable_uploads(applicant_key, since).await? {
        let sha = sha_of(state, &row)?;
        match uploads.iter().position(|u| u.0 == code) {
            // Rows come newest first: only the newest application's uploads of a material.
            Some(i) if newest_at[i] == at => {
                if !uploads[i].1.contains(&sha) {
                    uploads[i].1.push(sha);
                }
            }
            Some(_) => {}
            None => {
                uploads.push((code, vec![sha], at + Duration::days(REUSE_DAYS)));
                newest_at.push(at);
            }
        }
    }
    let mut documents = Vec::new();
    for d in state.store.result_documents_of(applicant_key).await? {
        let subject_name = state
            .store
            .application(&d.application_id)
            .await?
            .map(|a| a.subject_name)
            .unwrap_or_default();
        documents.push(HeldDocument {
            sha256: sha_of(state, &d.attachment)?,
            title: d.title,
            subject_name,
            issued_at: d.attached_at,
        });
    }
    Ok((uploads, documents))
}

/// The documents the proof opens: the holder's own (ID card) or the receipt's application.
async fn documents_for(
    state: &AppState,
    kiosk: &str,
    client: std::net::IpAddr,
    proof: &PrintableQuery,
) -> Result<Vec<ResultDocumentRow>, ApiError> {
    match proof {
        PrintableQuery::IdCard { id_number } => {
            let key = audited_lookup(state, kiosk, "result-documents", id_number).await?;
            Ok(state.store.result_documents_of(key).await?)
        }
        PrintableQuery::Receipt {
            tracking_code,
            verifier,
        } => {
            let rec = verify_receipt(state, client, tracking_code, verifier).await?;
            let mut docs = state.store.result_documents(&rec.id).await?;
            docs.reverse();
            Ok(docs)
        }
    }
}

fn copies_left(d: &ResultDocumentRow) -> u32 {
    d.copies_allowed
        .saturating_sub(u32::try_from(d.prints.len()).unwrap_or(u32::MAX))
}

/// Result documents the citizen may print now (copies left), newest first.
#[utoipa::path(post, path = "/api/v1/result-documents/printable", tag = "attachments",
    request_body = PrintableQuery,
    responses((status = 200, body = PrintableDocuments),
        (status = 404, description = "Tracking code and verifier do not match", body = ErrorBody),
        (status = 422, description = "Invalid ID number", body = ErrorBody),
        (status = 429, description = "Too many look-ups or failed attempts; see Retry-After", body = ErrorBody)),
    security(("kiosk" = [])))]
pub async fn printable(
    State(state): State<Arc<AppState>>,
    Kiosk(kiosk): Kiosk,
    ClientAddr(client): ClientAddr,
    ApiJson(q): ApiJson<PrintableQuery>,
) -> Result<Json<PrintableDocuments>, ApiError> {
    let docs = documents_for(&state, &kiosk.id, client, &q).await?;
    let mut out = Vec::new();
    for d in docs.iter().filter(|d| copies_left(d) > 0) {
        let rec = state.store.application(&d.application_id).await?;
        out.push(PrintableDocument {
            id: d.id.clone(),
            tracking_code: rec
                .as_ref()
                .map(|r| r.tracking_code.clone())
                .unwrap_or_default(),
            subject_name: rec.map(|r| r.subject_name).unwrap_or_default(),
            title: d.title.clone(),
            bytes: d.attachment.total,
            copies_left: copies_left(d),
            attached_at: d.attached_at,
        });
    }
    Ok(Json(PrintableDocuments { documents: out }))
}

/// One copy of a result document, as a PDF: uses up a copy and records the kiosk and time.
#[utoipa::path(post, path = "/api/v1/result-documents/{id}/print", tag = "attachments",
    params(("id" = String, Path, description = "Document id from the printable list")),
    request_body = PrintRequest,
    responses((status = 200, description = "The PDF; header Print-Copy says which copy", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "No such document for this proof (another citizen's, or unknown)", body = ErrorBody),
        (status = 409, description = "copiesUsed: every allowed copy was printed", body = ErrorBody),
        (status = 422, description = "Invalid ID number", body = ErrorBody),
        (status = 429, description = "Too many look-ups or failed attempts; see Retry-After", body = ErrorBody)),
    security(("kiosk" = [])))]
pub async fn print(
    State(state): State<Arc<AppState>>,
    Kiosk(kiosk): Kiosk,
    ClientAddr(client): ClientAddr,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PrintRequest>,
) -> Result<Response, ApiError> {
    let docs = documents_for(&state, &kiosk.id, client, &req.proof).await?;
    let Some(doc) = docs.into_iter().find(|d| d.id == id) else {
        return Err(ApiError::not_found(
            "no result document with this id for this citizen",
        ));
    };
    let bytes = read_all(&state, &doc.attachment).await?;
    let Some(copy) = state
        .store
        .record_print(&doc.id, &kiosk.id, Utc::now())
        .await?
    else {
        return Err(ApiError::conflict(
            ErrorCode::CopiesUsed,
            "every allowed copy of this document was printed; staff may allow more",
            "该文书已按份数打印完毕，如需再次打印请联系窗口",
        ));
    };
    tracing::info!(kiosk = %kiosk.id, document = %doc.id, copy, "result document printed");
    let mut r = (StatusCode::OK, bytes.to_vec()).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&copy.to_string()) {
        h.insert("print-copy", v);
    }
    Ok(r)
}

/// A copy given back: the kiosk that took it says its printer did not print it (paper out,
/// cover open, offline, job aborted). The print stays on record as failed and the copy can
/// be printed again; only the kiosk that took the copy, with the same proof, can give it back.
#[utoipa::path(post, path = "/api/v1/result-documents/{id}/prints/{copy}/failed", tag = "attachments",
    params(("id" = String, Path, description = "Document id"),
        ("copy" = u32, Path, description = "The copy number the print answered in Print-Copy")),
    request_body = PrintFailedReport,
    responses((status = 200, description = "Given back; copies the citizen may print now", body = CopiesLeft),
        (status = 404, description = "No such copy taken by this kiosk for this proof (or given back already)", body = ErrorBody),
        (status = 422, description = "Invalid ID number", body = ErrorBody),
        (status = 429, description = "Too many look-ups or failed attempts; see Retry-After", body = ErrorBody)),
    security(("kiosk" = [])))]
pub async fn print_failed(
    State(state): State<Arc<AppState>>,
    Kiosk(kiosk): Kiosk,
    ClientAddr(client): ClientAddr,
    Path((id, copy)): Path<(String, String)>,
    ApiJson(report): ApiJson<PrintFailedReport>,
) -> Result<Json<CopiesLeft>, ApiError> {
    let not_found = || ApiError::not_found("no such copy printed by this kiosk for this citizen");
    // A copy number that is not one (negative, too large, text) names no copy: the same JSON
    // 404 as any other, not the router's plain-text rejection.
    let copy: u32 = copy.parse().map_err(|_| not_found())?;
    let docs = documents_for(&state, &kiosk.id, client, &report.proof).await?;
    let Some(doc) = docs.into_iter().find(|d| d.id == id) else {
        return Err(not_found());
    };
    let failure = report.failure.as_str();
    if !state
        .store
        .print_failed(&doc.id, copy, &kiosk.id, failure, Utc::now())
        .await?
    {
        return Err(not_found());
    }
    tracing::info!(kiosk = %kiosk.id, document = %doc.id, copy, failure, "result document copy given back: not printed");
    let left = copies_left(&doc).saturating_add(1).min(doc.copies_allowed);
    Ok(Json(CopiesLeft { copies_left: left }))
}
