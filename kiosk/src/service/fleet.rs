//! The service's side of fleet operations ([`crate::fleet`]): the heartbeat loop hands the
//! hall's answer to three tasks in serve()'s JoinSet, each ended by `shutdown`:
//!
//! - [`updates`]: the wanted version is downloaded, checked and installed by the
//!   [`Installer`]; the reboot waits for `[fleet] quiet_hours` and a session without personal
//!   data;
//! - [`actions`]: remote actions, each run once and its result posted; a restart or an
//!   applied configuration ends the service cleanly (systemd starts it again);
//! - [`trial`]: a pushed configuration on trial is confirmed once the hall answers a
//!   heartbeat within [`config_push::HEALTHY_WITHIN`], rolled back otherwise.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hall_api::updates::{RemoteAction, UpdateReport, WantedUpdate};
use tokio::sync::{mpsc, watch};

use super::Service;
use crate::fleet::actions::{ActionRunner, After};
use crate::fleet::config_push::{self, AtStart};
use crate::fleet::install::{Installer, Rauc};

/// How often an installed update checks whether it may reboot, besides each heartbeat.
const REBOOT_CHECK: Duration = Duration::from_secs(60);

/// How the service does fleet operations: the real `rauc` installer and the trial state
/// [`config_push::at_start`] found, or (tests) a fake installer behind the same trait.
#[derive(Clone)]
pub struct FleetOptions {
    /// Installs bundles and reboots.
    pub installer: Arc<dyn Installer>,
    /// What the start-up check found about a pushed configuration.
    pub trial: AtStart,
}

impl std::fmt::Debug for FleetOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FleetOptions")
            .field("trial", &self.trial)
            .finish_non_exhaustive()
    }
}

impl Default for FleetOptions {
    fn default() -> Self {
        FleetOptions {
            installer: Arc::new(Rauc),
            trial: AtStart::Nothing,
        }
    }
}

impl FleetOptions {
    /// The real installer, after the pushed-configuration check that must run before the
    /// configuration is loaded (a rolled-back file is the one then loaded).
    pub fn at_start(config_path: &Path) -> Self {
        let trial = match config_push::at_start(config_path, &trial_dir(config_path)) {
            Ok(found) => found,
            Err(err) => {
                eprintln!("the pushed configuration's trial could not be checked: {err}");
                AtStart::Nothing
            }
        };
        FleetOptions {
            installer: Arc::new(Rauc),
            trial,
        }
    }
}

