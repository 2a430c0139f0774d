//! The workbench's tables in SQLite: accounts, sessions, audit trail, work records and steps.
//! Writes run on the one writer thread like every other write; a staff move checks the
//! version, appends the timeline entry and the step, and updates the work record in one
//! transaction.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use hall_api::application::Status;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};

use super::reads::{self, parse_status, parse_ts, status_str, ts};
use super::SqliteStore;
use crate::error::HallError;
use crate::store::staff::{
    AuditEntry, InboxQuery, InboxRow, Role, StaffAccount, StaffMove, StaffMoved, StaffSession,
    StaffStore, StepRecord, WorkRecord,
};

fn date_str(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse_date(text: &str) -> Result<NaiveDate, HallError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| HallError::Corrupt(format!("date {text:?}: {e}")))
}

const ACCOUNT_COLUMNS: &str = "name, display, role, departments, password_hash, failed_sign_ins,
     locked_until, revoked_at, must_change_password";

fn account_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<[Option<String>; 9]> {
    Ok([
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get::<_, i64>(5).map(|n| Some(n.to_string()))?,
        r.get(6)?,
        r.get(7)?,
        r.get::<_, i64>(8).map(|n| Some(n.to_string()))?,
    ])
}

fn to_account(row: [Option<String>; 9]) -> Result<StaffAccount, HallError> {
    let [name, display, role, departments, hash, failed, locked, revoked, must_change] = row;
    let role_text = role.unwrap_or_default();
    let role = Role::parse(&role_text)
        .ok_or_else(|| HallError::Corrupt(format!("staff role {role_text:?}")))?;
    Ok(StaffAccount {
        name: name.unwrap_or_default(),
        display: display.unwrap_or_default(),
        role,
        departments: departments
            .unwrap_or_default()
            .split(',')
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .collect(),
        password_hash: hash.unwrap_or_default(),
        failed_sign_ins: failed.and_then(|f| f.parse().ok()).unwrap_or(0),
        locked_until: locked.as_deref().map(parse_ts).transpose()?,
        revoked: revoked.is_some(),
        must_change_password: must_change.as_deref() != Some("0"),
    })
}

fn account(conn: &Connection, name: &str) -> Result<Option<StaffAccount>, HallError> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM staff_accounts WHERE name = ?1");
    conn.prepare_cached(&sql)?
        .query_row([name], account_row)
        .optional()?
        .map(to_account)
        .transpose()
}

fn end_sessions(conn: &Connection, name: &str) -> Result<(), HallError> {
    conn.execute("DELETE FROM staff_sessions WHERE staff = ?1", [name])?;
    Ok(())
}

fn put_account(conn: &Connection, a: &StaffAccount) -> Result<(), HallError> {
    conn.execute(
        "INSERT INTO staff_accounts (name, display, role, departments, password_hash,
             failed_sign_ins, locked_until, revoked_at, created_at, must_change_password)
         VALUES (?1, ?2, ?3, ?4, ?5, 0, NULL, NULL, ?6, ?7)
         ON CONFLICT (name) DO UPDATE SET display = excluded.display, role = excluded.role,
             departments = excluded.departments, password_hash = excluded.password_hash,
             failed_sign_ins = 0, locked_until = NULL, revoked_at = NULL,
             must_change_password = excluded.must_change_password",
        params![
            a.name,
            a.display,
            a.role.as_str(),
            a.departments.join(","),
            a.password_hash,
            ts(Utc::now()),
            a.must_change_password
        ],
    )?;
    end_sessions(conn, &a.name)
}

fn sign_in_failed(
    conn: &Connection,
    name: &str,
    at: DateTime<Utc>,
    max: u32,
    lock_for: chrono::Duration,
) -> Result<Option<DateTime<Utc>>, HallError> {
    let failed: Option<u32> = conn
        .query_row(
            "UPDATE staff_accounts SET failed_sign_ins = failed_sign_ins + 1 WHERE name = ?1
             RETURNING failed_sign_ins",
            [name],
            |r| r.get(0),
        )
        .optional()?;
    match failed {
        Some(n) if n >= max => {
            let until = at + lock_for;
            conn.execute(
                "UPDATE staff_accounts SET locked_until = ?2, failed_sign_ins = 0 WHERE name = ?1",
                params![name, ts(until)],
            )?;
            Ok(Some(until))
        }
        _ => Ok(None),
    }
}

