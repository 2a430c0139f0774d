//! 绩效考评: the supervisor's report per period (day, week, month) and department. The
//! figures are computed here from the store's period facts ([`ReportFacts`]) and the
//! catalog's departments; [`super::reports_view`] draws them and every table is also a CSV
//! download. Definitions (also in `hall/README.md`):
//!
//! - **Intake** by channel: applications received in the period.
//! - **无差别综合受理率**: the share of that intake taken at a kiosk or the 综合窗口 rather
//!   than at a department's own window.
//! - **On-time rate**: of the applications that reached 办结 in the period with a due date,
//!   the share whose 办结 day was on or before the due date.
//! - **Overdue**: applications due in the period (up to yesterday) not 办结 by their due date.
//! - **Median handling time**: working days from the 受理 day to the 办结 day (the holiday
//!   calendar; same day = 0) of those that reached 办结 in the period.
//! - **好评率**: ratings given in the period at levels 4–5 over all ratings; **差评**: 1–2.
//! - **回访 completion**: of those that reached 办结 in the period, the share that reached 回访.
//! - **整改率** (rectification rate): of the 差评 cases whose deadline (the whole case:
//!   [`RectificationDays::callback`] working days after the rating) falls in the period, up
//!   to yesterday, the share closed on or before that day.
//! - An application of a bundle counts for each of its items' departments; the total counts
//!   it once.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Duration, NaiveDate};
use hall_api::catalog::Catalog;

use super::access::departments_of;
use super::auth::Signed;
use super::calendar::Calendar;
use super::pages::{frame, html};
use super::ratings::RectificationDays;
use super::{csv, reports_view, views};
use crate::error::ApiError;
use crate::state::{today_local, AppState};
use crate::store::followup::CaseStage;
use crate::store::reports::{Channel, ReportFacts, ReportRange};
use crate::store::staff::Role;

/// How long a period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    /// One day.
    Day,
    /// Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
}

impl PeriodKind {
    /// Every kind, in the picker's order.
    pub const ALL: [PeriodKind; 3] = [PeriodKind::Day, PeriodKind::Week, PeriodKind::Month];

    /// The query spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Day => "day",
            PeriodKind::Week => "week",
            PeriodKind::Month => "month",
        }
    }

    /// The picker's words.
    pub fn label_zh(self) -> &'static str {
        match self {
            PeriodKind::Day => "日报",
            PeriodKind::Week => "周报",
            PeriodKind::Month => "月报",
        }
    }

    fn parse(text: &str) -> Option<PeriodKind> {
        PeriodKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// A report's period: whole local days, `start..=end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// Kind.
    pub kind: PeriodKind,
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
}

impl Period {
    /// The period of this kind that holds `day`.
    pub fn containing(kind: PeriodKind, day: NaiveDate) -> Period {
        let (start, end) = match kind {
            PeriodKind::Day => (day, day),
            PeriodKind::Week => {
                let start = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
                (start, start + Duration::days(6))
            }
            PeriodKind::Month => {
                let start = day.with_day(1).unwrap_or(day);
                let next = if start.month() == 12 {
                    NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)
                };
                (start, next.and_then(|n| n.pred_opt()).unwrap_or(start))
            }
        };
        Period { kind, start, end }
    }

    /// How it is named on the page.
    pub fn label_zh(&self) -> String {
        match self.kind {
            PeriodKind::Day => self.start.format("%Y年%m月%d日").to_string(),
            PeriodKind::Week => format!(
                "{} 至 {}（第{}周）",
                self.start.format("%Y-%m-%d"),
                self.end.format("%Y-%m-%d"),
                self.start.iso_week().week()
            ),
            PeriodKind::Month => self.start.format("%Y年%m月").to_string(),
        }
    }

    /// The first day of the daily chart: the period, or the two weeks up to its end.
    pub fn chart_from(&self) -> NaiveDate {
        self.start.min(self.end - Duration::days(13))
    }
}

/// 00:00 local (UTC+8) of a day, in UTC; the local day of an instant.
pub use vocab::time::{local_date as local_day, local_midnight};

/// Working days after `from` up to and including `to` (0 when the same day or earlier).
pub fn working_days_between(calendar: &Calendar, from: NaiveDate, to: NaiveDate) -> u32 {
    let mut n = 0;
    let mut day = from;
    // Two years at most: a longer span is bad data, not a handling time.
    for _ in 0..731 {
        if day >= to {
            break;
        }
        day = day.succ_opt().unwrap_or(to);
        if calendar.is_working_day(day) {
            n += 1;
        }
    }
    n
}

/// [`working_days_between`] from running totals over the days a report needs, so each
/// application costs one subtraction instead of a walk through the calendar.
struct WorkingDayTable<'c> {
    calendar: &'c Calendar,
    start: NaiveDate,
    /// Working days in `(start, start + i]`.
    totals: Vec<u32>,
}

