//! What the workbench keeps about the follow-up work outside applications: tickets (一键求助,
//! 代办, 上门服务 and 办不成事 complaints) and the rectification case every 差评 opens
//! (核实 → 整改 → 回访). Each staff action is one transaction that checks the version the form
//! was drawn from, records the step with the staff id and time (its details sealed) and writes
//! an audit line; the audit's `application_id` column holds the ticket or rating id (record ids
//! are random and unique across tables).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::HallError;

/// Where a ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TicketStatus {
    /// Nobody has taken it yet.
    Open,
    /// A staff member took it.
    Claimed,
    /// Done, with its outcome.
    Closed,
}

impl TicketStatus {
    /// Every status, in queue order.
    pub const ALL: [TicketStatus; 3] = [
        TicketStatus::Open,
        TicketStatus::Claimed,
        TicketStatus::Closed,
    ];

    /// The stored and query-string spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::Claimed => "claimed",
            TicketStatus::Closed => "closed",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(text: &str) -> Option<TicketStatus> {
        TicketStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            TicketStatus::Open => "待认领",
            TicketStatus::Claimed => "处理中",
            TicketStatus::Closed => "已办结",
        }
    }
}

/// A staff action on a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketAction {
    /// 认领: open → claimed, by this staff member.
    Claim,
    /// 记录: a note; the status stays.
    Note,
    /// 安排上门: a home visit (date, address, staff); claims an open ticket.
    Visit,
    /// 办结: closed with its outcome.
    Close,
}

impl TicketAction {
    /// Every action.
    pub const ALL: [TicketAction; 4] = [
        TicketAction::Claim,
        TicketAction::Note,
        TicketAction::Visit,
        TicketAction::Close,
    ];

    /// The path segment and stored spelling.
    pub fn slug(self) -> &'static str {
        match self {
            TicketAction::Claim => "claim",
            TicketAction::Note => "note",
            TicketAction::Visit => "visit",
            TicketAction::Close => "close",
        }
    }

    /// Parses a path segment.
    pub fn from_slug(text: &str) -> Option<TicketAction> {
        TicketAction::ALL.into_iter().find(|a| a.slug() == text)
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            TicketAction::Claim => "认领",
            TicketAction::Note => "添加记录",
            TicketAction::Visit => "安排上门服务",
            TicketAction::Close => "办结",
        }
    }

    /// The status after the action from `from`, or `None` if it is not allowed from there.
    pub fn next(self, from: TicketStatus) -> Option<TicketStatus> {
        use TicketStatus::*;
        match (self, from) {
            (_, Closed) => None,
            (TicketAction::Claim, Open) => Some(Claimed),
            (TicketAction::Claim, Claimed) => None,
            (TicketAction::Note, s) => Some(s),
            (TicketAction::Visit, _) => Some(Claimed),
            (TicketAction::Close, _) => Some(Closed),
        }
    }
}

/// A ticket as the queue lists it (nothing personal: text and contact stay sealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRow {
    /// Record id.
    pub id: String,
    /// Citizen reference (BZ…, TS…).
    pub reference: String,
    /// `help` or `complaint`.
    pub kind: String,
    /// `assistance`, `proxy`, `homeVisit` or `banbucheng`.
    pub category: String,
    /// Item concerned.
    pub item_code: Option<String>,
    /// Kiosk it came from.
    pub kiosk_id: String,
    /// When.
    pub received_at: DateTime<Utc>,
    /// Where it stands.
    pub status: TicketStatus,
    /// Who claimed it.
    pub claimed_by: Option<String>,
    /// Steps taken (the version a form carries).
    pub version: u32,
}

/// Which tickets a queue shows.
#[derive(Debug, Clone, Default)]
pub struct TicketQuery {
    /// Only this status.
    pub status: Option<TicketStatus>,
    /// Only this category.
    pub category: Option<String>,
    /// At most this many, newest first.
    pub limit: usize,
}

/// One step on a ticket or a case, with the staff member behind it.
#[derive(Debug, Clone)]
pub struct FollowUpStep {
    /// Position (1 is the first step).
    pub seq: u32,
    /// When.
    pub at: DateTime<Utc>,
    /// Staff name.
    pub staff: String,
    /// What (a [`TicketAction`] slug or a [`CaseStage`] slug).
    pub action: String,
    /// Details (note, outcome, visit), sealed with the context [`step_context`].
    pub sealed_detail: Option<Vec<u8>>,
}

/// The sealing context of a step's details.
pub fn step_context(id: &str, seq: u32) -> String {
    format!("followup:{id}:{seq}")
}

/// A ticket with its sealed text and contact and its steps.
#[derive(Debug, Clone)]
pub struct TicketDetail {
    /// The row.
    pub row: TicketRow,
    /// `(text, contact)` as the intake sealed it (context: the ticket id).
    pub sealed: Vec<u8>,
    /// Steps, oldest first.
    pub steps: Vec<FollowUpStep>,
}

/// A staff action to record.
#[derive(Debug, Clone)]
pub struct TicketAct {
    /// Ticket.
    pub ticket_id: String,
    /// The version the form was drawn from.
    pub seen_version: u32,
    /// What.
    pub action: TicketAction,
    /// Who.
    pub staff: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Sealed details (context: [`step_context`] with `seen_version + 1`).
    pub sealed_detail: Option<Vec<u8>>,
}

/// The outcome of a ticket or case action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acted<S> {
    /// Done; the new state.
    Done(S),
    /// No such ticket or case.
    NotFound,
    /// Moved since the form was drawn; nothing written.
    Stale(S),
    /// Not allowed from the current state.
    NotAllowed(S),
}

