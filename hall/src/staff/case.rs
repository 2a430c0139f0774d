//! One application: the page (form, materials, timeline, due date, audit trail, the steps its
//! status allows) and the steps themselves. Opening the page unseals the personal data and is
//! audited with the staff id; each step is one transaction that refuses a stale form.

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{NaiveDate, Utc};
use hall_api::application::{Delivery, HandedInMaterial, MaterialSource, TimelineEntry};
use hall_api::catalog::{Catalog, Material};
use hall_api::form::{FieldKind, FormSchema};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::access::{departments_of, may_see, Action};
use super::auth::Signed;
use super::pages::{audit, field, frame, html, signed_form, Fields};
use super::views::{self, ApplicationView, TimelineLine};
use crate::error::{ApiError, HallError};
use crate::notify::events::{CitizenStage, Collection};
use crate::state::{today_local, AppState};
use crate::store::staff::{StaffMove, StaffMoved};
use crate::store::ApplicationRecord;

/// The sealed payload as the kiosk's intake stored it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    applicant: hall_api::application::Applicant,
    fields: hall_api::form::FormValues,
    materials: Vec<HandedInMaterial>,
    delivery: Delivery,
    /// Taken in at a window (who, the 代办 agent, materials handed in there).
    #[serde(default)]
    counter: Option<super::intake::CounterRecord>,
}

/// A step's internal details, sealed in the database.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StepDetail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    handler: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    waybill: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    window: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pickup: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    materials: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    call: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

impl StepDetail {
    fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(h) = &self.handler {
            parts.push(format!("承办人 {h}"));
        }
        if let Some(w) = &self.waybill {
            parts.push(format!("EMS {w}"));
        }
        if let (Some(w), Some(p)) = (&self.window, &self.pickup) {
            parts.push(format!("{w} 取件码 {p}"));
        }
        if let Some(c) = &self.call {
            parts.push(c.clone());
        }
        if let Some(n) = &self.note {
            parts.push(n.clone());
        }
        parts.join("；")
    }
}

fn step_context(id: &str, seq: usize) -> String {
    format!("step:{id}:{seq}")
}

/// What the subject's catalog entry says: form, materials, 承诺时限 in working days, window.
pub(super) struct Subject {
    form: FormSchema,
    materials: Vec<(String, String)>,
    required: Vec<String>,
    promised_days: Option<u32>,
    window: String,
    departments: Vec<String>,
}

fn subject(catalog: &Catalog, rec: &ApplicationRecord) -> Subject {
    let departments = departments_of(catalog, &rec.subject_type, &rec.subject_code);
    let window = departments
        .first()
        .and_then(|d| catalog.department(d))
        .map(|d| d.window.clone())
        .unwrap_or_default();
    let (form, listed, promised_days): (_, Vec<Material>, _) = if rec.subject_type == "item" {
        match catalog.item(&rec.subject_code) {
            Some(i) => (
                i.form.clone(),
                i.materials.clone(),
                Some(i.promised_limit_days),
            ),
            None => (FormSchema::default(), Vec::new(), None),
        }
    } else {
        match catalog.bundle(&rec.subject_code) {
            Some(b) => (
                catalog.bundle_form(b),
                catalog
                    .bundle_materials(b)
                    .into_iter()
                    .map(|m| m.material)
                    .collect(),
                catalog.bundle_items(b).map(|items| {
                    items
                        .iter()
                        .map(|i| i.promised_limit_days)
                        .max()
                        .unwrap_or(0)
                }),
            ),
            None => (FormSchema::default(), Vec::new(), None),
        }
    };
    Subject {
        form,
        materials: listed
            .iter()
            .map(|m| (m.code.clone(), m.name.clone()))
            .collect(),
        required: listed
            .iter()
            .filter(|m| m.required)
            .map(|m| m.code.clone())
            .collect(),
        promised_days,
        window,
        departments,
    }
}

fn value_text(kind: &FieldKind, value: &serde_json::Value) -> String {
    use serde_json::Value;
    match (kind, value) {
        (FieldKind::IdNumber, Value::String(s)) => vocab::mask::mask_id_number(s),
        (FieldKind::Select { options }, Value::String(s)) => options
            .iter()
            .find(|o| &o.value == s)
            .map_or_else(|| s.clone(), |o| o.label.clone()),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Bool(b)) => if *b { "是" } else { "否" }.to_owned(),
        (_, Value::Null) => String::new(),
        (_, other) => other.to_string(),
    }
}

