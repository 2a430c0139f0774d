//! The integration tests of `hall`, linked into one test binary (6 files, one module each:
//! one link instead of 6). Run one file's tests with
//! `cargo test -p hall --test hall_tests -- <file>::`.

#[path = "authorisation.rs"]
mod authorisation;

/// The helpers every file shares (loaded once; each file `use`s it).
mod common;

#[path = "dashboard_chromium.rs"]
mod dashboard_chromium;

#[path = "e2e.rs"]
mod e2e;

#[path = "lookups.rs"]
mod lookups;

#[path = "router.rs"]
mod router;

#[path = "store.rs"]
mod store;

#[path = "updates.rs"]
mod updates;
