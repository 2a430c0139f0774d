//! The report page's HTML: the period and department picker (a plain GET form), the headline
//! figures, two SVG charts with their tables, and every table with its CSV link. The tables
//! are built once ([`tables`]) and serve both the page and the downloads, so a CSV always
//! says what the page says.

use hall_api::catalog::Department;
use maud::{html, Markup};

use super::reports::{Choice, Figures, PeriodKind, Report};
use super::svg;
use crate::store::reports::Channel;

/// What a missing figure (no data, or not counted yet) shows.
pub const NONE: &str = "—";

/// A percentage with one decimal, or [`NONE`].
pub fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| NONE.to_owned(), |r| format!("{:.1}%", r * 100.0))
}

fn days(d: Option<f64>) -> String {
    d.map_or_else(|| NONE.to_owned(), |d| format!("{d:.1}"))
}

/// One table of the report (also a CSV download).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Anchor and file name part (`departments`).
    pub id: &'static str,
    /// Caption.
    pub caption: &'static str,
    /// Column headers.
    pub headers: Vec<&'static str>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

/// How 整改率 is counted, under the picker.
pub const RECTIFICATION_NOTE: &str = "整改率按整改期限在本期内（截至昨日）的差评整改工单统计";

fn summary_rows(f: &Figures) -> Vec<Vec<String>> {
    let row = |a: &str, b: String, c: &str| vec![a.to_owned(), b, c.to_owned()];
    vec![
        row(
            "受理量",
            f.intake_total().to_string(),
            "本期收件数（各渠道合计）",
        ),
        row(
            "无差别综合受理率",
            percent(f.unified_rate()),
            "自助终端与综合窗口收件 ÷ 全部收件",
        ),
        row(
            "按期办结率",
            percent(f.on_time_rate()),
            "本期办结且有期限的办件中，在期限当日或之前办结的比例",
        ),
        row(
            "超期件数",
            f.overdue.to_string(),
            "期限在本期内（截至昨日）而未按期办结的办件数",
        ),
        row(
            "办理时长中位数（工作日）",
            days(f.median_days()),
            "本期办结办件从受理日到办结日的工作日数的中位数",
        ),
        row(
            "好评率",
            percent(f.good_rate()),
            "本期评价中“满意”“非常满意”的比例",
        ),
        row(
            "差评数",
            f.bad.to_string(),
            "本期评价中“不满意”“非常不满意”的条数",
        ),
        row(
            "整改率",
            percent(f.rectification_rate()),
            "整改期限（差评后规定的工作日数）在本期内（截至昨日）的差评整改工单中，在期限当日或之前办结的比例",
        ),
        row(
            "回访完成率",
            percent(f.callback_rate()),
            "本期办结的办件中已完成回访的比例",
        ),
    ]
}

