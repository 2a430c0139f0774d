//! 自助打印: identify by card or receipt, the list, one print at a time; a printer failure
//! says whether the copy was given back; another card never sees the previous holder's list.

use chrono::TimeZone;
use hall_api::attachment::{PrintFailure, PrintableDocument, PrintableQuery};
use kiosk_drivers::status::DeviceClass;

use super::support::*;
use crate::session::{
    Effect, Event, LookupResult, Notice, PrintOutcome, PrintProblem, PrintStage, RequestId, Screen,
    UiInput,
};

fn doc(id: &str, title: &str, copies_left: u32) -> PrintableDocument {
    PrintableDocument {
        id: id.into(),
        tracking_code: "LA20240506-0042".into(),
        subject_name: "户籍证明开具".into(),
        title: title.into(),
        bytes: 52_000,
        copies_left,
        attached_at: chrono::Utc
            .with_ymd_and_hms(2024, 5, 20, 2, 0, 0)
            .single()
            .expect("a real time"),
    }
}

fn stage(k: &Kiosk) -> PrintStage {
    match &k.s.screen {
        Screen::Prints(v) => v.stage.clone(),
        other => panic!("not on 自助打印: {other:?}"),
    }
}

fn documents(k: &Kiosk) -> Vec<PrintableDocument> {
    match &k.s.screen {
        Screen::Prints(v) => v.documents.clone(),
        _ => Vec::new(),
    }
}

