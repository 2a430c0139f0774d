//! The 自助打印 screen (`prints.slint`): whose documents (masked), the list with copies left,
//! printing, printed, and what went wrong with what to do; and the home tile's readiness.

use std::rc::Rc;

use hall_api::attachment::PrintableQuery;
use kiosk_ui::generated as ui;
use kiosk_ui::screen::prints::{PrintRowVm, PrintsStage, PrintsVm};
use slint::{ComponentHandle, SharedString};
use vocab::mask::mask_id_number;

use crate::display::frontend::{on0, on1, Frontend};
use crate::display::map::tr;
use crate::session::prints::prompt;
use crate::session::{PrintStage, Screen, Session, UiInput};

/// Whose documents, as the screen shows it: the number masked, or the receipt's code.
fn who(s: &Session, proof: Option<&PrintableQuery>) -> String {
    match proof {
        Some(PrintableQuery::IdCard { id_number }) => {
            format!(
                "{}{}",
                tr(s, "身份证 ", "ID card "),
                mask_id_number(id_number)
            )
        }
        Some(PrintableQuery::Receipt { tracking_code, .. }) => {
            format!("{}{tracking_code}", tr(s, "回执 ", "Receipt "))
        }
        None => String::new(),
    }
}

/// The 自助打印 screen.
pub fn view(s: &Session) -> PrintsVm {
    let Screen::Prints(v) = &s.screen else {
        return PrintsVm::default();
    };
    let zh = s.is_chinese();
    let stage = match &v.stage {
        PrintStage::Waiting => PrintsStage::Waiting,
        PrintStage::Loading(_) => PrintsStage::Loading,
        PrintStage::List => PrintsStage::List,
        PrintStage::Printing { .. } => PrintsStage::Printing,
        PrintStage::Printed { .. } => PrintsStage::Printed,
        PrintStage::Problem(_) => PrintsStage::Problem,
    };
    let message = match &v.stage {
        PrintStage::Printing { title, .. } => {
            format!("{}{title}", tr(s, "正在打印：", "Printing: "))
        }
        PrintStage::Printed { title } => format!(
            "{}{title}{}",
            tr(s, "已打印：", "Printed: "),
            tr(
                s,
                "。请从打印机取走文书，并带好身份证。",
                ". Take it from the printer, and your ID card."
            )
        ),
        _ => prompt(v, zh).to_owned(),
    };
    let documents = v
        .documents
        .iter()
        .map(|d| PrintRowVm {
            id: d.id.clone(),
            title: d.title.clone(),
            item: d.subject_name.clone(),
            date: format!(
                "{}{}",
                tr(s, "办结文书 ", "Issued "),
                crate::citizen::runner::local_time(d.attached_at).format("%Y-%m-%d")
            ),
            copies: if zh {
                format!("可打印 {} 份", d.copies_left)
            } else if d.copies_left == 1 {
                "1 copy left".to_owned()
            } else {
                format!("{} copies left", d.copies_left)
            },
        })
        .collect();
    PrintsVm {
        stage,
        message,
        who: who(s, v.proof.as_ref()),
        documents,
        can_retry: s.citizen.is_some(),
    }
}

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let app = &f.app;
    let g = app.global::<ui::PrintsAdapter<'_>>();
    g.on_print(on1(f, |f, id: SharedString| {
        f.press(UiInput::PrintDocument(id.to_string()));
    }));
    g.on_another(on0(f, |f| f.press(UiInput::ShowPrintList)));
    g.on_retry(on0(f, |f| f.press(UiInput::PrintsByCard)));
    g.on_done(on0(f, |f| f.press(UiInput::Done)));
    app.global::<ui::HomeAdapter<'_>>()
        .on_self_print(on0(f, |f| f.press(UiInput::OpenPrints)));
}
