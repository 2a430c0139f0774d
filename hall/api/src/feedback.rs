//! 好差评 ratings (five levels; the lower two are 差评 with reasons and an optional call-back
//! contact; one rating per application, tied to the item code), complaints (办不成事) and help
//! requests (帮办代办, 上门服务).

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::form::{is_phone, FieldError, FieldErrorCode};
use vocab::mask::mask_name;

/// The body of `POST /api/v1/ratings`. The tracking code plus verifier prove the rater holds
/// the receipt, so a later rating through the receipt QR works the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateRating {
    /// 办件编号.
    pub tracking_code: String,
    /// Its verifier.
    pub verifier: String,
    /// 1 (非常不满意) … 5 (非常满意).
    pub level: u8,
    /// Why, for a 差评 (levels 1 and 2): at least one; empty otherwise.
    #[serde(default)]
    pub reasons: Vec<BadRatingReason>,
    /// Free text (at most 300 characters).
    #[serde(default)]
    pub comment: Option<String>,
    /// Who to call back about a 差评 (实名); only with levels 1 and 2.
    #[serde(default)]
    pub contact: Option<CallbackContact>,
}

/// Reason options for a 差评. Modelled on the kinds GB/T 39734 Annex A covers; the
/// normative wording must be taken from the national rating content when it is wired in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum BadRatingReason {
    /// 办事指南不清晰.
    UnclearGuide,
    /// 材料繁琐、重复提交.
    TooManyMaterials,
    /// 多次跑动.
    RepeatedTrips,
    /// 办理时间长.
    TooSlow,
    /// 设备操作不便.
    HardToUse,
    /// 设备故障.
    DeviceFault,
    /// 服务态度差.
    PoorAttitude,
    /// 其他.
    Other,
}

impl BadRatingReason {
    /// The Chinese option text.
    pub fn label_zh(self) -> &'static str {
        match self {
            BadRatingReason::UnclearGuide => "办事指南不清晰",
            BadRatingReason::TooManyMaterials => "材料繁琐、重复提交",
            BadRatingReason::RepeatedTrips => "多次跑动",
            BadRatingReason::TooSlow => "办理时间长",
            BadRatingReason::HardToUse => "设备操作不便",
            BadRatingReason::DeviceFault => "设备故障",
            BadRatingReason::PoorAttitude => "服务态度差",
            BadRatingReason::Other => "其他",
        }
    }
}

/// A call-back contact. Personal data: its `Debug` output is masked; wiped when dropped.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallbackContact {
    /// 称呼 (optional).
    #[serde(default)]
    pub name: Option<String>,
    /// Phone number.
    pub phone: String,
}

impl fmt::Debug for CallbackContact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackContact")
            .field("name", &self.name.as_deref().map(mask_name))
            .finish_non_exhaustive()
    }
}

/// Whether a level is a 差评 (不满意, 非常不满意).
pub fn is_bad_level(level: u8) -> bool {
    matches!(level, 1 | 2)
}

/// Longest free-text comment, complaint or note accepted.
pub const MAX_COMMENT_CHARS: usize = 300;

