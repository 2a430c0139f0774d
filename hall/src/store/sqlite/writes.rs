//! Writes, each run by the writer thread inside the batch transaction (under its own
//! savepoint). The idempotency check and the insert happen in the same transaction on the one
//! writer, so concurrent duplicates of a key cannot both insert.

use hall_api::application::{Status, TimelineEntry};
use rusqlite::{params, Connection, OptionalExtension};

use super::reads::{self, parse_ts, status_str, ts};
use crate::crypto::constant_time_eq;
use crate::error::HallError;
use crate::store::CatalogAdded;
use crate::store::{
    ApplicationRecord, Booked, BookingRecord, IdempotencyScope, Moved, NewApplication, NewBooking,
    NewCatalogVersion, NewRating, NewTicket, Principal, Rated, RatingRecord, StoredCatalog,
    TicketRecord, Written,
};

pub fn put_catalog(conn: &Connection, catalog: &StoredCatalog) -> Result<(), HallError> {
    let now = ts(chrono::Utc::now());
    let n = conn.execute(
        "INSERT OR IGNORE INTO catalog (version, json, created_at) VALUES (?1, ?2, ?3)",
        params![catalog.version, catalog.json, now],
    )?;
    if n > 0 {
        conn.execute(
            "INSERT OR IGNORE INTO catalog_schedule (version, effective_at, source) VALUES (?1, ?2, 'seed')",
            params![catalog.version, now],
        )?;
    }
    Ok(())
}

pub fn add_catalog_version(
    conn: &Connection,
    v: &NewCatalogVersion,
) -> Result<CatalogAdded, HallError> {
    if let Some(base) = &v.base {
        let in_effect = reads::catalog_at(conn, v.effective_at)?.map(|c| c.version);
        if in_effect.as_deref() != Some(base.as_str()) {
            return Ok(CatalogAdded::BaseChanged);
        }
    }
    let n = conn.execute(
        "INSERT OR IGNORE INTO catalog (version, json, created_at) VALUES (?1, ?2, ?3)",
        params![v.version, v.json, ts(chrono::Utc::now())],
    )?;
    if n == 0 {
        return Ok(CatalogAdded::LabelTaken);
    }
    conn.execute(
        "INSERT INTO catalog_schedule (version, effective_at, source, author) VALUES (?1, ?2, ?3, ?4)",
        params![v.version, ts(v.effective_at), v.source, v.author],
    )?;
    bump_generation(conn, "catalog")?;
    Ok(CatalogAdded::Stored)
}

pub fn put_principal(conn: &Connection, p: &Principal) -> Result<(), HallError> {
    conn.execute(
        "INSERT INTO principals (kind, id, label, secret_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (kind, id) DO UPDATE SET label = excluded.label,
             secret_hash = excluded.secret_hash, revoked_at = NULL",
        params![
            p.kind.as_str(),
            p.id,
            p.label,
            &p.secret_hash[..],
            ts(chrono::Utc::now())
        ],
    )?;
    Ok(())
}

/// What an idempotency key says about a request.
enum Seen {
    New,
    Same(String),
    Different,
}

fn seen(conn: &Connection, scope: &IdempotencyScope) -> Result<Seen, HallError> {
    let row: Option<(Vec<u8>, String)> = conn
        .prepare_cached(
            "SELECT body_mac, resource_id FROM idempotency
             WHERE kiosk_id = ?1 AND kind = ?2 AND key = ?3",
        )?
        .query_row(params![scope.kiosk_id, scope.kind, scope.key], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    Ok(match row {
        None => Seen::New,
        Some((mac, id)) if constant_time_eq(&mac, &scope.body_mac) => Seen::Same(id),
        Some(_) => Seen::Different,
    })
}

fn remember(
    conn: &Connection,
    scope: &IdempotencyScope,
    resource_id: &str,
) -> Result<(), HallError> {
    conn.prepare_cached(
        "INSERT INTO idempotency (kiosk_id, kind, key, body_mac, resource_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        scope.kiosk_id,
        scope.kind,
        scope.key,
        &scope.body_mac[..],
        resource_id,
        ts(chrono::Utc::now())
    ])?;
    Ok(())
}

fn must_read(conn: &Connection, id: &str) -> Result<ApplicationRecord, HallError> {
    reads::application(conn, "id", id)?
        .ok_or_else(|| HallError::Corrupt(format!("application {id} vanished")))
}