impl<'c> WorkingDayTable<'c> {
    fn new(calendar: &'c Calendar, start: NaiveDate, end: NaiveDate) -> Self {
        let span = (end - start).num_days();
        // Beyond two years of span it is bad data: leave it to the walk.
        let totals = if (0..=800).contains(&span) {
            let mut day = start;
            let mut n = 0;
            let mut totals = vec![0];
            for _ in 0..span {
                day = day.succ_opt().unwrap_or(day);
                n += u32::from(calendar.is_working_day(day));
                totals.push(n);
            }
            totals
        } else {
            Vec::new()
        };
        WorkingDayTable {
            calendar,
            start,
            totals,
        }
    }

    fn between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        if to <= from {
            return 0;
        }
        let at = |d: NaiveDate| {
            usize::try_from((d - self.start).num_days())
                .ok()
                .and_then(|i| self.totals.get(i))
        };
        match (at(from), at(to)) {
            (Some(a), Some(b)) if (to - from).num_days() <= 731 => b - a,
            _ => working_days_between(self.calendar, from, to),
        }
    }
}

/// The figures of one department (or of all).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Intake per channel, in [`Channel::ALL`]'s order.
    pub intake: [u64; Channel::ALL.len()],
    /// Reached 办结 in the period.
    pub concluded: u64,
    /// Of those, with a due date.
    pub concluded_with_due: u64,
    /// Of those, on or before it.
    pub on_time: u64,
    /// Due in the period and not 办结 by then.
    pub overdue: u64,
    /// Working days 受理 → 办结, one per application with both.
    pub handling_days: Vec<u32>,
    /// Of the 办结 ones, how many reached 回访.
    pub revisited: u64,
    /// Ratings given.
    pub ratings: u64,
    /// Levels 4–5.
    pub good: u64,
    /// Levels 1–2 (差评).
    pub bad: u64,
    /// 差评 cases due in the period (up to yesterday).
    pub cases_due: u64,
    /// Of those, closed by their deadline.
    pub cases_on_time: u64,
}

fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl Figures {
    /// All intake.
    pub fn intake_total(&self) -> u64 {
        self.intake.iter().sum()
    }

    /// Intake of one channel.
    pub fn intake_of(&self, channel: Channel) -> u64 {
        Channel::ALL
            .iter()
            .position(|c| *c == channel)
            .map_or(0, |i| self.intake[i])
    }

    /// 无差别综合受理率.
    pub fn unified_rate(&self) -> Option<f64> {
        let unified = Channel::ALL
            .into_iter()
            .filter(|c| c.is_unified())
            .map(|c| self.intake_of(c))
            .sum();
        share(unified, self.intake_total())
    }

    /// 按期办结率.
    pub fn on_time_rate(&self) -> Option<f64> {
        share(self.on_time, self.concluded_with_due)
    }

    /// Median handling time in working days.
    pub fn median_days(&self) -> Option<f64> {
        let mut d = self.handling_days.clone();
        d.sort_unstable();
        let n = d.len();
        match n {
            0 => None,
            _ if n % 2 == 1 => Some(f64::from(d[n / 2])),
            _ => Some((f64::from(d[n / 2 - 1]) + f64::from(d[n / 2])) / 2.0),
        }
    }

    /// 好评率.
    pub fn good_rate(&self) -> Option<f64> {
        share(self.good, self.ratings)
    }

    /// 回访完成率.
    pub fn callback_rate(&self) -> Option<f64> {
        share(self.revisited, self.concluded)
    }

    /// 整改率.
    pub fn rectification_rate(&self) -> Option<f64> {
        share(self.cases_on_time, self.cases_due)
    }
}

/// One kiosk's use in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskUsage {
    /// Kiosk id.
    pub id: String,
    /// Where it stands.
    pub location: String,
    /// Its site, the names from the county down (filled in by [`group_by_site`]; empty
    /// until then).
    pub site: String,
    /// Applications sent (of the chosen department, if one is).
    pub applications: u64,
    /// 一键求助 calls.
    pub help_calls: u64,
    /// Device faults in its last heartbeat.
    pub faults: usize,
}

/// A kiosk as the fleet view knows it: (id, location, faults in the last heartbeat).
pub type KioskHealthLine = (String, String, usize);

/// A computed report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The period.
    pub period: Period,
    /// The department chosen, if any (code).
    pub department: Option<String>,
    /// All of it (or of the chosen department).
    pub total: Figures,
    /// Per department: (code, name, figures).
    pub departments: Vec<(String, String, Figures)>,
    /// Intake per local day, from [`Period::chart_from`] to the end.
    pub daily: Vec<(NaiveDate, u64)>,
    /// Per kiosk.
    pub kiosks: Vec<KioskUsage>,
    /// Overdue counted up to this day (yesterday, or the period's end if earlier).
    pub overdue_through: NaiveDate,
}

