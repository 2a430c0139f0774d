//! Health checks, UnifiedPOS `checkHealth` style, at two levels per device:
//!
//! - `internal`: nothing moves. The printer is asked for its status now (DLE EOT); the
//!   reader's SAM is asked for its status now (`11 FF`, through the reader's runner, see
//!   [`super::health_reader`]); a scanner cannot be asked anything without scanning, so
//!   its port being open and read is what is checked.
//! - `external`: the device does real work. The printer prints a test receipt and must
//!   confirm it; the reader waits for a card to be placed and read; the scanner waits for
//!   a code. Each waits at most the given time.
//!
//! Each result is recorded in the device's `last_health_check` and published. These are
//! what `kioskctl selftest [DEVICE] [--external]` calls through the admin socket.

use std::time::{Duration, SystemTime};

use kiosk_drivers::printer::sample;
use kiosk_drivers::status::{ClassStatus, DeviceClass, DeviceState, HealthCheck, HealthCheckLevel};
use tokio::sync::broadcast::error::RecvError;

use super::event::ManagerEvent;
use super::idcard::ReaderRequest;
use super::manager::DeviceManager;

pub(super) fn result(
    level: HealthCheckLevel,
    passed: bool,
    text: impl Into<String>,
) -> HealthCheck {
    HealthCheck {
        level,
        passed,
        text: text.into(),
        at: SystemTime::now(),
    }
}

impl DeviceManager {
    /// Runs one health check on one device, records it in the device's status and
    /// returns it. `wait` bounds the external checks' wait for a card or a scan.
    pub async fn check_health(
        &self,
        class: DeviceClass,
        level: HealthCheckLevel,
        wait: Duration,
    ) -> HealthCheck {
        let status = self.status(class);
        if status.state == DeviceState::NoDevice {
            // Not recorded: a device that is not fitted has no health to track.
            return result(
                level,
                false,
                format!("the {class} is not fitted on this kiosk (configured `none`)"),
            );
        }
        let check = match (class, level) {
            (DeviceClass::ReceiptPrinter, HealthCheckLevel::Internal) => {
                self.printer_internal().await
            }
            (DeviceClass::ReceiptPrinter, HealthCheckLevel::External) => {
                self.printer_external().await
            }
            (DeviceClass::IdCardReader, HealthCheckLevel::Internal) => self.reader_internal().await,
            (DeviceClass::IdCardReader, HealthCheckLevel::External) => {
                self.reader_external(wait).await
            }
            (DeviceClass::Scanner, HealthCheckLevel::Internal) => scanner_internal(&status),
            (DeviceClass::Scanner, HealthCheckLevel::External) => self.scanner_external(wait).await,
            // The tone is the whole check: the technician hears it, ALSA must take it whole.
            (DeviceClass::Audio, _) => self.audio_tone(level).await,
            // Open and one frame: the camera answers and its frames decode.
            (DeviceClass::Camera, _) => self.camera_one_frame(level).await,
            (DeviceClass::A4Printer, HealthCheckLevel::Internal) => self.a4_internal().await,
            (DeviceClass::A4Printer, HealthCheckLevel::External) => self.a4_external().await,
        };
        self.hub.health_check(class, check.clone());
        check
    }

    /// Runs the checks `kioskctl selftest` asks for: one device or every fitted device,
    /// internal, or external too (`external`: the internal check first, then the external).
    pub async fn selftest(
        &self,
        device: Option<DeviceClass>,
        external: bool,
        wait: Duration,
    ) -> Vec<(DeviceClass, HealthCheck)> {
        let classes: Vec<DeviceClass> = match device {
            Some(c) => vec![c],
            None => DeviceClass::ALL
                .into_iter()
                .filter(|c| self.status(*c).state != DeviceState::NoDevice)
                .collect(),
        };
        let mut out = Vec::new();
        for class in classes {
            let internal = self
                .check_health(class, HealthCheckLevel::Internal, wait)
                .await;
            let go_on = internal.passed;
            out.push((class, internal));
            // The loudspeaker's tone is its only check: not played twice.
            if external && go_on && !matches!(class, DeviceClass::Audio | DeviceClass::Camera) {
                let check = self
                    .check_health(class, HealthCheckLevel::External, wait)
                    .await;
                out.push((class, check));
            }
        }
        out
    }

