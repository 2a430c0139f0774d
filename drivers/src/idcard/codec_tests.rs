//! The reference's worked frames, byte for byte, and codec round trips.

use bytes::BytesMut;

use super::*;
use crate::idcard::frame::FrameDecoder;

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|h| u8::from_str_radix(h, 16).unwrap())
        .collect()
}

fn decode_one(bytes: &[u8]) -> RawFrame {
    let mut buf = BytesMut::from(bytes);
    let frame = FrameDecoder::new().decode(&mut buf).unwrap().unwrap();
    assert!(buf.is_empty(), "bytes left after the frame");
    frame
}

#[test]
fn every_command_encodes_as_in_the_reference() {
    let cases = [
        (Command::ResetSam, "AA AA AA 96 69 00 03 10 FF EC"),
        (Command::SamStatus, "AA AA AA 96 69 00 03 11 FF ED"),
        (Command::SamId, "AA AA AA 96 69 00 03 12 FF EE"),
        (Command::FindCard, "AA AA AA 96 69 00 03 20 01 22"),
        (Command::SelectCard, "AA AA AA 96 69 00 03 20 02 21"),
        (Command::ReadBase, "AA AA AA 96 69 00 03 30 01 32"),
        (
            Command::ReadBaseWithFingerprint,
            "AA AA AA 96 69 00 03 30 10 23",
        ),
        (
            Command::ReadAppendedAddress,
            "AA AA AA 96 69 00 03 30 03 30",
        ),
        (
            Command::ReadManagementNumber,
            "AA AA AA 96 69 00 03 30 05 36",
        ),
        (
            Command::SetMaxRfFrame(0x50),
            "AA AA AA 96 69 00 04 61 FF 50 CA",
        ),
        (Command::SetBaud(115_200), "AA AA AA 96 69 00 03 60 00 63"),
        (Command::SetBaud(57_600), "AA AA AA 96 69 00 03 60 01 62"),
        (Command::SetBaud(38_400), "AA AA AA 96 69 00 03 60 02 61"),
        (Command::SetBaud(19_200), "AA AA AA 96 69 00 03 60 03 60"),
        (Command::SetBaud(9_600), "AA AA AA 96 69 00 03 60 04 67"),
    ];
    for (command, expected) in cases {
        let bytes = command.encode();
        assert_eq!(bytes, hex(expected), "{}", command.name());
        // And the simulator side parses it back to the same command.
        let frame = decode_one(&bytes);
        assert_eq!(Command::parse(&frame.body), Ok(command));
    }
}

#[test]
fn the_reference_answers_decode_to_their_status() {
    let cases = [
        ("AA AA AA 96 69 00 04 00 00 90 94", Sw3::Success, 0),
        (
            "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97",
            Sw3::FindSuccess,
            4,
        ),
        ("AA AA AA 96 69 00 04 00 00 80 84", Sw3::FindFailed, 0),
        (
            "AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C",
            Sw3::Success,
            8,
        ),
        ("AA AA AA 96 69 00 04 00 00 81 85", Sw3::SelectFailed, 0),
        ("AA AA AA 96 69 00 04 00 00 41 45", Sw3::ReadFailed, 0),
        ("AA AA AA 96 69 00 04 00 00 91 95", Sw3::NoContent, 0),
        ("AA AA AA 96 69 00 04 00 00 10 14", Sw3::ChecksumError, 0),
    ];
    for (bytes, sw3, data_len) in cases {
        let frame = decode_one(&hex(bytes));
        let response = Response::from_frame(&Command::FindCard, &frame).unwrap();
        assert_eq!(response.sw3, sw3, "{bytes}");
        assert_eq!(response.data.len(), data_len, "{bytes}");
        // Encoding the typed answer gives the same bytes back.
        assert_eq!(response.encode(), hex(bytes));
    }
}

#[test]
fn the_sam_id_example_parses_and_prints_the_sdtapi_way() {
    let bytes =
        hex("AA AA AA 96 69 00 14 00 00 90 05 00 01 00 60 B8 32 01 55 B0 06 01 32 6F 00 80 54");
    assert_eq!(bytes.len(), 27);
    let frame = decode_one(&bytes);
    let response = Response::from_frame(&Command::SamId, &frame)
        .unwrap()
        .ok_for(&Command::SamId)
        .unwrap();
    let id = SamId::parse(&response.data).unwrap();
    assert_eq!(id.to_string(), "05.01-20101216-0017215573-2147512114");
    assert_eq!(Response::new(Sw3::Success, id.to_bytes()).encode(), bytes);
}

