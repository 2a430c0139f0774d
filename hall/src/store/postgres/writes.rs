//! Writes, each one transaction. Several halls may write at once: the idempotency key is
//! taken by inserting its row first (the primary key decides a race; `ON CONFLICT DO
//! NOTHING` waits for the other transaction and the loser answers the winner's stored
//! record), a status move locks its application row, catalog edits hold an advisory lock.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use hall_api::application::{Status, TimelineEntry};

use super::reads::{self, application};
use super::PgStore;
use crate::crypto::constant_time_eq;
use crate::error::HallError;
use crate::partners::{target_of, PartnerLink, FORWARD_KIND};
use crate::store::sqlite::reads::status_str;
use crate::store::{
    ApplicationRecord, CatalogAdded, IdempotencyScope, Moved, NewApplication, NewCatalogVersion,
    Principal, PrincipalKind, StoredCatalog, Written,
};

/// The advisory lock catalog edits hold, so an edit's base check and its insert are not
/// interleaved with another hall's ("hallcata").
const CATALOG_LOCK: i64 = 0x6861_6c6c_6361_7461;

pub(super) async fn bump_generation<C: GenericClient>(c: &C, name: &str) -> Result<(), HallError> {
    c.execute(
        "UPDATE generations SET value = value + 1 WHERE name = $1",
        &[&name],
    )
    .await?;
    Ok(())
}

/// What taking an idempotency key found.
pub(super) enum Key {
    /// Ours now (committed with the rest of the transaction).
    Taken,
    /// Held by an earlier delivery of the same body: its resource id.
    Same(String),
    /// Held by a delivery with another body.
    Different,
}

/// Takes an idempotency key for `resource_id` by inserting its row. The primary key decides
/// a race between halls: `ON CONFLICT DO NOTHING` waits for the transaction holding the key
/// and, once that commits, the holder's row is read and compared.
pub(super) async fn take_key<C: GenericClient>(
    c: &C,
    s: &IdempotencyScope,
    resource_id: &str,
) -> Result<Key, HallError> {
    let taken = c
        .execute(
            "INSERT INTO idempotency (kiosk_id, kind, key, body_mac, resource_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (kiosk_id, kind, key) DO NOTHING",
            &[
                &s.kiosk_id,
                &s.kind,
                &s.key,
                &&s.body_mac[..],
                &resource_id,
                &Utc::now(),
            ],
        )
        .await?;
    if taken > 0 {
        return Ok(Key::Taken);
    }
    let Some((mac, id)) = reads::idempotency(c, &s.kiosk_id, s.kind, &s.key).await? else {
        // The holder rolled back between our insert and our read: the caller retries.
        return Err(HallError::Unavailable(
            "an idempotency key was released during the write".into(),
        ));
    };
    Ok(if constant_time_eq(&mac, &s.body_mac) {
        Key::Same(id)
    } else {
        Key::Different
    })
}

async fn must_read<C: GenericClient>(c: &C, id: &str) -> Result<ApplicationRecord, HallError> {
    application(c, "id", id)
        .await?
        .ok_or_else(|| HallError::Corrupt(format!("application {id} vanished")))
}

