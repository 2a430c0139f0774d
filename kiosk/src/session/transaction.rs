//! The application being prepared: the chosen item or 一件事 bundle with its merged materials
//! and form (each shared material and field once), the values typed, the materials' sources,
//! the delivery choice, and the submission once made.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use hall_api::application::ReusableMaterial;
use hall_api::application::{
    Applicant, ApplicationReceipt, CreateApplication, Delivery, HandedInMaterial, MailingAddress,
    MaterialSource, Subject,
};
use hall_api::catalog::{Catalog, Fee, Material};
use hall_api::form::{FieldError, FieldKind, FieldRules, FormField, FormSchema, SelectOption};
use serde_json::Value;

use super::capture::{Capture, ScannedDoc};

use super::citizen::Citizen;
use super::config::Now;
use super::personal::{PersonalText, PersonalValues};
use super::state::RequestId;

/// One material as the citizen sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct MaterialLine {
    /// The material (for a bundle: the largest counts any item asks).
    pub material: Material,
    /// The item codes that need it.
    pub for_items: Vec<String>,
    /// The hall holds a copy from an earlier application (shown as 可复用).
    pub held: bool,
    /// How it will be given.
    pub source: MaterialSource,
    /// The uploads the hall holds of it for this citizen (已有材料), still valid: listed with
    /// source `reused` so the hall links the same files again.
    pub held_attachments: Vec<String>,
    /// Its pages photographed here, as one PDF (source `scanned`).
    pub scan: Option<ScannedDoc>,
}

/// Where the reusable-materials lookup stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub enum ReuseLookup {
    /// Not asked yet (no citizen yet).
    NotAsked,
    /// Asked; waiting.
    Pending(RequestId),
    /// Answered; `held` is set on the lines.
    Done,
    /// The hall could not say; everything is handed in later.
    Unavailable,
}

/// The address being typed for 免费邮寄.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct AddressDraft {
    /// 收件人.
    pub recipient: PersonalText,
    /// 联系电话.
    pub phone: PersonalText,
    /// 省/市/区县.
    pub region: PersonalText,
    /// Street, number, room.
    pub detail: PersonalText,
}

/// Where the submission stands.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub enum Submission {
    /// Handed to the service; waiting for its answer.
    Pending {
        /// The application's idempotency key.
        key: String,
    },
    /// The hall has it: tracking code and verifier.
    Delivered {
        /// The idempotency key.
        key: String,
        /// The hall's receipt.
        receipt: ApplicationReceipt,
    },
    /// Stored in the kiosk's outbox; it will be sent automatically.
    Queued {
        /// The idempotency key (printed as the local reference).
        key: String,
    },
}

impl Submission {
    /// The idempotency key.
    pub fn key(&self) -> &str {
        match self {
            Submission::Pending { key }
            | Submission::Delivered { key, .. }
            | Submission::Queued { key } => key,
        }
    }
}

/// The application being prepared.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct Transaction {
    /// Item or bundle.
    pub subject: Subject,
    /// Its name.
    pub title: String,
    /// Its English name, where the hall wrote one.
    pub title_en: Option<String>,
    /// Its guidance (办理条件).
    pub summary: String,
    /// The item codes (one, or the bundle's in order).
    pub items: Vec<String>,
    /// Every material once.
    pub materials: Vec<MaterialLine>,
    /// The form, each field once.
    #[cfg_attr(test, serde(skip))]
    pub form: FormSchema,
    /// Fees of the items, for the guide.
    pub fees: Vec<Fee>,
    /// The longest promised time limit of the items, in working days (0: 即办).
    pub promised_days: u32,
    /// Every item can be completed at the kiosk.
    pub kiosk_completable: bool,
    /// Every item allows 免费邮寄.
    pub mail_allowed: bool,
    /// The values typed or prefilled.
    pub values: PersonalValues,
    /// Keys whose value came from the card and was not changed (marked on screen).
    pub prefilled: BTreeSet<String>,
    /// Field errors by key, as the citizen types and after a refusal.
    pub errors: BTreeMap<String, FieldError>,
    /// The reusable-materials lookup.
    pub reuse: ReuseLookup,
    /// Mail the result (only if `mail_allowed`).
    pub mail: bool,
    /// The mailing address.
    pub address: AddressDraft,
    /// Errors in the address.
    pub address_errors: Vec<FieldError>,
    /// The submission, once made.
    pub submission: Option<Submission>,
    /// The citizen ticked "text me the progress" on the review screen (off until ticked).
    pub notify_consent: bool,
    /// The catalog version the citizen saw.
    pub catalog_version: String,
    /// Asking the hall for the phone number the citizen gave it before (with consent).
    pub contact: ReuseLookup,
    /// That number, masked, with the token that stands for it; never the number itself.
    pub known_phone: Option<hall_api::contact::KnownPhone>,
    /// The citizen chose it with one touch: the hall fills the phone field from the token.
    pub use_known_phone: bool,
    /// The material being photographed with the document camera, if any.
    pub capture: Option<Capture>,
}

