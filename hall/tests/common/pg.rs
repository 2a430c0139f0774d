//! A real, private PostgreSQL for tests: one cluster per test binary, made with `initdb` in a
//! temporary folder on first use, listening on a Unix socket in that folder only (no TCP
//! port, so parallel test binaries and a system PostgreSQL never meet), and a fresh database
//! per test (`CREATE DATABASE t_<n>`).
//!
//! Clean-up: a static is never dropped, so the cluster is not stopped by a destructor. A
//! watchdog shell, started in its own process group with a pipe from this process on its
//! stdin, waits for end of file — which the kernel delivers when this process exits by any
//! means, a panic, `exit` or SIGKILL — then runs `pg_ctl stop -m immediate` and removes the
//! folder. Its own process group keeps a Ctrl-C at the terminal from killing it first.
//!
//! As root: `initdb` and `postgres` refuse to run as root, so the cluster belongs to the
//! `postgres` account that Debian's `postgresql` package creates, and the server programs
//! run through `runuser -u postgres --`; the folder is handed to that account. As any other
//! user the programs run as that user. Either way the server trusts local connections (the
//! socket folder is private to the test), and tests connect as the superuser `hall`.
//!
//! The programs are found under `/usr/lib/postgresql/<newest>/bin` (Debian keeps them off
//! PATH), then on PATH; `HALL_TEST_PG_BIN` names another folder.

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

/// A running cluster: this test binary's shared one, or a test's own ([`private_cluster`]).
pub struct Cluster {
    /// The folder holding the data directory, the socket and the server log.
    pub dir: PathBuf,
    /// How server programs are run (`runuser -u postgres --` as root).
    prefix: Vec<String>,
    /// `pg_ctl`.
    pg_ctl: PathBuf,
    /// Held open while the cluster lives (the process, or the owning test); its end of file
    /// stops the cluster and removes the folder.
    _watchdog: Mutex<ChildStdin>,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static NEXT_DB: AtomicU32 = AtomicU32::new(1);

/// The cluster, started on first use; panics with the reason (and what to install) if it
/// cannot start.
pub fn cluster() -> &'static Cluster {
    match CLUSTER.get_or_init(start) {
        Ok(c) => c,
        Err(e) => panic!("cannot start a test PostgreSQL: {e}"),
    }
}

/// The connection string of a new, empty database in this binary's cluster.
pub async fn fresh_database() -> String {
    cluster().database().await
}

/// A cluster of the calling test's own (to stop and start it); stopped and removed when
/// dropped, or when the process ends.
pub fn private_cluster() -> Cluster {
    start().unwrap_or_else(|e| panic!("cannot start a test PostgreSQL: {e}"))
}

impl Cluster {
    /// A new, empty database in this cluster.
    pub async fn database(&self) -> String {
        let name = format!("t_{}", NEXT_DB.fetch_add(1, Ordering::Relaxed));
        let (client, connection) =
            tokio_postgres::connect(&self.url("postgres"), tokio_postgres::NoTls)
                .await
                .expect("connect to the test cluster");
        let task = tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create a test database");
        drop(client);
        let _ = task.await;
        self.url(&name)
    }

    /// Stops the server at once (`-m immediate`: as if it crashed).
    pub fn stop(&self) {
        let data = self.dir.join("data");
        let data = data.to_str().expect("UTF-8 path");
        run(
            &self.prefix,
            &self.pg_ctl,
            &["stop", "-D", data, "-m", "immediate", "-w"],
        )
        .expect("stop the test cluster");
    }

    /// Starts the server again.
    pub fn start(&self) {
        let data = self.dir.join("data");
        let log = self.dir.join("server.log");
        let (data, log) = (
            data.to_str().expect("UTF-8 path"),
            log.to_str().expect("UTF-8 path"),
        );
        run(
            &self.prefix,
            &self.pg_ctl,
            &["start", "-D", data, "-l", log, "-w", "-t", "60"],
        )
        .expect("start the test cluster");
    }

    /// The connection string of database `db` (over the private socket).
    pub fn url(&self, db: &str) -> String {
        format!("postgresql:///{db}?host={}&user=hall", self.dir.display())
    }
}

fn bin_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("HALL_TEST_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .find(|p| p.join("initdb").exists())
        .ok_or_else(|| {
            "initdb not found under /usr/lib/postgresql/*/bin nor on PATH; install Debian's \
             `postgresql` package (scripts/lib.sh lists it) or set HALL_TEST_PG_BIN"
                .to_owned()
        })
}

