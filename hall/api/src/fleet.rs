//! Kiosk heartbeats and the operators' fleet view. Device states use the same serde
//! spelling as `kiosk-drivers`' status model (XFS4IoT vocabulary) without depending on it,
//! so the hall does not link device code.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A device's state, spelled as `kiosk_drivers::status::DeviceState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum DeviceState {
    /// Present and working.
    Online,
    /// Present but not answering.
    Offline,
    /// No power or unplugged.
    PowerOff,
    /// Not fitted.
    NoDevice,
    /// A fault it cannot clear itself.
    HardwareError,
    /// A person must act (cover open, paper out).
    UserError,
    /// Working on a command.
    Busy,
    /// Not checked yet.
    Unknown,
}

impl DeviceState {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceState::Online => "online",
            DeviceState::Offline => "offline",
            DeviceState::PowerOff => "powerOff",
            DeviceState::NoDevice => "noDevice",
            DeviceState::HardwareError => "hardwareError",
            DeviceState::UserError => "userError",
            DeviceState::Busy => "busy",
            DeviceState::Unknown => "unknown",
        }
    }

    /// Whether the state is a fault an operator should see (not online, busy or absent).
    pub fn is_fault(self) -> bool {
        !matches!(
            self,
            DeviceState::Online | DeviceState::Busy | DeviceState::NoDevice
        )
    }
}

/// A device class, spelled as `kiosk_drivers::status::DeviceClass`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum DeviceClass {
    /// 二代证阅读器.
    IdCardReader,
    /// 凭条打印机.
    ReceiptPrinter,
    /// 扫码器.
    Scanner,
    /// 扬声器 (voice prompts).
    Audio,
    /// A4打印机 (IPP).
    A4Printer,
}

/// Paper supply, spelled as `kiosk_drivers::status::PaperState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum PaperState {
    /// Enough paper.
    Full,
    /// Near end.
    Low,
    /// Empty.
    Out,
    /// Jammed.
    Jammed,
    /// Not known.
    Unknown,
}

impl PaperState {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PaperState::Full => "full",
            PaperState::Low => "low",
            PaperState::Out => "out",
            PaperState::Jammed => "jammed",
            PaperState::Unknown => "unknown",
        }
    }
}

/// One device as a heartbeat reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Heartbeat {
    /// When the kiosk sent it, by its clock.
    pub sent_at: DateTime<Utc>,
    /// Seconds since the kiosk service started.
    pub uptime_seconds: u64,
    /// What it runs.
    pub versions: Versions,
    /// Every configured device (at most 16).
    pub devices: Vec<DeviceReport>,
    /// Outbox backlog.
    pub outbox: OutboxDepth,
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
