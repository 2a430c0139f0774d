//! 办不成事 反映 and 代办 / 上门服务 (`feedback.slint`, with `message_form.slint`): a text and a
//! call-back contact.

use slint::ComponentHandle;

use super::{at, index_or_none, position, s};
use crate::generated as ui;

/// A box of a complaint or help request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageField {
    /// The complaint text or the help note.
    Text,
    /// Call-back name.
    Name,
    /// Call-back phone.
    Phone,
}

impl MessageField {
    /// The boxes in screen order.
    pub const ALL: [MessageField; 3] =
        [MessageField::Text, MessageField::Name, MessageField::Phone];

    /// Position on screen (the index `activate` reports).
    pub fn index(self) -> usize {
        position(&MessageField::ALL, &self)
    }

    /// The box at a screen position.
    pub fn from_index(index: i32) -> Option<MessageField> {
        at(&MessageField::ALL, index)
    }
}

/// A text with an optional call-back contact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageVm {
    /// The text.
    pub text: String,
    /// Its error.
    pub text_error: String,
    /// Call-back name.
    pub name: String,
    /// Call-back phone.
    pub phone: String,
    /// Its error.
    pub phone_error: String,
    /// The box the keyboard types into.
    pub active: Option<MessageField>,
}

/// The 办不成事 screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComplaintVm {
    /// The item it concerns ("" for none).
    pub item_name: String,
    /// What was typed.
    pub message: MessageVm,
}

/// The kind of help asked for (the one enum in `vocab`). On this screen: 代办 or 上门服务
/// (帮办 at the kiosk is `CallForHelp`, not a request).
pub use vocab::help::HelpKind;

/// The help-request screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpVm {
    /// What help.
    pub kind: HelpKind,
    /// The item it concerns ("" for none).
    pub item_name: String,
    /// What was typed (the contact is required).
    pub message: MessageVm,
}

impl Default for HelpVm {
    /// The screen opens on 代办.
    fn default() -> Self {
        HelpVm {
            kind: HelpKind::Proxy,
            item_name: String::new(),
            message: MessageVm::default(),
        }
    }
}

fn draft(m: &MessageVm, contact_required: bool) -> ui::MessageDraft {
    ui::MessageDraft {
        text: s(&m.text),
        text_error: s(&m.text_error),
        name: s(&m.name),
        phone: s(&m.phone),
        phone_error: s(&m.phone_error),
        active: index_or_none(m.active.map(MessageField::index)),
        contact_required,
    }
}

/// The 办不成事 screen.
pub fn apply_complaint(app: &ui::AppWindow, vm: &ComplaintVm) {
    let g = app.global::<ui::ComplaintAdapter<'_>>();
    g.set_item_name(s(&vm.item_name));
    g.set_draft(draft(&vm.message, false));
}

/// The help-request screen.
pub fn apply_help(app: &ui::AppWindow, vm: &HelpVm) {
    let g = app.global::<ui::HelpAdapter<'_>>();
    g.set_kind(vm.kind.into());
    g.set_item_name(s(&vm.item_name));
    g.set_draft(draft(&vm.message, true));
}

/// The Slint side of a help kind (the generated enum of `feedback.slint`, whose screen asks
/// for 代办 or 上门服务; 帮办 at the kiosk is a call for staff, never shown there).
impl From<HelpKind> for ui::HelpKind {
    fn from(kind: HelpKind) -> Self {
        match kind {
            HelpKind::HomeVisit => ui::HelpKind::HomeVisit,
            HelpKind::Proxy | HelpKind::Assistance => ui::HelpKind::Proxy,
        }
    }
}

/// The help kind a tap on the help screen chose.
impl From<ui::HelpKind> for HelpKind {
    fn from(kind: ui::HelpKind) -> Self {
        match kind {
            ui::HelpKind::Proxy => HelpKind::Proxy,
            ui::HelpKind::HomeVisit => HelpKind::HomeVisit,
        }
    }
}