/// The partner link of a new application (and its queued forward), as SQLite's.
async fn link_partner<C: GenericClient>(
    c: &C,
    application_id: &str,
    link: &PartnerLink,
) -> Result<(), HallError> {
    let (direction, place, remote_id, remote_tracking, applied): (_, _, _, _, i64) = match link {
        PartnerLink::ForwardTo { place, forward } => {
            c.execute(
                "INSERT INTO notice_events (id, kind, created_at, sealed) VALUES ($1, $2, $3, $4)",
                &[
                    &forward.event_id,
                    &FORWARD_KIND,
                    &forward.created_at,
                    &forward.sealed,
                ],
            )
            .await?;
            c.execute(
                "INSERT INTO notice_deliveries (event_id, kind, target, status, next_attempt_at,
                     created_at, updated_at)
                 VALUES ($1, $2, $3, 'pending', $4, $4, $4)",
                &[
                    &forward.event_id,
                    &FORWARD_KIND,
                    &target_of(&place.code),
                    &forward.created_at,
                ],
            )
            .await?;
            // The partner's own first entry (已提交 there) is not a step of ours.
            ("out", place, None, None, 1)
        }
        PartnerLink::ReceivedFrom {
            place,
            origin_id,
            origin_tracking_code,
        } => (
            "in",
            place,
            Some(origin_id.as_str()),
            Some(origin_tracking_code.as_str()),
            0,
        ),
    };
    c.execute(
        "INSERT INTO partner_links (application_id, direction, partner_code, partner_name,
             partner_name_en, remote_id, remote_tracking_code, applied_steps)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &application_id,
            &direction,
            &place.code,
            &place.name,
            &place.name_en,
            &remote_id,
            &remote_tracking,
            &applied,
        ],
    )
    .await?;
    Ok(())
}

/// Every row of a new application after its key is taken.
async fn insert_application<C: GenericClient>(
    c: &C,
    app: &NewApplication,
) -> Result<(), HallError> {
    let submitted = status_str(Status::Submitted)?;
    let insert = c
        .prepare_cached(
            "INSERT INTO applications (id, kiosk_id, tracking_code, verifier_hash, subject_type,
                 subject_code, subject_name, catalog_version, applicant_key, payload, mailed,
                 status, received_at, promised_by, channel)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .await?;
    c.execute(
        &insert,
        &[
            &app.id,
            &app.scope.kiosk_id,
            &app.tracking_code,
            &&app.verifier_hash[..],
            &app.subject_type,
            &app.subject_code,
            &app.subject_name,
            &app.catalog_version,
            &&app.applicant_key[..],
            &app.sealed_payload,
            &app.mailed,
            &submitted,
            &app.received_at,
            &app.promised_by,
            &app.channel.as_str(),
        ],
    )
    .await?;
    c.execute(
        "INSERT INTO timeline (application_id, seq, status, at, note) VALUES ($1, 1, $2, $3, $4)",
        &[
            &app.id,
            &submitted,
            &app.received_at,
            &app.first_entry_note(),
        ],
    )
    .await?;
    c.execute(
        "INSERT INTO application_consents (application_id, sms_notices, recorded_at)
         VALUES ($1, $2, $3)",
        &[&app.id, &app.notify_consent, &app.received_at],
    )
    .await?;
    for (code, name) in &app.reusable_materials {
        c.execute(
            "INSERT INTO material_holdings (applicant_key, code, name, application_id,
                 handed_in_at)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &&app.applicant_key[..],
                code,
                name,
                &app.id,
                &app.received_at,
            ],
        )
        .await?;
    }
    if let Some(link) = &app.partner {
        link_partner(c, &app.id, link).await?;
    }
    for (i, l) in app.attachments.iter().enumerate() {
        c.execute(
            "INSERT INTO application_attachments (application_id, position, material_code,
                 attachment_id, applicant_key, reused, attached_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &app.id,
                &i64::try_from(i).unwrap_or(i64::MAX),
                &l.material_code,
                &l.attachment_id,
                &&app.applicant_key[..],
                &l.reused,
                &app.received_at,
            ],
        )
        .await?;
    }
    Ok(())
}

/// The timeline entries of an application whose row the caller has locked. Counted in a
/// statement of its own, after the lock: under READ COMMITTED each statement reads a fresh
/// snapshot, so a move another hall committed while we waited for the lock is counted (a
/// subquery in the locking statement would read the snapshot from before the wait).
pub(super) async fn steps_taken<C: GenericClient>(c: &C, id: &str) -> Result<i64, HallError> {
    Ok(c.query_one(
        "SELECT COUNT(*) FROM timeline WHERE application_id = $1",
        &[&id],
    )
    .await?
    .get(0))
}

