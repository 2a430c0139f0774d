//! Runs the emulator on a serial port or pseudo-terminal in its own thread: reads what the
//! host writes, answers status, prints at the simulated speed, and takes fault switches at
//! run time through an [`EmulatorHandle`].

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serialport::SerialPort;

use super::{Emulator, Faults};
use crate::printer::error::PrinterError;

type FaultChange = Box<dyn FnOnce(&mut Faults) + Send>;

#[derive(Default)]
struct Shared {
    pending: Vec<FaultChange>,
    requested: u64,
    applied: u64,
    faults: Faults,
    printed: usize,
    error: Option<String>,
}

/// Controls a running emulator.
pub struct EmulatorHandle {
    shared: Arc<Mutex<Shared>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<Emulator, PrinterError>>>,
}

impl std::fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EmulatorHandle")
    }
}

impl EmulatorHandle {
    /// Changes the simulated condition and waits (at most 5 s) until the emulator applied it.
    pub fn change(&self, f: impl FnOnce(&mut Faults) + Send + 'static) {
        let generation = {
            let mut sh = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
            sh.pending.push(Box::new(f));
            sh.requested += 1;
            sh.requested
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && self.thread.as_ref().is_some_and(|t| !t.is_finished()) {
            if self
                .shared
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .applied
                >= generation
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Switches a fault by name (see [`super::FAULT_NAMES`]).
    pub fn apply_fault(&self, name: &str) -> Result<(), String> {
        Faults::default().apply(name)?; // validate now, so a typo is reported to the caller
        let name = name.to_owned();
        self.change(move |f| {
            let _ = f.apply(&name);
        });
        Ok(())
    }

    /// The condition as of the last tick.
    pub fn faults(&self) -> Faults {
        self.shared
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .faults
    }

    /// Receipts cut so far.
    pub fn printed(&self) -> usize {
        self.shared
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .printed
    }

    /// The error that stopped the emulator, if one did.
    pub fn error(&self) -> Option<String> {
        self.shared
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .error
            .clone()
    }

    /// Stops the thread and returns the emulator (with its rendered receipts).
    pub fn stop(mut self) -> Result<Emulator, PrinterError> {
        self.stop.store(true, Ordering::SeqCst);
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(result)) => result,
            _ => Err(PrinterError::Config("emulator thread panicked".into())),
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts the emulator on an open port (the master side of a pty, or a real serial port).
pub fn spawn(emulator: Emulator, mut port: Box<dyn SerialPort>) -> EmulatorHandle {
    // A read waits at most one tick, so fault switches and stop are seen promptly.
    let _ = port.set_timeout(TICK);
    spawn_on(emulator, port)
}

/// Starts the emulator on a character device that is not a tty (the USB printer gadget,
/// a FIFO pair): see [`super::file_link`].
pub fn spawn_plain(emulator: Emulator, link: super::file_link::FileLink) -> EmulatorHandle {
    spawn_on(emulator, link)
}

fn spawn_on<L: Read + Write + Send + 'static>(emulator: Emulator, port: L) -> EmulatorHandle {
    let shared = Arc::new(Mutex::new(Shared {
        faults: emulator.faults(),
        ..Shared::default()
    }));
    let stop = Arc::new(AtomicBool::new(false));
    let (s, st) = (shared.clone(), stop.clone());
    let thread = std::thread::Builder::new()
        .name("printer-emulator".into())
        .spawn(move || {
            let result = run(emulator, port, &s, &st);
            if let Err(e) = &result {
                s.lock().unwrap_or_else(PoisonError::into_inner).error = Some(e.to_string());
            }
            result
        })
        .ok();
    EmulatorHandle {
        shared,
        stop,
        thread,
    }
}

/// How long one read may wait for the host.
const TICK: Duration = Duration::from_millis(10);

fn run<L: Read + Write>(
    mut emu: Emulator,
    mut port: L,
    shared: &Mutex<Shared>,
    stop: &AtomicBool,
) -> Result<Emulator, PrinterError> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut credit = 0.0f64;
    let mut last = Instant::now();
    while !stop.load(Ordering::SeqCst) {
        {
            let mut sh = shared.lock().unwrap_or_else(PoisonError::into_inner);
            if !sh.pending.is_empty() {
                let mut f = emu.faults();
                for change in sh.pending.drain(..) {
                    change(&mut f);
                }
                emu.set_faults(f);
                sh.faults = f;
                sh.applied = sh.requested;
            }
        }
        match port.read(&mut buf) {
            Ok(n) => emu.receive(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::TimedOut
                        | std::io::ErrorKind::WouldBlock
                        | std::io::ErrorKind::Interrupted
                ) => {}
            // EIO on a pty master: nobody has the other end open; wait for a host.
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
        send(&mut port, &mut emu)?;
        let now = Instant::now();
        match emu.faults().slow_mm_s {
            Some(mm_s) if !emu.faults().halted() => {
                // Paper credit in dots; a big image puts it in debt until the time is served.
                let rate = f64::from(mm_s) * 8.0;
                credit = (credit + now.duration_since(last).as_secs_f64() * rate).min(rate);
                if credit > 0.0 {
                    credit -= emu.process(Some(credit.ceil() as usize))? as f64;
                }
            }
            _ => {
                credit = 0.0;
                emu.process(None)?;
            }
        }
        last = now;
        send(&mut port, &mut emu)?;
        let mut sh = shared.lock().unwrap_or_else(PoisonError::into_inner);
        sh.faults = emu.faults();
        sh.printed = emu.printed();
    }
    emu.flush()?;
    Ok(emu)
}

fn send<L: Write>(port: &mut L, emu: &mut Emulator) -> Result<(), PrinterError> {
    let answers = emu.take_answers();
    if !answers.is_empty() {
        port.write_all(&answers)
            .map_err(|e| PrinterError::io("emulator answering the host", e))?;
        let _ = port.flush();
    }
    Ok(())
}

/// A pseudo-terminal whose host side is reachable at `link` (a symlink to `/dev/pts/N`), so
/// `kioskctl printer test --port LINK` can talk to the emulator.
#[derive(Debug)]
pub struct PtyEndpoint {
    /// The emulator's side.
    pub master: serialport::TTYPort,
    /// The host side, kept open so the emulator sees no hang-up between host sessions.
    pub slave: serialport::TTYPort,
    /// `/dev/pts/N`.
    pub slave_path: PathBuf,
}

/// Creates a pty pair and, if `link` is given, points a symlink there at the host side.
pub fn open_pty(link: Option<&Path>) -> Result<PtyEndpoint, PrinterError> {
    // The slave from pair() holds no lock, so a host can still open it exclusively.
    let (master, slave) = serialport::TTYPort::pair().map_err(|e| PrinterError::SerialOpen {
        path: "pty".into(),
        kind: crate::ErrorKind::Other,
        message: e.to_string(),
    })?;
    let slave_path = PathBuf::from(slave.name().unwrap_or_default());
    if let Some(link) = link {
        if link
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
        {
            let _ = std::fs::remove_file(link);
        }
        std::os::unix::fs::symlink(&slave_path, link).map_err(|e| PrinterError::Output {
            path: link.display().to_string(),
            source: e,
        })?;
    }
    Ok(PtyEndpoint {
        master,
        slave,
        slave_path,
    })
}

/// Opens a real serial port for the emulator (emulating a printer on a cable).
pub fn open_serial(path: &Path, baud: u32) -> Result<Box<dyn SerialPort>, PrinterError> {
    serialport::new(path.to_string_lossy(), baud)
        .open()
        .map_err(|e| PrinterError::SerialOpen {
            path: path.display().to_string(),
            kind: crate::ErrorKind::from_serial_open(path, &e),
            message: e.to_string(),
        })
}
