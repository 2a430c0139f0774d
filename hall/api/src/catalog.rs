//! The service catalog: departments, service items (materials, fees, time limits, form) and
//! 一件事 bundles. The hall serves it versioned with an ETag; the kiosk caches the last good
//! copy and drives its one form engine from it (无差别综合受理).

use serde::{Deserialize, Serialize};

use crate::form::{FormField, FormSchema};

/// The whole catalog as served by `GET /api/v1/catalog`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Catalog {
    /// Version label; it changes whenever any content changes (the ETag is derived from it).
    pub version: String,
    /// The departments that own items.
    pub departments: Vec<Department>,
    /// Every service item.
    pub items: Vec<ServiceItem>,
    /// 一件事一次办 bundles.
    pub bundles: Vec<Bundle>,
    /// 跨省通办: the partner places whose halls take this hall's applications (and send
    /// theirs here). A kiosk offers them, besides this county, for items with
    /// `cross_province`; the chosen code goes in `CreateApplication::handled_by`. Part of the
    /// served document, so a partner added or removed changes the version and the ETag.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partners: Vec<PartnerPlace>,
}

/// A partner place of 跨省通办 (another county's or city's hall).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PartnerPlace {
    /// Region code (`420600`).
    pub code: String,
    /// Chinese name (`湖北省襄阳市`).
    pub name: String,
    /// English name (`Xiangyang, Hubei`).
    pub name_en: String,
}

/// A department stationed in (or served by) the hall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Department {
    /// Short stable code (`gongan`, `shuiwu`).
    pub code: String,
    /// Name (`县公安局`).
    pub name: String,
    /// English name for the kiosk's English mode (`None`: Chinese only; the kiosk says so).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// Where its window is in the hall (`A区 3-5号窗口`).
    pub window: String,
    /// Appointments per one-hour slot at its windows.
    pub slot_capacity: u32,
}

/// The kind of a government service item (事项类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum ItemKind {
    /// 行政许可.
    License,
    /// 行政确认.
    Confirmation,
    /// 行政给付.
    Benefit,
    /// 公共服务.
    PublicService,
    /// 其他行政权力.
    Other,
}

/// One service item (政务服务事项) with everything 一次性告知 requires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ServiceItem {
    /// Item code in the style of GB/T 39554.1 (type letters + basic code + 子项), unique.
    pub code: String,
    /// Item name (`居民身份证换领`).
    pub name: String,
    /// English name for the kiosk's English mode (`None`: Chinese only; the kiosk says so).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// Owning department's code.
    pub department: String,
    /// 事项类型.
    pub kind: ItemKind,
    /// 办理条件 / short guidance shown before the citizen starts.
    pub summary: String,
    /// The complete list of materials (一次性告知).
    pub materials: Vec<Material>,
    /// What it costs.
    pub fee: Fee,
    /// 法定办结时限 in working days, where the law sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_limit_days: Option<u32>,
    /// 承诺办结时限 in working days; 0 means 即办 (done on the spot).
    pub promised_limit_days: u32,
    /// Whether the kiosk can take the whole application (otherwise it informs and books).
    pub kiosk_completable: bool,
    /// 跨省通办: can be applied for here on behalf of another province, or from there.
    pub cross_province: bool,
    /// 免费邮寄: the result can be mailed free of charge.
    pub mail_delivery: bool,
    /// The form the citizen fills in.
    pub form: FormSchema,
}

/// One required material.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Material {
    /// Stable code; the same document has the same code in every item (so bundles ask it once
    /// and earlier hand-ins can be reused).
    pub code: String,
    /// Name (`居民户口簿`).
    pub name: String,
    /// English name for the kiosk's English mode (`None`: Chinese only; the kiosk says so).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// Originals to show or hand in.
    pub originals: u32,
    /// Copies to hand in.
    pub copies: u32,
    /// Whether it must be given (otherwise only in the cases the note names).
    pub required: bool,
    /// Whether a copy handed in for an earlier application can be reused (证照/材料复用).
    pub reusable: bool,
    /// Whether reading the applicant's ID card at the kiosk satisfies it (the 居民身份证 of
    /// the applicant): handed in with source `idCardRead`, never listed as owed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub satisfied_by_id_card: bool,
    /// Whether the kiosk's document camera (高拍仪) may photograph it: the citizen lays the
    /// paper under the camera, page by page, and the pages go to the hall as one PDF
    /// (handed in `scanned`, never owed). Off unless the catalog says so: an ID photo, or an
    /// original the window must hold in hand, is not replaced by a photo.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub photographable: bool,
    /// When it is needed, or how it must look.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A fee (most items are free).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Fee {
    /// Amount in fen (分); 0 for free.
    pub amount_fen: u64,
    /// The legal basis or what the fee covers (`不收费`, `工本费 20 元`).
    pub note: String,
}

/// 一件事一次办: several items done as one, asking each shared material and field once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    /// Stable code (`yjs-xinshenger`).
    pub code: String,
    /// Name (`新生儿出生一件事`).
    pub name: String,
    /// English name for the kiosk's English mode (`None`: Chinese only; the kiosk says so).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// What it covers, for the citizen.
    pub summary: String,
    /// The item codes it combines, in processing order.
    pub items: Vec<String>,
}

/// A material as a bundle asks for it: once, with the items that need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BundleMaterial {
    /// The material, with the largest original/copy counts any item asks for, and required
    /// if any item requires it.
    pub material: Material,
    /// Codes of the items that need it.
    pub for_items: Vec<String>,
}

impl Catalog {
    /// The item with this code.
    pub fn item(&self, code: &str) -> Option<&ServiceItem> {
        self.items.iter().find(|i| i.code == code)
    }

    /// The bundle with this code.
    pub fn bundle(&self, code: &str) -> Option<&Bundle> {
        self.bundles.iter().find(|b| b.code == code)
    }

    /// The department with this code.
    pub fn department(&self, code: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.code == code)
    }

    /// The items of a bundle, in its order; `None` if the bundle names an unknown item.
    pub fn bundle_items(&self, bundle: &Bundle) -> Option<Vec<&ServiceItem>> {
        bundle.items.iter().map(|c| self.item(c)).collect()
    }

    /// A bundle's materials, each shared material once (by material code).
    pub fn bundle_materials(&self, bundle: &Bundle) -> Vec<BundleMaterial> {
        let mut out: Vec<BundleMaterial> = Vec::new();
        for item in bundle.items.iter().filter_map(|c| self.item(c)) {
            for m in &item.materials {
                match out.iter_mut().find(|b| b.material.code == m.code) {
                    Some(b) => {
                        b.material.originals = b.material.originals.max(m.originals);
                        b.material.copies = b.material.copies.max(m.copies);
                        b.material.required |= m.required;
                        b.material.reusable &= m.reusable;
                        b.for_items.push(item.code.clone());
                    }
                    None => out.push(BundleMaterial {
                        material: m.clone(),
                        for_items: vec![item.code.clone()],
                    }),
                }
            }
        }
        out
    }

    /// A bundle's form: every item's fields, each key once (the first item's definition
    /// wins; a field is required if any item requires it), so the citizen types a shared
    /// value such as the applicant's phone only once.
    pub fn bundle_form(&self, bundle: &Bundle) -> FormSchema {
        let mut fields: Vec<FormField> = Vec::new();
        for item in bundle.items.iter().filter_map(|c| self.item(c)) {
            for f in &item.form.fields {
                match fields.iter_mut().find(|x| x.key == f.key) {
                    Some(existing) => existing.required |= f.required,
                    None => fields.push(f.clone()),
                }
            }
        }
        FormSchema { fields }
    }
}
