//! AIM symbology identifiers (ISO/IEC 15424): the `]Q1` a scanner may put before a code to
//! say what kind of code it read, mapped to [`Symbology`].

use std::fmt;

/// The kind of code scanned, from the AIM identifier's code character (ISO/IEC 15424).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Symbology {
    /// QR Code (`]Q`), the one citizens scan most: appointment codes, e-licences.
    Qr,
    /// Data Matrix (`]d`).
    DataMatrix,
    /// PDF417 (`]L`).
    Pdf417,
    /// Aztec (`]z`).
    Aztec,
    /// Han Xin Code (`]h`), the Chinese 2-D symbology (identifier not confirmed in a source).
    HanXin,
    /// Code 128 (`]C0`).
    Code128,
    /// GS1-128 (`]C1`).
    Gs1_128,
    /// Code 39 (`]A`).
    Code39,
    /// Code 93 (`]G`).
    Code93,
    /// Codabar (`]F`).
    Codabar,
    /// EAN-13 or UPC-A (`]E0`).
    Ean13,
    /// EAN-8 (`]E4`).
    Ean8,
    /// Other EAN/UPC forms (add-ons), `]E1`–`]E3`.
    EanUpc,
    /// Interleaved 2 of 5 (`]I`).
    Interleaved2Of5,
    /// GS1 DataBar (`]e`).
    Gs1DataBar,
    /// MaxiCode (`]U`).
    MaxiCode,
    /// MSI (`]M`).
    Msi,
    /// An AIM code character this table does not know.
    Other(char),
    /// The scanner sent no AIM identifier.
    Unknown,
}

impl Symbology {
    /// The symbology of an AIM code character and modifier.
    pub fn from_aim(code: char, modifier: char) -> Symbology {
        match (code, modifier) {
            ('Q', _) => Symbology::Qr,
            ('d', _) => Symbology::DataMatrix,
            ('L', _) => Symbology::Pdf417,
            ('z', _) => Symbology::Aztec,
            ('h', _) => Symbology::HanXin,
            ('C', '1') => Symbology::Gs1_128,
            ('C', _) => Symbology::Code128,
            ('A', _) => Symbology::Code39,
            ('G', _) => Symbology::Code93,
            ('F', _) => Symbology::Codabar,
            ('E', '0') => Symbology::Ean13,
            ('E', '4') => Symbology::Ean8,
            ('E', _) => Symbology::EanUpc,
            ('I', _) => Symbology::Interleaved2Of5,
            ('e', _) => Symbology::Gs1DataBar,
            ('U', _) => Symbology::MaxiCode,
            ('M', _) => Symbology::Msi,
            (other, _) => Symbology::Other(other),
        }
    }

    /// The AIM identifier a simulator sends for this symbology (`]Q1`), if it has one.
    pub fn aim(self) -> Option<String> {
        let id = match self {
            Symbology::Qr => "]Q1",
            Symbology::DataMatrix => "]d1",
            Symbology::Pdf417 => "]L0",
            Symbology::Aztec => "]z0",
            Symbology::HanXin => "]h0",
            Symbology::Code128 => "]C0",
            Symbology::Gs1_128 => "]C1",
            Symbology::Code39 => "]A0",
            Symbology::Code93 => "]G0",
            Symbology::Codabar => "]F0",
            Symbology::Ean13 => "]E0",
            Symbology::Ean8 => "]E4",
            Symbology::EanUpc => "]E3",
            Symbology::Interleaved2Of5 => "]I0",
            Symbology::Gs1DataBar => "]e0",
            Symbology::MaxiCode => "]U0",
            Symbology::Msi => "]M0",
            Symbology::Other(c) if c.is_ascii_alphabetic() => return Some(format!("]{c}0")),
            Symbology::Other(_) | Symbology::Unknown => return None,
        };
        Some(id.to_owned())
    }

