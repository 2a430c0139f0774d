//! Preview navigation: wires every screen's callbacks to a small in-memory flow over the preview
//! data, so the UI can be used and tested end to end before the kiosk's session machine exists.
//! The kiosk replaces this with its own wiring (session events in, view models out); nothing
//! here talks to a device or the network.

mod input;
pub mod journey;
pub mod pin;
mod services;
pub mod validate;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use slint::{ComponentHandle, Timer, TimerMode};

use crate::adapters;
use crate::generated as ui;
use crate::preview;
use crate::vm::{self, Language, ScreenId};

/// Seconds without a touch before the idle countdown appears.
pub const IDLE_AFTER_SECS: u32 = 60;
/// Length of the idle countdown, in seconds.
pub const COUNTDOWN_SECS: u32 = 30;
/// Taps on the hall name that open the maintenance PIN.
pub const HIDDEN_TAPS: u32 = 5;
/// The preview's maintenance PIN.
pub const PREVIEW_PIN: &str = "246810";

/// The preview flow's state.
#[derive(Debug)]
pub struct FlowState {
    /// Elder mode.
    pub elder: bool,
    /// Seconds since start (advanced by the one-second timer).
    pub clock: u64,
    /// Seconds since the last touch.
    pub quiet: u32,
    /// Idle countdown seconds left, while shown.
    pub countdown: Option<u32>,
    /// Taps on the hidden maintenance entry.
    pub hidden_taps: u32,
    /// The item being applied for.
    pub item_name: String,
    /// The browsing screen.
    pub browse: vm::BrowseVm,
    /// The form.
    pub form: vm::FormVm,
    /// The keyboard.
    pub keyboard: vm::KeyboardVm,
    /// Page of candidates shown.
    pub candidate_page: usize,
    /// The rating.
    pub rating: vm::RatingVm,
    /// The receipt.
    pub receipt: vm::ReceiptVm,
    /// The maintenance PIN pad.
    pub pin: pin::PinPad,
    /// Messages shown on the PIN screen.
    pub pin_message: String,
    /// The materials handed in.
    pub hand_in: vm::MaterialsVm,
    /// Delivery and the mailing address.
    pub delivery: vm::DeliveryVm,
    /// The booking.
    pub appointment: vm::AppointmentVm,
    /// The 办不成事 complaint.
    pub complaint: vm::ComplaintVm,
    /// The help request.
    pub help: vm::HelpVm,
    /// The notice over the screen.
    pub notice: Option<vm::NoticeKind>,
    /// Staff were called in this session.
    pub help_called: bool,
    /// The preview pretends the hall is unreachable: submissions are queued.
    pub network_down: bool,
}

impl FlowState {
    fn new() -> Self {
        FlowState {
            elder: false,
            clock: 0,
            quiet: 0,
            countdown: None,
            hidden_taps: 0,
            item_name: String::new(),
            browse: preview::browse(6),
            form: preview::form(),
            keyboard: vm::KeyboardVm::default(),
            candidate_page: 0,
            rating: vm::RatingVm::default(),
            receipt: preview::receipt(),
            pin: pin::PinPad::new(PREVIEW_PIN),
            pin_message: String::new(),
            hand_in: preview::hand_in(),
            delivery: vm::DeliveryVm {
                address: vm::AddressVm::default(),
                errors: Vec::new(),
                ..preview::delivery()
            },
            appointment: vm::AppointmentVm::default(),
            complaint: vm::ComplaintVm::default(),
            help: vm::HelpVm::default(),
            notice: None,
            help_called: false,
            network_down: false,
        }
    }

    fn rows(&self) -> usize {
        if self.elder {
            3
        } else {
            6
        }
    }
}

/// The preview flow attached to a window. Keep it alive as long as the window.
pub struct PreviewFlow {
    state: Rc<RefCell<FlowState>>,
    _tick: Timer,
}

impl std::fmt::Debug for PreviewFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreviewFlow")
            .field("state", &self.state)
            .finish()
    }
}

impl PreviewFlow {
    /// A snapshot of the state, for tests.
    pub fn with_state<R>(&self, f: impl FnOnce(&FlowState) -> R) -> R {
        f(&self.state.borrow())
    }

