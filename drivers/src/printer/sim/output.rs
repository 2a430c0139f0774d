//! The emulator's outputs: `receipt-NNNN.png` per cut receipt (grey, native head width) and
//! `log.jsonl`, one JSON object per command or rendered receipt, for assertions and for
//! technicians reading what a kiosk sent.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::json;

use super::parser::{Command, QrCommand};
use super::symbols::fnv;
use super::RenderedReceipt;
use crate::printer::error::PrinterError;
use crate::printer::raster::Bitmap;

#[derive(Debug, Default)]
pub(super) struct Log {
    dir: Option<PathBuf>,
    file: Option<BufWriter<File>>,
}

fn out_err(path: &Path, source: std::io::Error) -> PrinterError {
    PrinterError::Output {
        path: path.display().to_string(),
        source,
    }
}

impl Log {
    pub(super) fn open(dir: Option<&Path>) -> Result<Self, PrinterError> {
        let Some(dir) = dir else {
            return Ok(Log::default());
        };
        std::fs::create_dir_all(dir).map_err(|e| out_err(dir, e))?;
        let path = dir.join("log.jsonl");
        let file = File::options()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| out_err(&path, e))?;
        Ok(Log {
            dir: Some(dir.to_owned()),
            file: Some(BufWriter::new(file)),
        })
    }

    fn write(&mut self, value: serde_json::Value) {
        if let Some(f) = self.file.as_mut() {
            // A failed log line must not stop printing; the PNG write reports disk errors.
            let _ = writeln!(f, "{value}");
        }
    }

    pub(super) fn command(&mut self, receipt: usize, cmd: &Command, answer: Option<u8>) {
        if self.file.is_none() {
            return;
        }
        let mut v = describe(cmd);
        v["receipt"] = json!(receipt);
        if let Some(a) = answer {
            v["answer"] = json!(format!("{a:#04x}"));
        }
        self.write(v);
    }

    pub(super) fn overflow(&mut self, cmd: &Command) {
        let mut v = describe(cmd);
        v["dropped"] = json!("receive buffer full");
        self.write(v);
    }

    pub(super) fn receipt(&mut self, r: &RenderedReceipt, events: Vec<serde_json::Value>) {
        let png = r.png.as_ref().map(|p| p.display().to_string());
        self.write(json!({
            "event": "receipt", "receipt": r.number, "png": png,
            "width": r.image.width(), "height": r.image.height(),
            "lints": r.lints, "rendered": events,
        }));
        let _ = self.flush();
    }

    pub(super) fn receipt_png(
        &mut self,
        number: usize,
        img: &Bitmap,
    ) -> Result<Option<PathBuf>, PrinterError> {
        let Some(dir) = self.dir.as_ref() else {
            return Ok(None);
        };
        let path = dir.join(format!("receipt-{number:04}.png"));
        write_png(&path, img)?;
        Ok(Some(path))
    }

    pub(super) fn flush(&mut self) -> Result<(), PrinterError> {
        if let (Some(f), Some(dir)) = (self.file.as_mut(), self.dir.as_ref()) {
            f.flush().map_err(|e| out_err(&dir.join("log.jsonl"), e))?;
        }
        Ok(())
    }
}

/// Writes a bitmap as an 8-bit greyscale PNG.
pub fn write_png(path: &Path, img: &Bitmap) -> Result<(), PrinterError> {
    let file = File::create(path).map_err(|e| out_err(path, e))?;
    let mut enc = png::Encoder::new(
        BufWriter::new(file),
        img.width() as u32,
        img.height().max(1) as u32,
    );
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    let io = |e: png::EncodingError| out_err(path, std::io::Error::other(e.to_string()));
    let mut writer = enc.write_header().map_err(io)?;
    let mut grey = img.to_grey();
    if grey.is_empty() {
        grey = vec![255; img.width()];
    }
    writer.write_image_data(&grey).map_err(io)?;
    writer.finish().map_err(io)
}

fn describe(cmd: &Command) -> serde_json::Value {
    match cmd {
        Command::Text(b) => json!({"cmd": "text", "text": encoding_rs::GB18030.decode(b).0}),
        Command::LineFeed => json!({"cmd": "lf"}),
        Command::Ignored(b) => json!({"cmd": "control", "byte": b}),
        Command::Init => json!({"cmd": "init"}),
        Command::Align(n) => json!({"cmd": "align", "n": n}),
        Command::Bold(b) => json!({"cmd": "bold", "on": b}),
        Command::Underline(n) => json!({"cmd": "underline", "n": n}),
        Command::PrintMode(n) => json!({"cmd": "print_mode", "n": n}),
        Command::Size { width, height } => json!({"cmd": "size", "width": width, "height": height}),
        Command::Font(n) => json!({"cmd": "font", "n": n}),
        Command::LineSpacing(n) => json!({"cmd": "line_spacing", "dots": n}),
        Command::FeedLines(n) => json!({"cmd": "feed_lines", "n": n}),
        Command::FeedDots(n) => json!({"cmd": "feed_dots", "n": n}),
        Command::ChineseMode(on) => json!({"cmd": "chinese_mode", "on": on}),
        Command::CodePage(n) => json!({"cmd": "code_page", "n": n}),
        Command::Qr(q) => match q {
            QrCommand::Model(n) => json!({"cmd": "qr_model", "n": n}),
            QrCommand::ModuleSize(n) => json!({"cmd": "qr_module", "dots": n}),
            QrCommand::ErrorCorrection(n) => json!({"cmd": "qr_ec", "n": n}),
            QrCommand::Store(d) => json!({"cmd": "qr_store", "data": String::from_utf8_lossy(d)}),
            QrCommand::Print => json!({"cmd": "qr_print"}),
            QrCommand::Other(b) => json!({"cmd": "qr_other", "bytes": hex(b)}),
        },
        Command::Raster {
            mode,
            x_bytes,
            rows,
            data,
        } => json!({
            "cmd": "raster", "mode": mode, "width": x_bytes * 8, "rows": rows,
            "fnv64": format!("{:016x}", fnv(data)),
        }),
        Command::BarcodeHeight(n) => json!({"cmd": "barcode_height", "n": n}),
        Command::BarcodeWidth(n) => json!({"cmd": "barcode_width", "n": n}),
        Command::BarcodeHri(n) => json!({"cmd": "barcode_hri", "n": n}),
        Command::Barcode { system, data } => {
            json!({"cmd": "barcode", "system": system, "data": String::from_utf8_lossy(data)})
        }
        Command::Cut { mode, feed } => json!({"cmd": "cut", "mode": mode, "feed": feed}),
        Command::RealtimeStatus(n) => json!({"cmd": "dle_eot", "n": n}),
        Command::RealtimeRecover(n) => json!({"cmd": "dle_enq", "n": n}),
        Command::TransmitStatus(n) => json!({"cmd": "gs_r", "n": n}),
        Command::AutoStatusBack(n) => json!({"cmd": "asb", "mask": n}),
        Command::Skipped(b) => json!({"cmd": "skipped", "bytes": hex(&b[..b.len().min(16)])}),
        Command::Unknown(b) => json!({"cmd": "unknown", "bytes": hex(&b[..b.len().min(16)])}),
    }
}

fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}
