//! Serial scanner framing, pure bytes in and frames out: the terminator that ends a code and
//! the optional prefix and suffix a scanner is configured to add. The AIM symbology
//! identifier that may follow the prefix is read in [`super::aim`].

use kiosk_config::schema::Terminator;

pub use super::aim::{split_aim, Symbology};

/// What ends one code on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameEnd {
    /// CR. LF and CR LF are accepted too: scanners ship with either, and a stray LF after a
    /// CR must not turn into a rejected code.
    Cr,
    /// LF (CR and CR LF accepted too, as for [`FrameEnd::Cr`]).
    Lf,
    /// CR LF (CR and LF alone accepted too).
    CrLf,
    /// Tab, for scanners set up as a form's "next field" key.
    Tab,
    /// A configured byte sequence (for example ETX `03`); matched exactly.
    Bytes(Vec<u8>),
}

impl FrameEnd {
    /// The bytes a scanner (or the simulator) sends after each code.
    pub fn wire_bytes(&self) -> &[u8] {
        match self {
            FrameEnd::Cr => b"\r",
            FrameEnd::Lf => b"\n",
            FrameEnd::CrLf => b"\r\n",
            FrameEnd::Tab => b"\t",
            FrameEnd::Bytes(bytes) => bytes,
        }
    }

    /// Parses `cr`, `lf`, `crlf`, `tab`, or hex bytes such as `03` or `0d0a`.
    pub fn parse(text: &str) -> Option<FrameEnd> {
        match text.to_ascii_lowercase().as_str() {
            "cr" => Some(FrameEnd::Cr),
            "lf" => Some(FrameEnd::Lf),
            "crlf" => Some(FrameEnd::CrLf),
            "tab" => Some(FrameEnd::Tab),
            hex => parse_hex(hex)
                .filter(|b| !b.is_empty())
                .map(FrameEnd::Bytes),
        }
    }
}

impl From<Terminator> for FrameEnd {
    fn from(t: Terminator) -> Self {
        match t {
            Terminator::Cr => FrameEnd::Cr,
            Terminator::Lf => FrameEnd::Lf,
            Terminator::Crlf => FrameEnd::CrLf,
            Terminator::Tab => FrameEnd::Tab,
        }
    }
}

/// Parses an even number of hex digits (`0d0a`) into bytes.
pub fn parse_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// How a serial scanner frames its codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framing {
    /// What ends a code.
    pub end: FrameEnd,
    /// Bytes the scanner puts before each code (removed when present).
    pub prefix: Vec<u8>,
    /// Bytes the scanner puts after each code, before the terminator (removed when present).
    pub suffix: Vec<u8>,
    /// Whether a leading `]Xn` is read as an AIM symbology identifier.
    pub aim: bool,
    /// The longest frame kept, in bytes; a longer one is dropped whole without buffering it.
    pub max_frame: usize,
}

impl Default for Framing {
    fn default() -> Self {
        Framing {
            end: FrameEnd::Cr,
            prefix: Vec::new(),
            suffix: Vec::new(),
            aim: true,
            max_frame: 4_096,
        }
    }
}

impl Framing {
    /// The bytes a scanner configured like this sends for `code` (used by the simulator).
    pub fn encode(&self, code: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(code.len() + 8);
        out.extend_from_slice(&self.prefix);
        out.extend_from_slice(code);
        out.extend_from_slice(&self.suffix);
        out.extend_from_slice(self.end.wire_bytes());
        out
    }
}

/// What the framer found in the byte stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// One code's bytes, terminator removed (prefix, suffix and AIM still in).
    Code(Vec<u8>),
    /// A frame longer than `max_frame`; its bytes were dropped as they came.
    Overlong {
        /// How many bytes the frame had.
        len: usize,
    },
}

/// Cuts a serial byte stream into frames. Streaming: feed it whatever `read` returned.
///
/// Memory is bounded by `max_frame`: an endless line without a terminator is counted, not
/// stored, and reported once as [`Frame::Overlong`] when its terminator finally comes.
#[derive(Debug)]
pub struct Framer {
    end: FrameEnd,
    max_frame: usize,
    buf: Vec<u8>,
    /// Bytes of the current frame seen so far, including those dropped.
    seen: usize,
}

impl Framer {
    /// A framer for this framing.
    pub fn new(framing: &Framing) -> Self {
        Framer {
            end: framing.end.clone(),
            max_frame: framing.max_frame.max(1),
            buf: Vec::new(),
            seen: 0,
        }
    }

    /// Feeds bytes; pushes every complete frame to `out`.
    pub fn push(&mut self, bytes: &[u8], out: &mut Vec<Frame>) {
        for &b in bytes {
            self.push_byte(b, out);
        }
    }

    fn push_byte(&mut self, b: u8, out: &mut Vec<Frame>) {
        match &self.end {
            // An empty frame at a line end is the LF of a CR LF pair (or a blank line): ignored.
            FrameEnd::Cr | FrameEnd::Lf | FrameEnd::CrLf if b == b'\r' || b == b'\n' => {
                return self.finish(out);
            }
            FrameEnd::Tab if b == b'\t' => return self.finish(out),
            FrameEnd::Bytes(end) => {
                let end_len = end.len();
                self.seen += 1;
                self.buf.push(b);
                if self.buf.ends_with(end) {
                    self.buf.truncate(self.buf.len() - end_len);
                    self.seen -= end_len;
                    return self.finish(out);
                }
                if self.seen > self.max_frame + end_len {
                    // Overlong: keep only a tail long enough to spot the terminator.
                    let keep = self.buf.len().min(end_len);
                    self.buf.drain(..self.buf.len() - keep);
                }
                return;
            }
            _ => {}
        }
        self.seen += 1;
        if self.seen <= self.max_frame {
            self.buf.push(b);
        } else {
            self.buf.clear();
        }
    }

