//! The document camera in the kiosk: not fitted, configured but absent (power off, named,
//! its still and health check refused with the reason), and `kioskctl camera` on photo files
//! and on a missing node. The V4L2 capture itself needs a camera (vivid or a UVC gadget in
//! the HIL guest); the page pipeline it feeds is tested in kiosk-drivers.

use crate::support;

use std::process::Command;

use kiosk::devices::{DeviceError, DeviceManager};
use kiosk_drivers::status::{DeviceClass, DeviceState};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_without_a_camera_reports_it_not_fitted() {
    let dir = tempfile::tempdir().unwrap();
    let manager = start_sim(dir.path());
    assert_eq!(
        manager.status(DeviceClass::Camera).state,
        DeviceState::NoDevice
    );
    let camera = manager.camera();
    let err = tokio::task::spawn_blocking(move || camera.still(true))
        .await
        .unwrap()
        .expect_err("no camera");
    assert!(
        matches!(err, DeviceError::NotFitted(DeviceClass::Camera)),
        "{err}"
    );
    assert!(err.kind().needs_person(), "{:?}", err.kind());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_camera_that_is_absent_is_powered_off_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = sim_config(dir.path());
    config.devices.camera.enabled = true;
    config.devices.camera.device = "/dev/video-kiosk-test-absent".into();
    let manager = DeviceManager::start(&config, options(dir.path())).expect("starts");
    let status = snapshot_where(&manager, DeviceClass::Camera, "power off", |s| {
        s.state == DeviceState::PowerOff
    })
    .await;
    let last = status.last_error.expect("the reason is kept");
    assert_eq!(last.code, "disconnected");
    assert!(
        last.message.contains("/dev/video-kiosk-test-absent"),
        "{}",
        last.message
    );
    assert!(status
        .identity
        .connection
        .contains("/dev/video-kiosk-test-absent"));

    let camera = manager.camera();
    let err = tokio::task::spawn_blocking(move || camera.still(true))
        .await
        .unwrap()
        .expect_err("not there");
    assert!(
        matches!(err, DeviceError::NotConnected(DeviceClass::Camera)),
        "{err}"
    );
    assert!(err.kind().is_lost(), "{:?}", err.kind());

    let results = manager
        .selftest(Some(DeviceClass::Camera), true, BOUND)
        .await;
    assert_eq!(results.len(), 1, "the frame is the camera's only check");
    let (class, check) = &results[0];
    assert_eq!(*class, DeviceClass::Camera);
    assert!(!check.passed);
    assert!(check.text.contains("no frame"), "{}", check.text);
    assert_eq!(
        manager
            .status(DeviceClass::Camera)
            .last_health_check
            .as_ref(),
        Some(check)
    );
    // The other devices run on: a kiosk without its camera still reads cards.
    snapshot_where(&manager, DeviceClass::IdCardReader, "reader online", |s| {
        s.state == DeviceState::Online
    })
    .await;
}

fn kioskctl(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kioskctl"))
        .args(args)
        .env("KIOSK_CONFIG", "/nonexistent/kiosk.toml")
        .output()
        .expect("kioskctl runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn kioskctl_makes_a_page_from_a_photo_and_refuses_a_blank_one() {
    use kiosk_drivers::camera::sample;
    let dir = tempfile::tempdir().unwrap();
    let spec = sample::standard_specs()[1];
    let page = sample::render_page().expect("fonts-noto-cjk");
    let photo = dir.path().join("photo.png");
    sample::photograph(&page, &spec).photo.save(&photo).unwrap();
    let out = dir.path().join("page.jpg");
    let (code, stdout, stderr) = kioskctl(&[
        "camera",
        "page",
        "--photo",
        photo.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("page found at"), "{stdout}");
    let jpeg = std::fs::read(&out).unwrap();
    assert!(jpeg.len() <= 300 * 1024);
    let img = image::load_from_memory(&jpeg).unwrap();
    assert_eq!((img.width(), img.height()), (1654, 2339));

    let blank = dir.path().join("blank.png");
    image::RgbImage::from_pixel(1600, 1200, image::Rgb([90, 90, 90]))
        .save(&blank)
        .unwrap();
    let (code, _, stderr) = kioskctl(&[
        "camera",
        "page",
        "--photo",
        blank.to_str().unwrap(),
        "--out",
        dir.path().join("none.jpg").to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no sheet found"), "{stderr}");
    assert!(
        !dir.path().join("none.jpg").exists(),
        "nothing written for a blank photo"
    );
}

#[test]
fn kioskctl_capture_names_a_missing_camera() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = kioskctl(&[
        "camera",
        "capture",
        "--device",
        "/dev/video-kiosk-test-absent",
        "--out",
        dir.path().join("x.jpg").to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(stderr.contains("/dev/video-kiosk-test-absent"), "{stderr}");
    assert!(stderr.contains("unplugged"), "{stderr}");
}
