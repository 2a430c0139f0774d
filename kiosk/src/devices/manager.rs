//! [`DeviceManager::start`]: reads `[devices]`, starts each device on its own thread —
//! real (serial path or USB id) or simulated (`sim`: the project's simulator on a pty in
//! this process, with the real driver on the other end) — and keeps them running.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use kiosk_config::schema::Config;
use kiosk_config::DeviceSelector;
use kiosk_drivers::a4printer::{A4Printer, JobWait};
use kiosk_drivers::idcard::{Pace, RunnerConfig, SerialConnector};
use kiosk_drivers::printer::transport::serial::SerialTransport;
use kiosk_drivers::printer::transport::{usb_rusb, PrinterTransport};
use kiosk_drivers::printer::{PrinterProfile, Timeouts};
use kiosk_drivers::scanner::driver::SerialScannerConfig;
use kiosk_drivers::scanner::Framing;
use kiosk_drivers::status::{DeviceClass, DeviceCounters, DeviceState, DeviceStatus};
use kiosk_drivers::Backoff;
use tokio::sync::{broadcast, watch};

use super::error::DeviceError;
use super::event::ManagerEvent;
use super::hotplug::{self, Hotplug, Watch};
use super::hub::Hub;
use super::idcard::{self, PaceLink, ReaderRequest, UsbSerialConnector};
use super::printer::{self, PrinterHandle};
use super::scanner;
use super::sim::{SimBuilder, SimControl};

/// How the manager runs its devices; the defaults suit a kiosk.
#[derive(Debug, Clone)]
pub struct ManagerOptions {
    /// Where the simulators' pty links live (`idcard`, `printer`, `scanner`); `None`: a
    /// fresh folder under the temporary directory, removed on shutdown.
    pub sim_dir: Option<PathBuf>,
    /// How often the printer is asked for its status while idle.
    pub printer_poll: Duration,
    /// How often the A4 printer is asked for its state (Get-Printer-Attributes).
    pub a4_poll: Duration,
    /// How an A4 job is followed (poll interval, when to call it stalled).
    pub a4_wait: JobWait,
    /// Reconnect delays of the printer worker and of dead runner threads.
    pub backoff: Backoff,
    /// The reader runner's timings (its baud comes from the configuration).
    pub reader: RunnerConfig,
    /// The printer driver's timeouts.
    pub printer_timeouts: Timeouts,
    /// How hot-plug is followed: udev (default), injected events, or backoff polling only.
    pub hotplug: Hotplug,
}

impl Default for ManagerOptions {
    fn default() -> Self {
        ManagerOptions {
            sim_dir: None,
            printer_poll: Duration::from_millis(500),
            a4_poll: Duration::from_secs(5),
            a4_wait: JobWait::default(),
            backoff: Backoff {
                first: Duration::from_millis(100),
                max: Duration::from_secs(5),
            },
            reader: RunnerConfig::default(),
            printer_timeouts: Timeouts::default(),
            hotplug: Hotplug::default(),
        }
    }
}

/// Every device of the kiosk, each on its own thread, behind one snapshot and one event
/// stream. Dropping it stops the devices and the simulators.
#[derive(Debug)]
pub struct DeviceManager {
    pub(crate) hub: Hub,
    pub(crate) printer: PrinterHandle,
    pub(crate) sim: SimControl,
    pub(crate) reader_requests: Option<Sender<ReaderRequest>>,
    reader_pace: Arc<PaceLink>,
    pub(crate) kiosk_id: String,
    pub(crate) hall_name: String,
    pub(crate) location: String,
    /// The loudspeaker's ALSA PCM (`None`: not fitted) and the volume its selftest plays at.
    pub(crate) audio: Option<(String, u8)>,
    /// The document camera's thread (no sender inside when `[devices.camera]` is off).
    pub(crate) camera: super::camera::CameraHandle,
    pub(crate) a4: super::a4printer::A4Handle,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    owned_sim_dir: Option<PathBuf>,
}

