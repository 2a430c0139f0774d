//! What the staff workbench stores: accounts with roles, sessions (in the database, so several
//! hall instances can share them), the audit trail of staff actions, and each application's
//! work record (due date, handler) and the staff id behind every step.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use hall_api::application::{Status, TimelineEntry};

use super::ApplicationRecord;
use crate::error::HallError;

/// What a staff member does in the hall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// 综合受理: the front desk accepts for every department (无差别综合受理).
    FrontDesk,
    /// 部门审批: a department's reviewer, bound to one or more department codes.
    Reviewer,
    /// 回访: calls citizens back once the result was given.
    Callback,
    /// 督查: sees everything, moves nothing.
    Supervisor,
    /// The hall's operator: sees and may do everything.
    Operator,
}

impl Role {
    /// Every role, in the order the README lists them.
    pub const ALL: [Role; 5] = [
        Role::FrontDesk,
        Role::Reviewer,
        Role::Callback,
        Role::Supervisor,
        Role::Operator,
    ];

    /// The stored and command-line spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::FrontDesk => "front-desk",
            Role::Reviewer => "reviewer",
            Role::Callback => "callback",
            Role::Supervisor => "supervisor",
            Role::Operator => "operator",
        }
    }

    /// The Chinese name shown on the pages.
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::FrontDesk => "综合受理",
            Role::Reviewer => "部门审批",
            Role::Callback => "回访",
            Role::Supervisor => "督查",
            Role::Operator => "运维管理",
        }
    }

    /// Parses the stored or command-line spelling.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// A workbench account.
#[derive(Clone, PartialEq, Eq)]
pub struct StaffAccount {
    /// Sign-in name (`[a-z0-9-]`, like every principal id).
    pub name: String,
    /// Display name.
    pub display: String,
    /// Role.
    pub role: Role,
    /// Department codes (reviewers only).
    pub departments: Vec<String>,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Failed sign-ins since the last success.
    pub failed_sign_ins: u32,
    /// Until when sign-in is refused after too many failures.
    pub locked_until: Option<DateTime<Utc>>,
    /// Whether the account was revoked.
    pub revoked: bool,
    /// Whether the password was set by `hall staff add` or `hall staff passwd` and must be
    /// replaced by one the staff member chooses before any other workbench page works.
    pub must_change_password: bool,
}

impl std::fmt::Debug for StaffAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffAccount")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("departments", &self.departments)
            .field("revoked", &self.revoked)
            .finish_non_exhaustive()
    }
}

/// A signed-in session as found by its token's hash.
#[derive(Debug, Clone)]
pub struct StaffSession {
    /// Whose.
    pub account: StaffAccount,
    /// The per-session CSRF token every POST must carry.
    pub csrf: String,
    /// Last request.
    pub last_seen: DateTime<Utc>,
}

/// One line of the staff audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Staff name.
    pub staff: String,
    /// `view-details`, `search-id-number`, `move`, `sign-in`, …
    pub action: String,
    /// Application concerned, if any.
    pub application_id: Option<String>,
    /// Short non-personal detail (a status, a count).
    pub detail: Option<String>,
}

/// An application as an inbox lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxRow {
    /// Record id.
    pub id: String,
    /// 办件编号.
    pub tracking_code: String,
    /// `item` or `bundle`.
    pub subject_type: String,
    /// Item or bundle code.
    pub subject_code: String,
    /// Item or bundle name.
    pub subject_name: String,
    /// Status.
    pub status: Status,
    /// Received.
    pub received_at: DateTime<Utc>,
    /// Due date in working days from 受理 (once accepted).
    pub due_on: Option<NaiveDate>,
    /// Assigned handler.
    pub handler: Option<String>,
}

/// Which applications an inbox shows.
#[derive(Debug, Clone, Default)]
pub struct InboxQuery {
    /// Statuses to include.
    pub statuses: Vec<Status>,
    /// Only these subject codes (a reviewer's departments); `None` for all.
    pub subject_codes: Option<Vec<String>>,
    /// Only those due on or after this date.
    pub due_from: Option<NaiveDate>,
    /// Only those due on or before this date.
    pub due_to: Option<NaiveDate>,
    /// At most this many, oldest (or earliest due) first.
    pub limit: usize,
}

/// The work record of an application.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkRecord {
    /// When accepted (受理).
    pub accepted_at: Option<DateTime<Utc>>,
    /// Due date.
    pub due_on: Option<NaiveDate>,
    /// Handler (承办人).
    pub handler: Option<String>,
}

