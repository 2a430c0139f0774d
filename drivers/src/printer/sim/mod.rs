//! The receipt-printer emulator: takes an ESC/POS stream, answers status queries from its
//! simulated sensors, holds data while a fault stops the mechanism, renders each cut receipt
//! to `receipt-NNNN.png`, and logs every command to `log.jsonl`. Technicians train on it, the
//! demo runs on it, and the tests drive the real serial driver against it over a pty.

pub mod faults;
pub mod file_link;
mod output;
pub mod parser;
pub mod render;
pub mod runner;
mod symbols;

use std::collections::VecDeque;
use std::path::PathBuf;

pub use faults::{Faults, FAULT_NAMES};
use parser::{Command, Parser};
use render::{Page, Style};

use super::error::PrinterError;
use super::font::CjkFont;
use super::profile::FirmwareCharset;
use super::raster::Bitmap;

/// How the emulated printer is built.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Head width in dots (384, 576 or 512).
    pub width_dots: usize,
    /// Which Hanzi the emulated firmware font has.
    pub charset: FirmwareCharset,
    /// Where PNGs and the JSON log go; `None` keeps them in memory only.
    pub out_dir: Option<PathBuf>,
    /// How many rendered receipts to keep in memory.
    pub keep_receipts: usize,
}

impl EmulatorConfig {
    /// An 80 mm (576-dot) or 58 mm (384-dot) printer writing into `out_dir`.
    pub fn paper_mm(mm: u32, out_dir: Option<PathBuf>) -> Result<Self, PrinterError> {
        let (width_dots, charset) = match mm {
            58 => (384, FirmwareCharset::Gb2312),
            80 => (576, FirmwareCharset::Gbk),
            other => {
                return Err(PrinterError::Config(format!(
                    "paper width {other} mm is not supported; use 58 or 80"
                )))
            }
        };
        Ok(EmulatorConfig {
            width_dots,
            charset,
            out_dir,
            keep_receipts: 64,
        })
    }
}

/// A receipt the emulator cut off.
#[derive(Debug, Clone)]
pub struct RenderedReceipt {
    /// 1-based number, as in the file name.
    pub number: usize,
    /// The paper as printed.
    pub image: Bitmap,
    /// The PNG file, when writing to a directory.
    pub png: Option<PathBuf>,
    /// Text lines as decoded.
    pub texts: Vec<String>,
    /// QR payloads printed natively.
    pub qr_payloads: Vec<Vec<u8>>,
    /// What a real printer would have got wrong (unprintable glyphs, …).
    pub lints: Vec<String>,
}

/// The emulated printer.
#[derive(Debug)]
pub struct Emulator {
    cfg: EmulatorConfig,
    font: &'static CjkFont,
    parser: Parser,
    queue: VecDeque<Command>,
    page: Page,
    faults: Faults,
    answers: Vec<u8>,
    asb_mask: u8,
    receipts: VecDeque<RenderedReceipt>,
    printed: usize,
    log: output::Log,
}

/// Commands queued beyond this are dropped, as a full receive buffer would stall the host.
const MAX_QUEUE: usize = 100_000;

impl Emulator {
    /// A printer with paper, cover closed, online.
    pub fn new(cfg: EmulatorConfig) -> Result<Self, PrinterError> {
        let font = CjkFont::get()?;
        let log = output::Log::open(cfg.out_dir.as_deref())?;
        Ok(Emulator {
            page: Page::new(cfg.width_dots, cfg.charset, Style::default()),
            cfg,
            font,
            parser: Parser::new(),
            queue: VecDeque::new(),
            faults: Faults::default(),
            answers: Vec::new(),
            asb_mask: 0,
            receipts: VecDeque::new(),
            printed: 0,
            log,
        })
    }

    /// Takes bytes from the host. Real-time requests are answered at once, even while halted;
    /// everything else is queued for [`Emulator::process`].
    pub fn receive(&mut self, bytes: &[u8]) {
        for cmd in self.parser.feed(bytes) {
            match cmd {
                Command::RealtimeStatus(n) => {
                    let answer = self.faults.realtime_answer(n);
                    self.log.command(self.printed + 1, &cmd, answer);
                    if let Some(a) = answer {
                        self.answers.push(a);
                    }
                }
                Command::RealtimeRecover(n) => {
                    self.log.command(self.printed + 1, &cmd, None);
                    if n == 2 {
                        self.queue.clear();
                    }
                }
                other if self.queue.len() < MAX_QUEUE => self.queue.push_back(other),
                other => self.log.overflow(&other),
            }
        }
    }

    /// Prints queued commands until the queue is empty, a fault halts the mechanism, or
    /// `budget_dots` of paper have been fed (slow printing). Returns the dots fed.
    pub fn process(&mut self, budget_dots: Option<usize>) -> Result<usize, PrinterError> {
        let mut used = 0;
        while !self.faults.halted() {
            if budget_dots.is_some_and(|b| used >= b) {
                break;
            }
            let Some(cmd) = self.queue.pop_front() else {
                break;
            };
            let (answer, fed) = self.execute(&cmd)?;
            used += fed;
            self.log.command(self.printed + 1, &cmd, answer);
        }
        Ok(used)
    }

