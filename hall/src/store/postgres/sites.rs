//! Sites, kiosk sites and item rules on PostgreSQL (migration 10), and the "due in 2 working
//! days" sweep's queries (the marker's primary key makes each notice once, whichever hall
//! sweeps).

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use deadpool_postgres::GenericClient;
use hall_api::application::Status;

use super::notices::enqueue;
use super::PgStore;
use crate::error::HallError;
use crate::notify::due_soon::{DueSoonCandidate, DueSoonStore};
use crate::notify::queue::NewNotice;
use crate::sites::{Level, Rule, Site, SiteMap, SiteRule, SiteStore};
use crate::store::sqlite::reads::{parse_status, status_str};

async fn sites<C: GenericClient>(c: &C) -> Result<Vec<Site>, HallError> {
    let rows = c
        .query(
            "SELECT code, name, level, parent FROM sites ORDER BY code",
            &[],
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            let level: String = r.get(2);
            Ok(Site {
                code: r.get(0),
                name: r.get(1),
                level: Level::parse(&level)
                    .ok_or_else(|| HallError::Corrupt(format!("site level {level:?}")))?,
                parent: r.get(3),
            })
        })
        .collect()
}

async fn rules<C: GenericClient>(c: &C) -> Result<Vec<SiteRule>, HallError> {
    let rows = c
        .query(
            "SELECT site_code, item_code, rule FROM site_item_rules
             ORDER BY site_code, rule, item_code",
            &[],
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            let rule: String = r.get(2);
            Ok(SiteRule {
                site: r.get(0),
                item: r.get(1),
                rule: Rule::parse(&rule)
                    .ok_or_else(|| HallError::Corrupt(format!("site rule {rule:?}")))?,
            })
        })
        .collect()
}

#[async_trait]
impl SiteStore for PgStore {
    async fn sites(&self) -> Result<Vec<Site>, HallError> {
        sites(&self.client().await?).await
    }

    async fn add_site(&self, site: Site) -> Result<bool, HallError> {
        let c = self.client().await?;
        let n = c
            .execute(
                "INSERT INTO sites (code, name, level, parent, created_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                &[
                    &site.code,
                    &site.name,
                    &site.level.as_str(),
                    &site.parent,
                    &Utc::now(),
                ],
            )
            .await?;
        Ok(n == 1)
    }

    async fn site_rules(&self) -> Result<Vec<SiteRule>, HallError> {
        rules(&self.client().await?).await
    }

    async fn set_site_rules(
        &self,
        site: &str,
        rule: Rule,
        items: Vec<String>,
        replace: bool,
    ) -> Result<(), HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        if replace {
            tx.execute(
                "DELETE FROM site_item_rules WHERE site_code = $1 AND rule = $2",
                &[&site, &rule.as_str()],
            )
            .await?;
        }
        for item in &items {
            tx.execute(
                "INSERT INTO site_item_rules (site_code, item_code, rule) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&site, item, &rule.as_str()],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn clear_site_rules(&self, site: &str) -> Result<(), HallError> {
        let c = self.client().await?;
        c.execute("DELETE FROM site_item_rules WHERE site_code = $1", &[&site])
            .await?;
        Ok(())
    }

    async fn kiosk_sites(&self) -> Result<Vec<(String, String)>, HallError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT kiosk_id, site_code FROM kiosk_sites ORDER BY kiosk_id",
                &[],
            )
            .await?;
        Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn set_kiosk_site(&self, kiosk_id: &str, site: &str) -> Result<(), HallError> {
        let c = self.client().await?;
        c.execute(
            "INSERT INTO kiosk_sites (kiosk_id, site_code, assigned_at) VALUES ($1, $2, $3)
             ON CONFLICT (kiosk_id) DO UPDATE SET site_code = excluded.site_code,
                 assigned_at = excluded.assigned_at",
            &[&kiosk_id, &site, &Utc::now()],
        )
        .await?;
        Ok(())
    }

    async fn site_map(&self, kiosk_id: &str) -> Result<SiteMap, HallError> {
        let mut client = self.client().await?;
        // One snapshot for the three reads.
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let rules = rules(&tx).await?;
        // No rules: nothing is hidden anywhere; skip the rest of the read.
        if rules.is_empty() {
            return Ok(SiteMap::default());
        }
        let kiosk_site = tx
            .query_opt(
                "SELECT site_code FROM kiosk_sites WHERE kiosk_id = $1",
                &[&kiosk_id],
            )
            .await?
            .map(|r| r.get(0));
        let sites = sites(&tx).await?;
        tx.commit().await?;
        Ok(SiteMap {
            sites,
            rules,
            kiosk_site,
        })
    }
}

#[async_trait]
impl DueSoonStore for PgStore {
    async fn due_soon_untold(
        &self,
        statuses: Vec<Status>,
        from: NaiveDate,
        to: NaiveDate,
        limit: usize,
    ) -> Result<Vec<DueSoonCandidate>, HallError> {
        let statuses = statuses
            .into_iter()
            .map(status_str)
            .collect::<Result<Vec<_>, _>>()?;
        let c = self.client().await?;
        let rows = c
            .query(
                &format!(
                    "SELECT a.id, a.tracking_code, a.subject_type, a.subject_code,
                            a.subject_name, a.status, w.due_on
                     FROM application_work w JOIN applications a ON a.id = w.application_id
                     WHERE w.due_on >= $1 AND w.due_on <= $2 AND a.status = ANY($3)
                       AND NOT EXISTS (SELECT 1 FROM due_soon_notices m
                                       WHERE m.application_id = w.application_id
                                         AND m.due_on = w.due_on)
                     ORDER BY w.due_on, a.id LIMIT {}",
                    limit.min(1000)
                ),
                &[&from, &to, &statuses],
            )
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(DueSoonCandidate {
                    id: r.get(0),
                    tracking_code: r.get(1),
                    subject_type: r.get(2),
                    subject_code: r.get(3),
                    subject_name: r.get(4),
                    status: parse_status(r.get(5))?,
                    due_on: r.get(6),
                })
            })
            .collect()
    }

    async fn tell_due_soon(
        &self,
        application_id: &str,
        due_on: NaiveDate,
        notice: NewNotice,
    ) -> Result<bool, HallError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let new = tx
            .execute(
                "INSERT INTO due_soon_notices (application_id, due_on, event_id, created_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &[&application_id, &due_on, &notice.id, &Utc::now()],
            )
            .await?
            == 1;
        if new {
            enqueue(&tx, &notice).await?;
        }
        tx.commit().await?;
        Ok(new)
    }
}
