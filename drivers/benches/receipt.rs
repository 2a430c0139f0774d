//! Receipt printer benchmarks: laying out and encoding a typical receipt with a QR code
//! (native QR on 80 mm, raster QR on a 58 mm board without it), and the emulator's render
//! time per receipt (in memory, and with the PNG written).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use kiosk_drivers::printer::profile::FirmwareCharset;
use kiosk_drivers::printer::sim::{Emulator, EmulatorConfig};
use kiosk_drivers::printer::{sample, PrinterProfile};

fn encode(c: &mut Criterion) {
    let receipt = sample::typical_receipt();
    for profile in [PrinterProfile::GENERIC_80, PrinterProfile::BASIC_58] {
        let bytes = receipt.encode(&profile).expect("encode").len();
        println!(
            "{}: typical receipt is {bytes} bytes of ESC/POS",
            profile.name
        );
        c.bench_function(
            &format!("layout+encode typical receipt ({})", profile.name),
            |b| {
                b.iter(|| {
                    black_box(&receipt)
                        .encode(black_box(&profile))
                        .expect("encode")
                })
            },
        );
    }
}

fn render(c: &mut Criterion) {
    let job = sample::typical_receipt()
        .encode(&PrinterProfile::GENERIC_80)
        .expect("encode");
    let mem = EmulatorConfig {
        width_dots: 576,
        charset: FirmwareCharset::Gbk,
        out_dir: None,
        keep_receipts: 1,
    };
    let mut emu = Emulator::new(mem).expect("emulator needs fonts-noto-cjk");
    c.bench_function("emulator render per receipt (80 mm, in memory)", |b| {
        b.iter(|| {
            emu.receive(black_box(&job));
            emu.process(None).expect("render")
        })
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let disk = EmulatorConfig {
        out_dir: Some(dir.path().to_owned()),
        ..EmulatorConfig::paper_mm(80, None).expect("cfg")
    };
    let mut emu = Emulator::new(disk).expect("emulator");
    c.bench_function(
        "emulator render per receipt (80 mm, PNG + JSON log written)",
        |b| {
            b.iter(|| {
                emu.receive(black_box(&job));
                emu.process(None).expect("render")
            })
        },
    );
}

criterion_group!(benches, encode, render);
criterion_main!(benches);
