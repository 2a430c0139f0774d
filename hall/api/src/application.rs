//! Applications: what the kiosk submits (`POST /api/v1/applications` with an
//! `Idempotency-Key`), the receipt it gets back, the status loop 受理 → 承办 → 办结 → 反馈 → 回访
//! (with 不予受理 and 补正), and the citizen's progress query by tracking code plus verifier.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

pub use crate::contact::{ContactQuery, KnownContact, KnownPhone};
use crate::form::FormValues;
use vocab::mask::{mask_id_number, mask_name};

/// What an application is for: one item, or a 一件事 bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", tag = "type", content = "code")]
pub enum Subject {
    /// A single service item, by item code.
    Item(String),
    /// A bundle, by bundle code; the form is the bundle's merged form.
    Bundle(String),
}

/// The body of `POST /api/v1/applications`. Personal data: its `Debug` output shows no form
/// value, and every copy wipes its form values (phone, address, …) from memory when dropped
/// (the applicant and a mailing address wipe themselves).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateApplication {
    /// The item or bundle applied for.
    pub subject: Subject,
    /// The catalog version the kiosk showed (kept for audit; an old version is accepted as
    /// long as the item still exists and the form validates against the current schema).
    pub catalog_version: String,
    /// Who applies (from the ID card).
    pub applicant: Applicant,
    /// Form values by field key.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub fields: FormValues,
    /// Materials given with this application.
    #[serde(default)]
    pub materials: Vec<HandedInMaterial>,
    /// How the result reaches the citizen.
    pub delivery: Delivery,
    /// When the citizen pressed submit, by the kiosk's clock.
    pub submitted_at: DateTime<Utc>,
    /// The citizen ticked "send progress notices to my phone" (off unless ticked): the hall
    /// texts the form's phone number on 受理, 补正, 不予受理 and 办结, and never otherwise.
    #[serde(default)]
    pub notify_consent: bool,
    /// 跨省通办: the partner place (`Catalog::partners[].code`) where the matter belongs; the
    /// hall takes it in here (代收) and forwards it there. `None`: this county. Only for items
    /// with `cross_province`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handled_by: Option<String>,
    /// A token from `POST /api/v1/citizen/contact` standing for the phone number the citizen
    /// gave the hall before (with consent): the hall fills the form's phone field from its
    /// own record before validation. A bad, expired or foreign token is a 422 on the phone
    /// field, and the kiosk asks the citizen to type the number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_token: Option<String>,
}

impl Drop for CreateApplication {
    fn drop(&mut self) {
        wipe_values(&mut self.fields);
    }
}

impl fmt::Debug for CreateApplication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Field keys (`phone`) are the catalog's, not the citizen's; the values never show.
        let keys: Vec<&str> = self.fields.keys().map(String::as_str).collect();
        f.debug_struct("CreateApplication")
            .field("subject", &self.subject)
            .field("catalog_version", &self.catalog_version)
            .field("applicant", &self.applicant)
            .field("fields", &format_args!("<values of {keys:?}>"))
            .field("materials", &self.materials)
            .field("delivery", &self.delivery)
            .field("submitted_at", &self.submitted_at)
            .field("notify_consent", &self.notify_consent)
            .field("handled_by", &self.handled_by)
            .field("phone_token", &self.phone_token.as_ref().map(|_| "<token>"))
            .finish()
    }
}

/// Overwrites every string in form values with zeros and drops the rest: what the citizen
/// typed does not linger in freed memory.
pub fn wipe_values(values: &mut FormValues) {
    fn wipe(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(text) => text.zeroize(),
            serde_json::Value::Array(items) => items.iter_mut().for_each(wipe),
            serde_json::Value::Object(map) => map.values_mut().for_each(wipe),
            _ => {}
        }
        *value = serde_json::Value::Null;
    }
    values.values_mut().for_each(wipe);
}

/// The applicant's identity. Personal data: its `Debug` output is masked and it is wiped
/// from memory when dropped.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Applicant {
    /// 公民身份号码.
    pub id_number: String,
    /// 姓名.
    pub name: String,
}