fn describe(selector: &DeviceSelector, sim_link: &Path) -> String {
    match selector {
        DeviceSelector::Sim => format!("sim {}", sim_link.display()),
        DeviceSelector::None => "none".into(),
        other => other.to_string(),
    }
}

fn spawn_thread(
    name: &str,
    f: impl FnOnce() + Send + 'static,
) -> Result<JoinHandle<()>, DeviceError> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(f)
        .map_err(|e| DeviceError::Simulator {
            class: DeviceClass::IdCardReader,
            message: format!("cannot start thread {name}: {e}"),
        })
}

impl DeviceManager {
    /// Starts every configured device. A device that cannot start (a simulator missing its
    /// font, a thread that cannot spawn) is reported `hardwareError` with the reason; the
    /// others run anyway — a kiosk with a broken printer still reads cards.
    pub fn start(config: &Config, options: ManagerOptions) -> Result<DeviceManager, DeviceError> {
        static COUNT: AtomicU64 = AtomicU64::new(0);
        let devices = &config.devices;
        let (sim_dir, owned_sim_dir) = match &options.sim_dir {
            Some(dir) => (dir.clone(), None),
            None => {
                let n = COUNT.fetch_add(1, Ordering::Relaxed);
                let dir =
                    std::env::temp_dir().join(format!("kiosk-sim-{}-{n}", std::process::id()));
                (dir.clone(), Some(dir))
            }
        };
        let any_sim = [
            &devices.idcard.device,
            &devices.printer.device,
            &devices.scanner.device,
        ]
        .iter()
        .any(|s| **s == DeviceSelector::Sim);
        if any_sim {
            std::fs::create_dir_all(&sim_dir).map_err(|e| DeviceError::Simulator {
                class: DeviceClass::IdCardReader,
                message: format!("cannot create {}: {e}", sim_dir.display()),
            })?;
        }
        let links = DeviceClass::ALL.map(|c| sim_dir.join(c.label()));
        let selectors = [
            &devices.idcard.device,
            &devices.printer.device,
            &devices.scanner.device,
        ];
        let audio = &devices.audio;
        let camera_source = super::camera::CameraSource::from_config(&devices.camera);
        let a4 = &devices.a4printer;
        let initial = DeviceClass::ALL.map(|class| match class {
            DeviceClass::Camera => {
                let mut s = DeviceStatus::new(class, camera_source.describe());
                if !devices.camera.enabled {
                    s.state = DeviceState::NoDevice;
                }
                s
            }
            DeviceClass::A4Printer => {
                let mut s = DeviceStatus::new(class, a4.uri.trim());
                if !a4.present() {
                    s.state = DeviceState::NoDevice;
                }
                s
            }
            // The loudspeaker has no runner of its own: the voice thread reports on it
            // (`audio_reporter`) when it opens the PCM and after each prompt.
            DeviceClass::Audio => {
                let mut s = DeviceStatus::new(class, format!("alsa {}", audio.pcm.trim()));
                if !audio.present() {
                    s.state = DeviceState::NoDevice;
                }
                s
            }
            _ => {
                let i = class as usize;
                let mut s = DeviceStatus::new(class, describe(selectors[i], &links[i]));
                if *selectors[i] == DeviceSelector::None {
                    s.state = DeviceState::NoDevice;
                }
                s
            }
        });
        let hub = Hub::new(initial);
        let stop = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();
        let mut sims = SimBuilder::default();
        let mut watches: Vec<Watch> = Vec::new();

        let broken = |class: DeviceClass, e: &DeviceError| {
            tracing::error!("cannot start the {class}: {e}");
            hub.update(class, |s| {
                s.state = DeviceState::HardwareError;
                s.record_error("startFailed", e.to_string());
            });
        };

        // Loudspeaker: opened once now (the voice thread reports on it from then on).
        if audio.present() {
            let reporter = super::audio::AudioReporter::on(hub.clone());
            let speaker = kiosk_drivers::audio::Speaker::new(&audio.pcm);
            match spawn_thread("audio-probe", move || match speaker.probe() {
                Ok(()) => reporter.opened(),
                Err(e) => {
                    tracing::warn!(%e, "loudspeaker not usable now; prompts are shown as text");
                    reporter.failed(&e.to_string());
                }
            }) {
                Ok(handle) => threads.push(handle),
                Err(e) => broken(DeviceClass::Audio, &e),
            }
        }

        // Document camera: its own thread opens it and takes stills on request.
        let mut camera_requests = None;
        let mut camera_sim = None;
        if devices.camera.enabled && devices.camera.device.trim() == "sim" {
            // The simulated camera: the sample register page, always online.
            hub.update(DeviceClass::Camera, |s| {
                s.state = DeviceState::Online;
                s.identity.model = Some("simulated document camera".into());
                s.identity.connection = "sim (sample household register photos)".into();
            });
            camera_sim = Some(super::camera::CameraHandle::sample());
        } else if devices.camera.enabled {
            let (tx, rx) = super::camera::queue();
            let (hub, stop) = (hub.clone(), stop.clone());
            match spawn_thread("devmgr-camera", move || {
                super::camera::supervise(camera_source, hub, stop, rx)
            }) {
                Ok(handle) => {
                    threads.push(handle);
                    camera_requests = Some(tx);
                }
                Err(e) => broken(DeviceClass::Camera, &e),
            }
        }
        // A4 printer: nothing to open; a poller publishes what it says about itself.
        let mut a4_printer = None;
        if a4.present() {
            match A4Printer::new(&a4.uri) {
                Ok(p) => {
                    let p = Arc::new(p);
                    a4_printer = Some(p.clone());
                    let (hub, stop, every) = (hub.clone(), stop.clone(), options.a4_poll);
                    match spawn_thread("devmgr-a4printer", move || {
                        super::a4printer::poll(p, hub, stop, every)
                    }) {
                        Ok(handle) => threads.push(handle),
                        Err(e) => broken(DeviceClass::A4Printer, &e),
                    }
                }
                Err(e) => broken(DeviceClass::A4Printer, &DeviceError::A4(e)),
            }
        }
        let a4_handle = super::a4printer::A4Handle::new(a4_printer, hub.clone(), options.a4_wait);

        // ID-card reader.
        let mut reader_requests = None;
        let reader_pace = Arc::new(PaceLink::default());
        let reader_start = match &devices.idcard.device {
            DeviceSelector::Serial(path) => Some(idcard::Start::Serial(SerialConnector {
                path: path.display().to_string(),
            })),
            DeviceSelector::Usb { vid, pid, serial } => {
                Some(idcard::Start::Usb(UsbSerialConnector {
                    vid: *vid,
                    pid: *pid,
                    serial: serial.clone(),
                }))
            }
            DeviceSelector::Sim => {
                match sims.reader(&links[0], devices.idcard.sim_card.as_deref()) {
                    Ok(()) => Some(idcard::Start::Serial(SerialConnector {
                        path: links[0].display().to_string(),
                    })),
                    Err(e) => {
                        broken(DeviceClass::IdCardReader, &e);
                        None
                    }
                }
            }
            DeviceSelector::None => None,
        };
        if let Some(start) = reader_start {
            let mut reader = options.reader.clone();
            reader.baud = (devices.idcard.baud != 0).then_some(devices.idcard.baud);
            let (tx, rx) = mpsc::channel();
            let waker = tx.clone();
            watches.push(Watch {
                class: DeviceClass::IdCardReader,
                selector: devices.idcard.device.clone(),
                wake: Box::new(move || {
                    let _ = waker.send(ReaderRequest::Wake);
                }),
            });
            reader_requests = Some(tx);
            let (hub, stop, backoff) = (hub.clone(), stop.clone(), options.backoff);
            let pace = reader_pace.clone();
            threads.push(spawn_thread("devmgr-idcard", move || {
                idcard::supervise(start, reader, hub, rx, stop, backoff, pace)
            })?);
        }

        // Receipt printer.
        let p = &devices.printer;
        let opener: Option<printer::Opener> = match &p.device {
            DeviceSelector::Serial(path) => {
                let (path, baud, flow) = (path.display().to_string(), p.baud, p.flow_control);
                Some(Box::new(move || {
                    SerialTransport::open(&path, baud, flow)
                        .map(|t| Box::new(t) as Box<dyn PrinterTransport>)
                }))
            }
            DeviceSelector::Usb { vid, pid, .. } => {
                let want = Some((*vid, *pid));
                Some(Box::new(move || {
                    usb_rusb::open(want).map(|t| Box::new(t) as Box<dyn PrinterTransport>)
                }))
            }
            DeviceSelector::Sim => {
                let out = p
                    .sim_out_dir
                    .clone()
                    .unwrap_or_else(|| sim_dir.join("receipts"));
                match sims.printer(&links[1], p.paper_mm, &out) {
                    Ok(()) => {
                        let path = links[1].display().to_string();
                        let flow = kiosk_config::schema::FlowControl::None;
                        Some(Box::new(move || {
                            SerialTransport::open(&path, 115_200, flow)
                                .map(|t| Box::new(t) as Box<dyn PrinterTransport>)
                        }))
                    }
                    Err(e) => {
                        broken(DeviceClass::ReceiptPrinter, &e);
                        None
                    }
                }
            }
            DeviceSelector::None => None,
        };
        let mut printer_requests = None;
        if let Some(open) = opener {
            match PrinterProfile::by_name(&p.profile) {
                Ok(profile) => {
                    let (tx, rx) = mpsc::sync_channel(printer::QUEUE);
                    let waker = tx.clone();
                    watches.push(Watch {
                        class: DeviceClass::ReceiptPrinter,
                        selector: p.device.clone(),
                        // A full queue means the worker is busy anyway.
                        wake: Box::new(move || {
                            let _ = waker.try_send(printer::Request::Wake);
                        }),
                    });
                    printer_requests = Some(tx);
                    let mut status = hub.get(DeviceClass::ReceiptPrinter);
                    status.identity.model = Some(profile.name.to_owned());
                    let mut worker = printer::Worker {
                        open,
                        profile,
                        hub: hub.clone(),
                        requests: rx,
                        stop: stop.clone(),
                        poll: options.printer_poll,
                        backoff: options.backoff,
                        timeouts: options.printer_timeouts,
                        status,
                        carried: DeviceCounters::default(),
                    };
                    threads.push(spawn_thread("devmgr-printer", move || {
                        printer::supervise(&mut worker)
                    })?);
                }
                Err(e) => broken(DeviceClass::ReceiptPrinter, &e.into()),
            }
        }

        // Scanner.
        let s = &devices.scanner;
        let scanner_start = match &s.device {
            DeviceSelector::Serial(_) | DeviceSelector::Usb { .. } => {
                Some(scanner::Start::Configured(s.clone()))
            }
            DeviceSelector::Sim => {
                let serial = SerialScannerConfig::from_config(&links[2], s);
                let framing = Framing {
                    end: s.terminator.into(),
                    ..Framing::default()
                };
                match sims.scanner(&links[2], framing) {
                    Ok(()) => Some(scanner::Start::Serial(serial)),
                    Err(e) => {
                        broken(DeviceClass::Scanner, &e);
                        None
                    }
                }
            }
            DeviceSelector::None => None,
        };
        if let Some(start) = scanner_start {
            let (hub, stop, backoff) = (hub.clone(), stop.clone(), options.backoff);
            let (waker, wakes) = mpsc::channel();
            watches.push(Watch {
                class: DeviceClass::Scanner,
                selector: s.device.clone(),
                wake: Box::new(move || {
                    let _ = waker.send(());
                }),
            });
            threads.push(spawn_thread("devmgr-scanner", move || {
                scanner::supervise(start, hub, stop, backoff, wakes)
            })?);
        }

        // Hot-plug: wakes the runners above when their device comes or goes. Simulators
        // are not on any bus, so a kiosk in `sim` mode needs no monitor.
        watches.retain(|w| {
            matches!(
                w.selector,
                DeviceSelector::Serial(_) | DeviceSelector::Usb { .. }
            )
        });
        if !watches.is_empty() {
            let (mode, stop) = (options.hotplug.clone(), stop.clone());
            threads.push(spawn_thread("devmgr-hotplug", move || {
                hotplug::run(mode, watches, stop)
            })?);
        }

        Ok(DeviceManager {
            hub,
            printer: PrinterHandle::new(printer_requests),
            sim: sims.build(),
            reader_requests,
            reader_pace,
            kiosk_id: config.identity.kiosk_id.clone(),
            hall_name: config.identity.hall_name.clone(),
            location: config.identity.location.clone(),
            audio: audio
                .present()
                .then(|| (audio.pcm.clone(), config.ui.voice_volume)),
            camera: camera_sim.unwrap_or_else(|| super::camera::CameraHandle::new(camera_requests)),
            a4: a4_handle,
            stop,
            threads,
            owned_sim_dir,
        })
    }

