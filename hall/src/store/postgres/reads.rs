//! Read queries and the row ⇄ domain mapping the writes share. Each helper takes any client
//! (a pooled connection or a transaction), so a write answers from what it just wrote.

use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::GenericClient;
use hall_api::application::TimelineEntry;

use super::PgStore;
use crate::error::HallError;
use crate::store::sqlite::reads::parse_status;
use crate::store::{reports::Channel, StoredCatalog};
use crate::store::{ApplicationRecord, CatalogVersionRow, KioskRow, Principal, PrincipalKind};

pub(super) fn hash32(bytes: Vec<u8>) -> Result<[u8; 32], HallError> {
    bytes
        .try_into()
        .map_err(|_| HallError::Corrupt("a stored hash is not 32 bytes".into()))
}

/// The effective time of a version: its schedule row, or when it was stored.
const EFFECTIVE: &str = "COALESCE(s.effective_at, c.created_at)";

pub(super) async fn catalog_at<C: GenericClient>(
    c: &C,
    at: DateTime<Utc>,
) -> Result<Option<StoredCatalog>, HallError> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT c.version, c.json FROM catalog c
             LEFT JOIN catalog_schedule s ON s.version = c.version
             WHERE {EFFECTIVE} <= $1 ORDER BY {EFFECTIVE} DESC, c.seq DESC LIMIT 1"
        ))
        .await?;
    Ok(c.query_opt(&stmt, &[&at]).await?.map(|r| StoredCatalog {
        version: r.get(0),
        json: r.get(1),
    }))
}

/// An application by `id` or `tracking_code` (the only two `column` values used).
pub(super) async fn application<C: GenericClient>(
    c: &C,
    column: &'static str,
    value: &str,
) -> Result<Option<ApplicationRecord>, HallError> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT id, kiosk_id, tracking_code, verifier_hash, subject_type, subject_code,
                    subject_name, status, mailed, received_at, promised_by,
                    EXISTS (SELECT 1 FROM ratings WHERE application_id = applications.id),
                    channel
             FROM applications WHERE {column} = $1"
        ))
        .await?;
    let Some(row) = c.query_opt(&stmt, &[&value]).await? else {
        return Ok(None);
    };
    let id: String = row.get(0);
    let steps = c
        .prepare_cached(
            "SELECT status, at, note FROM timeline WHERE application_id = $1 ORDER BY seq",
        )
        .await?;
    let mut timeline = Vec::new();
    for r in c.query(&steps, &[&id]).await? {
        timeline.push(TimelineEntry {
            status: parse_status(r.get(0))?,
            at: r.get(1),
            note: r.get(2),
        });
    }
    let partner = c
        .prepare_cached(
            "SELECT partner_code, partner_name, partner_name_en FROM partner_links
             WHERE application_id = $1 AND direction = 'out'",
        )
        .await?;
    let handled_by =
        c.query_opt(&partner, &[&id])
            .await?
            .map(|r| hall_api::catalog::PartnerPlace {
                code: r.get(0),
                name: r.get(1),
                name_en: r.get(2),
            });
    let channel: String = row.get(12);
    let promised_by: NaiveDate = row.get(10);
    Ok(Some(ApplicationRecord {
        id,
        kiosk_id: row.get(1),
        tracking_code: row.get(2),
        verifier_hash: hash32(row.get(3))?,
        subject_type: row.get(4),
        subject_code: row.get(5),
        subject_name: row.get(6),
        status: parse_status(row.get(7))?,
        timeline,
        mailed: row.get(8),
        rated: row.get(11),
        received_at: row.get(9),
        promised_by,
        channel: Channel::parse(&channel)
            .ok_or_else(|| HallError::Corrupt(format!("channel {channel:?}")))?,
        handled_by,
    }))
}

pub(super) async fn idempotency<C: GenericClient>(
    c: &C,
    kiosk_id: &str,
    kind: &str,
    key: &str,
) -> Result<Option<([u8; 32], String)>, HallError> {
    let stmt = c
        .prepare_cached(
            "SELECT body_mac, resource_id FROM idempotency
             WHERE kiosk_id = $1 AND kind = $2 AND key = $3",
        )
        .await?;
    c.query_opt(&stmt, &[&kiosk_id, &kind, &key])
        .await?
        .map(|r| Ok((hash32(r.get(0))?, r.get(1))))
        .transpose()
}

impl PgStore {
    /// The catalog in effect at `at` (see [`crate::store::Store::catalog_at`]).
    pub(super) async fn catalog_at(
        &self,
        at: DateTime<Utc>,
    ) -> Result<Option<StoredCatalog>, HallError> {
        catalog_at(&self.client().await?, at).await
    }

