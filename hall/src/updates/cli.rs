//! `hall update add|list|rollout|halt|status` and `hall kiosk action|actions`, plus the
//! two operations the dashboard shares with them: starting a rollout and queueing an
//! action (both audit-logged in `staff_audit`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::Utc;
use hall_api::updates::ActionRequest;

use super::rollout::{assign, parse_max_failure, parse_waves};
use super::{Bundle, BundleAdded, KioskAction, Rollout, RolloutState};
use crate::error::HallError;
use crate::store::staff::AuditEntry;
use crate::store::{PrincipalKind, Store};

/// Where the database and the bundles are.
#[derive(Debug, clap::Args)]
pub struct Db {
    /// The SQLite database file, or a PostgreSQL database (`postgres://…`).
    #[arg(long, env = "HALL_DB", default_value = "hall.db")]
    pub db: PathBuf,
    /// Where bundles are kept (default: the database path + `.bundles`; required with
    /// PostgreSQL: a folder every hall reads).
    #[arg(long, env = "HALL_BUNDLE_DIR")]
    pub bundle_dir: Option<PathBuf>,
}

/// The bundle folder for `--db` and `--bundle-dir`.
pub fn bundle_dir(db: &Path, given: Option<&Path>) -> Result<PathBuf, HallError> {
    if let Some(d) = given {
        return Ok(d.to_path_buf());
    }
    if crate::store::backend::is_postgres(db) {
        return Err(HallError::InvalidArgument(
            "with a PostgreSQL --db, give --bundle-dir (a folder every hall reads)".into(),
        ));
    }
    let mut p = db.to_path_buf().into_os_string();
    p.push(".bundles");
    Ok(PathBuf::from(p))
}

/// The update subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum UpdateAction {
    /// Add a RAUC bundle: verified against the keyring with `rauc info`, stored by SHA-256.
    Add {
        /// The bundle file (`.raucb`).
        file: PathBuf,
        /// The PEM file of certificates bundles must be signed with.
        #[arg(long, env = "HALL_UPDATE_KEYRING")]
        keyring: PathBuf,
        #[command(flatten)]
        db: Db,
    },
    /// Every bundle and rollout.
    List {
        #[command(flatten)]
        db: Db,
    },
    /// Roll a version out to all kiosks or a site's (and those below it), in waves.
    Rollout {
        /// The bundle version (`hall update list`).
        version: String,
        /// `all` or `site:CODE`.
        #[arg(long, default_value = "all")]
        to: String,
        /// Cumulative percentages of the kiosks per wave, ending in 100.
        #[arg(long, default_value = "10,50,100")]
        waves: String,
        /// Halt when a wave's failed share passes this.
        #[arg(long, default_value = "20%")]
        max_failure: String,
        #[command(flatten)]
        db: Db,
    },
    /// Stop the active rollout (kiosks not yet offered it are not offered it).
    Halt {
        #[command(flatten)]
        db: Db,
    },
    /// The active (or latest) rollout's kiosks: wave and progress.
    Status {
        #[command(flatten)]
        db: Db,
    },
}

/// The remote action subcommand's kinds.
#[derive(Debug, clap::Subcommand)]
pub enum ActionKind {
    /// Restart the kiosk service.
    Restart,
    /// Run the device self-test and report it.
    Selftest,
    /// Collect the service's journal (scrubbed of personal data on the kiosk).
    Journal {
        /// Minutes back, 1-1440.
        #[arg(long, default_value_t = 30)]
        minutes: u32,
    },
    /// Push a new kiosk.toml (checked on the kiosk, rolled back if it does not come up).
    Config {
        /// The file.
        file: PathBuf,
    },
}

/// Who the CLI acts as in the audit trail.
fn cli_user() -> String {
    format!(
        "cli:{}",
        std::env::var("SUDO_USER")
            .or_else(|_| std::env::var("USER"))
            .unwrap_or_else(|_| "unknown".into())
    )
}

