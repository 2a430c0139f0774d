//! Rules a value's type cannot express: ranges, standard baud rates, consistency between
//! keys. Each broken rule becomes a problem naming the field, its place, and what to write.

use std::collections::BTreeMap;

use crate::load::Places;
use crate::report::{Report, Severity};
use crate::suggest::closest_rate;
use crate::{pin, Config, DeviceSelector};

/// Baud rates serial devices actually use.
pub const STANDARD_BAUD_RATES: [u32; 11] = [
    1_200, 2_400, 4_800, 9_600, 19_200, 38_400, 57_600, 115_200, 230_400, 460_800, 921_600,
];

/// Rates an ID-card reader speaks (the driver probes them from fastest to slowest).
pub const IDCARD_BAUD_RATES: [u32; 5] = [115_200, 57_600, 38_400, 19_200, 9_600];

/// Printer profiles the printer driver knows, with the paper width each is for
/// (`drivers/src/printer/profile.rs`; a test there keeps the two lists equal).
pub const PRINTER_PROFILES: [(&str, u32); 4] = [
    ("generic-80", 80),
    ("generic-58", 58),
    ("basic-58", 58),
    ("epson-512", 80),
];

struct Rules<'a> {
    places: &'a Places,
    report: &'a mut Report,
}

impl Rules<'_> {
    fn error(&mut self, field: &str, message: impl Into<String>, hint: impl Into<String>) {
        let problem = self
            .places
            .problem(Severity::Error, field, message, Some(hint.into()));
        self.report.push(problem);
    }

    fn warning(&mut self, field: &str, message: impl Into<String>, hint: impl Into<String>) {
        let problem = self
            .places
            .problem(Severity::Warning, field, message, Some(hint.into()));
        self.report.push(problem);
    }

    fn range<T: PartialOrd + std::fmt::Display>(&mut self, field: &str, value: T, min: T, max: T) {
        if value < min || value > max {
            self.error(
                field,
                format!("out of range ({min} to {max})"),
                format!("use a value from {min} to {max}"),
            );
        }
    }

    fn baud(&mut self, field: &str, value: u32, allowed: &[u32]) {
        if !allowed.contains(&value) {
            let near = closest_rate(value, allowed);
            self.error(
                field,
                "not a standard rate",
                format!("did you mean {near}?"),
            );
        }
    }
}

pub(crate) fn validate(config: &Config, places: &Places, report: &mut Report) {
    let mut rules = Rules { places, report };
    identity(config, &mut rules);
    hall(config, &mut rules);
    devices(config, &mut rules);
    ui(config, &mut rules);
    outbox(config, &mut rules);
    health(config, &mut rules);
    logging(config, &mut rules);
}

fn identity(config: &Config, r: &mut Rules<'_>) {
    let id = &config.identity;
    let valid_id = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if id.kiosk_id.is_empty() {
        r.error(
            "identity.kiosk_id",
            "not set",
            "set it to the id `hall kiosk add` gave this kiosk, e.g. kiosk_id = \"xx-hall-01\"",
        );
    } else if !valid_id(&id.kiosk_id) {
        r.error(
            "identity.kiosk_id",
            "may hold only letters, digits, '-' and '_' (at most 64)",
            "use the id exactly as `hall kiosk add` printed it",
        );
    }
    if id.hall_name.trim().is_empty() {
        r.error(
            "identity.hall_name",
            "is empty",
            "write the hall's name as citizens know it (shown on screen and receipts)",
        );
    }
    let phone =
        |s: &str| (3..=20).contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit() || c == '-');
    if !phone(&id.hotline.government) {
        r.error(
            "identity.hotline.government",
            "not a phone number",
            "use digits and '-' only, normally \"12345\"",
        );
    }
    if let Some(hall) = &id.hotline.hall {
        if !phone(hall) {
            r.error(
                "identity.hotline.hall",
                "not a phone number",
                "use digits and '-' only, e.g. \"0571-12345678\"",
            );
        }
    }
}

