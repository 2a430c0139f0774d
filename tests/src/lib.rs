//! Helpers for the end-to-end tests in `tests/tests/`: the workspace's real binaries, started
//! as processes on loopback with temporary files, and stopped when dropped.

pub mod admin;
pub mod flow;
pub mod hall_db;
pub mod kiosk;
pub mod receipt;
pub mod staff_web;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The path of a program of this workspace (`kioskctl`, `kiosk`, `hall`) as this package builds
/// it for its tests (`e2e-kiosk`, …: thin binaries calling the same entry points, in
/// `src/bin/`). Cargo builds a package's binaries before running its integration tests, in the
/// tests' own profile (`--release` for the soak), so they are never stale.
///
/// `E2E_KIOSK_BIN=PATH` (`E2E_HALL_BIN`, `E2E_KIOSKCTL_BIN`) runs another build of that
/// program instead, e.g. the soak's kiosk in release while the tests stay in the dev profile.
pub fn workspace_bin(name: &str) -> PathBuf {
    let chosen = format!("E2E_{}_BIN", name.to_uppercase().replace('-', "_"));
    if let Some(path) = std::env::var_os(&chosen) {
        let path = PathBuf::from(path);
        assert!(path.is_file(), "{chosen}={} is not a file", path.display());
        return path;
    }
    let mut dir = std::env::current_exe().expect("test binary path");
    dir.pop();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let path = dir.join(format!("e2e-{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is missing: run the tests through cargo (`cargo test -p kiosk-e2e`), which builds it",
        path.display()
    );
    path
}

/// Writes a file only its owner can read.
pub fn write_secret(path: &Path, content: &[u8]) {
    std::fs::write(path, content).expect("write secret");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod 600");
}

/// A free TCP port on loopback (bound and released; fine for tests on one machine).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A child process killed when dropped, with its stderr lines collected.
#[derive(Debug)]
pub struct Process {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// Every stderr line seen so far.
    pub log: Vec<String>,
}

impl Process {
    /// Starts `command` with stderr captured.
    pub fn start(mut command: Command) -> Self {
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start process");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Process {
            child,
            lines,
            log: Vec::new(),
        }
    }

    /// Every stderr line so far (those not read yet are taken in without waiting).
    pub fn log_so_far(&mut self) -> &[String] {
        while let Ok(line) = self.lines.try_recv() {
            self.log.push(line);
        }
        &self.log
    }

    /// Waits (at most `limit`) for a stderr line containing `needle`, and returns it.
    pub fn wait_for_line(&mut self, needle: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.log.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no line with {needle:?} within {limit:?}; log so far:\n{}",
                    self.log.join("\n")
                ),
            }
        }
    }

    /// Sends SIGTERM and waits (at most `limit`) for the exit status.
    pub fn terminate(&mut self, limit: Duration) -> Option<i32> {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).unwrap_or(0));
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// Waits (at most `limit`) for the process to exit by itself; its exit code, or None
    /// while it still runs (or when a signal ended it).
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let deadline = Instant::now() + limit;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The process id (for `/proc/PID/status`).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Moves every stderr line received so far into [`Process::log`] and returns the log.
    pub fn drain(&mut self) -> &[String] {
        while let Ok(line) = self.lines.try_recv() {
            self.log.push(line);
        }
        &self.log
    }

    /// Kills the process at once (SIGKILL) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A hall backend on loopback with a temporary database.
#[derive(Debug)]
pub struct Hall {
    /// The running process.
    pub process: Process,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its database.
    pub db: PathBuf,
}

impl Hall {
    /// Starts `hall serve` on `listen` (port 0 picks one) with the database at `db`.
    pub fn start(db: &Path, listen: &str) -> Self {
        Hall::start_notifying(db, listen, None)
    }

    /// [`Hall::start`], passing on-duty notices to the notifiers of `notify_config` (TOML,
    /// see hall/README.md).
    pub fn start_notifying(db: &Path, listen: &str, notify_config: Option<&Path>) -> Self {
        let mut command = Command::new(workspace_bin("hall"));
        command
            .args(["serve", "--listen", listen, "--db"])
            .arg(db)
            .env("RUST_LOG", "info");
        if let Some(config) = notify_config {
            command.arg("--notify-config").arg(config);
        }
        let mut process = Process::start(command);
        let line = process.wait_for_line("hall listening", Duration::from_secs(60));
        let addr = line
            .split("addr=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Hall {
            process,
            addr,
            db: db.to_path_buf(),
        }
    }

    /// Issues a credential with `hall <kind> add <id>` and returns it.
    pub fn credential(db: &Path, kind: &str, id: &str) -> String {
        let output = Command::new(workspace_bin("hall"))
            .args([kind, "add", id, "--db"])
            .arg(db)
            .output()
            .expect("run hall add");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// The base URL.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

/// Runs `kioskctl` with `args` and returns (exit code, stdout, stderr).
pub fn kioskctl(args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(workspace_bin("kioskctl"))
        .args(args)
        .env_remove("KIOSK_CONFIG")
        .output()
        .expect("run kioskctl");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Polls `check` every 100 ms until it returns `Some`, at most `limit`.
pub fn eventually<T>(limit: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Some(value) = check() {
            return Some(value);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}
