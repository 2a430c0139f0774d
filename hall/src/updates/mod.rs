//! Fleet operations (issue 22): signed RAUC bundles the operator adds (`hall update add`,
//! checked against the keyring with `rauc info`), rollouts in waves that halt by themselves
//! when a wave fails too often, and remote actions (restart, selftest, journal, config push)
//! queued per kiosk. Both travel in the heartbeat's answer, so kiosks behind NAT get them.
//!
//! - [`rauc`]: verifying a bundle and reading its manifest;
//! - [`rollout`]: the pure wave logic (assignment, evaluation, each kiosk's outcome);
//! - [`fleet_ops`]: what a heartbeat answers and records;
//! - [`handlers`]: the bundle download (HTTP Range) and the action results;
//! - [`cli`]: `hall update …` and `hall kiosk action …`.

pub mod cli;
pub mod fleet_ops;
pub mod handlers;
pub mod rauc;
pub mod rollout;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hall_api::updates::ActionRequest;

use crate::error::HallError;
pub use rollout::{KioskOutcome, RolloutState};

/// A stored bundle (its file is `<bundle dir>/<sha256>.raucb`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
    /// The manifest's version (unique among bundles).
    pub version: String,
    /// The manifest's compatible string.
    pub compatible: String,
    /// Size in bytes.
    pub size: u64,
    /// Who signed it (the certificate subject `rauc` verified).
    pub signer: String,
    /// When it was added.
    pub added_at: DateTime<Utc>,
}

/// What [`UpdateStore::add_bundle`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BundleAdded {
    /// Stored.
    Stored,
    /// The same file was added before.
    AlreadyThere,
    /// Another file has this version.
    VersionTaken,
}

/// One rollout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rollout {
    /// Id.
    pub id: String,
    /// The bundle version rolled out.
    pub version: String,
    /// `all` or `site:CODE`.
    pub target: String,
    /// Cumulative percentages of the target kiosks per wave (last 100).
    pub waves: Vec<u8>,
    /// Halt when a wave's failed share passes this (percent).
    pub max_failure_pct: u8,
    /// Its state.
    pub state: RolloutState,
    /// The wave open now (0-based).
    pub wave: u32,
    /// Why it halted, in English.
    pub reason: Option<String>,
    /// Who started it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// One kiosk of a rollout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutKiosk {
    /// Kiosk id.
    pub kiosk_id: String,
    /// Its wave (0-based).
    pub wave: u32,
    /// How far it got.
    pub outcome: KioskOutcome,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A queued or finished remote action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskAction {
    /// Id.
    pub id: String,
    /// The kiosk.
    pub kiosk_id: String,
    /// What.
    pub request: ActionRequest,
    /// The operator (or `cli`) who asked.
    pub requested_by: String,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// When the kiosk posted the result.
    pub finished_at: Option<DateTime<Utc>>,
    /// Whether it worked (once finished).
    pub ok: Option<bool>,
    /// Its output (once finished).
    pub output: Option<String>,
}

/// What [`UpdateStore::finish_action`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionFinished {
    /// Recorded.
    Recorded,
    /// A result was recorded before (a retry): kept as it was.
    AlreadyFinished,
    /// No such action for this kiosk.
    NotFound,
}

/// Storage of bundles, rollouts and remote actions (SQLite and PostgreSQL, migration 13).
#[async_trait]
pub trait UpdateStore: Send + Sync {
    /// Stores a bundle's record (the file is in place already).
    async fn add_bundle(&self, bundle: Bundle) -> Result<BundleAdded, HallError>;
    /// Every bundle, newest first.
    async fn bundles(&self) -> Result<Vec<Bundle>, HallError>;
    /// The bundle of a version.
    async fn bundle(&self, version: &str) -> Result<Option<Bundle>, HallError>;
    /// The bundle of a SHA-256.
    async fn bundle_by_sha(&self, sha256: &str) -> Result<Option<Bundle>, HallError>;
    /// Starts a rollout over `kiosks` (id, wave); an active one before it is superseded.
    async fn start_rollout(
        &self,
        rollout: Rollout,
        kiosks: Vec<(String, u32)>,
    ) -> Result<(), HallError>;
    /// Every rollout, newest first.
    async fn rollouts(&self) -> Result<Vec<Rollout>, HallError>;
    /// The active rollout, if any.
    async fn active_rollout(&self) -> Result<Option<Rollout>, HallError>;
    /// A rollout's kiosks, by wave and id.
    async fn rollout_kiosks(&self, rollout_id: &str) -> Result<Vec<RolloutKiosk>, HallError>;
    /// One kiosk of a rollout.
    async fn rollout_kiosk(
        &self,
        rollout_id: &str,
        kiosk_id: &str,
    ) -> Result<Option<RolloutKiosk>, HallError>;
    /// Records a kiosk's outcome.
    async fn set_rollout_kiosk(
        &self,
        rollout_id: &str,
        kiosk_id: &str,
        outcome: KioskOutcome,
        at: DateTime<Utc>,
    ) -> Result<(), HallError>;
    /// Records a rollout's state, open wave and reason (only while it is active).
    async fn set_rollout_progress(
        &self,
        rollout_id: &str,
        state: RolloutState,
        wave: u32,
        reason: Option<String>,
        at: DateTime<Utc>,
    ) -> Result<(), HallError>;
    /// Queues an action.
    async fn queue_action(&self, action: KioskAction) -> Result<(), HallError>;
    /// A kiosk's unfinished actions, oldest first.
    async fn pending_actions(&self, kiosk_id: &str) -> Result<Vec<KioskAction>, HallError>;
    /// Records an action's result once.
    async fn finish_action(
        &self,
        kiosk_id: &str,
        action_id: &str,
        ok: bool,
        output: String,
        at: DateTime<Utc>,
    ) -> Result<ActionFinished, HallError>;
    /// The latest actions (of one kiosk, or all), newest first.
    async fn actions(
        &self,
        kiosk_id: Option<&str>,
        limit: usize,
    ) -> Result<Vec<KioskAction>, HallError>;
}
