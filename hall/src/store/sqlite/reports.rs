//! The report's period queries (see [`crate::store::reports`]). Times are stored as RFC 3339
//! UTC with microseconds, so ranges compare as text and use the indexes of migrations 5 and
//! 7; the local day of the hall (UTC+8) is the UTC date, or the next one from 16:00 UTC.
//! Every query reads one index range: intake from the covering index by received time
//! (grouped here, not sorted by SQLite), 办结 and due dates from `application_facts` (kept by
//! triggers, migration 9), ratings and cases by their time. `CROSS JOIN` keeps SQLite driving
//! from the period's index instead of scanning every application.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection};

use super::reads::{parse_ts, ts};
use super::SqliteStore;
use crate::error::HallError;
use crate::store::reports::{
    CaseFact, Channel, Concluded, Due, IntakeCount, RatingCount, ReportFacts, ReportRange,
    ReportStore, TicketCount,
};

/// `YYYY-MM-DD` (read per row: without chrono's format-string parsing).
fn date(text: &str) -> Result<NaiveDate, HallError> {
    let b = text.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let parsed = (b.len() == 10 && b[4] == b'-' && b[7] == b'-')
        .then(|| {
            let y = i32::try_from(num(0..4)?).ok()?;
            NaiveDate::from_ymd_opt(y, num(5..7)?, num(8..10)?)
        })
        .flatten();
    parsed.ok_or_else(|| HallError::Corrupt(format!("date {text:?}")))
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The local (UTC+8) day of a stored time: its UTC date, or the next day from 16:00 UTC
/// (what `date(substr(t, 1, 19), '+8 hours')` says, without a date function per row).
fn local_day_of(text: &str) -> Result<NaiveDate, HallError> {
    let day = text.get(..10).and_then(|d| date(d).ok());
    let hour = text.get(11..13).and_then(|h| h.parse::<u32>().ok());
    match (day, hour) {
        (Some(d), Some(h)) if h < 16 => Ok(d),
        (Some(d), Some(h)) if h < 24 => d
            .succ_opt()
            .ok_or_else(|| HallError::Corrupt(format!("time {text:?}"))),
        _ => Err(HallError::Corrupt(format!("time {text:?}"))),
    }
}

/// A stored time: the hall's own `YYYY-MM-DDTHH:MM:SS.ffffffZ` read field by field (per
/// row, so without chrono's general parser), anything else through [`parse_ts`].
fn instant(text: &str) -> Result<DateTime<Utc>, HallError> {
    let b = text.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let fast = (b.len() == 27 && b[10] == b'T' && b[19] == b'.' && b[26] == b'Z')
        .then(|| {
            date(text.get(..10)?).ok()?.and_hms_micro_opt(
                num(11..13)?,
                num(14..16)?,
                num(17..19)?,
                num(20..26)?,
            )
        })
        .flatten()
        .filter(|_| b[13] == b':' && b[16] == b':');
    match fast {
        Some(t) => Ok(t.and_utc()),
        None => parse_ts(text),
    }
}

fn opt_instant(row: &rusqlite::Row<'_>, i: usize) -> Result<Option<DateTime<Utc>>, HallError> {
    match row.get_ref(i)? {
        rusqlite::types::ValueRef::Null => Ok(None),
        _ => text(row, i).and_then(instant).map(Some),
    }
}

/// A text column, borrowed from the row.
fn text<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> Result<&'r str, HallError> {
    row.get_ref(i)?
        .as_str()
        .map_err(|e| HallError::Corrupt(format!("report column {i}: {e}")))
}

/// Interns the few distinct codes of a period, so grouping allocates once per code.
#[derive(Default)]
struct Names {
    index: HashMap<String, usize>,
    names: Vec<String>,
}

impl Names {
    fn id(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), self.names.len() - 1);
        self.names.len() - 1
    }
}

