//! The kiosk's real screen on a rehearsal: the same [`Frontend`](super::frontend) the service
//! attaches to its session, attached here to a [`Rehearsal`] (the real session machine with
//! the stub hall and the simulator's cards). Touches on the screen go to the session; each new
//! state is drawn. `kioskctl screenshots`, `kioskctl preview`, the UI tests and the redraw
//! benchmark use it.

use std::rc::Rc;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use kiosk_config::Config;
use kiosk_drivers::status::{DeviceClass, DeviceState, DeviceStatus};
use kiosk_ui::generated as ui;
use kiosk_ui::headless::{self, Frame};
use kiosk_ui::screen::shell::{current_screen, set_landscape, ScreenId};
use kiosk_ui::touch::{self, Target};
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::{ComponentHandle, PhysicalSize, Timer};
use tokio::sync::{mpsc, watch};

use super::frontend::{Frontend, Local};
use crate::citizen::rehearsal::{Rehearsal, RehearsalError};
use crate::citizen::{Press, SessionHandle};
use crate::devices::CameraHandle;
use crate::session::{Event, Session, UiInput};

/// Why the stage cannot be set up or cannot do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// The rehearsal cannot start or read a card.
    #[error(transparent)]
    Rehearsal(#[from] RehearsalError),
    /// Slint cannot make the window.
    #[error("cannot set up the screen: {0}")]
    Ui(String),
    /// Nothing with this label can be touched now.
    #[error("nothing labelled {label:?} to touch on the {screen:?} screen; touchable: {labels:?}")]
    NoTarget {
        /// What was looked for.
        label: String,
        /// The screen shown.
        screen: ScreenId,
        /// What there is.
        labels: Vec<String>,
    },
}

/// The screen and its rehearsal session.
pub struct Stage {
    rehearsal: Rehearsal,
    config: Config,
    start: DateTime<Utc>,
    frontend: Rc<Frontend>,
    _timers: Vec<Timer>,
    published: watch::Sender<Arc<Session>>,
    events: mpsc::UnboundedReceiver<Event>,
    presses: mpsc::UnboundedReceiver<Press>,
    window: Option<Rc<MinimalSoftwareWindow>>,
    size: PhysicalSize,
}

impl std::fmt::Debug for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stage")
            .field("screen", &self.screen())
            .finish_non_exhaustive()
    }
}

impl Stage {
    /// A stage drawn offscreen with the software renderer at the configured size, its clock at
    /// `start`. Installs the headless platform on this thread.
    pub fn offscreen(config: &Config, start: DateTime<Utc>) -> Result<Stage, StageError> {
        Stage::offscreen_with_camera(config, start, None)
    }

    /// As [`Stage::offscreen`], with a document camera for the camera screen's live preview
    /// (the rehearsal's stub still answers the pages themselves).
    pub fn offscreen_with_camera(
        config: &Config,
        start: DateTime<Utc>,
        camera: Option<CameraHandle>,
    ) -> Result<Stage, StageError> {
        let window = headless::window_with(RepaintBufferType::NewBuffer)
            .map_err(|e| StageError::Ui(e.to_string()))?;
        Stage::build(config, start, Some(window), camera)
    }

    /// A stage in a window of the platform Slint was built with (`kioskctl preview`), with
    /// the simulated document camera.
    pub fn windowed(config: &Config, start: DateTime<Utc>) -> Result<Stage, StageError> {
        Stage::build(config, start, None, Some(CameraHandle::sample()))
    }

