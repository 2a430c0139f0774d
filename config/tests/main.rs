//! The integration tests of `kiosk-config`, linked into one test binary (1 files, one module each:
//! one link instead of 1). Run one file's tests with
//! `cargo test -p kiosk-config --test config_tests -- <file>::`.

#[path = "rules.rs"]
mod rules;
