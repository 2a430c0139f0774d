//! What an application's materials point at: uploads of the submitting kiosk (source
//! `scanned`), uploads or result documents the hall holds for the same applicant (source
//! `reused`), and the ID card read at the kiosk (source `idCardRead`). Checked before the
//! application is stored; the links are written in its transaction.

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use hall_api::application::{CreateApplication, MaterialSource};
use hall_api::attachment::{is_sha256_hex, MAX_APPLICATION_BYTES, MAX_ATTACHMENTS_PER_MATERIAL};
use hall_api::catalog::Material;
use hall_api::error::ErrorCode;
use hall_api::form::{FieldError, FieldErrorCode};

use super::attachments::{owner_key, sha_key};
use super::field_error;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::attachments::NewLink;

/// How long an upload stays reusable for later applications of the same citizen (a
/// household register or a certificate changes rarely, but not never).
pub const REUSE_DAYS: i64 = 365;

/// The pure checks: sources fit the catalog, hashes are well-formed and few enough.
pub(crate) fn check(req: &CreateApplication, listed: &[Material]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (i, m) in req.materials.iter().enumerate() {
        let Some(x) = listed.iter().find(|x| x.code == m.code) else {
            continue; // reported by the caller
        };
        if m.source == MaterialSource::IdCardRead && !x.satisfied_by_id_card {
            errors.push(field_error(
                &format!("materials[{i}].source"),
                FieldErrorCode::UnknownOption,
                "此材料不能以读取身份证代替",
            ));
        }
        let may_attach = matches!(m.source, MaterialSource::Scanned | MaterialSource::Reused);
        if !m.attachments.is_empty() && !may_attach {
            errors.push(field_error(
                &format!("materials[{i}].attachments"),
                FieldErrorCode::UnknownOption,
                "仅扫描或复用的材料可附文件",
            ));
        }
        if m.attachments.len() > MAX_ATTACHMENTS_PER_MATERIAL {
            errors.push(field_error(
                &format!("materials[{i}].attachments"),
                FieldErrorCode::TooLong,
                "材料文件过多",
            ));
        }
        for (j, sha) in m.attachments.iter().enumerate() {
            if !is_sha256_hex(sha) {
                errors.push(field_error(
                    &format!("materials[{i}].attachments[{j}]"),
                    FieldErrorCode::WrongType,
                    "文件标识有误",
                ));
            }
        }
    }
    errors
}

/// Finds every referenced attachment: 409 `attachmentsMissing` (retryable) listing the
/// uploads this kiosk has not completed, 422 for a reused hash the applicant does not hold,
/// 413 over the per-application total.
pub(crate) async fn resolve(
    state: &AppState,
    owner: &str,
    req: &CreateApplication,
) -> Result<Vec<NewLink>, ApiError> {
    let applicant = state.secrets.applicant_key(&req.applicant.id_number);
    let since = Utc::now() - Duration::days(REUSE_DAYS);
    let mut links = Vec::new();
    let mut missing = Vec::new();
    let mut foreign = Vec::new();
    let mut total = 0u64;
    for (i, m) in req.materials.iter().enumerate() {
        for (j, sha) in m.attachments.iter().enumerate() {
            let field = format!("materials[{i}].attachments[{j}]");
            let row = match m.source {
                MaterialSource::Scanned => state
                    .store
                    .attachment_by_owner_key(owner_key(state, owner, sha))
                    .await?
                    .filter(|r| r.complete),
                _ => {
                    state
                        .store
                        .held_for_applicant(applicant, sha_key(state, sha), since)
                        .await?
                }
            };
            match row {
                Some(r) => {
                    total += r.total;
                    links.push(NewLink {
                        material_code: m.code.clone(),
                        attachment_id: r.id,
                        reused: m.source != MaterialSource::Scanned,
                    });
                }
                None if m.source == MaterialSource::Scanned => missing.push(FieldError {
                    field,
                    code: FieldErrorCode::Required,
                    message: sha.clone(),
                }),
                None => foreign.push(field_error(
                    &field,
                    FieldErrorCode::UnknownOption,
                    "已有材料不可用，请重新扫描",
                )),
            }
        }
    }
    if !missing.is_empty() {
        let mut e = ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::AttachmentsMissing,
            format!(
                "the hall does not hold {} attachment(s) of this application completely; upload them (see `fields`) and send the same request again",
                missing.len()
            ),
            "材料文件尚未上传完成，请稍候",
        );
        e.body.fields = missing;
        e.retry_after = Some(5);
        return Err(e);
    }
    if !foreign.is_empty() {
        return Err(ApiError::validation(foreign));
    }
    if total > MAX_APPLICATION_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!(
                "the attachments of one application may total at most {MAX_APPLICATION_BYTES} bytes (these: {total})"
            ),
            "材料文件合计过大",
        ));
    }
    Ok(links)
}
