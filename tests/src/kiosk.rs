//! A whole kiosk for the end-to-end tests: its own temp dir, a hall of its own with the
//! kiosk's credential, a `kiosk --headless` service on simulated devices (pseudo-terminals),
//! and the technician's hands on it through `kioskctl` (session show/press, sim).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::{eventually, free_port, kioskctl, workspace_bin, write_secret, Hall, Process};

/// The kiosk id every test kiosk reports as.
pub const KIOSK_ID: &str = "e2e-01";

/// What a test may change in the kiosk's configuration.
#[derive(Debug, Clone)]
pub struct KioskOptions {
    /// `ui.idle_timeout_secs` (15 at least).
    pub idle_timeout_secs: u32,
    /// `ui.countdown_secs` (5 at least, shorter than the idle timeout).
    pub countdown_secs: u32,
    /// `health.heartbeat_secs` (5 at least).
    pub heartbeat_secs: u32,
    /// `logging.level`: `info` or more verbose (the rig waits for the "ready" line).
    pub log_level: &'static str,
    /// Draw the screen offscreen (`--offscreen`: touches, targets and screenshots work)
    /// instead of running without one (`--headless`).
    pub screen: bool,
    /// `hall.request_timeout_ms`.
    pub request_timeout_ms: u32,
    /// More configuration appended to the file (whole sections, such as `[devices.camera]`).
    pub extra_config: String,
    /// Environment variables for the kiosk process (the soak gives it its systemd unit's).
    pub env: Vec<(String, String)>,
}

impl Default for KioskOptions {
    fn default() -> Self {
        KioskOptions {
            idle_timeout_secs: 600,
            countdown_secs: 30,
            heartbeat_secs: 5,
            log_level: "info",
            screen: false,
            request_timeout_ms: 5000,
            extra_config: String::new(),
            env: Vec::new(),
        }
    }
}

/// A test's whole world: a temp dir holding the hall's database, the kiosk's files and its
/// The touches from the item to the review of the demo's application (居民身份证换领, every
/// field valid, collected at the window). The form's `next` goes straight to the review (no
/// camera on the test kiosk: nothing to decide about the materials; the window assumed), so
/// the `next`s after it change nothing; they stand for a kiosk that shows those pages.
pub const TO_REVIEW: [&str; 7] = [
    "item QR-000172-001",
    "start-form",
    "field phone 13800138000",
    "field reason expired",
    "field declaration true",
    "next",
    "next",
];

/// configuration; the hall (when running) and the kiosk (when running).
#[derive(Debug)]
pub struct Rig {
    /// Every file of this test (dropped last).
    pub dir: tempfile::TempDir,
    /// The hall backend, while it runs.
    pub hall: Option<Hall>,
    /// The kiosk service, while it runs.
    pub kiosk: Option<Process>,
    /// The hall's database.
    pub hall_db: PathBuf,
    /// Where the hall listens (a fixed port, so it can be restarted on the same address).
    pub hall_listen: String,
    /// The kiosk's `/metrics` port.
    pub metrics_port: u16,
    /// The kiosk's configuration file.
    pub config: PathBuf,
    /// `--offscreen` rather than `--headless`.
    pub screen: bool,
    /// The kiosk process's extra environment.
    pub env: Vec<(String, String)>,
}

impl Rig {
    /// Starts a hall, issues the kiosk's credential, writes the kiosk's configuration (all
    /// three devices simulated) and starts the kiosk; returns once the catalog is loaded.
    pub fn start(options: &KioskOptions) -> Rig {
        let dir = tempfile::tempdir().expect("temp dir");
        let hall_db = dir.path().join("hall.sqlite");
        let hall_listen = format!("127.0.0.1:{}", free_port());
        let hall = Hall::start(&hall_db, &hall_listen);
        let credential = Hall::credential(&hall_db, "kiosk", KIOSK_ID);
        write_secret(&dir.path().join("kiosk.credential"), credential.as_bytes());
        write_secret(&dir.path().join("outbox.key"), &[7u8; 32]);
        let metrics_port = free_port();
        let config = dir.path().join("kiosk.toml");
        let text = config_text(KIOSK_ID, &hall.url(), metrics_port, options, "");
        std::fs::write(&config, text).expect("write kiosk config");
        let mut rig = Rig {
            dir,
            hall: Some(hall),
            kiosk: None,
            hall_db,
            hall_listen,
            metrics_port,
            config,
            screen: options.screen,
            env: options.env.clone(),
        };
        rig.start_kiosk();
        rig
    }

