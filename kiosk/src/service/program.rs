//! The `kiosk` program's entry (its binary, and the e2e tests' copy of it, call [`main`]):
//! parse arguments, load the configuration, run; with a screen and a configuration that does
//! not load, the out-of-service screen until it does.

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
    #[arg(long, conflicts_with = "offscreen")]
    headless: bool,
    /// Draw the screen in memory only, no display (CI, `kioskctl session screenshot`).
    #[arg(long)]
    offscreen: bool,
}

/// The `kiosk` program: parse arguments, load the configuration, run.
pub fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let args = Args::parse();
    let display = if args.headless {
        None
    } else if args.offscreen {
        Some(crate::display::Mode::Offscreen)
    } else {
        Some(crate::display::Mode::Window)
    };
    // Before loading: a pushed file that took the service down is replaced by the old one.
    let fleet = super::fleet::FleetOptions::at_start(&args.config);
    let loaded = match kiosk_config::load(&kiosk_config::LoadOptions::from_process(&args.config)) {
        Ok(loaded) => loaded,
        Err(report) => {
            eprintln!("{report}");
            let Some(mode) = display else {
                eprintln!("The kiosk cannot start with this configuration: fix the errors above (`kioskctl config check` repeats this check).");
                return ExitCode::from(2);
            };
            // With a screen: say so on it (暂停服务) rather than leave it black, until the
            // file loads; then exit, and systemd starts the service on it.
            init_logging("info");
            return match crate::display::unconfigured::run(&args.config, &report, mode, started) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("{err}");
                    ExitCode::from(2)
                }
            };
        }
    };
    for warning in &loaded.warnings.problems {
        eprintln!("{warning}");
    }
    init_logging(&loaded.config.logging.level);
    super::run(loaded.config, args.config, display, fleet)
}

/// Logs to stderr (journald keeps them); `RUST_LOG` overrides the configured level.
fn init_logging(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
}
