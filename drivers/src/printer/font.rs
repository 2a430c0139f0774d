//! The CJK outline font used to draw text as dots: by the emulator for everything it
//! prints, and by the encoder for lines with characters the printer's own font lacks.
//! Loaded once from fonts-noto-cjk (found through `KIOSK_CJK_FONT`, `fc-match`, or known paths).
//!
//! The file is memory-mapped (through fontique, the font stack Slint already links), not read:
//! Noto Sans CJK's collection is 19 MB, and read into memory it stayed resident as private
//! memory of the kiosk; mapped, only the pages of the glyphs drawn are resident, shared with
//! the screen's own mapping of the same file.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};

use super::error::PrinterError;
use super::profile::FirmwareCharset;
use super::raster::Bitmap;
use super::text::{char_dots, is_wide, FULL_WIDTH_DOTS};

/// Where Debian and other distributions put a Simplified-Chinese face (file, collection index).
const KNOWN_FONTS: [(&str, u32); 5] = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    (
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
        2,
    ),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
];

/// Where one character goes: its cell in dots, and whether it is bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlyphBox {
    /// Left edge.
    pub x: usize,
    /// Top edge.
    pub y: usize,
    /// Cell width (12 or 24 dots times the width multiplier).
    pub width: usize,
    /// Cell height (24 dots times the height multiplier).
    pub height: usize,
    /// Emphasis.
    pub bold: bool,
}

/// A loaded CJK font.
pub struct CjkFont {
    font: FontRef<'static>,
    path: PathBuf,
    index: u32,
}

impl std::fmt::Debug for CjkFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CjkFont({})", self.path.display())
    }
}

static FONT: OnceLock<Result<CjkFont, String>> = OnceLock::new();

impl CjkFont {
    /// The process-wide font, loaded on first use.
    pub fn get() -> Result<&'static CjkFont, PrinterError> {
        FONT.get_or_init(load)
            .as_ref()
            .map_err(|tried| PrinterError::FontMissing(tried.clone()))
    }

    /// The font file in use.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The face's index in the font file (a collection such as `NotoSansCJK-Regular.ttc`).
    pub fn index(&self) -> u32 {
        self.index
    }

    /// How far the pen moves after `c`, in ems (a Hanzi is about 1.0, a Latin letter about
    /// half): what the A4 layout wraps lines by.
    pub fn advance_em(&self, c: char) -> f32 {
        let units = self.font.units_per_em().unwrap_or(1000.0);
        self.font.h_advance_unscaled(self.font.glyph_id(c)) / units
    }

    /// Draws one character into its cell; `bold` thickens the strokes.
    pub fn draw_char(&self, img: &mut Bitmap, c: char, cell: GlyphBox) {
        let GlyphBox {
            x,
            y,
            width: cell_w,
            height: cell_h,
            bold,
        } = cell;
        if c == ' ' {
            return;
        }
        let wide = is_wide(c);
        let units = self.font.units_per_em().unwrap_or(1000.0);
        let per_em = self.font.height_unscaled() / units;
        // One em is the full-width cell: Hanzi fill the cell, Latin sits in half of it.
        let em_w = if wide { cell_w } else { cell_w * 2 } as f32;
        let mut scale = PxScale {
            x: em_w * per_em,
            y: cell_h as f32 * per_em,
        };
        let id = self.font.glyph_id(c);
        let mut advance = self.font.as_scaled(scale).h_advance(id);
        if advance > cell_w as f32 {
            // Proportional Latin wider than its fixed cell: squeeze it in, as printer fonts do.
            scale.x *= cell_w as f32 / advance * 0.95;
            advance = self.font.as_scaled(scale).h_advance(id);
        }
        let left = x as f32 + ((cell_w as f32 - advance) / 2.0).max(0.0);
        let baseline = y as f32 + cell_h as f32 * 0.86;
        let glyph = id.with_scale_and_position(scale, ab_glyph::point(left, baseline));
        if let Some(outline) = self.font.outline_glyph(glyph) {
            let b = outline.px_bounds();
            outline.draw(|gx, gy, cov| {
                if cov >= 0.5 {
                    let px = b.min.x as i64 + i64::from(gx);
                    let py = b.min.y as i64 + i64::from(gy);
                    if px >= 0 && py >= 0 {
                        let (px, py) = (px as usize, py as usize);
                        img.set(px, py, true);
                        if bold {
                            img.set(px + 1, py, true);
                        }
                    }
                }
            });
        }
    }

    /// Draws a run of text starting at (x, y) with ESC/POS cell widths (12 or 24 dots times
    /// `w`, height 24 times `h`); returns the x after the last cell.
    pub fn draw_text(
        &self,
        img: &mut Bitmap,
        text: &str,
        (x, y): (usize, usize),
        (w, h): (usize, usize),
        bold: bool,
    ) -> usize {
        let mut cx = x;
        for c in text.chars() {
            let cell_w = char_dots(c, FirmwareCharset::Gbk) * w;
            let cell = GlyphBox {
                x: cx,
                y,
                width: cell_w,
                height: FULL_WIDTH_DOTS * h,
                bold,
            };
            self.draw_char(img, c, cell);
            cx += cell_w;
        }
        cx
    }

    /// Whether the font has a glyph for the character.
    pub fn has_glyph(&self, c: char) -> bool {
        self.font.glyph_id(c).0 != 0
    }
}

