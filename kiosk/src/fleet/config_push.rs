//! A `kiosk.toml` pushed by an operator.
//!
//! 1. [`stage`]: the text is written next to the live file and checked with the same
//!    loader `kioskctl config check` uses (schema, ranges, referenced files); refused: nothing
//!    changes. Accepted: the live file is kept as `kiosk.toml.prev`, the new one renamed over
//!    it (atomic), and a trial marker written in the data folder. The service then exits
//!    cleanly and systemd starts it with the new file.
//! 2. [`at_start`], first thing at the next start: a marker already started once means the
//!    service went down before it was healthy with the new file: the old file is put back
//!    (and the service restarts on it).
//! 3. Healthy means: the service came up with the new file (devices started, screen drawn)
//!    and the hall answered a heartbeat within [`HEALTHY_WITHIN`]. Then [`confirm`] drops the
//!    marker and the result is posted; otherwise the service rolls back ([`roll_back`]) and
//!    restarts.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How long the service has after its start with a pushed file to reach the hall.
pub const HEALTHY_WITHIN: Duration = Duration::from_secs(120);

const MARKER: &str = "config-trial.json";

/// The trial of a pushed file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trial {
    /// The remote action that pushed it.
    pub action_id: String,
    /// Starts under the new file so far.
    pub starts: u32,
}

/// What [`at_start`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AtStart {
    /// No pushed file on trial.
    Nothing,
    /// Running the pushed file for the first time: confirm once healthy.
    OnTrial(Trial),
    /// The service went down with the pushed file: the old one is back.
    RolledBack(Trial),
}

