//! The simulated devices of `sim` mode: the project's own simulators, each on a
//! pseudo-terminal behind a stable symlink inside the process, with the real drivers
//! connected to them — so the demo and the tests run the real driver path. [`SimControl`]
//! switches what a real device would do: place or take a card, scan a code, paper low or
//! out, cover open, unplug and plug back.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use kiosk_drivers::idcard::sim::{self as reader_sim, Fault, SimLine, SimulatorHandle};
use kiosk_drivers::printer::sim::runner::{open_pty, spawn, EmulatorHandle};
use kiosk_drivers::printer::sim::{Emulator, EmulatorConfig, Faults};
use kiosk_drivers::scanner::sim::{ScannerProfile, ScannerSim};
use kiosk_drivers::scanner::{Framing, Symbology};
use kiosk_drivers::status::DeviceClass;

use super::error::DeviceError;

/// The sample card the reader simulator serves when `devices.idcard.sim_card` is not set.
pub const DEFAULT_SAMPLE_CARD: &str = "resident-zhang-san";

fn sim_err(class: DeviceClass, message: impl ToString) -> DeviceError {
    DeviceError::Simulator {
        class,
        message: message.to_string(),
    }
}

/// The printer emulator and its pty; unplugging parks the emulator (with its counters and
/// receipts) and closes the pty, replugging gives it a fresh pty behind the same link.
struct PrinterSim {
    link: PathBuf,
    running: Option<(EmulatorHandle, serialport::TTYPort)>,
    parked: Option<Emulator>,
}

impl PrinterSim {
    fn start(link: PathBuf, emulator: Emulator) -> Result<PrinterSim, DeviceError> {
        let mut sim = PrinterSim {
            link,
            running: None,
            parked: Some(emulator),
        };
        sim.plug()?;
        Ok(sim)
    }

    fn plug(&mut self) -> Result<(), DeviceError> {
        let Some(emulator) = self.parked.take() else {
            return Ok(()); // already plugged
        };
        let pty =
            open_pty(Some(&self.link)).map_err(|e| sim_err(DeviceClass::ReceiptPrinter, e))?;
        let handle = spawn(emulator, Box::new(pty.master));
        self.running = Some((handle, pty.slave));
        Ok(())
    }

    fn unplug(&mut self) -> Result<(), DeviceError> {
        let Some((handle, slave)) = self.running.take() else {
            return Ok(());
        };
        drop(slave);
        let _ = std::fs::remove_file(&self.link);
        let emulator = handle
            .stop()
            .map_err(|e| sim_err(DeviceClass::ReceiptPrinter, e))?;
        self.parked = Some(emulator);
        Ok(())
    }

    fn handle(&self) -> Result<&EmulatorHandle, DeviceError> {
        self.running
            .as_ref()
            .map(|(h, _)| h)
            .ok_or_else(|| sim_err(DeviceClass::ReceiptPrinter, "the printer is unplugged"))
    }
}

impl Drop for PrinterSim {
    fn drop(&mut self) {
        let _ = self.unplug();
    }
}

#[derive(Default)]
struct Sims {
    reader: Option<SimulatorHandle>,
    printer: Option<Mutex<PrinterSim>>,
    scanner: Option<Mutex<ScannerSim>>,
    receipts_dir: Option<PathBuf>,
}

/// Switches the simulated devices; cheap to clone. Each call acts on the simulator at once;
/// the manager's events then show what the real driver made of it.
#[derive(Clone, Default)]
pub struct SimControl {
    sims: Arc<Sims>,
}

impl std::fmt::Debug for SimControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimControl")
            .field("reader", &self.sims.reader.is_some())
            .field("printer", &self.sims.printer.is_some())
            .field("scanner", &self.sims.scanner.is_some())
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Builds the simulators the configuration asks for.
#[derive(Default)]
pub(crate) struct SimBuilder {
    sims: Sims,
}

