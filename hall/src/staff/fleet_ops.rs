//! `/staff/fleet`: the operators' update and remote-action forms (operators only; every
//! POST carries the session's CSRF token like the other workbench forms). The bundles, the
//! rollouts with each kiosk's progress, a form to start a rollout, and a form to queue a
//! remote action on a kiosk with the latest results. The same operations as `hall update
//! rollout` and `hall kiosk action`, audit-logged under the operator's name.

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use hall_api::updates::ActionRequest;
use maud::{html, Markup};

use super::auth::Signed;
use super::pages::{field, frame, html, signed_form, Fields};
use super::views;
use crate::error::{ApiError, HallError};
use crate::state::AppState;
use crate::store::staff::Role;

const TITLE: &str = "远程升级与运维";

fn refused(state: &AppState, signed: &Signed) -> Response {
    let f = frame(state, signed, TITLE, None);
    html(
        StatusCode::FORBIDDEN,
        views::message(
            Some(&f),
            "无权访问",
            "远程升级与运维仅运维人员可操作。",
            Some("/staff/"),
        ),
    )
}

async fn view(
    state: &AppState,
    signed: &Signed,
    notice: Option<(bool, String)>,
) -> Result<Markup, HallError> {
    let store = state.store.as_ref();
    let bundles = store.bundles().await?;
    let rollouts = store.rollouts().await?;
    let kiosks = store.kiosks().await?;
    let latest = rollouts.first().cloned();
    let progress = match &latest {
        Some(r) => store.rollout_kiosks(&r.id).await?,
        None => Vec::new(),
    };
    let actions = store.actions(None, 30).await?;
    let f = frame(state, signed, TITLE, None);
    let body = html! {
        @if let Some((ok, text)) = &notice {
            div.card class=(if *ok { "notice ok" } else { "notice bad" }) { p { (text) } }
        }
        div.card {
            h2 { "升级包 · Bundles" }
            table {
                thead { tr { th { "版本" } th { "兼容" } th { "大小" } th { "SHA-256" } th { "签名" } } }
                tbody {
                    @for b in &bundles {
                        tr { td { (b.version) } td { (b.compatible) } td { (b.size) } td.sub { (b.sha256) } td.sub { (b.signer) } }
                    }
                    @if bundles.is_empty() { tr { td.sub colspan="5" { "尚无升级包。用 hall update add FILE --keyring … 添加。" } } }
                }
            }
        }
        div.card {
            h2 { "发起升级 · Start a rollout" }
            form method="post" action="/staff/fleet/rollout" {
                input type="hidden" name="csrf" value=(f.csrf);
                label { "版本 " select name="version" { @for b in &bundles { option value=(b.version) { (b.version) } } } }
                label { " 范围 " input name="to" value="all" size="16"; }
                label { " 分批 " input name="waves" value="10,50,100" size="12"; }
                label { " 失败上限 " input name="max_failure" value="20%" size="5"; }
                " " button type="submit" { "发起" }
            }
            @if let Some(r) = &latest {
                p id="rollout" { "当前: " (r.version) " → " (r.target) " · " (r.state.as_str()) " · 第 " (r.wave + 1) "/" (r.waves.len()) " 批"
                    @if let Some(why) = &r.reason { " · " (why) } }
                table {
                    thead { tr { th { "自助机" } th { "批次" } th { "进度" } } }
                    tbody { @for k in &progress { tr { td { (k.kiosk_id) } td { (k.wave + 1) } td { (k.outcome.as_str()) } } } }
                }
            }
        }
        div.card {
            h2 { "远程操作 · Remote actions" }
            form method="post" action="/staff/fleet/action" enctype="application/x-www-form-urlencoded" {
                input type="hidden" name="csrf" value=(f.csrf);
                label { "自助机 " select name="kiosk" { @for k in &kiosks { option value=(k.id) { (k.id) } } } }
                label { " 操作 " select name="kind" {
                    option value="restart" { "重启服务" } option value="selftest" { "自检" }
                    option value="journal" { "收集日志" } option value="config" { "下发配置" } } }
                label { " 分钟 " input name="minutes" value="30" size="4"; }
                br;
                label { "kiosk.toml（下发配置时）" br; textarea name="toml" rows="6" cols="80" {} }
                br; button type="submit" { "下发" }
            }
            table {
                thead { tr { th { "时间" } th { "自助机" } th { "操作" } th { "发起人" } th { "结果" } } }
                tbody {
                    @for a in &actions {
                        tr.action {
                            td { (a.requested_at.format("%m-%d %H:%M")) } td { (a.kiosk_id) } td { (a.request.name()) }
                            td { (a.requested_by) }
                            td { (crate::updates::handlers::describe(a.ok))
                                @if let Some(out) = &a.output { pre.sub { (out) } } }
                        }
                    }
                }
            }
        }
    };
    Ok(views::page(&f, body))
}

/// `GET /staff/fleet`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    signed: Signed,
) -> Result<Response, ApiError> {
    if signed.account().role != Role::Operator {
        return Ok(refused(&state, &signed));
    }
    Ok(html(StatusCode::OK, view(&state, &signed, None).await?))
}

/// `POST /staff/fleet/{rollout,action}`.
pub async fn act(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    Path(what): Path<String>,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Response, ApiError> {
    let form = match signed_form(&signed, form) {
        Ok(f) => f,
        Err(r) => return Ok(r.into_response()),
    };
    if signed.account().role != Role::Operator {
        return Ok(refused(&state, &signed));
    }
    let who = signed.account().name.clone();
    let store = state.store.as_ref();
    let get = |name: &str| field(&form, name).unwrap_or_default().trim().to_owned();
    let done = match what.as_str() {
        "rollout" => crate::updates::cli::start_rollout(
            store,
            &get("version"),
            &get("to"),
            &get("waves"),
            &get("max_failure"),
            &who,
        )
        .await
        .map(|(r, k)| {
            format!(
                "已发起升级 {} → {}，共 {} 台。",
                r.version,
                r.target,
                k.len()
            )
        }),
        "action" => {
            let request = match get("kind").as_str() {
                "restart" => Ok(ActionRequest::Restart),
                "selftest" => Ok(ActionRequest::Selftest),
                "journal" => get("minutes")
                    .parse()
                    .map(|minutes| ActionRequest::Journal { minutes })
                    .map_err(|_| HallError::InvalidArgument("minutes: 1-1440".into())),
                "config" => Ok(ActionRequest::Config {
                    toml: field(&form, "toml").unwrap_or_default().to_owned(),
                }),
                _ => Err(HallError::InvalidArgument("unknown action".into())),
            };
            match request {
                Ok(r) => crate::updates::cli::queue_action(store, &get("kiosk"), r, &who)
                    .await
                    .map(|id| format!("已下发操作 {id}，自助机下次心跳时执行。")),
                Err(e) => Err(e),
            }
        }
        _ => return Ok(Redirect::to("/staff/fleet").into_response()),
    };
    match done {
        Ok(text) => Ok(html(
            StatusCode::OK,
            view(&state, &signed, Some((true, text))).await?,
        )),
        Err(HallError::InvalidArgument(why)) => Ok(html(
            StatusCode::UNPROCESSABLE_ENTITY,
            view(&state, &signed, Some((false, format!("未执行：{why}")))).await?,
        )),
        Err(e) => Err(e.into()),
    }
}