/// Where a pushed configuration's trial marker lives: next to the configuration file (the
/// folder must be writable for a push anyway), so the old and the new file agree on it.
pub fn trial_dir(config_path: &Path) -> PathBuf {
    config_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Where downloaded bundles go: `updates/` next to the outbox database.
pub fn bundle_dir(db_path: &Path) -> PathBuf {
    db_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        .join("updates")
}

/// The update part of a heartbeat: `None` while there is nothing to say (no slot known
/// from `rauc status`, no update under way or failed).
pub fn heartbeat_report(report: UpdateReport) -> Option<UpdateReport> {
    (report != UpdateReport::default()).then_some(report)
}

/// What the heartbeat loop hands the fleet tasks.
#[derive(Debug)]
pub struct FleetLinks {
    /// The wanted version of the last answer (sent again with every answer, so an
    /// interrupted download resumes at the next heartbeat).
    pub wanted: watch::Sender<Option<WantedUpdate>>,
    /// Actions of the last answer.
    pub actions: mpsc::UnboundedSender<Vec<RemoteAction>>,
    /// Set once the hall answered a heartbeat.
    pub hall_answered: watch::Sender<bool>,
}

/// Follows the hall's offers until shutdown; reboots into an installed update only in the
/// quiet window and when no session holds personal data.
pub async fn updates(
    service: Arc<Service>,
    mut wanted: watch::Receiver<Option<WantedUpdate>>,
    mut shutdown: watch::Receiver<bool>,
) {
    let window = match service.config.fleet.quiet_window() {
        Ok(window) => window,
        Err(err) => {
            tracing::error!(%err, "fleet.quiet_hours is unusable: installed updates will not reboot the kiosk");
            (0, 0)
        }
    };
    let updater = Arc::clone(&service.updater);
    // `rauc status` may wait for D-Bus activation: not on the way to the first frame.
    if let Err(err) = tokio::task::spawn_blocking(move || updater.probe_slot()).await {
        tracing::warn!(%err, "cannot ask rauc for the booted slot");
    }
    let mut rebooted = false;
    loop {
        tokio::select! {
            changed = wanted.changed() => {
                if changed.is_err() {
                    return;
                }
                let offer = wanted.borrow_and_update().clone();
                if let Some(offer) = offer {
                    tokio::select! {
                        // Errors are logged and reported by the updater itself.
                        _ = service.updater.offer(&offer) => {}
                        // A cut download resumes from its partial file at the next start.
                        _ = shutdown.changed() => return,
                    }
                }
            }
            _ = tokio::time::sleep(REBOOT_CHECK) => {}
            _ = shutdown.changed() => return,
        }
        if !rebooted && reboot_due(&service, window) {
            tracing::info!("rebooting into the installed update (quiet window, no citizen)");
            match service.updater.reboot() {
                Ok(()) => rebooted = true,
                Err(err) => tracing::error!(%err, "cannot reboot into the installed update"),
            }
        }
    }
}

fn reboot_due(service: &Service, window: (u32, u32)) -> bool {
    use chrono::Timelike;
    let local = crate::citizen::runner::local_time(chrono::Utc::now());
    let minute = local.hour() * 60 + local.minute();
    let session_active = service.session.current().holds_personal_data();
    service.updater.reboot_due(window, minute, session_active)
}

/// The device manager's internal self-test as a report (no personal data): one line per
/// check.
fn selftest_report(service: std::sync::Weak<Service>) -> crate::fleet::actions::Selftest {
    let runtime = tokio::runtime::Handle::current();
    Arc::new(move || {
        let service = service.upgrade().ok_or("the service is stopping")?;
        // Called on the blocking pool (ActionRunner::perform), where block_on is allowed.
        let lines = runtime.block_on(service.selftest(None, false, Some(30)))?;
        if lines.is_empty() {
            return Ok("no device to test".to_owned());
        }
        Ok(lines
            .iter()
            .map(|l| {
                format!(
                    "{} {} {}: {}",
                    l.device,
                    l.level,
                    if l.passed { "PASS" } else { "FAIL" },
                    l.text
                )
            })
            .collect::<Vec<_>>()
            .join("\n"))
    })
}

/// Runs the actions the heartbeats bring until shutdown; asks for a clean restart when one
/// needs it.
pub async fn actions(
    service: Arc<Service>,
    mut incoming: mpsc::UnboundedReceiver<Vec<RemoteAction>>,
    restart: watch::Sender<bool>,
    mut shutdown: watch::Receiver<bool>,
) {
    let runner = ActionRunner::new(
        service.hall.clone(),
        &service.config.identity.kiosk_id,
        service.config_path.clone(),
        trial_dir(&service.config_path),
        selftest_report(Arc::downgrade(&service)),
    );
    loop {
        let batch = tokio::select! {
            batch = incoming.recv() => match batch {
                Some(batch) => batch,
                None => return,
            },
            _ = shutdown.changed() => return,
        };
        let after = tokio::select! {
            after = runner.run(&batch) => after,
            _ = shutdown.changed() => return,
        };
        if after == After::Restart {
            tracing::info!("restarting at the hall's request (systemd starts the service again)");
            let _ = restart.send(true);
            return;
        }
    }
}

/// A pushed configuration on trial: confirmed when the hall answers a heartbeat within
/// [`config_push::HEALTHY_WITHIN`] of the start, otherwise rolled back and the service
/// restarted on the old file.
pub async fn trial(
    config_path: PathBuf,
    within: Duration,
    mut hall_answered: watch::Receiver<bool>,
    restart: watch::Sender<bool>,
    mut shutdown: watch::Receiver<bool>,
) {
    let dir = trial_dir(&config_path);
    let healthy = tokio::select! {
        answered = hall_answered.wait_for(|a| *a) => answered.is_ok(),
        _ = tokio::time::sleep(within) => false,
        // Stopped before it proved itself: the next start rolls back (at_start).
        _ = shutdown.changed() => return,
    };
    if healthy {
        config_push::confirm(&dir);
        tracing::info!("the pushed configuration is healthy (the hall answered); kept");
        return;
    }
    tracing::error!(
        within_secs = within.as_secs(),
        "the hall did not answer with the pushed configuration: rolling back and restarting"
    );
    match config_push::roll_back(&config_path, &dir) {
        Ok(()) => {
            let _ = restart.send(true);
        }
        Err(err) => tracing::error!(%err, "cannot roll the pushed configuration back"),
    }
}
