//! `kioskctl`: the technicians' CLI. Thin: parse, run, exit.

use clap::Parser;

fn main() {
    let cli = kiosk::cli::Cli::parse();
    std::process::exit(kiosk::cli::run(cli));
}