/// Names each kiosk's site (`kiosk_sites`: kiosk id → site code; kiosks without one stand
/// at the county level) and orders the kiosks by site, then id, so each site's kiosks are
/// listed together.
pub fn group_by_site(
    usage: &mut [KioskUsage],
    sites: &[crate::sites::Site],
    kiosk_sites: &[(String, String)],
) {
    for k in usage.iter_mut() {
        let site = kiosk_sites
            .iter()
            .find(|(id, _)| id == &k.id)
            .map(|(_, code)| code.as_str());
        k.site = crate::sites::display_path(sites, site);
    }
    usage.sort_by(|a, b| (&a.site, &a.id).cmp(&(&b.site, &b.id)));
}

/// One site's kiosks added up for the period (the report's 按站点汇总).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteUsage {
    /// The site, the names from the county down (as [`KioskUsage::site`]).
    pub site: String,
    /// Its kiosks.
    pub kiosks: u64,
    /// Applications sent from them.
    pub applications: u64,
    /// 一键求助 calls from them.
    pub help_calls: u64,
    /// Device faults in their last heartbeats.
    pub faults: usize,
}

/// The kiosks' figures per site, in the kiosks' order (by site after [`group_by_site`]).
pub fn by_site(usage: &[KioskUsage]) -> Vec<SiteUsage> {
    let mut sites: Vec<SiteUsage> = Vec::new();
    for k in usage {
        let at = match sites.iter().position(|s| s.site == k.site) {
            Some(at) => at,
            None => {
                sites.push(SiteUsage {
                    site: k.site.clone(),
                    kiosks: 0,
                    applications: 0,
                    help_calls: 0,
                    faults: 0,
                });
                sites.len() - 1
            }
        };
        let s = &mut sites[at];
        s.kiosks += 1;
        s.applications += k.applications;
        s.help_calls += k.help_calls;
        s.faults += k.faults;
    }
    sites
}