/// How stale a session's last request may be recorded (the idle sign-out is this much early
/// at most).
const SESSION_TOUCH: chrono::Duration = chrono::Duration::seconds(30);

fn session(
    conn: &Connection,
    hash: &[u8; 32],
    at: DateTime<Utc>,
    idle: chrono::Duration,
) -> Result<Option<StaffSession>, HallError> {
    let row: Option<(String, String, String)> = conn
        .query_row(
            "SELECT staff, csrf, last_seen FROM staff_sessions WHERE token_hash = ?1",
            [&hash[..]],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((staff, csrf, last_seen)) = row else {
        return Ok(None);
    };
    let last_seen = parse_ts(&last_seen)?;
    let live = account(conn, &staff)?.filter(|a| !a.revoked);
    match live {
        Some(account) if at - last_seen <= idle => {
            // Written at most once per SESSION_TOUCH: a write on every page view would cost
            // a commit each and empty every reader's page cache (the database changed).
            let last_seen = if at - last_seen >= SESSION_TOUCH {
                conn.execute(
                    "UPDATE staff_sessions SET last_seen = ?2 WHERE token_hash = ?1",
                    params![&hash[..], ts(at)],
                )?;
                at
            } else {
                last_seen
            };
            Ok(Some(StaffSession {
                account,
                csrf,
                last_seen,
            }))
        }
        _ => {
            conn.execute(
                "DELETE FROM staff_sessions WHERE token_hash = ?1",
                [&hash[..]],
            )?;
            Ok(None)
        }
    }
}

fn audit_of(conn: &Connection, application_id: &str) -> Result<Vec<AuditEntry>, HallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, staff, action, detail FROM staff_audit WHERE application_id = ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query([application_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(AuditEntry {
            at: parse_ts(&r.get::<_, String>(0)?)?,
            staff: r.get(1)?,
            action: r.get(2)?,
            application_id: Some(application_id.to_owned()),
            detail: r.get(3)?,
        });
    }
    Ok(out)
}

fn inbox(conn: &Connection, q: &InboxQuery) -> Result<Vec<InboxRow>, HallError> {
    // The page's ids are picked from an index first and only those rows are read in full:
    // the applications table (with sealed payloads) is large.
    let by_due = q.due_from.is_some() || q.due_to.is_some();
    // By due date: from the facts' index by status and due date (only those in the range
    // are read); otherwise from the covering index by status in received order.
    let mut sql = String::from(if by_due {
        "SELECT kw.application_id AS id FROM application_facts kw WHERE 1"
    } else {
        "SELECT k.id FROM applications k WHERE 1"
    });
    let mut args: Vec<String> = Vec::new();
    let mut placeholders = |sql: &mut String, column: &str, values: Vec<String>| {
        let marks: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, _)| format!("?{}", args.len() + i + 1))
            .collect();
        sql.push_str(&format!(" AND {column} IN ({})", marks.join(",")));
        args.extend(values);
    };
    let statuses = q
        .statuses
        .iter()
        .map(|s| status_str(*s))
        .collect::<Result<Vec<_>, _>>()?;
    let (status_col, code_col) = if by_due {
        ("kw.status", "kw.subject_code")
    } else {
        ("k.status", "k.subject_code")
    };
    placeholders(&mut sql, status_col, statuses);
    if let Some(codes) = &q.subject_codes {
        placeholders(&mut sql, code_col, codes.clone());
    }
    if let Some(from) = q.due_from {
        args.push(date_str(from));
        sql.push_str(&format!(" AND kw.due_on >= ?{}", args.len()));
    }
    if let Some(to) = q.due_to {
        args.push(date_str(to));
        sql.push_str(&format!(" AND kw.due_on <= ?{}", args.len()));
    }
    let order = if by_due {
        "kw.due_on, kw.received_at, kw.application_id"
    } else {
        "k.received_at, k.id"
    };
    sql = format!(
        "SELECT a.id, a.tracking_code, a.subject_type, a.subject_code, a.subject_name, a.status,
                a.received_at, w.due_on, w.handler
         FROM ({sql} ORDER BY {order} LIMIT {limit}) p
              CROSS JOIN applications a ON a.id = p.id
              LEFT JOIN application_work w ON w.application_id = a.id
         ORDER BY {outer}",
        limit = q.limit.min(1000),
        outer = if by_due {
            "w.due_on, a.received_at, a.id"
        } else {
            "a.received_at, a.id"
        }
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let due: Option<String> = r.get(7)?;
        out.push(InboxRow {
            id: r.get(0)?,
            tracking_code: r.get(1)?,
            subject_type: r.get(2)?,
            subject_code: r.get(3)?,
            subject_name: r.get(4)?,
            status: parse_status(&r.get::<_, String>(5)?)?,
            received_at: parse_ts(&r.get::<_, String>(6)?)?,
            due_on: due.as_deref().map(parse_date).transpose()?,
            handler: r.get(8)?,
        });
    }
    Ok(out)
}