/// Every table of a report, in page order.
pub fn tables(r: &Report) -> Vec<Table> {
    let t = &r.total;
    let total = t.intake_total();
    vec![
        Table {
            id: "summary",
            caption: "总体指标",
            headers: vec!["指标", "数值", "口径"],
            rows: summary_rows(t),
        },
        Table {
            id: "channels",
            caption: "受理渠道",
            headers: vec!["渠道", "件数", "占比"],
            rows: Channel::ALL
                .into_iter()
                .map(|c| {
                    let n = t.intake_of(c);
                    vec![
                        c.label_zh().to_owned(),
                        n.to_string(),
                        percent((total > 0).then(|| n as f64 / total as f64)),
                    ]
                })
                .collect(),
        },
        Table {
            id: "departments",
            caption: "各部门指标",
            headers: vec![
                "部门",
                "受理量",
                "自助终端",
                "综合窗口",
                "部门窗口",
                "无差别综合受理率",
                "按期办结率",
                "超期件数",
                "办理时长中位数（工作日）",
                "好评率",
                "差评数",
                "整改率",
                "回访完成率",
            ],
            rows: r
                .departments
                .iter()
                .map(|(_, name, f)| {
                    vec![
                        name.clone(),
                        f.intake_total().to_string(),
                        f.intake_of(Channel::Kiosk).to_string(),
                        f.intake_of(Channel::Counter).to_string(),
                        f.intake_of(Channel::DepartmentWindow).to_string(),
                        percent(f.unified_rate()),
                        percent(f.on_time_rate()),
                        f.overdue.to_string(),
                        days(f.median_days()),
                        percent(f.good_rate()),
                        f.bad.to_string(),
                        percent(f.rectification_rate()),
                        percent(f.callback_rate()),
                    ]
                })
                .collect(),
        },
        Table {
            id: "daily",
            caption: "每日受理量",
            headers: vec!["日期", "受理量"],
            rows: r
                .daily
                .iter()
                .map(|(d, n)| vec![d.format("%Y-%m-%d").to_string(), n.to_string()])
                .collect(),
        },
        Table {
            id: "sites",
            caption: "按站点汇总（自助终端）",
            headers: vec![
                "站点",
                "终端数",
                "申请件数",
                "一键求助次数",
                "当前设备故障数（最近一次心跳）",
            ],
            rows: super::reports::by_site(&r.kiosks)
                .into_iter()
                .map(|s| {
                    vec![
                        s.site,
                        s.kiosks.to_string(),
                        s.applications.to_string(),
                        s.help_calls.to_string(),
                        s.faults.to_string(),
                    ]
                })
                .collect(),
        },
        Table {
            id: "kiosks",
            caption: "自助终端使用情况",
            headers: vec![
                "终端编号",
                "站点",
                "位置",
                "申请件数",
                "一键求助次数",
                "当前设备故障数（最近一次心跳）",
            ],
            rows: r
                .kiosks
                .iter()
                .map(|k| {
                    vec![
                        k.id.clone(),
                        k.site.clone(),
                        k.location.clone(),
                        k.applications.to_string(),
                        k.help_calls.to_string(),
                        k.faults.to_string(),
                    ]
                })
                .collect(),
        },
    ]
}

fn table(t: &Table, query: &str) -> Markup {
    html! {
        div.card id=(t.id) {
            div.report-head {
                h2 { (t.caption) }
                a.button href={ "/staff/reports/" (t.id) ".csv?" (query) }
                    download { "下载 CSV" span.visually-hidden { "（" (t.caption) "）" } }
            }
            table aria-label=(t.caption) {
                thead { tr { @for h in &t.headers { th scope="col" { (h) } } } }
                tbody {
                    @for row in &t.rows {
                        tr { @for (i, c) in row.iter().enumerate() {
                            @if i == 0 { th scope="row" { (c) } } @else { td { (c) } }
                        } }
                    }
                }
            }
        }
    }
}

fn tile(label: &str, value: &str, id: &str) -> Markup {
    html! {
        div.tile { div.sub { (label) } div.figure id=(id) { (value) } }
    }
}

