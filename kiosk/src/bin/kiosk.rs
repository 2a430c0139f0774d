//! `kiosk`: the kiosk service. Thin: parse arguments, load the configuration, run.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// The self-service kiosk (自助服务终端) service.
#[derive(Debug, Parser)]
#[command(name = "kiosk", version, about)]
struct Args {
    /// The kiosk's configuration file.
    #[arg(long, env = "KIOSK_CONFIG", default_value = kiosk_config::DEFAULT_PATH, value_name = "FILE")]
    config: PathBuf,
    /// Run without a screen (servers, tests, a UI-less deployment).
    #[arg(long)]
    headless: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let loaded = match kiosk_config::load(&kiosk_config::LoadOptions::from_process(&args.config)) {
        Ok(loaded) => loaded,
        Err(report) => {
            eprintln!("{report}");
            eprintln!("The kiosk cannot start with this configuration: fix the errors above (`kioskctl config check` repeats this check).");
            return ExitCode::from(2);
        }
    };
    for warning in &loaded.warnings.problems {
        eprintln!("{warning}");
    }
    kiosk::service::run(&loaded.config, args.headless)
}
