//! The configuration schema: every key of `kiosk.toml`, with its default.
//!
//! Unknown keys are errors (`deny_unknown_fields`), so a misspelt key is reported instead of
//! silently falling back to a default. Range and cross-field rules live in `validate.rs`.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::DeviceSelector;

/// The kiosk's whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Who this kiosk is and where it stands.
    pub identity: Identity,
    /// The hall backend it submits to.
    pub hall: Hall,
    /// Its devices.
    pub devices: Devices,
    /// The screen and the citizen-facing behaviour.
    pub ui: Ui,
    /// The durable outbox.
    pub outbox: Outbox,
    /// Health reporting.
    pub health: Health,
    /// Logging.
    pub logging: Logging,
    /// Software updates and remote actions from the hall.
    pub fleet: Fleet,
}

/// Who this kiosk is (终端标识).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Identity {
    /// The kiosk's id at the hall (终端编号), as given by `hall kiosk add`.
    pub kiosk_id: String,
    /// The hall's name shown on the home screen and the receipt (政务服务中心名称).
    pub hall_name: String,
    /// Where the kiosk stands (安放位置), shown to operators.
    pub location: String,
    /// Hotlines shown on the out-of-service screen and receipts.
    pub hotline: Hotline,
}

impl Default for Identity {
    fn default() -> Self {
        Identity {
            kiosk_id: String::new(),
            hall_name: "政务服务中心".into(),
            location: String::new(),
            hotline: Hotline::default(),
        }
    }
}

/// Hotline numbers (服务热线).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Hotline {
    /// The government service hotline, 12345 everywhere in China.
    pub government: String,
    /// The hall's own number, if it has one.
    pub hall: Option<String>,
}

impl Default for Hotline {
    fn default() -> Self {
        Hotline {
            government: "12345".into(),
            hall: None,
        }
    }
}

/// The hall backend (政务服务后台).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Hall {
    /// Base URL, e.g. `https://hall.example.gov.cn/`. `http` is accepted only for loopback.
    pub base_url: String,
    /// File holding this kiosk's credential (secret). Must not be readable by others.
    pub credential_file: Option<PathBuf>,
    /// The hall's own CA certificate(s) (PEM). When set, the kiosk trusts these alone, not
    /// the public roots.
    pub ca_file: Option<PathBuf>,
    /// Connect timeout in milliseconds.
    pub connect_timeout_ms: u64,
    /// Whole-request timeout in milliseconds.
    pub request_timeout_ms: u64,
    /// The address a receipt's QR code points at (a citizen's phone opens it; any kiosk
    /// reads it back). Default: `{base_url}progress`.
    pub progress_url: Option<String>,
}

impl Hall {
    /// The receipt QR code's address: `progress_url`, or `{base_url}progress`.
    pub fn progress_url(&self) -> String {
        match &self.progress_url {
            Some(url) => url.clone(),
            None => format!("{}/progress", self.base_url.trim_end_matches('/')),
        }
    }
}

impl Default for Hall {
    fn default() -> Self {
        Hall {
            base_url: "http://127.0.0.1:8700/".into(),
            credential_file: None,
            ca_file: None,
            connect_timeout_ms: 3_000,
            request_timeout_ms: 10_000,
            progress_url: None,
        }
    }
}

/// The kiosk's devices (外设).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Devices {
    /// The ID-card reader (身份证阅读器).
    pub idcard: IdCardReader,
    /// The receipt printer (凭条打印机).
    pub printer: Printer,
    /// The QR / barcode scanner (扫码器).
    pub scanner: Scanner,
    /// The loudspeaker (语音播报).
    pub audio: Audio,
    /// The document camera (高拍仪).
    pub camera: Camera,
    /// The A4 printer (A4打印机), over IPP.
    pub a4printer: A4Printer,
}

/// The document camera (高拍仪): a UVC camera over V4L2 that photographs materials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Camera {
    /// Whether this kiosk has one. Without it the materials screen offers the window and mail.
    pub enabled: bool,
    /// `auto` (the first camera that takes A4 stills: ≥ 2 MP in MJPEG or YUYV) or a device
    /// node (`/dev/video0`, or a stable `/dev/v4l/by-id/…` link; `kioskctl camera list`), or
    /// `sim`: the simulated camera, photos of a sample household register (demo, training,
    /// tests).
    pub device: String,
}

impl Default for Camera {
    fn default() -> Self {
        Camera {
            enabled: false,
            device: "auto".into(),
        }
    }
}

impl Camera {
    /// The device node to open, or `None` for `auto`.
    pub fn path(&self) -> Option<PathBuf> {
        let d = self.device.trim();
        (!d.is_empty() && d != "auto" && d != "sim").then(|| PathBuf::from(d))
    }
}

/// The A4 laser printer: an IPP Everywhere printer or a CUPS queue, reached over `ipp://`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct A4Printer {
    /// Whether the kiosk has one. Off by default: most kiosks print on the receipt roll only.
    pub enabled: bool,
    /// The printer's IPP URI: `ipp://HOST[:PORT]/ipp/print` (IPP Everywhere) or
    /// `ipp://HOST:631/printers/QUEUE` (CUPS).
    pub uri: String,
}

