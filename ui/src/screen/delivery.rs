//! 领取方式 (`delivery.slint`): 免费邮寄 or 窗口领取, and the mailing address.

use slint::ComponentHandle;

use super::{at, index_or_none, model, position, s, Paging};
use crate::generated as ui;

/// A box of the mailing address, in screen order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressField {
    /// 收件人.
    Recipient,
    /// 联系电话.
    Phone,
    /// 省/市/区县.
    Region,
    /// Street, number, room.
    Detail,
}

impl AddressField {
    /// The boxes in screen order.
    pub const ALL: [AddressField; 4] = [
        AddressField::Recipient,
        AddressField::Phone,
        AddressField::Region,
        AddressField::Detail,
    ];

    /// Position on screen (the index the delivery screen's `activate` reports).
    pub fn index(self) -> usize {
        position(&AddressField::ALL, &self)
    }

    /// The box at a screen position.
    pub fn from_index(index: i32) -> Option<AddressField> {
        at(&AddressField::ALL, index)
    }
}

/// The mailing address as typed (shown to the citizen who types it, so not masked).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressVm {
    /// 收件人.
    pub recipient: String,
    /// 联系电话.
    pub phone: String,
    /// 省/市/区县.
    pub region: String,
    /// Street, number, room.
    pub detail: String,
}

impl AddressVm {
    /// The text of one box.
    pub fn get(&self, field: AddressField) -> &str {
        match field {
            AddressField::Recipient => &self.recipient,
            AddressField::Phone => &self.phone,
            AddressField::Region => &self.region,
            AddressField::Detail => &self.detail,
        }
    }

    /// The text of one box, to edit.
    pub fn get_mut(&mut self, field: AddressField) -> &mut String {
        match field {
            AddressField::Recipient => &mut self.recipient,
            AddressField::Phone => &mut self.phone,
            AddressField::Region => &mut self.region,
            AddressField::Detail => &mut self.detail,
        }
    }
}

/// The delivery screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryVm {
    /// The item's or bundle's name.
    pub item_name: String,
    /// 免费邮寄 (true) or 窗口领取 (false).
    pub mail: bool,
    /// Where to collect the result at the hall.
    pub pickup_place: String,
    /// The address.
    pub address: AddressVm,
    /// Errors by box (from the session's `address_errors`).
    pub errors: Vec<(AddressField, String)>,
    /// The box the keyboard types into.
    pub active: Option<AddressField>,
    /// The boxes shown when not typing: all four, or a page of them (reach mode with elder
    /// mode, one at a time).
    pub shown: Vec<AddressField>,
    /// The page of boxes shown.
    pub paging: Paging,
}

fn index_i32(f: AddressField) -> i32 {
    i32::try_from(f.index()).unwrap_or(0)
}

/// 免费邮寄 or pick-up, and the address with its errors.
pub fn apply_delivery(app: &ui::AppWindow, vm: &DeliveryVm) {
    let g = app.global::<ui::DeliveryAdapter<'_>>();
    g.set_item_name(s(&vm.item_name));
    g.set_mail(vm.mail);
    g.set_pickup_place(s(&vm.pickup_place));
    g.set_address(model(
        AddressField::ALL
            .iter()
            .map(|&f| ui::AddressBox {
                value: s(vm.address.get(f)),
                error: vm
                    .errors
                    .iter()
                    .find(|(ef, _)| *ef == f)
                    .map(|(_, e)| s(e))
                    .unwrap_or_default(),
            })
            .collect(),
    ));
    let shown: Vec<i32> = if vm.shown.is_empty() {
        AddressField::ALL.iter().map(|&f| index_i32(f)).collect()
    } else {
        vm.shown.iter().map(|&f| index_i32(f)).collect()
    };
    g.set_shown(model(shown));
    vm.paging.apply(|t, p, n| {
        g.set_page_text(t);
        g.set_has_prev(p);
        g.set_has_next(n);
    });
    // The keyboard only opens on the address while mailing.
    g.set_active(index_or_none(
        vm.active.filter(|_| vm.mail).map(AddressField::index),
    ));
}
