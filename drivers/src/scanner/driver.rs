//! The serial scanner driver: opens a tty (USB-CDC `/dev/ttyACM*`, USB-serial `/dev/ttyUSB*`,
//! RS-232 `/dev/ttyS*`, or a simulator's pseudo-terminal) and turns its bytes into scan
//! outcomes. Every read has a timeout, so the caller's loop never hangs on a silent scanner.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serialport::SerialPort;

use super::codec::{Frame, Framer, Framing};
use super::error::ScannerError;
use super::filter::{ScanFilter, ScanOutcome};
use super::flood::FloodLimit;
use super::sanitize::TextPolicy;

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

/// An open serial scanner.
pub struct SerialScanner {
    path: PathBuf,
    port: Box<dyn SerialPort>,
    framer: Framer,
    filter: ScanFilter,
    end_on_idle: Option<Duration>,
    last_byte: Instant,
    buf: Vec<u8>,
    frames: Vec<Frame>,
}

impl std::fmt::Debug for SerialScanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SerialScanner")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SerialScanner {
    /// Opens the port. Fails with a [`ScannerError`] whose kind says whether to retry.
    pub fn open(config: &SerialScannerConfig) -> Result<Self, ScannerError> {
        let path_text = config.path.to_string_lossy();
        let port = serialport::new(path_text, config.baud)
            .timeout(config.read_timeout)
            .open()
            .map_err(|e| ScannerError::open(config.path.clone(), &e))?;
        // Codes scanned while nobody listened are stale: a citizen is not waiting for them.
        let _ = port.clear(serialport::ClearBuffer::Input);
        Ok(SerialScanner {
            path: config.path.clone(),
            port,
            framer: Framer::new(&config.framing),
            filter: ScanFilter::new(config.framing.clone(), config.policy.clone(), config.flood),
            end_on_idle: config.end_on_idle,
            last_byte: Instant::now(),
            buf: vec![0; 512],
            frames: Vec::new(),
        })
    }

    /// The port this scanner is on.
    pub fn path(&self) -> &Path {
        &self.path
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
        match self.port.read(&mut self.buf) {
            Ok(0) => {
                return Err(self.read_error(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "end of file (hang-up)",
                )))
            }
            Ok(n) => {
                self.last_byte = now;
                self.framer.push(&self.buf[..n], &mut self.frames);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut
                        | io::ErrorKind::WouldBlock
                        | io::ErrorKind::Interrupted
                ) =>
            {
                if let Some(idle) = self.end_on_idle {
                    if self.framer.has_partial() && now.duration_since(self.last_byte) >= idle {
                        self.framer.flush(&mut self.frames);
                    }
                }
            }
            Err(e) => return Err(self.read_error(e)),
        }
        for frame in self.frames.drain(..) {
            out.extend(self.filter.judge_frame(frame, now));
        }
        Ok(())
    }

    fn read_error(&self, source: io::Error) -> ScannerError {
        ScannerError::Read {
            path: self.path.clone(),
            source,
        }
    }
}
