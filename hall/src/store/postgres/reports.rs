//! The report's period queries on PostgreSQL (see [`crate::store::reports`]), in one
//! read-only snapshot so the parts agree. Intake is grouped by the database, per local day
//! of the hall (UTC+8, a fixed offset: China keeps no daylight saving time).

use async_trait::async_trait;
use deadpool_postgres::GenericClient;

use super::PgStore;
use crate::error::HallError;
use crate::store::reports::{
    CaseFact, Channel, Concluded, Due, IntakeCount, RatingCount, ReportFacts, ReportRange,
    ReportStore, TicketCount,
};

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

async fn facts<C: GenericClient>(c: &C, r: &ReportRange) -> Result<ReportFacts, HallError> {
    let intake = c
        .query(
            "SELECT subject_type, subject_code, channel, kiosk_id,
                    ((received_at AT TIME ZONE 'UTC') + interval '8 hours')::date AS day,
                    COUNT(*)
             FROM applications WHERE received_at >= $1 AND received_at < $2
             GROUP BY 1, 2, 3, 4, 5",
            &[&r.intake_from, &r.to],
        )
        .await?
        .iter()
        .map(|row| {
            let channel: String = row.get(2);
            Ok(IntakeCount {
                subject_type: row.get(0),
                subject_code: row.get(1),
                channel: Channel::parse(&channel)
                    .ok_or_else(|| HallError::Corrupt(format!("channel {channel:?}")))?,
                kiosk_id: row.get(3),
                day: row.get(4),
                count: count(row.get(5)),
            })
        })
        .collect::<Result<Vec<_>, HallError>>()?;
    let concluded = c
        .query(
            "SELECT subject_type, subject_code, accepted_at, due_on, concluded_at,
                    revisited_at IS NOT NULL
             FROM application_facts WHERE concluded_at >= $1 AND concluded_at < $2",
            &[&r.from, &r.to],
        )
        .await?
        .iter()
        .map(|row| Concluded {
            subject_type: row.get(0),
            subject_code: row.get(1),
            accepted_at: row.get(2),
            due_on: row.get(3),
            concluded_at: row.get(4),
            revisited: row.get(5),
        })
        .collect();
    let due = c
        .query(
            "SELECT subject_type, subject_code, due_on, concluded_at
             FROM application_facts WHERE due_on >= $1 AND due_on <= $2",
            &[&r.due_from, &r.due_to],
        )
        .await?
        .iter()
        .map(|row| Due {
            subject_type: row.get(0),
            subject_code: row.get(1),
            due_on: row.get(2),
            concluded_at: row.get(3),
        })
        .collect();
    let ratings = c
        .query(
            "SELECT a.subject_type, a.subject_code, r.level, COUNT(*)
             FROM ratings r JOIN applications a ON a.id = r.application_id
             WHERE r.rated_at >= $1 AND r.rated_at < $2
             GROUP BY 1, 2, 3",
            &[&r.from, &r.to],
        )
        .await?
        .iter()
        .map(|row| {
            let level: i64 = row.get(2);
            Ok(RatingCount {
                subject_type: row.get(0),
                subject_code: row.get(1),
                level: u8::try_from(level)
                    .ok()
                    .filter(|l| (1..=5).contains(l))
                    .ok_or_else(|| HallError::Corrupt(format!("rating level {level}")))?,
                count: count(row.get(3)),
            })
        })
        .collect::<Result<Vec<_>, HallError>>()?;
    let tickets = c
        .query(
            "SELECT kiosk_id, kind, COUNT(*) FROM tickets
             WHERE received_at >= $1 AND received_at < $2 GROUP BY 1, 2",
            &[&r.from, &r.to],
        )
        .await?
        .iter()
        .map(|row| TicketCount {
            kiosk_id: row.get(0),
            kind: row.get(1),
            count: count(row.get(2)),
        })
        .collect();
    // A closed case's last step (its version is the step count) is the one that closed it.
    let cases = c
        .query(
            "SELECT a.subject_type, a.subject_code, r.rated_at,
                    CASE WHEN c.stage = 'closed' THEN
                        (SELECT s.at FROM followup_steps s
                         WHERE s.subject_id = c.rating_id AND s.seq = c.version) END
             FROM ratings r JOIN rating_cases c ON c.rating_id = r.id
                  JOIN applications a ON a.id = r.application_id
             WHERE r.rated_at >= $1 AND r.rated_at < $2",
            &[&r.cases_from, &r.to],
        )
        .await?
        .iter()
        .map(|row| CaseFact {
            subject_type: row.get(0),
            subject_code: row.get(1),
            rated_at: row.get(2),
            closed_at: row.get(3),
        })
        .collect();
    Ok(ReportFacts {
        intake,
        concluded,
        due,
        ratings,
        tickets,
        cases,
    })
}

#[async_trait]
impl ReportStore for PgStore {
    async fn report_facts(&self, range: ReportRange) -> Result<ReportFacts, HallError> {
        let mut client = self.client().await?;
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let out = facts(&tx, &range).await?;
        tx.commit().await?;
        Ok(out)
    }
}
