//! ESC/POS command encoder: pure functions from intent to bytes, one per command a kiosk
//! receipt needs (reference §1). No I/O here; the layout calls these, tests check the bytes.

use super::error::PrinterError;
use super::raster::Bitmap;

/// Horizontal alignment (`ESC a n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    /// n = 0.
    #[default]
    Left,
    /// n = 1.
    Center,
    /// n = 2.
    Right,
}

/// QR error-correction level (`GS ( k` fn 169).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrEc {
    /// 7 %.
    L,
    /// 15 %.
    M,
    /// 25 %.
    Q,
    /// 30 %.
    H,
}

impl QrEc {
    fn byte(self) -> u8 {
        match self {
            QrEc::L => 0x30,
            QrEc::M => 0x31,
            QrEc::Q => 0x32,
            QrEc::H => 0x33,
        }
    }

    /// The same level for the `qrcode` crate.
    pub fn to_qrcode(self) -> qrcode::EcLevel {
        match self {
            QrEc::L => qrcode::EcLevel::L,
            QrEc::M => qrcode::EcLevel::M,
            QrEc::Q => qrcode::EcLevel::Q,
            QrEc::H => qrcode::EcLevel::H,
        }
    }
}

/// Which cut (`GS V`), with the exact bytes of reference §1.6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// `1D 56 00`: full cut here.
    Full,
    /// `1D 56 01`: partial cut here.
    Partial,
    /// `1D 56 41 n`: feed to cutter plus n units, full cut.
    FeedFull(u8),
    /// `1D 56 42 n`: feed to cutter plus n units, partial cut.
    FeedPartial(u8),
}

/// Appends ESC/POS commands to a byte buffer.
#[derive(Debug, Default, Clone)]
pub struct Encoder {
    buf: Vec<u8>,
}

/// Longest QR payload `GS ( k` can store in one command (pL pH is 16 bits, minus 3).
pub const QR_MAX_BYTES: usize = 7089;

impl Encoder {
    /// An empty command buffer.
    pub fn new() -> Self {
        Encoder::default()
    }

    /// The bytes so far.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Takes the bytes out.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// `ESC @`: reset modes to power-on defaults.
    pub fn init(&mut self) -> &mut Self {
        self.raw(&[0x1B, 0x40])
    }

