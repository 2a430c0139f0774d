//! `kioskctl printer test|status|simulate`: bench work on the receipt printer — print a test
//! receipt, read its status in words, or run the emulator on a pseudo-terminal.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use kiosk_config::schema::{FlowControl, Identity};
use kiosk_config::LoadOptions;
use kiosk_drivers::printer::sim::file_link::{port_kind, FileLink, PortKind};
use kiosk_drivers::printer::sim::runner::{open_pty, open_serial, spawn, spawn_plain};
use kiosk_drivers::printer::sim::{Emulator, EmulatorConfig, Faults, FAULT_NAMES};
use kiosk_drivers::printer::transport::serial::SerialTransport;
use kiosk_drivers::printer::transport::{usb_rusb, PrinterTransport};
use kiosk_drivers::printer::{sample, Confirmation, PrinterError, PrinterProfile, ReceiptPrinter};

/// Receipt printer commands.
#[derive(Debug, Subcommand)]
pub enum PrinterCommand {
    /// Print a test receipt (Chinese and English text, a QR code, a barcode, the kiosk's id).
    Test(TestArgs),
    /// Read the printer's status and say what is wrong, if anything.
    Status(DeviceArgs),
    /// Run the printer emulator: renders receipts to PNG in --out, answers status queries.
    Simulate(SimulateArgs),
}

/// Which printer to talk to.
#[derive(Debug, Args)]
pub struct DeviceArgs {
    /// Serial port (/dev/ttyUSB0, /dev/ttyS1, or the emulator's link).
    #[arg(long, conflicts_with = "usb", required_unless_present = "usb")]
    pub port: Option<String>,
    /// USB printer as VID:PID in hex (e.g. 6868:0500).
    #[arg(long, value_parser = parse_vid_pid)]
    pub usb: Option<(u16, u16)>,
    /// Serial baud rate.
    #[arg(long, default_value_t = 115_200)]
    pub baud: u32,
    /// Serial flow control.
    #[arg(long, value_enum, default_value_t = Flow::None)]
    pub flow: Flow,
    /// Printer profile (generic-80, generic-58, basic-58, epson-512).
    #[arg(long, default_value = "generic-80")]
    pub profile: String,
}

/// Options of `printer test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// The printer.
    #[command(flatten)]
    pub device: DeviceArgs,
    /// The kiosk id printed on the receipt [default: identity.kiosk_id from --config].
    #[arg(long)]
    pub kiosk_id: Option<String>,
    /// The hall name printed as the header [default: identity.hall_name from --config].
    #[arg(long)]
    pub hall: Option<String>,
    /// Where the kiosk stands [default: identity.location from --config].
    #[arg(long)]
    pub location: Option<String>,
}

/// Options of `printer simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Where the host side appears: a symlink to a new pseudo-terminal (or an existing
    /// serial port, to emulate on a real cable).
    #[arg(long)]
    pub port: PathBuf,
    /// Directory for receipt-NNNN.png and log.jsonl.
    #[arg(long)]
    pub out: PathBuf,
    /// Paper width in mm: 58 or 80.
    #[arg(long, default_value_t = 80)]
    pub paper: u32,
    /// Fault to start with (repeatable): paper-low, paper-out, cover-open, cutter-jam, offline, slow, …
    #[arg(long)]
    pub fault: Vec<String>,
    /// Serial baud rate when --port is a real serial port.
    #[arg(long, default_value_t = 115_200)]
    pub baud: u32,
}

/// Serial flow control.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Flow {
    /// None.
    None,
    /// RTS/CTS.
    Hardware,
    /// XON/XOFF.
    Software,
}

fn parse_vid_pid(s: &str) -> Result<(u16, u16), String> {
    let (v, p) = s
        .split_once(':')
        .ok_or("expected VID:PID in hex, e.g. 6868:0500")?;
    let hex =
        |x: &str| u16::from_str_radix(x, 16).map_err(|_| format!("{x:?} is not a 4-digit hex id"));
    Ok((hex(v)?, hex(p)?))
}

