//! Attachments, their links to applications, result documents and their prints: the storage
//! side of issue 19. The SQLite implementation is in `sqlite/attachments.rs`.
//!
//! Bytes are sealed chunk by chunk before they reach the store (context
//! `attachment:{id}:{offset}`), so the store never sees a document in clear; rows are found
//! by keyed hashes, never by the plain SHA-256 (which would let a stolen database confirm
//! that a known document was handed in).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hall_api::attachment::DocumentKind;

use crate::error::HallError;

/// One stored attachment (complete or not), without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRow {
    /// Record id.
    pub id: String,
    /// `kiosk:{id}` or `staff:{name}`.
    pub owner: String,
    /// The SHA-256 (hex), sealed under the record id.
    pub sha_sealed: Vec<u8>,
    /// PDF or JPEG (from the first chunk).
    pub kind: DocumentKind,
    /// Announced total in bytes.
    pub total: u64,
    /// Bytes held.
    pub received: u64,
    /// Every byte held and the hash checked.
    pub complete: bool,
    /// When the last chunk completed it.
    pub completed_at: Option<DateTime<Utc>>,
}

/// A sealed chunk to append.
#[derive(Debug, Clone)]
pub struct NewChunk {
    /// Id to give the attachment if this chunk creates it (offset 0, no row yet).
    pub new_id: String,
    /// `kiosk:{id}` or `staff:{name}`.
    pub owner: String,
    /// Keyed hash of (owner, SHA-256): the owner's namespace.
    pub owner_key: [u8; 32],
    /// Keyed hash of the SHA-256 alone (reuse finds an attachment by it).
    pub sha_key: [u8; 32],
    /// The SHA-256 hex sealed under `new_id` (kept from the first chunk).
    pub sha_sealed: Vec<u8>,
    /// Kind, from the first bytes (needed at offset 0).
    pub kind: Option<DocumentKind>,
    /// The announced total.
    pub total: u64,
    /// Where the chunk starts.
    pub offset: u64,
    /// Its length in clear.
    pub len: u64,
    /// Sealing needs the record id, which the store only knows for an existing row: the
    /// caller seals for `new_id`, and for an existing row calls again with [`ChunkOutcome::Reseal`].
    pub sealed: Vec<u8>,
    /// When.
    pub at: DateTime<Utc>,
}

/// What appending a chunk did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChunkOutcome {
    /// Appended; the row after it.
    Stored(AttachmentRow),
    /// Nothing stored: the row exists under another id than the one the chunk was sealed
    /// for; seal again for this id and retry.
    Reseal(String),
    /// Nothing stored: the offset is not where the held bytes end, or the total differs, or
    /// there is no row and the offset is not 0. The row as held, if any.
    Mismatch(Option<AttachmentRow>),
}

/// An attachment linked to an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedAttachment {
    /// Order within the application (0-based).
    pub position: u32,
    /// The material it is for.
    pub material_code: String,
    /// Whether it was reused from an earlier application or result document.
    pub reused: bool,
    /// The attachment.
    pub attachment: AttachmentRow,
}

/// A link to write with a new application.
#[derive(Debug, Clone)]
pub struct NewLink {
    /// The material.
    pub material_code: String,
    /// The attachment's record id.
    pub attachment_id: String,
    /// Reused rather than uploaded for this application.
    pub reused: bool,
}

/// A result document attached by staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultDocumentRow {
    /// Record id.
    pub id: String,
    /// The application.
    pub application_id: String,
    /// Its title.
    pub title: String,
    /// Copies allowed.
    pub copies_allowed: u32,
    /// Who attached it.
    pub attached_by: String,
    /// When.
    pub attached_at: DateTime<Utc>,
    /// The stored PDF.
    pub attachment: AttachmentRow,
    /// Each copy printed: (kiosk, when), oldest first.
    pub prints: Vec<(String, DateTime<Utc>)>,
    /// Copies the kiosk gave back because its printer did not print them: (kiosk, when
    /// tried, why), oldest first; not counted against the copies allowed.
    pub failed_prints: Vec<(String, DateTime<Utc>, String)>,
}

/// A result document to store.
#[derive(Debug, Clone)]
pub struct NewResultDocument {
    /// Record id.
    pub id: String,
    /// The application.
    pub application_id: String,
    /// The stored (complete) attachment.
    pub attachment_id: String,
    /// Its title.
    pub title: String,
    /// Copies allowed (≥ 1).
    pub copies_allowed: u32,
    /// Staff name.
    pub attached_by: String,
    /// When.
    pub attached_at: DateTime<Utc>,
}

/// Attachments, links, result documents and prints.
#[async_trait]
pub trait AttachmentStore {
    /// The attachment in an owner's namespace.
    async fn attachment_by_owner_key(
        &self,
        owner_key: [u8; 32],
    ) -> Result<Option<AttachmentRow>, HallError>;
    /// An attachment by record id.
    async fn attachment(&self, id: &str) -> Result<Option<AttachmentRow>, HallError>;
    /// Appends a sealed chunk where the held bytes end (creating the row at offset 0).
    async fn append_chunk(&self, chunk: NewChunk) -> Result<ChunkOutcome, HallError>;
    /// Every sealed chunk of an attachment: (offset, sealed), in order.
    async fn chunks(&self, id: &str) -> Result<Vec<(u64, Vec<u8>)>, HallError>;
    /// Marks a fully received attachment complete (`hash_ok`), or discards it.
    async fn finish_attachment(
        &self,
        id: &str,
        hash_ok: bool,
        at: DateTime<Utc>,
    ) -> Result<(), HallError>;
    /// The attachments of an application, in order.
    async fn application_attachments(
        &self,
        application_id: &str,
    ) -> Result<Vec<LinkedAttachment>, HallError>;
    /// A complete attachment the applicant handed in (linked to one of their applications
    /// not refused, on or after `since`) or received as a result document, found by the keyed
    /// hash of its SHA-256.
    async fn held_for_applicant(
        &self,
        applicant_key: [u8; 32],
        sha_key: [u8; 32],
        since: DateTime<Utc>,
    ) -> Result<Option<AttachmentRow>, HallError>;
    /// The applicant's uploads reusable since `since`: (material code, attachment, linked at),
    /// newest first, from applications not refused.
    async fn reusable_uploads(
        &self,
        applicant_key: [u8; 32],
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, AttachmentRow, DateTime<Utc>)>, HallError>;
    /// Stores a result document.
    async fn add_result_document(&self, doc: NewResultDocument) -> Result<(), HallError>;
    /// The result documents of an application, oldest first.
    async fn result_documents(
        &self,
        application_id: &str,
    ) -> Result<Vec<ResultDocumentRow>, HallError>;
    /// A result document by id.
    async fn result_document(&self, id: &str) -> Result<Option<ResultDocumentRow>, HallError>;
    /// Result documents of every application of an applicant, newest first.
    async fn result_documents_of(
        &self,
        applicant_key: [u8; 32],
    ) -> Result<Vec<ResultDocumentRow>, HallError>;
    /// Uses up one copy for a kiosk: the copy number, or `None` when every copy was printed.
    async fn record_print(
        &self,
        document_id: &str,
        kiosk_id: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<u32>, HallError>;
    /// Gives a copy back: the kiosk that took it says its printer did not print it. Marks
    /// that print failed (kept as a record, no longer counted); `false` when no such print
    /// of this kiosk is counted (unknown, another kiosk's, or given back already).
    async fn print_failed(
        &self,
        document_id: &str,
        copy: u32,
        kiosk_id: &str,
        failure: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, HallError>;
}
