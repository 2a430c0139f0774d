//! Where every device thread reports: the one snapshot of all devices (a `watch`, latest
//! wins, never lost) and the stream of change and citizen events (a `broadcast`). Each
//! device has its own event budgets, so one that floods (a scanner in continuous mode, a
//! flapping cable) loses its own surplus events — counted — and never crowds out the
//! others'. Status events and citizen events have a budget each: a flapping status costs
//! nothing but status events (the snapshot holds the latest anyway). The card reader's
//! transitions (read, unreadable, removed) are never dropped: the runner yields at most one
//! per poll, and losing one would leave the session wrong about the card on the reader.
//! Publishing never blocks: a device thread cannot stall on a slow subscriber.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use kiosk_drivers::status::{DeviceClass, DeviceStatus, HealthCheck};
use tokio::sync::{broadcast, watch};

use super::event::ManagerEvent;

/// One slot per device class.
const DEVICES: usize = DeviceClass::ALL.len();
/// Events a subscriber may fall behind by before it loses the oldest.
const EVENT_CAPACITY: usize = 1024;
/// Per-device budget: a burst of this many events …
const BUDGET_BURST: f64 = 64.0;
/// … refilled at this many per second.
const BUDGET_PER_SECOND: f64 = 32.0;

fn index(class: DeviceClass) -> usize {
    match class {
        DeviceClass::IdCardReader => 0,
        DeviceClass::ReceiptPrinter => 1,
        DeviceClass::Scanner => 2,
        DeviceClass::Audio => 3,
        DeviceClass::Camera => 4,
        DeviceClass::A4Printer => 5,
    }
}

/// A token bucket per device, and what it dropped.
#[derive(Debug, Clone, Copy)]
struct Budget {
    tokens: f64,
    refilled: Instant,
    dropped: u64,
}

impl Budget {
    fn new() -> Self {
        Budget {
            tokens: BUDGET_BURST,
            refilled: Instant::now(),
            dropped: 0,
        }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        let earned = now.duration_since(self.refilled).as_secs_f64() * BUDGET_PER_SECOND;
        self.tokens = (self.tokens + earned).min(BUDGET_BURST);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            self.dropped += 1;
            false
        }
    }
}

#[derive(Debug)]
struct Inner {
    statuses: [DeviceStatus; DEVICES],
    budgets: [Budget; DEVICES],
    /// Status events' own budget per device.
    status_budgets: [Budget; DEVICES],
    /// Restarts of a device's runner or worker thread (a panic, a dead thread), added to
    /// the device's own reconnect counter in every snapshot.
    restarts: [u64; DEVICES],
}

/// The shared publishing point; cheap to clone into each device thread.
#[derive(Debug, Clone)]
pub(crate) struct Hub {
    inner: Arc<Mutex<Inner>>,
    events: broadcast::Sender<ManagerEvent>,
    snapshot: watch::Sender<Vec<DeviceStatus>>,
}

