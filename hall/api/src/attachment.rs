//! Attachments (scanned materials as PDF or JPEG) and result documents for 自助打印.
//!
//! # Uploads
//!
//! An attachment travels apart from the application, content-addressed by the SHA-256 of its
//! bytes (lower-case hex), and may be sent in chunks so a cut connection costs only the chunk
//! in flight:
//!
//! 1. `GET /api/v1/attachments/{sha256}/status` → [`AttachmentStatus`]: how many bytes the
//!    hall holds for this kiosk (0 if none).
//! 2. `PUT /api/v1/attachments/{sha256}` with `Content-Type: application/octet-stream` and
//!    `Content-Range: bytes START-END/TOTAL` (inclusive END, as in HTTP), START equal to
//!    `received`; at most [`AttachmentLimits::max_chunk_bytes`] per request. Without
//!    `Content-Range` the body is the whole attachment (`bytes 0-(n-1)/n`).
//!    - 200 with the status while incomplete (or when the attachment was complete already:
//!      a repeat is answered the same, so a retry is harmless);
//!    - 201 with the status (`complete: true`) when this chunk completed it and the bytes'
//!      SHA-256 matched the path;
//!    - 409 `attachmentOffset` when START is beyond what the hall holds, or TOTAL differs from
//!      the first chunk's (ask the status and resume from `received`); a chunk wholly inside
//!      what is held is skipped and answered 200;
//!    - 413 `payloadTooLarge` over a limit (the message names which);
//!    - 415 `unsupportedDocument` when the first bytes are not a PDF (`%PDF-`) or a JPEG
//!      (`FF D8 FF`);
//!    - 422 `attachmentHashMismatch` when the completed bytes do not hash to the path: the
//!      partial upload is discarded, start again from 0.
//!
//! Hashes are per kiosk: a kiosk sees (in the status, in a repeat, in an application) only
//! what it uploaded itself, so another kiosk cannot learn that a document exists by its hash.
//! Two kiosks uploading the same bytes each store their own copy.
//!
//! # Applications
//!
//! A [`crate::application::HandedInMaterial`] with source `scanned` lists the hashes of its
//! attachments (one PDF per material is the rule; JPEG pages are accepted too). If the hall
//! does not hold one of them completely for this kiosk it answers **409
//! `attachmentsMissing`** with [`AttachmentsMissing`] in the error's `fields` (one per missing
//! hash, field `materials[i].attachments[j]`): retryable — upload them and send the same
//! application again with the same `Idempotency-Key`. [`crate::error::ErrorCode::is_retryable`]
//! says so, so an outbox treats it like a 503, never as a final refusal.
//!
//! # 自助打印
//!
//! Staff attach result documents (PDF) at or after 办结 with a number of copies allowed. A
//! kiosk lists what a citizen may print ([`PrintableQuery`] → [`PrintableDocuments`]) by the
//! ID card on its reader or by the receipt's tracking code and verifier, and fetches one copy
//! per `POST /api/v1/result-documents/{id}/print` (the PDF; each call uses up a copy and is
//! recorded with the kiosk and the time).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use vocab::mask::mask_id_number;

/// Largest JPEG page: A4 at about 200 dpi, grey-scale, as the kiosk's camera pipeline makes it.
pub const MAX_PAGE_BYTES: u64 = 300 * 1024;
/// Largest attachment (one material's PDF: up to about 25 pages of [`MAX_PAGE_BYTES`]).
pub const MAX_ATTACHMENT_BYTES: u64 = 8 * 1024 * 1024;
/// Largest total of the attachments one application references.
pub const MAX_APPLICATION_BYTES: u64 = 32 * 1024 * 1024;
/// Largest chunk in one `PUT`.
pub const MAX_CHUNK_BYTES: u64 = 1024 * 1024;
/// Most attachments one material may list.
pub const MAX_ATTACHMENTS_PER_MATERIAL: usize = 16;

/// The upload limits, as `GET /api/v1/attachments/limits` states them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AttachmentLimits {
    /// Largest JPEG (one page).
    pub max_page_bytes: u64,
    /// Largest attachment (a PDF).
    pub max_attachment_bytes: u64,
    /// Largest total of an application's attachments.
    pub max_application_bytes: u64,
    /// Largest chunk per `PUT`.
    pub max_chunk_bytes: u64,
    /// Most attachments per material.
    pub max_attachments_per_material: usize,
    /// Accepted types: `application/pdf`, `image/jpeg` (checked by their first bytes).
    pub accepted_types: Vec<String>,
}

impl Default for AttachmentLimits {
    fn default() -> Self {
        AttachmentLimits {
            max_page_bytes: MAX_PAGE_BYTES,
            max_attachment_bytes: MAX_ATTACHMENT_BYTES,
            max_application_bytes: MAX_APPLICATION_BYTES,
            max_chunk_bytes: MAX_CHUNK_BYTES,
            max_attachments_per_material: MAX_ATTACHMENTS_PER_MATERIAL,
            accepted_types: vec!["application/pdf".into(), "image/jpeg".into()],
        }
    }
}

/// What the hall holds of one attachment for the asking kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AttachmentStatus {
    /// The SHA-256 (hex) from the path.
    pub sha256: String,
    /// Bytes held; the next chunk starts here.
    pub received: u64,
    /// The total the first chunk announced (none before any chunk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// Whether every byte is held and the hash checked.
    pub complete: bool,
}

/// The kind of a document, found from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum DocumentKind {
    /// `application/pdf`.
    Pdf,
    /// `image/jpeg` (one page).
    Jpeg,
}