/// The record, or the page that says why not (404, 403).
pub(super) async fn load(
    state: &AppState,
    signed: &Signed,
    id: &str,
) -> Result<Result<(ApplicationRecord, Subject), Response>, ApiError> {
    let f = frame(state, signed, "办件", None);
    let valid = !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit());
    let rec = if valid {
        state.store.application(id).await?
    } else {
        None
    };
    let Some(rec) = rec else {
        return Ok(Err(html(
            StatusCode::NOT_FOUND,
            views::message(Some(&f), "未找到", "没有这个办件。", Some("/staff/")),
        )));
    };
    let mut found = subject(&state.catalog().catalog, &rec);
    if found.promised_days.is_none() {
        // Its item was withdrawn (暂停受理) after it was taken in: staff still work it by the
        // guide it was taken in under (its form, materials, 承诺时限 and department).
        if let Some(stored) = state.store.catalog().await? {
            let whole = crate::state::CatalogEntry::from_stored(&stored, &[])?;
            found = subject(&whole.catalog, &rec);
        }
    }
    let subject = found;
    if !may_see(signed.account(), &subject.departments) {
        tracing::info!(staff = %signed.account().name, application = %rec.id, "workbench refused another department's application");
        return Ok(Err(html(
            StatusCode::FORBIDDEN,
            views::message(
                Some(&f),
                "无权查看",
                "该办件属于其他部门，您无权查看或办理。",
                Some("/staff/"),
            ),
        )));
    }
    Ok(Ok((rec, subject)))
}

