//! The printable receipt of an application (`GET /staff/applications/{id}/receipt`), as the
//! kiosk prints it: the 办件编号, the 查询码 and the progress QR code (drawn here as inline
//! SVG), the applicant and any 代办 agent masked, the materials still owed. Opening it is
//! audited (it shows the verifier).

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use hall_api::application::{Delivery, HandedInMaterial, MaterialSource};
use hall_api::catalog::{Catalog, Material};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde::Deserialize;

use super::access::{departments_of, may_see};
use super::auth::Signed;
use super::intake::{relation_label, CounterRecord};
use super::pages::{audit, frame, html};
use super::views;
use crate::error::{ApiError, HallError};
use crate::state::AppState;
use crate::store::reports::Channel;
use crate::store::ApplicationRecord;

/// The address the receipt's QR code points to: the hall's public address from the notice
/// settings, else the address this page was reached at.
fn progress_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(base) = state
        .notices
        .get()
        .map(|n| n.settings.base_url.clone())
        .filter(|b| !b.is_empty())
    {
        return base;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let scheme = if state.staff.settings.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// `GET /staff/applications/{id}/receipt`: the printable receipt (办件编号, 查询码 and the
/// progress QR code, as the kiosk prints it; the applicant masked). Audited.
pub async fn page(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let f = frame(&state, &signed, "回执", None);
    let valid = !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit());
    let rec = if valid {
        state.store.application(&id).await?
    } else {
        None
    };
    let Some(rec) = rec else {
        return Ok(html(
            StatusCode::NOT_FOUND,
            views::message(Some(&f), "未找到", "没有这个办件。", Some("/staff/")),
        ));
    };
    let catalog = state.catalog();
    let departments = departments_of(&catalog.catalog, &rec.subject_type, &rec.subject_code);
    if !may_see(signed.account(), &departments) {
        return Ok(html(
            StatusCode::FORBIDDEN,
            views::message(
                Some(&f),
                "无权查看",
                "该办件属于其他部门，您无权查看或办理。",
                Some("/staff/"),
            ),
        ));
    }
    let sealed = state
        .store
        .application_payload(&rec.id)
        .await?
        .ok_or_else(|| HallError::Corrupt(format!("payload of {} missing", rec.id)))?;
    let plain = zeroize::Zeroizing::new(state.secrets.open(&rec.id, &sealed)?);
    let payload: ReceiptPayload = serde_json::from_slice(&plain)
        .map_err(|e| HallError::Corrupt(format!("payload of {}: {e}", rec.id)))?;
    audit(
        state.store.as_ref(),
        &signed.account().name,
        "print-receipt",
        &rec.id,
        None,
    )
    .await?;
    let verifier = state.secrets.verifier_for(&rec.id);
    let url = format!(
        "{}/progress?c={}&v={}",
        progress_base(&state, &headers),
        rec.tracking_code,
        verifier
    );
    let owed = owed_materials(&catalog.catalog, &rec, &payload);
    Ok(html(
        StatusCode::OK,
        markup(&rec, &payload, &verifier, &url, &owed),
    ))
}

/// What the receipt reads of the sealed payload.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptPayload {
    applicant: hall_api::application::Applicant,
    materials: Vec<HandedInMaterial>,
    delivery: Delivery,
    #[serde(default)]
    counter: Option<CounterRecord>,
}

/// Materials still owed: marked 待补交, or required and not given at all.
pub fn owed_materials(
    catalog: &Catalog,
    rec: &ApplicationRecord,
    p: &ReceiptPayload,
) -> Vec<String> {
    let listed: Vec<Material> = if rec.subject_type == "item" {
        catalog
            .item(&rec.subject_code)
            .map(|i| i.materials.clone())
            .unwrap_or_default()
    } else {
        catalog
            .bundle(&rec.subject_code)
            .map(|b| {
                catalog
                    .bundle_materials(b)
                    .into_iter()
                    .map(|m| m.material)
                    .collect()
            })
            .unwrap_or_default()
    };
    let at_window: &[String] = p.counter.as_ref().map_or(&[], |c| c.at_window.as_slice());
    listed
        .into_iter()
        .filter(|m| {
            let given = p.materials.iter().find(|x| x.code == m.code);
            match given {
                Some(x) => x.source == MaterialSource::Later,
                None => m.required && !at_window.contains(&m.code),
            }
        })
        .map(|m| m.name)
        .collect()
}