/// Computes a report.
#[allow(clippy::too_many_arguments)]
pub fn compute<'f>(
    facts: &'f ReportFacts,
    catalog: &Catalog,
    calendar: &Calendar,
    rectification: RectificationDays,
    period: Period,
    department: Option<&str>,
    kiosks: &[KioskHealthLine],
    today: NaiveDate,
) -> Report {
    // Department buckets in catalog order; each subject's buckets are found once (rows
    // borrow their codes from `facts`, so the look-up allocates nothing).
    let codes: Vec<&str> = catalog
        .departments
        .iter()
        .filter(|d| department.is_none_or(|x| x == d.code))
        .map(|d| d.code.as_str())
        .collect();
    let mut buckets: Vec<Figures> = vec![Figures::default(); codes.len()];
    let mut total = Figures::default();
    let mut memo: HashMap<(&'f str, &'f str), Option<Vec<usize>>> = HashMap::new();
    // Applies `f` to the total and to each department bucket of the subject, unless the
    // chosen department is not among them.
    let mut apply = |t: &'f str, c: &'f str, f: &mut dyn FnMut(&mut Figures)| -> bool {
        let slots = memo.entry((t, c)).or_insert_with(|| {
            let ds = departments_of(catalog, t, c);
            if department.is_some_and(|x| !ds.iter().any(|d| d == x)) {
                return None;
            }
            Some(
                ds.iter()
                    .filter_map(|d| codes.iter().position(|k| k == d))
                    .collect(),
            )
        });
        let Some(slots) = slots else {
            return false;
        };
        f(&mut total);
        for &i in slots.iter() {
            f(&mut buckets[i]);
        }
        true
    };

    let mut daily: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    let mut day = period.chart_from();
    while day <= period.end {
        daily.insert(day, 0);
        day = day.succ_opt().unwrap_or(period.end + Duration::days(1));
    }
    let mut per_kiosk: BTreeMap<String, u64> = BTreeMap::new();
    for r in &facts.intake {
        let in_period = r.day >= period.start && r.day <= period.end;
        let slot = Channel::ALL
            .iter()
            .position(|c| *c == r.channel)
            .unwrap_or(0);
        let counted = apply(&r.subject_type, &r.subject_code, &mut |f| {
            if in_period {
                f.intake[slot] += r.count;
            }
        });
        if counted {
            if let Some(n) = daily.get_mut(&r.day) {
                *n += r.count;
            }
            // Windows are not kiosks: their intake is in the channel table only.
            if in_period && r.channel == Channel::Kiosk {
                *per_kiosk.entry(r.kiosk_id.clone()).or_default() += r.count;
            }
        }
    }
    let accepted_days = facts
        .concluded
        .iter()
        .filter_map(|r| r.accepted_at.map(local_day));
    let done_days = facts.concluded.iter().map(|r| local_day(r.concluded_at));
    let table = WorkingDayTable::new(
        calendar,
        accepted_days.min().unwrap_or(period.start),
        done_days.max().unwrap_or(period.end),
    );
    for r in &facts.concluded {
        let done = local_day(r.concluded_at);
        let days = r.accepted_at.map(|a| table.between(local_day(a), done));
        apply(&r.subject_type, &r.subject_code, &mut |f| {
            f.concluded += 1;
            f.revisited += u64::from(r.revisited);
            if let Some(due) = r.due_on {
                f.concluded_with_due += 1;
                f.on_time += u64::from(done <= due);
            }
            if let Some(d) = days {
                f.handling_days.push(d);
            }
        });
    }
    let overdue_through = period.end.min(today.pred_opt().unwrap_or(today));
    for r in &facts.due {
        if r.due_on < period.start || r.due_on > overdue_through {
            continue;
        }
        let late = r.concluded_at.is_none_or(|at| local_day(at) > r.due_on);
        if late {
            apply(&r.subject_type, &r.subject_code, &mut |f| f.overdue += 1);
        }
    }
    let mut case_due: HashMap<NaiveDate, NaiveDate> = HashMap::new();
    for c in &facts.cases {
        let rated = local_day(c.rated_at);
        let due = *case_due
            .entry(rated)
            .or_insert_with(|| rectification.due(calendar, rated, CaseStage::Closed));
        if due < period.start || due > overdue_through {
            continue;
        }
        let on_time = c.closed_at.is_some_and(|at| local_day(at) <= due);
        apply(&c.subject_type, &c.subject_code, &mut |f| {
            f.cases_due += 1;
            f.cases_on_time += u64::from(on_time);
        });
    }
    for r in &facts.ratings {
        apply(&r.subject_type, &r.subject_code, &mut |f| {
            f.ratings += r.count;
            if r.level >= 4 {
                f.good += r.count;
            }
            if r.level <= 2 {
                f.bad += r.count;
            }
        });
    }

    let mut help: BTreeMap<&str, u64> = BTreeMap::new();
    for t in facts.tickets.iter().filter(|t| t.kind == "help") {
        *help.entry(t.kiosk_id.as_str()).or_default() += t.count;
    }
    let mut usage: Vec<KioskUsage> = kiosks
        .iter()
        .map(|(id, location, faults)| KioskUsage {
            id: id.clone(),
            location: location.clone(),
            site: String::new(),
            applications: per_kiosk.get(id).copied().unwrap_or(0),
            help_calls: help.get(id.as_str()).copied().unwrap_or(0),
            faults: *faults,
        })
        .collect();
    let known: Vec<String> = usage.iter().map(|k| k.id.clone()).collect();
    let mut others: Vec<&str> = per_kiosk.keys().map(String::as_str).collect();
    others.extend(help.keys().copied());
    others.sort_unstable();
    others.dedup();
    for id in others
        .into_iter()
        .filter(|id| !known.iter().any(|k| k == id))
    {
        usage.push(KioskUsage {
            id: id.to_owned(),
            location: String::new(),
            site: String::new(),
            applications: per_kiosk.get(id).copied().unwrap_or(0),
            help_calls: help.get(id).copied().unwrap_or(0),
            faults: 0,
        });
    }

    // Handling times in order, so a report does not depend on the order rows came in.
    total.handling_days.sort_unstable();
    for b in &mut buckets {
        b.handling_days.sort_unstable();
    }
    let departments = catalog
        .departments
        .iter()
        .filter(|d| department.is_none_or(|x| x == d.code))
        .zip(buckets)
        .map(|(d, f)| (d.code.clone(), d.name.clone(), f))
        .collect();
    Report {
        period,
        department: department.map(str::to_owned),
        total,
        departments,
        daily: daily.into_iter().collect(),
        kiosks: usage,
        overdue_through,
    }
}

/// The time ranges the store reads for a period's report.
pub fn range_for(
    p: Period,
    today: NaiveDate,
    calendar: &Calendar,
    rectification: RectificationDays,
) -> ReportRange {
    ReportRange {
        from: local_midnight(p.start),
        to: local_midnight(p.end + Duration::days(1)),
        intake_from: local_midnight(p.chart_from()),
        due_from: p.start,
        due_to: p.end.min(today.pred_opt().unwrap_or(today)),
        cases_from: local_midnight(cases_from(p.start, calendar, rectification)),
    }
}

/// The first day a 差评 may have been given for its case to fall due on or after `start`:
/// walking back while the case of the day before would still be due in time (at most
/// [`cases_lookback`]).
fn cases_from(start: NaiveDate, calendar: &Calendar, days: RectificationDays) -> NaiveDate {
    let floor = start - cases_lookback(days);
    let mut from = start;
    while let Some(before) = from.pred_opt().filter(|b| *b >= floor) {
        if days.due(calendar, before, CaseStage::Closed) < start {
            break;
        }
        from = before;
    }
    from
}

/// How far before a period 差评 are read so that every case due in it is found: `n` working
/// days never span more than `2n + 30` calendar days (weekends and the longest holidays).
pub fn cases_lookback(days: RectificationDays) -> Duration {
    Duration::days(2 * i64::from(days.callback) + 30)
}