    /// The first effective time after `after`, if a version is scheduled.
    pub(super) async fn next_catalog_switch(
        &self,
        after: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, HallError> {
        let c = self.client().await?;
        let row = c
            .query_one(
                "SELECT MIN(effective_at) FROM catalog_schedule WHERE effective_at > $1",
                &[&after],
            )
            .await?;
        Ok(row.get(0))
    }

    /// Every stored version, latest effective first.
    pub(super) async fn catalog_versions(&self) -> Result<Vec<CatalogVersionRow>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(
                &format!(
                    "SELECT c.version, {EFFECTIVE}, c.created_at, COALESCE(s.source, 'seed'),
                            s.author
                     FROM catalog c LEFT JOIN catalog_schedule s ON s.version = c.version
                     ORDER BY {EFFECTIVE} DESC, c.seq DESC"
                ),
                &[],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| CatalogVersionRow {
                version: r.get(0),
                effective_at: r.get(1),
                created_at: r.get(2),
                source: r.get(3),
                author: r.get(4),
            })
            .collect())
    }

    /// An unrevoked credential.
    pub(super) async fn principal(
        &self,
        kind: PrincipalKind,
        id: &str,
    ) -> Result<Option<Principal>, HallError> {
        let c = self.client().await?;
        let stmt = c
            .prepare_cached(
                "SELECT label, secret_hash FROM principals
                 WHERE kind = $1 AND id = $2 AND revoked_at IS NULL",
            )
            .await?;
        c.query_opt(&stmt, &[&kind.as_str(), &id])
            .await?
            .map(|r| {
                Ok(Principal {
                    id: id.to_owned(),
                    kind,
                    label: r.get(0),
                    secret_hash: hash32(r.get(1))?,
                })
            })
            .transpose()
    }

    /// An application by id.
    pub(super) async fn application(
        &self,
        id: &str,
    ) -> Result<Option<ApplicationRecord>, HallError> {
        application(&self.client().await?, "id", id).await
    }

    /// An application by tracking code.
    pub(super) async fn application_by_tracking(
        &self,
        code: &str,
    ) -> Result<Option<ApplicationRecord>, HallError> {
        application(&self.client().await?, "tracking_code", code).await
    }

    /// The sealed personal payload of an application.
    pub(super) async fn application_payload(&self, id: &str) -> Result<Option<Vec<u8>>, HallError> {
        let c = self.client().await?;
        let row = c
            .query_opt("SELECT payload FROM applications WHERE id = $1", &[&id])
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    /// A citizen's latest applications, by the keyed hash of the ID number.
    pub(super) async fn applications_of(
        &self,
        applicant_key: [u8; 32],
        limit: usize,
    ) -> Result<Vec<ApplicationRecord>, HallError> {
        let c = self.client().await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let ids = c
            .query(
                "SELECT id FROM applications WHERE applicant_key = $1
                 ORDER BY received_at DESC, id DESC LIMIT $2",
                &[&&applicant_key[..], &limit],
            )
            .await?;
        let mut out = Vec::with_capacity(ids.len());
        for r in ids {
            let id: String = r.get(0);
            if let Some(rec) = application(&c, "id", &id).await? {
                out.push(rec);
            }
        }
        Ok(out)
    }

    /// Materials held for an applicant key: (code, name, handed in at), newest per code.
    pub(super) async fn reusable_materials(
        &self,
        applicant_key: [u8; 32],
    ) -> Result<Vec<(String, String, DateTime<Utc>)>, HallError> {
        let c = self.client().await?;
        // SQLite's bare column beside MAX() takes the name from the newest row; DISTINCT ON
        // says so explicitly.
        let rows = c
            .query(
                "SELECT DISTINCT ON (code) code, name, handed_in_at FROM material_holdings
                 WHERE applicant_key = $1 ORDER BY code, handed_in_at DESC",
                &[&&applicant_key[..]],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect())
    }

    /// The citizen's latest application here (not one a partner hall sent us) and whether it
    /// consented to progress texts. Ties in time (rare at microseconds) fall to the id.
    pub(super) async fn latest_consent(
        &self,
        applicant_key: [u8; 32],
    ) -> Result<Option<(String, bool)>, HallError> {
        let c = self.client().await?;
        let row = c
            .query_opt(
                "SELECT a.id, COALESCE(c.sms_notices, FALSE) FROM applications a
                 LEFT JOIN application_consents c ON c.application_id = a.id
                 WHERE a.applicant_key = $1
                   AND NOT EXISTS (SELECT 1 FROM partner_links p
                                   WHERE p.application_id = a.id AND p.direction = 'in')
                 ORDER BY a.received_at DESC, a.id DESC LIMIT 1",
                &[&&applicant_key[..]],
            )
            .await?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    /// Every kiosk with its last heartbeat.
    pub(super) async fn kiosks(&self) -> Result<Vec<KioskRow>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT p.id, p.label, k.last_seen, k.heartbeat FROM principals p
                 LEFT JOIN kiosk_state k ON k.kiosk_id = p.id
                 WHERE p.kind = 'kiosk' ORDER BY p.id",
                &[],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| KioskRow {
                id: r.get(0),
                location: r.get(1),
                last_seen: r.get(2),
                last_heartbeat: r.get(3),
            })
            .collect())
    }

    /// What an idempotency key was stored with: (keyed hash of the body, resource id). Every
    /// commit is visible to the next statement, so this is also the "settled" answer.
    pub(super) async fn idempotency(
        &self,
        kiosk_id: &str,
        kind: &'static str,
        key: &str,
    ) -> Result<Option<([u8; 32], String)>, HallError> {
        idempotency(&self.client().await?, kiosk_id, kind, key).await
    }

    /// The codes of withdrawn items.
    pub(super) async fn withdrawals(&self) -> Result<Vec<(String, DateTime<Utc>)>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT item_code, withdrawn_at FROM catalog_withdrawals ORDER BY item_code",
                &[],
            )
            .await?;
        Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// The change counters: (catalog, credentials).
    pub(super) async fn generations(&self) -> Result<(i64, i64), HallError> {
        let c = self.client().await?;
        let (mut catalog, mut credentials) = (0, 0);
        for r in c.query("SELECT name, value FROM generations", &[]).await? {
            match r.get::<_, &str>(0) {
                "catalog" => catalog = r.get(1),
                "credentials" => credentials = r.get(1),
                _ => {}
            }
        }
        Ok((catalog, credentials))
    }
}
