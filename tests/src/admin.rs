//! A kiosk's admin socket held open: one JSON request per line, one answer per line, the
//! protocol `kioskctl` speaks. For tests that drive thousands of touches, where starting a
//! `kioskctl` process per touch would cost more than the kiosk's own work.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

/// An open connection to a kiosk's admin socket.
#[derive(Debug)]
pub struct AdminLink {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

/// Why a request got no answer: the kiosk is gone (killed, restarting) or answered garbage.
#[derive(Debug)]
pub struct LinkLost(pub String);

impl AdminLink {
    /// Connects to the socket at `path`; every read waits at most `timeout`.
    pub fn connect(path: &Path, timeout: Duration) -> Result<AdminLink, LinkLost> {
        let stream = UnixStream::connect(path).map_err(|e| LinkLost(format!("connect: {e}")))?;
        stream
            .set_read_timeout(Some(timeout))
            .map_err(|e| LinkLost(format!("timeout: {e}")))?;
        let writer = stream
            .try_clone()
            .map_err(|e| LinkLost(format!("clone: {e}")))?;
        Ok(AdminLink {
            reader: BufReader::new(stream),
            writer,
        })
    }

    /// Sends one request and returns its answer; an `error` answer is returned as data.
    pub fn request(&mut self, request: &serde_json::Value) -> Result<serde_json::Value, LinkLost> {
        let mut line = request.to_string();
        line.push('\n');
        self.writer
            .write_all(line.as_bytes())
            .map_err(|e| LinkLost(format!("write: {e}")))?;
        let mut answer = String::new();
        match self.reader.read_line(&mut answer) {
            Ok(0) => Err(LinkLost("the kiosk closed the socket".into())),
            Ok(_) => serde_json::from_str(&answer)
                .map_err(|e| LinkLost(format!("not JSON ({e}): {answer}"))),
            Err(e) => Err(LinkLost(format!("read: {e}"))),
        }
    }

    /// The session's state, masked as on screen.
    pub fn show(&mut self) -> Result<serde_json::Value, LinkLost> {
        self.request(&serde_json::json!({ "cmd": "session-show" }))
    }

    /// One touch in words; the session after it.
    pub fn press(&mut self, words: &str) -> Result<serde_json::Value, LinkLost> {
        self.request(&serde_json::json!({ "cmd": "session-press", "words": words }))
    }

    /// An action on the simulated devices.
    pub fn sim(&mut self, words: &str) -> Result<serde_json::Value, LinkLost> {
        self.request(&serde_json::json!({ "cmd": "sim", "words": words }))
    }

    /// The outbox's rows.
    pub fn outbox(&mut self) -> Result<Vec<serde_json::Value>, LinkLost> {
        let answer = self.request(&serde_json::json!({ "cmd": "outbox-list" }))?;
        answer["rows"]
            .as_array()
            .cloned()
            .ok_or_else(|| LinkLost(format!("no rows in {answer}")))
    }

    /// Polls the session every 20 ms until `ok` holds; the state then, or `None` after
    /// `limit` (the last state seen is in the error).
    pub fn wait_show(
        &mut self,
        limit: Duration,
        mut ok: impl FnMut(&serde_json::Value) -> bool,
    ) -> Result<Result<serde_json::Value, serde_json::Value>, LinkLost> {
        let deadline = Instant::now() + limit;
        loop {
            let s = self.show()?;
            if ok(&s) {
                return Ok(Ok(s));
            }
            if Instant::now() >= deadline {
                return Ok(Err(s));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
