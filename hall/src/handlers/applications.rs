//! Applications: intake with idempotency, the citizen's progress query, and the
//! reusable-materials lookup. Staff endpoints are in `staff.rs`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use hall_api::application::{
    ApplicationReceipt, CreateApplication, Delivery, MaterialSource, Progress, ProgressList,
    ProgressQuery, ReusableMaterial, ReusableMaterials, ReusableMaterialsQuery, Status, Subject,
};
use hall_api::error::{ErrorBody, ErrorCode};
use hall_api::form::{validate_form, FieldError, FieldErrorCode};
use serde::Serialize;

use super::{field_error, verify_receipt};
use crate::auth::Kiosk;
use crate::crypto::{new_id, new_tracking_code};
use crate::error::ApiError;
use crate::extract::{ApiJson, ClientAddr, IdempotencyKey};
use crate::idempotency::{legacy_mac, prior, Prior, RawJson};
use crate::staff::intake::CounterRecord;
use crate::state::{today_local, AppState};
use crate::store::reports::Channel;
use crate::store::{ApplicationRecord, IdempotencyScope, NewApplication, Written};

/// Marks a response that replays an earlier one.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// What is sealed: everything personal the application carries.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SealedPayload<'a> {
    applicant: &'a hall_api::application::Applicant,
    fields: &'a hall_api::form::FormValues,
    materials: &'a [hall_api::application::HandedInMaterial],
    delivery: &'a Delivery,
    submitted_at: chrono::DateTime<Utc>,
    /// Taken in at a window: who took it, the 代办 agent, materials handed in there.
    #[serde(skip_serializing_if = "Option::is_none")]
    counter: Option<&'a CounterRecord>,
}

/// What the subject resolves to in the catalog.
pub(crate) struct Resolved {
    subject_type: &'static str,
    code: String,
    name: String,
    schema: hall_api::form::FormSchema,
    pub(crate) materials: Vec<hall_api::catalog::Material>,
    pub(crate) promised_days: u32,
    pub(crate) mail_allowed: bool,
    /// 跨省通办 item (bundles never are).
    pub(crate) cross_province: bool,
}

/// The item or bundle of an application in the catalog (422 if it is not there).
pub(crate) fn resolve(
    catalog: &hall_api::catalog::Catalog,
    subject: &Subject,
) -> Result<Resolved, ApiError> {
    match subject {
        Subject::Item(code) => {
            let item = catalog
                .item(code)
                .ok_or_else(|| unknown(ErrorCode::UnknownItem, "item"))?;
            Ok(Resolved {
                subject_type: "item",
                code: item.code.clone(),
                name: item.name.clone(),
                schema: item.form.clone(),
                materials: item.materials.clone(),
                promised_days: item.promised_limit_days,
                mail_allowed: item.mail_delivery,
                cross_province: item.cross_province,
            })
        }
        Subject::Bundle(code) => {
            let bundle = catalog
                .bundle(code)
                .ok_or_else(|| unknown(ErrorCode::UnknownBundle, "bundle"))?;
            let items = catalog
                .bundle_items(bundle)
                .ok_or_else(|| unknown(ErrorCode::UnknownItem, "item of the bundle"))?;
            Ok(Resolved {
                subject_type: "bundle",
                code: bundle.code.clone(),
                name: bundle.name.clone(),
                schema: catalog.bundle_form(bundle),
                materials: catalog
                    .bundle_materials(bundle)
                    .into_iter()
                    .map(|m| m.material)
                    .collect(),
                promised_days: items
                    .iter()
                    .map(|i| i.promised_limit_days)
                    .max()
                    .unwrap_or(0),
                mail_allowed: items.iter().any(|i| i.mail_delivery),
                cross_province: false,
            })
        }
    }
}

fn unknown(code: ErrorCode, what: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        code,
        format!("the {what} code is not in the current catalog; refresh the catalog"),
        "该事项暂不可办理，请刷新后重试",
    )
}