/// Intake grouped per subject, channel, kiosk and local day. The rows come from the covering
/// index by received time and are grouped here: SQLite would sort them to group them.
fn intake(conn: &Connection, r: &ReportRange) -> Result<Vec<IntakeCount>, HallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT received_at, subject_type, subject_code, channel, kiosk_id
         FROM applications WHERE received_at >= ?1 AND received_at < ?2",
    )?;
    let mut rows = stmt.query(params![ts(r.intake_from), ts(r.to)])?;
    let mut names = Names::default();
    let mut groups: HashMap<(usize, usize, Channel, usize, NaiveDate), u64> = HashMap::new();
    let mut days: HashMap<[u8; 13], NaiveDate> = HashMap::new();
    while let Some(row) = rows.next()? {
        let at = text(row, 0)?;
        // Rows of one UTC hour share their local day: parse each hour once.
        let hour: [u8; 13] = at
            .as_bytes()
            .get(..13)
            .and_then(|h| h.try_into().ok())
            .ok_or_else(|| HallError::Corrupt(format!("time {at:?}")))?;
        let day = match days.get(&hour) {
            Some(d) => *d,
            None => {
                let d = local_day_of(at)?;
                days.insert(hour, d);
                d
            }
        };
        let channel = text(row, 3)?;
        let key = (
            names.id(text(row, 1)?),
            names.id(text(row, 2)?),
            Channel::parse(channel)
                .ok_or_else(|| HallError::Corrupt(format!("channel {channel:?}")))?,
            names.id(text(row, 4)?),
            day,
        );
        *groups.entry(key).or_default() += 1;
    }
    Ok(groups
        .into_iter()
        .map(|((t, c, channel, k, day), count)| IntakeCount {
            subject_type: names.names[t].clone(),
            subject_code: names.names[c].clone(),
            channel,
            kiosk_id: names.names[k].clone(),
            day,
            count,
        })
        .collect())
}

/// Reads the facts kept per application (migration 9), one index range.
fn concluded(conn: &Connection, r: &ReportRange) -> Result<Vec<Concluded>, HallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT subject_type, subject_code, accepted_at, due_on, concluded_at,
                revisited_at IS NOT NULL
         FROM application_facts WHERE concluded_at >= ?1 AND concluded_at < ?2",
    )?;
    let mut rows = stmt.query(params![ts(r.from), ts(r.to)])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let due = match row.get_ref(3)? {
            rusqlite::types::ValueRef::Null => None,
            _ => Some(date(text(row, 3)?)?),
        };
        out.push(Concluded {
            subject_type: row.get(0)?,
            subject_code: row.get(1)?,
            accepted_at: opt_instant(row, 2)?,
            due_on: due,
            concluded_at: instant(text(row, 4)?)?,
            revisited: row.get(5)?,
        });
    }
    Ok(out)
}

fn due(conn: &Connection, r: &ReportRange) -> Result<Vec<Due>, HallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT subject_type, subject_code, due_on, concluded_at
         FROM application_facts WHERE due_on >= ?1 AND due_on <= ?2",
    )?;
    let mut rows = stmt.query(params![
        r.due_from.format("%Y-%m-%d").to_string(),
        r.due_to.format("%Y-%m-%d").to_string(),
    ])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(Due {
            subject_type: row.get(0)?,
            subject_code: row.get(1)?,
            due_on: date(text(row, 2)?)?,
            concluded_at: opt_instant(row, 3)?,
        });
    }
    Ok(out)
}

fn ratings(conn: &Connection, r: &ReportRange) -> Result<Vec<RatingCount>, HallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.subject_type, a.subject_code, r.level, COUNT(*)
         FROM ratings r CROSS JOIN applications a ON a.id = r.application_id
         WHERE r.rated_at >= ?1 AND r.rated_at < ?2
         GROUP BY 1, 2, 3",
    )?;
    let mut rows = stmt.query(params![ts(r.from), ts(r.to)])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let level: i64 = row.get(2)?;
        out.push(RatingCount {
            subject_type: row.get(0)?,
            subject_code: row.get(1)?,
            level: u8::try_from(level)
                .ok()
                .filter(|l| (1..=5).contains(l))
                .ok_or_else(|| HallError::Corrupt(format!("rating level {level}")))?,
            count: count(row.get(3)?),
        });
    }
    Ok(out)
}

