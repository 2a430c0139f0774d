//! Tickets and 差评 cases on PostgreSQL. An action locks its ticket or case row (`FOR
//! UPDATE` returns the newest committed version, so a form from before another hall's
//! action is refused as stale), then updates it and appends the step and the audit line.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use super::PgStore;
use crate::error::HallError;
use crate::store::followup::{
    Acted, CaseAct, CaseStage, FollowUpStep, FollowUpStore, RatingCount, RatingDetail, RatingRow,
    TicketAct, TicketDetail, TicketQuery, TicketRow, TicketStatus,
};

const TICKET_COLUMNS: &str =
    "id, reference, kind, category, item_code, kiosk_id, received_at, status, claimed_by, version";

const RATING_SELECT: &str = "SELECT r.id, r.application_id, a.tracking_code, r.subject_code,
    a.subject_name, r.level, r.reasons, r.kiosk_id, r.rated_at, c.stage, c.version
    FROM ratings r JOIN applications a ON a.id = r.application_id
    LEFT JOIN rating_cases c ON c.rating_id = r.id";

fn corrupt(what: &str, text: &str) -> HallError {
    HallError::Corrupt(format!("{what} {text:?}"))
}

fn small<T: TryFrom<i64>>(n: i64, what: &str) -> Result<T, HallError> {
    T::try_from(n).map_err(|_| corrupt(what, &n.to_string()))
}

fn ticket_row(r: &Row) -> Result<TicketRow, HallError> {
    let status: String = r.get(7);
    Ok(TicketRow {
        id: r.get(0),
        reference: r.get(1),
        kind: r.get(2),
        category: r.get(3),
        item_code: r.get(4),
        kiosk_id: r.get(5),
        received_at: r.get(6),
        status: TicketStatus::parse(&status).ok_or_else(|| corrupt("ticket status", &status))?,
        claimed_by: r.get(8),
        version: small(r.get(9), "ticket version")?,
    })
}

fn rating_row(r: &Row) -> Result<RatingRow, HallError> {
    let stage: Option<String> = r.get(9);
    let version: Option<i64> = r.get(10);
    let case = match (stage, version) {
        (Some(stage), Some(v)) => Some((
            CaseStage::parse(&stage).ok_or_else(|| corrupt("case stage", &stage))?,
            small(v, "case version")?,
        )),
        _ => None,
    };
    Ok(RatingRow {
        id: r.get(0),
        application_id: r.get(1),
        tracking_code: r.get(2),
        subject_code: r.get(3),
        subject_name: r.get(4),
        level: small(r.get(5), "rating level")?,
        reasons_json: r.get(6),
        kiosk_id: r.get(7),
        rated_at: r.get(8),
        case,
    })
}

async fn steps<C: GenericClient>(c: &C, id: &str) -> Result<Vec<FollowUpStep>, HallError> {
    let rows = c
        .query(
            "SELECT seq, at, staff, action, sealed_detail FROM followup_steps
             WHERE subject_id = $1 ORDER BY seq",
            &[&id],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(FollowUpStep {
                seq: small(r.get(0), "step")?,
                at: r.get(1),
                staff: r.get(2),
                action: r.get(3),
                sealed_detail: r.get(4),
            })
        })
        .collect()
}

async fn record_step<C: GenericClient>(
    c: &C,
    id: &str,
    seq: u32,
    at: DateTime<Utc>,
    staff: &str,
    action: &str,
    sealed: Option<&[u8]>,
) -> Result<(), HallError> {
    c.execute(
        "INSERT INTO followup_steps (subject_id, seq, at, staff, action, sealed_detail)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[&id, &i64::from(seq), &at, &staff, &action, &sealed],
    )
    .await?;
    c.execute(
        "INSERT INTO staff_audit (at, staff, action, application_id, detail)
         VALUES ($1, $2, $3, $4, NULL)",
        &[&at, &staff, &format!("followup-{action}"), &id],
    )
    .await?;
    Ok(())
}

impl PgStore {
    async fn ratings_where(
        &self,
        filter: &str,
        args: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<RatingRow>, HallError> {
        let c = self.client().await?;
        let rows = c.query(&format!("{RATING_SELECT} {filter}"), args).await?;
        rows.iter().map(rating_row).collect()
    }
}

#[async_trait]
impl FollowUpStore for PgStore {
    async fn tickets(&self, q: TicketQuery) -> Result<Vec<TicketRow>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(
                &format!(
                    "SELECT {TICKET_COLUMNS} FROM tickets
                     WHERE ($1::text IS NULL OR status = $1)
                       AND ($2::text IS NULL OR category = $2)
                     ORDER BY received_at DESC, id LIMIT $3"
                ),
                &[
                    &q.status.map(|s| s.as_str()),
                    &q.category,
                    &i64::try_from(q.limit).unwrap_or(i64::MAX),
                ],
            )
            .await?;
        rows.iter().map(ticket_row).collect()
    }

