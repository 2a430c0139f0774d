//! `hall`: serve the backend, or issue kiosk, operator and staff credentials.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use hall::store::sqlite::SqliteStore;
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
    /// Staff credentials (move applications along the status loop).
    Staff {
        #[command(subcommand)]
        action: AddAction,
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

async fn serve(listen: SocketAddr, db: &DbArgs) -> Result<(), HallError> {
    let secrets = hall::crypto::Secrets::load_or_create(&key_file(db))?;
    let store = Arc::new(SqliteStore::open(&db.db)?);
    let state = AppState::new(store.clone(), secrets, Settings::default()).await?;
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
        Command::Serve { listen, db } => serve(listen, &db).await.map(|()| None),
        Command::Kiosk {
            action: AddAction::Add { id, label, db },
        } => add(PrincipalKind::Kiosk, &id, &label, &db).await.map(Some),
        Command::Operator {
            action: AddAction::Add { id, label, db },
        } => add(PrincipalKind::Operator, &id, &label, &db)
            .await
            .map(Some),
        Command::Staff {
            action: AddAction::Add { id, label, db },
        } => add(PrincipalKind::Staff, &id, &label, &db).await.map(Some),
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
            eprintln!(
                "This credential is shown only once; the hall keeps only its hash. Store it now."
            );
            ExitCode::SUCCESS
        }
        Ok(None) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hall: {e}");
            ExitCode::FAILURE
        }
    }
}
