//! `kioskctl`: the technicians' CLI (see `kiosk::cli`).

fn main() {
    kiosk::cli::main()
}
