//! The idle watch: after `idle_timeout` without input a countdown of `countdown` starts; a
//! touch cancels it; when it runs out the session ends and its personal data is wiped.
//! Closing screens (farewell) go home by themselves when their time is up.

use super::effect::{Effect, EndReason};
use super::screens::Screen;
use super::state::Session;
use super::step::go_home;

/// Input happened now: the idle clock restarts and any countdown is cancelled.
pub(crate) fn touched(s: &mut Session) {
    s.idle.last_input = s.now.mono;
    s.idle.countdown_until = None;
}

/// The clock moved: start, or finish, the countdown.
pub(crate) fn tick(s: &mut Session, fx: &mut Vec<Effect>) {
    let now = s.now.mono;
    if let Screen::Farewell { until, .. } = s.screen {
        if now >= until {
            go_home(s, EndReason::Completed, fx);
        }
        return;
    }
    let resting = matches!(s.screen, Screen::Home | Screen::OutOfService { .. });
    let idle_for = now.saturating_sub(s.idle.last_input);
    if resting && !s.holds_personal_data() {
        // Nothing to count down for; only the display settings go back to their defaults.
        if idle_for >= s.config.idle_timeout
            && (s.elder_mode
                || s.voice
                || s.reach != s.config.reach_mode
                || s.language != s.config.language
                || s.help_called)
        {
            go_home(s, EndReason::Timeout, fx);
        }
        return;
    }
    match s.idle.countdown_until {
        Some(until) if now >= until => go_home(s, EndReason::Timeout, fx),
        Some(_) => {}
        None if idle_for >= s.config.idle_timeout => {
            s.idle.countdown_until = Some(now + s.config.countdown);
        }
        None => {}
    }
}
