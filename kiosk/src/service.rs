//! The kiosk service's entry point. For now it validates the configuration and reports
//! what it would run; the session machine, outbox, hall client and health agent arrive with
//! issue 7, and the UI with issue 8.

use std::process::ExitCode;

use kiosk_config::Config;

/// Runs the service until it is told to stop; returns the process exit code.
pub fn run(config: &Config, headless: bool) -> ExitCode {
    let devices = &config.devices;
    eprintln!(
        "kiosk {} ({}): reader {}, printer {} ({} mm), scanner {}; hall {}; {}",
        config.identity.kiosk_id,
        config.identity.hall_name,
        devices.idcard.device,
        devices.printer.device,
        devices.printer.paper_mm,
        devices.scanner.device,
        config.hall.base_url,
        if headless { "headless" } else { "with UI" },
    );
    eprintln!("the kiosk service is not built yet (issue 7); configuration is valid, exiting");
    ExitCode::SUCCESS
}