pub fn create_application(
    conn: &Connection,
    app: &NewApplication,
) -> Result<Written<ApplicationRecord>, HallError> {
    match seen(conn, &app.scope)? {
        Seen::Same(id) => return Ok(Written::Replayed(must_read(conn, &id)?)),
        Seen::Different => return Ok(Written::Conflict),
        Seen::New => {}
    }
    let received = ts(app.received_at);
    conn.prepare_cached(
        "INSERT INTO applications (id, kiosk_id, tracking_code, verifier_hash, subject_type,
             subject_code, subject_name, catalog_version, applicant_key, payload, mailed, status,
             received_at, promised_by, channel)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        app.id,
        app.scope.kiosk_id,
        app.tracking_code,
        &app.verifier_hash[..],
        app.subject_type,
        app.subject_code,
        app.subject_name,
        app.catalog_version,
        &app.applicant_key[..],
        app.sealed_payload,
        app.mailed,
        status_str(Status::Submitted)?,
        received,
        app.promised_by.format("%Y-%m-%d").to_string(),
        app.channel.as_str(),
    ])?;
    conn.prepare_cached(
        "INSERT INTO timeline (application_id, seq, status, at, note) VALUES (?1, 1, ?2, ?3, ?4)",
    )?
    .execute(params![
        app.id,
        status_str(Status::Submitted)?,
        received,
        app.first_entry_note()
    ])?;
    conn.prepare_cached(
        "INSERT INTO application_consents (application_id, sms_notices, recorded_at)
         VALUES (?1, ?2, ?3)",
    )?
    .execute(params![app.id, app.notify_consent, received])?;
    let mut holding = conn.prepare_cached(
        "INSERT INTO material_holdings (applicant_key, code, name, application_id, handed_in_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (code, name) in &app.reusable_materials {
        holding.execute(params![
            &app.applicant_key[..],
            code,
            name,
            app.id,
            received
        ])?;
    }
    if let Some(link) = &app.partner {
        super::partners::link(conn, &app.id, link)?;
    }
    super::attachments::link(
        conn,
        &app.id,
        &app.applicant_key,
        &app.attachments,
        &received,
    )?;
    remember(conn, &app.scope, &app.id)?;
    Ok(Written::Created(must_read(conn, &app.id)?))
}

pub fn move_status(conn: &Connection, id: &str, entry: &TimelineEntry) -> Result<Moved, HallError> {
    let Some(current) = reads::application(conn, "id", id)? else {
        return Ok(Moved::NotFound);
    };
    if !current.status.can_move_to(entry.status) {
        return Ok(Moved::NotAllowed(current.status));
    }
    let next_seq = current.timeline.len() + 1;
    conn.execute(
        "INSERT INTO timeline (application_id, seq, status, at, note) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            id,
            next_seq,
            status_str(entry.status)?,
            ts(entry.at),
            entry.note
        ],
    )?;
    conn.execute(
        "UPDATE applications SET status = ?2 WHERE id = ?1",
        params![id, status_str(entry.status)?],
    )?;
    Ok(Moved::Done(Box::new(must_read(conn, id)?)))
}

pub fn rate(conn: &Connection, r: &NewRating) -> Result<Rated, HallError> {
    let existing: Option<(String, String, u8, String, Vec<u8>)> = conn
        .query_row(
            "SELECT id, subject_code, level, rated_at, body_mac FROM ratings WHERE application_id = ?1",
            [&r.application_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)),
        )
        .optional()?;
    if let Some((id, subject_code, level, at, mac)) = existing {
        let legacy = r.legacy_mac.is_some_and(|m| constant_time_eq(&mac, &m));
        if !constant_time_eq(&mac, &r.body_mac) && !legacy {
            return Ok(Rated::AlreadyRated);
        }
        return Ok(Rated::Done(RatingRecord {
            id,
            subject_code,
            level,
            rated_at: parse_ts(&at)?,
        }));
    }
    conn.execute(
        "INSERT INTO ratings (id, application_id, subject_code, level, reasons, sealed, body_mac,
             kiosk_id, rated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            r.id,
            r.application_id,
            r.subject_code,
            r.level,
            r.reasons_json,
            r.sealed,
            &r.body_mac[..],
            r.kiosk_id,
            ts(r.rated_at)
        ],
    )?;
    // Every 差评 opens its rectification case in the same transaction.
    if hall_api::feedback::is_bad_level(r.level) {
        conn.execute(
            "INSERT INTO rating_cases (rating_id, stage) VALUES (?1, 'verify')",
            [&r.id],
        )?;
    }
    Ok(Rated::Done(RatingRecord {
        id: r.id.clone(),
        subject_code: r.subject_code.clone(),
        level: r.level,
        rated_at: r.rated_at,
    }))
}

fn ticket(conn: &Connection, id: &str) -> Result<TicketRecord, HallError> {
    let (reference, at): (String, String) = conn.query_row(
        "SELECT reference, received_at FROM tickets WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(TicketRecord {
        id: id.to_owned(),
        reference,
        received_at: parse_ts(&at)?,
    })
}

