//! What the supervisor's report (绩效考评) reads: raw facts of one period, grouped as far as
//! SQL can without knowing the catalog (departments are mapped from item codes by the
//! caller). Aggregates only: no applicant data leaves the store through this trait.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::error::HallError;

/// Where an application was taken in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    /// A self-service kiosk (every application through the kiosk API).
    Kiosk,
    /// The 综合窗口 (front desk taking applications for every department).
    Counter,
    /// A department's own window.
    DepartmentWindow,
    /// 跨省通办: taken in by a partner place's hall (代收) and forwarded here.
    Partner,
}

impl Channel {
    /// Every channel, in the order the report lists them.
    pub const ALL: [Channel; 4] = [
        Channel::Kiosk,
        Channel::Counter,
        Channel::DepartmentWindow,
        Channel::Partner,
    ];

    /// The stored spelling (`applications.channel`).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Kiosk => "kiosk",
            Channel::Counter => "counter",
            Channel::DepartmentWindow => "department",
            Channel::Partner => "partner",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(text: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// The Chinese name on the report.
    pub fn label_zh(self) -> &'static str {
        match self {
            Channel::Kiosk => "自助终端",
            Channel::Counter => "综合窗口",
            Channel::DepartmentWindow => "部门窗口",
            Channel::Partner => "跨省代收",
        }
    }

    /// Whether it counts as 无差别综合受理 (not a department's own window).
    pub fn is_unified(self) -> bool {
        !matches!(self, Channel::DepartmentWindow)
    }
}

/// The time ranges a report reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportRange {
    /// Applications received, ratings given, tickets opened, 办结 reached in `[from, to)`.
    pub from: DateTime<Utc>,
    /// End (exclusive).
    pub to: DateTime<Utc>,
    /// Intake per day is also read from here (the daily chart may reach further back).
    pub intake_from: DateTime<Utc>,
    /// Applications due on these dates (inclusive) are checked for lateness.
    pub due_from: NaiveDate,
    /// Last due date checked.
    pub due_to: NaiveDate,
    /// 差评 given from here to `to` are read with their rectification cases (far enough back
    /// that every case due in the period is among them).
    pub cases_from: DateTime<Utc>,
}

/// Applications received, per subject, channel, kiosk and local day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeCount {
    /// `item` or `bundle`.
    pub subject_type: String,
    /// Item or bundle code.
    pub subject_code: String,
    /// Channel.
    pub channel: Channel,
    /// Kiosk that sent it.
    pub kiosk_id: String,
    /// Local (UTC+8) day received.
    pub day: NaiveDate,
    /// How many.
    pub count: u64,
}

/// An application that reached 办结 in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concluded {
    /// `item` or `bundle`.
    pub subject_type: String,
    /// Item or bundle code.
    pub subject_code: String,
    /// 受理, if recorded.
    pub accepted_at: Option<DateTime<Utc>>,
    /// Due date, if recorded.
    pub due_on: Option<NaiveDate>,
    /// 办结.
    pub concluded_at: DateTime<Utc>,
    /// Whether it has reached 回访 since.
    pub revisited: bool,
}

/// An application due in the period, and when (if ever) it reached 办结.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// `item` or `bundle`.
    pub subject_type: String,
    /// Item or bundle code.
    pub subject_code: String,
    /// Due date.
    pub due_on: NaiveDate,
    /// 办结, if reached.
    pub concluded_at: Option<DateTime<Utc>>,
}

/// Ratings given in the period, per subject and level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingCount {
    /// `item` or `bundle`.
    pub subject_type: String,
    /// Item or bundle code.
    pub subject_code: String,
    /// 1 (非常不满意) to 5 (非常满意).
    pub level: u8,
    /// How many.
    pub count: u64,
}

/// Tickets opened in the period, per kiosk and kind (`help`, `complaint`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketCount {
    /// Kiosk.
    pub kiosk_id: String,
    /// Kind.
    pub kind: String,
    /// How many.
    pub count: u64,
}

/// A 差评's rectification case: when the rating was given (its deadline counts from there)
/// and when the case was closed, if it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFact {
    /// `item` or `bundle` (of the rated application).
    pub subject_type: String,
    /// Item or bundle code.
    pub subject_code: String,
    /// When the 差评 was given.
    pub rated_at: DateTime<Utc>,
    /// When its last step closed the case.
    pub closed_at: Option<DateTime<Utc>>,
}

/// Everything a report is computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFacts {
    /// Intake (from `intake_from`).
    pub intake: Vec<IntakeCount>,
    /// 办结 in the period.
    pub concluded: Vec<Concluded>,
    /// Due in the period.
    pub due: Vec<Due>,
    /// Ratings in the period.
    pub ratings: Vec<RatingCount>,
    /// Tickets in the period.
    pub tickets: Vec<TicketCount>,
    /// 差评 cases given from `cases_from`.
    pub cases: Vec<CaseFact>,
}

/// Storage for the report; every [`super::Store`] provides it.
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// The facts of one report.
    async fn report_facts(&self, range: ReportRange) -> Result<ReportFacts, HallError>;
}
