//! Runs a simulated reader on a serial line: its own pseudo-terminal behind a stable
//! symlink (for tests, demos and `kioskctl idcard simulate --pty`), or an existing tty.
//!
//! A pty does not pace bytes at the baud rate, but its termios is shared by both ends, so
//! the simulator sees the rate the driver set and ignores commands sent at the wrong rate,
//! as a UART would garble them. Unplug closes the pty and removes the symlink; replug makes
//! a fresh pty and points the same symlink at it.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use serialport::{SerialPort, TTYPort};

use super::core::{Fault, SimControl};
use crate::idcard::error::IdCardError;
use crate::idcard::frame::FrameDecoder;

/// Where the simulator's line is.
#[derive(Debug, Clone)]
pub enum SimLine {
    /// Make a pseudo-terminal and keep a symlink to its driver end at this path.
    OwnPty(PathBuf),
    /// Use an existing tty (a USB-serial adapter, one end of a null-modem cable).
    Tty(String),
}

/// A running simulator thread; stops when dropped.
#[derive(Debug)]
pub struct SimulatorHandle {
    control: SimControl,
    path: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SimulatorHandle {
    /// Starts the simulator on `line`. For an own pty the path is ready when this returns.
    pub fn start(control: SimControl, line: SimLine) -> Result<SimulatorHandle, IdCardError> {
        let stop = Arc::new(AtomicBool::new(false));
        let (path, first) = match &line {
            SimLine::OwnPty(link) => {
                let pty = Pty::create(link)?;
                (link.display().to_string(), Some(pty))
            }
            SimLine::Tty(port) => (port.clone(), None),
        };
        let thread = {
            let (control, stop) = (control.clone(), stop.clone());
            std::thread::Builder::new()
                .name("idcard-sim".into())
                .spawn(move || run(control, line, first, stop))
                .map_err(|e| IdCardError::Disconnected {
                    port: path.clone(),
                    source: e,
                })?
        };
        Ok(SimulatorHandle {
            control,
            path,
            stop,
            thread: Some(thread),
        })
    }

    /// The path a driver opens (the symlink, or the tty).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The handle to place cards and switch faults.
    pub fn control(&self) -> &SimControl {
        &self.control
    }
}

impl Drop for SimulatorHandle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// An own pseudo-terminal: the reader end, the driver end kept open (so the reader end never
/// reads EIO between driver sessions), and the symlink.
struct Pty {
    reader_end: TTYPort,
    _driver_end: TTYPort,
    link: PathBuf,
}

impl Pty {
    fn create(link: &Path) -> Result<Pty, IdCardError> {
        let io_err = |e: std::io::Error| IdCardError::Disconnected {
            port: link.display().to_string(),
            source: e,
        };
        let (reader_end, driver_end) = TTYPort::pair().map_err(|e| IdCardError::Open {
            port: link.display().to_string(),
            source: e,
        })?;
        let target = driver_end
            .name()
            .ok_or_else(|| io_err(std::io::Error::other("the pty has no name")))?;
        // Point the link atomically: make a temporary link, then rename over the old one.
        let tmp = link.with_extension("new");
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(&target, &tmp).map_err(io_err)?;
        std::fs::rename(&tmp, link).map_err(io_err)?;
        Ok(Pty {
            reader_end,
            _driver_end: driver_end,
            link: link.to_owned(),
        })
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.link);
    }
}

fn open_line(line: &SimLine) -> Option<(Box<dyn SerialPort>, Option<Pty>)> {
    match line {
        SimLine::OwnPty(link) => {
            let pty = Pty::create(link).ok()?;
            let port = pty.reader_end.try_clone_native().ok()?;
            Some((Box::new(port), Some(pty)))
        }
        SimLine::Tty(path) => serialport::new(path, 115_200)
            .timeout(Duration::from_millis(20))
            .open()
            .ok()
            .map(|p| (p, None)),
    }
}

fn run(control: SimControl, line: SimLine, first: Option<Pty>, stop: Arc<AtomicBool>) {
    let mut current: Option<(Box<dyn SerialPort>, Option<Pty>)> = match first {
        Some(pty) => pty
            .reader_end
            .try_clone_native()
            .ok()
            .map(|p| (Box::new(p) as Box<dyn SerialPort>, Some(pty))),
        None => open_line(&line),
    };
    let mut decoder = FrameDecoder::new();
    let mut buf = BytesMut::new();
    let mut chunk = [0u8; 512];
    while !stop.load(Ordering::SeqCst) {
        if control.has_fault(Fault::Unplug) {
            current = None; // closes the pty and removes the link
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        let Some((port, _pty)) = current.as_mut() else {
            current = open_line(&line);
            if current.is_some() {
                control.power_on();
            } else {
                std::thread::sleep(Duration::from_millis(100));
            }
            continue;
        };
        let _ = port.set_timeout(Duration::from_millis(20));
        let n = match port.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => 0,
            Err(_) => {
                current = None;
                continue;
            }
        };
        // Unplugged while the read waited: a frame sent after the plug was pulled is never
        // answered (the top of the loop closes the pty).
        if n == 0 || control.has_fault(Fault::Unplug) {
            continue;
        }
        // Bytes sent at another rate arrive as noise on a real UART: drop them.
        let line_rate = port.baud_rate().unwrap_or(0);
        if line_rate != control.baud() {
            continue;
        }
        buf.extend_from_slice(&chunk[..n]);
        loop {
            let frame = match decoder.decode(&mut buf) {
                Ok(Some(frame)) => Ok(frame),
                Ok(None) => break,
                Err(e) => Err(e),
            };
            let reply = control.answer(frame);
            if !sleep_unless_stopped(reply.delay, &stop, &control) {
                break;
            }
            if !reply.bytes.is_empty() && port.write_all(&reply.bytes).is_err() {
                break;
            }
            let _ = port.flush();
        }
    }
}

/// Sleeps `delay` in small steps; false if the simulator is stopped or unplugged meanwhile.
fn sleep_unless_stopped(delay: Duration, stop: &AtomicBool, control: &SimControl) -> bool {
    let end = Instant::now() + delay;
    while Instant::now() < end {
        if stop.load(Ordering::SeqCst) || control.has_fault(Fault::Unplug) {
            return false;
        }
        std::thread::sleep((end - Instant::now()).min(Duration::from_millis(10)));
    }
    true
}
