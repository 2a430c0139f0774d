//! From the device manager to the session machine: a decoded ID card becomes a [`Citizen`],
//! manager events become session events, and a device's status becomes "usable or not".
//! Back the other way, [`follow_card_wait`] tells the reader whether the screen waits for a
//! card, which sets its poll pace.

use std::sync::Arc;

use kiosk_drivers::idcard::{CardKind, Gender, IdCard, Validity};
use kiosk_drivers::status::{DeviceClass, DeviceStatus};
use tokio::sync::watch;

use crate::devices::ManagerEvent;
use crate::session::{CardType, Citizen, Event, Session};

/// The citizen the session holds, from the decoded card. The card stays with the manager
/// (shared, zeroized when the last holder drops it); this copy is zeroized on drop too.
pub fn citizen_from_card(card: &IdCard) -> Citizen {
    let sex = match card.gender {
        Gender::Male => "男",
        Gender::Female => "女",
        Gender::Unknown | Gender::Unspecified => "",
    };
    let name = if card.name.trim().is_empty() {
        card.english_name.clone().unwrap_or_default()
    } else {
        card.name.clone()
    };
    Citizen {
        name,
        sex: sex.to_owned(),
        nation: card
            .nation
            .map(|n| n.name_zh().to_owned())
            .unwrap_or_default(),
        birth_date: card.birth_date.to_string(),
        address: card.address.clone().unwrap_or_default(),
        id_number: card.id_number.clone(),
        issuing_authority: card.issuing_authority.clone().unwrap_or_default(),
        valid_from: card.valid_from.to_string(),
        valid_until: match card.valid_until {
            Validity::Until(date) => date.to_string(),
            Validity::LongTerm => "长期".to_owned(),
        },
        card_type: match card.kind {
            CardKind::Resident => CardType::Resident,
            CardKind::HmtResidencePermit => CardType::HkMacaoTaiwanResidence,
            CardKind::ForeignPermanent2017 | CardKind::ForeignPermanent2023 => {
                CardType::ForeignPermanentResident
            }
        },
    }
}

/// Whether a citizen can use a device in this status: the state is usable, and for the
/// printer the paper is not out and the cover is closed (the manager reports those as
/// `userError`, so the state says it all).
pub fn usable(status: &DeviceStatus) -> bool {
    status.state.is_usable()
}

/// The session event a manager event means, if any. Status changes are handled by the
/// caller (it compares usability with what the session was last told).
pub fn session_event(event: &ManagerEvent) -> Option<Event> {
    match event {
        ManagerEvent::CardRead(card) => Some(Event::CardRead(citizen_from_card(card))),
        ManagerEvent::CardReadFailed { kind, code, .. } => {
            tracing::info!(code, kind = kind.name(), "a card could not be read");
            Some(Event::CardReadFailed(*kind))
        }
        ManagerEvent::CardRemoved => Some(Event::CardRemoved),
        ManagerEvent::CodeScanned(scan) => Some(Event::Scanned(scan.text.clone())),
        ManagerEvent::ScanRejected(_) => Some(Event::Scanned(String::new())),
        ManagerEvent::Status(_) | ManagerEvent::CardPlaced => None,
    }
}

/// Usability per device class, from a snapshot; a device that is not fitted is unusable.
pub fn availability(snapshot: &[DeviceStatus]) -> Vec<(DeviceClass, bool)> {
    DeviceClass::ALL
        .into_iter()
        .map(|class| {
            let ok = snapshot
                .iter()
                .find(|s| s.class == class)
                .is_some_and(usable);
            (class, ok)
        })
        .collect()
}

/// Calls `want_card` with [`Session::waits_for_card`] now and on every change of it, until
/// shutdown or the session loop ends (the service passes `DeviceManager::want_card`).
pub async fn follow_card_wait(
    mut view: watch::Receiver<Arc<Session>>,
    want_card: impl Fn(bool),
    mut shutdown: watch::Receiver<bool>,
) {
    let mut told = None;
    loop {
        let wanted = view.borrow_and_update().waits_for_card();
        if told != Some(wanted) {
            want_card(wanted);
            told = Some(wanted);
        }
        tokio::select! {
            changed = view.changed() => if changed.is_err() { return },
            _ = shutdown.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_drivers::idcard::sim::sample_card;
    use kiosk_drivers::status::DeviceState;

    #[test]
    fn a_sample_card_maps_onto_the_citizen_field_by_field() {
        let (card, _) = sample_card("resident-zhang-san").expect("bundled sample");
        let c = citizen_from_card(&card);
        assert_eq!(c.name, card.name);
        assert_eq!(c.id_number, card.id_number);
        assert_eq!(c.birth_date.len(), 10, "YYYY-MM-DD");
        assert!(c.sex == "男" || c.sex == "女");
        assert_eq!(c.card_type, CardType::Resident);
        assert!(!format!("{c:?}").contains(&card.id_number));
    }

    #[tokio::test]
    async fn the_reader_is_told_each_time_the_screen_starts_or_stops_waiting_for_a_card() {
        use crate::session::tests::support::{citizen, Kiosk};
        let mut k = Kiosk::ready();
        let (view_tx, view) = watch::channel(Arc::new(k.s.clone()));
        let (stop, shutdown) = watch::channel(false);
        let (told_tx, mut told) = tokio::sync::mpsc::unbounded_channel();
        let task = tokio::spawn(follow_card_wait(
            view,
            move |wanted| {
                let _ = told_tx.send(wanted);
            },
            shutdown,
        ));
        assert_eq!(told.recv().await, Some(true), "home waits for a card");
        k.ev(Event::CardRead(citizen()));
        view_tx.send_replace(Arc::new(k.s.clone()));
        assert_eq!(told.recv().await, Some(false), "the citizen is known");
        // A change that does not concern the card is not told again.
        k.ev(Event::Ui(crate::session::UiInput::ShowDepartments));
        view_tx.send_replace(Arc::new(k.s.clone()));
        k.ev(Event::Ui(crate::session::UiInput::Home));
        view_tx.send_replace(Arc::new(k.s.clone()));
        assert_eq!(told.recv().await, Some(true), "home again");
        stop.send_replace(true);
        task.await.unwrap();
        assert_eq!(told.recv().await, None, "nothing more, and the task ended");
    }

    #[test]
    fn a_printer_out_of_paper_is_unusable_and_an_absent_device_too() {
        let mut printer = DeviceStatus::new(DeviceClass::ReceiptPrinter, "sim");
        printer.state = DeviceState::UserError;
        let mut reader = DeviceStatus::new(DeviceClass::IdCardReader, "sim");
        reader.state = DeviceState::Online;
        let a = availability(&[printer, reader]);
        assert_eq!(
            a,
            vec![
                (DeviceClass::IdCardReader, true),
                (DeviceClass::ReceiptPrinter, false),
                (DeviceClass::Scanner, false),
                (DeviceClass::Audio, false),
                (DeviceClass::Camera, false),
                (DeviceClass::A4Printer, false)
            ]
        );
    }
}