    /// Raw bytes, for callers that already hold encoded text.
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(bytes);
        self
    }

    /// `LF`: print the line buffer and advance.
    pub fn lf(&mut self) -> &mut Self {
        self.raw(&[0x0A])
    }

    /// `ESC d n`: print and feed n lines.
    pub fn feed_lines(&mut self, n: u8) -> &mut Self {
        self.raw(&[0x1B, 0x64, n])
    }

    /// `ESC a n`.
    pub fn align(&mut self, align: Align) -> &mut Self {
        let n = match align {
            Align::Left => 0,
            Align::Center => 1,
            Align::Right => 2,
        };
        self.raw(&[0x1B, 0x61, n])
    }

    /// `ESC E n`: emphasis (bold).
    pub fn bold(&mut self, on: bool) -> &mut Self {
        self.raw(&[0x1B, 0x45, u8::from(on)])
    }

    /// `ESC - n`: underline (0 off, 1 thin, 2 thick).
    pub fn underline(&mut self, n: u8) -> &mut Self {
        self.raw(&[0x1B, 0x2D, n.min(2)])
    }

    /// `GS ! n`: character size, width and height multipliers 1–8.
    pub fn size(&mut self, width: u8, height: u8) -> &mut Self {
        let w = width.clamp(1, 8) - 1;
        let h = height.clamp(1, 8) - 1;
        self.raw(&[0x1D, 0x21, (w << 4) | h])
    }

    /// `ESC 3 n` (line spacing n dots) or `ESC 2` (default spacing) for `None`.
    pub fn line_spacing(&mut self, dots: Option<u8>) -> &mut Self {
        match dots {
            Some(n) => self.raw(&[0x1B, 0x33, n]),
            None => self.raw(&[0x1B, 0x32]),
        }
    }

    /// `ESC t n`: single-byte code page.
    pub fn code_page(&mut self, n: u8) -> &mut Self {
        self.raw(&[0x1B, 0x74, n])
    }

    /// `FS &` (on) / `FS .` (off): Chinese (double-byte) character mode.
    pub fn chinese_mode(&mut self, on: bool) -> &mut Self {
        self.raw(if on { &[0x1C, 0x26] } else { &[0x1C, 0x2E] })
    }

    /// Native QR code: model 2, module size, EC level, store, print (`GS ( k` fn 165–181).
    pub fn qr_native(
        &mut self,
        data: &[u8],
        module: u8,
        ec: QrEc,
    ) -> Result<&mut Self, PrinterError> {
        if data.is_empty() || data.len() > QR_MAX_BYTES {
            return Err(PrinterError::Content(format!(
                "QR payload is {} bytes; it must be 1..={QR_MAX_BYTES}",
                data.len()
            )));
        }
        let store_len = data.len() + 3;
        let (pl, ph) = ((store_len & 0xFF) as u8, (store_len >> 8) as u8);
        self.raw(&[0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]);
        self.raw(&[
            0x1D,
            0x28,
            0x6B,
            0x03,
            0x00,
            0x31,
            0x43,
            module.clamp(1, 16),
        ]);
        self.raw(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, ec.byte()]);
        self.raw(&[0x1D, 0x28, 0x6B, pl, ph, 0x31, 0x50, 0x30]);
        self.raw(data);
        Ok(self.raw(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]))
    }

    /// `GS v 0`, split into bands of at most `band_rows` rows (tall images overflow buffers).
    pub fn raster(&mut self, image: &Bitmap, band_rows: u16) -> &mut Self {
        let x_bytes = image.width().div_ceil(8);
        let band = usize::from(band_rows.max(1));
        let mut y = 0;
        while y < image.height() {
            let rows = band.min(image.height() - y);
            self.raw(&[
                0x1D,
                0x76,
                0x30,
                0x00,
                (x_bytes & 0xFF) as u8,
                (x_bytes >> 8) as u8,
                (rows & 0xFF) as u8,
                (rows >> 8) as u8,
            ]);
            for row in y..y + rows {
                image.pack_row(row, &mut self.buf);
            }
            y += rows;
        }
        self
    }

    /// CODE128 (function B, code set B) with HRI below: settings first, then `GS k 73`.
    pub fn code128(
        &mut self,
        data: &str,
        height: u8,
        module: u8,
    ) -> Result<&mut Self, PrinterError> {
        if data.is_empty() || !data.bytes().all(|b| (0x20..0x7F).contains(&b)) {
            return Err(PrinterError::Content(
                "CODE128 set B carries printable ASCII only, and at least one character".into(),
            ));
        }
        let mut payload = vec![b'{', b'B'];
        for b in data.bytes() {
            payload.push(b);
            if b == b'{' {
                payload.push(b'{'); // a literal brace is escaped as "{{"
            }
        }
        if payload.len() > 255 {
            return Err(PrinterError::Content(format!(
                "CODE128 data of {} characters is too long for one barcode",
                data.len()
            )));
        }
        self.raw(&[0x1D, 0x68, height.max(1)]);
        self.raw(&[0x1D, 0x77, module.clamp(2, 6)]);
        self.raw(&[0x1D, 0x48, 0x02]);
        self.raw(&[0x1D, 0x66, 0x00]);
        self.raw(&[0x1D, 0x6B, 73, payload.len() as u8]);
        Ok(self.raw(&payload))
    }

    /// `GS V`: the cut, with the bytes of reference §1.6.
    pub fn cut(&mut self, cut: Cut) -> &mut Self {
        match cut {
            Cut::Full => self.raw(&[0x1D, 0x56, 0x00]),
            Cut::Partial => self.raw(&[0x1D, 0x56, 0x01]),
            Cut::FeedFull(n) => self.raw(&[0x1D, 0x56, 0x41, n]),
            Cut::FeedPartial(n) => self.raw(&[0x1D, 0x56, 0x42, n]),
        }
    }

    /// `DLE EOT n` (n = 1–4): real-time status request, exactly three bytes (no trailing NUL).
    pub fn realtime_status(&mut self, n: u8) -> &mut Self {
        self.raw(&[0x10, 0x04, n.clamp(1, 4)])
    }

    /// `DLE ENQ n`: recover from a recoverable error (1: restart, 2: clear buffers).
    pub fn realtime_recover(&mut self, n: u8) -> &mut Self {
        self.raw(&[0x10, 0x05, n.clamp(1, 2)])
    }

    /// `GS r 1`: paper sensor status, answered after all preceding data: the "job done" marker.
    pub fn transmit_paper_status(&mut self) -> &mut Self {
        self.raw(&[0x1D, 0x72, 0x01])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(f: impl FnOnce(&mut Encoder)) -> Vec<u8> {
        let mut e = Encoder::new();
        f(&mut e);
        e.into_bytes()
    }

    #[test]
    fn formatting_commands_have_their_exact_bytes() {
        assert_eq!(
            bytes(|e| {
                e.init();
            }),
            [0x1B, 0x40]
        );
        assert_eq!(
            bytes(|e| {
                e.lf();
            }),
            [0x0A]
        );
        assert_eq!(
            bytes(|e| {
                e.feed_lines(3);
            }),
            [0x1B, 0x64, 3]
        );
        assert_eq!(
            bytes(|e| {
                e.align(Align::Center);
            }),
            [0x1B, 0x61, 1]
        );
        assert_eq!(
            bytes(|e| {
                e.align(Align::Right);
            }),
            [0x1B, 0x61, 2]
        );
        assert_eq!(
            bytes(|e| {
                e.bold(true);
            }),
            [0x1B, 0x45, 1]
        );
        assert_eq!(
            bytes(|e| {
                e.bold(false);
            }),
            [0x1B, 0x45, 0]
        );
        assert_eq!(
            bytes(|e| {
                e.underline(1);
            }),
            [0x1B, 0x2D, 1]
        );
        assert_eq!(
            bytes(|e| {
                e.size(2, 2);
            }),
            [0x1D, 0x21, 0x11]
        );
        assert_eq!(
            bytes(|e| {
                e.size(1, 2);
            }),
            [0x1D, 0x21, 0x01]
        );
        assert_eq!(
            bytes(|e| {
                e.size(9, 0);
            }),
            [0x1D, 0x21, 0x70]
        );
        // ESC '3' n, not ESC 0x03 n (recibo's bug).
        assert_eq!(
            bytes(|e| {
                e.line_spacing(Some(30));
            }),
            [0x1B, 0x33, 30]
        );
        assert_eq!(
            bytes(|e| {
                e.line_spacing(None);
            }),
            [0x1B, 0x32]
        );
        assert_eq!(
            bytes(|e| {
                e.chinese_mode(true);
            }),
            [0x1C, 0x26]
        );
        assert_eq!(
            bytes(|e| {
                e.chinese_mode(false);
            }),
            [0x1C, 0x2E]
        );
    }

    #[test]
    fn cuts_use_the_epson_table_and_partial_is_really_partial() {
        assert_eq!(
            bytes(|e| {
                e.cut(Cut::Full);
            }),
            [0x1D, 0x56, 0x00]
        );
        assert_eq!(
            bytes(|e| {
                e.cut(Cut::Partial);
            }),
            [0x1D, 0x56, 0x01]
        );
        assert_eq!(
            bytes(|e| {
                e.cut(Cut::FeedFull(0));
            }),
            [0x1D, 0x56, 0x41, 0]
        );
        assert_eq!(
            bytes(|e| {
                e.cut(Cut::FeedPartial(0));
            }),
            [0x1D, 0x56, 0x42, 0]
        );
    }

    #[test]
    fn status_requests_are_three_bytes_without_trailing_nul() {
        assert_eq!(
            bytes(|e| {
                e.realtime_status(4);
            }),
            [0x10, 0x04, 4]
        );
        assert_eq!(
            bytes(|e| {
                e.realtime_recover(2);
            }),
            [0x10, 0x05, 2]
        );
        assert_eq!(
            bytes(|e| {
                e.transmit_paper_status();
            }),
            [0x1D, 0x72, 1]
        );
    }

    #[test]
    fn native_qr_sends_model_size_ec_store_print_in_order() {
        let b = bytes(|e| {
            e.qr_native(b"https://a.b/c", 6, QrEc::M).unwrap();
        });
        let mut want = vec![0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00];
        want.extend([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 6]);
        want.extend([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31]);
        want.extend([0x1D, 0x28, 0x6B, 16, 0, 0x31, 0x50, 0x30]);
        want.extend(b"https://a.b/c");
        want.extend([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]);
        assert_eq!(b, want);
    }

    #[test]
    fn native_qr_length_uses_both_length_bytes_and_rejects_empty_or_huge() {
        let data = vec![b'A'; 300];
        let b = bytes(|e| {
            e.qr_native(&data, 4, QrEc::L).unwrap();
        });
        assert_eq!(
            &b[25..33],
            &[0x1D, 0x28, 0x6B, 0x2F, 0x01, 0x31, 0x50, 0x30]
        );
        let mut e = Encoder::new();
        assert!(e.qr_native(b"", 4, QrEc::L).is_err());
        assert!(e.qr_native(&vec![0; QR_MAX_BYTES + 1], 4, QrEc::L).is_err());
    }

    #[test]
    fn code128_sends_settings_before_gs_k_and_escapes_braces() {
        let b = bytes(|e| {
            e.code128("A{1", 80, 2).unwrap();
        });
        let mut want = vec![0x1D, 0x68, 80, 0x1D, 0x77, 2, 0x1D, 0x48, 2, 0x1D, 0x66, 0];
        want.extend([0x1D, 0x6B, 73, 6, b'{', b'B', b'A', b'{', b'{', b'1']);
        assert_eq!(b, want);
        let mut e = Encoder::new();
        assert!(e.code128("二维码", 80, 2).is_err());
        assert!(e.code128("", 80, 2).is_err());
    }

    #[test]
    fn raster_packs_rows_msb_first_left_aligned_and_bands_tall_images() {
        // 10 x 3 image: row 0 all black, row 1 only x=9, row 2 only x=0.
        let mut img = Bitmap::new(10, 3);
        for x in 0..10 {
            img.set(x, 0, true);
        }
        img.set(9, 1, true);
        img.set(0, 2, true);
        let b = bytes(|e| {
            e.raster(&img, 2);
        });
        let want = vec![
            0x1D, 0x76, 0x30, 0, 2, 0, 2, 0, 0xFF, 0xC0, 0x00, 0x40, // band 1: 2 rows
            0x1D, 0x76, 0x30, 0, 2, 0, 1, 0, 0x80, 0x00, // band 2: 1 row
        ];
        assert_eq!(b, want);
    }

    #[test]
    fn code_page_is_esc_t_n() {
        assert_eq!(
            bytes(|e| {
                e.code_page(0);
            }),
            [0x1B, 0x74, 0]
        );
    }
}
