//! Installing a checked bundle into the inactive slot, and rebooting into it. The real
//! [`Rauc`] runs Debian's `rauc` (the image's system.conf names the slots); tests put a
//! fake behind the same trait, since no slotted system runs on a build machine.

use std::path::Path;
use std::process::Command;

/// Installs bundles and reboots.
pub trait Installer: Send + Sync {
    /// Installs `bundle` into the inactive slot (blocking; run off the async threads).
    fn install(&self, bundle: &Path) -> Result<(), String>;
    /// Reboots the machine.
    fn reboot(&self) -> Result<(), String>;
    /// The booted slot's name (`A`, `B`), if known.
    fn booted_slot(&self) -> Option<String>;
}

/// `rauc install`, a reboot request, `rauc status`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rauc;

/// The file whose creation asks the image's kiosk-reboot.path to reboot the machine: the
/// service runs as the unprivileged `kiosk` user, which may not reboot by itself.
pub const REBOOT_REQUEST: &str = "/run/kiosk/reboot-request";

fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("cannot run it: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(stderr
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("no reason given")
            .to_owned())
    }
}

impl Installer for Rauc {
    fn install(&self, bundle: &Path) -> Result<(), String> {
        run(Command::new("rauc").arg("install").arg(bundle))
            .map(|_| ())
            .map_err(|e| format!("rauc install: {e}"))
    }

    fn reboot(&self) -> Result<(), String> {
        std::fs::write(REBOOT_REQUEST, b"update installed\n").map_err(|e| {
            format!("cannot ask for a reboot ({REBOOT_REQUEST}: {e}); is kiosk-reboot.path of the image there?")
        })
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
