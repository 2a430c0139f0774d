//! `/metrics` in the Prometheus text exposition format (0.0.4).
//!
//! Names follow Prometheus conventions (`kiosk_` prefix, base units, `_total` counters,
//! `_info` metadata, one series per state for enums). Labels carry device classes, states
//! and kinds only: never anything about a citizen.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use kiosk_drivers::status::{ClassStatus, DeviceState, DeviceStatus, HealthCheckLevel, PaperState};

use crate::outbox::{OutboxStats, RecordKind};

/// Build identity for `kiosk_build_info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildInfo {
    /// Crate version.
    pub version: String,
    /// Source commit, when the build knows it.
    pub commit: String,
}

impl BuildInfo {
    /// This binary's build.
    pub fn current() -> Self {
        BuildInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            commit: option_env!("KIOSK_BUILD_COMMIT")
                .unwrap_or("unknown")
                .to_owned(),
        }
    }
}

/// How sessions ended, counted since start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionCounts {
    /// Reached the receipt.
    pub completed: u64,
    /// The citizen went home before finishing.
    pub abandoned: u64,
    /// Ended by the idle timeout.
    pub timeout: u64,
    /// Ended by a failure.
    pub error: u64,
}

/// Everything `/metrics` reports, gathered at scrape time.
#[derive(Debug, Clone)]
pub struct MetricsSnapshot {
    /// Build identity.
    pub build: BuildInfo,
    /// When the process started.
    pub started: SystemTime,
    /// Every configured device.
    pub devices: Vec<DeviceStatus>,
    /// Outbox counts.
    pub outbox: OutboxStats,
    /// Session outcomes.
    pub sessions: SessionCounts,
    /// Ratings given, by level 1–5 (index 0 is level 1).
    pub ratings: [u64; 5],
    /// Last time the hall answered a request successfully.
    pub last_backend_success: Option<SystemTime>,
    /// Resident memory, when known.
    pub resident_bytes: Option<u64>,
}

fn seconds(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Escapes a label value for the text format.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

struct Writer {
    out: String,
}

impl Writer {
    fn header(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.out, "# HELP {name} {help}");
        let _ = writeln!(self.out, "# TYPE {name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.out.push_str(name);
        if !labels.is_empty() {
            self.out.push('{');
            for (i, (key, value)) in labels.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                let _ = write!(self.out, "{key}=\"{}\"", escape(value));
            }
            self.out.push('}');
        }
        let _ = writeln!(self.out, " {value}");
    }
}

fn flag(on: bool) -> f64 {
    if on {
        1.0
    } else {
        0.0
    }
}

