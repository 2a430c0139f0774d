//! The shared state of the running service: the store, the keys, the current catalog (with
//! its ETag), the credential cache and the guessing limiter.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use hall_api::catalog::{Catalog, PartnerPlace};

use crate::auth::CredentialCache;
use crate::crypto::{sha256, Secrets};
use crate::error::HallError;
use crate::limiter::GuessLimiter;
use crate::store::{Store, StoredCatalog};

/// How long before an item's withdrawal an application taken at a kiosk is still checked
/// against the catalog with the item (see [`AppState::catalog_when_applied`]).
pub const APPLIED_BEFORE_WITHDRAWAL: chrono::TimeDelta = chrono::TimeDelta::days(30);

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
    /// Parses a stored catalog, drops the withdrawn items (and the bundles that need them),
    /// and derives its ETag.
    pub fn from_stored(stored: &StoredCatalog, withdrawn: &[String]) -> Result<Self, HallError> {
        let mut catalog: Catalog = serde_json::from_str(&stored.json)
            .map_err(|e| HallError::Corrupt(format!("catalog {}: {e}", stored.version)))?;
        let json = if withdrawn.is_empty() {
            stored.json.clone()
        } else {
            catalog.items.retain(|i| !withdrawn.contains(&i.code));
            catalog
                .bundles
                .retain(|b| b.items.iter().all(|code| !withdrawn.contains(code)));
            // The version changes whenever the content does (kiosks compare it).
            catalog.version = format!("{}-w.{}", stored.version, withdrawn.join("."));
            serde_json::to_string(&catalog)
                .map_err(|e| HallError::Corrupt(format!("catalog {}: {e}", stored.version)))?
        };
        let etag = format!("\"{}\"", &hex::encode(sha256(json.as_bytes()))[..32]);
        Ok(CatalogEntry {
            catalog,
            json,
            etag,
        })
    }
}

impl CatalogEntry {
    /// This catalog listing the partner places of 跨省通办 (kiosks offer them for
    /// cross-province items). The version gains a digest of the list, so adding, renaming or
    /// removing a partner changes the version and the ETag kiosks cache by.
    pub fn with_partners(self, partners: &[PartnerPlace]) -> Result<Self, HallError> {
        if partners.is_empty() {
            return Ok(self);
        }
        let mut catalog = self.catalog;
        catalog.partners = partners.to_vec();
        let list = serde_json::to_vec(partners)
            .map_err(|e| HallError::Corrupt(format!("partners: {e}")))?;
        let digest = hex::encode(sha256(&list));
        catalog.version = format!("{}-p.{}", catalog.version, &digest[..8]);
        let json = serde_json::to_string(&catalog)
            .map_err(|e| HallError::Corrupt(format!("catalog {}: {e}", catalog.version)))?;
        let etag = format!("\"{}\"", &hex::encode(sha256(json.as_bytes()))[..32]);
        Ok(CatalogEntry {
            catalog,
            json,
            etag,
        })
    }

    /// This catalog without `hidden` items and the bundles that need them (a kiosk's site
    /// does not offer them); its version and ETag differ from the whole catalog's and from
    /// every other hidden set's.
    pub fn without(&self, hidden: &BTreeSet<String>) -> Result<Self, HallError> {
        let mut catalog = self.catalog.clone();
        catalog.items.retain(|i| !hidden.contains(&i.code));
        catalog
            .bundles
            .retain(|b| b.items.iter().all(|code| !hidden.contains(code)));
        let list: Vec<&str> = hidden.iter().map(String::as_str).collect();
        let digest = hex::encode(sha256(list.join(",").as_bytes()));
        catalog.version = format!("{}-s.{}", self.catalog.version, &digest[..8]);
        let json = serde_json::to_string(&catalog)
            .map_err(|e| HallError::Corrupt(format!("catalog {}: {e}", catalog.version)))?;
        let etag = format!("\"{}\"", &hex::encode(sha256(json.as_bytes()))[..32]);
        Ok(CatalogEntry {
            catalog,
            json,
            etag,
        })
    }
}

/// Kiosk catalogs filtered by site: (the whole catalog's ETag, hidden items) → the entry.
type SiteCatalogs = HashMap<(String, BTreeSet<String>), Arc<CatalogEntry>>;