/// Adds a verified bundle: copied into `dir` as `<sha256>.raucb`, then recorded.
pub async fn add_bundle(
    store: &dyn Store,
    file: &Path,
    keyring: &Path,
    dir: &Path,
    who: &str,
) -> Result<(Bundle, BundleAdded), HallError> {
    let info = super::rauc::verify(file, keyring).await?;
    let (sha256, size) = super::rauc::sha256_of(file).await?;
    tokio::fs::create_dir_all(dir).await?;
    let target = dir.join(format!("{sha256}.raucb"));
    if !target.exists() {
        let tmp = dir.join(format!(".{sha256}.partial"));
        tokio::fs::copy(file, &tmp).await?;
        let (copied, _) = super::rauc::sha256_of(&tmp).await?;
        if copied != sha256 {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(HallError::InvalidArgument(format!(
                "bundle {} changed while it was copied; add it again",
                file.display()
            )));
        }
        tokio::fs::rename(&tmp, &target).await?;
    }
    let bundle = Bundle {
        sha256,
        version: info.version,
        compatible: info.compatible,
        size,
        signer: info.signer,
        added_at: Utc::now(),
    };
    let added = store.add_bundle(bundle.clone()).await?;
    if added == BundleAdded::Stored {
        audit(
            store,
            who,
            "update-add",
            format!("bundle {} ({})", bundle.version, bundle.sha256),
        )
        .await?;
    }
    Ok((bundle, added))
}

async fn audit(
    store: &dyn Store,
    who: &str,
    action: &str,
    detail: String,
) -> Result<(), HallError> {
    store
        .audit(AuditEntry {
            at: Utc::now(),
            staff: who.to_owned(),
            action: action.to_owned(),
            application_id: None,
            detail: Some(detail),
        })
        .await
}

/// The kiosks a target names: `all`, or `site:CODE` (that site and every site below it).
pub async fn target_kiosks(store: &dyn Store, target: &str) -> Result<Vec<String>, HallError> {
    let all: Vec<String> = store.kiosks().await?.into_iter().map(|k| k.id).collect();
    if target == "all" {
        return Ok(all);
    }
    let Some(code) = target.strip_prefix("site:") else {
        return Err(HallError::InvalidArgument(format!(
            "--to {target:?}: give `all` or `site:CODE`"
        )));
    };
    let sites = store.sites().await?;
    if !sites.iter().any(|s| s.code == code) {
        return Err(HallError::InvalidArgument(format!(
            "no site {code:?}; `hall site list` shows them"
        )));
    }
    let mut within: BTreeSet<String> = BTreeSet::from([code.to_owned()]);
    loop {
        let before = within.len();
        for s in &sites {
            if s.parent.as_ref().is_some_and(|p| within.contains(p)) {
                within.insert(s.code.clone());
            }
        }
        if within.len() == before {
            break;
        }
    }
    let at: BTreeMap<String, String> = store.kiosk_sites().await?.into_iter().collect();
    Ok(all
        .into_iter()
        .filter(|k| at.get(k).is_some_and(|s| within.contains(s)))
        .collect())
}

/// Starts a rollout (superseding the active one) and audits it.
pub async fn start_rollout(
    store: &dyn Store,
    version: &str,
    target: &str,
    waves: &str,
    max_failure: &str,
    who: &str,
) -> Result<(Rollout, Vec<(String, u32)>), HallError> {
    let waves = parse_waves(waves)?;
    let max_failure_pct = parse_max_failure(max_failure)?;
    if store.bundle(version).await?.is_none() {
        return Err(HallError::InvalidArgument(format!(
            "no bundle of version {version:?}; `hall update add FILE` first (`hall update list` shows them)"
        )));
    }
    let kiosks = target_kiosks(store, target).await?;
    if kiosks.is_empty() {
        return Err(HallError::InvalidArgument(format!(
            "--to {target}: no kiosks there"
        )));
    }
    let now = Utc::now();
    let rollout = Rollout {
        id: crate::crypto::new_id()?,
        version: version.to_owned(),
        target: target.to_owned(),
        waves,
        max_failure_pct,
        state: RolloutState::Active,
        wave: 0,
        reason: None,
        created_by: who.to_owned(),
        created_at: now,
        updated_at: now,
    };
    let assigned = assign(&rollout.id, &kiosks, &rollout.waves);
    store
        .start_rollout(rollout.clone(), assigned.clone())
        .await?;
    audit(
        store,
        who,
        "update-rollout",
        format!(
            "rollout {} of {} to {} ({} kiosks, waves {:?}, max failure {}%)",
            rollout.id,
            version,
            target,
            assigned.len(),
            rollout.waves,
            max_failure_pct
        ),
    )
    .await?;
    Ok((rollout, assigned))
}

