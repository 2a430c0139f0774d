//! Helpers for the end-to-end tests in `tests/tests/`: finding the workspace's binaries and
//! running them.

use std::path::PathBuf;

/// The path of a binary built by this workspace (`kioskctl`, `kiosk`, `hall`), next to the
/// test executable's own `target/<profile>/` folder.
pub fn workspace_bin(name: &str) -> PathBuf {
    let mut dir = std::env::current_exe().unwrap_or_default();
    dir.pop(); // the test binary
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir.join(name)
}
