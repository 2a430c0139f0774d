//! The V4L2 driver's errors without a camera: a missing node is "disconnected" (the device
//! manager waits for it), a node that is not a camera is a clear I/O error naming it. The
//! capture path itself needs a V4L2 device (vivid or a UVC gadget in the HIL guest).

use std::path::Path;

use kiosk_drivers::camera::{CameraError, DocumentCamera};
use kiosk_drivers::ErrorKind;

#[test]
fn a_missing_node_is_reported_as_disconnected() {
    let err =
        DocumentCamera::open(Path::new("/dev/video-kiosk-test-none")).expect_err("no such node");
    assert_eq!(err.kind(), ErrorKind::Disconnected, "{err}");
    assert!(
        err.to_string().contains("/dev/video-kiosk-test-none"),
        "{err}"
    );
}

#[test]
fn a_node_that_is_not_a_camera_is_named_in_the_error() {
    // /dev/null opens but answers no V4L2 ioctl (ENOTTY).
    let err = DocumentCamera::open(Path::new("/dev/null")).expect_err("not a camera");
    match &err {
        CameraError::Io { path, action, .. } => {
            assert_eq!(path, Path::new("/dev/null"));
            assert_eq!(*action, "query");
        }
        other => panic!("expected an I/O error, got {other:?}"),
    }
    assert_eq!(err.kind(), ErrorKind::Protocol);
    assert_eq!(err.code(), "io");
}
