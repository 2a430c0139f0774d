//! The update state kept across restarts and reboots (`updates/state.json` next to the
//! outbox, under /var/lib/kiosk on the image), and what a boot means for it: a reboot
//! into an installed update that comes back on the slot it left has fallen back (the new
//! slot failed its health check or did not boot), so that version is reported failed and
//! never installed again.

use std::path::{Path, PathBuf};

use hall_api::updates::{UpdateReport, UpdateState};
use serde::{Deserialize, Serialize};

/// The file's name inside the updates folder.
pub const FILE: &str = "state.json";

/// The code the heartbeat's `update.detail` carries for a version the kiosk fell back from.
pub const FELL_BACK: &str = "healthCheck";

/// What survives a restart: the heartbeat's report, and the slot a reboot into an installed
/// update left from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Persisted {
    /// The report as the last heartbeat carried it.
    pub report: UpdateReport,
    /// Set just before rebooting into an installed update: the slot booted then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebooted_from: Option<String>,
    /// The kernel's boot id (`/proc/sys/kernel/random/boot_id`) when that reboot was asked
    /// for: a start with the same boot id is the service restarting, not the reboot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reboot_boot_id: Option<String>,
}

/// Where the state lives in the updates folder `dir`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

/// Reads the state; a missing file is a fresh kiosk. A file that cannot be read or parsed
/// is reported (and the kiosk starts fresh rather than refusing to run).
pub fn load(dir: &Path) -> Result<Persisted, StateError> {
    let file = path(dir);
    match std::fs::read(&file) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).map_err(|source| StateError::Garbled { file, source })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Persisted::default()),
        Err(source) => Err(StateError::Unreadable { file, source }),
    }
}

