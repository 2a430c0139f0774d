//! The kiosk's side of fleet operations (issue 22): the hall's answer to a heartbeat may
//! offer a software update and carry remote actions.
//!
//! - [`download`]: the bundle, fetched in ranges (a cut download resumes where it stopped)
//!   into the data folder and checked against its SHA-256 before anything installs it;
//! - [`install`]: the [`install::Installer`] trait (`rauc install` on the image) and when a
//!   reboot is allowed (the quiet window, no citizen in a session);
//! - [`journal`]: the service's journal for the last minutes, scrubbed of ID numbers,
//!   phones and names once more before it leaves the kiosk;
//! - [`config_push`]: a pushed `kiosk.toml`, checked like `kioskctl config check`, written
//!   atomically with the old one kept, and rolled back when the service does not come up
//!   healthy with it.
//!
//! - [`actions`]: remote actions run once each, their results posted back;
//! - [`state`]: the update state kept across restarts and reboots, and the fall-back a
//!   boot on the old slot reveals;
//! - [`commit`]: the health check that commits a freshly updated slot
//!   (`kioskctl health commit-check`, run by the image's kiosk-commit.service).
//!
//! [`Updater`] holds the update state the heartbeat reports.

pub mod actions;
pub mod commit;
pub mod config_push;
pub mod download;
pub mod install;
pub mod journal;
pub mod state;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use hall_api::updates::{UpdateReport, UpdateState, WantedUpdate};

use crate::hall::HallClient;
use install::Installer;

/// What went wrong with an update, as the stable code the heartbeat reports.
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// The download failed (network, hall refusal, short answer); retried later.
    #[error("download failed: {0}")]
    Download(String),
    /// The downloaded file is not the bundle the hall named.
    #[error("the downloaded bundle's SHA-256 is {got}, not {want}; the file was deleted")]
    Sha256Mismatch {
        /// Expected.
        want: String,
        /// Computed.
        got: String,
    },
    /// The hall's offer cannot be right (a malformed SHA-256, a size of 0).
    #[error("the hall's offer is malformed: {0}")]
    BadOffer(String),
    /// The installer refused or failed.
    #[error("install failed: {0}")]
    Install(#[from] install::InstallError),
    /// The data folder cannot be written.
    #[error("update folder: {0}")]
    Io(#[from] std::io::Error),
}

impl FleetError {
    /// The code for the heartbeat's `update.detail`.
    pub fn code(&self) -> &'static str {
        match self {
            FleetError::Download(_) => "downloadFailed",
            FleetError::Sha256Mismatch { .. } => "sha256Mismatch",
            FleetError::BadOffer(_) => "badOffer",
            FleetError::Install(_) => "installFailed",
            FleetError::Io(_) => "storage",
        }
    }

    /// Whether trying the same offer again later can help.
    pub fn is_retryable(&self) -> bool {
        matches!(self, FleetError::Download(_) | FleetError::Io(_))
    }
}

/// Follows the hall's update offers: download, check, install, then wait for the quiet
/// window. Its [`Updater::report`] goes into every heartbeat.
pub struct Updater {
    hall: HallClient,
    dir: PathBuf,
    installer: Arc<dyn Installer>,
    state: Mutex<state::Persisted>,
}

impl std::fmt::Debug for Updater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Updater")
            .field("dir", &self.dir)
            .field("state", &self.report())
            .finish_non_exhaustive()
    }
}

impl Updater {
    /// An updater keeping bundles in `dir` and installing with `installer`, with the booted
    /// slot already asked for ([`Updater::probe_slot`]).
    pub fn new(hall: HallClient, dir: PathBuf, installer: Arc<dyn Installer>) -> Self {
        let updater = Updater::unprobed(hall, dir, installer);
        updater.probe_slot();
        updater
    }

    /// As [`Updater::new`] without asking for the booted slot yet: the service starts
    /// without waiting for `rauc status` and asks off its start path. The state saved in
    /// `dir` by an earlier run is read back ([`state`]).
    pub fn unprobed(hall: HallClient, dir: PathBuf, installer: Arc<dyn Installer>) -> Self {
        let saved = state::load(&dir).unwrap_or_else(|err| {
            tracing::warn!(%err, "update state");
            state::Persisted::default()
        });
        Updater {
            hall,
            dir,
            installer,
            state: Mutex::new(saved),
        }
    }