    /// The preview's stand-in for the card reader: a card was read. On the identify screen it
    /// goes on to choosing an item, as the session machine does.
    pub fn card_placed(&self, app: &ui::AppWindow) {
        let Ok(mut st) = self.state.try_borrow_mut() else {
            return;
        };
        st.quiet = 0;
        st.delivery.address.recipient = "张三丰".into();
        if adapters::current_screen(app) == ScreenId::Identify {
            go(app, ScreenId::Browse);
        }
    }

    /// Makes the preview's hall unreachable (true) or reachable: submissions are queued.
    pub fn set_network_down(&self, down: bool) {
        if let Ok(mut st) = self.state.try_borrow_mut() {
            st.network_down = down;
        }
    }

    /// Shows a notice over the current screen, as the session machine does after an event.
    pub fn show_notice(&self, app: &ui::AppWindow, notice: vm::NoticeKind) {
        if let Ok(mut st) = self.state.try_borrow_mut() {
            st.notice = Some(notice);
            adapters::apply_notice(app, st.notice);
        }
    }
}

type Shared = Rc<RefCell<FlowState>>;

/// Calls `f` with the window and the state; every callback counts as a touch (resets idle).
fn handler<A: 'static>(
    app: &ui::AppWindow,
    state: &Shared,
    f: impl Fn(&ui::AppWindow, &mut FlowState, A) + 'static,
) -> impl Fn(A) + 'static {
    let weak = app.as_weak();
    let state = state.clone();
    move |arg| {
        let Some(app) = weak.upgrade() else { return };
        let Ok(mut st) = state.try_borrow_mut() else {
            return;
        };
        st.quiet = 0;
        if st.countdown.take().is_some() {
            adapters::apply_idle(&app, None);
        }
        // A notice shows until the next touch.
        if st.notice.take().is_some() {
            adapters::apply_notice(&app, None);
        }
        f(&app, &mut st, arg);
    }
}

/// [`handler`] for callbacks without arguments.
fn handler0(
    app: &ui::AppWindow,
    state: &Shared,
    f: impl Fn(&ui::AppWindow, &mut FlowState) + 'static,
) -> impl Fn() + 'static {
    let h = handler(app, state, move |app, st, ()| f(app, st));
    move || h(())
}

/// Shows `screen` with its voice caption.
pub fn go(app: &ui::AppWindow, screen: ScreenId) {
    adapters::show_screen(app, screen);
}

/// Back to the home screen, forgetting everything of the session.
fn go_home(app: &ui::AppWindow, st: &mut FlowState) {
    let fresh = FlowState {
        elder: st.elder,
        clock: st.clock,
        // The PIN lockout outlives the session, or going home would reset it.
        pin: std::mem::replace(&mut st.pin, pin::PinPad::new(PREVIEW_PIN)),
        ..FlowState::new()
    };
    *st = fresh;
    st.pin.clear();
    st.browse = preview::browse(st.rows());
    adapters::apply_idle(app, None);
    adapters::apply_notice(app, None);
    adapters::set_help_call(app, crate::vm::HelpCall::None);
    adapters::apply_browse(app, &st.browse);
    adapters::apply_form(app, &st.form);
    go(app, ScreenId::Home);
}

