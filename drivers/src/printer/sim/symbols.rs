//! Small pieces the emulator's renderer needs: decoding one GB18030 character as the
//! printer's firmware would, the box drawn for a missing glyph, CODE128 bars, and the hash
//! used to log images without their bytes.

use crate::printer::profile::FirmwareCharset;
use crate::printer::raster::Bitmap;

/// Decodes one GB character: (char, bytes used, missing from the firmware font).
pub(super) fn decode_gb(bytes: &[u8], charset: FirmwareCharset) -> (char, usize, bool) {
    let lead = bytes[0];
    let second = bytes.get(1).copied().unwrap_or(0);
    let len = if (0x30..=0x39).contains(&second) && bytes.len() >= 4 {
        4
    } else if (0x40..=0xFE).contains(&second) && second != 0x7F {
        2
    } else {
        return (char::REPLACEMENT_CHARACTER, 1, true);
    };
    let (text, _, bad) = encoding_rs::GB18030.decode(&bytes[..len]);
    let c = text.chars().next().unwrap_or(char::REPLACEMENT_CHARACTER);
    let in_gb2312 = (0xA1..=0xF7).contains(&lead) && (0xA1..=0xFE).contains(&second);
    let gbk_pua = lead == 0xFE && (0x50..=0xA0).contains(&second);
    let missing = bad || len == 4 || gbk_pua || (charset == FirmwareCharset::Gb2312 && !in_gb2312);
    (c, len, missing)
}

pub(super) fn draw_box(img: &mut Bitmap, x: usize, y: usize, w: usize, h: usize) {
    img.fill_rect(x, y, w, 1);
    img.fill_rect(x, y + h.saturating_sub(1), w, 1);
    img.fill_rect(x, y, 1, h);
    img.fill_rect(x + w.saturating_sub(1), y, 1, h);
}

/// Bars of a CODE128 symbol (`GS k 73`), and its human-readable text.
pub(super) fn code128_modules(system: u8, data: &[u8]) -> Option<(Vec<u8>, String)> {
    if system != 73 || data.len() < 2 || data[0] != b'{' {
        return None;
    }
    let set = match data[1] {
        b'A' => 'À',
        b'B' => 'Ɓ',
        b'C' => 'Ć',
        _ => return None,
    };
    let mut hri = String::new();
    let mut i = 2;
    while i < data.len() {
        if data[i] == b'{' && data.get(i + 1) == Some(&b'{') {
            i += 1;
        } else if data[i] == b'{' {
            return None; // mid-symbol code-set switches are not drawn
        }
        hri.push(char::from(data[i]));
        i += 1;
    }
    let symbol = format!("{set}{hri}");
    let modules = barcoders::sym::code128::Code128::new(&symbol)
        .ok()?
        .encode();
    Some((modules, hri))
}

/// FNV-1a 64-bit hash, to log images without their bytes.
pub fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
