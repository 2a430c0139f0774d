//! The session loop: one task owns the [`Session`]; every event (a touch, a card, a scan, a
//! device change, a hall answer, the clock) goes through [`step`], the effects go to the
//! [`Effects`] executor, and the new state is published for the screen and for `kioskctl session`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hall_api::catalog::Catalog;
use kiosk_config::Config;
use kiosk_drivers::status::{DeviceClass, DeviceStatus};
use tokio::sync::{broadcast, mpsc, watch};

use super::devices::{availability, session_event};
use super::effects::Effects;
use crate::devices::ManagerEvent;
use crate::session::{step, Event, Now, Session, SessionConfig};

/// How many items "most used" (常办事项) lists.
const MOST_USED: usize = 12;

/// The session's settings from the kiosk's configuration, with a fresh instance id.
pub fn session_config(config: &Config) -> SessionConfig {
    let ui = &config.ui;
    let prefix: String = config
        .identity
        .kiosk_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(20)
        .collect();
    let mut random = [0u8; 8];
    if getrandom::fill(&mut random).is_err() {
        // No entropy source: the start time still makes the instance new for this start.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        random = nanos.to_le_bytes();
    }
    let instance = if prefix.is_empty() {
        format!("kiosk-{}", hex::encode(random))
    } else {
        format!("{prefix}-{}", hex::encode(random))
    };
    SessionConfig {
        idle_timeout: Duration::from_secs(u64::from(ui.idle_timeout_secs)),
        countdown: Duration::from_secs(u64::from(ui.countdown_secs)),
        farewell: Duration::from_secs(8),
        language: ui.language,
        elder_mode_offered: ui.elder_mode,
        reach_mode: ui.reach_mode,
        instance,
        progress_url: config.hall.progress_url(),
        hall_name: config.identity.hall_name.clone(),
    }
}

/// The clock the session is told: monotonic since start, wall time, the local date.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start: Instant,
    /// How much faster than real time the session's timeouts run (1 normally; the soak
    /// test runs citizens at accelerated time).
    pub scale: u32,
}

impl Clock {
    /// A clock starting now.
    pub fn new(scale: u32) -> Clock {
        Clock {
            start: Instant::now(),
            scale: scale.max(1),
        }
    }

    /// Now.
    pub fn now(&self) -> Now {
        let utc = chrono::Utc::now();
        Now {
            mono: self.start.elapsed() * self.scale,
            utc,
            today: local_time(utc).date_naive(),
        }
    }
}

/// The kiosk's local time: China Standard Time (UTC+8, no daylight saving), the one time zone
/// of every hall, as the hall itself keeps it. Not the system's zone, which on an image can
/// be anything (UTC by default), so a receipt never shows a time eight hours off.
pub use vocab::time::local as local_time;

/// "Most used" from a catalog: items a citizen can complete here first, in catalog order.
pub fn most_used(catalog: &Catalog) -> Vec<String> {
    let mut items: Vec<_> = catalog.items.iter().collect();
    items.sort_by_key(|i| !i.kiosk_completable);
    items
        .into_iter()
        .take(MOST_USED)
        .map(|i| i.code.clone())
        .collect()
}

/// Where the loop's events come from.
#[derive(Debug)]
pub struct Inputs {
    /// Touches from the screen, and effect answers.
    pub events: mpsc::UnboundedReceiver<Event>,
    /// Touches whose sender waits for the result (`kioskctl session press`).
    pub presses: mpsc::UnboundedReceiver<super::Press>,
    /// The catalog in use.
    pub catalog: watch::Receiver<Option<Arc<Catalog>>>,
    /// The devices' snapshot.
    pub devices: watch::Receiver<Vec<DeviceStatus>>,
    /// The device manager's events (cards, scans), if devices run.
    pub device_events: Option<broadcast::Receiver<ManagerEvent>>,
    /// Set at shutdown.
    pub shutdown: watch::Receiver<bool>,
}

