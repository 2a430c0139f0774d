//! The page pipeline: a photo of a sheet on the desk becomes an upright A4 page, grey, with
//! the paper made white and the text dark, as a JPEG of at most [`PAGE_JPEG_LIMIT`] bytes.
//!
//! Steps: [`find_sheet`] (corners) → [`straighten`] (perspective and rotation corrected, cropped
//! to A4 at [`A4_DPI`]) → [`enhance_text`] (uneven lighting divided out, contrast stretched) →
//! [`encode_page`] (JPEG, quality lowered until it fits).

use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::{DynamicImage, GrayImage, Luma};
use imageproc::filter::gaussian_blur_f32;
use imageproc::geometric_transformations::{warp_into, Interpolation, Projection};
use imageproc::morphology::{grayscale_dilate, Mask};

use super::error::PageError;
pub use super::sheet::{find_sheet, Corners};

/// Output resolution.
pub const A4_DPI: u32 = 200;
/// A4 (210 mm) at [`A4_DPI`].
pub const A4_WIDTH: u32 = 1654;
/// A4 (297 mm) at [`A4_DPI`].
pub const A4_HEIGHT: u32 = 2339;
/// The most one page's JPEG may take (the hall's per-page limit is larger).
pub const PAGE_JPEG_LIMIT: usize = 300 * 1024;
/// Smallest photo taken: below it the page's text is not legible.
pub const MIN_PHOTO: (u32, u32) = (640, 480);
/// How far inside the sheet's edges the page is cropped, in output pixels (0.75 mm).
const EDGE_INSET: f32 = 6.0;
/// Qualities tried in turn until the page fits.
const QUALITIES: [u8; 6] = [85, 75, 65, 55, 45, 35];

/// One processed page.
#[derive(Clone, PartialEq)]
pub struct Page {
    /// The page as a greyscale JPEG, [`A4_WIDTH`] × [`A4_HEIGHT`].
    pub jpeg: Vec<u8>,
    /// Where the sheet's corners were found in the photo.
    pub corners: Corners,
    /// The JPEG quality it was written at.
    pub quality: u8,
}

// The page is a citizen's document: Debug says what it is, never what it shows.
impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Page({} bytes JPEG q{}, corners {:?})",
            self.jpeg.len(),
            self.quality,
            self.corners
        )
    }
}

/// The whole pipeline on one photo (any colour type).
pub fn process_photo(photo: &DynamicImage) -> Result<Page, PageError> {
    let grey = photo.to_luma8();
    let (w, h) = grey.dimensions();
    if w.max(h) < MIN_PHOTO.0 || w.min(h) < MIN_PHOTO.1 {
        return Err(PageError::PhotoTooSmall {
            width: w,
            height: h,
            min_width: MIN_PHOTO.0,
            min_height: MIN_PHOTO.1,
        });
    }
    let corners = find_sheet(&grey)?;
    let page = enhance_text(&straighten(&grey, &corners));
    let (jpeg, quality) = encode_page(&page, PAGE_JPEG_LIMIT)?;
    Ok(Page {
        jpeg,
        corners,
        quality,
    })
}

/// The sheet between `corners`, mapped onto an upright A4 page (perspective, rotation and
/// crop in one step, bilinear).
pub fn straighten(photo: &GrayImage, corners: &Corners) -> GrayImage {
    let (w, h) = (A4_WIDTH as f32, A4_HEIGHT as f32);
    // The sheet's edges map EDGE_INSET pixels outside the output, so the page is cropped
    // just inside them: the edge itself mixes paper and desk and would print as a dark line.
    // (Pixel centres: the corner pixels sit half a pixel inside the page's edges.)
    let (lo, right, bottom) = (
        -0.5 - EDGE_INSET,
        w - 0.5 + EDGE_INSET,
        h - 0.5 + EDGE_INSET,
    );
    let a4 = [(lo, lo), (right, lo), (right, bottom), (lo, bottom)];
    let mut out = GrayImage::from_pixel(A4_WIDTH, A4_HEIGHT, Luma([255]));
    match Projection::from_control_points(corners.0, a4) {
        Some(projection) => {
            warp_into(
                photo,
                &projection,
                Interpolation::Bilinear,
                Luma([255]),
                &mut out,
            );
        }
        // Degenerate corners (three in a line) cannot come from find_sheet; a plain resize
        // keeps the function total.
        None => out = imageops::resize(photo, A4_WIDTH, A4_HEIGHT, FilterType::Triangle),
    }
    out
}

/// Paper to white and text to black: the paper's brightness (the local maximum, smoothed) is
/// divided out, which removes shading and the lamp's fall-off, then the range between ink and
/// paper is stretched over 0–255.
pub fn enhance_text(page: &GrayImage) -> GrayImage {
    let (w, h) = page.dimensions();
    // At 1/8 scale a 7×7 maximum spans about 7 mm at 200 dpi: wider than any stroke, so
    // it sees the paper between them.
    let (sw, sh) = ((w / 8).max(1), (h / 8).max(1));
    let small = imageops::resize(page, sw, sh, FilterType::Triangle);
    let paper = gaussian_blur_f32(&grayscale_dilate(&small, &Mask::square(3)), 2.0);
    let paper = imageops::resize(&paper, w, h, FilterType::Triangle);

    // ratio ≤ INK → black, ≥ WHITE → white; a gentle curve between keeps anti-aliased edges.
    const INK: f32 = 0.62;
    const WHITE: f32 = 0.9;
    let mut out = GrayImage::new(w, h);
    for ((o, p), b) in out.pixels_mut().zip(page.pixels()).zip(paper.pixels()) {
        let ratio = f32::from(p.0[0]) / f32::from(b.0[0].max(16));
        let t = ((ratio - INK) / (WHITE - INK)).clamp(0.0, 1.0);
        o.0[0] = (t * t * (3.0 - 2.0 * t) * 255.0).round() as u8;
    }
    out
}

/// Encodes a grey page as JPEG at the highest quality in [`QUALITIES`] that fits `limit`.
pub fn encode_page(page: &GrayImage, limit: usize) -> Result<(Vec<u8>, u8), PageError> {
    let mut smallest = (usize::MAX, 0u8);
    for quality in QUALITIES {
        let mut jpeg = Vec::with_capacity(limit);
        JpegEncoder::new_with_quality(&mut jpeg, quality)
            .encode_image(page)
            .map_err(|e| PageError::Encode(e.to_string()))?;
        if jpeg.len() <= limit {
            return Ok((jpeg, quality));
        }
        smallest = (jpeg.len(), quality);
    }
    Err(PageError::TooLarge {
        bytes: smallest.0,
        quality: smallest.1,
        limit,
    })
}