fn work(conn: &Connection, id: &str) -> Result<WorkRecord, HallError> {
    let row: Option<(Option<String>, Option<String>, Option<String>)> = conn
        .query_row(
            "SELECT accepted_at, due_on, handler FROM application_work WHERE application_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((accepted, due, handler)) = row else {
        return Ok(WorkRecord::default());
    };
    Ok(WorkRecord {
        accepted_at: accepted.as_deref().map(parse_ts).transpose()?,
        due_on: due.as_deref().map(parse_date).transpose()?,
        handler,
    })
}

fn steps(conn: &Connection, id: &str) -> Result<Vec<StepRecord>, HallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, staff, sealed_detail FROM application_steps WHERE application_id = ?1
         ORDER BY seq",
    )?;
    let mut rows = stmt.query([id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(StepRecord {
            seq: r.get(0)?,
            staff: r.get(1)?,
            sealed_detail: r.get(2)?,
        });
    }
    Ok(out)
}

pub(super) fn staff_move(conn: &Connection, mv: &StaffMove) -> Result<StaffMoved, HallError> {
    let Some(current) = reads::application(conn, "id", &mv.application_id)? else {
        return Ok(StaffMoved::NotFound);
    };
    if current.timeline.len() != mv.seen_version as usize {
        return Ok(StaffMoved::Stale(current.status));
    }
    if !current.status.can_move_to(mv.entry.status) {
        return Ok(StaffMoved::NotAllowed(current.status));
    }
    let seq = current.timeline.len() + 1;
    let status = status_str(mv.entry.status)?;
    conn.execute(
        "INSERT INTO timeline (application_id, seq, status, at, note) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            mv.application_id,
            seq,
            status,
            ts(mv.entry.at),
            mv.entry.note
        ],
    )?;
    conn.execute(
        "UPDATE applications SET status = ?2 WHERE id = ?1",
        params![mv.application_id, status],
    )?;
    conn.execute(
        "INSERT INTO application_steps (application_id, seq, staff, sealed_detail)
         VALUES (?1, ?2, ?3, ?4)",
        params![mv.application_id, seq, mv.staff, mv.sealed_detail],
    )?;
    conn.execute(
        "INSERT OR IGNORE INTO application_work (application_id) VALUES (?1)",
        [&mv.application_id],
    )?;
    if mv.entry.status == Status::Accepted {
        conn.execute(
            "UPDATE application_work SET accepted_at = ?2, due_on = ?3 WHERE application_id = ?1",
            params![mv.application_id, ts(mv.entry.at), mv.due_on.map(date_str)],
        )?;
    }
    if let Some(handler) = &mv.handler {
        conn.execute(
            "UPDATE application_work SET handler = ?2 WHERE application_id = ?1",
            params![mv.application_id, handler],
        )?;
    }
    conn.execute(
        "INSERT INTO staff_audit (at, staff, action, application_id, detail)
         VALUES (?1, ?2, 'move', ?3, ?4)",
        params![
            ts(mv.entry.at),
            mv.staff,
            mv.application_id,
            format!(
                "{} → {}",
                current.status.label_zh(),
                mv.entry.status.label_zh()
            )
        ],
    )?;
    let rec = reads::application(conn, "id", &mv.application_id)?
        .ok_or_else(|| HallError::Corrupt(format!("application {} vanished", mv.application_id)))?;
    Ok(StaffMoved::Done(Box::new(rec)))
}

#[async_trait]
impl StaffStore for SqliteStore {
    async fn put_staff_account(&self, account: StaffAccount) -> Result<(), HallError> {
        self.write(move |c| put_account(c, &account)).await
    }

    async fn staff_account(&self, name: &str) -> Result<Option<StaffAccount>, HallError> {
        let name = name.to_owned();
        self.read(move |c| account(c, &name)).await
    }