/// Checks and queues a remote action; returns its id.
pub async fn queue_action(
    store: &dyn Store,
    kiosk_id: &str,
    request: ActionRequest,
    who: &str,
) -> Result<String, HallError> {
    if store
        .principal(PrincipalKind::Kiosk, kiosk_id)
        .await?
        .is_none()
    {
        return Err(HallError::InvalidArgument(format!(
            "no kiosk {kiosk_id:?}; `hall kiosk add` registers one"
        )));
    }
    match &request {
        ActionRequest::Journal { minutes } if !(1..=1440).contains(minutes) => {
            return Err(HallError::InvalidArgument(
                "--minutes must be 1-1440".into(),
            ))
        }
        ActionRequest::Config { toml } => {
            if toml.len() > 32 * 1024 {
                return Err(HallError::InvalidArgument(
                    "the config file is larger than 32 KiB".into(),
                ));
            }
            if let Err(e) = toml.parse::<toml::Table>() {
                return Err(HallError::InvalidArgument(format!(
                    "the config file is not TOML: {e}"
                )));
            }
        }
        ActionRequest::Unknown => return Err(HallError::InvalidArgument("unknown action".into())),
        _ => {}
    }
    let id = crate::crypto::new_id()?;
    let name = request.name();
    store
        .queue_action(KioskAction {
            id: id.clone(),
            kiosk_id: kiosk_id.to_owned(),
            request,
            requested_by: who.to_owned(),
            requested_at: Utc::now(),
            finished_at: None,
            ok: None,
            output: None,
        })
        .await?;
    audit(
        store,
        who,
        "kiosk-action",
        format!("{name} on kiosk {kiosk_id} (action {id})"),
    )
    .await?;
    Ok(id)
}

/// Runs `hall update …`.
pub async fn run(action: UpdateAction) -> Result<(), HallError> {
    let db = match &action {
        UpdateAction::Add { db, .. }
        | UpdateAction::List { db }
        | UpdateAction::Rollout { db, .. }
        | UpdateAction::Halt { db }
        | UpdateAction::Status { db } => db,
    };
    let opened = crate::store::backend::open(&db.db).await?;
    let result = run_on(opened.as_store(), db, &action).await;
    opened.close();
    result
}

