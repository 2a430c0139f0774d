//! One module per screen of `ui/views/*.slint`, each holding that screen's view model (plain
//! Rust structs the kiosk's session fills in, knowing nothing of Slint) and its adapter (how the
//! view model is put onto the screen's adapter global: pure mapping, no logic). Strings arrive
//! ready to show: names and ID numbers already masked by the caller where needed. Each adapter
//! global's doc comments in `ui/views/*.slint` name the `UiInput` each callback stands for; the
//! kiosk's `display::screen` has the same modules, with the mapping from the session and the
//! callbacks.
//!
//! Where a screen's enum is the Slint one (`NoticeKind`, `BrowseTab`…), it is re-exported here
//! rather than mirrored. What several screens share is here: [`shell`] (which screen, the
//! header, elder / reach / voice), [`keyboard`] (the on-screen keyboard under any text box),
//! and pages of a list ([`Paging`]).

pub mod appointment;
pub mod browse;
pub mod camera;
pub mod delivery;
pub mod farewell;
pub mod feedback;
pub mod form;
pub mod guide;
pub mod handin;
pub mod home;
pub mod identify;
pub mod idle;
pub mod keyboard;
pub mod maintenance;
pub mod notice;
pub mod out_of_service;
pub mod prints;
pub mod progress;
pub mod rating;
pub mod receipt;
pub mod review;
pub mod shell;
pub mod submitting;

pub use shell::ScreenId;

use slint::{ModelRc, SharedString, VecModel};

fn s(text: &str) -> SharedString {
    SharedString::from(text)
}

fn model<T: Clone + 'static>(rows: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(rows))
}

/// Texts as a list of strings.
fn texts(list: &[String]) -> ModelRc<SharedString> {
    model(list.iter().map(|t| s(t)).collect())
}

/// Label and value pairs as rows of a screen's pair struct (`FactRow`, `ReviewRow`…).
fn pairs<T: Clone + 'static>(
    list: &[(String, String)],
    row: impl Fn(SharedString, SharedString) -> T,
) -> ModelRc<T> {
    model(list.iter().map(|(l, v)| row(s(l), s(v))).collect())
}

/// The position of `item` in `all` (0 if absent, which an `ALL` list of every value rules
/// out).
fn position<T: PartialEq>(all: &[T], item: &T) -> usize {
    all.iter().position(|x| x == item).unwrap_or_default()
}

/// The value at a screen position (what an `activate` callback reports), if any.
fn at<T: Copy>(all: &[T], index: i32) -> Option<T> {
    usize::try_from(index)
        .ok()
        .and_then(|i| all.get(i).copied())
}

fn page_text(page: usize, pages: usize) -> SharedString {
    s(&format!("{} / {}", page + 1, pages.max(1)))
}

/// A box's position on screen as the adapters take it (`-1`: none).
fn index_or_none(active: Option<usize>) -> i32 {
    active.and_then(|i| i32::try_from(i).ok()).unwrap_or(-1)
}

/// Which page of a list is shown, where the list is paged (reach mode, 轮椅模式: a long list
/// would put its first rows above what a seated citizen can reach).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Paging {
    /// Zero-based page shown.
    pub page: usize,
    /// Number of pages; 0 or 1: not paged (no 上一页/下一页).
    pub pages: usize,
    /// Index in the whole list of the first row shown.
    pub first: usize,
}

impl Paging {
    /// Keeps page `page` (clamped) of `rows` rows of `list` and says which it is; `rows` 0
    /// keeps the whole list.
    pub fn cut<T>(list: &mut Vec<T>, page: usize, rows: usize) -> Paging {
        if rows == 0 || list.len() <= rows {
            return Paging::default();
        }
        let pages = list.len().div_ceil(rows);
        let page = page.min(pages - 1);
        let first = page * rows;
        list.truncate(first + rows);
        list.drain(..first);
        Paging { page, pages, first }
    }

    /// More than one page.
    pub fn paged(&self) -> bool {
        self.pages > 1
    }

    /// Hands the page text and whether there is a previous and a next page to `set`.
    fn apply(&self, set: impl FnOnce(SharedString, bool, bool)) {
        if self.paged() {
            set(
                page_text(self.page, self.pages),
                self.page > 0,
                self.page + 1 < self.pages,
            );
        } else {
            set(SharedString::new(), false, false);
        }
    }
}
