//! The integration tests of `kiosk-ui`: that every string of the `.slint` files has its
//! English. The screens themselves are tested through the kiosk's session (the kiosk crate's
//! `ui_flows` and `screenshots` tests), since that is what drives them. Run with
//! `cargo test -p kiosk-ui --test ui_tests`.

#[path = "translations.rs"]
mod translations;
