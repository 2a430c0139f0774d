//! The kiosk's side of updates against a real hall on loopback: the heartbeat's answer
//! offers a bundle, the kiosk downloads it in ranges (resuming a partial file), checks its
//! SHA-256 and hands it to the installer (a fake behind the real trait: no slotted system
//! runs here); a partial file that does not match ends as a reported failure that halts the
//! rollout. The last tests run the real service (`serve_with`, the fake installer behind
//! the same trait) against that hall: see [`service`].

// Test helpers: a panic is how they report a failure.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use hall::store::sqlite::SqliteStore;
use hall::store::{PrincipalKind, Store};
use hall::updates::{Bundle, RolloutState, UpdateStore};
use hall::{AppState, Settings};
use hall_api::fleet::{Heartbeat, OutboxDepth, Versions};
use hall_api::updates::UpdateState;
use kiosk::fleet::install::{InstallError, Installer};
use kiosk::fleet::Updater;
use kiosk::hall::HallClient;
use sha2::Digest;

#[derive(Default)]
struct FakeInstaller {
    installed: Mutex<Vec<Vec<u8>>>,
    reboots: Mutex<u32>,
    /// The boot id it reports (default `boot-1`): a start after a (fake) reboot has another.
    boot: Option<String>,
    /// The update state file, read while installing: what the kiosk reported meanwhile.
    state_file: Option<PathBuf>,
    during_install: Mutex<Vec<String>>,
}