/// Renders a snapshot as Prometheus text.
pub fn render(snapshot: &MetricsSnapshot) -> String {
    let mut w = Writer { out: String::new() };

    w.header(
        "kiosk_build_info",
        "gauge",
        "Build of the kiosk firmware (always 1).",
    );
    w.sample(
        "kiosk_build_info",
        &[
            ("version", &snapshot.build.version),
            ("commit", &snapshot.build.commit),
            ("ui", "slint"),
        ],
        1.0,
    );
    w.header(
        "process_start_time_seconds",
        "gauge",
        "Start time of the kiosk process since the Unix epoch.",
    );
    w.sample("process_start_time_seconds", &[], seconds(snapshot.started));

    devices(&mut w, &snapshot.devices);

    w.header(
        "kiosk_sessions_total",
        "counter",
        "Citizen sessions since start, by how they ended.",
    );
    let s = snapshot.sessions;
    for (outcome, count) in [
        ("completed", s.completed),
        ("abandoned", s.abandoned),
        ("timeout", s.timeout),
        ("error", s.error),
    ] {
        w.sample(
            "kiosk_sessions_total",
            &[("outcome", outcome)],
            count as f64,
        );
    }
    w.header(
        "kiosk_ratings_total",
        "counter",
        "好差评 ratings given, by level (1-2 are 差评).",
    );
    for (i, count) in snapshot.ratings.iter().enumerate() {
        let level = (i + 1).to_string();
        w.sample("kiosk_ratings_total", &[("level", &level)], *count as f64);
    }

    w.header(
        "kiosk_outbox_pending",
        "gauge",
        "Submissions saved on this kiosk and not yet confirmed by the hall, by kind.",
    );
    for kind in RecordKind::ALL {
        let count = snapshot
            .outbox
            .pending_by_kind
            .get(&kind)
            .copied()
            .unwrap_or(0);
        w.sample(
            "kiosk_outbox_pending",
            &[("kind", kind.as_str())],
            count as f64,
        );
    }
    w.header(
        "kiosk_outbox_rejected",
        "gauge",
        "Submissions the hall refused for good; a technician must look at them.",
    );
    w.sample(
        "kiosk_outbox_rejected",
        &[],
        snapshot.outbox.rejected as f64,
    );
    w.header(
        "kiosk_outbox_quarantined",
        "gauge",
        "Submissions this kiosk cannot open or understand (outbox key replaced, damaged, unknown kind); set aside so the others are delivered.",
    );
    w.sample(
        "kiosk_outbox_quarantined",
        &[],
        snapshot.outbox.quarantined as f64,
    );
    w.header(
        "kiosk_outbox_oldest_pending_age_seconds",
        "gauge",
        "Age of the oldest submission waiting for delivery (0 when none waits).",
    );
    w.sample(
        "kiosk_outbox_oldest_pending_age_seconds",
        &[],
        snapshot
            .outbox
            .oldest_pending_age
            .map_or(0.0, |d| d.as_secs_f64()),
    );
    if let Some(t) = snapshot.last_backend_success {
        w.header(
            "kiosk_last_backend_success_timestamp_seconds",
            "gauge",
            "Last time the hall backend answered a request successfully.",
        );
        w.sample(
            "kiosk_last_backend_success_timestamp_seconds",
            &[],
            seconds(t),
        );
    }
    if let Some(bytes) = snapshot.resident_bytes {
        w.header(
            "kiosk_memory_resident_bytes",
            "gauge",
            "Resident memory of the kiosk process.",
        );
        w.sample("kiosk_memory_resident_bytes", &[], bytes as f64);
    }
    w.out
}

