//! The document camera's page pipeline on rendered photos of a 户口簿 page laid on a desk at
//! known corners: corners found, A4 output, JPEG limit, text contrast, PDF, and the clear
//! errors for photos without a usable sheet.

use std::sync::OnceLock;

use image::{DynamicImage, GrayImage, Luma, RgbImage};
use kiosk_drivers::camera::page::{
    encode_page, enhance_text, find_sheet, process_photo, straighten, A4_HEIGHT, A4_WIDTH,
    PAGE_JPEG_LIMIT,
};
use kiosk_drivers::camera::sample::{self, SampleSpec};
use kiosk_drivers::camera::{material_pdf, NoSheet, PageError};
use kiosk_drivers::ErrorKind;

fn page() -> &'static RgbImage {
    static PAGE: OnceLock<RgbImage> = OnceLock::new();
    PAGE.get_or_init(|| sample::render_page().expect("fonts-noto-cjk must be installed"))
}

fn grey(img: &RgbImage) -> GrayImage {
    DynamicImage::ImageRgb8(img.clone()).to_luma8()
}

#[test]
fn corners_are_found_within_a_few_pixels_in_every_pose() {
    for spec in sample::standard_specs() {
        let shot = sample::photograph(page(), &spec);
        let found = find_sheet(&grey(&shot.photo)).unwrap_or_else(|e| panic!("{}: {e}", spec.name));
        let off = found.max_distance(&shot.corners);
        println!("{}: corners within {off:.1} px", spec.name);
        // 0.2 % of the photo's 2000-pixel diagonal (under a millimetre on the page).
        assert!(
            off <= 4.0,
            "{}: corners {off:.1} px off: found {found:?}, laid {:?}",
            spec.name,
            shot.corners
        );
    }
}

#[test]
fn a_page_is_an_a4_grey_jpeg_within_the_limit() {
    let spec = sample::standard_specs()[1];
    let shot = sample::photograph(page(), &spec);
    let page = process_photo(&DynamicImage::ImageRgb8(shot.photo.clone())).expect("a page");
    // To look at them: KIOSK_CAMERA_TEST_OUT=dir keeps the photo and the page there.
    if let Some(dir) = std::env::var_os("KIOSK_CAMERA_TEST_OUT") {
        let dir = std::path::PathBuf::from(dir);
        shot.photo
            .save(dir.join("photo.png"))
            .expect("write the photo");
        std::fs::write(dir.join("page.jpg"), &page.jpeg).expect("write the page");
        image::load_from_memory(&page.jpeg)
            .and_then(|p| p.save(dir.join("page.png")))
            .expect("write the page as PNG");
    }
    assert!(
        page.jpeg.len() <= PAGE_JPEG_LIMIT,
        "{} bytes",
        page.jpeg.len()
    );
    let decoded = image::load_from_memory_with_format(&page.jpeg, image::ImageFormat::Jpeg)
        .expect("the page's JPEG decodes");
    assert_eq!((decoded.width(), decoded.height()), (A4_WIDTH, A4_HEIGHT));
    assert_eq!(decoded.color(), image::ColorType::L8);
    assert!(page.corners.max_distance(&spec.corners) <= 4.0);
    // Debug never shows the page's content.
    assert!(format!("{page:?}").starts_with("Page("));
}

/// Paper minus ink brightness (how well text stands out), the ink's and the paper's means.
fn separation(img: &GrayImage, ink: &GrayImage, paper: &GrayImage) -> (f64, f64, f64) {
    let stats = |mask: &GrayImage| {
        let vals: Vec<f64> = img
            .pixels()
            .zip(mask.pixels())
            .filter(|(_, m)| m.0[0] > 0)
            .map(|(p, _)| f64::from(p.0[0]))
            .collect();
        let mean = vals.iter().sum::<f64>() / vals.len() as f64;
        assert!(vals.len() > 10_000, "the mask covers {} pixels", vals.len());
        mean
    };
    let (ink_mean, paper_mean) = (stats(ink), stats(paper));
    (paper_mean - ink_mean, ink_mean, paper_mean)
}

#[test]
fn text_stands_out_more_after_enhancement_and_sits_where_it_was_printed() {
    let spec = sample::standard_specs()[3];
    let shot = sample::photograph(page(), &spec);
    let photo = grey(&shot.photo);
    let corners = find_sheet(&photo).expect("corners");
    let raw = straighten(&photo, &corners);
    let enhanced = enhance_text(&raw);

    // Where the page has ink, and where it is plain paper (well away from any ink).
    let ink_full = sample::ink_mask(page(), (A4_WIDTH, A4_HEIGHT));
    let ink = imageproc::morphology::erode(&ink_full, imageproc::distance_transform::Norm::LInf, 1);
    let near_ink =
        imageproc::morphology::dilate(&ink_full, imageproc::distance_transform::Norm::LInf, 12);
    let paper = GrayImage::from_fn(A4_WIDTH, A4_HEIGHT, |x, y| {
        let inside = x > 40 && y > 40 && x < A4_WIDTH - 40 && y < A4_HEIGHT - 40;
        Luma([if inside && near_ink.get_pixel(x, y).0[0] == 0 {
            255
        } else {
            0
        }])
    });
    let (before, raw_ink, raw_paper) = separation(&raw, &ink, &paper);
    let (after, ink_mean, paper_mean) = separation(&enhanced, &ink, &paper);
    println!("separation {before:.0} -> {after:.0}; ink {raw_ink:.0} -> {ink_mean:.0}, paper {raw_paper:.0} -> {paper_mean:.0}");
    assert!(after > before * 1.5, "separation {before:.0} -> {after:.0}");
    assert!(paper_mean > 245.0, "paper {paper_mean:.0}");
    // The page's own ink lands on the output's dark pixels: the crop is registered and upright.
    assert!(ink_mean < 90.0, "ink {ink_mean:.0}");
}

