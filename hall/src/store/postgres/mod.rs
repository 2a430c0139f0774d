//! PostgreSQL storage (issue 21): several hall processes on one database. A
//! `deadpool-postgres` pool of `tokio-postgres` connections; every write is one transaction
//! whose outcome the database decides — an idempotency key is taken by inserting its row (the
//! primary key decides a race; the loser waits for the winner's commit and answers its stored
//! record), a status move locks its application row, queues are claimed with
//! `FOR UPDATE SKIP LOCKED`. Migrations: `migrations.rs`, the twin of SQLite's.
//!
//! Every trait the hall's storage is made of is implemented here (`store.rs` for
//! [`crate::store::Store`] itself, one file per sub-trait as in `sqlite/`), and proven by the
//! same tests as SQLite's (`tests/store.rs`). `--db postgres://…` selects it
//! ([`crate::store::backend`]).

mod attachments;
mod followup;
mod from_sqlite;
mod heartbeats;
mod intake;
mod migrations;
mod notices;
mod partners;
mod reads;
mod reports;
mod sites;
mod staff;
mod store;
mod updates;
mod writes;

pub use heartbeats::{HeartbeatBatching, MAX_BATCH};
pub use migrations::latest as latest_schema;

use std::str::FromStr;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use crate::error::HallError;

/// Connections per hall process: a few per core serve the handlers (the work is in the
/// database); several processes share the server's `max_connections` (100 by default).
pub const POOL_SIZE: usize = 16;

/// How long a request waits for a connection (from the pool, or a new one) before it is
/// answered 503 with Retry-After; a connection string's own `connect_timeout` wins.
pub const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// PostgreSQL storage.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    heartbeats: heartbeats::SharedHeartbeats,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The connection string may hold a password: never printed.
        let status = self.pool.status();
        f.debug_struct("PgStore")
            .field("size", &status.size)
            .field("available", &status.available)
            .finish()
    }
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host/db` or `postgresql:///db?host=/socket/dir`),
    /// migrates the schema and keeps a pool of [`POOL_SIZE`] connections.
    pub async fn connect(url: &str) -> Result<Self, HallError> {
        Self::connect_with(url, HeartbeatBatching::default()).await
    }

    /// [`PgStore::connect`], writing heartbeats as `batching` says.
    pub async fn connect_with(url: &str, batching: HeartbeatBatching) -> Result<Self, HallError> {
        let mut config = tokio_postgres::Config::from_str(url).map_err(|e| {
            HallError::InvalidArgument(format!(
                "not a PostgreSQL connection string ({e}); use postgres://USER@HOST/DB or \
                 postgresql:///DB?host=/socket/dir"
            ))
        })?;
        // A database that fails over or drops off the network must answer requests with
        // 503 and Retry-After within seconds, not hold them until TCP gives up.
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(CONNECT_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .recycle_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| HallError::Unavailable(format!("cannot build the pool: {e}")))?;
        let store = PgStore {
            pool,
            heartbeats: std::sync::Arc::new(heartbeats::Heartbeats::new(batching)),
        };
        let mut client = store.client().await?;
        let version = migrations::migrate(&mut client).await?;
        tracing::info!(
            schema = version,
            latest = migrations::latest(),
            "database ready"
        );
        Ok(store)
    }

    /// (batches, heartbeats) the heartbeat batcher has written so far.
    pub fn heartbeat_batches(&self) -> (u64, u64) {
        self.heartbeats.written()
    }

    /// Closes the pool: connections in use finish their work and are dropped.
    pub fn close(&self) {
        self.pool.close();
    }

    /// A pooled connection; a pool that cannot connect answers 503 (retry).
    async fn client(&self) -> Result<deadpool_postgres::Object, HallError> {
        self.pool.get().await.map_err(|e| match e {
            deadpool_postgres::PoolError::Backend(e) => pg(e),
            other => HallError::Unavailable(format!("no database connection: {other}")),
        })
    }
}

/// The server's message and SQLSTATE of a driver error, without its DETAIL (row values).
pub(crate) fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

/// A driver error as a [`HallError`]; transient ones (connection, serialization, deadlock,
/// shutdown) say so, and the handlers answer 503 with Retry-After.
pub(crate) fn pg(e: tokio_postgres::Error) -> HallError {
    use tokio_postgres::error::SqlState;
    match e.as_db_error() {
        Some(db) => {
            let code = db.code();
            let transient = [
                SqlState::T_R_SERIALIZATION_FAILURE,
                SqlState::T_R_DEADLOCK_DETECTED,
                SqlState::ADMIN_SHUTDOWN,
                SqlState::CANNOT_CONNECT_NOW,
                SqlState::TOO_MANY_CONNECTIONS,
                SqlState::READ_ONLY_SQL_TRANSACTION,
            ]
            .contains(code);
            HallError::Postgres {
                sqlstate: code.code().to_owned(),
                message: db.message().to_owned(),
                transient,
            }
        }
        None => HallError::Postgres {
            sqlstate: "-----".into(),
            message: e.to_string(),
            // A lost or refused connection: retry. Anything else without a SQLSTATE (a
            // value that does not encode, a row that does not decode) is a bug.
            transient: e.is_closed()
                || std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>()),
        },
    }
}

impl From<tokio_postgres::Error> for HallError {
    fn from(e: tokio_postgres::Error) -> Self {
        pg(e)
    }
}
