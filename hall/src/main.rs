//! `hall`: the hall backend service.

use clap::Parser;

/// The county hall backend.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
}
