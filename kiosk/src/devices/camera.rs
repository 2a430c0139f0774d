//! The document camera (高拍仪) as a device: one thread owns the V4L2 camera, opens it (a
//! configured node, or the first camera that takes A4 stills), reports `online` with its
//! name, and answers requests: a still (raw, or through the page pipeline), and one preview
//! frame (the health check), and the camera screen's live preview: while a [`PreviewSink`] is
//! open the thread streams preview frames into it, stopping the stream for a still and
//! starting it again after. An unplugged camera is reported `powerOff` and looked for again
//! every [`REOPEN_EVERY`] until it is back, under the same or a new `/dev/video*` name.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TryRecvError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use image::RgbImage;
use kiosk_drivers::camera::{
    process_photo, CameraError, DocumentCamera, Frame, Page, PageError, Preview,
};
use kiosk_drivers::status::{ClassStatus, DeviceClass, DeviceState, DeviceStatus};
use kiosk_drivers::ErrorKind;

use super::camera_preview::PreviewSink;
use super::error::DeviceError;
use super::hub::Hub;
use super::manager::DeviceManager;

/// How often a missing camera is looked for.
pub const REOPEN_EVERY: Duration = Duration::from_secs(2);
/// Requests that may wait for the camera.
const QUEUE: usize = 4;
/// The longest a caller waits for a still (settling exposure at 5 MP over USB 2 takes ~2 s).
const CAPTURE_WAIT: Duration = Duration::from_secs(20);

/// What the camera thread is asked to do.
#[derive(Debug)]
pub(crate) enum CameraRequest {
    /// Take a still; `process`: through the page pipeline.
    Still {
        process: bool,
        reply: SyncSender<Result<Shot, DeviceError>>,
    },
    /// Take one preview frame (the health check).
    PreviewFrame {
        reply: SyncSender<Result<RgbImage, DeviceError>>,
    },
    /// Stream preview frames into `sink` until it is closed (the camera screen).
    Preview { sink: Arc<PreviewSink> },
}

/// A still from the camera: the frame as sent, and the page if it was processed.
#[derive(Debug, Clone)]
pub struct Shot {
    /// The frame as the camera sent it (MJPEG or YUYV).
    pub frame: Frame,
    /// The page made from it (`None` when a raw still was asked for).
    pub page: Option<Page>,
}

/// Where the camera is looked for.
#[derive(Debug, Clone)]
pub(crate) enum CameraSource {
    /// The first camera found that takes A4 stills.
    Auto,
    /// This node.
    Path(PathBuf),
}

impl CameraSource {
    pub(crate) fn from_config(camera: &kiosk_config::schema::Camera) -> CameraSource {
        camera.path().map_or(CameraSource::Auto, CameraSource::Path)
    }

    fn open(&self) -> Result<DocumentCamera, CameraError> {
        match self {
            CameraSource::Auto => DocumentCamera::open_first(),
            CameraSource::Path(p) => DocumentCamera::open(p),
        }
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            CameraSource::Auto => "v4l2 auto".into(),
            CameraSource::Path(p) => format!("v4l2 {}", p.display()),
        }
    }
}

/// The camera's thread, to ask for stills and preview frames; cheap to clone into a
/// blocking task. Without a camera fitted every request answers `NotFitted`.
#[derive(Debug, Clone, Default)]
pub struct CameraHandle {
    requests: Option<SyncSender<CameraRequest>>,
}

impl CameraHandle {
    pub(crate) fn new(requests: Option<SyncSender<CameraRequest>>) -> Self {
        CameraHandle { requests }
    }

    fn send(&self, request: CameraRequest) -> Result<(), DeviceError> {
        let Some(tx) = &self.requests else {
            return Err(DeviceError::NotFitted(DeviceClass::Camera));
        };
        tx.try_send(request).map_err(|e| match e {
            mpsc::TrySendError::Full(_) => DeviceError::Busy(DeviceClass::Camera),
            mpsc::TrySendError::Disconnected(_) => DeviceError::Stopped,
        })
    }
}

