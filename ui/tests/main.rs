//! The integration tests of `kiosk-ui`, linked into one test binary (5 files, one module each:
//! one link instead of 5). Run one file's tests with
//! `cargo test -p kiosk-ui --test ui_tests -- <file>::`.

/// Shared by `flows`, `screens` and `touch`.
mod common;

#[path = "flows.rs"]
mod flows;

#[path = "screens.rs"]
mod screens;

#[path = "screenshots.rs"]
mod screenshots;

#[path = "touch.rs"]
mod touch;

#[path = "translations.rs"]
mod translations;
