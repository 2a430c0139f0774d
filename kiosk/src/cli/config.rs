//! `kioskctl config …`: check a configuration file, show the effective configuration, and
//! hash a maintenance PIN.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use clap::Subcommand;
use kiosk_config::pin::PinHash;
use kiosk_config::{load, Config, LoadOptions, Report};

use super::{exit, CliError};

/// Check and show the kiosk's configuration (配置).
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check a configuration file: report every problem with its line, field and a fix.
    ///
    /// Exits 0 when the file is good (warnings are printed), 2 when it has errors.
    Check {
        /// The file to check [default: --config, $KIOSK_CONFIG, or /etc/kiosk/kiosk.toml].
        file: Option<PathBuf>,
        /// Check referenced files (credential, CA, key) under this folder instead of `/`:
        /// for an image's root file system prepared on a bench.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
    /// Print the configuration the kiosk will use: defaults filled in, KIOSK_* overrides
    /// applied, secrets redacted.
    Show,
    /// Hash a maintenance PIN for `ui.maintenance_pin_hash` (reads the PIN from standard
    /// input; 6 to 12 digits).
    HashPin,
}

/// Runs a `config` subcommand.
pub fn run(command: ConfigCommand, config_path: &Path) -> Result<i32, CliError> {
    match command {
        ConfigCommand::Check { file, root } => {
            let path = file.unwrap_or_else(|| config_path.to_path_buf());
            let options = LoadOptions {
                root,
                ..LoadOptions::from_process(&path)
            };
            match load(&options) {
                Ok(loaded) => {
                    for warning in &loaded.warnings.problems {
                        eprintln!("{warning}");
                    }
                    outln!(
                        "{}: OK ({} warning(s))",
                        path.display(),
                        loaded.warnings.problems.len()
                    );
                    Ok(exit::OK)
                }
                Err(report) => Err(CliError::Config(report)),
            }
        }
        ConfigCommand::Show => {
            let loaded = load(&LoadOptions::from_process(config_path)).map_err(CliError::Config)?;
            out!("{}", show(&loaded.config, &loaded.warnings));
            Ok(exit::OK)
        }
        ConfigCommand::HashPin => {
            let pin = read_pin()?;
            let hash = PinHash::new(pin.trim()).map_err(|e| CliError::Usage(e.to_string()))?;
            outln!("maintenance_pin_hash = \"{hash}\"");
            Ok(exit::OK)
        }
    }
}

/// The effective configuration as TOML, secrets redacted, warnings as comments.
pub fn show(config: &Config, warnings: &Report) -> String {
    let mut redacted = config.clone();
    if redacted.ui.maintenance_pin_hash.is_some() {
        redacted.ui.maintenance_pin_hash = Some("<redacted>".into());
    }
    let mut out =
        String::from("# Effective configuration (defaults and KIOSK_* overrides applied)\n");
    for warning in &warnings.problems {
        out.push_str(&format!("# {warning}\n"));
    }
    match toml::to_string_pretty(&redacted) {
        Ok(text) => out.push_str(&text),
        Err(err) => out.push_str(&format!("# cannot render the configuration: {err}\n")),
    }
    out
}

fn read_pin() -> Result<String, CliError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("New maintenance PIN (6-12 digits; shown as you type, clear the screen after): ");
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Usage(format!("cannot read the PIN from standard input: {e}")))?;
    Ok(line)
}
