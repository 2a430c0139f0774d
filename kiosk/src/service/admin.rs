//! The admin socket: a Unix socket only the kiosk user can open, where `kioskctl` asks for
//! status, lists and retries the outbox, and reloads the configuration. One JSON request
//! per line, one JSON answer per line.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::watch;

use super::{AdminError, Service};

/// The longest request line accepted.
const MAX_REQUEST: usize = 4096;

/// What kioskctl asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "kebab-case")]
pub enum AdminRequest {
    /// Devices, outbox, hall reachability, versions, uptime.
    Status,
    /// Outbox records, without payloads.
    OutboxList,
    /// Make one record (or all pending ones) due now.
    OutboxRetry {
        /// The record (a rejected one is queued again), or all pending ones when absent.
        id: Option<i64>,
    },
    /// Re-read and check the configuration file.
    Reload,
    /// Health checks of one device or all: internal, or external too.
    Selftest {
        /// `idcard`, `printer` or `scanner`; all fitted devices when absent.
        device: Option<String>,
        /// Run the external checks too (prints, waits for a card or a scan).
        external: bool,
        /// How long an external check waits for a card or a scan, in seconds.
        wait_secs: Option<u64>,
    },
    /// The citizen session's state, masked as on screen.
    SessionShow,
    /// A touch, as words (`item gongan-001`); answers the state after it.
    SessionPress {
        /// The words.
        words: String,
    },
    /// Save what the screen shows as PNG, at a path the kiosk user can write.
    SessionScreenshot {
        /// Where.
        path: std::path::PathBuf,
    },
    /// What is touchable on the screen now, and where (physical pixels).
    SessionTargets,
    /// A finger down and up at a physical pixel of the screen.
    SessionTap {
        /// Pixels from the left edge.
        x: i32,
        /// Pixels from the top edge.
        y: i32,
    },
    /// A tap at the middle of the enabled target labelled so (exactly, or failing that
    /// containing the words).
    SessionTouch {
        /// The label.
        label: String,
    },
    /// An action on the simulated devices (`card place`, `scan TEXT`, `printer paper-out`).
    Sim {
        /// The words.
        words: String,
    },
}

/// One health check's result as kioskctl prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SelftestLine {
    /// `idcard`, `printer` or `scanner`.
    pub device: String,
    /// `internal` or `external`.
    pub level: String,
    /// Passed.
    pub passed: bool,
    /// What was checked and found, in English.
    pub text: String,
}

/// One touchable thing on the screen, as kioskctl shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TouchTarget {
    /// `button`, `text-input`, `checkbox`, …
    pub role: String,
    /// What it says (its accessible label).
    pub label: String,
    /// Where to touch it: its centre, physical pixels from the left edge.
    pub x: i32,
    /// Its centre, physical pixels from the top edge.
    pub y: i32,
    /// Its width, physical pixels.
    pub width: i32,
    /// Its height, physical pixels.
    pub height: i32,
    /// Takes touches now.
    pub enabled: bool,
    /// Ticked (check boxes and switches only).
    pub checked: Option<bool>,
}

impl From<kiosk_ui::touch::Target> for TouchTarget {
    fn from(t: kiosk_ui::touch::Target) -> Self {
        let (x, y) = t.center();
        TouchTarget {
            role: t.role.to_owned(),
            label: t.label,
            x,
            y,
            width: t.width,
            height: t.height,
            enabled: t.enabled,
            checked: t.checked,
        }
    }
}

/// One outbox record as kioskctl shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxRow {
    /// Row id.
    pub id: i64,
    /// Kind.
    pub kind: String,
    /// Idempotency key.
    pub key: String,
    /// Seconds since it was saved.
    pub age_seconds: u64,
    /// Failed attempts.
    pub attempts: u32,
    /// `pending`, `rejected` or `quarantined`.
    pub state: String,
    /// Why the last attempt failed, what the hall refused, or why it was quarantined.
    pub last_error: Option<String>,
}

/// The service's status for `kioskctl status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusReport {
    /// The kiosk's id.
    pub kiosk_id: String,
    /// Firmware version.
    pub version: String,
    /// Seconds since start.
    pub uptime_seconds: u64,
    /// Every device.
    pub devices: Vec<kiosk_drivers::DeviceStatus>,
    /// Records waiting for delivery.
    pub outbox_pending: u64,
    /// Records the hall refused for good.
    pub outbox_rejected: u64,
    /// Records this kiosk cannot open or understand.
    #[serde(default)]
    pub outbox_quarantined: u64,
    /// Of those, the ones set aside since the service started.
    #[serde(default)]
    pub outbox_quarantined_since_start: u64,
    /// Records waiting for delivery that this kiosk's key or firmware cannot open (see
    /// `Outbox::unreadable_pending`).
    #[serde(default)]
    pub outbox_unreadable_pending: u64,
    /// Seconds since the hall last answered, if it ever did.
    pub hall_last_success_seconds_ago: Option<u64>,
    /// The catalog version in use, if any.
    pub catalog_version: Option<String>,
}

