//! Redraw time with the software renderer at 1080×1920, on one thread:
//! - `full/<screen>`: every pixel of each screen repainted (a screen change);
//! - `typing/form-field`: one keystroke into a form field with the numeric keyboard open,
//!   repainting only what changed (what the kiosk does while a citizen types).
//!
//! Targets on one core here: ≤ 8 ms full, ≤ 2 ms typing.
//!
//! Run it in the bench profile (optimised). In the dev profile the figures mean little: the
//! renderer's per-pixel code is generic over the pixel type, so it is monomorphised into this
//! crate, which the dev profile leaves unoptimised (perf: ~80% of the time in `Rgb::clone` and
//! `clone_from` of the slice fills), while the dependencies themselves are built at opt-level 2.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use kiosk_ui::headless::{self, Frame};
use kiosk_ui::screenshots::{apply, Extra, Shot};
use kiosk_ui::vm::{Language, ScreenId};
use kiosk_ui::{adapters, preview, AppWindow};
use slint::platform::software_renderer::RepaintBufferType;
use slint::{ComponentHandle, Rgb8Pixel};

fn redraw(c: &mut Criterion) {
    // Full redraws repaint every pixel (NewBuffer); typing repaints only the dirty region
    // (ReusedBuffer), as the kiosk's display does.
    let window = headless::window_with(RepaintBufferType::ReusedBuffer).expect("headless window");
    let app = AppWindow::new().expect("window");
    app.show().expect("show");
    let mut frame = Frame {
        width: 1080,
        height: 1920,
        pixels: vec![Rgb8Pixel::default(); 1080 * 1920],
    };
    let mut group = c.benchmark_group("full");
    for screen in ScreenId::ALL {
        let shot = Shot {
            screen,
            language: Language::ZhCn,
            elder: false,
            landscape: false,
            extra: Extra::None,
        };
        apply(&app, &shot).expect("preview");
        headless::render_into(&window, &mut frame, true);
        group.bench_function(screen.slug(), |b| {
            b.iter(|| black_box(headless::render_into(&window, &mut frame, true)))
        });
        let area = headless::render_into(&window, &mut frame, true);
        assert_eq!(
            area,
            1080 * 1920,
            "{}: a full redraw repaints everything",
            screen.slug()
        );
    }
    group.finish();

    let shot = Shot {
        screen: ScreenId::Form,
        language: Language::ZhCn,
        elder: false,
        landscape: false,
        extra: Extra::Keyboard,
    };
    apply(&app, &shot).expect("preview");
    headless::render_into(&window, &mut frame, false);
    let mut field = preview::form().fields[2].clone();
    let mut group = c.benchmark_group("typing");
    let mut areas = Vec::new();
    group.bench_function("form-field", |b| {
        b.iter(|| {
            if field.value.len() >= 11 {
                field.value.truncate(3);
            }
            field.value.push('5');
            adapters::update_form_field(&app, 2, &field);
            let area = headless::render_into(&window, &mut frame, false);
            areas.push(area);
            black_box(area)
        })
    });
    group.finish();
    let max = areas.iter().copied().max().unwrap_or(0);
    println!(
        "typing: largest repainted area {max} px ({:.1}% of the screen)",
        max as f64 * 100.0 / (1080.0 * 1920.0)
    );
}

criterion_group!(benches, redraw);
criterion_main!(benches);
