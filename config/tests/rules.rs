//! Each validation rule, through the public loader, on real files in a temporary folder.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use kiosk_config::{load, LoadOptions, Origin, Problem, Severity};

/// A folder with a valid configuration and the files it references.
struct Setup {
    dir: tempfile::TempDir,
}

const PIN_HASH: &str = "pbkdf2-sha256$100000$42a94c9ba5b96be17b6667bf83208694$ec23af7dfba2913b1d6a292a16ff811428f169b420c8fa85c00aebfd875fce28";

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let setup = Setup { dir };
        setup.secret("outbox.key", &[7u8; 32]);
        setup
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn secret(&self, name: &str, content: &[u8]) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, content).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        path
    }

    /// Writes `kiosk.toml`: a valid base (10 lines) with `extra` appended from line 11.
    fn config(&self, extra: &str) -> PathBuf {
        let text = format!(
            "[identity]\nkiosk_id = \"test-01\"\nhall_name = \"测试县政务服务中心\"\n\n\
             [ui]\nmaintenance_pin_hash = \"{PIN_HASH}\"\n\n\
             [outbox]\nkey_file = \"outbox.key\"\n\n{extra}"
        );
        let path = self.path("kiosk.toml");
        std::fs::write(&path, text).expect("write config");
        path
    }

    fn check(&self, extra: &str) -> Result<Vec<Problem>, Vec<Problem>> {
        self.check_env(extra, &[])
    }

    fn check_env(&self, extra: &str, env: &[(&str, &str)]) -> Result<Vec<Problem>, Vec<Problem>> {
        let options = LoadOptions {
            path: self.config(extra),
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            root: None,
        };
        load(&options)
            .map(|loaded| loaded.warnings.problems)
            .map_err(|report| report.problems)
    }
}

/// The one error about `field`, or a panic naming what was found instead.
fn error_for<'a>(problems: &'a [Problem], field: &str) -> &'a Problem {
    let found: Vec<_> = problems
        .iter()
        .filter(|p| p.field == field && p.severity == Severity::Error)
        .collect();
    assert_eq!(found.len(), 1, "errors for {field}: {problems:#?}");
    found[0]
}

fn line_of(problem: &Problem) -> usize {
    match &problem.origin {
        Origin::File { line, .. } => *line,
        other => panic!("expected a file origin, got {other:?}"),
    }
}

#[test]
fn the_base_configuration_is_valid_and_resolves_relative_paths() {
    let setup = Setup::new();
    let loaded = load(&LoadOptions {
        path: setup.config(""),
        env: vec![],
        root: None,
    })
    .expect("valid");
    assert!(loaded.warnings.problems.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(
        loaded.config.outbox.key_file.as_deref(),
        Some(setup.path("outbox.key").as_path())
    );
    assert_eq!(loaded.config.identity.hotline.government, "12345");
}

#[test]
fn a_mistyped_baud_rate_names_the_line_and_the_rate_meant() {
    let setup = Setup::new();
    let problems = setup
        .check("[devices.printer]\nbaud = 11520\n")
        .unwrap_err();
    let problem = error_for(&problems, "devices.printer.baud");
    assert_eq!(line_of(problem), 12);
    let text = problem.to_string();
    assert!(
        text.contains("devices.printer.baud = 11520: not a standard rate; did you mean 115200?"),
        "{text}"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let setup = Setup::new();
    let problems = setup
        .check(
            "[devices.printer]\nbaud = 11520\npaper_mm = 76\nprofile = \"epson\"\n\
             [devices.scanner]\nmax_code_len = 1\n",
        )
        .unwrap_err();
    for field in [
        "devices.printer.baud",
        "devices.printer.paper_mm",
        "devices.printer.profile",
        "devices.scanner.max_code_len",
    ] {
        error_for(&problems, field);
    }
}

#[test]
fn unknown_keys_are_errors_with_a_suggestion() {
    let setup = Setup::new();
    let problems = setup
        .check("[devices.printer]\npaper_with = 58\n[devices.scaner]\nbaud = 9600\n")
        .unwrap_err();
    let misspelt = error_for(&problems, "devices.printer.paper_with");
    assert!(misspelt.to_string().contains("unknown key `paper_with`"));
    assert_eq!(line_of(misspelt), 12);
    let section = error_for(&problems, "devices.scaner");
    assert!(
        section
            .hint
            .as_deref()
            .unwrap_or_default()
            .contains("`scanner`"),
        "{section}"
    );
}

#[test]
fn wrong_types_are_reported_for_each_key_and_defaults_stand_in() {
    let setup = Setup::new();
    let problems = setup
        .check("[devices.printer]\npaper_mm = \"80\"\nbaud = true\n")
        .unwrap_err();
    let paper = error_for(&problems, "devices.printer.paper_mm");
    assert!(paper.message.contains("expected u32"), "{paper}");
    assert_eq!(paper.value.as_deref(), Some("\"80\""));
    error_for(&problems, "devices.printer.baud");
}

#[test]
fn a_syntax_error_gives_line_and_column() {
    let setup = Setup::new();
    let problems = setup.check("[devices.printer\nbaud = 9600\n").unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].message.starts_with("TOML syntax error"));
    assert_eq!(line_of(&problems[0]), 11);
}