impl SimBuilder {
    /// Starts the reader simulator at `link`, serving `card_file` or the bundled sample;
    /// the card starts off the reader.
    pub(crate) fn reader(
        &mut self,
        link: &Path,
        card_file: Option<&Path>,
    ) -> Result<(), DeviceError> {
        let class = DeviceClass::IdCardReader;
        let card = match card_file {
            Some(path) => reader_sim::load_file(path),
            None => reader_sim::load_sample(DEFAULT_SAMPLE_CARD),
        }
        .map_err(|e| sim_err(class, e))?;
        let control = reader_sim::SimControl::new(Some(card), 115_200);
        control.remove_card();
        let handle = SimulatorHandle::start(control, SimLine::OwnPty(link.to_owned()))
            .map_err(|e| sim_err(class, e))?;
        self.sims.reader = Some(handle);
        Ok(())
    }

    /// Starts the printer emulator at `link`, writing receipts as PNG into `out_dir`.
    pub(crate) fn printer(
        &mut self,
        link: &Path,
        paper_mm: u32,
        out_dir: &Path,
    ) -> Result<(), DeviceError> {
        let class = DeviceClass::ReceiptPrinter;
        std::fs::create_dir_all(out_dir)
            .map_err(|e| sim_err(class, format!("cannot create {}: {e}", out_dir.display())))?;
        let mut cfg = EmulatorConfig::paper_mm(paper_mm, Some(out_dir.to_owned()))
            .map_err(|e| sim_err(class, e))?;
        // Every receipt is on disk as PNG; nothing in the kiosk reads the emulator's own copies
        // (64 by default, ~0.5 MiB each: most of what a soak saw the kiosk "grow" by).
        cfg.keep_receipts = 1;
        let emulator = Emulator::new(cfg).map_err(|e| sim_err(class, e))?;
        self.sims.printer = Some(Mutex::new(PrinterSim::start(link.to_owned(), emulator)?));
        self.sims.receipts_dir = Some(out_dir.to_owned());
        Ok(())
    }

    /// Starts the scanner simulator at `link`, framing codes as the driver is configured.
    pub(crate) fn scanner(&mut self, link: &Path, framing: Framing) -> Result<(), DeviceError> {
        let profile = ScannerProfile {
            framing,
            ..ScannerProfile::default()
        };
        let sim = ScannerSim::start(link, profile).map_err(|e| sim_err(DeviceClass::Scanner, e))?;
        self.sims.scanner = Some(Mutex::new(sim));
        Ok(())
    }

    pub(crate) fn build(self) -> SimControl {
        SimControl {
            sims: Arc::new(self.sims),
        }
    }
}

impl SimControl {
    fn reader(&self) -> Result<&reader_sim::SimControl, DeviceError> {
        self.sims
            .reader
            .as_ref()
            .map(SimulatorHandle::control)
            .ok_or(DeviceError::NotSimulated(DeviceClass::IdCardReader))
    }

