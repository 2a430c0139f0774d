//! The Rust code Slint generates from `ui/app.slint`: `AppWindow`, the adapter globals and the
//! structs they carry. Lints that the generated code does not follow are silenced here only.
#![allow(
    missing_docs,
    missing_debug_implementations,
    clippy::all,
    clippy::unwrap_used,
    clippy::todo,
    rust_2018_idioms
)]

slint::include_modules!();