    async fn set_staff_password(&self, name: &str, hash: String) -> Result<bool, HallError> {
        let name = name.to_owned();
        self.write(move |c| {
            let n = c.execute(
                "UPDATE staff_accounts SET password_hash = ?2, failed_sign_ins = 0,
                     locked_until = NULL, must_change_password = 1 WHERE name = ?1",
                params![name, hash],
            )?;
            end_sessions(c, &name)?;
            Ok(n == 1)
        })
        .await
    }

    async fn choose_staff_password(
        &self,
        name: &str,
        hash: String,
        keep: [u8; 32],
    ) -> Result<bool, HallError> {
        let name = name.to_owned();
        self.write(move |c| {
            let n = c.execute(
                "UPDATE staff_accounts SET password_hash = ?2, failed_sign_ins = 0,
                     locked_until = NULL, must_change_password = 0 WHERE name = ?1",
                params![name, hash],
            )?;
            c.execute(
                "DELETE FROM staff_sessions WHERE staff = ?1 AND token_hash <> ?2",
                params![name, &keep[..]],
            )?;
            Ok(n == 1)
        })
        .await
    }

    async fn revoke_staff(&self, name: &str, at: DateTime<Utc>) -> Result<bool, HallError> {
        let name = name.to_owned();
        self.write(move |c| {
            let n = c.execute(
                "UPDATE staff_accounts SET revoked_at = ?2 WHERE name = ?1",
                params![name, ts(at)],
            )?;
            end_sessions(c, &name)?;
            Ok(n == 1)
        })
        .await
    }

    async fn staff_sign_in_failed(
        &self,
        name: &str,
        at: DateTime<Utc>,
        max: u32,
        lock_for: chrono::Duration,
    ) -> Result<Option<DateTime<Utc>>, HallError> {
        let name = name.to_owned();
        self.write(move |c| sign_in_failed(c, &name, at, max, lock_for))
            .await
    }

    async fn open_staff_session(
        &self,
        name: &str,
        token_hash: [u8; 32],
        csrf: String,
        at: DateTime<Utc>,
        idle: chrono::Duration,
    ) -> Result<(), HallError> {
        let name = name.to_owned();
        self.write(move |c| {
            c.execute(
                "DELETE FROM staff_sessions WHERE last_seen < ?1",
                [ts(at - idle)],
            )?;
            c.execute(
                "UPDATE staff_accounts SET failed_sign_ins = 0, locked_until = NULL WHERE name = ?1",
                [&name],
            )?;
            c.execute(
                "INSERT INTO staff_sessions (token_hash, staff, csrf, created_at, last_seen)
                 VALUES (?1, ?2, ?3, ?4, ?4)",
                params![&token_hash[..], name, csrf, ts(at)],
            )?;
            Ok(())
        })
        .await
    }

    async fn staff_session(
        &self,
        token_hash: [u8; 32],
        at: DateTime<Utc>,
        idle: chrono::Duration,
    ) -> Result<Option<StaffSession>, HallError> {
        self.write(move |c| session(c, &token_hash, at, idle)).await
    }

    async fn close_staff_session(&self, token_hash: [u8; 32]) -> Result<(), HallError> {
        self.write(move |c| {
            c.execute(
                "DELETE FROM staff_sessions WHERE token_hash = ?1",
                [&token_hash[..]],
            )?;
            Ok(())
        })
        .await
    }

    async fn audit(&self, e: AuditEntry) -> Result<(), HallError> {
        self.write(move |c| {
            c.execute(
                "INSERT INTO staff_audit (at, staff, action, application_id, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![ts(e.at), e.staff, e.action, e.application_id, e.detail],
            )?;
            Ok(())
        })
        .await
    }

    async fn audit_of(&self, application_id: &str) -> Result<Vec<AuditEntry>, HallError> {
        let id = application_id.to_owned();
        self.read(move |c| audit_of(c, &id)).await
    }

    async fn inbox(&self, query: InboxQuery) -> Result<Vec<InboxRow>, HallError> {
        self.read(move |c| inbox(c, &query)).await
    }

    async fn work(&self, application_id: &str) -> Result<WorkRecord, HallError> {
        let id = application_id.to_owned();
        self.read(move |c| work(c, &id)).await
    }

    async fn steps(&self, application_id: &str) -> Result<Vec<StepRecord>, HallError> {
        let id = application_id.to_owned();
        self.read(move |c| steps(c, &id)).await
    }

    async fn staff_move(&self, mv: StaffMove) -> Result<StaffMoved, HallError> {
        self.write(move |c| staff_move(c, &mv)).await
    }
}
