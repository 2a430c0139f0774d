//! A [`Receipt`]'s blocks laid out on A4 and written as PDF. The layout is pure (blocks in,
//! positioned ops per page out, measured with the CJK font's advances); writing uses `krilla`,
//! which embeds the font as a subset with a ToUnicode map, so `pdftotext` gets the text back
//! and a two-page document is tens of kilobytes, not the font's 16 MB.

use std::sync::OnceLock;

use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::Document;

use super::error::A4Error;
use crate::printer::codec::{Align, QrEc};
use crate::printer::font::CjkFont;
use crate::printer::raster::qr_modules;
use crate::printer::{Block, Receipt};

/// A4 in PDF points (1/72 inch).
pub const A4_WIDTH: f32 = 595.28;
/// A4 height in points.
pub const A4_HEIGHT: f32 = 841.89;
/// 20 mm margins.
const MARGIN: f32 = 56.7;
/// Room kept at the foot of each page for the page number.
const FOOT: f32 = 28.0;
const BODY_SIZE: f32 = 12.0;
const LINE_GAP: f32 = 1.5;
/// One QR module: 2.5 pt is about 0.9 mm, read easily by phones at arm's length.
const QR_MODULE: f32 = 2.5;
const BAR_MODULE: f32 = 1.2;
const BAR_HEIGHT: f32 = 42.0;

/// One thing drawn on a page, in points from the top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Text with its baseline at `y`.
    Text {
        /// Left edge.
        x: f32,
        /// Baseline.
        y: f32,
        /// Font size.
        size: f32,
        /// Grey level 0 (black) – 255.
        grey: u8,
        /// The text.
        text: String,
    },
    /// A filled black rectangle (QR modules, barcode bars).
    Rect {
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
    },
    /// A thin horizontal rule.
    Rule {
        /// Left end.
        x1: f32,
        /// Right end.
        x2: f32,
        /// Height on the page.
        y: f32,
    },
}

/// The pages of a laid-out document.
pub type Pages = Vec<Vec<Op>>;

struct Layout<'a> {
    advance: &'a dyn Fn(char) -> f32,
    pages: Pages,
    y: f32,
}

