//! The receipt layout the kiosk fills: generic blocks (header, title, key/value lines, lists,
//! QR, barcode, footer) laid out for the profile's paper width and encoded to ESC/POS.
//! It knows nothing about applications; masked identity lines are just strings it receives.

use super::codec::{Align, Cut, Encoder, QrEc};
use super::error::PrinterError;
use super::font::CjkFont;
use super::profile::{CutStyle, PrinterProfile};
use super::raster::{qr_bitmap, Bitmap};
use super::text::{classify, str_dots, to_gb18030, wrap, Glyph, FULL_WIDTH_DOTS, HALF_WIDTH_DOTS};

/// Line spacing the layout sets (`ESC 3 30`): 24-dot characters plus a 6-dot gap.
pub const LINE_DOTS: u8 = 30;

/// One block of a receipt.
#[derive(Clone, PartialEq, Eq)]
pub enum Block {
    /// The office name: centred, double size, bold.
    Header(String),
    /// The receipt's title: centred, double height, bold.
    Title(String),
    /// Plain text, wrapped.
    Text {
        /// The text; `\n` breaks a line.
        text: String,
        /// Alignment.
        align: Align,
        /// Bold.
        bold: bool,
    },
    /// `key：value`; the value goes right-aligned on the same line if it fits, else below.
    KeyValue {
        /// The label.
        key: String,
        /// The value.
        value: String,
    },
    /// A list with a hanging indent.
    List {
        /// The items.
        items: Vec<String>,
        /// `1.` `2.` … instead of `·`.
        numbered: bool,
    },
    /// A dashed rule across the paper.
    Separator,
    /// A QR code, centred, with an optional caption under it.
    Qr {
        /// The payload (a URL or a tracking code).
        data: String,
        /// Text printed under the code.
        caption: Option<String>,
    },
    /// A CODE128 barcode with its human-readable text.
    Barcode(String),
    /// Small print at the end: centred.
    Footer(String),
    /// Blank lines.
    Feed(u8),
}

/// A receipt to print: an ordered list of blocks.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Receipt {
    blocks: Vec<Block>,
}

impl std::fmt::Debug for Block {
    // Blocks may carry (masked) personal data: show only the kind of block.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            Block::Header(_) => "Header",
            Block::Title(_) => "Title",
            Block::Text { .. } => "Text",
            Block::KeyValue { .. } => "KeyValue",
            Block::List { .. } => "List",
            Block::Separator => "Separator",
            Block::Qr { .. } => "Qr",
            Block::Barcode(_) => "Barcode",
            Block::Footer(_) => "Footer",
            Block::Feed(_) => "Feed",
        };
        f.write_str(kind)
    }
}

impl std::fmt::Debug for Receipt {
    // Blocks may carry (masked) personal data: show only their count.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Receipt({} blocks)", self.blocks.len())
    }
}

impl Receipt {
    /// An empty receipt.
    pub fn new() -> Self {
        Receipt::default()
    }

    /// The blocks in order.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// Adds any block.
    pub fn push(&mut self, block: Block) -> &mut Self {
        self.blocks.push(block);
        self
    }

    /// Adds a header (office name).
    pub fn header(&mut self, text: impl Into<String>) -> &mut Self {
        self.push(Block::Header(text.into()))
    }

    /// Adds a title.
    pub fn title(&mut self, text: impl Into<String>) -> &mut Self {
        self.push(Block::Title(text.into()))
    }

    /// Adds left-aligned plain text.
    pub fn text(&mut self, text: impl Into<String>) -> &mut Self {
        self.push(Block::Text {
            text: text.into(),
            align: Align::Left,
            bold: false,
        })
    }

    /// Adds a key/value line.
    pub fn key_value(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.push(Block::KeyValue {
            key: key.into(),
            value: value.into(),
        })
    }

    /// Adds a bulleted (`numbered == false`) or numbered list.
    pub fn list<S: Into<String>>(
        &mut self,
        items: impl IntoIterator<Item = S>,
        numbered: bool,
    ) -> &mut Self {
        let items = items.into_iter().map(Into::into).collect();
        self.push(Block::List { items, numbered })
    }

    /// Adds a rule.
    pub fn separator(&mut self) -> &mut Self {
        self.push(Block::Separator)
    }

    /// Adds a QR code with an optional caption.
    pub fn qr(&mut self, data: impl Into<String>, caption: Option<&str>) -> &mut Self {
        self.push(Block::Qr {
            data: data.into(),
            caption: caption.map(str::to_owned),
        })
    }

    /// Adds a CODE128 barcode.
    pub fn barcode(&mut self, data: impl Into<String>) -> &mut Self {
        self.push(Block::Barcode(data.into()))
    }

    /// Adds a footer.
    pub fn footer(&mut self, text: impl Into<String>) -> &mut Self {
        self.push(Block::Footer(text.into()))
    }

