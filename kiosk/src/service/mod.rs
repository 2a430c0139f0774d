//! The kiosk service: opens the outbox, starts delivery, keeps the catalog fresh (and cached
//! on disk), serves `/metrics` and `/healthz`, sends heartbeats, answers the admin socket,
//! talks to systemd, and on SIGTERM flushes what it can before exiting.
//!
//! It also starts the device manager and the citizen session ([`crate::citizen`]), and
//! answers `kioskctl session`, `kioskctl sim` and `kioskctl selftest` on the admin socket.
//! The hall's answers to heartbeats (an update to install, remote actions) go to
//! [`fleet`]'s tasks.

pub mod admin;
mod facade;
pub mod fleet;
mod http;
pub mod notify;
pub mod program;
pub mod report;
pub mod sim;

pub use facade::AdminError;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use hall_api::catalog::Catalog;
use kiosk_config::Config;
use kiosk_drivers::status::{DeviceClass, DeviceState, DeviceStatus};
use tokio::sync::watch;

use crate::citizen::effects::Executor;
use crate::citizen::runner::{self, Clock, Inputs};
use crate::citizen::SessionHandle;
use crate::delivery::{BackendClock, Delivery};
use crate::devices::{DeviceManager, ManagerOptions};
use crate::hall::{CatalogCache, CatalogFetch, HallClient};
use crate::health::metrics::SessionCounts;
use crate::outbox::{Outbox, OutboxKey};

/// How often the catalog is re-fetched (conditionally, with its ETag).
const CATALOG_REFRESH: Duration = Duration::from_secs(300);
/// How long shutdown waits for the last delivery round.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The running service's shared state.
#[derive(Debug)]
pub struct Service {
    config: Config,
    config_path: PathBuf,
    started: SystemTime,
    outbox: Arc<Outbox>,
    delivery: Arc<Delivery>,
    hall: HallClient,
    clock: Arc<BackendClock>,
    catalog: watch::Sender<Option<Arc<Catalog>>>,
    devices: watch::Receiver<Vec<DeviceStatus>>,
    manager: Option<DeviceManager>,
    session: SessionHandle,
    sessions: Arc<Mutex<SessionCounts>>,
    ratings: Arc<Mutex<[u64; 5]>>,
    screen: Option<Mutex<std::sync::mpsc::Sender<crate::display::ScreenRequest>>>,
    updater: Arc<crate::fleet::Updater>,
    fleet: fleet::FleetLinks,
}

/// The maintenance screen's self-test button: runs the internal and external checks of one
/// device on the service's runtime and sends one line per check back.
fn selftest_runner(service: &Arc<Service>) -> crate::display::technician::SelftestRunner {
    let weak = Arc::downgrade(service);
    let runtime = tokio::runtime::Handle::current();
    Box::new(move |device, answer| {
        let Some(service) = weak.upgrade() else {
            return;
        };
        runtime.spawn(async move {
            let lines = match service.selftest(Some(&device), true, Some(30)).await {
                Ok(results) => results
                    .into_iter()
                    .map(|r| {
                        format!(
                            "{} {} {}：{}",
                            r.device,
                            r.level,
                            if r.passed { "通过" } else { "未通过" },
                            r.text
                        )
                    })
                    .collect(),
                Err(err) => vec![err.to_string()],
            };
            for line in lines {
                let _ = answer.send(line);
            }
        });
    })
}