async fn render(
    state: &AppState,
    signed: &Signed,
    rec: &ApplicationRecord,
    subject: &Subject,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let sealed = state
        .store
        .application_payload(&rec.id)
        .await?
        .ok_or_else(|| HallError::Corrupt(format!("payload of {} missing", rec.id)))?;
    let plain = Zeroizing::new(state.secrets.open(&rec.id, &sealed)?);
    let payload: Payload = serde_json::from_slice(&plain)
        .map_err(|e| HallError::Corrupt(format!("payload of {}: {e}", rec.id)))?;
    let staff = &signed.account().name;
    audit(state.store.as_ref(), staff, "view-details", &rec.id, None).await?;
    tracing::info!(staff = %staff, application = %rec.id, "staff opened an application's personal data");

    let catalog = state.catalog();
    let work = state.store.work(&rec.id).await?;
    let steps = state.store.steps(&rec.id).await?;
    let audit_trail = state.store.audit_of(&rec.id).await?;
    let mut fields: Vec<(String, String)> = Vec::new();
    if let Some(a) = payload.counter.as_ref().and_then(|c| c.agent.as_ref()) {
        fields.push(("代办人".to_owned(), a.name.clone()));
        fields.push((
            "代办人身份证号码".to_owned(),
            vocab::mask::mask_id_number(&a.id_number),
        ));
        fields.push((
            "与申请人关系".to_owned(),
            super::intake::relation_label(&a.relation).to_owned(),
        ));
    }
    fields.extend(subject.form.fields.iter().filter_map(|f| {
        payload
            .fields
            .get(&f.key)
            .map(|v| (f.label.clone(), value_text(&f.kind, v)))
    }));
    let at_window: &[String] = payload
        .counter
        .as_ref()
        .map_or(&[], |c| c.at_window.as_slice());
    let name_of = |code: &str| {
        subject
            .materials
            .iter()
            .find(|(c, _)| c == code)
            .map_or_else(|| code.to_owned(), |(_, n)| n.clone())
    };
    let mut materials: Vec<(String, String)> = payload
        .materials
        .iter()
        .map(|m| {
            let how = match m.source {
                MaterialSource::Scanned => format!("自助机扫描 {} 页", m.pages),
                MaterialSource::Reused => "复用已有材料".to_owned(),
                MaterialSource::Later => "待补交（窗口或邮寄）".to_owned(),
                MaterialSource::IdCardRead => format!(
                    "已读取身份证（核验）{}",
                    vocab::mask::mask_id_number(&payload.applicant.id_number)
                ),
            };
            (name_of(&m.code), how)
        })
        .collect();
    for code in at_window {
        materials.push((name_of(code), "窗口已收取".to_owned()));
    }
    for (code, name) in &subject.materials {
        if !payload.materials.iter().any(|m| &m.code == code) && !at_window.contains(code) {
            let how = if subject.required.contains(code) {
                "未提交（必须提交）"
            } else {
                "未提交（视情况提交）"
            };
            materials.push((name.clone(), how.to_owned()));
        }
    }
    let timeline = rec
        .timeline
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let seq = i + 1;
            let step = steps.iter().find(|s| s.seq as usize == seq);
            let staff = step.map(|s| {
                let detail = s
                    .sealed_detail
                    .as_ref()
                    .and_then(|b| state.secrets.open(&step_context(&rec.id, seq), b).ok())
                    .and_then(|p| serde_json::from_slice::<StepDetail>(&p).ok())
                    .map(|d| d.summary())
                    .unwrap_or_default();
                if detail.is_empty() {
                    s.staff.clone()
                } else {
                    format!("{}：{detail}", s.staff)
                }
            });
            // The submission at a window: who took it in.
            let staff = staff.or_else(|| {
                (seq == 1)
                    .then(|| payload.counter.as_ref().map(|c| c.staff.clone()))
                    .flatten()
            });
            TimelineLine {
                status: t.status.label_zh(),
                at: views::local(t.at),
                note: t.note.clone(),
                staff,
            }
        })
        .collect();
    let limit = match subject.promised_days {
        Some(0) => "即办（当日办结）".to_owned(),
        Some(n) => format!("{n} 个工作日"),
        None => "目录中已无此事项".to_owned(),
    };
    let due = match work.due_on {
        Some(d)
            if d < today_local()
                && matches!(
                    rec.status,
                    hall_api::application::Status::Accepted
                        | hall_api::application::Status::Processing
                ) =>
        {
            format!("{d}（已超期）")
        }
        Some(d) => d.to_string(),
        None => "受理后按工作日计算".to_owned(),
    };
    let delivery = match &payload.delivery {
        Delivery::PickUp => "窗口领取".to_owned(),
        Delivery::Mail { address } => format!(
            "免费邮寄：{} {} {}{}",
            vocab::mask::mask_name(&address.recipient),
            address.phone,
            address.region,
            address.detail
        ),
    };
    let dept_names = subject
        .departments
        .iter()
        .map(|d| {
            catalog
                .catalog
                .department(d)
                .map_or_else(|| d.clone(), |x| x.name.clone())
        })
        .collect::<Vec<_>>()
        .join("、");
    let view = ApplicationView {
        id: rec.id.clone(),
        tracking_code: rec.tracking_code.clone(),
        subject: (rec.subject_name.clone(), rec.subject_code.clone()),
        departments: dept_names,
        status: rec.status.label_zh(),
        version: rec.timeline.len(),
        received: views::local(rec.received_at),
        kiosk: match (&payload.counter, rec.channel) {
            (Some(c), channel) => format!("{}（{}）", channel.label_zh(), c.staff),
            (None, crate::store::reports::Channel::Partner) => format!(
                "{} {}",
                rec.channel.label_zh(),
                rec.kiosk_id.trim_start_matches("partner:")
            ),
            (None, _) => format!("自助机 {}", rec.kiosk_id),
        },
        limit,
        due,
        handler: work.handler,
        applicant: (
            payload.applicant.name.clone(),
            vocab::mask::mask_id_number(&payload.applicant.id_number),
        ),
        fields,
        delivery,
        mailed: rec.mailed,
        materials,
        correctable: subject.materials.clone(),
        window: subject.window.clone(),
        timeline,
        audit: audit_trail,
        actions: Action::available(rec.status, signed.account().role),
        me: signed.account().display.clone(),
        handled_by: rec.handled_by.as_ref().map(|p| p.name.clone()),
    };
    let files = super::files::section(state, signed, &rec.id, rec.status, &name_of).await?;
    let f = frame(state, signed, &format!("办件 {}", rec.tracking_code), None);
    Ok(html(status, views::application(&f, &view, &files, error)))
}

/// The application page.
pub async fn application(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    match load(&state, &signed, &id).await? {
        Ok((rec, subject)) => render(&state, &signed, &rec, &subject, None, StatusCode::OK).await,
        Err(refused) => Ok(refused),
    }
}

/// Trimmed text of at most 300 characters without control characters (newlines allowed).
fn text(form: &Fields, name: &str) -> Result<Option<String>, &'static str> {
    let t = field(form, name).unwrap_or("").trim().replace("\r\n", "\n");
    if t.chars().count() > 300 {
        return Err("文字最多300个字，请精简后再提交。");
    }
    if t.chars().any(|c| c.is_control() && c != '\n') {
        return Err("文字中含有无法识别的字符，请重新输入。");
    }
    Ok((!t.is_empty()).then_some(t))
}