/// Runs the camera until `stop`: opens it, serves requests, streams the preview while one is
/// wanted, reopens it after an unplug.
pub(crate) fn supervise(
    source: CameraSource,
    hub: Hub,
    stop: Arc<AtomicBool>,
    requests: Receiver<CameraRequest>,
) {
    let mut camera: Option<DocumentCamera> = None;
    let mut last_problem = String::new();
    // The preview wanted (its sink) and its running stream.
    let mut sink: Option<Arc<PreviewSink>> = None;
    let mut stream: Option<Preview> = None;
    while !stop.load(Ordering::Relaxed) {
        if camera.is_none() {
            stream = None;
            match source.open() {
                Ok(cam) => {
                    let (name, path, still) = (
                        cam.name().to_owned(),
                        cam.path().display().to_string(),
                        cam.still_offer(),
                    );
                    tracing::info!(camera = %name, %path, %still, "document camera online");
                    hub.update(DeviceClass::Camera, |s| {
                        s.state = DeviceState::Online;
                        s.identity.model = Some(name);
                        s.identity.connection = format!("v4l2 {path} ({still})");
                    });
                    last_problem.clear();
                    camera = Some(cam);
                }
                Err(e) => {
                    let text = e.to_string();
                    if text != last_problem {
                        tracing::warn!(error = %text, "document camera not usable");
                        hub.update(DeviceClass::Camera, |s| {
                            s.state = state_for(&e);
                            s.record_error(code_for(&e), &text);
                        });
                        last_problem = text;
                    }
                }
            }
        }
        if sink.as_ref().is_some_and(|s| !s.is_open()) {
            sink = None;
            stream = None;
        }
        let streaming = sink.is_some() && camera.is_some();
        let request = if streaming {
            match requests.try_recv() {
                Ok(r) => Some(r),
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Disconnected) => break,
            }
        } else {
            match requests.recv_timeout(REOPEN_EVERY) {
                Ok(r) => Some(r),
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => break,
            }
        };
        let Some(request) = request else {
            // Nothing asked: the next preview frame.
            if let (Some(cam), Some(to)) = (camera.as_mut(), sink.as_ref()) {
                if let Err(e) = preview_frame(cam, &mut stream, to) {
                    stream = None;
                    if e.kind() == ErrorKind::Disconnected {
                        camera = None;
                        lost(&hub);
                    } else {
                        tracing::warn!(error = %e, "a preview frame failed; starting the preview again");
                        std::thread::sleep(Duration::from_millis(200));
                    }
                }
            }
            continue;
        };
        if let CameraRequest::Preview { sink: wanted } = request {
            if let Some(old) = sink.replace(wanted) {
                old.close();
            }
            continue;
        }
        let Some(cam) = camera.as_mut() else {
            let err = || DeviceError::NotConnected(DeviceClass::Camera);
            match request {
                CameraRequest::Still { reply, .. } => drop(reply.send(Err(err()))),
                CameraRequest::PreviewFrame { reply } => drop(reply.send(Err(err()))),
                CameraRequest::Preview { .. } => {}
            }
            continue;
        };
        let lost_it = match request {
            CameraRequest::Still { process, reply } => {
                // One stream at a time: the preview stops for the still and starts again after.
                stream = None;
                hub.update(DeviceClass::Camera, |s| s.state = DeviceState::Busy);
                let result = take_still(cam, process, &hub);
                let lost = gone(&result);
                let _ = reply.send(result);
                lost
            }
            CameraRequest::PreviewFrame { reply } => {
                let result = match stream.as_mut() {
                    Some(running) => running.next_frame(),
                    None => cam.preview().and_then(|mut p| p.next_frame()),
                }
                .and_then(|f| f.to_rgb())
                .map_err(DeviceError::Camera);
                let lost = gone(&result);
                let _ = reply.send(result);
                lost
            }
            CameraRequest::Preview { .. } => false,
        };
        if lost_it {
            camera = None;
            stream = None;
            lost(&hub);
        } else {
            hub.update(DeviceClass::Camera, |s| {
                if s.state == DeviceState::Busy {
                    s.state = DeviceState::Online;
                }
            });
        }
    }
    if let Some(sink) = sink {
        sink.close();
    }
}

