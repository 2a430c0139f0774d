//! Notices to citizens: when staff move an application to 受理, 补正, 不予受理 or 办结 (on the
//! workbench or through the staff API), one notice goes to the number the citizen gave in the
//! form's phone field, only if they ticked "send progress notices to my phone" and the number
//! is a mobile one. The notice is enqueued in the move's own transaction: a stale form or a
//! refused move writes nothing and sends nothing, and a retried request is refused by the
//! version check or the status rules, so each move sends at most once.
//!
//! The notice carries the receipt QR's progress link (`{base_url}/progress?c=…&v=…`, the
//! verifier derived from the application id as on the receipt) and never the ID number or the
//! applicant's full name: staff's free text (reason, note) has ID-number-like runs masked and
//! the applicant's name replaced by its masked form before it is sealed into the queue.

use chrono::NaiveDate;
use hall_api::application::{Status, TimelineEntry};
use hall_api::form::{FieldKind, FormSchema, FormValues};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::events::{
    scrub_id_numbers, CitizenNotice, CitizenStage, Collection, Event, EventKind, SmsConsent,
};
use super::NewNotice;
use crate::error::HallError;
use crate::state::AppState;
use crate::store::staff::{StaffMove, StaffMoved};
use crate::store::{ApplicationRecord, Moved};

/// The key the seed catalog gives the contact phone ("用于办理进度短信通知"), used when the
/// item has left the catalog and its form is unknown.
const PHONE_KEY: &str = "phone";

/// The parts of the sealed payload a notice needs.
#[derive(Deserialize)]
struct Opened {
    applicant: hall_api::application::Applicant,
    fields: FormValues,
}

impl Drop for Opened {
    fn drop(&mut self) {
        hall_api::application::wipe_values(&mut self.fields);
    }
}

/// The form of an application's subject, if the catalog still has it.
pub(crate) fn form_of(state: &AppState, rec: &ApplicationRecord) -> Option<FormSchema> {
    let catalog = state.catalog();
    let c = &catalog.catalog;
    if rec.subject_type == "bundle" {
        c.bundle(&rec.subject_code).map(|b| c.bundle_form(b))
    } else {
        c.item(&rec.subject_code).map(|i| i.form.clone())
    }
}

/// The form's phone: the first field the catalog marks as a phone, else the `phone` key.
/// The mailing address's phone is not used: the recipient may be someone else, and the
/// citizen consented for the number in the form.
pub(crate) fn phone_of(form: Option<&FormSchema>, fields: &FormValues) -> Option<String> {
    let key = form
        .and_then(|f| f.fields.iter().find(|f| matches!(f.kind, FieldKind::Phone)))
        .map_or(PHONE_KEY, |f| f.key.as_str());
    fields.get(key)?.as_str().map(str::to_owned)
}

/// Staff's free text as it may leave the hall (an SMS, the phone progress page): no ID
/// number, no full name.
pub fn clean(text: &str, name: &str) -> String {
    let scrubbed = scrub_id_numbers(text);
    let name = name.trim();
    if name.chars().count() >= 2 {
        scrubbed.replace(name, &vocab::mask::mask_name(name))
    } else {
        scrubbed
    }
}

fn clean_stage(stage: CitizenStage, name: &str) -> CitizenStage {
    match stage {
        CitizenStage::CorrectionRequired { missing, note } => CitizenStage::CorrectionRequired {
            missing,
            note: note.map(|n| clean(&n, name)),
        },
        CitizenStage::Rejected { reason } => CitizenStage::Rejected {
            reason: clean(&reason, name),
        },
        other => other,
    }
}

/// The event kind a stage is sent as.
fn kind_of(stage: &CitizenStage) -> EventKind {
    match stage {
        CitizenStage::Accepted { .. } => EventKind::CitizenAccepted,
        CitizenStage::CorrectionRequired { .. } => EventKind::CitizenCorrectionRequired,
        CitizenStage::Rejected { .. } => EventKind::CitizenRejected,
        CitizenStage::Concluded { .. } => EventKind::CitizenConcluded,
    }
}

/// The receipt QR's address for an application.
pub fn progress_link(base_url: &str, state: &AppState, rec: &ApplicationRecord) -> String {
    format!(
        "{base_url}/progress?c={}&v={}",
        rec.tracking_code,
        state.secrets.verifier_for(&rec.id)
    )
}

/// The queue rows of the citizen notice for `rec` reaching `stage`, or `None`: no notifier
/// takes this kind, the citizen did not consent, or the form's phone is not a mobile number.
pub async fn draft(
    state: &AppState,
    rec: &ApplicationRecord,
    stage: CitizenStage,
) -> Result<Option<NewNotice>, HallError> {
    let Some(notices) = state.notices.get() else {
        return Ok(None);
    };
    if !notices.wants(kind_of(&stage)) || !notices.store.notice_consent(&rec.id).await? {
        return Ok(None);
    }
    let Some(sealed) = state.store.application_payload(&rec.id).await? else {
        return Err(HallError::Corrupt(format!("payload of {} missing", rec.id)));
    };
    let plain = Zeroizing::new(state.secrets.open(&rec.id, &sealed)?);
    let opened: Opened = serde_json::from_slice(&plain)
        .map_err(|e| HallError::Corrupt(format!("payload of {}: {e}", rec.id)))?;
    let phone = Zeroizing::new(phone_of(form_of(state, rec).as_ref(), &opened.fields));
    let Some(consent) = phone.as_deref().and_then(|p| SmsConsent::given(true, p)) else {
        tracing::info!(application = %rec.id, "the citizen consented to notices but gave no mobile number; none sent");
        return Ok(None);
    };
    let event = Event::Citizen(CitizenNotice {
        consent,
        application_id: rec.id.clone(),
        tracking_code: rec.tracking_code.clone(),
        subject_name: rec.subject_name.clone(),
        progress_link: progress_link(&notices.settings.base_url, state, rec),
        stage: clean_stage(stage, &opened.applicant.name),
    });
    notices.draft(&state.secrets, event)
}

