//! Attachments: content-addressed, chunked, resumable uploads in each kiosk's own namespace,
//! sealed chunk by chunk (see [`hall_api::attachment`] for the protocol).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use hall_api::attachment::{
    is_sha256_hex, AttachmentLimits, AttachmentStatus, DocumentKind, MAX_ATTACHMENT_BYTES,
    MAX_CHUNK_BYTES,
};
use hall_api::error::{ErrorBody, ErrorCode};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::auth::Kiosk;
use crate::crypto::new_id;
use crate::error::{ApiError, HallError};
use crate::state::AppState;
use crate::store::attachments::{AttachmentRow, ChunkOutcome, NewChunk};

/// The namespace of a kiosk's uploads.
pub fn kiosk_owner(kiosk_id: &str) -> String {
    format!("kiosk:{kiosk_id}")
}

/// The keyed hash that finds an owner's attachment: (owner, SHA-256).
pub fn owner_key(state: &AppState, owner: &str, sha: &str) -> [u8; 32] {
    state
        .secrets
        .mac("attachment-owner", &[owner.as_bytes(), sha.as_bytes()])
}

/// The keyed hash of a SHA-256 alone (reuse across kiosks, checked against the applicant).
pub fn sha_key(state: &AppState, sha: &str) -> [u8; 32] {
    state.secrets.mac("attachment-sha", &[sha.as_bytes()])
}

fn chunk_context(id: &str, offset: u64) -> String {
    format!("attachment:{id}:{offset}")
}

fn status_of(sha: &str, row: Option<&AttachmentRow>) -> AttachmentStatus {
    AttachmentStatus {
        sha256: sha.to_owned(),
        received: row.map_or(0, |r| r.received),
        total: row.map(|r| r.total),
        complete: row.is_some_and(|r| r.complete),
    }
}

fn checked_sha(sha: &str) -> Result<String, ApiError> {
    let sha = sha.to_ascii_lowercase();
    if is_sha256_hex(&sha) {
        Ok(sha)
    } else {
        Err(ApiError::bad_request(
            ErrorCode::BadParameter,
            "the path must end in the attachment's SHA-256 as 64 hex digits",
        ))
    }
}

fn too_large(message: String) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
        message,
        "材料文件过大",
    )
}

/// `bytes START-END/TOTAL` → (start, end inclusive, total).
fn parse_range(text: &str) -> Option<(u64, u64, u64)> {
    let rest = text.trim().strip_prefix("bytes ")?;
    let (span, total) = rest.split_once('/')?;
    let (start, end) = span.split_once('-')?;
    let (start, end, total) = (
        start.trim().parse().ok()?,
        end.trim().parse().ok()?,
        total.trim().parse().ok()?,
    );
    (start <= end && end < total).then_some((start, end, total))
}

/// The bytes of a complete attachment, unsealed (for staff views and prints; zeroized when
/// dropped).
pub async fn read_all(
    state: &AppState,
    row: &AttachmentRow,
) -> Result<Zeroizing<Vec<u8>>, ApiError> {
    let chunks = state.store.chunks(&row.id).await?;
    let mut out = Zeroizing::new(Vec::with_capacity(usize::try_from(row.total).unwrap_or(0)));
    for (offset, sealed) in chunks {
        let plain = Zeroizing::new(
            state
                .secrets
                .open(&chunk_context(&row.id, offset), &sealed)?,
        );
        out.extend_from_slice(&plain);
    }
    Ok(out)
}

/// The SHA-256 (hex) of an attachment, unsealed from its row.
pub fn sha_of(state: &AppState, row: &AttachmentRow) -> Result<String, ApiError> {
    let plain = state
        .secrets
        .open(&format!("sha:{}", row.id), &row.sha_sealed)?;
    String::from_utf8(plain).map_err(|_| HallError::Corrupt(format!("sha of {}", row.id)).into())
}