    /// Starts the kiosk service on this rig's configuration (and its outbox) and waits until
    /// its session answers on the admin socket with a catalog and the devices up.
    pub fn start_kiosk(&mut self) {
        let mut command = Command::new(workspace_bin("kiosk"));
        command
            .arg("--config")
            .arg(&self.config)
            .arg(if self.screen {
                "--offscreen"
            } else {
                "--headless"
            })
            .current_dir(self.dir.path())
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        let mut process = Process::start(command);
        process.wait_for_line("kiosk service ready", Duration::from_secs(60));
        self.kiosk = Some(process);
        self.wait_show(Duration::from_secs(60), "a catalog and every device", |s| {
            !s["catalogVersion"].is_null() && s["devices"] == serde_json::json!([true, true, true])
        });
    }

    /// Restarts the hall on the same address and database.
    pub fn start_hall(&mut self) {
        self.hall = Some(Hall::start(&self.hall_db, &self.hall_listen));
    }

    /// Stops the hall (SIGKILL, as a crash or a cut cable would).
    pub fn stop_hall(&mut self) {
        if let Some(mut hall) = self.hall.take() {
            hall.process.kill();
        }
    }

    /// Stops the kiosk at once (SIGKILL: power loss, a crash).
    pub fn kill_kiosk(&mut self) {
        if let Some(mut kiosk) = self.kiosk.take() {
            kiosk.kill();
        }
    }

    /// The sample card on the reader, then the demo's application (居民身份证换领, every field
    /// valid) up to the review screen; the next touch is `submit`.
    pub fn prepare_application(&self) {
        self.sim("card place resident-zhang-san");
        self.wait_show(Duration::from_secs(60), "the card to be read", |s| {
            !s["citizen"].is_null()
        });
        for words in TO_REVIEW {
            self.press(words);
        }
        let s = self.press("next");
        assert_eq!(s["screen"], "review", "{s:#}");
    }

    /// `kioskctl outbox list`'s text.
    pub fn outbox_list(&self) -> String {
        let (code, out, err) = self.ctl(&["outbox", "list"]);
        assert_eq!(code, Some(0), "outbox list: {out}{err}");
        out
    }

    /// The hall's base URL.
    pub fn hall_url(&self) -> String {
        format!("http://{}/", self.hall_listen)
    }

    /// The admin socket's path.
    pub fn socket(&self) -> String {
        self.dir
            .path()
            .join("admin.sock")
            .to_string_lossy()
            .into_owned()
    }

    /// The folder the simulated printer writes receipt PNGs to.
    pub fn receipts_dir(&self) -> PathBuf {
        self.dir.path().join("receipts")
    }

    /// The outbox database file.
    pub fn outbox_db(&self) -> PathBuf {
        self.dir.path().join("outbox.sqlite")
    }

    /// The kiosk process's id.
    pub fn kiosk_pid(&self) -> u32 {
        self.kiosk.as_ref().expect("the kiosk runs").id()
    }

