//! Notices: telling the on-duty staff (and, later, citizens) that something happened.
//!
//! - [`events`]: the event types and their Chinese messages.
//! - [`Notifier`]: one way of delivering a notice; [`webhook`] (signed JSON POST, for a
//!   county's SMS gateway or 12345 platform) and [`smtp`] (email with lettre).
//! - [`queue`]: the durable queue in the hall's database and the worker that drains it.
//!   An event is enqueued in the same transaction as the ticket or rating that caused it, so
//!   neither exists without the other; a worker claims due deliveries under a lease and
//!   retries with capped exponential backoff and jitter; a hall restart loses nothing.
//! - [`config`]: the TOML file given to `hall serve --notify-config`.
//! - [`due_soon`]: the sweep that tells staff of open applications due within 2 working days.
//!
//! Delivery is at least once per target; every notice carries a stable event id, so a
//! receiver that drops ids it has seen gets each notice exactly once.

pub mod citizen;
pub mod config;
pub mod due_soon;
pub mod events;
pub mod log;
pub mod queue;
pub mod smtp;
pub mod webhook;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use hall_api::feedback::is_bad_level;

pub use config::{Checked, NotifyConfig};
pub use events::{Event, EventKind, Notice};
pub use queue::{NewNotice, NoticeStore};

use crate::crypto::new_id;
use crate::error::HallError;
use crate::state::AppState;
use crate::store::{
    ApplicationRecord, NewRating, NewTicket, Principal, PrincipalKind, Rated, TicketRecord, Written,
};

/// Why a delivery failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DeliveryError {
    /// Whether retrying cannot help (the receiver refused this notice for good).
    pub permanent: bool,
    /// What went wrong, for the delivery log: never a message body or personal data.
    pub message: String,
}

impl DeliveryError {
    /// A failure worth retrying.
    pub fn transient(message: impl Into<String>) -> Self {
        DeliveryError {
            permanent: false,
            message: message.into(),
        }
    }

    /// A failure retrying cannot fix.
    pub fn permanent(message: impl Into<String>) -> Self {
        DeliveryError {
            permanent: true,
            message: message.into(),
        }
    }
}

/// One way of delivering notices.
#[async_trait]
pub trait Notifier: Send + Sync + std::fmt::Debug {
    /// The target's name (delivery log, metrics).
    fn name(&self) -> &str;
    /// Delivers one notice. Called again for the same notice on retry.
    async fn deliver(&self, notice: &Notice) -> Result<(), DeliveryError>;
}

/// The notifiers of a running hall, which events go to which, and the queue.
#[derive(Debug)]
pub struct Notices {
    /// The queue.
    pub store: Arc<dyn NoticeStore>,
    /// Timing and links.
    pub settings: queue::Settings,
    /// Notifiers by target name.
    notifiers: BTreeMap<String, Arc<dyn Notifier>>,
    /// Target names by event kind.
    routes: BTreeMap<EventKind, Vec<String>>,
    /// Wakes the worker after an enqueue.
    pub wake: tokio::sync::Notify,
}

impl Notices {
    /// Builds the webhook and SMTP notifiers of a checked configuration.
    pub fn from_config(store: Arc<dyn NoticeStore>, cfg: Checked) -> Result<Self, HallError> {
        let mut targets: Vec<(Arc<dyn Notifier>, Vec<EventKind>)> = Vec::new();
        for w in &cfg.webhooks {
            targets.push((
                Arc::new(webhook::WebhookNotifier::new(w)?),
                w.events.clone(),
            ));
        }
        for e in &cfg.emails {
            targets.push((Arc::new(smtp::SmtpNotifier::new(e)?), e.events.clone()));
        }
        Ok(Self::new(store, queue::Settings::from(&cfg), targets))
    }

    /// Routes events to the given notifiers.
    pub fn new(
        store: Arc<dyn NoticeStore>,
        settings: queue::Settings,
        targets: Vec<(Arc<dyn Notifier>, Vec<EventKind>)>,
    ) -> Self {
        let mut notifiers = BTreeMap::new();
        let mut routes: BTreeMap<EventKind, Vec<String>> = BTreeMap::new();
        for (n, kinds) in targets {
            for k in kinds {
                routes.entry(k).or_default().push(n.name().to_owned());
            }
            notifiers.insert(n.name().to_owned(), n);
        }
        Notices {
            store,
            settings,
            notifiers,
            routes,
            wake: tokio::sync::Notify::new(),
        }
    }

    /// The notifier of a target.
    pub fn notifier(&self, target: &str) -> Option<Arc<dyn Notifier>> {
        self.notifiers.get(target).cloned()
    }

    /// Whether some notifier takes events of this kind.
    pub fn wants(&self, kind: EventKind) -> bool {
        self.routes.get(&kind).is_some_and(|t| !t.is_empty())
    }

    /// The queue rows for an event, sealed under the hall's data key, or `None` if no target
    /// wants this kind.
    pub fn draft(
        &self,
        secrets: &crate::crypto::Secrets,
        event: Event,
    ) -> Result<Option<NewNotice>, HallError> {
        let kind = event.kind();
        let Some(targets) = self.routes.get(&kind).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let notice = Notice {
            id: new_id()?,
            occurred_at: Utc::now(),
            base_url: self.settings.base_url.clone(),
            event,
        };
        let plain = zeroize::Zeroizing::new(
            serde_json::to_vec(&notice).map_err(|e| HallError::Corrupt(e.to_string()))?,
        );
        Ok(Some(NewNotice {
            sealed: secrets.seal(&notice.id, &plain)?,
            id: notice.id,
            kind,
            created_at: notice.occurred_at,
            targets: targets.clone(),
        }))
    }
}

