//! The emulator's ESC/POS parser: a streaming, byte-level state machine. It returns the
//! complete commands in what it has been fed and keeps an incomplete tail for the next read
//! ("incomplete" is data, not an error). Every length is bounded, so hostile input cannot
//! make it allocate without limit or loop; unknown commands come out as `Unknown`.

use std::collections::VecDeque;

/// Largest raster band accepted: 4096 dots wide (512 bytes) x 4096 rows.
pub const MAX_RASTER_BYTES: usize = 512 * 4096;

/// One parsed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Printable bytes (ASCII, or GB18030 in Chinese mode).
    Text(Vec<u8>),
    /// LF: print the line.
    LineFeed,
    /// CR, HT and other harmless controls.
    Ignored(u8),
    /// ESC @.
    Init,
    /// ESC a n.
    Align(u8),
    /// ESC E n / ESC G n.
    Bold(bool),
    /// ESC - n.
    Underline(u8),
    /// ESC ! n: print mode (bit 0 font B, 3 bold, 4 double height, 5 double width, 7 underline).
    PrintMode(u8),
    /// GS ! n: width and height multipliers.
    Size {
        /// 1–8.
        width: u8,
        /// 1–8.
        height: u8,
    },
    /// ESC M n.
    Font(u8),
    /// ESC 3 n (Some) / ESC 2 (None).
    LineSpacing(Option<u8>),
    /// ESC d n.
    FeedLines(u8),
    /// ESC J n.
    FeedDots(u8),
    /// FS & (true) / FS . (false).
    ChineseMode(bool),
    /// ESC t n.
    CodePage(u8),
    /// GS ( k … cn=0x31: QR model / size / EC / store / print.
    Qr(QrCommand),
    /// GS v 0: raster image.
    Raster {
        /// Mode (bit 0 double width, bit 1 double height).
        mode: u8,
        /// Bytes per row.
        x_bytes: usize,
        /// Rows.
        rows: usize,
        /// Packed rows.
        data: Vec<u8>,
    },
    /// GS h n.
    BarcodeHeight(u8),
    /// GS w n.
    BarcodeWidth(u8),
    /// GS H n.
    BarcodeHri(u8),
    /// GS k: print a barcode (system m, data).
    Barcode {
        /// Barcode system byte.
        system: u8,
        /// The data bytes (for CODE128 including the `{B` selector).
        data: Vec<u8>,
    },
    /// GS V: cut.
    Cut {
        /// m.
        mode: u8,
        /// n, for the feed variants.
        feed: u8,
    },
    /// DLE EOT n: real-time status request.
    RealtimeStatus(u8),
    /// DLE ENQ n: real-time recovery.
    RealtimeRecover(u8),
    /// GS r n: transmit status (after preceding data).
    TransmitStatus(u8),
    /// GS a n: Automatic Status Back enable mask.
    AutoStatusBack(u8),
    /// A known command the emulator does not draw (code page, margins, …).
    Skipped(Vec<u8>),
    /// An unknown or malformed command; the bytes are dropped (a lint).
    Unknown(Vec<u8>),
}

/// QR sub-commands of `GS ( k`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrCommand {
    /// fn 165.
    Model(u8),
    /// fn 167.
    ModuleSize(u8),
    /// fn 169: 48–51 for L, M, Q, H.
    ErrorCorrection(u8),
    /// fn 180: store data.
    Store(Vec<u8>),
    /// fn 181: print the stored symbol.
    Print,
    /// Any other function of the QR or another 2-D symbol.
    Other(Vec<u8>),
}

/// The streaming parser.
#[derive(Debug, Default)]
pub struct Parser {
    pending: VecDeque<u8>,
}

enum Step {
    Done(Command, usize),
    NeedMore,
}

impl Parser {
    /// A parser with nothing pending.
    pub fn new() -> Self {
        Parser::default()
    }

    /// Bytes waiting for the rest of their command.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// Feeds bytes; returns every command completed by them.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Command> {
        self.pending.extend(bytes);
        let mut out = Vec::new();
        loop {
            let buf = self.pending.make_contiguous();
            if buf.is_empty() {
                break;
            }
            match parse_one(buf) {
                Step::Done(cmd, used) => {
                    self.pending.drain(..used.max(1));
                    out.push(cmd);
                }
                Step::NeedMore => break,
            }
        }
        out
    }
}