impl Transaction {
    /// A transaction for one item, or `None` if the catalog has no such item.
    pub fn for_item(catalog: &Catalog, code: &str) -> Option<Transaction> {
        let item = catalog.item(code)?;
        let materials = item
            .materials
            .iter()
            .map(|m| line(m.clone(), vec![item.code.clone()]))
            .collect();
        Some(Transaction::new(
            catalog,
            Subject::Item(item.code.clone()),
            (item.name.clone(), item.name_en.clone()),
            item.summary.clone(),
            vec![item.code.clone()],
            materials,
            item.form.clone(),
        ))
    }

    /// A transaction for a 一件事 bundle, each shared material and field once; `None` if the
    /// bundle is unknown or names an unknown item.
    pub fn for_bundle(catalog: &Catalog, code: &str) -> Option<Transaction> {
        let bundle = catalog.bundle(code)?;
        catalog.bundle_items(bundle)?;
        let materials = catalog
            .bundle_materials(bundle)
            .into_iter()
            .map(|b| line(b.material, b.for_items))
            .collect();
        Some(Transaction::new(
            catalog,
            Subject::Bundle(bundle.code.clone()),
            (bundle.name.clone(), bundle.name_en.clone()),
            bundle.summary.clone(),
            bundle.items.clone(),
            materials,
            catalog.bundle_form(bundle),
        ))
    }

    fn new(
        catalog: &Catalog,
        subject: Subject,
        (title, title_en): (String, Option<String>),
        summary: String,
        items: Vec<String>,
        materials: Vec<MaterialLine>,
        form: FormSchema,
    ) -> Transaction {
        let all: Vec<_> = items.iter().filter_map(|c| catalog.item(c)).collect();
        let mut form = form;
        let mut values = PersonalValues::default();
        // 跨省通办: where every item may be handled by a partner place, the citizen says where
        // the matter belongs; our county is chosen already, so it costs a touch only to change.
        if !catalog.partners.is_empty() && !all.is_empty() && all.iter().all(|i| i.cross_province) {
            form.fields.insert(0, place_field(catalog));
            values.set(PLACE_FIELD, Value::String(PLACE_HERE.into()));
        }
        Transaction {
            subject,
            title,
            title_en,
            summary,
            fees: all.iter().map(|i| i.fee.clone()).collect(),
            promised_days: all.iter().map(|i| i.promised_limit_days).max().unwrap_or(0),
            kiosk_completable: all.iter().all(|i| i.kiosk_completable),
            mail_allowed: !all.is_empty() && all.iter().all(|i| i.mail_delivery),
            items,
            materials,
            form,
            values,
            prefilled: BTreeSet::new(),
            errors: BTreeMap::new(),
            reuse: ReuseLookup::NotAsked,
            mail: false,
            address: AddressDraft::default(),
            address_errors: Vec::new(),
            submission: None,
            notify_consent: false,
            catalog_version: catalog.version.clone(),
            contact: ReuseLookup::NotAsked,
            known_phone: None,
            use_known_phone: false,
            capture: None,
        }
    }

    /// The phone number the hall would text progress notices to: the form's first phone
    /// field, once filled. `None` means there is nothing to consent to.
    pub fn notify_phone(&self) -> Option<&str> {
        if let Some(known) = self.phone_in_use() {
            return Some(known.masked.as_str());
        }
        self.form
            .fields
            .iter()
            .filter(|f| f.kind == FieldKind::Phone)
            .find_map(|f| self.values.value(&f.key)?.as_str())
            .map(str::trim)
            .filter(|p| !p.is_empty())
    }

    /// The key of the form's first phone field: the one the hall fills from a phone token.
    pub fn phone_field(&self) -> Option<&str> {
        self.form
            .fields
            .iter()
            .find(|f| f.kind == FieldKind::Phone)
            .map(|f| f.key.as_str())
    }

