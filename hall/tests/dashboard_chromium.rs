//! The operators' dashboard in a real browser: Debian's `chromium`, headless, loads the page
//! from a real server after a kiosk's heartbeat, with the operator's Basic credentials, and the
//! kiosk must be in the DOM. A screenshot is left in the target tmp dir for a person to look at.
//! `progress_chromium` does the same for the receipt QR's progress page at 360×740 through
//! WebDriver, as do the staff workbench's tests (`workbench`), both with axe-core.
//! Needs: `apt-get install -y --no-install-recommends chromium chromium-driver fonts-noto-cjk`
//! and axe-core (`scripts/test.sh` installs it; see `workbench/axe.rs`).

use crate::common;
mod progress_chromium;
mod workbench;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use hall::store::PrincipalKind;

fn chromium(args: &[String], profile: &Path) -> String {
    let binary = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("chromium is not installed: apt-get install -y --no-install-recommends chromium");
    let mut child = Command::new(binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        match child.try_wait().expect("wait for chromium") {
            Some(_) => break,
            None if Instant::now() > deadline => {
                let _ = child.kill();
                panic!("chromium did not finish within 90 s");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    let output = child.wait_with_output().expect("chromium output");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_a_kiosk_that_just_sent_a_heartbeat() {
    let running = start().await;
    let kiosk = running
        .hall
        .credential(PrincipalKind::Kiosk, "zizhu-01")
        .await;
    running
        .hall
        .credential(PrincipalKind::Kiosk, "xiangzhen-07")
        .await;
    let operator = running
        .hall
        .credential(PrincipalKind::Operator, "ops")
        .await;
    let http = reqwest::Client::new();
    let hb = http
        .post(format!("{}/api/v1/kiosks/zizhu-01/heartbeat", running.base))
        .bearer_auth(&kiosk)
        .json(&heartbeat_body())
        .send()
        .await
        .unwrap();
    assert_eq!(hb.status(), 200);

    let (name, secret) = operator.split_once('.').unwrap();
    let url = running
        .base
        .replace("http://", &format!("http://{name}:{secret}@"))
        + "/dashboard";
    let profile = tempfile::tempdir().unwrap();
    let dom = {
        let (url, dir) = (url.clone(), profile.path().to_owned());
        tokio::task::spawn_blocking(move || chromium(&["--dump-dom".into(), url], &dir))
            .await
            .unwrap()
    };
    assert!(
        dom.contains("自助服务区"),
        "the page did not load: {dom:.300}"
    );
    let row = dom
        .split("data-kiosk=\"zizhu-01\"")
        .nth(1)
        .expect("kiosk row in the DOM");
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("在线"), "{row}");
    assert!(row.contains("将尽"), "paper low: {row}");
    assert!(row.contains("scanner: hardwareError (timeout)"), "{row}");
    let other = dom
        .split("data-kiosk=\"xiangzhen-07\"")
        .nth(1)
        .expect("second kiosk row");
    assert!(other[..other.find("</tr>").unwrap()].contains("离线"));

    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hall-dashboard.png");
    let _ = std::fs::remove_file(&shot);
    let dir = profile.path().to_owned();
    let args = vec![
        format!("--screenshot={}", shot.display()),
        "--window-size=1280,720".into(),
        url,
    ];
    tokio::task::spawn_blocking(move || chromium(&args, &dir))
        .await
        .unwrap();
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a real picture"
    );
}
