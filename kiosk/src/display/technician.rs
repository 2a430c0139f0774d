//! The technicians' side of the screen: the maintenance PIN (checked against the salted hash
//! in kiosk.toml; locked for five minutes after five wrong PINs) and the maintenance screen
//! (device status, self-tests, configuration summary).

use std::rc::Rc;
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};

use kiosk_config::pin::PinHash;
use kiosk_drivers::status::DeviceStatus;
use kiosk_ui::adapters;
use kiosk_ui::generated as ui;
use kiosk_ui::vm::{self, ScreenId};
use slint::{ComponentHandle, SharedString};

use super::frontend::Frontend;

/// Wrong PINs in a row before the pad locks.
pub const MAX_FAILURES: u32 = 5;
/// How long the pad stays locked.
pub const LOCKOUT: Duration = Duration::from_secs(300);
/// The PIN's length.
pub const PIN_LENGTH: usize = 6;

/// Runs a self-test: device label (`idcard`, `printer`, `scanner`, or `all`), answering
/// with one line per check through the sender.
pub type SelftestRunner = Box<dyn Fn(String, Sender<String>) + Send>;

/// The PIN pad and the maintenance screen's state.
pub struct Technician {
    pin: Option<PinHash>,
    typed: String,
    failures: u32,
    locked_until: Option<Instant>,
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
            .field("failures", &self.failures)
            .finish_non_exhaustive()
    }
}

impl Technician {
    /// A technician's side for the PIN hash in the configuration (none: the screen says the
    /// maintenance screen is disabled) and a self-test runner.
    pub fn new(
        pin_hash: Option<&str>,
        config: Vec<(String, String)>,
        runner: Option<SelftestRunner>,
    ) -> Technician {
        Technician {
            pin: pin_hash.and_then(|h| PinHash::parse(h).ok()),
            typed: String::new(),
            failures: 0,
            locked_until: None,
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

    fn locked(&self) -> Option<Duration> {
        self.locked_until
            .and_then(|until| until.checked_duration_since(Instant::now()))
    }

    /// A digit; true when the PIN is right.
    pub fn digit(&mut self, d: char) -> bool {
        if let Some(left) = self.locked() {
            self.message = format!("已锁定，请 {} 分钟后再试", left.as_secs().div_ceil(60));
            return false;
        }
        let Some(pin) = &self.pin else {
            self.message = "本机未设置维护密码（ui.maintenance_pin_hash）".into();
            return false;
        };
        if !d.is_ascii_digit() {
            return false;
        }
        self.typed.push(d);
        if self.typed.len() < PIN_LENGTH {
            return false;
        }
        let right = pin.verify(&self.typed);
        self.typed.clear();
        if right {
            self.failures = 0;
            self.message.clear();
            tracing::info!("maintenance screen opened with the PIN");
            return true;
        }
        self.failures += 1;
        tracing::warn!(failures = self.failures, "wrong maintenance PIN");
        if self.failures >= MAX_FAILURES {
            self.failures = 0;
            self.locked_until = Some(Instant::now() + LOCKOUT);
            self.message = format!("密码错误次数过多，已锁定 {} 分钟", LOCKOUT.as_secs() / 60);
        } else {
            self.message = format!("密码错误，还可尝试 {} 次", MAX_FAILURES - self.failures);
        }
        false
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
    pub fn draw(&self, app: &ui::AppWindow, screen: ScreenId, devices: &[DeviceStatus]) {
        if screen == ScreenId::MaintenancePin {
            let locked = self.locked();
            adapters::apply_pin(
                app,
                &vm::PinVm {
                    entered: self.typed.len(),
                    length: PIN_LENGTH,
                    message: self.message.clone(),
                    locked: locked.is_some(),
                },
            );
            return;
        }
        adapters::apply_maintenance(
            app,
            &vm::MaintenanceVm {
                devices: devices
                    .iter()
                    .map(|d| vm::DeviceLine {
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
        let open = f.tech.borrow_mut().digit(c);
        if open {
            f.local.borrow_mut().technician = Some(ScreenId::Maintenance);
        }
        f.redraw();
    });
    let weak = Rc::downgrade(f);
    pin.on_backspace(move || {
        let Some(f) = weak.upgrade() else { return };
        f.tech.borrow_mut().typed.pop();
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