    /// A short stable name (`qr`, `code128`) for CLI output, logs and metrics labels.
    pub fn name(self) -> &'static str {
        match self {
            Symbology::Qr => "qr",
            Symbology::DataMatrix => "datamatrix",
            Symbology::Pdf417 => "pdf417",
            Symbology::Aztec => "aztec",
            Symbology::HanXin => "hanxin",
            Symbology::Code128 => "code128",
            Symbology::Gs1_128 => "gs1-128",
            Symbology::Code39 => "code39",
            Symbology::Code93 => "code93",
            Symbology::Codabar => "codabar",
            Symbology::Ean13 => "ean13",
            Symbology::Ean8 => "ean8",
            Symbology::EanUpc => "ean-upc",
            Symbology::Interleaved2Of5 => "itf",
            Symbology::Gs1DataBar => "gs1-databar",
            Symbology::MaxiCode => "maxicode",
            Symbology::Msi => "msi",
            Symbology::Other(_) => "other",
            Symbology::Unknown => "unknown",
        }
    }

    /// Parses a name as printed by [`Symbology::name`] (for `--symbology` options).
    pub fn from_name(name: &str) -> Option<Symbology> {
        const NAMED: [Symbology; 18] = [
            Symbology::Qr,
            Symbology::DataMatrix,
            Symbology::Pdf417,
            Symbology::Aztec,
            Symbology::HanXin,
            Symbology::Code128,
            Symbology::Gs1_128,
            Symbology::Code39,
            Symbology::Code93,
            Symbology::Codabar,
            Symbology::Ean13,
            Symbology::Ean8,
            Symbology::EanUpc,
            Symbology::Interleaved2Of5,
            Symbology::Gs1DataBar,
            Symbology::MaxiCode,
            Symbology::Msi,
            Symbology::Unknown,
        ];
        NAMED
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Symbology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Splits a leading AIM identifier (`]` + code character + modifier) off a code.
///
/// Returns the symbology, the identifier text and the rest. A code that starts with `]` but
/// whose next two bytes are not printable ASCII letters/digits is left whole.
pub fn split_aim(code: &[u8]) -> (Symbology, Option<String>, &[u8]) {
    match code {
        [b']', c, m, rest @ ..] if c.is_ascii_alphabetic() && m.is_ascii_alphanumeric() => {
            let id = format!("]{}{}", *c as char, *m as char);
            (Symbology::from_aim(*c as char, *m as char), Some(id), rest)
        }
        _ => (Symbology::Unknown, None, code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aim_identifiers_name_the_symbology() {
        for (wire, sym, rest) in [
            (&b"]Q1https://x"[..], Symbology::Qr, &b"https://x"[..]),
            (b"]C10104912345", Symbology::Gs1_128, b"0104912345"),
            (b"]C0ABC", Symbology::Code128, b"ABC"),
            (b"]E06901234567892", Symbology::Ean13, b"6901234567892"),
            (b"]E412345670", Symbology::Ean8, b"12345670"),
            (b"]d2DM", Symbology::DataMatrix, b"DM"),
            (b"]L0PDF", Symbology::Pdf417, b"PDF"),
            (b"]A0CODE39", Symbology::Code39, b"CODE39"),
            (b"]I012", Symbology::Interleaved2Of5, b"12"),
            (b"]W9X", Symbology::Other('W'), b"X"),
        ] {
            let (got, id, tail) = split_aim(wire);
            assert_eq!(got, sym, "{:?}", String::from_utf8_lossy(wire));
            assert_eq!(id.as_deref().map(str::as_bytes), Some(&wire[..3]));
            assert_eq!(tail, rest);
        }
    }

    #[test]
    fn codes_without_a_valid_aim_identifier_are_left_whole() {
        for wire in [&b"12345"[..], b"]", b"]Q", b"]\x01\x02abc", b"]12abc"] {
            let (sym, id, rest) = split_aim(wire);
            assert_eq!((sym, id, rest), (Symbology::Unknown, None, wire));
        }
    }

    #[test]
    fn every_named_symbology_round_trips_through_its_aim_id_and_name() {
        for sym in [
            Symbology::Qr,
            Symbology::Gs1_128,
            Symbology::Ean8,
            Symbology::HanXin,
        ] {
            let aim = sym.aim().unwrap();
            let (back, _, _) = split_aim(aim.as_bytes());
            assert_eq!(back, sym);
            assert_eq!(Symbology::from_name(sym.name()), Some(sym));
        }
        assert_eq!(Symbology::Unknown.aim(), None);
    }
}