fn load() -> Result<CjkFont, String> {
    let mut candidates: Vec<(PathBuf, u32)> = Vec::new();
    if let Ok(spec) = std::env::var("KIOSK_CJK_FONT") {
        let (path, index) = match spec.rsplit_once(':') {
            Some((p, i)) if i.parse::<u32>().is_ok() => (p.to_owned(), i.parse().unwrap_or(0)),
            _ => (spec.clone(), 0),
        };
        candidates.push((PathBuf::from(path), index));
    }
    if let Some(found) = fc_match() {
        candidates.push(found);
    }
    candidates.extend(KNOWN_FONTS.iter().map(|(p, i)| (PathBuf::from(p), *i)));
    let mut tried = Vec::new();
    for (path, index) in candidates {
        tried.push(path.display().to_string());
        let Some(data) = map(&path) else {
            continue;
        };
        let Ok(font) = FontRef::try_from_slice_and_index(data, index) else {
            continue;
        };
        let font = CjkFont { font, path, index };
        if font.has_glyph('中') && font.has_glyph('A') {
            return Ok(font);
        }
    }
    Err(tried.join(", "))
}

/// The font file, memory-mapped for the life of the process (the font is loaded once, into a
/// process-wide static; a file that was tried and failed stays mapped, a few at most).
fn map(path: &Path) -> Option<&'static [u8]> {
    let source = fontique::SourceInfo::new(
        fontique::SourceId::new(),
        fontique::SourceKind::Path(std::sync::Arc::from(path)),
    );
    let blob = fontique::SourceCache::new(fontique::SourceCacheOptions::default()).get(&source)?;
    let blob: &'static fontique::Blob<u8> = Box::leak(Box::new(blob));
    Some(blob.data())
}

/// Asks fontconfig for a Simplified-Chinese sans face.
fn fc_match() -> Option<(PathBuf, u32)> {
    let out = std::process::Command::new("fc-match")
        .args(["-f", "%{file}\n%{index}", "sans-serif:lang=zh-cn"])
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let mut lines = text.lines();
    let file = lines.next()?.trim();
    let index = lines
        .next()
        .and_then(|i| i.trim().parse().ok())
        .unwrap_or(0);
    (!file.is_empty()).then(|| (PathBuf::from(file), index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cjk_font_draws_hanzi_inside_its_cell() {
        let font = CjkFont::get().expect("fonts-noto-cjk must be installed for the printer tests");
        let mut img = Bitmap::new(48, 24);
        let end = font.draw_text(&mut img, "中A", (0, 0), (1, 1), false);
        assert_eq!(end, 36);
        assert!(img.black_count() > 40);
        for y in 0..24 {
            for x in 37..48 {
                assert!(!img.get(x, y), "ink outside the cells at {x},{y}");
            }
        }
    }
}
