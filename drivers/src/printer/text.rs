//! Text for a GB18030 printer: which characters the printer's own font can print, how wide
//! each one is in dots, and line wrapping for mixed Chinese and Latin text.

use super::profile::FirmwareCharset;

/// Width of a half-width (ASCII, font A) character in dots.
pub const HALF_WIDTH_DOTS: usize = 12;
/// Width of a full-width (Hanzi) character in dots.
pub const FULL_WIDTH_DOTS: usize = 24;

/// How a character reaches paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Glyph {
    /// A printable ASCII byte, 12 dots wide.
    Half,
    /// A two-byte GB code the firmware font has, 24 dots wide.
    Full,
    /// A character the firmware lacks (4-byte GB18030, or outside GB2312 on a GB2312 font):
    /// the line it is on must be printed as a raster image.
    Missing,
}

/// Classifies one character for a firmware character set.
pub fn classify(c: char, charset: FirmwareCharset) -> Glyph {
    if (' '..='~').contains(&c) {
        return Glyph::Half;
    }
    // Every CJK Unified Ideograph up to U+9FA5 is a two-byte GBK code.
    if charset == FirmwareCharset::Gbk && ('\u{4E00}'..='\u{9FA5}').contains(&c) {
        return Glyph::Full;
    }
    let mut utf8 = [0u8; 4];
    let mut bytes = [0u8; 8];
    let mut encoder = encoding_rs::GB18030.new_encoder();
    let (result, _, written) =
        encoder.encode_from_utf8_without_replacement(c.encode_utf8(&mut utf8), &mut bytes, true);
    if result != encoding_rs::EncoderResult::InputEmpty || written != 2 {
        return Glyph::Missing;
    }
    let (lead, trail) = (bytes[0], bytes[1]);
    let in_gb2312 = (0xA1..=0xF7).contains(&lead) && (0xA1..=0xFE).contains(&trail);
    // FE50–FEA0 were user-defined (PUA) slots in GBK; GB18030-2022 moved characters such as
    // 䶮 there. Printer fonts built from GBK have no glyphs in that range.
    let gbk_pua = lead == 0xFE && (0x50..=0xA0).contains(&trail);
    match charset {
        FirmwareCharset::Gbk if gbk_pua => Glyph::Missing,
        FirmwareCharset::Gbk => Glyph::Full,
        FirmwareCharset::Gb2312 if in_gb2312 => Glyph::Full,
        FirmwareCharset::Gb2312 => Glyph::Missing,
    }
}

/// Display width of a character in dots at size 1 (missing glyphs are drawn full width
/// unless they are narrow Latin letters).
pub fn char_dots(c: char, charset: FirmwareCharset) -> usize {
    match classify(c, charset) {
        Glyph::Half => HALF_WIDTH_DOTS,
        Glyph::Full => FULL_WIDTH_DOTS,
        Glyph::Missing if is_wide(c) => FULL_WIDTH_DOTS,
        Glyph::Missing => HALF_WIDTH_DOTS,
    }
}

/// Width of a string in dots at size 1.
pub fn str_dots(s: &str, charset: FirmwareCharset) -> usize {
    s.chars().map(|c| char_dots(c, charset)).sum()
}

/// Whether a character is East-Asian wide (CJK, full-width forms, CJK punctuation).
pub fn is_wide(c: char) -> bool {
    let u = c as u32;
    (0x1100..=0x115F).contains(&u)
        || (0x2E80..=0xA4CF).contains(&u)
        || (0xAC00..=0xD7A3).contains(&u)
        || (0xF900..=0xFAFF).contains(&u)
        || (0xFE30..=0xFE4F).contains(&u)
        || (0xFF00..=0xFF60).contains(&u)
        || (0xFFE0..=0xFFE6).contains(&u)
        || (0x20000..=0x3FFFD).contains(&u)
        || matches!(c, '●' | '○' | '■' | '□' | '★' | '☆' | '※' | '—' | '…')
}

/// Characters that must not start a line (closing punctuation).
fn no_line_start(c: char) -> bool {
    "，。、：；！？）」』】〕》〉”’,.:;!?)]}％%".contains(c)
}

/// Characters that must not end a line (opening punctuation).
fn no_line_end(c: char) -> bool {
    "（「『【〔《〈“‘([{".contains(c)
}

/// Encodes text for the printer in GB18030 (callers make sure every char is printable).
pub fn to_gb18030(s: &str) -> Vec<u8> {
    encoding_rs::GB18030.encode(s).0.into_owned()
}