    fn finish(&mut self, out: &mut Vec<Frame>) {
        if self.seen > self.max_frame {
            out.push(Frame::Overlong { len: self.seen });
        } else if !self.buf.is_empty() {
            out.push(Frame::Code(std::mem::take(&mut self.buf)));
        }
        self.buf.clear();
        self.seen = 0;
    }

    /// Ends the current frame without a terminator, for scanners set to send none: the
    /// driver calls this when the line has been quiet for a while.
    pub fn flush(&mut self, out: &mut Vec<Frame>) {
        if self.seen > 0 {
            self.finish(out);
        }
    }

    /// Whether part of a frame is waiting for its terminator.
    pub fn has_partial(&self) -> bool {
        self.seen > 0
    }
}

/// Removes the configured prefix and suffix, when present.
pub fn strip_affixes<'a>(frame: &'a [u8], framing: &Framing) -> &'a [u8] {
    let frame = frame
        .strip_prefix(framing.prefix.as_slice())
        .unwrap_or(frame);
    frame
        .strip_suffix(framing.suffix.as_slice())
        .unwrap_or(frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(framing: &Framing, chunks: &[&[u8]]) -> Vec<Frame> {
        let mut framer = Framer::new(framing);
        let mut out = Vec::new();
        for chunk in chunks {
            framer.push(chunk, &mut out);
        }
        out
    }

    fn code(bytes: &[u8]) -> Frame {
        Frame::Code(bytes.to_vec())
    }

    #[test]
    fn cr_lf_and_crlf_all_end_a_line_code_without_empty_frames() {
        let framing = Framing::default();
        let got = frames(&framing, &[b"ABC\r", b"DEF\n", b"GHI\r\n", b"\r\n\n"]);
        assert_eq!(got, vec![code(b"ABC"), code(b"DEF"), code(b"GHI")]);
    }

    #[test]
    fn a_code_split_across_reads_is_joined() {
        let framing = Framing::default();
        let got = frames(&framing, &[b"]Q1htt", b"ps://gov.cn/a", b"?b=1", b"\r"]);
        assert_eq!(got, vec![code(b"]Q1https://gov.cn/a?b=1")]);
    }

    #[test]
    fn tab_terminator_keeps_cr_inside_the_frame_for_the_sanitizer_to_judge() {
        let framing = Framing {
            end: FrameEnd::Tab,
            ..Framing::default()
        };
        let got = frames(&framing, &[b"12\r34\t56\t"]);
        assert_eq!(got, vec![code(b"12\r34"), code(b"56")]);
    }

    #[test]
    fn custom_byte_terminators_may_span_reads() {
        let framing = Framing {
            end: FrameEnd::parse("0304").unwrap(),
            ..Framing::default()
        };
        let got = frames(&framing, &[b"\x02A1\x03", b"\x04B2\x03\x04"]);
        assert_eq!(got, vec![code(b"\x02A1"), code(b"B2")]);
    }

    #[test]
    fn a_20000_byte_line_is_reported_overlong_without_being_stored() {
        let framing = Framing {
            max_frame: 2_048,
            ..Framing::default()
        };
        let long = vec![b'7'; 20_000];
        let mut framer = Framer::new(&framing);
        let mut out = Vec::new();
        for chunk in long.chunks(333) {
            framer.push(chunk, &mut out);
            assert!(
                framer.buf.len() <= 2_049,
                "buffer grew to {}",
                framer.buf.len()
            );
        }
        framer.push(b"\rOK\r", &mut out);
        assert_eq!(out, vec![Frame::Overlong { len: 20_000 }, code(b"OK")]);
    }

    #[test]
    fn a_frame_of_exactly_max_frame_bytes_is_kept() {
        let framing = Framing {
            max_frame: 8,
            ..Framing::default()
        };
        let got = frames(&framing, &[b"12345678\r123456789\r"]);
        assert_eq!(got, vec![code(b"12345678"), Frame::Overlong { len: 9 }]);
    }

    #[test]
    fn flush_ends_a_frame_that_has_no_terminator() {
        let mut framer = Framer::new(&Framing::default());
        let mut out = Vec::new();
        framer.push(b"NOEND", &mut out);
        assert!(out.is_empty() && framer.has_partial());
        framer.flush(&mut out);
        assert_eq!(out, vec![code(b"NOEND")]);
        assert!(!framer.has_partial());
    }

    #[test]
    fn prefix_and_suffix_are_removed_only_when_present() {
        let framing = Framing {
            prefix: b"<".to_vec(),
            suffix: b">".to_vec(),
            ..Framing::default()
        };
        assert_eq!(strip_affixes(b"<A1>", &framing), b"A1");
        assert_eq!(strip_affixes(b"A1", &framing), b"A1");
        assert_eq!(framing.encode(b"A1"), b"<A1>\r");
    }

    #[test]
    fn terminators_parse_from_names_and_hex() {
        assert_eq!(FrameEnd::parse("CRLF"), Some(FrameEnd::CrLf));
        assert_eq!(FrameEnd::parse("03"), Some(FrameEnd::Bytes(vec![3])));
        assert_eq!(FrameEnd::parse("0"), None);
        assert_eq!(FrameEnd::parse("zz"), None);
        assert_eq!(FrameEnd::parse(""), None);
    }
}
