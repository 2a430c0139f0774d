//! Limits guessing: failed tracking-code/verifier checks are counted per client and per
//! tracking code in fixed windows; past the limit the client gets 429 with `Retry-After`.
//! With 40-bit codes and 40-bit verifiers enumeration is hopeless anyway; this keeps it so.
//!
//! Memory is bounded: a code is counted only if it has the tracking-code format (so a
//! 64 KiB "code" stores nothing), each map holds at most [`MAX_ENTRIES`] entries and evicts
//! the least recently counted one, and IPv6 clients are counted per /64 (one subscriber's
//! prefix), so hopping through a prefix's addresses gains nothing.
//!
//! Several halls on one database count each in their own memory: a client spreading its
//! guesses over K halls gets at most K × the limits (documented in hall/README.md, "Several
//! halls", and tested on two halls). Counting in the database instead would make every wrong
//! guess — the cheapest request there is — a write on the database all halls share.
//!
//! [`KioskRate`] limits look-ups by ID number per kiosk (also per hall).

use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lru::LruCache;

/// Failures allowed per client address per window.
pub const PER_CLIENT: u32 = 20;
/// Failures allowed per tracking code per window.
pub const PER_CODE: u32 = 10;
/// The window.
pub const WINDOW: Duration = Duration::from_secs(600);
/// The most entries each map keeps.
pub const MAX_ENTRIES: usize = 100_000;

const CODE_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Whether `code` (trimmed, upper case) has the form `YYMMDD-XXXX-XXXX` of a tracking code.
pub fn is_tracking_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 16
        && b[..6].iter().all(u8::is_ascii_digit)
        && b[6] == b'-'
        && b[11] == b'-'
        && b[7..11]
            .iter()
            .chain(&b[12..])
            .all(|c| CODE_ALPHABET.contains(c))
}

/// The key a client is counted under: the address, or its /64 for IPv6 (IPv4-mapped IPv6
/// addresses count as the IPv4 address).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(prefix))
            }
        },
    }
}

type Window = (Instant, u32);

struct Counters {
    by_client: LruCache<IpAddr, Window>,
    by_code: LruCache<String, Window>,
}

/// The limiter (in memory: a restart forgets, which only helps a guesser by minutes).
pub struct GuessLimiter {
    inner: Mutex<Counters>,
}

impl std::fmt::Debug for GuessLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f.debug_struct("GuessLimiter")
            .field("clients", &c.by_client.len())
            .field("codes", &c.by_code.len())
            .finish()
    }
}

impl Default for GuessLimiter {
    fn default() -> Self {
        GuessLimiter::with_capacity(MAX_ENTRIES)
    }
}

fn cap(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap_or(NonZeroUsize::MIN)
}

fn blocked<K: Hash + Eq>(
    map: &LruCache<K, Window>,
    key: &K,
    limit: u32,
    now: Instant,
) -> Option<Duration> {
    map.peek(key).and_then(|(start, n)| {
        let age = now.duration_since(*start);
        (age < WINDOW && *n >= limit).then(|| WINDOW - age)
    })
}

fn bump<K: Hash + Eq>(map: &mut LruCache<K, Window>, key: K, now: Instant) {
    // `get_or_insert_mut` evicts the least recently used entry when the map is full.
    let entry = map.get_or_insert_mut(key, || (now, 0));
    if now.duration_since(entry.0) >= WINDOW {
        *entry = (now, 0);
    }
    entry.1 = entry.1.saturating_add(1);
}

impl GuessLimiter {
    /// A limiter keeping at most `entries` clients and `entries` codes.
    pub fn with_capacity(entries: usize) -> Self {
        GuessLimiter {
            inner: Mutex::new(Counters {
                by_client: LruCache::new(cap(entries)),
                by_code: LruCache::new(cap(entries)),
            }),
        }
    }

    /// How long the client must wait before trying this code again, if it must. `code` must
    /// be normalised (trimmed, upper case).
    pub fn check(&self, client: IpAddr, code: &str) -> Option<Duration> {
        let now = Instant::now();
        let c = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        blocked(&c.by_client, &client_key(client), PER_CLIENT, now).or_else(|| {
            if is_tracking_code(code) {
                blocked(&c.by_code, &code.to_owned(), PER_CODE, now)
            } else {
                None
            }
        })
    }

    /// Counts a failed check of a well-formed code. A malformed code can never match, so it
    /// is not counted and nothing is stored for it.
    pub fn fail(&self, client: IpAddr, code: &str) {
        if !is_tracking_code(code) {
            return;
        }
        let now = Instant::now();
        let mut c = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        bump(&mut c.by_client, client_key(client), now);
        bump(&mut c.by_code, code.to_owned(), now);
    }