pub fn create_ticket(conn: &Connection, t: &NewTicket) -> Result<Written<TicketRecord>, HallError> {
    match seen(conn, &t.scope)? {
        Seen::Same(id) => return Ok(Written::Replayed(ticket(conn, &id)?)),
        Seen::Different => return Ok(Written::Conflict),
        Seen::New => {}
    }
    conn.execute(
        "INSERT INTO tickets (id, kind, reference, category, item_code, kiosk_id, sealed, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            t.id,
            t.scope.kind,
            t.reference,
            t.category,
            t.item_code,
            t.scope.kiosk_id,
            t.sealed,
            ts(t.received_at)
        ],
    )?;
    remember(conn, &t.scope, &t.id)?;
    Ok(Written::Created(ticket(conn, &t.id)?))
}

fn booking(conn: &Connection, id: &str) -> Result<BookingRecord, HallError> {
    let (reference, slot_id, at): (String, String, String) = conn.query_row(
        "SELECT reference, slot_id, booked_at FROM bookings WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let booked_in_slot = count_in_slot(conn, &slot_id)?;
    Ok(BookingRecord {
        id: id.to_owned(),
        reference,
        slot_id,
        booked_in_slot,
        booked_at: parse_ts(&at)?,
    })
}

fn count_in_slot(conn: &Connection, slot_id: &str) -> Result<u32, HallError> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM bookings WHERE slot_id = ?1",
        [slot_id],
        |r| r.get(0),
    )?)
}

pub fn book(conn: &Connection, b: &NewBooking) -> Result<Booked, HallError> {
    match seen(conn, &b.scope)? {
        Seen::Same(id) => return Ok(Booked::Written(Written::Replayed(booking(conn, &id)?))),
        Seen::Different => return Ok(Booked::Written(Written::Conflict)),
        Seen::New => {}
    }
    if count_in_slot(conn, &b.slot_id)? >= b.capacity {
        return Ok(Booked::Full);
    }
    conn.execute(
        "INSERT INTO bookings (id, reference, slot_id, item_code, kiosk_id, sealed, booked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            b.id,
            b.reference,
            b.slot_id,
            b.item_code,
            b.scope.kiosk_id,
            b.sealed,
            ts(b.booked_at)
        ],
    )?;
    remember(conn, &b.scope, &b.id)?;
    Ok(Booked::Written(Written::Created(booking(conn, &b.id)?)))
}

pub fn record_heartbeat(
    conn: &Connection,
    kiosk_id: &str,
    at: chrono::DateTime<chrono::Utc>,
    json: &str,
) -> Result<(), HallError> {
    conn.prepare_cached(
        "INSERT INTO kiosk_state (kiosk_id, last_seen, heartbeat) VALUES (?1, ?2, ?3)
         ON CONFLICT (kiosk_id) DO UPDATE SET last_seen = excluded.last_seen,
             heartbeat = excluded.heartbeat",
    )?
    .execute(params![kiosk_id, ts(at), json])?;
    Ok(())
}

fn bump_generation(conn: &Connection, name: &str) -> Result<(), HallError> {
    conn.execute(
        "UPDATE generations SET value = value + 1 WHERE name = ?1",
        [name],
    )?;
    Ok(())
}

pub fn revoke_principal(
    conn: &Connection,
    kind: crate::store::PrincipalKind,
    id: &str,
) -> Result<bool, HallError> {
    let n = conn.execute(
        "UPDATE principals SET revoked_at = ?3
         WHERE kind = ?1 AND id = ?2 AND revoked_at IS NULL",
        params![kind.as_str(), id, ts(chrono::Utc::now())],
    )?;
    if n > 0 {
        bump_generation(conn, "credentials")?;
    }
    Ok(n > 0)
}

pub fn set_item_withdrawn(
    conn: &Connection,
    code: &str,
    withdraw: bool,
) -> Result<bool, HallError> {
    let n = if withdraw {
        conn.execute(
            "INSERT OR IGNORE INTO catalog_withdrawals (item_code, withdrawn_at) VALUES (?1, ?2)",
            params![code, ts(chrono::Utc::now())],
        )?
    } else {
        conn.execute(
            "DELETE FROM catalog_withdrawals WHERE item_code = ?1",
            [code],
        )?
    };
    if n > 0 {
        bump_generation(conn, "catalog")?;
    }
    Ok(n > 0)
}

pub fn audit_id_lookup(
    conn: &Connection,
    kiosk_id: &str,
    route: &str,
    applicant_key: &[u8; 32],
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), HallError> {
    conn.prepare_cached(
        "INSERT INTO id_lookups (kiosk_id, route, applicant_key, at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![kiosk_id, route, &applicant_key[..], ts(at)])?;
    Ok(())
}
