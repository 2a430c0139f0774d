//! `kioskctl status`, `kioskctl outbox list|retry`, `kioskctl reload`: questions to the running
//! kiosk service over its admin socket.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};

use super::{exit, CliError};
use crate::service::admin::{AdminRequest, AdminResponse, OutboxRow, StatusReport};

/// Where the admin socket is.
#[derive(Debug, Clone, Args)]
pub struct SocketArgs {
    /// The admin socket [default: health.admin_socket from the configuration].
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The outbox: submissions saved on this kiosk and not yet confirmed by the hall.
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List waiting, refused and quarantined submissions (no personal data is shown).
    List(SocketArgs),
    /// Send the waiting submissions now. A submission the hall refused is sent again only by
    /// its id, after showing what the hall refused; quarantined ones cannot be sent.
    Retry {
        /// The record id from `kioskctl outbox list`; all waiting ones when absent.
        id: Option<i64>,
        #[command(flatten)]
        socket: SocketArgs,
    },
}

pub(crate) fn socket_path(args: &SocketArgs, config: &Path) -> Result<PathBuf, CliError> {
    if let Some(path) = &args.socket {
        return Ok(path.clone());
    }
    let loaded = kiosk_config::load(&kiosk_config::LoadOptions::from_process(config))
        .map_err(CliError::Config)?;
    Ok(loaded.config.health.admin_socket)
}

/// Sends one request and reads the answer.
pub fn ask(socket: &Path, request: &AdminRequest) -> Result<AdminResponse, CliError> {
    let failed = |what: &str, err: std::io::Error| {
        CliError::Failed(format!(
            "{what} the kiosk service at {}: {err}; is it running? (systemctl status kiosk)",
            socket.display()
        ))
    };
    let mut stream = UnixStream::connect(socket).map_err(|e| failed("cannot reach", e))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| failed("cannot talk to", e))?;
    let mut line = serde_json::to_string(request).map_err(|e| CliError::Failed(e.to_string()))?;
    line.push('\n');
    stream
        .write_all(line.as_bytes())
        .map_err(|e| failed("cannot write to", e))?;
    let mut answer = String::new();
    BufReader::new(stream)
        .read_line(&mut answer)
        .map_err(|e| failed("no answer from", e))?;
    match serde_json::from_str(&answer) {
        Ok(AdminResponse::Error { message }) => Err(CliError::Failed(message)),
        Ok(response) => Ok(response),
        Err(err) => Err(CliError::Failed(format!(
            "the kiosk service answered something kioskctl does not understand ({err}); are both the same version?"
        ))),
    }
}

pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<i32, CliError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError::Failed(e.to_string()))?;
    outln!("{text}");
    Ok(exit::OK)
}

/// `kioskctl status`.
pub fn status(args: SocketArgs, config: &Path) -> Result<i32, CliError> {
    let socket = socket_path(&args, config)?;
    let AdminResponse::Status(report) = ask(&socket, &AdminRequest::Status)? else {
        return Err(CliError::Failed("unexpected answer to status".into()));
    };
    if args.json {
        return print_json(&report);
    }
    out!("{}", format_status(&report));
    let healthy = report
        .devices
        .iter()
        .all(|d| d.state.is_usable() || d.state == kiosk_drivers::DeviceState::NoDevice);
    Ok(if healthy { exit::OK } else { exit::FAILURE })
}

/// The status as a technician reads it.
pub fn format_status(report: &StatusReport) -> String {
    let mut out = format!(
        "kiosk {}  firmware {}  up {}\n",
        report.kiosk_id,
        report.version,
        duration(report.uptime_seconds)
    );
    out.push_str("devices:\n");
    for d in &report.devices {
        let error = d
            .last_error
            .as_ref()
            .map(|e| format!("  last error: {} ({})", e.message, e.code))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {:<9} {:<14} {}{error}\n",
            d.class.label(),
            d.state.as_str(),
            d.identity.connection
        ));
    }
    out.push_str(&format!(
        "outbox: {} waiting, {} refused by the hall, {} quarantined\n",
        report.outbox_pending, report.outbox_rejected, report.outbox_quarantined
    ));
    out.push_str(&match report.hall_last_success_seconds_ago {
        Some(s) => format!("hall: last answered {} ago\n", duration(s)),
        None => "hall: not reached since start\n".to_owned(),
    });
    out.push_str(&format!(
        "catalog: {}\n",
        report.catalog_version.as_deref().unwrap_or("none yet")
    ));
    out
}

