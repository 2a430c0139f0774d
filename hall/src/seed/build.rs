//! Small builders that keep the seed catalog readable: one line per material and field.

use hall_api::catalog::{Fee, ItemKind, Material, ServiceItem};
use hall_api::form::{FieldKind, FieldRules, FormField, FormSchema, PrefillSource, SelectOption};

/// A material: originals, copies, required, reusable.
pub fn mat(
    code: &str,
    name: &str,
    originals: u32,
    copies: u32,
    required: bool,
    reusable: bool,
) -> Material {
    Material {
        code: code.into(),
        name: name.into(),
        name_en: None,
        originals,
        copies,
        required,
        reusable,
        note: None,
        satisfied_by_id_card: false,
        photographable: PHOTOGRAPHABLE.contains(&code),
    }
}

/// Materials the kiosk's document camera (高拍仪) may photograph: paper a citizen holds and
/// can lay flat (certificates, registers, contracts, receipts). Not photographs the hall
/// must have in print, forms to be signed in front of staff, nor files the citizen does not
/// hold (a personnel file), nor cards (the ID card counts by reading it).
const PHOTOGRAPHABLE: &[&str] = &[
    "hukoubu",
    "jiehunzheng",
    "benrenjiehunzheng",
    "chushengyixue",
    "canjirenzheng",
    "budongchanzheng",
    "fangchan",
    "tuiyizheng",
    "tuixiuzheng",
    "jiezhongzheng",
    "jiezhongchayan",
    "yingyezhizhao",
    "laodonghetong",
    "jiechuhetong",
    "hetong",
    "qinshuguanxi",
    "luhujieshaoxin",
    "huohuazhengming",
    "goufangfapiao",
    "wanshuipingzheng",
    "fapiao",
    "chuyuanxiaojie",
    "canbaopingzheng",
    "yibaopingzheng",
];

/// A material with a note saying when it is needed or how it must look.
pub fn mat_note(mut m: Material, note: &str) -> Material {
    m.note = Some(note.into());
    m
}

/// The applicant's ID card: shown, never kept (reading it at the kiosk counts).
pub fn id_card() -> Material {
    let mut m = mat_note(
        mat("sfz", "居民身份证", 1, 0, true, false),
        "在自助机上读卡即可",
    );
    m.satisfied_by_id_card = true;
    m
}

/// The household register (户口簿).
pub fn hukoubu() -> Material {
    mat("hukoubu", "居民户口簿", 1, 1, true, true)
}

fn field(key: &str, label: &str, kind: FieldKind, required: bool) -> FormField {
    FormField {
        key: key.into(),
        label: label.into(),
        label_en: None,
        kind,
        required,
        rules: FieldRules::default(),
        prefill: None,
        hint: None,
    }
}

/// 申请人姓名, from the card.
pub fn f_name() -> FormField {
    let mut f = field("applicantName", "申请人姓名", FieldKind::Text, true);
    f.rules.min_len = Some(2);
    f.rules.max_len = Some(30);
    f.prefill = Some(PrefillSource::Name);
    f
}

/// 公民身份号码, from the card.
pub fn f_id() -> FormField {
    let mut f = field(
        "applicantIdNumber",
        "公民身份号码",
        FieldKind::IdNumber,
        true,
    );
    f.prefill = Some(PrefillSource::IdNumber);
    f
}

/// 联系电话.
pub fn f_phone() -> FormField {
    let mut f = field("phone", "联系电话", FieldKind::Phone, true);
    f.hint = Some("用于办理进度短信通知".into());
    f
}

/// An address, optionally from the card.
pub fn f_address(key: &str, label: &str, from_card: bool) -> FormField {
    let mut f = field(key, label, FieldKind::Address, true);
    f.rules.min_len = Some(5);
    f.rules.max_len = Some(100);
    if from_card {
        f.prefill = Some(PrefillSource::Address);
    }
    f
}

/// Free text with a maximum length.
pub fn f_text(key: &str, label: &str, required: bool, max_len: u32) -> FormField {
    let mut f = field(key, label, FieldKind::Text, required);
    f.rules.max_len = Some(max_len);
    f
}

/// Another person's ID number (a child, a spouse).
pub fn f_other_id(key: &str, label: &str, required: bool) -> FormField {
    field(key, label, FieldKind::IdNumber, required)
}

/// A date in the past (births, events).
pub fn f_past_date(key: &str, label: &str) -> FormField {
    let mut f = field(key, label, FieldKind::Date, true);
    f.rules.not_future = true;
    f
}

/// A number in a range.
pub fn f_number(key: &str, label: &str, min: f64, max: f64, integer: bool) -> FormField {
    let mut f = field(key, label, FieldKind::Number, true);
    f.rules.min = Some(min);
    f.rules.max = Some(max);
    f.rules.integer = integer;
    f
}

/// A select from (value, label) pairs.
pub fn f_select(key: &str, label: &str, options: &[(&str, &str)]) -> FormField {
    let options = options
        .iter()
        .map(|(v, l)| SelectOption {
            value: (*v).into(),
            label: (*l).into(),
            label_en: None,
        })
        .collect();
    field(key, label, FieldKind::Select { options }, true)
}

/// The declaration every application ends with (承诺制).
pub fn f_declaration() -> FormField {
    let mut f = field(
        "declaration",
        "本人承诺所填信息及所交材料真实有效",
        FieldKind::Checkbox,
        true,
    );
    f.rules.must_be_checked = true;
    f
}

/// Builds a service item step by step.
#[derive(Debug)]
pub struct ItemBuilder(ServiceItem);

/// Starts an item: code, name, department code, kind, summary.
pub fn item(
    code: &str,
    name: &str,
    department: &str,
    kind: ItemKind,
    summary: &str,
) -> ItemBuilder {
    ItemBuilder(ServiceItem {
        code: code.into(),
        name: name.into(),
        name_en: None,
        department: department.into(),
        kind,
        summary: summary.into(),
        materials: Vec::new(),
        fee: Fee {
            amount_fen: 0,
            note: "不收费".into(),
        },
        legal_limit_days: None,
        promised_limit_days: 0,
        kiosk_completable: true,
        cross_province: false,
        mail_delivery: false,
        form: FormSchema::default(),
    })
}

impl ItemBuilder {
    /// The materials list.
    pub fn materials(mut self, m: Vec<Material>) -> Self {
        self.0.materials = m;
        self
    }
    /// Legal and promised limits in working days.
    pub fn limits(mut self, legal: Option<u32>, promised: u32) -> Self {
        self.0.legal_limit_days = legal;
        self.0.promised_limit_days = promised;
        self
    }
    /// A fee in fen with its basis.
    pub fn fee(mut self, fen: u64, note: &str) -> Self {
        self.0.fee = Fee {
            amount_fen: fen,
            note: note.into(),
        };
        self
    }
    /// 跨省通办.
    pub fn cross_province(mut self) -> Self {
        self.0.cross_province = true;
        self
    }
    /// 免费邮寄.
    pub fn mail(mut self) -> Self {
        self.0.mail_delivery = true;
        self
    }
    /// Only informed and booked at the kiosk, done at the window.
    pub fn window_only(mut self) -> Self {
        self.0.kiosk_completable = false;
        self
    }
    /// The form fields, ending with the declaration.
    pub fn form(mut self, mut fields: Vec<FormField>) -> ServiceItem {
        fields.push(f_declaration());
        self.0.form = FormSchema { fields };
        self.0
    }
}
