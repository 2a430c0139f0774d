//! `kioskctl scanner`: bench work on a QR / barcode scanner.
//!
//! - `listen --port PATH | --usb VID:PID`: prints each scan on its own line (symbology, then
//!   text; `--json` for one JSON object per line). Rejections and status go to stderr.
//! - `simulate --port PATH --code TEXT`: acts as a scanner wired to PATH.
//! - `simulate --pty`: creates its own pseudo-terminal, prints its path, and scans each line
//!   read from standard input (lines starting with `:` are fault-injection commands).

use std::io::{self, BufRead, Write};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use kiosk_config::DeviceSelector;
use kiosk_drivers::scanner::codec::{parse_hex, FrameEnd, Framing};
use kiosk_drivers::scanner::driver::SerialScannerConfig;
use kiosk_drivers::scanner::runner::{ScannerEvent, ScannerRunner};
use kiosk_drivers::scanner::sanitize::{TextEncoding, TextPolicy};
use kiosk_drivers::scanner::sim::{ScannerProfile, ScannerSim};
use kiosk_drivers::scanner::usb::open_usb;
use kiosk_drivers::scanner::{ScanEvent, Symbology};
use kiosk_drivers::status::DeviceEvent;
use kiosk_drivers::Backoff;

/// `kioskctl scanner …`
#[derive(Debug, Args)]
pub struct ScannerArgs {
    /// What to do with the scanner.
    #[command(subcommand)]
    pub action: ScannerAction,
}

/// The scanner subcommands.
#[derive(Debug, Subcommand)]
pub enum ScannerAction {
    /// Print each scan on its own line until interrupted (or --count / --timeout).
    Listen(ListenArgs),
    /// Act as a serial scanner: send codes to a port, or to a pseudo-terminal of our own.
    Simulate(SimulateArgs),
}

/// How the scanner frames codes on the wire (shared by listen and simulate).
#[derive(Debug, Args)]
pub struct WireArgs {
    /// What ends a code: cr, lf, crlf, tab, or hex bytes such as 03.
    #[arg(long, default_value = "cr", value_parser = parse_end)]
    pub terminator: FrameEnd,
    /// Bytes before each code, in hex (e.g. 02 for STX).
    #[arg(long, value_parser = parse_hex_arg, default_value = "")]
    pub prefix: HexBytes,
    /// Bytes after each code, before the terminator, in hex.
    #[arg(long, value_parser = parse_hex_arg, default_value = "")]
    pub suffix: HexBytes,
    /// No AIM symbology identifiers (]Q1 …) before codes.
    #[arg(long)]
    pub no_aim: bool,
    /// Text encoding: auto (UTF-8, else GB18030), utf8, or gb18030.
    #[arg(long, default_value = "auto", value_parser = parse_encoding)]
    pub encoding: TextEncoding,
    /// Baud rate of the serial port.
    #[arg(long, default_value_t = 9_600)]
    pub baud: u32,
}

/// Bytes given in hex on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HexBytes(pub Vec<u8>);

fn parse_end(s: &str) -> Result<FrameEnd, String> {
    FrameEnd::parse(s).ok_or_else(|| format!("{s:?}: use cr, lf, crlf, tab or hex bytes (03)"))
}

fn parse_hex_arg(s: &str) -> Result<HexBytes, String> {
    parse_hex(s)
        .map(HexBytes)
        .ok_or_else(|| format!("{s:?} is not hex bytes (e.g. 02 or 0d0a)"))
}

fn parse_encoding(s: &str) -> Result<TextEncoding, String> {
    TextEncoding::parse(s).ok_or_else(|| format!("{s:?}: use auto, utf8 or gb18030"))
}

fn parse_symbology(s: &str) -> Result<Symbology, String> {
    Symbology::from_name(s).ok_or_else(|| {
        format!("{s:?}: use qr, datamatrix, pdf417, code128, gs1-128, code39, ean13, ean8, …")
    })
}

