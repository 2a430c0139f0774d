//! Which store a command opens: a `--db` of `postgres://…` or `postgresql://…` is a
//! PostgreSQL database (several halls may share it), anything else a SQLite file.

use std::path::Path;
use std::sync::Arc;

use super::postgres::{HeartbeatBatching, PgStore};
use super::sqlite::SqliteStore;
use super::Store;
use crate::error::HallError;
use crate::notify::due_soon::DueSoonStore;
use crate::notify::queue::NoticeStore;

/// A store with everything the hall process and its workers use, whichever backend.
pub trait HallStore: Store + NoticeStore + DueSoonStore {
    /// Finishes what is queued and closes (SQLite's writer; PostgreSQL's pool).
    fn close(&self);
    /// As the handlers' store.
    fn as_store(&self) -> &dyn Store;
    /// As the handlers' store, shared.
    fn into_store(self: Arc<Self>) -> Arc<dyn Store>;
    /// As the notice queue, shared.
    fn into_notices(self: Arc<Self>) -> Arc<dyn NoticeStore>;
    /// As the due-soon sweep's store, shared.
    fn into_due_soon(self: Arc<Self>) -> Arc<dyn DueSoonStore>;
}

macro_rules! hall_store {
    ($ty:ty, $close:expr) => {
        impl HallStore for $ty {
            fn close(&self) {
                $close(self)
            }
            fn as_store(&self) -> &dyn Store {
                self
            }
            fn into_store(self: Arc<Self>) -> Arc<dyn Store> {
                self
            }
            fn into_notices(self: Arc<Self>) -> Arc<dyn NoticeStore> {
                self
            }
            fn into_due_soon(self: Arc<Self>) -> Arc<dyn DueSoonStore> {
                self
            }
        }
    };
}

hall_store!(SqliteStore, SqliteStore::close);
hall_store!(PgStore, PgStore::close);

/// Whether `--db` names a PostgreSQL database.
pub fn is_postgres(db: &Path) -> bool {
    db.to_str()
        .is_some_and(|s| s.starts_with("postgres://") || s.starts_with("postgresql://"))
}

/// What a log line may say about `--db`: the SQLite path, or only "PostgreSQL" (a
/// connection string may hold a password).
pub fn describe(db: &Path) -> String {
    if is_postgres(db) {
        "PostgreSQL".to_owned()
    } else {
        db.display().to_string()
    }
}

/// Opens (and migrates) the store `--db` names.
pub async fn open(db: &Path) -> Result<Arc<dyn HallStore>, HallError> {
    open_with(db, HeartbeatBatching::default()).await
}

/// [`open`], with PostgreSQL's heartbeats written as `batching` says (SQLite's writer
/// groups them anyway).
pub async fn open_with(
    db: &Path,
    batching: HeartbeatBatching,
) -> Result<Arc<dyn HallStore>, HallError> {
    match db.to_str().filter(|_| is_postgres(db)) {
        Some(url) => Ok(Arc::new(PgStore::connect_with(url, batching).await?)),
        None => Ok(Arc::new(SqliteStore::open(db)?)),
    }
}
