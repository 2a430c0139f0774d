//! `kioskctl printer test|status|simulate`: bench work on the receipt printer — print a test
//! receipt, read its status in words, or run the emulator on a pseudo-terminal.

use std::io::BufRead;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use kiosk_config::schema::{FlowControl, Identity};
use kiosk_drivers::printer::sim::runner::{open_pty, open_serial, spawn};
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
    /// The kiosk id printed on the receipt.
    #[arg(long)]
    pub kiosk_id: Option<String>,
    /// The hall name printed as the header.
    #[arg(long)]
    pub hall: Option<String>,
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

/// Runs a printer command; returns the exit code.
pub fn run(cmd: PrinterCommand) -> i32 {
    let result = match cmd {
        PrinterCommand::Test(a) => test(a),
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

fn test(a: TestArgs) -> Result<i32, PrinterError> {
    let mut printer = open(&a.device)?;
    let defaults = Identity::default();
    let kiosk_id = a.kiosk_id.unwrap_or(defaults.kiosk_id);
    let hall = a.hall.unwrap_or(defaults.hall_name);
    let connection = printer.device_status().identity.connection.clone();
    let receipt = sample::test_receipt(&kiosk_id, &hall, &connection);
    match printer.print_receipt(&receipt) {
        Ok((status, how)) => {
            let how = match how {
                Confirmation::Printed => "confirmed by the printer",
                Confirmation::PortStatusOnly => "port status OK; this printer cannot confirm jobs",
            };
            println!("test receipt printed on {connection} ({how}); printer: {status}");
            Ok(0)
        }
        Err(e) => {
            println!("test receipt NOT printed on {connection}: {e}");
            Ok(1)
        }
    }
}

fn status(d: DeviceArgs) -> Result<i32, PrinterError> {
    let mut printer = open(&d)?;
    let connection = printer.device_status().identity.connection.clone();
    let s = printer.query_status()?;
    println!("printer on {connection}: {}", s.device_state());
    if s.conditions().is_empty() {
        println!("  online, paper OK, cover closed, cutter OK");
    }
    for (code, words) in s.conditions() {
        println!("  {words} [{code}]");
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
    // An existing character device is a real serial port; anything else becomes a pty link.
    let is_tty = a.port.exists()
        && !a
            .port
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink());
    let (handle, _host_side) = if is_tty {
        (spawn(emu, open_serial(&a.port, a.baud)?), None)
    } else {
        let pty = open_pty(Some(&a.port))?;
        (spawn(emu, Box::new(pty.master)), Some(pty.slave))
    };
    println!(
        "printer emulator ({} mm) on {}; receipts go to {}",
        a.paper,
        a.port.display(),
        a.out.display()
    );
    println!(
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
            Ok(()) => println!(
                "now: {}; {} receipt(s) printed",
                describe(&handle.faults()),
                handle.printed()
            ),
            Err(e) => println!("{e}"),
        }
        if let Some(e) = handle.error() {
            eprintln!("emulator stopped: {e}");
            break;
        }
    }
    let emu = handle.stop()?;
    println!("{} receipt(s) printed", emu.printed());
    if !is_tty {
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
