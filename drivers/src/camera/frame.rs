//! Frames as UVC cameras send them, and the choice of capture size: pure code, no device.
//!
//! A UVC camera offers MJPEG (each frame a JPEG) and YUYV (4:2:2, two pixels in four bytes) at
//! a list of sizes. The still is taken at the largest size offered of at least
//! [`MIN_STILL_PIXELS`]; the preview at the smallest size of at least 1280×720, preferring
//! MJPEG, which a USB 2 camera can send at full frame rate where YUYV cannot.

use image::{Rgb, RgbImage};

use super::error::CameraError;

/// 2 MP: the least that holds an A4 page at a readable resolution.
pub const MIN_STILL_PIXELS: u32 = 1920 * 1080;
/// The preview size aimed for.
pub const PREVIEW_SIZE: (u32, u32) = (1280, 720);

/// The pixel formats the kiosk takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PixelFormat {
    /// Motion JPEG: every frame a JPEG image.
    Mjpeg,
    /// YUYV 4:2:2 (`YUY2`): Y0 U Y1 V for each pair of pixels.
    Yuyv,
}

impl PixelFormat {
    /// The V4L2 four-character code.
    pub fn fourcc(self) -> [u8; 4] {
        match self {
            PixelFormat::Mjpeg => *b"MJPG",
            PixelFormat::Yuyv => *b"YUYV",
        }
    }

    /// The format for a four-character code, if the kiosk takes it.
    pub fn from_fourcc(code: [u8; 4]) -> Option<PixelFormat> {
        match &code {
            b"MJPG" | b"JPEG" => Some(PixelFormat::Mjpeg),
            b"YUYV" | b"YUY2" => Some(PixelFormat::Yuyv),
            _ => None,
        }
    }
}

impl std::fmt::Display for PixelFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PixelFormat::Mjpeg => "MJPEG",
            PixelFormat::Yuyv => "YUYV",
        })
    }
}

/// One format and size a camera offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Offer {
    /// Pixel format.
    pub format: PixelFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Offer {
    /// Pixels per frame.
    pub fn pixels(&self) -> u32 {
        self.width.saturating_mul(self.height)
    }
}

impl std::fmt::Display for Offer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}x{}", self.format, self.width, self.height)
    }
}

/// The size a still is taken at: the most pixels offered (at least `min_pixels`); MJPEG
/// before YUYV at the same size (a USB 2 camera sends large YUYV frames too slowly).
pub fn choose_still(offers: &[Offer], min_pixels: u32) -> Option<Offer> {
    offers
        .iter()
        .filter(|o| o.pixels() >= min_pixels)
        .max_by_key(|o| (o.pixels(), o.format == PixelFormat::Mjpeg))
        .copied()
}

/// The size the preview runs at: the fewest pixels of at least [`PREVIEW_SIZE`], MJPEG
/// first; else the largest offered.
pub fn choose_preview(offers: &[Offer]) -> Option<Offer> {
    let (pw, ph) = PREVIEW_SIZE;
    let big_enough = offers.iter().filter(|o| o.width >= pw && o.height >= ph);
    big_enough
        .min_by_key(|o| (o.format != PixelFormat::Mjpeg, o.pixels()))
        .or_else(|| {
            offers
                .iter()
                .max_by_key(|o| (o.pixels(), o.format == PixelFormat::Mjpeg))
        })
        .copied()
}

/// One frame as it came from the camera.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    /// What `data` holds.
    pub offer: Offer,
    /// The bytes: a JPEG for MJPEG, `width × height × 2` bytes for YUYV.
    pub data: Vec<u8>,
}

// A frame may show a citizen's document: never its bytes in logs.
impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Frame({}, {} bytes)", self.offer, self.data.len())
    }
}

impl Frame {
    /// The frame as RGB.
    pub fn to_rgb(&self) -> Result<RgbImage, CameraError> {
        match self.offer.format {
            PixelFormat::Mjpeg => mjpeg_to_rgb(&self.data),
            PixelFormat::Yuyv => yuyv_to_rgb(&self.data, self.offer.width, self.offer.height),
        }
    }
}

/// Decodes one MJPEG frame.
pub fn mjpeg_to_rgb(jpeg: &[u8]) -> Result<RgbImage, CameraError> {
    image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg)
        .map(|img| img.to_rgb8())
        .map_err(|e| CameraError::Decode(format!("MJPEG frame of {} bytes: {e}", jpeg.len())))
}

