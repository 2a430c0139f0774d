//! The last good catalog on disk, so a kiosk that restarts without the hall still serves.

use std::io::Write;
use std::path::{Path, PathBuf};

use hall_api::catalog::Catalog;
use serde::{Deserialize, Serialize};

/// The cached catalog file.
#[derive(Debug, Clone)]
pub struct CatalogCache {
    path: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    etag: Option<String>,
    catalog: Catalog,
}

impl CatalogCache {
    /// A cache at `path` (the configuration's `outbox.catalog_cache`).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        CatalogCache { path: path.into() }
    }

    /// The cached catalog and its ETag, if a readable one is there. A corrupt file counts as
    /// no cache (it is replaced on the next successful fetch).
    pub fn load(&self) -> Option<(Catalog, Option<String>)> {
        let bytes = std::fs::read(&self.path).ok()?;
        match serde_json::from_slice::<Stored>(&bytes) {
            Ok(stored) => Some((stored.catalog, stored.etag)),
            Err(err) => {
                tracing::warn!(path = %self.path.display(), %err, "catalog cache unreadable; ignoring it");
                None
            }
        }
    }

    /// Replaces the cache atomically (temporary file, fsync, rename), so a power cut leaves
    /// either the old or the new catalog, never half of one.
    pub fn store(&self, catalog: &Catalog, etag: Option<&str>) -> std::io::Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let tmp = self.path.with_extension("tmp");
        let json = serde_json::to_vec(&Stored {
            etag: etag.map(str::to_owned),
            catalog: catalog.clone(),
        })
        .map_err(std::io::Error::other)?;
        {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&json)?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)?;
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}
