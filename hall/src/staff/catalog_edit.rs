//! 督查 edits the catalog: an item's name, guidance, materials and availability
//! (`/staff/catalog…`). Each saved edit becomes a new catalog version in effect at once (the
//! kiosks' ETag changes); suspending an item withdraws it from the served catalog (and the
//! bundles that need it) without a new version. Every edit is audit-logged.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use hall_api::catalog::{Catalog, Material, ServiceItem};

use super::auth::Signed;
use super::catalog_views::{self as cv, Availability, ItemForm, MaterialRow};
use super::pages::{field, frame, html, signed_form, Fields};
use super::views;
use crate::catalog_file::MAX_ENGLISH;
use crate::catalog_versions as versions;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::staff::{AuditEntry, Role};

/// Who may edit the catalog: 督查 and the hall's operator.
pub fn may_edit(role: Role) -> bool {
    matches!(role, Role::Supervisor | Role::Operator)
}

fn refused(state: &AppState, signed: &Signed) -> Response {
    let f = frame(state, signed, cv::TITLE, None);
    html(
        StatusCode::FORBIDDEN,
        views::message(
            Some(&f),
            "无权访问",
            "事项目录由督查人员维护，您的角色无权查看或修改。",
            Some("/staff/"),
        ),
    )
}

fn not_found(state: &AppState, signed: &Signed) -> Response {
    let f = frame(state, signed, cv::TITLE, None);
    html(
        StatusCode::NOT_FOUND,
        views::message(
            Some(&f),
            "未找到",
            "目录中没有这个事项。",
            Some("/staff/catalog"),
        ),
    )
}

/// `GET /staff/catalog`: the items with their availability, and the catalog's versions.
pub async fn list(
    State(state): State<Arc<AppState>>,
    signed: Signed,
) -> Result<Response, ApiError> {
    if !may_edit(signed.account().role) {
        return Ok(refused(&state, &signed));
    }
    let current = versions::current(state.store.as_ref()).await?;
    let withdrawn = state.store.withdrawn_items().await?;
    let rows = state.store.catalog_versions().await?;
    let f = frame(&state, &signed, cv::TITLE, None);
    let body = cv::list(&current, &withdrawn, &rows, Utc::now());
    Ok(html(StatusCode::OK, views::page(&f, body)))
}

fn availability(item: &ServiceItem, withdrawn: &[String]) -> Availability {
    if withdrawn.contains(&item.code) {
        Availability::Suspended
    } else if item.kiosk_completable {
        Availability::Kiosk
    } else {
        Availability::Window
    }
}

fn form_of(item: &ServiceItem, base: &str, withdrawn: &[String]) -> ItemForm {
    ItemForm {
        code: item.code.clone(),
        base: base.to_owned(),
        name: item.name.clone(),
        name_en: item.name_en.clone().unwrap_or_default(),
        summary: item.summary.clone(),
        availability: availability(item, withdrawn),
        mail: item.mail_delivery,
        materials: item
            .materials
            .iter()
            .map(|m| MaterialRow {
                code: m.code.clone(),
                name: m.name.clone(),
                name_en: m.name_en.clone().unwrap_or_default(),
                originals: m.originals.to_string(),
                copies: m.copies.to_string(),
                required: m.required,
                reusable: m.reusable,
                note: m.note.clone().unwrap_or_default(),
            })
            .collect(),
    }
}

async fn show(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    form: &ItemForm,
    department: &str,
    errors: &[String],
    saved: Option<&str>,
) -> Response {
    let f = frame(state, signed, cv::TITLE, None);
    html(
        status,
        views::page(&f, cv::item(form, department, errors, saved, f.csrf)),
    )
}

/// `GET /staff/catalog/items/{code}`: the edit form.
pub async fn item(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    Path(code): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if !may_edit(signed.account().role) {
        return Ok(refused(&state, &signed));
    }
    let current = versions::current(state.store.as_ref()).await?;
    let Some(item) = current.item(&code) else {
        return Ok(not_found(&state, &signed));
    };
    let withdrawn = state.store.withdrawn_items().await?;
    let form = form_of(item, &current.version, &withdrawn);
    let department = department_name(&current, item);
    let saved = q.get("saved").map(String::as_str);
    Ok(show(
        &state,
        &signed,
        StatusCode::OK,
        &form,
        &department,
        &[],
        saved,
    )
    .await)
}

fn department_name(c: &Catalog, item: &ServiceItem) -> String {
    c.department(&item.department)
        .map_or_else(|| item.department.clone(), |d| d.name.clone())
}

fn clean(text: &str) -> String {
    text.trim().replace("\r\n", "\n")
}

