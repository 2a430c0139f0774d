//! `kioskctl session show|press|screenshot|targets|tap|touch`, `kioskctl sim …`, `kioskctl selftest`: the running kiosk's
//! citizen session and devices, through the admin socket.

use std::path::Path;

use clap::{Args, Subcommand};

use super::admin::{ask, print_json, socket_path, SocketArgs};
use super::{exit, CliError};
use crate::citizen::SessionSummary;
use crate::service::admin::{AdminRequest, AdminResponse, SelftestLine, TouchTarget};

/// The citizen session on screen.
#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// What the screen shows now (personal data masked as on screen).
    Show(SocketArgs),
    /// Touch the screen: one input as words, e.g. `apply`, `item gongan-001`, `rate 5`.
    Press {
        /// The words (`kioskctl session press help` lists them).
        #[arg(required = true, num_args = 1.., trailing_var_arg = true)]
        words: Vec<String>,
        #[command(flatten)]
        socket: SocketArgs,
    },
    /// What can be touched on the screen now: role, centre (physical pixels), size, label.
    Targets(SocketArgs),
    /// A finger down and up at a pixel of the screen (physical pixels from the top left),
    /// hit-tested as a real touch.
    Tap {
        /// Pixels from the left edge.
        x: i32,
        /// Pixels from the top edge.
        y: i32,
        #[command(flatten)]
        socket: SocketArgs,
    },
    /// Touch what is labelled LABEL (exactly, or failing that containing it), as listed by
    /// `session targets`: a tap at its centre.
    Touch {
        /// The label, e.g. `办事` or `下一步`.
        #[arg(required = true, num_args = 1.., trailing_var_arg = true)]
        label: Vec<String>,
        #[command(flatten)]
        socket: SocketArgs,
    },
    /// Save what the screen shows now as PNG (the kiosk user must be able to write there).
    Screenshot {
        /// The PNG file to write.
        path: std::path::PathBuf,
        #[command(flatten)]
        socket: SocketArgs,
    },
}

/// `kioskctl sim …`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// `card place [SAMPLE]`, `card remove`, `scan TEXT`, `printer paper-out`,
    /// `unplug printer`, `replug printer`, `receipts`, …
    #[arg(required = true, num_args = 1.., trailing_var_arg = true)]
    pub words: Vec<String>,
    #[command(flatten)]
    pub socket: SocketArgs,
}

/// `kioskctl selftest`.
#[derive(Debug, Args)]
pub struct SelftestArgs {
    /// `idcard`, `printer`, `scanner` or `audio` (plays a tone); every fitted device when
    /// absent.
    pub device: Option<String>,
    /// Also the external checks: print a test receipt, wait for a card, wait for a scan.
    #[arg(long)]
    pub external: bool,
    /// Seconds an external check waits for a card or a scan.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub wait: u64,
    #[command(flatten)]
    pub socket: SocketArgs,
}

/// The session summary as a technician reads it.
pub fn format_summary(s: &SessionSummary) -> String {
    let mut out = format!("screen: {}\n", s.screen);
    out.push_str(&format!("prompt: {}\n", s.prompt));
    if let Some(notice) = &s.notice {
        out.push_str(&format!("notice: {notice}\n"));
    }
    if let Some(c) = &s.countdown_seconds {
        out.push_str(&format!("idle countdown: {c} s\n"));
    }
    let yes = |b: bool| if b { "ok" } else { "unavailable" };
    out.push_str(&format!(
        "devices for citizens: reader {}, printer {}, scanner {}\n",
        yes(s.devices[0]),
        yes(s.devices[1]),
        yes(s.devices[2])
    ));
    if let Some(c) = &s.citizen {
        out.push_str(&format!("citizen: {c}\n"));
    }
    if let Some(subject) = &s.subject {
        out.push_str(&format!("applying for: {subject}\n"));
    }
    if !s.field_errors.is_empty() {
        out.push_str(&format!("fields to fix: {}\n", s.field_errors.join(", ")));
    }
    if let Some(state) = &s.submission {
        out.push_str(&format!(
            "submission: {state} {}{}\n",
            s.submission_key.as_deref().unwrap_or(""),
            s.tracking_code
                .as_ref()
                .map(|c| format!(", tracking code {c}"))
                .unwrap_or_default()
        ));
    }
    for p in &s.progress {
        out.push_str(&format!("progress: {p}\n"));
    }
    if let Some(a) = &s.appointment {
        out.push_str(&format!("appointment: {a}\n"));
    }
    out.push_str(&format!(
        "personal data held: {}\n",
        if s.holds_personal_data { "yes" } else { "no" }
    ));
    out
}

