//! The screen of a kiosk whose configuration does not load (a fresh image before the
//! technician's set-up, a typo in `kiosk.toml`, a missing credential): instead of exiting
//! and leaving the screen black while systemd restarts it in a loop, the kiosk shows the
//! out-of-service screen (暂停服务, the 12345 hotline, a line for the technician), tells
//! systemd it is up, pings the watchdog, and re-reads the configuration every few seconds
//! and on the screen's 重试 button. Once it loads, [`run`] returns and the process exits,
//! so that systemd (`Restart=always`) starts the kiosk service on it.

use std::cell::Cell;
use std::path::Path;
use std::rc::Rc;
use std::time::{Duration, Instant};

use kiosk_config::{LoadOptions, Report};
use kiosk_ui::generated as ui;
use kiosk_ui::screen::out_of_service::apply_out_of_service;
use kiosk_ui::screen::shell::{
    apply_shell, set_elder, set_landscape, set_reach, show_screen, ScreenId, ShellVm,
};
use kiosk_ui::AppWindow;
use slint::{ComponentHandle, PhysicalSize, Timer, TimerMode};

use super::{first_frame, offscreen_loop, offscreen_window, Mode, ScreenError};
use crate::service::notify;

/// How often the configuration is read again.
pub const RECHECK: Duration = Duration::from_secs(5);

/// What the screen says, from the failed load's report and the file's own text where it
/// still parses (the hall's name and hotline, so the citizen sees where they are).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The header's hall name.
    pub hall_name: String,
    /// The hotline shown large.
    pub hotline: String,
    /// The lines under 暂停服务: for the citizen, then for the technician.
    pub problems: Vec<String>,
}

