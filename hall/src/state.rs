//! The shared state of the running service: the store, the keys, the current catalog (with
//! its ETag), the credential cache and the guessing limiter.

use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use chrono::{FixedOffset, NaiveDate, Utc};
use hall_api::catalog::Catalog;

use crate::auth::CredentialCache;
use crate::crypto::{sha256, Secrets};
use crate::error::HallError;
use crate::limiter::GuessLimiter;
use crate::store::{Store, StoredCatalog};

/// The catalog as served: parsed for validation, serialized once for `GET /catalog`.
#[derive(Debug)]
pub struct CatalogEntry {
    /// Parsed.
    pub catalog: Catalog,
    /// The JSON served.
    pub json: String,
    /// Strong ETag: a hash of the JSON.
    pub etag: String,
}

impl CatalogEntry {
    /// Parses a stored catalog and derives its ETag.
    pub fn from_stored(stored: &StoredCatalog) -> Result<Self, HallError> {
        let catalog: Catalog = serde_json::from_str(&stored.json)
            .map_err(|e| HallError::Corrupt(format!("catalog {}: {e}", stored.version)))?;
        let etag = format!("\"{}\"", &hex::encode(sha256(stored.json.as_bytes()))[..32]);
        Ok(CatalogEntry {
            catalog,
            json: stored.json.clone(),
            etag,
        })
    }
}

/// Tunables.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A kiosk is online if its last heartbeat is younger than this.
    pub online_window: Duration,
    /// Largest request body accepted.
    pub body_limit: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            online_window: Duration::from_secs(180),
            body_limit: 64 * 1024,
        }
    }
}

/// Everything a handler needs.
#[derive(Debug)]
pub struct AppState {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// Keys.
    pub secrets: Secrets,
    /// The catalog being served.
    pub catalog: RwLock<Arc<CatalogEntry>>,
    /// Verified credentials, briefly cached.
    pub credentials: CredentialCache,
    /// Limits guessing of tracking codes and verifiers.
    pub limiter: GuessLimiter,
    /// Tunables.
    pub settings: Settings,
    /// The notifiers, set once at start-up when a notifier configuration is given.
    pub notices: OnceLock<Arc<crate::notify::Notices>>,
}

impl AppState {
    /// The state for a store: seeds the catalog if the store has none.
    pub async fn new(
        store: Arc<dyn Store>,
        secrets: Secrets,
        settings: Settings,
    ) -> Result<Arc<Self>, HallError> {
        let stored = match store.catalog().await? {
            Some(c) => c,
            None => {
                let seed = crate::seed::catalog();
                let json = serde_json::to_string(&seed)
                    .map_err(|e| HallError::Corrupt(format!("seed catalog: {e}")))?;
                let stored = StoredCatalog {
                    version: seed.version.clone(),
                    json,
                };
                store.put_catalog(stored.clone()).await?;
                tracing::info!(version = %stored.version, items = seed.items.len(), "seeded the catalog");
                stored
            }
        };
        let entry = CatalogEntry::from_stored(&stored)?;
        Ok(Arc::new(AppState {
            store,
            secrets,
            catalog: RwLock::new(Arc::new(entry)),
            credentials: CredentialCache::default(),
            limiter: GuessLimiter::default(),
            settings,
            notices: OnceLock::new(),
        }))
    }

    /// The catalog being served now.
    pub fn catalog(&self) -> Arc<CatalogEntry> {
        match self.catalog.read() {
            Ok(c) => Arc::clone(&c),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }
}

/// The hall's local calendar date (China Standard Time, UTC+8, no daylight saving).
pub fn today_local() -> NaiveDate {
    local_now().date_naive()
}

/// The hall's local time.
pub fn local_now() -> chrono::DateTime<FixedOffset> {
    let cst =
        FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| unreachable!("+8h is a valid offset"));
    Utc::now().with_timezone(&cst)
}

/// `from` plus `days` working days (Monday to Friday; public holidays are not modelled).
pub fn add_working_days(from: NaiveDate, days: u32) -> NaiveDate {
    use chrono::Datelike;
    let mut date = from;
    let mut left = days;
    while left > 0 {
        date = date.succ_opt().unwrap_or(date);
        if date.weekday().number_from_monday() <= 5 {
            left -= 1;
        }
    }
    date
}
