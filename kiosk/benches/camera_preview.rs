//! The camera screen's live preview, camera frame to pixels, on the software renderer at
//! 1080×1920 (one thread draws, as on the kiosk): the simulated document camera streams the
//! sample household register (a 1600×1200 photo sent as YUYV, converted and shrunk on the
//! camera's thread at 30 frames a second, as a UVC camera's preview runs); the screen takes the
//! newest frame each time it polls and draws what changed.
//!
//! Two ways of polling:
//! - `kiosk timers`: the frontend's 40 ms poll, then a draw (what the kiosk does): the frames
//!   per second the citizen sees and the latency from the camera's frame to drawn pixels;
//! - `flat out`: polling and drawing as fast as one thread can: the preview's capacity.
//!
//! Targets: ≥ 10 frames per second, latency ≤ 150 ms. Prints frames per second and latency
//! min / median / p95 / max. Run it in the bench profile (`CARGO_PROFILE_BENCH_LTO=false
//! CARGO_PROFILE_BENCH_CODEGEN_UNITS=16 cargo bench -p kiosk --bench camera_preview`).

use std::time::{Duration, Instant};

use kiosk::devices::CameraHandle;
use kiosk::display::shots::{preview_config, preview_start, reach, Extra, Shot};
use kiosk::display::stage::Stage;
use kiosk_config::schema::Language;
use kiosk_ui::headless::{self, Frame};
use kiosk_ui::screen::ScreenId;
use slint::PhysicalSize;

/// How long each way of polling runs.
const RUN: Duration = Duration::from_secs(6);
/// The frontend's poll period (display/frontend.rs).
const POLL: Duration = Duration::from_millis(40);

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn run(stage: &mut Stage, frame: &mut Frame, name: &str, period: Option<Duration>) {
    let window = stage.offscreen_window().expect("offscreen").clone();
    let mut last = stage.preview_shown().map_or(0, |(seq, _)| seq);
    let mut latencies = Vec::new();
    let mut draw_times = Vec::new();
    let start = Instant::now();
    let mut next = start;
    while start.elapsed() < RUN {
        if let Some(p) = period {
            next += p;
            if let Some(wait) = next.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        stage.pump();
        let Some((seq, taken)) = stage.preview_shown().filter(|(seq, _)| *seq > last) else {
            if period.is_none() {
                std::thread::sleep(Duration::from_micros(200));
            }
            continue;
        };
        let t = Instant::now();
        headless::draw_if_needed(&window, frame);
        draw_times.push(t.elapsed());
        latencies.push(taken.elapsed());
        last = seq;
    }
    let secs = start.elapsed().as_secs_f64();
    latencies.sort();
    draw_times.sort();
    let at = |v: &[Duration], q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    assert!(!latencies.is_empty(), "{name}: no preview frame was drawn");
    println!(
        "preview {name:<12} {:>5.1} frames/s drawn  latency camera→pixels min {:>6.1} ms  median {:>6.1} ms  p95 {:>6.1} ms  max {:>6.1} ms  draw median {:>5.1} ms  ({} frames)",
        latencies.len() as f64 / secs,
        ms(at(&latencies, 0.0)),
        ms(at(&latencies, 0.5)),
        ms(at(&latencies, 0.95)),
        ms(at(&latencies, 1.0)),
        ms(at(&draw_times, 0.5)),
        latencies.len(),
    );
}

fn main() {
    let camera = CameraHandle::sample();
    let mut stage = Stage::offscreen_with_camera(&preview_config(), preview_start(), Some(camera))
        .expect("the stage");
    let shot = Shot {
        screen: ScreenId::Camera,
        language: Language::ZhCn,
        elder: false,
        reach: false,
        landscape: false,
        extra: Extra::CameraPages,
    };
    reach(&mut stage, &shot).expect("the camera screen");
    let (first, _) = stage
        .next_preview_frame(0, Duration::from_secs(60))
        .expect("the simulated camera streams");
    let mut frame = Frame::blank(PhysicalSize::new(1080, 1920));
    let window = stage.offscreen_window().expect("offscreen").clone();
    headless::draw_if_needed(&window, &mut frame);
    println!("first preview frame #{first}; the camera sends 30 frames/s");
    run(&mut stage, &mut frame, "kiosk timers", Some(POLL));
    run(&mut stage, &mut frame, "flat out", None);
}