/// A status move inside the caller's transaction (the application row locked).
pub(super) async fn move_status_in<C: GenericClient>(
    c: &C,
    id: &str,
    entry: &TimelineEntry,
) -> Result<Moved, HallError> {
    let Some(row) = c
        .query_opt(
            "SELECT status FROM applications WHERE id = $1 FOR UPDATE",
            &[&id],
        )
        .await?
    else {
        return Ok(Moved::NotFound);
    };
    let current = crate::store::sqlite::reads::parse_status(row.get(0))?;
    if !current.can_move_to(entry.status) {
        return Ok(Moved::NotAllowed(current));
    }
    let next_seq = steps_taken(c, id).await? + 1;
    let status = status_str(entry.status)?;
    c.execute(
        "INSERT INTO timeline (application_id, seq, status, at, note)
         VALUES ($1, $2, $3, $4, $5)",
        &[&id, &next_seq, &status, &entry.at, &entry.note],
    )
    .await?;
    c.execute(
        "UPDATE applications SET status = $2 WHERE id = $1",
        &[&id, &status],
    )
    .await?;
    let record = must_read(c, id).await?;
    Ok(Moved::Done(Box::new(record)))
}

/// Adds or replaces (and un-revokes) a credential in the caller's transaction.
pub(super) async fn put_principal_in<C: GenericClient>(
    c: &C,
    p: &Principal,
) -> Result<(), HallError> {
    c.execute(
        "INSERT INTO principals (kind, id, label, secret_hash, created_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (kind, id) DO UPDATE SET label = excluded.label,
             secret_hash = excluded.secret_hash, revoked_at = NULL",
        &[
            &p.kind.as_str(),
            &p.id,
            &p.label,
            &&p.secret_hash[..],
            &Utc::now(),
        ],
    )
    .await?;
    Ok(())
}

/// Revokes a credential in the caller's transaction, bumping the credentials generation.
pub(super) async fn revoke_principal_in<C: GenericClient>(
    c: &C,
    kind: PrincipalKind,
    id: &str,
) -> Result<bool, HallError> {
    let n = c
        .execute(
            "UPDATE principals SET revoked_at = $3
             WHERE kind = $1 AND id = $2 AND revoked_at IS NULL",
            &[&kind.as_str(), &id, &Utc::now()],
        )
        .await?;
    if n > 0 {
        bump_generation(c, "credentials").await?;
    }
    Ok(n > 0)
}

