//! The partner worker: delivers queued forwards (retrying with backoff until the partner
//! takes them; a refusal is final and logged) and polls each partner for the stage changes
//! of what we forwarded, applying new steps here with their citizen notices. It also keeps
//! each partner's reachability for the logs and `/metrics`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use hall_api::application::TimelineEntry;
use hall_api::partner::{ForwardedApplication, PartnerProgress, MAX_PROGRESS_QUERY};
use zeroize::Zeroizing;

use super::client::{is_unreachable, PartnerClient};
use super::{forward_key, is_final, step_note, Partner};
use crate::error::HallError;
use crate::notify::queue::{backoff, Claimed, Outcome};
use crate::notify::DeliveryError;
use crate::state::AppState;
use crate::store::Moved;

/// Worker timing.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How often partners are asked for stage changes (and the longest idle sleep).
    pub poll: Duration,
    /// First retry delay of a forward.
    pub first_retry: Duration,
    /// Longest retry delay.
    pub max_retry: Duration,
    /// Claim lease (longer than a request's timeout).
    pub lease: Duration,
    /// Each request's timeout.
    pub timeout: Duration,
    /// A partner failing for longer than this is reported unreachable (warning log).
    pub unreachable_after: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            poll: Duration::from_secs(30),
            first_retry: Duration::from_secs(5),
            max_retry: Duration::from_secs(600),
            lease: Duration::from_secs(60),
            timeout: Duration::from_secs(20),
            unreachable_after: Duration::from_secs(600),
        }
    }
}

/// One partner's reachability as the worker last saw it.
#[derive(Debug, Clone, Copy, Default)]
struct Reach {
    /// Since when every call failed to connect (`None`: the last call got through).
    failing_since: Option<Instant>,
    /// When "unreachable" was last logged (once per `unreachable_after`).
    reported_at: Option<Instant>,
}

/// Every partner's reachability (read by `/metrics`).
#[derive(Debug, Default)]
pub struct PartnerHealth {
    reach: Mutex<HashMap<String, Reach>>,
}

impl PartnerHealth {
    fn ok(&self, code: &str) {
        let mut map = self.reach.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = map.get(code) {
            if let Some(since) = r.failing_since {
                tracing::info!(partner = %code, down_for_s = since.elapsed().as_secs(), "partner hall reachable again");
            }
        }
        map.insert(code.to_owned(), Reach::default());
    }

    fn failed(&self, code: &str, error: &DeliveryError, report_after: Duration) {
        if !is_unreachable(error) {
            return;
        }
        let mut map = self.reach.lock().unwrap_or_else(|p| p.into_inner());
        let r = map.entry(code.to_owned()).or_default();
        let since = *r.failing_since.get_or_insert_with(Instant::now);
        let due = r.reported_at.is_none_or(|at| at.elapsed() >= report_after);
        if since.elapsed() >= report_after && due {
            r.reported_at = Some(Instant::now());
            tracing::warn!(partner = %code, down_for_s = since.elapsed().as_secs(), error = %error, "partner hall unreachable for long; forwards and stage changes wait (check its URL, network and whether it runs)");
        }
    }

    /// Seconds each partner has been unreachable (0 when reachable or never tried).
    fn unreachable_seconds(&self) -> HashMap<String, f64> {
        let map = self.reach.lock().unwrap_or_else(|p| p.into_inner());
        map.iter()
            .map(|(code, r)| {
                let s = r.failing_since.map_or(0.0, |t| t.elapsed().as_secs_f64());
                (code.clone(), s)
            })
            .collect()
    }
}

