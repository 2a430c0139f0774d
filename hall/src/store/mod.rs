//! Storage behind a trait, so PostgreSQL can follow SQLite without touching the handlers.
//! Every write that must happen exactly once (applications, tickets, bookings, ratings) takes
//! its idempotency scope and a keyed hash of the request body, and the store decides
//! atomically whether it is new, a replay, or a conflicting reuse of the key.

pub mod attachments;
pub mod backend;
pub mod followup;
pub mod postgres;
pub mod reports;
pub mod sqlite;
pub mod staff;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use hall_api::application::{Status, TimelineEntry};

use crate::error::HallError;

/// Who a credential belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// A kiosk.
    Kiosk,
    /// An operator (fleet view, dashboard).
    Operator,
    /// Hall staff (move applications along the status loop).
    Staff,
    /// A partner place's hall (跨省通办): only the partner endpoints.
    Partner,
}

impl PrincipalKind {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::Kiosk => "kiosk",
            PrincipalKind::Operator => "operator",
            PrincipalKind::Staff => "staff",
            PrincipalKind::Partner => "partner",
        }
    }
}

/// A stored credential.
#[derive(Debug, Clone)]
pub struct Principal {
    /// Id or name.
    pub id: String,
    /// Kind.
    pub kind: PrincipalKind,
    /// For kiosks, where it stands; for people, a display name.
    pub label: String,
    /// SHA-256 of the secret.
    pub secret_hash: [u8; 32],
}

/// The idempotency identity of a write: who sent it, what kind, which key, which body.
#[derive(Debug, Clone)]
pub struct IdempotencyScope {
    /// The kiosk id (keys are per kiosk, so one kiosk cannot probe another's keys).
    pub kiosk_id: String,
    /// `application`, `complaint`, `help`, `appointment`.
    pub kind: &'static str,
    /// The `Idempotency-Key`.
    pub key: String,
    /// Keyed hash of the canonical body.
    pub body_mac: [u8; 32],
}

/// The outcome of an idempotent write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written<T> {
    /// Newly written.
    Created(T),
    /// The same key and body were seen before: the original record.
    Replayed(T),
    /// The same key with another body: nothing written.
    Conflict,
}

/// A new application, ready to store.
#[derive(Debug, Clone)]
pub struct NewApplication {
    /// Idempotency identity.
    pub scope: IdempotencyScope,
    /// Record id.
    pub id: String,
    /// 办件编号.
    pub tracking_code: String,
    /// Keyed hash of the verifier.
    pub verifier_hash: [u8; 32],
    /// `item` or `bundle`.
    pub subject_type: &'static str,
    /// Item or bundle code.
    pub subject_code: String,
    /// Item or bundle name (kept so progress survives catalog changes).
    pub subject_name: String,
    /// Catalog version the kiosk showed.
    pub catalog_version: String,
    /// Keyed hash of the applicant's ID number.
    pub applicant_key: [u8; 32],
    /// The sealed personal payload (applicant, fields, materials, delivery).
    pub sealed_payload: Vec<u8>,
    /// Whether the result is mailed.
    pub mailed: bool,
    /// Materials handed in now that may be reused later: (code, name).
    pub reusable_materials: Vec<(String, String)>,
    /// When the hall received it.
    pub received_at: DateTime<Utc>,
    /// 承诺办结 date.
    pub promised_by: NaiveDate,
    /// The citizen ticked "send progress notices to my phone" (recorded with the application;
    /// the number is the form's, sealed in the payload).
    pub notify_consent: bool,
    /// Where it was taken in (a kiosk, the 综合窗口, a department's window, a partner).
    pub channel: reports::Channel,
    /// 跨省通办: forwarded to a partner (代收) or received from one; stored in the same
    /// transaction.
    pub partner: Option<crate::partners::PartnerLink>,
    /// The attachments it references (checked held before), in order.
    pub attachments: Vec<attachments::NewLink>,
    /// A note on its first timeline entry (已提交), for staff and the citizen: taken in
    /// against the catalog of its submission because its item was withdrawn since. The
    /// entry's note is [`NewApplication::first_entry_note`], which adds the 代收 note of a
    /// partner link.
    pub first_note: Option<String>,
}

impl NewApplication {
    /// The note of the first timeline entry as stored: the partner link's (代收 / 代收转来)
    /// first, then [`NewApplication::first_note`], joined by `。` so neither hides the other
    /// (an application for a cross-province item withdrawn after submission carries both).
    pub fn first_entry_note(&self) -> Option<String> {
        let notes: Vec<String> = self
            .partner
            .as_ref()
            .map(crate::partners::PartnerLink::first_note)
            .into_iter()
            .chain(self.first_note.clone())
            .filter(|n| !n.trim().is_empty())
            .collect();
        (!notes.is_empty()).then(|| notes.join(NOTE_JOIN))
    }
}