#[test]
fn a_photo_without_a_sheet_is_a_clear_retake() {
    let size = (1600, 1200);
    let no_sheet = |img: RgbImage| match process_photo(&DynamicImage::ImageRgb8(img)) {
        Err(e @ PageError::NoSheet(why)) => {
            assert_eq!(e.kind(), ErrorKind::Unreadable);
            assert!(e.to_string().contains("no sheet found"), "{e}");
            why
        }
        other => panic!("expected no sheet, got {other:?}"),
    };
    // The empty desk.
    // (its grain is light and dark: either nothing stands out, or nothing sheet-sized does)
    let why = no_sheet(sample::desk(size, 7));
    assert!(
        matches!(why, NoSheet::NoContrast | NoSheet::TooSmall),
        "{why:?}"
    );
    // A blank grey frame (lens cap on, lamp off).
    assert_eq!(
        no_sheet(RgbImage::from_pixel(
            size.0,
            size.1,
            image::Rgb([90, 90, 90])
        )),
        NoSheet::NoContrast
    );
    // A page with a corner off the edge of the photo.
    let off = SampleSpec::laid("cut off", size, (1400.0, 600.0), 1000.0, 5.0, 0.0, 8);
    assert_eq!(
        no_sheet(sample::photograph(page(), &off).photo),
        NoSheet::CutOff
    );
    // A page too far away to read.
    let far = SampleSpec::laid("far", size, (800.0, 600.0), 300.0, 0.0, 0.0, 9);
    assert_eq!(
        no_sheet(sample::photograph(page(), &far).photo),
        NoSheet::TooSmall
    );

    let tiny = RgbImage::new(320, 240);
    let err = process_photo(&DynamicImage::ImageRgb8(tiny)).expect_err("too small");
    assert!(matches!(err, PageError::PhotoTooSmall { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Unreadable);
}

#[test]
fn a_page_that_cannot_fit_the_limit_is_an_internal_error() {
    // Noise does not compress: a 300 KiB limit cannot hold it even at the lowest quality.
    let mut state = 12345u32;
    let noise = GrayImage::from_fn(A4_WIDTH, A4_HEIGHT, |_, _| {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
        Luma([(state >> 24) as u8])
    });
    let err = encode_page(&noise, PAGE_JPEG_LIMIT).expect_err("too large");
    assert!(matches!(err, PageError::TooLarge { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Other);
}

#[test]
fn a_material_of_three_pages_is_one_pdf_a_reader_opens() {
    let pages: Vec<_> = sample::standard_specs()[..3]
        .iter()
        .map(|spec| {
            let shot = sample::photograph(page(), spec);
            process_photo(&DynamicImage::ImageRgb8(shot.photo)).expect("a page")
        })
        .collect();
    let pdf = material_pdf(&pages).expect("a PDF");
    let total: usize = pages.iter().map(|p| p.jpeg.len()).sum();
    assert!(
        pdf.len() < total + 4096,
        "PDF {} bytes for {} bytes of JPEG",
        pdf.len(),
        total
    );

    let doc = lopdf::Document::load_mem(&pdf).expect("lopdf reads it back");
    let ids: Vec<_> = doc.get_pages().into_values().collect();
    assert_eq!(ids.len(), 3);
    for (id, page) in ids.iter().zip(&pages) {
        let images = doc.get_page_images(*id).expect("images");
        assert_eq!(images.len(), 1);
        assert_eq!(
            images[0].content,
            page.jpeg.as_slice(),
            "the JPEG is embedded as is"
        );
        assert_eq!(
            (images[0].width, images[0].height),
            (i64::from(A4_WIDTH), i64::from(A4_HEIGHT))
        );
    }

    // poppler (a reader the staff's browsers are like) agrees: three A4 pages.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("material.pdf");
    std::fs::write(&path, &pdf).expect("write");
    let info = std::process::Command::new("pdfinfo")
        .arg(&path)
        .output()
        .expect("pdfinfo (poppler-utils) runs");
    let info = String::from_utf8_lossy(&info.stdout);
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()))
            .unwrap_or_default()
    };
    assert_eq!(field("Pages:"), "3", "{info}");
    assert!(
        field("Page size:").starts_with("595.28 x 841.89 pts"),
        "{info}"
    );

    let err = material_pdf(&[]).expect_err("no pages");
    assert!(matches!(err, PageError::Pdf(_)), "{err}");
}
