//! Development window: the kiosk UI on preview data in a desktop window, drawn by the same
//! software renderer as the kiosk. `cargo run -p kiosk-ui --features winit --bin kiosk-ui-preview`
//! (`SLINT_SCALE_FACTOR=0.5` to fit a 1080×1920 window on a desktop monitor).

fn main() -> Result<(), slint::PlatformError> {
    let app = kiosk_ui::AppWindow::new()?;
    let _flow = kiosk_ui::demo::connect(&app);
    slint::ComponentHandle::run(&app)
}