/// Every check of an application beyond its JSON shape; all problems at once. The kiosk API
/// and the window's intake ([`crate::staff::intake`]) apply the same checks.
pub(crate) fn check(req: &CreateApplication, r: &Resolved) -> Vec<FieldError> {
    let mut errors = validate_form(&r.schema, &req.fields, today_local())
        .err()
        .unwrap_or_default();
    if !vocab::id_number::is_valid(&req.applicant.id_number) {
        errors.push(field_error(
            "applicant.idNumber",
            FieldErrorCode::InvalidIdNumber,
            "公民身份号码有误",
        ));
    }
    let name_len = req.applicant.name.trim().chars().count();
    if !(1..=30).contains(&name_len) || req.applicant.name.chars().any(char::is_control) {
        errors.push(field_error(
            "applicant.name",
            FieldErrorCode::TooLong,
            "姓名应为1至30个字",
        ));
    }
    if let Some(v) = req.fields.get("applicantIdNumber").and_then(|v| v.as_str()) {
        if !v.eq_ignore_ascii_case(&req.applicant.id_number) {
            errors.push(field_error(
                "applicantIdNumber",
                FieldErrorCode::InvalidIdNumber,
                "与所读身份证不一致",
            ));
        }
    }
    if req.materials.len() > 64 {
        errors.push(field_error(
            "materials",
            FieldErrorCode::TooLong,
            "材料条目过多",
        ));
    }
    for (i, m) in req.materials.iter().enumerate() {
        match r.materials.iter().find(|x| x.code == m.code) {
            None => errors.push(field_error(
                &format!("materials[{i}].code"),
                FieldErrorCode::UnknownOption,
                "该事项不需要此材料",
            )),
            Some(x) if m.source == MaterialSource::Reused && !x.reusable => {
                errors.push(field_error(
                    &format!("materials[{i}].source"),
                    FieldErrorCode::UnknownOption,
                    "此材料不能复用，请重新提交",
                ))
            }
            Some(_) if m.pages > 200 => errors.push(field_error(
                &format!("materials[{i}].pages"),
                FieldErrorCode::OutOfRange,
                "页数过多",
            )),
            Some(_) => {}
        }
    }
    errors.extend(super::material_refs::check(req, &r.materials));
    if req.catalog_version.len() > 64 {
        errors.push(field_error(
            "catalogVersion",
            FieldErrorCode::TooLong,
            "版本号过长",
        ));
    }
    if let Delivery::Mail { address } = &req.delivery {
        if !r.mail_allowed {
            errors.push(field_error(
                "delivery",
                FieldErrorCode::UnknownOption,
                "该事项暂不支持邮寄",
            ));
        }
        let bounded = |s: &str, min: usize, max: usize| {
            let n = s.trim().chars().count();
            (min..=max).contains(&n) && !s.chars().any(char::is_control)
        };
        if !bounded(&address.recipient, 1, 30) {
            errors.push(field_error(
                "delivery.address.recipient",
                FieldErrorCode::TooLong,
                "收件人应为1至30个字",
            ));
        }
        if !hall_api::form::is_phone(&address.phone) {
            errors.push(field_error(
                "delivery.address.phone",
                FieldErrorCode::InvalidPhone,
                "收件人电话有误",
            ));
        }
        if !bounded(&address.region, 2, 40) {
            errors.push(field_error(
                "delivery.address.region",
                FieldErrorCode::TooShort,
                "请填写省市区县",
            ));
        }
        if !bounded(&address.detail, 3, 100) {
            errors.push(field_error(
                "delivery.address.detail",
                FieldErrorCode::TooShort,
                "请填写详细地址",
            ));
        }
    }
    errors
}

fn receipt(state: &AppState, rec: &ApplicationRecord) -> ApplicationReceipt {
    ApplicationReceipt {
        id: rec.id.clone(),
        tracking_code: rec.tracking_code.clone(),
        verifier: state.secrets.verifier_for(&rec.id),
        subject: subject_of(rec),
        status: Status::Submitted,
        received_at: rec.received_at,
        promised_by: rec.promised_by,
    }
}

