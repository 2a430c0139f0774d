//! 好差评 and 差评整改: the ratings page (counts per item, department and kiosk for a period,
//! the ratings, the open and overdue rectification cases) and one rating's page with its case.
//! The store opens a case for every 差评 (levels 1–2) in the rating's own transaction; staff
//! then take it through 核实 → 整改 → 回访 (回访 only when the citizen left a contact), each step
//! due a configured number of working days after the rating, recorded with who did it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use hall_api::feedback::{BadRatingReason, CallbackContact};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::access::departments_of;
use super::auth::Signed;
use super::calendar::Calendar;
use super::pages::{audit, field, frame, html, signed_form, Fields};
use super::ratings_views::{self as rv, CaseLine, Counts, RatingPage};
use super::views;
use crate::error::{ApiError, HallError};
use crate::state::{today_local, AppState};
use crate::store::followup::{step_context, Acted, CaseAct, CaseStage, RatingRow};
use crate::store::staff::Role;

/// Working days after the rating by which each step of a 差评 case is due. The State Council's
/// 好差评 rules (国办发〔2019〕51号) ask that a 差评 be verified, rectified and answered within
/// 15 working days; the split between the steps is the hall's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RectificationDays {
    /// 核实.
    pub verify: u32,
    /// 整改.
    pub rectify: u32,
    /// 回访 (the whole case).
    pub callback: u32,
}

impl Default for RectificationDays {
    fn default() -> Self {
        RectificationDays {
            verify: 5,
            rectify: 10,
            callback: 15,
        }
    }
}

impl RectificationDays {
    /// The due date of a stage for a rating made on `rated_on` (local date).
    pub fn due(&self, calendar: &Calendar, rated_on: NaiveDate, stage: CaseStage) -> NaiveDate {
        let days = match stage {
            CaseStage::Verify => self.verify,
            CaseStage::Rectify => self.rectify,
            CaseStage::Callback | CaseStage::Closed => self.callback,
        };
        calendar.add_working_days(rated_on, days)
    }
}

impl std::str::FromStr for RectificationDays {
    type Err = String;

    /// `VERIFY,RECTIFY,CALLBACK` working days, each 1–60 and not decreasing (`5,10,15`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let days: Vec<u32> = text
            .split(',')
            .map(|d| d.trim().parse::<u32>())
            .collect::<Result<_, _>>()
            .map_err(|_| format!("expected three numbers like 5,10,15, got {text:?}"))?;
        match days[..] {
            [verify, rectify, callback]
                if (1..=60).contains(&verify)
                    && verify <= rectify
                    && rectify <= callback
                    && callback <= 60 =>
            {
                Ok(RectificationDays {
                    verify,
                    rectify,
                    callback,
                })
            }
            _ => Err(format!(
                "expected three working-day counts 1-60, not decreasing (like 5,10,15), got {text:?}"
            )),
        }
    }
}

/// Everyone but reviewers sees the ratings (reviewers: 403).
pub fn may_see_ratings(role: Role) -> bool {
    !matches!(role, Role::Reviewer)
}

/// Who may take a case step: 核实 and 整改 the front desk, 回访 the callback staff; the
/// supervisor and the operator all of them.
pub fn may_take(role: Role, stage: CaseStage) -> bool {
    match role {
        Role::Supervisor | Role::Operator => stage != CaseStage::Closed,
        Role::FrontDesk => matches!(stage, CaseStage::Verify | CaseStage::Rectify),
        Role::Callback => stage == CaseStage::Callback,
        Role::Reviewer => false,
    }
}

fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&crate::state::local_now().timezone())
        .date_naive()
}

fn local_midnight(day: NaiveDate) -> DateTime<Utc> {
    let tz = crate::state::local_now().timezone();
    tz.from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .single()
        .map_or_else(
            || day.and_time(chrono::NaiveTime::MIN).and_utc(),
            |t| t.with_timezone(&Utc),
        )
}

/// A period's first day (`day`, `week` from Monday, `month`, `year`) up to today.
pub fn period_start(period: &str, today: NaiveDate) -> NaiveDate {
    match period {
        "day" => today,
        "week" => today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday())),
        "year" => NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
        _ => today.with_day(1).unwrap_or(today),
    }
}

fn refused(state: &AppState, signed: &Signed) -> Response {
    let f = frame(state, signed, rv::TITLE, None);
    html(
        StatusCode::FORBIDDEN,
        views::message(
            Some(&f),
            "无权访问",
            "您的角色无权查看好差评。",
            Some("/staff/"),
        ),
    )
}

