//! PostgreSQL side of [`AttachmentStore`]: sealed chunks as BYTEA rows, a chunk and its
//! row's progress committed together. Chunks of one upload arriving at two halls at once
//! are ordered by the attachment row's lock; the first chunk's insert is decided by the
//! unique owner key (the loser then sees the winner's row, as on SQLite).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use hall_api::attachment::DocumentKind;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use super::PgStore;
use crate::error::HallError;
use crate::store::attachments::{
    AttachmentRow, AttachmentStore, ChunkOutcome, LinkedAttachment, NewChunk, NewResultDocument,
    ResultDocumentRow,
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
fn row_at(r: &Row, at: usize) -> Result<AttachmentRow, HallError> {
    let kind: String = r.get(at + 3);
    Ok(AttachmentRow {
        id: r.get(at),
        owner: r.get(at + 1),
        sha_sealed: r.get(at + 2),
        kind: DocumentKind::parse(&kind)
            .ok_or_else(|| HallError::Corrupt(format!("attachment kind {kind:?}")))?,
        total: u64_of(r.get(at + 4)),
        received: u64_of(r.get(at + 5)),
        complete: r.get(at + 6),
        completed_at: r.get(at + 7),
    })
}

/// One attachment by `filter` (`a.id` or `a.owner_key`), locked if `lock`.
async fn one<C: GenericClient>(
    c: &C,
    filter: &str,
    key: &(dyn ToSql + Sync),
    lock: bool,
) -> Result<Option<AttachmentRow>, HallError> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    let sql = format!("SELECT {COLUMNS} FROM attachments a WHERE {filter} = $1{lock}");
    c.query_opt(&sql, &[key])
        .await?
        .map(|r| row_at(&r, 0))
        .transpose()
}

async fn append<C: GenericClient>(c: &C, k: &NewChunk) -> Result<ChunkOutcome, HallError> {
    let owner_key = &k.owner_key[..];
    let mut held = one(c, "a.owner_key", &owner_key, true).await?;
    if held.is_none() && k.offset == 0 {
        let Some(kind) = k.kind else {
            return Ok(ChunkOutcome::Mismatch(None));
        };
        let inserted = c
            .execute(
                "INSERT INTO attachments (id, owner, owner_key, sha_key, sha_sealed, kind, total,
                     received, complete, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 0, FALSE, $8)
                 ON CONFLICT (owner_key) DO NOTHING",
                &[
                    &k.new_id,
                    &k.owner,
                    &owner_key,
                    &&k.sha_key[..],
                    &k.sha_sealed,
                    &kind.as_str(),
                    &i64_of(k.total),
                    &k.at,
                ],
            )
            .await?;
        // Ours, or another hall's first chunk won the owner key: either way lock that row.
        held = one(c, "a.owner_key", &owner_key, true).await?;
        if inserted == 0 {
            if let Some(row) = held.as_ref().filter(|r| r.id != k.new_id) {
                return Ok(ChunkOutcome::Reseal(row.id.clone()));
            }
        }
    }
    let row = match held {
        None => return Ok(ChunkOutcome::Mismatch(None)),
        Some(row) if row.id != k.new_id => return Ok(ChunkOutcome::Reseal(row.id)),
        Some(row) if row.complete || row.total != k.total || row.received != k.offset => {
            return Ok(ChunkOutcome::Mismatch(Some(row)))
        }
        Some(row) => row,
    };
    c.execute(
        "INSERT INTO attachment_chunks (attachment_id, \"offset\", len, sealed)
         VALUES ($1, $2, $3, $4)",
        &[&row.id, &i64_of(k.offset), &i64_of(k.len), &k.sealed],
    )
    .await?;
    let received = k.offset + k.len;
    c.execute(
        "UPDATE attachments SET received = $2 WHERE id = $1",
        &[&row.id, &i64_of(received)],
    )
    .await?;
    Ok(ChunkOutcome::Stored(AttachmentRow { received, ..row }))
}

