//! UVC document cameras through V4L2 (the `v4l` crate): listing, choosing the capture sizes,
//! taking a still and streaming preview frames. An unplugged camera's errors come back as
//! [`CameraError::Disconnected`]; the device manager reopens it when it is back.

use std::path::{Path, PathBuf};
use std::time::Duration;

use v4l::buffer::Type;
use v4l::capability::Flags;
use v4l::framesize::FrameSizeEnum;
use v4l::io::mmap::Stream;
use v4l::io::traits::CaptureStream;
use v4l::video::Capture;
use v4l::{Device, Format, FourCC};

use super::error::CameraError;
use super::frame::{choose_preview, choose_still, Frame, Offer, PixelFormat, MIN_STILL_PIXELS};

/// Frames thrown away after the stream starts: auto-exposure and white balance settle.
const SETTLE_FRAMES: usize = 4;
/// A camera that sends nothing for this long is reported, not waited on.
const FRAME_TIMEOUT: Duration = Duration::from_secs(3);
/// Buffers the driver fills in turn.
const BUFFERS: u32 = 4;

/// A video capture node found on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraListing {
    /// The device node (`/dev/video0`).
    pub path: PathBuf,
    /// The camera's name (V4L2 `card`), when it could be opened.
    pub name: String,
    /// Where it is attached (`usb-0000:00:14.0-3`).
    pub bus: String,
    /// The kernel driver (`uvcvideo`, `vivid`).
    pub driver: String,
    /// The MJPEG and YUYV sizes it offers.
    pub offers: Vec<Offer>,
    /// Why it cannot be used, if it cannot (permission denied, no usable size).
    pub problem: Option<String>,
}

impl CameraListing {
    /// The size a still would be taken at.
    pub fn still(&self) -> Option<Offer> {
        choose_still(&self.offers, MIN_STILL_PIXELS)
    }
}

/// Every video capture node under /dev, in name order. Metadata nodes (UVC makes two per
/// camera) are left out; a node that may not be opened is listed with the problem.
pub fn list() -> Vec<CameraListing> {
    let mut nodes: Vec<PathBuf> = std::fs::read_dir("/dev")
        .map(|dir| {
            dir.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("video"))
                })
                .collect()
        })
        .unwrap_or_default();
    nodes.sort_by_key(|p| {
        let digits: String = p
            .to_string_lossy()
            .chars()
            .filter(|c| c.is_ascii_digit())
            .collect();
        digits.parse::<u32>().unwrap_or(u32::MAX)
    });
    nodes.into_iter().filter_map(|p| probe(&p)).collect()
}

fn probe(path: &Path) -> Option<CameraListing> {
    let device = match Device::with_path(path) {
        Ok(d) => d,
        Err(e) => {
            let err = CameraError::from_io(path, "open", e);
            return Some(CameraListing {
                path: path.to_owned(),
                name: String::new(),
                bus: String::new(),
                driver: String::new(),
                offers: Vec::new(),
                problem: Some(err.to_string()),
            });
        }
    };
    let caps = device.query_caps().ok()?;
    if !caps.capabilities.contains(Flags::VIDEO_CAPTURE) {
        return None;
    }
    let offers = offers(&device).unwrap_or_default();
    if offers.is_empty() {
        // A metadata node or a camera with only formats the kiosk does not take.
        return None;
    }
    let problem = choose_still(&offers, MIN_STILL_PIXELS).is_none().then(|| {
        format!("no MJPEG or YUYV size of at least {MIN_STILL_PIXELS} pixels (2 MP) for A4 pages")
    });
    Some(CameraListing {
        path: path.to_owned(),
        name: caps.card,
        bus: caps.bus,
        driver: caps.driver,
        offers,
        problem,
    })
}

/// The MJPEG and YUYV sizes a device offers; for a stepwise range its largest size and 720p.
fn offers(device: &Device) -> std::io::Result<Vec<Offer>> {
    let mut out = Vec::new();
    for desc in device.enum_formats()? {
        let Some(format) = PixelFormat::from_fourcc(desc.fourcc.repr) else {
            continue;
        };
        for size in device.enum_framesizes(desc.fourcc)? {
            match size.size {
                FrameSizeEnum::Discrete(d) => out.push(Offer {
                    format,
                    width: d.width,
                    height: d.height,
                }),
                FrameSizeEnum::Stepwise(s) => {
                    out.push(Offer {
                        format,
                        width: s.max_width,
                        height: s.max_height,
                    });
                    if (s.min_width..=s.max_width).contains(&1280)
                        && (s.min_height..=s.max_height).contains(&720)
                    {
                        out.push(Offer {
                            format,
                            width: 1280,
                            height: 720,
                        });
                    }
                }
            }
        }
    }
    out.sort_by_key(|o| (o.format, o.width, o.height));
    out.dedup();
    Ok(out)
}

/// An open document camera.
pub struct DocumentCamera {
    path: PathBuf,
    name: String,
    device: Device,
    still: Offer,
    preview: Offer,
}

