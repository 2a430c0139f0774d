//! Reads a posted counter-intake form into the kiosk's wire type ([`CreateApplication`]) and
//! checks it the way the hall checks a kiosk's application ([`check`]: the catalog's form
//! schema, GB 11643 for the ID number, the delivery rules), plus what only the window has:
//! each material handed in or owed, and the 代办 agent. Every problem at once, keyed by the
//! field it belongs to, for the page to show next to that field.

use chrono::Utc;
use hall_api::application::{
    Applicant, CreateApplication, Delivery, HandedInMaterial, MailingAddress, MaterialSource,
};
use hall_api::form::{FieldError, FieldErrorCode, FieldKind, FormField, FormValues, PrefillSource};
use serde_json::Value;

use super::intake::{Agent, RELATIONS};
use super::intake_views::FormView;
use super::pages::{field, Fields};
use crate::handlers::applications::{check, Resolved};

/// A form that passed every check.
#[derive(Debug)]
pub struct Filled {
    /// The application as the kiosk would send it.
    pub request: CreateApplication,
    /// The 代办 agent, if any.
    pub agent: Option<Agent>,
    /// Material codes handed in at the window.
    pub at_window: Vec<String>,
    /// 受理 at once.
    pub accept_now: bool,
}

/// Whether a schema field is filled from the applicant section (as the kiosk fills it from
/// the ID card) instead of being typed again.
pub fn from_applicant(f: &FormField) -> bool {
    matches!(
        f.prefill,
        Some(PrefillSource::IdNumber | PrefillSource::Name)
    )
}

/// The HTML name of a schema field.
pub fn input_name(f: &FormField) -> String {
    format!("f.{}", f.key)
}

fn error(field: &str, code: FieldErrorCode, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        code,
        message: message.into(),
    }
}

fn typed<'a>(form: &'a Fields, name: &str) -> &'a str {
    field(form, name).unwrap_or("").trim()
}

/// The JSON value of a typed field, as the kiosk would send it; `None` when left empty.
fn value_of(f: &FormField, text: &str, ticked: bool) -> Option<Value> {
    match &f.kind {
        FieldKind::Checkbox => Some(Value::Bool(ticked)),
        _ if text.is_empty() => None,
        FieldKind::Number => Some(
            text.parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                // Not a number: kept as text, so the form check says 请填写数字.
                .map_or_else(|| Value::String(text.to_owned()), Value::Number),
        ),
        FieldKind::IdNumber => Some(Value::String(text.to_ascii_uppercase())),
        _ => Some(Value::String(text.to_owned())),
    }
}

fn bounded_name(text: &str) -> bool {
    (1..=30).contains(&text.chars().count()) && !text.chars().any(char::is_control)
}

fn read_agent(form: &Fields, applicant_id: &str, errors: &mut Vec<FieldError>) -> Option<Agent> {
    if field(form, "agent") != Some("on") {
        return None;
    }
    let name = typed(form, "agent.name").to_owned();
    let id_number = vocab::id_number::normalise(typed(form, "agent.idNumber"));
    let relation = typed(form, "agent.relation").to_owned();
    if !bounded_name(&name) {
        errors.push(error(
            "agent.name",
            FieldErrorCode::Required,
            "代办人姓名：请填写1至30个字",
        ));
    }
    if !vocab::id_number::is_valid(&id_number) {
        errors.push(error(
            "agent.idNumber",
            FieldErrorCode::InvalidIdNumber,
            "代办人公民身份号码有误，请核对",
        ));
    } else if id_number.eq_ignore_ascii_case(applicant_id) {
        errors.push(error(
            "agent.idNumber",
            FieldErrorCode::InvalidIdNumber,
            "代办人不能是申请人本人；本人申请请取消勾选代办",
        ));
    }
    if !RELATIONS.iter().any(|(c, _)| *c == relation) {
        errors.push(error(
            "agent.relation",
            FieldErrorCode::UnknownOption,
            "请选择代办人与申请人的关系",
        ));
    }
    Some(Agent {
        name,
        id_number,
        relation,
    })
}

