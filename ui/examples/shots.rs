//! Renders the screenshots whose file name contains a filter (all without one) into a folder:
//! `cargo run -p kiosk-ui --example shots -- OUT_DIR [FILTER]`, for looking at one screen while
//! working on it. `kioskctl screenshots` renders them all.
use std::path::PathBuf;

fn main() -> Result<(), kiosk_ui::UiError> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "shots".into()));
    let filter = args.next().unwrap_or_default();
    let shots: Vec<_> = kiosk_ui::screenshots::shots()
        .into_iter()
        .filter(|s| s.file_name().contains(&filter))
        .collect();
    for path in kiosk_ui::screenshots::render_shots(&out, &shots, |_, _, _| {})? {
        println!("{}", path.display());
    }
    Ok(())
}
