//! Document camera benchmarks: the page pipeline per page (2 MP and 5 MP photos of a rendered
//! 户口簿 page, with the time of each stage printed once), and the preview's per-frame cost
//! at 1280×720: MJPEG decode and YUYV → RGB (the frames per second one core could show).

use std::time::Instant;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, RgbImage};
use kiosk_drivers::camera::frame::{mjpeg_to_rgb, rgb_to_yuyv, yuyv_to_rgb};
use kiosk_drivers::camera::page::{
    encode_page, enhance_text, find_sheet, process_photo, straighten, PAGE_JPEG_LIMIT,
};
use kiosk_drivers::camera::sample::{self, SampleSpec};

fn photos() -> Vec<(String, RgbImage)> {
    let page = sample::render_page().expect("fonts-noto-cjk must be installed");
    let mut specs = sample::standard_specs().to_vec();
    specs.push(SampleSpec::laid(
        "5 MP, turned 8°",
        (2592, 1944),
        (1296.0, 972.0),
        1750.0,
        8.0,
        0.05,
        11,
    ));
    specs
        .iter()
        .map(|s| {
            (
                format!("{} {}x{}", s.name, s.size.0, s.size.1),
                sample::photograph(&page, s).photo,
            )
        })
        .collect()
}

fn pipeline(c: &mut Criterion) {
    let photos = photos();
    for (name, photo) in &photos {
        let grey = DynamicImage::ImageRgb8(photo.clone()).to_luma8();
        let t = Instant::now();
        let corners = find_sheet(&grey).expect("corners");
        let t_find = t.elapsed();
        let t = Instant::now();
        let flat = straighten(&grey, &corners);
        let t_warp = t.elapsed();
        let t = Instant::now();
        let clean = enhance_text(&flat);
        let t_enh = t.elapsed();
        let t = Instant::now();
        let (jpeg, q) = encode_page(&clean, PAGE_JPEG_LIMIT).expect("fits");
        let t_enc = t.elapsed();
        println!(
            "{name}: find {:.0} ms, straighten {:.0} ms, enhance {:.0} ms, JPEG {:.0} ms ({} KiB at q{q})",
            t_find.as_secs_f64() * 1e3,
            t_warp.as_secs_f64() * 1e3,
            t_enh.as_secs_f64() * 1e3,
            t_enc.as_secs_f64() * 1e3,
            jpeg.len() / 1024
        );
    }
    let mut group = c.benchmark_group("page pipeline");
    group.sample_size(10);
    for (name, photo) in [&photos[1], &photos[photos.len() - 1]] {
        let photo = DynamicImage::ImageRgb8(photo.clone());
        group.bench_function(name.as_str(), |b| {
            b.iter(|| process_photo(black_box(&photo)).expect("a page"))
        });
    }
    group.finish();
}

fn preview(c: &mut Criterion) {
    let photo = &photos()[0].1;
    let frame = image::imageops::resize(photo, 1280, 720, image::imageops::FilterType::Triangle);
    let mut mjpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut mjpeg, 80)
        .encode_image(&frame)
        .expect("encode");
    let yuyv = rgb_to_yuyv(&frame);
    println!(
        "preview frame 1280x720: MJPEG {} KiB, YUYV {} KiB",
        mjpeg.len() / 1024,
        yuyv.len() / 1024
    );
    let mut group = c.benchmark_group("preview frame 1280x720");
    group.bench_function("MJPEG decode", |b| {
        b.iter(|| mjpeg_to_rgb(black_box(&mjpeg)).expect("decode"))
    });
    group.bench_function("YUYV to RGB", |b| {
        b.iter(|| yuyv_to_rgb(black_box(&yuyv), 1280, 720).expect("convert"))
    });
    group.finish();
}

criterion_group!(benches, pipeline, preview);
criterion_main!(benches);