/// Reads and checks the whole form; all problems at once (the first per field first).
pub(crate) fn read(
    form: &Fields,
    view: &FormView<'_>,
    catalog_version: &str,
    resolved: &Resolved,
) -> Result<Filled, Vec<FieldError>> {
    let mut errors = Vec::new();
    let id_number = vocab::id_number::normalise(typed(form, "applicant.idNumber"));
    let name = typed(form, "applicant.name").to_owned();
    if id_number.is_empty() {
        errors.push(error(
            "applicant.idNumber",
            FieldErrorCode::Required,
            "申请人公民身份号码：必填，请填写",
        ));
    }
    if name.is_empty() {
        errors.push(error(
            "applicant.name",
            FieldErrorCode::Required,
            "申请人姓名：必填，请填写",
        ));
    }

    let mut fields = FormValues::new();
    for f in &view.form.fields {
        let value = match f.prefill {
            Some(PrefillSource::IdNumber) if from_applicant(f) => {
                (!id_number.is_empty()).then(|| Value::String(id_number.clone()))
            }
            Some(PrefillSource::Name) if from_applicant(f) => {
                (!name.is_empty()).then(|| Value::String(name.clone()))
            }
            _ => {
                let html = input_name(f);
                value_of(f, typed(form, &html), field(form, &html) == Some("on"))
            }
        };
        if let Some(v) = value {
            fields.insert(f.key.clone(), v);
        }
    }

    let mut materials = Vec::new();
    let mut at_window = Vec::new();
    for m in &resolved.materials {
        let key = format!("materials.{}", m.code);
        match field(form, &format!("m.{}", m.code)) {
            Some("window") => at_window.push(m.code.clone()),
            Some("later") => materials.push(HandedInMaterial {
                code: m.code.clone(),
                source: MaterialSource::Later,
                pages: 0,
                attachments: Vec::new(),
            }),
            Some("na") if !m.required => {}
            Some("na") => errors.push(error(
                &key,
                FieldErrorCode::Required,
                format!("「{}」为必须提交的材料，请选择窗口已收取或待补交", m.name),
            )),
            _ => errors.push(error(
                &key,
                FieldErrorCode::Required,
                format!("请选择「{}」的提交情况", m.name),
            )),
        }
    }

    let delivery = match field(form, "delivery") {
        Some("mail") => Delivery::Mail {
            address: MailingAddress {
                recipient: typed(form, "mail.recipient").to_owned(),
                phone: typed(form, "mail.phone").to_owned(),
                region: typed(form, "mail.region").to_owned(),
                detail: typed(form, "mail.detail").to_owned(),
            },
        },
        Some("pickup") => Delivery::PickUp,
        _ => {
            errors.push(error(
                "delivery",
                FieldErrorCode::Required,
                "请选择送达方式",
            ));
            Delivery::PickUp
        }
    };

    let agent = read_agent(form, &id_number, &mut errors);
    let request = CreateApplication {
        subject: view.subject.clone(),
        catalog_version: catalog_version.to_owned(),
        applicant: Applicant { id_number, name },
        fields,
        materials,
        delivery,
        submitted_at: Utc::now(),
        notify_consent: field(form, "notify") == Some("on"),
        handled_by: None,
        phone_token: None,
    };
    errors.extend(check(&request, resolved));
    if errors.is_empty() {
        Ok(Filled {
            request,
            agent,
            at_window,
            accept_now: field(form, "accept") == Some("on"),
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hall_api::form::FieldRules;

    fn f(kind: FieldKind) -> FormField {
        FormField {
            key: "k".into(),
            label: "项".into(),
            label_en: None,
            kind,
            required: false,
            rules: FieldRules::default(),
            prefill: None,
            hint: None,
        }
    }

    #[test]
    fn typed_text_becomes_the_json_the_kiosk_sends() {
        assert_eq!(
            value_of(&f(FieldKind::Number), "12.5", false),
            Some(serde_json::json!(12.5))
        );
        assert_eq!(
            value_of(&f(FieldKind::Number), "十二", false),
            Some(Value::String("十二".into())),
            "left as text for the form check to refuse"
        );
        assert_eq!(value_of(&f(FieldKind::Text), "", false), None);
        assert_eq!(
            value_of(&f(FieldKind::Checkbox), "", false),
            Some(Value::Bool(false))
        );
        assert_eq!(
            value_of(&f(FieldKind::IdNumber), "11010519491231002x", false),
            Some(Value::String("11010519491231002X".into()))
        );
    }
}