    /// Runs one command: (answer byte if any, dots of paper fed).
    fn execute(&mut self, cmd: &Command) -> Result<(Option<u8>, usize), PrinterError> {
        match cmd {
            Command::Init => {
                let chinese = self.page.style.chinese;
                self.page.style = Style {
                    chinese,
                    ..Style::default()
                };
            }
            Command::TransmitStatus(n) => {
                let a = if *n == 1 || *n == 49 {
                    self.faults.transmit_answer()
                } else {
                    0x00
                };
                self.answers.push(a);
                return Ok((Some(a), 0));
            }
            Command::AutoStatusBack(mask) => {
                self.asb_mask = *mask;
                if *mask != 0 {
                    self.answers.extend(self.faults.asb_frame());
                }
            }
            Command::Cut { mode, feed } => {
                if self.faults.jam_next_cut {
                    self.faults.jam_next_cut = false;
                    self.faults.cutter_jam = true;
                    self.queue.push_front(cmd.clone()); // cut again once the jam is cleared
                    self.asb_changed();
                    return Ok((None, 0));
                }
                if self.page.is_blank() {
                    return Ok((None, 0)); // a cut with nothing printed makes no receipt
                }
                let fed = self.page.feed_for_cut(*mode, *feed, self.font);
                self.finish_receipt()?;
                return Ok((None, fed));
            }
            other => {
                let fed = self.page.apply(other, self.font);
                self.consume_paper(fed);
                return Ok((None, fed));
            }
        }
        Ok((None, 0))
    }

    fn consume_paper(&mut self, dots: usize) {
        if let Some(left) = self.faults.paper_left_dots.as_mut() {
            *left = left.saturating_sub(dots);
            if *left == 0 {
                self.faults.paper = super::status::PaperLevel::Out;
                self.asb_changed();
            }
        }
    }

    fn finish_receipt(&mut self) -> Result<(), PrinterError> {
        self.printed += 1;
        let image = self.page.take_canvas();
        let png = self.log.receipt_png(self.printed, &image)?;
        let receipt = RenderedReceipt {
            number: self.printed,
            image,
            png,
            texts: std::mem::take(&mut self.page.texts),
            qr_payloads: std::mem::take(&mut self.page.qr_payloads),
            lints: std::mem::take(&mut self.page.lints),
        };
        self.log
            .receipt(&receipt, std::mem::take(&mut self.page.events));
        self.receipts.push_back(receipt);
        while self.receipts.len() > self.cfg.keep_receipts.max(1) {
            self.receipts.pop_front();
        }
        Ok(())
    }

    fn asb_changed(&mut self) {
        if self.asb_mask != 0 {
            self.answers.extend(self.faults.asb_frame());
        }
    }

    /// Bytes the printer has sent to the host since the last call.
    pub fn take_answers(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.answers)
    }

    /// The simulated condition.
    pub fn faults(&self) -> Faults {
        self.faults
    }

    /// Changes the simulated condition (sends an ASB frame if enabled and something changed).
    pub fn set_faults(&mut self, faults: Faults) {
        if faults != self.faults {
            self.faults = faults;
            self.asb_changed();
        }
    }

    /// Receipts cut so far (the most recent `keep_receipts`).
    pub fn receipts(&self) -> impl Iterator<Item = &RenderedReceipt> {
        self.receipts.iter()
    }

    /// How many receipts were cut since start.
    pub fn printed(&self) -> usize {
        self.printed
    }

    /// Commands waiting to be printed.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Flushes the JSON log.
    pub fn flush(&mut self) -> Result<(), PrinterError> {
        self.log.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emulator() -> Emulator {
        let cfg = EmulatorConfig {
            width_dots: 384,
            charset: FirmwareCharset::Gb2312,
            out_dir: None,
            keep_receipts: 4,
        };
        Emulator::new(cfg).unwrap()
    }

    #[test]
    fn data_is_held_while_halted_but_realtime_status_is_answered() {
        let mut emu = emulator();
        let mut f = emu.faults();
        f.apply("cover-open").unwrap();
        emu.set_faults(f);
        emu.receive(b"HELLO\n\x1d\x56\x00\x1d\x72\x01\x10\x04\x02");
        emu.process(None).unwrap();
        assert_eq!(emu.take_answers(), [0x16], "only the real-time answer");
        assert_eq!(emu.printed(), 0);
        f.apply("cover-closed").unwrap();
        emu.set_faults(f);
        emu.process(None).unwrap();
        assert_eq!(emu.take_answers(), [0x00], "GS r answered after the cut");
        assert_eq!(emu.printed(), 1);
        assert_eq!(emu.receipts().last().unwrap().texts, ["HELLO"]);
    }

    #[test]
    fn characters_the_firmware_lacks_are_flagged_as_lints() {
        let mut emu = emulator();
        let mut job = b"\x1c\x26".to_vec();
        job.extend(crate::printer::text::to_gb18030("中堃"));
        job.extend(b"\n\x1c\x2e\xd6\xd0\n\x1d\x56\x00");
        emu.receive(&job);
        emu.process(None).unwrap();
        let r = emu.receipts().last().unwrap();
        assert_eq!(r.texts[0], "中堃");
        assert_eq!(
            r.lints.len(),
            3,
            "堃 is not GB2312; two high bytes with Chinese mode off: {:?}",
            r.lints
        );
    }

    #[test]
    fn a_cut_with_nothing_printed_makes_no_receipt() {
        let mut emu = emulator();
        emu.receive(b"\x1b\x40\x1d\x56\x42\x00");
        emu.process(None).unwrap();
        assert_eq!(emu.printed(), 0);
    }
}
