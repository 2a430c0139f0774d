//! Materials photographed at the kiosk's document camera (高拍仪): for a material the catalog
//! marks `photographable`, the citizen takes its pages one by one (拍照, 重拍, 下一页, 完成);
//! the service takes each page with the camera and its page pipeline ([`Effect::TakePage`]),
//! then turns the pages into one PDF ([`Effect::AssembleMaterial`]); the material is then
//! handed in `scanned` with that PDF's SHA-256 and never listed as owed.
//!
//! Pages and PDFs are the citizen's documents: they live in memory for the session only, in
//! shared buffers wiped when the last holder drops them (the session ending drops the
//! transaction), and their `Debug` says only their size.

use std::fmt;
use std::sync::Arc;

use hall_api::application::MaterialSource;
use hall_api::attachment::{MAX_ATTACHMENT_BYTES, MAX_PAGE_BYTES};
use zeroize::Zeroizing;

use super::effect::Effect;
use super::event::UiInput;
use super::state::{RequestId, Session};

/// Bytes of a citizen's document, shared without copying and wiped when the last holder lets
/// go. Compared by content.
#[derive(Clone, PartialEq, Eq)]
pub struct DocBytes(Arc<Zeroizing<Vec<u8>>>);

impl DocBytes {
    /// Takes the bytes over.
    pub fn new(bytes: Vec<u8>) -> DocBytes {
        DocBytes(Arc::new(Zeroizing::new(bytes)))
    }

    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// How many bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A handle that does not keep the bytes alive: tests prove with it that the session let
    /// go of a document.
    pub fn watch(&self) -> std::sync::Weak<Zeroizing<Vec<u8>>> {
        Arc::downgrade(&self.0)
    }
}

impl fmt::Debug for DocBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0.len())
    }
}

#[cfg(test)]
impl serde::Serialize for DocBytes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0.len() as u64)
    }
}

/// One material photographed and made into a PDF, ready to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct ScannedDoc {
    /// The PDF.
    pub pdf: DocBytes,
    /// Its SHA-256, lower-case hex: the name the hall knows it by.
    pub sha256: String,
    /// Pages in it.
    pub pages: u32,
}

/// Why a page or a material could not be taken; the screen says it in Chinese.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub enum CaptureProblem {
    /// No sheet was found in the photo: lay the page flat inside the frame and take it again.
    NoSheet,
    /// The camera does not work now: hand the material in at the window or by mail.
    CameraUnavailable,
    /// The material's pages would be larger than the hall accepts for one material: finish
    /// it as it is, or hand the rest in at the window.
    TooManyPages,
    /// The pages could not be made into a PDF (a page the pipeline did not write).
    Unreadable,
}

impl CaptureProblem {
    /// What the citizen is told.
    pub fn text_zh(self) -> &'static str {
        match self {
            CaptureProblem::NoSheet => "未找到材料页面，请将材料平放在拍摄区内后重拍",
            CaptureProblem::CameraUnavailable => "高拍仪暂不可用，本材料请到窗口提交或邮寄",
            CaptureProblem::TooManyPages => "本材料页数已达上限，请点“完成”，其余页请到窗口提交",
            CaptureProblem::Unreadable => "材料页面处理失败，请重拍",
        }
    }

    /// The same in English.
    pub fn text_en(self) -> &'static str {
        match self {
            CaptureProblem::NoSheet => {
                "No page was found. Lay the page flat inside the frame and retake it."
            }
            CaptureProblem::CameraUnavailable => {
                "The camera is unavailable. Hand this material in at the counter or by post."
            }
            CaptureProblem::TooManyPages => {
                "This material has as many pages as it can take. Press Done; hand the rest in at the counter."
            }
            CaptureProblem::Unreadable => "The page could not be processed. Please retake it.",
        }
    }

    /// What the citizen is told, in `language`.
    pub fn text(self, language: kiosk_config::schema::Language) -> &'static str {
        match language {
            kiosk_config::schema::Language::ZhCn => self.text_zh(),
            kiosk_config::schema::Language::En => self.text_en(),
        }
    }
}

/// What the capture waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub enum CaptureWait {
    /// A page from the camera; `replace`: it replaces the last page (重拍).
    Page {
        /// The request.
        request: RequestId,
        /// Replaces the last page.
        replace: bool,
    },
    /// The PDF of the pages.
    Pdf(RequestId),
}

/// A material being photographed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct Capture {
    /// The material's code.
    pub code: String,
    /// The pages taken, in order (greyscale JPEGs).
    pub pages: Vec<DocBytes>,
    /// What the capture waits for.
    pub waiting: Option<CaptureWait>,
    /// What went wrong last, for the screen.
    pub problem: Option<CaptureProblem>,
}

