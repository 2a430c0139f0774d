//! Device faults change what is offered instead of leading to a dead end.

use kiosk_drivers::status::DeviceClass;

use super::support::*;
use crate::session::effect::ProgressLookup;
use crate::session::{Effect, Event, Fault, Notice, Screen, SubmitOutcome, UiInput};

fn set(k: &mut Kiosk, device: DeviceClass, available: bool) {
    k.ev(Event::DeviceChanged { device, available });
}

#[test]
fn before_anything_is_reported_the_kiosk_is_out_of_service_naming_why() {
    let mut k = Kiosk::bare();
    assert_eq!(
        k.s.screen,
        Screen::OutOfService {
            faults: vec![
                Fault::Reader,
                Fault::Scanner,
                Fault::Printer,
                Fault::NoCatalog
            ]
        }
    );
    k.ui(UiInput::StartApplying);
    assert_eq!(k.screen(), "outOfService", "nothing to start");
    set(&mut k, DeviceClass::Scanner, true);
    assert_eq!(k.s.screen, Screen::Home);
    set(&mut k, DeviceClass::Scanner, false);
    assert_eq!(
        k.s.screen,
        Screen::OutOfService {
            faults: vec![
                Fault::Reader,
                Fault::Scanner,
                Fault::Printer,
                Fault::NoCatalog
            ]
        }
    );
}

#[test]
fn help_works_even_out_of_service() {
    let mut k = Kiosk::bare();
    let fx = k.ui(UiInput::CallForHelp);
    assert!(
        matches!(&fx[..], [Effect::SubmitHelpRequest { .. }]),
        "{fx:?}"
    );
    assert_eq!(k.s.notice, Some(Notice::HelpCalled));
}

#[test]
fn without_a_printer_the_receipt_is_on_screen_with_its_qr() {
    let mut k = at_review();
    set(&mut k, DeviceClass::ReceiptPrinter, false);
    set(&mut k, DeviceClass::A4Printer, false);
    assert!(!k.s.offers().print);
    k.ui(UiInput::Submit);
    let key = submitted_key(&k);
    k.ev(Event::SubmitResult {
        key,
        outcome: SubmitOutcome::Delivered(receipt(hall_api::application::Subject::Item(
            ITEM.into(),
        ))),
    });
    assert_eq!(k.screen(), "receipt", "the session goes on");
    assert_eq!(k.count(|e| matches!(e, Effect::Print(_))), 0);
    assert_eq!(k.s.notice, Some(Notice::PrinterUnavailable));
    let doc = k.s.receipt_doc().unwrap();
    assert!(doc.lines.iter().any(|l| l.contains("LA20240506-0042")));
    assert!(doc.qr.unwrap().contains("c=LA20240506-0042"));
}

#[test]
fn an_a4_printer_alone_prints_the_receipt_and_the_guide() {
    let mut k = at_review();
    set(&mut k, DeviceClass::ReceiptPrinter, false);
    set(&mut k, DeviceClass::A4Printer, true);
    assert!(k.s.offers().print);
    k.ui(UiInput::Submit);
    let key = submitted_key(&k);
    k.ev(Event::SubmitResult {
        key,
        outcome: SubmitOutcome::Delivered(receipt(hall_api::application::Subject::Item(
            ITEM.into(),
        ))),
    });
    assert_eq!(k.count(|e| matches!(e, Effect::Print(_))), 1);
    assert_eq!(k.s.notice, None);

    let mut k = Kiosk::ready();
    set(&mut k, DeviceClass::ReceiptPrinter, false);
    set(&mut k, DeviceClass::A4Printer, true);
    k.ev(Event::CardRead(citizen()));
    k.ui(UiInput::PickItem(ITEM.into()));
    let fx = k.ui(UiInput::PrintGuide);
    assert!(
        matches!(&fx[..], [Effect::Print(doc)] if doc.kind == crate::session::DocKind::Guide),
        "{fx:?}"
    );
}

#[test]
fn without_a_printer_the_guide_cannot_be_printed() {
    let mut k = Kiosk::ready();
    set(&mut k, DeviceClass::ReceiptPrinter, false);
    set(&mut k, DeviceClass::A4Printer, false);
    k.ev(Event::CardRead(citizen()));
    k.ui(UiInput::PickItem(ITEM.into()));
    assert!(k.ui(UiInput::PrintGuide).is_empty());
    assert_eq!(k.s.notice, Some(Notice::PrinterUnavailable));
}

#[test]
fn a_failed_print_is_said_on_screen() {
    let mut k = at_receipt();
    k.ev(Event::PrintFailed);
    assert_eq!(k.s.notice, Some(Notice::PrintFailed));
    assert_eq!(k.screen(), "receipt");
}

