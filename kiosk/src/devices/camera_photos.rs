//! A document camera that "sees" given photos: for the demo, tests and benches of the
//! materials flow on machines without a camera. It answers the same [`CameraHandle`] requests
//! as the V4L2 camera's thread, each photo delivered as a YUYV frame (the format most UVC
//! document cameras send) and taken through the same frame conversion and page pipeline. Its
//! preview streams the current photo at [`PHOTO_CAMERA_FPS`], as a UVC camera streams.

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use image::RgbImage;
use kiosk_drivers::camera::frame::rgb_to_yuyv;
use kiosk_drivers::camera::{process_photo, Frame, Offer, PageError, PixelFormat};

use super::camera::{queue, CameraHandle, CameraRequest, Shot};
use super::camera_preview::PreviewSink;
use super::error::DeviceError;

/// Preview frames a second, as a UVC camera's 720p stream.
pub const PHOTO_CAMERA_FPS: u32 = 30;

impl CameraHandle {
    /// A camera whose stills are `photos`, one after the other (round and round); its thread
    /// ends when the last handle is dropped. Without photos every still fails as a photo
    /// with no sheet in it would.
    pub fn from_photos(photos: Vec<RgbImage>) -> CameraHandle {
        let (tx, rx) = queue();
        let spawned = std::thread::Builder::new()
            .name("camera-photos".into())
            .spawn(move || serve(photos, rx));
        if let Err(err) = spawned {
            tracing::error!(%err, "the photo camera's thread did not start");
        }
        CameraHandle::new(Some(tx))
    }
}

impl CameraHandle {
    /// The simulated document camera (`[devices.camera] device = "sim"`, the stage of the
    /// screenshots and UI tests): the sample household register page (fictional entries)
    /// photographed in the first three of the sample poses, drawn on the camera's own thread
    /// before it answers (a second or two).
    pub fn sample() -> CameraHandle {
        CameraHandle::from_photos_made(sample_photos)
    }

    /// As [`CameraHandle::from_photos`], the photos made by `make` on the camera's thread.
    pub fn from_photos_made(make: impl FnOnce() -> Vec<RgbImage> + Send + 'static) -> CameraHandle {
        let (tx, rx) = queue();
        let spawned = std::thread::Builder::new()
            .name("camera-photos".into())
            .spawn(move || serve(make(), rx));
        if let Err(err) = spawned {
            tracing::error!(%err, "the photo camera's thread did not start");
        }
        CameraHandle::new(Some(tx))
    }
}

/// The sample register page in three poses (none if the CJK font is missing).
pub fn sample_photos() -> Vec<RgbImage> {
    use kiosk_drivers::camera::sample;
    match sample::render_page() {
        Ok(page) => sample::standard_specs()[..3]
            .iter()
            .map(|spec| sample::photograph(&page, spec).photo)
            .collect(),
        Err(err) => {
            tracing::error!(%err, "the simulated camera cannot draw its sample page (fonts-noto-cjk?)");
            Vec::new()
        }
    }
}

fn frame_of(photo: &RgbImage) -> Frame {
    Frame {
        offer: Offer {
            format: PixelFormat::Yuyv,
            width: photo.width(),
            height: photo.height(),
        },
        data: rgb_to_yuyv(photo),
    }
}

fn serve(photos: Vec<RgbImage>, requests: Receiver<CameraRequest>) {
    let mut next = 0usize;
    let mut sink: Option<Arc<PreviewSink>> = None;
    let period = Duration::from_secs(1) / PHOTO_CAMERA_FPS;
    let mut due = Instant::now();
    loop {
        if sink.as_ref().is_some_and(|s| !s.is_open()) {
            sink = None;
        }
        let request = match &sink {
            None => match requests.recv() {
                Ok(r) => r,
                Err(_) => return,
            },
            Some(to) => {
                match requests.recv_timeout(due.saturating_duration_since(Instant::now())) {
                    Ok(r) => r,
                    Err(RecvTimeoutError::Timeout) => {
                        due += period;
                        if due < Instant::now() {
                            due = Instant::now() + period;
                        }
                        // The photo the next still will be, as the camera sends it.
                        let photo = photos.get(next % photos.len().max(1));
                        let frame =
                            photo.map_or_else(|| frame_of(&RgbImage::new(640, 480)), frame_of);
                        let taken = Instant::now();
                        if let Ok(rgb) = frame.to_rgb() {
                            to.offer(&rgb, taken);
                        }
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
        };
        match request {
            CameraRequest::Still { process, reply } => {
                let photo = photos.get(next % photos.len().max(1));
                next += 1;
                let result = match photo {
                    None => Err(DeviceError::Page(PageError::PhotoTooSmall {
                        width: 0,
                        height: 0,
                        min_width: 1,
                        min_height: 1,
                    })),
                    Some(photo) => shot(frame_of(photo), process),
                };
                let _ = reply.send(result);
            }
            CameraRequest::PreviewFrame { reply } => {
                let photo = photos.get(next % photos.len().max(1));
                let frame = photo.cloned().unwrap_or_else(|| RgbImage::new(640, 480));
                let _ = reply.send(Ok(frame));
            }
            CameraRequest::Preview { sink: wanted } => {
                if let Some(old) = sink.replace(wanted) {
                    old.close();
                }
                due = Instant::now();
            }
        }
    }
}

fn shot(frame: Frame, process: bool) -> Result<Shot, DeviceError> {
    if !process {
        return Ok(Shot { frame, page: None });
    }
    let rgb = frame.to_rgb().map_err(DeviceError::Camera)?;
    let page = process_photo(&image::DynamicImage::ImageRgb8(rgb)).map_err(DeviceError::Page)?;
    Ok(Shot {
        frame,
        page: Some(page),
    })
}
