//! The 好差评 pages' HTML: counts, the 差评 cases with their deadlines, the ratings of a
//! period, and one rating with its case. Comment and contact appear only on the rating page.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use maud::{html, Markup};

use super::views::{local, page, Frame};
use crate::store::followup::{CaseStage, RatingRow};
use crate::store::staff::AuditEntry;

/// The pages' title (and the nav link's words).
pub const TITLE: &str = "好差评";

/// Ratings counted: 好评 (4–5), 中评 (3), 差评 (1–2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Levels 4–5.
    pub good: u64,
    /// Level 3.
    pub middling: u64,
    /// Levels 1–2.
    pub bad: u64,
}

impl Counts {
    /// Counts `n` ratings of `level`.
    pub fn add(&mut self, level: u8, n: u64) {
        match level {
            4.. => self.good += n,
            3 => self.middling += n,
            _ => self.bad += n,
        }
    }

    /// All of them.
    pub fn total(&self) -> u64 {
        self.good + self.middling + self.bad
    }

    /// 好评率 as text.
    pub fn good_rate(&self) -> String {
        match self.total() {
            0 => "—".into(),
            t => format!("{:.1}%", self.good as f64 * 100.0 / t as f64),
        }
    }
}

/// A case's stage and the current step's deadline.
#[derive(Debug, Clone, Copy)]
pub struct CaseLine {
    /// Stage.
    pub stage: CaseStage,
    /// The current step's due date (none once closed).
    pub due: Option<NaiveDate>,
    /// Past it.
    pub overdue: bool,
}

/// What the ratings page shows.
#[derive(Debug)]
pub struct ListPage<'a> {
    /// `day`, `week`, `month` or `year`.
    pub period: &'a str,
    /// All counted.
    pub total: Counts,
    /// Per item or bundle name.
    pub per_item: BTreeMap<String, Counts>,
    /// Per department names.
    pub per_department: BTreeMap<String, Counts>,
    /// Per kiosk.
    pub per_kiosk: BTreeMap<String, Counts>,
    /// Open cases, oldest first.
    pub cases: Vec<(RatingRow, CaseLine)>,
    /// The period's ratings, newest first.
    pub ratings: Vec<(RatingRow, Option<CaseLine>)>,
}

const PERIODS: [(&str, &str); 4] = [
    ("day", "今天"),
    ("week", "本周"),
    ("month", "本月"),
    ("year", "本年"),
];

fn level_zh(level: u8) -> &'static str {
    match level {
        5 => "非常满意",
        4 => "满意",
        3 => "基本满意",
        2 => "不满意",
        _ => "非常不满意",
    }
}

fn level_pill(level: u8) -> Markup {
    let class = match level {
        4.. => "ok",
        3 => "",
        _ => "bad",
    };
    html! { span class={ "pill " (class) } { (level_zh(level)) } }
}

fn case_cell(line: Option<&CaseLine>) -> Markup {
    match line {
        None => html! { span.sub { "—" } },
        Some(l) if l.stage == CaseStage::Closed => html! { span.pill.ok { "整改已办结" } },
        Some(l) => html! {
            span class={ "pill " (if l.overdue { "bad" } else { "warn" }) } {
                "待" (l.stage.label_zh())
                @if let Some(d) = l.due { " · " (d) @if l.overdue { " 已超期" } }
            }
        },
    }
}

fn counts_table(id: &str, heading: &str, rows: &BTreeMap<String, Counts>) -> Markup {
    html! {
        div.card {
            h2 { (heading) }
            table id=(id) {
                thead { tr { th { "名称" } th { "评价数" } th { "好评" } th { "中评" } th { "差评" } th { "好评率" } } }
                tbody {
                    @for (name, c) in rows {
                        tr { td { (name) } td { (c.total()) } td { (c.good) } td { (c.middling) } td { (c.bad) } td { (c.good_rate()) } }
                    }
                    @if rows.is_empty() { tr { td.sub colspan="6" { "本期暂无评价。" } } }
                }
            }
        }
    }
}

