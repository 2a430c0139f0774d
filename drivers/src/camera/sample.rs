//! Rendered document photos with known corners, for tests, benches and training: an A4 page
//! of a household register (户口簿) with fictional entries is drawn with the CJK font, laid on a
//! wooden desk with a chosen rotation and perspective, lit unevenly by the camera's lamp,
//! softened and given sensor noise. Nothing here is a real person's data.

use image::{GrayImage, Rgb, RgbImage, Rgba, RgbaImage};
use imageproc::filter::gaussian_blur_f32;
use imageproc::geometric_transformations::{warp_into, Interpolation, Projection};

use super::sheet::Corners;
use crate::printer::error::PrinterError;
use crate::printer::font::CjkFont;
use crate::printer::raster::Bitmap;

/// The rendered page: A4 at 100 dpi.
pub const PAGE_SIZE: (u32, u32) = (827, 1169);

/// One photo to make: its size, where the page's corners land, and the noise seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleSpec {
    /// A name for test messages.
    pub name: &'static str,
    /// Photo width and height.
    pub size: (u32, u32),
    /// Where the page's corners land (top-left, top-right, bottom-right, bottom-left).
    pub corners: Corners,
    /// Seed for the desk's grain and the sensor noise.
    pub seed: u64,
}

impl SampleSpec {
    /// A page `height` pixels tall centred at `centre`, turned `degrees` clockwise, its top
    /// edge shortened by `keystone` (0.1 = 10 %, as when the camera looks at it slanted).
    pub fn laid(
        name: &'static str,
        size: (u32, u32),
        centre: (f32, f32),
        height: f32,
        degrees: f32,
        keystone: f32,
        seed: u64,
    ) -> SampleSpec {
        let half_h = height / 2.0;
        let half_w = half_h * 210.0 / 297.0;
        let top = half_w * (1.0 - keystone);
        let local = [
            (-top, -half_h),
            (top, -half_h),
            (half_w, half_h),
            (-half_w, half_h),
        ];
        let (s, c) = degrees.to_radians().sin_cos();
        let corners = local.map(|(x, y)| (centre.0 + x * c - y * s, centre.1 + x * s + y * c));
        SampleSpec {
            name,
            size,
            corners: Corners(corners),
            seed,
        }
    }
}

/// A 2 MP-class photo (1600×1200) in five poses: straight, turned both ways, slanted, and off
/// centre.
pub fn standard_specs() -> [SampleSpec; 5] {
    let size = (1600, 1200);
    [
        SampleSpec::laid("straight", size, (800.0, 600.0), 1050.0, 0.0, 0.02, 1),
        SampleSpec::laid(
            "turned 12° clockwise",
            size,
            (790.0, 610.0),
            1000.0,
            12.0,
            0.04,
            2,
        ),
        SampleSpec::laid(
            "turned 25° anticlockwise",
            size,
            (820.0, 590.0),
            900.0,
            -25.0,
            0.0,
            3,
        ),
        SampleSpec::laid(
            "slanted (keystone 15 %)",
            size,
            (800.0, 600.0),
            1000.0,
            4.0,
            0.15,
            4,
        ),
        SampleSpec::laid(
            "small, off centre",
            size,
            (560.0, 520.0),
            700.0,
            -8.0,
            0.06,
            5,
        ),
    ]
}

/// A made photo and what is known about it.
#[derive(Debug, Clone)]
pub struct SamplePhoto {
    /// The photo as the camera would deliver it.
    pub photo: RgbImage,
    /// Where the page's corners are in it.
    pub corners: Corners,
}

/// Fictional entries of a 常住人口登记卡 (the register's page for one person).
const ROWS: [(&str, &str); 9] = [
    ("姓名", "李秀英"),
    ("户主或与户主关系", "户主"),
    ("曾用名", "无"),
    ("性别", "女"),
    ("民族", "汉族"),
    ("出生日期", "1968年3月12日"),
    ("出生地", "浙江省示例县"),
    ("住址", "示例县城关镇人民路18号"),
    ("公民身份号码", "330000196803120000"),
];