/// (uid, gid) of `user` from /etc/passwd.
fn account(user: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        (f.first() == Some(&user) && f.len() > 3)
            .then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))
            .flatten()
    })
}

/// The command prefix that runs a server program as a user that is not root.
fn as_server_user(dir: &Path) -> Result<Vec<String>, String> {
    let euid = std::fs::metadata("/proc/self")
        .map_err(|e| format!("/proc/self: {e}"))?
        .uid();
    if euid != 0 {
        return Ok(Vec::new());
    }
    let (uid, gid) = account("postgres").ok_or(
        "running as root and there is no `postgres` account to run the server as; install \
         Debian's `postgresql` package, which creates it",
    )?;
    std::os::unix::fs::chown(dir, Some(uid), Some(gid))
        .map_err(|e| format!("chown {}: {e}", dir.display()))?;
    Ok(["runuser", "-u", "postgres", "--"]
        .map(String::from)
        .to_vec())
}

fn run(prefix: &[String], program: &Path, args: &[&str]) -> Result<(), String> {
    let (head, rest) = match prefix.split_first() {
        Some((head, rest)) => (head.as_str(), rest.to_vec()),
        None => (program.to_str().unwrap_or_default(), Vec::new()),
    };
    let mut cmd = Command::new(head);
    cmd.args(rest);
    if !prefix.is_empty() {
        cmd.arg(program);
    }
    let out = cmd
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{} {args:?} failed ({}): {}",
            program.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn start() -> Result<Cluster, String> {
    let bin = bin_dir()?;
    let dir = std::env::temp_dir().join(format!(
        "hall-pg-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    ));
    std::fs::create_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let prefix = as_server_user(&dir)?;
    let data = dir.join("data");
    let data_s = data.to_str().ok_or("a temporary path that is not UTF-8")?;
    let dir_s = dir.to_str().ok_or("a temporary path that is not UTF-8")?;

    // The watchdog first, so even a failed start leaves nothing behind.
    let pg_ctl = bin.join("pg_ctl");
    let mut watchdog = Command::new("sh")
        .arg("-c")
        // A second removal after a pause catches an `initdb` still running when the test
        // process died (it outlives its parent and would leave its files behind).
        .arg(
            r#"cat >/dev/null; "$@" >/dev/null 2>&1; rm -rf -- "$HALL_PG_DIR";
               sleep 5; rm -rf -- "$HALL_PG_DIR""#,
        )
        .arg("hall-pg-watchdog")
        .args(&prefix)
        .arg(&pg_ctl)
        .args(["stop", "-D", data_s, "-m", "immediate", "-w"])
        .env("HALL_PG_DIR", &dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start the watchdog: {e}"))?;
    let pipe = watchdog.stdin.take().ok_or("the watchdog has no stdin")?;

    run(
        &prefix,
        &bin.join("initdb"),
        &[
            "-D",
            data_s,
            "-U",
            "hall",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ],
    )?;
    // Unix socket only, in the private folder. No fsync: a commit still reaches the WAL in
    // the operating system's cache before it is answered (synchronous_commit stays on), so
    // a killed server loses nothing (the outage test relies on it); only a machine crash
    // would, and tests do not survive those.
    let mut conf = std::fs::OpenOptions::new()
        .append(true)
        .open(data.join("postgresql.conf"))
        .map_err(|e| format!("postgresql.conf: {e}"))?;
    writeln!(
        conf,
        "\nlisten_addresses = ''\nunix_socket_directories = '{dir_s}'\nfsync = off\n\
         full_page_writes = off\nmax_connections = 200"
    )
    .map_err(|e| format!("postgresql.conf: {e}"))?;
    let log = dir.join("server.log");
    run(
        &prefix,
        &pg_ctl,
        &[
            "start",
            "-D",
            data_s,
            "-l",
            log.to_str().unwrap_or_default(),
            "-w",
            "-t",
            "60",
        ],
    )
    .map_err(|e| {
        let tail = std::fs::read_to_string(&log).unwrap_or_default();
        format!("{e}\nserver log:\n{tail}")
    })?;
    Ok(Cluster {
        dir,
        prefix,
        pg_ctl,
        _watchdog: Mutex::new(pipe),
    })
}