    /// (clients, codes) held now.
    pub fn len(&self) -> (usize, usize) {
        let c = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        (c.by_client.len(), c.by_code.len())
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == (0, 0)
    }
}

/// A per-kiosk budget of requests per minute (fixed one-minute windows).
pub struct KioskRate {
    per_minute: u32,
    windows: Mutex<LruCache<String, Window>>,
}

impl std::fmt::Debug for KioskRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KioskRate")
            .field("per_minute", &self.per_minute)
            .finish_non_exhaustive()
    }
}

impl KioskRate {
    /// A budget of `per_minute` requests per kiosk.
    pub fn new(per_minute: u32) -> Self {
        KioskRate {
            per_minute,
            windows: Mutex::new(LruCache::new(cap(10_000))),
        }
    }

    /// Takes one request from `kiosk`'s budget, or says how long until the next minute.
    pub fn take(&self, kiosk: &str) -> Result<(), Duration> {
        const MINUTE: Duration = Duration::from_secs(60);
        let now = Instant::now();
        let mut w = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let entry = w.get_or_insert_mut(kiosk.to_owned(), || (now, 0));
        let age = now.duration_since(entry.0);
        if age >= MINUTE {
            *entry = (now, 0);
        } else if entry.1 >= self.per_minute {
            return Err(MINUTE - age);
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &str = "240506-AB12-CD34";

    fn code(i: u32) -> String {
        format!("240506-{:04}-0000", i)
    }

    #[test]
    fn a_client_is_stopped_after_its_failures_and_others_are_not() {
        let l = GuessLimiter::default();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        for i in 0..PER_CLIENT {
            assert!(l.check(a, &code(i)).is_none());
            l.fail(a, &code(i));
        }
        assert!(l.check(a, CODE).is_some());
        assert!(l.check(b, CODE).is_none());
    }

    #[test]
    fn one_code_is_locked_after_failures_from_many_clients() {
        let l = GuessLimiter::default();
        for i in 0..PER_CODE {
            let ip: IpAddr = format!("10.0.1.{i}").parse().unwrap();
            l.fail(ip, CODE);
        }
        let other: IpAddr = "10.9.9.9".parse().unwrap();
        assert!(l.check(other, CODE).is_some());
        assert!(l.check(other, "240506-CCCC-DDDD").is_none());
    }

    #[test]
    fn a_64_kib_code_is_refused_without_storing_anything() {
        let l = GuessLimiter::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let huge = "A".repeat(64 * 1024);
        for _ in 0..PER_CLIENT * 2 {
            assert!(l.check(ip, &huge).is_none());
            l.fail(ip, &huge);
        }
        assert!(l.is_empty(), "held: {:?}", l.len());
        for bad in [
            "240506-AB12-CD3",
            "240506-AB12-CD3I",
            "24050A-AB12-CD34",
            "",
        ] {
            assert!(!is_tracking_code(bad), "{bad}");
        }
        assert!(is_tracking_code(CODE));
    }

    #[test]
    fn entries_are_capped_and_the_least_recent_is_evicted() {
        let l = GuessLimiter::with_capacity(8);
        let first: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..PER_CLIENT {
            l.fail(first, CODE);
        }
        assert!(l.check(first, "240506-0000-0001").is_some());
        for i in 2..=9u8 {
            let ip: IpAddr = format!("10.0.0.{i}").parse().unwrap();
            l.fail(ip, &code(u32::from(i)));
        }
        assert_eq!(l.len(), (8, 8));
        // The first client was the least recently counted: evicted, so free again.
        assert!(l.check(first, "240506-0000-0001").is_none());
    }

    #[test]
    fn ipv6_clients_are_counted_per_64_and_mapped_ipv4_as_ipv4() {
        let l = GuessLimiter::default();
        for i in 0..PER_CLIENT {
            let ip: IpAddr = format!("2001:db8:1:2::{:x}", i + 1).parse().unwrap();
            l.fail(ip, &code(i));
        }
        let same_64: IpAddr = "2001:db8:1:2:ffff::1".parse().unwrap();
        let other_64: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(l.check(same_64, CODE).is_some());
        assert!(l.check(other_64, CODE).is_none());
        let mapped: IpAddr = "::ffff:10.1.2.3".parse().unwrap();
        assert_eq!(client_key(mapped), "10.1.2.3".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn a_kiosk_budget_runs_out_and_names_the_wait() {
        let r = KioskRate::new(3);
        for _ in 0..3 {
            assert!(r.take("zizhu-01").is_ok());
        }
        let wait = r.take("zizhu-01").expect_err("fourth in a minute");
        assert!(wait <= Duration::from_secs(60) && wait > Duration::ZERO);
        assert!(r.take("zizhu-02").is_ok());
    }
}
