//! The emulator's paper: printer modes, the line buffer laid out on LF with justification,
//! and drawing of text (CJK font), raster images, QR codes and CODE128 barcodes onto a
//! growing 1-bit canvas at the head's native width.

use serde_json::json;

use super::parser::{Command, QrCommand};
use super::symbols::{code128_modules, decode_gb, draw_box, fnv};
use crate::printer::codec::QrEc;
use crate::printer::font::{CjkFont, GlyphBox};
use crate::printer::profile::FirmwareCharset;
use crate::printer::raster::{qr_modules, Bitmap};

/// Longest paper between two cuts the emulator keeps (2 m at 8 dots/mm); more is clipped.
pub const MAX_RECEIPT_DOTS: usize = 16_000;
/// Paper fed to bring the last line past the cutter (`GS V 65/66`), in dots (~10 mm).
pub const CUTTER_FEED_DOTS: usize = 80;
/// Line spacing after `ESC 2` / power-on, in dots.
pub const DEFAULT_SPACING: usize = 30;

/// Print modes in effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// 0 left, 1 centre, 2 right.
    pub align: u8,
    /// Emphasis.
    pub bold: bool,
    /// Underline thickness.
    pub underline: u8,
    /// Width multiplier.
    pub width: u8,
    /// Height multiplier.
    pub height: u8,
    /// Font B (9x17) instead of A (12x24).
    pub font_b: bool,
    /// Chinese (double-byte) mode.
    pub chinese: bool,
    /// Line spacing in dots; `None` is the default.
    pub spacing: Option<u8>,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            align: 0,
            bold: false,
            underline: 0,
            width: 1,
            height: 1,
            font_b: false,
            chinese: true,
            spacing: None,
        }
    }
}

/// One decoded character of the line buffer.
#[derive(Debug, Clone, Copy)]
struct Cell {
    c: char,
    style: Style,
    width: usize,
    missing: bool,
}

/// The page between two cuts.
#[derive(Debug)]
pub struct Page {
    width: usize,
    charset: FirmwareCharset,
    /// The canvas (grows as paper advances).
    pub canvas: Bitmap,
    /// Current print position (top of the next line), in dots.
    pub y: usize,
    /// Modes in effect.
    pub style: Style,
    line: Vec<Cell>,
    qr_module: u8,
    qr_ec: u8,
    qr_data: Vec<u8>,
    bar_height: u8,
    bar_width: u8,
    bar_hri: u8,
    /// Rendered events for the JSON log (text lines, images, codes).
    pub events: Vec<serde_json::Value>,
    /// Printed text lines, decoded.
    pub texts: Vec<String>,
    /// Payloads of printed QR codes.
    pub qr_payloads: Vec<Vec<u8>>,
    /// Problems a real printer would show on paper (unprintable glyphs, overflow, …).
    pub lints: Vec<String>,
}

impl Page {
    /// A blank page for a head `width` dots wide.
    pub fn new(width: usize, charset: FirmwareCharset, style: Style) -> Self {
        Page {
            width,
            charset,
            canvas: Bitmap::new(width, 0),
            y: 0,
            style,
            line: Vec::new(),
            qr_module: 3,
            qr_ec: 0x30,
            qr_data: Vec::new(),
            bar_height: 162,
            bar_width: 3,
            bar_hri: 0,
            events: Vec::new(),
            texts: Vec::new(),
            qr_payloads: Vec::new(),
            lints: Vec::new(),
        }
    }

    /// Whether nothing was printed on this page yet.
    pub fn is_blank(&self) -> bool {
        self.y == 0 && self.line.is_empty()
    }