/// Runs a printer command; returns the exit code. `config` is the global `--config`: the
/// test receipt carries the kiosk identity it names.
pub fn run(cmd: PrinterCommand, config: &Path) -> i32 {
    let result = match cmd {
        PrinterCommand::Test(a) => test(a, config),
        PrinterCommand::Status(a) => status(a),
        PrinterCommand::Simulate(a) => simulate(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

fn open(d: &DeviceArgs) -> Result<ReceiptPrinter<Box<dyn PrinterTransport>>, PrinterError> {
    let profile = PrinterProfile::by_name(&d.profile)?;
    let transport: Box<dyn PrinterTransport> = match (&d.port, d.usb) {
        (Some(port), _) => {
            let flow = match d.flow {
                Flow::None => FlowControl::None,
                Flow::Hardware => FlowControl::Hardware,
                Flow::Software => FlowControl::Software,
            };
            Box::new(SerialTransport::open(port, d.baud, flow)?)
        }
        (None, usb) => Box::new(usb_rusb::open(usb)?),
    };
    Ok(ReceiptPrinter::new(transport, profile))
}

/// The kiosk identity for the test receipt: the configuration's, when it loads, else the
/// defaults (said on stderr, so a technician knows the paper does not show this kiosk);
/// `--kiosk-id`, `--hall` and `--location` override either.
fn identity(a: &TestArgs, config: &Path) -> Identity {
    let mut identity = match kiosk_config::load(&LoadOptions::from_process(config)) {
        Ok(loaded) => loaded.config.identity,
        Err(report) => {
            let why = report
                .errors()
                .next()
                .map(|p| match p.field.as_str() {
                    "" => p.message.clone(),
                    field => format!("{field}: {}", p.message),
                })
                .unwrap_or_else(|| "it has errors".into());
            eprintln!(
                "note: the configuration {} did not load ({why}); the receipt shows the \
                 --kiosk-id/--hall/--location options or the defaults \
                 (check it with: kioskctl config check)",
                config.display()
            );
            Identity::default()
        }
    };
    if let Some(id) = &a.kiosk_id {
        identity.kiosk_id = id.clone();
    }
    if let Some(hall) = &a.hall {
        identity.hall_name = hall.clone();
    }
    if let Some(location) = &a.location {
        identity.location = location.clone();
    }
    identity
}

fn test(a: TestArgs, config: &Path) -> Result<i32, PrinterError> {
    let who = identity(&a, config);
    let mut printer = open(&a.device)?;
    let connection = printer.device_status().identity.connection.clone();
    let receipt =
        sample::test_receipt_at(&who.kiosk_id, &who.hall_name, &who.location, &connection);
    match printer.print_receipt(&receipt) {
        Ok((status, how)) => {
            let how = match how {
                Confirmation::Printed => "confirmed by the printer",
                Confirmation::PortStatusOnly => "port status OK; this printer cannot confirm jobs",
            };
            outln!("test receipt printed on {connection} ({how}); printer: {status}");
            Ok(0)
        }
        Err(e) => {
            outln!("test receipt NOT printed on {connection}: {e}");
            Ok(1)
        }
    }
}

fn status(d: DeviceArgs) -> Result<i32, PrinterError> {
    let mut printer = open(&d)?;
    let connection = printer.device_status().identity.connection.clone();
    let s = printer.query_status()?;
    outln!("printer on {connection}: {}", s.device_state());
    if s.conditions().is_empty() {
        outln!("  online, paper OK, cover closed, cutter OK");
    }
    for (code, words) in s.conditions() {
        outln!("  {words} [{code}]");
    }
    Ok(if s.is_ready() { 0 } else { 1 })
}

fn simulate(a: SimulateArgs) -> Result<i32, PrinterError> {
    let mut cfg = EmulatorConfig::paper_mm(a.paper, Some(a.out.clone()))?;
    cfg.keep_receipts = 1;
    let mut faults = Faults::default();
    for f in &a.fault {
        faults.apply(f).map_err(PrinterError::Config)?;
    }
    let mut emu = Emulator::new(cfg)?;
    emu.set_faults(faults);
    // An existing file is the device to serve: a tty (serial port) with termios, anything
    // else (the USB printer gadget /dev/g_printer0, a FIFO) as a plain file. Nothing there,
    // or a symlink from an earlier run: a new pty, linked there.
    let existing = a.port.exists()
        && !a
            .port
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink());
    let (handle, _host_side) = if existing {
        match port_kind(&a.port)? {
            PortKind::Tty => (spawn(emu, open_serial(&a.port, a.baud)?), None),
            PortKind::Plain => (spawn_plain(emu, FileLink::open(&a.port)?), None),
        }
    } else {
        let pty = open_pty(Some(&a.port))?;
        (spawn(emu, Box::new(pty.master)), Some(pty.slave))
    };
    outln!(
        "printer emulator ({} mm) on {}; receipts go to {}",
        a.paper,
        a.port.display(),
        a.out.display()
    );
    outln!(
        "type a fault and Enter to switch it ({}); Ctrl-D stops",
        FAULT_NAMES.join(", ")
    );
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let name = line.trim();
        if name.is_empty() {
            continue;
        }
        match handle.apply_fault(name) {
            Ok(()) => outln!(
                "now: {}; {} receipt(s) printed",
                describe(&handle.faults()),
                handle.printed()
            ),
            Err(e) => outln!("{e}"),
        }
        if let Some(e) = handle.error() {
            eprintln!("emulator stopped: {e}");
            break;
        }
    }
    let emu = handle.stop()?;
    outln!("{} receipt(s) printed", emu.printed());
    if !existing {
        let _ = std::fs::remove_file(&a.port);
    }
    Ok(0)
}

/// The simulated condition in words.
fn describe(f: &Faults) -> String {
    let mut parts = vec![match f.paper {
        kiosk_drivers::printer::PaperLevel::Adequate => "paper OK",
        kiosk_drivers::printer::PaperLevel::NearEnd => "paper low",
        kiosk_drivers::printer::PaperLevel::Out => "paper out",
    }
    .to_owned()];
    if f.cover_open {
        parts.push("cover open".into());
    }
    if f.cutter_jam {
        parts.push("cutter jammed".into());
    }
    if f.jam_next_cut {
        parts.push("next cut jams".into());
    }
    if f.offline {
        parts.push("offline".into());
    }
    if let Some(mm) = f.slow_mm_s {
        parts.push(format!("printing at {mm} mm/s"));
    }
    if let Some(dots) = f.paper_left_dots {
        parts.push(format!("{} mm of paper left", dots / 8));
    }
    parts.join(", ")
}