fn prev(config: &Path) -> PathBuf {
    let mut p = config.as_os_str().to_owned();
    p.push(".prev");
    PathBuf::from(p)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    {
        let mut f = std::fs::File::create(&tmp)?;
        std::io::Write::write_all(&mut f, bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Why a pushed configuration was not staged, or a kept one not put back.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The check `kioskctl config check` makes refused it (nothing changed).
    #[error("the pushed configuration was refused:\n{0}")]
    Refused(kiosk_config::Report),
    /// A file could not be written, kept, restored or moved into place.
    #[error("cannot {what} {}: {source}", path.display())]
    File {
        /// What was being done (`write`, `keep the old file`, `restore`, …).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

fn file<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> PushError + 'a {
    move |source| PushError::File {
        what,
        path: path.to_owned(),
        source,
    }
}

/// Checks `text` as the kiosk's configuration and, if good, puts it in place of `config`
/// (the old file kept as `.prev`) with a trial marker in `data_dir`. `Err` says why it was
/// refused (nothing changed).
pub fn stage(config: &Path, text: &str, data_dir: &Path, action_id: &str) -> Result<(), PushError> {
    let mut candidate = config.as_os_str().to_owned();
    candidate.push(".pushed");
    let candidate = PathBuf::from(candidate);
    write_atomic(&candidate, text.as_bytes()).map_err(file("write", &candidate))?;
    let checked = kiosk_config::load(&kiosk_config::LoadOptions::from_process(&candidate));
    if let Err(report) = checked {
        let _ = std::fs::remove_file(&candidate);
        return Err(PushError::Refused(report));
    }
    std::fs::create_dir_all(data_dir).map_err(file("create", data_dir))?;
    std::fs::copy(config, prev(config)).map_err(file("keep the old file", config))?;
    let marker = trial_json(&Trial {
        action_id: action_id.to_owned(),
        starts: 0,
    });
    let marker_path = data_dir.join(MARKER);
    write_atomic(&marker_path, &marker).map_err(file("write", &marker_path))?;
    std::fs::rename(&candidate, config).map_err(file("put in place", config))?;
    Ok(())
}

/// A trial marker's bytes (a plain struct of a string and a number: it always serialises).
fn trial_json(trial: &Trial) -> Vec<u8> {
    serde_json::to_vec(trial).unwrap_or_default()
}

/// The pushed file on trial, if one is (an unreadable marker reads as none).
pub fn on_trial(data_dir: &Path) -> Option<Trial> {
    serde_json::from_slice(&std::fs::read(data_dir.join(MARKER)).ok()?).ok()
}

/// Puts the kept file back and drops the marker.
pub fn roll_back(config: &Path, data_dir: &Path) -> Result<(), PushError> {
    std::fs::rename(prev(config), config).map_err(file("restore", config))?;
    let _ = std::fs::remove_file(data_dir.join(MARKER));
    Ok(())
}

/// Run first at every start (before the configuration is loaded).
pub fn at_start(config: &Path, data_dir: &Path) -> Result<AtStart, PushError> {
    let path = data_dir.join(MARKER);
    let Ok(bytes) = std::fs::read(&path) else {
        return Ok(AtStart::Nothing);
    };
    let Ok(mut trial) = serde_json::from_slice::<Trial>(&bytes) else {
        // A torn marker: the safe reading is that the new file did not prove itself.
        roll_back(config, data_dir)?;
        return Ok(AtStart::RolledBack(Trial {
            action_id: String::new(),
            starts: 1,
        }));
    };
    if trial.starts >= 1 {
        roll_back(config, data_dir)?;
        return Ok(AtStart::RolledBack(trial));
    }
    trial.starts += 1;
    write_atomic(&path, &trial_json(&trial)).map_err(file("write", &path))?;
    Ok(AtStart::OnTrial(trial))
}

/// The service is healthy with the pushed file: the trial ends, the old file stays as
/// `.prev` for a technician.
pub fn confirm(data_dir: &Path) {
    let _ = std::fs::remove_file(data_dir.join(MARKER));
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "[identity]\nkiosk_id = \"zizhu-01\"\nhall_name = \"测试县政务服务中心\"\n\n[outbox]\nkey_file = \"outbox.key\"\n";

    fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("kiosk.toml");
        std::fs::write(&config, "# the old file\n").unwrap();
        let key = dir.path().join("outbox.key");
        std::fs::write(&key, [7u8; 32]).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        let data = dir.path().join("data");
        (dir, config, data)
    }

    #[test]
    fn a_bad_file_is_refused_and_changes_nothing() {
        let (_d, config, data) = setup();
        let err = stage(&config, "[ui]\nrotation = 45\n", &data, "a1").unwrap_err();
        assert!(matches!(err, PushError::Refused(_)), "{err}");
        assert!(err.to_string().contains("ui.rotation"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&config).unwrap(),
            "# the old file\n"
        );
        assert!(!prev(&config).exists() && !data.join(MARKER).exists());
        assert_eq!(at_start(&config, &data).ok(), Some(AtStart::Nothing));
    }

    #[test]
    fn a_pushed_file_is_confirmed_or_rolled_back_after_a_failed_start() {
        let (_d, config, data) = setup();
        stage(&config, GOOD, &data, "a1").unwrap();
        assert_eq!(std::fs::read_to_string(&config).unwrap(), GOOD);
        assert_eq!(
            std::fs::read_to_string(prev(&config)).unwrap(),
            "# the old file\n"
        );
        // First start with it: on trial.
        let AtStart::OnTrial(t) = at_start(&config, &data).unwrap() else {
            panic!("on trial")
        };
        assert_eq!(t.action_id, "a1");
        // It went down before it was healthy: the next start puts the old file back.
        let AtStart::RolledBack(t) = at_start(&config, &data).unwrap() else {
            panic!("rolled back")
        };
        assert_eq!(t.action_id, "a1");
        assert_eq!(
            std::fs::read_to_string(&config).unwrap(),
            "# the old file\n"
        );
        assert_eq!(at_start(&config, &data).ok(), Some(AtStart::Nothing));

        // Pushed again, and healthy this time.
        stage(&config, GOOD, &data, "a2").unwrap();
        assert!(matches!(at_start(&config, &data), Ok(AtStart::OnTrial(_))));
        confirm(&data);
        assert_eq!(at_start(&config, &data).ok(), Some(AtStart::Nothing));
        assert_eq!(std::fs::read_to_string(&config).unwrap(), GOOD);
    }
}
