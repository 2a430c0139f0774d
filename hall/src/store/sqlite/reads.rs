//! Read queries (run on pooled read-only connections) and the row ⇄ domain mapping they
//! share with the writes.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use hall_api::application::{Status, TimelineEntry};
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::HallError;
use crate::store::{
    ApplicationRecord, BookingRecord, CatalogVersionRow, KioskRow, Principal, PrincipalKind,
    StoredCatalog, TicketRecord,
};

/// The stored form of a timestamp: RFC 3339, UTC, microseconds (sorts as text).
pub fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn parse_ts(text: &str) -> Result<DateTime<Utc>, HallError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| HallError::Corrupt(format!("timestamp {text:?}: {e}")))
}

pub fn status_str(status: Status) -> Result<String, HallError> {
    Ok(status.as_str().to_owned())
}

pub fn parse_status(text: &str) -> Result<Status, HallError> {
    Status::from_wire(text).ok_or_else(|| HallError::Corrupt(format!("unknown status {text:?}")))
}

fn blob32(bytes: Vec<u8>) -> Result<[u8; 32], HallError> {
    bytes
        .try_into()
        .map_err(|_| HallError::Corrupt("a stored hash is not 32 bytes".into()))
}

/// The effective time of a version: its schedule row, or when it was stored (rows stored
/// by a build before the schedule existed).
const EFFECTIVE: &str = "COALESCE(s.effective_at, c.created_at)";

pub fn catalog_at(
    conn: &Connection,
    at: DateTime<Utc>,
) -> Result<Option<StoredCatalog>, HallError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT c.version, c.json FROM catalog c
             LEFT JOIN catalog_schedule s ON s.version = c.version
             WHERE {EFFECTIVE} <= ?1 ORDER BY {EFFECTIVE} DESC, c.seq DESC LIMIT 1"
        ))?
        .query_row([ts(at)], |r| {
            Ok(StoredCatalog {
                version: r.get(0)?,
                json: r.get(1)?,
            })
        })
        .optional()?)
}

pub fn next_catalog_switch(
    conn: &Connection,
    after: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, HallError> {
    let next: Option<String> = conn
        .prepare_cached("SELECT MIN(effective_at) FROM catalog_schedule WHERE effective_at > ?1")?
        .query_row([ts(after)], |r| r.get(0))?;
    next.as_deref().map(parse_ts).transpose()
}

pub fn catalog_versions(conn: &Connection) -> Result<Vec<CatalogVersionRow>, HallError> {
    let rows = conn
        .prepare_cached(&format!(
            "SELECT c.version, {EFFECTIVE}, c.created_at, COALESCE(s.source, 'seed'), s.author
             FROM catalog c LEFT JOIN catalog_schedule s ON s.version = c.version
             ORDER BY {EFFECTIVE} DESC, c.seq DESC"
        ))?
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(version, effective, created, source, author)| {
            Ok(CatalogVersionRow {
                version,
                effective_at: parse_ts(&effective)?,
                created_at: parse_ts(&created)?,
                source,
                author,
            })
        })
        .collect()
}

pub fn principal(
    conn: &Connection,
    kind: PrincipalKind,
    id: &str,
) -> Result<Option<Principal>, HallError> {
    let row = conn
        .prepare_cached(
            "SELECT label, secret_hash FROM principals
             WHERE kind = ?1 AND id = ?2 AND revoked_at IS NULL",
        )?
        .query_row(params![kind.as_str(), id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })
        .optional()?;
    row.map(|(label, hash)| {
        Ok(Principal {
            id: id.to_owned(),
            kind,
            label,
            secret_hash: blob32(hash)?,
        })
    })
    .transpose()
}

