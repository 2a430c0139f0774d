//! The other kiosk writes: ratings (one per application, the unique constraint decides),
//! complaints and help requests, and bookings within a slot's capacity (a per-slot advisory
//! lock orders the count and the insert across halls), with their reads.

use deadpool_postgres::GenericClient;

use super::writes::{take_key, Key};
use super::PgStore;
use crate::crypto::constant_time_eq;
use crate::error::HallError;
use crate::store::{
    Booked, BookingRecord, NewBooking, NewRating, NewTicket, Rated, RatingRecord, TicketRecord,
    Written,
};

/// A ticket by record id.
async fn ticket<C: GenericClient>(c: &C, id: &str) -> Result<Option<TicketRecord>, HallError> {
    let row = c
        .query_opt(
            "SELECT reference, received_at FROM tickets WHERE id = $1",
            &[&id],
        )
        .await?;
    Ok(row.map(|r| TicketRecord {
        id: id.to_owned(),
        reference: r.get(0),
        received_at: r.get(1),
    }))
}

/// A booking by `id` or `reference` (the only two `column` values used), with the count of
/// its slot.
async fn booking<C: GenericClient>(
    c: &C,
    column: &'static str,
    value: &str,
) -> Result<Option<BookingRecord>, HallError> {
    let Some(r) = c
        .query_opt(
            &format!("SELECT id, reference, slot_id, booked_at FROM bookings WHERE {column} = $1"),
            &[&value],
        )
        .await?
    else {
        return Ok(None);
    };
    let slot_id: String = r.get(2);
    Ok(Some(BookingRecord {
        id: r.get(0),
        reference: r.get(1),
        booked_in_slot: count_in_slot(c, &slot_id).await?,
        slot_id,
        booked_at: r.get(3),
    }))
}

async fn count_in_slot<C: GenericClient>(c: &C, slot_id: &str) -> Result<u32, HallError> {
    let n: i64 = c
        .query_one(
            "SELECT COUNT(*) FROM bookings WHERE slot_id = $1",
            &[&slot_id],
        )
        .await?
        .get(0);
    u32::try_from(n).map_err(|_| HallError::Corrupt(format!("{n} bookings in one slot")))
}

fn vanished(what: &str, id: &str) -> HallError {
    HallError::Corrupt(format!("{what} {id} vanished"))
}

/// A rating inside the caller's transaction.
pub(super) async fn rate_in<C: GenericClient>(c: &C, r: &NewRating) -> Result<Rated, HallError> {
    let level = i64::from(r.level);
    let inserted = c
        .execute(
            "INSERT INTO ratings (id, application_id, subject_code, level, reasons, sealed,
                 body_mac, kiosk_id, rated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (application_id) DO NOTHING",
            &[
                &r.id,
                &r.application_id,
                &r.subject_code,
                &level,
                &r.reasons_json,
                &r.sealed,
                &&r.body_mac[..],
                &r.kiosk_id,
                &r.rated_at,
            ],
        )
        .await?;
    if inserted == 0 {
        let row = c
            .query_one(
                "SELECT id, subject_code, level, rated_at, body_mac FROM ratings
                 WHERE application_id = $1",
                &[&r.application_id],
            )
            .await?;
        let mac: Vec<u8> = row.get(4);
        let legacy = r.legacy_mac.is_some_and(|m| constant_time_eq(&mac, &m));
        if !constant_time_eq(&mac, &r.body_mac) && !legacy {
            return Ok(Rated::AlreadyRated);
        }
        let level: i64 = row.get(2);
        return Ok(Rated::Done(RatingRecord {
            id: row.get(0),
            subject_code: row.get(1),
            level: u8::try_from(level)
                .map_err(|_| HallError::Corrupt(format!("rating level {level}")))?,
            rated_at: row.get(3),
        }));
    }
    // Every 差评 opens its rectification case in the same transaction.
    if hall_api::feedback::is_bad_level(r.level) {
        c.execute(
            "INSERT INTO rating_cases (rating_id, stage) VALUES ($1, 'verify')",
            &[&r.id],
        )
        .await?;
    }
    Ok(Rated::Done(RatingRecord {
        id: r.id.clone(),
        subject_code: r.subject_code.clone(),
        level: r.level,
        rated_at: r.rated_at,
    }))
}

