//! [`Store`] for PostgreSQL: each method is the one of the same name in `reads.rs`,
//! `writes.rs` or `intake.rs` (kept there beside the SQL they share with the sub-traits).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hall_api::application::TimelineEntry;

use super::PgStore;
use crate::error::HallError;
use crate::store::{
    ApplicationRecord, Booked, BookingRecord, CatalogAdded, CatalogVersionRow, KioskRow, Moved,
    NewApplication, NewBooking, NewCatalogVersion, NewRating, NewTicket, Principal, PrincipalKind,
    Rated, Store, StoredCatalog, TicketRecord, Written,
};

#[async_trait]
impl Store for PgStore {
    async fn put_catalog(&self, catalog: StoredCatalog) -> Result<(), HallError> {
        PgStore::put_catalog(self, catalog).await
    }

    async fn catalog_at(&self, at: DateTime<Utc>) -> Result<Option<StoredCatalog>, HallError> {
        PgStore::catalog_at(self, at).await
    }

    async fn next_catalog_switch(
        &self,
        after: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, HallError> {
        PgStore::next_catalog_switch(self, after).await
    }

    async fn add_catalog_version(
        &self,
        version: NewCatalogVersion,
    ) -> Result<CatalogAdded, HallError> {
        PgStore::add_catalog_version(self, version).await
    }

    async fn catalog_versions(&self) -> Result<Vec<CatalogVersionRow>, HallError> {
        PgStore::catalog_versions(self).await
    }

    async fn put_principal(&self, principal: Principal) -> Result<(), HallError> {
        PgStore::put_principal(self, principal).await
    }

    async fn principal(
        &self,
        kind: PrincipalKind,
        id: &str,
    ) -> Result<Option<Principal>, HallError> {
        PgStore::principal(self, kind, id).await
    }

    async fn create_application(
        &self,
        app: NewApplication,
    ) -> Result<Written<ApplicationRecord>, HallError> {
        PgStore::create_application(self, app).await
    }

    async fn application(&self, id: &str) -> Result<Option<ApplicationRecord>, HallError> {
        PgStore::application(self, id).await
    }

    async fn application_by_tracking(
        &self,
        code: &str,
    ) -> Result<Option<ApplicationRecord>, HallError> {
        PgStore::application_by_tracking(self, code).await
    }

    async fn application_payload(&self, id: &str) -> Result<Option<Vec<u8>>, HallError> {
        PgStore::application_payload(self, id).await
    }

    async fn applications_of(
        &self,
        applicant_key: [u8; 32],
        limit: usize,
    ) -> Result<Vec<ApplicationRecord>, HallError> {
        PgStore::applications_of(self, applicant_key, limit).await
    }

    async fn latest_consent(
        &self,
        applicant_key: [u8; 32],
    ) -> Result<Option<(String, bool)>, HallError> {
        PgStore::latest_consent(self, applicant_key).await
    }

    async fn booking_by_reference(
        &self,
        reference: &str,
    ) -> Result<Option<BookingRecord>, HallError> {
        PgStore::booking_by_reference(self, reference).await
    }

    async fn move_status(&self, id: &str, entry: TimelineEntry) -> Result<Moved, HallError> {
        PgStore::move_status(self, id, entry).await
    }

    async fn reusable_materials(
        &self,
        applicant_key: [u8; 32],
    ) -> Result<Vec<(String, String, DateTime<Utc>)>, HallError> {
        PgStore::reusable_materials(self, applicant_key).await
    }

    async fn rate(&self, rating: NewRating) -> Result<Rated, HallError> {
        PgStore::rate(self, rating).await
    }

    async fn create_ticket(&self, ticket: NewTicket) -> Result<Written<TicketRecord>, HallError> {
        PgStore::create_ticket(self, ticket).await
    }

    async fn book(&self, booking: NewBooking) -> Result<Booked, HallError> {
        PgStore::book(self, booking).await
    }

    async fn slot_counts(&self, prefix: &str) -> Result<Vec<(String, u32)>, HallError> {
        PgStore::slot_counts(self, prefix).await
    }

    async fn record_heartbeat(
        &self,
        kiosk_id: &str,
        at: DateTime<Utc>,
        json: String,
    ) -> Result<(), HallError> {
        PgStore::record_heartbeat(self, kiosk_id, at, json).await
    }

    async fn kiosks(&self) -> Result<Vec<KioskRow>, HallError> {
        PgStore::kiosks(self).await
    }

    async fn idempotency(
        &self,
        kiosk_id: &str,
        kind: &'static str,
        key: &str,
    ) -> Result<Option<([u8; 32], String)>, HallError> {
        PgStore::idempotency(self, kiosk_id, kind, key).await
    }

    async fn idempotency_settled(
        &self,
        kiosk_id: &str,
        kind: &'static str,
        key: &str,
    ) -> Result<Option<([u8; 32], String)>, HallError> {
        // No write queue here: every committed key is visible to the next statement.
        PgStore::idempotency(self, kiosk_id, kind, key).await
    }

    async fn booking(&self, id: &str) -> Result<Option<BookingRecord>, HallError> {
        PgStore::booking(self, id).await
    }

    async fn ticket(&self, id: &str) -> Result<Option<TicketRecord>, HallError> {
        PgStore::ticket(self, id).await
    }

    async fn revoke_principal(&self, kind: PrincipalKind, id: &str) -> Result<bool, HallError> {
        PgStore::revoke_principal(self, kind, id).await
    }

    async fn set_item_withdrawn(&self, code: &str, withdraw: bool) -> Result<bool, HallError> {
        PgStore::set_item_withdrawn(self, code, withdraw).await
    }

    async fn withdrawals(&self) -> Result<Vec<(String, DateTime<Utc>)>, HallError> {
        PgStore::withdrawals(self).await
    }

    async fn generations(&self) -> Result<(i64, i64), HallError> {
        PgStore::generations(self).await
    }

    async fn audit_id_lookup(
        &self,
        kiosk_id: &str,
        route: &'static str,
        applicant_key: [u8; 32],
        at: DateTime<Utc>,
    ) -> Result<(), HallError> {
        PgStore::audit_id_lookup(self, kiosk_id, route, applicant_key, at).await
    }
}