fn subject_of(rec: &ApplicationRecord) -> Subject {
    if rec.subject_type == "bundle" {
        Subject::Bundle(rec.subject_code.clone())
    } else {
        Subject::Item(rec.subject_code.clone())
    }
}

/// The citizen's view of a record.
pub fn progress(rec: &ApplicationRecord) -> Progress {
    Progress {
        tracking_code: rec.tracking_code.clone(),
        subject: subject_of(rec),
        subject_name: rec.subject_name.clone(),
        status: rec.status,
        timeline: rec.timeline.clone(),
        promised_by: rec.promised_by,
        mailed: rec.mailed,
        rated: rec.rated,
        handled_by: rec.handled_by.clone(),
    }
}

/// The first timeline entry's note of an application taken in although its item was
/// withdrawn after the citizen submitted it at the kiosk (the citizen reads it on the progress
/// page, staff on the application).
pub const WITHDRAWN_AFTER_SUBMISSION: &str =
    "该事项在您提交后暂停受理；您的申请已按提交时的办事指南收件，工作人员审核后告知办理结果";

/// [`WITHDRAWN_AFTER_SUBMISSION`] on the progress page's English version.
pub const WITHDRAWN_AFTER_SUBMISSION_EN: &str =
    "This service was suspended after you applied. Your application was taken in under the guide in force when you applied; staff will review it and tell you the outcome";

/// Takes in an application exactly once per `Idempotency-Key`. The key is looked up before
/// anything is validated: a retry of a stored request is answered from what was stored, even
/// if its item was withdrawn or a rule or the date changed since (see [`crate::idempotency`]).
#[utoipa::path(post, path = "/api/v1/applications", tag = "applications",
    request_body = CreateApplication,
    params(("Idempotency-Key" = String, Header, description = "8-64 chars [A-Za-z0-9_-], same on every retry")),
    responses(
        (status = 201, description = "Created, or the identical replay of an earlier create (header Idempotent-Replayed: true)", body = ApplicationReceipt),
        (status = 400, description = "Malformed body or missing key", body = ErrorBody),
        (status = 401, description = "No or wrong kiosk credential", body = ErrorBody),
        (status = 409, description = "Key reused with another body", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, description = "Unknown item/bundle or invalid fields", body = ErrorBody),
        (status = 503, description = "Overloaded, timed out or storage unavailable; retry after Retry-After", body = ErrorBody)),
    security(("kiosk" = [])))]
