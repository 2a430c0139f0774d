//! SAM frame layer: `AA AA AA 96 69`, big-endian LEN, body, XOR checksum.
//!
//! Both directions share this framing; only the meaning of the body differs (CMD PARA DATA
//! from the host, SW1 SW2 SW3 DATA from the reader). [`FrameDecoder`] is the streaming side:
//! it hunts for the preamble, skips garbage, and reports "incomplete" as `Ok(None)`.

use bytes::{Buf, BytesMut};

use super::error::IdCardError;

/// The five bytes that open every frame: three sync bytes and the `96 69` start mark.
pub const PREAMBLE: [u8; 5] = [0xAA, 0xAA, 0xAA, 0x96, 0x69];

/// Bytes before the body: preamble + 2-byte LEN.
pub const HEADER_LEN: usize = 7;

/// The largest LEN the decoder accepts. The biggest real answer (read base message with two
/// fingerprint templates) has LEN 0x090A = 2314; anything far above is garbage, and waiting
/// for it would stall the link.
pub const MAX_LEN: usize = 4096;

/// Smallest LEN of a valid frame: two body bytes (a command's CMD PARA) plus the checksum.
/// Responses need four (SW1 SW2 SW3 CHK); that is checked one layer up.
pub const MIN_LEN: usize = 3;

/// XOR of the given bytes; the frame checksum is the XOR of LEN and body.
pub fn xor(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |acc, b| acc ^ b)
}

/// Builds a whole frame around `body` (CMD PARA DATA, or SW1 SW2 SW3 DATA).
///
/// Bodies longer than [`MAX_LEN`] − 1 cannot be framed; callers only pass fixed small
/// commands or simulator answers, so this truncates rather than fails (see the debug assert).
pub fn encode_frame(body: &[u8]) -> Vec<u8> {
    debug_assert!(body.len() < MAX_LEN, "frame body too long");
    let len = (body.len() + 1).min(u16::MAX as usize) as u16;
    let mut out = Vec::with_capacity(HEADER_LEN + body.len() + 1);
    out.extend_from_slice(&PREAMBLE);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(body);
    out.push(xor(&out[5..]));
    out
}

/// One frame off the wire with a good checksum: its body without LEN and checksum.
/// Debug shows only the first three bytes (command or status), never card data.
#[derive(Clone, PartialEq, Eq)]
pub struct RawFrame {
    /// CMD PARA DATA (host → reader) or SW1 SW2 SW3 DATA (reader → host).
    pub body: Vec<u8>,
}

impl std::fmt::Debug for RawFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let head = &self.body[..self.body.len().min(3)];
        write!(
            f,
            "RawFrame({head:02X?} + {} bytes)",
            self.body.len() - head.len()
        )
    }
}

/// Streaming frame decoder with resynchronisation on the preamble.
///
/// Feed it bytes as they arrive (`buffer.extend_from_slice`), then call [`decode`] until it
/// returns `Ok(None)` ("need more bytes"). Garbage before a preamble is dropped and counted
/// in [`skipped`]; a frame whose checksum fails is consumed and reported as
/// [`IdCardError::Checksum`] so the caller can answer SW3 0x10 or retry.
///
/// [`decode`]: FrameDecoder::decode
/// [`skipped`]: FrameDecoder::skipped
#[derive(Debug, Default)]
pub struct FrameDecoder {
    skipped: u64,
}

impl FrameDecoder {
    /// A decoder that has skipped nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Garbage bytes dropped so far while hunting for a preamble.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Takes one frame from the front of `buf`, if a whole one is there.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<RawFrame>, IdCardError> {
        loop {
            // Drop everything before the first possible preamble start.
            match find_preamble(buf) {
                PreambleAt::Found(at) => self.skip(buf, at),
                PreambleAt::Partial(at) => {
                    // A prefix of the preamble sits at the end: keep it, wait for more.
                    self.skip(buf, at);
                    return Ok(None);
                }
                PreambleAt::None => {
                    let n = buf.len();
                    self.skip(buf, n);
                    return Ok(None);
                }
            }
            if buf.len() < HEADER_LEN {
                return Ok(None);
            }
            let len = usize::from(u16::from_be_bytes([buf[5], buf[6]]));
            if !(MIN_LEN..=MAX_LEN).contains(&len) {
                // Not a frame after all (garbage that happened to contain the preamble):
                // drop one byte and hunt again.
                self.skip(buf, 1);
                continue;
            }
            if buf.len() < HEADER_LEN + len {
                return Ok(None);
            }
            let frame = buf.split_to(HEADER_LEN + len);
            let computed = xor(&frame[5..frame.len() - 1]);
            let found = frame[frame.len() - 1];
            if computed != found {
                return Err(IdCardError::Checksum { computed, found });
            }
            return Ok(Some(RawFrame {
                body: frame[HEADER_LEN..frame.len() - 1].to_vec(),
            }));
        }
    }

    fn skip(&mut self, buf: &mut BytesMut, n: usize) {
        self.skipped += n as u64;
        buf.advance(n);
    }
}

