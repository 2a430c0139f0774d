//! Limits guessing: failed tracking-code/verifier checks are counted per client address and
//! per tracking code in fixed windows; past the limit the client gets 429 with `Retry-After`.
//! With 40-bit codes and 40-bit verifiers enumeration is hopeless anyway; this keeps it so.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed per client address per window.
pub const PER_CLIENT: u32 = 20;
/// Failures allowed per tracking code per window.
pub const PER_CODE: u32 = 10;
/// The window.
pub const WINDOW: Duration = Duration::from_secs(600);
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Default)]
struct Counters {
    by_client: HashMap<IpAddr, (Instant, u32)>,
    by_code: HashMap<String, (Instant, u32)>,
}

/// The limiter (in memory: a restart forgets, which only helps a guesser by minutes).
#[derive(Debug, Default)]
pub struct GuessLimiter {
    inner: Mutex<Counters>,
}

fn blocked<K: std::hash::Hash + Eq>(
    map: &HashMap<K, (Instant, u32)>,
    key: &K,
    limit: u32,
    now: Instant,
) -> Option<Duration> {
    map.get(key).and_then(|(start, n)| {
        let age = now.duration_since(*start);
        (age < WINDOW && *n >= limit).then(|| WINDOW - age)
    })
}

fn bump<K: std::hash::Hash + Eq>(map: &mut HashMap<K, (Instant, u32)>, key: K, now: Instant) {
    if map.len() >= MAX_ENTRIES {
        map.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
    }
    let entry = map.entry(key).or_insert((now, 0));
    if now.duration_since(entry.0) >= WINDOW {
        *entry = (now, 0);
    }
    entry.1 = entry.1.saturating_add(1);
}

impl GuessLimiter {
    /// How long the client must wait before trying this code again, if it must.
    pub fn check(&self, client: IpAddr, code: &str) -> Option<Duration> {
        let now = Instant::now();
        let c = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        blocked(&c.by_client, &client, PER_CLIENT, now)
            .or_else(|| blocked(&c.by_code, &code.to_owned(), PER_CODE, now))
    }

    /// Counts a failed check.
    pub fn fail(&self, client: IpAddr, code: &str) {
        let now = Instant::now();
        let mut c = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        bump(&mut c.by_client, client, now);
        bump(&mut c.by_code, code.to_owned(), now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_stopped_after_its_failures_and_others_are_not() {
        let l = GuessLimiter::default();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        for i in 0..PER_CLIENT {
            assert!(l.check(a, &format!("code{i}")).is_none());
            l.fail(a, &format!("code{i}"));
        }
        assert!(l.check(a, "fresh").is_some());
        assert!(l.check(b, "fresh").is_none());
    }

    #[test]
    fn one_code_is_locked_after_failures_from_many_clients() {
        let l = GuessLimiter::default();
        for i in 0..PER_CODE {
            let ip: IpAddr = format!("10.0.1.{i}").parse().unwrap();
            l.fail(ip, "240506-AAAA-BBBB");
        }
        let other: IpAddr = "10.9.9.9".parse().unwrap();
        assert!(l.check(other, "240506-AAAA-BBBB").is_some());
        assert!(l.check(other, "240506-CCCC-DDDD").is_none());
    }
}
