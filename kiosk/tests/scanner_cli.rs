//! `kioskctl scanner simulate --pty` and `kioskctl scanner listen` as a technician runs them:
//! two real processes talking over the simulator's pseudo-terminal.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const KIOSKCTL: &str = env!("CARGO_BIN_EXE_kioskctl");

/// Kills a child process when the test ends, pass or fail.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_simulated_scanner_is_heard_by_listen_across_an_unplug() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("scanner");
    let mut sim = Reaped(
        Command::new(KIOSKCTL)
            .args(["scanner", "simulate", "--pty", "--link"])
            .arg(&link)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("kioskctl runs"),
    );
    // The first stdout line is the path to open.
    let mut first = String::new();
    BufReader::new(sim.0.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first.trim(), link.to_str().unwrap());

    let mut listen = Reaped(
        Command::new(KIOSKCTL)
            .args([
                "scanner",
                "listen",
                "--count",
                "3",
                "--timeout",
                "30",
                "--port",
            ])
            .arg(&link)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kioskctl runs"),
    );
    let mut listen_err = BufReader::new(listen.0.stderr.take().unwrap());
    let mut listen_out = BufReader::new(listen.0.stdout.take().unwrap());
    wait_for_line(&mut listen_err, "scanner online");

    let mut to_sim = sim.0.stdin.take().unwrap();
    writeln!(to_sim, "https://zwfw.example.gov.cn/yy?no=A0042").unwrap();
    writeln!(to_sim, ":raw 1b5b324a0d").unwrap(); // ESC [2J CR: must be rejected
    writeln!(to_sim, ":sym ean13").unwrap();
    writeln!(to_sim, "6901234567892").unwrap();
    to_sim.flush().unwrap();
    wait_for_line(
        &mut listen_err,
        "rejected: code rejected: control character U+001B",
    );
    // Both codes must be read before the unplug: a real unplug loses what was in flight too.
    assert_eq!(
        next_line(&mut listen_out),
        "qr          https://zwfw.example.gov.cn/yy?no=A0042\n"
    );
    assert_eq!(next_line(&mut listen_out), "ean13       6901234567892\n");

    writeln!(to_sim, ":unplug").unwrap();
    to_sim.flush().unwrap();
    wait_for_line(&mut listen_err, "scanner offline");
    writeln!(to_sim, ":replug").unwrap();
    to_sim.flush().unwrap();
    wait_for_line(&mut listen_err, "scanner online");
    writeln!(to_sim, "预约号 A0043").unwrap();
    to_sim.flush().unwrap();

    assert_eq!(next_line(&mut listen_out), "ean13       预约号 A0043\n");
    let start = Instant::now();
    while listen.0.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = listen.0.try_wait().unwrap();
    assert!(
        status.is_some_and(|s| s.success()),
        "listen exits 0 after --count 3"
    );
    assert_eq!(
        next_line(&mut listen_out),
        "",
        "nothing after the third scan"
    );
}

/// The next line of a child's output ("" at its end).
fn next_line(reader: &mut impl BufRead) -> String {
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .expect("child stdout is readable");
    line
}

/// Reads stderr lines until one contains `needle` (a hang guard, not a timing check).
fn wait_for_line(reader: &mut impl BufRead, needle: &str) {
    let mut seen = Vec::new();
    loop {
        let mut line = String::new();
        let n = reader
            .read_line(&mut line)
            .expect("child stderr is readable");
        assert!(n > 0, "stream ended before {needle:?}; saw {seen:?}");
        if line.contains(needle) {
            return;
        }
        seen.push(line);
    }
}

#[test]
fn listen_without_a_scan_times_out_with_status_1() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(KIOSKCTL)
        .args(["scanner", "listen", "--timeout", "1", "--port"])
        .arg(dir.path().join("nothing-here"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("scanner powerOff") && err.contains("kioskctl devices"),
        "{err}"
    );
    assert!(err.contains("no scan within 1 s"), "{err}");
}

#[test]
fn devices_prints_a_readable_listing_and_exits_0() {
    let out = Command::new(KIOSKCTL).arg("devices").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Serial ports\n"), "{text}");
    assert!(text.contains("\nUSB devices\n"), "{text}");
    if !std::path::Path::new("/sys/bus/usb").exists() {
        assert!(text.contains("No USB bus on this machine"), "{text}");
    }
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
