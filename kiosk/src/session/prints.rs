//! 自助打印: the result documents staff attached at 办结, printed on the A4 printer by their
//! citizen. The citizen shows who they are with the ID card (the holder's own documents:
//! the hall decides by the card's number) or the receipt's QR code (that application's
//! documents); the list shows title, item, date and copies left; one is printed at a time.
//!
//! The hall uses a copy up when it hands the PDF out (under its lock, so two kiosks cannot
//! both print the last copy). If the printer then does not print it, the service cancels
//! the job and gives the copy back ([`PrintOutcome::PrinterFailed`] says whether the hall
//! took it back), and the citizen is told what happened and what to do. The PDF itself never
//! enters the session: the service holds it in a wiping buffer while it prints.

use hall_api::attachment::{PrintFailure, PrintableDocument, PrintableQuery};

use super::docs::parse_receipt_qr;
use super::effect::{Effect, EndReason};
use super::event::{LookupResult, UiInput};
use super::screens::Screen;
use super::state::{Notice, RequestId, Session};
use super::step::go_home;

/// The 自助打印 screen: where the citizen is, who asked, and the documents found.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct PrintsView {
    /// Where in the printing the citizen is.
    pub stage: PrintStage,
    /// Who asked (the card's number or the receipt); wiped on drop, masked in `Debug`.
    #[cfg_attr(test, serde(skip))]
    pub proof: Option<PrintableQuery>,
    /// The documents the hall listed (with copies left), newest first.
    pub documents: Vec<PrintableDocument>,
}

/// The stages of 自助打印.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub enum PrintStage {
    /// Place the ID card, or scan the receipt's QR code.
    Waiting,
    /// Asking the hall which documents there are.
    Loading(RequestId),
    /// The list: pick one to print.
    List,
    /// Fetching one document from the hall and printing it.
    Printing {
        /// The pending request.
        request: RequestId,
        /// The document's id.
        id: String,
        /// The document's title, for the screen.
        title: String,
    },
    /// Printed: take it from the A4 printer.
    Printed {
        /// The document's title.
        title: String,
    },
    /// Something went wrong: what, and what to do.
    Problem(PrintProblem),
}

/// What the citizen is told when 自助打印 does not work out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub enum PrintProblem {
    /// The hall could not be reached: nothing was printed or used up.
    HallUnreachable,
    /// The hall holds no document with copies left for this card or receipt.
    NoDocuments,
    /// The receipt's code is not known to the hall.
    ReceiptUnknown,
    /// Every allowed copy of the document was printed already.
    CopiesUsed,
    /// The A4 printer is not ready: nothing was fetched or used up.
    PrinterUnavailable,
    /// The printer did not print it; `given_back`: the hall gave the copy back (print again
    /// once staff fixed the printer); otherwise staff must give it back.
    PrinterFailed {
        /// What the printer said.
        #[cfg_attr(test, serde(skip))]
        failure: PrintFailure,
        /// Whether the hall took the copy back.
        given_back: bool,
    },
}

impl PrintProblem {
    /// What the citizen is told, in Chinese or English: what happened and what to do.
    pub fn text(self, zh: bool) -> &'static str {
        let pick = |z: &'static str, e: &'static str| if zh { z } else { e };
        match self {
            PrintProblem::HallUnreachable => pick(
                "暂时无法连接政务服务中心，未打印也未扣减份数。请稍后再试，或到窗口咨询。",
                "The service centre cannot be reached now; nothing was printed or used up. Try again later, or ask at the window.",
            ),
            PrintProblem::NoDocuments => pick(
                "没有可打印的结果文书。文书在办结后由窗口上传，如有疑问请到窗口咨询。",
                "There is no result document to print. Documents are added by the window once the application is concluded; ask at the window if in doubt.",
            ),
            PrintProblem::ReceiptUnknown => pick(
                "未找到该回执对应的办件，请核对回执后重新扫描。",
                "No application matches this receipt. Check the receipt and scan it again.",
            ),
            PrintProblem::CopiesUsed => pick(
                "该文书已按允许的份数打印完毕。如需再次打印，请联系窗口工作人员。",
                "Every allowed copy of this document has been printed. Ask staff at the window for more.",
            ),
            PrintProblem::PrinterUnavailable => pick(
                "打印机暂不可用，未打印也未扣减份数。请按“求助”联系工作人员，或稍后再试。",
                "The printer is not available; nothing was printed or used up. Press Help to call staff, or try later.",
            ),
            PrintProblem::PrinterFailed {
                failure,
                given_back: true,
            } => match failure {
                PrintFailure::PaperOut => pick(
                    "打印机缺纸，文书未打印，份数已退回。请按“求助”请工作人员加纸后再打印。",
                    "The printer is out of paper; the document was not printed and the copy was given back. Press Help so staff load paper, then print again.",
                ),
                PrintFailure::CoverOpen => pick(
                    "打印机盖门未关好，文书未打印，份数已退回。请按“求助”联系工作人员后再打印。",
                    "A printer cover is open; the document was not printed and the copy was given back. Press Help to call staff, then print again.",
                ),
                PrintFailure::PrinterOffline | PrintFailure::JobFailed => pick(
                    "打印未完成，文书未打印，份数已退回。请按“求助”联系工作人员后再打印。",
                    "Printing did not finish; the document was not printed and the copy was given back. Press Help to call staff, then print again.",
                ),
            },
            PrintProblem::PrinterFailed {
                given_back: false, ..
            } => pick(
                "打印未完成，份数暂未能退回。请按“求助”或到窗口，工作人员将为您补打。",
                "Printing did not finish and the copy could not be given back yet. Press Help or go to the window: staff will print it for you.",
            ),
        }
    }
}