    fn build(
        config: &Config,
        start: DateTime<Utc>,
        window: Option<Rc<MinimalSoftwareWindow>>,
        camera: Option<CameraHandle>,
    ) -> Result<Stage, StageError> {
        let size = PhysicalSize::new(config.ui.width, config.ui.height);
        if let Some(w) = &window {
            w.set_size(size);
        }
        let rehearsal = Rehearsal::new(config, start)?;
        let (events_tx, events) = mpsc::unbounded_channel();
        let (presses_tx, presses) = mpsc::unbounded_channel();
        let (published, view) = watch::channel(Arc::new(rehearsal.session().clone()));
        let handle = SessionHandle::new(events_tx, presses_tx, view);
        // The devices' snapshot of the maintenance screen: the simulators, all online.
        let snapshot = [
            DeviceClass::IdCardReader,
            DeviceClass::ReceiptPrinter,
            DeviceClass::Scanner,
        ]
        .into_iter()
        .map(|class| {
            let mut status = DeviceStatus::new(class, "sim");
            status.state = DeviceState::Online;
            status
        })
        .collect();
        let (_devices_tx, devices) = watch::channel(snapshot);
        let app = ui::AppWindow::new().map_err(|e| StageError::Ui(e.to_string()))?;
        let (frontend, timers) = super::attach(config, handle, devices, None, None, camera, app);
        frontend
            .app
            .show()
            .map_err(|e| StageError::Ui(e.to_string()))?;
        Ok(Stage {
            rehearsal,
            config: config.clone(),
            start,
            frontend,
            _timers: timers,
            published,
            events,
            presses,
            window,
            size,
        })
    }

    /// The window.
    pub fn app(&self) -> &ui::AppWindow {
        &self.frontend.app
    }

    /// The session and its stub hall.
    pub fn rehearsal(&mut self) -> &mut Rehearsal {
        &mut self.rehearsal
    }

    /// The session as it stands.
    pub fn session(&self) -> &Session {
        self.rehearsal.session()
    }

    /// The screen shown (the session's, or the technician's PIN pad and maintenance screen).
    pub fn screen(&self) -> ScreenId {
        current_screen(&self.frontend.app)
    }

    /// Starts again from home with a new session (the same window, everything redrawn).
    pub fn restart(&mut self) -> Result<(), StageError> {
        self.rehearsal = Rehearsal::new(&self.config, self.start)?;
        *self.frontend.local.borrow_mut() = Local::default();
        self.pump();
        self.frontend.redraw();
        Ok(())
    }

    /// Carries what the screen sent (touches) into the session, publishes the new state and
    /// draws it, until nothing more comes.
    pub fn pump(&mut self) {
        loop {
            let mut moved = false;
            while let Ok(event) = self.events.try_recv() {
                self.rehearsal.ev(event);
                moved = true;
            }
            while let Ok((input, done)) = self.presses.try_recv() {
                self.rehearsal.ui(input);
                let _ = done.send(Arc::new(self.rehearsal.session().clone()));
                moved = true;
            }
            self.published
                .send_replace(Arc::new(self.rehearsal.session().clone()));
            self.frontend.poll();
            if !moved {
                break;
            }
        }
    }

    /// A touch, as the session's input (not through the pixels).
    pub fn ui(&mut self, input: UiInput) {
        self.rehearsal.ui(input);
        self.pump();
    }

    /// An event from outside the screen (a device, the clock).
    pub fn ev(&mut self, event: Event) {
        self.rehearsal.ev(event);
        self.pump();
    }

    /// Lets `secs` seconds pass on the session's clock.
    pub fn wait(&mut self, secs: u64) {
        self.rehearsal.wait(secs);
        self.pump();
    }

    /// A sample card of the simulator placed on the reader.
    pub fn read_card(&mut self, sample: &str) -> Result<(), StageError> {
        self.rehearsal.read_card(sample)?;
        self.pump();
        Ok(())
    }

    /// Answers the stub hall held back, now delivered.
    pub fn release(&mut self) {
        self.rehearsal.release();
        self.pump();
    }

    /// What can be touched now, and where (physical pixels).
    pub fn targets(&self) -> Vec<Target> {
        touch::targets(&self.frontend.app)
    }

    /// A finger down and up on the enabled control labelled `label`, hit-tested at its centre
    /// as a real touch; then the session moves.
    pub fn tap(&mut self, label: &str) -> Result<(), StageError> {
        let targets = self.targets();
        let Some(target) = touch::find(&targets, label) else {
            return Err(StageError::NoTarget {
                label: label.to_owned(),
                screen: self.screen(),
                labels: targets.into_iter().map(|t| t.label).collect(),
            });
        };
        let (x, y) = target.center();
        touch::tap(&self.frontend.app, x, y);
        self.pump();
        Ok(())
    }

    /// The window's size.
    pub fn size(&self) -> PhysicalSize {
        self.size
    }

