//! `kioskctl health commit-check`: whether a freshly updated kiosk is healthy enough to
//! commit its slot (the image's kiosk-commit.service runs it, then `rauc status mark-good`).
//! Gathers the facts from the running service (admin socket) and systemd, judges them with
//! [`crate::fleet::commit::verdict`], and asks again every few seconds until they pass or
//! the time is up: the hall or a device may take a moment after the first frame.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};

use super::admin::{ask, print_json, socket_path, SocketArgs};
use super::{exit, CliError};
use crate::fleet::commit::{verdict, Facts, Verdict};
use crate::fleet::install::CommandError;
use crate::service::admin::{AdminRequest, AdminResponse};

/// The kiosk's own health, as the update machinery asks it.
#[derive(Debug, Subcommand)]
pub enum HealthCommand {
    /// Exit 0 only when the running kiosk may commit its slot: service up, first frame
    /// drawn, every configured device passed its self-test, the hall answered, outbox open.
    CommitCheck(CommitCheckArgs),
}

/// Options of `kioskctl health commit-check`.
#[derive(Debug, Args)]
pub struct CommitCheckArgs {
    /// Keep asking for this many seconds before giving up (0: ask once).
    #[arg(long, default_value_t = 240, value_name = "SECONDS")]
    pub within: u64,
    /// The systemd unit whose READY=1 means the first frame was drawn.
    #[arg(long, default_value = "kiosk.service", value_name = "UNIT")]
    pub unit: String,
    #[command(flatten)]
    pub socket: SocketArgs,
}

/// Runs a `kioskctl health` command.
pub fn run(command: HealthCommand, config: &Path) -> Result<i32, CliError> {
    match command {
        HealthCommand::CommitCheck(args) => commit_check(&args, config),
    }
}

/// How long to wait between two rounds of questions.
const ROUND: Duration = Duration::from_secs(5);

/// Restarts of the kiosk's unit in this boot after which waiting longer is pointless: a
/// kiosk that keeps dying will not pass, and the fall-back comes sooner.
const CRASH_LOOP_RESTARTS: u32 = 3;

fn commit_check(args: &CommitCheckArgs, config: &Path) -> Result<i32, CliError> {
    let socket = socket_path(&args.socket, config)?;
    let deadline = Instant::now() + Duration::from_secs(args.within);
    let mut last: Option<Vec<&'static str>> = None;
    let verdict = loop {
        let facts = Facts {
            status: Some(match ask(&socket, &AdminRequest::Status) {
                Ok(AdminResponse::Status(s)) => Ok(s),
                Ok(_) => Err("unexpected answer to status".to_owned()),
                Err(e) => Err(e.to_string()),
            }),
            ready: Some(unit_active(&args.unit).map_err(|e| e.to_string())),
            selftest: Some(
                match ask(
                    &socket,
                    &AdminRequest::Selftest {
                        device: None,
                        external: false,
                        wait_secs: None,
                    },
                ) {
                    Ok(AdminResponse::Selftest { results }) => Ok(results),
                    Ok(_) => Err("unexpected answer to selftest".to_owned()),
                    Err(e) => Err(e.to_string()),
                },
            ),
        };
        let v = verdict(&facts);
        if v.passed || Instant::now() >= deadline {
            break v;
        }
        if let Some(n) = restarts(&args.unit).filter(|n| crash_looping(*n)) {
            eprintln!(
                "kioskctl health: {} restarted {n} times since boot; not waiting any longer",
                args.unit
            );
            break v;
        }
        let failed = v.failed();
        if last.as_ref() != Some(&failed) {
            eprintln!("kioskctl health: waiting for: {}", failed.join(", "));
            last = Some(failed);
        }
        std::thread::sleep(ROUND.min(deadline.saturating_duration_since(Instant::now())));
    };
    if args.socket.json {
        print_json(&verdict)?;
    } else {
        out!("{}", format_verdict(&verdict));
    }
    Ok(if verdict.passed {
        exit::OK
    } else {
        exit::FAILURE
    })
}

/// Whether a unit restarted this often is crash-looping.
fn crash_looping(restarts: u32) -> bool {
    restarts >= CRASH_LOOP_RESTARTS
}

/// `systemctl show -p NRestarts --value UNIT`: the unit's automatic restarts in this boot
/// (`None` when systemd cannot say).
fn restarts(unit: &str) -> Option<u32> {
    let out = Command::new("systemctl")
        .args(["show", "-p", "NRestarts", "--value", unit])
        .output()
        .ok()?;
    parse_restarts(&String::from_utf8_lossy(&out.stdout))
}

fn parse_restarts(text: &str) -> Option<u32> {
    text.trim().parse().ok()
}

/// `systemctl is-active UNIT`: true for `active` (for a Type=notify unit: READY=1 came).
fn unit_active(unit: &str) -> Result<bool, CommandError> {
    let out = Command::new("systemctl")
        .args(["is-active", "--quiet", unit])
        .status()
        .map_err(|source| CommandError::Spawn {
            program: "systemctl".into(),
            source,
        })?;
    Ok(out.success())
}

/// The verdict as a technician reads it: one line per check, then the outcome.
pub fn format_verdict(v: &Verdict) -> String {
    let mut out = String::new();
    for c in &v.checks {
        out.push_str(&format!(
            "{:<4} {:<12} {}\n",
            if c.passed { "ok" } else { "FAIL" },
            c.name,
            c.detail
        ));
    }
    out.push_str(if v.passed {
        "healthy: the slot may be committed\n"
    } else {
        "NOT healthy: the slot is not committed (the next boot falls back)\n"
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::commit::Facts;

    #[test]
    fn a_unit_restarted_three_times_is_crash_looping() {
        assert_eq!(parse_restarts("3\n"), Some(3));
        assert_eq!(
            parse_restarts(""),
            None,
            "no such unit: systemd prints nothing"
        );
        assert_eq!(parse_restarts("[not set]\n"), None);
        assert!(!crash_looping(parse_restarts("0\n").unwrap_or_default()));
        assert!(!crash_looping(2));
        assert!(crash_looping(parse_restarts("3\n").unwrap_or_default()));
    }

    #[test]
    fn the_report_names_each_failed_check_and_the_outcome() {
        let v = verdict(&Facts {
            status: Some(Err("connection refused".into())),
            ready: Some(Ok(true)),
            selftest: Some(Ok(Vec::new())),
        });
        let text = format_verdict(&v);
        assert!(
            text.contains("FAIL service      no answer: connection refused"),
            "{text}"
        );
        assert!(text.contains("ok   first-frame"), "{text}");
        assert!(
            text.ends_with("NOT healthy: the slot is not committed (the next boot falls back)\n")
        );
    }
}
