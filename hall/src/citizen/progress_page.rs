//! `GET /progress?c=CODE&v=VERIFIER[&lang=en]` and `POST /progress` (the rating): the receipt QR's
//! page on a citizen's phone. The receipt is checked exactly as `POST /api/v1/progress` checks
//! it ([`verify_receipt`]: the same "not found" after the same work for an unknown code and a
//! wrong verifier, under the same guessing limiter). Ratings go through the kiosk's store path
//! ([`record_rating`]). No cookies and no sessions: the form carries the receipt's two codes,
//! and a POST must come from this origin (`Sec-Fetch-Site`, else `Origin`).

use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use hall_api::application::{Applicant, TimelineEntry};
use hall_api::feedback::{is_bad_level, CreateRating};
use vocab::mask::{mask_id_number, mask_name};

use super::form::{self, InputError, Lang, ReceiptCodes};
use super::markup::{self, Shown};
use super::rating_form::{reason_by_value, Notice, RatingDraft};
use crate::error::ApiError;
use crate::extract::ClientAddr;
use crate::handlers::feedback::record_rating;
use crate::handlers::verify_receipt;
use crate::state::{today_local, AppState};
use crate::store::{ApplicationRecord, Rated};

fn csp() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    CSP.get_or_init(|| {
        let hash = base64::engine::general_purpose::STANDARD
            .encode(crate::crypto::sha256(super::style::STYLE.as_bytes()));
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        )
    })
}

/// An HTML answer with the page's headers: strict CSP, never cached, never a referrer (the
/// address carries the verifier), not indexed.
fn html(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex"),
    );
    if let Ok(v) = HeaderValue::from_str(csp()) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    r
}

fn bad_input(lang: Lang, e: InputError) -> Response {
    let page = match e {
        InputError::Missing => markup::message(
            lang,
            ("缺少办件编号或查询码", "The address is incomplete"),
            (
                "请用手机相机扫描回执上的二维码打开本页。",
                "Open this page by scanning the QR code on your receipt.",
            ),
        ),
        InputError::Malformed | InputError::BadCode => markup::message(
            lang,
            ("二维码内容有误", "This address is not valid"),
            (
                "办件编号和查询码只含字母、数字和短横线。请重新扫描回执上的二维码。",
                "Tracking codes and verifiers hold only letters, digits and dashes. Scan the receipt's QR code again.",
            ),
        ),
    };
    html(StatusCode::BAD_REQUEST, page)
}

