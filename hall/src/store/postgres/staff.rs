//! The workbench's tables on PostgreSQL: accounts, sessions shared by every hall process,
//! the audit trail, work records and steps. A staff move locks its application row, checks
//! the version the form showed (a stale form is refused, never applied over a newer step),
//! and writes the entry, the step, the work record and the audit line in one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use hall_api::application::Status;
use tokio_postgres::Row;

use super::reads::application;
use super::writes::steps_taken;
use super::PgStore;
use crate::error::HallError;
use crate::store::sqlite::reads::{parse_status, status_str};
use crate::store::staff::{
    AuditEntry, InboxQuery, InboxRow, Role, StaffAccount, StaffMove, StaffMoved, StaffSession,
    StaffStore, StepRecord, WorkRecord,
};

const ACCOUNT_COLUMNS: &str = "name, display, role, departments, password_hash, failed_sign_ins,
     locked_until, revoked_at IS NOT NULL, must_change_password";

/// How stale a session's last request may be recorded (as on SQLite: fewer writes).
const SESSION_TOUCH: chrono::Duration = chrono::Duration::seconds(30);

fn to_account(r: &Row) -> Result<StaffAccount, HallError> {
    let role: String = r.get(2);
    let departments: String = r.get(3);
    let failed: i64 = r.get(5);
    Ok(StaffAccount {
        name: r.get(0),
        display: r.get(1),
        role: Role::parse(&role)
            .ok_or_else(|| HallError::Corrupt(format!("staff role {role:?}")))?,
        departments: departments
            .split(',')
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .collect(),
        password_hash: r.get(4),
        failed_sign_ins: u32::try_from(failed).unwrap_or(u32::MAX),
        locked_until: r.get(6),
        revoked: r.get(7),
        must_change_password: r.get(8),
    })
}

async fn account<C: GenericClient>(c: &C, name: &str) -> Result<Option<StaffAccount>, HallError> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM staff_accounts WHERE name = $1");
    c.query_opt(&sql, &[&name])
        .await?
        .as_ref()
        .map(to_account)
        .transpose()
}

async fn end_sessions<C: GenericClient>(c: &C, name: &str) -> Result<(), HallError> {
    c.execute("DELETE FROM staff_sessions WHERE staff = $1", &[&name])
        .await?;
    Ok(())
}

/// A staff move inside the caller's transaction.
pub(super) async fn staff_move_in<C: GenericClient>(
    c: &C,
    mv: &StaffMove,
) -> Result<StaffMoved, HallError> {
    let id = &mv.application_id;
    let Some(row) = c
        .query_opt(
            "SELECT status FROM applications WHERE id = $1 FOR UPDATE",
            &[id],
        )
        .await?
    else {
        return Ok(StaffMoved::NotFound);
    };
    let current = parse_status(row.get(0))?;
    let version = steps_taken(c, id).await?;
    if version != i64::from(mv.seen_version) {
        return Ok(StaffMoved::Stale(current));
    }
    if !current.can_move_to(mv.entry.status) {
        return Ok(StaffMoved::NotAllowed(current));
    }
    let seq = version + 1;
    let status = status_str(mv.entry.status)?;
    c.execute(
        "INSERT INTO timeline (application_id, seq, status, at, note) VALUES ($1, $2, $3, $4, $5)",
        &[id, &seq, &status, &mv.entry.at, &mv.entry.note],
    )
    .await?;
    c.execute(
        "UPDATE applications SET status = $2 WHERE id = $1",
        &[id, &status],
    )
    .await?;
    c.execute(
        "INSERT INTO application_steps (application_id, seq, staff, sealed_detail)
         VALUES ($1, $2, $3, $4)",
        &[id, &seq, &mv.staff, &mv.sealed_detail],
    )
    .await?;
    c.execute(
        "INSERT INTO application_work (application_id) VALUES ($1) ON CONFLICT DO NOTHING",
        &[id],
    )
    .await?;
    if mv.entry.status == Status::Accepted {
        c.execute(
            "UPDATE application_work SET accepted_at = $2, due_on = $3 WHERE application_id = $1",
            &[id, &mv.entry.at, &mv.due_on],
        )
        .await?;
    }
    if let Some(handler) = &mv.handler {
        c.execute(
            "UPDATE application_work SET handler = $2 WHERE application_id = $1",
            &[id, handler],
        )
        .await?;
    }
    let detail = format!("{} → {}", current.label_zh(), mv.entry.status.label_zh());
    c.execute(
        "INSERT INTO staff_audit (at, staff, action, application_id, detail)
         VALUES ($1, $2, 'move', $3, $4)",
        &[&mv.entry.at, &mv.staff, id, &detail],
    )
    .await?;
    let rec = application(c, "id", id)
        .await?
        .ok_or_else(|| HallError::Corrupt(format!("application {id} vanished")))?;
    Ok(StaffMoved::Done(Box::new(rec)))
}