impl A4Printer {
    /// An A4 printer is configured.
    pub fn present(&self) -> bool {
        self.enabled && !self.uri.trim().is_empty()
    }
}

/// The loudspeaker: spoken prompts and the selftest tone, through ALSA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Audio {
    /// The ALSA PCM device: `default`, `plughw:CARD=…,DEV=0` (`aplay -L` lists them), `null`
    /// (plays into nothing: the simulated kiosk), or `none` (no loudspeaker: no voice).
    pub pcm: String,
    /// The espeak-ng voice for Chinese prompts (`cmn`: Mandarin); English prompts use `en`.
    pub voice: String,
}

impl Default for Audio {
    fn default() -> Self {
        Audio {
            pcm: "default".into(),
            voice: "cmn".into(),
        }
    }
}

impl Audio {
    /// A loudspeaker is configured.
    pub fn present(&self) -> bool {
        !self.pcm.trim().is_empty() && self.pcm.trim() != "none"
    }
}

/// The ID-card reader.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IdCardReader {
    /// Which device: a serial path, `VID:PID[:SERIAL]`, `sim` or `none`.
    pub device: DeviceSelector,
    /// Baud rate; `0` means detect it (115200 down to 9600).
    pub baud: u32,
    /// For `sim`: the sample card file the simulator serves.
    pub sim_card: Option<PathBuf>,
}

impl Default for IdCardReader {
    fn default() -> Self {
        IdCardReader {
            device: DeviceSelector::Sim,
            baud: 0,
            sim_card: None,
        }
    }
}

/// The receipt printer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Printer {
    /// Which device: a serial path, `VID:PID[:SERIAL]`, `sim` or `none`.
    pub device: DeviceSelector,
    /// Baud rate, for serial printers.
    pub baud: u32,
    /// Hardware (RTS/CTS) flow control, for serial printers.
    pub flow_control: FlowControl,
    /// Paper width in millimetres: 58 or 80.
    pub paper_mm: u32,
    /// The model profile (what varies by model: native QR, status bits, code page).
    pub profile: String,
    /// For `sim`: where the emulator writes receipts as PNG.
    pub sim_out_dir: Option<PathBuf>,
}

impl Default for Printer {
    fn default() -> Self {
        Printer {
            device: DeviceSelector::Sim,
            baud: 115_200,
            flow_control: FlowControl::None,
            paper_mm: 80,
            profile: "generic-80".into(),
            sim_out_dir: None,
        }
    }
}

/// Serial flow control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlowControl {
    /// None.
    None,
    /// RTS/CTS.
    Hardware,
    /// XON/XOFF.
    Software,
}

/// The QR / barcode scanner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scanner {
    /// Which device: a serial path, `VID:PID[:SERIAL]`, `sim` or `none`.
    pub device: DeviceSelector,
    /// Baud rate, for serial scanners.
    pub baud: u32,
    /// What ends a code on a serial scanner: `cr`, `lf`, `crlf`, or `tab`.
    pub terminator: Terminator,
    /// The longest code accepted, in bytes; longer ones are rejected as hostile.
    pub max_code_len: usize,
}

impl Default for Scanner {
    fn default() -> Self {
        Scanner {
            device: DeviceSelector::Sim,
            baud: 9_600,
            terminator: Terminator::Cr,
            max_code_len: 2_048,
        }
    }
}

/// What ends a code on a serial scanner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Terminator {
    /// Carriage return (most scanners' default).
    Cr,
    /// Line feed.
    Lf,
    /// CR then LF.
    Crlf,
    /// Tab.
    Tab,
}

/// The screen and citizen-facing behaviour (界面).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Ui {
    /// Screen width in pixels, as mounted (portrait 1080, landscape 1920).
    pub width: u32,
    /// Screen height in pixels, as mounted.
    pub height: u32,
    /// Rotation of the panel in degrees: 0, 90, 180 or 270.
    pub rotation: u32,
    /// The language the home screen starts in: `zh-CN` or `en`.
    pub language: Language,
    /// Whether the elder mode (长辈模式 / 适老化) button is offered.
    pub elder_mode: bool,
    /// Every session starts in reach mode (轮椅模式): all controls in the lower 55 % of a
    /// portrait screen, for a kiosk mounted low for wheelchair users. Citizens can switch it
    /// either way; it comes back to this at the end of each session. A landscape screen is
    /// low enough already and is not changed by it.
    pub reach_mode: bool,
    /// Seconds without a touch before the idle countdown starts.
    pub idle_timeout_secs: u32,
    /// Seconds the countdown shows before the session is wiped.
    pub countdown_secs: u32,
    /// SHA-256 of the maintenance PIN, as `sha256:<64 hex>` (`kioskctl config hash-pin`).
    pub maintenance_pin_hash: Option<String>,
    /// Loudness of spoken prompts, 0–100 % of the recorded level.
    pub voice_volume: u8,
    /// Hours when prompts are spoken softer (a kiosk in a quiet lobby at night), as
    /// `HH:MM-HH:MM` in local time; may run past midnight (`22:00-07:00`). Empty: none.
    pub quiet_hours: String,
    /// Loudness during the quiet hours, 0–100 (0: silent, the prompts still show as text).
    pub quiet_volume: u8,
}

