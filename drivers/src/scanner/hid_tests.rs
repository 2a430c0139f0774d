//! Tests of the HID report decoders, driven by the report generator and by hand-made reports.

use super::*;

fn decode_keys(reports: &[[u8; 8]]) -> Vec<KeyOutcome> {
    let mut dec = KeyboardDecoder::new(KeyboardLayout::Us, false, 256);
    reports
        .iter()
        .filter_map(|r| dec.push(r).unwrap())
        .collect()
}

fn code(bytes: &[u8]) -> KeyOutcome {
    KeyOutcome::Frame(Frame::Code(bytes.to_vec()))
}

#[test]
fn every_printable_ascii_character_round_trips_through_us_boot_reports() {
    let all: Vec<u8> = (0x20..0x7f).collect();
    let reports = keyboard_reports(&all, KeyboardLayout::Us).unwrap();
    assert_eq!(decode_keys(&reports), vec![code(&all)]);
}

#[test]
fn shift_selects_upper_case_and_symbols_from_either_shift_key() {
    // 'a' with left shift, 'b' with right shift, '2' with left shift, then Enter.
    let reports = [
        [0x02, 0, 0x04, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0],
        [0x20, 0, 0x05, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0],
        [0x02, 0, 0x1F, 0, 0, 0, 0, 0],
        [0, 0, 0x28, 0, 0, 0, 0, 0],
    ];
    assert_eq!(decode_keys(&reports), vec![code(b"AB@")]);
}

#[test]
fn a_held_key_is_typed_once_and_a_repeated_key_needs_a_release() {
    let one = [0, 0, 0x1E, 0, 0, 0, 0, 0];
    let release = [0u8; 8];
    let enter = [0, 0, 0x28, 0, 0, 0, 0, 0];
    assert_eq!(decode_keys(&[one, one, one, enter]), vec![code(b"1")]);
    assert_eq!(decode_keys(&[one, release, one, enter]), vec![code(b"11")]);
    // The generator releases between characters, so doubled letters survive.
    let reports = keyboard_reports(b"1100", KeyboardLayout::Us).unwrap();
    assert_eq!(decode_keys(&reports), vec![code(b"1100")]);
}

#[test]
fn keypad_digits_and_keypad_enter_work() {
    let reports = [
        [0, 0, 0x59, 0, 0, 0, 0, 0], // keypad 1
        [0, 0, 0x62, 0, 0, 0, 0, 0], // keypad 0
        [0, 0, 0x58, 0, 0, 0, 0, 0], // keypad enter
    ];
    assert_eq!(decode_keys(&reports), vec![code(b"10")]);
}

#[test]
fn ctrl_bracket_types_the_gs1_group_separator() {
    let reports = [
        [0, 0, 0x27, 0, 0, 0, 0, 0],
        [0x01, 0, 0x30, 0, 0, 0, 0, 0], // Ctrl+]
        [0, 0, 0x28, 0, 0, 0, 0, 0],
    ];
    assert_eq!(decode_keys(&reports), vec![code(b"0\x1d")]);
}

#[test]
fn gbk_alt_codes_type_chinese_text() {
    // 中 is GBK D6D0 = 54992: Alt held, keypad 5 4 9 9 2, Alt released.
    let mut reports = vec![[0x04, 0, 0, 0, 0, 0, 0, 0]];
    for usage in [0x5D, 0x5C, 0x61, 0x61, 0x5A] {
        reports.push([0x04, 0, usage, 0, 0, 0, 0, 0]);
        reports.push([0x04, 0, 0, 0, 0, 0, 0, 0]);
    }
    reports.push([0; 8]);
    reports.push([0, 0, 0x28, 0, 0, 0, 0, 0]);
    assert_eq!(decode_keys(&reports), vec![code(&[0xD6, 0xD0])]);
}

#[test]
fn mixed_ascii_and_chinese_round_trip_through_alt_code_reports() {
    let text = "预约号A0042，临安区";
    let reports = keyboard_reports_alt_gbk(text, KeyboardLayout::Us).unwrap();
    let got = decode_keys(&reports);
    let want = crate::scanner::sanitize::TextEncoding::Gb18030.encode(text);
    assert_eq!(got, vec![code(&want)]);
    // And the sanitizer reads it back as the same text.
    let KeyOutcome::Frame(Frame::Code(bytes)) = &got[0] else {
        panic!("{got:?}");
    };
    let policy = crate::scanner::TextPolicy::default();
    assert_eq!(
        crate::scanner::sanitize::check_text(bytes, &policy).unwrap(),
        text
    );
}

#[test]
fn an_alt_code_too_large_for_gbk_rejects_the_code() {
    let mut reports = Vec::new();
    for _ in 0..6 {
        reports.push([0x04, 0, 0x5F, 0, 0, 0, 0, 0]); // keypad 7
        reports.push([0x04, 0, 0, 0, 0, 0, 0, 0]);
    }
    reports.push([0; 8]);
    reports.push([0, 0, 0x28, 0, 0, 0, 0, 0]);
    assert_eq!(decode_keys(&reports), vec![KeyOutcome::UnknownKey(0xE2)]);
}

