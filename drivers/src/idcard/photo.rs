//! The card photo: 1024 bytes of vendor "WLT", which only a vendor library can decode
//! (`libwlt2bmp.so`, `WltRS.dll`, …; no open decoder exists). This module is the hook for
//! such a library and the placeholder image screens show until one is installed.

use std::fmt;

/// Width of a decoded card photo in pixels.
pub const PHOTO_WIDTH: usize = 102;
/// Height of a decoded card photo in pixels.
pub const PHOTO_HEIGHT: usize = 126;

/// Why a photo could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    /// No vendor WLT library is installed on this kiosk.
    #[error("no WLT decoder installed: the photo needs the reader vendor's library (e.g. libwlt2bmp.so); showing a placeholder")]
    NoDecoder,
    /// The vendor library refused the data.
    #[error("the WLT decoder failed: {0}")]
    Failed(String),
}

/// A vendor library that turns the WLT blob into a 102×126 24-bit BMP.
///
/// Implement this around the vendor's `.so` in a separate crate (the FFI needs `unsafe`,
/// which this crate forbids) and hand it to whoever renders the photo.
pub trait WltDecoder: Send + Sync + fmt::Debug {
    /// Decodes 1024 WLT bytes into BMP file bytes.
    fn decode_bmp(&self, wlt: &[u8]) -> Result<Vec<u8>, PhotoError>;
}

/// The decoder used when no vendor library is configured: always [`PhotoError::NoDecoder`].
#[derive(Debug, Clone, Copy, Default)]
pub struct NoWltDecoder;

impl WltDecoder for NoWltDecoder {
    fn decode_bmp(&self, _wlt: &[u8]) -> Result<Vec<u8>, PhotoError> {
        Err(PhotoError::NoDecoder)
    }
}

/// A grey head-and-shoulders silhouette as a 102×126 24-bit BMP (38 862 bytes, the same
/// size a vendor decoder produces), for screens and receipts while no decoder is installed.
pub fn placeholder_bmp() -> Vec<u8> {
    let row = (PHOTO_WIDTH * 3).div_ceil(4) * 4; // 308
    let image = row * PHOTO_HEIGHT;
    let file = 14 + 40 + image;
    let mut out = Vec::with_capacity(file);
    out.extend_from_slice(b"BM");
    out.extend_from_slice(&(file as u32).to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&54u32.to_le_bytes());
    out.extend_from_slice(&40u32.to_le_bytes());
    out.extend_from_slice(&(PHOTO_WIDTH as i32).to_le_bytes());
    out.extend_from_slice(&(PHOTO_HEIGHT as i32).to_le_bytes()); // bottom-up
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&24u16.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(image as u32).to_le_bytes());
    out.extend_from_slice(&[0; 16]);
    for y_up in 0..PHOTO_HEIGHT {
        let y = (PHOTO_HEIGHT - 1 - y_up) as i64; // top-down coordinate
        for x in 0..PHOTO_WIDTH {
            let dx = x as i64 - 51;
            let head = dx * dx * 100 / (22 * 22) + (y - 45) * (y - 45) * 100 / (28 * 28) <= 100;
            let shoulders = y > 82 && dx.abs() < 18 + (y - 82) * 3 / 2;
            let shade = if head || shoulders { 0xB0 } else { 0xE6 };
            out.extend_from_slice(&[shade, shade, shade]);
        }
        out.extend(std::iter::repeat_n(0, row - PHOTO_WIDTH * 3));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_placeholder_is_a_bmp_of_the_decoded_size() {
        let bmp = placeholder_bmp();
        assert_eq!(bmp.len(), 38_862);
        assert_eq!(&bmp[..2], b"BM");
        // Silhouette and background differ.
        let centre = 54 + (126 - 1 - 45) * 308 + 51 * 3;
        assert_ne!(bmp[centre], bmp[54 + 125 * 308]);
    }

    #[test]
    fn without_a_vendor_library_decoding_says_so() {
        assert_eq!(
            NoWltDecoder.decode_bmp(&[0; 1024]),
            Err(PhotoError::NoDecoder)
        );
    }
}