/// Wires every callback of `app` and starts the one-second idle timer.
pub fn connect(app: &ui::AppWindow) -> PreviewFlow {
    let state: Shared = Rc::new(RefCell::new(FlowState::new()));
    {
        let st = state.borrow();
        adapters::apply_browse(app, &st.browse);
        adapters::apply_guide(app, &preview::guide());
        adapters::apply_identify(app, &preview::identify());
        adapters::apply_notice(app, None);
        adapters::apply_form(app, &st.form);
        adapters::apply_review(app, &preview::review());
        adapters::apply_receipt(app, &st.receipt);
        adapters::apply_progress(app, &preview::progress());
        let (problems, since) = preview::out_of_service();
        adapters::apply_out_of_service(app, &problems, &since);
        adapters::apply_maintenance(app, &preview::maintenance());
        adapters::apply_idle(app, None);
    }
    // A failure here leaves the locale's language; the screen still works.
    let _ = crate::language::set_language(app, Language::ZhCn);
    adapters::apply_shell(app, &preview::shell());
    go(app, ScreenId::Home);

    let shell = app.global::<ui::Shell<'_>>();
    shell.on_home(handler0(app, &state, go_home));
    shell.on_toggle_elder(handler0(app, &state, |app, st| {
        st.elder = !st.elder;
        adapters::set_elder(app, st.elder);
        let query = st.browse.query.clone();
        let searching = st.browse.searching;
        st.browse = preview::browse(st.rows());
        st.browse.query = query;
        st.browse.searching = searching;
        adapters::apply_browse(app, &st.browse);
    }));
    // The demo has no loudspeaker: the button shows its state only.
    shell.on_toggle_voice(handler0(app, &state, |app, _st| {
        let on = app.global::<ui::Shell<'_>>().get_voice();
        adapters::set_voice(app, !on);
    }));
    shell.on_toggle_language(handler0(app, &state, |app, _st| {
        let next = match crate::language::current_language(app) {
            Language::ZhCn => Language::En,
            Language::En => Language::ZhCn,
        };
        let _ = crate::language::set_language(app, next);
    }));
    shell.on_hidden_tap(handler0(app, &state, |app, st| {
        st.hidden_taps += 1;
        if st.hidden_taps >= HIDDEN_TAPS {
            st.hidden_taps = 0;
            st.pin.clear();
            st.pin_message.clear();
            show_pin(app, st);
            go(app, ScreenId::MaintenancePin);
        }
    }));

    let home = app.global::<ui::HomeAdapter<'_>>();
    home.on_start_service(handler0(app, &state, |app, _st| {
        go(app, ScreenId::Identify)
    }));
    home.on_check_progress(handler0(app, &state, |app, _st| {
        go(app, ScreenId::Progress)
    }));
    home.on_rate(handler0(app, &state, |app, st| {
        st.rating = vm::RatingVm::default();
        show_rating(app, st);
        go(app, ScreenId::Rating);
    }));

    // Any callback counts as a touch and closes the countdown; "继续办理" needs nothing more.
    app.global::<ui::IdleAdapter<'_>>()
        .on_keep_going(handler0(app, &state, |_app, _st| {}));

    input::connect(app, &state);
    pages::connect(app, &state);
    journey::connect(app, &state);
    services::connect(app, &state);

    let tick = Timer::default();
    let weak = app.as_weak();
    let st = state.clone();
    tick.start(TimerMode::Repeated, Duration::from_secs(1), move || {
        let Some(app) = weak.upgrade() else { return };
        let Ok(mut st) = st.try_borrow_mut() else {
            return;
        };
        st.clock += 1;
        st.quiet = st.quiet.saturating_add(1);
        let at_home = adapters::current_screen(&app) == ScreenId::Home;
        match st.countdown {
            Some(0) | Some(1) => go_home(&app, &mut st),
            Some(n) => {
                st.countdown = Some(n - 1);
                adapters::apply_idle(&app, st.countdown);
            }
            None if !at_home && st.quiet >= IDLE_AFTER_SECS => {
                st.countdown = Some(COUNTDOWN_SECS);
                adapters::apply_idle(&app, st.countdown);
            }
            None => {}
        }
        if adapters::current_screen(&app) == ScreenId::MaintenancePin {
            show_pin(&app, &st);
        }
    });
    PreviewFlow { state, _tick: tick }
}

fn show_rating(app: &ui::AppWindow, st: &FlowState) {
    adapters::apply_rating(app, &st.rating);
}

fn show_pin(app: &ui::AppWindow, st: &FlowState) {
    let locked = st.pin.locked(st.clock);
    let message = match locked {
        Some(secs) => format!("请 {} 分钟后再试", secs.div_ceil(60)),
        None => st.pin_message.clone(),
    };
    adapters::apply_pin(
        app,
        &vm::PinVm {
            entered: st.pin.entered(),
            length: st.pin.length(),
            // The demo checks its fixed-length PIN as soon as it is complete.
            min_length: st.pin.length(),
            message,
            locked: locked.is_some(),
        },
    );
}

mod pages;