    /// Changes the window's size (portrait 1080×1920 or landscape 1920×1080).
    pub fn resize(&mut self, size: PhysicalSize) {
        self.size = size;
        if let Some(w) = &self.window {
            w.set_size(size);
        }
        set_landscape(&self.frontend.app, size.width > size.height);
    }

    /// The whole window rendered now (offscreen stages; a windowed one renders black).
    pub fn render(&mut self) -> Frame {
        self.pump();
        match &self.window {
            Some(w) => headless::render(w, self.size),
            None => Frame::blank(self.size),
        }
    }

    /// The offscreen window, for benchmarks that render part of the screen.
    pub fn offscreen_window(&self) -> Option<&Rc<MinimalSoftwareWindow>> {
        self.window.as_ref()
    }

    /// The camera screen's live preview runs (the camera screen is in front).
    pub fn preview_running(&self) -> bool {
        self.frontend.preview.borrow().running()
    }

    /// The preview frame on screen: its number in the stream and when the camera delivered
    /// it (none while the preview is stopped or before its first frame).
    pub fn preview_shown(&self) -> Option<(u64, std::time::Instant)> {
        self.frontend.preview.borrow().shown()
    }

    /// Draws until the preview shows a frame numbered above `after`, for at most `limit`
    /// (the camera streams on its own thread); the frame's number and delivery time.
    pub fn next_preview_frame(
        &mut self,
        after: u64,
        limit: std::time::Duration,
    ) -> Option<(u64, std::time::Instant)> {
        let until = std::time::Instant::now() + limit;
        loop {
            self.pump();
            if let Some(shown) = self.preview_shown().filter(|(seq, _)| *seq > after) {
                return Some(shown);
            }
            if std::time::Instant::now() >= until {
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    /// Opens the technician's PIN pad the way a technician does: five taps on the hall's name.
    pub fn open_pin_pad(&mut self) {
        let shell = self.frontend.app.global::<ui::Shell<'_>>();
        for _ in 0..5 {
            shell.invoke_hidden_tap();
        }
        self.pump();
    }

    /// Lays a notice over the screen (see [`Rehearsal::lay_notice`]).
    pub fn lay_notice(&mut self, notice: crate::session::Notice) {
        self.rehearsal.lay_notice(notice);
        self.pump();
    }

    /// The session's date in the hall's time zone.
    pub fn session_today(&self) -> chrono::NaiveDate {
        self.rehearsal.now().today
    }

    /// Touches the first box of the form's page that opens a keyboard.
    pub fn activate_first_field(&mut self) {
        let form = self.frontend.app.global::<ui::FormAdapter<'_>>();
        for i in 0..20 {
            form.invoke_activate(i);
            if self.frontend.local.borrow().editing.is_some() {
                break;
            }
        }
        self.pump();
    }
}

/// `kioskctl preview`: a stage in a desktop window, the session's clock running in real time,
/// and the simulator's sample card placed two seconds after the card prompt shows. Returns
/// when the window is closed.
pub fn preview_window() -> Result<(), StageError> {
    use std::cell::RefCell;
    use std::time::Duration;

    use slint::TimerMode;

    let config = super::shots::preview_config();
    let stage = Rc::new(RefCell::new(Stage::windowed(&config, Utc::now())?));
    let app = stage.borrow().app().clone_strong();
    let pump = Timer::default();
    let weak = Rc::downgrade(&stage);
    pump.start(TimerMode::Repeated, Duration::from_millis(50), move || {
        if let Some(stage) = weak.upgrade() {
            stage.borrow_mut().pump();
        }
    });
    let clock = Timer::default();
    let weak = Rc::downgrade(&stage);
    let mut on_identify = 0;
    clock.start(TimerMode::Repeated, Duration::from_secs(1), move || {
        let Some(stage) = weak.upgrade() else { return };
        let mut stage = stage.borrow_mut();
        stage.wait(1);
        if stage.session().screen == crate::session::Screen::Identify {
            on_identify += 1;
            if on_identify >= 2 {
                on_identify = 0;
                if let Err(err) = stage.read_card(super::shots::SAMPLE_CARD) {
                    tracing::warn!(%err, "the preview cannot place its sample card");
                }
            }
        } else {
            on_identify = 0;
        }
    });
    app.run().map_err(|e| StageError::Ui(e.to_string()))
}
