//! The real hot-plug source: udev's monitor socket (netlink, the events udev re-sends
//! after its rules ran), filtered to the kiosk's subsystems. Kept thin: each event becomes
//! a [`Uevent`] from its properties, and everything else is decided in [`super::hotplug`].

use std::os::fd::AsRawFd;
use std::time::Duration;

use nix::poll::{poll, PollFd, PollFlags};

use super::hotplug::{Uevent, UeventSource, SUBSYSTEMS};

/// udev's monitor socket, listening to [`SUBSYSTEMS`].
pub(crate) struct UdevSource {
    socket: udev::MonitorSocket,
}

impl UdevSource {
    /// Opens the socket; fails where there is no netlink or no udev (some containers).
    pub(crate) fn open() -> std::io::Result<UdevSource> {
        let mut builder = udev::MonitorBuilder::new()?;
        for subsystem in SUBSYSTEMS {
            builder = builder.match_subsystem(subsystem)?;
        }
        Ok(UdevSource {
            socket: builder.listen()?,
        })
    }

    fn take(&self) -> Option<Uevent> {
        let event = self.socket.iter().next()?;
        Some(Uevent::from_properties(|key| {
            event.property_value(key).and_then(|v| v.to_str())
        }))
    }
}

impl UeventSource for UdevSource {
    fn next_event(&mut self, wait: Duration) -> Option<Uevent> {
        if let Some(event) = self.take() {
            return Some(event);
        }
        let mut fds = [PollFd::new(self.socket.as_raw_fd(), PollFlags::POLLIN)];
        let millis = i32::try_from(wait.as_millis()).unwrap_or(i32::MAX);
        match poll(&mut fds, millis) {
            Ok(n) if n > 0 => self.take(),
            Ok(_) => None,
            Err(_) => {
                // EINTR or a broken socket: do not spin.
                std::thread::sleep(wait);
                None
            }
        }
    }
}