fn hall(config: &Config, r: &mut Rules<'_>) {
    let hall = &config.hall;
    match parse_base_url(&hall.base_url) {
        Err(why) => r.error(
            "hall.base_url",
            why,
            "write a full URL such as \"https://hall.example.gov.cn/\"",
        ),
        Ok(url) if url.scheme == "http" && !url.loopback => r.error(
            "hall.base_url",
            "plain http to another machine would send citizens' data unencrypted",
            "use https:// (http is allowed only for 127.0.0.1 / localhost)",
        ),
        Ok(url) if !url.loopback && hall.credential_file.is_none() => r.error(
            "hall.credential_file",
            "not set: the hall refuses kiosks without a credential",
            "run `hall kiosk add <kiosk id>` at the hall, save what it prints in a file readable only by the kiosk user, and name it here",
        ),
        Ok(_) => {}
    }
    r.range(
        "hall.connect_timeout_ms",
        hall.connect_timeout_ms,
        100,
        60_000,
    );
    r.range(
        "hall.request_timeout_ms",
        hall.request_timeout_ms,
        1_000,
        300_000,
    );
    if hall.request_timeout_ms < hall.connect_timeout_ms {
        r.error(
            "hall.request_timeout_ms",
            "shorter than hall.connect_timeout_ms",
            "the whole request includes connecting: make it at least as long",
        );
    }
    if let Some(url) = &hall.progress_url {
        let ok = (url.starts_with("https://") || url.starts_with("http://"))
            && url.len() <= 200
            && !url.contains(['#', ' ']);
        if !ok {
            r.error(
                "hall.progress_url",
                "not an http(s) address of at most 200 characters without spaces or '#'",
                "give the address of the hall's progress page, e.g. https://hall.example.gov.cn/progress (the receipt's QR code appends ?c=…&v=…)",
            );
        }
    }
}

/// The parts of a base URL the rules need.
struct BaseUrl {
    scheme: String,
    loopback: bool,
}