    fn printer(&self) -> Result<MutexGuard<'_, PrinterSim>, DeviceError> {
        self.sims
            .printer
            .as_ref()
            .map(lock)
            .ok_or(DeviceError::NotSimulated(DeviceClass::ReceiptPrinter))
    }

    fn scanner(&self) -> Result<MutexGuard<'_, ScannerSim>, DeviceError> {
        self.sims
            .scanner
            .as_ref()
            .map(lock)
            .ok_or(DeviceError::NotSimulated(DeviceClass::Scanner))
    }

    /// Whether this device is simulated.
    pub fn is_simulated(&self, class: DeviceClass) -> bool {
        match class {
            DeviceClass::IdCardReader => self.sims.reader.is_some(),
            DeviceClass::ReceiptPrinter => self.sims.printer.is_some(),
            DeviceClass::Scanner => self.sims.scanner.is_some(),
            // The loudspeaker is never simulated: tests play into an ALSA file or null PCM.
            DeviceClass::Audio => false,
            // Nor the camera: the real V4L2 path is tested with vivid or a UVC gadget.
            DeviceClass::Camera => false,
            // The A4 printer's stand-in is a real IPP printer (ippeveprinter), not a simulator.
            DeviceClass::A4Printer => false,
        }
    }

    /// Puts the sample card on the reader.
    pub fn place_card(&self) -> Result<(), DeviceError> {
        self.reader()?.place_card(None);
        Ok(())
    }

    /// Puts one of the bundled sample cards on the reader (`resident-li-xiuying`, …).
    pub fn place_sample(&self, name: &str) -> Result<(), DeviceError> {
        let card =
            reader_sim::load_sample(name).map_err(|e| sim_err(DeviceClass::IdCardReader, e))?;
        self.reader()?.place_card(Some(card));
        Ok(())
    }

    /// Takes the card off the reader.
    pub fn remove_card(&self) -> Result<(), DeviceError> {
        self.reader()?.remove_card();
        Ok(())
    }

    /// How many FIND polls the simulated reader has answered (the poll pace, counted on
    /// the device side of the pty).
    pub fn reader_polls(&self) -> Result<u64, DeviceError> {
        Ok(self.reader()?.finds_seen())
    }

    /// Switches one of the reader's faults (silence, bad checksum, SAM not authorised, …).
    pub fn reader_fault(&self, fault: Fault, on: bool) -> Result<(), DeviceError> {
        self.reader()?.set_fault(fault, on);
        Ok(())
    }

    /// Scans a QR code.
    pub fn scan(&self, text: &str) -> Result<(), DeviceError> {
        self.scan_as(Symbology::Qr, text)
    }

    /// Scans a code of the given symbology.
    pub fn scan_as(&self, symbology: Symbology, text: &str) -> Result<(), DeviceError> {
        self.scanner()?
            .scan(symbology, text)
            .map_err(|e| sim_err(DeviceClass::Scanner, e))
    }

    /// Sends raw bytes from the scanner (garbage, floods, hostile text).
    pub fn scan_raw(&self, bytes: &[u8]) -> Result<(), DeviceError> {
        self.scanner()?
            .send_raw(bytes)
            .map_err(|e| sim_err(DeviceClass::Scanner, e))
    }

    /// Switches a printer condition by name: `paper-low`, `paper-out`, `paper-ok`,
    /// `cover-open`, `cover-closed`, `cutter-jam`, `offline`, `online`, `slow=MM_PER_S`,
    /// `clear` (see `kiosk_drivers::printer::sim::FAULT_NAMES`).
    pub fn printer_fault(&self, name: &str) -> Result<(), DeviceError> {
        self.printer()?
            .handle()?
            .apply_fault(name)
            .map_err(|e| sim_err(DeviceClass::ReceiptPrinter, e))
    }

    /// The printer's simulated condition now.
    pub fn printer_condition(&self) -> Result<Faults, DeviceError> {
        Ok(self.printer()?.handle()?.faults())
    }

    /// Receipts the emulator cut so far (while plugged in).
    pub fn printed(&self) -> Result<usize, DeviceError> {
        Ok(self.printer()?.handle()?.printed())
    }

    /// Where the emulator writes its receipts (`receipt-NNNN.png`).
    pub fn receipts_dir(&self) -> Option<&Path> {
        self.sims.receipts_dir.as_deref()
    }

    /// Unplugs a device: its pty closes and its link disappears, as a pulled cable.
    pub fn unplug(&self, class: DeviceClass) -> Result<(), DeviceError> {
        match class {
            DeviceClass::IdCardReader => self.reader()?.set_fault(Fault::Unplug, true),
            DeviceClass::ReceiptPrinter => self.printer()?.unplug()?,
            DeviceClass::Scanner => self.scanner()?.unplug(),
            DeviceClass::Audio | DeviceClass::Camera | DeviceClass::A4Printer => {
                return Err(DeviceError::NotSimulated(class))
            }
        }
        Ok(())
    }

    /// Plugs a device back in: a fresh pty behind the same link.
    pub fn replug(&self, class: DeviceClass) -> Result<(), DeviceError> {
        match class {
            DeviceClass::IdCardReader => self.reader()?.set_fault(Fault::Unplug, false),
            DeviceClass::ReceiptPrinter => self.printer()?.plug()?,
            DeviceClass::Scanner => self
                .scanner()?
                .replug()
                .map_err(|e| sim_err(DeviceClass::Scanner, e))?,
            DeviceClass::Audio | DeviceClass::Camera | DeviceClass::A4Printer => {
                return Err(DeviceError::NotSimulated(class))
            }
        }
        Ok(())
    }
}