    /// `kioskctl session show --json`, parsed.
    pub fn show(&self) -> serde_json::Value {
        let socket = self.socket();
        let (code, out, err) = kioskctl(&["session", "show", "--json", "--socket", &socket]);
        assert_eq!(code, Some(0), "session show failed: {out}{err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("session show: {e}: {out}"))
    }

    /// One touch (`kioskctl session press WORDS`); returns the session after it.
    pub fn press(&self, words: &str) -> serde_json::Value {
        let socket = self.socket();
        let mut args = vec!["session", "press", "--json", "--socket", &socket];
        args.extend(words.split_whitespace());
        let (code, out, err) = kioskctl(&args);
        assert_eq!(code, Some(0), "press {words:?} failed: {out}{err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("press {words:?}: {e}: {out}"))
    }

    /// `kioskctl session touch LABEL`: a tap at the centre of the target so labelled.
    /// Returns (exit code, stdout, stderr).
    pub fn touch(&self, label: &str) -> (Option<i32>, String, String) {
        let socket = self.socket();
        // The label is the command's last, open-ended argument: the socket goes before it.
        kioskctl(&["session", "touch", "--socket", &socket, label])
    }

    /// `kioskctl sim WORDS`; returns its answer.
    pub fn sim(&self, words: &str) -> String {
        let socket = self.socket();
        let mut args = vec!["sim", "--socket", &socket];
        args.extend(words.split_whitespace());
        let (code, out, err) = kioskctl(&args);
        assert_eq!(code, Some(0), "sim {words:?} failed: {out}{err}");
        out
    }

    /// `kioskctl ARGS --socket …`: (exit code, stdout, stderr).
    pub fn ctl(&self, args: &[&str]) -> (Option<i32>, String, String) {
        let socket = self.socket();
        let mut all = args.to_vec();
        all.extend(["--socket", &socket]);
        kioskctl(&all)
    }

    /// Polls `session show` until `ok` holds (at most `limit`); panics naming `what` and the
    /// last summary seen otherwise.
    pub fn wait_show(
        &self,
        limit: Duration,
        what: &str,
        mut ok: impl FnMut(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let mut last = serde_json::Value::Null;
        eventually(limit, || {
            let socket = self.socket();
            let (code, out, _) = kioskctl(&["session", "show", "--json", "--socket", &socket]);
            if code != Some(0) {
                return None;
            }
            let s: serde_json::Value = serde_json::from_str(&out).ok()?;
            last = s.clone();
            ok(&s).then_some(s)
        })
        .unwrap_or_else(|| panic!("waited {limit:?} for {what}; last session:\n{last:#}"))
    }

    /// The kiosk's `/metrics` text.
    pub fn metrics(&self) -> String {
        reqwest::blocking::get(format!("http://127.0.0.1:{}/metrics", self.metrics_port))
            .and_then(|r| r.text())
            .expect("GET /metrics")
    }
}

/// A kiosk's configuration: every device simulated, files beside the config but the outbox
/// database, which is in `outbox_dir` (relative to the config's folder, with a trailing `/`;
/// empty for beside it).
pub fn config_text(
    kiosk_id: &str,
    hall: &str,
    metrics_port: u16,
    o: &KioskOptions,
    outbox_dir: &str,
) -> String {
    format!(
        r#"
[identity]
kiosk_id = "{kiosk_id}"
hall_name = "测试县政务服务中心"
location = "端到端测试机"

[hall]
base_url = "{hall}"
credential_file = "kiosk.credential"
connect_timeout_ms = 1000
request_timeout_ms = {timeout}

[devices.idcard]
device = "sim"

[devices.printer]
device = "sim"
paper_mm = 80
profile = "generic-80"
sim_out_dir = "receipts"

[devices.scanner]
device = "sim"

# ALSA's file plugin: what the loudspeaker says is written (raw 16-bit PCM) to voice.raw in
# the kiosk's folder, a prompt at a time.
[devices.audio]
pcm = "file:FILE=voice.raw,FORMAT=raw"

[ui]
idle_timeout_secs = {idle}
countdown_secs = {countdown}

[outbox]
db_path = "{outbox_dir}outbox.sqlite"
key_file = "outbox.key"
catalog_cache = "catalog.json"

[health]
metrics_listen = "127.0.0.1:{metrics_port}"
heartbeat_secs = {heartbeat}
admin_socket = "admin.sock"

[logging]
level = "{level}"
{extra}
"#,
        extra = o.extra_config,
        idle = o.idle_timeout_secs,
        countdown = o.countdown_secs,
        heartbeat = o.heartbeat_secs,
        level = o.log_level,
        timeout = o.request_timeout_ms,
    )
}

/// The sample resident card's name and ID number (`drivers/samples/idcard/`), read from the
/// file so the tests follow it if it changes.
pub fn sample_person(sample: &str) -> (String, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../drivers/samples/idcard")
        .join(format!("{sample}.toml"));
    let text = std::fs::read_to_string(&path).expect("read the sample card");
    let field = |key: &str| {
        text.lines()
            .find_map(|l| {
                let (k, v) = l.split_once('=')?;
                (k.trim() == key).then(|| {
                    let v = v.split('#').next().unwrap_or("").trim();
                    v.trim_matches('"').to_owned()
                })
            })
            .unwrap_or_else(|| panic!("{key} in {}", path.display()))
    };
    (field("name"), field("id_number"))
}