impl PgStore {
    async fn documents(
        &self,
        filter: &str,
        key: &(dyn ToSql + Sync),
        order: &str,
    ) -> Result<Vec<ResultDocumentRow>, HallError> {
        let c = self.client().await?;
        let sql = format!(
            "SELECT d.id, d.application_id, d.title, d.copies_allowed, d.attached_by,
                    d.attached_at, {COLUMNS}
             FROM result_documents d JOIN attachments a ON a.id = d.attachment_id
             JOIN applications p ON p.id = d.application_id
             WHERE {filter} = $1 ORDER BY d.attached_at {order}, d.id"
        );
        let rows = c.query(&sql, &[key]).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: String = r.get(0);
            let (mut prints, mut failed_prints) = (Vec::new(), Vec::new());
            for p in c
                .query(
                    "SELECT kiosk_id, printed_at, failure FROM result_prints
                     WHERE document_id = $1 ORDER BY copy",
                    &[&id],
                )
                .await?
            {
                match p.get::<_, Option<String>>(2) {
                    Some(why) => failed_prints.push((p.get(0), p.get(1), why)),
                    None => prints.push((p.get(0), p.get(1))),
                }
            }
            out.push(ResultDocumentRow {
                prints,
                failed_prints,
                id,
                application_id: r.get(1),
                title: r.get(2),
                copies_allowed: u32::try_from(r.get::<_, i64>(3)).unwrap_or(0),
                attached_by: r.get(4),
                attached_at: r.get(5),
                attachment: row_at(&r, 6)?,
            });
        }
        Ok(out)
    }
}

#[async_trait]
impl AttachmentStore for PgStore {
    async fn attachment_by_owner_key(
        &self,
        owner_key: [u8; 32],
    ) -> Result<Option<AttachmentRow>, HallError> {
        one(&self.client().await?, "a.owner_key", &&owner_key[..], false).await
    }

    async fn attachment(&self, id: &str) -> Result<Option<AttachmentRow>, HallError> {
        one(&self.client().await?, "a.id", &id, false).await
    }