/// Stores `bytes` at `offset` for `owner`, creating or extending the attachment; checks the
/// hash when it is complete. The staff's result documents come through here too (whole).
pub(crate) async fn store_chunk(
    state: &AppState,
    owner: &str,
    sha: &str,
    offset: u64,
    total: u64,
    bytes: &[u8],
) -> Result<(StatusCode, AttachmentStatus), ApiError> {
    let key = owner_key(state, owner, sha);
    let mut held = state.store.attachment_by_owner_key(key).await?;
    for _attempt in 0..2 {
        if let Some(row) = held.as_ref().filter(|r| r.complete) {
            return Ok((StatusCode::OK, status_of(sha, Some(row))));
        }
        let received = held.as_ref().map_or(0, |r| r.received);
        if let Some(row) = held.as_ref().filter(|r| r.total != total) {
            return Err(offset_error(format!(
                "this upload announced {} bytes in its first chunk, this chunk {total}; resume with the first total or start again under another hash",
                row.total
            )));
        }
        let end = offset + bytes.len() as u64;
        if offset > received {
            return Err(offset_error(format!(
                "the hall holds {received} bytes of this attachment; send the chunk starting there"
            )));
        }
        if end <= received {
            // Already held (a retry of a chunk whose answer was lost).
            return Ok((StatusCode::OK, status_of(sha, held.as_ref())));
        }
        let skip = usize::try_from(received - offset).unwrap_or(0);
        let fresh = &bytes[skip..];
        let kind = if received == 0 {
            let kind = DocumentKind::sniff(fresh).ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    ErrorCode::UnsupportedDocument,
                    "only PDF (%PDF-) and JPEG (FF D8 FF) documents are accepted; the first chunk must hold at least 5 bytes",
                    "仅接受PDF或JPEG格式的材料",
                )
            })?;
            if total > kind.max_bytes() {
                return Err(too_large(format!(
                    "a {} attachment may have at most {} bytes (this one: {total})",
                    kind.mime(),
                    kind.max_bytes()
                )));
            }
            Some(kind)
        } else {
            None
        };
        let id = match &held {
            Some(r) => r.id.clone(),
            None => new_id()?,
        };
        let chunk = NewChunk {
            sha_sealed: state.secrets.seal(&format!("sha:{id}"), sha.as_bytes())?,
            sealed: state.secrets.seal(&chunk_context(&id, received), fresh)?,
            new_id: id,
            owner: owner.to_owned(),
            owner_key: key,
            sha_key: sha_key(state, sha),
            kind,
            total,
            offset: received,
            len: fresh.len() as u64,
            at: Utc::now(),
        };
        match state.store.append_chunk(chunk).await? {
            ChunkOutcome::Stored(row) if row.received == row.total => {
                return finish(state, sha, row).await;
            }
            ChunkOutcome::Stored(row) => return Ok((StatusCode::OK, status_of(sha, Some(&row)))),
            // Another request created or extended it meanwhile: look again.
            ChunkOutcome::Reseal(_) | ChunkOutcome::Mismatch(_) => {
                held = state.store.attachment_by_owner_key(key).await?;
            }
        }
    }
    Err(offset_error(
        "another upload of this attachment is under way; ask the status and resume".into(),
    ))
}

async fn finish(
    state: &AppState,
    sha: &str,
    row: AttachmentRow,
) -> Result<(StatusCode, AttachmentStatus), ApiError> {
    let bytes = read_all(state, &row).await?;
    let ok = hex::encode(Sha256::digest(bytes.as_slice())) == sha;
    state
        .store
        .finish_attachment(&row.id, ok, Utc::now())
        .await?;
    if ok {
        let done = AttachmentRow {
            complete: true,
            ..row
        };
        Ok((StatusCode::CREATED, status_of(sha, Some(&done))))
    } else {
        Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::AttachmentHashMismatch,
            "the bytes received do not hash to the SHA-256 in the path; the partial upload was discarded, send it again from byte 0",
            "材料上传有误，请重新上传",
        ))
    }
}

fn offset_error(message: String) -> ApiError {
    ApiError::conflict(
        ErrorCode::AttachmentOffset,
        message,
        "材料上传中断，请继续上传",
    )
}

/// Uploads an attachment, whole or one chunk at a time (`Content-Range`).
#[utoipa::path(put, path = "/api/v1/attachments/{sha256}", tag = "attachments",
    params(("sha256" = String, Path, pattern = "^[0-9a-fA-F]{64}$", description = "SHA-256 of the whole attachment, 64 hex digits"),
        ("Content-Range" = Option<String>, Header, pattern = "^bytes [0-9]+-[0-9]+/[0-9]+$", description = "`bytes START-END/TOTAL` (END inclusive); absent: the body is the whole attachment")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The bytes of the chunk (at most 1 MiB); the first chunk starts with %PDF- or FF D8 FF"),
    responses(
        (status = 200, description = "Chunk stored (not complete yet), or already held: what the hall holds", body = AttachmentStatus),
        (status = 201, description = "This chunk completed the attachment and its hash matched", body = AttachmentStatus),
        (status = 400, description = "Malformed hash, Content-Range or empty body", body = ErrorBody),
        (status = 409, description = "attachmentOffset: the chunk does not start where the held bytes end, or the total changed", body = ErrorBody),
        (status = 413, description = "Over a size limit (the message names it)", body = ErrorBody),
        (status = 415, description = "unsupportedDocument: neither PDF nor JPEG", body = ErrorBody),
        (status = 422, description = "attachmentHashMismatch: the bytes do not hash to the path; start again", body = ErrorBody)),
    security(("kiosk" = [])))]
