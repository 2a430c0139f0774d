//! `kiosk`: the kiosk service.

fn main() {}
