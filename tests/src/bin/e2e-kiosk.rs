//! The `kiosk` program, built with this package for its tests (see `e2e-hall`).

fn main() -> std::process::ExitCode {
    kiosk::service::program::main()
}