pub async fn put(
    State(state): State<Arc<AppState>>,
    Kiosk(kiosk): Kiosk,
    Path(sha): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let sha = checked_sha(&sha)?;
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_CHUNK_BYTES) {
        return Err(too_large(format!(
            "a chunk may have at most {MAX_CHUNK_BYTES} bytes; send the attachment in chunks with Content-Range"
        )));
    }
    let limit = usize::try_from(MAX_CHUNK_BYTES).unwrap_or(usize::MAX);
    let bytes = Zeroizing::new(
        axum::body::to_bytes(body, limit)
            .await
            .map_err(|_| {
                too_large(format!(
                    "the chunk could not be read whole (at most {MAX_CHUNK_BYTES} bytes per chunk)"
                ))
            })?
            .to_vec(),
    );
    if bytes.is_empty() {
        return Err(ApiError::bad_request(
            ErrorCode::MalformedBody,
            "the body is empty; send the attachment's bytes",
        ));
    }
    let (start, total) = match headers.get(header::CONTENT_RANGE) {
        None => (0, bytes.len() as u64),
        Some(v) => {
            let (start, end, total) = v.to_str().ok().and_then(parse_range).ok_or_else(|| {
                ApiError::bad_request(
                    ErrorCode::BadParameter,
                    "Content-Range must read `bytes START-END/TOTAL` with START <= END < TOTAL",
                )
            })?;
            if end - start + 1 != bytes.len() as u64 {
                return Err(ApiError::bad_request(
                    ErrorCode::BadParameter,
                    format!(
                        "Content-Range names {} bytes but the body has {}",
                        end - start + 1,
                        bytes.len()
                    ),
                ));
            }
            (start, total)
        }
    };
    if total > MAX_ATTACHMENT_BYTES {
        return Err(too_large(format!(
            "an attachment may have at most {MAX_ATTACHMENT_BYTES} bytes (this one: {total}); split the material"
        )));
    }
    let owner = kiosk_owner(&kiosk.id);
    let (status, answer) = store_chunk(&state, &owner, &sha, start, total, &bytes).await?;
    if status == StatusCode::CREATED {
        tracing::info!(kiosk = %kiosk.id, bytes = total, "attachment received");
    }
    Ok((status, Json(answer)).into_response())
}

/// How much of an attachment the hall holds for this kiosk (0 for one it never sent, even if
/// another kiosk did).
#[utoipa::path(get, path = "/api/v1/attachments/{sha256}/status", tag = "attachments",
    params(("sha256" = String, Path, pattern = "^[0-9a-fA-F]{64}$", description = "SHA-256, 64 hex digits")),
    responses((status = 200, body = AttachmentStatus),
        (status = 400, description = "Malformed hash", body = ErrorBody)),
    security(("kiosk" = [])))]
pub async fn status(
    State(state): State<Arc<AppState>>,
    Kiosk(kiosk): Kiosk,
    Path(sha): Path<String>,
) -> Result<Json<AttachmentStatus>, ApiError> {
    let sha = checked_sha(&sha)?;
    let key = owner_key(&state, &kiosk_owner(&kiosk.id), &sha);
    let row = state.store.attachment_by_owner_key(key).await?;
    Ok(Json(status_of(&sha, row.as_ref())))
}

/// The upload limits.
#[utoipa::path(get, path = "/api/v1/attachments/limits", tag = "attachments",
    responses((status = 200, body = AttachmentLimits)),
    security(("kiosk" = [])))]
pub async fn limits(Kiosk(_): Kiosk) -> Json<AttachmentLimits> {
    Json(AttachmentLimits::default())
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn content_ranges_are_read_strictly() {
        assert_eq!(parse_range("bytes 0-99/1000"), Some((0, 99, 1000)));
        assert_eq!(parse_range("bytes 900-999/1000"), Some((900, 999, 1000)));
        assert_eq!(parse_range("bytes 900-1000/1000"), None);
        assert_eq!(parse_range("bytes 10-9/1000"), None);
        assert_eq!(parse_range("bytes */1000"), None);
        assert_eq!(parse_range("items 0-1/2"), None);
    }
}