    /// Lays the receipt out for the profile and encodes it, ending with the profile's cut.
    pub fn encode(&self, profile: &PrinterProfile) -> Result<Vec<u8>, PrinterError> {
        let mut w = Writer {
            enc: Encoder::new(),
            profile,
            width: usize::from(profile.width_dots),
        };
        w.enc.init();
        if let Some(n) = profile.code_page {
            w.enc.code_page(n);
        }
        if profile.chinese_mode {
            w.enc.chinese_mode(true);
        }
        w.enc.line_spacing(Some(LINE_DOTS));
        for block in &self.blocks {
            w.block(block)?;
        }
        match profile.cut {
            CutStyle::FeedPartial => w.enc.cut(Cut::FeedPartial(0)),
            CutStyle::FeedFull => w.enc.cut(Cut::FeedFull(0)),
            CutStyle::Partial => w.enc.feed_lines(profile.feed_before_cut).cut(Cut::Partial),
        };
        Ok(w.enc.into_bytes())
    }
}

/// The QR module size that makes the code about half the paper width (3–8 dots).
pub fn qr_module_dots(data: &[u8], width_dots: usize) -> Result<u8, PrinterError> {
    // Only the version is needed: encoding the bits is much cheaper than drawing the symbol.
    let bits = qrcode::bits::encode_auto(data, QrEc::M.to_qrcode())
        .map_err(|e| PrinterError::Content(format!("QR payload cannot be encoded: {e}")))?;
    let side = usize::try_from(bits.version().width()).unwrap_or(177);
    let module = (width_dots / 2) / (side + 8);
    Ok(module.clamp(3, 8) as u8)
}

struct Writer<'a> {
    enc: Encoder,
    profile: &'a PrinterProfile,
    width: usize,
}

