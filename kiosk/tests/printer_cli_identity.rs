//! `kioskctl printer test` prints the kiosk's identity from kiosk.toml (the global
//! `--config`), with `--kiosk-id/--hall/--location` as overrides, and says on stderr when
//! the configuration does not load. The real binary against the emulator on a pty; what
//! was printed is read back from the emulator's command log.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use kiosk_drivers::printer::sim::runner::{open_pty, spawn, EmulatorHandle};
use kiosk_drivers::printer::sim::{Emulator, EmulatorConfig};

struct Bench {
    dir: tempfile::TempDir,
    port: String,
    emulator: EmulatorHandle,
    _host_side: serialport::TTYPort,
}

fn bench() -> Bench {
    let dir = tempfile::tempdir().expect("temp dir");
    let link = dir.path().join("printer");
    let pty = open_pty(Some(&link)).expect("pty");
    let cfg = EmulatorConfig::paper_mm(80, Some(dir.path().join("out"))).expect("cfg");
    let emulator = spawn(Emulator::new(cfg).expect("emulator"), Box::new(pty.master));
    Bench {
        port: link.to_str().expect("utf-8 path").to_owned(),
        dir,
        emulator,
        _host_side: pty.slave,
    }
}

/// A valid kiosk.toml (with its outbox key) naming this kiosk.
fn write_config(dir: &Path) -> String {
    let key = dir.join("outbox.key");
    std::fs::write(&key, [3u8; 32]).expect("key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let path = dir.join("kiosk.toml");
    std::fs::write(
        &path,
        "[identity]\nkiosk_id = \"HZ-XH-0042\"\nhall_name = \"西湖区政务服务中心\"\n\
         location = \"一楼东侧自助区\"\n[outbox]\nkey_file = \"outbox.key\"\n",
    )
    .expect("config");
    path.to_str().expect("utf-8 path").to_owned()
}

fn kioskctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kioskctl"))
        .args(args)
        .env_remove("KIOSK_CONFIG")
        .output()
        .expect("run kioskctl")
}

/// Every text line the emulator decoded, from its log.
fn printed_text(out: &Path) -> Vec<String> {
    let log = std::fs::read_to_string(out.join("log.jsonl")).expect("emulator log");
    log.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["cmd"] == "text")
        .filter_map(|v| v["text"].as_str().map(str::to_owned))
        .collect()
}

fn contains(lines: &[String], what: &str) -> bool {
    lines.iter().any(|l| l.contains(what))
}

#[test]
fn the_test_receipt_carries_the_identity_from_the_configuration() {
    let b = bench();
    let config = write_config(b.dir.path());
    let out = kioskctl(&["--config", &config, "printer", "test", "--port", &b.port]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("did not load"), "{stderr}");
    assert_eq!(b.emulator.printed(), 1);
    let text = printed_text(&b.dir.path().join("out"));
    assert!(contains(&text, "HZ-XH-0042"), "{text:?}");
    assert!(contains(&text, "西湖区政务服务中心"), "{text:?}");
    assert!(contains(&text, "一楼东侧自助区"), "{text:?}");
}

#[test]
fn options_override_the_configuration() {
    let b = bench();
    let config = write_config(b.dir.path());
    let args = [
        "--config",
        &config,
        "printer",
        "test",
        "--port",
        &b.port,
        "--kiosk-id",
        "BENCH-9",
    ];
    let out = kioskctl(&args);
    assert_eq!(out.status.code(), Some(0));
    let text = printed_text(&b.dir.path().join("out"));
    assert!(contains(&text, "BENCH-9"), "{text:?}");
    assert!(!contains(&text, "HZ-XH-0042"), "{text:?}");
    // What was not overridden still comes from the file.
    assert!(contains(&text, "西湖区政务服务中心"), "{text:?}");
}

#[test]
fn a_configuration_that_does_not_load_is_named_and_the_options_are_used() {
    let b = bench();
    let missing = b.dir.path().join("absent.toml");
    let missing = missing.to_str().expect("utf-8 path");
    let args = [
        "--config",
        missing,
        "printer",
        "test",
        "--port",
        &b.port,
        "--hall",
        "测试大厅",
    ];
    let out = kioskctl(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("did not load"), "{stderr}");
    assert!(stderr.contains("absent.toml"), "{stderr}");
    let text = printed_text(&b.dir.path().join("out"));
    assert!(contains(&text, "测试大厅"), "{text:?}");
}
