//! The emulator on a character device that is not a tty: the USB printer gadget
//! (`/dev/g_printer0`, what a host sees as a USB printer) in the HIL guest, or a FIFO.
//! Such a file takes no termios (tcgetattr fails with ENOTTY, "Not a typewriter"), so it is
//! opened as a plain read/write file, non-blocking, and paced by short sleeps the way a
//! serial port's read timeout paces the emulator's loop on a tty.

use std::fs::File;
use std::io::{IsTerminal, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use nix::fcntl::OFlag;

use crate::printer::error::PrinterError;

/// What kind of file the emulator is given with `--port`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortKind {
    /// A terminal (serial port, pty): opened with termios, baud and timeouts.
    Tty,
    /// Anything else that can be read and written (gadget device, FIFO): a plain file.
    Plain,
}

fn open_flags() -> i32 {
    // Non-blocking so a read with nothing to read returns at once; no controlling tty, so
    // opening a terminal to look at it never makes it the process's terminal.
    (OFlag::O_NONBLOCK | OFlag::O_NOCTTY).bits()
}

fn open_rw(path: &Path) -> Result<File, PrinterError> {
    File::options()
        .read(true)
        .write(true)
        .custom_flags(open_flags())
        .open(path)
        .map_err(|e| PrinterError::SerialOpen {
            path: path.display().to_string(),
            kind: crate::ErrorKind::from_io(e.kind()),
            message: e.to_string(),
        })
}

/// Whether `path` is a terminal (opened with termios) or a plain file (opened as is).
pub fn port_kind(path: &Path) -> Result<PortKind, PrinterError> {
    Ok(if open_rw(path)?.is_terminal() {
        PortKind::Tty
    } else {
        PortKind::Plain
    })
}

/// A non-tty link: reads and writes through plain files, with a read that waits at most
/// one tick (like a serial port's timeout) and a write that retries while the device's
/// buffer is full, for at most `write_timeout`.
#[derive(Debug)]
pub struct FileLink {
    read: File,
    write: File,
    /// How long a read with nothing to read waits before it says "timed out".
    pub tick: Duration,
    /// How long a write may wait for room in the device's buffer.
    pub write_timeout: Duration,
}

impl FileLink {
    /// Opens one read/write character device (the gadget), non-blocking.
    pub fn open(path: &Path) -> Result<FileLink, PrinterError> {
        let file = open_rw(path)?;
        let write = file.try_clone().map_err(|e| PrinterError::SerialOpen {
            path: path.display().to_string(),
            kind: crate::ErrorKind::from_io(e.kind()),
            message: e.to_string(),
        })?;
        Ok(FileLink::split(file, write))
    }

    /// A link reading from one file and writing to another (a FIFO pair). Both should be
    /// opened non-blocking.
    pub fn split(read: File, write: File) -> FileLink {
        FileLink {
            read,
            write,
            tick: Duration::from_millis(10),
            write_timeout: Duration::from_secs(2),
        }
    }
}

fn would_block(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted
    )
}

impl Read for FileLink {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let nothing = || std::io::Error::from(std::io::ErrorKind::TimedOut);
        match self.read.read(buf) {
            Ok(n) if n > 0 => return Ok(n),
            // 0: a FIFO without a writer, a gadget without a host. Wait for one.
            Ok(_) => {}
            Err(e) if would_block(&e) => {}
            Err(e) => return Err(e),
        }
        std::thread::sleep(self.tick);
        match self.read.read(buf) {
            Ok(n) if n > 0 => Ok(n),
            Ok(_) => Err(nothing()),
            Err(e) if would_block(&e) => Err(nothing()),
            Err(e) => Err(e),
        }
    }
}

impl Write for FileLink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let deadline = Instant::now() + self.write_timeout;
        loop {
            match self.write.write(buf) {
                Err(e) if would_block(&e) && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err(e) if would_block(&e) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the host did not take the emulator's answer in time",
                    ))
                }
                other => return other,
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.write.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pty_is_a_tty_and_a_fifo_is_a_plain_file() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        assert_eq!(port_kind(&fifo).unwrap(), PortKind::Plain);

        let (_master, slave) = serialport::TTYPort::pair().unwrap();
        let slave_path = serialport::SerialPort::name(&slave).unwrap();
        assert_eq!(port_kind(Path::new(&slave_path)).unwrap(), PortKind::Tty);

        let err = port_kind(&dir.path().join("absent")).unwrap_err();
        assert!(err.to_string().contains("absent"), "{err}");
    }

    #[test]
    fn an_idle_plain_link_reads_as_a_timeout_not_an_end() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        let mut link = FileLink::open(&fifo).unwrap();
        let mut buf = [0u8; 8];
        let err = link.read(&mut buf).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
        link.write_all(b"\x10\x04\x01").unwrap();
        assert_eq!(link.read(&mut buf).unwrap(), 3);
        assert_eq!(&buf[..3], b"\x10\x04\x01");
    }
}