fn not_found(state: &AppState, signed: &Signed) -> Response {
    let f = frame(state, signed, rv::TITLE, None);
    html(
        StatusCode::NOT_FOUND,
        views::message(Some(&f), "未找到", "没有这条评价。", Some("/staff/ratings")),
    )
}

fn case_line(state: &AppState, r: &RatingRow, today: NaiveDate) -> Option<CaseLine> {
    let (stage, _) = r.case?;
    let due = (stage != CaseStage::Closed).then(|| {
        state
            .staff
            .settings
            .rectification
            .due(&state.staff.calendar, local_date(r.rated_at), stage)
    });
    Some(CaseLine {
        stage,
        due,
        overdue: due.is_some_and(|d| d < today),
    })
}

/// `GET /staff/ratings?period=day|week|month|year`.
pub async fn list(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if !may_see_ratings(signed.account().role) {
        return Ok(refused(&state, &signed));
    }
    let period = q
        .get("period")
        .map(String::as_str)
        .filter(|p| ["day", "week", "month", "year"].contains(p))
        .unwrap_or("month");
    let today = today_local();
    let from = local_midnight(period_start(period, today));
    let to = local_midnight(today + chrono::Duration::days(1));
    let counts = state.store.rating_counts(from, to).await?;
    let rows = state.store.ratings(from, to, 200).await?;
    let open = state.store.open_cases(500).await?;
    let catalog = state.catalog();
    let department_of = |code: &str| {
        let kind = if catalog.catalog.item(code).is_some() {
            "item"
        } else {
            "bundle"
        };
        departments_of(&catalog.catalog, kind, code)
            .iter()
            .map(|d| {
                catalog
                    .catalog
                    .department(d)
                    .map_or_else(|| d.clone(), |x| x.name.clone())
            })
            .collect::<Vec<_>>()
            .join("、")
    };
    let subject_name = |code: &str| {
        catalog
            .catalog
            .item(code)
            .map(|i| i.name.clone())
            .or_else(|| catalog.catalog.bundle(code).map(|b| b.name.clone()))
            .unwrap_or_else(|| code.to_owned())
    };
    let mut total = Counts::default();
    let mut per_item = BTreeMap::<String, Counts>::new();
    let mut per_department = BTreeMap::<String, Counts>::new();
    let mut per_kiosk = BTreeMap::<String, Counts>::new();
    for c in &counts {
        total.add(c.level, c.count);
        per_item
            .entry(subject_name(&c.subject_code))
            .or_default()
            .add(c.level, c.count);
        per_department
            .entry(department_of(&c.subject_code))
            .or_default()
            .add(c.level, c.count);
        per_kiosk
            .entry(c.kiosk_id.clone().unwrap_or_else(|| "手机进度页".into()))
            .or_default()
            .add(c.level, c.count);
    }
    let cases: Vec<(RatingRow, CaseLine)> = open
        .into_iter()
        .filter_map(|r| case_line(&state, &r, today).map(|l| (r, l)))
        .collect();
    let listed: Vec<(RatingRow, Option<CaseLine>)> = rows
        .into_iter()
        .map(|r| {
            let l = case_line(&state, &r, today);
            (r, l)
        })
        .collect();
    let f = frame(&state, &signed, rv::TITLE, None);
    Ok(html(
        StatusCode::OK,
        rv::list(
            &f,
            &rv::ListPage {
                period,
                total,
                per_item,
                per_department,
                per_kiosk,
                cases,
                ratings: listed,
            },
        ),
    ))
}

/// A case step's details, sealed.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StepDetail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    finding: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reached: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    satisfaction: Option<String>,
    note: String,
}

impl StepDetail {
    fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(f) = &self.finding {
            parts.push(format!("核实结论：{f}"));
        }
        if let Some(r) = self.reached {
            parts.push(if r {
                "已接通".into()
            } else {
                "未接通".into()
            });
        }
        if let Some(s) = &self.satisfaction {
            parts.push(format!("满意度：{s}"));
        }
        parts.push(self.note.clone());
        parts.join("；")
    }
}

