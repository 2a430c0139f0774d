//! The integration tests of `kiosk-e2e`, linked into one test binary (8 files, one module each:
//! one link instead of 8). Run one file's tests with
//! `cargo test -p kiosk-e2e --test e2e_tests -- <file>::`.

#[path = "citizen.rs"]
mod citizen;

#[path = "devices.rs"]
mod devices;

#[path = "fault_soak.rs"]
mod fault_soak;

#[path = "faults.rs"]
mod faults;

#[path = "materials.rs"]
mod materials;

#[path = "service.rs"]
mod service;

#[path = "soak.rs"]
mod soak;

#[path = "touch.rs"]
mod touch;

#[path = "touch_budget.rs"]
mod touch_budget;