/// One preview frame from the running stream (started if need be) into `sink`.
fn preview_frame(
    cam: &mut DocumentCamera,
    stream: &mut Option<Preview>,
    sink: &PreviewSink,
) -> Result<(), CameraError> {
    let running = match stream {
        Some(running) => running,
        None => stream.insert(cam.preview()?),
    };
    let frame = running.next_frame()?;
    let taken = Instant::now();
    sink.offer(&frame.to_rgb()?, taken);
    Ok(())
}

fn lost(hub: &Hub) {
    tracing::warn!("document camera unplugged; looking for it again");
    hub.update(DeviceClass::Camera, |s| {
        s.state = DeviceState::PowerOff;
        s.record_error("disconnected", "the camera went away (unplugged)");
    });
}

fn gone<T>(result: &Result<T, DeviceError>) -> bool {
    matches!(result, Err(DeviceError::Camera(e)) if e.kind() == ErrorKind::Disconnected)
}

fn take_still(cam: &mut DocumentCamera, process: bool, hub: &Hub) -> Result<Shot, DeviceError> {
    let frame = cam.capture_still().map_err(DeviceError::Camera)?;
    if !process {
        count(hub, |s| s.counters.operations_ok += 1);
        return Ok(Shot { frame, page: None });
    }
    let photo = frame.to_rgb().map_err(DeviceError::Camera)?;
    match process_photo(&image::DynamicImage::ImageRgb8(photo)) {
        Ok(page) => {
            count(hub, |s| {
                s.counters.operations_ok += 1;
                if let ClassStatus::Camera { pages_taken, .. } = &mut s.detail {
                    *pages_taken += 1;
                }
            });
            Ok(Shot {
                frame,
                page: Some(page),
            })
        }
        Err(e) => {
            if let PageError::NoSheet(_) | PageError::PhotoTooSmall { .. } = e {
                count(hub, |s| {
                    if let ClassStatus::Camera { pages_retaken, .. } = &mut s.detail {
                        *pages_retaken += 1;
                    }
                });
            }
            Err(DeviceError::Page(e))
        }
    }
}

fn count(hub: &Hub, change: impl FnOnce(&mut DeviceStatus)) {
    hub.update(DeviceClass::Camera, change);
}

fn state_for(e: &CameraError) -> DeviceState {
    match e.kind() {
        kind if kind.is_lost() => DeviceState::PowerOff,
        ErrorKind::PermissionDenied | ErrorKind::Unsupported => DeviceState::HardwareError,
        _ => DeviceState::Offline,
    }
}

fn code_for(e: &CameraError) -> &'static str {
    e.code()
}

impl CameraHandle {
    /// Takes a still; `process`: as a page (found, straightened, JPEG ≤ 300 KiB), else the
    /// frame as the camera sent it. Blocks until the camera's thread answers: call it from a
    /// blocking context (`spawn_blocking`).
    pub fn still(&self, process: bool) -> Result<Shot, DeviceError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.send(CameraRequest::Still { process, reply })?;
        answer.recv_timeout(CAPTURE_WAIT).map_err(|_| timeout())?
    }

    /// One preview frame as RGB (the health check). Blocking, like [`CameraHandle::still`].
    pub fn frame(&self) -> Result<RgbImage, DeviceError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.send(CameraRequest::PreviewFrame { reply })?;
        answer.recv_timeout(CAPTURE_WAIT).map_err(|_| timeout())?
    }
}

impl CameraHandle {
    /// Streams preview frames into `sink` until it is closed (the camera screen shows). Does
    /// not block. Without a camera fitted it answers `NotFitted`.
    pub fn start_preview(&self, sink: Arc<PreviewSink>) -> Result<(), DeviceError> {
        self.send(CameraRequest::Preview { sink })
    }

    /// Whether a camera is fitted (configured, or given photos).
    pub fn fitted(&self) -> bool {
        self.requests.is_some()
    }
}

fn timeout() -> DeviceError {
    DeviceError::Timeout {
        class: DeviceClass::Camera,
        seconds: CAPTURE_WAIT.as_secs(),
    }
}

impl DeviceManager {
    /// The document camera, to take stills and preview frames.
    pub fn camera(&self) -> CameraHandle {
        self.camera.clone()
    }
}

pub(crate) fn queue() -> (SyncSender<CameraRequest>, Receiver<CameraRequest>) {
    mpsc::sync_channel(QUEUE)
}