/// Why the kept update state was not read (the kiosk starts fresh).
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file is there and cannot be read.
    #[error("cannot read {}: {source}; starting fresh", file.display())]
    Unreadable {
        /// The state file.
        file: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not an update state (torn, or written by something else).
    #[error("{} is not an update state ({source}); starting fresh", file.display())]
    Garbled {
        /// The state file.
        file: PathBuf,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
}

/// Writes the state atomically (a temporary file renamed over the old one, synced), so a
/// power cut leaves either the old or the new state.
pub fn save(dir: &Path, state: &Persisted) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(dir)?;
    let file = path(dir);
    let tmp = dir.join(format!("{FILE}.tmp"));
    let json = serde_json::to_vec_pretty(state).map_err(std::io::Error::other)?;
    let mut out = std::fs::File::create(&tmp)?;
    out.write_all(&json)?;
    out.sync_all()?;
    std::fs::rename(&tmp, &file)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// What the slot booted now means for the persisted state. Only a state that rebooted into
/// an installed update changes: back on the slot it left means the new slot was not
/// committed (its check failed or it did not boot: the boot loader fell back), so the
/// version is failed; on the other slot, the update runs and the kiosk is idle again. An
/// unknown booted slot changes nothing (asked again at the next start). The same boot id
/// as when the reboot was asked for (`boot_id`, this boot's) means the machine has not
/// rebooted (the service restarted, or the reboot never came): nothing to judge, and the
/// reboot may be asked for again.
pub fn after_boot(state: Persisted, booted: Option<&str>, boot_id: Option<&str>) -> Persisted {
    if state.rebooted_from.is_some()
        && state.reboot_boot_id.is_some()
        && state.reboot_boot_id.as_deref() == boot_id
    {
        return Persisted {
            rebooted_from: None,
            reboot_boot_id: None,
            ..state
        };
    }
    let (Some(from), Some(booted)) = (state.rebooted_from.as_deref(), booted) else {
        return state;
    };
    let report = if from == booted {
        UpdateReport {
            slot: Some(booted.to_owned()),
            state: UpdateState::Failed,
            target: None,
            failed_version: state.report.target.clone(),
            detail: Some(FELL_BACK.to_owned()),
        }
    } else {
        UpdateReport {
            slot: Some(booted.to_owned()),
            state: UpdateState::Idle,
            target: None,
            failed_version: state.report.failed_version.clone(),
            detail: None,
        }
    };
    Persisted {
        report,
        rebooted_from: None,
        reboot_boot_id: None,
    }
}

/// This boot's id (`/proc/sys/kernel/random/boot_id`), if the kernel gives one.
pub fn boot_id() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn rebooting(target: &str, from: &str) -> Persisted {
        Persisted {
            report: UpdateReport {
                slot: Some(from.into()),
                state: UpdateState::Installed,
                target: Some(target.into()),
                failed_version: None,
                detail: None,
            },
            rebooted_from: Some(from.into()),
            reboot_boot_id: Some("boot-1".into()),
        }
    }

    #[test]
    fn back_on_the_old_slot_the_update_failed_and_is_named() {
        let after = after_boot(rebooting("3.0.0", "B"), Some("B"), Some("boot-2"));
        assert_eq!(after.report.state, UpdateState::Failed);
        assert_eq!(after.report.failed_version.as_deref(), Some("3.0.0"));
        assert_eq!(after.report.detail.as_deref(), Some(FELL_BACK));
        assert_eq!(after.report.slot.as_deref(), Some("B"));
        assert_eq!(after.rebooted_from, None, "judged once");
        // The next start does not judge it again.
        assert_eq!(after_boot(after.clone(), Some("B"), Some("boot-3")), after);
    }

    #[test]
    fn on_the_new_slot_the_kiosk_is_idle_on_it() {
        let after = after_boot(rebooting("2.0.0", "A"), Some("B"), Some("boot-2"));
        assert_eq!(after.report.state, UpdateState::Idle);
        assert_eq!(after.report.slot.as_deref(), Some("B"));
        assert_eq!(after.report.failed_version, None);
        assert_eq!(after.rebooted_from, None);
    }

    #[test]
    fn an_unknown_slot_or_no_reboot_changes_nothing() {
        let state = rebooting("2.0.0", "A");
        assert_eq!(after_boot(state.clone(), None, Some("boot-2")), state);
        let installed = Persisted {
            rebooted_from: None,
            ..state
        };
        assert_eq!(
            after_boot(installed.clone(), Some("A"), Some("boot-1")),
            installed,
            "installed, not rebooted yet: a service restart keeps waiting for the window"
        );
    }

    #[test]
    fn a_service_restart_before_the_reboot_is_no_fall_back() {
        // The reboot was asked for, but this start is in the same boot (the service was
        // restarted, or the reboot never came): not a fall-back; the reboot is due again.
        let state = rebooting("2.0.0", "A");
        let after = after_boot(state.clone(), Some("A"), Some("boot-1"));
        assert_eq!(
            after.report, state.report,
            "still installed, nothing failed"
        );
        assert_eq!((after.rebooted_from, after.reboot_boot_id), (None, None));
        // A state saved before boot ids were kept is judged by the slot alone.
        let old = Persisted {
            reboot_boot_id: None,
            ..state
        };
        let after = after_boot(old, Some("A"), Some("boot-1"));
        assert_eq!(after.report.state, UpdateState::Failed);
    }

    #[test]
    fn saved_state_reads_back_and_bad_files_say_so() {
        let dir = tempfile::tempdir().unwrap();
        let updates = dir.path().join("updates");
        assert_eq!(load(&updates).unwrap(), Persisted::default());
        let state = rebooting("2.0.0", "A");
        save(&updates, &state).unwrap();
        assert_eq!(load(&updates).unwrap(), state);
        assert!(!updates.join(format!("{FILE}.tmp")).exists());
        std::fs::write(path(&updates), b"{not json").unwrap();
        let err = load(&updates).unwrap_err();
        assert!(matches!(err, StateError::Garbled { .. }), "{err}");
        let said = err.to_string();
        assert!(
            said.contains("state.json") && said.contains("starting fresh"),
            "{said}"
        );
    }
}