    async fn append_chunk(&self, chunk: NewChunk) -> Result<ChunkOutcome, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let outcome = append(&tx, &chunk).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn chunks(&self, id: &str) -> Result<Vec<(u64, Vec<u8>)>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT \"offset\", sealed FROM attachment_chunks WHERE attachment_id = $1
                 ORDER BY \"offset\"",
                &[&id],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| (u64_of(r.get(0)), r.get(1)))
            .collect())
    }

    async fn finish_attachment(
        &self,
        id: &str,
        hash_ok: bool,
        at: DateTime<Utc>,
    ) -> Result<(), HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        if hash_ok {
            tx.execute(
                "UPDATE attachments SET complete = TRUE, completed_at = $2
                 WHERE id = $1 AND received = total AND NOT complete",
                &[&id, &at],
            )
            .await?;
        } else {
            // Only a row nothing links to can go (a complete one is never discarded).
            let gone = tx
                .execute(
                    "DELETE FROM attachments WHERE id = $1 AND NOT complete",
                    &[&id],
                )
                .await?;
            if gone > 0 {
                // The chunks went with it (ON DELETE CASCADE).
                tracing::debug!(attachment = id, "incomplete upload discarded");
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn application_attachments(
        &self,
        application_id: &str,
    ) -> Result<Vec<LinkedAttachment>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(
                &format!(
                    "SELECT l.position, l.material_code, l.reused, {COLUMNS}
                     FROM application_attachments l JOIN attachments a ON a.id = l.attachment_id
                     WHERE l.application_id = $1 ORDER BY l.position"
                ),
                &[&application_id],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(LinkedAttachment {
                    position: u32::try_from(r.get::<_, i64>(0)).unwrap_or(0),
                    material_code: r.get(1),
                    reused: r.get(2),
                    attachment: row_at(r, 3)?,
                })
            })
            .collect()
    }

    async fn held_for_applicant(
        &self,
        applicant_key: [u8; 32],
        sha_key: [u8; 32],
        since: DateTime<Utc>,
    ) -> Result<Option<AttachmentRow>, HallError> {
        let c = self.client().await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM attachments a WHERE a.sha_key = $2 AND a.complete AND (
                EXISTS (SELECT 1 FROM application_attachments l
                        JOIN applications p ON p.id = l.application_id
                        WHERE l.attachment_id = a.id AND l.applicant_key = $1
                          AND l.attached_at >= $3 AND p.status <> 'rejected')
                OR EXISTS (SELECT 1 FROM result_documents d
                           JOIN applications p ON p.id = d.application_id
                           WHERE d.attachment_id = a.id AND p.applicant_key = $1))
             LIMIT 1"
        );
        c.query_opt(&sql, &[&&applicant_key[..], &&sha_key[..], &since])
            .await?
            .map(|r| row_at(&r, 0))
            .transpose()
    }

    async fn reusable_uploads(
        &self,
        applicant_key: [u8; 32],
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, AttachmentRow, DateTime<Utc>)>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(
                &format!(
                    "SELECT l.material_code, l.attached_at, {COLUMNS}
                     FROM application_attachments l
                     JOIN attachments a ON a.id = l.attachment_id
                     JOIN applications p ON p.id = l.application_id
                     WHERE l.applicant_key = $1 AND l.attached_at >= $2 AND a.complete
                       AND p.status <> 'rejected'
                     ORDER BY l.attached_at DESC, l.position"
                ),
                &[&&applicant_key[..], &since],
            )
            .await?;
        rows.iter()
            .map(|r| Ok((r.get(0), row_at(r, 2)?, r.get(1))))
            .collect()
    }

    async fn add_result_document(&self, doc: NewResultDocument) -> Result<(), HallError> {
        let c = self.client().await?;
        c.execute(
            "INSERT INTO result_documents (id, application_id, attachment_id, title,
                 copies_allowed, attached_by, attached_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &doc.id,
                &doc.application_id,
                &doc.attachment_id,
                &doc.title,
                &i64::from(doc.copies_allowed),
                &doc.attached_by,
                &doc.attached_at,
            ],
        )
        .await?;
        Ok(())
    }

    async fn result_documents(
        &self,
        application_id: &str,
    ) -> Result<Vec<ResultDocumentRow>, HallError> {
        self.documents("d.application_id", &application_id, "ASC")
            .await
    }

    async fn result_document(&self, id: &str) -> Result<Option<ResultDocumentRow>, HallError> {
        Ok(self.documents("d.id", &id, "ASC").await?.into_iter().next())
    }

    async fn result_documents_of(
        &self,
        applicant_key: [u8; 32],
    ) -> Result<Vec<ResultDocumentRow>, HallError> {
        self.documents("p.applicant_key", &&applicant_key[..], "DESC")
            .await
    }

    async fn record_print(
        &self,
        document_id: &str,
        kiosk_id: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<u32>, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // The document row's lock orders copies printed at two halls at once.
        let Some(allowed) = tx
            .query_opt(
                "SELECT copies_allowed FROM result_documents WHERE id = $1 FOR UPDATE",
                &[&document_id],
            )
            .await?
            .map(|r| r.get::<_, i64>(0))
        else {
            return Ok(None);
        };
        // Copies given back do not count; their rows keep their numbers.
        let counts = tx
            .query_one(
                "SELECT COUNT(*) FILTER (WHERE failed_at IS NULL), COALESCE(MAX(copy), 0)
                 FROM result_prints WHERE document_id = $1",
                &[&document_id],
            )
            .await?;
        let (printed, last): (i64, i64) = (counts.get(0), counts.get(1));
        if printed >= allowed {
            return Ok(None);
        }
        let copy = last + 1;
        tx.execute(
            "INSERT INTO result_prints (document_id, copy, kiosk_id, printed_at)
             VALUES ($1, $2, $3, $4)",
            &[&document_id, &copy, &kiosk_id, &at],
        )
        .await?;
        tx.commit().await?;
        Ok(Some(u32::try_from(copy).unwrap_or(u32::MAX)))
    }

    async fn print_failed(
        &self,
        document_id: &str,
        copy: u32,
        kiosk_id: &str,
        failure: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, HallError> {
        let c = self.client().await?;
        let changed = c
            .execute(
                "UPDATE result_prints SET failed_at = $4, failure = $5
                 WHERE document_id = $1 AND copy = $2 AND kiosk_id = $3 AND failed_at IS NULL",
                &[&document_id, &i64::from(copy), &kiosk_id, &at, &failure],
            )
            .await?;
        Ok(changed == 1)
    }
}