    /// The status of every device now, reader, printer, scanner in that order.
    pub fn snapshot(&self) -> Vec<DeviceStatus> {
        self.hub.snapshot()
    }

    /// The status of one device now.
    pub fn status(&self, class: DeviceClass) -> DeviceStatus {
        self.hub.get(class)
    }

    /// The snapshot as a `watch`: always the latest, for screens and `/metrics`.
    pub fn watch(&self) -> watch::Receiver<Vec<DeviceStatus>> {
        self.hub.watch()
    }

    /// The events from now on. A subscriber that falls more than 1024 events behind gets
    /// `RecvError::Lagged(n)` and loses the oldest; it never slows the devices down.
    pub fn subscribe(&self) -> broadcast::Receiver<ManagerEvent> {
        self.hub.subscribe()
    }

    /// Whether a screen waits for an ID card: the reader then polls eagerly (a card placed is
    /// found within tens of milliseconds), otherwise at its relaxed pace, so the line and the
    /// SAM rest while the citizen types. Cheap; call it on every change.
    pub fn want_card(&self, wanted: bool) {
        self.reader_pace
            .set(if wanted { Pace::Eager } else { Pace::Relaxed });
    }

    /// The printer, to print receipts.
    pub fn printer(&self) -> PrinterHandle {
        self.printer.clone()
    }

    /// The A4 printer, to print PDFs and receipts on A4 (not fitted: every call says so).
    pub fn a4printer(&self) -> super::a4printer::A4Handle {
        self.a4.clone()
    }

    /// The simulators, to place cards, scan codes and switch faults (demo, tests, training).
    pub fn sim(&self) -> SimControl {
        self.sim.clone()
    }

    /// How often a device's runner thread died (a panic, an unexpected return) and was
    /// started again by the manager.
    pub fn restarts(&self, class: DeviceClass) -> u64 {
        self.hub.restarts(class)
    }

    /// Events of a device dropped because it exceeded its event budget (a flood).
    pub fn dropped_events(&self, class: DeviceClass) -> u64 {
        self.hub.dropped(class)
    }

    /// Stops every device thread and then the simulators.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for DeviceManager {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.reader_requests = None;
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
        // The simulators go after the drivers (unless a clone of the control lives on).
        self.sim = SimControl::default();
        if let Some(dir) = &self.owned_sim_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