/// Converts one YUYV frame (BT.601, limited range, as UVC cameras send) to RGB.
pub fn yuyv_to_rgb(data: &[u8], width: u32, height: u32) -> Result<RgbImage, CameraError> {
    let need = width as usize * height as usize * 2;
    if width % 2 != 0 || data.len() < need {
        return Err(CameraError::Decode(format!(
            "YUYV frame {width}x{height} needs {need} bytes, got {}",
            data.len()
        )));
    }
    let mut out = RgbImage::new(width, height);
    for (quad, pair) in data[..need]
        .chunks_exact(4)
        .zip(out.as_mut().chunks_exact_mut(6))
    {
        let (y0, u, y1, v) = (quad[0], quad[1], quad[2], quad[3]);
        let a = yuv_to_rgb(y0, u, v);
        let b = yuv_to_rgb(y1, u, v);
        pair[..3].copy_from_slice(&a.0);
        pair[3..].copy_from_slice(&b.0);
    }
    Ok(out)
}

/// BT.601 limited range in fixed point (coefficients × 256).
fn yuv_to_rgb(y: u8, u: u8, v: u8) -> Rgb<u8> {
    let c = (i32::from(y) - 16) * 298;
    let d = i32::from(u) - 128;
    let e = i32::from(v) - 128;
    let clamp = |x: i32| ((x + 128) >> 8).clamp(0, 255) as u8;
    Rgb([
        clamp(c + 409 * e),
        clamp(c - 100 * d - 208 * e),
        clamp(c + 516 * d),
    ])
}

/// Converts RGB to YUYV (BT.601 limited range): what a camera would send for `img`. Used by
/// tests and benches to make YUYV frames, and by a gadget-side feeder.
pub fn rgb_to_yuyv(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::with_capacity(img.width() as usize * img.height() as usize * 2);
    for pair in img.as_raw().chunks_exact(6) {
        let yuv = |p: &[u8]| {
            let (r, g, b) = (i32::from(p[0]), i32::from(p[1]), i32::from(p[2]));
            let y = ((66 * r + 129 * g + 25 * b + 128) >> 8) + 16;
            let u = ((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128;
            let v = ((112 * r - 94 * g - 18 * b + 128) >> 8) + 128;
            (y.clamp(0, 255) as u8, u.clamp(0, 255), v.clamp(0, 255))
        };
        let (y0, u0, v0) = yuv(&pair[..3]);
        let (y1, u1, v1) = yuv(&pair[3..]);
        out.extend_from_slice(&[y0, ((u0 + u1) / 2) as u8, y1, ((v0 + v1) / 2) as u8]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(format: PixelFormat, width: u32, height: u32) -> Offer {
        Offer {
            format,
            width,
            height,
        }
    }

    #[test]
    fn still_takes_the_most_pixels_and_prefers_mjpeg_at_a_tie() {
        let offers = [
            offer(PixelFormat::Yuyv, 640, 480),
            offer(PixelFormat::Yuyv, 2592, 1944),
            offer(PixelFormat::Mjpeg, 2592, 1944),
            offer(PixelFormat::Mjpeg, 1920, 1080),
        ];
        assert_eq!(choose_still(&offers, MIN_STILL_PIXELS), Some(offers[2]));
        assert_eq!(choose_still(&offers[..1], MIN_STILL_PIXELS), None);
        assert_eq!(
            choose_still(&offers[1..2], MIN_STILL_PIXELS),
            Some(offers[1])
        );
    }

    #[test]
    fn preview_takes_the_smallest_mjpeg_of_at_least_720p() {
        let offers = [
            offer(PixelFormat::Yuyv, 1280, 720),
            offer(PixelFormat::Mjpeg, 2592, 1944),
            offer(PixelFormat::Mjpeg, 1280, 960),
            offer(PixelFormat::Mjpeg, 640, 480),
        ];
        assert_eq!(choose_preview(&offers), Some(offers[2]));
        assert_eq!(choose_preview(&offers[3..]), Some(offers[3]));
        assert_eq!(choose_preview(&[]), None);
    }

    #[test]
    fn yuyv_round_trip_keeps_colours_close() {
        let img = RgbImage::from_fn(64, 8, |x, y| {
            Rgb([(x * 4) as u8, (y * 30) as u8, 200 - x as u8])
        });
        let back = yuyv_to_rgb(&rgb_to_yuyv(&img), 64, 8).expect("a whole frame");
        for (a, b) in img.pixels().zip(back.pixels()) {
            for c in 0..3 {
                // Chroma is shared by two pixels: neighbours differ by a few levels.
                assert!(
                    (i32::from(a.0[c]) - i32::from(b.0[c])).abs() <= 12,
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn short_or_odd_yuyv_frames_are_refused() {
        assert!(matches!(
            yuyv_to_rgb(&[0; 10], 4, 2),
            Err(CameraError::Decode(_))
        ));
        assert!(matches!(
            yuyv_to_rgb(&[0; 64], 3, 2),
            Err(CameraError::Decode(_))
        ));
        assert!(matches!(
            mjpeg_to_rgb(b"\xff\xd8 torn"),
            Err(CameraError::Decode(_))
        ));
    }
}
