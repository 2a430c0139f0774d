//! Installing a checked bundle into the inactive slot, and rebooting into it. The real
//! [`Rauc`] runs Debian's `rauc` (the image's system.conf names the slots); tests put a
//! fake behind the same trait, since no slotted system runs on a build machine.

use std::path::Path;
use std::process::Command;

/// Why a bundle was not installed, or the machine not rebooted.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// `rauc` (or the program named) ran and refused or failed.
    #[error(transparent)]
    Command(#[from] CommandError),
    /// The reboot request file could not be written.
    #[error(
        "cannot ask for a reboot ({REBOOT_REQUEST}: {0}); is kiosk-reboot.path of the image there?"
    )]
    RebootRequest(#[source] std::io::Error),
    /// Another installer's own reason (a stand-in in tests, a future backend).
    #[error("{0}")]
    Other(String),
    /// The blocking task running the installer died.
    #[error("the install task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// An external program the kiosk runs (`rauc`, `journalctl`) did not do its job.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// It could not be started (not installed, not permitted).
    #[error("cannot run {program}: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// It ran and failed: the last line it wrote to stderr.
    #[error("{program} failed: {reason}")]
    Failed {
        /// The program.
        program: String,
        /// The last non-empty stderr line (or "no reason given").
        reason: String,
    },
}

/// Runs `cmd` to completion; its stdout, or why not (the last stderr line).
pub fn run(cmd: &mut Command) -> Result<String, CommandError> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd.output().map_err(|source| CommandError::Spawn {
        program: program.clone(),
        source,
    })?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    Err(CommandError::Failed {
        program,
        reason: stderr
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("no reason given")
            .to_owned(),
    })
}

/// Installs bundles and reboots.
pub trait Installer: Send + Sync {
    /// Installs `bundle` into the inactive slot (blocking; run off the async threads).
    fn install(&self, bundle: &Path) -> Result<(), InstallError>;
    /// Reboots the machine.
    fn reboot(&self) -> Result<(), InstallError>;
    /// The booted slot's name (`A`, `B`), if known.
    fn booted_slot(&self) -> Option<String>;
    /// This boot's id: tells a reboot from a restart of the service.
    fn boot_id(&self) -> Option<String> {
        super::state::boot_id()
    }
}

/// `rauc install`, a reboot request, `rauc status`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rauc;

/// The file whose creation asks the image's kiosk-reboot.path to reboot the machine: the
/// service runs as the unprivileged `kiosk` user, which may not reboot by itself.
pub const REBOOT_REQUEST: &str = "/run/kiosk/reboot-request";

impl Installer for Rauc {
    fn install(&self, bundle: &Path) -> Result<(), InstallError> {
        run(Command::new("rauc").arg("install").arg(bundle))?;
        Ok(())
    }

    fn reboot(&self) -> Result<(), InstallError> {
        std::fs::write(REBOOT_REQUEST, b"update installed\n").map_err(InstallError::RebootRequest)
    }

    fn booted_slot(&self) -> Option<String> {
        let json = run(Command::new("rauc").args(["status", "--output-format=json"])).ok()?;
        let v: serde_json::Value = serde_json::from_str(&json).ok()?;
        v.get("booted")?.as_str().map(str::to_owned)
    }
}

/// Whether a reboot may happen at `minute` after local midnight: inside the quiet window
/// and with no citizen in a session.
pub fn may_reboot(window: (u32, u32), minute: u32, session_active: bool) -> bool {
    !session_active && kiosk_config::schema::in_window(window, minute)
}

#[cfg(test)]
mod tests {
    use super::may_reboot;

    #[test]
    fn reboots_only_in_the_window_and_never_with_a_citizen() {
        let window = (120, 300); // 02:00-05:00
        assert!(may_reboot(window, 150, false));
        assert!(!may_reboot(window, 150, true), "a citizen is at the screen");
        assert!(!may_reboot(window, 300, false), "05:00 is outside");
        assert!(!may_reboot(window, 119, false));
        assert!(may_reboot((1380, 60), 10, false), "a window past midnight");
    }
}
