//! The notifier configuration: a small TOML file given to `hall serve --notify-config FILE`.
//! Every mistake is reported with the file and the field, and the hall refuses to start on
//! it (a notifier that silently drops notices is worse than none).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::events::EventKind;
use crate::error::HallError;

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// The hall's public address (`https://hall.county.example`), prefixed to the links in
    /// notices. Without it the links are paths (`/staff/tickets/…`).
    #[serde(default)]
    pub base_url: Option<String>,
    /// Retry timing.
    #[serde(default)]
    pub retry: RetryConfig,
    /// Worker tuning.
    #[serde(default)]
    pub worker: WorkerConfig,
    /// HTTP webhooks (SMS gateways, the 12345 platform).
    #[serde(default)]
    pub webhook: Vec<WebhookConfig>,
    /// SMTP email targets.
    #[serde(default)]
    pub email: Vec<EmailConfig>,
}

/// Capped exponential backoff with jitter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryConfig {
    /// Delay before the first retry, in seconds (fractions allowed).
    #[serde(default = "default_first")]
    pub first_seconds: f64,
    /// The longest delay between two attempts, in seconds.
    #[serde(default = "default_max")]
    pub max_seconds: f64,
    /// Attempts after which a delivery is marked `failed` and no longer retried.
    #[serde(default = "default_give_up")]
    pub give_up_after: u32,
}

fn default_first() -> f64 {
    10.0
}
fn default_max() -> f64 {
    900.0
}
fn default_give_up() -> u32 {
    48
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            first_seconds: default_first(),
            max_seconds: default_max(),
            give_up_after: default_give_up(),
        }
    }
}

/// How the worker claims work.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerConfig {
    /// How often to look for due deliveries when nothing wakes the worker (another hall
    /// process may have enqueued), in seconds.
    #[serde(default = "default_poll")]
    pub poll_seconds: f64,
    /// How long a claim holds a delivery; after that another worker may take it over (the
    /// claimant crashed). Must exceed every target's timeout.
    #[serde(default = "default_lease")]
    pub lease_seconds: f64,
    /// Deliveries claimed at once.
    #[serde(default = "default_batch")]
    pub batch: usize,
}

fn default_poll() -> f64 {
    5.0
}
fn default_lease() -> f64 {
    120.0
}
fn default_batch() -> usize {
    16
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            poll_seconds: default_poll(),
            lease_seconds: default_lease(),
            batch: default_batch(),
        }
    }
}

/// One webhook target.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Name in the delivery log and metrics: 1-32 characters of `[a-z0-9-]`.
    pub name: String,
    /// Where to POST.
    pub url: String,
    /// The shared HMAC secret, inline (prefer `secret_file`).
    #[serde(default)]
    pub secret: Option<String>,
    /// A file holding the shared HMAC secret (surrounding whitespace ignored).
    #[serde(default)]
    pub secret_file: Option<PathBuf>,
    /// Which events go here.
    pub events: Vec<String>,
    /// Per-request timeout in seconds.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: f64,
}

fn default_timeout() -> f64 {
    10.0
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain SMTP upgraded with STARTTLS (required).
    Starttls,
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or a trusted local network.
    None,
}

/// One email target.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    /// Name in the delivery log and metrics.
    pub name: String,
    /// SMTP server.
    pub host: String,
    /// SMTP port (default 587 for STARTTLS, 465 for TLS, 25 for none).
    #[serde(default)]
    pub port: Option<u16>,
    /// Connection security.
    pub security: SmtpSecurity,
    /// SMTP user, if the relay wants one.
    #[serde(default)]
    pub username: Option<String>,
    /// A file holding the SMTP password.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// The sender (`县政务服务中心 <hall@county.example>`).
    pub from: String,
    /// Recipients (staff mailboxes).
    pub to: Vec<String>,
    /// Which events go here (staff events only: citizens give a phone number, not an address).
    pub events: Vec<String>,
    /// Per-message timeout in seconds.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: f64,
}

impl EmailConfig {
    /// The port, defaulted by security.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        })
    }
}