    /// The form as the citizen must still fill it: without the phone field while the number
    /// given before stands in for it.
    pub fn form_to_fill(&self) -> FormSchema {
        let mut form = self.form.clone();
        // Declarations are made on the review, by 确认提交 (see [`Transaction::declare`]).
        let declarations = self.declarations();
        form.fields
            .retain(|f| !declarations.contains(&f.key.as_str()));
        if self.phone_in_use().is_some() {
            if let Some(key) = self.phone_field() {
                form.fields.retain(|f| f.key != key);
            }
        }
        form
    }

    /// The form's declarations (承诺制: a box that must be ticked, 本人承诺所填信息…真实有效).
    /// The kiosk does not ask for them among the fields: the review says them right above
    /// 确认提交, and that touch makes them.
    pub fn declarations(&self) -> Vec<&str> {
        self.form
            .fields
            .iter()
            .filter(|f| matches!(f.kind, FieldKind::Checkbox) && f.rules.must_be_checked)
            .map(|f| f.key.as_str())
            .collect()
    }

    /// The declarations' words, in the language on screen, for the review.
    pub fn declaration_labels(&self, chinese: bool) -> Vec<String> {
        self.form
            .fields
            .iter()
            .filter(|f| matches!(f.kind, FieldKind::Checkbox) && f.rules.must_be_checked)
            .map(|f| match (&f.label_en, chinese) {
                (Some(en), false) => en.clone(),
                _ => f.label.clone(),
            })
            .collect()
    }

    /// 确认提交 on the review, under the declarations' words: they are made.
    pub fn declare(&mut self) {
        let keys: Vec<String> = self
            .declarations()
            .iter()
            .map(|k| (*k).to_owned())
            .collect();
        for key in keys {
            self.values.set(&key, serde_json::Value::Bool(true));
            self.errors.remove(&key);
        }
    }

    /// The number given before, while the citizen uses it instead of typing one.
    fn phone_in_use(&self) -> Option<&hall_api::contact::KnownPhone> {
        self.known_phone.as_ref().filter(|_| self.use_known_phone)
    }

    /// The partner place chosen for a 跨省通办 item (`None`: our county).
    pub fn handled_by(&self) -> Option<&str> {
        self.values
            .value(PLACE_FIELD)?
            .as_str()
            .filter(|code| *code != PLACE_HERE)
    }

    /// The name of the partner place chosen (`None`: our county), as the form offered it.
    pub fn handled_by_name(&self) -> Option<&str> {
        let code = self.handled_by()?;
        self.form
            .fields
            .iter()
            .filter(|f| f.key == PLACE_FIELD)
            .find_map(|f| match &f.kind {
                FieldKind::Select { options } => options.iter().find(|o| o.value == code),
                _ => None,
            })
            .map(|o| o.label.as_str())
    }

    /// The first item's code (what complaints and help requests refer to).
    pub fn first_item(&self) -> Option<&str> {
        self.items.first().map(String::as_str)
    }

    /// Fills empty fields from the card and marks them prefilled.
    pub fn prefill_from(&mut self, citizen: &Citizen) {
        for field in &self.form.fields {
            if self.values.value(&field.key).is_some() {
                continue;
            }
            if let Some(value) = citizen.prefill(field) {
                self.values.set(&field.key, value);
                self.prefilled.insert(field.key.clone());
            }
        }
        if self.address.recipient.trimmed().is_none() {
            self.address.recipient = PersonalText::new(citizen.name.clone());
        }
    }

    /// Marks the materials the hall holds as held and reused (已有材料: not asked again); a
    /// material the ID card read here already gives stays given by the card, and one
    /// photographed here already stays photographed. Uploads whose validity ended at `now`
    /// are not offered; paper hand-ins (no uploads) are.
    pub fn apply_reusable(&mut self, held: &[ReusableMaterial], now: DateTime<Utc>) {
        for line in &mut self.materials {
            let found = held
                .iter()
                .filter(|h| h.valid_until.is_none_or(|until| until > now))
                .find(|h| h.code == line.material.code);
            line.held = line.material.reusable && found.is_some();
            line.held_attachments = match found {
                Some(h) if line.held => h
                    .attachments
                    .iter()
                    .filter(|a| hall_api::attachment::is_sha256_hex(a))
                    .cloned()
                    .collect(),
                _ => Vec::new(),
            };
            if line.held && line.source == MaterialSource::Later {
                line.source = MaterialSource::Reused;
            }
        }
        self.reuse = ReuseLookup::Done;
    }