/// The citizen-visible note and the internal details of a step, or the message for the page.
fn step_of(
    action: Action,
    form: &Fields,
    subject: &Subject,
    mailed: bool,
) -> Result<(Option<String>, StepDetail, Option<String>), &'static str> {
    let mut d = StepDetail::default();
    let mut handler = None;
    let note = match action {
        Action::Accept => None,
        Action::Reject => Some(text(form, "reason")?.ok_or("不予受理须填写理由。")?),
        Action::Correction => {
            let picked: Vec<&str> = form
                .iter()
                .filter(|(k, _)| k == "material")
                .map(|(_, v)| v.as_str())
                .collect();
            let mut names = Vec::new();
            for code in &picked {
                let (_, name) = subject
                    .materials
                    .iter()
                    .find(|(c, _)| c == code)
                    .ok_or("所选材料不在该事项的材料清单中，请刷新页面后重选。")?;
                names.push(name.clone());
            }
            d.materials = picked.iter().map(|c| (*c).to_owned()).collect();
            let extra = text(form, "note")?;
            if names.is_empty() && extra.is_none() {
                return Err("要求补正须勾选材料或填写说明。");
            }
            let mut n = String::new();
            if !names.is_empty() {
                n = format!("请补正：{}。", names.join("、"));
            }
            if let Some(e) = extra {
                n.push_str(&e);
            }
            Some(n)
        }
        Action::Assign => {
            let h = text(form, "handler")?.ok_or("请填写承办人。")?;
            if h.chars().count() > 40 || h.contains('\n') {
                return Err("承办人姓名过长。");
            }
            d.handler = Some(h.clone());
            handler = Some(h);
            None
        }
        Action::Conclude => {
            let result = text(form, "result")?.ok_or("请填写办理结果。")?;
            if mailed {
                let w: String = field(form, "waybill")
                    .unwrap_or("")
                    .trim()
                    .to_ascii_uppercase();
                let ok =
                    (10..=20).contains(&w.len()) && w.chars().all(|c| c.is_ascii_alphanumeric());
                if !ok {
                    return Err("请填写正确的EMS邮件号（10–20位字母或数字）。");
                }
                d.waybill = Some(w.clone());
                Some(format!("{result}。已通过EMS免费寄出，邮件号 {w}。"))
            } else {
                let window = text(form, "window")?.ok_or("请填写领取窗口。")?;
                let p = field(form, "pickup").unwrap_or("").trim().to_owned();
                if !(4..=8).contains(&p.len()) || !p.chars().all(|c| c.is_ascii_digit()) {
                    return Err("取件码须为4–8位数字。");
                }
                d.window = Some(window.clone());
                d.pickup = Some(p.clone());
                Some(format!("{result}。请到{window}领取，取件码 {p}。"))
            }
        }
        Action::Feedback => text(form, "note")?,
        Action::Callback => {
            let pick = |name: &str, options: &[(&str, &'static str)]| {
                let v = field(form, name).unwrap_or("");
                options
                    .iter()
                    .find(|(k, _)| *k == v)
                    .map(|(_, l)| *l)
                    .ok_or("回访选项无效，请刷新页面后重试。")
            };
            let called = pick("called", &[("yes", "已致电"), ("no", "未能致电")])?;
            let reached = pick("reached", &[("yes", "已接通"), ("no", "未接通")])?;
            let sat = pick(
                "satisfaction",
                &[
                    ("satisfied", "满意"),
                    ("basic", "基本满意"),
                    ("unsatisfied", "不满意"),
                    ("none", "未表态"),
                ],
            )?;
            d.call = Some(format!("{called}，{reached}，{sat}"));
            d.note = text(form, "note")?;
            None
        }
    };
    Ok((note, d, handler))
}

/// The due date a 受理 sets: the 承诺时限 in working days from today.
fn due_on(state: &AppState, action: Action, subject: &Subject) -> Option<NaiveDate> {
    (action == Action::Accept).then(|| {
        state
            .staff
            .calendar
            .add_working_days(today_local(), subject.promised_days.unwrap_or(0))
    })
}

