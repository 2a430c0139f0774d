//! The transition function: routes each event to the flow it belongs to, handles what works
//! from every screen (home, back, elder mode, language, help, the idle countdown), and adds
//! the spoken prompt in elder mode whenever what the screen says changes.

use super::effect::{Effect, EndReason};
use super::event::{Event, UiInput};
use super::screens::{ComplaintDraft, Screen};
use super::state::{HelpAck, Notice, Session};
use super::{
    appointment, capture, choose, form, help, identify, idle, prints, progress, prompts, rating,
    submit,
};
use hall_api::feedback::{CreateHelpRequest, HelpKind};

/// One step of the citizen session: the next state and the effects the service must carry
/// out, in order. Pure: no I/O, no clock, no randomness.
pub fn step(state: &Session, event: Event) -> (Session, Vec<Effect>) {
    let mut s = state.clone();
    let mut fx = Vec::new();
    let before_prompt = prompts::prompt(&s);
    let before_notice = s.notice;
    let was_speaking = s.voice;
    apply(&mut s, event, &mut fx);
    if s.voice {
        let now_prompt = prompts::prompt(&s);
        if now_prompt != before_prompt || !was_speaking {
            fx.push(Effect::Speak(now_prompt));
        }
        if let Some(notice) = s.notice.filter(|n| Some(*n) != before_notice) {
            fx.push(Effect::Speak(
                prompts::notice(notice, s.language).to_owned(),
            ));
        }
    }
    (s, fx)
}

fn apply(s: &mut Session, event: Event, fx: &mut Vec<Effect>) {
    match event {
        Event::Tick(now) => {
            s.now = now;
            idle::tick(s, fx);
        }
        Event::Ui(input) => {
            let cancelled_countdown = s.idle.countdown_until.is_some();
            idle::touched(s);
            // While the countdown covers the screen, a touch only cancels it (it was aimed
            // at "continue"), except 返回首页 and 一键求助, which the overlay also offers.
            if cancelled_countdown && !matches!(input, UiInput::Home | UiInput::CallForHelp) {
                return;
            }
            // Any touch closes the notice (知道了 only closes it).
            s.notice = None;
            ui(s, input, fx);
        }
        Event::CatalogLoaded { catalog, most_used } => {
            s.catalog = Some(catalog);
            s.most_used = most_used;
            refresh_resting(s);
        }
        Event::DeviceChanged { device, available } => {
            s.devices.set(device, available);
            if device == kiosk_drivers::status::DeviceClass::Camera && !available {
                if let Some(c) = s.transaction.as_mut().and_then(|t| t.capture.as_mut()) {
                    c.problem = Some(super::capture::CaptureProblem::CameraUnavailable);
                }
            }
            refresh_resting(s);
        }
        Event::CardRead(citizen) => {
            idle::touched(s);
            identify::card_read(s, citizen, fx);
        }
        Event::CardReadFailed(kind) => {
            idle::touched(s);
            s.notice = Some(prompts::card_read_notice(kind));
        }
        // Taking the card back is not a reset: the citizen keeps the data read for this
        // session and may go on; the idle timeout or 返回首页 ends it.
        Event::CardRemoved => {}
        Event::Scanned(code) => {
            idle::touched(s);
            identify::scanned(s, &code, fx);
        }
        Event::PrintFailed => s.notice = Some(Notice::PrintFailed),
        Event::ReusableMaterialsFetched { request, result } => {
            form::reusable_fetched(s, request, result);
        }
        Event::KnownContactFetched { request, result } => {
            form::contact_fetched(s, request, result);
        }
        Event::SubmitResult { key, outcome } => submit::result(s, &key, outcome, fx),
        Event::HelpAnswered { key, notified } => help::answered(s, &key, notified),
        Event::ProgressFetched { request, result } => progress::fetched(s, request, result),
        Event::SlotsFetched { request, result } => appointment::slots_fetched(s, request, result),
        Event::BookResult { key, outcome } => appointment::book_result(s, &key, outcome, fx),
        Event::PageTaken { request, result } => capture::page_taken(s, request, result),
        Event::MaterialAssembled { request, result } => capture::assembled(s, request, result),
        Event::PrintableFetched { request, result } => prints::fetched(s, request, result),
        Event::ResultDocumentPrinted { request, outcome } => {
            prints::printed(s, request, outcome);
        }
        Event::AppointmentFetched { request, result } => {
            appointment::appointment_fetched(s, request, result);
        }
    }
}

