//! The kiosk's screen: the Slint UI ([`kiosk_ui`]) driven by the citizen session.
//!
//! - [`screen`]: one module per screen (`ui/ui/views/*.slint`): its view model from the
//!   session (pure) and its callbacks; [`map`]: what they share.
//! - `frontend`: the screen attached to a session: callbacks → session inputs; new states →
//!   drawn (only what changed); the header, the keyboard (`keyboard`), the technician's PIN
//!   pad and maintenance screen ([`technician`], [`pin_lockout`]).
//! - [`unconfigured`]: the out-of-service screen while the configuration does not load.
//! - [`stage`] and [`shots`]: the same frontend on a rehearsal session (stub hall, simulated
//!   card) for `kioskctl screenshots`, `kioskctl preview`, the UI tests and benchmarks.
//!
//! Two ways to show it: in a window (the platform Slint was built with: `linuxkms` on the
//! kiosk image, `winit` on a desktop), or offscreen (the software renderer into memory, no
//! display: servers, CI, and `kioskctl session screenshot`). Either way the service tells
//! systemd READY only once the first frame is drawn.

mod frontend;
mod keyboard;
pub mod map;
pub mod pin_lockout;
pub mod preview;
pub mod screen;
pub mod shots;
pub mod stage;
pub mod technician;
pub mod unconfigured;

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

use kiosk_config::Config;
use kiosk_drivers::status::DeviceStatus;
use kiosk_ui::generated as ui;
use kiosk_ui::headless::Frame;
use kiosk_ui::screen::shell::set_landscape;
use kiosk_ui::touch::{self, Target};
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::{ComponentHandle, PhysicalSize, Timer, TimerMode};
use tokio::sync::{oneshot, watch};

use crate::citizen::SessionHandle;
use crate::service::notify;
use frontend::{Frontend, Local};
use technician::{SelftestRunner, Technician};