/// What the query string asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The period.
    pub period: Period,
    /// A department code, or all.
    pub department: Option<String>,
}

impl Choice {
    /// The query string that draws this report again.
    pub fn query(&self) -> String {
        format!(
            "period={}&date={}&department={}",
            self.period.kind.as_str(),
            self.period.start.format("%Y-%m-%d"),
            self.department.as_deref().unwrap_or("")
        )
    }
}

/// Reads `period`, `date` and `department`; a Chinese message for the page if one is wrong.
pub fn parse_choice(
    query: &[(String, String)],
    catalog: &Catalog,
    today: NaiveDate,
) -> Result<Choice, String> {
    let get = |k: &str| {
        query
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let kind = match get("period") {
        None => PeriodKind::Month,
        Some(p) => PeriodKind::parse(p).ok_or("统计周期只能是日报、周报或月报。")?,
    };
    let day = match get("date") {
        None => today,
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .ok()
            .filter(|d| (2000..=2100).contains(&d.year()))
            .ok_or("日期格式应为 年-月-日（如 2026-12-04），年份在 2000 至 2100 之间。")?,
    };
    let department = match get("department") {
        None => None,
        Some(code) => Some(
            catalog
                .department(code)
                .map(|d| d.code.clone())
                .ok_or("没有这个部门，请从列表中选择。")?,
        ),
    };
    Ok(Choice {
        period: Period::containing(kind, day),
        department,
    })
}

/// Supervisors and operators only.
fn allowed(signed: &Signed) -> bool {
    matches!(signed.account().role, Role::Supervisor | Role::Operator)
}

/// The report for the request, or the page that says why not.
async fn build(
    state: &AppState,
    signed: &Signed,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Result<(Choice, Report), Response>, ApiError> {
    if !allowed(signed) {
        tracing::info!(staff = %signed.account().name, "report refused: not a supervisor");
        let f = frame(state, signed, "无权访问", None);
        return Ok(Err(html(
            StatusCode::FORBIDDEN,
            views::message(
                Some(&f),
                "无权访问",
                "绩效考评报表仅对督查和运维管理人员开放。",
                Some("/staff/"),
            ),
        )));
    }
    let catalog = state.catalog();
    let today = today_local();
    let choice = query
        .map_err(|_| "查询参数无法识别。".to_owned())
        .and_then(|Query(q)| parse_choice(&q, &catalog.catalog, today));
    let choice = match choice {
        Ok(c) => c,
        Err(text) => {
            let f = frame(state, signed, "绩效考评", None);
            return Ok(Err(html(
                StatusCode::BAD_REQUEST,
                views::message(Some(&f), "绩效考评", &text, Some("/staff/reports")),
            )));
        }
    };
    let p = choice.period;
    let rectification = state.staff.settings.rectification;
    let range = range_for(p, today, &state.staff.calendar, rectification);
    let facts = state.store.report_facts(range).await?;
    let fleet = crate::handlers::fleet::fleet_view(state).await?;
    let kiosks: Vec<KioskHealthLine> = fleet
        .kiosks
        .into_iter()
        .map(|k| (k.kiosk_id, k.location, k.faults.len()))
        .collect();
    let mut report = compute(
        &facts,
        &catalog.catalog,
        &state.staff.calendar,
        rectification,
        p,
        choice.department.as_deref(),
        &kiosks,
        today,
    );
    group_by_site(
        &mut report.kiosks,
        &state.store.sites().await?,
        &state.store.kiosk_sites().await?,
    );
    Ok(Ok((choice, report)))
}

/// `GET /staff/reports?period=day|week|month&date=YYYY-MM-DD&department=CODE`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let (choice, report) = match build(&state, &signed, query).await? {
        Ok(r) => r,
        Err(page) => return Ok(page),
    };
    let f = frame(&state, &signed, "绩效考评", None);
    let catalog = state.catalog();
    let body = reports_view::report(&report, &choice, &catalog.catalog.departments);
    Ok(html(StatusCode::OK, views::page(&f, body)))
}