/// Between the parts of a first timeline entry's note (see
/// [`NewApplication::first_entry_note`]); no part ends with it.
pub const NOTE_JOIN: &str = "。";

/// A stored application without its personal payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRecord {
    /// Record id.
    pub id: String,
    /// Submitting kiosk.
    pub kiosk_id: String,
    /// 办件编号.
    pub tracking_code: String,
    /// Keyed hash of the verifier.
    pub verifier_hash: [u8; 32],
    /// `item` or `bundle`.
    pub subject_type: String,
    /// Item or bundle code.
    pub subject_code: String,
    /// Item or bundle name.
    pub subject_name: String,
    /// Current status.
    pub status: Status,
    /// Every step, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// Whether mailed.
    pub mailed: bool,
    /// Whether rated.
    pub rated: bool,
    /// When received.
    pub received_at: DateTime<Utc>,
    /// 承诺办结 date.
    pub promised_by: NaiveDate,
    /// Where it was taken in.
    pub channel: reports::Channel,
    /// 跨省通办: the partner place handling it (taken in here, 代收).
    pub handled_by: Option<hall_api::catalog::PartnerPlace>,
}

/// The outcome of a status move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moved {
    /// Moved; the updated record.
    Done(Box<ApplicationRecord>),
    /// No such application.
    NotFound,
    /// Not allowed from the current status.
    NotAllowed(Status),
}

/// A rating to store.
#[derive(Debug, Clone)]
pub struct NewRating {
    /// Record id.
    pub id: String,
    /// The application rated.
    pub application_id: String,
    /// Item or bundle code.
    pub subject_code: String,
    /// 1–5.
    pub level: u8,
    /// Reason codes (JSON array text).
    pub reasons_json: String,
    /// Sealed comment and contact, if any.
    pub sealed: Option<Vec<u8>>,
    /// Keyed hash of the rating body, to tell a replay from a second, different rating.
    pub body_mac: [u8; 32],
    /// The keyed hash an earlier hall version stored for this body, also taken as a replay.
    pub legacy_mac: Option<[u8; 32]>,
    /// Kiosk that sent it, if any.
    pub kiosk_id: Option<String>,
    /// When.
    pub rated_at: DateTime<Utc>,
}

/// A stored rating, as the receipt needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingRecord {
    /// Record id.
    pub id: String,
    /// Item or bundle code.
    pub subject_code: String,
    /// 1–5.
    pub level: u8,
    /// When.
    pub rated_at: DateTime<Utc>,
}

/// The outcome of a rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rated {
    /// Recorded (or the identical rating replayed).
    Done(RatingRecord),
    /// Rated before, differently.
    AlreadyRated,
}

/// A complaint or help request to store.
#[derive(Debug, Clone)]
pub struct NewTicket {
    /// Idempotency identity (`kind` is `complaint` or `help`).
    pub scope: IdempotencyScope,
    /// Record id.
    pub id: String,
    /// Citizen reference.
    pub reference: String,
    /// Help kind or `banbucheng`.
    pub category: String,
    /// Item concerned.
    pub item_code: Option<String>,
    /// Sealed text and contact.
    pub sealed: Vec<u8>,
    /// When.
    pub received_at: DateTime<Utc>,
}

/// A stored ticket, as the receipt needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRecord {
    /// Record id.
    pub id: String,
    /// Citizen reference.
    pub reference: String,
    /// When.
    pub received_at: DateTime<Utc>,
}

/// An appointment to store.
#[derive(Debug, Clone)]
pub struct NewBooking {
    /// Idempotency identity.
    pub scope: IdempotencyScope,
    /// Record id.
    pub id: String,
    /// Citizen reference.
    pub reference: String,
    /// Slot id.
    pub slot_id: String,
    /// The slot's capacity.
    pub capacity: u32,
    /// Item concerned.
    pub item_code: Option<String>,
    /// Sealed name and phone.
    pub sealed: Vec<u8>,
    /// When.
    pub booked_at: DateTime<Utc>,
}

/// A stored booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingRecord {
    /// Record id.
    pub id: String,
    /// Citizen reference.
    pub reference: String,
    /// Slot id.
    pub slot_id: String,
    /// Bookings in the slot after this one.
    pub booked_in_slot: u32,
    /// When.
    pub booked_at: DateTime<Utc>,
}