    async fn ticket_counts(&self) -> Result<Vec<(TicketStatus, u64)>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query("SELECT status, COUNT(*) FROM tickets GROUP BY status", &[])
            .await?;
        rows.iter()
            .map(|r| {
                let s: String = r.get(0);
                Ok((
                    TicketStatus::parse(&s).ok_or_else(|| corrupt("ticket status", &s))?,
                    small(r.get(1), "count")?,
                ))
            })
            .collect()
    }

    async fn ticket_detail(&self, id: &str) -> Result<Option<TicketDetail>, HallError> {
        let c = self.client().await?;
        let Some(r) = c
            .query_opt(
                &format!("SELECT {TICKET_COLUMNS}, sealed FROM tickets WHERE id = $1"),
                &[&id],
            )
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(TicketDetail {
            row: ticket_row(&r)?,
            sealed: r.get(10),
            steps: steps(&c, id).await?,
        }))
    }

    async fn ticket_act(&self, a: TicketAct) -> Result<Acted<TicketRow>, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let Some(r) = tx
            .query_opt(
                &format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1 FOR UPDATE"),
                &[&a.ticket_id],
            )
            .await?
        else {
            return Ok(Acted::NotFound);
        };
        let row = ticket_row(&r)?;
        if row.version != a.seen_version {
            return Ok(Acted::Stale(row));
        }
        let Some(next) = a.action.next(row.status) else {
            return Ok(Acted::NotAllowed(row));
        };
        let claimed_by = match (row.status, next) {
            (TicketStatus::Open, TicketStatus::Claimed) => Some(a.staff.clone()),
            _ => row.claimed_by.clone(),
        };
        let seq = row.version + 1;
        tx.execute(
            "UPDATE tickets SET status = $2, claimed_by = $3, version = $4 WHERE id = $1",
            &[&a.ticket_id, &next.as_str(), &claimed_by, &i64::from(seq)],
        )
        .await?;
        record_step(
            &tx,
            &a.ticket_id,
            seq,
            a.at,
            &a.staff,
            a.action.slug(),
            a.sealed_detail.as_deref(),
        )
        .await?;
        tx.commit().await?;
        Ok(Acted::Done(TicketRow {
            status: next,
            claimed_by,
            version: seq,
            ..row
        }))
    }

    async fn ratings(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<RatingRow>, HallError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.ratings_where(
            "WHERE r.rated_at >= $1 AND r.rated_at < $2 ORDER BY r.rated_at DESC LIMIT $3",
            &[&from, &to, &limit],
        )
        .await
    }

    async fn rating_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<RatingCount>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT subject_code, kiosk_id, level, COUNT(*) FROM ratings
                 WHERE rated_at >= $1 AND rated_at < $2
                 GROUP BY subject_code, kiosk_id, level",
                &[&from, &to],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(RatingCount {
                    subject_code: r.get(0),
                    kiosk_id: r.get(1),
                    level: small(r.get(2), "rating level")?,
                    count: small(r.get(3), "count")?,
                })
            })
            .collect()
    }

    async fn open_cases(&self, limit: usize) -> Result<Vec<RatingRow>, HallError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.ratings_where(
            "WHERE c.stage <> 'closed' ORDER BY r.rated_at LIMIT $1",
            &[&limit],
        )
        .await
    }

    async fn rating_detail(&self, id: &str) -> Result<Option<RatingDetail>, HallError> {
        let Some(row) = self.ratings_where("WHERE r.id = $1", &[&id]).await?.pop() else {
            return Ok(None);
        };
        let c = self.client().await?;
        let sealed: Option<Vec<u8>> = c
            .query_one("SELECT sealed FROM ratings WHERE id = $1", &[&id])
            .await?
            .get(0);
        Ok(Some(RatingDetail {
            row,
            sealed,
            steps: steps(&c, id).await?,
        }))
    }

    async fn case_act(&self, a: CaseAct) -> Result<Acted<(CaseStage, u32)>, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let Some(r) = tx
            .query_opt(
                "SELECT stage, version FROM rating_cases WHERE rating_id = $1 FOR UPDATE",
                &[&a.rating_id],
            )
            .await?
        else {
            return Ok(Acted::NotFound);
        };
        let stage: String = r.get(0);
        let stage = CaseStage::parse(&stage).ok_or_else(|| corrupt("case stage", &stage))?;
        let version: u32 = small(r.get(1), "case version")?;
        if version != a.seen_version {
            return Ok(Acted::Stale((stage, version)));
        }
        if stage != a.done || stage == CaseStage::Closed {
            return Ok(Acted::NotAllowed((stage, version)));
        }
        let seq = version + 1;
        tx.execute(
            "UPDATE rating_cases SET stage = $2, version = $3 WHERE rating_id = $1",
            &[&a.rating_id, &a.next.slug(), &i64::from(seq)],
        )
        .await?;
        record_step(
            &tx,
            &a.rating_id,
            seq,
            a.at,
            &a.staff,
            a.done.slug(),
            a.sealed_detail.as_deref(),
        )
        .await?;
        tx.commit().await?;
        Ok(Acted::Done((a.next, seq)))
    }
}
