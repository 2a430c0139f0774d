//! One module per screen of `ui/ui/views/*.slint`: that screen's view model from the session
//! (`view`, pure: personal data masked wherever the citizen need not check it) and its
//! callbacks (`connect`: each touch becomes one `UiInput`, or moves the screen's own state
//! such as a page or the keyboard). Shared wording helpers are in [`super::map`]; the
//! maintenance PIN pad and screen are [`super::technician`], the on-screen keyboard is
//! `super::keyboard`.
//!
//! Text a citizen is typing is shown as typed (they must see it); `Typing` carries the box
//! being typed into and its text, which replaces the session's copy while the keyboard is
//! open.

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
pub mod notice;
pub mod out_of_service;
pub mod prints;
pub mod progress;
pub mod rating;
pub mod receipt;
pub mod review;
pub mod submitting;

use kiosk_ui::screen::feedback::MessageField;
use kiosk_ui::screen::keyboard::{KeyboardMode, KeyboardVm};
use std::rc::Rc;

use super::frontend::{Frontend, Target};
use crate::session::screens::Screen;
use crate::session::{Session, TextField, UiInput};

/// The box being typed into, and its text.
pub type Typing<'a> = Option<(TextField, &'a str)>;

fn shown(typing: Typing<'_>, field: TextField, stored: &str) -> String {
    match typing {
        Some((f, text)) if f == field => text.to_owned(),
        _ => stored.to_owned(),
    }
}

/// The session's current text of a box.
fn stored(s: &Session, field: TextField) -> String {
    let text = match (&s.screen, field) {
        (Screen::Delivery, _) => s.transaction.as_ref().map(|t| match field {
            TextField::Recipient => t.address.recipient.as_str(),
            TextField::RecipientPhone => t.address.phone.as_str(),
            TextField::Region => t.address.region.as_str(),
            TextField::AddressDetail => t.address.detail.as_str(),
            _ => "",
        }),
        (Screen::Appointment(v), TextField::ContactName) => Some(v.name.as_str()),
        (Screen::Appointment(v), TextField::ContactPhone) => Some(v.phone.as_str()),
        (Screen::Complaint(d), TextField::Comment) => Some(d.text.as_str()),
        (Screen::Complaint(d), TextField::ContactName) => Some(d.contact.name.as_str()),
        (Screen::Complaint(d), TextField::ContactPhone) => Some(d.contact.phone.as_str()),
        (Screen::Help(d), TextField::Comment) => Some(d.note.as_str()),
        (Screen::Help(d), TextField::ContactName) => Some(d.contact.name.as_str()),
        (Screen::Help(d), TextField::ContactPhone) => Some(d.contact.phone.as_str()),
        _ => None,
    };
    text.unwrap_or_default().to_owned()
}

/// Opens the keyboard on a text box.
fn open_box(f: &Frontend, field: TextField) {
    let text = stored(&f.current.borrow(), field);
    let mode = match field {
        TextField::RecipientPhone | TextField::ContactPhone => KeyboardMode::Numeric,
        _ => KeyboardMode::Pinyin,
    };
    {
        let mut local = f.local.borrow_mut();
        local.editing = Some((Target::Text(field), text));
        local.keyboard = KeyboardVm {
            mode,
            ..Default::default()
        };
    }
    f.press(UiInput::StillHere);
    f.redraw();
}

/// The session's text field of a complaint's or help request's box (the one table between
/// the two).
impl From<MessageField> for TextField {
    fn from(field: MessageField) -> Self {
        match field {
            MessageField::Text => TextField::Comment,
            MessageField::Name => TextField::ContactName,
            MessageField::Phone => TextField::ContactPhone,
        }
    }
}

/// The text field of the box at a screen position of a complaint or help request.
fn message_box(index: i32) -> Option<TextField> {
    MessageField::from_index(index).map(TextField::from)
}

/// Wires the callbacks of every screen.
pub(super) fn connect(f: &Rc<Frontend>) {
    appointment::connect(f);
    browse::connect(f);
    camera::connect(f);
    delivery::connect(f);
    farewell::connect(f);
    form::connect(f);
    guide::connect(f);
    handin::connect(f);
    home::connect(f);
    identify::connect(f);
    idle::connect(f);
    feedback::connect(f);
    notice::connect(f);
    out_of_service::connect(f);
    prints::connect(f);
    progress::connect(f);
    rating::connect(f);
    receipt::connect(f);
    review::connect(f);
}
