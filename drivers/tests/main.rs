//! The integration tests of `kiosk-drivers`, linked into one test binary (one module per file:
//! one link instead of one per file). Run one file's tests with
//! `cargo test -p kiosk-drivers --test drivers_tests -- <file>::`.

/// Shared by the `idcard_*` modules.
mod idcard_common;

#[path = "camera_page.rs"]
mod camera_page;

#[path = "camera_v4l.rs"]
mod camera_v4l;

#[path = "idcard_faults.rs"]
mod idcard_faults;

#[path = "idcard_pace.rs"]
mod idcard_pace;

#[path = "idcard_read.rs"]
mod idcard_read;

#[path = "idcard_unplug.rs"]
mod idcard_unplug;

#[path = "printer_emulator.rs"]
mod printer_emulator;

#[path = "printer_faults.rs"]
mod printer_faults;

#[path = "printer_fifo.rs"]
mod printer_fifo;

#[path = "printer_usb.rs"]
mod printer_usb;

#[path = "scanner_garbage.rs"]
mod scanner_garbage;

#[path = "scanner_replug.rs"]
mod scanner_replug;

#[path = "scanner_serial.rs"]
mod scanner_serial;

#[path = "a4printer_ipp.rs"]
mod a4printer_ipp;