impl PgStore {
    /// Stores a catalog version in effect from now (no-op if this version exists).
    pub(super) async fn put_catalog(&self, catalog: StoredCatalog) -> Result<(), HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let now = Utc::now();
        let n = tx
            .execute(
                "INSERT INTO catalog (version, json, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&catalog.version, &catalog.json, &now],
            )
            .await?;
        if n > 0 {
            tx.execute(
                "INSERT INTO catalog_schedule (version, effective_at, source)
                 VALUES ($1, $2, 'seed') ON CONFLICT DO NOTHING",
                &[&catalog.version, &now],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Stores a new catalog version and bumps the catalog generation, or says why not.
    pub(super) async fn add_catalog_version(
        &self,
        v: NewCatalogVersion,
    ) -> Result<CatalogAdded, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CATALOG_LOCK])
            .await?;
        if let Some(base) = &v.base {
            let in_effect = reads::catalog_at(&tx, v.effective_at)
                .await?
                .map(|c| c.version);
            if in_effect.as_deref() != Some(base.as_str()) {
                return Ok(CatalogAdded::BaseChanged);
            }
        }
        let n = tx
            .execute(
                "INSERT INTO catalog (version, json, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&v.version, &v.json, &Utc::now()],
            )
            .await?;
        if n == 0 {
            return Ok(CatalogAdded::LabelTaken);
        }
        tx.execute(
            "INSERT INTO catalog_schedule (version, effective_at, source, author)
             VALUES ($1, $2, $3, $4)",
            &[&v.version, &v.effective_at, &v.source, &v.author],
        )
        .await?;
        bump_generation(&tx, "catalog").await?;
        tx.commit().await?;
        Ok(CatalogAdded::Stored)
    }

    /// Adds or replaces (and un-revokes) a credential.
    pub(super) async fn put_principal(&self, p: Principal) -> Result<(), HallError> {
        put_principal_in(&self.client().await?, &p).await
    }

    /// Revokes a credential and bumps the credentials generation; false if none was live.
    pub(super) async fn revoke_principal(
        &self,
        kind: PrincipalKind,
        id: &str,
    ) -> Result<bool, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let revoked = revoke_principal_in(&tx, kind, id).await?;
        tx.commit().await?;
        Ok(revoked)
    }

    /// Stores an application exactly once per idempotency key, whichever hall process
    /// receives each delivery.
    pub(super) async fn create_application(
        &self,
        app: NewApplication,
    ) -> Result<Written<ApplicationRecord>, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        match take_key(&tx, &app.scope, &app.id).await? {
            Key::Taken => {}
            Key::Same(id) => return Ok(Written::Replayed(must_read(&tx, &id).await?)),
            Key::Different => return Ok(Written::Conflict),
        }
        insert_application(&tx, &app).await?;
        let record = must_read(&tx, &app.id).await?;
        tx.commit().await?;
        Ok(Written::Created(record))
    }

    /// Moves an application along the status loop if allowed. The row is locked for the
    /// move, so concurrent moves apply one after the other and none is lost.
    pub(super) async fn move_status(
        &self,
        id: &str,
        entry: TimelineEntry,
    ) -> Result<Moved, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let moved = move_status_in(&tx, id, &entry).await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// Records a kiosk's heartbeat (the newest is kept): in the current batch (see
    /// `heartbeats.rs`), or on its own when batching is off.
    pub(super) async fn record_heartbeat(
        &self,
        kiosk_id: &str,
        at: DateTime<Utc>,
        json: String,
    ) -> Result<(), HallError> {
        if self.heartbeats.batching().batched {
            return self.heartbeats.record(&self.pool, kiosk_id, at, json).await;
        }
        let c = self.client().await?;
        c.execute(
            "INSERT INTO kiosk_state (kiosk_id, last_seen, heartbeat) VALUES ($1, $2, $3)
             ON CONFLICT (kiosk_id) DO UPDATE SET last_seen = excluded.last_seen,
                 heartbeat = excluded.heartbeat
             WHERE kiosk_state.last_seen <= excluded.last_seen",
            &[&kiosk_id, &at, &json],
        )
        .await?;
        Ok(())
    }

    /// Withdraws or restores an item; bumps the catalog generation. False if nothing changed.
    pub(super) async fn set_item_withdrawn(
        &self,
        code: &str,
        withdraw: bool,
    ) -> Result<bool, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let n = if withdraw {
            tx.execute(
                "INSERT INTO catalog_withdrawals (item_code, withdrawn_at) VALUES ($1, $2)
                 ON CONFLICT DO NOTHING",
                &[&code, &Utc::now()],
            )
            .await?
        } else {
            tx.execute(
                "DELETE FROM catalog_withdrawals WHERE item_code = $1",
                &[&code],
            )
            .await?
        };
        if n > 0 {
            bump_generation(&tx, "catalog").await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    }

    /// Audits a look-up by ID number (keyed hash only).
    pub(super) async fn audit_id_lookup(
        &self,
        kiosk_id: &str,
        route: &'static str,
        applicant_key: [u8; 32],
        at: DateTime<Utc>,
    ) -> Result<(), HallError> {
        let c = self.client().await?;
        c.execute(
            "INSERT INTO id_lookups (kiosk_id, route, applicant_key, at) VALUES ($1, $2, $3, $4)",
            &[&kiosk_id, &route, &&applicant_key[..], &at],
        )
        .await?;
        Ok(())
    }
}