impl DocumentKind {
    /// The kind the first bytes show, if accepted.
    pub fn sniff(first: &[u8]) -> Option<DocumentKind> {
        if first.starts_with(b"%PDF-") {
            Some(DocumentKind::Pdf)
        } else if first.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(DocumentKind::Jpeg)
        } else {
            None
        }
    }

    /// The MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "application/pdf",
            DocumentKind::Jpeg => "image/jpeg",
        }
    }

    /// The largest size of this kind.
    pub fn max_bytes(self) -> u64 {
        match self {
            DocumentKind::Pdf => MAX_ATTACHMENT_BYTES,
            DocumentKind::Jpeg => MAX_PAGE_BYTES,
        }
    }

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "pdf",
            DocumentKind::Jpeg => "jpeg",
        }
    }

    /// From the stored spelling.
    pub fn parse(s: &str) -> Option<DocumentKind> {
        match s {
            "pdf" => Some(DocumentKind::Pdf),
            "jpeg" => Some(DocumentKind::Jpeg),
            _ => None,
        }
    }
}

/// Whether `s` is a SHA-256 in lower-case hex (64 characters).
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// One missing attachment of a refused application (the 409 `attachmentsMissing` answer
/// lists them in `fields`: `field` is `materials[i].attachments[j]`, `message` the hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AttachmentsMissing {
    /// The hashes the hall does not hold completely for this kiosk.
    pub missing: Vec<String>,
}

/// How a kiosk finds a citizen's printable result documents: the ID card on its reader, or
/// the receipt. A POST body, so the number stays out of URLs. Wiped when dropped.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", tag = "by")]
pub enum PrintableQuery {
    /// By the ID number read from the card: only the holder's own applications.
    #[serde(rename_all = "camelCase")]
    IdCard {
        /// 公民身份号码 from the card.
        id_number: String,
    },
    /// By the receipt (under the progress query's guessing limiter).
    #[serde(rename_all = "camelCase")]
    Receipt {
        /// 办件编号.
        tracking_code: String,
        /// The verifier.
        verifier: String,
    },
}

impl std::fmt::Debug for PrintableQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrintableQuery::IdCard { id_number } => f
                .debug_struct("IdCard")
                .field("id_number", &mask_id_number(id_number))
                .finish(),
            PrintableQuery::Receipt { tracking_code, .. } => f
                .debug_struct("Receipt")
                .field("tracking_code", tracking_code)
                .finish_non_exhaustive(),
        }
    }
}

/// Result documents a citizen may print now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PrintableDocuments {
    /// Newest first; only those with copies left.
    pub documents: Vec<PrintableDocument>,
}

/// One printable result document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PrintableDocument {
    /// Id for `POST /api/v1/result-documents/{id}/print`.
    pub id: String,
    /// 办件编号 of the application.
    pub tracking_code: String,
    /// The item or bundle name.
    pub subject_name: String,
    /// The document's title (`户籍证明`).
    pub title: String,
    /// Pages are the kiosk's to count; this is the size in bytes.
    pub bytes: u64,
    /// Copies still allowed.
    pub copies_left: u32,
    /// When staff attached it.
    pub attached_at: DateTime<Utc>,
}

/// The body of `POST /api/v1/result-documents/{id}/print`: the same proof as the listing
/// (the card's number or the receipt), so a document id alone prints nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrintRequest {
    /// Who asks.
    pub proof: PrintableQuery,
}

/// Why a kiosk's printer did not print a copy the hall gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum PrintFailure {
    /// The printer ran out of paper.
    PaperOut,
    /// A cover or door is open.
    CoverOpen,
    /// The printer could not be reached.
    PrinterOffline,
    /// The printer took the job and then aborted or cancelled it.
    JobFailed,
}

impl PrintFailure {
    /// The stable name, as on the wire and in the hall's record.
    pub fn as_str(self) -> &'static str {
        match self {
            PrintFailure::PaperOut => "paperOut",
            PrintFailure::CoverOpen => "coverOpen",
            PrintFailure::PrinterOffline => "printerOffline",
            PrintFailure::JobFailed => "jobFailed",
        }
    }
}

/// The body of `POST /api/v1/result-documents/{id}/prints/{copy}/failed`: the kiosk that
/// took a copy gives it back because its printer did not print it (the same proof again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrintFailedReport {
    /// Who asked for the copy.
    pub proof: PrintableQuery,
    /// What the printer said.
    pub failure: PrintFailure,
}

/// The answer to a copy given back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CopiesLeft {
    /// Copies the citizen may print now.
    pub copies_left: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_by_their_first_bytes() {
        assert_eq!(DocumentKind::sniff(b"%PDF-1.7\n"), Some(DocumentKind::Pdf));
        assert_eq!(
            DocumentKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(DocumentKind::Jpeg)
        );
        assert_eq!(DocumentKind::sniff(b"GIF89a"), None);
        assert_eq!(DocumentKind::sniff(b"%PD"), None);
        assert!(is_sha256_hex(&"ab".repeat(32)));
        assert!(!is_sha256_hex(&"AB".repeat(32)));
        assert!(!is_sha256_hex("ab"));
    }

    #[test]
    fn the_query_debug_masks_the_number() {
        let q = PrintableQuery::IdCard {
            id_number: "11010519491231002X".into(),
        };
        assert!(!format!("{q:?}").contains("19491231"));
        let json = serde_json::to_value(&q).expect("serialize");
        assert_eq!(json["by"], "idCard");
        assert_eq!(json["idNumber"], "11010519491231002X");
    }
}