impl Layout<'_> {
    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| (self.advance)(c) * size).sum()
    }

    /// Starts a new page unless `height` still fits on this one.
    fn room(&mut self, height: f32) {
        if self.y + height > A4_HEIGHT - MARGIN - FOOT && self.y > MARGIN {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Splits text into lines no wider than `max`; runs of ASCII letters and digits stay
    /// together when they fit on a line (codes, URLs), Hanzi break anywhere.
    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut tokens: Vec<String> = Vec::new();
            for c in paragraph.chars() {
                let joins = c.is_ascii_graphic()
                    && tokens
                        .last()
                        .and_then(|t| t.chars().last())
                        .is_some_and(|p| p.is_ascii_graphic());
                match tokens.last_mut() {
                    Some(t) if joins => t.push(c),
                    _ => tokens.push(c.to_string()),
                }
            }
            let mut line = String::new();
            for token in tokens {
                let candidate = format!("{line}{token}");
                if self.width(&candidate, size) <= max || line.is_empty() {
                    line = candidate;
                } else {
                    lines.push(std::mem::take(&mut line).trim_end().to_owned());
                    line = token.trim_start().to_owned();
                }
                // A token longer than a line (a long URL) is broken by characters.
                while self.width(&line, size) > max && line.chars().count() > 1 {
                    let mut head = String::new();
                    for c in line.chars() {
                        if self.width(&format!("{head}{c}"), size) > max && !head.is_empty() {
                            break;
                        }
                        head.push(c);
                    }
                    line = line[head.len()..].to_owned();
                    lines.push(head);
                }
            }
            lines.push(line);
        }
        lines
    }

    fn text(&mut self, text: &str, size: f32, align: Align, indent: f32, grey: u8) {
        let max = A4_WIDTH - 2.0 * MARGIN - indent;
        for line in self.wrap(text, size, max) {
            let height = size * LINE_GAP;
            self.room(height);
            let w = self.width(&line, size);
            let x = match align {
                Align::Left => MARGIN + indent,
                Align::Center => (A4_WIDTH - w) / 2.0,
                Align::Right => A4_WIDTH - MARGIN - w,
            };
            self.push(Op::Text {
                x,
                y: self.y + size,
                size,
                grey,
                text: line,
            });
            self.y += height;
        }
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Header(t) => {
                self.text(t, 20.0, Align::Center, 0.0, 0);
                self.y += 4.0;
            }
            Block::Title(t) => {
                self.text(t, 17.0, Align::Center, 0.0, 0);
                self.y += 6.0;
            }
            Block::Text { text, align, .. } => self.text(text, BODY_SIZE, *align, 0.0, 0),
            Block::KeyValue { key, value } => self.key_value(key, value),
            Block::List { items, numbered } => {
                for (i, item) in items.iter().enumerate() {
                    let mark = if *numbered {
                        format!("{}.", i + 1)
                    } else {
                        "·".to_owned()
                    };
                    self.room(BODY_SIZE * LINE_GAP);
                    self.push(Op::Text {
                        x: MARGIN,
                        y: self.y + BODY_SIZE,
                        size: BODY_SIZE,
                        grey: 0,
                        text: mark,
                    });
                    self.text(item, BODY_SIZE, Align::Left, 22.0, 0);
                    self.y += 2.0;
                }
            }
            Block::Separator => {
                self.room(14.0);
                self.push(Op::Rule {
                    x1: MARGIN,
                    x2: A4_WIDTH - MARGIN,
                    y: self.y + 7.0,
                });
                self.y += 14.0;
            }
            Block::Qr { data, caption } => self.qr(data, caption.as_deref()),
            Block::Barcode(data) => self.barcode(data),
            Block::Footer(t) => {
                self.y += 8.0;
                self.text(t, 9.0, Align::Center, 0.0, 96);
            }
            Block::Feed(n) => self.y += f32::from(*n) * BODY_SIZE * LINE_GAP,
        }
    }

    fn key_value(&mut self, key: &str, value: &str) {
        let key = format!("{key}：");
        let key_w = self.width(&key, BODY_SIZE).max(96.0);
        let max = A4_WIDTH - 2.0 * MARGIN - key_w;
        let lines = self.wrap(value, BODY_SIZE, max);
        for (i, line) in lines.into_iter().enumerate() {
            self.room(BODY_SIZE * LINE_GAP);
            if i == 0 {
                self.push(Op::Text {
                    x: MARGIN,
                    y: self.y + BODY_SIZE,
                    size: BODY_SIZE,
                    grey: 64,
                    text: key.clone(),
                });
            }
            self.push(Op::Text {
                x: MARGIN + key_w,
                y: self.y + BODY_SIZE,
                size: BODY_SIZE,
                grey: 0,
                text: line,
            });
            self.y += BODY_SIZE * LINE_GAP;
        }
    }

    fn qr(&mut self, data: &str, caption: Option<&str>) {
        // Layout cannot fail: an over-long payload was refused when the document was made.
        let Ok((side, dark)) = qr_modules(data.as_bytes(), QrEc::M) else {
            return;
        };
        let size = side as f32 * QR_MODULE;
        self.room(size + 16.0);
        let left = (A4_WIDTH - size) / 2.0;
        let top = self.y + 8.0;
        for my in 0..side {
            let mut mx = 0;
            while mx < side {
                if !dark[my * side + mx] {
                    mx += 1;
                    continue;
                }
                let start = mx;
                while mx < side && dark[my * side + mx] {
                    mx += 1;
                }
                self.push(Op::Rect {
                    x: left + start as f32 * QR_MODULE,
                    y: top + my as f32 * QR_MODULE,
                    w: (mx - start) as f32 * QR_MODULE,
                    h: QR_MODULE,
                });
            }
        }
        self.y = top + size + 8.0;
        if let Some(c) = caption {
            self.text(c, 10.0, Align::Center, 0.0, 64);
        }
    }

    fn barcode(&mut self, data: &str) {
        let Ok(code) = barcoders::sym::code128::Code128::new(format!("Ɓ{data}")) else {
            self.text(data, BODY_SIZE, Align::Center, 0.0, 0);
            return;
        };
        let modules = code.encode();
        let width = modules.len() as f32 * BAR_MODULE;
        self.room(BAR_HEIGHT + 30.0);
        let left = (A4_WIDTH - width) / 2.0;
        let top = self.y + 6.0;
        let mut i = 0;
        while i < modules.len() {
            if modules[i] == 0 {
                i += 1;
                continue;
            }
            let start = i;
            while i < modules.len() && modules[i] == 1 {
                i += 1;
            }
            self.push(Op::Rect {
                x: left + start as f32 * BAR_MODULE,
                y: top,
                w: (i - start) as f32 * BAR_MODULE,
                h: BAR_HEIGHT,
            });
        }
        self.y = top + BAR_HEIGHT + 4.0;
        self.text(data, 10.0, Align::Center, 0.0, 0);
    }
}