#[test]
fn unknown_keys_reject_the_whole_code() {
    let reports = [
        [0, 0, 0x04, 0, 0, 0, 0, 0],
        [0, 0, 0x29, 0, 0, 0, 0, 0], // Escape
        [0, 0, 0x28, 0, 0, 0, 0, 0],
        [0, 0, 0x05, 0, 0, 0, 0, 0],
        [0, 0, 0x28, 0, 0, 0, 0, 0],
    ];
    assert_eq!(
        decode_keys(&reports),
        vec![KeyOutcome::UnknownKey(0x29), code(b"b")]
    );
}

#[test]
fn rollover_error_reports_and_short_reports_are_handled() {
    let mut dec = KeyboardDecoder::new(KeyboardLayout::Us, false, 16);
    assert_eq!(dec.push(&[0, 0, 1, 1, 1, 1, 1, 1]), Ok(None));
    assert_eq!(
        dec.push(&[0, 0, 4]),
        Err(HidReportError::TooShort {
            len: 3,
            expected: 8
        })
    );
}

#[test]
fn tab_ends_a_code_only_when_configured() {
    let reports = [
        [0, 0, 0x04, 0, 0, 0, 0, 0],
        [0, 0, 0x2B, 0, 0, 0, 0, 0],
        [0, 0, 0x28, 0, 0, 0, 0, 0],
    ];
    assert_eq!(decode_keys(&reports), vec![code(b"a\t")]);
    let mut dec = KeyboardDecoder::new(KeyboardLayout::Us, true, 16);
    let got: Vec<_> = reports
        .iter()
        .filter_map(|r| dec.push(r).unwrap())
        .collect();
    assert_eq!(got, vec![code(b"a")]);
}

#[test]
fn an_endless_wedge_code_is_reported_overlong() {
    let text = vec![b'7'; 20_000];
    let reports = keyboard_reports(&text, KeyboardLayout::Us).unwrap();
    let mut dec = KeyboardDecoder::new(KeyboardLayout::Us, false, 2_048);
    let got: Vec<_> = reports
        .iter()
        .filter_map(|r| dec.push(r).unwrap())
        .collect();
    assert_eq!(
        got,
        vec![KeyOutcome::Frame(Frame::Overlong { len: 20_000 })]
    );
}

#[test]
fn the_generator_refuses_what_a_us_keyboard_cannot_type() {
    assert_eq!(
        keyboard_reports("中".as_bytes(), KeyboardLayout::Us),
        Err(0xE4)
    );
}

#[test]
fn a_short_hid_pos_code_is_one_report_with_its_aim_identifier() {
    let reports = hid_pos_reports(Some("]Q1"), b"https://gov.cn");
    assert_eq!(reports.len(), 1);
    let r = &reports[0];
    assert_eq!((r[0], r[1], &r[2..5], r[63]), (0x02, 14, &b"]Q1"[..], 0));
    let mut asm = HidPosAssembler::new(4_096);
    assert_eq!(
        asm.push(r),
        Ok(Some(Frame::Code(b"]Q1https://gov.cn".to_vec())))
    );
}

#[test]
fn a_long_hid_pos_code_spans_reports_and_is_joined() {
    let data: Vec<u8> = (0..300u32).map(|i| b'A' + (i % 26) as u8).collect();
    let reports = hid_pos_reports(Some("]d2"), &data);
    assert_eq!(reports.len(), 6); // 300 bytes / 56 per report
    assert!(reports[..5].iter().all(|r| r[63] == 1) && reports[5][63] == 0);
    let mut asm = HidPosAssembler::new(4_096);
    let frames: Vec<_> = reports
        .iter()
        .filter_map(|r| asm.push(r).unwrap())
        .collect();
    let mut want = b"]d2".to_vec();
    want.extend_from_slice(&data);
    assert_eq!(frames, vec![Frame::Code(want)]);
}

#[test]
fn hid_pos_utf8_chinese_passes_through_as_bytes() {
    let text = "预约号A0042".as_bytes();
    let mut asm = HidPosAssembler::new(4_096);
    let got = asm.push(&hid_pos_reports(None, text)[0]).unwrap();
    assert_eq!(got, Some(Frame::Code(text.to_vec())));
}

#[test]
fn hid_pos_overlong_codes_and_bad_reports_are_reported() {
    let mut asm = HidPosAssembler::new(100);
    let reports = hid_pos_reports(None, &[b'9'; 20_000]);
    let frames: Vec<_> = reports
        .iter()
        .filter_map(|r| asm.push(r).unwrap())
        .collect();
    assert_eq!(frames, vec![Frame::Overlong { len: 20_000 }]);

    let mut bad = hid_pos_reports(None, b"x")[0];
    bad[1] = 57;
    assert_eq!(asm.push(&bad), Err(HidReportError::BadLength(57)));
    assert_eq!(
        asm.push(&[0x02, 1, 0]),
        Err(HidReportError::TooShort {
            len: 3,
            expected: 64
        })
    );
    // A report with another id (an attribute report) is not scanned data.
    assert_eq!(asm.push(&[0x04; 64]), Ok(None));
}