/// The image's version: the booted slot's own (`build.sh` writes it into the root
/// filesystem, the same as its bundle's), or a technician's note in /etc/kiosk.
fn image_version() -> Option<String> {
    ["/usr/share/kiosk/image-version", "/etc/kiosk/image-version"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// Runs the service until SIGTERM or SIGINT; returns the process exit code. With a screen
/// (`display`), the UI runs on this (the main) thread and the service on the runtime's.
pub fn run(
    config: Config,
    config_path: PathBuf,
    display: Option<crate::display::Mode>,
    fleet: fleet::FleetOptions,
) -> ExitCode {
    let started = std::time::Instant::now();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("kiosk-service")
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cannot start the service's runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = match display {
        None => runtime.block_on(serve_with(
            config,
            config_path,
            None,
            wait_for_signal(),
            fleet,
        )),
        Some(mode) => {
            let (link_tx, link_rx) = std::sync::mpsc::channel();
            let ui_config = config.clone();
            let service = runtime.spawn(serve_with(
                config,
                config_path,
                Some((link_tx, started)),
                wait_for_signal(),
                fleet,
            ));
            // The service sends the link once it is up; if it fails first, the sender is
            // dropped and its error comes from the task.
            if let Ok(link) = link_rx.recv() {
                if let Err(err) = crate::display::run(&ui_config, link, mode) {
                    tracing::error!("{err}; the service goes on without a screen");
                }
            }
            runtime
                .block_on(service)
                .unwrap_or_else(|e| Err(ServiceError::Task(e)))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err}");
            eprintln!("kiosk: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Devices as configured, before the device manager reports on them.
fn initial_devices(config: &Config) -> Vec<DeviceStatus> {
    use kiosk_config::DeviceSelector;
    let d = &config.devices;
    [
        (DeviceClass::IdCardReader, &d.idcard.device),
        (DeviceClass::ReceiptPrinter, &d.printer.device),
        (DeviceClass::Scanner, &d.scanner.device),
    ]
    .into_iter()
    .map(|(class, selector)| {
        let mut status = DeviceStatus::new(class, selector.to_string());
        if *selector == DeviceSelector::None {
            status.state = DeviceState::NoDevice;
        }
        status
    })
    .collect()
}

/// What [`serve`] hands the screen once the service is up.
pub type DisplayHandoff = (
    std::sync::mpsc::Sender<crate::display::Link>,
    std::time::Instant,
);

/// Why the service could not start or ended badly (English, for the journal).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The configuration names no outbox key file.
    #[error("outbox.key_file is not set: the outbox cannot be opened without its key")]
    NoKeyFile,
    /// The outbox (its key or its database) cannot be opened.
    #[error("the outbox: {0}")]
    Outbox(#[from] crate::outbox::OutboxError),
    /// The hall client cannot be built from the configuration.
    #[error("the hall client: {0}")]
    Hall(#[from] crate::hall::HallError),
    /// The session machine refuses its configuration.
    #[error("the session: {0}")]
    Session(#[from] crate::session::SessionError),
    /// The /metrics address cannot be listened on.
    #[error("cannot listen on {addr} for /metrics: {source}")]
    Metrics {
        /// The configured address.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The admin socket cannot be opened.
    #[error("cannot open the admin socket {}: {source}", path.display())]
    Admin {
        /// The configured path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The service's task panicked or was cancelled.
    #[error("the service task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Runs the kiosk service until `shutdown` completes (the caller owns signals: [`run`] passes
/// SIGTERM/SIGINT, a test its own future); then stops every background task it started,
/// delivering what is due within the grace period, and returns. Updates install with
/// `rauc`; see [`serve_with`].
pub async fn serve(
    config: Config,
    config_path: PathBuf,
    display: Option<DisplayHandoff>,
    shutdown_requested: impl std::future::Future<Output = ()>,
) -> Result<(), ServiceError> {
    serve_with(
        config,
        config_path,
        display,
        shutdown_requested,
        fleet::FleetOptions::default(),
    )
    .await
}

/// [`serve`] with its fleet operations given: the installer (a fake in tests) and what the
/// start-up check found about a pushed configuration. It also returns, cleanly, when a
/// remote action or a failed configuration trial asks for a restart (systemd starts the
/// service again).
pub async fn serve_with(
    config: Config,
    config_path: PathBuf,
    display: Option<DisplayHandoff>,
    shutdown_requested: impl std::future::Future<Output = ()>,
    fleet_options: fleet::FleetOptions,
) -> Result<(), ServiceError> {
    let key_path = config
        .outbox
        .key_file
        .clone()
        .ok_or(ServiceError::NoKeyFile)?;
    let key = OutboxKey::from_file(&key_path)?;
    let outbox = Arc::new(Outbox::open(&config.outbox.db_path, key)?);
    let hall = HallClient::new(&config.hall, &config.identity.kiosk_id)?;
    let clock = Arc::new(BackendClock::default());
    let delivery = Delivery::with_retention(
        outbox.clone(),
        hall.clone(),
        clock.clone(),
        Duration::from_secs(u64::from(config.outbox.retention_days) * 86_400),
    );
    let (catalog, _) = watch::channel(None);
    let (stop, shutdown) = watch::channel(false);

    let manager = match DeviceManager::start(&config, ManagerOptions::default()) {
        Ok(manager) => Some(manager),
        Err(err) => {
            tracing::error!(%err, "the devices could not be started; the kiosk serves without them");
            None
        }
    };
    let (static_devices, static_rx) = watch::channel(initial_devices(&config));
    let devices = manager.as_ref().map_or(static_rx, DeviceManager::watch);

    let sessions = Arc::new(Mutex::new(SessionCounts::default()));
    let ratings = Arc::new(Mutex::new([0; 5]));
    let (events_tx, events_rx) = tokio::sync::mpsc::unbounded_channel();
    let (press_tx, press_rx) = tokio::sync::mpsc::unbounded_channel();
    let session_clock = Clock::new(1);
    let session =
        crate::session::Session::new(runner::session_config(&config), session_clock.now())?;
    let (view_tx, view_rx) = watch::channel(Arc::new(session.clone()));
    let executor = Executor {
        delivery: delivery.clone(),
        hall: hall.clone(),
        printer: manager.as_ref().map(DeviceManager::printer),
        a4: manager
            .as_ref()
            .map(DeviceManager::a4printer)
            .filter(crate::devices::A4Handle::fitted),
        camera: manager.as_ref().map(DeviceManager::camera),
        hall_name: config.identity.hall_name.clone(),
        events: events_tx.clone(),
        sessions: sessions.clone(),
        ratings: ratings.clone(),
        speech: speech(
            &config,
            manager.as_ref().map_or_else(
                crate::devices::AudioReporter::none,
                DeviceManager::audio_reporter,
            ),
        ),
        kiosk_id: config.identity.kiosk_id.clone(),
    };
    let inputs = Inputs {
        events: events_rx,
        presses: press_rx,
        catalog: catalog.subscribe(),
        devices: devices.clone(),
        device_events: manager.as_ref().map(DeviceManager::subscribe),
        shutdown: shutdown.clone(),
    };
    let session_task = tokio::spawn(runner::run(
        session,
        session_clock,
        inputs,
        executor,
        view_tx,
    ));

    let (screen_tx, screen_rx) = std::sync::mpsc::channel();
    let updater = Arc::new(crate::fleet::Updater::unprobed(
        hall.clone(),
        fleet::bundle_dir(&config.outbox.db_path),
        fleet_options.installer.clone(),
    ));
    let (wanted_tx, wanted_rx) = watch::channel(None);
    let (actions_tx, actions_rx) = tokio::sync::mpsc::unbounded_channel();
    let (answered_tx, answered_rx) = watch::channel(false);
    let (restart_tx, mut restart_rx) = watch::channel(false);
    let service = Arc::new(Service {
        config: config.clone(),
        config_path,
        started: SystemTime::now(),
        outbox,
        delivery: delivery.clone(),
        hall,
        clock,
        catalog,
        devices,
        manager,
        session: SessionHandle::new(events_tx, press_tx, view_rx),
        sessions,
        ratings,
        screen: display.as_ref().map(|_| Mutex::new(screen_tx)),
        updater,
        fleet: fleet::FleetLinks {
            wanted: wanted_tx,
            actions: actions_tx,
            hall_answered: answered_tx,
        },
    });

    let listener = tokio::net::TcpListener::bind(config.health.metrics_listen)
        .await
        .map_err(|source| ServiceError::Metrics {
            addr: config.health.metrics_listen,
            source,
        })?;
    let admin = admin::bind(&config.health.admin_socket).map_err(|source| ServiceError::Admin {
        path: config.health.admin_socket.clone(),
        source,
    })?;

    let worker = tokio::spawn(delivery.run(shutdown.clone()));
    // Every other background task, awaited at shutdown (each watches `shutdown`).
    let mut tasks = tokio::task::JoinSet::new();
    tasks.spawn(http::serve(service.clone(), listener, shutdown.clone()));
    tasks.spawn(admin::serve(service.clone(), admin, shutdown.clone()));
    tasks.spawn(refresh_catalog(service.clone(), shutdown.clone()));
    // The reader polls eagerly only while the screen waits for a card.
    let pacer = service.clone();
    tasks.spawn(crate::citizen::devices::follow_card_wait(
        service.session.watch(),
        move |wanted| {
            if let Some(manager) = &pacer.manager {
                manager.want_card(wanted);
            }
        },
        shutdown.clone(),
    ));
    tasks.spawn(heartbeats(service.clone(), shutdown.clone()));
    tasks.spawn(fleet::updates(service.clone(), wanted_rx, shutdown.clone()));
    tasks.spawn(fleet::actions(
        service.clone(),
        actions_rx,
        restart_tx.clone(),
        shutdown.clone(),
    ));
    match &fleet_options.trial {
        crate::fleet::config_push::AtStart::Nothing => {}
        crate::fleet::config_push::AtStart::OnTrial(trial) => {
            tracing::info!(action = %trial.action_id, "running a pushed configuration on trial");
            tasks.spawn(fleet::trial(
                service.config_path.clone(),
                crate::fleet::config_push::HEALTHY_WITHIN,
                answered_rx,
                restart_tx.clone(),
                shutdown.clone(),
            ));
        }
        crate::fleet::config_push::AtStart::RolledBack(trial) => tracing::error!(
            action = %trial.action_id,
            "the service went down with a pushed configuration before it was healthy: the previous file is back"
        ),
    }
    drop(restart_tx);
    if let Some(interval) = notify::watchdog_interval() {
        tasks.spawn(watchdog(interval, shutdown.clone()));
    }

    match display {
        // With a screen, READY waits for its first frame.
        Some((link_tx, started)) => {
            let link = crate::display::Link {
                session: service.session.clone(),
                devices: service.devices.clone(),
                shutdown: shutdown.clone(),
                requests: screen_rx,
                selftest: Some(selftest_runner(&service)),
                camera: service.manager.as_ref().map(DeviceManager::camera),
                started,
            };
            if link_tx.send(link).is_err() {
                tracing::error!("the screen did not start; the service goes on without it");
                notify::notify("READY=1");
            }
        }
        None => notify::notify("READY=1"),
    }
    tracing::info!(
        kiosk = %config.identity.kiosk_id,
        metrics = %config.health.metrics_listen,
        admin = %config.health.admin_socket.display(),
        "kiosk service ready"
    );
    tokio::select! {
        _ = shutdown_requested => {}
        Ok(_) = restart_rx.wait_for(|r| *r) => tracing::info!("restarting: a clean exit, systemd starts the service again"),
    }
    notify::notify("STOPPING=1");
    tracing::info!("stopping: delivering what is due, then exiting");
    let _ = stop.send(true);
    let _ = session_task.await;
    if tokio::time::timeout(SHUTDOWN_GRACE, worker).await.is_err() {
        tracing::warn!(
            "the last delivery round did not finish in time; records stay in the outbox"
        );
    }
    let stopped = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while let Some(joined) = tasks.join_next().await {
            if let Err(err) = joined {
                tracing::warn!(%err, "a background task ended badly");
            }
        }
    })
    .await;
    if stopped.is_err() {
        tracing::warn!(
            left = tasks.len(),
            "background tasks did not stop in time; cancelling them"
        );
        tasks.shutdown().await;
    }
    let _ = std::fs::remove_file(&config.health.admin_socket);
    drop(static_devices);
    // The device threads stop when the last holder of the service lets go; a print in
    // progress finishes first (the printer worker completes its job before it checks).
    match Arc::try_unwrap(service) {
        Ok(service) => drop(service),
        Err(_) => tracing::debug!("the service is still held by a task; devices stop at exit"),
    }
    Ok(())
}

/// Tells systemd the service is alive every `interval`, until shutdown.
async fn watchdog(interval: Duration, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(interval) => notify::notify("WATCHDOG=1"),
            _ = shutdown.changed() => return,
        }
    }
}

/// SIGTERM (systemd) or SIGINT (a technician's Ctrl-C).
pub async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        // Without signal handlers the service can only run until killed.
        std::future::pending::<()>().await;
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

async fn refresh_catalog(service: Arc<Service>, mut shutdown: watch::Receiver<bool>) {
    let cache = CatalogCache::new(&service.config.outbox.catalog_cache);
    let mut etag = None;
    if let Some((catalog, cached_etag)) = cache.load() {
        tracing::info!(version = %catalog.version, "serving the cached catalog until the hall answers");
        service.catalog.send_replace(Some(Arc::new(catalog)));
        etag = cached_etag;
    }
    loop {
        match service.hall.catalog(etag.as_deref()).await {
            Ok(CatalogFetch::NotModified) => service.clock.success(),
            Ok(CatalogFetch::Fresh { catalog, etag: new }) => {
                service.clock.success();
                if let Err(err) = cache.store(&catalog, new.as_deref()) {
                    tracing::warn!(%err, "cannot cache the catalog on disk");
                }
                tracing::info!(version = %catalog.version, "catalog updated");
                service.catalog.send_replace(Some(Arc::new(catalog)));
                etag = new;
            }
            Err(err) => tracing::warn!(%err, "cannot fetch the catalog; keeping the one we have"),
        }
        let wait = if service.catalog.borrow().is_some() {
            CATALOG_REFRESH
        } else {
            Duration::from_secs(10)
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => return,
        }
    }
}

async fn heartbeats(service: Arc<Service>, mut shutdown: watch::Receiver<bool>) {
    let interval = Duration::from_secs(u64::from(service.config.health.heartbeat_secs));
    loop {
        match service.heartbeat().await {
            Ok(()) => service.clock.success(),
            Err(err) => tracing::info!(%err, "heartbeat not delivered"),
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// The loudspeaker's voice, or silence when the kiosk has none (`[devices.audio] pcm =
/// "none"`); the prompts show as text either way.
fn speech(
    config: &Config,
    report: crate::devices::AudioReporter,
) -> Arc<dyn kiosk_ui::speech::SpeechOutput + Send + Sync> {
    let audio = &config.devices.audio;
    if !audio.present() {
        tracing::info!("no loudspeaker configured: voice prompts are shown as text only");
        return Arc::new(kiosk_ui::speech::Silent);
    }
    // The device manager opened it once already and reports what it found.
    let speaker = kiosk_drivers::audio::Speaker::new(&audio.pcm);
    let ui = config.ui.clone();
    Arc::new(crate::voice::Voice::start(
        crate::voice::Espeak::new(&audio.voice),
        speaker,
        move || {
            use chrono::Timelike;
            let local = crate::citizen::runner::local_time(chrono::Utc::now());
            ui.volume_at(local.hour() * 60 + local.minute())
        },
        report,
    ))
}
