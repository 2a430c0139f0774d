//! Kiosk heartbeats and the operators' fleet view. The device vocabulary (class, state, paper)
//! is the `vocab` crate's, the same types the kiosk's drivers use.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use vocab::device::{DeviceClass, DeviceState, PaperState};

/// One device as a heartbeat reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeviceReport {
    /// Which device.
    pub class: DeviceClass,
    /// Its state.
    pub state: DeviceState,
    /// Paper supply (printers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper: Option<PaperState>,
    /// Cover open (printers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover_open: Option<bool>,
    /// The stable code of the last error (`timeout`, `paperOut`), never personal data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error_code: Option<String>,
}

/// Items waiting in the kiosk's outbox, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OutboxDepth {
    /// Applications not yet delivered.
    pub applications: u32,
    /// Ratings not yet delivered.
    pub ratings: u32,
    /// Complaints, help requests, appointments and others.
    pub other: u32,
}

impl OutboxDepth {
    /// Everything waiting.
    pub fn total(&self) -> u64 {
        u64::from(self.applications) + u64::from(self.ratings) + u64::from(self.other)
    }
}

/// Software versions a kiosk runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Versions {
    /// The kiosk service (`kiosk` crate) version.
    pub kiosk: String,
    /// The OS image version, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The catalog version it has cached, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<String>,
}

/// The body of `POST /api/v1/kiosks/{id}/heartbeat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Heartbeat {
    /// When the kiosk sent it, by its clock.
    pub sent_at: DateTime<Utc>,
    /// Seconds since the kiosk service started.
    pub uptime_seconds: u64,
    /// What it runs.
    pub versions: Versions,
    /// Every configured device (at most 16). A device of a class this hall does not know
    /// (a newer kiosk's) is left out, not refused.
    #[serde(deserialize_with = "known_devices")]
    pub devices: Vec<DeviceReport>,
    /// Outbox backlog.
    pub outbox: OutboxDepth,
    /// The A/B slot and software update state (kiosks since issue 22).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<crate::updates::UpdateReport>,
    /// Where the kiosk stands, as its technician configured it (`[identity] location`); the
    /// fleet view shows it where the hall's registry has no label for the kiosk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// Deserializes the device list, leaving out devices whose class this build does not know;
/// a known device that does not fit the schema still fails.
fn known_devices<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<DeviceReport>, D::Error> {
    use serde::de::Error as _;
    let raw: Vec<serde_json::Value> = Vec::deserialize(d)?;
    let mut out = Vec::with_capacity(raw.len());
    for value in raw {
        let known = value
            .get("class")
            .map(|c| serde_json::from_value::<DeviceClass>(c.clone()).is_ok())
            .unwrap_or(true);
        if known {
            out.push(serde_json::from_value(value).map_err(D::Error::custom)?);
        }
    }
    Ok(out)
}

/// The hall's answer to a heartbeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct HeartbeatAck {
    /// The hall's clock, so a kiosk can notice a drifting clock.
    pub server_time: DateTime<Utc>,
    /// The current catalog version: refresh when it differs from the cached one.
    pub catalog_version: String,
    /// The software this kiosk should run, when a rollout offers it one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<crate::updates::WantedUpdate>,
    /// Remote actions queued by an operator, oldest first, until their result is posted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<crate::updates::RemoteAction>,
}

/// One kiosk in the fleet view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct KioskHealth {
    /// Kiosk id.
    pub kiosk_id: String,
    /// Where it stands (`县政务服务中心 24小时自助区 1号机`).
    pub location: String,
    /// Whether a heartbeat arrived within the online window.
    pub online: bool,
    /// When the last heartbeat arrived (hall clock); `None` if never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<DateTime<Utc>>,
    /// The last heartbeat's versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versions: Option<Versions>,
    /// The last heartbeat's devices.
    pub devices: Vec<DeviceReport>,
    /// The receipt printer's paper, if one reported it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper: Option<PaperState>,
    /// Human-readable faults (`receiptPrinter: hardwareError (cutterJam)`), empty when healthy.
    pub faults: Vec<String>,
    /// The last heartbeat's outbox.
    pub outbox: OutboxDepth,
    /// The last heartbeat's slot and update state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<crate::updates::UpdateReport>,
}

/// The answer of `GET /api/v1/fleet`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FleetView {
    /// When this view was made.
    pub generated_at: DateTime<Utc>,
    /// A kiosk is online if its last heartbeat is younger than this.
    pub online_window_seconds: u64,
    /// Every registered kiosk, by id.
    pub kiosks: Vec<KioskHealth>,
}
