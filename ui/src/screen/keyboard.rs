//! The on-screen keyboard under any text box (`widgets/keyboard.slint`): which keys, and the
//! pinyin candidate bar.

use slint::ComponentHandle;

use super::{s, texts};
use crate::generated as ui;

/// Which keyboard is shown (pinyin, the default; numeric; ID number; Latin): the Slint enum of
/// `widgets/keyboard.slint`, re-exported.
pub use crate::generated::KeyboardMode;

/// The keyboard's candidate bar.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyboardVm {
    /// Which keys.
    pub mode: KeyboardMode,
    /// Pinyin typed so far.
    pub composition: String,
    /// One page of candidates.
    pub candidates: Vec<String>,
    /// More pages follow.
    pub more_candidates: bool,
}

impl KeyboardVm {
    /// Fills the candidate bar for the composition: page `page` (wrapped into range, and
    /// written back) of 6 candidates, or of 4 in elder mode's larger keys.
    pub fn show_candidates(&mut self, page: &mut usize, elder: bool) {
        let per = if elder { 4 } else { 6 };
        let all = crate::ime::PinyinIme.candidates_for(&self.composition);
        let pages = all.len().div_ceil(per).max(1);
        *page %= pages;
        self.more_candidates = all.len() > per;
        self.candidates = all.into_iter().skip(*page * per).take(per).collect();
    }
}

/// The keyboard's mode and candidate bar.
pub fn apply_keyboard(app: &ui::AppWindow, vm: &KeyboardVm) {
    let g = app.global::<ui::KeyboardAdapter<'_>>();
    g.set_mode(vm.mode);
    g.set_composition(s(&vm.composition));
    g.set_candidates(texts(&vm.candidates));
    g.set_more_candidates(vm.more_candidates);
}