fn byte(buf: &[u8], i: usize) -> Option<u8> {
    buf.get(i).copied()
}

/// Takes `n` bytes as a command, or asks for more.
fn fixed(buf: &[u8], n: usize, f: impl FnOnce(&[u8]) -> Command) -> Step {
    if buf.len() < n {
        Step::NeedMore
    } else {
        Step::Done(f(&buf[..n]), n)
    }
}

fn parse_one(buf: &[u8]) -> Step {
    let b0 = buf[0];
    match b0 {
        0x0A => Step::Done(Command::LineFeed, 1),
        0x10 => parse_dle(buf),
        0x1B => parse_esc(buf),
        0x1C => parse_fs(buf),
        0x1D => parse_gs(buf),
        0x00..=0x1F => Step::Done(Command::Ignored(b0), 1),
        _ => {
            let end = buf.iter().position(|b| *b < 0x20).unwrap_or(buf.len());
            Step::Done(Command::Text(buf[..end].to_vec()), end)
        }
    }
}

fn parse_dle(buf: &[u8]) -> Step {
    match byte(buf, 1) {
        None => Step::NeedMore,
        Some(0x04) => fixed(buf, 3, |b| Command::RealtimeStatus(b[2])),
        Some(0x05) => fixed(buf, 3, |b| Command::RealtimeRecover(b[2])),
        Some(0x14) => fixed(buf, 5, |b| Command::Skipped(b.to_vec())),
        Some(_) => Step::Done(Command::Unknown(vec![0x10]), 1),
    }
}

fn parse_esc(buf: &[u8]) -> Step {
    let Some(b1) = byte(buf, 1) else {
        return Step::NeedMore;
    };
    match b1 {
        b'@' => Step::Done(Command::Init, 2),
        b'2' => Step::Done(Command::LineSpacing(None), 2),
        b'a' => fixed(buf, 3, |b| {
            Command::Align(match b[2] & 0x0F {
                1 => 1,
                2 => 2,
                _ => 0,
            })
        }),
        b'E' | b'G' => fixed(buf, 3, |b| Command::Bold(b[2] & 1 == 1)),
        b'-' => fixed(buf, 3, |b| Command::Underline(b[2] & 0x03)),
        b'!' => fixed(buf, 3, |b| Command::PrintMode(b[2])),
        b'M' => fixed(buf, 3, |b| Command::Font(b[2] & 1)),
        b'3' => fixed(buf, 3, |b| Command::LineSpacing(Some(b[2]))),
        b'd' => fixed(buf, 3, |b| Command::FeedLines(b[2])),
        b'J' => fixed(buf, 3, |b| Command::FeedDots(b[2])),
        b't' => fixed(buf, 3, |b| Command::CodePage(b[2])),
        b'R' | b' ' | b'V' | b'{' | b'c' | b'r' | b'U' | b'S' | b'T' | b'=' | b'%' => {
            fixed(buf, 3, |b| Command::Skipped(b.to_vec()))
        }
        b'$' | b'\\' => fixed(buf, 4, |b| Command::Skipped(b.to_vec())),
        b'p' => fixed(buf, 5, |b| Command::Skipped(b.to_vec())),
        b'i' | b'm' => fixed(buf, 2, |b| Command::Cut {
            mode: if b[1] == b'i' { 0 } else { 1 },
            feed: 0,
        }),
        b'D' => {
            // Tab stops: up to 32 bytes, ended by NUL.
            match buf.iter().skip(2).take(33).position(|b| *b == 0) {
                Some(p) => Step::Done(Command::Skipped(buf[..p + 3].to_vec()), p + 3),
                None if buf.len() >= 35 => Step::Done(Command::Unknown(buf[..2].to_vec()), 2),
                None => Step::NeedMore,
            }
        }
        b'*' => {
            let (Some(m), Some(nl), Some(nh)) = (byte(buf, 2), byte(buf, 3), byte(buf, 4)) else {
                return Step::NeedMore;
            };
            let cols = usize::from(nl) | usize::from(nh) << 8;
            let len = if m >= 32 { cols * 3 } else { cols };
            fixed(buf, 5 + len, |b| Command::Skipped(b.to_vec()))
        }
        _ => Step::Done(Command::Unknown(buf[..2].to_vec()), 2),
    }
}

