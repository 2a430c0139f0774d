//! The `kioskctl` program, built with this package for its tests (see `e2e-hall`).

fn main() {
    kiosk::cli::main()
}