fn show(summary: &SessionSummary, json: bool) -> Result<i32, CliError> {
    if json {
        return print_json(summary);
    }
    out!("{}", format_summary(summary));
    Ok(exit::OK)
}

/// `kioskctl session …`.
pub fn session(command: SessionCommand, config: &Path) -> Result<i32, CliError> {
    let (socket, request) = match command {
        SessionCommand::Show(socket) => (socket, AdminRequest::SessionShow),
        SessionCommand::Press { words, socket } => {
            let words = words.join(" ");
            if words == "help" {
                outln!("words: {}", crate::citizen::press::WORDS);
                return Ok(exit::OK);
            }
            // Checked here too, so a typo is a usage error before the kiosk is asked.
            crate::citizen::press::parse(&words).map_err(|e| CliError::Usage(e.to_string()))?;
            (socket, AdminRequest::SessionPress { words })
        }
        SessionCommand::Targets(socket) => (socket, AdminRequest::SessionTargets),
        SessionCommand::Tap { x, y, socket } => (socket, AdminRequest::SessionTap { x, y }),
        SessionCommand::Touch { label, socket } => (
            socket,
            AdminRequest::SessionTouch {
                label: label.join(" "),
            },
        ),
        SessionCommand::Screenshot { path, socket } => {
            // The service writes the file: give it an absolute path.
            let path = std::path::absolute(&path).map_err(|e| CliError::Usage(e.to_string()))?;
            (socket, AdminRequest::SessionScreenshot { path })
        }
    };
    let path = socket_path(&socket, config)?;
    match ask(&path, &request)? {
        AdminResponse::Session(summary) => show(&summary, socket.json),
        AdminResponse::Saved { path } => {
            outln!("saved {}", path.display());
            Ok(exit::OK)
        }
        AdminResponse::Targets { targets } => {
            if socket.json {
                return print_json(&targets);
            }
            out!("{}", format_targets(&targets));
            Ok(exit::OK)
        }
        AdminResponse::Tapped { label, x, y } => {
            if socket.json {
                return print_json(&serde_json::json!({ "label": label, "x": x, "y": y }));
            }
            match label {
                Some(label) => outln!("touched '{label}' at {x},{y}"),
                None => outln!("tapped at {x},{y}"),
            }
            Ok(exit::OK)
        }
        _ => Err(CliError::Failed("unexpected answer to session".into())),
    }
}

/// One line per target: role, centre, size, label, state.
pub fn format_targets(targets: &[TouchTarget]) -> String {
    targets
        .iter()
        .map(|t| {
            format!(
                "{:<12} {:>5},{:<5} {:>4}x{:<4} {}{}{}\n",
                t.role,
                t.x,
                t.y,
                t.width,
                t.height,
                t.label,
                match t.checked {
                    Some(true) => " [ticked]",
                    Some(false) => " [not ticked]",
                    None => "",
                },
                if t.enabled { "" } else { " (disabled)" }
            )
        })
        .collect()
}

/// `kioskctl sim …`.
pub fn sim(args: SimArgs, config: &Path) -> Result<i32, CliError> {
    let path = socket_path(&args.socket, config)?;
    let words = args.words.join(" ");
    match ask(&path, &AdminRequest::Sim { words })? {
        AdminResponse::Sim { message } => {
            outln!("{message}");
            Ok(exit::OK)
        }
        _ => Err(CliError::Failed("unexpected answer to sim".into())),
    }
}

/// One line per check.
pub fn format_selftest(results: &[SelftestLine]) -> String {
    results
        .iter()
        .map(|r| {
            format!(
                "{:<8} {:<9} {}  {}\n",
                r.device,
                r.level,
                if r.passed { "PASS" } else { "FAIL" },
                r.text
            )
        })
        .collect()
}

/// `kioskctl selftest`.
pub fn selftest(args: SelftestArgs, config: &Path) -> Result<i32, CliError> {
    let path = socket_path(&args.socket, config)?;
    let request = AdminRequest::Selftest {
        device: args.device,
        external: args.external,
        wait_secs: Some(args.wait),
    };
    let AdminResponse::Selftest { results } = ask(&path, &request)? else {
        return Err(CliError::Failed("unexpected answer to selftest".into()));
    };
    if args.socket.json {
        print_json(&results)?;
    } else {
        out!("{}", format_selftest(&results));
    }
    Ok(if results.iter().all(|r| r.passed) && !results.is_empty() {
        exit::OK
    } else {
        exit::FAILURE
    })
}