#[test]
fn a_sam_id_of_the_wrong_length_is_malformed() {
    assert!(matches!(
        SamId::parse(&[0; 15]),
        Err(IdCardError::Malformed { .. })
    ));
}

#[test]
fn read_base_answer_is_1295_bytes_with_len_0508() {
    let message = BaseMessage {
        text: Zeroizing::new(vec![0x20; 256]),
        photo: Zeroizing::new((0..1024).map(|i| i as u8).collect()),
        fingerprint: None,
    };
    let frame = Response::new(Sw3::Success, message.to_data()).encode();
    assert_eq!(frame.len(), 1295);
    assert_eq!(&frame[5..7], &[0x05, 0x08]);
    assert_eq!(&frame[10..14], &[0x01, 0x00, 0x04, 0x00]);
    let raw = decode_one(&frame);
    let response = Response::from_frame(&Command::ReadBase, &raw).unwrap();
    let parsed = BaseMessage::parse(&response.data, false).unwrap();
    assert!(parsed == message);
}

#[test]
fn fingerprint_answers_have_the_reference_sizes() {
    for (fp_len, total, len_field) in [
        (1024, 2321, [0x09, 0x0A]),
        (512, 1809, [0x07, 0x0A]),
        (0, 1297, [0x05, 0x0A]),
    ] {
        let message = BaseMessage {
            text: Zeroizing::new(vec![0x20; 256]),
            photo: Zeroizing::new(vec![7; 1024]),
            fingerprint: Some(Zeroizing::new(vec![9; fp_len])),
        };
        let frame = Response::new(Sw3::Success, message.to_data()).encode();
        assert_eq!(frame.len(), total);
        assert_eq!(&frame[5..7], &len_field);
        let raw = decode_one(&frame);
        let response = Response::from_frame(&Command::ReadBaseWithFingerprint, &raw).unwrap();
        let parsed = BaseMessage::parse(&response.data, true).unwrap();
        assert_eq!(parsed.fingerprint.unwrap().len(), fp_len);
    }
}

#[test]
fn inconsistent_read_lengths_are_malformed() {
    let mut data = vec![0x01, 0x00, 0x04, 0x00];
    data.extend(vec![0; 256 + 1000]);
    assert!(matches!(
        BaseMessage::parse(&data, false),
        Err(IdCardError::Malformed { .. })
    ));
    assert!(BaseMessage::parse(&[0x01], false).is_err());
}

#[test]
fn unknown_commands_and_bad_lengths_get_the_readers_sw3() {
    assert_eq!(Command::parse(&[0x30, 0x02]), Err(Sw3::CommandError));
    assert_eq!(Command::parse(&[0x60, 0x05]), Err(Sw3::CommandError));
    assert_eq!(Command::parse(&[0x20, 0x01, 0x00]), Err(Sw3::LengthError));
    assert_eq!(Command::parse(&[0x61, 0xFF]), Err(Sw3::LengthError));
    assert_eq!(Command::parse(&[0x20]), Err(Sw3::LengthError));
}

#[test]
fn every_sw3_byte_round_trips() {
    for b in 0..=255u8 {
        assert_eq!(Sw3::from_byte(b).code(), b);
    }
    assert_eq!(Sw3::NotAuthorised.error_kind(), ErrorKind::Fault);
    assert_eq!(Sw3::ReadFailed.error_kind(), ErrorKind::Unreadable);
    assert_eq!(Sw3::ChecksumError.error_kind(), ErrorKind::Protocol);
}

#[test]
fn read_timeouts_grow_with_wire_time() {
    assert_eq!(wire_time(1295, 115_200).as_millis(), 112);
    assert!(Command::ReadBase.timeout(9_600) > Command::ReadBase.timeout(115_200));
    assert!(Command::ReadBase.timeout(9_600).as_millis() >= 3300);
}
