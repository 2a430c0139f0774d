//! `GET /staff/notices`: the notices' delivery log for supervisors and operators (others
//! 403): the newest 200 deliveries with kind, target, status, attempts, times and the class of
//! the last error. The log holds no message body and nothing personal, so neither does the
//! page; the SMS text and the number stay sealed in the queue until delivered, then erased.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};

use super::auth::Signed;
use super::pages::{frame, html};
use super::views::{self, local, Frame};
use crate::error::ApiError;
use crate::notify::log::error_class;
use crate::notify::queue::DeliveryLogRow;
use crate::notify::EventKind;
use crate::state::AppState;
use crate::store::staff::Role;

/// The page's title.
pub const TITLE: &str = "通知发送记录";

/// The rows shown at most.
const LIMIT: usize = 200;

fn kind_zh(kind: &str) -> &'static str {
    match kind.parse::<EventKind>() {
        Ok(EventKind::HelpRequested) => "求助（值班）",
        Ok(EventKind::ComplaintFiled) => "办不成事（值班）",
        Ok(EventKind::BadRating) => "差评（值班）",
        Ok(EventKind::CitizenAccepted) => "受理（群众短信）",
        Ok(EventKind::CitizenCorrectionRequired) => "补正（群众短信）",
        Ok(EventKind::CitizenRejected) => "不予受理（群众短信）",
        Ok(EventKind::CitizenConcluded) => "办结（群众短信）",
        Ok(EventKind::ApplicationDueSoon) => "即将到期（值班）",
        Err(()) => "其他",
    }
}

fn status_pill(status: &str) -> Markup {
    let (class, zh) = match status {
        "delivered" => ("ok", "已送达"),
        "failed" => ("bad", "已放弃"),
        _ => ("warn", "待发送"),
    };
    html! { span class={ "pill " (class) } { (zh) } }
}

/// The page's HTML.
pub fn view(frame: &Frame<'_>, configured: bool, rows: &[DeliveryLogRow]) -> Markup {
    views::page(
        frame,
        html! {
            div.card {
                h2 { (TITLE) " " span.sub #count { "最近 " (rows.len()) " 条" } }
                @if !configured {
                    p #unconfigured { "本大厅未配置通知目标（hall serve --notify-config），不发送通知。" }
                }
                p.sub { "只记录类型、发送目标、状态、次数与时间，不含短信内容、号码或其他个人信息。" }
                table #deliveries {
                    thead { tr {
                        th { "时间" } th { "类型" } th { "发送目标" } th { "状态" }
                        th { "尝试次数" } th { "送达时间" } th { "最近错误" }
                    } }
                    tbody {
                        @for r in rows {
                            tr data-kind=(r.kind) {
                                td { (local(r.created_at)) }
                                td { (kind_zh(&r.kind)) }
                                td { (r.target) }
                                td { (status_pill(&r.status)) }
                                td { (r.attempts) }
                                td { (r.delivered_at.map(local).unwrap_or_else(|| "—".into())) }
                                td { (r.last_error.as_deref().map(error_class).unwrap_or("—")) }
                            }
                        }
                        @if rows.is_empty() { tr { td.sub colspan="7" { "暂无发送记录。" } } }
                    }
                }
            }
        },
    )
}

/// The handler.
pub async fn page(
    State(state): State<Arc<AppState>>,
    signed: Signed,
) -> Result<Response, ApiError> {
    let f = frame(&state, &signed, TITLE, None);
    if !matches!(signed.account().role, Role::Supervisor | Role::Operator) {
        return Ok(html(
            StatusCode::FORBIDDEN,
            views::message(
                Some(&f),
                "无权访问",
                "通知发送记录仅督查和运维人员可查看。",
                Some("/staff/"),
            ),
        ));
    }
    let (configured, rows) = match state.notices.get() {
        Some(n) => (true, n.store.delivery_log(LIMIT).await?),
        None => (false, Vec::new()),
    };
    Ok(html(StatusCode::OK, view(&f, configured, &rows)))
}