impl WireArgs {
    fn framing(&self) -> Framing {
        Framing {
            end: self.terminator.clone(),
            prefix: self.prefix.0.clone(),
            suffix: self.suffix.0.clone(),
            aim: !self.no_aim,
            ..Framing::default()
        }
    }
}

/// `kioskctl scanner listen`
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["port", "usb"]))]
pub struct ListenArgs {
    /// The serial port of the scanner (/dev/ttyACM0, or a simulator's link).
    #[arg(long)]
    pub port: Option<PathBuf>,
    /// A USB HID scanner (HID POS or keyboard wedge): VID:PID or VID:PID:SERIAL, in hex.
    #[arg(long)]
    pub usb: Option<String>,
    /// Print one JSON object per scan instead of text.
    #[arg(long)]
    pub json: bool,
    /// Exit after this many scans.
    #[arg(long)]
    pub count: Option<u64>,
    /// Exit with status 1 after this many seconds without a scan.
    #[arg(long)]
    pub timeout: Option<u64>,
    /// The longest code accepted, in bytes.
    #[arg(long, default_value_t = 2_048)]
    pub max_len: usize,
    /// Serial framing.
    #[command(flatten)]
    pub wire: WireArgs,
}

/// `kioskctl scanner simulate`
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("target").required(true).args(["port", "pty"]))]
pub struct SimulateArgs {
    /// Send to this serial port (one end of a cable, or of a pty pair).
    #[arg(long)]
    pub port: Option<PathBuf>,
    /// Create a pseudo-terminal, print the path to open, and scan lines from stdin.
    #[arg(long)]
    pub pty: bool,
    /// With --pty: the stable link to create (default /tmp/kioskctl-scanner-PID).
    #[arg(long, requires = "pty")]
    pub link: Option<PathBuf>,
    /// With --pty: keep the pty open after stdin ends, until interrupted.
    #[arg(long, requires = "pty")]
    pub hold: bool,
    /// A code to scan (repeat for several). With --port and no --code, stdin is read.
    #[arg(long, conflicts_with = "pty")]
    pub code: Vec<String>,
    /// With --port: read codes from stdin, one per line.
    #[arg(long, conflicts_with = "pty")]
    pub stdin: bool,
    /// The symbology whose AIM identifier is sent.
    #[arg(long, default_value = "qr", value_parser = parse_symbology)]
    pub symbology: Symbology,
    /// Serial framing.
    #[command(flatten)]
    pub wire: WireArgs,
}

/// Runs `kioskctl scanner …`; returns the exit code.
pub fn run(args: ScannerArgs) -> i32 {
    match args.action {
        ScannerAction::Listen(a) => listen(a),
        ScannerAction::Simulate(a) => simulate(a),
    }
}