/// The page for a refused receipt check: the API's status, in words.
fn refused(lang: Lang, e: &ApiError) -> Response {
    let page = match e.status {
        StatusCode::NOT_FOUND => markup::message(
            lang,
            ("未找到该办件", "Application not found"),
            (
                "请核对回执上的办件编号和查询码，或重新扫描二维码；仍有问题请到政务服务中心窗口咨询。",
                "Check the tracking code and verifier on your receipt or scan its QR code again; if that fails, ask at a window of the hall.",
            ),
        ),
        StatusCode::TOO_MANY_REQUESTS => markup::message(
            lang,
            ("尝试次数过多", "Too many tries"),
            (
                "为保护您的信息，请十分钟后再试。",
                "To protect your data, try again in ten minutes.",
            ),
        ),
        _ => markup::message(
            lang,
            ("系统暂时无法查询", "The hall cannot answer right now"),
            ("请稍后再试。", "Please try again later."),
        ),
    };
    let mut r = html(e.status, page);
    if let Some(secs) = e.retry_after {
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    r
}

/// The applicant from the sealed payload; `None` (and a warning naming the application
/// only) if it cannot be read.
async fn applicant(state: &AppState, rec: &ApplicationRecord) -> Option<Applicant> {
    #[derive(serde::Deserialize)]
    struct Sealed {
        applicant: Applicant,
    }
    let sealed = match state.store.application_payload(&rec.id).await {
        Ok(Some(s)) => s,
        Ok(None) => return None,
        Err(e) => {
            tracing::warn!(application = %rec.id, error = %e, "progress page: payload unreadable");
            return None;
        }
    };
    let plain = match state.secrets.open(&rec.id, &sealed) {
        Ok(p) => zeroize::Zeroizing::new(p),
        Err(e) => {
            tracing::warn!(application = %rec.id, error = %e, "progress page: payload does not open");
            return None;
        }
    };
    let opened: Sealed = serde_json::from_slice(&plain).ok()?;
    Some(opened.applicant)
}

/// The department and window that handle the application, from the current catalog.
fn window(state: &AppState, rec: &ApplicationRecord) -> Option<String> {
    let entry = state.catalog();
    let catalog = &entry.catalog;
    let item = if rec.subject_type == "bundle" {
        catalog
            .bundle(&rec.subject_code)
            .and_then(|b| b.items.first())
            .and_then(|code| catalog.item(code))
    } else {
        catalog.item(&rec.subject_code)
    }?;
    let dept = catalog.department(&item.department)?;
    Some(format!("{} · {}", dept.name, dept.window))
}

async fn shown(state: &AppState, rec: &ApplicationRecord) -> Shown {
    let applicant = applicant(state, rec).await;
    let name = applicant.as_ref().map_or("", |a| a.name.as_str());
    // What staff typed (a 补正 note, a reason) reaches the phone as the SMS does: an ID
    // number or the applicant's full name typed there is masked.
    let timeline = rec
        .timeline
        .iter()
        .map(|e| TimelineEntry {
            note: e
                .note
                .as_deref()
                .map(|n| crate::notify::citizen::clean(n, name)),
            ..e.clone()
        })
        .collect();
    Shown {
        tracking_code: rec.tracking_code.clone(),
        subject_name: rec.subject_name.clone(),
        // What the receipt prints of the applicant (`张*  1101**********002X`).
        applicant: applicant
            .as_ref()
            .map(|a| format!("{}  {}", mask_name(&a.name), mask_id_number(&a.id_number))),
        status: rec.status,
        timeline,
        promised_by: rec.promised_by,
        today: today_local(),
        mailed: rec.mailed,
        window: window(state, rec),
        rated: rec.rated,
        handled_by: rec.handled_by.clone(),
    }
}

/// Decoded input: the pairs, the language and the receipt's codes.
type Read = (Vec<(String, String)>, Lang, ReceiptCodes);

/// Decodes the pairs and the receipt codes; the language even when the rest is bad.
fn read(text: &str) -> Result<Read, (Lang, InputError)> {
    let pairs = form::pairs(text).map_err(|e| (Lang::Zh, e))?;
    let lang = form::lang(&pairs);
    let codes = form::receipt_codes(&pairs).map_err(|e| (lang, e))?;
    Ok((pairs, lang, codes))
}

/// The citizen's progress page (HTML).
#[utoipa::path(get, path = "/progress", tag = "citizens",
    params(("c" = String, Query, description = "办件编号 from the receipt"),
        ("v" = String, Query, description = "查询码 (verifier) from the receipt"),
        ("lang" = Option<String>, Query, description = "`en` for English; Chinese otherwise")),
    responses((status = 200, description = "HTML page", content_type = "text/html"),
        (status = 400, description = "HTML page: the address is incomplete or malformed", content_type = "text/html"),
        (status = 404, description = "HTML page: code and verifier do not match (the same page for unknown codes)", content_type = "text/html"),
        (status = 429, description = "HTML page: too many failed attempts; see Retry-After", content_type = "text/html")))]
pub async fn page(
    State(state): State<Arc<AppState>>,
    ClientAddr(client): ClientAddr,
    RawQuery(query): RawQuery,
) -> Response {
    let (_, lang, codes) = match read(query.as_deref().unwrap_or_default()) {
        Ok(r) => r,
        Err((lang, e)) => return bad_input(lang, e),
    };
    match verify_receipt(&state, client, &codes.code, &codes.verifier).await {
        Ok(rec) => {
            let s = shown(&state, &rec).await;
            html(
                StatusCode::OK,
                markup::progress(lang, &codes, &s, None, None),
            )
        }
        Err(e) => refused(lang, &e),
    }
}

/// Whether a POST comes from this origin: `Sec-Fetch-Site: same-origin` where the browser
/// sends it, else an `Origin` naming this host; a request with neither (not a browser form)
/// must still hold the receipt's codes, which is all a rating needs through the API anyway.
fn same_origin(headers: &HeaderMap) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return site == "same-origin";
    }
    let Some(origin) = get("origin") else {
        return true;
    };
    let host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    let ours = [get("host"), get("x-forwarded-host")];
    host.is_some_and(|h| ours.iter().flatten().any(|o| o.eq_ignore_ascii_case(h)))
}

fn draft_of(pairs: &[(String, String)], lang: Lang) -> RatingDraft {
    let mut d = RatingDraft {
        comment: form::first(pairs, "comment")
            .unwrap_or_default()
            .trim()
            .to_owned(),
        ..RatingDraft::default()
    };
    match form::first(pairs, "level").map(|l| l.parse::<u8>()) {
        Some(Ok(level @ 1..=5)) => d.level = Some(level),
        Some(_) => d
            .errors
            .push(lang.pick("评价等级有误", "Unknown level").into()),
        None => d.errors.push(
            lang.pick("请选择评价等级", "Choose how satisfied you are")
                .into(),
        ),
    }
    for (_, value) in pairs.iter().filter(|(n, _)| n == "reason") {
        match reason_by_value(value) {
            Some(r) if !d.reasons.contains(&r) => d.reasons.push(r),
            Some(_) => {}
            None => d
                .errors
                .push(lang.pick("原因选项有误", "Unknown reason").into()),
        }
    }
    // Reasons ticked before a better level was chosen stay in the form: they count only
    // for a 差评.
    if d.level.is_some_and(|l| !is_bad_level(l)) {
        d.reasons.clear();
    }
    d
}