/// The one `FetchPrintable` in these effects.
fn fetch(fx: &[Effect]) -> (RequestId, PrintableQuery) {
    fx.iter()
        .find_map(|e| match e {
            Effect::FetchPrintable { request, proof } => Some((*request, proof.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no FetchPrintable in {fx:?}"))
}

fn print_request(fx: &[Effect]) -> (RequestId, String) {
    fx.iter()
        .find_map(|e| match e {
            Effect::PrintResultDocument {
                request,
                document_id,
                ..
            } => Some((*request, document_id.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no PrintResultDocument in {fx:?}"))
}

/// At 自助打印 with the card read and the hall's list in.
fn listed(list: Vec<PrintableDocument>) -> Kiosk {
    let mut k = Kiosk::ready();
    k.ui(UiInput::OpenPrints);
    assert_eq!(stage(&k), PrintStage::Waiting);
    let fx = k.ev(Event::CardRead(citizen()));
    let (request, proof) = fetch(&fx);
    assert_eq!(
        proof,
        PrintableQuery::IdCard {
            id_number: ID_CARD.into()
        }
    );
    k.ev(Event::PrintableFetched {
        request,
        result: LookupResult::Found(list),
    });
    k
}

#[test]
fn the_card_holder_prints_a_document_then_another_then_is_done() {
    let mut k = listed(vec![
        doc("d1", "户籍证明", 1),
        doc("d2", "准予登记通知书", 2),
    ]);
    assert_eq!(stage(&k), PrintStage::List);
    let fx = k.ui(UiInput::PrintDocument("d2".into()));
    let (request, id) = print_request(&fx);
    assert_eq!(id, "d2");
    assert!(matches!(stage(&k), PrintStage::Printing { .. }));
    // Leaving while it prints would hide the outcome: ignored.
    k.ui(UiInput::Back);
    assert!(matches!(stage(&k), PrintStage::Printing { .. }));
    k.ev(Event::ResultDocumentPrinted {
        request,
        outcome: PrintOutcome::Printed { copy: 1 },
    });
    assert_eq!(
        stage(&k),
        PrintStage::Printed {
            title: "准予登记通知书".into()
        }
    );
    assert_eq!(documents(&k)[1].copies_left, 1);
    k.ui(UiInput::ShowPrintList);
    let (request, _) = print_request(&k.ui(UiInput::PrintDocument("d1".into())));
    k.ev(Event::ResultDocumentPrinted {
        request,
        outcome: PrintOutcome::Printed { copy: 1 },
    });
    assert_eq!(
        documents(&k)
            .iter()
            .map(|d| d.id.as_str())
            .collect::<Vec<_>>(),
        ["d2"],
        "the last copy of d1 is off the list"
    );
    let fx = k.ui(UiInput::Done);
    assert_eq!(k.screen(), "home");
    assert!(fx.contains(&Effect::WipePersonalData));
    assert!(!k.dump().contains(ID_CARD));
}

#[test]
fn a_receipt_scanned_lists_that_applications_documents() {
    let mut k = Kiosk::ready();
    k.ui(UiInput::OpenPrints);
    let fx = k.ev(Event::Scanned(
        "https://hall.example.gov.cn/p?c=LA20240506-0042&v=q7Xk2m".into(),
    ));
    let (request, proof) = fetch(&fx);
    assert_eq!(
        proof,
        PrintableQuery::Receipt {
            tracking_code: "LA20240506-0042".into(),
            verifier: "q7Xk2m".into()
        }
    );
    k.ev(Event::PrintableFetched {
        request,
        result: LookupResult::NotFound,
    });
    assert_eq!(stage(&k), PrintStage::Problem(PrintProblem::ReceiptUnknown));
    k.ev(Event::Scanned("garbage".into()));
    assert_eq!(k.s.notice, Some(Notice::UnknownCode));
}

#[test]
fn printer_failures_say_whether_the_copy_was_given_back() {
    let mut k = listed(vec![doc("d1", "户籍证明", 1)]);
    let (request, _) = print_request(&k.ui(UiInput::PrintDocument("d1".into())));
    k.ev(Event::ResultDocumentPrinted {
        request,
        outcome: PrintOutcome::PrinterFailed {
            failure: PrintFailure::PaperOut,
            given_back: true,
        },
    });
    let problem = PrintProblem::PrinterFailed {
        failure: PrintFailure::PaperOut,
        given_back: true,
    };
    assert_eq!(stage(&k), PrintStage::Problem(problem));
    assert!(problem.text(true).contains("缺纸") && problem.text(true).contains("份数已退回"));
    assert_eq!(documents(&k)[0].copies_left, 1, "the copy is still there");
    k.ui(UiInput::ShowPrintList);
    let (request, _) = print_request(&k.ui(UiInput::PrintDocument("d1".into())));
    k.ev(Event::ResultDocumentPrinted {
        request,
        outcome: PrintOutcome::PrinterFailed {
            failure: PrintFailure::JobFailed,
            given_back: false,
        },
    });
    let PrintStage::Problem(p) = stage(&k) else {
        panic!("a problem")
    };
    assert!(
        p.text(true).contains("工作人员将为您补打"),
        "{}",
        p.text(true)
    );
    assert!(
        documents(&k).is_empty(),
        "not given back: not offered again"
    );
    k.ui(UiInput::ShowPrintList);
    assert_eq!(stage(&k), PrintStage::Problem(PrintProblem::NoDocuments));
}

#[test]
fn hall_answers_become_problems_in_chinese() {
    let mut k = listed(vec![doc("d1", "户籍证明", 1)]);
    let (request, _) = print_request(&k.ui(UiInput::PrintDocument("d1".into())));
    // A late answer to an older request changes nothing.
    k.ev(Event::ResultDocumentPrinted {
        request: RequestId(request.0 - 1),
        outcome: PrintOutcome::HallUnreachable,
    });
    assert!(matches!(stage(&k), PrintStage::Printing { .. }));
    k.ev(Event::ResultDocumentPrinted {
        request,
        outcome: PrintOutcome::CopiesUsed,
    });
    assert_eq!(stage(&k), PrintStage::Problem(PrintProblem::CopiesUsed));
    assert!(PrintProblem::CopiesUsed.text(true).contains("打印完毕"));

    let mut k = Kiosk::ready();
    k.ui(UiInput::OpenPrints);
    let (request, _) = fetch(&k.ev(Event::CardRead(citizen())));
    k.ev(Event::PrintableFetched {
        request,
        result: LookupResult::Unreachable,
    });
    assert_eq!(
        stage(&k),
        PrintStage::Problem(PrintProblem::HallUnreachable)
    );
    assert!(PrintProblem::HallUnreachable
        .text(true)
        .contains("未打印也未扣减份数"));
    // 重试 with the card already read asks again.
    let fx = k.ui(UiInput::PrintsByCard);
    let (request, _) = fetch(&fx);
    k.ev(Event::PrintableFetched {
        request,
        result: LookupResult::Found(vec![doc("d1", "户籍证明", 0)]),
    });
    assert_eq!(stage(&k), PrintStage::Problem(PrintProblem::NoDocuments));
}

#[test]
fn another_card_closes_the_previous_holders_list_and_asks_for_its_own() {
    let mut k = listed(vec![doc("d1", "户籍证明", 1)]);
    let fx = k.ev(Event::CardRead(other_citizen()));
    assert!(fx.contains(&Effect::WipePersonalData), "{fx:?}");
    let (_, proof) = fetch(&fx);
    assert_eq!(
        proof,
        PrintableQuery::IdCard {
            id_number: "110105198001010016".into()
        }
    );
    assert_eq!(k.screen(), "prints");
    assert!(documents(&k).is_empty(), "nothing of the previous holder's");
    assert!(matches!(stage(&k), PrintStage::Loading(_)));
    assert!(!k.dump().contains(ID_CARD));
}

#[test]
fn without_the_a4_printer_self_print_is_not_started_and_says_why() {
    let mut k = Kiosk::ready();
    k.ev(Event::DeviceChanged {
        device: DeviceClass::A4Printer,
        available: false,
    });
    assert!(!k.s.offers().self_print);
    k.ui(UiInput::OpenPrints);
    assert_eq!(k.screen(), "home");
    assert_eq!(k.s.notice, Some(Notice::PrinterUnavailable));

    // The printer goes away while the list shows: nothing is fetched or used up.
    let mut k = listed(vec![doc("d1", "户籍证明", 1)]);
    k.ev(Event::DeviceChanged {
        device: DeviceClass::A4Printer,
        available: false,
    });
    let fx = k.ui(UiInput::PrintDocument("d1".into()));
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(
        stage(&k),
        PrintStage::Problem(PrintProblem::PrinterUnavailable)
    );
}

#[test]
fn effects_and_state_never_show_the_number_in_debug() {
    let mut k = listed(vec![doc("d1", "户籍证明", 1)]);
    k.ui(UiInput::PrintDocument("d1".into()));
    let logged = format!("{:?} {:?}", k.log, k.s);
    assert!(!logged.contains(ID_CARD), "{logged}");
    assert!(k.s.holds_personal_data());
    k.wait(IDLE + COUNTDOWN + 1);
    assert_eq!(k.screen(), "home", "the idle timeout ends it");
    assert!(!k.s.holds_personal_data());
}
