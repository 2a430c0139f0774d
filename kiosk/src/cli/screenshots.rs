//! `kioskctl screenshots --out DIR`: renders every screen of the UI (zh-CN and English, normal
//! and elder mode) to PNG with the software renderer, no display needed.

use std::path::PathBuf;

use clap::Args;

/// Arguments of `kioskctl screenshots`.
#[derive(Debug, Args)]
pub struct ScreenshotsArgs {
    /// Directory to write the PNG files into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Renders the screenshots and prints one line per file; returns the exit code.
pub fn run(args: &ScreenshotsArgs) -> i32 {
    match kiosk_ui::screenshots::render_all(&args.out) {
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