impl Notice {
    /// The notice for a configuration at `path` that failed to load with `report`.
    #[must_use]
    pub fn new(path: &Path, report: &Report) -> Notice {
        let raw: Option<toml::Table> = std::fs::read_to_string(path)
            .ok()
            .and_then(|text| text.parse().ok());
        let identity = raw
            .as_ref()
            .and_then(|t| t.get("identity"))
            .and_then(toml::Value::as_table);
        let text = |v: Option<&toml::Value>| {
            v.and_then(toml::Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let hotline = identity
            .and_then(|i| i.get("hotline"))
            .and_then(toml::Value::as_table);
        let errors = report.errors().count();
        Notice {
            hall_name: text(identity.and_then(|i| i.get("hall_name")))
                .unwrap_or_else(|| "政务服务自助终端".into()),
            hotline: text(hotline.and_then(|h| h.get("hall")))
                .or_else(|| text(hotline.and_then(|h| h.get("government"))))
                .unwrap_or_else(|| "12345".into()),
            problems: vec![
                "本机尚未完成设置，暂时不能办理业务".into(),
                format!(
                    "技术人员：配置文件 {} 有 {errors} 处错误，请运行 kioskctl config check 查看",
                    path.display()
                ),
            ],
        }
    }
}

fn show(app: &AppWindow, notice: &Notice) {
    let now = crate::citizen::runner::local_time(chrono::Utc::now());
    apply_shell(
        app,
        &ShellVm {
            hall_name: notice.hall_name.clone(),
            date_text: now.format("%Y年%m月%d日").to_string(),
            time_text: now.format("%H:%M").to_string(),
            hotline: notice.hotline.clone(),
        },
    );
    apply_out_of_service(app, &notice.problems, &now.format("%H:%M").to_string());
    show_screen(app, ScreenId::OutOfService);
}

/// Whether the configuration at `path` loads now (warnings allowed).
fn loads(path: &Path) -> bool {
    kiosk_config::load(&LoadOptions::from_process(path)).is_ok()
}

/// Shows the notice until the configuration at `path` loads (checked every [`RECHECK`] and
/// on the 重试 button). Runs on the main thread.
pub fn run(path: &Path, report: &Report, mode: Mode, started: Instant) -> Result<(), ScreenError> {
    let notice = Notice::new(path, report);
    for problem in report.errors() {
        tracing::error!("configuration: {problem}");
    }
    tracing::error!(
        "the kiosk is out of service until {} loads: fix it (`kioskctl config check {}`); it is read again every {} s",
        path.display(),
        path.display(),
        RECHECK.as_secs()
    );
    match mode {
        Mode::Window => match AppWindow::new() {
            Ok(app) => run_window(path, &notice, &app, started),
            Err(err) => {
                tracing::error!(%err, "cannot open the kiosk window; drawing offscreen instead");
                run_offscreen(path, &notice, started)
            }
        },
        Mode::Offscreen => run_offscreen(path, &notice, started),
    }
}

/// The checks both ways of drawing share: the retry button, the watchdog, the periodic
/// re-read. `done` is set once the configuration loads.
fn connect(app: &AppWindow, path: &Path, done: &Rc<Cell<bool>>) -> Vec<Timer> {
    let recheck = {
        let (path, done) = (path.to_path_buf(), done.clone());
        move || {
            if !done.get() && loads(&path) {
                tracing::info!(
                    "the configuration {} loads now; exiting so that systemd starts the kiosk service on it",
                    path.display()
                );
                done.set(true);
            }
        }
    };
    app.global::<ui::OutOfServiceAdapter<'_>>()
        .on_retry(recheck.clone());
    // The header's buttons work here too (no session: language, elder and reach mode are the
    // screen's own); there is no voice without a configuration, so its button is not shown.
    let shell = app.global::<ui::Shell<'_>>();
    shell.set_voice_available(false);
    {
        let weak = app.as_weak();
        shell.on_toggle_language(move || {
            if let Some(app) = weak.upgrade() {
                let next = kiosk_ui::language::current_language(&app).other();
                if let Err(err) = kiosk_ui::language::set_language(&app, next) {
                    tracing::warn!(%err, "cannot switch the out-of-service screen's language");
                }
            }
        });
    }
    {
        let weak = app.as_weak();
        shell.on_toggle_elder(move || {
            if let Some(app) = weak.upgrade() {
                let elder = app.global::<ui::Theme<'_>>().get_elder();
                set_elder(&app, !elder);
            }
        });
    }
    {
        let weak = app.as_weak();
        shell.on_toggle_reach(move || {
            if let Some(app) = weak.upgrade() {
                let reach = app.global::<ui::Theme<'_>>().get_reach_mode();
                set_reach(&app, !reach);
            }
        });
    }
    let mut timers = Vec::new();
    let periodic = Timer::default();
    periodic.start(TimerMode::Repeated, RECHECK, recheck);
    timers.push(periodic);
    if let Some(interval) = notify::watchdog_interval() {
        let watchdog = Timer::default();
        watchdog.start(TimerMode::Repeated, interval, || {
            notify::notify("WATCHDOG=1");
        });
        timers.push(watchdog);
    }
    timers
}

fn run_window(
    path: &Path,
    notice: &Notice,
    app: &AppWindow,
    started: Instant,
) -> Result<(), ScreenError> {
    show(app, notice);
    let done = Rc::new(Cell::new(false));
    let _timers = connect(app, path, &done);
    let ready = Cell::new(false);
    let tick = Timer::default();
    let weak = app.as_weak();
    tick.start(TimerMode::Repeated, Duration::from_millis(100), move || {
        if !ready.replace(true) {
            // The configuration's screen size is unknown: lay out for the display's own.
            if let Some(app) = weak.upgrade() {
                let size = app.window().size();
                set_landscape(&app, size.width > size.height);
            }
            first_frame(started);
        }
        if done.get() {
            let _ = slint::quit_event_loop();
        }
    });
    app.show().map_err(ScreenError::Show)?;
    slint::run_event_loop().map_err(ScreenError::EventLoop)
}

fn run_offscreen(path: &Path, notice: &Notice, started: Instant) -> Result<(), ScreenError> {
    let size = PhysicalSize::new(1080, 1920);
    let window = offscreen_window(size)?;
    let app = AppWindow::new().map_err(ScreenError::Build)?;
    show(&app, notice);
    let done = Rc::new(Cell::new(false));
    let _timers = connect(&app, path, &done);
    app.show().map_err(ScreenError::Show)?;
    offscreen_loop(
        window,
        size,
        Duration::from_millis(100),
        started,
        || done.get(),
        |_| {},
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report_of(path: &Path) -> Report {
        match kiosk_config::load(&LoadOptions {
            path: path.to_path_buf(),
            env: Vec::new(),
            root: None,
        }) {
            Ok(_) => panic!("{} was expected not to load", path.display()),
            Err(report) => report,
        }
    }

    #[test]
    fn the_header_buttons_work_without_a_configuration() {
        let _window = kiosk_ui::headless::window().expect("the offscreen platform");
        let app = AppWindow::new().expect("the kiosk screen");
        let dir = tempfile::tempdir().expect("dir");
        let done = Rc::new(Cell::new(false));
        let _timers = connect(&app, &dir.path().join("kiosk.toml"), &done);
        let shell = app.global::<ui::Shell<'_>>();
        assert!(
            !shell.get_voice_available(),
            "no voice button without a configuration"
        );
        shell.invoke_toggle_language();
        assert_eq!(
            kiosk_ui::language::current_language(&app),
            kiosk_ui::language::Language::En
        );
        shell.invoke_toggle_language();
        assert_eq!(
            kiosk_ui::language::current_language(&app),
            kiosk_ui::language::Language::ZhCn
        );
        assert!(!app.global::<ui::Theme<'_>>().get_elder());
        shell.invoke_toggle_elder();
        assert!(app.global::<ui::Theme<'_>>().get_elder());
        assert!(!app.global::<ui::Theme<'_>>().get_reach_mode());
        shell.invoke_toggle_reach();
        assert!(app.global::<ui::Theme<'_>>().get_reach_mode());
        assert!(!done.get(), "the configuration still does not load");
    }

    #[test]
    fn the_notice_keeps_the_hall_and_hotline_and_counts_the_errors() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("kiosk.toml");
        std::fs::write(
            &path,
            "[identity]\nkiosk_id = \"k-01\"\nhall_name = \"示范县政务服务中心\"\n\
             [identity.hotline]\nhall = \"0571-12345678\"\n\
             [hall]\nbase_url = \"https://hall.example\"\ncredential_file = \"missing\"\n",
        )
        .expect("write");
        let report = report_of(&path);
        let notice = Notice::new(&path, &report);
        assert_eq!(notice.hall_name, "示范县政务服务中心");
        assert_eq!(notice.hotline, "0571-12345678");
        let errors = report.errors().count();
        assert!(errors >= 1, "{report}");
        assert!(
            notice.problems[1].contains(&format!("有 {errors} 处错误"))
                && notice.problems[1].contains("kioskctl config check"),
            "{:?}",
            notice.problems
        );
    }

    #[test]
    fn a_missing_or_unreadable_file_still_gets_a_notice_with_the_national_hotline() {
        let dir = tempfile::tempdir().expect("dir");
        let missing = dir.path().join("kiosk.toml");
        let notice = Notice::new(&missing, &report_of(&missing));
        assert_eq!(notice.hotline, "12345");
        assert_eq!(notice.hall_name, "政务服务自助终端");
        std::fs::write(&missing, "[identity\nbroken").expect("write");
        let notice = Notice::new(&missing, &report_of(&missing));
        assert_eq!(notice.hotline, "12345");
        assert!(notice.problems[0].contains("暂时不能办理业务"));
    }
}
