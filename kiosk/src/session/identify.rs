//! Identification: the ID card (the main way in), or a scanned receipt QR code (progress) or
//! appointment code (the booking). A card read anywhere is routed to what the screen needs; a
//! different person's card mid-session closes the previous session first.

use super::citizen::Citizen;
use super::docs::{parse_appointment_code, parse_receipt_qr};
use super::effect::{Effect, EndReason};
use super::event::UiInput;
use super::screens::{ChooseView, Screen};
use super::state::{Notice, Session};
use super::step::go_home;
use super::{appointment, form, prints, progress};

/// 我要办事: the card screen (which, without a reader, offers scanning and browsing only).
pub(crate) fn open(s: &mut Session) {
    s.screen = Screen::Identify;
    if !s.devices.reader {
        s.notice = Some(Notice::ReaderUnavailable);
    }
}

/// Touches on the card screen.
pub(crate) fn input(s: &mut Session, input: UiInput, fx: &mut Vec<Effect>) {
    match input {
        UiInput::Browse => super::choose::open(s),
        UiInput::Back => go_home(s, EndReason::Cancelled, fx),
        _ => {}
    }
}

/// A card was read.
pub(crate) fn card_read(s: &mut Session, citizen: Citizen, fx: &mut Vec<Effect>) {
    let printing = matches!(s.screen, Screen::Prints(_));
    if let Some(current) = &s.citizen {
        if current.same_person(&citizen) {
            // The same card again (taken back and put down): nothing changes.
            return;
        }
        go_home(s, EndReason::NewCitizen, fx);
        s.notice = Some(Notice::NewCitizen);
    }
    s.citizen = Some(citizen);
    if printing && !matches!(s.screen, Screen::Prints(_)) {
        // A new card at 自助打印: the previous holder's list is gone; the new holder's own.
        prints::open(s, fx);
        return;
    }
    match &s.screen {
        Screen::Home | Screen::OutOfService { .. } | Screen::Identify => {
            if s.transaction.is_some() {
                form::enter(s, fx);
            } else {
                s.screen = Screen::Choose(ChooseView::MostUsed);
            }
        }
        Screen::Progress(_) => progress::by_card(s, fx),
        Screen::Appointment(_) => appointment::card_read(s),
        Screen::Prints(_) => prints::card_read(s, fx),
        // Choosing, reading a guide, or elsewhere: the citizen is now known; go on.
        _ => {}
    }
}

/// A code was scanned.
pub(crate) fn scanned(s: &mut Session, code: &str, fx: &mut Vec<Effect>) {
    if matches!(s.screen, Screen::Farewell { .. }) {
        // The last citizen is done: the scan starts the next one's visit.
        go_home(s, EndReason::Completed, fx);
    }
    if matches!(s.screen, Screen::Prints(_)) {
        return prints::scanned(s, code, fx);
    }
    let at_entry = matches!(
        s.screen,
        Screen::Home | Screen::Identify | Screen::Progress(_) | Screen::Appointment(_)
    );
    if !at_entry {
        // Mid-transaction a stray scan must not throw the citizen's work away.
        s.notice = Some(Notice::UnknownCode);
        return;
    }
    if let Some(query) = parse_receipt_qr(code) {
        progress::by_receipt(s, query, fx);
    } else if let Some(reference) = parse_appointment_code(code) {
        appointment::lookup(s, reference, fx);
    } else {
        s.notice = Some(Notice::UnknownCode);
    }
}
