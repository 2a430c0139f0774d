//! Benchmark: card placed → `IdCard` decoded, through the simulator over a pseudo-terminal
//! at 115200 baud (FIND, SELECT, READ BASE: 1359 bytes on the wire).
//!
//! A pty moves bytes as fast as the host can, without pacing them at the baud rate, so the
//! measured time is pure host cost (driver, simulator, kernel, decoding). The wire time a
//! real UART adds is computed and printed separately; a real read takes wire + host time.
//! Also measured: decoding alone (frame + text block), no I/O.

use std::time::Duration;

use bytes::BytesMut;
use criterion::{criterion_group, criterion_main, Criterion};
use kiosk_drivers::idcard::codec::{wire_time, BaseMessage, Command, Response, Sw3};
use kiosk_drivers::idcard::frame::FrameDecoder;
use kiosk_drivers::idcard::layout;
use kiosk_drivers::idcard::sim::{load_sample, SimControl, SimLine, SimulatorHandle};
use kiosk_drivers::idcard::{Reader, SerialTransport};

const BAUD: u32 = 115_200;

fn sequence_bytes() -> usize {
    let commands = 3 * Command::FindCard.encode().len();
    let answers = 15 + 19 + 1295; // find, select, read base (reference §1.3)
    commands + answers
}

fn placed_to_decoded(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let control = SimControl::new(Some(load_sample("zhang-san").expect("sample")), BAUD);
    let sim = SimulatorHandle::start(control.clone(), SimLine::OwnPty(dir.path().join("reader")))
        .expect("simulator pty");
    let link = SerialTransport::open(sim.path(), BAUD).expect("open the pty");
    let mut reader = Reader::new(link, BAUD);
    reader.check_sam().expect("SAM answers");

    let bytes = sequence_bytes();
    let wire = wire_time(bytes, BAUD);
    println!(
        "\nwire time of placed→decoded at {BAUD} baud: {bytes} bytes × 10 bits = {:.1} ms (not in the figures below: a pty does not pace bytes)",
        wire.as_secs_f64() * 1000.0
    );

    c.bench_function("idcard placed→decoded over pty (host overhead)", |b| {
        b.iter(|| {
            control.place_card(None);
            assert!(reader.find().expect("find"));
            let card = reader.select_and_read(false).expect("read");
            assert_eq!(card.id_number.len(), 18);
            card
        })
    });
}

fn decode_only(c: &mut Criterion) {
    let (card, _) = kiosk_drivers::idcard::sim::sample_card("zhang-san").expect("sample");
    let message = BaseMessage {
        text: layout::encode(&card).expect("encode"),
        photo: zeroize::Zeroizing::new(card.photo_wlt.clone()),
        fingerprint: None,
    };
    let frame = Response::new(Sw3::Success, message.to_data()).encode();
    assert_eq!(frame.len(), 1295);
    c.bench_function("idcard decode read-base frame + text block (no I/O)", |b| {
        b.iter(|| {
            let mut buf = BytesMut::from(&frame[..]);
            let raw = FrameDecoder::new()
                .decode(&mut buf)
                .expect("frame")
                .expect("whole");
            let response = Response::from_frame(&Command::ReadBase, &raw).expect("response");
            let message = BaseMessage::parse(&response.data, false).expect("message");
            layout::decode(&message.text, &message.photo).expect("card")
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(5)).sample_size(50);
    targets = placed_to_decoded, decode_only
}
criterion_main!(benches);
