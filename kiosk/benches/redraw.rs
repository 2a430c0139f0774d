//! Redraw time with the software renderer at 1080×1920, on one thread, of the screens as the
//! real session leaves them (each reached by walking a rehearsal session there, as
//! `kioskctl screenshots` does):
//! - `full <screen>`: every pixel of the screen repainted (a screen change);
//! - `typing form-field`: one keystroke into a form field with the keyboard open, repainting
//!   only what changed (what the kiosk does while a citizen types).
//!
//! Targets on one core here: ≤ 8 ms full, ≤ 2 ms typing. Prints min / median / p99 per case.
//! Run it in the bench profile (`cargo bench -p kiosk --bench redraw`): in the dev profile the
//! renderer's per-pixel code, monomorphised into this crate, is unoptimised and the figures
//! mean little.

use std::hint::black_box;
use std::time::{Duration, Instant};

use kiosk::display::shots::{preview_config, preview_start, reach, Extra, Shot};
use kiosk::display::stage::Stage;
use kiosk_config::schema::Language;
use kiosk_ui::generated::KeyboardAdapter;
use kiosk_ui::headless::{self, Frame};
use kiosk_ui::screen::ScreenId;
use slint::{ComponentHandle, PhysicalSize};

const RUNS: usize = 40;

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name:<28} min {:>7.2} ms  median {:>7.2} ms  p99 {:>7.2} ms  ({} runs)",
        at(0.0).as_secs_f64() * 1e3,
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        times.len()
    );
}

fn shot(screen: ScreenId, extra: Extra) -> Shot {
    Shot {
        screen,
        language: Language::ZhCn,
        elder: false,
        reach: false,
        landscape: false,
        extra,
    }
}

fn main() {
    let mut stage = Stage::offscreen(&preview_config(), preview_start()).expect("the stage");
    let size = PhysicalSize::new(1080, 1920);
    let mut frame = Frame::blank(size);
    for screen in ScreenId::ALL {
        reach(&mut stage, &shot(screen, Extra::None)).expect("the screen is reached");
        stage.render();
        let window = stage.offscreen_window().expect("offscreen").clone();
        let area = headless::render_into(&window, &mut frame, true);
        assert_eq!(
            area,
            1080 * 1920,
            "{}: a full redraw repaints everything",
            screen.slug()
        );
        let times = (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                black_box(headless::render_into(&window, &mut frame, true));
                t.elapsed()
            })
            .collect();
        report(&format!("full {}", screen.slug()), times);
    }

    reach(&mut stage, &shot(ScreenId::Form, Extra::Keyboard)).expect("the form with a keyboard");
    let window = stage.offscreen_window().expect("offscreen").clone();
    headless::render_into(&window, &mut frame, true);
    let mut areas = Vec::new();
    let mut times = Vec::new();
    for i in 0..RUNS {
        let kb = stage.app().global::<KeyboardAdapter<'_>>();
        let t = Instant::now();
        if i % 10 == 9 {
            kb.invoke_backspace();
        } else {
            kb.invoke_key("a".into());
        }
        stage.pump();
        let area = headless::render_into(&window, &mut frame, false);
        times.push(t.elapsed());
        areas.push(area);
    }
    report("typing form-field", times);
    let max = areas.iter().copied().max().unwrap_or(0);
    println!(
        "typing: largest repainted area {max} px ({:.1}% of the screen)",
        max as f64 * 100.0 / (1080.0 * 1920.0)
    );
}