fn devices(w: &mut Writer, devices: &[DeviceStatus]) {
    w.header(
        "kiosk_device_info",
        "gauge",
        "Identity of each device (always 1).",
    );
    for d in devices {
        let id = &d.identity;
        w.sample(
            "kiosk_device_info",
            &[
                ("device", d.class.label()),
                ("model", id.model.as_deref().unwrap_or("")),
                ("serial", id.serial.as_deref().unwrap_or("")),
                ("firmware", id.firmware.as_deref().unwrap_or("")),
                ("connection", &id.connection),
            ],
            1.0,
        );
    }
    w.header(
        "kiosk_device_state",
        "gauge",
        "Device state, one series per state (XFS4IoT vocabulary); 1 marks the current one.",
    );
    for d in devices {
        for state in DeviceState::ALL {
            w.sample(
                "kiosk_device_state",
                &[("device", d.class.label()), ("state", state.as_str())],
                flag(d.state == state),
            );
        }
    }
    let cameras: Vec<_> = devices
        .iter()
        .filter_map(|d| match d.detail {
            ClassStatus::Camera {
                pages_taken,
                pages_retaken,
            } => Some((d.class.label(), pages_taken, pages_retaken)),
            _ => None,
        })
        .collect();
    if !cameras.is_empty() {
        w.header(
            "kiosk_camera_pages_total",
            "counter",
            "Document camera photos since start: made into a page, or retaken (no sheet found).",
        );
        for (device, taken, retaken) in &cameras {
            w.sample(
                "kiosk_camera_pages_total",
                &[("device", device), ("result", "taken")],
                *taken as f64,
            );
            w.sample(
                "kiosk_camera_pages_total",
                &[("device", device), ("result", "retaken")],
                *retaken as f64,
            );
        }
    }
    let printers: Vec<_> = devices
        .iter()
        .filter_map(|d| match d.detail {
            ClassStatus::ReceiptPrinter {
                paper, cover_open, ..
            }
            | ClassStatus::A4Printer {
                paper, cover_open, ..
            } => Some((d.class.label(), paper, cover_open)),
            _ => None,
        })
        .collect();
    if !printers.is_empty() {
        w.header(
            "kiosk_printer_paper_state",
            "gauge",
            "Paper supply of each printer (receipt roll, A4 trays), one series per state; 1 marks the current one.",
        );
        for (device, paper, _) in &printers {
            for state in PaperState::ALL {
                w.sample(
                    "kiosk_printer_paper_state",
                    &[("device", device), ("state", state.as_str())],
                    flag(*paper == state),
                );
            }
        }
        w.header(
            "kiosk_printer_cover_open",
            "gauge",
            "Whether the printer's cover is open.",
        );
        for (device, _, cover_open) in &printers {
            w.sample(
                "kiosk_printer_cover_open",
                &[("device", device)],
                flag(*cover_open),
            );
        }
    }
    let a4: Vec<_> = devices
        .iter()
        .filter_map(|d| match d.detail {
            ClassStatus::A4Printer { toner_low, .. } => Some((d.class.label(), toner_low)),
            _ => None,
        })
        .collect();
    if !a4.is_empty() {
        w.header(
            "kiosk_a4printer_toner_low",
            "gauge",
            "Whether the A4 printer reports toner (or another marker supply) low or empty.",
        );
        for (device, low) in &a4 {
            w.sample(
                "kiosk_a4printer_toner_low",
                &[("device", device)],
                flag(*low),
            );
        }
    }
    w.header(
        "kiosk_device_operations_total",
        "counter",
        "Device operations (cards read, receipts printed, codes scanned), by result.",
    );
    for d in devices {
        let label = d.class.label();
        w.sample(
            "kiosk_device_operations_total",
            &[("device", label), ("result", "ok")],
            d.counters.operations_ok as f64,
        );
        w.sample(
            "kiosk_device_operations_total",
            &[("device", label), ("result", "failed")],
            d.counters.operations_failed as f64,
        );
    }
    w.header(
        "kiosk_device_communication_errors_total",
        "counter",
        "Frames lost to checksum errors, garbage or timeouts.",
    );
    for d in devices {
        w.sample(
            "kiosk_device_communication_errors_total",
            &[("device", d.class.label())],
            d.counters.communication_errors as f64,
        );
    }
    w.header(
        "kiosk_device_reconnects_total",
        "counter",
        "Times the kiosk reconnected to a device it had lost.",
    );
    for d in devices {
        w.sample(
            "kiosk_device_reconnects_total",
            &[("device", d.class.label())],
            d.counters.reconnects as f64,
        );
    }
    let checks: Vec<_> = devices
        .iter()
        .filter_map(|d| d.last_health_check.as_ref().map(|c| (d.class.label(), c)))
        .collect();
    if !checks.is_empty() {
        w.header(
            "kiosk_device_health_check_passed",
            "gauge",
            "Whether the device's last health check passed.",
        );
        for (device, check) in &checks {
            w.sample(
                "kiosk_device_health_check_passed",
                &[("device", device), ("level", level(check.level))],
                flag(check.passed),
            );
        }
        w.header(
            "kiosk_device_health_check_timestamp_seconds",
            "gauge",
            "When the device's last health check ran.",
        );
        for (device, check) in &checks {
            w.sample(
                "kiosk_device_health_check_timestamp_seconds",
                &[("device", device), ("level", level(check.level))],
                seconds(check.at),
            );
        }
    }
}

fn level(level: HealthCheckLevel) -> &'static str {
    match level {
        HealthCheckLevel::Internal => "internal",
        HealthCheckLevel::External => "external",
    }
}

/// Resident memory of this process, from `/proc/self/statm`.
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_escape_backslash_quote_and_newline() {
        assert_eq!(escape(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape("line\nnext"), "line\\nnext");
        assert_eq!(escape("热敏"), "热敏");
    }
}
