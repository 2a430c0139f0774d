//! `kioskctl printer simulate --port PATH` on a path that is not a tty: the USB printer
//! gadget (`/dev/g_printer0`) of the HIL guest is a character device without termios, which
//! the emulator once refused ("Not a typewriter"). A real FIFO stands in for it here: the
//! real binary serves it, a receipt written into it comes out as a PNG.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// O_NONBLOCK: an open for writing fails (ENXIO) until the emulator has the FIFO open,
/// instead of blocking forever if it never does.
const O_NONBLOCK: i32 = 0o4000;

fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_emulator_serves_a_character_device_that_is_not_a_tty() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("g_printer0");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success());
    let out = dir.path().join("out");
    let mut emulator = Command::new(env!("CARGO_BIN_EXE_kioskctl"))
        .args(["printer", "simulate", "--port"])
        .arg(&fifo)
        .arg("--out")
        .arg(&out)
        .env_remove("KIOSK_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start kioskctl printer simulate");

    let mut host = None;
    wait_for("the emulator to open the FIFO", || {
        if let Ok(Some(status)) = emulator.try_wait() {
            panic!("the emulator exited early: {status}");
        }
        host = OpenOptions::new()
            .write(true)
            .custom_flags(O_NONBLOCK)
            .open(&fifo)
            .ok();
        host.is_some()
    });
    let mut host = host.expect("host side open");
    // ESC @, a line of text, a full cut (GS V 0).
    host.write_all(b"\x1b@GADGET TEST 0042\n\n\x1dV\x00")
        .expect("write the receipt");
    let png = out.join("receipt-0001.png");
    wait_for("the receipt's PNG", || Path::new(&png).exists());

    drop(emulator.stdin.take()); // Ctrl-D: the emulator stops
    let done = emulator.wait_with_output().expect("emulator ends");
    let stdout = String::from_utf8_lossy(&done.stdout);
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("1 receipt(s) printed"), "{stdout}");
    assert!(!stderr.contains("typewriter"), "{stderr}");
    // The FIFO is the device: the emulator must not have replaced it with a pty link.
    let kind = std::fs::symlink_metadata(&fifo).expect("fifo still there");
    assert!(!kind.file_type().is_symlink());
    let log = std::fs::read_to_string(out.join("log.jsonl")).expect("log");
    assert!(log.contains("GADGET TEST 0042"), "{log}");
}
