//! Attachments of applications (the PDFs of materials photographed at the kiosk) on their
//! way to the hall: checked against the limits the hall states before they are stored, kept
//! in the outbox with their application, and uploaded before it.
//!
//! Order is what makes it safe: the delivery uploads every attachment of a record (chunked,
//! resuming from the hall's status, idempotent by SHA-256) and only then sends the
//! application that references them. Should the hall still miss one (another kiosk's restart
//! wiped nothing, but a hall restored from backup might), it answers 409
//! `attachmentsMissing`, which is retryable: the record stays and the next round uploads
//! again.

use std::sync::Arc;

use hall_api::attachment::AttachmentLimits;
use hall_api::form::{FieldError, FieldErrorCode};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::hall::{HallClient, HallError};
use crate::outbox::{Outbox, OutboxError, RecordId, RecordKind};

/// Chunk size of uploads unless the hall allows less: small enough that a cut costs little,
/// large enough that a page goes in one or two requests.
pub const DEFAULT_CHUNK_BYTES: u64 = 256 * 1024;

/// The SHA-256 of a document, lower-case hex (the name the hall stores it under).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// One material's attachment as the limits see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sized {
    /// The material's code.
    pub code: String,
    /// Its pages.
    pub pages: u32,
    /// The PDF's size in bytes.
    pub bytes: u64,
}

/// Checks an application's attachments against the hall's limits: each material's PDF,
/// each page on average, and their total. Returns one error per material over a limit
/// (field `materials.{code}`, a Chinese message for the screen), and one for the total on
/// the first material; empty when all fit.
pub fn over_limits(limits: &AttachmentLimits, attachments: &[Sized]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let error = |code: &str, message: String| FieldError {
        field: format!("materials.{code}"),
        code: FieldErrorCode::TooLong,
        message,
    };
    for a in attachments {
        let per_page = a.bytes / u64::from(a.pages.max(1));
        if a.bytes > limits.max_attachment_bytes {
            errors.push(error(
                &a.code,
                format!(
                    "材料文件过大（{}），超过单份材料上限{}，请减少页数或到窗口提交",
                    size_text(a.bytes),
                    size_text(limits.max_attachment_bytes)
                ),
            ));
        } else if per_page > limits.max_page_bytes {
            errors.push(error(
                &a.code,
                format!(
                    "材料页面过大（每页约{}），超过上限{}，请重拍或到窗口提交",
                    size_text(per_page),
                    size_text(limits.max_page_bytes)
                ),
            ));
        }
    }
    let total: u64 = attachments.iter().map(|a| a.bytes).sum();
    if total > limits.max_application_bytes && errors.is_empty() {
        if let Some(first) = attachments.first() {
            errors.push(error(
                &first.code,
                format!(
                    "本次拍照材料共{}，超过每件申请上限{}，请将部分材料改为到窗口提交",
                    size_text(total),
                    size_text(limits.max_application_bytes)
                ),
            ));
        }
    }
    errors
}

fn size_text(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// Why a record's attachments could not be sent: the outbox could not give them back, or
/// the hall did not take them.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Reading the attachments from the outbox failed.
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    /// The hall did not take one (network, refusal).
    #[error(transparent)]
    Hall(#[from] HallError),
}

/// Uploads the attachments of outbox record `id` (in order; each resumed from what the hall
/// holds). Returns the bytes sent.
pub async fn upload_record(
    outbox: &Arc<Outbox>,
    hall: &HallClient,
    (id, kind, key): (RecordId, RecordKind, &str),
    chunk_bytes: u64,
) -> Result<u64, UploadError> {
    let (store, owned_key) = (outbox.clone(), key.to_owned());
    let attachments: Vec<Zeroizing<Vec<u8>>> =
        tokio::task::spawn_blocking(move || store.attachments(id, kind, &owned_key))
            .await
            .unwrap_or_else(|e| Err(OutboxError::Task(e.to_string())))?;
    let mut sent = 0;
    for (position, bytes) in attachments.iter().enumerate() {
        let sha = sha256_hex(bytes);
        let n = hall.upload_attachment(&sha, bytes, chunk_bytes).await?;
        tracing::info!(
            record = id,
            attachment = position,
            bytes = bytes.len(),
            sent = n,
            "attachment uploaded"
        );
        sent += n;
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sized(code: &str, pages: u32, bytes: u64) -> Sized {
        Sized {
            code: code.into(),
            pages,
            bytes,
        }
    }

    #[test]
    fn what_fits_passes_and_each_limit_names_its_material() {
        let limits = AttachmentLimits::default();
        assert!(over_limits(&limits, &[sized("hukou", 3, 600 * 1024)]).is_empty());
        assert!(over_limits(&limits, &[]).is_empty());

        let big = over_limits(&limits, &[sized("hukou", 40, 9 * 1024 * 1024)]);
        assert_eq!(big.len(), 1);
        assert_eq!(big[0].field, "materials.hukou");
        assert!(
            big[0].message.contains("单份材料上限8.0 MB"),
            "{}",
            big[0].message
        );

        let fat_page = over_limits(&limits, &[sized("marriage", 1, 400 * 1024)]);
        assert_eq!(fat_page[0].field, "materials.marriage");
        assert!(
            fat_page[0].message.contains("每页"),
            "{}",
            fat_page[0].message
        );

        let tight = AttachmentLimits {
            max_application_bytes: 1024 * 1024,
            ..AttachmentLimits::default()
        };
        let total = over_limits(
            &tight,
            &[
                sized("hukou", 3, 700 * 1024),
                sized("marriage", 2, 500 * 1024),
            ],
        );
        assert_eq!(total.len(), 1, "{total:?}");
        assert!(
            total[0].message.contains("每件申请上限1.0 MB"),
            "{}",
            total[0].message
        );
    }

    #[test]
    fn the_hash_is_lower_case_hex_of_the_bytes() {
        let sha = sha256_hex(b"abc");
        assert_eq!(
            sha,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(hall_api::attachment::is_sha256_hex(&sha));
    }
}
