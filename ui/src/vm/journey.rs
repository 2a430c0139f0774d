//! View models of the application path around the form: identify (card, scan or browse), the
//! materials handed in, delivery (mail or pick-up, the address) and submitting.

/// 我要办事: how the citizen can go on, as the devices allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdentifyVm {
    /// The ID-card reader works (the session's `Offers::id_card`).
    pub card_offered: bool,
    /// The scanner works: receipts and appointment codes can be scanned (`Offers::scan`).
    pub scan_offered: bool,
    /// A catalog is loaded: the guides can be browsed without a card (`Offers::browse`).
    pub browse_offered: bool,
}

impl Default for IdentifyVm {
    fn default() -> Self {
        IdentifyVm {
            card_offered: true,
            scan_offered: true,
            browse_offered: true,
        }
    }
}

/// One material of the application as it will be given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandInLine {
    /// Catalog material code (what `SetMaterialSource` names).
    pub code: String,
    /// What it is.
    pub name: String,
    /// How and how many (原件 1 份…), worded for the citizen.
    pub form: String,
    /// The hall holds a copy: the citizen may choose reuse (the session's `MaterialLine::held`).
    pub can_reuse: bool,
    /// Given by reuse (true) or handed in later at the window or by post (false).
    pub reused: bool,
    /// Given by reading the applicant's ID card at this kiosk (the catalog says the card
    /// counts for this material): nothing to hand in, no choice to make.
    pub by_id_card: bool,
    /// The document camera may photograph it now (the catalog allows it and the camera
    /// works): 拍照提交 is offered.
    pub can_photograph: bool,
    /// Photographed at this kiosk: its pages (`Some(pages)`) go to the hall as one PDF.
    pub scanned_pages: Option<u32>,
}

/// The materials screen (after the form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MaterialsVm {
    /// The item's or bundle's name.
    pub item_name: String,
    /// Every material once.
    pub materials: Vec<HandInLine>,
    /// The hall could not say which materials it holds: all are handed in later.
    pub reuse_unknown: bool,
    /// The page of materials shown (`materials` holds that page only).
    pub paging: super::Paging,
}

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
        match self {
            AddressField::Recipient => 0,
            AddressField::Phone => 1,
            AddressField::Region => 2,
            AddressField::Detail => 3,
        }
    }

    /// The box at a screen position.
    pub fn from_index(index: i32) -> Option<AddressField> {
        usize::try_from(index)
            .ok()
            .and_then(|i| AddressField::ALL.get(i).copied())
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
    pub paging: super::Paging,
}

/// The submitting screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubmittingVm {
    /// The item's or bundle's name.
    pub item_name: String,
}
