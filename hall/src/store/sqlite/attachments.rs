//! SQLite side of [`AttachmentStore`]: sealed chunks as BLOB rows in the database itself, so
//! the one file `hall backup` copies holds them, and a chunk and its row commit together.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hall_api::attachment::DocumentKind;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::reads::{parse_ts, ts};
use super::SqliteStore;
use crate::error::HallError;
use crate::store::attachments::{
    AttachmentRow, AttachmentStore, ChunkOutcome, LinkedAttachment, NewChunk, NewLink,
    NewResultDocument, ResultDocumentRow,
};

const COLUMNS: &str =
    "a.id, a.owner, a.sha_sealed, a.kind, a.total, a.received, a.complete, a.completed_at";

fn u64_of(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn i64_of(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Maps the [`COLUMNS`] starting at `at`.
fn row_at(r: &Row<'_>, at: usize) -> Result<AttachmentRow, HallError> {
    let kind: String = r.get(at + 3)?;
    let completed: Option<String> = r.get(at + 7)?;
    Ok(AttachmentRow {
        id: r.get(at)?,
        owner: r.get(at + 1)?,
        sha_sealed: r.get(at + 2)?,
        kind: DocumentKind::parse(&kind)
            .ok_or_else(|| HallError::Corrupt(format!("attachment kind {kind:?}")))?,
        total: u64_of(r.get(at + 4)?),
        received: u64_of(r.get(at + 5)?),
        complete: r.get(at + 6)?,
        completed_at: completed.as_deref().map(parse_ts).transpose()?,
    })
}

fn one(
    conn: &Connection,
    filter: &str,
    key: &dyn rusqlite::ToSql,
) -> Result<Option<AttachmentRow>, HallError> {
    let sql = format!("SELECT {COLUMNS} FROM attachments a WHERE {filter} = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([key])?;
    match rows.next()? {
        Some(r) => Ok(Some(row_at(r, 0)?)),
        None => Ok(None),
    }
}

fn append(conn: &Connection, c: &NewChunk) -> Result<ChunkOutcome, HallError> {
    let held = one(conn, "a.owner_key", &&c.owner_key[..])?;
    let row = match held {
        None if c.offset == 0 => {
            let Some(kind) = c.kind else {
                return Ok(ChunkOutcome::Mismatch(None));
            };
            conn.prepare_cached(
                "INSERT INTO attachments (id, owner, owner_key, sha_key, sha_sealed, kind, total,
                     received, complete, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, 0, ?8)",
            )?
            .execute(params![
                c.new_id,
                c.owner,
                &c.owner_key[..],
                &c.sha_key[..],
                c.sha_sealed,
                kind.as_str(),
                i64_of(c.total),
                ts(c.at)
            ])?;
            AttachmentRow {
                id: c.new_id.clone(),
                owner: c.owner.clone(),
                sha_sealed: c.sha_sealed.clone(),
                kind,
                total: c.total,
                received: 0,
                complete: false,
                completed_at: None,
            }
        }
        None => return Ok(ChunkOutcome::Mismatch(None)),
        Some(row) if row.id != c.new_id => return Ok(ChunkOutcome::Reseal(row.id)),
        Some(row) if row.complete || row.total != c.total || row.received != c.offset => {
            return Ok(ChunkOutcome::Mismatch(Some(row)))
        }
        Some(row) => row,
    };
    conn.prepare_cached(
        "INSERT INTO attachment_chunks (attachment_id, offset, len, sealed) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![row.id, i64_of(c.offset), i64_of(c.len), c.sealed])?;
    let received = c.offset + c.len;
    conn.prepare_cached("UPDATE attachments SET received = ?2 WHERE id = ?1")?
        .execute(params![row.id, i64_of(received)])?;
    Ok(ChunkOutcome::Stored(AttachmentRow { received, ..row }))
}

fn finish(conn: &Connection, id: &str, ok: bool, at: DateTime<Utc>) -> Result<(), HallError> {
    if ok {
        conn.prepare_cached(
            "UPDATE attachments SET complete = 1, completed_at = ?2
             WHERE id = ?1 AND received = total AND complete = 0",
        )?
        .execute(params![id, ts(at)])?;
    } else {
        // Only a row nothing links to can go (a complete one is never discarded).
        conn.prepare_cached(
            "DELETE FROM attachment_chunks WHERE attachment_id = ?1
               AND EXISTS (SELECT 1 FROM attachments WHERE id = ?1 AND complete = 0)",
        )?
        .execute([id])?;
        conn.prepare_cached("DELETE FROM attachments WHERE id = ?1 AND complete = 0")?
            .execute([id])?;
    }
    Ok(())
}

/// Writes an application's links (called in the application's own transaction).
pub fn link(
    conn: &Connection,
    application_id: &str,
    applicant_key: &[u8; 32],
    links: &[NewLink],
    at: &str,
) -> Result<(), HallError> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO application_attachments (application_id, position, material_code,
             attachment_id, applicant_key, reused, attached_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (i, l) in links.iter().enumerate() {
        stmt.execute(params![
            application_id,
            i64::try_from(i).unwrap_or(i64::MAX),
            l.material_code,
            l.attachment_id,
            &applicant_key[..],
            l.reused,
            at
        ])?;
    }
    Ok(())
}

/// Counted prints (kiosk, when) and failed ones (kiosk, when, why) of a document.
type Prints = (
    Vec<(String, DateTime<Utc>)>,
    Vec<(String, DateTime<Utc>, String)>,
);

fn prints(conn: &Connection, document_id: &str) -> Result<Prints, HallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT kiosk_id, printed_at, failure FROM result_prints WHERE document_id = ?1
         ORDER BY copy",
    )?;
    let mut rows = stmt.query([document_id])?;
    let (mut counted, mut failed) = (Vec::new(), Vec::new());
    while let Some(r) = rows.next()? {
        let (kiosk, at) = (r.get(0)?, parse_ts(&r.get::<_, String>(1)?)?);
        match r.get::<_, Option<String>>(2)? {
            Some(why) => failed.push((kiosk, at, why)),
            None => counted.push((kiosk, at)),
        }
    }
    Ok((counted, failed))
}

fn documents(
    conn: &Connection,
    filter: &str,
    key: &dyn rusqlite::ToSql,
    order: &str,
) -> Result<Vec<ResultDocumentRow>, HallError> {
    let sql = format!(
        "SELECT d.id, d.application_id, d.title, d.copies_allowed, d.attached_by, d.attached_at,
                {COLUMNS}
         FROM result_documents d JOIN attachments a ON a.id = d.attachment_id
         JOIN applications p ON p.id = d.application_id
         WHERE {filter} = ?1 ORDER BY d.attached_at {order}, d.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([key])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let (prints, failed_prints) = prints(conn, &id)?;
        out.push(ResultDocumentRow {
            prints,
            failed_prints,
            id,
            application_id: r.get(1)?,
            title: r.get(2)?,
            copies_allowed: u32::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
            attached_by: r.get(4)?,
            attached_at: parse_ts(&r.get::<_, String>(5)?)?,
            attachment: row_at(r, 6)?,
        });
    }
    Ok(out)
}

#[async_trait]
impl AttachmentStore for SqliteStore {
    async fn attachment_by_owner_key(
        &self,
        owner_key: [u8; 32],
    ) -> Result<Option<AttachmentRow>, HallError> {
        self.read(move |c| one(c, "a.owner_key", &&owner_key[..]))
            .await
    }

    async fn attachment(&self, id: &str) -> Result<Option<AttachmentRow>, HallError> {
        let id = id.to_owned();
        self.read(move |c| one(c, "a.id", &id)).await
    }

    async fn append_chunk(&self, chunk: NewChunk) -> Result<ChunkOutcome, HallError> {
        self.write(move |c| append(c, &chunk)).await
    }

    async fn chunks(&self, id: &str) -> Result<Vec<(u64, Vec<u8>)>, HallError> {
        let id = id.to_owned();
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT offset, sealed FROM attachment_chunks WHERE attachment_id = ?1
                 ORDER BY offset",
            )?;
            let mut rows = stmt.query([&id])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push((u64_of(r.get(0)?), r.get(1)?));
            }
            Ok(out)
        })
        .await
    }

    async fn finish_attachment(
        &self,
        id: &str,
        hash_ok: bool,
        at: DateTime<Utc>,
    ) -> Result<(), HallError> {
        let id = id.to_owned();
        self.write(move |c| finish(c, &id, hash_ok, at)).await
    }

    async fn application_attachments(
        &self,
        application_id: &str,
    ) -> Result<Vec<LinkedAttachment>, HallError> {
        let id = application_id.to_owned();
        self.read(move |c| {
            let sql = format!(
                "SELECT l.position, l.material_code, l.reused, {COLUMNS}
                 FROM application_attachments l JOIN attachments a ON a.id = l.attachment_id
                 WHERE l.application_id = ?1 ORDER BY l.position"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let mut rows = stmt.query([&id])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(LinkedAttachment {
                    position: u32::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                    material_code: r.get(1)?,
                    reused: r.get(2)?,
                    attachment: row_at(r, 3)?,
                });
            }
            Ok(out)
        })
        .await
    }

    async fn held_for_applicant(
        &self,
        applicant_key: [u8; 32],
        sha_key: [u8; 32],
        since: DateTime<Utc>,
    ) -> Result<Option<AttachmentRow>, HallError> {
        self.read(move |c| {
            let sql = format!(
                "SELECT {COLUMNS} FROM attachments a WHERE a.sha_key = ?2 AND a.complete = 1 AND (
                    EXISTS (SELECT 1 FROM application_attachments l
                            JOIN applications p ON p.id = l.application_id
                            WHERE l.attachment_id = a.id AND l.applicant_key = ?1
                              AND l.attached_at >= ?3 AND p.status <> 'rejected')
                    OR EXISTS (SELECT 1 FROM result_documents d
                               JOIN applications p ON p.id = d.application_id
                               WHERE d.attachment_id = a.id AND p.applicant_key = ?1))
                 LIMIT 1"
            );
            c.prepare_cached(&sql)?
                .query_row(params![&applicant_key[..], &sha_key[..], ts(since)], |r| {
                    Ok(row_at(r, 0))
                })
                .optional()?
                .transpose()
        })
        .await
    }

    async fn reusable_uploads(
        &self,
        applicant_key: [u8; 32],
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, AttachmentRow, DateTime<Utc>)>, HallError> {
        self.read(move |c| {
            let sql = format!(
                "SELECT l.material_code, l.attached_at, {COLUMNS}
                 FROM application_attachments l
                 JOIN attachments a ON a.id = l.attachment_id
                 JOIN applications p ON p.id = l.application_id
                 WHERE l.applicant_key = ?1 AND l.attached_at >= ?2 AND a.complete = 1
                   AND p.status <> 'rejected'
                 ORDER BY l.attached_at DESC, l.position"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let mut rows = stmt.query(params![&applicant_key[..], ts(since)])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push((r.get(0)?, row_at(r, 2)?, parse_ts(&r.get::<_, String>(1)?)?));
            }
            Ok(out)
        })
        .await
    }

    async fn add_result_document(&self, doc: NewResultDocument) -> Result<(), HallError> {
        self.write(move |c| {
            c.prepare_cached(
                "INSERT INTO result_documents (id, application_id, attachment_id, title,
                     copies_allowed, attached_by, attached_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                doc.id,
                doc.application_id,
                doc.attachment_id,
                doc.title,
                doc.copies_allowed,
                doc.attached_by,
                ts(doc.attached_at)
            ])?;
            Ok(())
        })
        .await
    }

    async fn result_documents(
        &self,
        application_id: &str,
    ) -> Result<Vec<ResultDocumentRow>, HallError> {
        let id = application_id.to_owned();
        self.read(move |c| documents(c, "d.application_id", &id, "ASC"))
            .await
    }

    async fn result_document(&self, id: &str) -> Result<Option<ResultDocumentRow>, HallError> {
        let id = id.to_owned();
        self.read(move |c| Ok(documents(c, "d.id", &id, "ASC")?.into_iter().next()))
            .await
    }

    async fn result_documents_of(
        &self,
        applicant_key: [u8; 32],
    ) -> Result<Vec<ResultDocumentRow>, HallError> {
        self.read(move |c| documents(c, "p.applicant_key", &&applicant_key[..], "DESC"))
            .await
    }

    async fn record_print(
        &self,
        document_id: &str,
        kiosk_id: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<u32>, HallError> {
        let (id, kiosk) = (document_id.to_owned(), kiosk_id.to_owned());
        self.write(move |c| {
            let allowed: Option<i64> = c
                .prepare_cached("SELECT copies_allowed FROM result_documents WHERE id = ?1")?
                .query_row([&id], |r| r.get(0))
                .optional()?;
            let Some(allowed) = allowed else {
                return Ok(None);
            };
            // Copies given back do not count; their rows keep their numbers.
            let (printed, last): (i64, i64) = c
                .prepare_cached(
                    "SELECT COUNT(*) FILTER (WHERE failed_at IS NULL), COALESCE(MAX(copy), 0)
                     FROM result_prints WHERE document_id = ?1",
                )?
                .query_row([&id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            if printed >= allowed {
                return Ok(None);
            }
            let copy = last + 1;
            c.prepare_cached(
                "INSERT INTO result_prints (document_id, copy, kiosk_id, printed_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![id, copy, kiosk, ts(at)])?;
            Ok(Some(u32::try_from(copy).unwrap_or(u32::MAX)))
        })
        .await
    }

    async fn print_failed(
        &self,
        document_id: &str,
        copy: u32,
        kiosk_id: &str,
        failure: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, HallError> {
        let (id, kiosk, failure) = (
            document_id.to_owned(),
            kiosk_id.to_owned(),
            failure.to_owned(),
        );
        self.write(move |c| {
            let changed = c
                .prepare_cached(
                    "UPDATE result_prints SET failed_at = ?4, failure = ?5
                     WHERE document_id = ?1 AND copy = ?2 AND kiosk_id = ?3
                       AND failed_at IS NULL",
                )?
                .execute(params![id, copy, kiosk, ts(at), failure])?;
            Ok(changed == 1)
        })
        .await
    }
}