#[test]
fn a_missing_file_is_one_clear_error() {
    let problems = load(&LoadOptions {
        path: "/nonexistent/kiosk.toml".into(),
        env: vec![],
        root: None,
    })
    .unwrap_err()
    .problems;
    assert_eq!(problems.len(), 1);
    assert!(problems[0].message.contains("cannot read"));
    assert!(problems[0]
        .hint
        .as_deref()
        .unwrap_or_default()
        .contains("--config"));
}

#[test]
fn bad_device_selectors_are_explained() {
    let setup = Setup::new();
    let problems = setup
        .check("[devices.idcard]\ndevice = \"0483-5720\"\n")
        .unwrap_err();
    let problem = error_for(&problems, "devices.idcard.device");
    assert!(problem.message.contains("VID:PID"), "{problem}");
}

#[test]
fn the_camera_is_off_unless_enabled_and_its_device_is_auto_or_a_node() {
    let setup = Setup::new();
    let load_extra = |extra: &str| {
        load(&LoadOptions {
            path: setup.config(extra),
            env: Default::default(),
            root: None,
        })
        .map_err(|r| r.to_string())
    };
    let base = load_extra("").expect("base config");
    assert!(!base.config.devices.camera.enabled);
    assert_eq!(base.config.devices.camera.path(), None);

    let on = load_extra("[devices.camera]\nenabled = true\ndevice = \"/dev/video2\"\n")
        .expect("a camera on a node");
    assert!(on.config.devices.camera.enabled);
    assert_eq!(
        on.config.devices.camera.path(),
        Some(PathBuf::from("/dev/video2"))
    );

    let sim = load_extra("[devices.camera]\nenabled = true\ndevice = \"sim\"\n")
        .expect("the simulated camera");
    assert_eq!(
        sim.config.devices.camera.path(),
        None,
        "sim is no device node"
    );

    let problems = setup
        .check("[devices.camera]\nenabled = true\ndevice = \"video0\"\n")
        .unwrap_err();
    let problem = error_for(&problems, "devices.camera.device");
    assert!(problem.message.contains("auto"), "{problem}");
    assert!(problem.to_string().contains("/dev/video0"), "{problem}");
}

#[test]
fn an_a4_printer_needs_an_ipp_uri_with_a_host_when_enabled() {
    let setup = Setup::new();
    for uri in [
        "",
        "lpd://printer/queue",
        "ipp:///ipp/print",
        "ipps://printer/ipp/print",
    ] {
        let problems = setup
            .check(&format!(
                "[devices.a4printer]\nenabled = true\nuri = \"{uri}\"\n"
            ))
            .unwrap_err();
        let problem = error_for(&problems, "devices.a4printer.uri");
        assert!(problem.to_string().contains("ipp://"), "{uri}: {problem}");
    }
    setup
        .check(
            "[devices.a4printer]\nenabled = true\nuri = \"ipp://192.168.10.20:631/printers/a4\"\n",
        )
        .expect("a CUPS queue is fine");
    setup
        .check("[devices.a4printer]\nenabled = false\nuri = \"lpd://old\"\n")
        .expect("not checked while disabled");
}

#[test]
fn two_devices_on_one_port_conflict() {
    let setup = Setup::new();
    let problems = setup
        .check(
            "[devices.printer]\ndevice = \"0416:5011\"\n[devices.scanner]\ndevice = \"0416:5011\"\n",
        )
        .unwrap_err();
    let problem = error_for(&problems, "devices.scanner.device");
    assert!(problem.message.contains("devices.printer.device"));
}