impl Writer<'_> {
    fn block(&mut self, block: &Block) -> Result<(), PrinterError> {
        match block {
            Block::Header(t) => {
                // Double width only when the whole name fits on one line: a lone last
                // character on its own line looks broken.
                let fits = str_dots(t, self.profile.charset) * 2 <= self.width;
                self.paragraph(t, Align::Center, if fits { 2 } else { 1 }, 2, true)
            }
            Block::Title(t) => self.paragraph(t, Align::Center, 1, 2, true),
            Block::Text { text, align, bold } => self.paragraph(text, *align, 1, 1, *bold),
            Block::Footer(t) => self.paragraph(t, Align::Center, 1, 1, false),
            Block::KeyValue { key, value } => self.key_value(key, value),
            Block::List { items, numbered } => self.list(items, *numbered),
            Block::Separator => {
                let rule = "-".repeat(self.width / HALF_WIDTH_DOTS);
                self.line(&rule, Align::Left, 1, 1, false)
            }
            Block::Qr { data, caption } => {
                self.qr(data)?;
                if let Some(c) = caption {
                    self.paragraph(c, Align::Center, 1, 1, false)?;
                }
                Ok(())
            }
            Block::Barcode(data) => self.barcode(data),
            Block::Feed(n) => {
                self.enc.feed_lines(*n);
                Ok(())
            }
        }
    }

    fn paragraph(
        &mut self,
        text: &str,
        align: Align,
        w: u8,
        h: u8,
        bold: bool,
    ) -> Result<(), PrinterError> {
        let charset = self.profile.charset;
        for line in wrap(text, self.width, usize::from(w), charset) {
            self.line(&line, align, w, h, bold)?;
        }
        Ok(())
    }

    fn key_value(&mut self, key: &str, value: &str) -> Result<(), PrinterError> {
        let cs = self.profile.charset;
        let key = if key.ends_with('：') || key.ends_with(':') {
            key.to_owned()
        } else {
            format!("{key}：")
        };
        let (kw, vw) = (str_dots(&key, cs), str_dots(value, cs));
        if !value.contains('\n') && kw + vw + HALF_WIDTH_DOTS <= self.width {
            let pad = (self.width - kw - vw) / HALF_WIDTH_DOTS;
            return self.line(
                &format!("{key}{}{value}", " ".repeat(pad)),
                Align::Left,
                1,
                1,
                false,
            );
        }
        self.line(&key, Align::Left, 1, 1, false)?;
        let indent = "  ";
        for line in wrap(value, self.width - FULL_WIDTH_DOTS, 1, cs) {
            self.line(&format!("{indent}{line}"), Align::Left, 1, 1, false)?;
        }
        Ok(())
    }

    fn list(&mut self, items: &[String], numbered: bool) -> Result<(), PrinterError> {
        let cs = self.profile.charset;
        for (i, item) in items.iter().enumerate() {
            let marker = if numbered {
                format!("{}. ", i + 1)
            } else {
                "· ".to_owned()
            };
            let indent = " ".repeat(str_dots(&marker, cs) / HALF_WIDTH_DOTS);
            let avail = self
                .width
                .saturating_sub(str_dots(&marker, cs))
                .max(FULL_WIDTH_DOTS);
            for (n, line) in wrap(item, avail, 1, cs).iter().enumerate() {
                let prefix = if n == 0 { &marker } else { &indent };
                self.line(&format!("{prefix}{line}"), Align::Left, 1, 1, false)?;
            }
        }
        Ok(())
    }

    /// One printed line: device font when every character is in the printer's font,
    /// otherwise the whole line as a raster image drawn with the CJK font.
    fn line(
        &mut self,
        text: &str,
        align: Align,
        w: u8,
        h: u8,
        bold: bool,
    ) -> Result<(), PrinterError> {
        let cs = self.profile.charset;
        let native = text.chars().all(|c| classify(c, cs) != Glyph::Missing);
        if native {
            self.enc.align(align).size(w, h).bold(bold);
            self.enc.raw(&to_gb18030(text)).lf();
            self.enc.size(1, 1).bold(false);
            return Ok(());
        }
        let font = CjkFont::get()?;
        let (w, h) = (usize::from(w), usize::from(h));
        let text_w = str_dots(text, cs) * w;
        let height = (FULL_WIDTH_DOTS * h).max(usize::from(LINE_DOTS));
        let mut img = Bitmap::new(self.width, height);
        let x = match align {
            Align::Left => 0,
            Align::Center => self.width.saturating_sub(text_w) / 2,
            Align::Right => self.width.saturating_sub(text_w),
        };
        font.draw_text(&mut img, text, (x, 0), (w, h), bold);
        self.enc
            .align(Align::Left)
            .raster(&img, self.profile.raster_band_rows);
        Ok(())
    }

    fn qr(&mut self, data: &str) -> Result<(), PrinterError> {
        let module = qr_module_dots(data.as_bytes(), self.width)?;
        // A blank line above keeps the quiet zone scanners need.
        self.enc.lf();
        if self.profile.native_qr {
            self.enc.align(Align::Center);
            self.enc.qr_native(data.as_bytes(), module, QrEc::M)?;
            self.enc.lf().align(Align::Left);
            return Ok(());
        }
        let code = qr_bitmap(data.as_bytes(), QrEc::M, usize::from(module))?;
        let mut img = Bitmap::new(self.width, code.height());
        img.blit(&code, self.width.saturating_sub(code.width()) / 2, 0);
        self.enc
            .align(Align::Left)
            .raster(&img, self.profile.raster_band_rows);
        Ok(())
    }

    fn barcode(&mut self, data: &str) -> Result<(), PrinterError> {
        if self.profile.native_code128 {
            self.enc.align(Align::Center);
            self.enc.code128(data, 64, 2)?;
            self.enc.lf().align(Align::Left);
            return Ok(());
        }
        self.line(data, Align::Center, 1, 1, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_receipt_starts_with_init_chinese_mode_and_ends_with_the_profile_cut() {
        let mut r = Receipt::new();
        r.header("政务服务中心").key_value("业务", "不动产登记");
        let b = r.encode(&PrinterProfile::GENERIC_80).unwrap();
        assert_eq!(&b[..7], &[0x1B, 0x40, 0x1C, 0x26, 0x1B, 0x33, 30]);
        assert_eq!(&b[b.len() - 4..], &[0x1D, 0x56, 0x42, 0x00]);
        assert!(contains(&b, &to_gb18030("政务服务中心")));
        let b58 = r.encode(&PrinterProfile::BASIC_58).unwrap();
        assert_eq!(&b58[b58.len() - 6..], &[0x1B, 0x64, 4, 0x1D, 0x56, 0x01]);
    }

    #[test]
    fn key_value_pads_the_value_to_the_right_edge() {
        let mut r = Receipt::new();
        r.key_value("日期", "2026-11-26");
        let b = r.encode(&PrinterProfile::GENERIC_58).unwrap();
        // 32 columns: "日期：" is 6, the value 10, so 16 spaces between.
        let line = to_gb18030(&format!("日期：{}2026-11-26", " ".repeat(16)));
        assert!(contains(&b, &line));
    }

    #[test]
    fn a_line_with_a_four_byte_character_goes_out_as_raster_not_text() {
        let mut r = Receipt::new();
        r.key_value("姓名", "王䶮");
        let b = r.encode(&PrinterProfile::GENERIC_80).unwrap();
        assert!(contains(&b, &[0x1D, 0x76, 0x30, 0x00, 72, 0, 30, 0]));
        assert!(!contains(&b, &to_gb18030("王")));
    }

    #[test]
    fn qr_is_native_or_raster_by_profile() {
        let mut r = Receipt::new();
        r.qr("https://zwfw.example.gov.cn/q?c=ABC", Some("扫码查询"));
        let native = r.encode(&PrinterProfile::GENERIC_80).unwrap();
        assert!(contains(&native, &[0x1D, 0x28, 0x6B]));
        let raster = r.encode(&PrinterProfile::BASIC_58).unwrap();
        assert!(!contains(&raster, &[0x1D, 0x28, 0x6B]));
        assert!(contains(&raster, &[0x1D, 0x76, 0x30, 0x00, 48, 0]));
    }

    #[test]
    fn the_debug_form_shows_no_content() {
        let mut r = Receipt::new();
        r.key_value("姓名", "张*");
        assert_eq!(format!("{r:?}"), "Receipt(1 blocks)");
    }
}
