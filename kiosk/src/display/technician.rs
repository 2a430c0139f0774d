//! The technicians' side of the screen: the maintenance PIN (6 to 12 digits, as `kioskctl
//! config hash-pin` takes them, then 确定; checked against the salted hash in kiosk.toml;
//! locked after three wrong PINs for 5 min, 30 min, then 2 h, across restarts: see
//! [`super::pin_lockout`]) and the maintenance screen (device status, self-tests,
//! configuration summary).

use std::path::PathBuf;
use std::rc::Rc;
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, SystemTime};

use kiosk_config::pin::PinHash;
use kiosk_drivers::status::DeviceStatus;
use kiosk_ui::generated as ui;
use kiosk_ui::screen::maintenance::{
    apply_maintenance, apply_pin, DeviceLine, MaintenanceVm, PinVm,
};
use kiosk_ui::screen::ScreenId;
use slint::{ComponentHandle, SharedString};

use super::frontend::Frontend;
use super::pin_lockout::{PinLockout, Wrong};

/// The shortest PIN (as `kioskctl config hash-pin` accepts).
pub const MIN_PIN: usize = 6;
/// The longest PIN.
pub const MAX_PIN: usize = 12;

/// Runs a self-test: device label (`idcard`, `printer`, `scanner`, or `all`), answering
/// with one line per check through the sender.
pub type SelftestRunner = Box<dyn Fn(String, Sender<String>) + Send>;

/// The PIN pad and the maintenance screen's state.
pub struct Technician {
    pin: Option<PinHash>,
    typed: zeroize::Zeroizing<String>,
    lockout: PinLockout,
    lockout_file: Option<PathBuf>,
    message: String,
    config: Vec<(String, String)>,
    test_result: String,
    results: (Sender<String>, Receiver<String>),
    runner: Option<SelftestRunner>,
}

impl std::fmt::Debug for Technician {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Technician")
            .field("typed", &self.typed.len())
            .field("lockout", &self.lockout)
            .finish_non_exhaustive()
    }
}

impl Technician {
    /// A technician's side for the PIN hash in the configuration (none: the screen says the
    /// maintenance screen is disabled), the file that keeps wrong PINs and the lockout across
    /// restarts (none: in memory only), and a self-test runner.
    pub fn new(
        pin_hash: Option<&str>,
        lockout_file: Option<PathBuf>,
        config: Vec<(String, String)>,
        runner: Option<SelftestRunner>,
    ) -> Technician {
        let lockout = match &lockout_file {
            Some(path) => PinLockout::load(path).unwrap_or_else(|err| {
                tracing::warn!(%err, "the maintenance PIN's lockout file is damaged; counting it as one lockout served");
                PinLockout::damaged()
            }),
            None => PinLockout::default(),
        };
        Technician {
            pin: pin_hash.and_then(|h| PinHash::parse(h).ok()),
            typed: zeroize::Zeroizing::new(String::new()),
            lockout,
            lockout_file,
            message: String::new(),
            config,
            test_result: String::new(),
            results: std::sync::mpsc::channel(),
            runner,
        }
    }

    /// Forgets the digits typed.
    pub fn clear(&mut self) {
        self.typed.clear();
        self.message.clear();
    }

    fn locked(&self, now: SystemTime) -> Option<Duration> {
        self.lockout.locked(now)
    }

    fn locked_message(left: Duration) -> String {
        format!(
            "已锁定，请 {} 分钟后再试",
            left.as_secs().div_ceil(60).max(1)
        )
    }

    /// A digit (at most [`MAX_PIN`]); the PIN is checked by [`Technician::confirm`].
    pub fn digit(&mut self, d: char, now: SystemTime) {
        if let Some(left) = self.locked(now) {
            self.message = Self::locked_message(left);
            return;
        }
        if self.pin.is_none() {
            self.message = "本机未设置维护密码（ui.maintenance_pin_hash）".into();
            return;
        }
        if d.is_ascii_digit() && self.typed.len() < MAX_PIN {
            self.typed.push(d);
            self.message.clear();
        }
    }

    /// Takes back the last digit.
    pub fn backspace(&mut self) {
        self.typed.pop();
    }

