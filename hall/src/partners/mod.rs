//! 跨省通办 between halls: partner places, 代收 and forwarding, stage changes coming back.
//!
//! - A partner is another county's hall reached over this same API (`hall partner add`):
//!   it calls us with a `partner` credential we issued (accepted only on the partner
//!   endpoints, [`handlers`]), and we call it with the one it issued (sealed in `partners`).
//! - An application whose `handledBy` names a partner is taken in here as usual (our
//!   tracking code and receipt; the first timeline entry notes 代收) and, in the same
//!   transaction, queued for forwarding on the notice queue's tables (kind
//!   `partner_forward`, [`FORWARD_KIND`]). [`worker`] delivers it with an `Idempotency-Key`
//!   derived from our application id, so a retry after any failure is answered with the
//!   partner's stored record: one application there, never two.
//! - Stage changes come back by polling: the same worker asks each partner for the
//!   timelines of what we forwarded and have not seen finish, and applies the new steps
//!   here (each step with its citizen notice, in one transaction, at most once: the number
//!   of steps applied is kept beside the link). Why polling, not push: see hall/README.md.
//! - [`cli`] holds `hall partner add|set-token|list|remove`.

pub mod cli;
pub mod client;
pub mod handlers;
pub mod worker;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hall_api::application::{Status, TimelineEntry};
use hall_api::catalog::PartnerPlace;

use crate::error::HallError;
use crate::notify::queue::{Claimed, NewNotice, Outcome, TargetStats};
use crate::store::{Moved, Principal};

/// The notice-queue kind of a forward (its delivery rows form the forwarding queue).
pub const FORWARD_KIND: &str = "partner_forward";

/// The delivery target of forwards to a partner: `partner:<code>`.
pub fn target_of(code: &str) -> String {
    format!("partner:{code}")
}

/// The idempotency scope owner of requests from a partner (never a kiosk id: those have
/// no colon).
pub fn scope_of(code: &str) -> String {
    format!("partner:{code}")
}

/// The `Idempotency-Key` of the forward of our application `id` (the same on every retry).
pub fn forward_key(application_id: &str) -> String {
    format!("fwd-{application_id}")
}

/// A partner hall as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partner {
    /// Region code (`420600`).
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Its hall's base URL (`https://hall.xiangyang.example`).
    pub url: String,
    /// The credential it issued us, sealed under our data key; `None` until set.
    pub token_sealed: Option<Vec<u8>>,
    /// When registered.
    pub created_at: DateTime<Utc>,
}

impl Partner {
    /// What kiosks and progress pages show of it.
    pub fn place(&self) -> PartnerPlace {
        PartnerPlace {
            code: self.code.clone(),
            name: self.name.clone(),
            name_en: self.name_en.clone(),
        }
    }

    /// The sealing context of its token.
    pub fn token_context(code: &str) -> String {
        format!("partner-token:{code}")
    }
}

/// An application's tie to a partner, written in the transaction that stores it.
#[derive(Debug, Clone)]
pub enum PartnerLink {
    /// 代收: taken in here for `place`; `forward` is queued in the same transaction.
    ForwardTo {
        /// Where it belongs.
        place: PartnerPlace,
        /// The forward to queue.
        forward: QueuedForward,
    },
    /// Received from the partner `place`, which took it in as `origin_id`.
    ReceivedFrom {
        /// Who took it in.
        place: PartnerPlace,
        /// Their application id.
        origin_id: String,
        /// Their tracking code (on the citizen's receipt).
        origin_tracking_code: String,
    },
}

impl PartnerLink {
    /// The first timeline entry's note (Chinese, shown to the citizen on our side).
    pub fn first_note(&self) -> String {
        match self {
            PartnerLink::ForwardTo { place, .. } => forwarded_note(place),
            PartnerLink::ReceivedFrom {
                place,
                origin_tracking_code,
                ..
            } => format!("{}代收转来，原办件编号 {origin_tracking_code}", place.name),
        }
    }
}

/// The first note of an application taken in here for `place` (代收), as stored.
pub fn forwarded_note(place: &PartnerPlace) -> String {
    format!("代收：本件由{}办理，已转交", place.name)
}

/// [`forwarded_note`] on the progress page's English version (the place's English name,
/// else its Chinese one).
pub fn forwarded_note_en(place: &PartnerPlace) -> String {
    let name = if place.name_en.trim().is_empty() {
        &place.name
    } else {
        &place.name_en
    };
    format!("Taken in here for {name}, which handles it; passed on to them")
}

/// A forward to queue: its event id (`fwd-<application id>`), the sealed body (context: the
/// event id) and when.
#[derive(Debug, Clone)]
pub struct QueuedForward {
    /// Event id in `notice_events`.
    pub event_id: String,
    /// The [`client::Forward`] body as JSON, sealed.
    pub sealed: Vec<u8>,
    /// When queued.
    pub created_at: DateTime<Utc>,
}