/// Wraps text into lines of at most `max_dots` (size-1 dots times `scale`).
///
/// Latin words stay whole unless longer than a line; Hanzi may break anywhere except before
/// closing or after opening punctuation. Spaces at a break are dropped; explicit `\n` breaks.
pub fn wrap(text: &str, max_dots: usize, scale: usize, charset: FirmwareCharset) -> Vec<String> {
    let scale = scale.max(1);
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut tokens = Vec::new();
        for tok in tokenize(para) {
            split_to_width(&tok, max_dots, scale, charset, &mut tokens);
        }
        let mut line = String::new();
        let mut width = 0usize;
        let mut i = 0;
        while i < tokens.len() {
            let tok = &tokens[i];
            let tw = str_dots(tok, charset) * scale;
            if tok == " " && line.is_empty() {
                i += 1;
                continue;
            }
            if width + tw <= max_dots || line.is_empty() {
                line.push_str(tok);
                width += tw;
                i += 1;
                continue;
            }
            // Kinsoku: move the last char down if the next line would start with closing
            // punctuation, or this line would end with opening punctuation.
            let first = tok.chars().next().unwrap_or(' ');
            let last = line.chars().last().unwrap_or(' ');
            if tok != " " && (no_line_start(first) || no_line_end(last)) && line.chars().count() > 1
            {
                if let Some(moved) = line.pop() {
                    lines.push(line.trim_end().to_owned());
                    line = moved.to_string();
                    width = char_dots(moved, charset) * scale;
                    continue;
                }
            }
            lines.push(line.trim_end().to_owned());
            line.clear();
            width = 0;
        }
        lines.push(line.trim_end().to_owned());
    }
    lines
}

/// Pushes `s` as one token, or as several if it is wider than a line.
fn split_to_width(
    s: &str,
    max_dots: usize,
    scale: usize,
    cs: FirmwareCharset,
    out: &mut Vec<String>,
) {
    let mut part = String::new();
    let mut width = 0;
    for c in s.chars() {
        let w = char_dots(c, cs) * scale;
        if width + w > max_dots && !part.is_empty() {
            out.push(std::mem::take(&mut part));
            width = 0;
        }
        part.push(c);
        width += w;
    }
    if !part.is_empty() {
        out.push(part);
    }
}

/// Splits into tokens: runs of non-space narrow characters (words), single spaces, and
/// single wide characters.
fn tokenize(s: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    for c in s.chars() {
        if c == ' ' || is_wide(c) || no_line_start(c) && !c.is_ascii() {
            if !word.is_empty() {
                tokens.push(std::mem::take(&mut word));
            }
            tokens.push(c.to_string());
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;
    use FirmwareCharset::*;

    #[test]
    fn classifies_ascii_gb2312_gbk_and_four_byte_characters() {
        assert_eq!(classify('A', Gb2312), Glyph::Half);
        assert_eq!(classify('中', Gb2312), Glyph::Full);
        // 䶮 (U+4DAE, in a well-known name) sits in GBK's old user-defined range FE50–FEA0.
        assert_eq!(classify('䶮', Gbk), Glyph::Missing);
        // 𠀀 (CJK Ext. B) is 4-byte too.
        assert_eq!(classify('𠀀', Gbk), Glyph::Missing);
        // 堃 is GBK but not GB2312.
        assert_eq!(classify('堃', Gbk), Glyph::Full);
        assert_eq!(classify('堃', Gb2312), Glyph::Missing);
        assert_eq!(classify('\u{7}', Gbk), Glyph::Missing);
    }

    #[test]
    fn widths_are_12_for_latin_and_24_for_hanzi() {
        assert_eq!(str_dots("AB中文", Gbk), 12 + 12 + 24 + 24);
        assert_eq!(str_dots("䶮", Gbk), 24);
    }

    #[test]
    fn chinese_wraps_anywhere_within_the_width() {
        let lines = wrap("一二三四五六七八九十", 24 * 4, 1, Gbk);
        assert_eq!(lines, ["一二三四", "五六七八", "九十"]);
    }

    #[test]
    fn latin_words_stay_whole_and_spaces_at_breaks_vanish() {
        let lines = wrap("scan the code to check", 12 * 10, 1, Gbk);
        assert_eq!(lines, ["scan the", "code to", "check"]);
        for l in &lines {
            assert!(str_dots(l, Gbk) <= 120);
        }
    }

    #[test]
    fn closing_punctuation_never_starts_a_line() {
        let lines = wrap("一二三四，五六", 24 * 4, 1, Gbk);
        assert_eq!(lines, ["一二三", "四，五六"]);
    }

    #[test]
    fn mixed_text_and_double_size_respect_the_width() {
        let text = "办件编号 TRK-2026-000123 请妥善保管本凭条，扫码查询办理进度 https://zwfw.example.gov.cn/q?c=AB12";
        for scale in [1, 2] {
            for l in wrap(text, 384, scale, Gb2312) {
                assert!(str_dots(&l, Gb2312) * scale <= 384, "{l}");
            }
        }
        let joined: String = wrap(text, 384, 1, Gbk).concat();
        assert_eq!(joined.replace(' ', ""), text.replace(' ', ""));
    }

    #[test]
    fn an_opening_quote_never_ends_a_line() {
        let lines = wrap("一二三“四五”", 24 * 4, 1, Gbk);
        assert_eq!(lines, ["一二三", "“四五”"]);
    }

    #[test]
    fn explicit_newlines_break() {
        assert_eq!(wrap("a\nb", 100, 1, Gbk), ["a", "b"]);
    }
}
