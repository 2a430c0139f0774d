//! The device side of a serial scanner: it frames codes exactly as a configured scanner
//! would (prefix, AIM identifier, text in UTF-8 or GB18030, suffix, terminator) and writes
//! them into a pseudo-terminal, or into any port or writer.
//!
//! [`ScannerSim`] owns a pty pair and a stable symlink to its device end, like udev's
//! `/dev/serial/by-id/…` names. `unplug()` closes the pty (the driver's reads fail, as on a
//! real unplug) and removes the link; `replug()` makes a fresh pty and re-points the link,
//! so a driver that reopens the link finds the "same" scanner again.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serialport::{SerialPort, TTYPort};

use super::codec::{Framing, Symbology};
use super::sanitize::TextEncoding;

/// How a simulated scanner is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannerProfile {
    /// Terminator, prefix and suffix the scanner adds.
    pub framing: Framing,
    /// Whether it sends AIM identifiers before each code.
    pub send_aim: bool,
    /// The encoding it sends text in.
    pub encoding: TextEncoding,
}

impl Default for ScannerProfile {
    fn default() -> Self {
        ScannerProfile {
            framing: Framing::default(),
            send_aim: true,
            encoding: TextEncoding::Utf8,
        }
    }
}

impl ScannerProfile {
    /// The bytes this scanner sends for one code.
    pub fn encode(&self, symbology: Symbology, text: &str) -> Vec<u8> {
        let mut code = Vec::with_capacity(text.len() + 3);
        if self.send_aim {
            if let Some(aim) = symbology.aim() {
                code.extend_from_slice(aim.as_bytes());
            }
        }
        code.extend_from_slice(&self.encoding.encode(text));
        self.framing.encode(&code)
    }

    /// Writes one code to `port` and flushes it.
    pub fn send(&self, port: &mut impl Write, symbology: Symbology, text: &str) -> io::Result<()> {
        port.write_all(&self.encode(symbology, text))?;
        port.flush()
    }
}

/// A simulated serial scanner on a pseudo-terminal, reachable through a stable link.
#[derive(Debug)]
pub struct ScannerSim {
    profile: ScannerProfile,
    link: PathBuf,
    /// The pty's controller side (written to) and device side (kept open so the line
    /// settings survive while no driver has it open).
    pty: Option<(TTYPort, TTYPort)>,
}

impl ScannerSim {
    /// Creates a pty and points `link` at its device end (replacing an existing link).
    pub fn start(link: impl Into<PathBuf>, profile: ScannerProfile) -> io::Result<Self> {
        let mut sim = ScannerSim {
            profile,
            link: link.into(),
            pty: None,
        };
        sim.replug()?;
        Ok(sim)
    }

    /// The stable path drivers open.
    pub fn link(&self) -> &Path {
        &self.link
    }

    /// The pty device the link points to now, if plugged.
    pub fn tty_path(&self) -> Option<PathBuf> {
        let (_, device) = self.pty.as_ref()?;
        device.name().map(PathBuf::from)
    }

    /// Whether the scanner is plugged in.
    pub fn is_plugged(&self) -> bool {
        self.pty.is_some()
    }

    /// The scanner's settings.
    pub fn profile(&self) -> &ScannerProfile {
        &self.profile
    }

    /// Scans a code: sends it framed as the profile says.
    pub fn scan(&mut self, symbology: Symbology, text: &str) -> io::Result<()> {
        let bytes = self.profile.encode(symbology, text);
        self.send_raw(&bytes)
    }

    /// Sends bytes as they are: garbage, half codes, escape sequences, floods.
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        let Some((controller, _)) = self.pty.as_mut() else {
            return Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the simulated scanner is unplugged",
            ));
        };
        controller.write_all(bytes)?;
        controller.flush()
    }

    /// Unplugs: closes the pty (an open driver's next read fails) and removes the link.
    pub fn unplug(&mut self) {
        self.pty = None;
        let _ = std::fs::remove_file(&self.link);
    }

    /// Plugs in again: a fresh pty, the link re-pointed to it atomically.
    pub fn replug(&mut self) -> io::Result<()> {
        self.pty = None;
        let (controller, device) = TTYPort::pair().map_err(io::Error::from)?;
        let target = device
            .name()
            .ok_or_else(|| io::Error::other("the new pty has no device name"))?;
        let tmp = self.link.with_extension("new");
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(&target, &tmp)?;
        std::fs::rename(&tmp, &self.link)?;
        self.pty = Some((controller, device));
        Ok(())
    }
}

impl Drop for ScannerSim {
    fn drop(&mut self) {
        self.unplug();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scanner::codec::FrameEnd;

    #[test]
    fn a_profile_frames_codes_like_a_configured_scanner() {
        let profile = ScannerProfile {
            framing: Framing {
                end: FrameEnd::CrLf,
                prefix: b"\x02".to_vec(),
                suffix: b"#".to_vec(),
                ..Framing::default()
            },
            send_aim: true,
            encoding: TextEncoding::Gb18030,
        };
        let bytes = profile.encode(Symbology::Qr, "中");
        assert_eq!(bytes, b"\x02]Q1\xd6\xd0#\r\n");
        let plain = ScannerProfile {
            send_aim: false,
            ..ScannerProfile::default()
        };
        assert_eq!(plain.encode(Symbology::Qr, "A1"), b"A1\r");
    }

    #[test]
    fn the_link_follows_replugs_and_disappears_on_unplug() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("scanner0");
        let mut sim = ScannerSim::start(&link, ScannerProfile::default()).unwrap();
        let first = std::fs::read_link(&link).unwrap();
        assert_eq!(Some(first.clone()), sim.tty_path());
        sim.unplug();
        assert!(std::fs::symlink_metadata(&link).is_err());
        assert_eq!(
            sim.scan(Symbology::Qr, "x").unwrap_err().kind(),
            io::ErrorKind::NotConnected
        );
        sim.replug().unwrap();
        assert_eq!(std::fs::read_link(&link).unwrap(), sim.tty_path().unwrap());
        assert!(sim.is_plugged());
    }
}