/// What became of one print, as the service reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintOutcome {
    /// Printed: the copy's number at the hall.
    Printed {
        /// The copy.
        copy: u32,
    },
    /// The hall says every copy was printed.
    CopiesUsed,
    /// The hall does not know this document for this proof (any more).
    NotFound,
    /// The hall could not be reached (nothing used up).
    HallUnreachable,
    /// The printer was not ready (nothing fetched).
    PrinterUnavailable,
    /// The printer did not print it.
    PrinterFailed {
        /// What the printer said.
        failure: PrintFailure,
        /// Whether the hall took the copy back.
        given_back: bool,
    },
}

fn view(s: &mut Session) -> Option<&mut PrintsView> {
    match &mut s.screen {
        Screen::Prints(v) => Some(v),
        _ => None,
    }
}

/// 自助打印 from home: only with the A4 printer ready; with a citizen already identified it
/// asks at once.
pub(crate) fn open(s: &mut Session, fx: &mut Vec<Effect>) {
    if !s.devices.a4printer {
        s.notice = Some(Notice::PrinterUnavailable);
        return;
    }
    s.screen = Screen::Prints(PrintsView {
        stage: PrintStage::Waiting,
        proof: None,
        documents: Vec::new(),
    });
    if s.citizen.is_some() {
        by_card(s, fx);
    }
}

/// Touches on the 自助打印 screen.
pub(crate) fn input(s: &mut Session, input: UiInput, fx: &mut Vec<Effect>) {
    let Some(stage) = view(s).map(|v| v.stage.clone()) else {
        return;
    };
    match (input, stage) {
        (UiInput::PrintsByCard, PrintStage::Waiting | PrintStage::Problem(_)) => {
            if s.citizen.is_some() {
                by_card(s, fx);
            } else {
                s.notice = Some(s.card_notice());
            }
        }
        (UiInput::PrintDocument(id), PrintStage::List) => print(s, &id, fx),
        (UiInput::ShowPrintList, PrintStage::Printed { .. } | PrintStage::Problem(_)) => {
            show_list(s);
        }
        (UiInput::Done, PrintStage::Printed { .. } | PrintStage::List) => {
            go_home(s, EndReason::Completed, fx);
        }
        // Leaving while a copy prints would hide what became of it: the screen waits.
        (UiInput::Back | UiInput::Done, PrintStage::Printing { .. }) => {}
        (UiInput::Back | UiInput::Done, _) => go_home(s, EndReason::Cancelled, fx),
        _ => {}
    }
}

/// Back to the list (or, when nothing is left on it, to what the list's absence means).
fn show_list(s: &mut Session) {
    let Some(v) = view(s) else { return };
    v.stage = if !v.documents.is_empty() {
        PrintStage::List
    } else if v.proof.is_some() {
        PrintStage::Problem(PrintProblem::NoDocuments)
    } else {
        PrintStage::Waiting
    };
}

/// A card read on this screen: the holder's documents. A different person's card has already
/// closed the previous session (identify), so nothing of theirs is left on screen.
pub(crate) fn card_read(s: &mut Session, fx: &mut Vec<Effect>) {
    let asking = matches!(
        view(s).map(|v| &v.stage),
        Some(PrintStage::Loading(_) | PrintStage::Printing { .. })
    );
    if !asking {
        by_card(s, fx);
    }
}

/// A code scanned on this screen: a receipt's QR code lists that application's documents.
pub(crate) fn scanned(s: &mut Session, code: &str, fx: &mut Vec<Effect>) {
    let busy = matches!(
        view(s).map(|v| &v.stage),
        Some(PrintStage::Loading(_) | PrintStage::Printing { .. })
    );
    match parse_receipt_qr(code) {
        Some(q) if !busy => ask(
            s,
            PrintableQuery::Receipt {
                tracking_code: q.tracking_code.clone(),
                verifier: q.verifier.clone(),
            },
            fx,
        ),
        _ => s.notice = Some(Notice::UnknownCode),
    }
}