fn field_message(field: &str, lang: Lang, zh: &str) -> String {
    match (lang, field) {
        (Lang::En, "reasons") => "Tell us at least one reason.".into(),
        (Lang::En, "comment") => "Comments are limited to 300 characters.".into(),
        (Lang::En, "level") => "Choose how satisfied you are.".into(),
        (Lang::En, _) => "Please check the form.".into(),
        (Lang::Zh, _) => zh.to_owned(),
    }
}

/// Takes the 好差评 form of the progress page; on success, back to the page (303).
#[utoipa::path(post, path = "/progress", tag = "citizens",
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
        description = "c, v, lang, level (1-5), reason (repeatable, for levels 1-2), comment"),
    responses((status = 303, description = "Rated; back to the progress page"),
        (status = 400, description = "HTML page: malformed form", content_type = "text/html"),
        (status = 403, description = "HTML page: not posted from this site", content_type = "text/html"),
        (status = 404, description = "HTML page: code and verifier do not match", content_type = "text/html"),
        (status = 409, description = "HTML page: rated before, or not concluded yet", content_type = "text/html"),
        (status = 422, description = "HTML page: the form again, with what to fix", content_type = "text/html")))]
pub async fn rate(
    State(state): State<Arc<AppState>>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if !same_origin(&headers) {
        tracing::info!("progress page: a rating posted from another site was refused");
        return html(
            StatusCode::FORBIDDEN,
            markup::message(
                Lang::Zh,
                ("请从办件进度页面提交评价", "Rate from the progress page"),
                (
                    "请扫描回执上的二维码，在打开的页面中评价。",
                    "Scan the QR code on your receipt and rate on the page it opens.",
                ),
            ),
        );
    }
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let text = match (is_form, &body) {
        (true, Ok(bytes)) => std::str::from_utf8(bytes).ok(),
        _ => None,
    };
    let Some(text) = text else {
        let status = match body {
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => e.status(),
            _ => StatusCode::BAD_REQUEST,
        };
        return html(
            status,
            markup::message(
                Lang::Zh,
                ("提交的内容有误", "The form could not be read"),
                (
                    "请返回办件进度页面重新填写。",
                    "Go back to the progress page and fill it in again.",
                ),
            ),
        );
    };
    let (pairs, lang, codes) = match read(text) {
        Ok(r) => r,
        Err((lang, e)) => return bad_input(lang, e),
    };
    let rec = match verify_receipt(&state, client, &codes.code, &codes.verifier).await {
        Ok(rec) => rec,
        Err(e) => return refused(lang, &e),
    };
    let mut s = shown(&state, &rec).await;
    let conflict = |s: &Shown, notice| {
        html(
            StatusCode::CONFLICT,
            markup::progress(lang, &codes, s, None, Some(notice)),
        )
    };
    if s.rated {
        return conflict(&s, Notice::AlreadyRated);
    }
    if !markup::rateable(s.status) {
        return conflict(&s, Notice::NotYet);
    }
    let mut draft = draft_of(&pairs, lang);
    if let (Some(level), true) = (draft.level, draft.errors.is_empty()) {
        let req = CreateRating {
            tracking_code: rec.tracking_code.clone(),
            verifier: codes.verifier.clone(),
            level,
            reasons: draft.reasons.clone(),
            comment: (!draft.comment.is_empty()).then(|| draft.comment.clone()),
            contact: None,
        };
        match req.validate() {
            Ok(()) => {
                // The same canonical-form MAC as the API's (a page rating has no key to
                // replay under; the MAC is stored with it as with every rating).
                let body_mac = serde_json::to_value(&req)
                    .map(|v| crate::idempotency::RawJson(v).mac(&state.secrets, "rating"))
                    .unwrap_or_default();
                return match record_rating(&state, &rec, &req, None, body_mac).await {
                    Ok(Rated::Done(_)) => {
                        let mut r = StatusCode::SEE_OTHER.into_response();
                        if let Ok(v) = HeaderValue::from_str(&form::page_link(&codes, lang)) {
                            r.headers_mut().insert(header::LOCATION, v);
                        }
                        r.headers_mut()
                            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                        r
                    }
                    Ok(Rated::AlreadyRated) => {
                        s.rated = true;
                        conflict(&s, Notice::AlreadyRated)
                    }
                    Err(e) => refused(lang, &e),
                };
            }
            Err(fields) => draft.errors.extend(
                fields
                    .iter()
                    .map(|f| field_message(&f.field, lang, &f.message)),
            ),
        }
    }
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        markup::progress(lang, &codes, &s, Some(&draft), None),
    )
}