#[test]
fn without_a_reader_only_the_scan_and_appointment_paths_are_offered() {
    let mut k = Kiosk::ready();
    set(&mut k, DeviceClass::IdCardReader, false);
    assert_eq!(k.s.screen, Screen::Home);
    let offers = k.s.offers();
    assert!(!offers.apply && !offers.id_card);
    assert!(offers.scan && offers.appointment && offers.browse);
    k.ui(UiInput::StartApplying);
    assert_eq!(k.s.notice, Some(Notice::ReaderUnavailable));
    // The guide can be read, but the form needs the card.
    k.ui(UiInput::Browse);
    k.ui(UiInput::PickItem(ITEM.into()));
    k.ui(UiInput::StartForm);
    assert_eq!(k.screen(), "guide");
    assert_eq!(k.s.notice, Some(Notice::ReaderUnavailable));
    k.ui(UiInput::Home);
    let fx = k.ev(Event::Scanned(
        "https://hall.example.gov.cn/p?c=LA1&v=abc".into(),
    ));
    assert!(
        matches!(&fx[..], [Effect::FetchProgress { lookup: ProgressLookup::Receipt(q), .. }] if q.tracking_code == "LA1"),
        "{fx:?}"
    );
    k.ui(UiInput::Home);
    k.ui(UiInput::OpenAppointment);
    assert_eq!(k.screen(), "appointment");
}

#[test]
fn a_device_lost_mid_session_does_not_throw_the_citizen_out() {
    let mut k = Kiosk::at_form(ITEM, false);
    set(&mut k, DeviceClass::IdCardReader, false);
    set(&mut k, DeviceClass::Scanner, false);
    assert_eq!(k.screen(), "form");
    fill_item_form(&mut k);
    k.ui(UiInput::Next);
    assert_eq!(k.screen(), "materials");
    k.ui(UiInput::Home);
    assert!(matches!(k.s.screen, Screen::OutOfService { .. }));
    set(&mut k, DeviceClass::IdCardReader, true);
    assert_eq!(k.s.screen, Screen::Home);
}

#[test]
fn a_card_that_was_not_read_asks_again_unless_the_reader_is_at_fault() {
    use kiosk_drivers::ErrorKind;
    for (kind, notice) in [
        (ErrorKind::Unreadable, Notice::CardReadFailed),
        (ErrorKind::Timeout, Notice::CardReadFailed),
        (ErrorKind::Protocol, Notice::CardReadFailed),
        (ErrorKind::Fault, Notice::ReaderUnavailable),
        (ErrorKind::Disconnected, Notice::ReaderUnavailable),
    ] {
        let mut k = Kiosk::ready();
        k.ev(Event::CardReadFailed(kind));
        assert_eq!(k.s.notice, Some(notice), "{kind}");
    }
}

#[test]
fn what_a_citizen_is_told_about_a_device_depends_on_its_class_and_the_error_kind() {
    use crate::session::prompts::device_trouble;
    use kiosk_config::schema::Language;
    use kiosk_drivers::ErrorKind;
    let zh = |class, kind| device_trouble(Some(class), kind, Language::ZhCn);
    let reader = DeviceClass::IdCardReader;
    let printer = DeviceClass::ReceiptPrinter;
    assert!(zh(reader, ErrorKind::Unreadable).contains("重新放置"));
    assert!(zh(reader, ErrorKind::Timeout).contains("保持身份证不动"));
    assert!(zh(reader, ErrorKind::Protocol).contains("保持身份证不动"));
    assert!(zh(reader, ErrorKind::Fault).contains("联系工作人员"));
    assert!(zh(printer, ErrorKind::PaperOut).contains("缺纸"));
    assert!(zh(printer, ErrorKind::CoverOpen).contains("故障"));
    assert!(zh(printer, ErrorKind::Fault).contains("故障"));
    assert!(zh(printer, ErrorKind::Timeout).contains("凭条打印机暂时无法使用"));
    assert!(zh(printer, ErrorKind::Busy).contains("稍后再试"));
    assert!(zh(DeviceClass::Scanner, ErrorKind::Timeout).contains("稍后再试"));
    assert!(zh(DeviceClass::Scanner, ErrorKind::Busy).contains("扫码过于频繁"));
    assert!(zh(DeviceClass::Scanner, ErrorKind::Unreadable).contains("无法识别此二维码"));
    assert!(device_trouble(None, ErrorKind::Other, Language::ZhCn).contains("联系工作人员"));
    // Every kind has words in both languages, and English has no Chinese in it.
    for class in DeviceClass::ALL {
        for kind in ErrorKind::ALL {
            let en = device_trouble(Some(class), kind, Language::En);
            assert!(!en.is_empty() && en.is_ascii(), "{class:?} {kind}: {en}");
            assert!(!zh(class, kind).is_ascii(), "{class:?} {kind}");
        }
    }
}