    /// 确定 at `now`: true when the PIN is right. Wrong PINs count towards the lockout,
    /// which is saved at once.
    pub fn confirm(&mut self, now: SystemTime) -> bool {
        if let Some(left) = self.locked(now) {
            self.typed.clear();
            self.message = Self::locked_message(left);
            return false;
        }
        let Some(pin) = &self.pin else {
            self.message = "本机未设置维护密码（ui.maintenance_pin_hash）".into();
            return false;
        };
        if !(MIN_PIN..=MAX_PIN).contains(&self.typed.len()) {
            self.message = format!("维护密码为 {MIN_PIN} 至 {MAX_PIN} 位数字");
            return false;
        }
        let right = pin.verify(&self.typed);
        self.typed.clear();
        if right {
            self.lockout.right();
            self.save_lockout();
            self.message.clear();
            tracing::info!("maintenance screen opened with the PIN");
            return true;
        }
        let wrong = self.lockout.wrong(now);
        self.save_lockout();
        tracing::warn!(?wrong, "wrong maintenance PIN");
        self.message = match wrong {
            Wrong::Locked(length) => {
                format!("密码错误次数过多，已锁定 {} 分钟", length.as_secs() / 60)
            }
            Wrong::TriesLeft(left) => format!("密码错误，还可尝试 {left} 次"),
        };
        false
    }

    fn save_lockout(&self) {
        if let Some(path) = &self.lockout_file {
            if let Err(err) = self.lockout.save(path) {
                tracing::error!(%err, file = %path.display(), "cannot save the maintenance PIN's lockout");
            }
        }
    }

    /// Collects finished self-test lines; true if any arrived.
    pub fn collect(&mut self) -> bool {
        let mut any = false;
        while let Ok(line) = self.results.1.try_recv() {
            if !any {
                self.test_result.clear();
            }
            any = true;
            self.test_result.push_str(&line);
            self.test_result.push('\n');
        }
        any
    }

    /// Draws the PIN pad or the maintenance screen.
    pub fn draw(
        &self,
        app: &ui::AppWindow,
        screen: ScreenId,
        devices: &[DeviceStatus],
        now: SystemTime,
    ) {
        if screen == ScreenId::MaintenancePin {
            let locked = self.locked(now);
            apply_pin(
                app,
                &PinVm {
                    entered: self.typed.len(),
                    // One dot per digit typed, at least the shortest PIN's six.
                    length: self.typed.len().max(MIN_PIN),
                    min_length: MIN_PIN,
                    message: self.message.clone(),
                    locked: locked.is_some(),
                },
            );
            return;
        }
        apply_maintenance(
            app,
            &MaintenanceVm {
                devices: devices
                    .iter()
                    .map(|d| DeviceLine {
                        name: d.class.label().to_owned(),
                        state: d.state.as_str().to_owned(),
                        detail: match &d.last_error {
                            Some(e) => format!("{}  {}", d.identity.connection, e.message),
                            None => d.identity.connection.clone(),
                        },
                        ok: d.state.is_usable(),
                    })
                    .collect(),
                config: self.config.clone(),
                log_lines: vec!["日志：journalctl -u kiosk（技术人员终端）".into()],
                test_result: self.test_result.clone(),
            },
        );
    }
}