impl CreateRating {
    /// Checks the rating's own rules (level range, reasons only and always for a 差评, contact
    /// only for a 差评, bounded text); the same function runs on the kiosk and the hall.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut push = |field: &str, code, message: &str| {
            errors.push(FieldError {
                field: field.to_owned(),
                code,
                message: message.to_owned(),
            })
        };
        if !(1..=5).contains(&self.level) {
            push("level", FieldErrorCode::OutOfRange, "评价等级应为1至5");
        }
        let bad = is_bad_level(self.level);
        if bad && self.reasons.is_empty() {
            push("reasons", FieldErrorCode::Required, "请选择不满意的原因");
        }
        if !bad && !self.reasons.is_empty() {
            push(
                "reasons",
                FieldErrorCode::UnknownField,
                "仅差评需要选择原因",
            );
        }
        if self.comment.as_deref().is_some_and(text_too_long) {
            push("comment", FieldErrorCode::TooLong, "意见最多300个字");
        }
        if let Some(contact) = &self.contact {
            if !bad {
                push(
                    "contact",
                    FieldErrorCode::UnknownField,
                    "仅差评需要回访联系方式",
                );
            }
            validate_contact(contact, "contact", &mut errors);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn text_too_long(text: &str) -> bool {
    text.chars().count() > MAX_COMMENT_CHARS || text.chars().any(|c| c.is_control() && c != '\n')
}

fn validate_contact(contact: &CallbackContact, path: &str, errors: &mut Vec<FieldError>) {
    if !is_phone(&contact.phone) {
        errors.push(FieldError {
            field: format!("{path}.phone"),
            code: FieldErrorCode::InvalidPhone,
            message: "联系电话有误".to_owned(),
        });
    }
    if contact
        .name
        .as_deref()
        .is_some_and(|n| n.chars().count() > 30)
    {
        errors.push(FieldError {
            field: format!("{path}.name"),
            code: FieldErrorCode::TooLong,
            message: "称呼最多30个字".to_owned(),
        });
    }
}

/// The hall's answer to a rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RatingReceipt {
    /// Rating id.
    pub id: String,
    /// The level recorded.
    pub level: u8,
    /// Whether it is a 差评 (it then gets a call-back within the local deadline).
    pub bad: bool,
    /// The item (or, for a bundle, the bundle) code the rating belongs to.
    pub subject_code: String,
    /// When the hall recorded it.
    pub rated_at: DateTime<Utc>,
}

/// The body of `POST /api/v1/complaints`: 办不成事 — something could not be done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateComplaint {
    /// The item it concerns, if any.
    #[serde(default)]
    pub item_code: Option<String>,
    /// What could not be done (1–300 characters).
    pub description: String,
    /// Who to call back, if the citizen wants it.
    #[serde(default)]
    pub contact: Option<CallbackContact>,
}

impl CreateComplaint {
    /// Checks text bounds and the contact.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.description.trim().is_empty() {
            errors.push(FieldError {
                field: "description".into(),
                code: FieldErrorCode::Required,
                message: "请说明遇到的问题".into(),
            });
        } else if text_too_long(&self.description) {
            errors.push(FieldError {
                field: "description".into(),
                code: FieldErrorCode::TooLong,
                message: "问题描述最多300个字".into(),
            });
        }
        if let Some(c) = &self.contact {
            validate_contact(c, "contact", &mut errors);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// What kind of help a citizen asks for (the one enum in `vocab`).
pub use vocab::help::HelpKind;

/// The body of `POST /api/v1/help-requests`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateHelpRequest {
    /// What help.
    pub kind: HelpKind,
    /// The item it concerns, if any.
    #[serde(default)]
    pub item_code: Option<String>,
    /// A short note (at most 300 characters).
    #[serde(default)]
    pub note: Option<String>,
    /// Who to call; required for proxy and home visits.
    #[serde(default)]
    pub contact: Option<CallbackContact>,
}

impl CreateHelpRequest {
    /// Checks text bounds and that proxy and home-visit requests carry a contact.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.note.as_deref().is_some_and(text_too_long) {
            errors.push(FieldError {
                field: "note".into(),
                code: FieldErrorCode::TooLong,
                message: "说明最多300个字".into(),
            });
        }
        match &self.contact {
            Some(c) => validate_contact(c, "contact", &mut errors),
            None if self.kind != HelpKind::Assistance => errors.push(FieldError {
                field: "contact".into(),
                code: FieldErrorCode::Required,
                message: "请留下联系电话，工作人员会与您联系".into(),
            }),
            None => {}
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// The hall's answer to a complaint or help request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TicketReceipt {
    /// Id.
    pub id: String,
    /// Short reference printed for the citizen (`TS-…` complaint, `BZ-…` help).
    pub reference: String,
    /// When the hall recorded it.
    pub received_at: DateTime<Utc>,
    /// The hall has passed it on to the on-duty staff (a notifier is configured and the notice
    /// is queued). Only then does the kiosk tell the citizen "已通知值班人员"; otherwise it shows
    /// the hotline. Older halls do not send it: read as not notified.
    #[serde(default)]
    pub on_duty_notified: bool,
}