    /// The PDFs of the materials photographed here and handed in so.
    pub fn attachments(&self) -> Vec<ScannedDoc> {
        self.materials
            .iter()
            .filter(|l| l.source == MaterialSource::Scanned)
            .filter_map(|l| l.scan.clone())
            .collect()
    }

    /// The card was read at this kiosk: every material the catalog says the card stands for
    /// (`satisfiedByIdCard`) is given by it, never listed as owed.
    pub fn count_id_card(&mut self) {
        for line in &mut self.materials {
            if line.material.satisfied_by_id_card {
                line.source = MaterialSource::IdCardRead;
            }
        }
    }

    /// The wire payload.
    pub fn payload(&self, citizen: &Citizen, now: &Now) -> CreateApplication {
        let token = self.phone_in_use().map(|k| k.token.clone());
        let delivery = if self.mail && self.mail_allowed {
            Delivery::Mail {
                address: MailingAddress {
                    recipient: self.address.recipient.trim().to_owned(),
                    phone: self.address.phone.trim().to_owned(),
                    region: self.address.region.trim().to_owned(),
                    detail: self.address.detail.trim().to_owned(),
                },
            }
        } else {
            Delivery::PickUp
        };
        CreateApplication {
            subject: self.subject.clone(),
            catalog_version: self.catalog_version.clone(),
            applicant: Applicant {
                id_number: citizen.id_number.clone(),
                name: citizen.name.clone(),
            },
            // The place is not a field of the items' form: it travels as `handled_by`. (A
            // phone given by token has no value here: the hall fills it in.)
            fields: self
                .values
                .get()
                .iter()
                .filter(|(k, _)| k.as_str() != PLACE_FIELD)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            materials: self
                .materials
                .iter()
                .map(|l| match (l.source, &l.scan) {
                    (MaterialSource::Scanned, Some(scan)) => HandedInMaterial {
                        code: l.material.code.clone(),
                        source: l.source,
                        pages: scan.pages,
                        attachments: vec![scan.sha256.clone()],
                    },
                    // Photographed but not finished: nothing to send, so it is owed.
                    (MaterialSource::Scanned, None) => HandedInMaterial {
                        code: l.material.code.clone(),
                        source: MaterialSource::Later,
                        pages: 0,
                        attachments: Vec::new(),
                    },
                    (MaterialSource::Reused, _) => HandedInMaterial {
                        code: l.material.code.clone(),
                        source: l.source,
                        pages: 0,
                        attachments: l.held_attachments.clone(),
                    },
                    _ => HandedInMaterial {
                        code: l.material.code.clone(),
                        source: l.source,
                        pages: 0,
                        attachments: Vec::new(),
                    },
                })
                .collect(),
            delivery,
            submitted_at: now.utc,
            // Consent without a number to text would be meaningless: never sent so.
            notify_consent: self.notify_consent && self.notify_phone().is_some(),
            handled_by: self.handled_by().map(str::to_owned),
            phone_token: token,
        }
    }
}

/// The key of the kiosk's own 办理地 field, put first in the form of 跨省通办 items.
pub const PLACE_FIELD: &str = "handledBy";
/// Its value for our own county.
pub const PLACE_HERE: &str = "here";

/// 办理地: our county or one of the partner places the hall forwards to (代收).
fn place_field(catalog: &Catalog) -> FormField {
    let mut options = vec![SelectOption {
        value: PLACE_HERE.into(),
        label: "本县办理".into(),
        label_en: Some("Here, in this county".into()),
    }];
    options.extend(catalog.partners.iter().map(|p| SelectOption {
        value: p.code.clone(),
        label: p.name.clone(),
        label_en: Some(p.name_en.clone()).filter(|n| !n.trim().is_empty()),
    }));
    FormField {
        key: PLACE_FIELD.into(),
        label: "办理地（跨省通办）".into(),
        label_en: Some("Where it is handled (inter-provincial service)".into()),
        kind: FieldKind::Select { options },
        required: true,
        rules: FieldRules::default(),
        prefill: None,
        hint: Some("户籍或业务在外地的，选当地：本中心代收后转交当地办理".into()),
    }
}

fn line(material: Material, for_items: Vec<String>) -> MaterialLine {
    MaterialLine {
        material,
        for_items,
        held: false,
        source: MaterialSource::Later,
        held_attachments: Vec::new(),
        scan: None,
    }
}
