//! The integration tests of `kiosk`, linked into one test binary (23 files, one module each:
//! one link instead of 23). Run one file's tests with
//! `cargo test -p kiosk --test kiosk_tests -- <file>::`.

/// The harness's name of `name`, a test function of the module this is used in (for example
/// `outbox_store::writer_process`): for tests that run one test of this binary again as a
/// child process with `--exact`.
macro_rules! this_module_test {
    ($name:literal) => {{
        let path = module_path!();
        let module = path.split_once("::").map_or(path, |(_, m)| m);
        format!("{module}::{}", $name)
    }};
}

/// Shared by the `devices_*` modules: a kiosk's devices on simulators.
/// Shared by `exactly_once` and `exactly_once_sigkill`.
mod exactly_once_support;

#[path = "devices_support/mod.rs"]
mod support;

#[path = "alert_rules.rs"]
mod alert_rules;

#[path = "camera.rs"]
mod camera;

#[path = "config_cli.rs"]
mod config_cli;

#[path = "devices_a4.rs"]
mod devices_a4;

#[path = "devices_health.rs"]
mod devices_health;

#[path = "devices_hotplug.rs"]
mod devices_hotplug;

#[path = "devices_isolation.rs"]
mod devices_isolation;

#[path = "devices_replug.rs"]
mod devices_replug;

#[path = "devices_sam.rs"]
mod devices_sam;

#[path = "devices_serial.rs"]
mod devices_serial;

#[path = "devices_sim.rs"]
mod devices_sim;

#[path = "screenshots.rs"]
mod screenshots;

#[path = "ui_flows.rs"]
mod ui_flows;

#[path = "exactly_once.rs"]
mod exactly_once;

#[path = "exactly_once_sigkill.rs"]
mod exactly_once_sigkill;

#[path = "fleet.rs"]
mod fleet;

#[path = "metrics.rs"]
mod metrics;

#[path = "outbox_store.rs"]
mod outbox_store;

#[path = "printer_cli.rs"]
mod printer_cli;

#[path = "printer_cli_identity.rs"]
mod printer_cli_identity;

#[path = "printer_cli_plain.rs"]
mod printer_cli_plain;

#[path = "scanner_cli.rs"]
mod scanner_cli;

#[path = "uploads.rs"]
mod uploads;

#[path = "self_print.rs"]
mod self_print;