#[test]
fn ranges_and_cross_field_rules_hold() {
    let setup = Setup::new();
    let problems = setup
        .check_env(
            "",
            &[
                ("KIOSK_UI__IDLE_TIMEOUT_SECS", "20"),
                ("KIOSK_UI__COUNTDOWN_SECS", "30"),
                ("KIOSK_UI__ROTATION", "45"),
                ("KIOSK_HALL__CONNECT_TIMEOUT_MS", "20000"),
                ("KIOSK_HALL__REQUEST_TIMEOUT_MS", "5000"),
                ("KIOSK_HEALTH__HEARTBEAT_SECS", "1"),
                ("KIOSK_LOGGING__LEVEL", "loud"),
            ],
        )
        .unwrap_err();
    for field in [
        "ui.countdown_secs",
        "ui.rotation",
        "hall.request_timeout_ms",
        "health.heartbeat_secs",
        "logging.level",
    ] {
        let problem = error_for(&problems, field);
        assert!(matches!(problem.origin, Origin::Env(_)), "{problem}");
    }
}

#[test]
fn environment_overrides_apply_and_are_named_when_wrong() {
    let setup = Setup::new();
    let options = LoadOptions {
        path: setup.config(""),
        env: vec![
            ("KIOSK_DEVICES__PRINTER__DEVICE".into(), "sim".into()),
            ("KIOSK_DEVICES__PRINTER__BAUD".into(), "9600".into()),
            ("KIOSK_IDENTITY__HALL_NAME".into(), "另一个中心".into()),
            ("PATH".into(), "/bin".into()),
        ],
        root: None,
    };
    let config = load(&options).expect("valid").config;
    assert_eq!(config.devices.printer.baud, 9600);
    assert_eq!(config.identity.hall_name, "另一个中心");

    let problems = setup
        .check_env("", &[("KIOSK_DEVICES__PRINTER__BAUDRATE", "9600")])
        .unwrap_err();
    let problem = error_for(&problems, "devices.printer.baudrate");
    assert_eq!(
        problem.origin,
        Origin::Env("KIOSK_DEVICES__PRINTER__BAUDRATE".into())
    );
}

#[test]
fn plain_http_is_refused_except_on_loopback() {
    let setup = Setup::new();
    let problems = setup
        .check("[hall]\nbase_url = \"http://hall.example.gov.cn/\"\n")
        .unwrap_err();
    assert!(error_for(&problems, "hall.base_url")
        .message
        .contains("unencrypted"));

    let problems = setup
        .check("[hall]\nbase_url = \"https://hall.example.gov.cn/\"\n")
        .unwrap_err();
    error_for(&problems, "hall.credential_file");
}

#[test]
fn referenced_files_must_exist() {
    let setup = Setup::new();
    let problems = setup
        .check("[hall]\ncredential_file = \"missing.credential\"\n")
        .unwrap_err();
    let problem = error_for(&problems, "hall.credential_file");
    assert!(problem.message.contains("does not exist"), "{problem}");
}

