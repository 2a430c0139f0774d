//! The device side of a serial scanner: it frames codes exactly as a configured scanner
//! would (prefix, AIM identifier, text in UTF-8 or GB18030, suffix, terminator) and writes
//! them into a pseudo-terminal, or into any port or writer.
//!
//! [`ScannerSim`] owns a pty pair and a stable symlink to its device end, like udev's
//! `/dev/serial/by-id/…` names. `unplug()` closes the pty (the driver's reads fail, as on a
//! real unplug) and removes the link; `replug()` makes a fresh pty and re-points the link,
//! so a driver that reopens the link finds the "same" scanner again.

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::pty::PtyMaster;
use nix::sys::termios::{cfmakeraw, tcgetattr, tcsetattr, SetArg};

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
    pty: Option<Pty>,
    write_timeout: Duration,
}

/// A pseudo-terminal: the controller side the simulator writes to (non-blocking, so a full
/// buffer is a timeout, never a hang) and the device side, kept open in raw mode so the line
/// settings hold while no driver has it open.
#[derive(Debug)]
struct Pty {
    controller: PtyMaster,
    _device: File,
    device_path: PathBuf,
}

impl Pty {
    fn open() -> io::Result<Pty> {
        let controller = nix::pty::posix_openpt(OFlag::O_RDWR | OFlag::O_NOCTTY)?;
        nix::pty::grantpt(&controller)?;
        nix::pty::unlockpt(&controller)?;
        fcntl(controller.as_raw_fd(), FcntlArg::F_SETFL(OFlag::O_NONBLOCK))?;
        let device_path = PathBuf::from(nix::pty::ptsname_r(&controller)?);
        let device = File::options()
            .read(true)
            .write(true)
            .custom_flags(OFlag::O_NOCTTY.bits())
            .open(&device_path)?;
        let mut termios = tcgetattr(device.as_raw_fd())?;
        cfmakeraw(&mut termios);
        tcsetattr(device.as_raw_fd(), SetArg::TCSANOW, &termios)?;
        Ok(Pty {
            controller,
            _device: device,
            device_path,
        })
    }
}

impl ScannerSim {
    /// Creates a pty and points `link` at its device end (replacing an existing link).
    pub fn start(link: impl Into<PathBuf>, profile: ScannerProfile) -> io::Result<Self> {
        let mut sim = ScannerSim {
            profile,
            link: link.into(),
            pty: None,
            write_timeout: Duration::from_secs(2),
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
        self.pty.as_ref().map(|pty| pty.device_path.clone())
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
    ///
    /// A pty holds a few KiB; when nobody reads the port for `write_timeout` this fails with
    /// `TimedOut` instead of blocking forever.
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        let timeout = self.write_timeout;
        let Some(pty) = self.pty.as_mut() else {
            return Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the simulated scanner is unplugged",
            ));
        };
        let mut rest = bytes;
        let mut last_progress = Instant::now();
        while !rest.is_empty() {
            match pty.controller.write(rest) {
                Ok(n) => {
                    rest = &rest[n..];
                    last_progress = Instant::now();
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if last_progress.elapsed() >= timeout {
                        return Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "nobody is reading the scanner port: its buffer stayed full",
                        ));
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Unplugs: closes the pty (an open driver's next read fails) and removes the link.
    pub fn unplug(&mut self) {
        self.pty = None;
        let _ = std::fs::remove_file(&self.link);
    }

    /// Plugs in again: a fresh pty, the link re-pointed to it atomically.
    pub fn replug(&mut self) -> io::Result<()> {
        self.pty = None;
        let pty = Pty::open()?;
        let target = pty.device_path.clone();
        let tmp = self.link.with_extension("new");
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(&target, &tmp)?;
        std::fs::rename(&tmp, &self.link)?;
        self.pty = Some(pty);
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

    #[test]
    fn writing_to_a_port_nobody_reads_times_out_instead_of_hanging() {
        let dir = tempfile::tempdir().unwrap();
        let mut sim = ScannerSim::start(dir.path().join("s"), ScannerProfile::default()).unwrap();
        sim.write_timeout = Duration::from_millis(100);
        let err = sim.send_raw(&vec![b'x'; 1 << 20]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }
}