fn parse_fs(buf: &[u8]) -> Step {
    let Some(b1) = byte(buf, 1) else {
        return Step::NeedMore;
    };
    match b1 {
        b'&' => Step::Done(Command::ChineseMode(true), 2),
        b'.' => Step::Done(Command::ChineseMode(false), 2),
        b'!' | b'-' | b'W' | b'C' => fixed(buf, 3, |b| Command::Skipped(b.to_vec())),
        b'S' | b'p' => fixed(buf, 4, |b| Command::Skipped(b.to_vec())),
        _ => Step::Done(Command::Unknown(buf[..2].to_vec()), 2),
    }
}

fn parse_gs(buf: &[u8]) -> Step {
    let Some(b1) = byte(buf, 1) else {
        return Step::NeedMore;
    };
    match b1 {
        b'!' => fixed(buf, 3, |b| Command::Size {
            width: (b[2] >> 4 & 7) + 1,
            height: (b[2] & 7) + 1,
        }),
        b'h' => fixed(buf, 3, |b| Command::BarcodeHeight(b[2])),
        b'w' => fixed(buf, 3, |b| Command::BarcodeWidth(b[2])),
        b'H' => fixed(buf, 3, |b| Command::BarcodeHri(b[2])),
        b'r' => fixed(buf, 3, |b| Command::TransmitStatus(b[2])),
        b'a' => fixed(buf, 3, |b| Command::AutoStatusBack(b[2])),
        b'f' | b'B' | b'b' | b'I' | b'/' => fixed(buf, 3, |b| Command::Skipped(b.to_vec())),
        b'L' | b'W' | b'P' => fixed(buf, 4, |b| Command::Skipped(b.to_vec())),
        b'V' => {
            let Some(m) = byte(buf, 2) else {
                return Step::NeedMore;
            };
            match m {
                0 | 1 | 48 | 49 => Step::Done(Command::Cut { mode: m, feed: 0 }, 3),
                65 | 66 | 97 | 98 | 103 | 104 => fixed(buf, 4, |b| Command::Cut {
                    mode: m,
                    feed: b[3],
                }),
                _ => Step::Done(Command::Unknown(buf[..3].to_vec()), 3),
            }
        }
        b'(' => parse_gs_paren(buf),
        b'v' => parse_raster(buf),
        b'k' => parse_barcode(buf),
        _ => Step::Done(Command::Unknown(buf[..2].to_vec()), 2),
    }
}

fn parse_gs_paren(buf: &[u8]) -> Step {
    let (Some(family), Some(pl), Some(ph)) = (byte(buf, 2), byte(buf, 3), byte(buf, 4)) else {
        return Step::NeedMore;
    };
    let len = usize::from(pl) | usize::from(ph) << 8;
    if buf.len() < 5 + len {
        return Step::NeedMore;
    }
    let body = &buf[5..5 + len];
    let cmd = if family == b'k' && body.len() >= 2 && body[0] == 0x31 {
        Command::Qr(match (body[1], body.get(2)) {
            (0x41, Some(n1)) => QrCommand::Model(*n1),
            (0x43, Some(n)) => QrCommand::ModuleSize(*n),
            (0x45, Some(n)) => QrCommand::ErrorCorrection(*n),
            (0x50, Some(_)) => QrCommand::Store(body[3..].to_vec()),
            (0x51, _) => QrCommand::Print,
            _ => QrCommand::Other(body.to_vec()),
        })
    } else {
        Command::Skipped(buf[..5 + len].to_vec())
    };
    Step::Done(cmd, 5 + len)
}

fn parse_raster(buf: &[u8]) -> Step {
    if buf.len() < 8 {
        return Step::NeedMore;
    }
    if buf[2] != b'0' && buf[2] != 0 {
        return Step::Done(Command::Unknown(buf[..3].to_vec()), 3);
    }
    let x_bytes = usize::from(buf[4]) | usize::from(buf[5]) << 8;
    let rows = usize::from(buf[6]) | usize::from(buf[7]) << 8;
    let len = x_bytes * rows;
    if len > MAX_RASTER_BYTES || x_bytes > 512 {
        // Too big to be real: drop the header and resynchronise on what follows.
        return Step::Done(Command::Unknown(buf[..8].to_vec()), 8);
    }
    fixed(buf, 8 + len, |b| Command::Raster {
        mode: b[3] & 3,
        x_bytes,
        rows,
        data: b[8..].to_vec(),
    })
}

