//! The serial scanner driver: opens a tty (USB-CDC `/dev/ttyACM*`, USB-serial `/dev/ttyUSB*`,
//! RS-232 `/dev/ttyS*`, or a simulator's pseudo-terminal) and turns its bytes into scan
//! outcomes. Every read has a timeout, so the caller's loop never hangs on a silent scanner.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serialport::SerialPort;

use super::codec::{Frame, Framer, Framing};
use super::error::ScannerError;
use super::filter::{ScanFilter, ScanOutcome};
use super::flood::FloodLimit;
use super::sanitize::TextPolicy;
use crate::link::Link;

/// Everything needed to open a serial scanner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialScannerConfig {
    /// The port (or a stable symlink to it).
    pub path: PathBuf,
    /// Baud rate; a pseudo-terminal or USB-CDC ignores it.
    pub baud: u32,
    /// Terminator, prefix, suffix, AIM.
    pub framing: Framing,
    /// What scanned text must satisfy.
    pub policy: TextPolicy,
    /// How many codes may come how fast.
    pub flood: FloodLimit,
    /// How long one read waits for bytes; bounds how fast the driver notices a stop request.
    pub read_timeout: Duration,
    /// For scanners configured to send no terminator: a frame ends after this much silence.
    pub end_on_idle: Option<Duration>,
}

impl SerialScannerConfig {
    /// Defaults for a scanner on `path`: 9600 baud, CR, AIM detection, 2048-byte limit.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        SerialScannerConfig {
            path: path.into(),
            baud: 9_600,
            framing: Framing::default(),
            policy: TextPolicy::default(),
            flood: FloodLimit::default(),
            read_timeout: Duration::from_millis(200),
            end_on_idle: None,
        }
    }

    /// The settings of the kiosk's configuration file, for the port it names.
    pub fn from_config(path: impl Into<PathBuf>, config: &kiosk_config::schema::Scanner) -> Self {
        let mut this = SerialScannerConfig::new(path);
        this.baud = config.baud;
        this.framing.end = config.terminator.into();
        this.policy.max_len = config.max_code_len;
        this.framing.max_frame = config.max_code_len.saturating_add(64);
        this
    }
}

/// A scanner's serial port as the drivers' one byte pipe, [`Link`]: reads wait at most their
/// timeout (`Ok(0)`: the scanner was quiet), a hang-up or an I/O error is
/// [`ScannerError::Read`] (the port is gone: reopen it).
pub struct SerialLink {
    path: PathBuf,
    port: Box<dyn SerialPort>,
}

impl std::fmt::Debug for SerialLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SerialLink({})", self.path.display())
    }
}

impl SerialLink {
    /// Opens the port of `config`. Fails with a [`ScannerError`] whose kind says whether to
    /// retry.
    pub fn open(config: &SerialScannerConfig) -> Result<Self, ScannerError> {
        let path_text = config.path.to_string_lossy();
        let port = serialport::new(path_text, config.baud)
            .timeout(config.read_timeout)
            .open()
            .map_err(|e| ScannerError::open(config.path.clone(), &e))?;
        Ok(SerialLink {
            path: config.path.clone(),
            port,
        })
    }

    fn read_error(&self, source: io::Error) -> ScannerError {
        ScannerError::Read {
            path: self.path.clone(),
            source,
        }
    }
}

/// Whether an I/O error only means "nothing yet".
fn quiet(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}

impl Link for SerialLink {
    type Error = ScannerError;

    /// Scanners are read from; some take configuration commands, written here.
    fn write_all(&mut self, data: &[u8], timeout: Duration) -> Result<(), ScannerError> {
        let _ = self.port.set_timeout(timeout);
        let mut sent = 0;
        let mut last_progress = Instant::now();
        while sent < data.len() {
            match self.port.write(&data[sent..]) {
                Ok(n) if n > 0 => {
                    sent += n;
                    last_progress = Instant::now();
                }
                Ok(_) => {}
                Err(e) if quiet(&e) => {}
                Err(e) => return Err(self.read_error(e)),
            }
            if sent < data.len() && last_progress.elapsed() >= timeout {
                return Err(self.read_error(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the scanner took no bytes",
                )));
            }
        }
        Ok(())
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, ScannerError> {
        let _ = self.port.set_timeout(timeout);
        match self.port.read(buf) {
            // A tty that reads end of file has hung up (the device or the pty's other end
            // is gone).
            Ok(0) => Err(self.read_error(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "end of file (hang-up)",
            ))),
            Ok(n) => Ok(n),
            Err(e) if quiet(&e) => Ok(0),
            Err(e) => Err(self.read_error(e)),
        }
    }

    fn discard_input(&mut self) -> Result<(), ScannerError> {
        self.port
            .clear(serialport::ClearBuffer::Input)
            .map_err(|e| self.read_error(e.into()))
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }
}

/// An open serial scanner: bytes from a [`Link`] (the serial port, or any byte pipe a test
/// gives it) turned into scan outcomes.
pub struct SerialScanner<L = SerialLink> {
    link: L,
    framer: Framer,
    filter: ScanFilter,
    read_timeout: Duration,
    end_on_idle: Option<Duration>,
    last_byte: Instant,
    buf: Vec<u8>,
    frames: Vec<Frame>,
}

impl<L: Link> std::fmt::Debug for SerialScanner<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SerialScanner")
            .field("link", &self.link.describe())
            .finish_non_exhaustive()
    }
}

impl SerialScanner {
    /// Opens the port. Fails with a [`ScannerError`] whose kind says whether to retry.
    pub fn open(config: &SerialScannerConfig) -> Result<Self, ScannerError> {
        SerialScanner::on(SerialLink::open(config)?, config)
    }
}

impl<L: Link<Error = ScannerError>> SerialScanner<L> {
    /// A scanner reading from `link` with the framing, policy and timing of `config`.
    pub fn on(mut link: L, config: &SerialScannerConfig) -> Result<Self, ScannerError> {
        // Codes scanned while nobody listened are stale: a citizen is not waiting for them.
        // (A port that cannot flush still reads: the filter judges what comes.)
        let _ = link.discard_input();
        Ok(SerialScanner {
            link,
            framer: Framer::new(&config.framing),
            filter: ScanFilter::new(config.framing.clone(), config.policy.clone(), config.flood),
            read_timeout: config.read_timeout,
            end_on_idle: config.end_on_idle,
            last_byte: Instant::now(),
            buf: vec![0; 512],
            frames: Vec::new(),
        })
    }

    /// Where this scanner is connected (its port).
    pub fn describe(&self) -> String {
        self.link.describe()
    }

    /// Codes refused so far (hostile, malformed, or dropped in a flood).
    pub fn rejected_total(&self) -> u64 {
        self.filter.rejected_total()
    }

    /// Waits at most one read timeout for bytes and pushes what they completed to `out`.
    ///
    /// Returns `Ok` with nothing added when the scanner was quiet; an error means the port is
    /// gone (unplugged) and must be reopened.
    pub fn poll(&mut self, out: &mut Vec<ScanOutcome>) -> Result<(), ScannerError> {
        let now = Instant::now();
        let n = self.link.read(&mut self.buf, self.read_timeout)?;
        if n > 0 {
            self.last_byte = now;
            self.framer.push(&self.buf[..n], &mut self.frames);
        } else if let Some(idle) = self.end_on_idle {
            if self.framer.has_partial() && now.duration_since(self.last_byte) >= idle {
                self.framer.flush(&mut self.frames);
            }
        }
        for frame in self.frames.drain(..) {
            out.extend(self.filter.judge_frame(frame, now));
        }
        Ok(())
    }
}
