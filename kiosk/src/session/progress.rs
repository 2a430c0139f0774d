//! 查进度: by scanning a receipt's QR code (tracking code plus verifier), or by the ID card.

use hall_api::application::{Progress, ProgressQuery, ReusableMaterialsQuery};

use super::effect::{Effect, EndReason, ProgressLookup};
use super::event::{LookupResult, UiInput};
use super::screens::{ProgressView, RatingDraft, Screen};
use super::state::{RequestId, Session};
use super::step::go_home;

/// Opens the progress page; with a citizen already identified it asks at once.
pub(crate) fn open(s: &mut Session, fx: &mut Vec<Effect>) {
    s.screen = Screen::Progress(ProgressView::Waiting);
    if s.citizen.is_some() {
        by_card(s, fx);
    }
}

/// Touches on the progress page.
pub(crate) fn input(s: &mut Session, input: UiInput, fx: &mut Vec<Effect>) {
    match input {
        UiInput::ProgressByCard => {
            if s.citizen.is_some() {
                by_card(s, fx);
            } else {
                s.notice = Some(s.card_notice());
            }
        }
        UiInput::RateLater => {
            if let Screen::Progress(view @ ProgressView::Shown { receipt, .. }) = &s.screen {
                if can_rate_later(view) {
                    s.screen = Screen::Rating(RatingDraft {
                        later: receipt.clone(),
                        ..RatingDraft::default()
                    });
                }
            }
        }
        UiInput::Done => go_home(s, EndReason::Completed, fx),
        UiInput::Back => go_home(s, EndReason::Cancelled, fx),
        _ => {}
    }
}

/// Asks by the scanned receipt.
pub(crate) fn by_receipt(s: &mut Session, query: ProgressQuery, fx: &mut Vec<Effect>) {
    let request = s.next_request();
    s.screen = Screen::Progress(ProgressView::Loading {
        request,
        receipt: Some(query.clone()),
    });
    fx.push(Effect::FetchProgress {
        request,
        lookup: ProgressLookup::Receipt(query),
    });
}

/// Asks by the citizen's ID number.
pub(crate) fn by_card(s: &mut Session, fx: &mut Vec<Effect>) {
    let request = s.next_request();
    let Some(citizen) = &s.citizen else { return };
    let lookup = ProgressLookup::IdNumber(ReusableMaterialsQuery {
        id_number: citizen.id_number.clone(),
    });
    s.screen = Screen::Progress(ProgressView::Loading {
        request,
        receipt: None,
    });
    fx.push(Effect::FetchProgress { request, lookup });
}

/// The hall's answer; ignored unless the page still waits for exactly this request.
pub(crate) fn fetched(s: &mut Session, request: RequestId, result: LookupResult<Vec<Progress>>) {
    let Screen::Progress(ProgressView::Loading {
        request: awaited,
        receipt,
    }) = &s.screen
    else {
        return;
    };
    if *awaited != request {
        return;
    }
    let receipt = receipt.clone();
    s.screen = Screen::Progress(match result {
        LookupResult::Found(list) if !list.is_empty() => ProgressView::Shown { list, receipt },
        LookupResult::Found(_) | LookupResult::NotFound => ProgressView::NotFound,
        LookupResult::Unreachable => ProgressView::Unreachable,
    });
}

/// Whether the page offers a rating: asked by receipt, one application, not yet rated.
pub fn can_rate_later(view: &ProgressView) -> bool {
    matches!(view, ProgressView::Shown { list, receipt: Some(_) }
        if list.len() == 1 && !list[0].rated)
}