/// Reads the submitted form (keeping what was typed, to show again with the errors).
fn read(form: &Fields, code: &str) -> ItemForm {
    let count = field(form, "materials")
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0)
        .min(200);
    let mut materials = Vec::new();
    // The rows shown plus the blank one for a new material.
    for i in 0..=count {
        let get = |k: &str| {
            field(form, &format!("m{i}_{k}"))
                .map(clean)
                .unwrap_or_default()
        };
        let on = |k: &str| field(form, &format!("m{i}_{k}")).is_some();
        if on("remove") {
            continue;
        }
        let row = MaterialRow {
            code: get("code"),
            name: get("name"),
            name_en: get("name_en"),
            originals: get("originals"),
            copies: get("copies"),
            required: on("required"),
            reusable: on("reusable"),
            note: get("note"),
        };
        let blank = row.code.is_empty() && row.name.is_empty() && row.note.is_empty();
        if !blank {
            materials.push(row);
        }
    }
    ItemForm {
        code: code.to_owned(),
        base: field(form, "base").unwrap_or("").to_owned(),
        name: field(form, "name").map(clean).unwrap_or_default(),
        name_en: field(form, "name_en").map(clean).unwrap_or_default(),
        summary: field(form, "summary").map(clean).unwrap_or_default(),
        availability: match field(form, "availability") {
            Some("window") => Availability::Window,
            Some("suspended") => Availability::Suspended,
            _ => Availability::Kiosk,
        },
        mail: field(form, "mail").is_some(),
        materials,
    }
}

/// An optional English name: at most [`MAX_ENGLISH`] characters on one line.
fn english_ok(text: &str, what: &str, errors: &mut Vec<String>) {
    let n = text.chars().count();
    if n > MAX_ENGLISH {
        errors.push(format!(
            "{what}不能超过 {MAX_ENGLISH} 个字符（现为 {n} 个）。"
        ));
    } else if text.chars().any(char::is_control) {
        errors.push(format!("{what}须为一行，不含控制字符。"));
    }
}

fn none_if_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

fn text_ok(text: &str, what: &str, max: usize, errors: &mut Vec<String>) {
    let n = text.chars().count();
    if n == 0 {
        errors.push(format!("{what}不能为空。"));
    } else if n > max {
        errors.push(format!("{what}不能超过 {max} 个字（现为 {n} 个）。"));
    } else if text.chars().any(|c| c.is_control() && c != '\n') {
        errors.push(format!("{what}含有控制字符。"));
    }
}