pub async fn create(
    State(state): State<Arc<AppState>>,
    Kiosk(kiosk): Kiosk,
    IdempotencyKey(key): IdempotencyKey,
    raw: RawJson,
) -> Result<Response, ApiError> {
    let body_mac = raw.mac(&state.secrets, "application");
    let legacy = || {
        raw.parse::<CreateApplication>()
            .ok()
            .and_then(|req| legacy_mac(&state.secrets, "application", &req))
    };
    match prior(&state, &kiosk.id, "application", &key, &body_mac, legacy).await? {
        Prior::Replay(id) => {
            let rec = state.store.application(&id).await?.ok_or_else(|| {
                crate::error::HallError::Corrupt(format!(
                    "application {id} of a stored key vanished"
                ))
            })?;
            tracing::info!(kiosk = %kiosk.id, application = %rec.id, "application replayed");
            return Ok(replayed(StatusCode::CREATED, Json(receipt(&state, &rec))));
        }
        Prior::Conflict => return Err(key_conflict()),
        Prior::New => {}
    }
    let mut req: CreateApplication = raw.parse()?;
    drop(raw);
    // What the kiosk's site offers: an item hidden there is unknown to this kiosk.
    let mut catalog = state.catalog_for_kiosk(&kiosk.id).await?;
    let mut note = None;
    if resolve(&catalog.catalog, &req.subject).is_err() {
        // Taken at the kiosk before its item was withdrawn (it waited in the outbox): checked
        // against what the citizen was offered, so it is not lost.
        if let Some(then) = state
            .catalog_when_applied(&kiosk.id, req.submitted_at)
            .await?
        {
            if resolve(&then.catalog, &req.subject).is_ok() {
                tracing::warn!(kiosk = %kiosk.id, subject = ?req.subject, submitted_at = %req.submitted_at,
                    "an application for an item withdrawn after it was submitted at the kiosk is taken in; staff decide on it");
                catalog = std::sync::Arc::new(then);
                note = Some(WITHDRAWN_AFTER_SUBMISSION.to_owned());
            }
        }
    }
    // One-touch phone reuse: the stored number goes into the form before it is checked.
    let token_refused =
        super::contact::fill_phone(&state, &kiosk.id, &mut req, &catalog.catalog).await?;
    let checked = resolve(&catalog.catalog, &req.subject).and_then(|resolved| {
        let mut errors = check(&req, &resolved);
        if let Some(refused) = token_refused {
            errors.retain(|e| e.field != refused.field);
            errors.push(refused);
        }
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        crate::partners::handlers::check_handled_by(&catalog.catalog, &req, &resolved)?;
        Ok(resolved)
    });
    let resolved = match checked {
        Ok(resolved) => resolved,
        Err(refusal) => {
            // Before refusing, ask the writer: the first attempt of this key may still be
            // queued there (its answer timed out), and then this is its retry, not a new
            // request.
            let settled = state
                .store
                .idempotency_settled(&kiosk.id, "application", &key)
                .await?;
            return match settled {
                Some((mac, id)) if crate::crypto::constant_time_eq(&mac, &body_mac) => {
                    let rec = state.store.application(&id).await?.ok_or_else(|| {
                        crate::error::HallError::Corrupt(format!("application {id} vanished"))
                    })?;
                    Ok(replayed(StatusCode::CREATED, Json(receipt(&state, &rec))))
                }
                Some(_) => Err(key_conflict()),
                None => Err(refusal),
            };
        }
    };
    let scope = IdempotencyScope {
        kiosk_id: kiosk.id.clone(),
        kind: "application",
        key,
        body_mac,
    };
    let partner = match &req.handled_by {
        Some(code) => catalog
            .catalog
            .partners
            .iter()
            .find(|p| &p.code == code)
            .cloned()
            .map(crate::partners::PartnerIntent::Forward),
        None => None,
    };
    let origin = Origin {
        scope,
        channel: Channel::Kiosk,
        counter: None,
        partner,
        note,
    };
    match take_in(&state, &req, resolved, origin).await? {
        Written::Created(rec) => {
            tracing::info!(kiosk = %kiosk.id, application = %rec.id, subject = %rec.subject_code, handled_by = ?rec.handled_by.as_ref().map(|p| &p.code), "application taken in");
            if rec.handled_by.is_some() {
                state.partner_wake.notify_one();
            }
            Ok((StatusCode::CREATED, Json(receipt(&state, &rec))).into_response())
        }
        Written::Replayed(rec) => {
            tracing::info!(kiosk = %kiosk.id, application = %rec.id, "application replayed");
            Ok(replayed(StatusCode::CREATED, Json(receipt(&state, &rec))))
        }
        Written::Conflict => Err(key_conflict()),
    }
}

/// Where an application comes from: its idempotency scope (a kiosk, or a staff member's
/// window), the channel the report counts, and what the window recorded.
pub(crate) struct Origin<'a> {
    /// Exactly once per (owner, key).
    pub scope: IdempotencyScope,
    /// Kiosk, 综合窗口 or a department's window.
    pub channel: Channel,
    /// Taken in at a window: sealed with the applicant's data.
    pub counter: Option<&'a CounterRecord>,
    /// 跨省通办: to forward to a partner, or received from one.
    pub partner: Option<crate::partners::PartnerIntent>,
    /// A note on the first timeline entry (see [`NewApplication::first_note`]).
    pub note: Option<String>,
}