impl fmt::Debug for Applicant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Applicant")
            .field("id_number", &mask_id_number(&self.id_number))
            .field("name", &mask_name(&self.name))
            .finish()
    }
}

/// How one material was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum MaterialSource {
    /// Scanned at the kiosk.
    Scanned,
    /// Reused from an earlier application (the hall said it has it).
    Reused,
    /// To be handed in at the window or mailed later.
    Later,
    /// Satisfied by reading the applicant's ID card at the kiosk (only for a catalog material
    /// with `satisfiedByIdCard`; 422 otherwise). The hall shows the masked number of the
    /// applicant, never the card's photo, which is not sent.
    IdCardRead,
}

/// A material given with the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HandedInMaterial {
    /// The material code from the catalog.
    pub code: String,
    /// How it was given.
    pub source: MaterialSource,
    /// Pages scanned (0 unless scanned).
    #[serde(default)]
    pub pages: u32,
    /// The SHA-256 (hex) of each uploaded attachment of this material (source `scanned`:
    /// uploaded first by this kiosk, see [`crate::attachment`]; source `reused`: a hash the
    /// hall offered in [`ReusableMaterials`] for this applicant).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
}

/// How the result reaches the citizen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", tag = "method")]
pub enum Delivery {
    /// Collected at the hall's window.
    PickUp,
    /// 免费邮寄 to this address.
    Mail {
        /// Where to.
        address: MailingAddress,
    },
}

/// A mailing address. Personal data: its `Debug` output is masked; wiped when dropped.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MailingAddress {
    /// 收件人.
    pub recipient: String,
    /// 联系电话.
    pub phone: String,
    /// 省/市/区县, e.g. `浙江省杭州市临安区`.
    pub region: String,
    /// Street, number, building, room.
    pub detail: String,
}

impl fmt::Debug for MailingAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailingAddress")
            .field("recipient", &mask_name(&self.recipient))
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// Where an application stands, along 受理 → 承办 → 办结 → 反馈 → 回访.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum Status {
    /// 已提交: received from the kiosk, waiting for a window to accept it.
    Submitted,
    /// 受理: accepted.
    Accepted,
    /// 承办: being handled by the department.
    Processing,
    /// 办结: decided / done.
    Concluded,
    /// 反馈: the result was given to the citizen.
    Feedback,
    /// 回访: the call-back happened; the loop is closed.
    Revisited,
    /// 不予受理: refused, with a reason.
    Rejected,
    /// 补正: something is missing or wrong; the reason says what.
    CorrectionRequired,
}

impl Status {
    /// Every status, in the loop's order, then the two side branches.
    pub const ALL: [Status; 8] = [
        Status::Submitted,
        Status::Accepted,
        Status::Processing,
        Status::Concluded,
        Status::Feedback,
        Status::Revisited,
        Status::Rejected,
        Status::CorrectionRequired,
    ];

    /// The wire spelling (`submitted`, `correctionRequired`, …), as serde writes it and the
    /// database stores it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Accepted => "accepted",
            Status::Processing => "processing",
            Status::Concluded => "concluded",
            Status::Feedback => "feedback",
            Status::Revisited => "revisited",
            Status::Rejected => "rejected",
            Status::CorrectionRequired => "correctionRequired",
        }
    }

    /// The status a wire spelling names.
    pub fn from_wire(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Chinese label shown on the progress page and receipts.
    pub fn label_zh(self) -> &'static str {
        match self {
            Status::Submitted => "已提交",
            Status::Accepted => "受理",
            Status::Processing => "承办",
            Status::Concluded => "办结",
            Status::Feedback => "反馈",
            Status::Revisited => "回访",
            Status::Rejected => "不予受理",
            Status::CorrectionRequired => "补正",
        }
    }

    /// Whether staff may move an application from `self` to `next`.
    pub fn can_move_to(self, next: Status) -> bool {
        use Status::*;
        matches!(
            (self, next),
            (Submitted, Accepted | Rejected | CorrectionRequired)
                | (CorrectionRequired, Accepted | Rejected)
                | (Accepted, Processing | CorrectionRequired)
                | (Processing, Concluded | CorrectionRequired)
                | (Concluded, Feedback)
                | (Feedback, Revisited)
        )
    }

    /// Whether moving into this status needs a reason (不予受理 and 补正 do).
    pub fn needs_reason(self) -> bool {
        matches!(self, Status::Rejected | Status::CorrectionRequired)
    }
}