/// The QR code of `text` as an inline SVG (dark modules as one path), or a note if it does
/// not fit in a QR code.
pub fn qr_svg(text: &str) -> Markup {
    let Ok(code) = qrcode::QrCode::new(text.as_bytes()) else {
        return html! { p { "（地址过长，无法生成二维码）" } };
    };
    let width = code.width();
    let quiet = 4;
    let size = width + 2 * quiet;
    let mut path = String::new();
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, y) = (i % width + quiet, i / width + quiet);
            let _ = write!(path, "M{x} {y}h1v1h-1z");
        }
    }
    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (size) " " (size) } width="200" height="200"
            role="img" aria-label="办件进度查询二维码" id="receipt-qr" shape-rendering="crispEdges" {
            rect width=(size) height=(size) fill="#fff" {}
            path d=(path) fill="#000" {}
        }
    }
}

const RECEIPT_CSS: &str = r#"
body { font-family: "Noto Sans CJK SC", "Noto Sans", sans-serif; margin: 24px; color: #111; }
.receipt { max-width: 560px; border: 1px solid #999; padding: 18px 22px; }
.receipt h1 { font-size: 20px; margin: 0 0 12px; text-align: center; }
.receipt dl { display: grid; grid-template-columns: 7em 1fr; gap: 6px 12px; }
.receipt dt { color: #444; } .receipt dd { margin: 0; }
.code { font-size: 22px; font-weight: 700; letter-spacing: 1px; }
.qr { text-align: center; margin-top: 12px; } .url { font-size: 12px; word-break: break-all; }
.noprint a { color: #23454f; }
@media print { .noprint { display: none; } .receipt { border: 0; } }
"#;

/// The printable receipt's HTML.
pub fn markup(
    rec: &ApplicationRecord,
    p: &ReceiptPayload,
    verifier: &str,
    url: &str,
    owed: &[String],
) -> Markup {
    let channel = match rec.channel {
        Channel::Kiosk => format!("自助终端 {}", rec.kiosk_id),
        other => other.label_zh().to_owned(),
    };
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                title { "回执 " (rec.tracking_code) " · 政务服务工作台" }
                style { (PreEscaped(RECEIPT_CSS)) }
            }
            body {
                main.receipt {
                    h1 { "政务服务受理回执" }
                    dl {
                        dt { "办件编号" } dd.code id="receipt-code" { (rec.tracking_code) }
                        dt { "查询码" } dd id="receipt-verifier" { (verifier) }
                        dt { "事项" } dd { (rec.subject_name) }
                        dt { "申请人" } dd { (vocab::mask::mask_name(&p.applicant.name)) " " (vocab::mask::mask_id_number(&p.applicant.id_number)) }
                        @if let Some(a) = p.counter.as_ref().and_then(|c| c.agent.as_ref()) {
                            dt { "代办人" } dd id="receipt-agent" { (vocab::mask::mask_name(&a.name)) " " (vocab::mask::mask_id_number(&a.id_number)) "（" (relation_label(&a.relation)) "）" }
                        }
                        dt { "收件" } dd { (views::local(rec.received_at)) " · " (channel) }
                        dt { "承诺办结" } dd { (rec.promised_by) " 前" }
                        dt { "送达方式" } dd { @match p.delivery { Delivery::PickUp => { "窗口领取" } Delivery::Mail { .. } => { "免费邮寄" } } }
                        dt { "待补交材料" } dd id="receipt-owed" { @if owed.is_empty() { "无" } @else { (owed.join("、")) } }
                    }
                    div.qr {
                        (qr_svg(url))
                        p.url id="receipt-url" { (url) }
                        p { "手机扫码或凭办件编号和查询码查询办理进度、评价服务（好差评）。" }
                    }
                }
                p.noprint {
                    "请用浏览器的打印功能（Ctrl+P）打印本回执。 "
                    a href={ "/staff/applications/" (rec.id) } { "返回办件" }
                }
            }
        }
    }
}