    /// Asks the installer for the booted slot (`rauc status`; blocking) for the heartbeat,
    /// and judges a reboot into an installed update by it: back on the old slot, that
    /// version failed ([`state::after_boot`]).
    pub fn probe_slot(&self) {
        let slot = self.installer.booted_slot();
        let boot = self.installer.boot_id();
        self.update(|p| {
            let was_rebooting = p.rebooted_from.is_some();
            let judged = state::after_boot(std::mem::take(p), slot.as_deref(), boot.as_deref());
            if was_rebooting && judged.report.state == UpdateState::Failed {
                tracing::error!(
                    version = judged.report.failed_version.as_deref().unwrap_or("?"),
                    slot = slot.as_deref().unwrap_or("?"),
                    "the update did not commit (health check failed or it did not boot): fell back to the old slot"
                );
            }
            *p = judged;
            if slot.is_some() {
                p.report.slot = slot;
            }
        });
    }

    /// The state for the next heartbeat.
    pub fn report(&self) -> UpdateReport {
        self.state
            .lock()
            .map(|s| s.report.clone())
            .unwrap_or_default()
    }

    fn set(&self, f: impl FnOnce(&mut UpdateReport)) {
        self.update(|p| f(&mut p.report));
    }

    /// Changes the state and saves it; a state that cannot be saved is logged (the kiosk
    /// goes on; after a restart it would offer the update again).
    fn update(&self, f: impl FnOnce(&mut state::Persisted)) {
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        let before = s.clone();
        f(&mut s);
        if *s != before {
            if let Err(err) = state::save(&self.dir, &s) {
                tracing::warn!(%err, dir = %self.dir.display(), "cannot save the update state");
            }
        }
    }

    /// Acts on an offer: nothing if this version is installed already or failed before;
    /// otherwise download (resuming), check, install. A download that fails is tried again
    /// at the next offer; a bad hash or a failed install is reported as failed.
    pub async fn offer(&self, wanted: &WantedUpdate) -> Result<(), FleetError> {
        let now = self.report();
        let this = Some(wanted.version.as_str());
        if now.failed_version.as_deref() == this
            || (now.target.as_deref() == this && now.state == UpdateState::Installed)
        {
            return Ok(());
        }
        self.set(|s| {
            s.state = UpdateState::Downloading;
            s.target = Some(wanted.version.clone());
            s.detail = None;
        });
        let result = async {
            let bundle = download::fetch(&self.hall, wanted, &self.dir).await?;
            self.set(|s| s.state = UpdateState::Installing);
            let installer = Arc::clone(&self.installer);
            let path = bundle.clone();
            tokio::task::spawn_blocking(move || installer.install(&path))
                .await
                .map_err(install::InstallError::from)??;
            // Installed into the other slot: the file is not needed any more.
            let _ = std::fs::remove_file(&bundle);
            Ok::<(), FleetError>(())
        }
        .await;
        match &result {
            Ok(()) => {
                tracing::info!(version = %wanted.version, "update installed; reboot waits for the quiet window");
                self.set(|s| s.state = UpdateState::Installed);
            }
            Err(e) if e.is_retryable() => {
                tracing::warn!(version = %wanted.version, err = %e, "update download interrupted; resumes at the next offer");
                self.set(|s| {
                    s.state = UpdateState::Idle;
                    s.detail = Some(e.code().to_owned());
                });
            }
            Err(e) => {
                tracing::error!(version = %wanted.version, err = %e, "update failed");
                self.set(|s| {
                    s.state = UpdateState::Failed;
                    s.failed_version = Some(wanted.version.clone());
                    s.detail = Some(e.code().to_owned());
                });
            }
        }
        result
    }

    /// Whether an installed update should reboot the kiosk now: installed, in the quiet
    /// window, no citizen in a session, and no reboot asked for already that this start
    /// has not judged yet ([`Updater::probe_slot`]: while `rauc status` cannot say which
    /// slot booted, the kiosk may be on the trial boot of the new slot, and a second reboot
    /// would use up its one try and fall back).
    pub fn reboot_due(&self, window: (u32, u32), minute: u32, session_active: bool) -> bool {
        let rebooting = self
            .state
            .lock()
            .map(|s| s.rebooted_from.is_some())
            .unwrap_or(true);
        self.report().state == UpdateState::Installed
            && !rebooting
            && install::may_reboot(window, minute, session_active)
    }

    /// Reboots into the installed slot, noting first which slot it leaves: the next start
    /// tells from the booted slot whether the update committed or fell back.
    pub fn reboot(&self) -> Result<(), FleetError> {
        let from = self.report().slot;
        let boot = self.installer.boot_id();
        self.update(|p| {
            p.rebooted_from = from.clone();
            p.reboot_boot_id = boot;
        });
        self.installer.reboot().map_err(|e| {
            self.update(|p| {
                p.rebooted_from = None;
                p.reboot_boot_id = None;
            });
            FleetError::Install(e)
        })
    }
}
