//! The 领取方式 screen (`delivery.slint`): 免费邮寄 or 窗口领取, and the mailing address typed on the keyboard.

use std::rc::Rc;

use kiosk_ui::generated as ui;
use kiosk_ui::screen::delivery::{AddressField, AddressVm, DeliveryVm};
use kiosk_ui::screen::Paging;
use slint::ComponentHandle;

use super::{open_box, shown, Typing};
use crate::display::frontend::{list_restart, list_step, on0, on1, Frontend};
use crate::display::map::content;
use crate::session::{Session, TextField, UiInput};

/// The session's text field of an address box (the one table between the two).
impl From<AddressField> for TextField {
    fn from(field: AddressField) -> Self {
        match field {
            AddressField::Recipient => TextField::Recipient,
            AddressField::Phone => TextField::RecipientPhone,
            AddressField::Region => TextField::Region,
            AddressField::Detail => TextField::AddressDetail,
        }
    }
}

/// The address box a session text field is, if any.
pub fn address_field(field: TextField) -> Option<AddressField> {
    AddressField::ALL
        .into_iter()
        .find(|&f| TextField::from(f) == field)
}

/// 免费邮寄 or pick-up, and the address.
pub fn view(s: &Session, typing: Typing<'_>) -> DeliveryVm {
    let Some(t) = s.transaction.as_ref() else {
        return DeliveryVm::default();
    };
    let a = &t.address;
    let errors = t
        .address_errors
        .iter()
        .filter_map(|e| {
            let key = e.field.rsplit('.').next().unwrap_or_default();
            let field = match key {
                "recipient" => AddressField::Recipient,
                "phone" => AddressField::Phone,
                "region" => AddressField::Region,
                "detail" => AddressField::Detail,
                _ => return None,
            };
            Some((field, e.message.clone()))
        })
        .collect();
    let department = t
        .items
        .first()
        .and_then(|code| s.catalog.as_ref()?.item(code))
        .and_then(|item| s.catalog.as_ref()?.department(&item.department));
    DeliveryVm {
        item_name: content(s, &t.title, t.title_en.as_deref()),
        mail: t.mail,
        pickup_place: department.map_or_else(String::new, |d| {
            format!("{} {}", content(s, &d.name, d.name_en.as_deref()), d.window)
        }),
        address: AddressVm {
            recipient: shown(typing, TextField::Recipient, &a.recipient),
            phone: shown(typing, TextField::RecipientPhone, &a.phone),
            region: shown(typing, TextField::Region, &a.region),
            detail: shown(typing, TextField::AddressDetail, &a.detail),
        },
        errors,
        active: typing.and_then(|(f, _)| address_field(f)),
        shown: AddressField::ALL.to_vec(),
        paging: Paging::default(),
    }
}

/// Cuts the address boxes into pages of `rows` (0: all four on one): page `page`, or with
/// none chosen the page of the first box still empty, else of the first with an error, else
/// `last` (the page shown before).
pub fn page(v: &mut DeliveryVm, page: Option<usize>, rows: usize, last: usize) {
    let mut shown = AddressField::ALL.to_vec();
    let page = page.unwrap_or_else(|| {
        let todo = AddressField::ALL
            .iter()
            .position(|&f| v.address.get(f).trim().is_empty())
            .or_else(|| {
                AddressField::ALL
                    .iter()
                    .position(|f| v.errors.iter().any(|(e, _)| e == f))
            })
            .map(|todo| todo.checked_div(rows).unwrap_or(0));
        todo.unwrap_or(last)
    });
    v.paging = Paging::cut(&mut shown, page, rows);
    v.shown = shown;
}

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let app = &f.app;
    let delivery = app.global::<ui::DeliveryAdapter<'_>>();
    delivery.on_choose_mail(on1(f, |f, mail: bool| f.press(UiInput::ChooseMail(mail))));
    delivery.on_activate(on1(f, |f, i: i32| {
        if let Some(field) = AddressField::from_index(i) {
            // Once typed, the page goes on to the next box still to fill.
            list_restart(f);
            open_box(f, field.into());
        }
    }));
    delivery.on_next(on0(f, |f| {
        // Refused: the page of the first box to put right.
        list_restart(f);
        f.press(UiInput::Next);
    }));
    delivery.on_prev_page(on0(f, |f| list_step(f, false)));
    delivery.on_next_page(on0(f, |f| list_step(f, true)));
    delivery.on_back(on0(f, |f| f.press(UiInput::Back)));
}