/// What the citizen is told of a step (受理, 补正 with the materials' names and the note,
/// 不予受理 with the reason, 办结 with the waybill or the window and pick-up code), if anything.
fn citizen_stage(
    action: Action,
    form: &Fields,
    subject: &Subject,
    detail: &StepDetail,
    note: Option<&str>,
    due_on: Option<NaiveDate>,
) -> Option<CitizenStage> {
    Some(match action {
        Action::Accept => CitizenStage::Accepted { due_by: due_on },
        Action::Reject => CitizenStage::Rejected {
            reason: note?.to_owned(),
        },
        Action::Correction => CitizenStage::CorrectionRequired {
            missing: detail
                .materials
                .iter()
                .filter_map(|code| subject.materials.iter().find(|(c, _)| c == code))
                .map(|(_, name)| name.clone())
                .collect(),
            note: text(form, "note").ok().flatten(),
        },
        Action::Conclude => CitizenStage::Concluded {
            collection: match (&detail.waybill, &detail.window) {
                (Some(waybill), _) => Collection::Mail {
                    carrier: "EMS".into(),
                    waybill: waybill.clone(),
                },
                (None, Some(window)) => Collection::PickUp {
                    place: window.clone(),
                    code: detail.pickup.clone(),
                },
                (None, None) => return None,
            },
        },
        Action::Assign | Action::Feedback | Action::Callback => return None,
    })
}

/// A step: `POST /staff/applications/{id}/{action}`.
pub async fn act(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    Path((id, action)): Path<(String, String)>,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Response, ApiError> {
    let form = match signed_form(&signed, form) {
        Ok(f) => f,
        Err(r) => return Ok(r.into_response()),
    };
    let (rec, subject) = match load(&state, &signed, &id).await? {
        Ok(found) => found,
        Err(refused) => return Ok(refused),
    };
    let f = frame(&state, &signed, "办理", None);
    let back = format!("/staff/applications/{}", rec.id);
    let say = |status: StatusCode, title: &str, text: &str| {
        html(status, views::message(Some(&f), title, text, Some(&back)))
    };
    let Some(action) = Action::from_slug(&action) else {
        return Ok(say(StatusCode::NOT_FOUND, "未找到", "没有这个办理操作。"));
    };
    if !action.allowed_for(signed.account().role) {
        return Ok(say(
            StatusCode::FORBIDDEN,
            "无权办理",
            &format!(
                "您的岗位（{}）不能办理「{}」。",
                signed.account().role.label_zh(),
                action.label_zh()
            ),
        ));
    }
    let Some(version) = field(&form, "version").and_then(|v| v.parse::<u32>().ok()) else {
        return Ok(say(
            StatusCode::BAD_REQUEST,
            "请求有误",
            "表单缺少版本信息，请刷新页面后重试。",
        ));
    };
    let (note, detail, handler) = match step_of(action, &form, &subject, rec.mailed) {
        Ok(s) => s,
        Err(message) => {
            return render(
                &state,
                &signed,
                &rec,
                &subject,
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    if let Some(place) = &rec.handled_by {
        // 跨省通办: its stages come from the partner's hall (see `partners::worker`).
        return Ok(say(
            StatusCode::CONFLICT,
            "跨省通办件",
            &format!(
                "本件由{}办理，本中心代收并已转交；办理环节由对方同步到这里，无需在此办理。",
                place.name
            ),
        ));
    }
    let due_on = due_on(&state, action, &subject);
    let stage = citizen_stage(action, &form, &subject, &detail, note.as_deref(), due_on);
    let seq = version as usize + 1;
    let plain = Zeroizing::new(
        serde_json::to_vec(&detail)
            .map_err(|e| HallError::Internal(format!("step detail: {e}")))?,
    );
    let sealed = state.secrets.seal(&step_context(&rec.id, seq), &plain)?;
    let now = Utc::now();
    let mv = StaffMove {
        application_id: rec.id.clone(),
        seen_version: version,
        entry: TimelineEntry {
            status: action.target(),
            at: now,
            note,
        },
        staff: signed.account().name.clone(),
        sealed_detail: Some(sealed),
        due_on,
        handler,
    };
    match crate::notify::citizen::staff_move(&state, &rec, mv, stage).await? {
        StaffMoved::Done(_) => {
            tracing::info!(staff = %signed.account().name, application = %rec.id, to = ?action.target(), "workbench step");
            Ok(Redirect::to(&back).into_response())
        }
        StaffMoved::Stale(now) => Ok(say(
            StatusCode::CONFLICT,
            "办件已有变化",
            &format!("您打开页面后，该办件已被他人办理，当前状态为「{}」。您的操作未保存，请查看最新情况后再办理。", now.label_zh()),
        )),
        StaffMoved::NotAllowed(from) => Ok(say(
            StatusCode::CONFLICT,
            "不能越过环节",
            &format!(
                "当前状态为「{}」，不能直接「{}」。请按 受理 → 承办 → 办结 → 反馈 → 回访 的顺序办理。",
                from.label_zh(),
                action.label_zh()
            ),
        )),
        StaffMoved::NotFound => Ok(say(StatusCode::NOT_FOUND, "未找到", "没有这个办件。")),
    }
}
