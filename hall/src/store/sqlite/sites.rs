//! Sites, kiosk sites and item rules on SQLite (migration 10).

use async_trait::async_trait;
use chrono::Utc;
use rusqlite::{params, Connection};

use super::reads::ts;
use super::SqliteStore;
use crate::error::HallError;
use crate::sites::{Level, Rule, Site, SiteMap, SiteRule, SiteStore};

fn sites(conn: &Connection) -> Result<Vec<Site>, HallError> {
    let mut stmt =
        conn.prepare_cached("SELECT code, name, level, parent FROM sites ORDER BY code")?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let level: String = r.get(2)?;
        out.push(Site {
            code: r.get(0)?,
            name: r.get(1)?,
            level: Level::parse(&level)
                .ok_or_else(|| HallError::Corrupt(format!("site level {level:?}")))?,
            parent: r.get(3)?,
        });
    }
    Ok(out)
}

fn rules(conn: &Connection) -> Result<Vec<SiteRule>, HallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT site_code, item_code, rule FROM site_item_rules ORDER BY site_code, rule, item_code",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let rule: String = r.get(2)?;
        out.push(SiteRule {
            site: r.get(0)?,
            item: r.get(1)?,
            rule: Rule::parse(&rule)
                .ok_or_else(|| HallError::Corrupt(format!("site rule {rule:?}")))?,
        });
    }
    Ok(out)
}

fn kiosk_sites(conn: &Connection) -> Result<Vec<(String, String)>, HallError> {
    let mut stmt =
        conn.prepare_cached("SELECT kiosk_id, site_code FROM kiosk_sites ORDER BY kiosk_id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[async_trait]
impl SiteStore for SqliteStore {
    async fn sites(&self) -> Result<Vec<Site>, HallError> {
        self.read(sites).await
    }

    async fn add_site(&self, site: Site) -> Result<bool, HallError> {
        self.write(move |c| {
            let n = c.execute(
                "INSERT OR IGNORE INTO sites (code, name, level, parent, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    site.code,
                    site.name,
                    site.level.as_str(),
                    site.parent,
                    ts(Utc::now())
                ],
            )?;
            Ok(n == 1)
        })
        .await
    }

    async fn site_rules(&self) -> Result<Vec<SiteRule>, HallError> {
        self.read(rules).await
    }

    async fn set_site_rules(
        &self,
        site: &str,
        rule: Rule,
        items: Vec<String>,
        replace: bool,
    ) -> Result<(), HallError> {
        let site = site.to_owned();
        self.write(move |c| {
            if replace {
                c.execute(
                    "DELETE FROM site_item_rules WHERE site_code = ?1 AND rule = ?2",
                    params![site, rule.as_str()],
                )?;
            }
            let mut insert = c.prepare_cached(
                "INSERT OR IGNORE INTO site_item_rules (site_code, item_code, rule)
                 VALUES (?1, ?2, ?3)",
            )?;
            for item in &items {
                insert.execute(params![site, item, rule.as_str()])?;
            }
            Ok(())
        })
        .await
    }

    async fn clear_site_rules(&self, site: &str) -> Result<(), HallError> {
        let site = site.to_owned();
        self.write(move |c| {
            c.execute(
                "DELETE FROM site_item_rules WHERE site_code = ?1",
                params![site],
            )?;
            Ok(())
        })
        .await
    }

    async fn kiosk_sites(&self) -> Result<Vec<(String, String)>, HallError> {
        self.read(kiosk_sites).await
    }

    async fn set_kiosk_site(&self, kiosk_id: &str, site: &str) -> Result<(), HallError> {
        let (kiosk_id, site) = (kiosk_id.to_owned(), site.to_owned());
        self.write(move |c| {
            c.execute(
                "INSERT INTO kiosk_sites (kiosk_id, site_code, assigned_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (kiosk_id) DO UPDATE SET site_code = excluded.site_code,
                     assigned_at = excluded.assigned_at",
                params![kiosk_id, site, ts(Utc::now())],
            )?;
            Ok(())
        })
        .await
    }

    async fn site_map(&self, kiosk_id: &str) -> Result<SiteMap, HallError> {
        let kiosk_id = kiosk_id.to_owned();
        self.read(move |c| {
            let rules = rules(c)?;
            // No rules: nothing is hidden anywhere; skip the rest of the read.
            if rules.is_empty() {
                return Ok(SiteMap::default());
            }
            let kiosk_site = c
                .prepare_cached("SELECT site_code FROM kiosk_sites WHERE kiosk_id = ?1")?
                .query_row(params![kiosk_id], |r| r.get(0))
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })?;
            Ok(SiteMap {
                sites: sites(c)?,
                rules,
                kiosk_site,
            })
        })
        .await
    }
}
