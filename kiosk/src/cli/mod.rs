//! `kioskctl`, the technicians' command line: one module per subcommand group.

use clap::{Parser, Subcommand};

pub mod devices;
pub mod scanner;

/// kioskctl: configure, test and inspect a self-service kiosk (自助服务终端).
#[derive(Debug, Parser)]
#[command(name = "kioskctl", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// kioskctl's command groups.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Bench work on a QR / barcode scanner: listen for scans, or simulate one.
    Scanner(scanner::ScannerArgs),
    /// List serial ports and USB devices, name known kiosk devices, flag permission problems.
    Devices(devices::DevicesArgs),
}

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Scanner(args) => scanner::run(args),
        Command::Devices(args) => devices::run(args),
    }
}