/// Lays a receipt out on A4 pages, measuring text with `advance` (ems per character), and
/// numbers the pages (`第 1 页 / 共 2 页`) when there is more than one.
pub fn layout(receipt: &Receipt, advance: &dyn Fn(char) -> f32) -> Pages {
    let mut l = Layout {
        advance,
        pages: vec![Vec::new()],
        y: MARGIN,
    };
    for block in receipt.blocks() {
        l.block(block);
    }
    let total = l.pages.len();
    if total > 1 {
        for (i, page) in l.pages.iter_mut().enumerate() {
            let text = format!("第 {} 页 / 共 {total} 页", i + 1);
            let w: f32 = text.chars().map(|c| advance(c) * 9.0).sum();
            page.push(Op::Text {
                x: (A4_WIDTH - w) / 2.0,
                y: A4_HEIGHT - MARGIN + 9.0,
                size: 9.0,
                grey: 96,
                text,
            });
        }
    }
    l.pages
}

static PDF_FONT: OnceLock<Result<Font, String>> = OnceLock::new();

/// The CJK face for PDFs: the same file and face the receipt printer draws with.
fn pdf_font() -> Result<(&'static CjkFont, Font), A4Error> {
    let cjk = CjkFont::get().map_err(|e| A4Error::Pdf(e.to_string()))?;
    let font = PDF_FONT
        .get_or_init(|| {
            let data = std::fs::read(cjk.path())
                .map_err(|e| format!("cannot read {}: {e}", cjk.path().display()))?;
            Font::new(data.into(), cjk.index())
                .ok_or_else(|| format!("{} is not a usable font", cjk.path().display()))
        })
        .as_ref()
        .map_err(|e| A4Error::Pdf(e.clone()))?;
    Ok((cjk, font.clone()))
}

/// Renders a receipt as an A4 PDF. `title` goes into the PDF's metadata (a document title,
/// never personal data).
pub fn render(receipt: &Receipt, title: &str) -> Result<Vec<u8>, A4Error> {
    for block in receipt.blocks() {
        if let Block::Qr { data, .. } = block {
            qr_modules(data.as_bytes(), QrEc::M).map_err(|e| A4Error::Pdf(e.to_string()))?;
        }
    }
    let (cjk, font) = pdf_font()?;
    let pages = layout(receipt, &|c| cjk.advance_em(c));
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(title.to_owned())
            .language("zh-CN".to_owned())
            .creator("county kiosk".to_owned()),
    );
    let settings = PageSettings::from_wh(A4_WIDTH, A4_HEIGHT)
        .ok_or_else(|| A4Error::Pdf("bad page size".to_owned()))?;
    for ops in &pages {
        let mut page = doc.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    grey,
                    text,
                } => {
                    surface.set_fill(Some(fill(*grey)));
                    surface.draw_text(
                        Point::from_xy(*x, *y),
                        font.clone(),
                        *size,
                        text,
                        false,
                        TextDirection::LeftToRight,
                    );
                }
                Op::Rect { x, y, w, h } => {
                    let mut pb = PathBuilder::new();
                    if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                        pb.push_rect(rect);
                    }
                    if let Some(path) = pb.finish() {
                        surface.set_fill(Some(fill(0)));
                        surface.set_stroke(None);
                        surface.draw_path(&path);
                    }
                }
                Op::Rule { x1, x2, y } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x1, *y);
                    pb.line_to(*x2, *y);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: luma::Color::new(128).into(),
                            width: 0.6,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    doc.finish().map_err(|e| A4Error::Pdf(format!("{e:?}")))
}

