//! The technicians' screens (`maintenance.slint`): the maintenance PIN pad, and device status,
//! configuration, self-tests and logs.

use slint::ComponentHandle;

use super::{model, pairs, s, texts};
use crate::generated as ui;

/// The maintenance PIN screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PinVm {
    /// Digits typed so far (never the digits themselves).
    pub entered: usize,
    /// Dots to draw (the PIN's length, or as many as typed).
    pub length: usize,
    /// Digits needed before 确定 is enabled.
    pub min_length: usize,
    /// Error or lockout message.
    pub message: String,
    /// Locked after too many failures.
    pub locked: bool,
}

/// A device row on the maintenance screen.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceLine {
    /// Device name.
    pub name: String,
    /// Its state word (online, paper low…).
    pub state: String,
    /// Model, port, last error.
    pub detail: String,
    /// Healthy.
    pub ok: bool,
}

/// The maintenance screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MaintenanceVm {
    /// Devices and their state.
    pub devices: Vec<DeviceLine>,
    /// Configuration summary.
    pub config: Vec<(String, String)>,
    /// The last log lines (already free of personal data).
    pub log_lines: Vec<String>,
    /// Result of the last self-test.
    pub test_result: String,
}

/// The maintenance PIN screen.
pub fn apply_pin(app: &ui::AppWindow, vm: &PinVm) {
    let g = app.global::<ui::PinAdapter<'_>>();
    g.set_entered(i32::try_from(vm.entered).unwrap_or(i32::MAX));
    g.set_length(i32::try_from(vm.length).unwrap_or(6));
    g.set_min_length(i32::try_from(vm.min_length).unwrap_or(6));
    g.set_message(s(&vm.message));
    g.set_locked(vm.locked);
}

/// The maintenance screen.
pub fn apply_maintenance(app: &ui::AppWindow, vm: &MaintenanceVm) {
    let g = app.global::<ui::MaintenanceAdapter<'_>>();
    g.set_devices(model(
        vm.devices
            .iter()
            .map(|d| ui::DeviceRow {
                name: s(&d.name),
                state: s(&d.state),
                detail: s(&d.detail),
                ok: d.ok,
            })
            .collect(),
    ));
    g.set_config(pairs(&vm.config, |label, value| ui::ConfigRow {
        label,
        value,
    }));
    g.set_log_lines(texts(&vm.log_lines));
    g.set_test_result(s(&vm.test_result));
}
