//! `hall`: serve the backend, or issue kiosk, operator and staff credentials.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use hall::staff::auth::{add_account, reset_password};
use hall::staff::StaffSettings;
use hall::store::sqlite::SqliteStore;
use hall::store::staff::{Role, StaffStore};
use hall::store::{PrincipalKind, Store};
use hall::{AppState, HallError, Settings};

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
        /// Mark the staff workbench's cookies Secure (the hall is reached over HTTPS).
        #[arg(long, env = "HALL_SECURE_COOKIES")]
        secure_cookies: bool,
        /// A directory of holiday files (`YYYY.toml`) adding to or replacing the built-in
        /// 2025-2027 ones.
        #[arg(long, env = "HALL_HOLIDAYS")]
        holidays: Option<PathBuf>,
    },
    /// Kiosk credentials.
    Kiosk {
        #[command(subcommand)]
        action: AddAction,
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
}

#[derive(Debug, clap::Args)]
struct DbArgs {
    /// The SQLite database file.
    #[arg(long, env = "HALL_DB", default_value = "hall.db")]
    db: PathBuf,
    /// The key file (created with mode 0600 if missing; default: the database path + `.keys`).
    /// Keep it on another volume than the database and back it up: without it, sealed
    /// personal data cannot be read.
    #[arg(long, env = "HALL_KEY_FILE")]
    key_file: Option<PathBuf>,
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
}

#[derive(Debug, Subcommand)]
enum StaffAction {
    /// With `--role`: create (or replace) a workbench account and print its first password
    /// once. Without: issue an API credential `<id>.<secret>` for the staff endpoints.
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
    /// Set a new workbench password (printed once); ends the account's sessions.
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

fn key_file(db: &DbArgs) -> PathBuf {
    db.key_file.clone().unwrap_or_else(|| {
        let mut p = db.db.clone().into_os_string();
        p.push(".keys");
        PathBuf::from(p)
    })
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

async fn serve(listen: SocketAddr, db: &DbArgs, staff: StaffSettings) -> Result<(), HallError> {
    let secrets = hall::crypto::Secrets::load_or_create(&key_file(db))?;
    let store = Arc::new(SqliteStore::open(&db.db)?);
    let settings = Settings {
        staff,
        ..Settings::default()
    };
    let state = AppState::new(store.clone(), secrets, settings).await?;
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(addr = %listener.local_addr()?, db = %db.db.display(), "hall listening");
    hall::serve(listener, state, shutdown_signal()).await?;
    store.close();
    tracing::info!("stopped cleanly");
    Ok(())
}

async fn add(kind: PrincipalKind, id: &str, label: &str, db: &DbArgs) -> Result<String, HallError> {
    if !hall_api::is_valid_principal_id(id) {
        return Err(HallError::InvalidArgument(format!(
            "id {id:?} must be 1-64 characters of [a-z0-9-], not starting with '-'"
        )));
    }
    let store = SqliteStore::open(Path::new(&db.db))?;
    let issued = hall::auth::issue(kind, id, label)?;
    store.put_principal(issued.principal.clone()).await?;
    store.close();
    Ok(issued.token.to_string())
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
            let store = SqliteStore::open(&db.db)?;
            // The catalog the hall serves (the seed one before its first start).
            let catalog = match store.catalog().await? {
                Some(stored) => hall::state::CatalogEntry::from_stored(&stored)?.catalog,
                None => hall::seed::catalog(),
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
            let password = add_account(&store, &id, role, &departments, &label).await?;
            store.close();
            Ok(Some(password.to_string()))
        }
        StaffAction::Passwd { id, db } => {
            let store = SqliteStore::open(&db.db)?;
            let password = reset_password(&store, &id).await?;
            store.close();
            Ok(Some(password.to_string()))
        }
        StaffAction::Revoke { id, db } => {
            let store = SqliteStore::open(&db.db)?;
            let done = store.revoke_staff(&id, chrono::Utc::now()).await?;
            store.close();
            if !done {
                return Err(HallError::InvalidArgument(format!(
                    "no staff account {id:?}"
                )));
            }
            eprintln!("Revoked {id}; their sessions are ended.");
            Ok(None)
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
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
            secure_cookies,
            holidays,
        } => {
            let staff = StaffSettings {
                secure_cookies,
                holidays_dir: holidays,
                ..StaffSettings::default()
            };
            serve(listen, &db, staff).await.map(|()| None)
        }
        Command::Kiosk {
            action: AddAction::Add { id, label, db },
        } => add(PrincipalKind::Kiosk, &id, &label, &db).await.map(Some),
        Command::Operator {
            action: AddAction::Add { id, label, db },
        } => add(PrincipalKind::Operator, &id, &label, &db)
            .await
            .map(Some),
        Command::Staff { action } => staff(action).await,
    };
    match result {
        Ok(Some(token)) => {
            println!("{token}");
            eprintln!("This is shown only once; the hall keeps only its hash. Store it now.");
            ExitCode::SUCCESS
        }
        Ok(None) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hall: {e}");
            ExitCode::FAILURE
        }
    }
}