/// Checks the form against the catalog; the item as it would be saved, or every problem.
fn check(
    form: &ItemForm,
    catalog: &Catalog,
    item: &ServiceItem,
) -> Result<ServiceItem, Vec<String>> {
    let mut errors = Vec::new();
    text_ok(&form.name, "事项名称", 100, &mut errors);
    english_ok(&form.name_en, "英文名称", &mut errors);
    text_ok(&form.summary, "办理条件", 1000, &mut errors);
    if form.materials.is_empty() {
        errors.push("至少需要一项申请材料（一次性告知）。".into());
    }
    let mut materials: Vec<Material> = Vec::new();
    for (i, m) in form.materials.iter().enumerate() {
        let n = i + 1;
        let code_ok = !m.code.is_empty()
            && m.code.len() <= 64
            && m.code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !code_ok {
            errors.push(format!(
                "第 {n} 项材料：材料代码须为 1-64 位字母、数字、“-”或“_”。"
            ));
        }
        text_ok(&m.name, &format!("第 {n} 项材料的名称"), 100, &mut errors);
        english_ok(&m.name_en, &format!("第 {n} 项材料的英文名称"), &mut errors);
        if m.note.chars().count() > 200 {
            errors.push(format!("第 {n} 项材料：备注不能超过 200 个字。"));
        }
        let count = |t: &str, what: &str, errors: &mut Vec<String>| match t.parse::<u32>() {
            Ok(v) if v <= 99 => Some(v),
            _ => {
                errors.push(format!("第 {n} 项材料：{what}须为 0-99 的整数。"));
                None
            }
        };
        let originals = count(&m.originals, "原件数", &mut errors);
        let copies = count(&m.copies, "复印件数", &mut errors);
        if materials.iter().any(|x| x.code == m.code) {
            errors.push(format!("第 {n} 项材料：材料代码 {} 重复。", m.code));
        }
        // One code, one document: bundles ask it once by its code.
        if let Some(other) = catalog
            .items
            .iter()
            .filter(|x| x.code != item.code)
            .flat_map(|x| x.materials.iter())
            .find(|x| x.code == m.code && x.name != m.name)
        {
            errors.push(format!(
                "第 {n} 项材料：代码 {} 在其他事项中是“{}”，同一材料须同名；新材料请另起代码。",
                m.code, other.name
            ));
        }
        if let (Some(originals), Some(copies)) = (originals, copies) {
            materials.push(Material {
                code: m.code.clone(),
                name: m.name.clone(),
                name_en: none_if_empty(&m.name_en),
                originals,
                copies,
                required: m.required,
                reusable: m.reusable,
                note: (!m.note.is_empty()).then(|| m.note.clone()),
                // Not on the edit form: kept from the material as the catalog had it.
                satisfied_by_id_card: item
                    .materials
                    .iter()
                    .any(|x| x.code == m.code && x.satisfied_by_id_card),
                photographable: item
                    .materials
                    .iter()
                    .any(|x| x.code == m.code && x.photographable),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut edited = item.clone();
    edited.name = form.name.clone();
    edited.name_en = none_if_empty(&form.name_en);
    edited.summary = form.summary.clone();
    edited.materials = materials;
    edited.mail_delivery = form.mail;
    match form.availability {
        Availability::Kiosk => edited.kiosk_completable = true,
        Availability::Window => edited.kiosk_completable = false,
        // Suspension withdraws the item; how it is taken in stays as it was.
        Availability::Suspended => {}
    }
    Ok(edited)
}

/// What a save changed, for the audit line (field names only, nothing typed).
fn changed_parts(old: &ServiceItem, new: &ServiceItem) -> Vec<&'static str> {
    let mut out = Vec::new();
    if old.name != new.name {
        out.push("name");
    }
    if old.name_en != new.name_en {
        out.push("english-name");
    }
    if old.summary != new.summary {
        out.push("summary");
    }
    if old.materials != new.materials {
        out.push("materials");
    }
    if old.kiosk_completable != new.kiosk_completable {
        out.push("kiosk-completable");
    }
    if old.mail_delivery != new.mail_delivery {
        out.push("mail-delivery");
    }
    out
}

/// `POST /staff/catalog/items/{code}`: saves an edit as a new catalog version.
pub async fn save(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    Path(code): Path<String>,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Response, ApiError> {
    let form = match signed_form(&signed, form) {
        Ok(f) => f,
        Err(r) => return Ok(r.into_response()),
    };
    if !may_edit(signed.account().role) {
        return Ok(refused(&state, &signed));
    }
    let store = state.store.as_ref();
    let current = versions::current(store).await?;
    let Some(item) = current.item(&code).cloned() else {
        return Ok(not_found(&state, &signed));
    };
    let department = department_name(&current, &item);
    let mut submitted = read(&form, &code);
    if submitted.base != current.version {
        // Someone else saved (or a new import took effect) since the form was shown.
        let withdrawn = store.withdrawn_items().await?;
        let fresh = form_of(&item, &current.version, &withdrawn);
        let message = format!(
            "目录已更新为版本 {}，您看到的是旧版本 {}。请核对当前内容后重新修改。",
            current.version, submitted.base
        );
        return Ok(show(
            &state,
            &signed,
            StatusCode::CONFLICT,
            &fresh,
            &department,
            &[message],
            None,
        )
        .await);
    }
    let edited = match check(&submitted, &current, &item) {
        Ok(e) => e,
        Err(errors) => {
            return Ok(show(
                &state,
                &signed,
                StatusCode::UNPROCESSABLE_ENTITY,
                &submitted,
                &department,
                &errors,
                None,
            )
            .await)
        }
    };
    let parts = changed_parts(&item, &edited);
    let mut label = None;
    if !parts.is_empty() {
        let mut next = current.clone();
        if let Some(slot) = next.items.iter_mut().find(|i| i.code == code) {
            *slot = edited;
        }
        match versions::store_edit(store, next, &signed.account().name).await? {
            Some(stored) => label = Some(stored.version),
            None => {
                let again = versions::current(store).await?;
                let withdrawn = store.withdrawn_items().await?;
                let Some(item) = again.item(&code) else {
                    return Ok(not_found(&state, &signed));
                };
                let fresh = form_of(item, &again.version, &withdrawn);
                let message = format!(
                    "保存时目录已更新为版本 {}，本次修改未保存。请核对当前内容后重新修改。",
                    again.version
                );
                return Ok(show(
                    &state,
                    &signed,
                    StatusCode::CONFLICT,
                    &fresh,
                    &department,
                    &[message],
                    None,
                )
                .await);
            }
        }
    }
    let suspend = submitted.availability == Availability::Suspended;
    let suspension_changed = store.set_item_withdrawn(&code, suspend).await?;
    if label.is_none() && !suspension_changed {
        submitted.base = current.version.clone();
        return Ok(show(
            &state,
            &signed,
            StatusCode::OK,
            &submitted,
            &department,
            &["没有修改任何内容。".into()],
            None,
        )
        .await);
    }
    let mut detail = format!("item {code}");
    if let Some(l) = &label {
        detail.push_str(&format!("; version {l}; changed {}", parts.join(",")));
    }
    if suspension_changed {
        detail.push_str(if suspend { "; suspended" } else { "; resumed" });
    }
    store
        .audit(AuditEntry {
            at: Utc::now(),
            staff: signed.account().name.clone(),
            action: "catalog-edit".into(),
            application_id: None,
            detail: Some(detail),
        })
        .await?;
    tracing::info!(staff = %signed.account().name, item = %code, version = ?label, "catalog edited");
    // Served at once here; other hall processes pick it up within a second.
    state.refresh().await?;
    let shown = label.unwrap_or_else(|| current.version.clone());
    Ok(Redirect::to(&format!("/staff/catalog/items/{code}?saved={shown}")).into_response())
}
