//! What can be touched on the screen now, and where: every visible button, text box, check
//! box, switch, list item, tab and combo box, with its accessible label and its box in
//! physical pixels (the pixels of the display, what a touch panel reports); and a tap at a
//! physical pixel, dispatched to the window as the touch driver would.
//!
//! For the technician (`kioskctl session targets`, `kioskctl session tap X Y`) and for the
//! hardware-in-the-loop test, which reads the targets inside the guest and touches their
//! centres through QEMU's emulated touch screen: the coordinates come from the layout the
//! kiosk really drew, never from a table kept by hand.
//!
//! Uses Slint's element API (`i-slint-backend-testing`'s search API), which walks the
//! item tree of any window, whatever the platform; it needs the element debug info that
//! `build.rs` compiles in.

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use slint::platform::{PointerEventButton, WindowEvent};
use slint::{ComponentHandle, LogicalPosition};

use crate::AppWindow;

/// One thing on the screen a finger can touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `button`, `text-input`, `checkbox`, `switch`, `combobox`, `list-item`, `tab`,
    /// `radio-button`, `slider` or `spinbox`.
    pub role: &'static str,
    /// Its accessible label (what it says, in the language on screen).
    pub label: String,
    /// Left edge, physical pixels.
    pub x: i32,
    /// Top edge, physical pixels.
    pub y: i32,
    /// Width, physical pixels.
    pub width: i32,
    /// Height, physical pixels.
    pub height: i32,
    /// Whether it takes touches now (a greyed-out button does not).
    pub enabled: bool,
    /// For check boxes and switches: ticked or not.
    pub checked: Option<bool>,
}

impl Target {
    /// The middle of its box, physical pixels: where to touch it.
    #[must_use]
    pub fn center(&self) -> (i32, i32) {
        (self.x + self.width / 2, self.y + self.height / 2)
    }
}

fn role_name(role: AccessibleRole) -> Option<&'static str> {
    Some(match role {
        AccessibleRole::Button => "button",
        AccessibleRole::TextInput => "text-input",
        AccessibleRole::Checkbox => "checkbox",
        AccessibleRole::Switch => "switch",
        AccessibleRole::Combobox => "combobox",
        AccessibleRole::ListItem => "list-item",
        AccessibleRole::Tab => "tab",
        AccessibleRole::RadioButton => "radio-button",
        AccessibleRole::Slider => "slider",
        AccessibleRole::Spinbox => "spinbox",
        _ => return None,
    })
}

/// Rounds a logical length to physical pixels.
fn physical(logical: f32, scale: f32) -> i32 {
    // Screen coordinates: far inside i32 for any display.
    #[allow(clippy::cast_possible_truncation)]
    let px = (logical * scale).round() as i32;
    px
}

/// Everything touchable on the window now, top to bottom, left to right. Elements wholly
/// outside the window (scrolled away, or overflowing it) and invisible or fully transparent
/// ones are left out; an element found twice (a component and its inner touch area with the
/// same label and box) is listed once.
#[must_use]
pub fn targets(app: &AppWindow) -> Vec<Target> {
    let scale = app.window().scale_factor();
    let size = app.window().size();
    let (screen_w, screen_h) = (
        i32::try_from(size.width).unwrap_or(i32::MAX),
        i32::try_from(size.height).unwrap_or(i32::MAX),
    );
    let mut found: Vec<Target> = ElementQuery::from_root(app)
        .match_descendants()
        .match_predicate(|e: &ElementHandle| e.accessible_role().and_then(role_name).is_some())
        .find_all()
        .into_iter()
        .filter(|e| e.computed_opacity() > 0.0)
        .filter_map(|e| {
            let role = e.accessible_role().and_then(role_name)?;
            let (at, size) = (e.absolute_position(), e.size());
            let t = Target {
                role,
                label: e
                    .accessible_label()
                    .map(|l| l.to_string())
                    .unwrap_or_default(),
                x: physical(at.x, scale),
                y: physical(at.y, scale),
                width: physical(size.width, scale),
                height: physical(size.height, scale),
                enabled: e.accessible_enabled().unwrap_or(true),
                checked: e
                    .accessible_checkable()
                    .unwrap_or(false)
                    .then(|| e.accessible_checked().unwrap_or(false)),
            };
            let on_screen = t.width > 0
                && t.height > 0
                && t.x < screen_w
                && t.y < screen_h
                && t.x + t.width > 0
                && t.y + t.height > 0;
            on_screen.then_some(t)
        })
        .collect();
    found.sort_by_key(|t| (t.y, t.x, t.label.clone()));
    found.dedup();
    found
}

/// The first enabled target whose label is `label` (exactly), or failing that the first
/// whose label contains it.
#[must_use]
pub fn find<'a>(targets: &'a [Target], label: &str) -> Option<&'a Target> {
    let enabled = || targets.iter().filter(|t| t.enabled);
    enabled()
        .find(|t| t.label == label)
        .or_else(|| enabled().find(|t| t.label.contains(label)))
}

/// A finger down and up at (`x`, `y`), physical pixels, as the touch driver reports it:
/// Slint's hit-testing decides what it touches, as it would for the citizen's finger.
pub fn tap(app: &AppWindow, x: i32, y: i32) {
    let scale = app.window().scale_factor();
    // Screen coordinates are small: exact in f32.
    #[allow(clippy::cast_precision_loss)]
    let position = LogicalPosition::new(x as f32 / scale, y as f32 / scale);
    let window = app.window();
    window.dispatch_event(WindowEvent::PointerMoved { position });
    window.dispatch_event(WindowEvent::PointerPressed {
        position,
        button: PointerEventButton::Left,
    });
    window.dispatch_event(WindowEvent::PointerReleased {
        position,
        button: PointerEventButton::Left,
    });
    window.dispatch_event(WindowEvent::PointerExited);
}
