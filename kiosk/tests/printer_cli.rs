//! `kioskctl printer status|test` against the emulator on a pseudo-terminal, as a technician
//! would run them on the bench: the words printed and the exit codes.

use std::process::Command;

use kiosk_drivers::printer::sim::runner::{open_pty, spawn};
use kiosk_drivers::printer::sim::{Emulator, EmulatorConfig};

fn kioskctl(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kioskctl"))
        .args(args)
        .output()
        .expect("run kioskctl");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn status_and_test_print_speak_to_the_technician() {
    let dir = tempfile::tempdir().expect("temp dir");
    let link = dir.path().join("printer");
    let pty = open_pty(Some(&link)).expect("pty");
    let emu =
        Emulator::new(EmulatorConfig::paper_mm(58, Some(dir.path().join("out"))).expect("cfg"))
            .expect("emulator");
    let handle = spawn(emu, Box::new(pty.master));
    let port = link.to_str().expect("utf-8 path");

    let (code, text) = kioskctl(&[
        "printer",
        "status",
        "--port",
        port,
        "--profile",
        "generic-58",
    ]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("online, paper OK"), "{text}");

    let (code, text) = kioskctl(&[
        "printer",
        "test",
        "--port",
        port,
        "--profile",
        "generic-58",
        "--kiosk-id",
        "KS-7",
    ]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("confirmed by the printer"), "{text}");
    assert_eq!(handle.printed(), 1);
    assert!(dir.path().join("out/receipt-0001.png").exists());

    handle.apply_fault("cover-open").expect("fault");
    let (code, text) = kioskctl(&["printer", "status", "--port", port]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("cover open: close the printer cover"),
        "{text}"
    );
    let (code, text) = kioskctl(&["printer", "test", "--port", port]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("NOT printed"), "{text}");
    assert_eq!(handle.printed(), 1);
    drop(pty.slave);
}

#[test]
fn bad_ports_and_ids_are_explained() {
    let (code, text) = kioskctl(&["printer", "status", "--port", "/nonexistent/tty"]);
    assert_eq!(code, 2);
    assert!(
        text.contains("cannot open serial port /nonexistent/tty"),
        "{text}"
    );
    let (code, text) = kioskctl(&["printer", "status", "--usb", "xyz"]);
    assert_ne!(code, 0);
    assert!(text.contains("VID:PID"), "{text}");
}
