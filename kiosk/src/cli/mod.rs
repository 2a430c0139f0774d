//! `kioskctl`, the technicians' command line: one module per subcommand group.

use clap::{Parser, Subcommand};

pub mod screenshots;

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
    /// Render every UI screen to PNG (zh-CN and English, normal and elder mode), no display needed.
    Screenshots(screenshots::ScreenshotsArgs),
}

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Screenshots(args) => screenshots::run(&args),
    }
}