/// The ratings page.
pub fn list(frame: &Frame<'_>, p: &ListPage<'_>) -> Markup {
    let overdue = p.cases.iter().filter(|(_, l)| l.overdue).count();
    page(
        frame,
        html! {
            div.card {
                h2 { "好差评统计" }
                p #periods {
                    "统计期间："
                    @for (i, (slug, label)) in PERIODS.into_iter().enumerate() {
                        @if i > 0 { " · " }
                        @if slug == p.period { strong aria-current="page" { (label) } }
                        @else { a href={ "/staff/ratings?period=" (slug) } { (label) } }
                    }
                }
                table #summary {
                    thead { tr { th { "评价总数" } th { "好评" } th { "中评" } th { "差评" } th { "好评率" } } }
                    tbody { tr {
                        td { (p.total.total()) } td { (p.total.good) } td { (p.total.middling) }
                        td #bad-count { (p.total.bad) } td { (p.total.good_rate()) }
                    } }
                }
            }
            div.card {
                h2 { "差评整改 " span.sub #cases-count { "未办结 " (p.cases.len()) " 件，其中超期 " (overdue) " 件" } }
                table #cases {
                    thead { tr { th { "办件编号" } th { "事项" } th { "评价" } th { "评价时间" } th { "整改进度" } } }
                    tbody {
                        @for (r, l) in &p.cases {
                            tr data-rating=(r.id) {
                                td { a href={ "/staff/ratings/" (r.id) } { (r.tracking_code) } }
                                td { (r.subject_name) }
                                td { (level_pill(r.level)) }
                                td { (local(r.rated_at)) }
                                td { (case_cell(Some(l))) }
                            }
                        }
                        @if p.cases.is_empty() { tr { td.sub colspan="5" { "没有未办结的差评整改。" } } }
                    }
                }
            }
            div.grid {
                (counts_table("per-item", "按事项", &p.per_item))
                (counts_table("per-department", "按部门", &p.per_department))
            }
            (counts_table("per-kiosk", "按自助机", &p.per_kiosk))
            div.card {
                h2 { "本期评价 " span.sub { "最近 " (p.ratings.len()) " 条" } }
                table #ratings {
                    thead { tr { th { "办件编号" } th { "事项" } th { "评价" } th { "自助机" } th { "时间" } th { "差评整改" } } }
                    tbody {
                        @for (r, l) in &p.ratings {
                            tr data-rating=(r.id) {
                                td { a href={ "/staff/ratings/" (r.id) } { (r.tracking_code) } }
                                td { (r.subject_name) }
                                td { (level_pill(r.level)) }
                                td { (r.kiosk_id.as_deref().unwrap_or("手机进度页")) }
                                td { (local(r.rated_at)) }
                                td { (case_cell(l.as_ref())) }
                            }
                        }
                        @if p.ratings.is_empty() { tr { td.sub colspan="6" { "本期暂无评价。" } } }
                    }
                }
            }
        },
    )
}

/// Everything one rating's page shows.
#[derive(Debug)]
pub struct RatingPage {
    /// The rating.
    pub row: RatingRow,
    /// Its case, if a 差评.
    pub case: Option<CaseLine>,
    /// The case's version (the forms carry it).
    pub version: u32,
    /// Whether the signed-in staff member may take the current step.
    pub may_act: bool,
    /// The citizen's comment.
    pub comment: Option<String>,
    /// (称呼, phone).
    pub contact: Option<(String, String)>,
    /// Reasons (Chinese).
    pub reasons: Vec<String>,
    /// Each step's due date.
    pub deadlines: Vec<(CaseStage, NaiveDate)>,
    /// Steps done: (stage, when, staff, details).
    pub steps: Vec<(Option<CaseStage>, String, String, String)>,
    /// Audit trail.
    pub audit: Vec<AuditEntry>,
}