#[async_trait]
impl StaffStore for PgStore {
    async fn put_staff_account(&self, a: StaffAccount) -> Result<(), HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "INSERT INTO staff_accounts (name, display, role, departments, password_hash,
                 failed_sign_ins, locked_until, revoked_at, created_at, must_change_password)
             VALUES ($1, $2, $3, $4, $5, 0, NULL, NULL, $6, $7)
             ON CONFLICT (name) DO UPDATE SET display = excluded.display, role = excluded.role,
                 departments = excluded.departments, password_hash = excluded.password_hash,
                 failed_sign_ins = 0, locked_until = NULL, revoked_at = NULL,
                 must_change_password = excluded.must_change_password",
            &[
                &a.name,
                &a.display,
                &a.role.as_str(),
                &a.departments.join(","),
                &a.password_hash,
                &Utc::now(),
                &a.must_change_password,
            ],
        )
        .await?;
        end_sessions(&tx, &a.name).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn staff_account(&self, name: &str) -> Result<Option<StaffAccount>, HallError> {
        account(&self.client().await?, name).await
    }

    async fn set_staff_password(&self, name: &str, hash: String) -> Result<bool, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let n = tx
            .execute(
                "UPDATE staff_accounts SET password_hash = $2, failed_sign_ins = 0,
                     locked_until = NULL, must_change_password = TRUE WHERE name = $1",
                &[&name, &hash],
            )
            .await?;
        end_sessions(&tx, name).await?;
        tx.commit().await?;
        Ok(n == 1)
    }

    async fn choose_staff_password(
        &self,
        name: &str,
        hash: String,
        keep: [u8; 32],
    ) -> Result<bool, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let n = tx
            .execute(
                "UPDATE staff_accounts SET password_hash = $2, failed_sign_ins = 0,
                     locked_until = NULL, must_change_password = FALSE WHERE name = $1",
                &[&name, &hash],
            )
            .await?;
        tx.execute(
            "DELETE FROM staff_sessions WHERE staff = $1 AND token_hash <> $2",
            &[&name, &&keep[..]],
        )
        .await?;
        tx.commit().await?;
        Ok(n == 1)
    }

    async fn revoke_staff(&self, name: &str, at: DateTime<Utc>) -> Result<bool, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let n = tx
            .execute(
                "UPDATE staff_accounts SET revoked_at = $2 WHERE name = $1",
                &[&name, &at],
            )
            .await?;
        end_sessions(&tx, name).await?;
        tx.commit().await?;
        Ok(n == 1)
    }

    async fn staff_sign_in_failed(
        &self,
        name: &str,
        at: DateTime<Utc>,
        max: u32,
        lock_for: chrono::Duration,
    ) -> Result<Option<DateTime<Utc>>, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // One atomic increment: failures counted by several halls add up.
        let failed = tx
            .query_opt(
                "UPDATE staff_accounts SET failed_sign_ins = failed_sign_ins + 1 WHERE name = $1
                 RETURNING failed_sign_ins",
                &[&name],
            )
            .await?
            .map(|r| r.get::<_, i64>(0));
        let locked = match failed {
            Some(n) if n >= i64::from(max) => {
                let until = at + lock_for;
                tx.execute(
                    "UPDATE staff_accounts SET locked_until = $2, failed_sign_ins = 0
                     WHERE name = $1",
                    &[&name, &until],
                )
                .await?;
                Some(until)
            }
            _ => None,
        };
        tx.commit().await?;
        Ok(locked)
    }

    async fn open_staff_session(
        &self,
        name: &str,
        token_hash: [u8; 32],
        csrf: String,
        at: DateTime<Utc>,
        idle: chrono::Duration,
    ) -> Result<(), HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "DELETE FROM staff_sessions WHERE last_seen < $1",
            &[&(at - idle)],
        )
        .await?;
        tx.execute(
            "UPDATE staff_accounts SET failed_sign_ins = 0, locked_until = NULL WHERE name = $1",
            &[&name],
        )
        .await?;
        tx.execute(
            "INSERT INTO staff_sessions (token_hash, staff, csrf, created_at, last_seen)
             VALUES ($1, $2, $3, $4, $4)",
            &[&&token_hash[..], &name, &csrf, &at],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn staff_session(
        &self,
        token_hash: [u8; 32],
        at: DateTime<Utc>,
        idle: chrono::Duration,
    ) -> Result<Option<StaffSession>, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let hash = &token_hash[..];
        let Some(row) = tx
            .query_opt(
                "SELECT staff, csrf, last_seen FROM staff_sessions WHERE token_hash = $1",
                &[&hash],
            )
            .await?
        else {
            return Ok(None);
        };
        let (staff, csrf, last_seen): (String, String, DateTime<Utc>) =
            (row.get(0), row.get(1), row.get(2));
        let live = account(&tx, &staff).await?.filter(|a| !a.revoked);
        let session = match live {
            Some(account) if at - last_seen <= idle => {
                let last_seen = if at - last_seen >= SESSION_TOUCH {
                    tx.execute(
                        "UPDATE staff_sessions SET last_seen = GREATEST(last_seen, $2)
                         WHERE token_hash = $1",
                        &[&hash, &at],
                    )
                    .await?;
                    at
                } else {
                    last_seen
                };
                Some(StaffSession {
                    account,
                    csrf,
                    last_seen,
                })
            }
            _ => {
                tx.execute("DELETE FROM staff_sessions WHERE token_hash = $1", &[&hash])
                    .await?;
                None
            }
        };
        tx.commit().await?;
        Ok(session)
    }

    async fn close_staff_session(&self, token_hash: [u8; 32]) -> Result<(), HallError> {
        let c = self.client().await?;
        c.execute(
            "DELETE FROM staff_sessions WHERE token_hash = $1",
            &[&&token_hash[..]],
        )
        .await?;
        Ok(())
    }

    async fn audit(&self, e: AuditEntry) -> Result<(), HallError> {
        let c = self.client().await?;
        c.execute(
            "INSERT INTO staff_audit (at, staff, action, application_id, detail)
             VALUES ($1, $2, $3, $4, $5)",
            &[&e.at, &e.staff, &e.action, &e.application_id, &e.detail],
        )
        .await?;
        Ok(())
    }

    async fn audit_of(&self, application_id: &str) -> Result<Vec<AuditEntry>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT at, staff, action, detail FROM staff_audit WHERE application_id = $1
                 ORDER BY seq",
                &[&application_id],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                at: r.get(0),
                staff: r.get(1),
                action: r.get(2),
                application_id: Some(application_id.to_owned()),
                detail: r.get(3),
            })
            .collect())
    }

    async fn inbox(&self, q: InboxQuery) -> Result<Vec<InboxRow>, HallError> {
        // As on SQLite: the page's ids come from an index first (the facts by status and
        // due date, or the applications by status in received order), then those rows.
        let by_due = q.due_from.is_some() || q.due_to.is_some();
        let (inner, order, outer) = if by_due {
            (
                "SELECT kw.application_id AS id FROM application_facts kw
                 WHERE kw.status = ANY($1)
                   AND ($2::text[] IS NULL OR kw.subject_code = ANY($2))
                   AND ($3::date IS NULL OR kw.due_on >= $3)
                   AND ($4::date IS NULL OR kw.due_on <= $4)",
                "kw.due_on, kw.received_at, kw.application_id",
                "w.due_on, a.received_at, a.id",
            )
        } else {
            (
                "SELECT k.id FROM applications k
                 WHERE k.status = ANY($1)
                   AND ($2::text[] IS NULL OR k.subject_code = ANY($2))
                   AND $3::date IS NULL AND $4::date IS NULL",
                "k.received_at, k.id",
                "a.received_at, a.id",
            )
        };
        let sql = format!(
            "SELECT a.id, a.tracking_code, a.subject_type, a.subject_code, a.subject_name,
                    a.status, a.received_at, w.due_on, w.handler
             FROM ({inner} ORDER BY {order} LIMIT {limit}) p
                  JOIN applications a ON a.id = p.id
                  LEFT JOIN application_work w ON w.application_id = a.id
             ORDER BY {outer}",
            limit = q.limit.min(1000),
        );
        let statuses = q
            .statuses
            .iter()
            .map(|s| status_str(*s))
            .collect::<Result<Vec<_>, _>>()?;
        let c = self.client().await?;
        let rows = c
            .query(&sql, &[&statuses, &q.subject_codes, &q.due_from, &q.due_to])
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(InboxRow {
                    id: r.get(0),
                    tracking_code: r.get(1),
                    subject_type: r.get(2),
                    subject_code: r.get(3),
                    subject_name: r.get(4),
                    status: parse_status(r.get(5))?,
                    received_at: r.get(6),
                    due_on: r.get(7),
                    handler: r.get(8),
                })
            })
            .collect()
    }

    async fn work(&self, application_id: &str) -> Result<WorkRecord, HallError> {
        let c = self.client().await?;
        let row = c
            .query_opt(
                "SELECT accepted_at, due_on, handler FROM application_work
                 WHERE application_id = $1",
                &[&application_id],
            )
            .await?;
        Ok(row.map_or_else(WorkRecord::default, |r| WorkRecord {
            accepted_at: r.get(0),
            due_on: r.get(1),
            handler: r.get(2),
        }))
    }

    async fn steps(&self, application_id: &str) -> Result<Vec<StepRecord>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT seq, staff, sealed_detail FROM application_steps
                 WHERE application_id = $1 ORDER BY seq",
                &[&application_id],
            )
            .await?;
        rows.into_iter()
            .map(|r| {
                let seq: i64 = r.get(0);
                Ok(StepRecord {
                    seq: u32::try_from(seq)
                        .map_err(|_| HallError::Corrupt(format!("step {seq}")))?,
                    staff: r.get(1),
                    sealed_detail: r.get(2),
                })
            })
            .collect()
    }

    async fn staff_move(&self, mv: StaffMove) -> Result<StaffMoved, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let moved = staff_move_in(&tx, &mv).await?;
        tx.commit().await?;
        Ok(moved)
    }
}