fn option<'a>(form: &'a Fields, name: &str, allowed: &[&'a str]) -> Result<&'a str, String> {
    field(form, name)
        .filter(|v| allowed.contains(v))
        .ok_or_else(|| "请从选项中选择。".to_owned())
}

fn detail_of(stage: CaseStage, form: &Fields) -> Result<StepDetail, String> {
    let note = field(form, "note").unwrap_or("").trim().to_owned();
    if note.is_empty() {
        return Err(format!("请填写{}情况。", stage.label_zh()));
    }
    if note.chars().count() > 300 {
        return Err("内容过长（最多300个字），请精简后重试。".into());
    }
    let mut d = StepDetail {
        note,
        ..StepDetail::default()
    };
    match stage {
        CaseStage::Verify => {
            d.finding = Some(option(form, "finding", &["属实", "部分属实", "不属实"])?.into());
        }
        CaseStage::Callback => {
            d.reached = Some(option(form, "reached", &["yes", "no"])? == "yes");
            d.satisfaction = Some(
                option(
                    form,
                    "satisfaction",
                    &["满意", "基本满意", "不满意", "未表态"],
                )?
                .into(),
            );
        }
        CaseStage::Rectify | CaseStage::Closed => {}
    }
    Ok(d)
}

async fn page_of(
    state: &AppState,
    signed: &Signed,
    id: &str,
) -> Result<Option<RatingPage>, ApiError> {
    let Some(d) = state.store.rating_detail(id).await? else {
        return Ok(None);
    };
    let (comment, contact): (Option<String>, Option<CallbackContact>) = match &d.sealed {
        Some(b) => {
            let plain = Zeroizing::new(state.secrets.open(id, b)?);
            serde_json::from_slice(&plain)
                .map_err(|e| HallError::Corrupt(format!("rating {id}: {e}")))?
        }
        None => (None, None),
    };
    let mut steps = Vec::new();
    for s in &d.steps {
        let detail = match &s.sealed_detail {
            Some(b) => {
                let plain = Zeroizing::new(state.secrets.open(&step_context(id, s.seq), b)?);
                serde_json::from_slice::<StepDetail>(&plain)
                    .map_err(|e| HallError::Corrupt(format!("case step {id}: {e}")))?
                    .summary()
            }
            None => String::new(),
        };
        let stage = CaseStage::parse(&s.action);
        steps.push((stage, views::local(s.at), s.staff.clone(), detail));
    }
    let reasons: Vec<String> = serde_json::from_str::<Vec<BadRatingReason>>(&d.row.reasons_json)
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.label_zh().to_owned())
        .collect();
    let today = today_local();
    let rated_on = local_date(d.row.rated_at);
    let settings = &state.staff.settings.rectification;
    let deadlines = [CaseStage::Verify, CaseStage::Rectify, CaseStage::Callback]
        .into_iter()
        .map(|s| (s, settings.due(&state.staff.calendar, rated_on, s)))
        .collect();
    let role = signed.account().role;
    Ok(Some(RatingPage {
        case: case_line(state, &d.row, today),
        version: d.row.case.map_or(0, |(_, v)| v),
        may_act: d.row.case.is_some_and(|(stage, _)| may_take(role, stage)),
        comment,
        contact: contact.map(|c| (c.name.clone().unwrap_or_default(), c.phone.clone())),
        reasons,
        deadlines,
        steps,
        audit: state.store.audit_of(id).await?,
        row: d.row,
    }))
}

async fn show(
    state: &AppState,
    signed: &Signed,
    id: &str,
    status: StatusCode,
    error: Option<&str>,
) -> Result<Response, ApiError> {
    if !may_see_ratings(signed.account().role) {
        return Ok(refused(state, signed));
    }
    if state.store.rating_detail(id).await?.is_none() {
        return Ok(not_found(state, signed));
    }
    audit(
        state.store.as_ref(),
        &signed.account().name,
        "view-rating",
        id,
        None,
    )
    .await?;
    tracing::info!(staff = %signed.account().name, rating = %id, "staff viewed a rating");
    let Some(page) = page_of(state, signed, id).await? else {
        return Ok(not_found(state, signed));
    };
    let f = frame(state, signed, rv::TITLE, None);
    Ok(html(status, rv::rating(&f, &page, error)))
}

/// `GET /staff/ratings/{id}`: the rating, its comment and contact (audited) and its case.
pub async fn rating(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    show(&state, &signed, &id, StatusCode::OK, None).await
}

