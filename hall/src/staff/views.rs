//! The workbench's HTML (maud escapes every value). The look follows `/dashboard`: the same
//! colours, fonts and cards; no scripts, no assets from outside the hall. Every page has the
//! search box, focused, so a keyboard-wedge scanner can type a receipt's QR into it.

use chrono::NaiveDate;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::access::Action;
use super::inbox::Inbox;
use crate::store::staff::{AuditEntry, InboxRow, Role, StaffAccount};

const CSS: &str = r#"
body { font-family: "Noto Sans CJK SC", "Noto Sans", sans-serif; margin: 0; background: #f5f6f4; color: #1f2a2e; }
header { background: #23454f; color: #fff; padding: 14px 28px; display: flex; align-items: center; gap: 24px; flex-wrap: wrap; }
header h1 { margin: 0; font-size: 20px; font-weight: 600; }
header .who { margin-left: auto; font-size: 14px; display: flex; gap: 12px; align-items: center; }
header .who a { color: #fff; text-decoration: underline; }
header form { margin: 0; }
.search { display: flex; gap: 8px; align-items: center; }
.search label { font-size: 14px; }
.search input { width: 380px; padding: 7px 10px; font-size: 15px; border-radius: 6px; border: 1px solid #9fb3b8; }
button, .button { background: #2f6b7a; color: #fff; border: 0; border-radius: 6px; padding: 8px 16px; font-size: 15px; cursor: pointer; text-decoration: none; display: inline-block; }
button.quiet { background: transparent; border: 1px solid #cfe0e4; color: #fff; padding: 5px 12px; font-size: 13px; }
button.danger { background: #a3261b; }
nav.tabs { display: flex; gap: 4px; padding: 12px 28px 0; flex-wrap: wrap; }
nav.tabs a { padding: 8px 14px; border-radius: 8px 8px 0 0; color: #23454f; text-decoration: none; font-size: 15px; background: #e6ebe7; }
nav.tabs a.current { background: #fff; font-weight: 600; }
main { padding: 16px 28px 28px; }
.card { background: #fff; border-radius: 8px; padding: 14px 18px; box-shadow: 0 1px 2px rgba(0,0,0,.06); margin-bottom: 16px; }
.card h2 { margin: 0 0 10px; font-size: 17px; }
table { width: 100%; border-collapse: collapse; background: #fff; }
th, td { text-align: left; padding: 9px 12px; border-bottom: 1px solid #e8ebe8; font-size: 15px; vertical-align: top; }
th { background: #eef1ee; font-weight: 600; font-size: 13px; color: #4a5a5e; }
dl { display: grid; grid-template-columns: 9em 1fr; gap: 6px 14px; margin: 0; }
dt { color: #4a5a5e; font-size: 14px; } dd { margin: 0; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.sub { color: #5d6c70; font-size: 13px; }
.pill { border-radius: 999px; padding: 2px 10px; font-size: 13px; background: #e6ebe7; }
.ok { background: #e3f1e6; color: #1d6b34; } .warn { background: #fdf1d8; color: #7a4f00; } .bad { background: #fbe3e1; color: #a3261b; }
.notice { padding: 10px 14px; border-radius: 8px; margin-bottom: 14px; }
.actions form { border-top: 1px solid #e8ebe8; padding: 12px 0; }
.actions form:first-of-type { border-top: 0; }
.actions label { display: block; font-size: 14px; margin: 6px 0 3px; }
.actions input[type=text], .actions textarea, .actions select { width: 100%; max-width: 520px; padding: 6px 8px; font-size: 15px; border: 1px solid #9fb3b8; border-radius: 6px; box-sizing: border-box; }
.actions input[type=date] { padding: 6px 8px; font-size: 15px; font-family: inherit; border: 1px solid #9fb3b8; border-radius: 6px; }
.actions fieldset { border: 1px solid #cfd8da; border-radius: 6px; margin: 0; padding: 6px 12px; max-width: 520px; }
.actions legend { font-size: 14px; padding: 0 4px; }
.actions .check { display: flex; align-items: center; gap: 6px; min-height: 28px; }
.actions .check input { width: 18px; height: 18px; margin: 0; accent-color: #2f6b7a; }
.actions .check label { display: inline; margin: 0; font-size: 15px; }
.timeline td:nth-child(-n+2) { white-space: nowrap; }
.login { max-width: 380px; margin: 60px auto; }
.login label { display: block; margin: 10px 0 4px; }
.login input { width: 100%; padding: 8px; font-size: 16px; box-sizing: border-box; border: 1px solid #9fb3b8; border-radius: 6px; }
.login button { margin-top: 16px; width: 100%; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 12px; margin-bottom: 16px; }
.tile { background: #fff; border-radius: 8px; padding: 10px 14px; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
.tile .figure { font-size: 24px; font-weight: 600; margin-top: 4px; }
.report-form { display: flex; gap: 8px 12px; align-items: center; flex-wrap: wrap; }
.report-form select, .report-form input { padding: 6px 8px; font-size: 15px; border: 1px solid #9fb3b8; border-radius: 6px; }
.report-head { display: flex; justify-content: space-between; align-items: center; gap: 12px; }
.report-head .button { padding: 5px 12px; font-size: 14px; }
:focus-visible { outline: 3px solid #b35900; outline-offset: 2px; }
header :focus-visible { outline-color: #ffd166; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
"#;

/// The hall's local time (UTC+8) as shown.
pub use vocab::time::local_minute as local;

/// What every signed-in page shows around its content.
#[derive(Debug)]
pub struct Frame<'a> {
    /// Who is signed in.
    pub account: &'a StaffAccount,
    /// The session's CSRF token for the page's forms.
    pub csrf: &'a str,
    /// The page title.
    pub title: String,
    /// The current inbox tab, if any.
    pub tab: Option<Inbox>,
    /// Warnings for this role (missing holiday files for the supervisor).
    pub warnings: Vec<String>,
}

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · 政务服务工作台" }
            style { (PreEscaped(CSS)) }
        }
    }
}

/// A signed-in page.
pub fn page(frame: &Frame<'_>, body: Markup) -> Markup {
    let account = frame.account;
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            (head(&frame.title))
            body {
                header {
                    h1 { "政务服务工作台" }
                    form.search method="post" action="/staff/search" {
                        input type="hidden" name="csrf" value=(frame.csrf);
                        label for="search" { "查找办件" }
                        input id="search" type="text" name="q" autofocus autocomplete="off" maxlength="512"
                            placeholder="办件编号 / 扫描回执二维码 / 身份证号码";
                        button type="submit" { "查找" }
                    }
                    div.who {
                        span { (account.display) "（" (account.role.label_zh()) "）" }
                        a href="/staff/password" { "修改密码" }
                        form method="post" action="/staff/logout" {
                            input type="hidden" name="csrf" value=(frame.csrf);
                            button.quiet type="submit" { "退出" }
                        }
                    }
                }
                nav.tabs aria-label="待办分类" {
                    @for tab in Inbox::tabs(account.role) {
                        a href={ "/staff/inbox/" (tab.slug()) } class=[(frame.tab == Some(tab)).then_some("current")] aria-current=[(frame.tab == Some(tab)).then_some("page")] { (tab.label_zh()) }
                    }
                    @for (href, label) in super::tickets::nav_links(account.role) {
                        a href=(href) class=[(frame.tab.is_none() && frame.title == label).then_some("current")] aria-current=[(frame.tab.is_none() && frame.title == label).then_some("page")] { (label) }
                    }
                    @if super::intake::may_take_in(account.role) {
                        a href="/staff/intake" class=[(frame.title == super::intake::TITLE).then_some("current")] { (super::intake::TITLE) }
                    }
                    @if matches!(account.role, Role::Supervisor | Role::Operator) {
                        a href="/staff/reports" class=[(frame.title == "绩效考评").then_some("current")] aria-current=[(frame.title == "绩效考评").then_some("page")] { "绩效考评" }
                    }
                    @if super::catalog_edit::may_edit(account.role) {
                        a href="/staff/catalog" class=[(frame.title == super::catalog_views::TITLE).then_some("current")] { (super::catalog_views::TITLE) }
                    }
                }
                main {
                    @for w in &frame.warnings {
                        div.notice.warn role="alert" { (w) }
                    }
                    (body)
                }
            }
        }
    }
}

/// The sign-in page.
pub fn login(nonce: &str, message: Option<&str>) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            (head("登录"))
            body {
                header { h1 { "政务服务工作台" } }
                main {
                    div.card.login {
                        h2 { "工作人员登录" }
                        @if let Some(m) = message {
                            div.notice.bad role="alert" { (m) }
                        }
                        form method="post" action="/staff/login" {
                            input type="hidden" name="csrf" value=(nonce);
                            label for="name" { "用户名" }
                            input id="name" type="text" name="name" autofocus autocomplete="username" maxlength="64" required;
                            label for="password" { "密码" }
                            input id="password" type="password" name="password" autocomplete="current-password" maxlength="256" required;
                            button type="submit" { "登录" }
                        }
                        p.sub { "连续输错5次将锁定15分钟。30分钟无操作自动退出。" }
                    }
                }
            }
        }
    }
}

/// A page with only a message (errors, refusals), signed in or not.
pub fn message(frame: Option<&Frame<'_>>, title: &str, text: &str, back: Option<&str>) -> Markup {
    let body = html! {
        div.card {
            h2 { (title) }
            p id="message" { (text) }
            @if let Some(href) = back { p { a.button href=(href) { "返回" } } }
        }
    };
    match frame {
        Some(f) => page(f, body),
        None => html! {
            (DOCTYPE)
            html lang="zh-CN" { (head(title)) body { header { h1 { "政务服务工作台" } } main { (body) } } }
        },
    }
}

/// A due date with its colour: overdue red, within two days amber.
fn due_cell(due: Option<NaiveDate>, today: NaiveDate, soon: NaiveDate) -> Markup {
    match due {
        None => html! { span.sub { "受理后计算" } },
        Some(d) if d < today => html! { span.pill.bad { (d) " 已超期" } },
        Some(d) if d <= soon => html! { span.pill.warn { (d) } },
        Some(d) => html! { (d) },
    }
}

/// A list of applications (an inbox or search results).
pub fn table(
    rows: &[InboxRow],
    departments: &dyn Fn(&InboxRow) -> String,
    today: NaiveDate,
    soon: NaiveDate,
) -> Markup {
    html! {
        table {
            thead { tr { th { "办件编号" } th { "事项" } th { "部门" } th { "状态" } th { "收件时间" } th { "办结期限" } th { "承办人" } } }
            tbody {
                @for r in rows {
                    tr data-application=(r.id) {
                        td { a href={ "/staff/applications/" (r.id) } { (r.tracking_code) } }
                        td { (r.subject_name) div.sub { (r.subject_code) } }
                        td { (departments(r)) }
                        td { span.pill { (r.status.label_zh()) } }
                        td { (local(r.received_at)) }
                        td { (due_cell(r.due_on, today, soon)) }
                        td { (r.handler.as_deref().unwrap_or("—")) }
                    }
                }
                @if rows.is_empty() {
                    tr { td.sub colspan="7" { "暂无办件。" } }
                }
            }
        }
    }
}

/// One line of the application's timeline.
#[derive(Debug, Clone)]
pub struct TimelineLine {
    /// Status label.
    pub status: &'static str,
    /// When (local).
    pub at: String,
    /// What the citizen sees.
    pub note: Option<String>,
    /// Staff and internal details.
    pub staff: Option<String>,
}

/// Everything the application page shows.
#[derive(Debug, Clone)]
pub struct ApplicationView {
    /// Record id.
    pub id: String,
    /// 办件编号.
    pub tracking_code: String,
    /// Subject name and code.
    pub subject: (String, String),
    /// Department names.
    pub departments: String,
    /// Status label.
    pub status: &'static str,
    /// Timeline length: the version a form carries.
    pub version: usize,
    /// Received (local).
    pub received: String,
    /// Kiosk.
    pub kiosk: String,
    /// 承诺时限 text.
    pub limit: String,
    /// Due date text.
    pub due: String,
    /// Handler.
    pub handler: Option<String>,
    /// Applicant name and masked ID number.
    pub applicant: (String, String),
    /// Form values: (label, value).
    pub fields: Vec<(String, String)>,
    /// How the result reaches the citizen.
    pub delivery: String,
    /// Whether mailed (办结 asks for a waybill).
    pub mailed: bool,
    /// Materials: (name, how).
    pub materials: Vec<(String, String)>,
    /// The item's materials to pick for 补正: (code, name).
    pub correctable: Vec<(String, String)>,
    /// The department's window (办结 for collection).
    pub window: String,
    /// Timeline.
    pub timeline: Vec<TimelineLine>,
    /// Audit trail.
    pub audit: Vec<AuditEntry>,
    /// What this staff member may do now.
    pub actions: Vec<Action>,
    /// The signed-in staff member's display name (承办 default).
    pub me: String,
    /// 跨省通办: the partner place handling it (taken in here and forwarded; its stages come
    /// from there, so nothing is worked here).
    pub handled_by: Option<String>,
}

fn hidden(csrf: &str, version: usize) -> Markup {
    html! {
        input type="hidden" name="csrf" value=(csrf);
        input type="hidden" name="version" value=(version);
    }
}

fn action_form(v: &ApplicationView, csrf: &str, action: Action) -> Markup {
    let slug = action.slug();
    let id = |name: &str| format!("{slug}-{name}");
    html! {
        form id={ "act-" (slug) } method="post" action={ "/staff/applications/" (v.id) "/" (slug) } {
            (hidden(csrf, v.version))
            @match action {
                Action::Accept => { p.sub { "受理后按承诺时限（" (v.limit) "）以工作日计算办结期限。" } }
                Action::Reject => {
                    label for=(id("reason")) { "不予受理的理由（申请人可见）" }
                    textarea id=(id("reason")) name="reason" rows="2" maxlength="300" required {}
                }
                Action::Correction => {
                    fieldset {
                        legend { "需补正的材料" }
                        @for (code, name) in &v.correctable {
                            div.check {
                                input type="checkbox" name="material" value=(code) id=(id(code));
                                label for=(id(code)) { (name) }
                            }
                        }
                    }
                    label for=(id("note")) { "补正说明（申请人可见）" }
                    textarea id=(id("note")) name="note" rows="2" maxlength="300" {}
                }
                Action::Assign => {
                    label for=(id("handler")) { "承办人" }
                    input type="text" id=(id("handler")) name="handler" value=(v.me) maxlength="40" required;
                }
                Action::Conclude => {
                    label for=(id("result")) { "办理结果（申请人可见）" }
                    textarea id=(id("result")) name="result" rows="2" maxlength="300" required { "准予办理" }
                    @if v.mailed {
                        label for="waybill" { "EMS 邮件号（免费邮寄）" }
                        input id="waybill" type="text" name="waybill" maxlength="20" required;
                    } @else {
                        label for=(id("window")) { "领取窗口" }
                        input type="text" id=(id("window")) name="window" value=(v.window) maxlength="40" required;
                        label for=(id("pickup")) { "取件码（4–8位数字）" }
                        input type="text" id=(id("pickup")) name="pickup" maxlength="8" required;
                    }
                }
                Action::Feedback => {
                    label for=(id("note")) { "反馈说明（申请人可见，可不填）" }
                    textarea id=(id("note")) name="note" rows="2" maxlength="300" {}
                }
                Action::Callback => {
                    label for=(id("called")) { "是否已致电" }
                    select id=(id("called")) name="called" { option value="yes" { "已致电" } option value="no" { "未能致电" } }
                    label for=(id("reached")) { "是否接通" }
                    select id=(id("reached")) name="reached" { option value="yes" { "已接通" } option value="no" { "未接通" } }
                    label for=(id("satisfaction")) { "满意度" }
                    select id=(id("satisfaction")) name="satisfaction" {
                        option value="satisfied" { "满意" } option value="basic" { "基本满意" }
                        option value="unsatisfied" { "不满意" } option value="none" { "未表态" }
                    }
                    label for=(id("note")) { "回访记录（内部）" }
                    textarea id=(id("note")) name="note" rows="2" maxlength="300" {}
                }
            }
            p { button type="submit" class=[matches!(action, Action::Reject).then_some("danger")] { (action.label_zh()) } }
        }
    }
}

/// The application page; `files` is the attachments and result documents section.
pub fn application(
    frame: &Frame<'_>,
    v: &ApplicationView,
    files: &Markup,
    error: Option<&str>,
) -> Markup {
    page(
        frame,
        html! {
            @if let Some(e) = error { div.notice.bad role="alert" id="error" { (e) } }
            div.card {
                h2 { "办件 " span id="tracking" { (v.tracking_code) } " " span.pill id="status" { (v.status) } }
                dl {
                    dt { "事项" } dd { (v.subject.0) " " span.sub { (v.subject.1) } }
                    dt { "部门" } dd { (v.departments) }
                    dt { "收件" } dd id="received" { (v.received) " · " (v.kiosk) }
                    @if let Some(place) = &v.handled_by {
                        dt { "办理地" } dd id="handled-by" { (place) "（跨省通办：本中心代收，已转交对方办理）" }
                    }
                    dt { "承诺时限" } dd { (v.limit) }
                    dt { "办结期限" } dd id="due" { (v.due) }
                    dt { "承办人" } dd { (v.handler.as_deref().unwrap_or("—")) }
                }
                p { a.button id="receipt-link" href={ "/staff/applications/" (v.id) "/receipt" } { "回执（打印）" } }
            }
            div.grid {
                div.card {
                    h2 { "申请人与表单" }
                    dl {
                        dt { "申请人" } dd { (v.applicant.0) }
                        dt { "身份证号码" } dd { (v.applicant.1) }
                        @for (label, value) in &v.fields { dt { (label) } dd { (value) } }
                        dt { "送达方式" } dd { (v.delivery) }
                    }
                }
                div.card.actions {
                    h2 { "办理" }
                    @if let Some(place) = &v.handled_by {
                        p.sub id="partner-handled" { "本件由" (place) "办理，本中心代收并已转交；办理环节由对方同步到这里，无需在此办理。" }
                    } @else {
                        @if v.actions.is_empty() { p.sub { "当前状态下您没有可办理的操作。" } }
                        @for a in &v.actions { (action_form(v, frame.csrf, *a)) }
                    }
                }
            }
            div.card {
                h2 { "材料" }
                table {
                    thead { tr { th { "材料" } th { "情况" } } }
                    tbody { @for (name, how) in &v.materials { tr { td { (name) } td { (how) } } } }
                }
            }
            (files)
            div.grid {
                div.card {
                    h2 { "办理进程" }
                    table.timeline {
                        thead { tr { th { "环节" } th { "时间" } th { "说明" } th { "经办" } } }
                        tbody {
                            @for t in &v.timeline {
                                tr { td { (t.status) } td { (t.at) } td { (t.note.as_deref().unwrap_or("")) } td { (t.staff.as_deref().unwrap_or("")) } }
                            }
                        }
                    }
                }
                div.card {
                    h2 { "审计记录" }
                    table {
                        thead { tr { th { "时间" } th { "工作人员" } th { "操作" } } }
                        tbody {
                            @for a in &v.audit {
                                tr { td { (local(a.at)) } td { (a.staff) } td { (audit_label(&a.action)) " " (a.detail.as_deref().unwrap_or("")) } }
                            }
                        }
                    }
                }
            }
        },
    )
}

fn audit_label(action: &str) -> &str {
    match action {
        "view-details" => "查看申请人信息",
        "move" => "办理",
        "search-id-number" => "按身份证号码查找",
        "intake" => "窗口收件",
        "print-receipt" => "查看回执",
        "view-attachment" => "查看材料文件",
        "view-result-document" => "查看结果文书",
        "attach-result" => "上传结果文书",
        other => other,
    }
}
