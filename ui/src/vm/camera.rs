//! View model of the camera screen (高拍仪): a material photographed page by page, and the
//! pictures it shows (the live preview and the pages' thumbnails) as plain RGB.

/// What the camera screen is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CameraBusy {
    /// Nothing: the buttons work.
    #[default]
    None,
    /// A page from the camera and its page pipeline.
    Page,
    /// The material's PDF.
    Pdf,
}

/// The camera screen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CameraVm {
    /// The material photographed, in the screen's language.
    pub material_name: String,
    /// Pages taken so far.
    pub pages: usize,
    /// What went wrong last, in the screen's language ("" when nothing did).
    pub problem: String,
    /// What the screen waits for.
    pub busy: CameraBusy,
    /// The camera is usable (拍照, 重拍 and 下一页 can work).
    pub camera_ok: bool,
}

/// An RGB picture (8 bits a channel, rows top to bottom) to show: a preview frame or a page's
/// thumbnail. It may show a citizen's document: its `Debug` gives only the size.
#[derive(Clone, PartialEq, Eq)]
pub struct Picture {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// `width × height × 3` bytes.
    pub rgb: Vec<u8>,
}

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Picture({}×{})", self.width, self.height)
    }
}

impl Picture {
    /// Whether `rgb` holds exactly `width × height` pixels.
    pub fn is_whole(&self) -> bool {
        u64::from(self.width) * u64::from(self.height) * 3 == self.rgb.len() as u64
    }
}