/// The outcome of a booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Booked {
    /// Booked, replayed or conflicting.
    Written(Written<BookingRecord>),
    /// The slot is full.
    Full,
}

/// A kiosk's registration and its last heartbeat.
#[derive(Debug, Clone)]
pub struct KioskRow {
    /// Kiosk id.
    pub id: String,
    /// Where it stands.
    pub location: String,
    /// Hall time of the last heartbeat.
    pub last_seen: Option<DateTime<Utc>>,
    /// The last heartbeat, as JSON.
    pub last_heartbeat: Option<String>,
}

/// The catalog as stored: one JSON document per version.
#[derive(Debug, Clone)]
pub struct StoredCatalog {
    /// Version label.
    pub version: String,
    /// The JSON document.
    pub json: String,
}

/// A catalog version to store, with when it takes effect.
#[derive(Debug, Clone)]
pub struct NewCatalogVersion {
    /// Version label (unique).
    pub version: String,
    /// The JSON document (its `version` field equal to the label).
    pub json: String,
    /// From when it is served.
    pub effective_at: DateTime<Utc>,
    /// `seed`, `import` or `staff`.
    pub source: &'static str,
    /// Who made it (the staff name, or the operator's account for imports), if known.
    pub author: Option<String>,
    /// Store only if this is the version in effect at `effective_at` (an edit made from it);
    /// checked in the same transaction as the insert.
    pub base: Option<String>,
}

/// What [`Store::add_catalog_version`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogAdded {
    /// Stored (the catalog generation moved).
    Stored,
    /// Another version already has the label; nothing stored.
    LabelTaken,
    /// The version in effect is no longer the edit's base; nothing stored.
    BaseChanged,
}

/// One stored catalog version, without its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogVersionRow {
    /// Version label.
    pub version: String,
    /// From when it is (or was) served.
    pub effective_at: DateTime<Utc>,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
    /// `seed`, `import` or `staff`.
    pub source: String,
    /// Who made it.
    pub author: Option<String>,
}