/// One step with the staff member behind it.
#[derive(Debug, Clone)]
pub struct StepRecord {
    /// Timeline position (1 is the submission).
    pub seq: u32,
    /// Staff name.
    pub staff: String,
    /// The step's details (handler, waybill, call outcome), sealed.
    pub sealed_detail: Option<Vec<u8>>,
}

/// A staff move: one transaction checks the version, moves, records who and what.
#[derive(Debug, Clone)]
pub struct StaffMove {
    /// Application.
    pub application_id: String,
    /// The timeline length the staff member saw (a stale form carries an older one).
    pub seen_version: u32,
    /// The new timeline entry (what the citizen sees).
    pub entry: TimelineEntry,
    /// Who.
    pub staff: String,
    /// Sealed step details.
    pub sealed_detail: Option<Vec<u8>>,
    /// Set the due date (on 受理).
    pub due_on: Option<NaiveDate>,
    /// Set the handler (on 承办).
    pub handler: Option<String>,
}

/// The outcome of a staff move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffMoved {
    /// Done; the updated record.
    Done(Box<ApplicationRecord>),
    /// No such application.
    NotFound,
    /// The application moved since the form was drawn; nothing written.
    Stale(Status),
    /// Not allowed from the current status.
    NotAllowed(Status),
}

/// Storage for the workbench; every [`super::Store`] provides it.
#[async_trait]
pub trait StaffStore: Send + Sync {
    /// Adds an account or replaces one of the same name (role, departments, password; the
    /// lockout and revocation are cleared and its sessions ended).
    async fn put_staff_account(&self, account: StaffAccount) -> Result<(), HallError>;
    /// An account by name.
    async fn staff_account(&self, name: &str) -> Result<Option<StaffAccount>, HallError>;
    /// Sets a new password (clears the lockout, ends sessions); false if no such account.
    /// The staff member must change it at the next sign-in.
    async fn set_staff_password(&self, name: &str, hash: String) -> Result<bool, HallError>;
    /// Stores the password the staff member chose themselves (clears the must-change mark;
    /// other sessions of the account end, `keep` stays); false if no such account.
    async fn choose_staff_password(
        &self,
        name: &str,
        hash: String,
        keep: [u8; 32],
    ) -> Result<bool, HallError>;
    /// Revokes an account and ends its sessions; false if no such account.
    async fn revoke_staff(&self, name: &str, at: DateTime<Utc>) -> Result<bool, HallError>;
    /// Counts a failed sign-in; locks the account for `lock_for` once `max` is reached.
    /// Returns the lock's end if the account is now locked.
    async fn staff_sign_in_failed(
        &self,
        name: &str,
        at: DateTime<Utc>,
        max: u32,
        lock_for: chrono::Duration,
    ) -> Result<Option<DateTime<Utc>>, HallError>;
    /// A successful sign-in: clears the failures and opens a session (and deletes every
    /// session idle for longer than `idle`, so abandoned ones do not pile up).
    async fn open_staff_session(
        &self,
        name: &str,
        token_hash: [u8; 32],
        csrf: String,
        at: DateTime<Utc>,
        idle: chrono::Duration,
    ) -> Result<(), HallError>;
    /// The live session of a token hash; `None` if unknown, revoked or idle past `idle`
    /// (an idle one is deleted). Refreshes its last-seen time.
    async fn staff_session(
        &self,
        token_hash: [u8; 32],
        at: DateTime<Utc>,
        idle: chrono::Duration,
    ) -> Result<Option<StaffSession>, HallError>;
    /// Ends a session.
    async fn close_staff_session(&self, token_hash: [u8; 32]) -> Result<(), HallError>;
    /// Appends to the audit trail.
    async fn audit(&self, entry: AuditEntry) -> Result<(), HallError>;
    /// An application's audit trail, oldest first.
    async fn audit_of(&self, application_id: &str) -> Result<Vec<AuditEntry>, HallError>;
    /// An inbox.
    async fn inbox(&self, query: InboxQuery) -> Result<Vec<InboxRow>, HallError>;
    /// An application's work record (default if none yet).
    async fn work(&self, application_id: &str) -> Result<WorkRecord, HallError>;
    /// An application's steps with their staff.
    async fn steps(&self, application_id: &str) -> Result<Vec<StepRecord>, HallError>;
    /// Moves an application for a staff member (see [`StaffMove`]).
    async fn staff_move(&self, mv: StaffMove) -> Result<StaffMoved, HallError>;
}