/// The report's body (inside the workbench frame).
pub fn report(r: &Report, choice: &Choice, departments: &[Department]) -> Markup {
    let query = choice.query();
    let t = &r.total;
    let all = tables(r);
    let dept_name = choice
        .department
        .as_deref()
        .and_then(|c| departments.iter().find(|d| d.code == c))
        .map_or("全部部门", |d| d.name.as_str());
    let bars: Vec<(String, u64)> = r
        .departments
        .iter()
        .map(|(_, name, f)| (name.clone(), f.intake_total()))
        .collect();
    let daily: Vec<(String, u64)> = r
        .daily
        .iter()
        .map(|(d, n)| (d.format("%m-%d").to_string(), *n))
        .collect();
    let day_range = match (r.daily.first(), r.daily.last()) {
        (Some((a, _)), Some((b, _))) => {
            format!("{} 至 {}", a.format("%Y-%m-%d"), b.format("%Y-%m-%d"))
        }
        _ => String::new(),
    };
    let peak = r.daily.iter().max_by_key(|(_, n)| *n);
    let line_desc = format!(
        "{day_range}每日受理量折线图，共 {} 天，合计 {} 件{}。数据见下方“每日受理量”表。",
        r.daily.len(),
        r.daily.iter().map(|(_, n)| n).sum::<u64>(),
        peak.filter(|(_, n)| *n > 0)
            .map(|(d, n)| format!("，最多为 {} 的 {} 件", d.format("%m月%d日"), n))
            .unwrap_or_default()
    );
    // 整改率 per department with cases due (whole percent; the table has one decimal).
    let rect: Vec<(String, u64)> = r
        .departments
        .iter()
        .filter_map(|(_, name, f)| {
            f.rectification_rate()
                .map(|x| (name.clone(), (x * 100.0).round() as u64))
        })
        .collect();
    let rect_desc = format!(
        "{}各部门整改率（%）条形图：{}。口径与数据见下方“各部门指标”表。",
        r.period.label_zh(),
        if rect.is_empty() {
            "本期无到期的差评整改工单".to_owned()
        } else {
            rect.iter()
                .map(|(n, v)| format!("{n} {v}%"))
                .collect::<Vec<_>>()
                .join("，")
        }
    );
    let bar_desc = format!(
        "{}各部门受理量条形图：{}。数据见下方“各部门指标”表。",
        r.period.label_zh(),
        bars.iter()
            .map(|(n, v)| format!("{n} {v} 件"))
            .collect::<Vec<_>>()
            .join("，")
    );
    html! {
        div.card {
            h2 { "绩效考评 · " (r.period.label_zh()) " · " (dept_name) }
            form.report-form method="get" action="/staff/reports" {
                label for="period" { "统计周期" }
                select id="period" name="period" {
                    @for k in PeriodKind::ALL {
                        option value=(k.as_str()) selected[k == r.period.kind] { (k.label_zh()) }
                    }
                }
                label for="date" { "日期" }
                input id="date" type="date" name="date" value=(r.period.start.format("%Y-%m-%d"));
                label for="department" { "部门" }
                select id="department" name="department" {
                    option value="" selected[choice.department.is_none()] { "全部部门" }
                    @for d in departments {
                        option value=(d.code) selected[choice.department.as_deref() == Some(d.code.as_str())] { (d.name) }
                    }
                }
                button type="submit" { "查看" }
            }
            p.sub {
                "超期件数统计至 " (r.overdue_through.format("%Y-%m-%d")) "。"
                (super::reports_view::RECTIFICATION_NOTE) "。"
            }
        }
        div.tiles {
            (tile("受理量", &t.intake_total().to_string(), "fig-intake"))
            (tile("无差别综合受理率", &percent(t.unified_rate()), "fig-unified"))
            (tile("按期办结率", &percent(t.on_time_rate()), "fig-on-time"))
            (tile("超期件数", &t.overdue.to_string(), "fig-overdue"))
            (tile("办理时长中位数（工作日）", &days(t.median_days()), "fig-median"))
            (tile("好评率", &percent(t.good_rate()), "fig-good"))
            (tile("差评数", &t.bad.to_string(), "fig-bad"))
            (tile("整改率", &percent(t.rectification_rate()), "fig-rectification"))
            (tile("回访完成率", &percent(t.callback_rate()), "fig-callback"))
        }
        div.grid {
            div.card {
                h2 { "各部门受理量" }
                (svg::bars("chart-departments", "各部门受理量", &bar_desc, &bars))
            }
            div.card {
                h2 { "每日受理量" }
                (svg::line("chart-daily", "每日受理量", &line_desc, &daily))
            }
            div.card {
                h2 { "各部门整改率（%）" }
                (svg::bars("chart-rectification", "各部门整改率（%）", &rect_desc, &rect))
            }
        }
        @for t in &all { (table(t, &query)) }
    }
}