    /// Applies a drawing or mode command; returns the dots of paper it advanced.
    pub fn apply(&mut self, cmd: &Command, font: &CjkFont) -> usize {
        let s = &mut self.style;
        match cmd {
            Command::Text(bytes) => {
                self.push_text(bytes);
                0
            }
            Command::LineFeed => self.flush_line(font, true),
            Command::Align(n) => {
                s.align = *n;
                0
            }
            Command::Bold(b) => {
                s.bold = *b;
                0
            }
            Command::Underline(n) => {
                s.underline = *n;
                0
            }
            Command::PrintMode(n) => {
                s.font_b = n & 1 != 0;
                s.bold = n & 0x08 != 0;
                s.height = if n & 0x10 != 0 { 2 } else { 1 };
                s.width = if n & 0x20 != 0 { 2 } else { 1 };
                s.underline = u8::from(n & 0x80 != 0);
                0
            }
            Command::Size { width, height } => {
                s.width = *width;
                s.height = *height;
                0
            }
            Command::Font(n) => {
                s.font_b = *n == 1;
                0
            }
            Command::LineSpacing(n) => {
                s.spacing = *n;
                0
            }
            Command::ChineseMode(on) => {
                s.chinese = *on;
                0
            }
            Command::FeedLines(n) => {
                let spacing = self.spacing();
                let printed = if self.line.is_empty() {
                    0
                } else {
                    self.flush_line(font, true)
                };
                printed + self.advance(usize::from(*n) * spacing)
            }
            Command::FeedDots(n) => {
                let printed = if self.line.is_empty() {
                    0
                } else {
                    self.flush_line(font, false)
                };
                printed + self.advance(usize::from(*n))
            }
            Command::Qr(q) => self.qr(q, font),
            Command::Raster {
                mode,
                x_bytes,
                rows,
                data,
            } => {
                let pre = self.flush_pending(font);
                let img = Bitmap::from_packed(*x_bytes, *rows, data);
                let (sx, sy) = (1 + usize::from(mode & 1), 1 + usize::from(mode >> 1 & 1));
                if img.width() * sx > self.width {
                    self.lints.push(format!(
                        "raster {} dots wide is wider than the {}-dot head",
                        img.width() * sx,
                        self.width
                    ));
                }
                let hash = fnv(data);
                self.events.push(json!({"event": "image", "y": self.y, "width": img.width() * sx, "height": rows * sy, "fnv64": format!("{hash:016x}")}));
                let x0 = self.x_for(img.width() * sx);
                let top = self.y;
                self.grow(rows * sy);
                for y in 0..*rows {
                    for x in 0..img.width() {
                        if img.get(x, y) {
                            self.canvas.fill_rect(x0 + x * sx, top + y * sy, sx, sy);
                        }
                    }
                }
                pre + self.advance(rows * sy)
            }
            Command::BarcodeHeight(n) => {
                self.bar_height = *n;
                0
            }
            Command::BarcodeWidth(n) => {
                self.bar_width = *n;
                0
            }
            Command::BarcodeHri(n) => {
                self.bar_hri = *n;
                0
            }
            Command::Barcode { system, data } => self.barcode(*system, data, font),
            _ => 0,
        }
    }

    fn spacing(&self) -> usize {
        self.style
            .spacing
            .map(usize::from)
            .unwrap_or(DEFAULT_SPACING)
    }

    fn grow(&mut self, extra: usize) {
        let want = (self.y + extra).min(MAX_RECEIPT_DOTS);
        self.canvas.grow_to(want);
    }

    fn advance(&mut self, dots: usize) -> usize {
        if self.y + dots > MAX_RECEIPT_DOTS && self.y < MAX_RECEIPT_DOTS {
            self.lints.push(format!(
                "more than {MAX_RECEIPT_DOTS} dots without a cut: clipped"
            ));
        }
        self.grow(dots);
        self.y = (self.y + dots).min(MAX_RECEIPT_DOTS);
        dots
    }

    fn x_for(&self, w: usize) -> usize {
        match self.style.align {
            1 => self.width.saturating_sub(w) / 2,
            2 => self.width.saturating_sub(w),
            _ => 0,
        }
    }

    fn flush_pending(&mut self, font: &CjkFont) -> usize {
        if self.line.is_empty() {
            0
        } else {
            self.lints
                .push("graphics not at the start of a line: pending text printed first".into());
            self.flush_line(font, true)
        }
    }