#[test]
fn secrets_readable_by_others_are_refused() {
    let setup = Setup::new();
    let key = setup.path("outbox.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let problems = setup.check("").unwrap_err();
    let problem = error_for(&problems, "outbox.key_file");
    assert!(problem.message.contains("readable"), "{problem}");
    assert!(problem
        .hint
        .as_deref()
        .unwrap_or_default()
        .contains("chmod 600"));
}

#[test]
fn a_ca_file_must_be_a_pem_certificate_nobody_else_can_change() {
    let setup = Setup::new();
    let ca = setup.path("ca.pem");
    std::fs::write(
        &ca,
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    std::fs::set_permissions(&ca, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert!(setup.check("[hall]\nca_file = \"ca.pem\"\n").is_ok());

    std::fs::set_permissions(&ca, std::fs::Permissions::from_mode(0o666)).unwrap();
    let problems = setup.check("[hall]\nca_file = \"ca.pem\"\n").unwrap_err();
    assert!(error_for(&problems, "hall.ca_file")
        .message
        .contains("changed by others"));

    std::fs::write(&ca, [0x30, 0x82, 0x01]).unwrap();
    std::fs::set_permissions(&ca, std::fs::Permissions::from_mode(0o644)).unwrap();
    let problems = setup.check("[hall]\nca_file = \"ca.pem\"\n").unwrap_err();
    assert!(error_for(&problems, "hall.ca_file")
        .message
        .contains("not a PEM"));
}

#[test]
fn a_missing_pin_hash_is_a_warning_and_a_malformed_one_an_error() {
    let setup = Setup::new();
    let text = std::fs::read_to_string(setup.config("")).unwrap();
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("maintenance_pin_hash"))
        .map(|l| format!("{l}\n"))
        .collect();
    let path = setup.path("no-pin.toml");
    std::fs::write(&path, without).unwrap();
    let loaded = load(&LoadOptions {
        path,
        env: vec![],
        root: None,
    })
    .expect("a warning only");
    assert_eq!(loaded.warnings.problems.len(), 1);
    assert_eq!(loaded.warnings.problems[0].field, "ui.maintenance_pin_hash");

    let problems = setup
        .check_env("", &[("KIOSK_UI__MAINTENANCE_PIN_HASH", "258046")])
        .unwrap_err();
    error_for(&problems, "ui.maintenance_pin_hash");
}

/// The shipped example is valid on a kiosk, where its referenced files exist.
#[test]
fn the_example_is_valid_on_a_provisioned_root() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/kiosk.toml");
    let root = tempfile::tempdir().unwrap();
    let etc = root.path().join("etc/kiosk");
    std::fs::create_dir_all(&etc).unwrap();
    for name in ["credential", "outbox.key"] {
        let path = etc.join(name);
        std::fs::write(&path, [1u8; 32]).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    std::fs::write(
        etc.join("hall-ca.pem"),
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let loaded = load(&LoadOptions {
        path: example.clone(),
        env: vec![],
        root: Some(root.path().to_path_buf()),
    })
    .unwrap_or_else(|report| panic!("{report}"));
    assert_eq!(loaded.config.identity.hotline.government, "12345");
    assert!(loaded.warnings.problems.is_empty(), "{}", loaded.warnings);

    // And it documents every key the schema has.
    let defaults = toml::to_string(&kiosk_config::Config::default()).unwrap();
    let example_text = std::fs::read_to_string(&example).unwrap();
    for line in defaults.lines() {
        if let Some((key, _)) = line.split_once(" = ") {
            assert!(
                example_text.contains(&format!("{key} = ")),
                "the example does not document `{key}`"
            );
        }
    }
}

#[test]
fn the_outbox_retention_defaults_to_30_days_and_is_bounded() {
    let setup = Setup::new();
    let loaded = load(&LoadOptions {
        path: setup.config(""),
        env: vec![],
        root: None,
    })
    .expect("valid");
    assert_eq!(loaded.config.outbox.retention_days, 30);
    for bad in ["0", "366"] {
        let problems = setup
            .check_env("", &[("KIOSK_OUTBOX__RETENTION_DAYS", bad)])
            .unwrap_err();
        let text = error_for(&problems, "outbox.retention_days").to_string();
        assert!(text.contains("out of range (1 to 365)"), "{text}");
    }
    let problems = setup
        .check_env("", &[("KIOSK_OUTBOX__RETENTION_DAYS", "7")])
        .expect("7 days is valid");
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn the_reboot_window_defaults_to_the_small_hours_and_must_be_a_window() {
    let setup = Setup::new();
    assert!(setup.check("").is_ok());
    assert_eq!(
        kiosk_config::Config::default().fleet.quiet_window(),
        Ok((120, 300))
    );
    assert!(setup
        .check("[fleet]\nquiet_hours = \"23:30-04:00\"\n")
        .is_ok());
    for bad in ["", "25:00-04:00", "02:00", "03:00-03:00"] {
        let problems = setup
            .check(&format!("[fleet]\nquiet_hours = \"{bad}\"\n"))
            .unwrap_err();
        let p = error_for(&problems, "fleet.quiet_hours");
        assert!(
            p.hint
                .as_deref()
                .unwrap_or_default()
                .contains("HH:MM-HH:MM"),
            "{bad}: {p}"
        );
    }
    assert!(kiosk_config::schema::in_window((1380, 240), 30));
    assert!(!kiosk_config::schema::in_window((120, 300), 300));
}

#[test]
fn reach_mode_is_for_portrait_screens_and_warns_on_a_landscape_one() {
    let setup = Setup::new();
    let portrait = setup
        .check_env("", &[("KIOSK_UI__REACH_MODE", "true")])
        .expect("valid");
    assert!(portrait.is_empty(), "{portrait:?}");
    let landscape = setup
        .check_env(
            "",
            &[
                ("KIOSK_UI__REACH_MODE", "true"),
                ("KIOSK_UI__WIDTH", "1920"),
                ("KIOSK_UI__HEIGHT", "1080"),
            ],
        )
        .expect("a warning only");
    assert_eq!(landscape.len(), 1, "{landscape:?}");
    assert_eq!(landscape[0].field, "ui.reach_mode");
    assert!(landscape[0].message.contains("landscape"));
}