/// Runs the session until shutdown.
pub async fn run(
    mut session: Session,
    clock: Clock,
    mut inputs: Inputs,
    executor: impl Effects,
    published: watch::Sender<Arc<Session>>,
) {
    let mut told: Vec<(DeviceClass, bool)> = Vec::new();
    let mut feed = |session: &mut Session, event: Event| {
        if tracing::enabled!(tracing::Level::TRACE) && !matches!(event, Event::Tick(_)) {
            // The variant's name only: no field of an input reaches the log.
            let text = format!("{event:?}");
            let name = text.split(['(', ' ', '{']).next().unwrap_or_default();
            tracing::trace!(event = name, screen = ?session.screen.name(), "session event");
        }
        let (next, effects) = step(session, event);
        *session = next;
        for effect in effects {
            executor.run(effect);
        }
    };
    // What is known at start.
    if let Some(catalog) = inputs.catalog.borrow_and_update().clone() {
        let most_used = most_used(&catalog);
        feed(&mut session, Event::CatalogLoaded { catalog, most_used });
    }
    let snapshot = inputs.devices.borrow_and_update().clone();
    tell_devices(&mut session, &mut told, &snapshot, &mut feed);
    published.send_replace(Arc::new(session.clone()));

    let mut tick = tokio::time::interval(Duration::from_millis(1000 / u64::from(clock.scale)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        let mut ack = None;
        let event = tokio::select! {
            _ = tick.tick() => Some(Event::Tick(clock.now())),
            Some(event) = inputs.events.recv() => Some(event),
            Some((input, done)) = inputs.presses.recv() => {
                ack = Some(done);
                Some(Event::Ui(input))
            }
            changed = inputs.catalog.changed() => {
                if changed.is_err() { std::future::pending::<()>().await; }
                inputs.catalog.borrow_and_update().clone().map(|catalog| {
                    let most_used = most_used(&catalog);
                    Event::CatalogLoaded { catalog, most_used }
                })
            }
            changed = inputs.devices.changed() => {
                if changed.is_err() { std::future::pending::<()>().await; }
                let snapshot = inputs.devices.borrow_and_update().clone();
                tell_devices(&mut session, &mut told, &snapshot, &mut feed);
                None
            }
            received = recv_device(&mut inputs.device_events) => received,
            _ = inputs.shutdown.changed() => break,
        };
        if let Some(event) = event {
            if !matches!(event, Event::Tick(_)) {
                // Stamp the input with the right time.
                feed(&mut session, Event::Tick(clock.now()));
            }
            feed(&mut session, event);
        }
        published.send_if_modified(|current| {
            let changed = !same_view(current, &session);
            if changed {
                *current = Arc::new(session.clone());
            }
            changed
        });
        if let Some(done) = ack {
            let _ = done.send(published.borrow().clone());
        }
    }
}

/// Whether two states look the same on screen (the clock alone does not count, except
/// while the countdown shows seconds).
fn same_view(a: &Session, b: &Session) -> bool {
    a.screen == b.screen
        && a.notice == b.notice
        && a.devices == b.devices
        && a.language == b.language
        && a.elder_mode == b.elder_mode
        && a.voice == b.voice
        && a.reach == b.reach
        && a.help_called == b.help_called
        && a.help_ack == b.help_ack
        && a.citizen == b.citizen
        && a.transaction == b.transaction
        && a.catalog.as_ref().map(|c| &c.version) == b.catalog.as_ref().map(|c| &c.version)
        && a.countdown_remaining().map(|d| d.as_secs())
            == b.countdown_remaining().map(|d| d.as_secs())
}

fn tell_devices(
    session: &mut Session,
    told: &mut Vec<(DeviceClass, bool)>,
    snapshot: &[DeviceStatus],
    feed: &mut impl FnMut(&mut Session, Event),
) {
    for (class, available) in availability(snapshot) {
        if told.contains(&(class, available)) {
            continue;
        }
        told.retain(|(c, _)| *c != class);
        told.push((class, available));
        tracing::info!(
            device = class.label(),
            available,
            "device availability for citizens"
        );
        feed(
            session,
            Event::DeviceChanged {
                device: class,
                available,
            },
        );
    }
}

async fn recv_device(rx: &mut Option<broadcast::Receiver<ManagerEvent>>) -> Option<Event> {
    let Some(receiver) = rx else {
        return std::future::pending().await;
    };
    loop {
        match receiver.recv().await {
            Ok(event) => {
                if let Some(e) = session_event(&event) {
                    return Some(e);
                }
            }
            Err(broadcast::error::RecvError::Lagged(n)) => {
                tracing::warn!(missed = n, "the session fell behind the device events");
            }
            Err(broadcast::error::RecvError::Closed) => {
                *rx = None;
                return std::future::pending().await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kiosks_date_is_chinas_whatever_the_systems_zone() {
        let utc = chrono::DateTime::parse_from_rfc3339("2026-11-26T16:03:00Z")
            .expect("a time")
            .with_timezone(&chrono::Utc);
        let local = local_time(utc);
        assert_eq!(
            local.format("%Y-%m-%d %H:%M").to_string(),
            "2026-11-27 00:03"
        );
        assert_eq!(
            local.date_naive(),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 27).expect("a date")
        );
    }
}
