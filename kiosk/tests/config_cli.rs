//! `kioskctl config …` as a technician runs it: the real binary, real files, exit codes.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

fn kioskctl(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kioskctl"));
    command.args(args).env_remove("KIOSK_CONFIG");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run kioskctl")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn example() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../config/examples/kiosk.toml")
        .to_string_lossy()
        .into_owned()
}

/// A folder holding a valid config and its key; returns the folder and the config path.
fn valid_config(extra: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = dir.path().join("outbox.key");
    std::fs::write(&key, [3u8; 32]).expect("key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let config = dir.path().join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "[identity]\nkiosk_id = \"bench-01\"\n[outbox]\nkey_file = \"outbox.key\"\n{extra}"
        ),
    )
    .expect("config");
    let path = config.to_string_lossy().into_owned();
    (dir, path)
}

#[test]
fn the_example_passes_on_a_provisioned_root_and_names_missing_files_elsewhere() {
    let root = tempfile::tempdir().unwrap();
    let etc = root.path().join("etc/kiosk");
    std::fs::create_dir_all(&etc).unwrap();
    for name in ["credential", "outbox.key"] {
        std::fs::write(etc.join(name), [1u8; 32]).unwrap();
        std::fs::set_permissions(etc.join(name), std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    std::fs::write(
        etc.join("hall-ca.pem"),
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let root_arg = root.path().to_string_lossy().into_owned();
    let ok = kioskctl(&["config", "check", "--root", &root_arg, &example()], &[]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    assert!(text(&ok).contains("OK"));

    let bare = tempfile::tempdir().unwrap();
    let bare_arg = bare.path().to_string_lossy().into_owned();
    let missing = kioskctl(&["config", "check", "--root", &bare_arg, &example()], &[]);
    assert_eq!(missing.status.code(), Some(2));
    let out = text(&missing);
    assert!(out.contains("hall.credential_file"), "{out}");
    assert!(out.contains("outbox.key_file"), "{out}");
}

#[test]
fn each_kind_of_broken_file_exits_2_with_its_place_and_no_backtrace() {
    let cases = [
        ("[devices.printer]\nbaud = 11520\n", "did you mean 115200?"),
        ("[devices.printer\n", "TOML syntax error"),
        ("[devices.printer]\npaper_mm = \"wide\"\n", "expected u32"),
        ("[devices.printer]\ncolour = 1\n", "unknown key `colour`"),
        ("[ui]\nidle_timeout_secs = 5\n", "out of range"),
        ("[hall]\ncredential_file = \"nowhere\"\n", "does not exist"),
    ];
    for (extra, expected) in cases {
        let (_dir, config) = valid_config(extra);
        let output = kioskctl(&["config", "check", &config], &[]);
        let out = text(&output);
        assert_eq!(output.status.code(), Some(2), "{extra}: {out}");
        assert!(out.contains(expected), "{extra}: {out}");
        assert!(out.contains("kiosk.toml:"), "no file:line in {out}");
        assert!(
            !out.contains("panicked") && !out.contains("RUST_BACKTRACE"),
            "{out}"
        );
    }

    let output = kioskctl(&["config", "check", "/nonexistent/kiosk.toml"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output).contains("cannot read"));
}

#[test]
fn a_world_readable_key_is_refused() {
    let (dir, config) = valid_config("");
    std::fs::set_permissions(
        dir.path().join("outbox.key"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let output = kioskctl(&["config", "check", &config], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output).contains("chmod 600"));
}

#[test]
fn show_prints_the_effective_configuration_with_overrides_and_no_pin_hash() {
    let (_dir, config) = valid_config(
        "[ui]\nmaintenance_pin_hash = \"pbkdf2-sha256$100000$42a94c9ba5b96be17b6667bf83208694$ec23af7dfba2913b1d6a292a16ff811428f169b420c8fa85c00aebfd875fce28\"\n",
    );
    let output = kioskctl(
        &["config", "show"],
        &[
            ("KIOSK_CONFIG", &config),
            ("KIOSK_DEVICES__PRINTER__PAPER_MM", "58"),
        ],
    );
    let out = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let shown: toml::Table = toml::from_str(&out).expect("show prints TOML");
    assert_eq!(
        shown["devices"]["printer"]["paper_mm"].as_integer(),
        Some(58)
    );
    assert_eq!(shown["identity"]["kiosk_id"].as_str(), Some("bench-01"));
    assert_eq!(
        shown["ui"]["maintenance_pin_hash"].as_str(),
        Some("<redacted>")
    );
    assert!(!out.contains("ec23af7d"));
}

#[test]
fn hash_pin_output_is_accepted_by_check() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kioskctl"))
        .args(["config", "hash-pin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"731902\n").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let line = String::from_utf8(output.stdout).unwrap();
    assert!(line.starts_with("maintenance_pin_hash = \"pbkdf2-sha256$"));
    assert!(!line.contains("731902"));

    let (_dir, config) = valid_config(&format!("[ui]\n{line}"));
    let check = kioskctl(&["config", "check", &config], &[]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    assert!(text(&check).contains("0 warning(s)"));

    let short = Command::new(env!("CARGO_BIN_EXE_kioskctl"))
        .args(["config", "hash-pin"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(short.status.code(), Some(2));
}

#[test]
fn a_reader_that_went_away_ends_kioskctl_quietly() {
    // `kioskctl config show | head -1`, with the reader gone before kioskctl writes: the
    // write meets EPIPE. kioskctl must end as a program killed by SIGPIPE would (141), with
    // no panic message.
    let (dir, config) = valid_config("");
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let output = Command::new(env!("CARGO_BIN_EXE_kioskctl"))
        .args(["config", "show", "--config", &config])
        .env_remove("KIOSK_CONFIG")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("run kioskctl");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(141), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    drop(dir);
}
