//! 1-bit bitmaps: what `GS v 0` carries, what the emulator draws on, and how a QR code
//! becomes an image when the printer has no native QR.

use super::codec::QrEc;
use super::error::PrinterError;

/// A 1-bit image, one byte per pixel (0 white, 1 black) for simple, safe indexing.
#[derive(Clone, PartialEq, Eq)]
pub struct Bitmap {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl std::fmt::Debug for Bitmap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bitmap({}x{})", self.width, self.height)
    }
}

impl Bitmap {
    /// A white image.
    pub fn new(width: usize, height: usize) -> Self {
        Bitmap {
            width,
            height,
            pixels: vec![0; width * height],
        }
    }

    /// Width in dots.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in dots.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Whether the dot is black; outside the image is white.
    pub fn get(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.height && self.pixels[y * self.width + x] != 0
    }

    /// Sets a dot; writes outside the image are ignored (clipping).
    pub fn set(&mut self, x: usize, y: usize, black: bool) {
        if x < self.width && y < self.height {
            self.pixels[y * self.width + x] = u8::from(black);
        }
    }

    /// Fills a rectangle with black, clipped.
    pub fn fill_rect(&mut self, x: usize, y: usize, w: usize, h: usize) {
        for yy in y..(y + h).min(self.height) {
            for xx in x..(x + w).min(self.width) {
                self.pixels[yy * self.width + xx] = 1;
            }
        }
    }

    /// Grows the image downwards with white rows (the emulator's paper roll).
    pub fn grow_to(&mut self, height: usize) {
        if height > self.height {
            self.pixels.resize(self.width * height, 0);
            self.height = height;
        }
    }

    /// Copies `other` onto this image at (x, y), OR-ing black dots, clipped.
    pub fn blit(&mut self, other: &Bitmap, x: usize, y: usize) {
        for yy in 0..other.height {
            for xx in 0..other.width {
                if other.get(xx, yy) {
                    self.set(x + xx, y + yy, true);
                }
            }
        }
    }

    /// Appends one row in `GS v 0` layout: MSB first, last partial byte left-aligned.
    pub fn pack_row(&self, y: usize, out: &mut Vec<u8>) {
        for chunk in 0..self.width.div_ceil(8) {
            let mut byte = 0u8;
            for bit in 0..8 {
                if self.get(chunk * 8 + bit, y) {
                    byte |= 0x80 >> bit;
                }
            }
            out.push(byte);
        }
    }

    /// Builds an image from `GS v 0` rows (`x_bytes` bytes per row).
    pub fn from_packed(x_bytes: usize, rows: usize, data: &[u8]) -> Bitmap {
        let mut img = Bitmap::new(x_bytes * 8, rows);
        for (i, byte) in data.iter().take(x_bytes * rows).enumerate() {
            let (y, xb) = (i / x_bytes, i % x_bytes);
            for bit in 0..8 {
                if byte & (0x80 >> bit) != 0 {
                    img.set(xb * 8 + bit, y, true);
                }
            }
        }
        img
    }

    /// Number of black dots, for tests and coverage estimates.
    pub fn black_count(&self) -> usize {
        self.pixels.iter().filter(|p| **p != 0).count()
    }

    /// Grey bytes (0 black, 255 white), row-major, for PNG output and QR decoders.
    pub fn to_grey(&self) -> Vec<u8> {
        self.pixels
            .iter()
            .map(|p| if *p != 0 { 0 } else { 255 })
            .collect()
    }

    /// Whether a row has any black dot.
    pub fn row_is_blank(&self, y: usize) -> bool {
        y >= self.height
            || self.pixels[y * self.width..(y + 1) * self.width]
                .iter()
                .all(|p| *p == 0)
    }

    /// A copy of the rows `0..height`.
    pub fn crop_height(&self, height: usize) -> Bitmap {
        let height = height.min(self.height);
        Bitmap {
            width: self.width,
            height,
            pixels: self.pixels[..self.width * height].to_vec(),
        }
    }
}

/// The QR code's module matrix: side length and dark modules, from the `qrcode` crate.
pub fn qr_modules(data: &[u8], ec: QrEc) -> Result<(usize, Vec<bool>), PrinterError> {
    let code = qrcode::QrCode::with_error_correction_level(data, ec.to_qrcode())
        .map_err(|e| PrinterError::Content(format!("QR payload cannot be encoded: {e}")))?;
    let side = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Ok((side, dark))
}

/// Draws a QR code with `module` dots per module and a 4-module quiet zone.
pub fn qr_bitmap(data: &[u8], ec: QrEc, module: usize) -> Result<Bitmap, PrinterError> {
    let (side, dark) = qr_modules(data, ec)?;
    let module = module.max(1);
    let quiet = 4 * module;
    let mut img = Bitmap::new(side * module + 2 * quiet, side * module + 2 * quiet);
    for my in 0..side {
        for mx in 0..side {
            if dark[my * side + mx] {
                img.fill_rect(quiet + mx * module, quiet + my * module, module, module);
            }
        }
    }
    Ok(img)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_round_trips_and_clips() {
        let mut img = Bitmap::new(13, 2);
        img.set(0, 0, true);
        img.set(12, 1, true);
        img.set(40, 40, true); // ignored
        let mut packed = Vec::new();
        img.pack_row(0, &mut packed);
        img.pack_row(1, &mut packed);
        assert_eq!(packed, [0x80, 0x00, 0x00, 0x08]);
        let back = Bitmap::from_packed(2, 2, &packed);
        assert!(back.get(0, 0) && back.get(12, 1));
        assert_eq!(back.black_count(), 2);
    }

    #[test]
    fn qr_bitmap_has_finder_patterns_in_three_corners() {
        let img = qr_bitmap(b"hello", QrEc::M, 3).unwrap();
        let q = 12;
        assert!(
            img.get(q, q) && img.get(img.width() - q - 1, q) && img.get(q, img.height() - q - 1)
        );
        assert!(!img.get(0, 0));
    }
}
