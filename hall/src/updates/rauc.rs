//! Checking a RAUC bundle with Debian's `rauc` (1.8): `rauc info --keyring=K
//! --output-format=json FILE` verifies the signature against the keyring and prints the
//! manifest. A bundle that is unsigned, signed by another key, truncated or not a bundle at
//! all is refused with rauc's own reason. (A verity bundle's payload is checked by dm-verity
//! when the kiosk installs it; the kiosk checks the whole file's SHA-256 before that.)

use std::path::Path;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use crate::error::HallError;

/// What `rauc info` says about a verified bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleInfo {
    /// `[update] version`.
    pub version: String,
    /// `[update] compatible`.
    pub compatible: String,
    /// The signer rauc verified (`O = …, CN = …`), or empty if it did not say.
    pub signer: String,
}

#[derive(Deserialize)]
struct Manifest {
    compatible: Option<String>,
    version: Option<String>,
}

/// Verifies `bundle` against `keyring` (a PEM file of trusted certificates).
pub async fn verify(bundle: &Path, keyring: &Path) -> Result<BundleInfo, HallError> {
    if !keyring.is_file() {
        return Err(HallError::InvalidArgument(format!(
            "keyring {} not found: give --keyring the PEM file of the certificates bundles \
             must be signed with",
            keyring.display()
        )));
    }
    let out = tokio::process::Command::new("rauc")
        .arg("info")
        .arg(format!("--keyring={}", keyring.display()))
        .arg("--output-format=json")
        .arg(bundle)
        .env("LC_ALL", "C")
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| {
            HallError::InvalidArgument(format!(
                "cannot run `rauc` ({e}): install Debian's rauc package (scripts/lib.sh lists it)"
            ))
        })?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        // rauc's last non-progress line says why (signature, format, file).
        let why = stderr
            .lines()
            .rfind(|l| !l.contains("rauc-Message") && !l.trim().is_empty())
            .unwrap_or("rauc gave no reason")
            .trim()
            .to_owned();
        return Err(HallError::InvalidArgument(format!(
            "bundle {} refused: {why} (it must be a RAUC bundle signed with a key of {})",
            bundle.display(),
            keyring.display()
        )));
    }
    let manifest: Manifest = serde_json::from_slice(&out.stdout).map_err(|e| {
        HallError::InvalidArgument(format!(
            "bundle {}: rauc printed a manifest this hall cannot read: {e}",
            bundle.display()
        ))
    })?;
    let signer = stderr
        .lines()
        .find_map(|l| l.split_once("signature by '").map(|(_, s)| s))
        .map(|s| s.trim_end_matches('\'').to_owned())
        .unwrap_or_default();
    let field = |v: Option<String>, name: &str| {
        v.filter(|s| valid_label(s)).ok_or_else(|| {
            HallError::InvalidArgument(format!(
                "bundle {}: the manifest's [update] {name} is missing or not 1-64 characters \
                 of [A-Za-z0-9._+-]",
                bundle.display()
            ))
        })
    };
    Ok(BundleInfo {
        version: field(manifest.version, "version")?,
        compatible: field(manifest.compatible, "compatible")?,
        signer,
    })
}

/// A version or compatible string the hall stores and shows.
pub fn valid_label(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._+-".contains(&b))
}

/// The file's SHA-256 (lowercase hex) and size.
pub async fn sha256_of(path: &Path) -> Result<(String, u64), HallError> {
    let mut file = tokio::fs::File::open(path).await?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), size))
}
