//! The real kiosk service (`kiosk::service::serve_with`, devices on their simulators, the
//! fake installer behind the `Installer` trait) against the real hall on loopback: the
//! heartbeat's answer drives the update (installed at once, rebooted only in the quiet
//! window) and remote actions (a selftest whose report reaches the hall, a restart that
//! ends the service cleanly), and a pushed configuration on trial is kept once the hall
//! answers or rolled back when it does not. A citizen's session holding personal data holds
//! the reboot back.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hall::store::Store;
use hall::updates::UpdateStore;
use hall_api::updates::ActionRequest;
use kiosk::fleet::config_push::{self, AtStart};
use kiosk::service::fleet::FleetOptions;

use super::{fixture, fixture_with, start_rollout, FakeInstaller, Fixture};

/// Polls `check` every 200 ms until it holds; panics with `what` after 60 s.
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..300 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("never happened: {what}");
}

/// `HH:MM-HH:MM` around local `minute + from` .. `minute + to` (minutes, wrapping midnight).
fn window(from: i64, to: i64) -> String {
    use chrono::Timelike;
    let now = kiosk::citizen::runner::local_time(chrono::Utc::now());
    let minute = i64::from(now.hour() * 60 + now.minute());
    let at = |d: i64| {
        let m = (minute + d).rem_euclid(1440);
        format!("{:02}:{:02}", m / 60, m % 60)
    };
    format!("{}-{}", at(from), at(to))
}

