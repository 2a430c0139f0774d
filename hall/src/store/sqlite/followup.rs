//! Tickets and 差评 cases in SQLite. An action is one write on the writer thread: it checks
//! the version, updates the ticket or case, appends the step and the audit line together.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::reads::{parse_ts, ts};
use super::SqliteStore;
use crate::error::HallError;
use crate::store::followup::{
    Acted, CaseAct, CaseStage, FollowUpStep, FollowUpStore, RatingCount, RatingDetail, RatingRow,
    TicketAct, TicketDetail, TicketQuery, TicketRow, TicketStatus,
};

const TICKET_COLUMNS: &str =
    "id, reference, kind, category, item_code, kiosk_id, received_at, status, claimed_by, version";

fn corrupt(what: &str, text: &str) -> HallError {
    HallError::Corrupt(format!("{what} {text:?}"))
}

type RawTicket = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    u32,
);

fn raw_ticket(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawTicket> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
    ))
}

fn ticket_row(raw: RawTicket) -> Result<TicketRow, HallError> {
    let (id, reference, kind, category, item_code, kiosk_id, at, status, claimed_by, version) = raw;
    Ok(TicketRow {
        status: TicketStatus::parse(&status).ok_or_else(|| corrupt("ticket status", &status))?,
        received_at: parse_ts(&at)?,
        id,
        reference,
        kind,
        category,
        item_code,
        kiosk_id,
        claimed_by,
        version,
    })
}

fn tickets(conn: &Connection, q: &TicketQuery) -> Result<Vec<TicketRow>, HallError> {
    let sql = format!(
        "SELECT {TICKET_COLUMNS} FROM tickets
         WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR category = ?2)
         ORDER BY received_at DESC, id LIMIT ?3"
    );
    let raws = conn
        .prepare_cached(&sql)?
        .query_map(
            params![q.status.map(|s| s.as_str()), q.category, q.limit as i64],
            raw_ticket,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    raws.into_iter().map(ticket_row).collect()
}

fn ticket_by_id(conn: &Connection, id: &str) -> Result<Option<TicketRow>, HallError> {
    let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([id], raw_ticket)
        .optional()?
        .map(ticket_row)
        .transpose()
}

fn steps(conn: &Connection, id: &str) -> Result<Vec<FollowUpStep>, HallError> {
    type RawStep = (u32, String, String, String, Option<Vec<u8>>);
    let raws: Vec<RawStep> = conn
        .prepare_cached(
            "SELECT seq, at, staff, action, sealed_detail FROM followup_steps
             WHERE subject_id = ?1 ORDER BY seq",
        )?
        .query_map([id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<Result<_, _>>()?;
    raws.into_iter()
        .map(|(seq, at, staff, action, sealed_detail)| {
            Ok(FollowUpStep {
                seq,
                at: parse_ts(&at)?,
                staff,
                action,
                sealed_detail,
            })
        })
        .collect()
}

fn record_step(
    conn: &Connection,
    id: &str,
    seq: u32,
    at: DateTime<Utc>,
    staff: &str,
    action: &str,
    sealed: Option<&[u8]>,
) -> Result<(), HallError> {
    conn.execute(
        "INSERT INTO followup_steps (subject_id, seq, at, staff, action, sealed_detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, seq, ts(at), staff, action, sealed],
    )?;
    conn.execute(
        "INSERT INTO staff_audit (at, staff, action, application_id, detail)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            ts(at),
            staff,
            format!("followup-{action}"),
            id,
            None::<String>
        ],
    )?;
    Ok(())
}

fn ticket_act(conn: &Connection, a: &TicketAct) -> Result<Acted<TicketRow>, HallError> {
    let Some(row) = ticket_by_id(conn, &a.ticket_id)? else {
        return Ok(Acted::NotFound);
    };
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
    conn.execute(
        "UPDATE tickets SET status = ?2, claimed_by = ?3, version = ?4 WHERE id = ?1",
        params![a.ticket_id, next.as_str(), claimed_by, seq],
    )?;
    record_step(
        conn,
        &a.ticket_id,
        seq,
        a.at,
        &a.staff,
        a.action.slug(),
        a.sealed_detail.as_deref(),
    )?;
    Ok(Acted::Done(TicketRow {
        status: next,
        claimed_by,
        version: seq,
        ..row
    }))
}

const RATING_SELECT: &str = "SELECT r.id, r.application_id, a.tracking_code, r.subject_code,
    a.subject_name, r.level, r.reasons, r.kiosk_id, r.rated_at, c.stage, c.version
    FROM ratings r JOIN applications a ON a.id = r.application_id
    LEFT JOIN rating_cases c ON c.rating_id = r.id";

type RawRating = (
    String,
    String,
    String,
    String,
    String,
    u8,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<u32>,
);

fn raw_rating(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRating> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
    ))
}

fn rating_row(raw: RawRating) -> Result<RatingRow, HallError> {
    let (id, application_id, tracking_code, subject_code, subject_name, level, reasons_json) =
        (raw.0, raw.1, raw.2, raw.3, raw.4, raw.5, raw.6);
    let case = match (raw.9, raw.10) {
        (Some(stage), Some(v)) => Some((
            CaseStage::parse(&stage).ok_or_else(|| corrupt("case stage", &stage))?,
            v,
        )),
        _ => None,
    };
    Ok(RatingRow {
        rated_at: parse_ts(&raw.8)?,
        kiosk_id: raw.7,
        id,
        application_id,
        tracking_code,
        subject_code,
        subject_name,
        level,
        reasons_json,
        case,
    })
}