impl Capture {
    fn bytes(&self) -> usize {
        self.pages.iter().map(DocBytes::len).sum()
    }
}

/// Most bytes of pages in one material: one PDF must stay within the hall's limit, with room
/// for the PDF's own structure.
pub const MAX_MATERIAL_PAGE_BYTES: u64 = MAX_ATTACHMENT_BYTES - 64 * 1024;

/// Materials screen touches about photographing; returns `false` when the input was not one.
pub(crate) fn input(s: &mut Session, input: &UiInput, fx: &mut Vec<Effect>) -> bool {
    let camera = s.devices.camera;
    let Some(t) = &mut s.transaction else {
        return false;
    };
    match input {
        UiInput::SetMaterialSource {
            code,
            source: MaterialSource::Scanned,
        } => {
            let Some(line) = t.materials.iter_mut().find(|l| &l.material.code == code) else {
                return true;
            };
            if !line.material.photographable
                || line.source == MaterialSource::IdCardRead
                || t.capture.as_ref().is_some_and(|c| c.waiting.is_some())
            {
                return true;
            }
            t.capture = Some(Capture {
                code: code.clone(),
                pages: Vec::new(),
                waiting: None,
                problem: (!camera).then_some(CaptureProblem::CameraUnavailable),
            });
            true
        }
        UiInput::TakePage | UiInput::RetakePage => {
            let request = s.next_request();
            let Some(c) = s.transaction.as_mut().and_then(|t| t.capture.as_mut()) else {
                return true;
            };
            if c.waiting.is_some() {
                return true;
            }
            let replace = *input == UiInput::RetakePage && !c.pages.is_empty();
            if !camera {
                c.problem = Some(CaptureProblem::CameraUnavailable);
                return true;
            }
            // Another page might not fit: the largest page the pipeline writes.
            if !replace && c.bytes() as u64 + MAX_PAGE_BYTES > MAX_MATERIAL_PAGE_BYTES {
                c.problem = Some(CaptureProblem::TooManyPages);
                return true;
            }
            c.problem = None;
            c.waiting = Some(CaptureWait::Page { request, replace });
            fx.push(Effect::TakePage { request });
            true
        }
        UiInput::FinishMaterial => {
            let request = s.next_request();
            let Some(c) = s.transaction.as_mut().and_then(|t| t.capture.as_mut()) else {
                return true;
            };
            if c.waiting.is_some() || c.pages.is_empty() {
                return true;
            }
            c.waiting = Some(CaptureWait::Pdf(request));
            fx.push(Effect::AssembleMaterial {
                request,
                code: c.code.clone(),
                pages: c.pages.clone(),
            });
            true
        }
        // 返回 while photographing: the pages taken are dropped, the material stays as it was.
        UiInput::Back if t.capture.is_some() => {
            t.capture = None;
            true
        }
        // Nothing else while the camera screen is up (完成 or 返回 first).
        _ => t.capture.is_some(),
    }
}

/// A page from the camera (or why none came).
pub(crate) fn page_taken(
    s: &mut Session,
    request: RequestId,
    result: Result<DocBytes, CaptureProblem>,
) {
    let Some(c) = s.transaction.as_mut().and_then(|t| t.capture.as_mut()) else {
        return;
    };
    let Some(CaptureWait::Page {
        request: waited,
        replace,
    }) = c.waiting
    else {
        return;
    };
    if waited != request {
        return;
    }
    c.waiting = None;
    match result {
        Ok(page) if page.len() as u64 > MAX_PAGE_BYTES || page.is_empty() => {
            c.problem = Some(CaptureProblem::Unreadable);
        }
        Ok(page) => {
            if replace {
                c.pages.pop();
            }
            c.pages.push(page);
            c.problem = None;
        }
        Err(problem) => c.problem = Some(problem),
    }
}

/// The material's PDF (or why none could be made): the material is handed in `scanned`.
pub(crate) fn assembled(
    s: &mut Session,
    request: RequestId,
    result: Result<ScannedDoc, CaptureProblem>,
) {
    let Some(t) = s.transaction.as_mut() else {
        return;
    };
    let Some(c) = t.capture.as_mut() else { return };
    if c.waiting != Some(CaptureWait::Pdf(request)) {
        return;
    }
    c.waiting = None;
    match result {
        Ok(doc) if doc.pdf.len() as u64 <= MAX_ATTACHMENT_BYTES && doc.pages > 0 => {
            let code = c.code.clone();
            t.capture = None;
            if let Some(line) = t.materials.iter_mut().find(|l| l.material.code == code) {
                line.scan = Some(doc);
                line.source = MaterialSource::Scanned;
            }
        }
        Ok(_) => c.problem = Some(CaptureProblem::TooManyPages),
        Err(problem) => c.problem = Some(problem),
    }
}
