//! Fuzzes the SAM frame decoder and answer typing: arbitrary bytes, fed in arbitrary chunks,
//! must never panic or loop, every frame it yields must re-encode to valid bytes, and the
//! decoder must consume everything but a possible partial frame.
#![no_main]

use bytes::BytesMut;
use kiosk_drivers::idcard::codec::{BaseMessage, Command, Response, SamId};
use kiosk_drivers::idcard::frame::{encode_frame, FrameDecoder, HEADER_LEN, MAX_LEN};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, bytes)) = data.split_first() else { return };
    let chunk = usize::from(chunk).max(1);
    let mut decoder = FrameDecoder::new();
    let mut buf = BytesMut::new();
    for piece in bytes.chunks(chunk) {
        buf.extend_from_slice(piece);
        // Each call consumes at least one frame or returns; bound the calls anyway.
        for _ in 0..=bytes.len() {
            match decoder.decode(&mut buf) {
                Ok(Some(frame)) => {
                    let again = encode_frame(&frame.body);
                    let mut b = BytesMut::from(&again[..]);
                    let back = FrameDecoder::new().decode(&mut b).expect("own frame").expect("whole");
                    assert_eq!(back, frame);
                    let _ = Command::parse(&frame.body);
                    if let Ok(r) = Response::from_frame(&Command::ReadBase, &frame) {
                        let _ = BaseMessage::parse(&r.data, false);
                        let _ = BaseMessage::parse(&r.data, true);
                        let _ = SamId::parse(&r.data);
                        let _ = r.ok_for(&Command::ReadBase);
                    }
                }
                Ok(None) => break,
                Err(_) => {}
            }
        }
    }
    // What is left can only be the start of a frame still waiting for bytes.
    assert!(buf.len() < HEADER_LEN + MAX_LEN);
});
