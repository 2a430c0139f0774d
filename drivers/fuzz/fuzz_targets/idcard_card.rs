//! Fuzzes the 256-byte text-block decoder of all four layouts: any bytes must give a card or
//! a clear error, never a panic; a decoded card must encode and decode back to itself.
#![no_main]

use kiosk_drivers::idcard::layout::{decode, encode, TEXT_LEN};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut text = [0x20u8; TEXT_LEN];
    let n = data.len().min(TEXT_LEN);
    text[..n].copy_from_slice(&data[..n]);
    // Steer a quarter of the inputs to each layout's flag.
    if let Some(&selector) = data.get(TEXT_LEN) {
        text[248] = [b' ', b'J', b'I', b'Y'][usize::from(selector % 4)];
        text[249] = 0;
    }
    let photo = data.get(TEXT_LEN..).unwrap_or(&[]);
    // Check digits make random numbers fail early; also try with a valid number dropped in.
    for fix_number in [false, true] {
        let mut text = text;
        if fix_number {
            let number: &[u8] = if text[248] == b'I' { b"USA310019750102" } else { b"11010519491231002X" };
            let at = 122;
            for (i, c) in number.iter().enumerate() {
                text[at + 2 * i] = *c;
                text[at + 2 * i + 1] = 0;
            }
        }
        if let Ok(card) = decode(&text, photo) {
            let encoded = encode(&card).expect("a decoded card encodes");
            let again = decode(&encoded, photo).expect("an encoded card decodes");
            assert_eq!(again, card);
        }
    }
});