/// A workbench move with its citizen notice (if any) in the same transaction.
pub async fn staff_move(
    state: &AppState,
    rec: &ApplicationRecord,
    mv: StaffMove,
    stage: Option<CitizenStage>,
) -> Result<StaffMoved, HallError> {
    let (Some(notices), Some(stage)) = (state.notices.get(), stage) else {
        return state.store.staff_move(mv).await;
    };
    let notice = draft(state, rec, stage).await?;
    let queued = notice.is_some();
    let moved = notices.store.staff_move_notifying(mv, notice).await?;
    if queued && matches!(moved, StaffMoved::Done(_)) {
        tracing::info!(application = %rec.id, "citizen notice queued");
        notices.wake.notify_one();
    }
    Ok(moved)
}

/// The staff API's status move with its citizen notice (if any) in the same transaction.
/// `window` is where a pick-up result waits (the department's window).
pub async fn move_status(
    state: &AppState,
    rec: &ApplicationRecord,
    entry: TimelineEntry,
    window: &str,
) -> Result<Moved, HallError> {
    let stage = stage_of(rec, &entry, window);
    let (Some(notices), Some(stage)) = (state.notices.get(), stage) else {
        return state.store.move_status(&rec.id, entry).await;
    };
    let notice = draft(state, rec, stage).await?;
    let queued = notice.is_some();
    let moved = notices
        .store
        .move_status_notifying(&rec.id, entry, notice)
        .await?;
    if queued && matches!(moved, Moved::Done(_)) {
        tracing::info!(application = %rec.id, "citizen notice queued");
        notices.wake.notify_one();
    }
    Ok(moved)
}

/// What the citizen is told of `rec` entering `entry` (a staff API move, or a step done at
/// a partner place), if anything.
pub fn stage_of(
    rec: &ApplicationRecord,
    entry: &TimelineEntry,
    window: &str,
) -> Option<CitizenStage> {
    let note = entry.note.clone().unwrap_or_default();
    api_stage(entry.status, note, rec.promised_by, rec.mailed, window)
}

/// What a staff API move tells the citizen: the API carries a status and a note only, so
/// 补正 lists no materials (the note says what), 受理 promises the receipt's date, and a
/// mailed 办结 points to the page for the waybill.
fn api_stage(
    to: Status,
    note: String,
    promised_by: NaiveDate,
    mailed: bool,
    window: &str,
) -> Option<CitizenStage> {
    Some(match to {
        Status::Accepted => CitizenStage::Accepted {
            due_by: Some(promised_by),
        },
        Status::CorrectionRequired => CitizenStage::CorrectionRequired {
            missing: Vec::new(),
            note: (!note.is_empty()).then_some(note),
        },
        Status::Rejected => CitizenStage::Rejected { reason: note },
        Status::Concluded if mailed => CitizenStage::Concluded {
            collection: Collection::Mail {
                carrier: "EMS".into(),
                waybill: String::new(),
            },
        },
        Status::Concluded => CitizenStage::Concluded {
            collection: Collection::PickUp {
                place: if window.is_empty() {
                    "政务服务中心窗口".into()
                } else {
                    window.to_owned()
                },
                code: None,
            },
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hall_api::form::FormField;

    #[test]
    fn free_text_loses_the_id_number_and_the_full_name() {
        let text = clean(
            "张三的身份证 11010519491231002X 已过期，请张三本人到场",
            "张三",
        );
        assert_eq!(text, "张*的身份证 1101**********002X 已过期，请张*本人到场");
        // A one-character name would mask every occurrence of a common character: left.
        assert_eq!(clean("王府井", "王"), "王府井");
    }

    #[test]
    fn the_phone_is_the_field_the_catalog_marks_as_a_phone() {
        let mut fields = FormValues::new();
        fields.insert("phone".into(), "13800000000".into());
        fields.insert("mobile".into(), "13900000000".into());
        let form = FormSchema {
            fields: vec![serde_json::from_value::<FormField>(serde_json::json!({
                "key": "mobile", "label": "手机", "kind": {"type": "phone"}, "required": true
            }))
            .expect("a field")],
        };
        assert_eq!(
            phone_of(Some(&form), &fields).as_deref(),
            Some("13900000000")
        );
        assert_eq!(phone_of(None, &fields).as_deref(), Some("13800000000"));
        assert_eq!(phone_of(None, &FormValues::new()), None);
    }

    #[test]
    fn api_moves_map_to_the_stages_citizens_are_told_about() {
        let d = NaiveDate::from_ymd_opt(2024, 5, 20).expect("date");
        assert!(api_stage(Status::Processing, String::new(), d, false, "").is_none());
        assert!(api_stage(Status::Feedback, String::new(), d, false, "").is_none());
        assert_eq!(
            api_stage(Status::Rejected, "不在本县参保".into(), d, false, ""),
            Some(CitizenStage::Rejected {
                reason: "不在本县参保".into()
            })
        );
        assert!(matches!(
            api_stage(Status::Concluded, String::new(), d, true, ""),
            Some(CitizenStage::Concluded {
                collection: Collection::Mail { .. }
            })
        ));
    }
}