/// Starts the worker; it stops when `shutdown` turns true.
pub fn spawn(
    state: Arc<AppState>,
    settings: Settings,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>, HallError> {
    let client = PartnerClient::new(settings.timeout)?;
    let id = format!("{}-{}", std::process::id(), &crate::crypto::new_id()?[..8]);
    Ok(tokio::spawn(run(state, settings, client, id, shutdown)))
}

async fn run(
    state: Arc<AppState>,
    s: Settings,
    client: PartnerClient,
    worker: String,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    tracing::info!(worker = %worker, poll_s = s.poll.as_secs_f64(), "partner worker started");
    let mut next_poll = Instant::now();
    while !*shutdown.borrow() {
        if let Err(e) = deliver_due(&state, &s, &client, &worker).await {
            tracing::warn!(error = %e, "cannot claim forwards; retrying");
        }
        if Instant::now() >= next_poll {
            next_poll = Instant::now() + s.poll;
            if let Err(e) = poll_all(&state, &s, &client).await {
                tracing::warn!(error = %e, "cannot poll partners for stage changes; retrying");
            }
        }
        let due = match state.store.next_forward_due().await {
            Ok(Some(at)) => (at - Utc::now()).to_std().unwrap_or(Duration::ZERO),
            _ => s.poll,
        };
        let idle = due
            .min(next_poll.saturating_duration_since(Instant::now()))
            .max(Duration::from_millis(20));
        tokio::select! {
            changed = shutdown.changed() => if changed.is_err() { break },
            _ = state.partner_wake.notified() => {}
            _ = tokio::time::sleep(idle) => {}
        }
    }
    tracing::info!(worker = %worker, "partner worker stopped");
}

fn token_of(state: &AppState, p: &Partner) -> Result<Zeroizing<String>, DeliveryError> {
    let sealed = p.token_sealed.as_deref().ok_or_else(|| {
        DeliveryError::transient(format!(
            "no credential to call partner {} yet; run `hall partner set-token {} TOKEN`",
            p.code, p.code
        ))
    })?;
    let plain = state
        .secrets
        .open(&Partner::token_context(&p.code), sealed)
        .map_err(|_| {
            DeliveryError::transient("the partner credential cannot be opened with this key file")
        })?;
    String::from_utf8(plain)
        .map(Zeroizing::new)
        .map_err(|_| DeliveryError::transient("the stored partner credential is not text"))
}

async fn deliver_due(
    state: &AppState,
    s: &Settings,
    client: &PartnerClient,
    worker: &str,
) -> Result<(), HallError> {
    let claimed = state
        .store
        .claim_forwards(worker, Utc::now(), s.lease, 16)
        .await?;
    for c in claimed {
        let result = deliver(state, client, &c).await;
        let code = c
            .target
            .strip_prefix("partner:")
            .unwrap_or(&c.target)
            .to_owned();
        let now = Utc::now();
        let outcome = match result {
            Ok(()) => {
                state.partner_health.ok(&code);
                tracing::info!(event = %c.event_id, partner = %code, attempts = c.attempts, "application forwarded to the partner hall");
                Outcome::Delivered
            }
            Err(e) if e.permanent => {
                tracing::error!(event = %c.event_id, partner = %code, attempts = c.attempts, error = %e, "the partner hall refused a forward; giving up (staff must handle the application here)");
                Outcome::GiveUp {
                    error: short(&e.message),
                }
            }
            Err(e) => {
                state.partner_health.failed(&code, &e, s.unreachable_after);
                let wait = backoff(s.first_retry, s.max_retry, c.attempts, random_u32());
                tracing::warn!(event = %c.event_id, partner = %code, attempts = c.attempts, retry_in_ms = wait.as_millis() as u64, error = %e, "forward failed; will retry");
                let at = now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
                Outcome::Retry {
                    error: short(&e.message),
                    at,
                }
            }
        };
        if let Err(e) = state
            .store
            .settle_forward(c.delivery_id, worker, outcome, now)
            .await
        {
            tracing::error!(event = %c.event_id, error = %e, "cannot record a forward attempt; it is retried after the lease (the partner answers a repeat from its record)");
        }
    }
    Ok(())
}

async fn deliver(
    state: &AppState,
    client: &PartnerClient,
    c: &Claimed,
) -> Result<(), DeliveryError> {
    let code = c.target.strip_prefix("partner:").unwrap_or(&c.target);
    let partner = state
        .store
        .partner(code)
        .await
        .map_err(|e| DeliveryError::transient(e.to_string()))?
        .ok_or_else(|| DeliveryError::permanent(format!("partner {code} was removed")))?;
    let sealed = c
        .sealed
        .as_deref()
        .ok_or_else(|| DeliveryError::permanent("the forward was erased"))?;
    let plain = Zeroizing::new(state.secrets.open(&c.event_id, sealed).map_err(|_| {
        DeliveryError::permanent("the forward cannot be opened with this key file")
    })?);
    // Our application id, from the body (the event id is `fwd-<id>`).
    let origin: ForwardedApplication = serde_json::from_slice(&plain)
        .map_err(|e| DeliveryError::permanent(format!("the forward does not decode: {e}")))?;
    let token = token_of(state, &partner)?;
    let receipt = client
        .forward(
            &partner.url,
            &token,
            &forward_key(&origin.origin_id),
            plain.to_vec(),
        )
        .await?;
    state
        .store
        .mark_forwarded(&origin.origin_id, &receipt.id, &receipt.tracking_code)
        .await
        .map_err(|e| DeliveryError::transient(e.to_string()))?;
    Ok(())
}

async fn poll_all(state: &AppState, s: &Settings, client: &PartnerClient) -> Result<(), HallError> {
    for partner in state.store.partners().await? {
        let open = state.store.open_forwards(&partner.code).await?;
        if open.is_empty() {
            continue;
        }
        let applied: HashMap<String, u32> = open
            .iter()
            .map(|o| (o.application_id.clone(), o.applied_steps))
            .collect();
        for chunk in open.chunks(MAX_PROGRESS_QUERY) {
            let ids = chunk.iter().map(|o| o.application_id.clone()).collect();
            let answer = match token_of(state, &partner) {
                Ok(token) => client.progress(&partner.url, &token, ids).await,
                Err(e) => Err(e),
            };
            match answer {
                Ok(list) => {
                    state.partner_health.ok(&partner.code);
                    for p in list.applications {
                        let done = applied.get(&p.origin_id).copied().unwrap_or(u32::MAX);
                        apply(state, &partner, p, done).await?;
                    }
                }
                Err(e) => {
                    state
                        .partner_health
                        .failed(&partner.code, &e, s.unreachable_after);
                    tracing::warn!(partner = %partner.code, error = %e, "cannot ask the partner hall for stage changes; will ask again");
                    break;
                }
            }
        }
    }
    Ok(())
}

/// Applies the steps of `p` after the first `done` ones, in order, each once.
async fn apply(
    state: &AppState,
    partner: &Partner,
    p: PartnerProgress,
    done: u32,
) -> Result<(), HallError> {
    let place = partner.place();
    for (index, step) in p.timeline.iter().enumerate().skip(done as usize) {
        let Some(rec) = state.store.application(&p.origin_id).await? else {
            return Ok(());
        };
        let entry = TimelineEntry {
            status: step.status,
            at: step.at,
            note: Some(step_note(&place, step.note.as_deref())),
        };
        let stage = crate::notify::citizen::stage_of(&rec, &step.clone(), "");
        let notice = match stage {
            Some(stage) => crate::notify::citizen::draft(state, &rec, stage).await?,
            None => None,
        };
        let queued = notice.is_some();
        let finished = is_final(step.status);
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        match state
            .store
            .apply_partner_step(&rec.id, index, Some(entry), notice, finished)
            .await?
        {
            Some(Moved::Done(_)) => {
                tracing::info!(application = %rec.id, partner = %partner.code, status = ?step.status, "stage change from the partner hall applied");
                if queued {
                    if let Some(n) = state.notices.get() {
                        n.wake.notify_one();
                    }
                }
            }
            Some(Moved::NotAllowed(now)) => {
                tracing::warn!(application = %rec.id, partner = %partner.code, from = ?now, to = ?step.status, "a stage change from the partner hall does not follow from ours; skipped");
            }
            Some(Moved::NotFound) | None => {}
        }
    }
    Ok(())
}

fn short(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect()
}

fn random_u32() -> u32 {
    let mut b = [0u8; 4];
    if getrandom::fill(&mut b).is_err() {
        return u32::MAX;
    }
    u32::from_le_bytes(b)
}

/// Appends the forwarding queue's figures and each partner's reachability to `/metrics`.
pub async fn write_metrics(state: &AppState, out: &mut String) -> Result<(), HallError> {
    let partners = state.store.partners().await?;
    if partners.is_empty() {
        return Ok(());
    }
    let mut stats: HashMap<String, crate::notify::queue::TargetStats> = state
        .store
        .forward_stats(Utc::now())
        .await?
        .into_iter()
        .map(|s| (s.target.clone(), s))
        .collect();
    let down = state.partner_health.unreachable_seconds();
    type Figure = fn(&crate::notify::queue::TargetStats) -> f64;
    let families: [(&str, &str, &str, Figure); 4] = [
        (
            "hall_partner_forward_queue_depth",
            "gauge",
            "Forwards to a partner hall waiting to be delivered.",
            |s| s.pending as f64,
        ),
        (
            "hall_partner_forward_oldest_pending_age_seconds",
            "gauge",
            "Age of the oldest forward waiting for a partner hall.",
            |s| s.oldest_pending_age_seconds,
        ),
        (
            "hall_partner_forwarded_total",
            "counter",
            "Forwards a partner hall took.",
            |s| s.delivered as f64,
        ),
        (
            "hall_partner_forward_failed_total",
            "counter",
            "Forwards a partner hall refused for good.",
            |s| s.failed as f64,
        ),
    ];
    for (name, kind, help, value) in families {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for p in &partners {
            let s = stats.remove(&super::target_of(&p.code)).unwrap_or_default();
            let _ = writeln!(out, "{name}{{partner=\"{}\"}} {}", p.code, value(&s));
            stats.insert(super::target_of(&p.code), s);
        }
    }
    let name = "hall_partner_unreachable_seconds";
    let _ = writeln!(out, "# HELP {name} How long every call to a partner hall has failed to connect (0: reachable).\n# TYPE {name} gauge");
    for p in &partners {
        let s = down.get(&p.code).copied().unwrap_or(0.0);
        let _ = writeln!(out, "{name}{{partner=\"{}\"}} {s}", p.code);
    }
    Ok(())
}

/// The worker's knobs on `hall serve` (seconds; fractions allowed).
#[derive(Debug, Clone, clap::Args)]
pub struct WorkerArgs {
    /// How often partner halls are asked for stage changes of forwarded applications.
    #[arg(long, env = "HALL_PARTNER_POLL", default_value_t = 30.0)]
    pub partner_poll: f64,
    /// First retry delay of a forward (doubling up to --partner-retry-max).
    #[arg(long, env = "HALL_PARTNER_RETRY_FIRST", default_value_t = 5.0)]
    pub partner_retry_first: f64,
    /// Longest retry delay of a forward.
    #[arg(long, env = "HALL_PARTNER_RETRY_MAX", default_value_t = 600.0)]
    pub partner_retry_max: f64,
    /// A partner failing to connect for longer than this is logged as unreachable.
    #[arg(long, env = "HALL_PARTNER_UNREACHABLE_AFTER", default_value_t = 600.0)]
    pub partner_unreachable_after: f64,
}

impl WorkerArgs {
    /// The settings, or why a value is unusable.
    pub fn settings(&self) -> Result<Settings, HallError> {
        let secs = |name: &str, v: f64| {
            if v.is_finite() && (0.01..=86_400.0).contains(&v) {
                Ok(Duration::from_secs_f64(v))
            } else {
                Err(HallError::InvalidArgument(format!(
                    "--{name} {v}: give seconds between 0.01 and 86400"
                )))
            }
        };
        Ok(Settings {
            poll: secs("partner-poll", self.partner_poll)?,
            first_retry: secs("partner-retry-first", self.partner_retry_first)?,
            max_retry: secs("partner-retry-max", self.partner_retry_max)?,
            unreachable_after: secs("partner-unreachable-after", self.partner_unreachable_after)?,
            ..Settings::default()
        })
    }
}