fn step_form(p: &RatingPage, csrf: &str, stage: CaseStage) -> Markup {
    let slug = stage.slug();
    let id = |name: &str| format!("{slug}-{name}");
    html! {
        form id={ "case-" (slug) } method="post" action={ "/staff/ratings/" (p.row.id) "/" (slug) } {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="version" value=(p.version);
            @match stage {
                CaseStage::Verify => {
                    label for=(id("finding")) { "核实结论" }
                    select id=(id("finding")) name="finding" { option { "属实" } option { "部分属实" } option { "不属实" } }
                }
                CaseStage::Callback => {
                    label for=(id("reached")) { "是否接通" }
                    select id=(id("reached")) name="reached" { option value="yes" { "已接通" } option value="no" { "未接通" } }
                    label for=(id("satisfaction")) { "群众对整改的满意度" }
                    select id=(id("satisfaction")) name="satisfaction" { option { "满意" } option { "基本满意" } option { "不满意" } option { "未表态" } }
                }
                CaseStage::Rectify | CaseStage::Closed => {}
            }
            label for=(id("note")) { (stage.label_zh()) "情况" }
            textarea id=(id("note")) name="note" rows="3" maxlength="300" required {}
            p { button type="submit" { "完成" (stage.label_zh()) } }
        }
    }
}

fn audit_label(action: &str) -> &str {
    match action {
        "view-rating" => "查看评价",
        "followup-verify" => "核实",
        "followup-rectify" => "整改",
        "followup-callback" => "回访",
        other => other,
    }
}

/// One rating's page.
pub fn rating(frame: &Frame<'_>, p: &RatingPage, error: Option<&str>) -> Markup {
    let r = &p.row;
    page(
        frame,
        html! {
            @if let Some(e) = error { div.notice.bad role="alert" id="error" { (e) } }
            div.card {
                h2 { "评价 " (level_pill(r.level)) " " span id="case" { (case_cell(p.case.as_ref())) } }
                dl {
                    dt { "办件" } dd { a href={ "/staff/applications/" (r.application_id) } { (r.tracking_code) } }
                    dt { "事项" } dd { (r.subject_name) " " span.sub { (r.subject_code) } }
                    dt { "评价时间" } dd { (local(r.rated_at)) }
                    dt { "评价渠道" } dd { (r.kiosk_id.as_deref().unwrap_or("手机进度页")) }
                    dt { "差评原因" } dd { @if p.reasons.is_empty() { "—" } @else { (p.reasons.join("、")) } }
                }
            }
            div.grid {
                div.card {
                    h2 { "群众意见" }
                    dl {
                        dt { "意见" } dd id="comment" { (p.comment.as_deref().unwrap_or("（未填写）")) }
                        @match &p.contact {
                            Some((name, phone)) => {
                                dt { "称呼" } dd { (if name.is_empty() { "—" } else { name }) }
                                dt { "联系电话" } dd id="phone" { (phone) }
                            }
                            None => { dt { "联系电话" } dd { "未留联系方式（整改后不回访）" } }
                        }
                    }
                    p.sub { "群众信息仅在本页显示，每次查看均记入审计。" }
                }
                div.card.actions {
                    h2 { "差评整改" }
                    @if p.case.is_none() { p.sub { "非差评，无需整改。" } }
                    @else {
                        table #deadlines {
                            thead { tr { th { "环节" } th { "期限（工作日）" } } }
                            tbody { @for (s, d) in &p.deadlines { tr { td { (s.label_zh()) } td { (d) } } } }
                        }
                        @if let Some(line) = &p.case {
                            @if line.stage == CaseStage::Closed { p { "整改已办结。" } }
                            @else if p.may_act { (step_form(p, frame.csrf, line.stage)) }
                            @else { p.sub { "当前环节为「" (line.stage.label_zh()) "」，由其他岗位办理。" } }
                        }
                    }
                }
            }
            div.grid {
                div.card {
                    h2 { "整改过程" }
                    table.timeline #steps {
                        thead { tr { th { "环节" } th { "时间" } th { "工作人员" } th { "情况" } } }
                        tbody {
                            @for (s, at, staff, detail) in &p.steps {
                                tr { td { (s.map_or("—", |s| s.label_zh())) } td { (at) } td { (staff) } td { (detail) } }
                            }
                            @if p.steps.is_empty() { tr { td.sub colspan="4" { "尚未办理。" } } }
                        }
                    }
                }
                div.card {
                    h2 { "审计记录" }
                    table {
                        thead { tr { th { "时间" } th { "工作人员" } th { "操作" } } }
                        tbody { @for a in &p.audit { tr { td { (local(a.at)) } td { (a.staff) } td { (audit_label(&a.action)) } } } }
                    }
                }
            }
        },
    )
}