async fn run_on(store: &dyn Store, db: &Db, action: &UpdateAction) -> Result<(), HallError> {
    match action {
        UpdateAction::Add { file, keyring, .. } => {
            let dir = bundle_dir(&db.db, db.bundle_dir.as_deref())?;
            let (b, added) = add_bundle(store, file, keyring, &dir, &cli_user()).await?;
            match added {
                BundleAdded::Stored => println!(
                    "added version {} (compatible {}, {} bytes, sha256 {}, signed by {})",
                    b.version, b.compatible, b.size, b.sha256, b.signer
                ),
                BundleAdded::AlreadyThere => {
                    println!("this bundle (sha256 {}) was added before", b.sha256)
                }
                BundleAdded::VersionTaken => {
                    return Err(HallError::InvalidArgument(format!(
                        "another bundle already has version {}; give each build its own version",
                        b.version
                    )))
                }
            }
        }
        UpdateAction::List { .. } => {
            println!("BUNDLES");
            for b in store.bundles().await? {
                println!(
                    "{}\t{}\t{} bytes\t{}\t{}",
                    b.version,
                    b.compatible,
                    b.size,
                    b.sha256,
                    b.added_at.format("%Y-%m-%d %H:%M")
                );
            }
            println!("ROLLOUTS");
            for r in store.rollouts().await? {
                println!(
                    "{}\t{}\tto {}\t{}\twave {} of {}\t{}",
                    r.id,
                    r.version,
                    r.target,
                    r.state.as_str(),
                    r.wave + 1,
                    r.waves.len(),
                    r.reason.unwrap_or_default()
                );
            }
        }
        UpdateAction::Rollout {
            version,
            to,
            waves,
            max_failure,
            ..
        } => {
            let (r, kiosks) =
                start_rollout(store, version, to, waves, max_failure, &cli_user()).await?;
            println!(
                "rollout {} of {} to {}: {} kiosks",
                r.id,
                r.version,
                r.target,
                kiosks.len()
            );
            for (w, pct) in r.waves.iter().enumerate() {
                let n = kiosks.iter().filter(|(_, x)| *x as usize == w).count();
                println!("  wave {} (up to {pct}%): {n} kiosks", w + 1);
            }
        }
        UpdateAction::Halt { .. } => match store.active_rollout().await? {
            Some(r) => {
                store
                    .set_rollout_progress(
                        &r.id,
                        RolloutState::Halted,
                        r.wave,
                        Some(format!("halted by {}", cli_user())),
                        Utc::now(),
                    )
                    .await?;
                audit(
                    store,
                    &cli_user(),
                    "update-halt",
                    format!("rollout {}", r.id),
                )
                .await?;
                println!("rollout {} halted", r.id);
            }
            None => println!("no active rollout"),
        },
        UpdateAction::Status { .. } => {
            let Some(r) = store.rollouts().await?.into_iter().next() else {
                println!("no rollouts");
                return Ok(());
            };
            println!(
                "rollout {} of {}: {} (wave {} of {}) {}",
                r.id,
                r.version,
                r.state.as_str(),
                r.wave + 1,
                r.waves.len(),
                r.reason.unwrap_or_default()
            );
            for k in store.rollout_kiosks(&r.id).await? {
                println!(
                    "{}\twave {}\t{}",
                    k.kiosk_id,
                    k.wave + 1,
                    k.outcome.as_str()
                );
            }
        }
    }
    Ok(())
}

/// Runs `hall kiosk action ID KIND`.
pub async fn action(db: &Path, kiosk_id: &str, kind: ActionKind) -> Result<(), HallError> {
    let request = match kind {
        ActionKind::Restart => ActionRequest::Restart,
        ActionKind::Selftest => ActionRequest::Selftest,
        ActionKind::Journal { minutes } => ActionRequest::Journal { minutes },
        ActionKind::Config { file } => ActionRequest::Config {
            toml: tokio::fs::read_to_string(&file).await.map_err(|e| {
                HallError::InvalidArgument(format!("cannot read {}: {e}", file.display()))
            })?,
        },
    };
    let store = crate::store::backend::open(db).await?;
    let queued = queue_action(store.as_store(), kiosk_id, request, &cli_user()).await;
    store.close();
    let id = queued?;
    println!("queued action {id} for kiosk {kiosk_id}: delivered with its next heartbeat");
    Ok(())
}

/// Runs `hall kiosk actions ID`: the latest actions and their results.
pub async fn actions(db: &Path, kiosk_id: &str) -> Result<(), HallError> {
    let store = crate::store::backend::open(db).await?;
    let listed = store.as_store().actions(Some(kiosk_id), 20).await;
    store.close();
    for a in listed? {
        println!(
            "{}\t{}\t{}\tby {}\t{}",
            a.id,
            a.requested_at.format("%Y-%m-%d %H:%M"),
            a.request.name(),
            a.requested_by,
            super::handlers::describe(a.ok)
        );
        if let Some(out) = a.output {
            for line in out.lines() {
                println!("    {line}");
            }
        }
    }
    Ok(())
}