/// Stores a help request or complaint and, when a notifier wants it, its notice in the same
/// transaction (replays enqueue nothing). The handlers' one call.
pub async fn create_ticket(
    state: &AppState,
    ticket: NewTicket,
    kiosk: &Principal,
) -> Result<Written<TicketRecord>, HallError> {
    let Some(notices) = state.notices.get() else {
        return state.store.create_ticket(ticket).await;
    };
    let data = events::TicketEvent {
        ticket_id: ticket.id.clone(),
        reference: ticket.reference.clone(),
        category: ticket.category.clone(),
        item_name: ticket
            .item_code
            .as_deref()
            .and_then(|c| state.catalog().catalog.item(c).map(|i| i.name.clone())),
        item_code: ticket.item_code.clone(),
        kiosk_id: kiosk.id.clone(),
        location: kiosk.label.clone(),
        received_at: ticket.received_at,
    };
    let event = if ticket.scope.kind == "complaint" {
        Event::ComplaintFiled(data)
    } else {
        Event::HelpRequested(data)
    };
    let draft = notices.draft(&state.secrets, event)?;
    let queued = draft.is_some();
    let written = notices.store.create_ticket_notifying(ticket, draft).await?;
    if queued && matches!(written, Written::Created(_)) {
        notices.wake.notify_one();
    }
    Ok(written)
}

/// Whether the hall passes tickets of this kind (`"help"`, `"complaint"`) on to the on-duty
/// staff: what the kiosk's "已通知值班人员" rests on.
pub fn on_duty_notified(state: &AppState, ticket_kind: &str) -> bool {
    let kind = if ticket_kind == "complaint" {
        EventKind::ComplaintFiled
    } else {
        EventKind::HelpRequested
    };
    state.notices.get().is_some_and(|n| n.wants(kind))
}

/// Records a rating and, for a new 差评 a notifier wants, its notice in the same transaction.
pub async fn rate(
    state: &AppState,
    rating: NewRating,
    app: &ApplicationRecord,
    reasons_zh: Vec<String>,
) -> Result<Rated, HallError> {
    let notices = match state.notices.get() {
        Some(n) if is_bad_level(rating.level) => n,
        _ => return state.store.rate(rating).await,
    };
    let location = state
        .store
        .principal(PrincipalKind::Kiosk, &app.kiosk_id)
        .await?
        .map(|p| p.label)
        .unwrap_or_default();
    let event = Event::BadRating(events::RatingEvent {
        rating_id: rating.id.clone(),
        application_id: app.id.clone(),
        tracking_code: app.tracking_code.clone(),
        subject_code: app.subject_code.clone(),
        subject_name: app.subject_name.clone(),
        level: rating.level,
        reasons: reasons_zh,
        kiosk_id: app.kiosk_id.clone(),
        location,
        rated_at: rating.rated_at,
    });
    let draft = notices.draft(&state.secrets, event)?;
    let queued = draft.is_some();
    let new_id = rating.id.clone();
    let rated = notices.store.rate_notifying(rating, draft).await?;
    if queued && matches!(&rated, Rated::Done(r) if r.id == new_id) {
        notices.wake.notify_one();
    }
    Ok(rated)
}

/// A metric family: name, type, help and how to read it from a target's figures.
type Family = (
    &'static str,
    &'static str,
    &'static str,
    fn(&queue::TargetStats) -> f64,
);

/// Appends the queue's figures to the `/metrics` text (nothing when no notifier is set up):
/// pending deliveries and the age of the oldest per target, those being retried, and the
/// delivered and given-up totals.
pub async fn write_metrics(state: &AppState, out: &mut String) -> Result<(), HallError> {
    let Some(notices) = state.notices.get() else {
        return Ok(());
    };
    let mut by_target: BTreeMap<String, queue::TargetStats> = notices
        .notifiers
        .keys()
        .map(|t| (t.clone(), queue::TargetStats::default()))
        .collect();
    for s in notices.store.queue_stats(Utc::now()).await? {
        by_target.insert(s.target.clone(), s);
    }
    let stats: Vec<queue::TargetStats> = by_target
        .into_iter()
        .map(|(target, s)| queue::TargetStats { target, ..s })
        .collect();
    let families: [Family; 5] = [
        (
            "hall_notify_queue_depth",
            "gauge",
            "Deliveries waiting to be sent, per target.",
            |s| s.pending as f64,
        ),
        (
            "hall_notify_retrying",
            "gauge",
            "Pending deliveries that failed at least once.",
            |s| s.retrying as f64,
        ),
        (
            "hall_notify_oldest_pending_age_seconds",
            "gauge",
            "Age of the oldest pending delivery.",
            |s| s.oldest_pending_age_seconds,
        ),
        (
            "hall_notify_delivered_total",
            "counter",
            "Deliveries that succeeded.",
            |s| s.delivered as f64,
        ),
        (
            "hall_notify_failed_total",
            "counter",
            "Deliveries given up after the last retry or refused for good.",
            |s| s.failed as f64,
        ),
    ];
    for (name, kind, help, value) in families {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for s in &stats {
            let _ = writeln!(out, "{name}{{target=\"{}\"}} {}", s.target, value(s));
        }
    }
    Ok(())
}