fn bad(file: &Path, field: &str, why: impl std::fmt::Display) -> HallError {
    HallError::InvalidArgument(format!("{}: {field}: {why}", file.display()))
}

/// A number of seconds as a duration, or why not.
pub fn seconds(file: &Path, field: &str, value: f64) -> Result<Duration, HallError> {
    if !(value.is_finite() && value > 0.0 && value <= 7.0 * 86400.0) {
        return Err(bad(
            file,
            field,
            "must be a number of seconds above 0 and at most a week",
        ));
    }
    Ok(Duration::from_secs_f64(value))
}

fn valid_name(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn read_secret(file: &Path, field: &str, path: &Path) -> Result<String, HallError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad(file, field, format!("cannot read {}: {e}", path.display())))?;
    Ok(text.trim().to_owned())
}

fn events(file: &Path, field: &str, names: &[String]) -> Result<Vec<EventKind>, HallError> {
    if names.is_empty() {
        return Err(bad(file, field, "lists no events"));
    }
    names
        .iter()
        .map(|n| {
            n.parse::<EventKind>().map_err(|()| {
                let known: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
                bad(
                    file,
                    field,
                    format!("unknown event {n:?}; known: {}", known.join(", ")),
                )
            })
        })
        .collect()
}

/// A secret read from the configuration: zeroed on drop, never printed.
#[derive(Clone)]
pub struct Secret(zeroize::Zeroizing<Vec<u8>>);

impl Secret {
    /// Wraps secret bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        Secret(zeroize::Zeroizing::new(bytes))
    }

    /// The bytes.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// A webhook target, checked and with its secret read.
#[derive(Debug, Clone)]
pub struct WebhookTarget {
    /// Name.
    pub name: String,
    /// URL.
    pub url: String,
    /// The HMAC secret.
    pub secret: Secret,
    /// Events routed here.
    pub events: Vec<EventKind>,
    /// Request timeout.
    pub timeout: Duration,
}

/// An email target, checked.
#[derive(Debug, Clone)]
pub struct EmailTarget {
    /// The configuration.
    pub config: EmailConfig,
    /// The SMTP password, if any.
    pub password: Option<Secret>,
    /// Events routed here.
    pub events: Vec<EventKind>,
    /// Message timeout.
    pub timeout: Duration,
}

/// The checked configuration.
#[derive(Debug, Clone)]
pub struct Checked {
    /// Link prefix without a trailing slash (empty: links are paths).
    pub base_url: String,
    /// First retry delay.
    pub first_retry: Duration,
    /// Longest retry delay.
    pub max_retry: Duration,
    /// Attempts before giving up.
    pub give_up_after: u32,
    /// Idle poll interval.
    pub poll: Duration,
    /// Claim lease.
    pub lease: Duration,
    /// Claim batch size.
    pub batch: usize,
    /// Webhooks.
    pub webhooks: Vec<WebhookTarget>,
    /// Email targets.
    pub emails: Vec<EmailTarget>,
}