/// Where a 差评's rectification case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseStage {
    /// Waiting for 核实.
    Verify,
    /// Waiting for 整改.
    Rectify,
    /// Waiting for 回访 (the citizen left a contact).
    Callback,
    /// Done.
    Closed,
}

impl CaseStage {
    /// Every stage in order.
    pub const ALL: [CaseStage; 4] = [
        CaseStage::Verify,
        CaseStage::Rectify,
        CaseStage::Callback,
        CaseStage::Closed,
    ];

    /// The stored spelling and the path segment of the step that ends it.
    pub fn slug(self) -> &'static str {
        match self {
            CaseStage::Verify => "verify",
            CaseStage::Rectify => "rectify",
            CaseStage::Callback => "callback",
            CaseStage::Closed => "closed",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(text: &str) -> Option<CaseStage> {
        CaseStage::ALL.into_iter().find(|s| s.slug() == text)
    }

    /// The step's Chinese name.
    pub fn label_zh(self) -> &'static str {
        match self {
            CaseStage::Verify => "核实",
            CaseStage::Rectify => "整改",
            CaseStage::Callback => "回访",
            CaseStage::Closed => "已办结",
        }
    }
}

/// A rating as the workbench lists it (comment and contact stay sealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingRow {
    /// Record id.
    pub id: String,
    /// The application rated.
    pub application_id: String,
    /// Its 办件编号.
    pub tracking_code: String,
    /// Item or bundle code.
    pub subject_code: String,
    /// Item or bundle name.
    pub subject_name: String,
    /// 1–5.
    pub level: u8,
    /// Reason codes (JSON array text).
    pub reasons_json: String,
    /// Kiosk, if rated at one (else the progress page).
    pub kiosk_id: Option<String>,
    /// When.
    pub rated_at: DateTime<Utc>,
    /// The 差评 case's stage and version.
    pub case: Option<(CaseStage, u32)>,
}

/// Ratings in a period, per subject, kiosk and level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingCount {
    /// Item or bundle code.
    pub subject_code: String,
    /// Kiosk (`None`: the progress page).
    pub kiosk_id: Option<String>,
    /// 1–5.
    pub level: u8,
    /// How many.
    pub count: u64,
}

/// A rating with its sealed comment and contact and its case's steps.
#[derive(Debug, Clone)]
pub struct RatingDetail {
    /// The row.
    pub row: RatingRow,
    /// `(comment, contact)` as stored (context: the rating id), if any.
    pub sealed: Option<Vec<u8>>,
    /// Case steps, oldest first.
    pub steps: Vec<FollowUpStep>,
}

/// A case step to record.
#[derive(Debug, Clone)]
pub struct CaseAct {
    /// Rating.
    pub rating_id: String,
    /// The version the form was drawn from.
    pub seen_version: u32,
    /// The stage this step ends (must be the current one).
    pub done: CaseStage,
    /// The stage after it.
    pub next: CaseStage,
    /// Who.
    pub staff: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Sealed details (context: [`step_context`] with `seen_version + 1`).
    pub sealed_detail: Option<Vec<u8>>,
}

/// Storage for tickets and 差评 cases; every [`super::Store`] provides it.
#[async_trait]
pub trait FollowUpStore: Send + Sync {
    /// A ticket queue, newest first.
    async fn tickets(&self, query: TicketQuery) -> Result<Vec<TicketRow>, HallError>;
    /// Tickets per status (for the queue's tabs).
    async fn ticket_counts(&self) -> Result<Vec<(TicketStatus, u64)>, HallError>;
    /// One ticket with its sealed text and steps.
    async fn ticket_detail(&self, id: &str) -> Result<Option<TicketDetail>, HallError>;
    /// Records a staff action (version checked, step and audit line in the same transaction).
    async fn ticket_act(&self, act: TicketAct) -> Result<Acted<TicketRow>, HallError>;
    /// Ratings in `[from, to)`, newest first.
    async fn ratings(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<RatingRow>, HallError>;
    /// Counts in `[from, to)` per subject, kiosk and level.
    async fn rating_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<RatingCount>, HallError>;
    /// Every 差评 whose case is not closed, oldest first.
    async fn open_cases(&self, limit: usize) -> Result<Vec<RatingRow>, HallError>;
    /// One rating with its sealed comment and its case's steps.
    async fn rating_detail(&self, id: &str) -> Result<Option<RatingDetail>, HallError>;
    /// Records a case step (version and stage checked, audit line in the same transaction).
    async fn case_act(&self, act: CaseAct) -> Result<Acted<(CaseStage, u32)>, HallError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_actions_never_reopen_or_claim_twice() {
        use TicketStatus::*;
        assert_eq!(TicketAction::Claim.next(Open), Some(Claimed));
        assert_eq!(TicketAction::Claim.next(Claimed), None);
        assert_eq!(TicketAction::Visit.next(Open), Some(Claimed));
        assert_eq!(TicketAction::Note.next(Open), Some(Open));
        assert_eq!(TicketAction::Close.next(Open), Some(Closed));
        for a in TicketAction::ALL {
            assert_eq!(a.next(Closed), None, "{a:?} after closing");
            assert_eq!(TicketAction::from_slug(a.slug()), Some(a));
        }
        for s in TicketStatus::ALL {
            assert_eq!(TicketStatus::parse(s.as_str()), Some(s));
        }
        for s in CaseStage::ALL {
            assert_eq!(CaseStage::parse(s.slug()), Some(s));
        }
    }
}
