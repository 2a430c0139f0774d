//! `hall`: the county hall backend (see `hall::program`).

fn main() -> std::process::ExitCode {
    hall::program::main()
}