fn fill(grey: u8) -> Fill {
    Fill {
        paint: luma::Color::new(grey).into(),
        opacity: NormalizedF32::ONE,
        ..Fill::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hanzi one em, everything else half: close to Noto Sans CJK, and no font needed.
    fn advance(c: char) -> f32 {
        if c.is_ascii() {
            0.5
        } else {
            1.0
        }
    }

    fn all_text(pages: &Pages) -> Vec<String> {
        pages
            .iter()
            .flatten()
            .filter_map(|op| match op {
                Op::Text { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn long_text_wraps_inside_the_margins_and_keeps_every_character() {
        let long = "请携带居民身份证原件到一楼综合受理窗口提交材料".repeat(6);
        let mut r = Receipt::new();
        r.text(long.clone());
        let pages = layout(&r, &advance);
        let lines = all_text(&pages);
        assert!(lines.len() > 1, "{lines:?}");
        assert_eq!(lines.concat(), long);
        for op in pages.iter().flatten() {
            if let Op::Text { x, size, text, .. } = op {
                let w: f32 = text.chars().map(|c| advance(c) * size).sum();
                assert!(
                    *x >= MARGIN - 0.01 && x + w <= A4_WIDTH - MARGIN + 0.01,
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn codes_are_not_split_when_they_fit() {
        let mut r = Receipt::new();
        let text = format!("{}办件编号 BJ2024-000123", "说明".repeat(19));
        r.text(text);
        let lines = all_text(&layout(&r, &advance));
        assert!(
            lines.iter().any(|l| l.contains("BJ2024-000123")),
            "{lines:?}"
        );
    }

    #[test]
    fn a_long_document_gets_more_pages_numbered() {
        let mut r = Receipt::new();
        r.title("一次性告知");
        for i in 0..80 {
            r.text(format!("第{i}项材料"));
        }
        let pages = layout(&r, &advance);
        assert!(pages.len() >= 2);
        let texts = all_text(&pages);
        assert!(texts.contains(&format!("第 1 页 / 共 {} 页", pages.len())));
        for page in &pages {
            for op in page {
                if let Op::Text { y, .. } = op {
                    assert!(*y <= A4_HEIGHT - MARGIN + 9.01);
                }
            }
        }
    }

    #[test]
    fn a_qr_code_is_drawn_as_square_modules_in_the_middle() {
        let mut r = Receipt::new();
        r.qr(
            "https://hall.example/p?c=BJ2024-000123&v=k7Q2xZ",
            Some("扫码查询进度"),
        );
        let pages = layout(&r, &advance);
        let rects: Vec<_> = pages[0]
            .iter()
            .filter_map(|op| match op {
                Op::Rect { x, w, h, .. } => Some((*x, *w, *h)),
                _ => None,
            })
            .collect();
        assert!(rects.len() > 50);
        assert!(rects.iter().all(|(_, _, h)| (*h - QR_MODULE).abs() < 0.01));
        let left = rects.iter().map(|r| r.0).fold(f32::MAX, f32::min);
        let right = rects.iter().map(|r| r.0 + r.1).fold(0.0, f32::max);
        assert!(((left + right) / 2.0 - A4_WIDTH / 2.0).abs() < 0.5);
        assert!(all_text(&pages).contains(&"扫码查询进度".to_owned()));
    }
}