impl Default for Ui {
    fn default() -> Self {
        Ui {
            width: 1080,
            height: 1920,
            rotation: 0,
            language: Language::ZhCn,
            elder_mode: true,
            reach_mode: false,
            idle_timeout_secs: 90,
            countdown_secs: 15,
            maintenance_pin_hash: None,
            voice_volume: 80,
            quiet_hours: "22:00-07:00".into(),
            quiet_volume: 40,
        }
    }
}

impl Ui {
    /// The quiet hours as minutes after midnight (`from`, `to`), or `None` when there are
    /// none; `Err` says what is wrong with the text.
    pub fn quiet_window(&self) -> Result<Option<(u32, u32)>, String> {
        parse_window(&self.quiet_hours)
    }

    /// The voice volume at `minute` after local midnight.
    pub fn volume_at(&self, minute: u32) -> u8 {
        let quiet = match self.quiet_window() {
            Ok(Some(window)) => in_window(window, minute),
            _ => false,
        };
        if quiet {
            self.quiet_volume.min(100)
        } else {
            self.voice_volume.min(100)
        }
    }
}

/// Whether `minute` after local midnight falls in `(from, to)` (which may run past midnight).
pub fn in_window((from, to): (u32, u32), minute: u32) -> bool {
    if from < to {
        (from..to).contains(&minute)
    } else {
        minute >= from || minute < to
    }
}

/// Parses `HH:MM-HH:MM` (local time; may run past midnight) into minutes after midnight;
/// empty text is `None`.
pub fn parse_window(text: &str) -> Result<Option<(u32, u32)>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let minutes = |hm: &str| -> Result<u32, String> {
        let (h, m) = hm
            .trim()
            .split_once(':')
            .ok_or_else(|| format!("{hm:?} is not HH:MM"))?;
        let h: u32 = h.parse().map_err(|_| format!("{hm:?} is not HH:MM"))?;
        let m: u32 = m.parse().map_err(|_| format!("{hm:?} is not HH:MM"))?;
        if h > 23 || m > 59 {
            return Err(format!("{hm:?} is not a time of day"));
        }
        Ok(h * 60 + m)
    };
    let (from, to) = text
        .split_once('-')
        .ok_or_else(|| format!("{text:?} is not HH:MM-HH:MM"))?;
    let (from, to) = (minutes(from)?, minutes(to)?);
    if from == to {
        return Err(format!("{text:?} starts and ends at the same time"));
    }
    Ok(Some((from, to)))
}

/// A UI language (the one enum the session and the screens use too).
pub use vocab::language::Language;

/// The durable outbox (本地待发队列).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Outbox {
    /// The SQLite database file.
    pub db_path: PathBuf,
    /// The 32-byte key that encrypts payloads at rest. Must be readable by the kiosk user only.
    pub key_file: Option<PathBuf>,
    /// Where the last good service catalog is cached.
    pub catalog_cache: PathBuf,
    /// Days a submission the hall refused, or one this kiosk cannot open (quarantined), is
    /// kept for a technician before it is deleted (it holds personal data).
    pub retention_days: u32,
}

impl Default for Outbox {
    fn default() -> Self {
        Outbox {
            db_path: "/var/lib/kiosk/outbox.sqlite".into(),
            key_file: Some("/etc/kiosk/outbox.key".into()),
            catalog_cache: "/var/lib/kiosk/catalog.json".into(),
            retention_days: 30,
        }
    }
}

/// Health reporting (运行监测).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Health {
    /// Where `/metrics` and `/healthz` listen.
    pub metrics_listen: SocketAddr,
    /// Seconds between heartbeats to the hall.
    pub heartbeat_secs: u32,
    /// The admin socket `kioskctl` talks to.
    pub admin_socket: PathBuf,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            metrics_listen: SocketAddr::from(([127, 0, 0, 1], 9464)),
            heartbeat_secs: 30,
            admin_socket: "/run/kiosk/admin.sock".into(),
        }
    }
}

/// Software updates and remote actions (远程运维): the hall offers bundles and actions in
/// its answers to heartbeats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Fleet {
    /// When an installed update may reboot the kiosk (and only with no citizen in a session),
    /// `HH:MM-HH:MM` local time; may run past midnight.
    pub quiet_hours: String,
}

impl Default for Fleet {
    fn default() -> Self {
        Fleet {
            quiet_hours: "02:00-05:00".into(),
        }
    }
}

impl Fleet {
    /// The reboot window as minutes after midnight (`from`, `to`).
    pub fn quiet_window(&self) -> Result<(u32, u32), String> {
        parse_window(&self.quiet_hours)?
            .ok_or_else(|| "empty: updates could never reboot the kiosk".to_owned())
    }
}

/// Logging.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Logging {
    /// `error`, `warn`, `info`, `debug` or `trace`; or a full tracing filter.
    pub level: String,
}

impl Default for Logging {
    fn default() -> Self {
        Logging {
            level: "info".into(),
        }
    }
}
