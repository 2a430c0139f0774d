//! What the admin socket (`kioskctl`) and `/metrics` ask of the running kiosk: its status,
//! outbox, heartbeat, screen, self-tests and configuration check. [`super`] wires the
//! service together; this is the façade over it. Errors are [`AdminError`]: what went wrong,
//! in words a technician acts on (they reach `kioskctl` as the answer's message).

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use hall_api::fleet::{Heartbeat, Versions};
use kiosk_drivers::status::DeviceClass;

use super::admin::{self, age, OutboxRow, StatusReport};
use super::{fleet, image_version, report, Service};
use crate::health::metrics::{self, BuildInfo, MetricsSnapshot};
use crate::outbox::{OutboxError, Requeued};

/// How long the screen has to answer an admin request.
const SCREEN_ANSWER: Duration = Duration::from_secs(10);

/// Why an admin request or `/metrics` could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The outbox database could not be read or changed.
    #[error("the outbox: {0}")]
    Outbox(#[from] OutboxError),
    /// A blocking task of the service died (a bug: see the kiosk's log).
    #[error("a background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// The hall did not take the heartbeat.
    #[error("the hall: {0}")]
    Hall(#[from] crate::hall::HallError),
    /// `outbox retry ID` of a record that can never be sent.
    #[error(
        "record {id} is quarantined ({reason}): this kiosk cannot open or understand it, so it \
         can never be sent from here; it is deleted after outbox.retention_days"
    )]
    Quarantined {
        /// The record.
        id: i64,
        /// Why it was quarantined.
        reason: String,
    },
    /// `outbox retry ID` of no record.
    #[error("no outbox record {0}: see `kioskctl outbox list`")]
    NoRecord(i64),
    /// A screen request to a kiosk started with `--headless`.
    #[error("this kiosk runs without a screen (--headless)")]
    NoScreen,
    /// The screen's thread has ended.
    #[error("the screen is not running")]
    ScreenStopped,
    /// The screen's thread did not answer in time (it is busy or hung).
    #[error("the screen did not answer within {} s", SCREEN_ANSWER.as_secs())]
    ScreenSilent,
    /// The screenshot could not be saved.
    #[error("the screenshot was not saved: {0}")]
    Screenshot(#[source] crate::display::ScreenError),
    /// `session touch LABEL` with no such control on screen.
    #[error(
        "nothing touchable labelled '{label}' on screen '{screen}'; touchable now: {touchable}"
    )]
    NotTouchable {
        /// The label asked for.
        label: String,
        /// The screen's name.
        screen: String,
        /// The enabled controls' labels, `|`-separated.
        touchable: String,
    },
    /// A device request to a kiosk whose device manager is not running.
    #[error("the devices are not running on this kiosk")]
    NoDevices,
    /// `selftest NAME` of no device class.
    #[error("unknown device `{0}`: idcard, printer, scanner, audio, camera or a4printer")]
    UnknownDevice(String),
    /// `session press` words that are not an input.
    #[error(transparent)]
    Press(#[from] crate::citizen::press::PressError),
    /// The session did not take the input: it has stopped.
    #[error(transparent)]
    Session(#[from] crate::citizen::SessionStopped),
    /// A simulator command was not understood or not carried out.
    #[error(transparent)]
    Sim(#[from] super::sim::SimError),
}

impl Service {
    async fn outbox_stats(&self) -> Result<crate::outbox::OutboxStats, AdminError> {
        let outbox = self.outbox.clone();
        Ok(tokio::task::spawn_blocking(move || outbox.stats(SystemTime::now())).await??)
    }

    pub(super) async fn heartbeat(&self) -> Result<(), AdminError> {
        let stats = self.outbox_stats().await?;
        let devices = self.devices.borrow().clone();
        let heartbeat = Heartbeat {
            sent_at: chrono::Utc::now(),
            uptime_seconds: age(self.started),
            versions: Versions {
                kiosk: env!("CARGO_PKG_VERSION").to_owned(),
                image: image_version(),
                catalog: self.catalog.borrow().as_ref().map(|c| c.version.clone()),
            },
            devices: devices.iter().map(report::device_report).collect(),
            outbox: report::outbox_depth(&stats),
            update: fleet::heartbeat_report(self.updater.report()),
            location: Some(self.config.identity.location.clone()).filter(|l| !l.is_empty()),
        };
        let answer = self.hall.heartbeat(&heartbeat).await?;
        self.fleet.hall_answered.send_replace(true);
        // Sent with every answer: an offer is acted on again (a cut download resumes).
        self.fleet.wanted.send_replace(answer.update);
        if !answer.actions.is_empty() {
            let _ = self.fleet.actions.send(answer.actions);
        }
        Ok(())
    }

    /// Everything `/metrics` shows, now.
    pub async fn metrics(&self) -> Result<String, AdminError> {
        let stats = self.outbox_stats().await?;
        let snapshot = MetricsSnapshot {
            build: BuildInfo::current(),
            started: self.started,
            devices: self.devices.borrow().clone(),
            outbox: stats,
            sessions: *self.sessions.lock().unwrap_or_else(|p| p.into_inner()),
            ratings: *self.ratings.lock().unwrap_or_else(|p| p.into_inner()),
            last_backend_success: self.clock.last_success(),
            resident_bytes: metrics::resident_bytes(),
        };
        Ok(metrics::render(&snapshot))
    }

    /// The status `kioskctl status` prints.
    pub async fn status(&self) -> Result<StatusReport, AdminError> {
        let stats = self.outbox_stats().await?;
        let (outbox, started) = (self.outbox.clone(), self.started);
        let (quarantined_since_start, unreadable_pending) =
            tokio::task::spawn_blocking(move || {
                Ok::<_, OutboxError>((
                    outbox.quarantined_since(started)?,
                    outbox.unreadable_pending()?,
                ))
            })
            .await??;
        Ok(StatusReport {
            kiosk_id: self.config.identity.kiosk_id.clone(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            uptime_seconds: age(self.started),
            devices: self.devices.borrow().clone(),
            outbox_pending: stats.pending,
            outbox_rejected: stats.rejected,
            outbox_quarantined: stats.quarantined,
            outbox_quarantined_since_start: quarantined_since_start,
            outbox_unreadable_pending: unreadable_pending,
            hall_last_success_seconds_ago: self.clock.last_success().map(age),
            catalog_version: self.catalog.borrow().as_ref().map(|c| c.version.clone()),
        })
    }

    pub(super) async fn outbox_rows(&self) -> Result<Vec<OutboxRow>, AdminError> {
        let outbox = self.outbox.clone();
        let rows = tokio::task::spawn_blocking(move || outbox.list()).await??;
        Ok(rows
            .into_iter()
            .map(|r| OutboxRow {
                id: r.id,
                kind: r.kind,
                key: r.idempotency_key,
                age_seconds: age(r.created),
                attempts: r.attempts,
                state: r.state.as_str().into(),
                last_error: r.last_error,
            })
            .collect())
    }

    /// `kioskctl outbox retry [ID]`: without an id the pending records only; with one, a
    /// rejected record too (answering what the hall had refused), never a quarantined one.
    pub(super) async fn retry(
        &self,
        id: Option<i64>,
    ) -> Result<(usize, Option<String>), AdminError> {
        let Some(id) = id else {
            let count = self.delivery.retry_pending().await?;
            return Ok((count, None));
        };
        match self.delivery.retry_one(id).await? {
            Requeued::Pending => Ok((1, None)),
            Requeued::Rejected { error } => {
                tracing::warn!(
                    record = id,
                    "a technician queued a refused submission again"
                );
                Ok((
                    1,
                    Some(error.unwrap_or_else(|| "(no reason stored)".into())),
                ))
            }
            Requeued::Quarantined { reason } => Err(AdminError::Quarantined {
                id,
                reason: reason.unwrap_or_else(|| "no reason stored".into()),
            }),
            Requeued::NotFound => Err(AdminError::NoRecord(id)),
        }
    }

    /// Asks the screen (on the UI thread) and waits up to 10 s for its answer.
    async fn ask_screen<T>(
        &self,
        request: impl FnOnce(tokio::sync::oneshot::Sender<T>) -> crate::display::ScreenRequest,
    ) -> Result<T, AdminError> {
        let sender = self.screen.as_ref().ok_or(AdminError::NoScreen)?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        sender
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(request(tx))
            .map_err(|_| AdminError::ScreenStopped)?;
        tokio::time::timeout(SCREEN_ANSWER, rx)
            .await
            .map_err(|_| AdminError::ScreenSilent)?
            .map_err(|_| AdminError::ScreenStopped)
    }

    /// Saves what the screen shows as PNG (`kioskctl session screenshot`).
    pub(super) async fn screenshot(&self, path: PathBuf) -> Result<(), AdminError> {
        self.ask_screen(|tx| crate::display::ScreenRequest::Screenshot(path, tx))
            .await?
            .map_err(AdminError::Screenshot)
    }

    /// What is touchable on the screen now (`kioskctl session targets`).
    pub(super) async fn targets(&self) -> Result<Vec<kiosk_ui::touch::Target>, AdminError> {
        self.ask_screen(crate::display::ScreenRequest::Targets)
            .await
    }

    /// A tap at a physical pixel (`kioskctl session tap X Y`).
    pub(super) async fn tap(&self, x: i32, y: i32) -> Result<(), AdminError> {
        self.ask_screen(|answer| crate::display::ScreenRequest::Tap { x, y, answer })
            .await
    }

    /// A tap on the target labelled `label` (`kioskctl session touch LABEL`).
    pub(super) async fn touch(&self, label: &str) -> Result<admin::AdminResponse, AdminError> {
        let targets = self.targets().await?;
        let Some(target) = kiosk_ui::touch::find(&targets, label) else {
            let on_screen: Vec<&str> = targets
                .iter()
                .filter(|t| t.enabled && !t.label.is_empty())
                .map(|t| t.label.as_str())
                .collect();
            return Err(AdminError::NotTouchable {
                label: label.to_owned(),
                screen: self.session.summary().screen,
                touchable: on_screen.join(" | "),
            });
        };
        let (x, y) = target.center();
        let label = target.label.clone();
        self.tap(x, y).await?;
        Ok(admin::AdminResponse::Tapped {
            label: Some(label),
            x,
            y,
        })
    }

    /// Runs health checks (`kioskctl selftest`).
    pub(super) async fn selftest(
        &self,
        device: Option<&str>,
        external: bool,
        wait_secs: Option<u64>,
    ) -> Result<Vec<admin::SelftestLine>, AdminError> {
        let manager = self.manager.as_ref().ok_or(AdminError::NoDevices)?;
        let class = match device {
            None => None,
            Some(name) => Some(
                DeviceClass::ALL
                    .into_iter()
                    .find(|c| c.label() == name)
                    .ok_or_else(|| AdminError::UnknownDevice(name.to_owned()))?,
            ),
        };
        let wait = Duration::from_secs(wait_secs.unwrap_or(30).clamp(1, 300));
        let results = manager.selftest(class, external, wait).await;
        let lines: Vec<admin::SelftestLine> = results
            .into_iter()
            .map(|(class, check)| admin::SelftestLine {
                device: class.label().to_owned(),
                level: crate::citizen::summary::wire(&check.level),
                passed: check.passed,
                text: check.text,
            })
            .collect();
        Ok(lines)
    }

    /// Re-reads the configuration file: reports its problems, and which changed settings
    /// need a restart (`systemctl restart kiosk`) to take effect.
    pub(super) fn reload_check(&self) -> Vec<String> {
        let options = kiosk_config::LoadOptions::from_process(&self.config_path);
        match kiosk_config::load(&options) {
            Err(report) => vec![format!(
                "the configuration has errors; the kiosk keeps running with the old one:\n{report}"
            )],
            Ok(loaded) => {
                let mut notes: Vec<String> = loaded
                    .warnings
                    .problems
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                if loaded.config == self.config {
                    notes.push("no change".into());
                } else {
                    notes.push(
                        "the configuration changed and is valid; run `systemctl restart kiosk` to apply it (a session in progress finishes first)"
                            .into(),
                    );
                }
                notes
            }
        }
    }
}