/// An application's tie to a partner place, as intake knows it (before its id and
/// tracking code are chosen).
#[derive(Debug, Clone)]
pub enum PartnerIntent {
    /// 代收 here; forward to this place.
    Forward(PartnerPlace),
    /// Received from this place, which took it in as `origin_id` / `origin_tracking_code`.
    Received {
        /// Who took it in.
        place: PartnerPlace,
        /// Their application id.
        origin_id: String,
        /// Their tracking code.
        origin_tracking_code: String,
    },
}

impl PartnerIntent {
    /// The link to store with application `id` (a forward's body built and sealed now).
    pub fn into_link(
        self,
        secrets: &crate::crypto::Secrets,
        id: &str,
        tracking_code: &str,
        now: DateTime<Utc>,
        req: &hall_api::application::CreateApplication,
    ) -> Result<PartnerLink, HallError> {
        Ok(match self {
            PartnerIntent::Forward(place) => PartnerLink::ForwardTo {
                forward: client::queued_forward(secrets, id, tracking_code, now, req)?,
                place,
            },
            PartnerIntent::Received {
                place,
                origin_id,
                origin_tracking_code,
            } => PartnerLink::ReceivedFrom {
                place,
                origin_id,
                origin_tracking_code,
            },
        })
    }
}

/// An application we forwarded whose partner-side timeline we still follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenForward {
    /// Our application id.
    pub application_id: String,
    /// Partner-side timeline entries applied here so far (their first, 已提交, counts).
    pub applied_steps: u32,
}

/// Whether a status ends the partner's work on an application (nothing more to follow).
pub fn is_final(status: Status) -> bool {
    matches!(status, Status::Revisited | Status::Rejected)
}

/// The note of a step done at the partner, as our timeline shows it.
pub fn step_note(place: &PartnerPlace, note: Option<&str>) -> String {
    match note.filter(|n| !n.trim().is_empty()) {
        Some(n) => format!("{}办理：{n}", place.name),
        None => format!("{}办理", place.name),
    }
}

/// The partner side of the store.
#[async_trait]
pub trait PartnerStore: Send + Sync {
    /// Registers or updates a partner; with `principal`, (re)issues the credential it calls
    /// us with. Bumps the catalog generation (the served catalog lists partners) and the
    /// credentials generation.
    async fn put_partner(
        &self,
        partner: Partner,
        principal: Option<Principal>,
    ) -> Result<(), HallError>;
    /// Stores the (sealed) credential we call a partner with. False if no such partner.
    async fn set_partner_token(&self, code: &str, sealed: Vec<u8>) -> Result<bool, HallError>;
    /// Removes a partner and revokes its credential. False if no such partner.
    async fn remove_partner(&self, code: &str) -> Result<bool, HallError>;
    /// Every partner, by code.
    async fn partners(&self) -> Result<Vec<Partner>, HallError>;
    /// One partner.
    async fn partner(&self, code: &str) -> Result<Option<Partner>, HallError>;
    /// Applications received from `code`, by their origin ids: (origin id, our id).
    async fn received_from(
        &self,
        code: &str,
        origin_ids: Vec<String>,
    ) -> Result<Vec<(String, String)>, HallError>;
    /// Forwards to `code` not yet seen to finish.
    async fn open_forwards(&self, code: &str) -> Result<Vec<OpenForward>, HallError>;
    /// Applies the partner-side step number `index` (0-based in its timeline) to our
    /// application, with its citizen notice, in one transaction; nothing if `index` was
    /// applied before (a repeated poll). `finished` closes the link.
    async fn apply_partner_step(
        &self,
        application_id: &str,
        index: u32,
        entry: Option<TimelineEntry>,
        notice: Option<NewNotice>,
        finished: bool,
    ) -> Result<Option<Moved>, HallError>;
    /// Records the partner's id and tracking code of a delivered forward.
    async fn mark_forwarded(
        &self,
        application_id: &str,
        remote_id: &str,
        remote_tracking_code: &str,
    ) -> Result<(), HallError>;
    /// Claims due forwards (the `partner_forward` lane of the notice queue).
    async fn claim_forwards(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: std::time::Duration,
        limit: usize,
    ) -> Result<Vec<Claimed>, HallError>;
    /// Records how a forward attempt ended.
    async fn settle_forward(
        &self,
        delivery_id: i64,
        worker: &str,
        outcome: Outcome,
        now: DateTime<Utc>,
    ) -> Result<(), HallError>;
    /// When the next pending forward falls due, if any.
    async fn next_forward_due(&self) -> Result<Option<DateTime<Utc>>, HallError>;
    /// The forwarding queue's figures per partner target.
    async fn forward_stats(&self, now: DateTime<Utc>) -> Result<Vec<TargetStats>, HallError>;
}