/// Tunables.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A kiosk is online if its last heartbeat is younger than this.
    pub online_window: Duration,
    /// Largest request body accepted.
    pub body_limit: usize,
    /// A request still unanswered after this gets 503 with `Retry-After`.
    pub request_timeout: Duration,
    /// Requests handled at once; more wait (bounded by the timeout).
    pub concurrency_limit: usize,
    /// Look-ups by ID number allowed per kiosk per minute.
    pub id_lookups_per_minute: u32,
    /// How long a phone token from `POST /api/v1/citizen/contact` stays valid.
    pub phone_token_ttl: Duration,
    /// Proxies whose `X-Forwarded-For` is believed (the client address for the limiter and
    /// the logs); empty: the peer address is the client.
    pub trusted_proxies: Vec<crate::net::Cidr>,
    /// How often the hall checks whether another process (the `hall` CLI) revoked a
    /// credential or changed the catalog.
    pub watch_interval: Duration,
    /// The staff workbench.
    pub staff: crate::staff::StaffSettings,
    /// Where `hall update add` keeps bundles (`<sha256>.raucb`); `None`: no downloads.
    pub bundle_dir: Option<std::path::PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            online_window: Duration::from_secs(180),
            body_limit: 64 * 1024,
            request_timeout: Duration::from_secs(30),
            concurrency_limit: 512,
            id_lookups_per_minute: 30,
            phone_token_ttl: Duration::from_secs(30 * 60),
            trusted_proxies: Vec::new(),
            watch_interval: Duration::from_secs(1),
            staff: crate::staff::StaffSettings::default(),
            bundle_dir: None,
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
    /// Limits look-ups by ID number per kiosk.
    pub id_lookups: crate::limiter::KioskRate,
    /// The (catalog, credentials) generations last seen in the store.
    generations: Mutex<(i64, i64)>,
    /// When the next scheduled catalog version takes effect, if one is.
    next_switch: Mutex<Option<DateTime<Utc>>>,
    /// Tunables.
    pub settings: Settings,
    /// The staff workbench (holiday calendar).
    pub staff: crate::staff::StaffState,
    /// The notifiers, set once at start-up when a notifier configuration is given.
    pub notices: OnceLock<Arc<crate::notify::Notices>>,
    /// Kiosk catalogs filtered by site, keyed by (the whole catalog's ETag, hidden items).
    site_catalogs: Mutex<SiteCatalogs>,
    /// Wakes the partner worker when a forward is queued.
    pub partner_wake: tokio::sync::Notify,
    /// Each partner hall's reachability (logs, `/metrics`).
    pub partner_health: crate::partners::worker::PartnerHealth,
}