fn duration(seconds: u64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

/// `kioskctl outbox …`.
pub fn outbox(command: OutboxCommand, config: &Path) -> Result<i32, CliError> {
    match command {
        OutboxCommand::List(args) => {
            let socket = socket_path(&args, config)?;
            let AdminResponse::Outbox { rows } = ask(&socket, &AdminRequest::OutboxList)? else {
                return Err(CliError::Failed("unexpected answer to outbox list".into()));
            };
            if args.json {
                return print_json(&rows);
            }
            out!("{}", format_rows(&rows));
            Ok(exit::OK)
        }
        OutboxCommand::Retry { id, socket } => {
            let path = socket_path(&socket, config)?;
            if let Some(id) = id {
                // Say what the hall refused before it is sent again: if the citizen already
                // corrected it and submitted again, sending it makes a second application.
                let AdminResponse::Outbox { rows } = ask(&path, &AdminRequest::OutboxList)? else {
                    return Err(CliError::Failed("unexpected answer to outbox list".into()));
                };
                match rows.iter().find(|r| r.id == id) {
                    None => {
                        return Err(CliError::Failed(format!(
                            "no outbox record {id}: see `kioskctl outbox list`"
                        )))
                    }
                    Some(row) if row.state == "quarantined" => {
                        return Err(CliError::Failed(format!(
                            "record {id} is quarantined ({}): this kiosk cannot open or understand it, so it can never be sent from here",
                            row.last_error.as_deref().unwrap_or("no reason stored")
                        )))
                    }
                    Some(row) if row.state == "rejected" => outln!(
                        "record {id} ({}) was refused by the hall: {}\n\
                         sending it again; if the citizen already submitted it again corrected, this makes a second application",
                        row.kind,
                        row.last_error.as_deref().unwrap_or("(no reason stored)")
                    ),
                    Some(_) => {}
                }
            }
            let AdminResponse::Retried { count, .. } =
                ask(&path, &AdminRequest::OutboxRetry { id })?
            else {
                return Err(CliError::Failed("unexpected answer to outbox retry".into()));
            };
            outln!("{count} submission(s) will be sent now");
            if id.is_none() {
                outln!("(submissions the hall refused are not sent again without their id)");
            }
            Ok(if count == 0 && id.is_some() {
                exit::FAILURE
            } else {
                exit::OK
            })
        }
    }
}

fn format_rows(rows: &[OutboxRow]) -> String {
    if rows.is_empty() {
        return "outbox empty: everything has reached the hall\n".into();
    }
    let mut out = format!(
        "{:>6}  {:<12} {:<9} {:>8} {:>8}  last error\n",
        "id", "kind", "state", "age", "attempts"
    );
    for r in rows {
        out.push_str(&format!(
            "{:>6}  {:<12} {:<9} {:>8} {:>8}  {}\n",
            r.id,
            r.kind,
            r.state,
            duration(r.age_seconds),
            r.attempts,
            r.last_error.as_deref().unwrap_or("-")
        ));
    }
    out
}

/// `kioskctl reload`.
pub fn reload(args: SocketArgs, config: &Path) -> Result<i32, CliError> {
    let socket = socket_path(&args, config)?;
    let AdminResponse::Reloaded { notes } = ask(&socket, &AdminRequest::Reload)? else {
        return Err(CliError::Failed("unexpected answer to reload".into()));
    };
    for note in &notes {
        outln!("{note}");
    }
    Ok(if notes.iter().any(|n| n.contains("has errors")) {
        exit::USAGE
    } else {
        exit::OK
    })
}