/// The one intake path of every application, kiosk or window: seals the personal data,
/// notes the materials that can be reused later, dates the promise in working days, and
/// writes it exactly once per idempotency scope (a repeat answers the stored record).
pub(crate) async fn take_in(
    state: &AppState,
    req: &CreateApplication,
    resolved: Resolved,
    origin: Origin<'_>,
) -> Result<Written<ApplicationRecord>, ApiError> {
    let now = Utc::now();
    let today = today_local();
    let id = new_id()?;
    let payload = SealedPayload {
        applicant: &req.applicant,
        fields: &req.fields,
        materials: &req.materials,
        delivery: &req.delivery,
        submitted_at: req.submitted_at,
        counter: origin.counter,
    };
    let plain = zeroize::Zeroizing::new(
        serde_json::to_vec(&payload)
            .map_err(|e| crate::error::HallError::Corrupt(e.to_string()))?,
    );
    let owner = super::attachments::kiosk_owner(&origin.scope.kiosk_id);
    let links = if req.materials.iter().any(|m| !m.attachments.is_empty()) {
        super::material_refs::resolve(state, &owner, req).await?
    } else {
        Vec::new()
    };
    let at_window: &[String] = origin.counter.map_or(&[], |c| c.at_window.as_slice());
    let reusable = req
        .materials
        .iter()
        .filter(|m| m.source == MaterialSource::Scanned)
        .map(|m| &m.code)
        .chain(at_window)
        .filter_map(|code| {
            resolved
                .materials
                .iter()
                .find(|x| &x.code == code && x.reusable)
        })
        .map(|x| (x.code.clone(), x.name.clone()))
        .collect();
    let tracking_code = new_tracking_code(today)?;
    let partner = origin
        .partner
        .map(|p| p.into_link(&state.secrets, &id, &tracking_code, now, req))
        .transpose()?;
    let new = NewApplication {
        scope: origin.scope,
        tracking_code,
        verifier_hash: state
            .secrets
            .verifier_hash(&state.secrets.verifier_for(&id)),
        sealed_payload: state.secrets.seal(&id, &plain)?,
        id,
        subject_type: resolved.subject_type,
        subject_code: resolved.code,
        subject_name: resolved.name,
        catalog_version: req.catalog_version.clone(),
        applicant_key: state.secrets.applicant_key(&req.applicant.id_number),
        mailed: matches!(req.delivery, Delivery::Mail { .. }),
        reusable_materials: reusable,
        received_at: now,
        // Working days by the holiday files, as the workbench's due dates.
        promised_by: state
            .staff
            .calendar
            .add_working_days(today, resolved.promised_days),
        // A partner's citizen hears from the hall that took the application in (our stage
        // changes reach it there), not twice.
        notify_consent: req.notify_consent
            && !matches!(
                partner,
                Some(crate::partners::PartnerLink::ReceivedFrom { .. })
            ),
        channel: origin.channel,
        partner,
        attachments: links,
        first_note: origin.note,
    };
    Ok(state.store.create_application(new).await?)
}

/// A replayed response: the same status and body, marked with a header.
pub fn replayed(status: StatusCode, body: impl IntoResponse) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        HeaderName::from_static(REPLAYED_HEADER),
        HeaderValue::from_static("true"),
    );
    r
}

/// 409 for a key reused with another body.
pub fn key_conflict() -> ApiError {
    ApiError::conflict(
        ErrorCode::IdempotencyConflict,
        "this Idempotency-Key was used before with a different body; use a new key for a new request",
        "重复提交的内容不一致",
    )
}

/// The citizen's progress query: tracking code plus verifier, nothing else.
#[utoipa::path(post, path = "/api/v1/progress", tag = "citizens",
    request_body = ProgressQuery,
    responses((status = 200, body = Progress),
        (status = 404, description = "Code and verifier do not match (the same answer for unknown codes)", body = ErrorBody),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = ErrorBody)))]