fn by_card(s: &mut Session, fx: &mut Vec<Effect>) {
    let Some(citizen) = &s.citizen else { return };
    let proof = PrintableQuery::IdCard {
        id_number: citizen.id_number.clone(),
    };
    ask(s, proof, fx);
}

fn ask(s: &mut Session, proof: PrintableQuery, fx: &mut Vec<Effect>) {
    let request = s.next_request();
    let Some(v) = view(s) else { return };
    v.stage = PrintStage::Loading(request);
    v.documents.clear();
    v.proof = Some(proof.clone());
    fx.push(Effect::FetchPrintable { request, proof });
}

fn print(s: &mut Session, id: &str, fx: &mut Vec<Effect>) {
    if !s.devices.a4printer {
        if let Some(v) = view(s) {
            v.stage = PrintStage::Problem(PrintProblem::PrinterUnavailable);
        }
        return;
    }
    let request = s.next_request();
    let Some(v) = view(s) else { return };
    let (Some(doc), Some(proof)) = (v.documents.iter().find(|d| d.id == id), &v.proof) else {
        return;
    };
    if doc.copies_left == 0 {
        v.stage = PrintStage::Problem(PrintProblem::CopiesUsed);
        return;
    }
    let effect = Effect::PrintResultDocument {
        request,
        document_id: doc.id.clone(),
        title: doc.title.clone(),
        proof: proof.clone(),
    };
    v.stage = PrintStage::Printing {
        request,
        id: doc.id.clone(),
        title: doc.title.clone(),
    };
    fx.push(effect);
}

/// The hall's list; ignored unless the screen still waits for exactly this request.
pub(crate) fn fetched(
    s: &mut Session,
    request: RequestId,
    result: LookupResult<Vec<PrintableDocument>>,
) {
    let Some(v) = view(s) else { return };
    if v.stage != PrintStage::Loading(request) {
        return;
    }
    v.stage = match result {
        LookupResult::Found(list) => {
            v.documents = list.into_iter().filter(|d| d.copies_left > 0).collect();
            if v.documents.is_empty() {
                PrintStage::Problem(PrintProblem::NoDocuments)
            } else {
                PrintStage::List
            }
        }
        LookupResult::NotFound => PrintStage::Problem(PrintProblem::ReceiptUnknown),
        LookupResult::Unreachable => PrintStage::Problem(PrintProblem::HallUnreachable),
    };
}

/// What became of a print; ignored unless the screen still waits for exactly this request.
pub(crate) fn printed(s: &mut Session, request: RequestId, outcome: PrintOutcome) {
    let Some(v) = view(s) else { return };
    let PrintStage::Printing {
        request: awaited,
        id,
        title,
    } = &v.stage
    else {
        return;
    };
    if *awaited != request {
        return;
    }
    let title = title.clone();
    let doc = v.documents.iter().position(|d| &d.id == id);
    v.stage = match outcome {
        PrintOutcome::Printed { .. } => {
            if let Some(i) = doc {
                v.documents[i].copies_left = v.documents[i].copies_left.saturating_sub(1);
            }
            PrintStage::Printed { title }
        }
        PrintOutcome::CopiesUsed | PrintOutcome::NotFound => {
            if let Some(i) = doc {
                v.documents[i].copies_left = 0;
            }
            PrintStage::Problem(PrintProblem::CopiesUsed)
        }
        PrintOutcome::HallUnreachable => PrintStage::Problem(PrintProblem::HallUnreachable),
        PrintOutcome::PrinterUnavailable => PrintStage::Problem(PrintProblem::PrinterUnavailable),
        PrintOutcome::PrinterFailed {
            failure,
            given_back,
        } => {
            if let (false, Some(i)) = (given_back, doc) {
                v.documents[i].copies_left = v.documents[i].copies_left.saturating_sub(1);
            }
            PrintStage::Problem(PrintProblem::PrinterFailed {
                failure,
                given_back,
            })
        }
    };
    v.documents.retain(|d| d.copies_left > 0);
}

/// The screen's prompt (spoken in elder mode).
pub(crate) fn prompt(v: &PrintsView, zh: bool) -> &'static str {
    let pick = |z: &'static str, e: &'static str| if zh { z } else { e };
    match v.stage {
        PrintStage::Waiting => pick(
            "请放置申请人本人的身份证，或扫描回执上的二维码。",
            "Place the applicant's own ID card, or scan the QR code on the receipt.",
        ),
        PrintStage::Loading(_) => pick("正在查询，请稍候。", "Looking it up, please wait."),
        PrintStage::List => pick("请选择要打印的文书。", "Choose the document to print."),
        PrintStage::Printing { .. } => pick(
            "正在打印，请稍候，不要离开。",
            "Printing, please wait here.",
        ),
        PrintStage::Printed { .. } => pick(
            "打印完成，请从下方打印机取走文书，并带好身份证。",
            "Printed. Please take the document from the printer below, and your ID card.",
        ),
        PrintStage::Problem(p) => p.text(zh),
    }
}