impl NotifyConfig {
    /// Reads and checks the file.
    pub fn load(path: &Path) -> Result<Checked, HallError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| HallError::InvalidArgument(format!("{}: {e}", path.display())))?;
        Self::parse(path, &text)
    }

    /// Parses and checks `text` (named `path` in errors; relative secret files are read
    /// relative to the working directory).
    pub fn parse(path: &Path, text: &str) -> Result<Checked, HallError> {
        let cfg: NotifyConfig = toml::from_str(text)
            .map_err(|e| HallError::InvalidArgument(format!("{}: {e}", path.display())))?;
        cfg.check(path)
    }

    fn check(self, file: &Path) -> Result<Checked, HallError> {
        let base_url = match self.base_url.as_deref().map(str::trim) {
            None | Some("") => String::new(),
            Some(u) if u.starts_with("https://") || u.starts_with("http://") => {
                u.trim_end_matches('/').to_owned()
            }
            Some(_) => return Err(bad(file, "base_url", "must start with https:// or http://")),
        };
        let first_retry = seconds(file, "retry.first_seconds", self.retry.first_seconds)?;
        let max_retry = seconds(file, "retry.max_seconds", self.retry.max_seconds)?;
        if max_retry < first_retry {
            return Err(bad(
                file,
                "retry.max_seconds",
                "is below retry.first_seconds",
            ));
        }
        if self.retry.give_up_after == 0 {
            return Err(bad(file, "retry.give_up_after", "must be at least 1"));
        }
        let poll = seconds(file, "worker.poll_seconds", self.worker.poll_seconds)?;
        let lease = seconds(file, "worker.lease_seconds", self.worker.lease_seconds)?;
        if !(1..=256).contains(&self.worker.batch) {
            return Err(bad(file, "worker.batch", "must be 1 to 256"));
        }
        let mut names = BTreeSet::new();
        let mut webhooks = Vec::new();
        for (i, w) in self.webhook.into_iter().enumerate() {
            let at = |f: &str| format!("webhook[{i}].{f}");
            if !valid_name(&w.name) || !names.insert(w.name.clone()) {
                return Err(bad(
                    file,
                    &at("name"),
                    "must be 1-32 characters of [a-z0-9-], unique among targets",
                ));
            }
            let url = w.url.trim().to_owned();
            if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() < 10 {
                return Err(bad(
                    file,
                    &at("url"),
                    "must be an http:// or https:// address",
                ));
            }
            let secret = match (&w.secret, &w.secret_file) {
                (Some(s), None) => s.trim().to_owned(),
                (None, Some(p)) => read_secret(file, &at("secret_file"), p)?,
                _ => {
                    return Err(bad(
                        file,
                        &at("secret"),
                        "give exactly one of secret and secret_file",
                    ))
                }
            };
            if secret.len() < 16 {
                return Err(bad(file, &at("secret"), "must be at least 16 characters"));
            }
            let timeout = seconds(file, &at("timeout_seconds"), w.timeout_seconds)?;
            if timeout >= lease {
                return Err(bad(
                    file,
                    &at("timeout_seconds"),
                    "must be below worker.lease_seconds",
                ));
            }
            webhooks.push(WebhookTarget {
                events: events(file, &at("events"), &w.events)?,
                name: w.name,
                url,
                secret: Secret::new(secret.into_bytes()),
                timeout,
            });
        }
        let mut emails = Vec::new();
        for (i, e) in self.email.into_iter().enumerate() {
            let at = |f: &str| format!("email[{i}].{f}");
            if !valid_name(&e.name) || !names.insert(e.name.clone()) {
                return Err(bad(
                    file,
                    &at("name"),
                    "must be 1-32 characters of [a-z0-9-], unique among targets",
                ));
            }
            if e.host.trim().is_empty() {
                return Err(bad(file, &at("host"), "is empty"));
            }
            if e.from.parse::<lettre::message::Mailbox>().is_err() {
                return Err(bad(
                    file,
                    &at("from"),
                    "is not a mail address (`Name <user@host>` or `user@host`)",
                ));
            }
            if e.to.is_empty() {
                return Err(bad(file, &at("to"), "lists no recipients"));
            }
            if let Some(r) =
                e.to.iter()
                    .find(|r| r.parse::<lettre::message::Mailbox>().is_err())
            {
                return Err(bad(file, &at("to"), format!("{r:?} is not a mail address")));
            }
            let kinds = events(file, &at("events"), &e.events)?;
            if let Some(k) = kinds.iter().find(|k| k.is_citizen()) {
                return Err(bad(
                    file,
                    &at("events"),
                    format!(
                        "{} goes to a citizen's phone; route it to a webhook (SMS gateway)",
                        k.as_str()
                    ),
                ));
            }
            let password = match (&e.username, &e.password_file) {
                (Some(_), Some(p)) => Some(Secret::new(
                    read_secret(file, &at("password_file"), p)?.into_bytes(),
                )),
                (None, None) => None,
                _ => {
                    return Err(bad(
                        file,
                        &at("username"),
                        "give both username and password_file, or neither",
                    ))
                }
            };
            let timeout = seconds(file, &at("timeout_seconds"), e.timeout_seconds)?;
            if timeout >= lease {
                return Err(bad(
                    file,
                    &at("timeout_seconds"),
                    "must be below worker.lease_seconds",
                ));
            }
            emails.push(EmailTarget {
                config: e,
                password,
                events: kinds,
                timeout,
            });
        }
        let citizen = webhooks.iter().enumerate().find_map(|(i, w)| {
            w.events
                .iter()
                .find(|k| k.is_citizen())
                .map(|k| (i, k.as_str()))
        });
        if let (true, Some((i, kind))) = (base_url.is_empty(), citizen) {
            return Err(bad(
                file,
                "base_url",
                format!(
                    "is needed for {kind} (webhook[{i}]): a citizen's notice links to the \
                     progress page at the address their phone reaches, as on the receipt"
                ),
            ));
        }
        if webhooks.is_empty() && emails.is_empty() {
            return Err(bad(
                file,
                "webhook",
                "no [[webhook]] or [[email]] target is configured",
            ));
        }
        Ok(Checked {
            base_url,
            first_retry,
            max_retry,
            give_up_after: self.retry.give_up_after,
            poll,
            lease,
            batch: self.worker.batch,
            webhooks,
            emails,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Checked, HallError> {
        NotifyConfig::parse(Path::new("notify.toml"), text)
    }

    #[test]
    fn a_full_file_is_read_with_defaults() {
        let c = parse(
            r#"
base_url = "https://hall.example/"
[[webhook]]
name = "duty-sms"
url = "https://sms.example/hook"
secret = "0123456789abcdef0123"
events = ["help.requested", "rating.bad", "citizen.accepted"]
[[email]]
name = "duty-mail"
host = "127.0.0.1"
security = "none"
from = "大厅 <hall@example.org>"
to = ["duty@example.org"]
events = ["complaint.filed"]
"#,
        )
        .expect("valid");
        assert_eq!(c.base_url, "https://hall.example");
        assert_eq!(c.webhooks[0].events.len(), 3);
        assert_eq!(c.emails[0].config.port(), 25);
        assert_eq!(c.give_up_after, 48);
        assert_eq!(c.first_retry, Duration::from_secs(10));
    }

    #[test]
    fn mistakes_name_the_file_and_the_field() {
        let cases = [
            ("[[webhook]]\nname = \"a\"\nurl = \"https://x.example/\"\nsecret = \"short\"\nevents = [\"help.requested\"]", "webhook[0].secret"),
            ("[[webhook]]\nname = \"a\"\nurl = \"ftp://x.example/\"\nsecret = \"0123456789abcdef\"\nevents = [\"help.requested\"]", "webhook[0].url"),
            ("[[webhook]]\nname = \"a\"\nurl = \"https://x.example/\"\nsecret = \"0123456789abcdef\"\nevents = [\"help.wanted\"]", "unknown event \"help.wanted\""),
            ("[[email]]\nname = \"m\"\nhost = \"h\"\nsecurity = \"none\"\nfrom = \"a@b.c\"\nto = [\"d@e.f\"]\nevents = [\"citizen.rejected\"]", "email[0].events"),
            ("[[email]]\nname = \"m\"\nhost = \"h\"\nsecurity = \"none\"\nfrom = \"not an address\"\nto = [\"d@e.f\"]\nevents = [\"rating.bad\"]", "email[0].from"),
            ("[retry]\nfirst_seconds = -1", "retry.first_seconds"),
            ("", "no [[webhook]] or [[email]]"),
            ("[[webhook]]\nname = \"sms\"\nurl = \"https://x.example/\"\nsecret = \"0123456789abcdef\"\nevents = [\"citizen.accepted\"]", "base_url: is needed for citizen.accepted"),
            ("[[webhook]]\nnme = \"typo\"", "unknown field"),
        ];
        for (text, want) in cases {
            let err = parse(text).expect_err(text).to_string();
            assert!(err.starts_with("notify.toml"), "{err}");
            assert!(err.contains(want), "{text:?} gave {err:?}, wanted {want:?}");
        }
    }
}