/// `GET /staff/reports/{table}.csv?…`: one table of the report as CSV.
pub async fn csv(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    Path(file): Path<String>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let (choice, report) = match build(&state, &signed, query).await? {
        Ok(r) => r,
        Err(page) => return Ok(page),
    };
    let wanted = file.strip_suffix(".csv").unwrap_or("");
    let Some(table) = reports_view::tables(&report)
        .into_iter()
        .find(|t| t.id == wanted)
    else {
        let f = frame(&state, &signed, "未找到", None);
        return Ok(html(
            StatusCode::NOT_FOUND,
            views::message(Some(&f), "未找到", "没有这张报表。", Some("/staff/reports")),
        ));
    };
    let name = format!(
        "report-{}-{}-{}{}.csv",
        table.id,
        choice.period.kind.as_str(),
        choice.period.start.format("%Y%m%d"),
        choice
            .department
            .as_deref()
            .map(|d| format!("-{d}"))
            .unwrap_or_default()
    );
    let body = csv::document(&table.headers, &table.rows);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::reports::{CaseFact, Concluded, Due, IntakeCount, RatingCount, TicketCount};
    use chrono::{DateTime, Utc};

    #[test]
    fn kiosks_are_named_and_ordered_by_site() {
        use crate::sites::{Level, Site};
        let usage = |id: &str| KioskUsage {
            id: id.into(),
            location: String::new(),
            site: String::new(),
            applications: 0,
            help_calls: 0,
            faults: 0,
        };
        let sites = vec![
            Site {
                code: "c".into(),
                name: "某县".into(),
                level: Level::County,
                parent: None,
            },
            Site {
                code: "t".into(),
                name: "城关镇".into(),
                level: Level::Township,
                parent: Some("c".into()),
            },
        ];
        let mut kiosks = vec![usage("b"), usage("a"), usage("z")];
        group_by_site(
            &mut kiosks,
            &sites,
            &[("z".into(), "t".into()), ("b".into(), "t".into())],
        );
        let got: Vec<(&str, &str)> = kiosks
            .iter()
            .map(|k| (k.site.as_str(), k.id.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("县级（未指定站点）", "a"),
                ("某县 / 城关镇", "b"),
                ("某县 / 城关镇", "z")
            ]
        );
    }

    #[test]
    fn each_sites_kiosks_are_added_up() {
        let usage = |id: &str, site: &str, applications, help_calls, faults| KioskUsage {
            id: id.into(),
            location: String::new(),
            site: site.into(),
            applications,
            help_calls,
            faults,
        };
        let kiosks = [
            usage("a", "县级（未指定站点）", 7, 1, 0),
            usage("b", "某县 / 城关镇", 3, 0, 2),
            usage("z", "某县 / 城关镇", 4, 2, 1),
        ];
        let got: Vec<(String, u64, u64, u64, usize)> = by_site(&kiosks)
            .into_iter()
            .map(|s| (s.site, s.kiosks, s.applications, s.help_calls, s.faults))
            .collect();
        assert_eq!(
            got,
            [
                ("县级（未指定站点）".to_owned(), 1, 7, 1, 0),
                ("某县 / 城关镇".to_owned(), 2, 7, 2, 3),
            ]
        );
        assert!(by_site(&[]).is_empty());
    }

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    /// 08:00 local of a day.
    fn at(day: &str) -> DateTime<Utc> {
        local_midnight(d(day)) + Duration::hours(8)
    }

    #[test]
    fn periods_are_whole_local_days_weeks_from_monday_and_calendar_months() {
        let p = Period::containing(PeriodKind::Week, d("2026-12-04"));
        assert_eq!((p.start, p.end), (d("2026-11-30"), d("2026-12-06")));
        let p = Period::containing(PeriodKind::Month, d("2026-12-31"));
        assert_eq!((p.start, p.end), (d("2026-12-01"), d("2026-12-31")));
        let p = Period::containing(PeriodKind::Month, d("2028-02-10"));
        assert_eq!(p.end, d("2028-02-29"), "a leap year");
        let p = Period::containing(PeriodKind::Day, d("2026-12-04"));
        assert_eq!((p.start, p.end), (d("2026-12-04"), d("2026-12-04")));
        assert_eq!(
            p.chart_from(),
            d("2026-11-21"),
            "a day's chart shows two weeks"
        );
        assert_eq!(
            local_midnight(d("2026-12-04")).to_rfc3339(),
            "2026-12-03T16:00:00+00:00"
        );
        assert_eq!(
            local_day(at("2026-12-04") + Duration::hours(15)),
            d("2026-12-04")
        );
        assert_eq!(
            local_day(at("2026-12-04") + Duration::hours(16)),
            d("2026-12-05")
        );
    }

    #[test]
    fn the_picker_refuses_bad_input_with_a_message() {
        let catalog = crate::seed::catalog();
        let dept = catalog.departments[0].code.clone();
        let q = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect()
        };
        let today = d("2026-12-04");
        let c = parse_choice(&q(&[]), &catalog, today).unwrap();
        assert_eq!(c.period, Period::containing(PeriodKind::Month, today));
        let c = parse_choice(
            &q(&[
                ("period", "week"),
                ("date", "2026-01-01"),
                ("department", &dept),
            ]),
            &catalog,
            today,
        )
        .unwrap();
        assert_eq!(c.period.start, d("2025-12-29"));
        assert_eq!(c.department.as_deref(), Some(dept.as_str()));
        assert!(c.query().contains("period=week&date=2025-12-29"));
        for bad in [
            q(&[("period", "year")]),
            q(&[("date", "2026-13-01")]),
            q(&[("date", "1899-01-01")]),
            q(&[("date", "<script>")]),
            q(&[("department", "nope")]),
        ] {
            let e = parse_choice(&bad, &catalog, today).unwrap_err();
            assert!(!e.is_empty() && !e.is_ascii(), "{e}");
        }
    }

    #[test]
    fn figures_follow_their_definitions() {
        let catalog = crate::seed::catalog();
        let a = catalog.items[0].clone();
        let b = catalog
            .items
            .iter()
            .find(|i| i.department != a.department)
            .unwrap()
            .clone();
        // Only weekends off, so working days are easy to count by hand.
        let calendar = Calendar::from_years(
            (2026..=2027)
                .map(|y| (y, crate::staff::calendar::Year::default()))
                .collect(),
        );
        let period = Period::containing(PeriodKind::Month, d("2026-12-10"));
        let intake = |code: &str, channel, day: &str, count| IntakeCount {
            subject_type: "item".into(),
            subject_code: code.into(),
            channel,
            kiosk_id: "zizhu-01".into(),
            day: d(day),
            count,
        };
        let concluded = |code: &str, acc: &str, due: &str, done: &str, revisited| Concluded {
            subject_type: "item".into(),
            subject_code: code.into(),
            accepted_at: Some(at(acc)),
            due_on: Some(d(due)),
            concluded_at: at(done),
            revisited,
        };
        let facts = ReportFacts {
            intake: vec![
                intake(&a.code, Channel::Kiosk, "2026-12-01", 6),
                intake(&a.code, Channel::Counter, "2026-12-02", 2),
                intake(&b.code, Channel::DepartmentWindow, "2026-12-03", 2),
                // Before the period: only on the chart.
                intake(&a.code, Channel::Kiosk, "2026-11-30", 5),
            ],
            concluded: vec![
                // Tue → Fri: 3 working days, on time.
                concluded(&a.code, "2026-12-01", "2026-12-04", "2026-12-04", true),
                // Fri → Mon: 1 working day, a day late.
                concluded(&a.code, "2026-12-04", "2026-12-04", "2026-12-07", false),
                // Same day: 0.
                concluded(&b.code, "2026-12-08", "2026-12-08", "2026-12-08", true),
            ],
            due: vec![
                Due {
                    subject_type: "item".into(),
                    subject_code: a.code.clone(),
                    due_on: d("2026-12-04"),
                    concluded_at: Some(at("2026-12-07")),
                },
                Due {
                    subject_type: "item".into(),
                    subject_code: b.code.clone(),
                    due_on: d("2026-12-08"),
                    concluded_at: None,
                },
                Due {
                    subject_type: "item".into(),
                    subject_code: b.code.clone(),
                    due_on: d("2026-12-08"),
                    concluded_at: Some(at("2026-12-08")),
                },
                // Due after "yesterday": not yet overdue.
                Due {
                    subject_type: "item".into(),
                    subject_code: b.code.clone(),
                    due_on: d("2026-12-20"),
                    concluded_at: None,
                },
            ],
            ratings: [(5, 3), (4, 1), (3, 2), (2, 1), (1, 1)]
                .into_iter()
                .map(|(level, count)| RatingCount {
                    subject_type: "item".into(),
                    subject_code: a.code.clone(),
                    level,
                    count,
                })
                .collect(),
            tickets: vec![
                TicketCount {
                    kiosk_id: "zizhu-01".into(),
                    kind: "help".into(),
                    count: 4,
                },
                TicketCount {
                    kiosk_id: "zizhu-02".into(),
                    kind: "complaint".into(),
                    count: 9,
                },
            ],
            // 15 working days after Mon 16 Nov is Mon 7 Dec.
            cases: [
                (&a.code, "2026-11-16", Some("2026-12-04")), // on time
                (&a.code, "2026-11-16", Some("2026-12-08")), // a day late
                (&b.code, "2026-11-16", None),               // still open
                (&b.code, "2026-12-01", None),               // due 22 Dec: not yet
                (&a.code, "2026-11-02", None),               // due 23 Nov: before
            ]
            .into_iter()
            .map(|(code, rated, closed)| CaseFact {
                subject_type: "item".into(),
                subject_code: code.clone(),
                rated_at: at(rated),
                closed_at: closed.map(at),
            })
            .collect(),
        };
        let kiosks = vec![("zizhu-01".to_owned(), "一号机".to_owned(), 2)];
        let r = compute(
            &facts,
            &catalog,
            &calendar,
            RectificationDays::default(),
            period,
            None,
            &kiosks,
            d("2026-12-15"),
        );
        let t = &r.total;
        assert_eq!(t.intake, [6, 2, 2, 0]);
        assert_eq!(t.unified_rate(), Some(0.8));
        assert_eq!(t.on_time_rate(), Some(2.0 / 3.0));
        assert_eq!(
            t.overdue, 2,
            "one late, one never done; the 20th is not due yet"
        );
        assert_eq!(t.median_days(), Some(1.0));
        assert_eq!(t.good_rate(), Some(0.5));
        assert_eq!(t.bad, 2);
        assert_eq!(t.callback_rate(), Some(2.0 / 3.0));
        assert_eq!((t.cases_due, t.cases_on_time), (3, 1));
        assert_eq!(t.rectification_rate(), Some(1.0 / 3.0));
        assert_eq!(r.overdue_through, d("2026-12-14"));
        assert_eq!(r.daily.len(), 31, "a month's chart is the month");
        assert_eq!(r.daily[0], (d("2026-12-01"), 6), "30 Nov is outside");
        assert_eq!(r.daily[2], (d("2026-12-03"), 2));
        let per_a = &r
            .departments
            .iter()
            .find(|x| x.0 == a.department)
            .unwrap()
            .2;
        assert_eq!(per_a.intake, [6, 2, 0, 0]);
        assert_eq!(per_a.unified_rate(), Some(1.0));
        assert_eq!(per_a.median_days(), Some(2.0), "3 and 1 working days");
        assert_eq!(
            r.kiosks[0].applications, 6,
            "window intake is not the kiosk's"
        );
        assert_eq!(r.kiosks[0].help_calls, 4);
        assert_eq!(r.kiosks[0].faults, 2);
        assert_eq!(r.kiosks.len(), 1, "a complaint alone does not list a kiosk");

        // One department chosen: only its applications count, everywhere.
        let only_b = compute(
            &facts,
            &catalog,
            &calendar,
            RectificationDays::default(),
            period,
            Some(&b.department),
            &kiosks,
            d("2026-12-15"),
        );
        assert_eq!(only_b.total.intake, [0, 0, 2, 0]);
        assert_eq!(only_b.total.unified_rate(), Some(0.0));
        assert_eq!(only_b.total.overdue, 1);
        assert_eq!(only_b.total.rectification_rate(), Some(0.0));
        assert_eq!(only_b.total.ratings, 0);
        assert_eq!(
            only_b.total.good_rate(),
            None,
            "no ratings: no rate, not 0 %"
        );
        assert_eq!(only_b.departments.len(), 1);
        assert_eq!(only_b.kiosks[0].applications, 0, "b's were at its window");
    }

    #[test]
    fn cases_are_read_from_far_enough_back_and_no_further() {
        let cal = Calendar::shipped().unwrap();
        for days in [
            RectificationDays::default(),
            "1,1,1".parse().unwrap(),
            "5,20,60".parse().unwrap(),
        ] {
            let mut start = d("2025-01-01");
            while start < d("2027-12-31") {
                let from = cases_from(start, &cal, days);
                let due = |rated| days.due(&cal, rated, CaseStage::Closed);
                // Every day from which a case would be due in the period is read…
                let mut day = start - cases_lookback(days);
                while day < start {
                    if due(day) >= start {
                        assert!(day >= from, "{start}: {day} missed ({from})");
                    }
                    day = day.succ_opt().unwrap();
                }
                // …and the day before the first read is due before the period.
                assert!(due(from.pred_opt().unwrap()) < start, "{start}: {from}");
                start += Duration::days(3);
            }
        }
    }

    #[test]
    fn the_running_totals_count_working_days_like_the_walk() {
        let cal = Calendar::shipped().unwrap();
        let start = d("2025-01-01");
        let table = WorkingDayTable::new(&cal, start, d("2027-12-31"));
        let mut seed = 0x1234_5678_9ABC_DEF1u64;
        let mut next = |n: i64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as i64
        };
        for _ in 0..2000 {
            let from = start + Duration::days(next(1095));
            let to = from + Duration::days(next(60) - 5);
            assert_eq!(
                table.between(from, to),
                working_days_between(&cal, from, to),
                "{from} → {to}"
            );
        }
        // Outside the table (or too long a span): the walk.
        let far = d("2029-06-01");
        assert_eq!(
            table.between(d("2027-12-20"), far),
            working_days_between(&cal, d("2027-12-20"), far)
        );
        assert_eq!(table.between(d("2026-05-06"), d("2026-05-06")), 0);
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let cal = Calendar::shipped().unwrap();
        assert_eq!(
            working_days_between(&cal, d("2025-01-17"), d("2025-01-17")),
            0
        );
        assert_eq!(
            working_days_between(&cal, d("2025-01-17"), d("2025-01-20")),
            1
        );
        // 26 Jan (Sun) was worked.
        assert_eq!(
            working_days_between(&cal, d("2025-01-24"), d("2025-01-27")),
            2
        );
        // 2025 Spring Festival: 28 Jan to 4 Feb off; 8 Feb (Sat) worked.
        assert_eq!(
            working_days_between(&cal, d("2025-01-27"), d("2025-02-05")),
            1
        );
        assert_eq!(
            working_days_between(&cal, d("2025-02-07"), d("2025-02-08")),
            1
        );
        assert_eq!(
            working_days_between(&cal, d("2025-02-08"), d("2025-01-01")),
            0
        );
    }
}
