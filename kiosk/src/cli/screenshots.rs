//! `kioskctl screenshots --out DIR [--only TEXT]`: renders every screen (zh-CN and English,
//! normal and elder mode, with and without reach mode) to PNG with the software renderer, no display needed, each reached
//! by walking the real session there (see [`crate::display::shots`]).
//!
//! `kioskctl preview`: the same screens in a desktop window (a kiosk built with the `winit`
//! feature), on the same rehearsal session: touch it with the mouse; an ID card is "placed"
//! two seconds after the card prompt shows.

use std::path::PathBuf;

use clap::Args;

use crate::display::shots;

/// Arguments of `kioskctl screenshots`.
#[derive(Debug, Args)]
pub struct ScreenshotsArgs {
    /// Directory to write the PNG files into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Only the shots whose file name contains this text (for example `review-`, `-elder` or `-reach`).
    #[arg(long, value_name = "TEXT")]
    pub only: Option<String>,
}

/// Renders the screenshots and prints one line per file; returns the exit code.
pub fn run(args: &ScreenshotsArgs) -> i32 {
    let filter = args.only.clone().unwrap_or_default();
    let wanted: Vec<_> = shots::shots()
        .into_iter()
        .filter(|s| s.file_name().contains(&filter))
        .collect();
    if wanted.is_empty() {
        eprintln!("kioskctl screenshots: no screenshot's file name contains {filter:?}");
        return 2;
    }
    match shots::render_shots(&args.out, &wanted, |_, _, _| {}) {
        Ok(files) => {
            for f in &files {
                outln!("{}", f.display());
            }
            outln!(
                "{} screenshots written to {}",
                files.len(),
                args.out.display()
            );
            0
        }
        Err(e) => {
            eprintln!("kioskctl screenshots: {e}");
            1
        }
    }
}

/// Runs the preview window until it is closed; returns the exit code.
pub fn preview() -> i32 {
    match crate::display::stage::preview_window() {
        Ok(()) => 0,
        Err(e) => {
            eprintln!(
                "kioskctl preview: {e} (a desktop window needs a kiosk built with `--features winit` and a display)"
            );
            1
        }
    }
}
