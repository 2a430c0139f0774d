//! The ticket queue's and the ticket page's HTML (maud escapes every value). The queue shows
//! nothing personal; only the ticket page shows the citizen's text and contact.

use chrono::NaiveDate;
use maud::{html, Markup};

use super::tickets::{category_zh, CATEGORIES};
use super::views::{local, page, Frame};
use crate::store::followup::{TicketAction, TicketRow, TicketStatus};
use crate::store::staff::AuditEntry;

/// The pages' title (and the nav link's words).
pub const TITLE: &str = "求助与投诉工单";

/// One step as the ticket page shows it.
#[derive(Debug, Clone)]
pub struct StepLine {
    /// When (local).
    pub at: String,
    /// Staff name.
    pub staff: String,
    /// What.
    pub action: String,
    /// Its unsealed details.
    pub detail: String,
}

/// Everything the ticket page shows.
#[derive(Debug, Clone)]
pub struct TicketPage {
    /// The ticket.
    pub row: TicketRow,
    /// The citizen's text (complaint or note).
    pub text: Option<String>,
    /// (称呼, phone).
    pub contact: Option<(String, String)>,
    /// The kiosk's location.
    pub location: String,
    /// The item concerned: "name code".
    pub item: Option<String>,
    /// Steps.
    pub steps: Vec<StepLine>,
    /// Audit trail.
    pub audit: Vec<AuditEntry>,
    /// Actions allowed now.
    pub actions: Vec<TicketAction>,
    /// The signed-in staff member's display name (上门人员 default).
    pub me: String,
    /// Today (the visit date's minimum).
    pub today: NaiveDate,
}

fn status_pill(status: TicketStatus) -> Markup {
    let class = match status {
        TicketStatus::Open => "warn",
        TicketStatus::Claimed => "",
        TicketStatus::Closed => "ok",
    };
    html! { span class={ "pill " (class) } { (status.label_zh()) } }
}

fn href(status: TicketStatus, category: Option<&str>) -> String {
    match category {
        Some(c) => format!("/staff/tickets?status={}&category={c}", status.as_str()),
        None => format!("/staff/tickets?status={}", status.as_str()),
    }
}

/// The queue.
pub fn queue(
    frame: &Frame<'_>,
    status: TicketStatus,
    category: Option<&str>,
    counts: &[(TicketStatus, u64)],
    rows: &[TicketRow],
    item_name: &dyn Fn(&TicketRow) -> Option<String>,
) -> Markup {
    let count = |s: TicketStatus| counts.iter().find(|(k, _)| *k == s).map_or(0, |(_, n)| *n);
    page(
        frame,
        html! {
            div.card {
                h2 { (TITLE) }
                p #statuses {
                    "状态："
                    @for (i, s) in TicketStatus::ALL.into_iter().enumerate() {
                        @if i > 0 { " · " }
                        @if s == status { strong aria-current="page" { (s.label_zh()) " (" (count(s)) ")" } }
                        @else { a href=(href(s, category)) { (s.label_zh()) " (" (count(s)) ")" } }
                    }
                }
                p.sub {
                    "类别："
                    a href=(format!("/staff/tickets?status={}", status.as_str())) { "全部" }
                    @for c in CATEGORIES {
                        " · "
                        @if category == Some(c) { strong { (category_zh(c)) } }
                        @else { a href=(href(status, Some(c))) { (category_zh(c)) } }
                    }
                }
            }
            div.card {
                h2 { (status.label_zh()) " " span.sub #count { "共 " (rows.len()) " 张" } }
                table #tickets {
                    thead { tr { th { "编号" } th { "类别" } th { "事项" } th { "自助机" } th { "时间" } th { "状态" } th { "认领人" } } }
                    tbody {
                        @for r in rows {
                            tr data-ticket=(r.id) {
                                td { a href={ "/staff/tickets/" (r.id) } { (r.reference) } }
                                td { (category_zh(&r.category)) }
                                td { (item_name(r).unwrap_or_else(|| "—".into())) }
                                td { (r.kiosk_id) }
                                td { (local(r.received_at)) }
                                td { (status_pill(r.status)) }
                                td { (r.claimed_by.as_deref().unwrap_or("—")) }
                            }
                        }
                        @if rows.is_empty() { tr { td.sub colspan="7" { "暂无工单。" } } }
                    }
                }
            }
        },
    )
}