fn parse_base_url(text: &str) -> Result<BaseUrl, String> {
    let (scheme, rest) = text
        .split_once("://")
        .ok_or_else(|| "not a URL (no scheme://)".to_owned())?;
    if scheme != "http" && scheme != "https" {
        return Err(format!("scheme {scheme:?} is not http or https"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    if host.is_empty() {
        return Err("has no host".into());
    }
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    Ok(BaseUrl {
        scheme: scheme.to_owned(),
        loopback,
    })
}

fn devices(config: &Config, r: &mut Rules<'_>) {
    let d = &config.devices;
    if d.idcard.baud != 0 {
        r.baud("devices.idcard.baud", d.idcard.baud, &IDCARD_BAUD_RATES);
    }
    r.baud("devices.printer.baud", d.printer.baud, &STANDARD_BAUD_RATES);
    r.baud("devices.scanner.baud", d.scanner.baud, &STANDARD_BAUD_RATES);
    if d.printer.paper_mm != 58 && d.printer.paper_mm != 80 {
        r.error(
            "devices.printer.paper_mm",
            "receipt paper is 58 or 80 mm wide",
            "measure the roll: 58 (384 dots) or 80 (576 dots)",
        );
    }
    let profile = PRINTER_PROFILES
        .iter()
        .find(|(name, _)| *name == d.printer.profile);
    if profile.is_none() {
        let names: Vec<&str> = PRINTER_PROFILES.iter().map(|(name, _)| *name).collect();
        r.error(
            "devices.printer.profile",
            "unknown printer profile",
            format!("use one of: {}", names.join(", ")),
        );
    } else if profile.is_some_and(|(_, mm)| *mm != d.printer.paper_mm) {
        r.warning(
            "devices.printer.profile",
            format!(
                "profile is for another paper width than paper_mm = {}",
                d.printer.paper_mm
            ),
            "use the profile that matches the paper in the printer",
        );
    }
    r.range(
        "devices.scanner.max_code_len",
        d.scanner.max_code_len,
        16,
        65_536,
    );

    let camera = d.camera.device.trim();
    if camera != "auto" && camera != "sim" && !camera.starts_with("/dev/") {
        r.error(
            "devices.camera.device",
            "neither \"auto\", \"sim\" nor a device node",
            "write \"auto\", \"sim\" (the simulated camera) or a path such as \"/dev/video0\" (`kioskctl camera list` shows them)",
        );
    }

    let a4 = &d.a4printer;
    if a4.enabled {
        let uri = a4.uri.trim();
        let host = uri
            .strip_prefix("ipp://")
            .or_else(|| uri.strip_prefix("http://"))
            .map(|rest| rest.split(['/', ':']).next().unwrap_or(""));
        if uri.starts_with("ipps://") || uri.starts_with("https://") {
            r.error(
                "devices.a4printer.uri",
                "IPP over TLS is not supported by the kiosk",
                "use ipp:// on the kiosk's own network, e.g. ipp://192.168.10.20/ipp/print",
            );
        } else if host.is_none_or(str::is_empty) {
            r.error(
                "devices.a4printer.uri",
                "not an ipp:// URI with a host",
                "write ipp://HOST[:PORT]/ipp/print (IPP Everywhere) or ipp://HOST:631/printers/QUEUE (CUPS)",
            );
        }
    }

    // Two devices cannot share one serial port or one USB device.
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (field, selector) in [
        ("devices.idcard.device", &d.idcard.device),
        ("devices.printer.device", &d.printer.device),
        ("devices.scanner.device", &d.scanner.device),
    ] {
        if matches!(selector, DeviceSelector::Sim | DeviceSelector::None) {
            continue;
        }
        if let Some(first) = seen.insert(selector.to_string(), field) {
            r.error(
                field,
                format!("the same device as {first}"),
                "each device needs its own port; run `kioskctl devices` to see which is which",
            );
        }
    }
}

fn ui(config: &Config, r: &mut Rules<'_>) {
    let ui = &config.ui;
    r.range("ui.width", ui.width, 240, 7_680);
    r.range("ui.height", ui.height, 240, 7_680);
    if ![0, 90, 180, 270].contains(&ui.rotation) {
        r.error("ui.rotation", "not a right angle", "use 0, 90, 180 or 270");
    }
    r.range("ui.idle_timeout_secs", ui.idle_timeout_secs, 15, 1_800);
    r.range("ui.countdown_secs", ui.countdown_secs, 5, 120);
    if ui.countdown_secs >= ui.idle_timeout_secs {
        r.error(
            "ui.countdown_secs",
            "not shorter than ui.idle_timeout_secs",
            "the countdown runs inside the idle time: make it shorter",
        );
    }
    if ui.reach_mode && ui.width > ui.height {
        r.warning(
            "ui.reach_mode",
            "has no effect on a landscape screen: its controls are within reach already",
            "set reach_mode = false, or check ui.width and ui.height (portrait is 1080 x 1920)",
        );
    }
    r.range("ui.voice_volume", ui.voice_volume, 0, 100);
    r.range("ui.quiet_volume", ui.quiet_volume, 0, 100);
    if let Err(why) = config.fleet.quiet_window() {
        r.error(
            "fleet.quiet_hours",
            why,
            "write the reboot window as HH:MM-HH:MM (02:00-05:00)",
        );
    }
    if let Err(why) = ui.quiet_window() {
        r.error(
            "ui.quiet_hours",
            why,
            "write the quiet hours as HH:MM-HH:MM (22:00-07:00), or \"\" for none",
        );
    }
    match &ui.maintenance_pin_hash {
        None => r.warning(
            "ui.maintenance_pin_hash",
            "not set: the maintenance screen cannot be opened on this kiosk",
            "run `kioskctl config hash-pin` and paste its output here",
        ),
        Some(hash) => {
            if let Err(why) = pin::PinHash::parse(hash) {
                r.error(
                    "ui.maintenance_pin_hash",
                    why.to_string(),
                    "run `kioskctl config hash-pin` and paste its output here; never write the PIN itself",
                );
            }
        }
    }
}

fn outbox(config: &Config, r: &mut Rules<'_>) {
    // At least a day, so a technician on the next round still finds a refusal; at most a
    // year, since the records hold personal data.
    r.range(
        "outbox.retention_days",
        config.outbox.retention_days,
        1,
        365,
    );
}

fn health(config: &Config, r: &mut Rules<'_>) {
    r.range(
        "health.heartbeat_secs",
        config.health.heartbeat_secs,
        5,
        3_600,
    );
}

fn logging(config: &Config, r: &mut Rules<'_>) {
    let level = config.logging.level.trim();
    let plain = ["error", "warn", "info", "debug", "trace", "off"];
    let is_filter = level.contains('=');
    if !plain.contains(&level.to_ascii_lowercase().as_str()) && !is_filter {
        r.error(
            "logging.level",
            "not a log level",
            "use error, warn, info, debug or trace (or a filter such as \"info,kiosk=debug\")",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_know_loopback_hosts() {
        for (url, loopback) in [
            ("http://127.0.0.1:8700/", true),
            ("http://localhost/", true),
            ("http://[::1]:80/api", true),
            ("https://hall.example.gov.cn/", false),
            ("https://10.0.0.5:8443", false),
        ] {
            assert_eq!(parse_base_url(url).unwrap().loopback, loopback, "{url}");
        }
        assert!(parse_base_url("hall.example.gov.cn").is_err());
        assert!(parse_base_url("ftp://x/").is_err());
        assert!(parse_base_url("https:///path").is_err());
    }
}