/// A complaint or help request inside the caller's transaction.
pub(super) async fn create_ticket_in<C: GenericClient>(
    c: &C,
    t: &NewTicket,
) -> Result<Written<TicketRecord>, HallError> {
    match take_key(c, &t.scope, &t.id).await? {
        Key::Taken => {}
        Key::Same(id) => {
            let found = ticket(c, &id).await?;
            return Ok(Written::Replayed(
                found.ok_or_else(|| vanished("ticket", &id))?,
            ));
        }
        Key::Different => return Ok(Written::Conflict),
    }
    c.execute(
        "INSERT INTO tickets (id, kind, reference, category, item_code, kiosk_id, sealed,
             received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &t.id,
            &t.scope.kind,
            &t.reference,
            &t.category,
            &t.item_code,
            &t.scope.kiosk_id,
            &t.sealed,
            &t.received_at,
        ],
    )
    .await?;
    let record = ticket(c, &t.id)
        .await?
        .ok_or_else(|| vanished("ticket", &t.id))?;
    Ok(Written::Created(record))
}

impl PgStore {
    /// Records the one rating of an application (an identical replay answers the first).
    pub(super) async fn rate(&self, r: NewRating) -> Result<Rated, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let rated = rate_in(&tx, &r).await?;
        tx.commit().await?;
        Ok(rated)
    }

    /// Stores a complaint or help request exactly once per key.
    pub(super) async fn create_ticket(
        &self,
        t: NewTicket,
    ) -> Result<Written<TicketRecord>, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let written = create_ticket_in(&tx, &t).await?;
        tx.commit().await?;
        Ok(written)
    }

    /// Books a slot exactly once per key, within its capacity.
    pub(super) async fn book(&self, b: NewBooking) -> Result<Booked, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        match take_key(&tx, &b.scope, &b.id).await? {
            Key::Taken => {}
            Key::Same(id) => {
                let found = booking(&tx, "id", &id).await?;
                let found = found.ok_or_else(|| vanished("booking", &id))?;
                return Ok(Booked::Written(Written::Replayed(found)));
            }
            Key::Different => return Ok(Booked::Written(Written::Conflict)),
        }
        // Halls booking the same slot at once count one after the other.
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext('slot:' || $1))",
            &[&b.slot_id],
        )
        .await?;
        if count_in_slot(&tx, &b.slot_id).await? >= b.capacity {
            // Dropping the transaction rolls the key back: a later retry may find room.
            return Ok(Booked::Full);
        }
        tx.execute(
            "INSERT INTO bookings (id, reference, slot_id, item_code, kiosk_id, sealed, booked_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &b.id,
                &b.reference,
                &b.slot_id,
                &b.item_code,
                &b.scope.kiosk_id,
                &b.sealed,
                &b.booked_at,
            ],
        )
        .await?;
        let record = booking(&tx, "id", &b.id)
            .await?
            .ok_or_else(|| vanished("booking", &b.id))?;
        tx.commit().await?;
        Ok(Booked::Written(Written::Created(record)))
    }

    /// Bookings per slot id for slot ids starting with `prefix` (a department).
    pub(super) async fn slot_counts(&self, prefix: &str) -> Result<Vec<(String, u32)>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT slot_id, COUNT(*) FROM bookings WHERE starts_with(slot_id, $1)
                 GROUP BY slot_id",
                &[&prefix],
            )
            .await?;
        rows.into_iter()
            .map(|r| {
                let n: i64 = r.get(1);
                Ok((
                    r.get(0),
                    u32::try_from(n).map_err(|_| HallError::Corrupt(format!("{n} bookings")))?,
                ))
            })
            .collect()
    }

    /// A booking by record id.
    pub(super) async fn booking(&self, id: &str) -> Result<Option<BookingRecord>, HallError> {
        booking(&self.client().await?, "id", id).await
    }

    /// A booking by the reference printed on its slip.
    pub(super) async fn booking_by_reference(
        &self,
        reference: &str,
    ) -> Result<Option<BookingRecord>, HallError> {
        booking(&self.client().await?, "reference", reference).await
    }

    /// A complaint or help request by record id.
    pub(super) async fn ticket(&self, id: &str) -> Result<Option<TicketRecord>, HallError> {
        ticket(&self.client().await?, id).await
    }
}