/// The receipt data the kiosk prints: returned by a create, and identically by a replay
/// with the same `Idempotency-Key` and body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApplicationReceipt {
    /// Internal id (for staff endpoints).
    pub id: String,
    /// 办件编号 printed on the receipt and in its QR code.
    pub tracking_code: String,
    /// The secret printed beside it; the progress query needs both.
    pub verifier: String,
    /// The item or bundle.
    pub subject: Subject,
    /// Status right after intake.
    pub status: Status,
    /// When the hall recorded it.
    pub received_at: DateTime<Utc>,
    /// The promised completion date (承诺办结), counting working days from intake.
    pub promised_by: NaiveDate,
}

/// One step of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TimelineEntry {
    /// The status entered.
    pub status: Status,
    /// When.
    pub at: DateTime<Utc>,
    /// The reason (不予受理, 补正) or a note for the citizen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The body of the staff endpoint `POST /api/v1/applications/{id}/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusChange {
    /// The status to move to.
    pub to: Status,
    /// Required for 不予受理 and 补正; otherwise an optional note for the citizen.
    #[serde(default)]
    pub note: Option<String>,
}

/// The body of `POST /api/v1/progress`: both halves printed on the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProgressQuery {
    /// 办件编号.
    pub tracking_code: String,
    /// The verifier.
    pub verifier: String,
}

/// A citizen's applications, found by the ID card on the kiosk's reader (newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProgressList {
    /// At most 20, newest first.
    pub applications: Vec<Progress>,
}

/// What a citizen (or staff) sees of an application: no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// 办件编号.
    pub tracking_code: String,
    /// The item or bundle.
    pub subject: Subject,
    /// Its name (item or bundle name).
    pub subject_name: String,
    /// Current status.
    pub status: Status,
    /// Every step so far, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// The promised completion date.
    pub promised_by: NaiveDate,
    /// Whether the result is mailed (免费邮寄).
    pub mailed: bool,
    /// Whether a 好差评 rating was given.
    pub rated: bool,
    /// 跨省通办: the partner place handling it (taken in here, 代收); its stage changes appear
    /// in the timeline. `None`: handled by this county.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handled_by: Option<crate::catalog::PartnerPlace>,
}

/// The body of `POST /api/v1/materials/reusable` (a POST so the ID number stays out of URLs
/// and access logs). Wiped when dropped.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReusableMaterialsQuery {
    /// The citizen's ID number, read from the card.
    pub id_number: String,
}

impl fmt::Debug for ReusableMaterialsQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReusableMaterialsQuery")
            .field("id_number", &mask_id_number(&self.id_number))
            .finish()
    }
}

/// Materials the hall already holds for a citizen, which the kiosk marks as reused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReusableMaterials {
    /// One entry per material code, the latest hand-in.
    pub materials: Vec<ReusableMaterial>,
    /// Result documents of the citizen's earlier applications the hall holds (newest first):
    /// a kiosk may reference one by its hash in a material with source `reused`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<HeldDocument>,
}

/// A result document of an earlier application (a 户籍证明, a 不动产查询结果), held by the
/// hall and reusable as a material of a new application by the same citizen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct HeldDocument {
    /// Its title.
    pub title: String,
    /// The item or bundle name of the application it came from.
    pub subject_name: String,
    /// Its SHA-256 (hex), to list in `HandedInMaterial::attachments`.
    pub sha256: String,
    /// When staff attached it.
    pub issued_at: DateTime<Utc>,
}