/// `POST /staff/ratings/{id}/{verify,rectify,callback}`: a case step.
pub async fn act(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    Path((id, slug)): Path<(String, String)>,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Response, ApiError> {
    let form = match signed_form(&signed, form) {
        Ok(f) => f,
        Err(r) => return Ok(r.into_response()),
    };
    let role = signed.account().role;
    let Some(done) = CaseStage::parse(&slug).filter(|s| *s != CaseStage::Closed) else {
        return Ok(not_found(&state, &signed));
    };
    if !may_see_ratings(role) || !may_take(role, done) {
        let f = frame(&state, &signed, rv::TITLE, None);
        return Ok(html(
            StatusCode::FORBIDDEN,
            views::message(
                Some(&f),
                "无权操作",
                &format!("您的角色不能办理差评整改的「{}」环节。", done.label_zh()),
                Some(&format!("/staff/ratings/{id}")),
            ),
        ));
    }
    let Some(d) = state.store.rating_detail(&id).await? else {
        return Ok(not_found(&state, &signed));
    };
    let Some(seen) = field(&form, "version").and_then(|v| v.parse::<u32>().ok()) else {
        let msg = "表单缺少版本信息，请刷新页面后重试。";
        return show(&state, &signed, &id, StatusCode::BAD_REQUEST, Some(msg)).await;
    };
    let detail = match detail_of(done, &form) {
        Ok(d) => d,
        Err(m) => {
            return show(
                &state,
                &signed,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&m),
            )
            .await
        }
    };
    // 回访 only when the citizen left a contact; otherwise 整改 closes the case.
    let has_contact = match &d.sealed {
        Some(b) => {
            let plain = Zeroizing::new(state.secrets.open(&id, b)?);
            serde_json::from_slice::<(Option<String>, Option<CallbackContact>)>(&plain)
                .map_err(|e| HallError::Corrupt(format!("rating {id}: {e}")))?
                .1
                .is_some()
        }
        None => false,
    };
    let next = match done {
        CaseStage::Verify => CaseStage::Rectify,
        CaseStage::Rectify if has_contact => CaseStage::Callback,
        _ => CaseStage::Closed,
    };
    let plain = Zeroizing::new(
        serde_json::to_vec(&detail).map_err(|e| HallError::Internal(e.to_string()))?,
    );
    let sealed_detail = Some(state.secrets.seal(&step_context(&id, seen + 1), &plain)?);
    let acted = state
        .store
        .case_act(CaseAct {
            rating_id: id.clone(),
            seen_version: seen,
            done,
            next,
            staff: signed.account().name.clone(),
            at: Utc::now(),
            sealed_detail,
        })
        .await?;
    let message = match acted {
        Acted::Done((stage, _)) => {
            tracing::info!(staff = %signed.account().name, rating = %id, step = done.slug(), next = stage.slug(), "差评 case step");
            return Ok(Redirect::to(&format!("/staff/ratings/{id}")).into_response());
        }
        Acted::NotFound => "这条评价不是差评，没有整改流程。".to_owned(),
        Acted::Stale((stage, _)) => format!(
            "该差评已被他人办理（当前：{}），您的操作未保存。请查看最新情况后再操作。",
            stage.label_zh()
        ),
        Acted::NotAllowed((stage, _)) => format!(
            "当前环节为「{}」，不能办理「{}」。",
            stage.label_zh(),
            done.label_zh()
        ),
    };
    show(&state, &signed, &id, StatusCode::CONFLICT, Some(&message)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_count_working_days_from_the_rating() {
        let cal = Calendar::shipped().unwrap_or_else(|e| panic!("{e}"));
        let days = RectificationDays::default();
        // Friday 2025-09-26; the National Day holiday runs 1–8 October, 28 September is a
        // make-up working day (Sunday).
        let rated = NaiveDate::from_ymd_opt(2025, 9, 26).unwrap_or_default();
        let verify = days.due(&cal, rated, CaseStage::Verify);
        let all = days.due(&cal, rated, CaseStage::Callback);
        assert!(verify < days.due(&cal, rated, CaseStage::Rectify));
        assert_eq!(all, cal.add_working_days(rated, 15));
        assert!(
            all > rated + chrono::Duration::days(21),
            "the holiday pushes it past three weeks: {all}"
        );
    }

    #[test]
    fn rectification_days_parse_in_order_or_say_what_is_expected() {
        assert_eq!(
            "5, 10,15".parse::<RectificationDays>(),
            Ok(RectificationDays::default())
        );
        for bad in [
            "",
            "5,10",
            "10,5,15",
            "0,5,15",
            "5,10,99",
            "a,b,c",
            "5,10,15,20",
        ] {
            let e = bad.parse::<RectificationDays>().unwrap_err();
            assert!(e.contains("5,10,15"), "{bad}: {e}");
        }
    }

    #[test]
    fn roles_take_only_their_case_steps() {
        assert!(may_take(Role::FrontDesk, CaseStage::Verify));
        assert!(!may_take(Role::FrontDesk, CaseStage::Callback));
        assert!(may_take(Role::Callback, CaseStage::Callback));
        assert!(!may_take(Role::Callback, CaseStage::Rectify));
        assert!(!may_take(Role::Supervisor, CaseStage::Closed));
        assert!(!may_see_ratings(Role::Reviewer));
        assert_eq!(
            period_start(
                "week",
                NaiveDate::from_ymd_opt(2026, 12, 4).unwrap_or_default()
            ),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default()
        );
    }
}
