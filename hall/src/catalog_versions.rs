//! Catalog versions: storing an imported or edited catalog as a new version with its
//! effective time, naming versions, and reading the one in effect. The running hall switches
//! to a new version at its effective time ([`crate::state::AppState::refresh_at`]).

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use hall_api::catalog::Catalog;

use crate::error::HallError;
use crate::state::ensure_seeded;
use crate::store::{CatalogAdded, NewCatalogVersion, Store};

/// Longest version label (applications carry it; the API accepts up to 64 characters).
pub const MAX_LABEL: usize = 64;

/// Checks a version label: 1-64 characters of letters, digits, `.`, `-`, `_`, `+`.
pub fn check_label(label: &str) -> Result<(), HallError> {
    let ok = !label.is_empty()
        && label.len() <= MAX_LABEL
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+'));
    if ok {
        Ok(())
    } else {
        Err(HallError::InvalidArgument(format!(
            "version label {label:?} must be 1-{MAX_LABEL} characters of letters, digits, '.', '-', '_' or '+'"
        )))
    }
}

use vocab::time::CHINA_STANDARD_TIME as CST;

/// Reads an effective time: RFC 3339 (`2027-01-01T00:00:00+08:00`), or hall local time
/// (UTC+8) as `YYYY-MM-DD HH:MM` or `YYYY-MM-DD` (midnight).
pub fn parse_effective_at(text: &str) -> Result<DateTime<Utc>, HallError> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        });
    local
        .and_then(|l| CST.from_local_datetime(&l).single())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            HallError::InvalidArgument(format!(
                "effective time {text:?}: use YYYY-MM-DD, \"YYYY-MM-DD HH:MM\" (hall local time, UTC+8) or RFC 3339"
            ))
        })
}

/// The hall's local time as shown to technicians.
pub fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&CST)
        .format("%Y-%m-%d %H:%M:%S (UTC+8)")
        .to_string()
}

/// Parses a stored version's document.
pub fn parse(version: &str, json: &str) -> Result<Catalog, HallError> {
    serde_json::from_str(json).map_err(|e| HallError::Corrupt(format!("catalog {version}: {e}")))
}

/// The catalog in effect now (the seed stored first if the database has none).
pub async fn current(store: &dyn Store) -> Result<Catalog, HallError> {
    let stored = ensure_seeded(store, Utc::now()).await?;
    parse(&stored.version, &stored.json)
}

/// A stored version's document by label.
pub async fn by_label(store: &dyn Store, label: &str) -> Result<Option<Catalog>, HallError> {
    let versions = store.catalog_versions().await?;
    let Some(row) = versions.iter().find(|v| v.version == label) else {
        return Ok(None);
    };
    // The version was in effect at its own effective time unless another took its place
    // at the same instant; read it from the full list instead of guessing.
    match store.catalog_at(row.effective_at).await? {
        Some(s) if s.version == label => parse(&s.version, &s.json).map(Some),
        _ => Err(HallError::InvalidArgument(format!(
            "version {label} was never served on its own (another took effect at the same time); export the version in effect instead"
        ))),
    }
}

/// Stores `catalog` as a new version `label`, in effect from `effective_at`; a label
/// already stored is refused.
pub async fn store_version(
    store: &dyn Store,
    mut catalog: Catalog,
    label: String,
    effective_at: DateTime<Utc>,
    source: &'static str,
    author: Option<String>,
) -> Result<Catalog, HallError> {
    check_label(&label)?;
    catalog.version = label.clone();
    match store
        .add_catalog_version(new_version(&catalog, effective_at, source, author, None)?)
        .await?
    {
        CatalogAdded::Stored => Ok(catalog),
        CatalogAdded::LabelTaken | CatalogAdded::BaseChanged => Err(HallError::InvalidArgument(
            format!("catalog version {label:?} already exists; give the new one another label"),
        )),
    }
}

fn new_version(
    catalog: &Catalog,
    effective_at: DateTime<Utc>,
    source: &'static str,
    author: Option<String>,
    base: Option<String>,
) -> Result<NewCatalogVersion, HallError> {
    let json = serde_json::to_string(catalog)
        .map_err(|e| HallError::Internal(format!("catalog {}: {e}", catalog.version)))?;
    Ok(NewCatalogVersion {
        version: catalog.version.clone(),
        json,
        effective_at,
        source,
        author,
        base,
    })
}

/// Stores a staff edit of the version in effect (`catalog.version` is its base) as a new
/// version in effect now. `None` if another version took effect since the edit began (the
/// check and the insert are one transaction, so of two concurrent edits one is refused).
pub async fn store_edit(
    store: &dyn Store,
    mut catalog: Catalog,
    author: &str,
) -> Result<Option<Catalog>, HallError> {
    let base = catalog.version.clone();
    // A label can be taken by a concurrent edit between counting and storing: count again.
    for _ in 0..3 {
        catalog.version = edit_label(store, &base).await?;
        let v = new_version(
            &catalog,
            Utc::now(),
            "staff",
            Some(author.to_owned()),
            Some(base.clone()),
        )?;
        match store.add_catalog_version(v).await? {
            CatalogAdded::Stored => return Ok(Some(catalog)),
            CatalogAdded::BaseChanged => return Ok(None),
            CatalogAdded::LabelTaken => continue,
        }
    }
    Err(HallError::Unavailable(
        "catalog versions are being added concurrently".into(),
    ))
}

/// A label for an import: `import-YYYYMMDD.N` (local date, N the count of stored versions
/// plus one).
pub async fn import_label(store: &dyn Store) -> Result<String, HallError> {
    let n = store.catalog_versions().await?.len() + 1;
    Ok(format!(
        "import-{}.{n}",
        Utc::now().with_timezone(&CST).format("%Y%m%d")
    ))
}

/// A label for a staff edit of `base`: the base label without an earlier edit or withdrawal
/// suffix, then `.eN` (N the count of stored versions plus one).
pub async fn edit_label(store: &dyn Store, base: &str) -> Result<String, HallError> {
    let n = store.catalog_versions().await?.len() + 1;
    let root = base.split("-w.").next().unwrap_or(base);
    let root = match root.rfind(".e") {
        Some(at) if root[at + 2..].chars().all(|c| c.is_ascii_digit()) && at + 2 < root.len() => {
            &root[..at]
        }
        _ => root,
    };
    let suffix = format!(".e{n}");
    let keep = root
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .take_while(|end| *end + suffix.len() <= MAX_LABEL)
        .last()
        .unwrap_or(0);
    Ok(format!("{}{suffix}", &root[..keep]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effective_times_read_in_hall_local_time() {
        let t = parse_effective_at("2027-01-01").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-31T16:00:00+00:00");
        let t = parse_effective_at("2027-01-01 08:30").unwrap();
        assert_eq!(t.to_rfc3339(), "2027-01-01T00:30:00+00:00");
        let t = parse_effective_at("2027-01-01T00:00:00Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2027-01-01T00:00:00+00:00");
        assert!(parse_effective_at("next monday").is_err());
    }

    #[test]
    fn labels_are_checked() {
        assert!(check_label("2024.05-seed.1").is_ok());
        assert!(check_label("").is_err());
        assert!(check_label("a b").is_err());
        assert!(check_label(&"a".repeat(65)).is_err());
    }
}