pub async fn query_progress(
    State(state): State<Arc<AppState>>,
    ClientAddr(client): ClientAddr,
    ApiJson(q): ApiJson<ProgressQuery>,
) -> Result<Json<Progress>, ApiError> {
    let rec = verify_receipt(&state, client, &q.tracking_code, &q.verifier).await?;
    Ok(Json(progress(&rec)))
}

/// Counts a look-up by ID number against the kiosk's budget and writes it to the audit
/// table (kiosk, route, time and the keyed hash of the number — never the number).
pub(crate) async fn audited_lookup(
    state: &AppState,
    kiosk: &str,
    route: &'static str,
    id_number: &str,
) -> Result<[u8; 32], ApiError> {
    if let Err(wait) = state.id_lookups.take(kiosk) {
        tracing::warn!(kiosk = %kiosk, route, "look-ups by ID number over the per-kiosk limit");
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            format!(
                "this kiosk made more than {} look-ups by ID number in a minute; wait and retry",
                state.settings.id_lookups_per_minute
            ),
            "查询过于频繁，请稍后再试",
        );
        e.retry_after = Some(wait.as_secs().max(1));
        return Err(e);
    }
    if !vocab::id_number::is_valid(id_number) {
        return Err(ApiError::validation(vec![field_error(
            "idNumber",
            FieldErrorCode::InvalidIdNumber,
            "公民身份号码有误",
        )]));
    }
    let key = state.secrets.applicant_key(id_number);
    state
        .store
        .audit_id_lookup(kiosk, route, key, Utc::now())
        .await?;
    Ok(key)
}

/// A citizen's latest applications, by the ID number read from the card on the kiosk's
/// reader (found by its keyed hash; the number is not stored in clear). Limited per kiosk
/// and audited.
#[utoipa::path(post, path = "/api/v1/progress/by-id-number", tag = "applications",
    request_body = ReusableMaterialsQuery,
    responses((status = 200, body = ProgressList),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "Too many look-ups by this kiosk; see Retry-After", body = ErrorBody),
        (status = 503, description = "Overloaded or timed out; see Retry-After", body = ErrorBody)),
    security(("kiosk" = [])))]
pub async fn progress_by_id_number(
    State(state): State<Arc<AppState>>,
    Kiosk(kiosk): Kiosk,
    ApiJson(q): ApiJson<ReusableMaterialsQuery>,
) -> Result<Json<ProgressList>, ApiError> {
    let key = audited_lookup(&state, &kiosk.id, "progress", &q.id_number).await?;
    let records = state.store.applications_of(key, 20).await?;
    Ok(Json(ProgressList {
        applications: records.iter().map(progress).collect(),
    }))
}

/// Materials a citizen handed in before, found by a keyed hash of the ID number. Limited per
/// kiosk and audited.
#[utoipa::path(post, path = "/api/v1/materials/reusable", tag = "applications",
    request_body = ReusableMaterialsQuery,
    responses((status = 200, body = ReusableMaterials),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "Too many look-ups by this kiosk; see Retry-After", body = ErrorBody),
        (status = 503, description = "Overloaded or timed out; see Retry-After", body = ErrorBody)),
    security(("kiosk" = [])))]
pub async fn reusable(
    State(state): State<Arc<AppState>>,
    Kiosk(kiosk): Kiosk,
    ApiJson(q): ApiJson<ReusableMaterialsQuery>,
) -> Result<Json<ReusableMaterials>, ApiError> {
    let key = audited_lookup(&state, &kiosk.id, "materials", &q.id_number).await?;
    let rows = state.store.reusable_materials(key).await?;
    let (uploads, documents) = super::prints::held_for(&state, key).await?;
    Ok(Json(ReusableMaterials {
        materials: rows
            .into_iter()
            .map(|(code, name, handed_in_at)| {
                let held = uploads.iter().find(|u| u.0 == code);
                ReusableMaterial {
                    attachments: held.map(|u| u.1.clone()).unwrap_or_default(),
                    valid_until: held.map(|u| u.2),
                    code,
                    name,
                    handed_in_at,
                }
            })
            .collect(),
        documents,
    }))
}
