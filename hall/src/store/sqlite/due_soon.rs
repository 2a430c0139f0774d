//! The "due in 2 working days" sweep's queries (see [`crate::notify::due_soon`]): open
//! applications by due date without a marker, and the marker written with the notice in one
//! transaction.

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use hall_api::application::Status;
use rusqlite::{params, params_from_iter};

use super::notices::enqueue;
use super::reads::{parse_status, status_str, ts};
use super::SqliteStore;
use crate::error::HallError;
use crate::notify::due_soon::{DueSoonCandidate, DueSoonStore};
use crate::notify::queue::NewNotice;

fn date(text: &str) -> Result<NaiveDate, HallError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| HallError::Corrupt(format!("date {text:?}: {e}")))
}

#[async_trait]
impl DueSoonStore for SqliteStore {
    async fn due_soon_untold(
        &self,
        statuses: Vec<Status>,
        from: NaiveDate,
        to: NaiveDate,
        limit: usize,
    ) -> Result<Vec<DueSoonCandidate>, HallError> {
        let statuses = statuses
            .into_iter()
            .map(status_str)
            .collect::<Result<Vec<_>, _>>()?;
        self.read(move |c| {
            let marks: Vec<String> = (0..statuses.len()).map(|i| format!("?{}", i + 3)).collect();
            let sql = format!(
                "SELECT a.id, a.tracking_code, a.subject_type, a.subject_code, a.subject_name,
                        a.status, w.due_on
                 FROM application_work w CROSS JOIN applications a ON a.id = w.application_id
                 WHERE w.due_on >= ?1 AND w.due_on <= ?2 AND a.status IN ({})
                   AND NOT EXISTS (SELECT 1 FROM due_soon_notices m
                                   WHERE m.application_id = w.application_id
                                     AND m.due_on = w.due_on)
                 ORDER BY w.due_on, a.id LIMIT {}",
                marks.join(","),
                limit.min(1000)
            );
            let mut args: Vec<String> = vec![
                from.format("%Y-%m-%d").to_string(),
                to.format("%Y-%m-%d").to_string(),
            ];
            args.extend(statuses);
            let mut stmt = c.prepare_cached(&sql)?;
            let mut rows = stmt.query(params_from_iter(args.iter()))?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(DueSoonCandidate {
                    id: r.get(0)?,
                    tracking_code: r.get(1)?,
                    subject_type: r.get(2)?,
                    subject_code: r.get(3)?,
                    subject_name: r.get(4)?,
                    status: parse_status(&r.get::<_, String>(5)?)?,
                    due_on: date(&r.get::<_, String>(6)?)?,
                });
            }
            Ok(out)
        })
        .await
    }

    async fn tell_due_soon(
        &self,
        application_id: &str,
        due_on: NaiveDate,
        notice: NewNotice,
    ) -> Result<bool, HallError> {
        let id = application_id.to_owned();
        self.write(move |c| {
            let new =
                c.prepare_cached(
                    "INSERT OR IGNORE INTO due_soon_notices (application_id, due_on, event_id,
                         created_at) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![
                    id,
                    due_on.format("%Y-%m-%d").to_string(),
                    notice.id,
                    ts(Utc::now())
                ])? == 1;
            if new {
                enqueue(c, &notice)?;
            }
            Ok(new)
        })
        .await
    }
}