fn parse_barcode(buf: &[u8]) -> Step {
    let Some(m) = byte(buf, 2) else {
        return Step::NeedMore;
    };
    if m <= 6 {
        // Function A: data ends with NUL, at most 255 bytes.
        return match buf.iter().skip(3).take(256).position(|b| *b == 0) {
            Some(p) => Step::Done(
                Command::Barcode {
                    system: m,
                    data: buf[3..3 + p].to_vec(),
                },
                p + 4,
            ),
            None if buf.len() >= 3 + 256 => Step::Done(Command::Unknown(buf[..3].to_vec()), 3),
            None => Step::NeedMore,
        };
    }
    let Some(n) = byte(buf, 3) else {
        return Step::NeedMore;
    };
    let len = usize::from(n);
    fixed(buf, 4 + len, |b| Command::Barcode {
        system: m,
        data: b[4..].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::printer::codec::{Align, Cut, Encoder, QrEc};
    use crate::printer::raster::Bitmap;

    #[test]
    fn parses_what_the_encoder_writes_even_one_byte_at_a_time() {
        let mut e = Encoder::new();
        let mut img = Bitmap::new(16, 3);
        img.set(0, 0, true);
        e.init()
            .chinese_mode(true)
            .align(Align::Center)
            .size(2, 2)
            .bold(true);
        e.raw(b"AB").lf().line_spacing(Some(30)).feed_lines(2);
        e.qr_native(b"hi", 4, QrEc::M).unwrap();
        e.raster(&img, 128).code128("X1", 50, 2).unwrap();
        e.cut(Cut::FeedPartial(0))
            .realtime_status(4)
            .transmit_paper_status();
        let bytes = e.into_bytes();
        let whole = Parser::new().feed(&bytes);
        let mut p = Parser::new();
        let mut split = Vec::new();
        for b in &bytes {
            split.extend(p.feed(&[*b]));
        }
        // Text may come out in several pieces when split across reads; merged it is the same.
        let merge = |cmds: Vec<Command>| {
            let mut out: Vec<Command> = Vec::new();
            for c in cmds {
                match (out.last_mut(), c) {
                    (Some(Command::Text(a)), Command::Text(b)) => a.extend(b),
                    (_, c) => out.push(c),
                }
            }
            out
        };
        assert_eq!(merge(whole.clone()), merge(split));
        assert_eq!(p.pending_len(), 0);
        assert!(whole.contains(&Command::Qr(QrCommand::Store(b"hi".to_vec()))));
        assert!(whole.contains(&Command::Size {
            width: 2,
            height: 2
        }));
        assert!(whole.contains(&Command::Cut { mode: 66, feed: 0 }));
        assert!(whole.contains(&Command::Barcode {
            system: 73,
            data: b"{BX1".to_vec()
        }));
        assert!(matches!(
            whole.iter().find(|c| matches!(c, Command::Raster { .. })),
            Some(Command::Raster {
                x_bytes: 2,
                rows: 3,
                ..
            })
        ));
        assert_eq!(whole.last(), Some(&Command::TransmitStatus(1)));
        assert!(!whole.iter().any(|c| matches!(c, Command::Unknown(_))));
    }

    #[test]
    fn oversized_raster_and_unknown_commands_are_dropped_not_buffered() {
        let mut p = Parser::new();
        let cmds = p.feed(&[
            0x1D, 0x76, 0x30, 0, 0xFF, 0xFF, 0xFF, 0xFF, b'A', 0x1B, 0x7F, b'B',
        ]);
        assert!(matches!(cmds[0], Command::Unknown(_)));
        assert_eq!(cmds[1], Command::Text(b"A".to_vec()));
        assert!(matches!(cmds[2], Command::Unknown(_)));
        assert_eq!(cmds[3], Command::Text(b"B".to_vec()));
        assert_eq!(p.pending_len(), 0);
    }

    #[test]
    fn an_incomplete_command_waits_for_more() {
        let mut p = Parser::new();
        assert!(p.feed(&[0x1D, 0x28, 0x6B, 0x05]).is_empty());
        assert_eq!(p.pending_len(), 4);
    }
}