fn listen(args: ListenArgs) -> i32 {
    let policy = TextPolicy {
        max_len: args.max_len,
        encoding: args.wire.encoding,
        ..TextPolicy::default()
    };
    let (tx, rx) = mpsc::channel();
    let backoff = Backoff::default();
    let runner = if let Some(port) = &args.port {
        let mut config = SerialScannerConfig::new(port);
        config.baud = args.wire.baud;
        config.framing = args.wire.framing();
        config.framing.max_frame = args.max_len.saturating_add(64);
        config.policy = policy;
        ScannerRunner::spawn_serial(config, backoff, tx)
    } else {
        let text = args.usb.clone().unwrap_or_default();
        let Ok(DeviceSelector::Usb { vid, pid, serial }) = text.parse::<DeviceSelector>() else {
            eprintln!("--usb {text:?}: expected VID:PID or VID:PID:SERIAL in hex, e.g. 0c2e:0b81");
            return 2;
        };
        let open = move || open_usb(vid, pid, serial.as_deref(), policy.clone());
        ScannerRunner::spawn(format!("usb {vid:04x}:{pid:04x}"), open, backoff, tx)
    };
    let runner = match runner {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the scanner thread: {e}");
            return 1;
        }
    };
    let patience = args.timeout.map(Duration::from_secs);
    let mut deadline = patience.map(|p| Instant::now() + p);
    let mut scans = 0u64;
    let stdout = io::stdout();
    loop {
        let wait = deadline.map_or(Duration::from_secs(3_600), |d| {
            d.saturating_duration_since(Instant::now())
        });
        match rx.recv_timeout(wait) {
            Ok(ScannerEvent::Scan(scan)) => {
                scans += 1;
                deadline = patience.map(|p| Instant::now() + p);
                let mut out = stdout.lock();
                let written = writeln!(out, "{}", format_scan(&scan, args.json));
                if written.and_then(|()| out.flush()).is_err() {
                    break; // stdout closed (piped into head): done
                }
                if args.count.is_some_and(|n| scans >= n) {
                    break;
                }
            }
            Ok(ScannerEvent::Rejected(why)) => eprintln!("rejected: {why}"),
            Ok(ScannerEvent::Status(DeviceEvent::StatusChanged(s))) => {
                let error = s.last_error.as_ref().map(|e| e.message.as_str());
                match (s.state.is_usable(), error) {
                    (false, Some(error)) => eprintln!("scanner {}: {error}", s.state),
                    _ => eprintln!("scanner {} on {}", s.state, s.identity.connection),
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) if deadline.is_some() => {
                eprintln!("no scan within {} s", args.timeout.unwrap_or_default());
                runner.stop();
                return 1;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    runner.stop();
    0
}

/// One output line per scan. The text passed the sanitizer: no control characters.
fn format_scan(scan: &ScanEvent, json: bool) -> String {
    if json {
        serde_json::json!({
            "symbology": scan.symbology.name(),
            "aim": scan.aim,
            "text": scan.text,
            "rawHex": scan.raw.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        })
        .to_string()
    } else {
        format!("{:<11} {}", scan.symbology.name(), scan.text)
    }
}

fn profile(wire: &WireArgs) -> ScannerProfile {
    ScannerProfile {
        framing: wire.framing(),
        send_aim: !wire.no_aim,
        encoding: match wire.encoding {
            TextEncoding::Auto => TextEncoding::Utf8,
            other => other,
        },
    }
}

fn simulate(args: SimulateArgs) -> i32 {
    if args.pty {
        return simulate_pty(&args);
    }
    let Some(path) = &args.port else {
        return 2;
    };
    let profile = profile(&args.wire);
    let port = serialport::new(path.to_string_lossy(), args.wire.baud)
        .timeout(Duration::from_secs(2))
        .open();
    let mut port = match port {
        Ok(p) => p,
        Err(e) => {
            eprintln!(
                "cannot open {}: {e}; check the path (kioskctl devices)",
                path.display()
            );
            return 1;
        }
    };
    let mut send = |text: &str| match profile.send(&mut port, args.symbology, text) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("writing to {} failed: {e}", path.display());
            false
        }
    };
    if !args.code.is_empty() && !args.stdin {
        return if args.code.iter().all(|c| send(c)) {
            0
        } else {
            1
        };
    }
    for line in io::stdin().lock().lines() {
        match line {
            Ok(line) if line.is_empty() => {}
            Ok(line) if send(&line) => {}
            Ok(_) => return 1,
            Err(e) => {
                eprintln!("reading stdin: {e}");
                return 1;
            }
        }
    }
    0
}

fn simulate_pty(args: &SimulateArgs) -> i32 {
    let link = args
        .link
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("/tmp/kioskctl-scanner-{}", std::process::id())));
    let mut sim = match ScannerSim::start(&link, profile(&args.wire)) {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("cannot create a pseudo-terminal at {}: {e}", link.display());
            return 1;
        }
    };
    // The path alone on stdout, for scripts; the explanation on stderr, for people.
    outln!("{}", link.display());
    let _ = io::stdout().flush();
    eprintln!(
        "simulated scanner on {} (link {}). Each line you type is scanned as a {} code; \
         commands: :unplug :replug :garbage :flood N :raw HEX :sym NAME :quit",
        sim.tty_path().unwrap_or_default().display(),
        link.display(),
        args.symbology
    );
    let mut symbology = args.symbology;
    for line in io::stdin().lock().lines() {
        let Ok(line) = line else {
            break;
        };
        match sim_command(&mut sim, &mut symbology, &line) {
            Ok(Step::Continue) => {}
            Ok(Step::Quit) => return 0,
            Err(e) => eprintln!("{e}"),
        }
    }
    if args.hold {
        eprintln!("stdin ended; holding the pty open until interrupted (Ctrl-C)");
        loop {
            std::thread::sleep(Duration::from_secs(3_600));
        }
    }
    0
}

