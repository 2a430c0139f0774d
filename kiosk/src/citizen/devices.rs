//! From the device manager to the session machine: a decoded ID card becomes a [`Citizen`],
//! manager events become session events, and a device's status becomes "usable or not".

use kiosk_drivers::idcard::{CardKind, Gender, IdCard, Validity};
use kiosk_drivers::status::{DeviceClass, DeviceStatus};

use crate::devices::ManagerEvent;
use crate::session::{CardType, Citizen, Event};

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