/// An application by `id` or `tracking_code` (the only two `column` values used).
pub fn application(
    conn: &Connection,
    column: &'static str,
    value: &str,
) -> Result<Option<ApplicationRecord>, HallError> {
    let sql = format!(
        "SELECT id, kiosk_id, tracking_code, verifier_hash, subject_type, subject_code,
                subject_name, status, mailed, received_at, promised_by,
                EXISTS (SELECT 1 FROM ratings WHERE application_id = applications.id), channel
         FROM applications WHERE {column} = ?1"
    );
    type Row = (
        String,
        String,
        String,
        Vec<u8>,
        String,
        String,
        String,
        String,
        bool,
        String,
        String,
        bool,
        String,
    );
    let row: Option<Row> = conn
        .prepare_cached(&sql)?
        .query_row([value], |r| {
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
                r.get(11)?,
                r.get(12)?,
            ))
        })
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    let mut timeline = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT status, at, note FROM timeline WHERE application_id = ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query([&row.0])?;
    while let Some(r) = rows.next()? {
        timeline.push(TimelineEntry {
            status: parse_status(&r.get::<_, String>(0)?)?,
            at: parse_ts(&r.get::<_, String>(1)?)?,
            note: r.get(2)?,
        });
    }
    let handled_by = conn
        .prepare_cached(
            "SELECT partner_code, partner_name, partner_name_en FROM partner_links
             WHERE application_id = ?1 AND direction = 'out'",
        )?
        .query_row([&row.0], |r| {
            Ok(hall_api::catalog::PartnerPlace {
                code: r.get(0)?,
                name: r.get(1)?,
                name_en: r.get(2)?,
            })
        })
        .optional()?;
    let promised_by = NaiveDate::parse_from_str(&row.10, "%Y-%m-%d")
        .map_err(|e| HallError::Corrupt(format!("promised_by: {e}")))?;
    Ok(Some(ApplicationRecord {
        id: row.0,
        kiosk_id: row.1,
        tracking_code: row.2,
        verifier_hash: blob32(row.3)?,
        subject_type: row.4,
        subject_code: row.5,
        subject_name: row.6,
        status: parse_status(&row.7)?,
        timeline,
        mailed: row.8,
        rated: row.11,
        received_at: parse_ts(&row.9)?,
        promised_by,
        channel: crate::store::reports::Channel::parse(&row.12)
            .ok_or_else(|| HallError::Corrupt(format!("channel {:?}", row.12)))?,
        handled_by,
    }))
}

pub fn application_payload(conn: &Connection, id: &str) -> Result<Option<Vec<u8>>, HallError> {
    Ok(conn
        .query_row(
            "SELECT payload FROM applications WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?)
}

pub fn reusable_materials(
    conn: &Connection,
    applicant_key: &[u8; 32],
) -> Result<Vec<(String, String, DateTime<Utc>)>, HallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, name, MAX(handed_in_at) FROM material_holdings
         WHERE applicant_key = ?1 GROUP BY code ORDER BY code",
    )?;
    let mut rows = stmt.query([&applicant_key[..]])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push((r.get(0)?, r.get(1)?, parse_ts(&r.get::<_, String>(2)?)?));
    }
    Ok(out)
}

pub fn applications_of(
    conn: &Connection,
    applicant_key: &[u8; 32],
    limit: usize,
) -> Result<Vec<ApplicationRecord>, HallError> {
    let ids: Vec<String> = conn
        .prepare_cached(
            "SELECT id FROM applications WHERE applicant_key = ?1
             ORDER BY received_at DESC, id DESC LIMIT ?2",
        )?
        .query_map(
            params![&applicant_key[..], i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| r.get(0),
        )?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(rec) = application(conn, "id", &id)? {
            out.push(rec);
        }
    }
    Ok(out)
}