fn ratings_where(
    conn: &Connection,
    filter: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<RatingRow>, HallError> {
    let sql = format!("{RATING_SELECT} {filter}");
    let raws = conn
        .prepare_cached(&sql)?
        .query_map(args, raw_rating)?
        .collect::<Result<Vec<_>, _>>()?;
    raws.into_iter().map(rating_row).collect()
}

fn case_act(conn: &Connection, a: &CaseAct) -> Result<Acted<(CaseStage, u32)>, HallError> {
    let found: Option<(String, u32)> = conn
        .query_row(
            "SELECT stage, version FROM rating_cases WHERE rating_id = ?1",
            [&a.rating_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((stage, version)) = found else {
        return Ok(Acted::NotFound);
    };
    let stage = CaseStage::parse(&stage).ok_or_else(|| corrupt("case stage", &stage))?;
    if version != a.seen_version {
        return Ok(Acted::Stale((stage, version)));
    }
    if stage != a.done || stage == CaseStage::Closed {
        return Ok(Acted::NotAllowed((stage, version)));
    }
    let seq = version + 1;
    conn.execute(
        "UPDATE rating_cases SET stage = ?2, version = ?3 WHERE rating_id = ?1",
        params![a.rating_id, a.next.slug(), seq],
    )?;
    record_step(
        conn,
        &a.rating_id,
        seq,
        a.at,
        &a.staff,
        a.done.slug(),
        a.sealed_detail.as_deref(),
    )?;
    Ok(Acted::Done((a.next, seq)))
}

#[async_trait]
impl FollowUpStore for SqliteStore {
    async fn tickets(&self, query: TicketQuery) -> Result<Vec<TicketRow>, HallError> {
        self.read(move |c| tickets(c, &query)).await
    }

    async fn ticket_counts(&self) -> Result<Vec<(TicketStatus, u64)>, HallError> {
        self.read(|c| {
            let raws: Vec<(String, u64)> = c
                .prepare_cached("SELECT status, COUNT(*) FROM tickets GROUP BY status")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            raws.into_iter()
                .map(|(s, n)| {
                    Ok((
                        TicketStatus::parse(&s).ok_or_else(|| corrupt("ticket status", &s))?,
                        n,
                    ))
                })
                .collect()
        })
        .await
    }

    async fn ticket_detail(&self, id: &str) -> Result<Option<TicketDetail>, HallError> {
        let id = id.to_owned();
        self.read(move |c| {
            let Some(row) = ticket_by_id(c, &id)? else {
                return Ok(None);
            };
            let sealed: Vec<u8> =
                c.query_row("SELECT sealed FROM tickets WHERE id = ?1", [&id], |r| {
                    r.get(0)
                })?;
            Ok(Some(TicketDetail {
                row,
                sealed,
                steps: steps(c, &id)?,
            }))
        })
        .await
    }

    async fn ticket_act(&self, act: TicketAct) -> Result<Acted<TicketRow>, HallError> {
        self.write(move |c| ticket_act(c, &act)).await
    }

    async fn ratings(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<RatingRow>, HallError> {
        self.read(move |c| {
            ratings_where(
                c,
                "WHERE r.rated_at >= ?1 AND r.rated_at < ?2 ORDER BY r.rated_at DESC LIMIT ?3",
                params![ts(from), ts(to), limit as i64],
            )
        })
        .await
    }

    async fn rating_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<RatingCount>, HallError> {
        self.read(move |c| {
            let rows = c
                .prepare_cached(
                    "SELECT subject_code, kiosk_id, level, COUNT(*) FROM ratings
                     WHERE rated_at >= ?1 AND rated_at < ?2
                     GROUP BY subject_code, kiosk_id, level",
                )?
                .query_map(params![ts(from), ts(to)], |r| {
                    Ok(RatingCount {
                        subject_code: r.get(0)?,
                        kiosk_id: r.get(1)?,
                        level: r.get(2)?,
                        count: r.get(3)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await
    }

    async fn open_cases(&self, limit: usize) -> Result<Vec<RatingRow>, HallError> {
        self.read(move |c| {
            ratings_where(
                c,
                "WHERE c.stage <> 'closed' ORDER BY r.rated_at LIMIT ?1",
                params![limit as i64],
            )
        })
        .await
    }

    async fn rating_detail(&self, id: &str) -> Result<Option<RatingDetail>, HallError> {
        let id = id.to_owned();
        self.read(move |c| {
            let Some(row) = ratings_where(c, "WHERE r.id = ?1", [&id])?.pop() else {
                return Ok(None);
            };
            let sealed: Option<Vec<u8>> =
                c.query_row("SELECT sealed FROM ratings WHERE id = ?1", [&id], |r| {
                    r.get(0)
                })?;
            Ok(Some(RatingDetail {
                row,
                sealed,
                steps: steps(c, &id)?,
            }))
        })
        .await
    }

    async fn case_act(&self, act: CaseAct) -> Result<Acted<(CaseStage, u32)>, HallError> {
        self.write(move |c| case_act(c, &act)).await
    }
}