impl Hub {
    /// A hub whose devices start with these statuses (one per class, in `DeviceClass::ALL`
    /// order).
    pub(crate) fn new(initial: [DeviceStatus; DEVICES]) -> Hub {
        let (events, _) = broadcast::channel(EVENT_CAPACITY);
        let (snapshot, _) = watch::channel(initial.to_vec());
        Hub {
            inner: Arc::new(Mutex::new(Inner {
                statuses: initial,
                budgets: [Budget::new(); DEVICES],
                status_budgets: [Budget::new(); DEVICES],
                restarts: [0; DEVICES],
            })),
            events,
            snapshot,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A driver reported a new status. The manager's own fields (last health check, thread
    /// restarts) are kept; a status equal to the current one publishes nothing.
    pub(crate) fn status(&self, mut status: DeviceStatus) {
        let i = index(status.class);
        let changed = {
            let mut inner = self.lock();
            let current = &inner.statuses[i];
            if status.last_health_check.is_none() {
                status.last_health_check = current.last_health_check.clone();
            }
            status.counters.reconnects += inner.restarts[i];
            if *current == status {
                return;
            }
            inner.statuses[i] = status.clone();
            self.snapshot.send_replace(inner.statuses.to_vec());
            inner.status_budgets[i].take()
        };
        if changed {
            let _ = self.events.send(ManagerEvent::Status(status));
        }
    }

    /// Changes a device's status in place (health-check results, manager-side states).
    pub(crate) fn update(&self, class: DeviceClass, change: impl FnOnce(&mut DeviceStatus)) {
        let i = index(class);
        let mut inner = self.lock();
        // One lock for read, change and write: a driver's status arriving meanwhile is
        // neither lost nor overwritten with stale fields.
        let mut status = inner.statuses[i].clone();
        change(&mut status);
        if inner.statuses[i] == status {
            return;
        }
        inner.statuses[i] = status.clone();
        self.snapshot.send_replace(inner.statuses.to_vec());
        let allowed = inner.status_budgets[i].take();
        drop(inner);
        if allowed {
            let _ = self.events.send(ManagerEvent::Status(status));
        }
    }

    /// Records a health check's result in the device's status and publishes it.
    pub(crate) fn health_check(&self, class: DeviceClass, check: HealthCheck) {
        self.update(class, |s| s.last_health_check = Some(check));
    }

    /// A device's runner thread died and was started again.
    pub(crate) fn restarted(&self, class: DeviceClass) {
        let i = index(class);
        let mut inner = self.lock();
        inner.restarts[i] += 1;
        inner.statuses[i].counters.reconnects += 1;
        self.snapshot.send_replace(inner.statuses.to_vec());
    }

    /// How often `class`'s runner thread was started again.
    pub(crate) fn restarts(&self, class: DeviceClass) -> u64 {
        self.lock().restarts[index(class)]
    }

    /// A citizen-facing event from `class` (card read, code scanned, …). Counted against
    /// the device's budget: a flood loses its own surplus, never another device's events.
    pub(crate) fn event(&self, class: DeviceClass, event: ManagerEvent) {
        if !event.is_card_transition() {
            let mut inner = self.lock();
            let budget = &mut inner.budgets[index(class)];
            if !budget.take() {
                // Said at the 1st, 2nd, 4th, 8th … drop: a flood does not flood the log.
                if budget.dropped.is_power_of_two() {
                    tracing::warn!(
                        device = class.label(),
                        dropped = budget.dropped,
                        "a device sends more events than the kiosk takes; the surplus is dropped"
                    );
                }
                return;
            }
        }
        let _ = self.events.send(event);
    }

    /// The current status of one device.
    pub(crate) fn get(&self, class: DeviceClass) -> DeviceStatus {
        self.lock().statuses[index(class)].clone()
    }

    /// The current status of every device.
    pub(crate) fn snapshot(&self) -> Vec<DeviceStatus> {
        self.lock().statuses.to_vec()
    }

    /// A new subscriber to the events, from now on.
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<ManagerEvent> {
        self.events.subscribe()
    }

    /// A receiver of the snapshot, which always holds the latest.
    pub(crate) fn watch(&self) -> watch::Receiver<Vec<DeviceStatus>> {
        self.snapshot.subscribe()
    }

    /// Events of `class` dropped because the device exceeded its budget.
    pub(crate) fn dropped(&self, class: DeviceClass) -> u64 {
        self.lock().budgets[index(class)].dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_drivers::status::DeviceState;

    fn hub() -> Hub {
        Hub::new(DeviceClass::ALL.map(|c| DeviceStatus::new(c, "test")))
    }

    #[test]
    fn a_flooding_device_loses_its_own_surplus_and_not_the_others_events() {
        let hub = hub();
        let mut rx = hub.subscribe();
        for _ in 0..1000 {
            hub.event(DeviceClass::Scanner, ManagerEvent::CardPlaced);
        }
        let mut reader = DeviceStatus::new(DeviceClass::IdCardReader, "test");
        reader.state = DeviceState::Online;
        hub.status(reader.clone());
        assert!(hub.dropped(DeviceClass::Scanner) >= 1000 - BUDGET_BURST as u64 - 32);
        assert_eq!(hub.dropped(DeviceClass::IdCardReader), 0);
        let mut last = None;
        while let Ok(e) = rx.try_recv() {
            last = Some(e);
        }
        assert!(matches!(last, Some(ManagerEvent::Status(s)) if s == reader));
    }

    #[test]
    fn a_card_read_gets_through_a_reader_whose_budgets_are_spent() {
        let hub = hub();
        let mut rx = hub.subscribe();
        let mut status = DeviceStatus::new(DeviceClass::IdCardReader, "test");
        for n in 0..500 {
            status.state = if n % 2 == 0 {
                DeviceState::Online
            } else {
                DeviceState::Busy
            };
            hub.status(status.clone());
            hub.event(DeviceClass::IdCardReader, ManagerEvent::CardPlaced);
        }
        assert!(
            hub.dropped(DeviceClass::IdCardReader) > 400,
            "placed events dropped"
        );
        let (card, _) =
            kiosk_drivers::idcard::sim::sample_card("resident-zhang-san").expect("bundled sample");
        hub.event(
            DeviceClass::IdCardReader,
            ManagerEvent::CardRead(Arc::new(card)),
        );
        hub.event(DeviceClass::IdCardReader, ManagerEvent::CardRemoved);
        let mut seen = Vec::new();
        loop {
            match rx.try_recv() {
                Ok(ManagerEvent::CardRead(_)) => seen.push("read"),
                Ok(ManagerEvent::CardRemoved) => seen.push("removed"),
                Ok(_) => {}
                Err(broadcast::error::TryRecvError::Lagged(_)) => {}
                Err(_) => break,
            }
        }
        assert_eq!(seen, ["read", "removed"]);
    }

    #[test]
    fn a_driver_status_keeps_the_last_health_check_and_repeats_publish_nothing() {
        let hub = hub();
        let check = HealthCheck {
            level: kiosk_drivers::status::HealthCheckLevel::Internal,
            passed: true,
            text: "ok".into(),
            at: std::time::SystemTime::now(),
        };
        hub.health_check(DeviceClass::ReceiptPrinter, check.clone());
        let mut rx = hub.subscribe();
        let mut s = DeviceStatus::new(DeviceClass::ReceiptPrinter, "test");
        s.state = DeviceState::Online;
        hub.status(s.clone());
        hub.status(s);
        let got = hub.get(DeviceClass::ReceiptPrinter);
        assert_eq!(got.last_health_check, Some(check));
        assert!(rx.try_recv().is_ok());
        assert!(
            rx.try_recv().is_err(),
            "an unchanged status is not published twice"
        );
    }
}