fn ui(s: &mut Session, input: UiInput, fx: &mut Vec<Effect>) {
    match input {
        UiInput::Home => return go_home(s, EndReason::Cancelled, fx),
        UiInput::ToggleElderMode => {
            if s.config.elder_mode_offered {
                s.elder_mode = !s.elder_mode;
                // Elder mode speaks (适老化); leaving it falls silent. The 语音 button can
                // change either afterwards.
                s.voice = s.elder_mode;
            }
            return;
        }
        UiInput::ToggleVoice => {
            s.voice = !s.voice;
            return;
        }
        UiInput::ToggleReachMode => {
            s.reach = !s.reach;
            return;
        }
        UiInput::SetLanguage(language) => {
            s.language = language;
            return;
        }
        UiInput::CallForHelp => return call_for_help(s, fx),
        UiInput::StillHere | UiInput::DismissNotice => return,
        UiInput::OpenComplaint if !matches!(s.screen, Screen::Submitting) => {
            s.screen = Screen::Complaint(ComplaintDraft {
                item_code: s
                    .transaction
                    .as_ref()
                    .and_then(|t| t.first_item())
                    .map(str::to_owned),
                ..ComplaintDraft::default()
            });
            return;
        }
        _ => {}
    }
    match &s.screen {
        Screen::Home => home(s, input, fx),
        Screen::OutOfService { .. } => {}
        Screen::Identify => identify::input(s, input, fx),
        Screen::Choose(_) | Screen::Guide => choose::input(s, input, fx),
        Screen::Form | Screen::Materials | Screen::Delivery => form::input(s, input, fx),
        Screen::Review | Screen::Submitting | Screen::Receipt => submit::input(s, input, fx),
        Screen::Rating(_) => rating::input(s, input, fx),
        Screen::Progress(_) => progress::input(s, input, fx),
        Screen::Appointment(_) => appointment::input(s, input, fx),
        Screen::Complaint(_) | Screen::Help(_) => help::input(s, input, fx),
        Screen::Prints(_) => prints::input(s, input, fx),
        Screen::Farewell { .. } => go_home(s, EndReason::Completed, fx),
    }
}

fn home(s: &mut Session, input: UiInput, fx: &mut Vec<Effect>) {
    match input {
        UiInput::StartApplying => identify::open(s),
        UiInput::Browse => choose::open(s),
        UiInput::OpenProgress => progress::open(s, fx),
        UiInput::OpenAppointment => appointment::open(s, None, fx),
        UiInput::OpenHelpRequest(kind) => help::open(s, kind),
        UiInput::OpenPrints => prints::open(s, fx),
        _ => {}
    }
}

/// 一键求助: staff are called once per session; works on every screen, even out of service.
fn call_for_help(s: &mut Session, fx: &mut Vec<Effect>) {
    s.notice = Some(Notice::HelpCalled);
    if s.help_called {
        return;
    }
    s.help_called = true;
    s.help_ack = HelpAck::Waiting;
    let idempotency_key = s.next_key();
    s.help_waiting.push(idempotency_key.clone());
    fx.push(Effect::SubmitHelpRequest {
        idempotency_key,
        payload: CreateHelpRequest {
            kind: HelpKind::Assistance,
            item_code: s
                .transaction
                .as_ref()
                .and_then(|t| t.first_item())
                .map(str::to_owned),
            note: None,
            contact: None,
        },
    });
}

/// Ends the session: back to the resting screen with every personal datum dropped (the
/// holders zeroize on drop), language, elder and reach mode back to their defaults.
pub(crate) fn go_home(s: &mut Session, reason: EndReason, fx: &mut Vec<Effect>) {
    let had_session = s.holds_personal_data()
        || !matches!(s.screen, Screen::Home | Screen::OutOfService { .. })
        || s.help_called;
    s.citizen = None;
    s.transaction = None;
    s.notice = None;
    s.help_called = false;
    s.help_ack = HelpAck::Waiting;
    s.help_waiting.clear();
    s.elder_mode = false;
    s.voice = false;
    s.reach = s.config.reach_mode;
    s.language = s.config.language;
    s.idle.countdown_until = None;
    s.screen = s.resting_screen();
    if had_session {
        fx.push(Effect::WipePersonalData);
        fx.push(Effect::SessionEnded(reason));
    }
}

/// Home and out-of-service follow the devices; a session in progress is left alone (it
/// adapts: no printer shows the receipt on screen).
fn refresh_resting(s: &mut Session) {
    if matches!(s.screen, Screen::Home | Screen::OutOfService { .. }) {
        s.screen = s.resting_screen();
    }
}
