//! The `hall` program, built with this package so its tests run the current code without a
//! nested `cargo build` (cargo builds a package's binaries before its integration tests).

fn main() -> std::process::ExitCode {
    hall::program::main()
}