impl Installer for FakeInstaller {
    fn install(&self, bundle: &Path) -> Result<(), InstallError> {
        let bytes = std::fs::read(bundle).map_err(|e| InstallError::Other(e.to_string()))?;
        if let Some(file) = &self.state_file {
            let saved: serde_json::Value =
                serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
            let state = saved["report"]["state"].as_str().unwrap_or_default();
            self.during_install.lock().unwrap().push(state.to_owned());
        }
        self.installed.lock().unwrap().push(bytes);
        Ok(())
    }
    fn reboot(&self) -> Result<(), InstallError> {
        *self.reboots.lock().unwrap() += 1;
        Ok(())
    }
    fn booted_slot(&self) -> Option<String> {
        Some("A".into())
    }
    fn boot_id(&self) -> Option<String> {
        Some(self.boot.clone().unwrap_or_else(|| "boot-1".into()))
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    data: PathBuf,
    store: Arc<SqliteStore>,
    client: HallClient,
    content: Vec<u8>,
    sha: String,
    url: String,
    credential: PathBuf,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn fixture() -> Fixture {
    fixture_with(true).await
}

/// The hall with the 2.0.0 bundle stored, and its rollout started when `rollout`.
async fn fixture_with(rollout: bool) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let bundles = dir.path().join("bundles");
    std::fs::create_dir_all(&bundles).unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("hall.db")).unwrap());
    let state = AppState::new(
        store.clone(),
        hall::crypto::Secrets::generate().unwrap(),
        Settings {
            bundle_dir: Some(bundles.clone()),
            ..Settings::default()
        },
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(hall::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    let issued = hall::auth::issue(PrincipalKind::Kiosk, "zizhu-01", "fleet test").unwrap();
    store.put_principal(issued.principal.clone()).await.unwrap();
    let cred = dir.path().join("credential");
    std::fs::write(&cred, issued.token.as_bytes()).unwrap();
    let client = HallClient::new(
        &kiosk_config::schema::Hall {
            base_url: url.clone(),
            credential_file: Some(cred.clone()),
            connect_timeout_ms: 2_000,
            request_timeout_ms: 5_000,
            ..kiosk_config::schema::Hall::default()
        },
        "zizhu-01",
    )
    .unwrap();
    // Three and a half chunks.
    let content: Vec<u8> = (0..(3 * 1024 * 1024 + 512 * 1024) as u32)
        .map(|i| (i % 241) as u8)
        .collect();
    let sha = hex::encode(sha2::Sha256::digest(&content));
    std::fs::write(bundles.join(format!("{sha}.raucb")), &content).unwrap();
    store
        .add_bundle(Bundle {
            sha256: sha.clone(),
            version: "2.0.0".into(),
            compatible: "zizhu-kiosk".into(),
            size: content.len() as u64,
            signer: String::new(),
            added_at: chrono::Utc::now(),
        })
        .await
        .unwrap();
    if rollout {
        start_rollout(store.as_ref()).await;
    }
    Fixture {
        data: dir.path().join("updates"),
        _dir: dir,
        store,
        client,
        content,
        sha,
        url,
        credential: cred,
        _stop: stop,
    }
}

async fn start_rollout(store: &SqliteStore) {
    hall::updates::cli::start_rollout(store, "2.0.0", "all", "100", "0%", "ops")
        .await
        .unwrap();
}

fn heartbeat(updater: &Updater) -> Heartbeat {
    Heartbeat {
        sent_at: chrono::Utc::now(),
        uptime_seconds: 1,
        versions: Versions {
            kiosk: "1.0.0".into(),
            image: Some("1.0.0".into()),
            catalog: None,
        },
        devices: Vec::new(),
        outbox: OutboxDepth::default(),
        update: Some(updater.report()),
        location: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offered_bundle_is_downloaded_resumed_checked_and_installed() {
    let f = fixture().await;
    let installer = Arc::new(FakeInstaller {
        state_file: Some(f.data.join("state.json")),
        ..FakeInstaller::default()
    });
    let updater = Updater::new(f.client.clone(), f.data.clone(), installer.clone());
    assert_eq!(updater.report().slot.as_deref(), Some("A"));
    // A download cut short earlier: the first 1.25 MiB are on disk.
    std::fs::create_dir_all(&f.data).unwrap();
    std::fs::write(
        f.data.join(format!("{}.partial", f.sha)),
        &f.content[..1_310_720],
    )
    .unwrap();
    let ack = f.client.heartbeat(&heartbeat(&updater)).await.unwrap();
    let wanted = ack.update.expect("the rollout offers 2.0.0");
    updater.offer(&wanted).await.unwrap();
    assert_eq!(
        installer.installed.lock().unwrap().as_slice(),
        std::slice::from_ref(&f.content)
    );
    assert_eq!(
        installer.during_install.lock().unwrap().as_slice(),
        ["installing"],
        "while the bundle is written, the kiosk says so"
    );
    let report = updater.report();
    assert_eq!(
        (report.state, report.target.as_deref()),
        (UpdateState::Installed, Some("2.0.0"))
    );
    // Nothing left behind but the update state, which says what was installed.
    let left: Vec<String> = std::fs::read_dir(&f.data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["state.json"]);
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(f.data.join("state.json")).unwrap()).unwrap();
    assert_eq!(saved["report"]["state"], "installed", "{saved}");
    assert_eq!(saved["report"]["target"], "2.0.0", "{saved}");
    // Reported in the next heartbeat; the hall sees it installed.
    f.client.heartbeat(&heartbeat(&updater)).await.unwrap();
    let rollout = f.store.active_rollout().await.unwrap().unwrap();
    let k = f
        .store
        .rollout_kiosk(&rollout.id, "zizhu-01")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(k.outcome.as_str(), "installed");
    // Offered again: nothing downloads twice.
    updater.offer(&wanted).await.unwrap();
    assert_eq!(installer.installed.lock().unwrap().len(), 1);
    // It reboots only in the quiet window and with nobody at the screen.
    assert!(updater.reboot_due((120, 300), 150, false));
    assert!(!updater.reboot_due((120, 300), 150, true));
    assert!(!updater.reboot_due((120, 300), 600, false));
    // Asked for once, the reboot is not asked for again by this start: until a start sees
    // the boot it led to (the trial boot of the new slot may not know its slot yet: a
    // second reboot would use up its one try and fall back).
    updater.reboot().unwrap();
    assert_eq!(*installer.reboots.lock().unwrap(), 1);
    assert!(!updater.reboot_due((120, 300), 150, false));
    // The service restarts in the same boot (same boot id, still slot A): that is no
    // fall-back; the update stays installed and the reboot is due again.
    let restarted = Updater::new(f.client.clone(), f.data.clone(), installer.clone());
    let report = restarted.report();
    assert_eq!(
        (report.state, report.failed_version),
        (UpdateState::Installed, None),
        "a restart of the service before the reboot must not count as a fall-back"
    );
    assert!(restarted.reboot_due((120, 300), 150, false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_that_does_not_match_its_hash_is_never_installed_and_halts_the_rollout() {
    let f = fixture().await;
    let installer = Arc::new(FakeInstaller::default());
    let updater = Updater::new(f.client.clone(), f.data.clone(), installer.clone());
    // A partial file with wrong bytes: resumed, so the whole no longer matches.
    std::fs::create_dir_all(&f.data).unwrap();
    std::fs::write(
        f.data.join(format!("{}.partial", f.sha)),
        vec![0u8; 100_000],
    )
    .unwrap();
    let ack = f.client.heartbeat(&heartbeat(&updater)).await.unwrap();
    let err = updater.offer(&ack.update.unwrap()).await.unwrap_err();
    assert_eq!(err.code(), "sha256Mismatch");
    assert!(installer.installed.lock().unwrap().is_empty());
    assert!(
        !f.data.join(format!("{}.partial", f.sha)).exists(),
        "the bad file is deleted"
    );
    let report = updater.report();
    assert_eq!(
        (report.state, report.failed_version.as_deref()),
        (UpdateState::Failed, Some("2.0.0"))
    );
    let ack = f.client.heartbeat(&heartbeat(&updater)).await.unwrap();
    assert!(ack.update.is_none());
    let halted = f.store.rollouts().await.unwrap().remove(0);
    assert_eq!(halted.state, RolloutState::Halted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_actions_run_once_and_their_results_reach_the_hall() {
    use hall_api::updates::ActionRequest;
    use kiosk::fleet::actions::{ActionRunner, After};
    let f = fixture().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kiosk.toml");
    std::fs::write(&config, "# old\n").unwrap();
    let runner = ActionRunner::new(
        f.client.clone(),
        "zizhu-01",
        config.clone(),
        dir.path().join("data"),
        Arc::new(|| Ok("idcard: online\nprinter: online (paper full)".to_owned())),
    );
    let store = f.store.as_ref();
    let selftest =
        hall::updates::cli::queue_action(store, "zizhu-01", ActionRequest::Selftest, "ops")
            .await
            .unwrap();
    let bad = hall::updates::cli::queue_action(
        store,
        "zizhu-01",
        ActionRequest::Config {
            toml: "[ui]\nrotation = 45\n".into(),
        },
        "ops",
    )
    .await
    .unwrap();
    let updater = Updater::new(
        f.client.clone(),
        f.data.clone(),
        Arc::new(FakeInstaller::default()),
    );
    let ack = f.client.heartbeat(&heartbeat(&updater)).await.unwrap();
    assert_eq!(ack.actions.len(), 2);
    assert_eq!(runner.run(&ack.actions).await, After::Continue);
    // Run once: the same answer again does nothing.
    assert_eq!(runner.run(&ack.actions).await, After::Continue);
    let done = store.actions(Some("zizhu-01"), 10).await.unwrap();
    let by_id = |id: &str| done.iter().find(|a| a.id == id).unwrap().clone();
    assert_eq!(by_id(&selftest).ok, Some(true));
    assert!(by_id(&selftest).output.unwrap().contains("printer: online"));
    let refused = by_id(&bad);
    assert_eq!(refused.ok, Some(false));
    assert!(refused.output.unwrap().contains("ui.rotation"));
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        "# old\n",
        "a refused file changes nothing"
    );
    assert!(f
        .client
        .heartbeat(&heartbeat(&updater))
        .await
        .unwrap()
        .actions
        .is_empty());
    // A restart is answered first, then asks the service to exit.
    hall::updates::cli::queue_action(store, "zizhu-01", ActionRequest::Restart, "ops")
        .await
        .unwrap();
    let ack = f.client.heartbeat(&heartbeat(&updater)).await.unwrap();
    assert_eq!(runner.run(&ack.actions).await, After::Restart);
    assert!(f
        .client
        .heartbeat(&heartbeat(&updater))
        .await
        .unwrap()
        .actions
        .is_empty());
}

#[path = "fleet_service.rs"]
mod service;
