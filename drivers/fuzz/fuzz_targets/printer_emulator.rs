//! Fuzz target: arbitrary bytes into the printer emulator's ESC/POS parser and renderer,
//! fed in two pieces so command boundaries fall anywhere. It must never panic, hang or
//! grow without bound, whatever a hostile or broken host sends.
#![no_main]

use std::sync::Mutex;

use kiosk_drivers::printer::profile::FirmwareCharset;
use kiosk_drivers::printer::sim::parser::Parser;
use kiosk_drivers::printer::sim::{Emulator, EmulatorConfig};
use libfuzzer_sys::fuzz_target;

static EMULATOR: Mutex<Option<Emulator>> = Mutex::new(None);

fuzz_target!(|data: &[u8]| {
    let split = data.first().map_or(0, |b| usize::from(*b)).min(data.len());
    let mut parser = Parser::new();
    let mut n = parser.feed(&data[..split]).len();
    n += parser.feed(&data[split..]).len();
    assert!(n <= data.len());
    assert!(parser.pending_len() <= data.len());

    let mut guard = EMULATOR.lock().unwrap_or_else(|e| e.into_inner());
    let emu = guard.get_or_insert_with(|| {
        let cfg = EmulatorConfig {
            width_dots: 576,
            charset: FirmwareCharset::Gbk,
            out_dir: None,
            keep_receipts: 2,
        };
        Emulator::new(cfg).expect("fonts-noto-cjk must be installed")
    });
    emu.receive(&data[..split]);
    emu.receive(&data[split..]);
    let _ = emu.process(None);
    let _ = emu.take_answers();
    // Start the next input from a clean printer, as after a power cycle.
    emu.set_faults(Default::default());
    emu.receive(&[0x10, 0x05, 0x02, 0x1B, 0x40]);
    let _ = emu.process(None);
});
