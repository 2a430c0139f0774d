//! Reads the RIFF/WAVE files a speech program writes (PCM, 16-bit, mono or stereo) into a
//! [`Clip`]. espeak-ng writing to a pipe cannot go back to fill in the sizes, so a data chunk
//! whose size is 0 or runs past the end is read to the end of the file.

use super::Clip;

/// Why a WAV file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WavError {
    /// Not a RIFF/WAVE file.
    #[error("not a WAV file (no RIFF/WAVE header)")]
    NotWav,
    /// A WAV file this reader does not take.
    #[error("unsupported WAV: {0}; expected 16-bit PCM, mono or stereo")]
    Unsupported(String),
    /// The file ends before its format or data.
    #[error("the WAV file is cut short ({0})")]
    Truncated(&'static str),
}

/// Reads 16-bit PCM WAV bytes; stereo is mixed down to mono.
pub fn read(bytes: &[u8]) -> Result<Clip, WavError> {
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(WavError::NotWav);
    }
    let mut at = 12;
    let mut format: Option<(u16, u16, u32, u16)> = None;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let size = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]]);
        let body = at + 8;
        if id == b"fmt " {
            let end = body + 16;
            if end > bytes.len() {
                return Err(WavError::Truncated("format chunk"));
            }
            let f = &bytes[body..end];
            format = Some((
                u16::from_le_bytes([f[0], f[1]]),
                u16::from_le_bytes([f[2], f[3]]),
                u32::from_le_bytes([f[4], f[5], f[6], f[7]]),
                u16::from_le_bytes([f[14], f[15]]),
            ));
        } else if id == b"data" {
            let (tag, channels, rate, bits) =
                format.ok_or(WavError::Truncated("no format before the data"))?;
            // 1 = PCM; 0xFFFE (extensible) carries PCM too when 16-bit.
            if !(tag == 1 || tag == 0xFFFE) || bits != 16 {
                return Err(WavError::Unsupported(format!(
                    "format tag {tag}, {bits} bits"
                )));
            }
            if !(channels == 1 || channels == 2) || rate == 0 {
                return Err(WavError::Unsupported(format!(
                    "{channels} channels at {rate} Hz"
                )));
            }
            let declared = size as usize;
            let end = if declared == 0 || body.saturating_add(declared) > bytes.len() {
                bytes.len()
            } else {
                body + declared
            };
            let data = &bytes[body..end];
            let frame = 2 * usize::from(channels);
            let samples = data
                .chunks_exact(frame)
                .map(|f| {
                    if channels == 1 {
                        i16::from_le_bytes([f[0], f[1]])
                    } else {
                        let l = i32::from(i16::from_le_bytes([f[0], f[1]]));
                        let r = i32::from(i16::from_le_bytes([f[2], f[3]]));
                        ((l + r) / 2) as i16
                    }
                })
                .collect();
            return Ok(Clip { rate, samples });
        }
        // Chunks are padded to an even length.
        let skip = (size as usize).saturating_add(size as usize & 1);
        at = match body.checked_add(skip) {
            Some(next) => next,
            None => break,
        };
    }
    Err(WavError::Truncated("no data chunk"))
}

/// A 16-bit PCM mono WAV file of a clip (for recordings and tests).
pub fn write(clip: &Clip) -> Vec<u8> {
    let data_len = (clip.samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&clip.rate.to_le_bytes());
    out.extend_from_slice(&(clip.rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in &clip.samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_clip_reads_back() {
        let beep = Clip::tone(660, 200, 16_000);
        assert_eq!(read(&write(&beep)), Ok(beep));
    }

    #[test]
    fn a_streamed_wav_with_unknown_sizes_reads_to_the_end() {
        let beep = Clip::tone(660, 200, 22_050);
        let mut bytes = write(&beep);
        // What a program writing to a pipe leaves: sizes it could not fill in.
        bytes[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        bytes[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(read(&bytes), Ok(beep));
    }

    #[test]
    fn stereo_is_mixed_to_mono_and_odd_formats_are_refused() {
        let mut bytes = write(&Clip {
            rate: 8_000,
            samples: vec![1000, 3000, -2000, 0],
        });
        bytes[22] = 2; // two channels: the four samples are two frames
        assert_eq!(read(&bytes).map(|c| c.samples), Ok(vec![2000, -1000]));
        bytes[34] = 8; // 8-bit
        assert!(matches!(read(&bytes), Err(WavError::Unsupported(_))));
        assert_eq!(read(b"RIFF....AVI "), Err(WavError::NotWav));
        assert_eq!(
            read(b"RIFF\0\0\0\0WAVE"),
            Err(WavError::Truncated("no data chunk"))
        );
    }
}
