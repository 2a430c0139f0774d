//! `kiosk`: the kiosk service (see `kiosk::service::program`).

fn main() -> std::process::ExitCode {
    kiosk::service::program::main()
}
