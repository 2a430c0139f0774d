//! The bundle download: in ranges of [`CHUNK`] bytes appended to `<sha256>.partial` in the
//! update folder, so a cut connection or a restart resumes where it stopped; the whole
//! file's SHA-256 is checked before it is renamed to `<sha256>.raucb` (a mismatch deletes
//! it: the next offer starts again).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use hall_api::updates::WantedUpdate;
use reqwest::header::RANGE;
use reqwest::{Method, StatusCode};
use sha2::{Digest, Sha256};

use super::FleetError;
use crate::hall::HallClient;

/// Bytes asked for per request.
pub const CHUNK: u64 = 1024 * 1024;

/// The longest one range may take (a slow township line: 1 MiB at 100 kbit/s is ~84 s).
const CHUNK_TIMEOUT: Duration = Duration::from_secs(120);

fn check_offer(wanted: &WantedUpdate) -> Result<(), FleetError> {
    let hex = wanted.sha256.len() == 64
        && wanted
            .sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !hex {
        return Err(FleetError::BadOffer(
            "the SHA-256 is not 64 lowercase hex digits".into(),
        ));
    }
    if wanted.size == 0 || !wanted.url.starts_with('/') {
        return Err(FleetError::BadOffer(
            "size 0, or not a path on the hall".into(),
        ));
    }
    Ok(())
}

/// SHA-256 of a file, lowercase hex.
pub fn sha256_file(path: &Path) -> Result<String, FleetError> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

/// Downloads (or finishes downloading) the offered bundle into `dir`; returns the checked
/// file.
pub async fn fetch(
    hall: &HallClient,
    wanted: &WantedUpdate,
    dir: &Path,
) -> Result<PathBuf, FleetError> {
    check_offer(wanted)?;
    std::fs::create_dir_all(dir)?;
    let done = dir.join(format!("{}.raucb", wanted.sha256));
    if done.is_file() && sha256_file(&done)? == wanted.sha256 {
        return Ok(done);
    }
    let partial = dir.join(format!("{}.partial", wanted.sha256));
    let mut have = std::fs::metadata(&partial).map(|m| m.len()).unwrap_or(0);
    if have > wanted.size {
        have = 0;
    }
    // Keep what was fetched before (cut to the offer's size at most), append the rest.
    std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(&partial)?
        .set_len(have)?;
    let mut file =
        std::io::BufWriter::new(std::fs::OpenOptions::new().append(true).open(&partial)?);
    if have > 0 {
        tracing::info!(version = %wanted.version, have, size = wanted.size, "resuming the update download");
    }
    while have < wanted.size {
        let end = (have + CHUNK).min(wanted.size) - 1;
        let response = hall
            .request(Method::GET, &wanted.url)
            .header(RANGE, format!("bytes={have}-{end}"))
            .timeout(CHUNK_TIMEOUT)
            .send()
            .await
            .map_err(|e| FleetError::Download(e.without_url().to_string()))?;
        let status = response.status();
        if status != StatusCode::PARTIAL_CONTENT {
            return Err(FleetError::Download(format!(
                "the hall answered {status} to bytes {have}-{end}"
            )));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| FleetError::Download(e.without_url().to_string()))?;
        if bytes.len() as u64 != end - have + 1 {
            return Err(FleetError::Download(format!(
                "asked for {} bytes at {have}, got {}",
                end - have + 1,
                bytes.len()
            )));
        }
        file.write_all(&bytes)?;
        have += bytes.len() as u64;
    }
    file.flush()?;
    file.get_ref().sync_all()?;
    drop(file);
    let got = sha256_file(&partial)?;
    if got != wanted.sha256 {
        let _ = std::fs::remove_file(&partial);
        return Err(FleetError::Sha256Mismatch {
            want: wanted.sha256.clone(),
            got,
        });
    }
    std::fs::rename(&partial, &done)?;
    Ok(done)
}
