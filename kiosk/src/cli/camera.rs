//! `kioskctl camera`: bench work on the document camera, straight on the V4L2 device (the
//! service only streams while it takes a page, so this works beside it): list cameras and
//! their sizes, take a still as a processed page or as sent, and run the page pipeline on a
//! photo file.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use image::DynamicImage;
use kiosk_config::LoadOptions;
use kiosk_drivers::camera::frame::{MIN_STILL_PIXELS, PREVIEW_SIZE};
use kiosk_drivers::camera::{list, process_photo, DocumentCamera, Frame, PixelFormat};

use super::exit;

/// `kioskctl camera …`
#[derive(Debug, Subcommand)]
pub enum CameraCommand {
    /// List the V4L2 cameras, their MJPEG and YUYV sizes, and the sizes the kiosk would use.
    List,
    /// Take a still and write it: the page (found, straightened, A4 JPEG), or with --raw the
    /// frame as the camera sent it (MJPEG as is; YUYV converted to JPEG for a .jpg/.jpeg
    /// file, otherwise to PNG).
    Capture(CaptureArgs),
    /// Run the page pipeline on a photo file (JPEG or PNG) and write the page JPEG.
    Page(PageArgs),
}

/// `kioskctl camera capture`
#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// The camera's node; default: `[devices.camera] device` of the configuration, else the
    /// first camera that takes A4 stills.
    #[arg(long, value_name = "NODE")]
    pub device: Option<PathBuf>,
    /// Where to write the picture.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Write the frame as the camera sent it, not the processed page (YUYV frames as JPEG
    /// when FILE ends in .jpg or .jpeg, else as PNG).
    #[arg(long)]
    pub raw: bool,
}

/// `kioskctl camera page`
#[derive(Debug, Args)]
pub struct PageArgs {
    /// The photo of a sheet on the desk.
    #[arg(long, value_name = "FILE")]
    pub photo: PathBuf,
    /// Where to write the page JPEG.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// Runs a `kioskctl camera` command; returns the exit code.
pub fn run(cmd: CameraCommand, config: &Path) -> i32 {
    match cmd {
        CameraCommand::List => list_cameras(),
        CameraCommand::Capture(args) => capture(&args, config),
        CameraCommand::Page(args) => page_from_file(&args),
    }
}

fn list_cameras() -> i32 {
    let cameras = list();
    if cameras.is_empty() {
        outln!("no V4L2 capture devices (is the camera plugged in? `ls /dev/video*`)");
        return exit::FAILURE;
    }
    for cam in &cameras {
        outln!(
            "{}  {}  ({}, {})",
            cam.path.display(),
            cam.name,
            cam.driver,
            cam.bus
        );
        if !cam.offers.is_empty() {
            let sizes: Vec<String> = cam.offers.iter().map(ToString::to_string).collect();
            outln!("  offers: {}", sizes.join(", "));
        }
        match (&cam.problem, cam.still()) {
            (Some(problem), _) => outln!("  not usable: {problem}"),
            (None, Some(still)) => outln!(
                "  still: {still}; preview: {}",
                kiosk_drivers::camera::frame::choose_preview(&cam.offers)
                    .map_or_else(|| "none".to_owned(), |p| p.to_string())
            ),
            (None, None) => outln!("  not usable: no size of at least {MIN_STILL_PIXELS} pixels"),
        }
    }
    outln!(
        "(stills need at least {MIN_STILL_PIXELS} pixels; the preview aims at {}x{})",
        PREVIEW_SIZE.0,
        PREVIEW_SIZE.1
    );
    exit::OK
}

fn configured_device(config: &Path) -> Option<PathBuf> {
    kiosk_config::load(&LoadOptions::from_process(config))
        .ok()
        .and_then(|loaded| loaded.config.devices.camera.path())
}

fn capture(args: &CaptureArgs, config: &Path) -> i32 {
    let device = args.device.clone().or_else(|| configured_device(config));
    let opened = match &device {
        Some(path) => DocumentCamera::open(path),
        None => DocumentCamera::open_first(),
    };
    let mut camera = match opened {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return exit::FAILURE;
        }
    };
    let frame = match camera.capture_still() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return exit::FAILURE;
        }
    };
    outln!(
        "took {} from {} ({})",
        frame.offer,
        camera.name(),
        camera.path().display()
    );
    if args.raw {
        return write_raw(&frame, &args.out);
    }
    let photo = match frame.to_rgb() {
        Ok(p) => DynamicImage::ImageRgb8(p),
        Err(e) => {
            eprintln!("{e}");
            return exit::FAILURE;
        }
    };
    write_page(&photo, &args.out)
}

