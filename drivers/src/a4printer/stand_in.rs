//! A real IPP Everywhere printer for tests, demos and training: CUPS's `ippeveprinter`
//! (Debian package `cups-ipp-utils`) on loopback, keeping every job it receives in a spool
//! directory. Not a mock: the kiosk's driver talks real IPP over HTTP to it.
//!
//! `ippeveprinter` always registers with DNS-SD through Avahi over the D-Bus system bus; a
//! kiosk or CI container has no system bus, so the stand-in starts a private `dbus-daemon`
//! and points `DBUS_SYSTEM_BUS_ADDRESS` at it, with registration off (`-r off`).
//! Paper and toner are set through the printer's own web forms (`/media`, `/supplies`),
//! which change `printer-state-reasons` exactly as a real tray or cartridge would.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How to start the stand-in printer.
#[derive(Debug, Clone)]
pub struct StandInConfig {
    /// The TCP port on 127.0.0.1; `None` picks a free one.
    pub port: Option<u16>,
    /// Document formats it accepts (`-f`).
    pub formats: String,
    /// A command run for each job (`-c`); its `STATE: +reason` lines on stderr change the
    /// printer's state reasons, as a real print engine's would.
    pub command: Option<PathBuf>,
}

impl Default for StandInConfig {
    fn default() -> Self {
        StandInConfig {
            port: None,
            formats: "application/pdf".to_owned(),
            command: None,
        }
    }
}

/// A running `ippeveprinter` and its private D-Bus; both are stopped when dropped.
#[derive(Debug)]
pub struct StandInPrinter {
    dir: PathBuf,
    port: u16,
    bus: Child,
    printer: Option<Child>,
    config: StandInConfig,
}

/// Why the stand-in could not start.
#[derive(Debug, thiserror::Error)]
pub enum StandInError {
    /// A program is missing or failed to start.
    #[error("cannot start {program}: {source}; install cups-ipp-utils and dbus (scripts/lib.sh BUILD_PACKAGES)")]
    Spawn {
        /// The program.
        program: &'static str,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// It started but never answered.
    #[error("ippeveprinter on port {port} did not come up: {log}")]
    NotReady {
        /// Its port.
        port: u16,
        /// The end of its log.
        log: String,
    },
    /// A web form request failed.
    #[error("the stand-in's web form {path} failed: {message}")]
    Form {
        /// The form.
        path: String,
        /// What went wrong.
        message: String,
    },
}

fn free_port() -> Result<u16, StandInError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|source| StandInError::Spawn {
            program: "a loopback listener",
            source,
        })
}

impl StandInPrinter {
    /// Starts a printer whose files live under `dir` (spool, log, bus socket).
    pub fn start(dir: &Path, config: StandInConfig) -> Result<Self, StandInError> {
        std::fs::create_dir_all(dir.join("spool")).map_err(|source| StandInError::Spawn {
            program: "the spool directory",
            source,
        })?;
        let socket = dir.join("bus.sock");
        let bus_conf = dir.join("bus.conf");
        let conf = format!(
            "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\" \
             \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n\
             <busconfig><type>session</type><listen>unix:path={}</listen>\
             <policy context=\"default\"><allow send_destination=\"*\"/><allow receive_sender=\"*\"/>\
             <allow own=\"*\"/></policy>\
             </busconfig>\n",
            socket.display()
        );
        std::fs::write(&bus_conf, conf).map_err(|source| StandInError::Spawn {
            program: "dbus-daemon's configuration",
            source,
        })?;
        let bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", bus_conf.display()))
            .arg("--nofork")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|source| StandInError::Spawn {
                program: "dbus-daemon",
                source,
            })?;
        let port = match config.port {
            Some(p) => p,
            None => free_port()?,
        };
        let mut me = StandInPrinter {
            dir: dir.to_owned(),
            port,
            bus,
            printer: None,
            config,
        };
        // The bus socket appears once dbus-daemon listens; ippeveprinter needs it at start.
        for _ in 0..200 {
            if socket.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        me.resume()?;
        Ok(me)
    }