    /// The camera's check: one preview frame taken and decoded on its thread.
    async fn camera_one_frame(&self, level: HealthCheckLevel) -> HealthCheck {
        let camera = self.camera.clone();
        let name = self.status(DeviceClass::Camera).identity.connection;
        let taken = tokio::task::spawn_blocking(move || camera.frame()).await;
        match taken {
            Ok(Ok(frame)) => result(
                level,
                true,
                format!(
                    "took a {}x{} preview frame from {name}",
                    frame.width(),
                    frame.height()
                ),
            ),
            Ok(Err(e)) => result(level, false, format!("the camera gave no frame: {e}")),
            Err(e) => result(
                level,
                false,
                format!("the camera check's thread failed: {e}"),
            ),
        }
    }

    /// A 0.6 s, 880 Hz tone at the configured volume, which the technician hears (and ALSA
    /// must take whole). Recorded like the other devices' checks.
    async fn audio_tone(&self, level: HealthCheckLevel) -> HealthCheck {
        let Some((pcm, volume)) = self.audio.clone() else {
            return result(
                level,
                false,
                "no loudspeaker configured ([devices.audio] pcm = \"none\")",
            );
        };
        let played = tokio::task::spawn_blocking(move || {
            let tone = kiosk_drivers::audio::Clip::tone(880, 600, 22_050).at_volume(volume);
            kiosk_drivers::audio::Speaker::new(&pcm)
                .play(&tone, &std::sync::atomic::AtomicBool::new(false))
                .map(|p| (p, pcm))
        })
        .await;
        let reporter = self.audio_reporter();
        match played {
            Ok(Ok((p, pcm))) => {
                reporter.opened();
                result(
                    level,
                    true,
                    format!(
                        "played a 880 Hz tone for {} ms on {pcm} at {volume} %",
                        p.frames as u64 * 1000 / u64::from(p.rate.max(1))
                    ),
                )
            }
            Ok(Err(e)) => {
                reporter.failed(&e.to_string());
                result(level, false, format!("the loudspeaker did not play: {e}"))
            }
            Err(e) => result(level, false, format!("the tone's thread failed: {e}")),
        }
    }

    async fn a4_internal(&self) -> HealthCheck {
        let level = HealthCheckLevel::Internal;
        match self.a4.refresh().await {
            Ok(s) if s.state.is_usable() => result(
                level,
                true,
                format!("A4 printer answered: {}{}", s.state, a4_detail(&s)),
            ),
            Ok(s) => result(
                level,
                false,
                format!(
                    "A4 printer answered but cannot print: {}{}",
                    s.state,
                    a4_detail(&s)
                ),
            ),
            Err(e) => result(level, false, format!("no state from the A4 printer: {e}")),
        }
    }

    async fn a4_external(&self) -> HealthCheck {
        let level = HealthCheckLevel::External;
        let connection = self.status(DeviceClass::A4Printer).identity.connection;
        let page =
            sample::test_receipt_at(&self.kiosk_id, &self.hall_name, &self.location, &connection);
        match self.a4.print_receipt(&page, "A4 test page").await {
            Ok(job) => result(
                level,
                true,
                format!("A4 test page printed: job {} completed", job.job_id),
            ),
            Err(e) => result(level, false, format!("A4 test page not printed: {e}")),
        }
    }

    async fn printer_internal(&self) -> HealthCheck {
        let level = HealthCheckLevel::Internal;
        match self.printer.query_status().await {
            Ok(s) if s.is_ready() => result(level, true, format!("printer answered: {s}")),
            Ok(s) => result(
                level,
                false,
                format!("printer answered but cannot print: {s}"),
            ),
            Err(e) => result(level, false, format!("no status from the printer: {e}")),
        }
    }