/// Everything the hall stores. Implementations must make each idempotent write atomic:
/// concurrent duplicates of one key produce exactly one record.
#[async_trait]
pub trait Store:
    staff::StaffStore
    + attachments::AttachmentStore
    + followup::FollowUpStore
    + reports::ReportStore
    + crate::sites::SiteStore
    + crate::partners::PartnerStore
    + crate::updates::UpdateStore
    + Send
    + Sync
    + std::fmt::Debug
{
    /// The catalog in effect now, if any was stored.
    async fn catalog(&self) -> Result<Option<StoredCatalog>, HallError> {
        self.catalog_at(Utc::now()).await
    }
    /// Stores a catalog version in effect from now (no-op if this version exists).
    async fn put_catalog(&self, catalog: StoredCatalog) -> Result<(), HallError>;
    /// The catalog in effect at `at`: of the versions whose effective time is not after
    /// `at`, the one with the latest effective time (the later stored on a tie).
    async fn catalog_at(&self, at: DateTime<Utc>) -> Result<Option<StoredCatalog>, HallError>;
    /// The first effective time after `after`, if a version is scheduled.
    async fn next_catalog_switch(
        &self,
        after: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, HallError>;
    /// Stores a new catalog version and bumps the catalog generation, so running halls
    /// reload; or says why not.
    async fn add_catalog_version(
        &self,
        version: NewCatalogVersion,
    ) -> Result<CatalogAdded, HallError>;
    /// Every stored version, latest effective first.
    async fn catalog_versions(&self) -> Result<Vec<CatalogVersionRow>, HallError>;

    /// Adds or replaces a credential.
    async fn put_principal(&self, principal: Principal) -> Result<(), HallError>;
    /// Looks a credential up.
    async fn principal(
        &self,
        kind: PrincipalKind,
        id: &str,
    ) -> Result<Option<Principal>, HallError>;

    /// Stores an application exactly once per idempotency key.
    async fn create_application(
        &self,
        app: NewApplication,
    ) -> Result<Written<ApplicationRecord>, HallError>;
    /// An application by id.
    async fn application(&self, id: &str) -> Result<Option<ApplicationRecord>, HallError>;
    /// An application by tracking code.
    async fn application_by_tracking(
        &self,
        code: &str,
    ) -> Result<Option<ApplicationRecord>, HallError>;
    /// The sealed personal payload of an application.
    async fn application_payload(&self, id: &str) -> Result<Option<Vec<u8>>, HallError>;
    /// A citizen's latest applications (at most `limit`), found by the keyed hash of the ID
    /// number (the number itself is not stored in clear).
    async fn applications_of(
        &self,
        applicant_key: [u8; 32],
        limit: usize,
    ) -> Result<Vec<ApplicationRecord>, HallError>;
    /// The citizen's latest application taken in by this hall (not one a partner hall sent
    /// here) with whether it consented to progress notices: (application id, consent).
    /// One-touch phone reuse offers that application's phone only with that consent, so a
    /// later application without it withdraws the offer.
    async fn latest_consent(
        &self,
        applicant_key: [u8; 32],
    ) -> Result<Option<(String, bool)>, HallError>;
    /// A booking by the reference printed on its slip.
    async fn booking_by_reference(
        &self,
        reference: &str,
    ) -> Result<Option<BookingRecord>, HallError>;
    /// Moves an application along the status loop if the move is allowed.
    async fn move_status(&self, id: &str, entry: TimelineEntry) -> Result<Moved, HallError>;
    /// Materials held for an applicant key: (code, name, handed in at), newest per code.
    async fn reusable_materials(
        &self,
        applicant_key: [u8; 32],
    ) -> Result<Vec<(String, String, DateTime<Utc>)>, HallError>;

    /// Records the one rating of an application.
    async fn rate(&self, rating: NewRating) -> Result<Rated, HallError>;
    /// Stores a complaint or help request exactly once per key.
    async fn create_ticket(&self, ticket: NewTicket) -> Result<Written<TicketRecord>, HallError>;
    /// Books a slot exactly once per key, within its capacity.
    async fn book(&self, booking: NewBooking) -> Result<Booked, HallError>;
    /// Bookings per slot id for slot ids starting with `prefix` (a department).
    async fn slot_counts(&self, prefix: &str) -> Result<Vec<(String, u32)>, HallError>;

    /// Records a kiosk's heartbeat (the last one is kept).
    async fn record_heartbeat(
        &self,
        kiosk_id: &str,
        at: DateTime<Utc>,
        json: String,
    ) -> Result<(), HallError>;
    /// Every kiosk with its last heartbeat.
    async fn kiosks(&self) -> Result<Vec<KioskRow>, HallError>;

    /// What an idempotency key was stored with: (keyed hash of the body, resource id).
    /// Handlers look this up before they validate, so a retry is answered from what was
    /// stored whatever the catalog or the date says now.
    async fn idempotency(
        &self,
        kiosk_id: &str,
        kind: &'static str,
        key: &str,
    ) -> Result<Option<([u8; 32], String)>, HallError>;
    /// [`Store::idempotency`], answered by the writer after every write queued before it has
    /// committed (so a first attempt still in the queue is seen).
    async fn idempotency_settled(
        &self,
        kiosk_id: &str,
        kind: &'static str,
        key: &str,
    ) -> Result<Option<([u8; 32], String)>, HallError>;
    /// A booking by record id.
    async fn booking(&self, id: &str) -> Result<Option<BookingRecord>, HallError>;
    /// A complaint or help request by record id.
    async fn ticket(&self, id: &str) -> Result<Option<TicketRecord>, HallError>;
    /// Revokes a credential at once (bumps the credentials generation so running halls drop
    /// their cache). False if there is no such (unrevoked) credential.
    async fn revoke_principal(&self, kind: PrincipalKind, id: &str) -> Result<bool, HallError>;
    /// Withdraws an item from the served catalog (`withdraw`), or restores it; bumps the
    /// catalog generation. False if nothing changed.
    async fn set_item_withdrawn(&self, code: &str, withdraw: bool) -> Result<bool, HallError>;
    /// The codes of withdrawn items.
    async fn withdrawn_items(&self) -> Result<Vec<String>, HallError> {
        Ok(self
            .withdrawals()
            .await?
            .into_iter()
            .map(|(code, _)| code)
            .collect())
    }
    /// Every withdrawn item with when it was withdrawn, by code.
    async fn withdrawals(&self) -> Result<Vec<(String, DateTime<Utc>)>, HallError>;
    /// The change counters another process bumps: (catalog, credentials).
    async fn generations(&self) -> Result<(i64, i64), HallError>;
    /// Audits a look-up by ID number: the kiosk, the route, the keyed hash, the time.
    async fn audit_id_lookup(
        &self,
        kiosk_id: &str,
        route: &'static str,
        applicant_key: [u8; 32],
        at: DateTime<Utc>,
    ) -> Result<(), HallError>;
}