enum Step {
    Continue,
    Quit,
}

/// Scans a line, or runs a `:command` (fault injection for training and tests).
fn sim_command(sim: &mut ScannerSim, symbology: &mut Symbology, line: &str) -> io::Result<Step> {
    let mut words = line.split_whitespace();
    let fail = |msg: String| io::Error::new(io::ErrorKind::InvalidInput, msg);
    match words.next() {
        None => {}
        Some(":quit") => return Ok(Step::Quit),
        Some(":unplug") => {
            sim.unplug();
            eprintln!("unplugged");
        }
        Some(":replug") => {
            sim.replug()?;
            eprintln!(
                "plugged in again on {}",
                sim.tty_path().unwrap_or_default().display()
            );
        }
        Some(":garbage") => sim.send_raw(b"\x00\xff\x1b[31m\x07\x80garbage\r")?,
        Some(":flood") => {
            let n: usize = words.next().and_then(|n| n.parse().ok()).unwrap_or(100);
            for i in 0..n {
                sim.scan(*symbology, &format!("FLOOD-{i}"))?;
            }
        }
        Some(":raw") => {
            let hex = words.next().unwrap_or_default();
            let bytes = parse_hex(hex).ok_or_else(|| fail(format!("{hex:?} is not hex")))?;
            sim.send_raw(&bytes)?;
        }
        Some(":sym") => {
            let name = words.next().unwrap_or_default();
            *symbology = parse_symbology(name).map_err(fail)?;
        }
        Some(word) if word.starts_with(':') && !word.starts_with("::") => {
            return Err(fail(format!("unknown command {word}")));
        }
        Some(_) => {
            let code = line.strip_prefix(':').filter(|_| line.starts_with("::"));
            sim.scan(*symbology, code.unwrap_or(line))?;
        }
    }
    Ok(Step::Continue)
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;

    #[test]
    fn a_scan_prints_as_symbology_then_text_or_as_json() {
        let scan = ScanEvent {
            symbology: Symbology::Qr,
            aim: Some("]Q1".into()),
            text: "预约A1".into(),
            raw: b"]Q1A".to_vec(),
            at: SystemTime::now(),
        };
        assert_eq!(format_scan(&scan, false), "qr          预约A1");
        let json: serde_json::Value = serde_json::from_str(&format_scan(&scan, true)).unwrap();
        assert_eq!(json["text"], "预约A1");
        assert_eq!(json["rawHex"], "5d513141");
    }

    #[test]
    fn commands_drive_the_simulator_and_double_colon_escapes_a_code() {
        let dir = tempfile::tempdir().unwrap();
        let mut sim = ScannerSim::start(dir.path().join("s"), ScannerProfile::default()).unwrap();
        let mut sym = Symbology::Qr;
        assert!(matches!(
            sim_command(&mut sim, &mut sym, ":sym ean13"),
            Ok(Step::Continue)
        ));
        assert_eq!(sym, Symbology::Ean13);
        assert!(sim_command(&mut sim, &mut sym, ":sym nonsense").is_err());
        assert!(sim_command(&mut sim, &mut sym, ":bogus").is_err());
        sim_command(&mut sim, &mut sym, ":unplug").unwrap();
        assert!(!sim.is_plugged());
        assert!(
            sim_command(&mut sim, &mut sym, "CODE").is_err(),
            "unplugged"
        );
        sim_command(&mut sim, &mut sym, ":replug").unwrap();
        sim_command(&mut sim, &mut sym, "::literal").unwrap();
        assert!(matches!(
            sim_command(&mut sim, &mut sym, ":quit"),
            Ok(Step::Quit)
        ));
    }
}