impl AppState {
    /// The state for a store: seeds the catalog if the store has none.
    pub async fn new(
        store: Arc<dyn Store>,
        secrets: Secrets,
        settings: Settings,
    ) -> Result<Arc<Self>, HallError> {
        let now = Utc::now();
        let stored = ensure_seeded(store.as_ref(), now).await?;
        let next_switch = store.next_catalog_switch(now).await?;
        let generations = store.generations().await?;
        let withdrawn = store.withdrawn_items().await?;
        let entry = CatalogEntry::from_stored(&stored, &withdrawn)?
            .with_partners(&partner_places(store.as_ref()).await?)?;
        let staff = crate::staff::StaffState::new(settings.staff.clone())?;
        let state = Arc::new(AppState {
            store,
            secrets,
            catalog: RwLock::new(Arc::new(entry)),
            credentials: CredentialCache::default(),
            limiter: GuessLimiter::default(),
            id_lookups: crate::limiter::KioskRate::new(settings.id_lookups_per_minute),
            generations: Mutex::new(generations),
            next_switch: Mutex::new(next_switch),
            settings,
            staff,
            notices: OnceLock::new(),
            site_catalogs: Mutex::new(HashMap::new()),
            partner_wake: tokio::sync::Notify::new(),
            partner_health: Default::default(),
        });
        let weak = Arc::downgrade(&state);
        let every = state.settings.watch_interval;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(state) = weak.upgrade() else { break };
                if let Err(e) = state.refresh().await {
                    tracing::warn!(error = %e, "cannot check for catalog or credential changes");
                }
            }
        });
        Ok(state)
    }

    /// Picks up what another process changed: drops cached credentials when any was revoked,
    /// and reloads the catalog when it changed or a scheduled version's time has come. Runs
    /// every `watch_interval`; tests and the in-process CLI paths call it directly.
    pub async fn refresh(&self) -> Result<(), HallError> {
        self.refresh_at(Utc::now()).await
    }

    /// [`AppState::refresh`] as if the clock said `now` (tests step over an effective time
    /// without waiting for it).
    pub async fn refresh_at(&self, now: DateTime<Utc>) -> Result<(), HallError> {
        let generations = self.store.generations().await?;
        let before = {
            let mut seen = self.generations.lock().unwrap_or_else(|p| p.into_inner());
            std::mem::replace(&mut *seen, generations)
        };
        if generations.1 != before.1 {
            self.credentials.clear();
            tracing::info!("credentials changed: verified-credential cache dropped");
        }
        let due = self
            .next_switch
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some_and(|at| at <= now);
        if generations.0 != before.0 || due {
            let next = self.store.next_catalog_switch(now).await?;
            *self.next_switch.lock().unwrap_or_else(|p| p.into_inner()) = next;
            let Some(stored) = self.store.catalog_at(now).await? else {
                return Ok(());
            };
            let withdrawn = self.store.withdrawn_items().await?;
            let entry = CatalogEntry::from_stored(&stored, &withdrawn)?
                .with_partners(&partner_places(self.store.as_ref()).await?)?;
            tracing::info!(version = %entry.catalog.version, withdrawn = withdrawn.len(), next = ?next, "catalog reloaded");
            let mut current = self.catalog.write().unwrap_or_else(|p| p.into_inner());
            *current = Arc::new(entry);
        }
        Ok(())
    }

    /// The catalog a kiosk is served and may apply for: the catalog in effect without the
    /// items its site does not offer (see [`crate::sites`]). Read from the store on every
    /// call, so a `hall site …` or `hall kiosk site` change applies at the kiosk's next fetch.
    pub async fn catalog_for_kiosk(&self, kiosk_id: &str) -> Result<Arc<CatalogEntry>, HallError> {
        let whole = self.catalog();
        let map = self.store.site_map(kiosk_id).await?;
        let hidden = crate::sites::hidden_items(
            &map,
            map.kiosk_site.as_deref(),
            whole.catalog.items.iter().map(|i| i.code.as_str()),
        );
        if hidden.is_empty() {
            return Ok(whole);
        }
        let key = (whole.etag.clone(), hidden);
        let mut cache = self.site_catalogs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = cache.get(&key) {
            return Ok(Arc::clone(entry));
        }
        let entry = Arc::new(whole.without(&key.1)?);
        // Entries of replaced catalogs are never asked for again.
        cache.retain(|(etag, _), _| etag == &whole.etag);
        if cache.len() >= 1024 {
            cache.clear();
        }
        cache.insert(key, Arc::clone(&entry));
        Ok(entry)
    }

    /// The catalog this kiosk served when a citizen applied at `submitted_at`, where it
    /// differs from today's by items withdrawn since: an application that waited in the
    /// kiosk's outbox (the hall out of reach) while the county withdrew its item is checked
    /// against what the citizen was offered, not refused. `None` when nothing was withdrawn
    /// after `submitted_at`, or `submitted_at` is older than [`APPLIED_BEFORE_WITHDRAWAL`] or
    /// in the future (a kiosk's clock is not trusted that far).
    pub async fn catalog_when_applied(
        &self,
        kiosk_id: &str,
        submitted_at: DateTime<Utc>,
    ) -> Result<Option<CatalogEntry>, HallError> {
        let now = Utc::now();
        if submitted_at > now || now - submitted_at > APPLIED_BEFORE_WITHDRAWAL {
            return Ok(None);
        }
        let withdrawals = self.store.withdrawals().await?;
        if withdrawals.iter().all(|(_, at)| *at <= submitted_at) {
            return Ok(None);
        }
        let Some(stored) = self.store.catalog().await? else {
            return Ok(None);
        };
        let then: Vec<String> = withdrawals
            .into_iter()
            .filter(|(_, at)| *at <= submitted_at)
            .map(|(code, _)| code)
            .collect();
        let whole = CatalogEntry::from_stored(&stored, &then)?
            .with_partners(&partner_places(self.store.as_ref()).await?)?;
        let map = self.store.site_map(kiosk_id).await?;
        let hidden = crate::sites::hidden_items(
            &map,
            map.kiosk_site.as_deref(),
            whole.catalog.items.iter().map(|i| i.code.as_str()),
        );
        Ok(Some(if hidden.is_empty() {
            whole
        } else {
            whole.without(&hidden)?
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

/// The catalog in effect at `now`; stores the compiled-in seed as the first version when the
/// database has none.
pub async fn ensure_seeded(
    store: &dyn Store,
    now: DateTime<Utc>,
) -> Result<StoredCatalog, HallError> {
    if let Some(c) = store.catalog_at(now).await? {
        return Ok(c);
    }
    let seed = crate::seed::catalog();
    let json = serde_json::to_string(&seed)
        .map_err(|e| HallError::Corrupt(format!("seed catalog: {e}")))?;
    let stored = StoredCatalog {
        version: seed.version.clone(),
        json,
    };
    store.put_catalog(stored.clone()).await?;
    tracing::info!(version = %stored.version, items = seed.items.len(), "seeded the catalog");
    // Another version may have been scheduled before the seed was stored; serve what is in
    // effect now.
    Ok(store.catalog_at(Utc::now()).await?.unwrap_or(stored))
}

/// The partner places listed in the served catalog.
async fn partner_places(store: &dyn Store) -> Result<Vec<PartnerPlace>, HallError> {
    Ok(store
        .partners()
        .await?
        .iter()
        .map(crate::partners::Partner::place)
        .collect())
}

/// The hall's local calendar date (China Standard Time, UTC+8, no daylight saving).
pub fn today_local() -> NaiveDate {
    local_now().date_naive()
}

/// The hall's local time.
pub fn local_now() -> chrono::DateTime<FixedOffset> {
    vocab::time::local(Utc::now())
}