enum PreambleAt {
    Found(usize),
    Partial(usize),
    None,
}

fn find_preamble(buf: &[u8]) -> PreambleAt {
    if let Some(at) = buf.windows(PREAMBLE.len()).position(|w| w == PREAMBLE) {
        return PreambleAt::Found(at);
    }
    // Longest suffix of buf that is a proper prefix of the preamble.
    let start = buf.len().saturating_sub(PREAMBLE.len() - 1);
    for at in start..buf.len() {
        if PREAMBLE.starts_with(&buf[at..]) {
            return PreambleAt::Partial(at);
        }
    }
    PreambleAt::None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8]) -> (Vec<Result<RawFrame, IdCardError>>, FrameDecoder) {
        let mut dec = FrameDecoder::new();
        let mut buf = BytesMut::from(bytes);
        let mut out = Vec::new();
        loop {
            match dec.decode(&mut buf) {
                Ok(Some(f)) => out.push(Ok(f)),
                Ok(None) => break,
                Err(e) => out.push(Err(e)),
            }
        }
        (out, dec)
    }

    #[test]
    fn encodes_the_status_check_frame_of_the_reference() {
        assert_eq!(
            encode_frame(&[0x11, 0xFF]),
            [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x11, 0xFF, 0xED]
        );
    }

    #[test]
    fn decodes_a_frame_fed_one_byte_at_a_time() {
        let frame = encode_frame(&[0x00, 0x00, 0x9F, 0, 0, 0, 0]);
        let mut dec = FrameDecoder::new();
        let mut buf = BytesMut::new();
        for (i, b) in frame.iter().enumerate() {
            buf.extend_from_slice(&[*b]);
            let got = dec.decode(&mut buf).unwrap();
            if i + 1 < frame.len() {
                assert_eq!(got, None, "frame complete too early at byte {i}");
            } else {
                assert_eq!(got.unwrap().body, vec![0x00, 0x00, 0x9F, 0, 0, 0, 0]);
            }
        }
        assert!(buf.is_empty());
        assert_eq!(dec.skipped(), 0);
    }

    #[test]
    fn resynchronises_after_garbage_and_counts_it() {
        let mut bytes = vec![0x01, 0xAA, 0xAA, 0x96, 0x13, 0xFF];
        bytes.extend(encode_frame(&[0x00, 0x00, 0x90]));
        bytes.extend([0xAA, 0x55]);
        bytes.extend(encode_frame(&[0x00, 0x00, 0x80]));
        let (frames, dec) = decode_all(&bytes);
        let bodies: Vec<_> = frames.into_iter().map(|f| f.unwrap().body).collect();
        assert_eq!(bodies, vec![vec![0, 0, 0x90], vec![0, 0, 0x80]]);
        assert_eq!(dec.skipped(), 8);
    }

    #[test]
    fn a_bad_checksum_is_an_error_and_the_next_frame_still_decodes() {
        let mut bad = encode_frame(&[0x00, 0x00, 0x90]);
        let last = bad.len() - 1;
        bad[last] ^= 0x01;
        bad.extend(encode_frame(&[0x00, 0x00, 0x91]));
        let (frames, _) = decode_all(&bad);
        assert!(matches!(frames[0], Err(IdCardError::Checksum { .. })));
        assert_eq!(frames[1].as_ref().unwrap().body, vec![0, 0, 0x91]);
    }

    #[test]
    fn an_absurd_length_is_skipped_not_waited_for() {
        let mut bytes = PREAMBLE.to_vec();
        bytes.extend([0xFF, 0xFF, 0x00]);
        bytes.extend(encode_frame(&[0x00, 0x00, 0x90]));
        let (frames, _) = decode_all(&bytes);
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].as_ref().unwrap().body, vec![0, 0, 0x90]);
    }

    #[test]
    fn keeps_a_partial_preamble_at_the_end() {
        let mut dec = FrameDecoder::new();
        let mut buf = BytesMut::from(&[0x42, 0xAA, 0xAA][..]);
        assert_eq!(dec.decode(&mut buf).unwrap(), None);
        assert_eq!(&buf[..], &[0xAA, 0xAA]);
        assert_eq!(dec.skipped(), 1);
    }
}
