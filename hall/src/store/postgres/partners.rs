//! 跨省通办 on PostgreSQL: partners, each application's link to its partner, and the
//! forwarding lane of the notice queue (rows of kind `partner_forward`, claimed with the
//! notices' `SKIP LOCKED` statement). A partner's step is applied once: the link row is
//! locked while its step counter is checked and moved.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hall_api::application::TimelineEntry;

use super::notices::enqueue;
use super::writes::{bump_generation, move_status_in, put_principal_in, revoke_principal_in};
use super::PgStore;
use crate::error::HallError;
use crate::notify::queue::{Claimed, NewNotice, NoticeStore, Outcome, TargetStats};
use crate::partners::{OpenForward, Partner, PartnerStore, FORWARD_KIND};
use crate::store::{Moved, Principal, PrincipalKind};

impl PgStore {
    async fn partners_where(&self, code: Option<&str>) -> Result<Vec<Partner>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT code, name, name_en, url, token_sealed, created_at FROM partners
                 WHERE $1::text IS NULL OR code = $1 ORDER BY code",
                &[&code],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| Partner {
                code: r.get(0),
                name: r.get(1),
                name_en: r.get(2),
                url: r.get(3),
                token_sealed: r.get(4),
                created_at: r.get(5),
            })
            .collect())
    }
}

#[async_trait]
impl PartnerStore for PgStore {
    async fn put_partner(
        &self,
        partner: Partner,
        principal: Option<Principal>,
    ) -> Result<(), HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "INSERT INTO partners (code, name, name_en, url, token_sealed, created_at,
                 updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name,
                 name_en = excluded.name_en, url = excluded.url,
                 token_sealed = COALESCE(excluded.token_sealed, partners.token_sealed),
                 updated_at = excluded.updated_at",
            &[
                &partner.code,
                &partner.name,
                &partner.name_en,
                &partner.url,
                &partner.token_sealed,
                &Utc::now(),
            ],
        )
        .await?;
        if let Some(p) = &principal {
            put_principal_in(&tx, p).await?;
        }
        bump_generation(&tx, "catalog").await?;
        bump_generation(&tx, "credentials").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_partner_token(&self, code: &str, sealed: Vec<u8>) -> Result<bool, HallError> {
        let c = self.client().await?;
        let n = c
            .execute(
                "UPDATE partners SET token_sealed = $2, updated_at = $3 WHERE code = $1",
                &[&code, &sealed, &Utc::now()],
            )
            .await?;
        Ok(n > 0)
    }

    async fn remove_partner(&self, code: &str) -> Result<bool, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let n = tx
            .execute("DELETE FROM partners WHERE code = $1", &[&code])
            .await?;
        revoke_principal_in(&tx, PrincipalKind::Partner, code).await?;
        if n > 0 {
            bump_generation(&tx, "catalog").await?;
            bump_generation(&tx, "credentials").await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    }

    async fn partners(&self) -> Result<Vec<Partner>, HallError> {
        self.partners_where(None).await
    }

    async fn partner(&self, code: &str) -> Result<Option<Partner>, HallError> {
        Ok(self.partners_where(Some(code)).await?.into_iter().next())
    }

    async fn received_from(
        &self,
        code: &str,
        origin_ids: Vec<String>,
    ) -> Result<Vec<(String, String)>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT o.remote_id, l.application_id
                 FROM unnest($2::text[]) WITH ORDINALITY o(remote_id, n)
                 JOIN partner_links l ON l.partner_code = $1 AND l.remote_id = o.remote_id
                                      AND l.direction = 'in'
                 ORDER BY o.n",
                &[&code, &origin_ids],
            )
            .await?;
        Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn open_forwards(&self, code: &str) -> Result<Vec<OpenForward>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT application_id, applied_steps FROM partner_links
                 WHERE direction = 'out' AND NOT finished AND partner_code = $1
                   AND remote_id IS NOT NULL
                 ORDER BY application_id",
                &[&code],
            )
            .await?;
        rows.into_iter()
            .map(|r| {
                let applied: i64 = r.get(1);
                Ok(OpenForward {
                    application_id: r.get(0),
                    applied_steps: u32::try_from(applied)
                        .map_err(|_| HallError::Corrupt(format!("{applied} partner steps")))?,
                })
            })
            .collect()
    }

    async fn apply_partner_step(
        &self,
        application_id: &str,
        index: u32,
        entry: Option<TimelineEntry>,
        notice: Option<NewNotice>,
        finished: bool,
    ) -> Result<Option<Moved>, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let applied: Option<i64> = tx
            .query_opt(
                "SELECT applied_steps FROM partner_links
                 WHERE application_id = $1 AND direction = 'out' FOR UPDATE",
                &[&application_id],
            )
            .await?
            .map(|r| r.get(0));
        if applied != Some(i64::from(index)) {
            // Applied before (a repeated or overlapping poll, here or at another hall), or
            // not a forward of ours.
            return Ok(None);
        }
        let moved = match &entry {
            Some(e) => {
                let moved = move_status_in(&tx, application_id, e).await?;
                if let (Moved::Done(_), Some(n)) = (&moved, &notice) {
                    enqueue(&tx, n).await?;
                }
                Some(moved)
            }
            None => None,
        };
        tx.execute(
            "UPDATE partner_links SET applied_steps = $2::bigint + 1, finished = finished OR $3
             WHERE application_id = $1",
            &[&application_id, &i64::from(index), &finished],
        )
        .await?;
        tx.commit().await?;
        Ok(moved)
    }

    async fn mark_forwarded(
        &self,
        application_id: &str,
        remote_id: &str,
        remote_tracking_code: &str,
    ) -> Result<(), HallError> {
        let c = self.client().await?;
        c.execute(
            "UPDATE partner_links SET remote_id = $2, remote_tracking_code = $3
             WHERE application_id = $1 AND direction = 'out'",
            &[&application_id, &remote_id, &remote_tracking_code],
        )
        .await?;
        Ok(())
    }

    async fn claim_forwards(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Claimed>, HallError> {
        self.claim_lane(true, worker, now, lease, limit).await
    }

    async fn settle_forward(
        &self,
        delivery_id: i64,
        worker: &str,
        outcome: Outcome,
        now: DateTime<Utc>,
    ) -> Result<(), HallError> {
        NoticeStore::settle(self, delivery_id, worker, outcome, now).await
    }

    async fn next_forward_due(&self) -> Result<Option<DateTime<Utc>>, HallError> {
        let c = self.client().await?;
        let row = c
            .query_one(
                "SELECT MIN(GREATEST(next_attempt_at, claimed_until)) FROM notice_deliveries
                 WHERE status = 'pending' AND kind = $1",
                &[&FORWARD_KIND],
            )
            .await?;
        Ok(row.get(0))
    }

    async fn forward_stats(&self, now: DateTime<Utc>) -> Result<Vec<TargetStats>, HallError> {
        self.lane_stats(true, now).await
    }
}