fn tickets(conn: &Connection, r: &ReportRange) -> Result<Vec<TicketCount>, HallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT kiosk_id, kind, COUNT(*) FROM tickets
         WHERE received_at >= ?1 AND received_at < ?2 GROUP BY 1, 2",
    )?;
    let mut rows = stmt.query(params![ts(r.from), ts(r.to)])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(TicketCount {
            kiosk_id: row.get(0)?,
            kind: row.get(1)?,
            count: count(row.get(2)?),
        });
    }
    Ok(out)
}

fn cases(conn: &Connection, r: &ReportRange) -> Result<Vec<CaseFact>, HallError> {
    // A closed case's last step (its version is the step count) is the one that closed it.
    let mut stmt = conn.prepare_cached(
        "SELECT a.subject_type, a.subject_code, r.rated_at,
                CASE WHEN c.stage = 'closed' THEN
                    (SELECT s.at FROM followup_steps s
                     WHERE s.subject_id = c.rating_id AND s.seq = c.version) END
         FROM ratings r CROSS JOIN rating_cases c ON c.rating_id = r.id
              CROSS JOIN applications a ON a.id = r.application_id
         WHERE r.rated_at >= ?1 AND r.rated_at < ?2",
    )?;
    let mut rows = stmt.query(params![ts(r.cases_from), ts(r.to)])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let closed: Option<String> = row.get(3)?;
        out.push(CaseFact {
            subject_type: row.get(0)?,
            subject_code: row.get(1)?,
            rated_at: parse_ts(&row.get::<_, String>(2)?)?,
            closed_at: closed.as_deref().map(parse_ts).transpose()?,
        });
    }
    Ok(out)
}

fn facts(conn: &Connection, r: &ReportRange) -> Result<ReportFacts, HallError> {
    // One read transaction, so the parts agree with each other.
    conn.execute_batch("BEGIN")?;
    let result = (|| {
        Ok(ReportFacts {
            intake: intake(conn, r)?,
            concluded: concluded(conn, r)?,
            due: due(conn, r)?,
            ratings: ratings(conn, r)?,
            tickets: tickets(conn, r)?,
            cases: cases(conn, r)?,
        })
    })();
    let _ = conn.execute_batch("COMMIT");
    result
}

#[async_trait]
impl ReportStore for SqliteStore {
    async fn report_facts(&self, range: ReportRange) -> Result<ReportFacts, HallError> {
        self.read(move |c| facts(c, &range)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_and_days_read_like_the_general_parsers() {
        for t in [
            "2026-12-04T15:59:59.999999Z",
            "2026-12-04T16:00:00.000000Z",
            "2024-02-29T23:59:59.000001Z",
            "2026-12-04T16:00:00Z",
            "2026-12-04T16:00:00.123+08:00",
        ] {
            assert_eq!(instant(t).unwrap(), parse_ts(t).unwrap(), "{t}");
            // Stored times are UTC (`ts`): their local day is read from the text.
            if t.ends_with('Z') {
                let local = (parse_ts(t).unwrap() + chrono::Duration::hours(8)).date_naive();
                assert_eq!(local_day_of(t).unwrap(), local, "{t}");
            }
        }
        for bad in [
            "2026-13-04T16:00:00.000000Z",
            "2026-12-04T25:00:00.000000Z",
            "x",
        ] {
            assert!(instant(bad).is_err(), "{bad}");
        }
        assert_eq!(date("2028-02-29").unwrap().to_string(), "2028-02-29");
        for bad in ["2027-02-29", "2026-1-01", "20261201", "２026-12-01"] {
            assert!(date(bad).is_err(), "{bad}");
        }
    }
}