fn action_form(p: &TicketPage, csrf: &str, action: TicketAction) -> Markup {
    let slug = action.slug();
    let id = |name: &str| format!("{slug}-{name}");
    html! {
        form id={ "ticket-" (slug) } method="post" action={ "/staff/tickets/" (p.row.id) "/" (slug) } {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="version" value=(p.row.version);
            @match action {
                TicketAction::Claim => {
                    label for=(id("note")) { "认领说明（可不填）" }
                    textarea id=(id("note")) name="note" rows="1" maxlength="300" {}
                }
                TicketAction::Note => {
                    label for=(id("note")) { "处理记录" }
                    textarea id=(id("note")) name="note" rows="2" maxlength="300" required {}
                }
                TicketAction::Visit => {
                    label for=(id("date")) { "上门日期" }
                    input type="date" id=(id("date")) name="date" min=(p.today) required;
                    label for=(id("address")) { "上门地址" }
                    input type="text" id=(id("address")) name="address" maxlength="200" required;
                    label for=(id("visitor")) { "上门人员" }
                    input type="text" id=(id("visitor")) name="visitor" value=(p.me) maxlength="40" required;
                    label for=(id("note")) { "备注（可不填）" }
                    textarea id=(id("note")) name="note" rows="1" maxlength="300" {}
                }
                TicketAction::Close => {
                    label for=(id("outcome")) { "办理结果" }
                    textarea id=(id("outcome")) name="outcome" rows="2" maxlength="300" required {}
                }
            }
            p { button type="submit" { (action.label_zh()) } }
        }
    }
}

fn audit_label(action: &str) -> &str {
    match action {
        "view-ticket" => "查看工单",
        "followup-claim" => "认领",
        "followup-note" => "添加记录",
        "followup-visit" => "安排上门服务",
        "followup-close" => "办结",
        other => other,
    }
}

/// The ticket page.
pub fn ticket(frame: &Frame<'_>, p: &TicketPage, error: Option<&str>) -> Markup {
    let r = &p.row;
    page(
        frame,
        html! {
            @if let Some(e) = error { div.notice.bad role="alert" id="error" { (e) } }
            div.card {
                h2 { (category_zh(&r.category)) " " span id="reference" { (r.reference) } " " span id="status" { (status_pill(r.status)) } }
                dl {
                    dt { "收到" } dd { (local(r.received_at)) }
                    dt { "自助机" } dd { (r.kiosk_id) " " span.sub { (p.location) } }
                    dt { "事项" } dd { (p.item.as_deref().unwrap_or("—")) }
                    dt { "认领人" } dd id="claimed-by" { (r.claimed_by.as_deref().unwrap_or("—")) }
                }
            }
            div.grid {
                div.card {
                    h2 { "群众诉求" }
                    dl {
                        dt { "说明" } dd id="text" { (p.text.as_deref().unwrap_or("（未填写）")) }
                        @match &p.contact {
                            Some((name, phone)) => {
                                dt { "称呼" } dd { (if name.is_empty() { "—" } else { name })  }
                                dt { "联系电话" } dd id="phone" { (phone) }
                            }
                            None => { dt { "联系电话" } dd { "未留联系方式" } }
                        }
                    }
                    p.sub { "群众信息仅在本页显示，每次查看均记入审计。" }
                }
                div.card.actions {
                    h2 { "办理" }
                    @if p.actions.is_empty() { p.sub { "工单已办结。" } }
                    @for a in &p.actions { (action_form(p, frame.csrf, *a)) }
                }
            }
            div.grid {
                div.card {
                    h2 { "处理过程" }
                    table.timeline #steps {
                        thead { tr { th { "时间" } th { "工作人员" } th { "操作" } th { "说明" } } }
                        tbody {
                            @for s in &p.steps { tr { td { (s.at) } td { (s.staff) } td { (s.action) } td { (s.detail) } } }
                            @if p.steps.is_empty() { tr { td.sub colspan="4" { "尚未处理。" } } }
                        }
                    }
                }
                div.card {
                    h2 { "审计记录" }
                    table {
                        thead { tr { th { "时间" } th { "工作人员" } th { "操作" } } }
                        tbody {
                            @for a in &p.audit { tr { td { (local(a.at)) } td { (a.staff) } td { (audit_label(&a.action)) } } }
                        }
                    }
                }
            }
        },
    )
}
