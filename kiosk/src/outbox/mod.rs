//! The durable outbox: every application, rating and complaint is written here first, and
//! deleted only once the hall has confirmed it.
//!
//! SQLite in WAL mode with `synchronous = FULL`: when [`Outbox::enqueue`] returns, the record
//! survives a kill -9 or a power cut. Payloads are sealed with the kiosk's key ([`OutboxKey`]),
//! because they hold citizens' personal data. Each record carries the idempotency key the
//! hall deduplicates by, so redelivering after a crash can never double an application.

mod backoff;
mod crypto;
mod store;

pub use backoff::{bound as backoff_bound, delay as backoff_delay, random_unit, LinkBackoff};
pub use crypto::OutboxKey;
pub use store::{
    Outbox, OutboxStats, Pending, Purged, RecordId, RecordState, RecordSummary, Requeued,
};

use std::fmt;
use std::path::PathBuf;

/// Serialises a payload as JSON into one buffer of the exact size, wiped when dropped.
/// (`serde_json::to_vec` grows its buffer as it writes, leaving freed copies of the first
/// part of the citizen's data behind each time.)
pub fn to_json_wiped<T: serde::Serialize>(
    value: &T,
) -> serde_json::Result<zeroize::Zeroizing<Vec<u8>>> {
    /// Counts bytes without keeping them.
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    serde_json::to_writer(&mut count, value)?;
    let mut out = zeroize::Zeroizing::new(Vec::with_capacity(count.0));
    serde_json::to_writer(&mut *out, value)?;
    Ok(out)
}

/// What a record is, which decides the hall endpoint it goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordKind {
    /// An application (办件申请).
    Application,
    /// A 好差评 rating.
    Rating,
    /// A 办不成事 complaint.
    Complaint,
    /// A call for help (帮办 / 上门服务).
    HelpRequest,
    /// An appointment booking (预约).
    Appointment,
}

impl RecordKind {
    /// Every kind.
    pub const ALL: [RecordKind; 5] = [
        RecordKind::Application,
        RecordKind::Rating,
        RecordKind::Complaint,
        RecordKind::HelpRequest,
        RecordKind::Appointment,
    ];

    /// The stable name stored in the database and used in metrics labels.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Application => "application",
            RecordKind::Rating => "rating",
            RecordKind::Complaint => "complaint",
            RecordKind::HelpRequest => "help_request",
            RecordKind::Appointment => "appointment",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What went wrong with the outbox.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// The key file is missing or malformed.
    #[error("outbox key {path}: {reason}; create one with `head -c 32 /dev/urandom > FILE && chmod 600 FILE`")]
    Key {
        /// The key file.
        path: PathBuf,
        /// Why it cannot be used.
        reason: String,
    },
    /// Sealing or opening a payload failed.
    #[error("outbox encryption: {0}")]
    Crypto(String),
    /// The disk is full: nothing new can be saved until space is freed.
    #[error("the kiosk's disk is full, so the outbox cannot save: free space under {0} (old logs, receipts)")]
    DiskFull(PathBuf),
    /// The database file cannot be created or opened.
    #[error("outbox database {path}: {reason}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Any other database error.
    #[error("outbox database: {0}")]
    Db(#[from] rusqlite::Error),
    /// The blocking task that ran an outbox call failed (panicked or was cancelled).
    #[error("outbox task failed: {0}")]
    Task(String),
    /// A stored record is not what this version of the kiosk wrote.
    #[error("outbox record {0} is corrupt: {1}")]
    Corrupt(i64, String),
}

/// What the service should do about an outbox error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxErrorKind {
    /// The kiosk cannot take submissions: show the out-of-service screen and alert.
    Unavailable,
    /// One record is bad; the rest work.
    Record,
}

impl OutboxError {
    /// How to react.
    pub fn kind(&self) -> OutboxErrorKind {
        match self {
            OutboxError::Corrupt(..) | OutboxError::Crypto(_) => OutboxErrorKind::Record,
            _ => OutboxErrorKind::Unavailable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_written_once_into_a_buffer_of_its_exact_size() {
        let value = serde_json::json!({"phone": "13812345678", "items": [1, 2, 3]});
        let body = to_json_wiped(&value).expect("serialize");
        assert_eq!(&body[..], &serde_json::to_vec(&value).expect("plain")[..]);
        assert_eq!(
            body.capacity(),
            body.len(),
            "no regrowth left copies behind"
        );
    }
}
