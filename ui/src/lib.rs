//! The kiosk's Slint UI. The screens arrive with issue 8; this crate has no logic of its own.
