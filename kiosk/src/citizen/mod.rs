//! The citizen side of the running kiosk: the pure session machine ([`crate::session`]) fed
//! by the devices, the screen and the hall, and its effects carried out.
//!
//! - [`runner`]: the session loop (one task owns the state; events in, effects out, the
//!   state published on a watch channel for the screen).
//! - [`effects`]: what each effect does (print, outbox and hall, voice, counters).
//! - [`devices`]: an ID card becomes a [`Citizen`](crate::session::Citizen); device status
//!   becomes "usable or not".
//! - [`rehearsal`]: the session with no hall and no devices (stub effects, the simulator's
//!   card), for the preview window, screenshots and UI tests.
//! - [`press`]: touches as words (`kioskctl session press item gongan-001`).
//! - [`summary`]: the state as `kioskctl session show` prints it, masked like the screen.

pub mod a4;
pub mod devices;
pub mod effects;
pub mod press;
pub mod rehearsal;
pub mod runner;
pub mod summary;

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, watch};

use crate::session::{Event, Session, UiInput};
pub use summary::SessionSummary;

/// The session's task has ended (the service is stopping): the input was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the session is not running (the service is stopping)")]
pub struct SessionStopped;

/// What the rest of the service holds of the session: a way to send it touches, and its
/// latest state. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SessionHandle {
    events: mpsc::UnboundedSender<Event>,
    presses: mpsc::UnboundedSender<Press>,
    view: watch::Receiver<Arc<Session>>,
}

/// A touch whose sender waits for the state it led to.
pub type Press = (UiInput, oneshot::Sender<Arc<Session>>);

impl SessionHandle {
    /// A handle over the session loop's channels.
    pub fn new(
        events: mpsc::UnboundedSender<Event>,
        presses: mpsc::UnboundedSender<Press>,
        view: watch::Receiver<Arc<Session>>,
    ) -> SessionHandle {
        SessionHandle {
            events,
            presses,
            view,
        }
    }

    /// Sends a touch and waits until the session has handled it; returns the new state.
    pub async fn press_and_wait(&self, input: UiInput) -> Result<Arc<Session>, SessionStopped> {
        let (tx, rx) = oneshot::channel();
        self.presses.send((input, tx)).map_err(|_| SessionStopped)?;
        rx.await.map_err(|_| SessionStopped)
    }

    /// Sends a touch, as the screen does.
    pub fn press(&self, input: UiInput) -> Result<(), SessionStopped> {
        self.events
            .send(Event::Ui(input))
            .map_err(|_| SessionStopped)
    }

    /// The latest state.
    pub fn current(&self) -> Arc<Session> {
        self.view.borrow().clone()
    }

    /// A receiver that wakes on each change of what the screen shows.
    pub fn watch(&self) -> watch::Receiver<Arc<Session>> {
        self.view.clone()
    }

    /// The state as a technician may see it.
    pub fn summary(&self) -> SessionSummary {
        SessionSummary::of(&self.current())
    }
}
