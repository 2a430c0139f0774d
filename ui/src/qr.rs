//! The receipt's QR code as a Slint image: black modules on white with the standard quiet zone.

use qrcode::{Color, QrCode};
use slint::{Image, Rgb8Pixel, SharedPixelBuffer};

/// Pixels per QR module: sharp when the image is scaled with `image-rendering: pixelated`.
const MODULE_PX: u32 = 8;
/// Quiet zone around the code, in modules (the QR standard asks for 4).
const QUIET_ZONE: u32 = 4;

/// Encodes `payload` as a QR image; `None` when it is too long to encode.
pub fn qr_image(payload: &str) -> Option<Image> {
    let code = QrCode::new(payload.as_bytes()).ok()?;
    let modules = u32::try_from(code.width()).ok()?;
    let colours = code.to_colors();
    let side = (modules + 2 * QUIET_ZONE) * MODULE_PX;
    let mut buffer = SharedPixelBuffer::<Rgb8Pixel>::new(side, side);
    let white = Rgb8Pixel {
        r: 255,
        g: 255,
        b: 255,
    };
    let black = Rgb8Pixel { r: 0, g: 0, b: 0 };
    let pixels = buffer.make_mut_slice();
    for (i, px) in pixels.iter_mut().enumerate() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        let (x, y) = (i % side / MODULE_PX, i / side / MODULE_PX);
        let dark = x >= QUIET_ZONE
            && y >= QUIET_ZONE
            && x < QUIET_ZONE + modules
            && y < QUIET_ZONE + modules
            && colours
                .get(((y - QUIET_ZONE) * modules + (x - QUIET_ZONE)) as usize)
                .is_some_and(|c| *c == Color::Dark);
        *px = if dark { black } else { white };
    }
    Some(Image::from_rgb8(buffer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_a_tracking_code_with_quiet_zone() {
        let img = qr_image("https://kiosk.invalid/p/QX2026112600042?v=7F3A").expect("encodes");
        let size = img.size();
        assert_eq!(size.width, size.height);
        assert_eq!(size.width % MODULE_PX, 0);
        // version ≥ 3 for this payload: at least 29 modules plus 8 of quiet zone
        assert!(size.width >= (29 + 8) * MODULE_PX, "{size:?}");
    }

    #[test]
    fn refuses_a_payload_too_long_for_any_version() {
        assert!(qr_image(&"x".repeat(8000)).is_none());
    }
}
