//! A document camera that "sees" given photos: for the demo, tests and benches of the
//! materials flow on machines without a camera. It answers the same [`CameraHandle`] requests
//! as the V4L2 camera's thread, each photo delivered as a YUYV frame (the format most UVC
//! document cameras send) and taken through the same frame conversion and page pipeline.

use std::sync::mpsc::Receiver;

use image::RgbImage;
use kiosk_drivers::camera::frame::rgb_to_yuyv;
use kiosk_drivers::camera::{process_photo, Frame, Offer, PageError, PixelFormat};

use super::camera::{queue, CameraHandle, CameraRequest, Shot};
use super::error::DeviceError;

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
    while let Ok(request) = requests.recv() {
        let photo = photos.get(next % photos.len().max(1));
        next += 1;
        match request {
            CameraRequest::Still { process, reply } => {
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
                let frame = photo.cloned().unwrap_or_else(|| RgbImage::new(640, 480));
                let _ = reply.send(Ok(frame));
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