impl std::fmt::Debug for DocumentCamera {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentCamera")
            .field("path", &self.path)
            .field("name", &self.name)
            .field("still", &self.still)
            .field("preview", &self.preview)
            .finish()
    }
}

impl DocumentCamera {
    /// Opens the camera at `path` and chooses its still and preview sizes.
    pub fn open(path: &Path) -> Result<DocumentCamera, CameraError> {
        let device = Device::with_path(path).map_err(|e| CameraError::from_io(path, "open", e))?;
        let caps = device
            .query_caps()
            .map_err(|e| CameraError::from_io(path, "query", e))?;
        let offered = offers(&device).map_err(|e| CameraError::from_io(path, "list formats", e))?;
        let unsupported = || CameraError::Unsupported {
            path: path.to_owned(),
            min_pixels: MIN_STILL_PIXELS,
            offered: if offered.is_empty() {
                "nothing in MJPEG or YUYV".into()
            } else {
                offered
                    .iter()
                    .map(Offer::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        };
        let still = choose_still(&offered, MIN_STILL_PIXELS).ok_or_else(unsupported)?;
        let preview = choose_preview(&offered).ok_or_else(unsupported)?;
        Ok(DocumentCamera {
            path: path.to_owned(),
            name: caps.card,
            device,
            still,
            preview,
        })
    }

    /// Opens the first camera found that can take A4 stills.
    pub fn open_first() -> Result<DocumentCamera, CameraError> {
        let found = list();
        let usable = found.iter().find(|c| c.problem.is_none());
        match usable {
            Some(c) => DocumentCamera::open(&c.path),
            None if found.is_empty() => Err(CameraError::NotFound(
                "no video capture device under /dev (is the camera plugged in?)".into(),
            )),
            None => Err(CameraError::NotFound(
                found
                    .iter()
                    .map(|c| {
                        format!(
                            "{}: {}",
                            c.path.display(),
                            c.problem.as_deref().unwrap_or("usable")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            )),
        }
    }

    /// The device node.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The camera's name as its driver gives it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The size stills are taken at.
    pub fn still_offer(&self) -> Offer {
        self.still
    }

    /// The size the preview runs at.
    pub fn preview_offer(&self) -> Offer {
        self.preview
    }

    /// Sets the device to `offer`; returns what it took (a driver may round the size).
    fn set(&self, offer: Offer) -> Result<Offer, CameraError> {
        let wanted = Format::new(
            offer.width,
            offer.height,
            FourCC::new(&offer.format.fourcc()),
        );
        let got = self
            .device
            .set_format(&wanted)
            .map_err(|e| CameraError::from_io(&self.path, "set format", e))?;
        let format =
            PixelFormat::from_fourcc(got.fourcc.repr).ok_or_else(|| CameraError::Unsupported {
                path: self.path.clone(),
                min_pixels: MIN_STILL_PIXELS,
                offered: format!("asked for {offer}, the driver chose {}", got.fourcc),
            })?;
        Ok(Offer {
            format,
            width: got.width,
            height: got.height,
        })
    }

    fn stream(&self, offer: Offer) -> Result<Preview, CameraError> {
        let offer = self.set(offer)?;
        let mut stream = Stream::with_buffers(&self.device, Type::VideoCapture, BUFFERS)
            .map_err(|e| CameraError::from_io(&self.path, "map buffers", e))?;
        stream.set_timeout(FRAME_TIMEOUT);
        Ok(Preview {
            path: self.path.clone(),
            offer,
            stream,
        })
    }

    /// Takes one still at the full size: starts a stream, lets the exposure settle, keeps the
    /// next frame.
    pub fn capture_still(&mut self) -> Result<Frame, CameraError> {
        let mut stream = self.stream(self.still)?;
        for _ in 0..SETTLE_FRAMES {
            stream.next_frame()?;
        }
        stream.next_frame()
    }

    /// Starts the preview stream. Dropping it stops the stream.
    pub fn preview(&mut self) -> Result<Preview, CameraError> {
        self.stream(self.preview)
    }
}

/// A running capture stream.
pub struct Preview {
    path: PathBuf,
    offer: Offer,
    stream: Stream<'static>,
}

impl std::fmt::Debug for Preview {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Preview({}, {})", self.path.display(), self.offer)
    }
}

impl Preview {
    /// What the frames are.
    pub fn offer(&self) -> Offer {
        self.offer
    }

    /// The next frame, copied out of the driver's buffer.
    pub fn next_frame(&mut self) -> Result<Frame, CameraError> {
        let (buf, meta) = self
            .stream
            .next()
            .map_err(|e| CameraError::from_io(&self.path, "capture", e))?;
        let used = (meta.bytesused as usize).min(buf.len());
        // Some drivers leave bytesused at 0 for uncompressed formats: the whole buffer counts.
        let data = if used == 0 { buf } else { &buf[..used] };
        Ok(Frame {
            offer: self.offer,
            data: data.to_vec(),
        })
    }
}