/// Why the screen could not be shown, or a screenshot not saved.
#[derive(Debug, thiserror::Error)]
pub enum ScreenError {
    /// The offscreen platform or a frame's PNG failed (the UI crate says which).
    #[error(transparent)]
    Ui(#[from] kiosk_ui::UiError),
    /// Slint could not build the screen's component (fonts, platform).
    #[error("cannot build the kiosk screen: {0}")]
    Build(#[source] slint::PlatformError),
    /// The window could not be shown.
    #[error("cannot show the kiosk window: {0}")]
    Show(#[source] slint::PlatformError),
    /// The window's event loop stopped with an error.
    #[error("the kiosk window failed: {0}")]
    EventLoop(#[source] slint::PlatformError),
    /// The window's pixels could not be read back for a screenshot.
    #[error("cannot read the window's pixels: {0}")]
    Snapshot(#[source] slint::PlatformError),
}

/// What the admin socket asks of the screen; answered on the UI thread, after the session's
/// newest state is drawn.
#[derive(Debug)]
pub enum ScreenRequest {
    /// Save what the screen shows as PNG.
    Screenshot(PathBuf, oneshot::Sender<Result<(), ScreenError>>),
    /// What is touchable now, and where (physical pixels).
    Targets(oneshot::Sender<Vec<Target>>),
    /// A finger down and up at a physical pixel, hit-tested as a real touch.
    Tap {
        /// Pixels from the left edge.
        x: i32,
        /// Pixels from the top edge.
        y: i32,
        /// Answered once the tap is dispatched.
        answer: oneshot::Sender<()>,
    },
}

impl ScreenRequest {
    /// Answers a request that needs no pixels; hands a screenshot back to the caller, which
    /// knows how to read its frame.
    fn answer(
        self,
        app: &ui::AppWindow,
    ) -> Option<(PathBuf, oneshot::Sender<Result<(), ScreenError>>)> {
        match self {
            ScreenRequest::Screenshot(path, answer) => return Some((path, answer)),
            ScreenRequest::Targets(answer) => {
                let _ = answer.send(touch::targets(app));
            }
            ScreenRequest::Tap { x, y, answer } => {
                tracing::info!(x, y, "tap from the admin socket");
                touch::tap(app, x, y);
                let _ = answer.send(());
            }
        }
        None
    }
}

/// How the screen is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A window of the platform Slint was built with.
    Window,
    /// The software renderer into memory, no display.
    Offscreen,
}

/// What the screen needs from the service.
pub struct Link {
    /// The session.
    pub session: SessionHandle,
    /// The devices' snapshot (maintenance screen).
    pub devices: watch::Receiver<Vec<DeviceStatus>>,
    /// Set when the service stops.
    pub shutdown: watch::Receiver<bool>,
    /// Screenshots, touch targets and taps asked for on the admin socket.
    pub requests: std::sync::mpsc::Receiver<ScreenRequest>,
    /// Runs a device self-test for the maintenance screen.
    pub selftest: Option<SelftestRunner>,
    /// The document camera, for the camera screen's live preview (none: not fitted).
    pub camera: Option<crate::devices::CameraHandle>,
    /// When the process started (for the first-frame figure).
    pub started: Instant,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link").finish_non_exhaustive()
    }
}

fn config_summary(config: &Config) -> Vec<(String, String)> {
    vec![
        ("终端编号".into(), config.identity.kiosk_id.clone()),
        ("位置".into(), config.identity.location.clone()),
        ("政务服务后台".into(), config.hall.base_url.clone()),
        (
            "身份证阅读器".into(),
            config.devices.idcard.device.to_string(),
        ),
        (
            "凭条打印机".into(),
            config.devices.printer.device.to_string(),
        ),
        ("扫码器".into(), config.devices.scanner.device.to_string()),
        ("固件版本".into(), env!("CARGO_PKG_VERSION").into()),
    ]
}

/// Attaches the screen `app` to the session: callbacks wired, the state drawn. The PIN pad's
/// lockout is kept in `lockout` (none: in memory only).
#[allow(clippy::too_many_arguments)]
fn attach(
    config: &Config,
    session: SessionHandle,
    devices: watch::Receiver<Vec<DeviceStatus>>,
    selftest: Option<SelftestRunner>,
    lockout: Option<PathBuf>,
    camera: Option<crate::devices::CameraHandle>,
    app: ui::AppWindow,
) -> (Rc<Frontend>, Vec<Timer>) {
    let view = session.watch();
    let current = view.borrow().clone();
    let f = Rc::new(Frontend {
        app,
        session,
        view: RefCell::new(view),
        current: RefCell::new(current),
        local: RefCell::new(Local::default()),
        preview: RefCell::new(preview::LivePreview::new(camera)),
        tech: RefCell::new(Technician::new(
            config.ui.maintenance_pin_hash.as_deref(),
            lockout,
            config_summary(config),
            selftest,
        )),
        devices,
        hall_name: config.identity.hall_name.clone(),
        hotline: config
            .identity
            .hotline
            .hall
            .clone()
            .unwrap_or_else(|| config.identity.hotline.government.clone()),
        clock: std::time::SystemTime::now,
    });
    set_landscape(&f.app, config.ui.width > config.ui.height);
    f.redraw();
    let timers = frontend::connect(&f);
    (f, timers)
}

/// Shows the screen until the service stops. Runs on the main thread.
pub fn run(config: &Config, link: Link, mode: Mode) -> Result<(), ScreenError> {
    match mode {
        Mode::Window => match ui::AppWindow::new() {
            Ok(app) => run_window(config, link, app),
            Err(err) => {
                tracing::error!(
                    %err,
                    "cannot open the kiosk window (is a display attached, and was the kiosk built with the `linuxkms` or `winit` feature?); drawing offscreen instead"
                );
                run_offscreen(config, link)
            }
        },
        Mode::Offscreen => run_offscreen(config, link),
    }
}

fn first_frame(started: Instant) {
    tracing::info!(
        ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        "first frame drawn"
    );
    notify::notify("READY=1");
}

fn run_window(config: &Config, link: Link, app: ui::AppWindow) -> Result<(), ScreenError> {
    let Link {
        session,
        devices,
        mut shutdown,
        requests,
        selftest,
        camera,
        started,
    } = link;
    let lockout = Some(pin_lockout::file_beside(&config.outbox.db_path));
    let (f, _timers) = attach(config, session, devices, selftest, lockout, camera, app);
    let service_timer = Timer::default();
    let weak = f.app.as_weak();
    let frontend = Rc::downgrade(&f);
    let mut ready = false;
    service_timer.start(TimerMode::Repeated, Duration::from_millis(100), move || {
        if !ready {
            ready = true;
            first_frame(started);
        }
        while let Ok(request) = requests.try_recv() {
            if let Some(f) = frontend.upgrade() {
                f.poll();
            }
            let Some(app) = weak.upgrade() else { break };
            let Some((path, answer)) = request.answer(&app) else {
                continue;
            };
            let result = app
                .window()
                .take_snapshot()
                .map_err(ScreenError::Snapshot)
                .and_then(|buf| {
                    let frame = Frame {
                        width: buf.width(),
                        height: buf.height(),
                        pixels: buf
                            .as_slice()
                            .iter()
                            .map(|p| slint::Rgb8Pixel::new(p.r, p.g, p.b))
                            .collect(),
                    };
                    frame.save_png(&path).map_err(ScreenError::from)
                });
            let _ = answer.send(result);
        }
        if *shutdown.borrow_and_update() {
            let _ = slint::quit_event_loop();
        }
    });
    f.app.show().map_err(ScreenError::Show)?;
    slint::run_event_loop().map_err(ScreenError::EventLoop)?;
    Ok(())
}

/// The offscreen window: `kiosk_ui::headless`'s, of `size`, repainting only what changed.
fn offscreen_window(size: PhysicalSize) -> Result<Rc<MinimalSoftwareWindow>, ScreenError> {
    let window = kiosk_ui::headless::window_with(RepaintBufferType::ReusedBuffer)?;
    window.set_size(size);
    Ok(window)
}

/// The offscreen window and its last frame.
struct Canvas {
    window: Rc<MinimalSoftwareWindow>,
    frame: Frame,
}

impl Canvas {
    /// Runs timers and animations, and draws what changed.
    fn draw(&mut self) {
        kiosk_ui::headless::draw_if_needed(&self.window, &mut self.frame);
    }
}

/// Draws offscreen until `stop()`; says the first frame is drawn after the first draw; calls
/// `between` after each draw; waits for the next timer, `tick` at most.
fn offscreen_loop(
    window: Rc<MinimalSoftwareWindow>,
    size: PhysicalSize,
    tick: Duration,
    started: Instant,
    mut stop: impl FnMut() -> bool,
    mut between: impl FnMut(&mut Canvas),
) {
    let mut frame = Canvas {
        window,
        frame: Frame::blank(size),
    };
    let mut ready = false;
    while !stop() {
        frame.draw();
        if !ready {
            ready = true;
            first_frame(started);
        }
        between(&mut frame);
        let wait = slint::platform::duration_until_next_timer_update()
            .unwrap_or(tick)
            .min(tick);
        std::thread::sleep(wait);
    }
}

fn run_offscreen(config: &Config, link: Link) -> Result<(), ScreenError> {
    let size = PhysicalSize::new(config.ui.width, config.ui.height);
    let window = offscreen_window(size)?;
    let app = ui::AppWindow::new().map_err(ScreenError::Build)?;
    let Link {
        session,
        devices,
        shutdown,
        requests,
        selftest,
        camera,
        started,
    } = link;
    let lockout = Some(pin_lockout::file_beside(&config.outbox.db_path));
    let (f, _timers) = attach(config, session, devices, selftest, lockout, camera, app);
    f.app.show().map_err(ScreenError::Show)?;
    offscreen_loop(
        window,
        size,
        Duration::from_millis(40),
        started,
        || *shutdown.borrow(),
        |frame| {
            while let Ok(request) = requests.try_recv() {
                // The state the session reached by now, drawn, not the frame of 40 ms ago.
                f.poll();
                let Some((path, answer)) = request.answer(&f.app) else {
                    continue;
                };
                frame.draw();
                let _ = answer.send(frame.frame.save_png(&path).map_err(ScreenError::from));
            }
        },
    );
    Ok(())
}

#[cfg(test)]
mod tests;