/// A valid configuration file for the fixture's hall with simulated devices.
fn write_config(f: &Fixture, dir: &Path, quiet_hours: &str) -> PathBuf {
    let key = dir.join("outbox.key");
    std::fs::write(&key, [9u8; 32]).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(&f.credential, std::fs::Permissions::from_mode(0o600)).unwrap();
    let text = format!(
        r#"[identity]
kiosk_id = "zizhu-01"
hall_name = "测试县政务服务中心"

[hall]
base_url = "{url}"
credential_file = "{cred}"

[devices.idcard]
device = "sim"
[devices.printer]
device = "sim"
[devices.scanner]
device = "sim"
[devices.audio]
pcm = "none"
[devices.camera]
enabled = false

[outbox]
db_path = "outbox.sqlite"
key_file = "outbox.key"
catalog_cache = "catalog.json"

[health]
metrics_listen = "127.0.0.1:0"
heartbeat_secs = 5
admin_socket = "admin.sock"

[fleet]
quiet_hours = "{quiet_hours}"
"#,
        url = f.url,
        cred = f.credential.display(),
    );
    let path = dir.join("kiosk.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn load(path: &Path) -> kiosk_config::Config {
    kiosk_config::load(&kiosk_config::LoadOptions::from_process(path))
        .unwrap()
        .config
}

/// The service running on its own task; `stop` ends it as SIGTERM would.
struct Running {
    task: tokio::task::JoinHandle<Result<(), kiosk::service::ServiceError>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

fn start(config_path: &Path, options: FleetOptions) -> Running {
    let config = load(config_path);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(kiosk::service::serve_with(
        config,
        config_path.to_path_buf(),
        None,
        async move {
            let _ = stopped.await;
        },
        options,
    ));
    Running {
        task,
        stop: Some(stop),
    }
}

impl Running {
    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.await.unwrap().unwrap();
    }
}

async fn rollout_outcome(f: &Fixture) -> Option<String> {
    let rollout = f.store.active_rollout().await.unwrap()?;
    let kiosk = f
        .store
        .rollout_kiosk(&rollout.id, "zizhu-01")
        .await
        .unwrap()?;
    Some(kiosk.outcome.as_str().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_installs_the_wanted_version_and_reboots_only_in_the_quiet_window() {
    let f = fixture().await;
    let dir = tempfile::tempdir().unwrap();

    // Outside the window: installed, reported, not rebooted.
    let config = write_config(&f, dir.path(), &window(120, 180));
    let installer = Arc::new(FakeInstaller::default());
    let service = start(
        &config,
        FleetOptions {
            installer: installer.clone(),
            trial: AtStart::Nothing,
        },
    );
    eventually("the hall sees the update installed", async || {
        rollout_outcome(&f).await.as_deref() == Some("installed")
    })
    .await;
    assert_eq!(
        installer.installed.lock().unwrap().as_slice(),
        std::slice::from_ref(&f.content),
        "the checked bundle went to the installer once"
    );
    assert_eq!(*installer.reboots.lock().unwrap(), 0, "outside the window");
    // The heartbeat carries the booted slot (`rauc status`, here the fake's).
    let kiosks = f.store.kiosks().await.unwrap();
    let last: serde_json::Value =
        serde_json::from_str(kiosks[0].last_heartbeat.as_deref().unwrap()).unwrap();
    assert_eq!(last["update"]["slot"], "A", "{last}");
    assert_eq!(last["update"]["target"], "2.0.0", "{last}");
    service.stop().await;
    assert_eq!(*installer.reboots.lock().unwrap(), 0);

    // Inside the window (no citizen at the screen): the reboot comes. The restarted service
    // remembers the installed update (its state file): nothing is downloaded again.
    let config = write_config(&f, dir.path(), &window(-60, 60));
    let installer = Arc::new(FakeInstaller::default());
    let service = start(
        &config,
        FleetOptions {
            installer: installer.clone(),
            trial: AtStart::Nothing,
        },
    );
    eventually("the kiosk reboots into the update", async || {
        *installer.reboots.lock().unwrap() > 0
    })
    .await;
    assert_eq!(
        installer.installed.lock().unwrap().len(),
        0,
        "installed before the restart, not again"
    );
    service.stop().await;
    assert_eq!(*installer.reboots.lock().unwrap(), 1, "once");

    // The reboot came back on slot A (the fake boots A again): the new slot was never
    // committed (its health check failed, the boot loader fell back), so the kiosk reports
    // 2.0.0 failed, never installs it again, and the hall halts the rollout. (A new boot id:
    // the machine rebooted; a start in the same boot is only the service restarting.)
    let installer = Arc::new(FakeInstaller {
        boot: Some("boot-2".into()),
        ..FakeInstaller::default()
    });
    let service = start(
        &config,
        FleetOptions {
            installer: installer.clone(),
            trial: AtStart::Nothing,
        },
    );
    eventually(
        "the hall halts the rollout on the fallen-back kiosk",
        async || {
            f.store
                .rollouts()
                .await
                .unwrap()
                .first()
                .is_some_and(|r| r.state == hall::updates::RolloutState::Halted)
        },
    )
    .await;
    let kiosks = f.store.kiosks().await.unwrap();
    let last: serde_json::Value =
        serde_json::from_str(kiosks[0].last_heartbeat.as_deref().unwrap()).unwrap();
    assert_eq!(last["update"]["state"], "failed", "{last}");
    assert_eq!(last["update"]["failedVersion"], "2.0.0", "{last}");
    assert_eq!(last["update"]["detail"], "healthCheck", "{last}");
    assert_eq!(last["update"]["slot"], "A", "{last}");
    service.stop().await;
    assert!(
        installer.installed.lock().unwrap().is_empty(),
        "never again"
    );
    assert_eq!(*installer.reboots.lock().unwrap(), 0);
}

/// One request on the service's admin socket (the protocol `kioskctl` speaks); its answer
/// as text.
async fn admin(socket: &Path, request: serde_json::Value) -> String {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let stream = tokio::net::UnixStream::connect(socket).await.unwrap();
    let (read, mut write) = stream.into_split();
    write
        .write_all(format!("{request}\n").as_bytes())
        .await
        .unwrap();
    let mut answer = String::new();
    tokio::io::BufReader::new(read)
        .read_line(&mut answer)
        .await
        .unwrap();
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_with_personal_data_in_the_session_holds_the_reboot_back() {
    let f = fixture_with(false).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(&f, dir.path(), &window(-60, 60));
    let socket = dir.path().join("admin.sock");
    let installer = Arc::new(FakeInstaller::default());
    let service = start(
        &config,
        FleetOptions {
            installer: installer.clone(),
            trial: AtStart::Nothing,
        },
    );
    let show = serde_json::json!({ "cmd": "session-show" });
    eventually("the admin socket answers", async || {
        tokio::net::UnixStream::connect(&socket).await.is_ok()
    })
    .await;
    let placed = admin(
        &socket,
        serde_json::json!({ "cmd": "sim", "words": "card place resident-zhang-san" }),
    )
    .await;
    assert!(placed.contains("placed"), "{placed}");
    eventually("the session holds the citizen's data", async || {
        admin(&socket, show.clone())
            .await
            .contains("\"holdsPersonalData\":true")
    })
    .await;

    // The update comes while the citizen is at the screen, inside the window.
    start_rollout(f.store.as_ref()).await;
    eventually("the hall sees the update installed", async || {
        rollout_outcome(&f).await.as_deref() == Some("installed")
    })
    .await;
    assert_eq!(installer.installed.lock().unwrap().len(), 1);
    assert_eq!(
        *installer.reboots.lock().unwrap(),
        0,
        "not with a citizen's data in the session"
    );

    // The citizen leaves (the session is wiped): the reboot comes.
    let home = admin(
        &socket,
        serde_json::json!({ "cmd": "session-press", "words": "home" }),
    )
    .await;
    assert!(home.contains("\"holdsPersonalData\":false"), "{home}");
    eventually("the kiosk reboots into the update", async || {
        *installer.reboots.lock().unwrap() > 0
    })
    .await;
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_selftest_runs_once_its_report_reaches_the_hall_and_a_restart_ends_the_service() {
    let f = fixture().await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(&f, dir.path(), &window(120, 180));
    let store = f.store.as_ref();
    let selftest =
        hall::updates::cli::queue_action(store, "zizhu-01", ActionRequest::Selftest, "ops")
            .await
            .unwrap();
    let service = start(
        &config,
        FleetOptions {
            installer: Arc::new(FakeInstaller::default()),
            trial: AtStart::Nothing,
        },
    );
    eventually("the selftest's result reaches the hall", async || {
        let done = store.actions(Some("zizhu-01"), 10).await.unwrap();
        done.iter().any(|a| a.id == selftest && a.ok.is_some())
    })
    .await;
    let done = store.actions(Some("zizhu-01"), 10).await.unwrap();
    let result = done.iter().find(|a| a.id == selftest).unwrap();
    let output = result.output.clone().unwrap_or_default();
    assert_eq!(result.ok, Some(true), "{output}");
    // The device manager's own checks of the simulated devices.
    for device in ["idcard", "printer", "scanner"] {
        assert!(output.contains(device), "{device} missing from: {output}");
    }
    assert!(output.contains("PASS"), "{output}");

    // A restart: answered, then the service ends by itself (systemd would start it again).
    let restart =
        hall::updates::cli::queue_action(store, "zizhu-01", ActionRequest::Restart, "ops")
            .await
            .unwrap();
    let Running { task, stop: _stop } = service;
    let ended = task.await.unwrap();
    assert!(ended.is_ok(), "a clean exit: {ended:?}");
    let done = store.actions(Some("zizhu-01"), 10).await.unwrap();
    assert_eq!(
        done.iter().find(|a| a.id == restart).unwrap().ok,
        Some(true)
    );
    assert_eq!(
        done.iter().filter(|a| a.id == selftest).count(),
        1,
        "the selftest ran once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pushed_configuration_is_kept_once_the_hall_answers_and_rolled_back_when_it_does_not() {
    let f = fixture().await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(&f, dir.path(), &window(120, 180));
    let old = std::fs::read_to_string(&config).unwrap();
    let pushed = old.replace("heartbeat_secs = 5", "heartbeat_secs = 30");
    let marker = dir.path().join("config-trial.json");

    // Staged as the action does, then the start-up check puts it on trial.
    config_push::stage(&config, &pushed, dir.path(), "a1").unwrap();
    let options = FleetOptions::at_start(&config);
    assert!(matches!(options.trial, AtStart::OnTrial(_)), "{options:?}");
    let options = FleetOptions {
        installer: Arc::new(FakeInstaller::default()),
        ..options
    };
    let service = start(&config, options);
    eventually("the trial ends healthy", async || !marker.exists()).await;
    service.stop().await;
    assert_eq!(std::fs::read_to_string(&config).unwrap(), pushed);

    // Pushed again, and the hall never answers: the old file comes back and the service is
    // asked to restart.
    config_push::stage(&config, &old, dir.path(), "a2").unwrap();
    assert!(matches!(
        FleetOptions::at_start(&config).trial,
        AtStart::OnTrial(_)
    ));
    let (_answered, never) = tokio::sync::watch::channel(false);
    let (restart, mut restarted) = tokio::sync::watch::channel(false);
    let (_stop, shutdown) = tokio::sync::watch::channel(false);
    kiosk::service::fleet::trial(
        config.clone(),
        Duration::from_millis(50),
        never,
        restart,
        shutdown,
    )
    .await;
    assert!(*restarted.borrow_and_update(), "a restart is asked for");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), pushed);
    assert!(!marker.exists());
    assert!(matches!(
        FleetOptions::at_start(&config).trial,
        AtStart::Nothing
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_push_delivered_again_is_not_staged_twice() {
    use hall_api::updates::RemoteAction;
    use kiosk::fleet::actions::{ActionRunner, After};
    let f = fixture_with(false).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(&f, dir.path(), &window(120, 180));
    let old = std::fs::read_to_string(&config).unwrap();
    let pushed = old.replace("heartbeat_secs = 5", "heartbeat_secs = 30");
    let runner = ActionRunner::new(
        f.client.clone(),
        "zizhu-01",
        config.clone(),
        dir.path().to_path_buf(),
        Arc::new(|| Ok(String::new())),
    );
    let action = RemoteAction {
        id: "a1".into(),
        action: ActionRequest::Config {
            toml: pushed.clone(),
        },
    };
    let prev = dir.path().join("kiosk.toml.prev");
    let (first, after) = runner.perform(&action).await;
    assert!(first.ok, "{first:?}");
    assert_eq!(after, After::Restart);
    // Its result was lost: delivered again before the restart, still to restart, and the
    // old file stays the one kept.
    let (again, after) = runner.perform(&action).await;
    assert!(again.ok, "{again:?}");
    assert_eq!(after, After::Restart);
    assert_eq!(std::fs::read_to_string(&prev).unwrap(), old);
    // Delivered again after the restart, on trial: nothing more to do.
    assert!(matches!(
        FleetOptions::at_start(&config).trial,
        AtStart::OnTrial(_)
    ));
    let (later, after) = runner.perform(&action).await;
    assert!(later.ok && later.output.contains("in place"), "{later:?}");
    assert_eq!(after, After::Continue);
    assert_eq!(std::fs::read_to_string(&prev).unwrap(), old);
    assert_eq!(std::fs::read_to_string(&config).unwrap(), pushed);
}