    fn push_text(&mut self, bytes: &[u8]) {
        let style = self.style;
        let unit = if style.font_b { 9 } else { 12 };
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let (c, len, missing) = if b < 0x80 {
                (char::from(b), 1, false)
            } else if !style.chinese {
                (char::REPLACEMENT_CHARACTER, 1, true)
            } else {
                decode_gb(&bytes[i..], self.charset)
            };
            if missing {
                self.lints.push(format!(
                    "no glyph in the printer font for {c:?} (bytes {:02x?})",
                    &bytes[i..i + len]
                ));
            }
            let w = if b < 0x80 { unit } else { 24 } * usize::from(style.width);
            self.line.push(Cell {
                c,
                style,
                width: w,
                missing,
            });
            i += len;
        }
    }

    /// Prints the line buffer (wrapping at the head width) and advances.
    fn flush_line(&mut self, font: &CjkFont, feed: bool) -> usize {
        let cells = std::mem::take(&mut self.line);
        if cells.is_empty() {
            return if feed {
                self.advance(self.spacing())
            } else {
                0
            };
        }
        let mut advanced = 0;
        let mut start = 0;
        while start < cells.len() {
            let mut end = start;
            let mut w = 0;
            while end < cells.len() && (w + cells[end].width <= self.width || end == start) {
                w += cells[end].width;
                end += 1;
            }
            advanced += self.print_cells(&cells[start..end], w, font);
            start = end;
        }
        advanced
    }

    fn print_cells(&mut self, cells: &[Cell], total_w: usize, font: &CjkFont) -> usize {
        let first = cells[0].style;
        let content_h = cells
            .iter()
            .map(|c| 24 * usize::from(c.style.height))
            .max()
            .unwrap_or(24);
        let x0 = match first.align {
            1 => self.width.saturating_sub(total_w) / 2,
            2 => self.width.saturating_sub(total_w),
            _ => 0,
        };
        self.grow(content_h.max(self.spacing()));
        let mut x = x0;
        for cell in cells {
            let h = 24 * usize::from(cell.style.height);
            let y = self.y + content_h - h;
            if cell.missing {
                draw_box(
                    &mut self.canvas,
                    x + 2,
                    y + 2,
                    cell.width.saturating_sub(4),
                    h.saturating_sub(4),
                );
            } else {
                font.draw_char(
                    &mut self.canvas,
                    cell.c,
                    GlyphBox {
                        x,
                        y,
                        width: cell.width,
                        height: h,
                        bold: cell.style.bold,
                    },
                );
            }
            if cell.style.underline > 0 {
                self.canvas.fill_rect(
                    x,
                    self.y + content_h - 1,
                    cell.width,
                    usize::from(cell.style.underline),
                );
            }
            x += cell.width;
        }
        let text: String = cells.iter().map(|c| c.c).collect();
        self.events.push(json!({
            "event": "text", "y": self.y, "x": x0, "text": text,
            "size": [first.width, first.height], "bold": first.bold, "align": first.align,
        }));
        self.texts.push(text);
        let spacing = self.spacing();
        self.advance(spacing.max(content_h))
    }

    fn qr(&mut self, q: &QrCommand, font: &CjkFont) -> usize {
        match q {
            QrCommand::ModuleSize(n) => self.qr_module = (*n).clamp(1, 16),
            QrCommand::ErrorCorrection(n) => self.qr_ec = *n,
            QrCommand::Store(d) => self.qr_data = d.clone(),
            QrCommand::Print => {
                let pre = self.flush_pending(font);
                let ec = match self.qr_ec {
                    0x31 => QrEc::M,
                    0x32 => QrEc::Q,
                    0x33 => QrEc::H,
                    _ => QrEc::L,
                };
                let Ok((side, dark)) = qr_modules(&self.qr_data, ec) else {
                    self.lints
                        .push("QR print with no valid stored data: nothing printed".into());
                    return pre;
                };
                let m = usize::from(self.qr_module);
                if m < 3 {
                    self.lints.push(format!(
                        "QR module of {m} dots is too small to scan reliably"
                    ));
                }
                let size = side * m;
                let x0 = self.x_for(size);
                let top = self.y;
                self.grow(size);
                for my in 0..side {
                    for mx in 0..side {
                        if dark[my * side + mx] {
                            self.canvas.fill_rect(x0 + mx * m, top + my * m, m, m);
                        }
                    }
                }
                let payload = String::from_utf8_lossy(&self.qr_data).into_owned();
                self.events.push(
                    json!({"event": "qr", "y": top, "size": size, "module": m, "data": payload}),
                );
                self.qr_payloads.push(self.qr_data.clone());
                return pre + self.advance(size);
            }
            QrCommand::Model(_) | QrCommand::Other(_) => {}
        }
        0
    }

    fn barcode(&mut self, system: u8, data: &[u8], font: &CjkFont) -> usize {
        let pre = self.flush_pending(font);
        let (modules, hri) = match code128_modules(system, data) {
            Some(v) => v,
            None => {
                self.lints.push(format!(
                    "barcode system {system} with data {data:02x?} not rendered"
                ));
                return pre;
            }
        };
        let mw = usize::from(self.bar_width.clamp(1, 6));
        let h = usize::from(self.bar_height.max(1));
        let w = modules.len() * mw;
        let x0 = self.x_for(w);
        let top = self.y;
        self.grow(h + 30);
        for (i, m) in modules.iter().enumerate() {
            if *m == 1 {
                self.canvas.fill_rect(x0 + i * mw, top, mw, h);
            }
        }
        self.events
            .push(json!({"event": "barcode", "y": top, "system": system, "data": hri}));
        let mut adv = self.advance(h);
        if self.bar_hri & 2 != 0 {
            let tw = hri.chars().count() * 12;
            let tx = self.x_for(tw);
            self.grow(30);
            font.draw_text(&mut self.canvas, &hri, (tx, self.y + 3), (1, 1), false);
            self.texts.push(hri.clone());
            adv += self.advance(30);
        }
        pre + adv
    }

    /// Feeds paper as a cut does: flushes the line, then for the feed-to-cutter variants
    /// moves the last line past the cutter plus `n` dots. Returns the dots fed.
    pub fn feed_for_cut(&mut self, mode: u8, n: u8, font: &CjkFont) -> usize {
        let printed = if self.line.is_empty() {
            0
        } else {
            self.flush_line(font, true)
        };
        let extra = match mode {
            65 | 66 | 97 | 98 | 103 | 104 => CUTTER_FEED_DOTS + usize::from(n),
            _ => 0,
        };
        printed + self.advance(extra)
    }

    /// Ends the page: returns the canvas cropped to the paper used.
    pub fn take_canvas(&mut self) -> Bitmap {
        let img = self.canvas.crop_height(self.y.max(1));
        self.canvas = Bitmap::new(self.width, 0);
        self.y = 0;
        img
    }
}