/// Wires the PIN pad and the maintenance screen.
pub(super) fn connect(f: &Rc<Frontend>) {
    let pin = f.app.global::<ui::PinAdapter<'_>>();
    let weak = Rc::downgrade(f);
    pin.on_digit(move |d: SharedString| {
        let Some(f) = weak.upgrade() else { return };
        let Some(c) = d.chars().next() else { return };
        f.tech.borrow_mut().digit(c, (f.clock)());
        f.redraw();
    });
    let weak = Rc::downgrade(f);
    pin.on_confirm(move || {
        let Some(f) = weak.upgrade() else { return };
        let open = f.tech.borrow_mut().confirm((f.clock)());
        if open {
            f.local.borrow_mut().technician = Some(ScreenId::Maintenance);
        }
        f.redraw();
    });
    let weak = Rc::downgrade(f);
    pin.on_backspace(move || {
        let Some(f) = weak.upgrade() else { return };
        f.tech.borrow_mut().backspace();
        f.redraw();
    });
    let weak = Rc::downgrade(f);
    pin.on_cancel(move || {
        let Some(f) = weak.upgrade() else { return };
        f.tech.borrow_mut().clear();
        f.local.borrow_mut().technician = None;
        f.redraw();
    });
    let m = f.app.global::<ui::MaintenanceAdapter<'_>>();
    let weak = Rc::downgrade(f);
    m.on_self_test(move |device: SharedString| {
        let Some(f) = weak.upgrade() else { return };
        let mut tech = f.tech.borrow_mut();
        tech.test_result = format!("正在自检 {device} …");
        if let Some(run) = &tech.runner {
            run(device.to_string(), tech.results.0.clone());
        }
        drop(tech);
        f.redraw();
    });
    let weak = Rc::downgrade(f);
    m.on_exit(move || {
        let Some(f) = weak.upgrade() else { return };
        f.tech.borrow_mut().clear();
        f.local.borrow_mut().technician = None;
        f.redraw();
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::display::pin_lockout::{self, LOCKOUTS};
    use std::time::UNIX_EPOCH;

    const PIN: &str = "258046913570"; // twelve digits: the longest `hash-pin` takes

    fn t(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_800_000_000 + secs)
    }

    fn pad(hash: &str, file: &std::path::Path) -> Technician {
        Technician::new(Some(hash), Some(file.to_path_buf()), Vec::new(), None)
    }

    fn enter(tech: &mut Technician, pin: &str, at: u64) -> bool {
        for d in pin.chars() {
            tech.digit(d, t(at));
        }
        tech.confirm(t(at))
    }

    #[test]
    fn pins_of_6_to_12_digits_are_checked_only_on_confirm() {
        let dir = tempfile::tempdir().expect("temp dir");
        let hash = PinHash::new(PIN).expect("hash").to_string();
        let mut tech = pad(&hash, &dir.path().join(pin_lockout::FILE_NAME));
        // Six digits are not checked by themselves any more: the pad waits for 确定.
        for d in PIN[..6].chars() {
            tech.digit(d, t(0));
        }
        assert_eq!(tech.typed.len(), 6);
        // Too short: told so, and not counted as a wrong PIN.
        tech.typed.truncate(5);
        assert!(!tech.confirm(t(0)));
        assert!(tech.message.contains("6 至 12 位"), "{}", tech.message);
        assert_eq!(tech.lockout, PinLockout::default());
        tech.clear();
        // A thirteenth digit is not taken.
        for d in PIN.chars().chain(['7']) {
            tech.digit(d, t(0));
        }
        assert_eq!(tech.typed.len(), 12);
        assert!(tech.confirm(t(0)), "the 12-digit PIN opens the screen");
        let six = PinHash::new("135790").expect("hash").to_string();
        let mut tech = pad(&six, &dir.path().join("other.json"));
        assert!(enter(&mut tech, "135790", 0));
    }

    #[test]
    fn the_lockout_escalates_and_survives_a_restart() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = pin_lockout::file_beside(&dir.path().join("outbox.sqlite"));
        let hash = PinHash::new(PIN).expect("hash").to_string();
        let mut tech = pad(&hash, &file);
        for n in 1..pin_lockout::MAX_FAILURES {
            assert!(!enter(&mut tech, "000000", 0));
            let left = pin_lockout::MAX_FAILURES - n;
            assert!(tech.message.contains(&format!("还可尝试 {left} 次")));
        }
        assert!(!enter(&mut tech, "000000", 0));
        assert!(tech.message.contains("已锁定 5 分钟"), "{}", tech.message);
        drop(tech);

        // The kiosk restarts: still locked; the right PIN is refused until the time is up.
        let mut tech = pad(&hash, &file);
        assert_eq!(
            tech.locked(t(60)),
            Some(LOCKOUTS[0] - Duration::from_secs(60))
        );
        assert!(!enter(&mut tech, PIN, 60));
        assert!(tech.message.contains("请 4 分钟后再试"), "{}", tech.message);
        // After it: three more wrong PINs lock for 30 minutes, across another restart.
        for _ in 0..pin_lockout::MAX_FAILURES {
            enter(&mut tech, "111111", 300);
        }
        assert!(tech.message.contains("已锁定 30 分钟"), "{}", tech.message);
        let mut tech = pad(&hash, &file);
        assert!(!enter(&mut tech, PIN, 300 + 1_799));
        for _ in 0..pin_lockout::MAX_FAILURES {
            enter(&mut tech, "222222", 300 + 1_800);
        }
        assert!(tech.message.contains("已锁定 120 分钟"), "{}", tech.message);
        let mut tech = pad(&hash, &file);
        assert!(tech.locked(t(2_100 + 7_199)).is_some());
        // The right PIN after the lockout opens and forgives: the next lockout is 5 minutes.
        assert!(enter(&mut tech, PIN, 2_100 + 7_200));
        let tech = pad(&hash, &file);
        assert_eq!(tech.lockout, PinLockout::default());
        // The file holds counts and a time, never a digit typed.
        let text = std::fs::read_to_string(&file).expect("read");
        assert!(!text.contains("2580") && !text.contains("0000"), "{text}");
    }

    #[test]
    fn a_damaged_lockout_file_does_not_give_more_tries() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join(pin_lockout::FILE_NAME);
        std::fs::write(&file, b"not json").expect("write");
        let hash = PinHash::new(PIN).expect("hash").to_string();
        let mut tech = pad(&hash, &file);
        for _ in 0..pin_lockout::MAX_FAILURES {
            enter(&mut tech, "000000", 0);
        }
        assert!(tech.message.contains("已锁定 30 分钟"), "{}", tech.message);
    }
}
