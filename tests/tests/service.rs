//! The kiosk service against the real hall on loopback: it fetches and caches the catalog,
//! its heartbeat reaches the operators' fleet view, `/metrics` and `/healthz` answer,
//! `kioskctl status` reads it through the admin socket, and SIGTERM stops it cleanly.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use kiosk_e2e::{eventually, free_port, kioskctl, workspace_bin, write_secret, Hall, Process};

/// The version of the catalog the hall serves now.
fn served_version(hall: &Hall) -> String {
    let catalog: serde_json::Value =
        reqwest::blocking::get(format!("{}api/v1/catalog", hall.url()))
            .and_then(|r| r.json())
            .expect("the hall serves its catalog");
    catalog["version"].as_str().unwrap_or_default().to_owned()
}

fn kiosk_config(dir: &Path, hall: &str, metrics_port: u16) -> std::path::PathBuf {
    let text = format!(
        r#"
[identity]
kiosk_id = "e2e-01"
hall_name = "测试县政务服务中心"
location = "测试机"

[hall]
base_url = "{hall}"
credential_file = "kiosk.credential"

[devices.idcard]
device = "none"
[devices.printer]
device = "none"
[devices.scanner]
device = "none"
[devices.audio]
pcm = "none"

[outbox]
db_path = "outbox.sqlite"
key_file = "outbox.key"
catalog_cache = "catalog.json"

[health]
metrics_listen = "127.0.0.1:{metrics_port}"
heartbeat_secs = 5
admin_socket = "admin.sock"
"#
    );
    let path = dir.join("kiosk.toml");
    std::fs::write(&path, text).expect("write config");
    write_secret(&dir.join("outbox.key"), &[9u8; 32]);
    path
}

#[test]
fn the_service_reports_to_the_hall_and_to_the_technician() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hall.sqlite");
    let hall = Hall::start(&db, "127.0.0.1:0");
    let credential = Hall::credential(&db, "kiosk", "e2e-01");
    write_secret(&dir.path().join("kiosk.credential"), credential.as_bytes());
    let operator = Hall::credential(&db, "operator", "ops");

    let metrics_port = free_port();
    let config = kiosk_config(dir.path(), &hall.url(), metrics_port);
    let mut command = Command::new(workspace_bin("kiosk"));
    command
        .arg("--config")
        .arg(&config)
        .arg("--headless")
        .env("RUST_LOG", "info");
    let mut kiosk = Process::start(command);
    kiosk.wait_for_line("kiosk service ready", Duration::from_secs(30));
    kiosk.wait_for_line("catalog updated", Duration::from_secs(30));
    assert!(
        dir.path().join("catalog.json").exists(),
        "catalog cached on disk"
    );

    // The technician's view, through the admin socket.
    let socket = dir.path().join("admin.sock");
    let socket = socket.to_string_lossy();
    let (code, out, err) = kioskctl(&["status", "--socket", &socket]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("kiosk e2e-01"), "{out}");
    assert!(out.contains("noDevice"), "{out}");
    let version = served_version(&hall);
    assert!(out.contains(&format!("catalog: {version}")), "{out}");
    let (code, out, _) = kioskctl(&["outbox", "list", "--socket", &socket]);
    assert_eq!(code, Some(0));
    assert!(out.contains("outbox empty"), "{out}");

    // The operator's view: the heartbeat arrived.
    let client = reqwest::blocking::Client::new();
    let fleet = eventually(Duration::from_secs(20), || {
        let body: serde_json::Value = client
            .get(format!("{}api/v1/fleet", hall.url()))
            .bearer_auth(&operator)
            .send()
            .ok()?
            .json()
            .ok()?;
        let kiosk = body["kiosks"]
            .as_array()?
            .iter()
            .find(|k| k["kioskId"] == "e2e-01")?
            .clone();
        (kiosk["online"] == true).then_some(kiosk)
    })
    .expect("the kiosk shows as online in the fleet view");
    // The reader, the printer, the scanner, the loudspeaker, the document camera and the A4
    // printer, each "not fitted" here.
    assert_eq!(
        fleet["devices"].as_array().map(Vec::len),
        Some(6),
        "{fleet}"
    );

    // Prometheus and probes.
    let metrics = client
        .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        metrics.contains("kiosk_last_backend_success_timestamp_seconds"),
        "{metrics}"
    );
    assert!(metrics.contains("kiosk_device_state{device=\"printer\",state=\"noDevice\"} 1"));
    let health = client
        .get(format!("http://127.0.0.1:{metrics_port}/healthz"))
        .send()
        .unwrap();
    assert!(health.status().is_success());

    assert_eq!(kiosk.terminate(Duration::from_secs(20)), Some(0));
    assert!(
        !Path::new(&*socket).exists(),
        "admin socket removed on exit"
    );
}

