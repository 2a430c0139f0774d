//! The report's period queries (see [`crate::store::reports`]). Times are stored as RFC 3339
//! UTC with microseconds, so ranges compare as text and use the indexes of migration 5; the
//! local day of the hall (UTC+8) is SQLite's `date(…, '+8 hours')` of the time cut to whole
//! seconds (`date` rounds the fraction, which would push 23:59:59.9999995 into the next day).
//! `CROSS JOIN` keeps SQLite driving each query from the period's index (timeline by status
//! and time, work by due date, ratings by time) instead of scanning every application.

use async_trait::async_trait;
use chrono::NaiveDate;
use hall_api::application::Status;
use rusqlite::{params, Connection};

use super::reads::{parse_ts, status_str, ts};
use super::SqliteStore;
use crate::error::HallError;
use crate::store::reports::{
    Channel, Concluded, Due, IntakeCount, RatingCount, ReportFacts, ReportRange, ReportStore,
    TicketCount,
};

fn date(text: &str) -> Result<NaiveDate, HallError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| HallError::Corrupt(format!("date {text:?}: {e}")))
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn intake(conn: &Connection, r: &ReportRange) -> Result<Vec<IntakeCount>, HallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT subject_type, subject_code, channel, kiosk_id, date(substr(received_at, 1, 19), '+8 hours'),
                COUNT(*)
         FROM applications WHERE received_at >= ?1 AND received_at < ?2
         GROUP BY 1, 2, 3, 4, 5",
    )?;
    let mut rows = stmt.query(params![ts(r.intake_from), ts(r.to)])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let channel: String = row.get(2)?;
        out.push(IntakeCount {
            subject_type: row.get(0)?,
            subject_code: row.get(1)?,
            channel: Channel::parse(&channel)
                .ok_or_else(|| HallError::Corrupt(format!("channel {channel:?}")))?,
            kiosk_id: row.get(3)?,
            day: date(&row.get::<_, String>(4)?)?,
            count: count(row.get(5)?),
        });
    }
    Ok(out)
}

fn concluded(conn: &Connection, r: &ReportRange) -> Result<Vec<Concluded>, HallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.subject_type, a.subject_code, w.accepted_at, w.due_on, t.at,
                EXISTS (SELECT 1 FROM timeline v WHERE v.application_id = a.id AND v.status = ?3)
         FROM (SELECT application_id, MIN(at) AS at FROM timeline
               WHERE status = ?4 AND at >= ?1 AND at < ?2 GROUP BY application_id) t
              CROSS JOIN applications a ON a.id = t.application_id
              LEFT JOIN application_work w ON w.application_id = a.id",
    )?;
    let mut rows = stmt.query(params![
        ts(r.from),
        ts(r.to),
        status_str(Status::Revisited)?,
        status_str(Status::Concluded)?
    ])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let accepted: Option<String> = row.get(2)?;
        let due: Option<String> = row.get(3)?;
        out.push(Concluded {
            subject_type: row.get(0)?,
            subject_code: row.get(1)?,
            accepted_at: accepted.as_deref().map(parse_ts).transpose()?,
            due_on: due.as_deref().map(date).transpose()?,
            concluded_at: parse_ts(&row.get::<_, String>(4)?)?,
            revisited: row.get(5)?,
        });
    }
    Ok(out)
}

fn due(conn: &Connection, r: &ReportRange) -> Result<Vec<Due>, HallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.subject_type, a.subject_code, w.due_on,
                (SELECT MIN(t.at) FROM timeline t WHERE t.application_id = a.id AND t.status = ?3)
         FROM application_work w CROSS JOIN applications a ON a.id = w.application_id
         WHERE w.due_on >= ?1 AND w.due_on <= ?2",
    )?;
    let mut rows = stmt.query(params![
        r.due_from.format("%Y-%m-%d").to_string(),
        r.due_to.format("%Y-%m-%d").to_string(),
        status_str(Status::Concluded)?
    ])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let done: Option<String> = row.get(3)?;
        out.push(Due {
            subject_type: row.get(0)?,
            subject_code: row.get(1)?,
            due_on: date(&row.get::<_, String>(2)?)?,
            concluded_at: done.as_deref().map(parse_ts).transpose()?,
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