fn write_raw(frame: &Frame, out: &Path) -> i32 {
    match raw_bytes(frame, out) {
        Ok(bytes) => match std::fs::write(out, bytes) {
            Ok(()) => {
                outln!("wrote {}", out.display());
                exit::OK
            }
            Err(e) => {
                eprintln!("cannot write {}: {e}", out.display());
                exit::FAILURE
            }
        },
        Err(e) => {
            eprintln!("cannot write {}: {e}", out.display());
            exit::FAILURE
        }
    }
}

/// JPEG quality of a YUYV frame written as .jpg: high, it is the camera's picture as seen.
const RAW_JPEG_QUALITY: u8 = 92;

/// The file's bytes for a raw frame: an MJPEG frame as the camera sent it; a YUYV frame
/// converted, to JPEG when `out` ends in .jpg or .jpeg, otherwise to PNG.
fn raw_bytes(frame: &Frame, out: &Path) -> Result<Vec<u8>, String> {
    match frame.offer.format {
        PixelFormat::Mjpeg => Ok(frame.data.clone()),
        PixelFormat::Yuyv => {
            let rgb = frame.to_rgb().map_err(|e| e.to_string())?;
            let jpeg = out
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("jpg") || e.eq_ignore_ascii_case("jpeg"));
            let mut bytes = Vec::new();
            if jpeg {
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, RAW_JPEG_QUALITY)
                    .encode_image(&rgb)
                    .map_err(|e| e.to_string())?;
            } else {
                rgb.write_to(
                    &mut std::io::Cursor::new(&mut bytes),
                    image::ImageFormat::Png,
                )
                .map_err(|e| e.to_string())?;
            }
            Ok(bytes)
        }
    }
}

fn page_from_file(args: &PageArgs) -> i32 {
    let photo = match image::open(&args.photo) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("cannot read the photo {}: {e}", args.photo.display());
            return exit::USAGE;
        }
    };
    write_page(&photo, &args.out)
}

fn write_page(photo: &DynamicImage, out: &Path) -> i32 {
    let page = match process_photo(photo) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return exit::FAILURE;
        }
    };
    if let Err(e) = std::fs::write(out, &page.jpeg) {
        eprintln!("cannot write {}: {e}", out.display());
        return exit::FAILURE;
    }
    let c = page.corners.0;
    outln!(
        "page found at ({:.0},{:.0}) ({:.0},{:.0}) ({:.0},{:.0}) ({:.0},{:.0}); wrote {} ({} KiB, A4 {}x{} at 200 dpi, JPEG q{})",
        c[0].0, c[0].1, c[1].0, c[1].1, c[2].0, c[2].1, c[3].0, c[3].1,
        out.display(),
        page.jpeg.len() / 1024,
        kiosk_drivers::camera::page::A4_WIDTH,
        kiosk_drivers::camera::page::A4_HEIGHT,
        page.quality
    );
    exit::OK
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_drivers::camera::Offer;

    /// A YUYV frame of `w`×`h`: a horizontal ramp of brightness, neutral colour.
    fn yuyv(w: u32, h: u32) -> Frame {
        let mut data = Vec::with_capacity((w * h * 2) as usize);
        for _ in 0..h {
            for x in (0..w).step_by(2) {
                let y = (x * 255 / w) as u8;
                data.extend_from_slice(&[y, 128, y, 128]);
            }
        }
        Frame {
            offer: Offer {
                format: PixelFormat::Yuyv,
                width: w,
                height: h,
            },
            data,
        }
    }

    #[test]
    fn a_raw_yuyv_frame_is_a_jpeg_for_a_jpg_file_and_a_png_otherwise() {
        let frame = yuyv(64, 48);
        for (name, format) in [
            ("still.jpg", image::ImageFormat::Jpeg),
            ("still.JPEG", image::ImageFormat::Jpeg),
            ("still.png", image::ImageFormat::Png),
            ("still", image::ImageFormat::Png),
        ] {
            let bytes = raw_bytes(&frame, Path::new(name)).expect("converts");
            assert_eq!(image::guess_format(&bytes).ok(), Some(format), "{name}");
            let img = image::load_from_memory(&bytes).expect("decodes").to_luma8();
            assert_eq!(img.dimensions(), (64, 48), "{name}");
            // The ramp survives: dark on the left, light on the right.
            assert!(img.get_pixel(2, 24)[0] < 40, "{name}");
            assert!(img.get_pixel(61, 24)[0] > 200, "{name}");
        }
    }

    #[test]
    fn a_raw_mjpeg_frame_is_written_as_sent() {
        let frame = Frame {
            offer: Offer {
                format: PixelFormat::Mjpeg,
                width: 2,
                height: 2,
            },
            data: vec![0xff, 0xd8, 1, 2, 3],
        };
        assert_eq!(
            raw_bytes(&frame, Path::new("x.png")).expect("as sent"),
            frame.data
        );
    }
}