    async fn printer_external(&self) -> HealthCheck {
        let level = HealthCheckLevel::External;
        let connection = self.status(DeviceClass::ReceiptPrinter).identity.connection;
        let receipt =
            sample::test_receipt_at(&self.kiosk_id, &self.hall_name, &self.location, &connection);
        match self.printer.print(receipt).await {
            Ok(done) => result(
                level,
                true,
                format!(
                    "test receipt printed and confirmed; printer: {}",
                    done.status
                ),
            ),
            Err(e) => result(level, false, format!("test receipt not printed: {e}")),
        }
    }

    async fn reader_external(&self, wait: Duration) -> HealthCheck {
        let level = HealthCheckLevel::External;
        let mut events = self.subscribe();
        let card_on_reader = matches!(
            self.status(DeviceClass::IdCardReader).detail,
            ClassStatus::IdCardReader {
                card_present: true,
                ..
            }
        );
        if card_on_reader {
            if let Some(tx) = &self.reader_requests {
                let _ = tx.send(ReaderRequest::ReadAgain);
            }
        }
        let outcome = wait_for(&mut events, wait, |e| match e {
            ManagerEvent::CardRead(card) => Some(Ok(card.masked_id_number())),
            ManagerEvent::CardReadFailed { code, message, .. } => {
                Some(Err(format!("{message} [{code}]")))
            }
            _ => None,
        })
        .await;
        match outcome {
            Some(Ok(masked)) => result(level, true, format!("card read ({masked})")),
            Some(Err(why)) => result(
                level,
                false,
                format!("a card was placed but not read: {why}"),
            ),
            None => result(
                level,
                false,
                format!(
                    "no card was read within {} s: place a card on the reader",
                    wait.as_secs()
                ),
            ),
        }
    }

    async fn scanner_external(&self, wait: Duration) -> HealthCheck {
        let level = HealthCheckLevel::External;
        let mut events = self.subscribe();
        let outcome = wait_for(&mut events, wait, |e| match e {
            ManagerEvent::CodeScanned(scan) => Some(Ok(format!(
                "{:?} code of {} characters",
                scan.symbology,
                scan.text.chars().count()
            ))),
            ManagerEvent::ScanRejected(why) => Some(Err(why.to_string())),
            _ => None,
        })
        .await;
        match outcome {
            Some(Ok(what)) => result(level, true, format!("scanned a {what}")),
            Some(Err(why)) => result(level, false, format!("a code came but was refused: {why}")),
            None => result(
                level,
                false,
                format!(
                    "no code was scanned within {} s: scan any QR code",
                    wait.as_secs()
                ),
            ),
        }
    }
}

fn scanner_internal(status: &kiosk_drivers::status::DeviceStatus) -> HealthCheck {
    let level = HealthCheckLevel::Internal;
    if status.state == DeviceState::Online {
        result(
            level,
            true,
            "scanner port open and read (scan a code to test it: --external)",
        )
    } else {
        let last = status
            .last_error
            .as_ref()
            .map(|e| format!("; last error: {}", e.message))
            .unwrap_or_default();
        result(
            level,
            false,
            format!(
                "scanner is {}{last}: check its cable and power (and the port in \
                 [devices.scanner]); the kiosk reconnects by itself",
                status.state
            ),
        )
    }
}

/// Waits for the first event `pick` says something about, at most `wait`.
async fn wait_for<T>(
    events: &mut tokio::sync::broadcast::Receiver<ManagerEvent>,
    wait: Duration,
    mut pick: impl FnMut(&ManagerEvent) -> Option<T>,
) -> Option<T> {
    let search = async {
        loop {
            match events.recv().await {
                Ok(event) => {
                    if let Some(found) = pick(&event) {
                        return Some(found);
                    }
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return None,
            }
        }
    };
    tokio::time::timeout(wait, search).await.ok().flatten()
}

/// The A4 printer's class fields, for a check's text (`; paper low, toner low`).
fn a4_detail(s: &kiosk_drivers::status::DeviceStatus) -> String {
    let ClassStatus::A4Printer {
        paper,
        cover_open,
        toner_low,
        ..
    } = s.detail
    else {
        return String::new();
    };
    let mut parts = vec![format!("paper {}", paper.as_str())];
    if cover_open {
        parts.push("cover open".to_owned());
    }
    if toner_low {
        parts.push("toner low".to_owned());
    }
    format!("; {}", parts.join(", "))
}
