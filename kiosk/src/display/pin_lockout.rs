//! The maintenance PIN's lockout: after three wrong PINs the pad locks for 5 minutes, then 30
//! minutes, then 2 hours each time, until the right PIN is entered. The rule is pure (the
//! wall clock is passed in) and its state is a small file next to the outbox database, so
//! switching the kiosk off and on does not reset it. The file holds counts and a time only.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// Wrong PINs in a row before the pad locks.
pub const MAX_FAILURES: u32 = 3;
/// The lockouts, one after another; the last repeats.
pub const LOCKOUTS: [Duration; 3] = [
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
];
/// The file's name, in the outbox database's folder.
pub const FILE_NAME: &str = "maintenance-pin.json";

/// What a wrong PIN led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrong {
    /// This many tries are left before the pad locks.
    TriesLeft(u32),
    /// The pad is locked for this long.
    Locked(Duration),
}

/// Failures and lockouts since the last right PIN.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PinLockout {
    /// Wrong PINs since the last lockout (or the last right PIN).
    failures: u32,
    /// Lockouts since the last right PIN: picks the next lockout's length.
    lockouts: u32,
    /// Locked until then (milliseconds since the Unix epoch).
    locked_until_ms: Option<u64>,
}

fn ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl PinLockout {
    /// The length of the lockout number `n` (1 = the first).
    fn lockout(n: u32) -> Duration {
        let i = usize::try_from(n.saturating_sub(1)).unwrap_or(usize::MAX);
        LOCKOUTS[i.min(LOCKOUTS.len() - 1)]
    }

    /// How long the pad stays locked at `now`, if it is. Never longer than the lockout
    /// itself, so a clock set back (a flat RTC battery) cannot lock the pad for years.
    pub fn locked(&self, now: SystemTime) -> Option<Duration> {
        let until = self.locked_until_ms?;
        let left = Duration::from_millis(until.saturating_sub(ms(now)));
        (!left.is_zero()).then(|| left.min(Self::lockout(self.lockouts)))
    }

    /// A wrong PIN at `now`.
    pub fn wrong(&mut self, now: SystemTime) -> Wrong {
        self.failures += 1;
        if self.failures < MAX_FAILURES {
            return Wrong::TriesLeft(MAX_FAILURES - self.failures);
        }
        self.failures = 0;
        self.lockouts = self.lockouts.saturating_add(1);
        let length = Self::lockout(self.lockouts);
        self.locked_until_ms =
            Some(ms(now).saturating_add(u64::try_from(length.as_millis()).unwrap_or(u64::MAX)));
        Wrong::Locked(length)
    }

    /// The right PIN: everything is forgiven.
    pub fn right(&mut self) {
        *self = PinLockout::default();
    }

    /// The state to use when the file is damaged: as if one lockout was served, so breaking
    /// the file gives no one more than three tries before a long lockout.
    pub fn damaged() -> Self {
        PinLockout {
            lockouts: 1,
            ..PinLockout::default()
        }
    }

    /// Reads the state from `path`; a missing file is a fresh start.
    pub fn load(path: &Path) -> Result<Self, LockoutFileError> {
        match std::fs::read(path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|source| LockoutFileError::Damaged {
                    path: path.to_owned(),
                    source,
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(PinLockout::default()),
            Err(source) => Err(LockoutFileError::Unreadable {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Writes the state to `path` (owner-only, replaced atomically).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        let tmp = path.with_extension("json.tmp");
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        file.write_all(&text)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    }
}

/// Why the lockout file could not be read (the PIN pad then counts one lockout served).
#[derive(Debug, thiserror::Error)]
pub enum LockoutFileError {
    /// The file is there but could not be read.
    #[error("cannot read {path}: {source}")]
    Unreadable {
        /// The lockout file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is not the lockout state (cut short, overwritten).
    #[error("{path} is damaged: {source}")]
    Damaged {
        /// The lockout file.
        path: PathBuf,
        /// Where the JSON stopped making sense.
        source: serde_json::Error,
    },
}

/// The state file for an outbox database at `outbox_db`.
pub fn file_beside(outbox_db: &Path) -> PathBuf {
    outbox_db
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."))
        .join(FILE_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_800_000_000 + secs)
    }

    fn fail_max(lock: &mut PinLockout, at: u64) -> Wrong {
        for n in 1..MAX_FAILURES {
            assert_eq!(lock.wrong(t(at)), Wrong::TriesLeft(MAX_FAILURES - n));
        }
        lock.wrong(t(at))
    }

    #[test]
    fn three_wrong_pins_lock_for_5_minutes_then_30_then_2_hours() {
        let mut lock = PinLockout::default();
        assert_eq!(lock.locked(t(0)), None);
        assert_eq!(fail_max(&mut lock, 0), Wrong::Locked(LOCKOUTS[0]));
        assert_eq!(lock.locked(t(60)), Some(Duration::from_secs(240)));
        assert_eq!(lock.locked(t(300)), None);
        assert_eq!(fail_max(&mut lock, 300), Wrong::Locked(LOCKOUTS[1]));
        assert_eq!(lock.locked(t(300 + 1799)), Some(Duration::from_secs(1)));
        assert_eq!(lock.locked(t(300 + 1800)), None);
        assert_eq!(fail_max(&mut lock, 2100), Wrong::Locked(LOCKOUTS[2]));
        assert_eq!(lock.locked(t(2100 + 7199)), Some(Duration::from_secs(1)));
        // It stays at 2 hours.
        assert_eq!(
            fail_max(&mut lock, 10_000),
            Wrong::Locked(Duration::from_secs(7200))
        );
        // The right PIN starts over at 5 minutes.
        lock.right();
        assert_eq!(lock.locked(t(10_001)), None);
        assert_eq!(fail_max(&mut lock, 20_000), Wrong::Locked(LOCKOUTS[0]));
    }

    #[test]
    fn a_clock_set_back_never_locks_longer_than_the_lockout() {
        let mut lock = PinLockout::default();
        fail_max(&mut lock, 1_000_000);
        let earlier = UNIX_EPOCH + Duration::from_secs(1_000);
        assert_eq!(lock.locked(earlier), Some(LOCKOUTS[0]));
    }

    #[test]
    fn the_lockout_and_the_count_survive_a_restart() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = file_beside(&dir.path().join("outbox.sqlite"));
        assert_eq!(
            PinLockout::load(&path).expect("no file"),
            PinLockout::default()
        );

        // Before the restart: a lockout served, then one wrong PIN.
        let mut before = PinLockout::default();
        fail_max(&mut before, 0);
        before.wrong(t(400));
        before.save(&path).expect("save");
        let mode = std::fs::metadata(&path).expect("meta").permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o077,
            0,
            "owner-only"
        );

        // After: two more wrong PINs lock it, for the second lockout's 30 minutes.
        let mut after = PinLockout::load(&path).expect("load");
        assert_eq!(after, before);
        assert_eq!(after.wrong(t(500)), Wrong::TriesLeft(1));
        assert_eq!(after.wrong(t(500)), Wrong::Locked(LOCKOUTS[1]));
        after.save(&path).expect("save");
        let again = PinLockout::load(&path).expect("load");
        assert_eq!(
            again.locked(t(600)),
            Some(LOCKOUTS[1] - Duration::from_secs(100))
        );

        std::fs::write(&path, b"{broken").expect("write");
        let err = PinLockout::load(&path).expect_err("a damaged file");
        assert!(matches!(err, LockoutFileError::Damaged { .. }), "{err}");
        assert!(err.to_string().contains("is damaged"), "{err}");
    }
}