/// One material held from an earlier application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReusableMaterial {
    /// The material code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// When it was handed in.
    pub handed_in_at: DateTime<Utc>,
    /// The uploads the hall holds for it (SHA-256 hex), to list in
    /// `HandedInMaterial::attachments` with source `reused` instead of uploading again; the
    /// hall checks they belong to the same applicant. Empty where it was handed in on paper.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
    /// Until when the hall accepts these uploads for reuse (none: paper, no limit stated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<DateTime<Utc>>,
}

/// What staff see of an application (`GET /api/v1/applications/{id}/details`): the progress
/// plus the personal payload, unsealed for this response only. Wiped when dropped where the
/// type allows; `Debug` masks the applicant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApplicationDetails {
    /// Where it stands.
    pub progress: Progress,
    /// The kiosk that took it in.
    pub kiosk_id: String,
    /// Who applies.
    pub applicant: Applicant,
    /// Form values.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub fields: FormValues,
    /// Materials given.
    pub materials: Vec<HandedInMaterial>,
    /// How the result reaches the citizen.
    pub delivery: Delivery,
    /// When the citizen pressed submit, by the kiosk's clock.
    pub submitted_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_is_stored_as_serde_spells_it() {
        for status in Status::ALL {
            let json = serde_json::to_value(status).unwrap();
            assert_eq!(json.as_str(), Some(status.as_str()));
            assert_eq!(Status::from_wire(status.as_str()), Some(status));
        }
        assert_eq!(Status::from_wire("Submitted"), None);
    }

    const PHONE: &str = "13812345678";
    const STREET: &str = "人民路88号3幢501室";
    const ID_NUMBER: &str = "11010519491231002X";

    fn application() -> CreateApplication {
        let mut fields = FormValues::new();
        fields.insert("phone".into(), serde_json::json!(PHONE));
        fields.insert("homeAddress".into(), serde_json::json!(STREET));
        fields.insert(
            "children".into(),
            serde_json::json!([{"name": "欧阳小明", "age": 7}]),
        );
        CreateApplication {
            subject: Subject::Item("GG-000245-001".into()),
            catalog_version: "2024.05".into(),
            applicant: Applicant {
                id_number: ID_NUMBER.into(),
                name: "欧阳明月".into(),
            },
            fields,
            materials: Vec::new(),
            delivery: Delivery::Mail {
                address: MailingAddress {
                    recipient: "欧阳明月".into(),
                    phone: "13900001111".into(),
                    region: "浙江省杭州市临安区".into(),
                    detail: STREET.into(),
                },
            },
            submitted_at: DateTime::<Utc>::UNIX_EPOCH,
            notify_consent: false,
            handled_by: None,
            phone_token: None,
        }
    }

    #[test]
    fn debug_shows_no_value_the_citizen_gave() {
        let mut app = application();
        app.phone_token = Some("67a1b2c3.00112233445566778899aabbccddeeff".into());
        let text = format!("{app:?}");
        for secret in [
            "00112233445566778899",
            PHONE,
            STREET,
            ID_NUMBER,
            "欧阳明月",
            "欧阳小明",
            "13900001111",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        // What a technician needs is there.
        assert!(
            text.contains("GG-000245-001") && text.contains("\"phone\""),
            "{text}"
        );
    }

    #[test]
    fn form_values_are_wiped_to_nothing() {
        let mut app = application();
        wipe_values(&mut app.fields);
        assert!(app.fields.values().all(serde_json::Value::is_null));
        assert_eq!(app.fields.len(), 3, "the keys stay, the values go");
    }

    #[test]
    fn the_wire_format_is_unchanged() {
        let json = serde_json::to_value(application()).expect("serialize");
        assert_eq!(json["fields"]["phone"], PHONE);
        assert_eq!(json["applicant"]["idNumber"], ID_NUMBER);
        assert_eq!(json["delivery"]["method"], "mail");
        let back: CreateApplication = serde_json::from_value(json).expect("round trip");
        assert_eq!(back, application());
    }
}