/// See [`crate::store::Store::latest_consent`]. Applications from before consents were
/// recorded have no row: no consent.
pub fn latest_consent(
    conn: &Connection,
    applicant_key: &[u8; 32],
) -> Result<Option<(String, bool)>, HallError> {
    Ok(conn
        .prepare_cached(
            "SELECT a.id, COALESCE(c.sms_notices, 0) FROM applications a
             LEFT JOIN application_consents c ON c.application_id = a.id
             WHERE a.applicant_key = ?1
               AND NOT EXISTS (SELECT 1 FROM partner_links p
                               WHERE p.application_id = a.id AND p.direction = 'in')
             ORDER BY a.received_at DESC, a.rowid DESC LIMIT 1",
        )?
        .query_row(params![&applicant_key[..]], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

pub fn booking_by_reference(
    conn: &Connection,
    reference: &str,
) -> Result<Option<BookingRecord>, HallError> {
    booking(conn, "reference", reference)
}

/// A booking by `id` or `reference` (the only two `column` values used).
pub fn booking(
    conn: &Connection,
    column: &'static str,
    value: &str,
) -> Result<Option<BookingRecord>, HallError> {
    let row: Option<(String, String, String, String)> = conn
        .prepare_cached(&format!(
            "SELECT id, reference, slot_id, booked_at FROM bookings WHERE {column} = ?1"
        ))?
        .query_row([value], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((id, reference, slot_id, booked_at)) = row else {
        return Ok(None);
    };
    let booked_in_slot: u32 = conn
        .prepare_cached("SELECT COUNT(*) FROM bookings WHERE slot_id = ?1")?
        .query_row([&slot_id], |r| r.get(0))?;
    Ok(Some(BookingRecord {
        id,
        reference,
        slot_id,
        booked_in_slot,
        booked_at: parse_ts(&booked_at)?,
    }))
}

pub fn slot_counts(conn: &Connection, prefix: &str) -> Result<Vec<(String, u32)>, HallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT slot_id, COUNT(*) FROM bookings
         WHERE substr(slot_id, 1, length(?1)) = ?1 GROUP BY slot_id",
    )?;
    let mut rows = stmt.query([prefix])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push((r.get(0)?, r.get(1)?));
    }
    Ok(out)
}

pub fn kiosks(conn: &Connection) -> Result<Vec<KioskRow>, HallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.label, k.last_seen, k.heartbeat FROM principals p
         LEFT JOIN kiosk_state k ON k.kiosk_id = p.id
         WHERE p.kind = 'kiosk' ORDER BY p.id",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let last_seen: Option<String> = r.get(2)?;
        out.push(KioskRow {
            id: r.get(0)?,
            location: r.get(1)?,
            last_seen: last_seen.as_deref().map(parse_ts).transpose()?,
            last_heartbeat: r.get(3)?,
        });
    }
    Ok(out)
}

pub fn idempotency(
    conn: &Connection,
    kiosk_id: &str,
    kind: &str,
    key: &str,
) -> Result<Option<([u8; 32], String)>, HallError> {
    let row: Option<(Vec<u8>, String)> = conn
        .prepare_cached(
            "SELECT body_mac, resource_id FROM idempotency
             WHERE kiosk_id = ?1 AND kind = ?2 AND key = ?3",
        )?
        .query_row(params![kiosk_id, kind, key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(mac, id)| Ok((blob32(mac)?, id))).transpose()
}

pub fn ticket(conn: &Connection, id: &str) -> Result<Option<TicketRecord>, HallError> {
    let row: Option<(String, String)> = conn
        .prepare_cached("SELECT reference, received_at FROM tickets WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(reference, at)| {
        Ok(TicketRecord {
            id: id.to_owned(),
            reference,
            received_at: parse_ts(&at)?,
        })
    })
    .transpose()
}

pub fn withdrawals(conn: &Connection) -> Result<Vec<(String, DateTime<Utc>)>, HallError> {
    let rows: Vec<(String, String)> = conn
        .prepare_cached(
            "SELECT item_code, withdrawn_at FROM catalog_withdrawals ORDER BY item_code",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(code, at)| Ok((code, parse_ts(&at)?)))
        .collect()
}

pub fn generations(conn: &Connection) -> Result<(i64, i64), HallError> {
    let mut catalog = 0;
    let mut credentials = 0;
    let mut stmt = conn.prepare_cached("SELECT name, value FROM generations")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        match r.get::<_, String>(0)?.as_str() {
            "catalog" => catalog = r.get(1)?,
            "credentials" => credentials = r.get(1)?,
            _ => {}
        }
    }
    Ok((catalog, credentials))
}