#[test]
fn without_the_hall_the_kiosk_serves_from_its_cached_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hall.sqlite");
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut hall = Hall::start(&db, &listen);
    let credential = Hall::credential(&db, "kiosk", "e2e-01");
    write_secret(&dir.path().join("kiosk.credential"), credential.as_bytes());
    let config = kiosk_config(dir.path(), &hall.url(), free_port());

    let start = || {
        let mut command = Command::new(workspace_bin("kiosk"));
        command.arg("--config").arg(&config).arg("--headless");
        Process::start(command)
    };
    let mut first = start();
    first.wait_for_line("catalog updated", Duration::from_secs(30));
    assert_eq!(first.terminate(Duration::from_secs(20)), Some(0));
    let version = served_version(&hall);

    hall.process.kill();
    let mut second = start();
    second.wait_for_line("serving the cached catalog", Duration::from_secs(30));
    let socket = dir.path().join("admin.sock");
    let status = eventually(Duration::from_secs(10), || {
        let (code, out, _) = kioskctl(&["status", "--socket", &socket.to_string_lossy()]);
        (code == Some(0)).then_some(out)
    })
    .expect("status answers");
    assert!(status.contains(&format!("catalog: {version}")), "{status}");
}

/// With a screen and a configuration that does not load (no credential yet, as on a fresh
/// image), the kiosk does not exit and leave the screen black: it draws 暂停服务, says why in
/// its log, and stays up; once the file loads it exits by itself, so that systemd starts the
/// service on it. Without a screen it refuses at once, as before.
/// How often an unconfigured kiosk reads its file again (`kiosk::display::unconfigured::RECHECK`).
const RECHECK: Duration = Duration::from_secs(5);

#[test]
fn an_unconfigured_kiosk_shows_out_of_service_until_its_configuration_loads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = kiosk_config(dir.path(), "http://127.0.0.1:9/", free_port());

    let mut headless = Command::new(workspace_bin("kiosk"));
    headless.arg("--config").arg(&config).arg("--headless");
    let mut headless = Process::start(headless);
    assert_eq!(headless.wait_exit(Duration::from_secs(30)), Some(2));
    assert!(
        headless
            .drain()
            .iter()
            .any(|l| l.contains("kiosk.credential")),
        "{:?}",
        headless.log
    );

    let mut command = Command::new(workspace_bin("kiosk"));
    command
        .arg("--config")
        .arg(&config)
        .arg("--offscreen")
        .current_dir(dir.path());
    let mut kiosk = Process::start(command);
    kiosk.wait_for_line("is out of service until", Duration::from_secs(30));
    kiosk.wait_for_line("first frame drawn", Duration::from_secs(30));
    // It stays up past a re-read of the still broken file.
    assert_eq!(
        kiosk.wait_exit(RECHECK + Duration::from_secs(2)),
        None,
        "exited: {:?}",
        kiosk.drain()
    );

    write_secret(&dir.path().join("kiosk.credential"), b"e2e-01.secret");
    assert_eq!(kiosk.wait_exit(RECHECK * 3), Some(0), "{:?}", kiosk.drain());
    assert!(
        kiosk.drain().iter().any(|l| l.contains("loads now")),
        "{:?}",
        kiosk.log
    );
}
