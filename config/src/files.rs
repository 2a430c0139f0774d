//! Files the configuration names: relative paths resolved against the configuration's own
//! folder, and each referenced file checked to exist and, for secrets, to be private.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::load::Places;
use crate::report::{Report, Severity};
use crate::{Config, DeviceSelector};

/// Makes relative paths in the configuration relative to `base` (the config file's folder).
pub(crate) fn resolve_relative(config: &mut Config, base: &Path) {
    let fix = |p: &mut PathBuf| {
        if p.is_relative() {
            *p = base.join(&*p);
        }
    };
    for path in [
        config.hall.credential_file.as_mut(),
        config.hall.ca_file.as_mut(),
        config.outbox.key_file.as_mut(),
        config.devices.idcard.sim_card.as_mut(),
        config.devices.printer.sim_out_dir.as_mut(),
    ]
    .into_iter()
    .flatten()
    {
        fix(path);
    }
    fix(&mut config.outbox.db_path);
    fix(&mut config.outbox.catalog_cache);
    fix(&mut config.health.admin_socket);
}

/// What a referenced file holds, which decides how private it must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A secret: nobody but the owner may read it.
    Secret,
    /// Public but trusted: nobody but the owner may change it.
    Trusted,
    /// Plain input.
    Plain,
}

pub(crate) fn check(config: &Config, root: Option<&Path>, places: &Places, report: &mut Report) {
    let under_root = |p: &Path| match (root, p.strip_prefix("/")) {
        (Some(root), Ok(rest)) => root.join(rest),
        _ => p.to_path_buf(),
    };
    let files = [
        (
            "hall.credential_file",
            config.hall.credential_file.as_ref(),
            Kind::Secret,
        ),
        ("hall.ca_file", config.hall.ca_file.as_ref(), Kind::Trusted),
        (
            "outbox.key_file",
            config.outbox.key_file.as_ref(),
            Kind::Secret,
        ),
        (
            "devices.idcard.sim_card",
            config.devices.idcard.sim_card.as_ref(),
            Kind::Plain,
        ),
    ];
    for (field, path, kind) in files {
        if let Some(path) = path {
            if let Some((message, hint)) = check_file(&under_root(path), kind) {
                report.push(places.problem(Severity::Error, field, message, Some(hint)));
            }
        }
    }
    if config.outbox.key_file.is_none() {
        report.push(places.problem(
            Severity::Error,
            "outbox.key_file",
            "not set: applications waiting in the outbox hold personal data and must be encrypted",
            Some(key_hint()),
        ));
    }
    for (field, selector) in [
        ("devices.idcard.device", &config.devices.idcard.device),
        ("devices.printer.device", &config.devices.printer.device),
        ("devices.scanner.device", &config.devices.scanner.device),
    ] {
        if let DeviceSelector::Serial(port) = selector {
            if !under_root(port).exists() && root.is_none() {
                report.push(places.problem(
                    Severity::Warning,
                    field,
                    "no such port right now (the device may be unplugged)",
                    Some("run `kioskctl devices` to list ports and USB devices".into()),
                ));
            }
        }
    }
}

fn key_hint() -> String {
    "create a key: `head -c 32 /dev/urandom > /etc/kiosk/outbox.key && chmod 600 /etc/kiosk/outbox.key && chown kiosk /etc/kiosk/outbox.key`".into()
}

/// Checks one file; returns the message and hint if something is wrong.
fn check_file(path: &Path, kind: Kind) -> Option<(String, String)> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let hint = match kind {
                Kind::Secret if path.ends_with("outbox.key") => key_hint(),
                Kind::Secret => {
                    "create it (see the README's technician section) or fix the path".into()
                }
                _ => "fix the path, or copy the file there".into(),
            };
            return Some((format!("{} does not exist", path.display()), hint));
        }
        Err(err) => {
            return Some((
                format!("cannot read {}: {err}", path.display()),
                "check the folder's permissions".into(),
            ))
        }
    };
    if !meta.is_file() {
        return Some((
            format!("{} is not a regular file", path.display()),
            "name the file itself, not its folder".into(),
        ));
    }
    let mode = meta.permissions().mode() & 0o777;
    match kind {
        Kind::Secret if mode & 0o077 != 0 => Some((
            format!(
                "{} is readable or writable by others (mode {mode:03o})",
                path.display()
            ),
            format!("it holds a secret: chmod 600 {}", path.display()),
        )),
        Kind::Trusted if mode & 0o022 != 0 => Some((
            format!(
                "{} can be changed by others (mode {mode:03o})",
                path.display()
            ),
            format!("anyone who can change it can impersonate the hall: chmod 644 {}", path.display()),
        )),
        Kind::Trusted if !looks_like_pem(path) => Some((
            format!("{} is not a PEM certificate", path.display()),
            "it must hold -----BEGIN CERTIFICATE----- blocks; convert DER with `openssl x509 -inform der`".into(),
        )),
        _ if meta.len() == 0 => Some((
            format!("{} is empty", path.display()),
            "write the file's content, or fix the path".into(),
        )),
        _ => None,
    }
}

fn looks_like_pem(path: &Path) -> bool {
    std::fs::read(path)
        .map(|bytes| {
            bytes
                .windows(b"-----BEGIN CERTIFICATE-----".len())
                .any(|w| w == b"-----BEGIN CERTIFICATE-----")
        })
        .unwrap_or(false)
}
