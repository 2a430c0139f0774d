//! `hall backup OUT`: a consistent copy of the database taken while the hall runs (SQLite's
//! `VACUUM INTO` on a read-only connection: one read transaction, so the copy is a single
//! committed state, compacted). Everything the hall keeps is in it — applications, sealed
//! payloads, and the attachments' sealed chunks — except the key file, which must be backed up
//! separately (and kept apart: the copy alone reveals nothing personal).

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::error::HallError;

/// Writes a consistent copy of `db` to `out` (which must not exist); returns its size.
pub fn snapshot(db: &Path, out: &Path) -> Result<u64, HallError> {
    if out.exists() {
        return Err(HallError::InvalidArgument(format!(
            "{} exists; back up to a new file",
            out.display()
        )));
    }
    if !db.exists() {
        return Err(HallError::InvalidArgument(format!(
            "{}: no such database",
            db.display()
        )));
    }
    let target = out.to_str().ok_or_else(|| {
        HallError::InvalidArgument(format!("{}: not a UTF-8 path", out.display()))
    })?;
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.execute("VACUUM INTO ?1", [target])?;
    Ok(std::fs::metadata(out)?.len())
}