/// Draws the page: title, a ruled table of entries, and the red seal, on slightly warm paper.
pub fn render_page() -> Result<RgbImage, PrinterError> {
    let font = CjkFont::get()?;
    let (w, h) = (PAGE_SIZE.0 as usize, PAGE_SIZE.1 as usize);
    let mut ink = Bitmap::new(w, h);
    let title = "常住人口登记卡";
    // Title: cells 48 dots tall (about 12 mm at 100 dpi).
    let title_w = title.chars().count() * 48;
    font.draw_text(&mut ink, title, ((w - title_w) / 2, 90), (2, 2), true);
    let (left, right, row_h, top) = (80usize, w - 80, 70usize, 220usize);
    let split = 330;
    for (i, (label, value)) in ROWS.iter().enumerate() {
        let y = top + i * row_h;
        ink.fill_rect(left, y, right - left, 3);
        font.draw_text(&mut ink, label, (left + 12, y + 22), (1, 1), false);
        font.draw_text(&mut ink, value, (split + 16, y + 22), (1, 1), false);
    }
    let bottom = top + ROWS.len() * row_h;
    ink.fill_rect(left, bottom, right - left, 3);
    for x in [left, split, right - 3] {
        ink.fill_rect(x, top, 3, bottom - top + 3);
    }
    font.draw_text(
        &mut ink,
        "承办人签章",
        (left + 12, bottom + 60),
        (1, 1),
        false,
    );
    font.draw_text(
        &mut ink,
        "登记日期 2008年5月6日",
        (left + 12, bottom + 110),
        (1, 1),
        false,
    );

    let mut page = RgbImage::from_pixel(PAGE_SIZE.0, PAGE_SIZE.1, Rgb([242, 238, 228]));
    for (x, y, px) in page.enumerate_pixels_mut() {
        if ink.get(x as usize, y as usize) {
            *px = Rgb([32, 32, 38]);
        }
    }
    // The 户口专用章: a red ring over the signature line.
    let (cx, cy, r) = (560.0f32, (bottom + 90) as f32, 85.0f32);
    for (x, y, px) in page.enumerate_pixels_mut() {
        let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
        if (r - 7.0..=r).contains(&d) {
            *px = Rgb([200, 40, 40]);
        }
    }
    Ok(page)
}

/// The page as a mask of where its ink is (dark text and rules, not the seal), at `size`:
/// 255 for ink. Tests measure the text's contrast with it.
pub fn ink_mask(page: &RgbImage, size: (u32, u32)) -> GrayImage {
    let scaled =
        image::imageops::resize(page, size.0, size.1, image::imageops::FilterType::Nearest);
    GrayImage::from_fn(size.0, size.1, |x, y| {
        let p = scaled.get_pixel(x, y).0;
        image::Luma([if p[0] < 100 && p[1] < 100 { 255 } else { 0 }])
    })
}

/// A small fast generator (xorshift64*): the noise must be the same on every run.
#[derive(Debug, Clone)]
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let v = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d);
        (v >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    }
}

/// An empty wooden desk under the lamp, as the camera sees it with no page laid.
pub fn desk(size: (u32, u32), seed: u64) -> RgbImage {
    let mut noise = Noise(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    RgbImage::from_fn(size.0, size.1, |x, y| {
        let (xf, yf) = (x as f32, y as f32);
        let grain = (0.045 * xf + 4.0 * (0.008 * yf).sin()).sin() * 22.0 + noise.next() * 18.0;
        let v = 115.0 + grain;
        Rgb([v.clamp(0.0, 255.0) as u8, (v * 0.72) as u8, (v * 0.5) as u8])
    })
}

/// Lays `page` on the desk at `spec`'s corners and takes the photo.
pub fn photograph(page: &RgbImage, spec: &SampleSpec) -> SamplePhoto {
    let (pw, ph) = (page.width() as f32, page.height() as f32);
    let from = [
        (-0.5, -0.5),
        (pw - 0.5, -0.5),
        (pw - 0.5, ph - 0.5),
        (-0.5, ph - 0.5),
    ];
    let mut laid = RgbaImage::new(spec.size.0, spec.size.1);
    let rgba = image::DynamicImage::ImageRgb8(page.clone()).to_rgba8();
    if let Some(projection) = Projection::from_control_points(from, spec.corners.0) {
        warp_into(
            &rgba,
            &projection,
            Interpolation::Bilinear,
            Rgba([0, 0, 0, 0]),
            &mut laid,
        );
    }
    let mut photo = desk(spec.size, spec.seed);
    let (w, h) = (spec.size.0 as f32, spec.size.1 as f32);
    let (lamp_x, lamp_y, reach) = (w * 0.3, h * 0.25, w.max(h) * 1.1);
    for ((x, y, px), top) in photo.enumerate_pixels_mut().zip(laid.pixels()) {
        let a = f32::from(top.0[3]) / 255.0;
        // The lamp: bright near it, a third darker at the far corner.
        let d = ((x as f32 - lamp_x).powi(2) + (y as f32 - lamp_y).powi(2)).sqrt() / reach;
        let light = 1.05 - 0.35 * d.min(1.0);
        for c in 0..3 {
            let v = f32::from(px.0[c]) * (1.0 - a) + f32::from(top.0[c]) * a;
            px.0[c] = (v * light).clamp(0.0, 255.0) as u8;
        }
    }
    // The lens's softness, then the sensor's noise.
    let mut photo = gaussian_blur_f32(&photo, 0.9);
    let mut noise = Noise(spec.seed.wrapping_add(0x5151) | 1);
    for px in photo.pixels_mut() {
        let n = noise.next() * 16.0;
        for c in px.0.iter_mut() {
            *c = (f32::from(*c) + n).clamp(0.0, 255.0) as u8;
        }
    }
    SamplePhoto {
        photo,
        corners: spec.corners,
    }
}
