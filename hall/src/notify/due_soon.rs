//! "Due in 2 working days": a periodic sweep that tells the staff (the notifiers configured
//! for `application.dueSoon`) of every open application (已受理, 承办中: the "即将到期" inbox)
//! whose due date is today or within the next 2 working days of the holiday calendar.
//!
//! Each (application, due date) is told once: the sweep writes a marker row
//! (`due_soon_notices`, keyed by both) and enqueues the notice in the same transaction, so a
//! restart, a second hall process or a sweep that runs again sends nothing twice; a due date
//! moved later is a new due date and is told again. Concluded applications are not open, so
//! they get none.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDate;
use hall_api::application::Status;

use super::events::{DueSoonEvent, Event, EventKind};
use super::queue::NewNotice;
use crate::error::HallError;
use crate::staff::access::departments_of;
use crate::staff::inbox::Inbox;
use crate::state::{today_local, AppState};

/// How often the hall sweeps.
pub const SWEEP_EVERY: Duration = Duration::from_secs(10 * 60);

/// Working days ahead that count as "due soon".
pub const AHEAD: u32 = 2;

/// At most this many applications are read per store call (the sweep loops).
const BATCH: usize = 200;

/// An open application due soon that has not been told yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueSoonCandidate {
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
    /// Due date.
    pub due_on: NaiveDate,
}

/// What the sweep needs from the database.
#[async_trait]
pub trait DueSoonStore: Send + Sync {
    /// Applications in `statuses` due from `from` to `to` (inclusive) with no marker for
    /// their current due date, earliest due first, at most `limit`.
    async fn due_soon_untold(
        &self,
        statuses: Vec<Status>,
        from: NaiveDate,
        to: NaiveDate,
        limit: usize,
    ) -> Result<Vec<DueSoonCandidate>, HallError>;

    /// Writes the marker of (application, due date) and, if it was not there, enqueues the
    /// notice (one transaction). Returns whether the notice was enqueued.
    async fn tell_due_soon(
        &self,
        application_id: &str,
        due_on: NaiveDate,
        notice: NewNotice,
    ) -> Result<bool, HallError>;
}

/// One sweep for `today`: enqueues a notice for each open application due from today to
/// the [`AHEAD`]-th working day that was not told yet. Returns how many were enqueued
/// (none when no notifier takes `application.dueSoon`).
pub async fn sweep_once(
    state: &AppState,
    store: &dyn DueSoonStore,
    today: NaiveDate,
) -> Result<usize, HallError> {
    let Some(notices) = state.notices.get() else {
        return Ok(0);
    };
    if !notices.wants(EventKind::ApplicationDueSoon) {
        return Ok(0);
    }
    let to = state.staff.calendar.add_working_days(today, AHEAD);
    let catalog = state.catalog();
    let mut told = 0;
    loop {
        let batch = store
            .due_soon_untold(Inbox::DueSoon.statuses(), today, to, BATCH)
            .await?;
        let done = batch.len() < BATCH;
        for c in batch {
            let departments = departments_of(&catalog.catalog, &c.subject_type, &c.subject_code)
                .iter()
                .map(|d| {
                    catalog
                        .catalog
                        .department(d)
                        .map_or_else(|| d.clone(), |x| x.name.clone())
                })
                .collect();
            let event = Event::ApplicationDueSoon(DueSoonEvent {
                application_id: c.id.clone(),
                tracking_code: c.tracking_code,
                subject_code: c.subject_code,
                subject_name: c.subject_name,
                departments,
                status: c.status.label_zh().to_owned(),
                due_on: c.due_on,
            });
            let Some(draft) = notices.draft(&state.secrets, event)? else {
                return Ok(told);
            };
            if store.tell_due_soon(&c.id, c.due_on, draft).await? {
                told += 1;
            }
        }
        if done {
            break;
        }
    }
    if told > 0 {
        tracing::info!(told, "due-soon notices queued");
        notices.wake.notify_one();
    }
    Ok(told)
}

/// Sweeps now and then every `every` until `shutdown` turns true (or its sender is
/// dropped). A failed sweep is logged and tried again at the next turn.
pub fn spawn(
    state: Arc<AppState>,
    store: Arc<dyn DueSoonStore>,
    every: Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        tracing::info!(every_s = every.as_secs(), "due-soon sweep started");
        while !*shutdown.borrow() {
            if let Err(e) = sweep_once(&state, store.as_ref(), today_local()).await {
                tracing::warn!(error = %e, "due-soon sweep failed; trying again later");
            }
            tokio::select! {
                changed = shutdown.changed() => if changed.is_err() { break },
                _ = tokio::time::sleep(every) => {}
            }
        }
        tracing::info!("due-soon sweep stopped");
    })
}
