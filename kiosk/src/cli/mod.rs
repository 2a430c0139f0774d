//! `kioskctl`, the technicians' command line: one module per subcommand group.
//!
//! Exit codes: 0 success, 1 a device or service failed, 2 bad configuration or usage.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// `print!` for kioskctl's output: a reader that went away ends kioskctl quietly.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format_args!($($arg)*))
    };
}

/// `println!` for kioskctl's output: a reader that went away ends kioskctl quietly.
macro_rules! outln {
    () => {
        $crate::cli::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub mod a4;
pub mod admin;
pub mod camera;
pub mod config;
pub mod devices;
pub mod health;
pub mod idcard;
pub mod printer;
pub mod scanner;
pub mod screenshots;
pub mod session;

/// Process exit codes.
pub mod exit {
    /// Success.
    pub const OK: i32 = 0;
    /// A device, file or service failed.
    pub const FAILURE: i32 = 1;
    /// The configuration or the command line is wrong.
    pub const USAGE: i32 = 2;
}

/// The exit code of a process ended by SIGPIPE, as shells report it (128 + 13).
pub const BROKEN_PIPE_EXIT: i32 = 141;

/// Writes kioskctl's output. When the reader has gone (`kioskctl outbox list | head`), std's
/// `println!` would panic; kioskctl ends quietly with [`BROKEN_PIPE_EXIT`] instead, as a
/// program killed by SIGPIPE would. Any other write error is reported and ends it with 1.
pub fn write_stdout(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(err) = stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        if err.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(BROKEN_PIPE_EXIT);
        }
        eprintln!("kioskctl: cannot write the output: {err}");
        std::process::exit(exit::FAILURE);
    }
}

/// kioskctl: configure, test and inspect a self-service kiosk (自助服务终端).
///
/// Run `kioskctl <command> --help` for each command's options.
#[derive(Debug, Parser)]
#[command(name = "kioskctl", version, about, long_about = None)]
pub struct Cli {
    /// The kiosk's configuration file.
    #[arg(
        long,
        global = true,
        env = "KIOSK_CONFIG",
        default_value = kiosk_config::DEFAULT_PATH,
        value_name = "FILE"
    )]
    pub config: PathBuf,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// kioskctl's command groups.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// What the running kiosk service reports: devices, outbox, hall, versions, uptime.
    Status(admin::SocketArgs),
    /// Submissions waiting on this kiosk for the hall: list, retry.
    #[command(subcommand)]
    Outbox(admin::OutboxCommand),
    /// Re-read the configuration file and check it against the running service.
    Reload(admin::SocketArgs),
    /// The running kiosk's citizen session: show it, or touch the screen with words.
    #[command(subcommand)]
    Session(session::SessionCommand),
    /// Act on a simulated device of the running kiosk: place a card, scan, paper out, unplug.
    Sim(session::SimArgs),
    /// Health checks of the running kiosk's devices (internal; --external prints and waits).
    Selftest(session::SelftestArgs),
    /// Render every UI screen to PNG (zh-CN and English, normal, elder and reach mode), no display
    /// needed.
    Screenshots(screenshots::ScreenshotsArgs),
    /// The kiosk's screens in a desktop window on a rehearsal session (stub hall, simulated
    /// ID card): for working on the UI. Needs a kiosk built with `--features winit`.
    Preview,
    /// Check and show the configuration, hash a maintenance PIN.
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// ID-card reader: read a card, or run the reader simulator.
    Idcard(idcard::IdCardArgs),
    /// Receipt printer: test print, status, emulator.
    #[command(subcommand)]
    Printer(printer::PrinterCommand),
    /// A4 printer over IPP: state, print a PDF, test page.
    #[command(subcommand)]
    A4(a4::A4Command),
    /// Bench work on a QR / barcode scanner: listen for scans, or simulate one.
    Scanner(scanner::ScannerArgs),
    /// List serial ports and USB devices, name known kiosk devices, flag permission problems.
    Devices(devices::DevicesArgs),
    /// Document camera (高拍仪): list cameras, take a page or a raw still, process a photo.
    #[command(subcommand)]
    Camera(camera::CameraCommand),
    /// The kiosk's own health check after an update (commit-check: may the slot be kept?).
    #[command(subcommand)]
    Health(health::HealthCommand),
}

/// A failure kioskctl reports to the technician.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The configuration has errors (the report lists them all).
    #[error("{0}")]
    Config(kiosk_config::Report),
    /// The command line or its input is wrong.
    #[error("{0}")]
    Usage(String),
    /// A device, file or service failed.
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    /// The exit code for this failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Config(_) | CliError::Usage(_) => exit::USAGE,
            CliError::Failed(_) => exit::FAILURE,
        }
    }
}

/// The `kioskctl` program: parse the command line, run it, exit with its code.
pub fn main() -> ! {
    let cli = Cli::parse();
    std::process::exit(run(cli))
}

/// Runs a parsed command line and returns the process exit code. Errors are printed to
/// standard error as plain sentences, never as a backtrace.
pub fn run(cli: Cli) -> i32 {
    let result = match cli.command {
        Command::Config(command) => config::run(command, &cli.config),
        Command::Screenshots(args) => Ok(screenshots::run(&args)),
        Command::Preview => Ok(screenshots::preview()),
        Command::Status(args) => admin::status(args, &cli.config),
        Command::Outbox(command) => admin::outbox(command, &cli.config),
        Command::Reload(args) => admin::reload(args, &cli.config),
        Command::Session(command) => session::session(command, &cli.config),
        Command::Sim(args) => session::sim(args, &cli.config),
        Command::Selftest(args) => session::selftest(args, &cli.config),
        Command::Idcard(args) => Ok(idcard::run(args)),
        Command::Printer(cmd) => Ok(printer::run(cmd, &cli.config)),
        Command::Scanner(args) => Ok(scanner::run(args)),
        Command::A4(cmd) => a4::run(cmd, &cli.config),
        Command::Devices(args) => Ok(devices::run(args)),
        Command::Camera(cmd) => Ok(camera::run(cmd, &cli.config)),
        Command::Health(cmd) => health::run(cmd, &cli.config),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{err}");
            err.exit_code()
        }
    }
}
