//! The `hall` program (its binary, and the e2e tests' copy of it, call [`main`]): serve the
//! backend, or issue kiosk, operator and staff credentials, keep the catalog, sites and partners,
//! back up or move the database.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::staff::auth::{add_account, reset_password};
use crate::staff::StaffSettings;
use crate::store::backend::HallStore;
use crate::store::staff::Role;
use crate::store::PrincipalKind;
use crate::{AppState, HallError, Settings};
use clap::{Parser, Subcommand};

/// The county hall backend.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API and the dashboard (creates, migrates and seeds the database on first start).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        net: NetArgs,
        /// Mark the staff workbench's cookies Secure (the hall is reached over HTTPS).
        #[arg(long, env = "HALL_SECURE_COOKIES")]
        secure_cookies: bool,
        /// A directory of holiday files (`YYYY.toml`) adding to or replacing the built-in
        /// 2025-2027 ones.
        #[arg(long, env = "HALL_HOLIDAYS")]
        holidays: Option<PathBuf>,
        /// Working days after a 差评 by which its 核实, 整改 and 回访 are due (default 5,10,15).
        #[arg(long, env = "HALL_RECTIFICATION_DAYS")]
        rectification_days: Option<crate::staff::ratings::RectificationDays>,
        /// Notifier configuration (TOML: webhooks and SMTP targets, see hall/README.md).
        /// Without it no notices are queued or sent.
        #[arg(long, env = "HALL_NOTIFY_CONFIG")]
        notify_config: Option<PathBuf>,
        #[command(flatten)]
        partners: crate::partners::worker::WorkerArgs,
        /// PostgreSQL: heartbeats are written in batches, each what arrived while the last
        /// was written; this many milliseconds (0-1000) more are waited for, or `off` writes
        /// each on its own. Each is answered once its batch is committed.
        #[arg(long, env = "HALL_HEARTBEAT_BATCH_MS", default_value = "0")]
        heartbeat_batch_ms: crate::store::postgres::HeartbeatBatching,
    },
    /// Software updates: RAUC bundles (`add`, `list`) and rollouts in waves (`rollout`,
    /// `status`, `halt`).
    Update {
        #[command(subcommand)]
        action: crate::updates::cli::UpdateAction,
    },
    /// Kiosk credentials and the site each kiosk stands at.
    Kiosk {
        #[command(subcommand)]
        action: KioskAction,
    },
    /// Sites: the county → township → village tree and the items each site offers.
    Site {
        #[command(subcommand)]
        action: SiteAction,
    },
    /// Operator credentials (fleet view, dashboard, metrics).
    Operator {
        #[command(subcommand)]
        action: AddAction,
    },
    /// Staff: workbench accounts (`--role`) or API credentials (without `--role`).
    Staff {
        #[command(subcommand)]
        action: StaffAction,
    },
    /// The notices' delivery log (no message bodies, nothing personal).
    Notices {
        #[command(subcommand)]
        action: NoticesAction,
    },
    /// Change the served catalog while the hall runs (picked up within a second).
    Catalog {
        #[command(subcommand)]
        action: CatalogAction,
    },
    /// 跨省通办 partner halls: add (prints the credential the partner calls us with),
    /// set-token (the one it issued us), list, remove.
    Partner {
        #[command(subcommand)]
        action: crate::partners::cli::PartnerAction,
    },
    /// Move this county's SQLite database into an empty PostgreSQL database: every table,
    /// its ids and sequences, in one transaction checked by row counts. Stop the hall first;
    /// the key file stays the same (give it to the PostgreSQL halls with --key-file).
    MigrateTo {
        /// The PostgreSQL database (`postgres://user@host/db`), created empty beforehand.
        url: String,
        /// The SQLite database file.
        #[arg(long, env = "HALL_DB", default_value = "hall.db")]
        db: PathBuf,
    },
    /// A consistent copy of the database (with the attachments), safe while the hall runs.
    /// The key file is not in it: back that up separately.
    Backup {
        /// The new file to write (must not exist).
        out: PathBuf,
        /// The SQLite database file.
        #[arg(long, env = "HALL_DB", default_value = "hall.db")]
        db: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum NoticesAction {
    /// The newest deliveries: kind, target, status, attempts, times, last error class.
    List {
        /// How many rows (newest first).
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
enum CatalogAction {
    /// Stop offering an item (and the bundles that contain it); new applications for it get
    /// 422, retries of applications already taken in are still answered.
    Withdraw {
        /// Item code.
        item: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Offer a withdrawn item again.
    Restore {
        /// Item code.
        item: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Import the county's item list (an .xlsx workbook or a folder of CSV files; the sheets
    /// are described in hall/README.md) as a new catalog version. Every row is checked and
    /// every error listed; nothing is stored unless the whole file is valid.
    Import {
        /// The .xlsx file, or the folder holding departments.csv, items.csv, …
        file: PathBuf,
        /// When the version takes effect: YYYY-MM-DD or "YYYY-MM-DD HH:MM" (hall local
        /// time, UTC+8) or RFC 3339. Default: now. A running hall switches at that time.
        #[arg(long)]
        effective_at: Option<String>,
        /// The version label (default import-YYYYMMDD.N).
        #[arg(long = "label")]
        label: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Write the catalog in effect (or version --label) as .xlsx or as a folder of CSV files
    /// (any path not ending in .xlsx); importing it again gives the same catalog.
    Export {
        /// The .xlsx file or the folder to write.
        file: PathBuf,
        /// A stored version's label instead of the one in effect.
        #[arg(long = "label")]
        label: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Say what importing FILE would change in the catalog in effect (stores nothing).
    Diff {
        /// The .xlsx file or folder of CSV files.
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List the stored catalog versions: label, effective time, source, author.
    Versions {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, clap::Args)]
struct NetArgs {
    /// Serve HTTPS with this PEM certificate chain (needs --tls-key).
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// A reverse proxy (address or CIDR block) whose X-Forwarded-For is believed for the
    /// client address of the guess limiter and the logs. Repeatable.
    #[arg(long = "trusted-proxy", value_name = "CIDR")]
    trusted_proxies: Vec<crate::net::Cidr>,
    /// Seconds before an unanswered request gets 503.
    #[arg(long, default_value_t = 30)]
    request_timeout: u64,
    /// Requests handled at once.
    #[arg(long, default_value_t = 512)]
    max_concurrent: usize,
}

#[derive(Debug, clap::Args)]
struct DbArgs {
    /// The SQLite database file, or a PostgreSQL database (`postgres://user@host/db`,
    /// `postgresql:///db?host=/run/postgresql`) that several halls may share.
    #[arg(long, env = "HALL_DB", default_value = "hall.db")]
    db: PathBuf,
    /// The key file (created with mode 0600 if missing; default: the database path + `.keys`).
    /// Keep it on another volume than the database and back it up: without it, sealed
    /// personal data cannot be read.
    #[arg(long, env = "HALL_KEY_FILE")]
    key_file: Option<PathBuf>,
    /// Where `hall update add` keeps RAUC bundles and `serve` reads them for kiosks' downloads
    /// (default: the database path + `.bundles`; with PostgreSQL give it, or no downloads).
    #[arg(long, env = "HALL_BUNDLE_DIR")]
    bundle_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum AddAction {
    /// Issue a credential (replacing any earlier one of that id) and print it once.
    Add {
        /// Id: 1-64 characters of [a-z0-9-].
        id: String,
        /// Where the kiosk stands, or the person's display name.
        #[arg(long, default_value = "")]
        label: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke a credential: refused by a running hall within a second.
    Revoke {
        /// Id.
        id: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
enum KioskAction {
    /// Issue a credential (replacing any earlier one of that id) and print it once.
    Add {
        /// Id: 1-64 characters of [a-z0-9-].
        id: String,
        /// Where the kiosk stands.
        #[arg(long, default_value = "")]
        label: String,
        /// The site code the kiosk stands at (`hall site list`); without it the kiosk stands
        /// at the county level.
        #[arg(long)]
        site: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke a credential: refused by a running hall within a second.
    Revoke {
        /// Id.
        id: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Move a kiosk to another site (its next catalog fetch shows that site's items).
    Site {
        /// Kiosk id.
        id: String,
        /// Site code.
        site: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Queue a remote action (restart, selftest, journal, config), delivered with the
    /// kiosk's next heartbeat; audit-logged.
    Action {
        /// Kiosk id.
        id: String,
        #[command(subcommand)]
        kind: crate::updates::cli::ActionKind,
        #[command(flatten)]
        db: DbArgs,
    },
    /// A kiosk's latest remote actions and their results.
    Actions {
        /// Kiosk id.
        id: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
enum SiteAction {
    /// Add a site: a county (no parent), a township under a county, a village under a
    /// township.
    Add {
        /// Code: 1-32 characters of [A-Za-z0-9_-] (e.g. the division code).
        code: String,
        /// Name, e.g. 城关镇.
        #[arg(long)]
        name: String,
        /// The code of the site above it.
        #[arg(long)]
        parent: Option<String>,
        /// county, township or village.
        #[arg(long)]
        level: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Print the tree with each site's kiosks and item rules.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Set which items a site (and every site under it) offers.
    Items {
        /// Site code.
        code: String,
        /// Offer only these items here (replaces the site's earlier list).
        #[arg(long, num_args = 1.., conflicts_with_all = ["hide", "clear"])]
        only: Vec<String>,
        /// Hide these items here (added to the site's hidden items).
        #[arg(long, num_args = 1.., conflicts_with = "clear")]
        hide: Vec<String>,
        /// Drop all of the site's rules.
        #[arg(long)]
        clear: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
enum StaffAction {
    /// With `--role`: create (or replace) a workbench account and print its first password
    /// once (to be replaced at the first sign-in). Without: issue an API credential `<id>.<secret>` for the staff endpoints.
    Add {
        /// Name: 1-64 characters of [a-z0-9-].
        id: String,
        /// The person's display name.
        #[arg(long, default_value = "")]
        label: String,
        /// front-desk (综合受理), reviewer (部门审批), callback (回访), supervisor (督查) or
        /// operator.
        #[arg(long)]
        role: Option<String>,
        /// A department code the reviewer works for (repeat for several).
        #[arg(long = "department")]
        departments: Vec<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Set a new workbench password (printed once; to be replaced at the next sign-in); ends
    /// the account's sessions.
    Passwd {
        /// Name.
        id: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke a workbench account and end its sessions.
    Revoke {
        /// Name.
        id: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

fn key_file(db: &DbArgs) -> Result<PathBuf, HallError> {
    if let Some(k) = &db.key_file {
        return Ok(k.clone());
    }
    if crate::store::backend::is_postgres(&db.db) {
        return Err(HallError::InvalidArgument(
            "with a PostgreSQL --db, give --key-file (every hall sharing the database needs \
             the same key file)"
                .into(),
        ));
    }
    let mut p = db.db.clone().into_os_string();
    p.push(".keys");
    Ok(PathBuf::from(p))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn serve(
    listen: SocketAddr,
    db: &DbArgs,
    net: NetArgs,
    mut staff: StaffSettings,
    notify: Option<&Path>,
    partners: &crate::partners::worker::WorkerArgs,
    heartbeats: crate::store::postgres::HeartbeatBatching,
) -> Result<(), HallError> {
    let notify_config = notify.map(crate::notify::NotifyConfig::load).transpose()?;
    let partner_settings = partners.settings()?;
    let tls = match (&net.tls_cert, &net.tls_key) {
        (Some(cert), Some(key)) => Some(crate::tls::server_config(cert, key)?),
        _ => None,
    };
    // Served over TLS, the workbench's cookies are Secure whatever the flag says.
    staff.secure_cookies |= tls.is_some();
    let secrets = crate::crypto::Secrets::load_or_create(&key_file(db)?)?;
    let store = crate::store::backend::open_with(&db.db, heartbeats).await?;
    let settings = Settings {
        trusted_proxies: net.trusted_proxies,
        request_timeout: std::time::Duration::from_secs(net.request_timeout.max(1)),
        concurrency_limit: net.max_concurrent.max(1),
        staff,
        bundle_dir: crate::updates::cli::bundle_dir(&db.db, db.bundle_dir.as_deref()).ok(),
        ..Settings::default()
    };
    let state = AppState::new(store.clone().into_store(), secrets, settings).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = match notify_config {
        Some(cfg) => Some(crate::notify::queue::spawn(
            &state,
            store.clone().into_notices(),
            cfg,
            stopped.clone(),
        )?),
        None => None,
    };
    // Forwards 跨省通办 applications and brings their stage changes back.
    let partner_worker =
        crate::partners::worker::spawn(state.clone(), partner_settings, stopped.clone())?;
    // Tells staff of applications due within 2 working days (when a notifier takes it).
    let due_soon = worker.is_some().then(|| {
        crate::notify::due_soon::spawn(
            state.clone(),
            store.clone().into_due_soon(),
            crate::notify::due_soon::SWEEP_EVERY,
            stopped,
        )
    });
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let shutdown = async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    };
    match tls {
        Some(tls) => {
            tracing::info!(%addr, db = %crate::store::backend::describe(&db.db), "hall listening (HTTPS)");
            crate::serve_tls(listener, tls, state, shutdown).await?;
        }
        None => {
            tracing::info!(%addr, db = %crate::store::backend::describe(&db.db), "hall listening (plain HTTP)");
            crate::serve(listener, state, shutdown).await?;
        }
    }
    if let Some(w) = worker {
        if w.await.is_err() {
            tracing::error!("the notice worker panicked");
        }
    }
    if partner_worker.await.is_err() {
        tracing::error!("the partner worker panicked");
    }
    if let Some(s) = due_soon {
        if s.await.is_err() {
            tracing::error!("the due-soon sweep panicked");
        }
    }
    store.close();
    tracing::info!("stopped cleanly");
    Ok(())
}

async fn migrate_to(url: &str, db: &Path) -> Result<(), HallError> {
    if !crate::store::backend::is_postgres(Path::new(url)) {
        return Err(HallError::InvalidArgument(format!(
            "{url:?} is not a PostgreSQL connection string (postgres://USER@HOST/DB)"
        )));
    }
    if crate::store::backend::is_postgres(db) || !db.is_file() {
        return Err(HallError::InvalidArgument(format!(
            "--db {}: not a SQLite database file",
            crate::store::backend::describe(db)
        )));
    }
    // Both sides at the latest schema, so their tables and columns match.
    crate::store::sqlite::SqliteStore::open(db)?.close();
    let target = crate::store::postgres::PgStore::connect(url).await?;
    let moved = target.take_from_sqlite(db).await;
    target.close();
    let moved = moved?;
    let rows: i64 = moved.iter().map(|(_, n)| n).sum();
    for (table, n) in &moved {
        eprintln!("{table:<28} {n:>10}");
    }
    eprintln!(
        "Moved {} tables ({rows} rows) from {} to PostgreSQL; row counts checked. Start the \
         halls with --db <the same URL> --key-file {}.keys (the SQLite hall's key file, or \
         its --key-file).",
        moved.len(),
        db.display(),
        db.display()
    );
    Ok(())
}

async fn revoke(kind: PrincipalKind, id: &str, db: &DbArgs) -> Result<(), HallError> {
    let store = crate::store::backend::open(&db.db).await?;
    let done = store.revoke_principal(kind, id).await?;
    store.close();
    if done {
        eprintln!(
            "Revoked {} {id}; a running hall refuses it within a second.",
            kind.as_str()
        );
        Ok(())
    } else {
        Err(HallError::InvalidArgument(format!(
            "there is no active {} credential {id:?}",
            kind.as_str()
        )))
    }
}

async fn notices_list(limit: usize, db: &DbArgs) -> Result<(), HallError> {
    if !crate::store::backend::is_postgres(&db.db) && !db.db.exists() {
        return Err(HallError::InvalidArgument(format!(
            "{} does not exist; give the hall's database with --db",
            db.db.display()
        )));
    }
    let store = crate::store::backend::open(&db.db).await?;
    let rows = store.delivery_log(limit.clamp(1, 10_000)).await;
    store.close();
    let text = crate::notify::log::table(&rows?);
    std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes())?;
    Ok(())
}

async fn catalog(item: &str, withdraw: bool, db: &DbArgs) -> Result<(), HallError> {
    let store = crate::store::backend::open(&db.db).await?;
    let result = catalog_change(&*store, item, withdraw).await;
    store.close();
    result
}

async fn catalog_change(
    store: &dyn HallStore,
    item: &str,
    withdraw: bool,
) -> Result<(), HallError> {
    let stored = store.catalog().await?.ok_or_else(|| {
        HallError::InvalidArgument("the database has no catalog yet; run `hall serve` once".into())
    })?;
    let known = serde_json::from_str::<hall_api::catalog::Catalog>(&stored.json)
        .map_err(|e| HallError::Corrupt(format!("catalog {}: {e}", stored.version)))?
        .item(item)
        .is_some();
    if !known {
        return Err(HallError::InvalidArgument(format!(
            "item {item:?} is not in catalog {}",
            stored.version
        )));
    }
    let changed = store.set_item_withdrawn(item, withdraw).await?;
    let what = if withdraw { "withdrawn" } else { "restored" };
    if changed {
        eprintln!("Item {item} {what}; a running hall serves the change within a second.");
    } else {
        eprintln!("Item {item} was already {what}; nothing changed.");
    }
    Ok(())
}

/// `hall catalog import|export|diff|versions`.
async fn catalog_file(action: CatalogAction) -> Result<(), HallError> {
    use crate::catalog_file;
    use crate::catalog_versions as versions;
    let bad = |e: catalog_file::CatalogFileError| HallError::InvalidArgument(e.to_string());
    match action {
        CatalogAction::Import {
            file,
            effective_at,
            label,
            db,
        } => {
            let effective_at = match effective_at {
                Some(t) => versions::parse_effective_at(&t)?,
                None => chrono::Utc::now(),
            };
            if let Some(l) = &label {
                versions::check_label(l)?;
            }
            let imported = catalog_file::read_file(&file).map_err(bad)?;
            let store = crate::store::backend::open(&db.db).await?;
            let result = async {
                let current = versions::current(store.as_store()).await?;
                let changes = catalog_file::diff(&current, &imported);
                let label = match label {
                    Some(l) => l,
                    None => versions::import_label(store.as_store()).await?,
                };
                let author = std::env::var("USER").ok();
                let stored = versions::store_version(
                    store.as_store(),
                    imported,
                    label,
                    effective_at,
                    "import",
                    author,
                )
                .await?;
                eprintln!(
                    "Stored catalog version {} ({} items, {} bundles), in effect from {}; {} change(s) from version {}:",
                    stored.version,
                    stored.items.len(),
                    stored.bundles.len(),
                    versions::local(effective_at),
                    catalog_file::change_count(&changes),
                    current.version
                );
                for line in changes {
                    eprintln!("  {line}");
                }
                eprintln!("A running hall serves it within a second of that time.");
                Ok(())
            }
            .await;
            store.close();
            result
        }
        CatalogAction::Export { file, label, db } => {
            let store = crate::store::backend::open(&db.db).await?;
            let catalog = match &label {
                Some(l) => versions::by_label(store.as_store(), l).await,
                None => versions::current(store.as_store()).await.map(Some),
            };
            store.close();
            let catalog = catalog?.ok_or_else(|| {
                HallError::InvalidArgument(format!(
                    "no catalog version {:?}; `hall catalog versions` lists them",
                    label.unwrap_or_default()
                ))
            })?;
            catalog_file::write_file(&catalog, &file).map_err(bad)?;
            eprintln!(
                "Wrote catalog version {} ({} items, {} bundles) to {}.",
                catalog.version,
                catalog.items.len(),
                catalog.bundles.len(),
                file.display()
            );
            Ok(())
        }
        CatalogAction::Diff { file, db } => {
            let imported = catalog_file::read_file(&file).map_err(bad)?;
            let store = crate::store::backend::open(&db.db).await?;
            let current = versions::current(store.as_store()).await;
            store.close();
            let current = current?;
            let changes = catalog_file::diff(&current, &imported);
            let mut out = format!(
                "{} change(s) from catalog version {} (in effect now):\n",
                catalog_file::change_count(&changes),
                current.version
            );
            for line in changes {
                out.push_str(&format!("  {line}\n"));
            }
            std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes())?;
            Ok(())
        }
        CatalogAction::Versions { db } => {
            let store = crate::store::backend::open(&db.db).await?;
            let rows = store.catalog_versions().await;
            let now = store.catalog().await;
            store.close();
            let (rows, now) = (rows?, now?);
            let mut out = String::new();
            for r in rows {
                let mark = if now.as_ref().is_some_and(|n| n.version == r.version) {
                    "in effect"
                } else if r.effective_at > chrono::Utc::now() {
                    "scheduled"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\n",
                    r.version,
                    versions::local(r.effective_at),
                    r.source,
                    r.author.unwrap_or_default(),
                    mark
                ));
            }
            std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes())?;
            Ok(())
        }
        CatalogAction::Withdraw { item, db } => catalog(&item, true, &db).await,
        CatalogAction::Restore { item, db } => catalog(&item, false, &db).await,
    }
}

async fn add(kind: PrincipalKind, id: &str, label: &str, db: &DbArgs) -> Result<String, HallError> {
    if !hall_api::is_valid_principal_id(id) {
        return Err(HallError::InvalidArgument(format!(
            "id {id:?} must be 1-64 characters of [a-z0-9-], not starting with '-'"
        )));
    }
    let store = crate::store::backend::open(&db.db).await?;
    let issued = crate::auth::issue(kind, id, label)?;
    store.put_principal(issued.principal.clone()).await?;
    store.close();
    Ok(issued.token.to_string())
}

async fn credential(kind: PrincipalKind, action: AddAction) -> Result<Option<String>, HallError> {
    match action {
        AddAction::Add { id, label, db } => add(kind, &id, &label, &db).await.map(Some),
        AddAction::Revoke { id, db } => revoke(kind, &id, &db).await.map(|()| None),
    }
}

/// `hall kiosk …`: a credential to print once, or a kiosk's site.
async fn kiosk(action: KioskAction) -> Result<Option<String>, HallError> {
    match action {
        KioskAction::Add {
            id,
            label,
            site: None,
            db,
        } => add(PrincipalKind::Kiosk, &id, &label, &db).await.map(Some),
        KioskAction::Add {
            id,
            label,
            site: Some(site),
            db,
        } => {
            // The site is checked before a credential is issued: bad input loses nothing.
            known_site(&site, &db).await?;
            let token = add(PrincipalKind::Kiosk, &id, &label, &db).await?;
            let store = crate::store::backend::open(&db.db).await?;
            let placed = store.set_kiosk_site(&id, &site).await;
            store.close();
            placed?;
            eprintln!("Kiosk {id} stands at site {site}.");
            Ok(Some(token))
        }
        KioskAction::Revoke { id, db } => {
            revoke(PrincipalKind::Kiosk, &id, &db).await.map(|()| None)
        }
        KioskAction::Action { id, kind, db } => crate::updates::cli::action(&db.db, &id, kind)
            .await
            .map(|()| None),
        KioskAction::Actions { id, db } => crate::updates::cli::actions(&db.db, &id)
            .await
            .map(|()| None),
        KioskAction::Site { id, site, db } => {
            let store = crate::store::backend::open(&db.db).await?;
            let result = async {
                let sites = store.sites().await?;
                let Some(to) = sites.iter().find(|s| s.code == site) else {
                    return Err(unknown_site(&site));
                };
                if store.principal(PrincipalKind::Kiosk, &id).await?.is_none() {
                    return Err(HallError::InvalidArgument(format!(
                        "unknown kiosk {id:?}; add it with `hall kiosk add {id} --site {site}`"
                    )));
                }
                store.set_kiosk_site(&id, &site).await?;
                eprintln!(
                    "Kiosk {id} now stands at {} ({}, {}); it gets that site's catalog at its next fetch.",
                    to.code,
                    to.name,
                    to.level.as_str()
                );
                Ok(())
            }
            .await;
            store.close();
            result.map(|()| None)
        }
    }
}

fn unknown_site(code: &str) -> HallError {
    HallError::InvalidArgument(format!(
        "unknown site {code:?}; `hall site list` shows the tree, `hall site add` adds one"
    ))
}

async fn known_site(code: &str, db: &DbArgs) -> Result<(), HallError> {
    let store = crate::store::backend::open(&db.db).await?;
    let sites = store.sites().await;
    store.close();
    if sites?.iter().any(|s| s.code == code) {
        Ok(())
    } else {
        Err(unknown_site(code))
    }
}

/// `hall site …`.
async fn site(action: SiteAction) -> Result<(), HallError> {
    use crate::sites::{check_new, tree_lines, Level, Rule, Site};
    match action {
        SiteAction::Add {
            code,
            name,
            parent,
            level,
            db,
        } => {
            let level = Level::parse(&level).ok_or_else(|| {
                HallError::InvalidArgument(format!(
                    "unknown level {level:?}: use county, township or village"
                ))
            })?;
            let site = Site {
                code,
                name: name.trim().to_owned(),
                level,
                parent,
            };
            let store = crate::store::backend::open(&db.db).await?;
            let result = async {
                check_new(&site, &store.sites().await?)?;
                if !store.add_site(site.clone()).await? {
                    return Err(HallError::InvalidArgument(format!(
                        "site {:?} already exists",
                        site.code
                    )));
                }
                eprintln!(
                    "Added {} {} ({}).",
                    site.level.as_str(),
                    site.code,
                    site.name
                );
                Ok(())
            }
            .await;
            store.close();
            result
        }
        SiteAction::List { db } => {
            let store = crate::store::backend::open(&db.db).await?;
            let read = async {
                Ok::<_, HallError>((
                    store.sites().await?,
                    store.kiosk_sites().await?,
                    store.site_rules().await?,
                ))
            }
            .await;
            store.close();
            let (sites, kiosks, rules) = read?;
            let mut out = String::new();
            if sites.is_empty() {
                out.push_str("No sites yet: `hall site add CODE --name NAME --level county`.\n");
            }
            for line in tree_lines(&sites, &kiosks) {
                let code = line.split_whitespace().next().unwrap_or_default();
                out.push_str(&line);
                for rule in [Rule::Hide, Rule::Only] {
                    let items: Vec<&str> = rules
                        .iter()
                        .filter(|r| r.site == code && r.rule == rule)
                        .map(|r| r.item.as_str())
                        .collect();
                    if !items.is_empty() {
                        out.push_str(&format!("  {}: {}", rule.as_str(), items.join(" ")));
                    }
                }
                out.push('\n');
            }
            std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes())?;
            Ok(())
        }
        SiteAction::Items {
            code,
            only,
            hide,
            clear,
            db,
        } => {
            if only.is_empty() && hide.is_empty() && !clear {
                return Err(HallError::InvalidArgument(
                    "say --only ITEM…, --hide ITEM… or --clear".into(),
                ));
            }
            let store = crate::store::backend::open(&db.db).await?;
            let result = async {
                if !store.sites().await?.iter().any(|s| s.code == code) {
                    return Err(unknown_site(&code));
                }
                // Item codes of the catalog in effect (the seed before the first start).
                let catalog = match store.catalog().await? {
                    Some(stored) => crate::state::CatalogEntry::from_stored(&stored, &[])?.catalog,
                    None => crate::seed::catalog(),
                };
                let unknown: Vec<&str> = only
                    .iter()
                    .chain(&hide)
                    .filter(|i| catalog.item(i).is_none())
                    .map(String::as_str)
                    .collect();
                if !unknown.is_empty() {
                    return Err(HallError::InvalidArgument(format!(
                        "not item codes of the catalog in effect: {}; nothing changed",
                        unknown.join(", ")
                    )));
                }
                if clear {
                    store.clear_site_rules(&code).await?;
                    eprintln!("Site {code} has no item rules now.");
                }
                if !only.is_empty() {
                    let n = only.len();
                    store.set_site_rules(&code, Rule::Only, only, true).await?;
                    eprintln!("Site {code} and the sites under it offer only {n} item(s).");
                }
                if !hide.is_empty() {
                    let n = hide.len();
                    store.set_site_rules(&code, Rule::Hide, hide, false).await?;
                    eprintln!("Site {code} and the sites under it hide {n} more item(s).");
                }
                Ok(())
            }
            .await;
            store.close();
            result
        }
    }
}

/// `hall staff …`: an account's password, or an API token, to print once.
async fn staff(action: StaffAction) -> Result<Option<String>, HallError> {
    match action {
        StaffAction::Add {
            id,
            label,
            role: None,
            departments,
            db,
        } => {
            if !departments.is_empty() {
                return Err(HallError::InvalidArgument(
                    "--department needs --role reviewer".into(),
                ));
            }
            add(PrincipalKind::Staff, &id, &label, &db).await.map(Some)
        }
        StaffAction::Add {
            id,
            label,
            role: Some(role),
            departments,
            db,
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                HallError::InvalidArgument(format!(
                    "unknown role {role:?}: use one of {}",
                    Role::ALL.map(Role::as_str).join(", ")
                ))
            })?;
            let store = crate::store::backend::open(&db.db).await?;
            // The catalog the hall serves (the seed one before its first start).
            let catalog = match store.catalog().await? {
                Some(stored) => crate::state::CatalogEntry::from_stored(&stored, &[])?.catalog,
                None => crate::seed::catalog(),
            };
            for d in &departments {
                if catalog.department(d).is_none() {
                    let known: Vec<&str> = catalog
                        .departments
                        .iter()
                        .map(|d| d.code.as_str())
                        .collect();
                    return Err(HallError::InvalidArgument(format!(
                        "unknown department {d:?}: the catalog has {}",
                        known.join(", ")
                    )));
                }
            }
            let password = add_account(store.as_store(), &id, role, &departments, &label).await?;
            store.close();
            Ok(Some(password.to_string()))
        }
        StaffAction::Passwd { id, db } => {
            let store = crate::store::backend::open(&db.db).await?;
            let password = reset_password(store.as_store(), &id).await?;
            store.close();
            Ok(Some(password.to_string()))
        }
        StaffAction::Revoke { id, db } => {
            // The workbench account (its sessions end) and the API credential of that id,
            // whichever exist.
            let store = crate::store::backend::open(&db.db).await?;
            let account = store.revoke_staff(&id, chrono::Utc::now()).await?;
            let api = store.revoke_principal(PrincipalKind::Staff, &id).await?;
            store.close();
            if !account && !api {
                return Err(HallError::InvalidArgument(format!(
                    "no staff account or staff credential {id:?}"
                )));
            }
            if account {
                eprintln!("Revoked the workbench account {id}; their sessions are ended.");
            }
            if api {
                eprintln!(
                    "Revoked staff credential {id}; a running hall refuses it within a second."
                );
            }
            Ok(None)
        }
    }
}

/// The `hall` program: parse arguments, run the command on a multi-threaded runtime.
pub fn main() -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(err) => {
            eprintln!("hall: cannot start the runtime: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve {
            listen,
            db,
            net,
            secure_cookies,
            holidays,
            rectification_days,
            notify_config,
            partners,
            heartbeat_batch_ms,
        } => {
            let staff = StaffSettings {
                secure_cookies,
                holidays_dir: holidays,
                rectification: rectification_days.unwrap_or_default(),
                ..StaffSettings::default()
            };
            serve(
                listen,
                &db,
                net,
                staff,
                notify_config.as_deref(),
                &partners,
                heartbeat_batch_ms,
            )
            .await
            .map(|()| None)
        }
        Command::Kiosk { action } => kiosk(action).await,
        Command::Update { action } => crate::updates::cli::run(action).await.map(|()| None),
        Command::Site { action } => site(action).await.map(|()| None),
        Command::Operator { action } => credential(PrincipalKind::Operator, action).await,
        Command::Staff { action } => staff(action).await,
        Command::Notices {
            action: NoticesAction::List { limit, db },
        } => notices_list(limit, &db).await.map(|()| None),
        Command::Catalog { action } => catalog_file(action).await.map(|()| None),
        Command::Partner { action } => crate::partners::cli::run(action).await,
        Command::MigrateTo { url, db } => migrate_to(&url, &db).await.map(|()| None),
        Command::Backup { db, .. } if crate::store::backend::is_postgres(&db) => {
            Err(HallError::InvalidArgument(
                "`hall backup` copies a SQLite file; back a PostgreSQL database up with \
                 pg_dump or a base backup (see hall/README.md)"
                    .into(),
            ))
        }
        Command::Backup { out, db } => crate::backup::snapshot(&db, &out).map(|bytes| {
            eprintln!(
                "Wrote {} ({bytes} bytes). Back up the key file separately.",
                out.display()
            );
            None
        }),
    };
    match result {
        Ok(Some(token)) => {
            // Not println!: it panics when the reader has gone (`hall kiosk add … | head -c0`).
            if let Err(e) =
                std::io::Write::write_all(&mut std::io::stdout(), format!("{token}\n").as_bytes())
            {
                eprintln!("hall: the credential could not be written ({e}); issue a new one");
                return ExitCode::from(if e.kind() == std::io::ErrorKind::BrokenPipe {
                    141
                } else {
                    1
                });
            }
            eprintln!("This is shown only once; the hall keeps only its hash. Store it now.");
            ExitCode::SUCCESS
        }
        Ok(None) => ExitCode::SUCCESS,
        Err(e @ HallError::InvalidArgument(_)) => {
            // Bad input, like a usage error: exit code 2.
            eprintln!("hall: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("hall: {e}");
            ExitCode::FAILURE
        }
    }
}
