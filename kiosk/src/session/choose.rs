//! Choosing an item or a 一件事 bundle (most used, by department, bundles, search) and its
//! guide (一次性告知: every material, fee and time limit, printable) before the form.

use hall_api::catalog::Catalog;

use super::docs;
use super::effect::{Effect, EndReason};
use super::event::UiInput;
use super::screens::{ChooseView, Screen};
use super::state::{Notice, Session};
use super::step::go_home;
use super::transaction::Transaction;
use super::{appointment, form};

/// Longest search query kept (hostile input stays bounded).
const MAX_QUERY_CHARS: usize = 40;

/// One entry of a choice list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// A service item: code and name.
    Item {
        /// Item code.
        code: String,
        /// Item name.
        name: String,
    },
    /// A 一件事 bundle: code and name.
    Bundle {
        /// Bundle code.
        code: String,
        /// Bundle name.
        name: String,
    },
}

/// What a choice view lists (departments themselves come from `catalog.departments`).
pub fn listing(catalog: &Catalog, view: &ChooseView, most_used: &[String]) -> Vec<Choice> {
    let item = |i: &hall_api::catalog::ServiceItem| Choice::Item {
        code: i.code.clone(),
        name: i.name.clone(),
    };
    let bundle = |b: &hall_api::catalog::Bundle| Choice::Bundle {
        code: b.code.clone(),
        name: b.name.clone(),
    };
    match view {
        ChooseView::MostUsed => most_used
            .iter()
            .filter_map(|c| catalog.item(c))
            .map(item)
            .collect(),
        ChooseView::Departments => Vec::new(),
        ChooseView::Department(dept) => catalog
            .items
            .iter()
            .filter(|i| &i.department == dept)
            .map(item)
            .collect(),
        ChooseView::Bundles => catalog.bundles.iter().map(bundle).collect(),
        ChooseView::Search(query) => {
            let q = query.trim().to_lowercase();
            if q.is_empty() {
                return Vec::new();
            }
            // By name, code, or the name's pinyin initials (居民身份证换领 ← jmsfz), as the
            // search box says.
            let latin = q.chars().all(|c| c.is_ascii_alphabetic());
            let hit = |name: &str, code: &str| {
                name.to_lowercase().contains(&q)
                    || code.to_lowercase().contains(&q)
                    || (latin && kiosk_ui::ime::initials(name).contains(&q))
            };
            catalog
                .bundles
                .iter()
                .filter(|b| hit(&b.name, &b.code))
                .map(bundle)
                .chain(
                    catalog
                        .items
                        .iter()
                        .filter(|i| hit(&i.name, &i.code))
                        .map(item),
                )
                .collect()
        }
    }
}

/// Opens the choice screen (with or without a citizen: guides can be read before the card).
pub(crate) fn open(s: &mut Session) {
    if s.catalog.is_none() {
        s.notice = Some(Notice::UnknownSubject);
        return;
    }
    s.screen = Screen::Choose(ChooseView::MostUsed);
}

/// Touches on the choice and guide screens.
pub(crate) fn input(s: &mut Session, input: UiInput, fx: &mut Vec<Effect>) {
    if matches!(s.screen, Screen::Guide) {
        return guide_input(s, input, fx);
    }
    let Some(catalog) = s.catalog.clone() else {
        return;
    };
    match input {
        UiInput::ShowMostUsed => s.screen = Screen::Choose(ChooseView::MostUsed),
        UiInput::ShowDepartments => s.screen = Screen::Choose(ChooseView::Departments),
        UiInput::ShowBundles => s.screen = Screen::Choose(ChooseView::Bundles),
        UiInput::OpenDepartment(code) if catalog.department(&code).is_some() => {
            s.screen = Screen::Choose(ChooseView::Department(code));
        }
        UiInput::Search(query) => {
            let query: String = query
                .chars()
                .filter(|c| !c.is_control())
                .take(MAX_QUERY_CHARS)
                .collect();
            s.screen = Screen::Choose(ChooseView::Search(query));
        }
        UiInput::PickItem(code) => pick(s, Transaction::for_item(&catalog, &code)),
        UiInput::PickBundle(code) => pick(s, Transaction::for_bundle(&catalog, &code)),
        UiInput::Back => match &s.screen {
            Screen::Choose(ChooseView::Department(_)) => {
                s.screen = Screen::Choose(ChooseView::Departments);
            }
            _ if s.citizen.is_none() && s.devices.reader => s.screen = Screen::Identify,
            _ => go_home(s, EndReason::Cancelled, fx),
        },
        _ => {}
    }
}

fn pick(s: &mut Session, transaction: Option<Transaction>) {
    match transaction {
        Some(t) => {
            s.transaction = Some(t);
            s.screen = Screen::Guide;
        }
        None => s.notice = Some(Notice::UnknownSubject),
    }
}

fn guide_input(s: &mut Session, input: UiInput, fx: &mut Vec<Effect>) {
    let Some(t) = &s.transaction else {
        s.screen = Screen::Choose(ChooseView::MostUsed);
        return;
    };
    match input {
        UiInput::PrintGuide => {
            if s.devices.can_print() {
                fx.push(Effect::Print(docs::guide(t, &s.config.hall_name)));
            } else {
                s.notice = Some(Notice::PrinterUnavailable);
            }
        }
        UiInput::StartForm => {
            if !t.kiosk_completable {
                s.notice = Some(Notice::NotKioskCompletable);
            } else if s.citizen.is_some() {
                form::enter(s, fx);
            } else if s.devices.reader {
                // The choice is kept: reading the card goes straight on to the form.
                s.screen = Screen::Identify;
                s.notice = Some(Notice::CardNeeded);
            } else {
                s.notice = Some(Notice::ReaderUnavailable);
            }
        }
        UiInput::OpenAppointment => {
            let item = t.first_item().map(str::to_owned);
            appointment::open(s, item, fx);
        }
        UiInput::Back => {
            s.transaction = None;
            s.screen = Screen::Choose(ChooseView::MostUsed);
        }
        _ => {}
    }
}