    /// The printer's URI (`ipp://127.0.0.1:PORT/ipp/print`).
    pub fn uri(&self) -> String {
        format!("ipp://127.0.0.1:{}/ipp/print", self.port)
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Where it keeps the documents it received.
    pub fn spool(&self) -> PathBuf {
        self.dir.join("spool")
    }

    /// Every document it kept, oldest first (by job id in the file name).
    pub fn documents(&self) -> Vec<PathBuf> {
        let mut found = Vec::new();
        let mut stack = vec![self.spool()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "pdf") {
                    found.push(p);
                }
            }
        }
        let job_id = |p: &PathBuf| -> u64 {
            p.file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.split('-').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        };
        found.sort_by_key(job_id);
        found
    }

    /// Stops the printer (the network cable pulled, the power off); [`resume`](Self::resume)
    /// starts it again on the same port.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.printer.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts (again) the printer process and waits until it answers HTTP.
    pub fn resume(&mut self) -> Result<(), StandInError> {
        self.stop();
        let log = std::fs::File::create(self.dir.join("ippeveprinter.log")).map_err(|source| {
            StandInError::Spawn {
                program: "ippeveprinter's log",
                source,
            }
        })?;
        let log2 = log.try_clone().map_err(|source| StandInError::Spawn {
            program: "ippeveprinter's log",
            source,
        })?;
        let mut cmd = Command::new("ippeveprinter");
        cmd.env(
            "DBUS_SYSTEM_BUS_ADDRESS",
            format!("unix:path={}", self.dir.join("bus.sock").display()),
        )
        .args(["-r", "off", "-k", "-n", "localhost"])
        .args(["-M", "Kiosk", "-m", "Stand-in A4"])
        .arg("-p")
        .arg(self.port.to_string())
        .arg("-d")
        .arg(self.spool())
        .arg("-f")
        .arg(&self.config.formats);
        if let Some(c) = &self.config.command {
            cmd.arg("-c").arg(c);
        }
        cmd.arg("KioskA4")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2);
        let child = cmd.spawn().map_err(|source| StandInError::Spawn {
            program: "ippeveprinter",
            source,
        })?;
        self.printer = Some(child);
        for _ in 0..500 {
            if self.get("/").is_ok() {
                return Ok(());
            }
            if let Some(Ok(Some(_))) = self.printer.as_mut().map(|c| c.try_wait()) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let log = std::fs::read_to_string(self.dir.join("ippeveprinter.log")).unwrap_or_default();
        Err(StandInError::NotReady {
            port: self.port,
            log: log
                .chars()
                .rev()
                .take(400)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect(),
        })
    }

    /// Loads the main tray with `sheets` sheets of A4 (0 empties it: `media-empty`; under 25:
    /// `media-low`). The by-pass tray is kept loaded so only the main tray decides.
    pub fn load_paper(&self, sheets: u32) -> Result<(), StandInError> {
        self.get(&format!(
            "/media?size1=iso_a4_210x297mm&level1={sheets}&size3=iso_a4_210x297mm&level3=25"
        ))
    }

    /// Sets the toner level in percent (under 10: `toner-low`; 0: `toner-empty`).
    pub fn set_toner(&self, percent: u32) -> Result<(), StandInError> {
        self.get(&format!("/supplies?supply0=25&supply1={percent}"))
    }

    /// One HTTP/1.0 GET on the printer's web interface.
    fn get(&self, path: &str) -> Result<(), StandInError> {
        let fail = |message: String| StandInError::Form {
            path: path.to_owned(),
            message,
        };
        let mut s =
            TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| fail(e.to_string()))?;
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(|e| fail(e.to_string()))?;
        write!(
            s,
            "GET {path} HTTP/1.0\r\nHost: localhost:{}\r\n\r\n",
            self.port
        )
        .map_err(|e| fail(e.to_string()))?;
        // The printer keeps the connection open after a chunked page: read up to the last
        // chunk (the form has been applied by then), or to the end if it closes.
        let mut answer = Vec::new();
        let mut chunk = [0u8; 8192];
        while !answer.ends_with(b"\r\n0\r\n\r\n") {
            match s.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => answer.extend_from_slice(&chunk[..n]),
                Err(e) => return Err(fail(e.to_string())),
            }
        }
        let head = String::from_utf8_lossy(&answer[..answer.len().min(16)]).into_owned();
        if head.contains(" 200") {
            Ok(())
        } else {
            Err(fail(format!("answer began {head:?}")))
        }
    }
}

impl Drop for StandInPrinter {
    fn drop(&mut self) {
        self.stop();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}