/// The answer to a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum AdminResponse {
    /// Status.
    Status(StatusReport),
    /// Outbox rows.
    Outbox {
        /// The rows.
        rows: Vec<OutboxRow>,
    },
    /// How many records were made due.
    Retried {
        /// Count.
        count: usize,
        /// When one record the hall had refused was queued again: what the hall said.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        refused: Option<String>,
    },
    /// The configuration was checked.
    Reloaded {
        /// What the check said (warnings), and which changes need a restart.
        notes: Vec<String>,
    },
    /// Health check results.
    Selftest {
        /// One line per check.
        results: Vec<SelftestLine>,
    },
    /// The session's state.
    Session(Box<crate::citizen::SessionSummary>),
    /// The screenshot was saved.
    Saved {
        /// Where.
        path: std::path::PathBuf,
    },
    /// What is touchable on the screen.
    Targets {
        /// Top to bottom, left to right.
        targets: Vec<TouchTarget>,
    },
    /// The tap was dispatched.
    Tapped {
        /// What was touched, when asked by label.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        /// At this pixel.
        x: i32,
        /// At this pixel.
        y: i32,
    },
    /// What a simulator action did.
    Sim {
        /// In English.
        message: String,
    },
    /// The request failed.
    Error {
        /// Why, in English.
        message: String,
    },
}

/// Binds the socket owner-only, replacing a stale one.
pub fn bind(path: &Path) -> std::io::Result<UnixListener> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let listener = UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    Ok(listener)
}

/// Serves the socket until shutdown.
pub async fn serve(
    service: Arc<Service>,
    listener: UnixListener,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let service = service.clone();
                    tokio::spawn(async move { handle(service, stream).await });
                }
                Err(err) => {
                    tracing::warn!(%err, "admin socket accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
            },
            _ = shutdown.changed() => return,
        }
    }
}

async fn handle(service: Arc<Service>, stream: UnixStream) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    // The cap is per request line, not per connection: a technician's script (or a test
    // driving thousands of touches) may keep one connection open for as long as it likes.
    let mut line = Vec::new();
    loop {
        line.clear();
        let mut limited = (&mut reader).take(MAX_REQUEST as u64 + 1);
        match limited.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let complete = line.last() == Some(&b'\n');
        if !complete && line.len() <= MAX_REQUEST {
            return; // the peer closed mid-line
        }
        let response = if !complete {
            AdminResponse::Error {
                message: "request too long".into(),
            }
        } else {
            match serde_json::from_slice::<AdminRequest>(&line) {
                Ok(request) => answer(&service, request).await,
                Err(err) => AdminResponse::Error {
                    message: format!("not a request: {err}"),
                },
            }
        };
        let mut out = serde_json::to_string(&response).unwrap_or_else(|e| {
            format!(r#"{{"result":"error","message":"cannot encode the answer: {e}"}}"#)
        });
        out.push('\n');
        if write.write_all(out.as_bytes()).await.is_err() || !complete {
            return;
        }
    }
}

async fn answer(service: &Arc<Service>, request: AdminRequest) -> AdminResponse {
    let result = match request {
        AdminRequest::Status => service.status().await.map(AdminResponse::Status),
        AdminRequest::OutboxList => service
            .outbox_rows()
            .await
            .map(|rows| AdminResponse::Outbox { rows }),
        AdminRequest::OutboxRetry { id } => service
            .retry(id)
            .await
            .map(|(count, refused)| AdminResponse::Retried { count, refused }),
        AdminRequest::Reload => Ok(AdminResponse::Reloaded {
            notes: service.reload_check(),
        }),
        AdminRequest::Selftest {
            device,
            external,
            wait_secs,
        } => service
            .selftest(device.as_deref(), external, wait_secs)
            .await
            .map(|results| AdminResponse::Selftest { results }),
        AdminRequest::SessionShow => {
            Ok(AdminResponse::Session(Box::new(service.session.summary())))
        }
        AdminRequest::SessionPress { words } => match crate::citizen::press::parse(&words) {
            Ok(input) => service
                .session
                .press_and_wait(input)
                .await
                .map(|s| AdminResponse::Session(Box::new(crate::citizen::SessionSummary::of(&s))))
                .map_err(AdminError::Session),
            Err(e) => Err(AdminError::Press(e)),
        },
        AdminRequest::SessionScreenshot { path } => service
            .screenshot(path.clone())
            .await
            .map(|()| AdminResponse::Saved { path }),
        AdminRequest::SessionTargets => service.targets().await.map(|t| AdminResponse::Targets {
            targets: t.into_iter().map(TouchTarget::from).collect(),
        }),
        AdminRequest::SessionTap { x, y } => service
            .tap(x, y)
            .await
            .map(|()| AdminResponse::Tapped { label: None, x, y }),
        AdminRequest::SessionTouch { label } => service.touch(&label).await,
        AdminRequest::Sim { words } => match &service.manager {
            Some(manager) => super::sim::act(&manager.sim(), &words)
                .map(|message| AdminResponse::Sim { message })
                .map_err(AdminError::Sim),
            None => Err(AdminError::NoDevices),
        },
    };
    result.unwrap_or_else(|e| AdminResponse::Error {
        message: e.to_string(),
    })
}

/// Seconds from `then` to now (0 if the clock went back).
pub fn age(then: SystemTime) -> u64 {
    SystemTime::now()
        .duration_since(then)
        .map_or(0, |d| d.as_secs())
}
