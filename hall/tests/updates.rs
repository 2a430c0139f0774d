//! Fleet operations (issue 22) against the real parts: bundles made and signed by `rauc
//! bundle` with throwaway keys (openssl), checked by `rauc info` through the `hall` binary;
//! a rollout over ten kiosks driven by real heartbeats through the router; the bundle
//! download with HTTP Range on a real server on loopback; remote actions queued, delivered
//! in the heartbeat's answer and answered by the kiosk; and a newer kiosk's heartbeat read.

// Test helpers: a panic is how they report a failure.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use axum::http::StatusCode;
use hall::store::PrincipalKind;
use hall::updates::{Bundle, KioskOutcome, RolloutState, UpdateStore};
use hall::Settings;
use hall_api::updates::ActionRequest;
use serde_json::{json, Value};

use crate::common::{call, heartbeat_body, post_heartbeat, request, start_with, TestHall};

fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.output().expect("the command runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A throwaway signing key and its self-signed certificate.
fn keypair(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let key = dir.join(format!("{name}.key.pem"));
    let cert = dir.join(format!("{name}.cert.pem"));
    let (ok, _, err) = run(Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .arg("-subj")
        .arg(format!("/O=Kiosk Test/CN={name}"))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert));
    assert!(ok, "openssl: {err}");
    (key, cert)
}

/// A RAUC bundle (verity format) with a small root image, signed by `key`.
fn bundle(dir: &Path, key: &Path, cert: &Path, version: &str) -> PathBuf {
    let content = dir.join(format!("content-{version}"));
    std::fs::create_dir_all(&content).unwrap();
    // Bytes that do not compress (rauc wants a squashfs over 4 KiB).
    let mut x: u32 = 0x9e37_79b9 ^ version.len() as u32;
    let image: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    std::fs::write(content.join("rootfs.img"), image).unwrap();
    std::fs::write(
        content.join("manifest.raucm"),
        format!("[update]\ncompatible=zizhu-kiosk\nversion={version}\n\n[bundle]\nformat=verity\n\n[image.rootfs]\nfilename=rootfs.img\n"),
    )
    .unwrap();
    let out = dir.join(format!("kiosk-{version}.raucb"));
    let (ok, _, err) = run(Command::new("rauc")
        .arg("bundle")
        .arg(format!("--cert={}", cert.display()))
        .arg(format!("--key={}", key.display()))
        .arg(&content)
        .arg(&out));
    assert!(ok, "rauc bundle: {err}");
    out
}

fn hall_cmd(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hall"));
    c.env_remove("HALL_DB").env("HALL_DB", db);
    c
}

#[test]
fn only_bundles_signed_with_the_keyring_are_added() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("hall.db");
    let (key, cert) = keypair(d, "county");
    let (other_key, other_cert) = keypair(d, "stranger");
    let good = bundle(d, &key, &cert, "2.0.0");
    let (ok, out, err) = run(hall_cmd(&db)
        .args(["update", "add"])
        .arg(&good)
        .arg("--keyring")
        .arg(&cert));
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("added version 2.0.0 (compatible zizhu-kiosk"),
        "{out}"
    );
    assert!(out.contains("CN = county"), "the signer is named: {out}");
    // Content-addressed: the file is kept under its SHA-256.
    let sha = sha256_hex(&std::fs::read(&good).unwrap());
    let stored = d.join("hall.db.bundles").join(format!("{sha}.raucb"));
    assert_eq!(
        std::fs::read(&stored).unwrap(),
        std::fs::read(&good).unwrap()
    );
    // The same file again: nothing new.
    let (ok, out, _) = run(hall_cmd(&db)
        .args(["update", "add"])
        .arg(&good)
        .arg("--keyring")
        .arg(&cert));
    assert!(ok && out.contains("added before"), "{out}");

    // Signed by a key the keyring does not hold.
    let wrong = bundle(d, &other_key, &other_cert, "2.0.1");
    let (ok, _, err) = run(hall_cmd(&db)
        .args(["update", "add"])
        .arg(&wrong)
        .arg("--keyring")
        .arg(&cert));
    assert!(!ok);
    assert!(
        err.contains("refused") && err.contains("signature verification failed"),
        "{err}"
    );
    // Cut short, and not a bundle at all.
    let bytes = std::fs::read(&good).unwrap();
    let cut = d.join("cut.raucb");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let junk = d.join("junk.raucb");
    std::fs::write(&junk, b"not a bundle\n").unwrap();
    for bad in [&cut, &junk] {
        let (ok, _, err) = run(hall_cmd(&db)
            .args(["update", "add"])
            .arg(bad)
            .arg("--keyring")
            .arg(&cert));
        assert!(!ok, "{}", bad.display());
        assert!(
            err.contains("refused") && err.contains("Invalid bundle format"),
            "{err}"
        );
    }
    // A missing keyring says what to give.
    let (ok, _, err) = run(hall_cmd(&db)
        .args(["update", "add"])
        .arg(&good)
        .arg("--keyring")
        .arg(d.join("none.pem")));
    assert!(!ok && err.contains("keyring"), "{err}");

    let (ok, out, _) = run(hall_cmd(&db).args(["update", "list"]));
    assert!(ok);
    assert!(
        out.contains("2.0.0\tzizhu-kiosk") && !out.contains("2.0.1"),
        "{out}"
    );
    // Nothing refused was kept.
    let kept = std::fs::read_dir(d.join("hall.db.bundles"))
        .unwrap()
        .count();
    assert_eq!(kept, 1);

    // A rollout from the CLI needs kiosks and a known version.
    let (ok, _, err) = run(hall_cmd(&db).args(["update", "rollout", "9.9.9"]));
    assert!(!ok && err.contains("no bundle of version"), "{err}");
    for k in ["k1", "k2", "k3"] {
        assert!(run(hall_cmd(&db).args(["kiosk", "add", k])).0);
    }
    let (ok, out, err) = run(hall_cmd(&db).args([
        "update",
        "rollout",
        "2.0.0",
        "--waves",
        "30,100",
        "--max-failure",
        "10%",
    ]));
    assert!(ok, "{err}");
    assert!(
        out.contains(": 3 kiosks")
            && out.contains("wave 1 (up to 30%): 1 kiosks")
            && out.contains("wave 2 (up to 100%): 2 kiosks"),
        "{out}"
    );
    let (ok, out, _) = run(hall_cmd(&db).args(["update", "status"]));
    assert!(
        ok && out.contains("active (wave 1 of 2)") && out.matches("pending").count() == 3,
        "{out}"
    );
    let (ok, _, err) = run(hall_cmd(&db).args(["update", "rollout", "2.0.0", "--waves", "50,10"]));
    assert!(!ok && err.contains("--waves"), "{err}");
    // A remote action from the CLI, audit-logged.
    let (ok, out, err) =
        run(hall_cmd(&db).args(["kiosk", "action", "k1", "journal", "--minutes", "15"]));
    assert!(ok && out.contains("queued action"), "{out}{err}");
    let (ok, _, err) = run(hall_cmd(&db).args(["kiosk", "action", "nobody", "restart"]));
    assert!(!ok && err.contains("no kiosk"), "{err}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let audited: Vec<String> = conn
        .prepare("SELECT action FROM staff_audit ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(audited, ["update-add", "update-rollout", "kiosk-action"]);
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A hall with ten kiosks and a (fake-content) bundle of 2.0.0 in its bundle folder.
async fn fleet(bundle_dir: &Path) -> (TestHall, Vec<(String, String)>, Bundle) {
    let hall = TestHall::with_settings(Settings {
        bundle_dir: Some(bundle_dir.to_path_buf()),
        ..Settings::default()
    })
    .await;
    let mut kiosks = Vec::new();
    for i in 0..10 {
        let id = format!("k{i:02}");
        let token = hall.credential(PrincipalKind::Kiosk, &id).await;
        kiosks.push((id, token));
    }
    let content: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let sha = sha256_hex(&content);
    std::fs::write(bundle_dir.join(format!("{sha}.raucb")), &content).unwrap();
    let b = Bundle {
        sha256: sha,
        version: "2.0.0".into(),
        compatible: "zizhu-kiosk".into(),
        size: content.len() as u64,
        signer: "CN = test".into(),
        added_at: chrono::Utc::now(),
    };
    hall.store.add_bundle(b.clone()).await.unwrap();
    (hall, kiosks, b)
}

fn beat(image: &str, update: Option<Value>) -> Value {
    let mut h = heartbeat_body();
    h["versions"]["image"] = json!(image);
    if let Some(u) = update {
        h["update"] = u;
    }
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollout_opens_wave_by_wave_and_halts_when_a_wave_fails_too_often() {
    let dir = tempfile::tempdir().unwrap();
    let (hall, kiosks, b) = fleet(dir.path()).await;
    let router = hall.router();
    let store = hall.store.as_ref();
    let (rollout, assigned) =
        hall::updates::cli::start_rollout(store, "2.0.0", "all", "10,50,100", "20%", "ops")
            .await
            .unwrap();
    let wave_of = |k: &str| assigned.iter().find(|(id, _)| id == k).unwrap().1;
    let in_wave = |w: u32| {
        kiosks
            .iter()
            .filter(|(id, _)| wave_of(id) == w)
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        (in_wave(0).len(), in_wave(1).len(), in_wave(2).len()),
        (1, 4, 5)
    );

    // Only the first wave is offered the version, with where to get it.
    for (id, token) in &kiosks {
        let answer = post_heartbeat(&router, id, token, beat("1.0.0", None)).await;
        if wave_of(id) == 0 {
            assert_eq!(
                answer["update"],
                json!({"version": "2.0.0", "url": format!("/api/v1/updates/{}", b.sha256), "sha256": b.sha256, "size": 100_000})
            );
        } else {
            assert!(
                answer.get("update").is_none(),
                "{id} is not in the open wave: {answer}"
            );
        }
    }
    // The first wave's kiosk downloads, installs, reboots and runs 2.0.0: wave 2 opens.
    let (k0, t0) = &in_wave(0)[0];
    post_heartbeat(
        &router,
        k0,
        t0,
        beat(
            "1.0.0",
            Some(json!({"slot": "A", "state": "downloading", "target": "2.0.0"})),
        ),
    )
    .await;
    assert_eq!(
        store
            .rollout_kiosk(&rollout.id, k0)
            .await
            .unwrap()
            .unwrap()
            .outcome,
        KioskOutcome::Downloading
    );
    let answer = post_heartbeat(
        &router,
        k0,
        t0,
        beat("2.0.0", Some(json!({"slot": "B", "state": "idle"}))),
    )
    .await;
    assert!(
        answer.get("update").is_none(),
        "it runs the version: {answer}"
    );
    assert_eq!(store.active_rollout().await.unwrap().unwrap().wave, 1);
    let wave1 = in_wave(1);
    for (id, token) in &wave1 {
        assert!(
            post_heartbeat(&router, id, token, beat("1.0.0", None))
                .await
                .get("update")
                .is_some(),
            "{id}"
        );
    }
    for (id, token) in &in_wave(2) {
        assert!(
            post_heartbeat(&router, id, token, beat("1.0.0", None))
                .await
                .get("update")
                .is_none(),
            "{id}"
        );
    }
    // One of the four fails its health check and falls back: 25% > 20%, halted.
    let (bad, bad_token) = &wave1[0];
    post_heartbeat(&router, bad, bad_token, beat("1.0.0", Some(json!({"slot": "A", "state": "failed", "failedVersion": "2.0.0", "detail": "healthCheck"})))).await;
    let halted = store.rollouts().await.unwrap().remove(0);
    assert_eq!(halted.state, RolloutState::Halted);
    assert_eq!(
        halted.reason.as_deref(),
        Some("wave 2 failed on 1 of 4 kiosks (limit 20%)")
    );
    for (id, token) in wave1.iter().skip(1) {
        assert!(
            post_heartbeat(&router, id, token, beat("1.0.0", None))
                .await
                .get("update")
                .is_none(),
            "halted: {id} is not offered"
        );
    }
    // The dashboard shows the slot, the update state with the failed version, and the halt.
    let ops = hall.credential(PrincipalKind::Operator, "ops").await;
    let resp = tower::ServiceExt::oneshot(
        router.clone(),
        request("GET", "/dashboard", Some(&ops), None),
    )
    .await
    .unwrap();
    let html = String::from_utf8(
        http_body_util::BodyExt::collect(resp.into_body())
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    assert!(
        html.contains("失败版本 2.0.0") && html.contains("槽 B") && html.contains("halted"),
        "{html}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_downloads_a_bundle_whole_or_resumed_from_an_offset() {
    let dir = tempfile::tempdir().unwrap();
    let running = start_with(Settings {
        bundle_dir: Some(dir.path().to_path_buf()),
        ..Settings::default()
    })
    .await;
    let hall = &running.hall;
    let token = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let content: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    let sha = sha256_hex(&content);
    std::fs::write(dir.path().join(format!("{sha}.raucb")), &content).unwrap();
    hall.store
        .add_bundle(Bundle {
            sha256: sha.clone(),
            version: "2.0.0".into(),
            compatible: "c".into(),
            size: content.len() as u64,
            signer: String::new(),
            added_at: chrono::Utc::now(),
        })
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let url = format!("{}/api/v1/updates/{sha}", running.base);
    let whole = http.get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    assert_eq!(whole.bytes().await.unwrap().as_ref(), content.as_slice());
    let rest = http
        .get(&url)
        .bearer_auth(&token)
        .header("Range", "bytes=123456-")
        .send()
        .await
        .unwrap();
    assert_eq!(rest.status(), 206);
    assert_eq!(
        rest.headers()["content-range"],
        "bytes 123456-299999/300000"
    );
    assert_eq!(rest.bytes().await.unwrap().as_ref(), &content[123_456..]);
    let past = http
        .get(&url)
        .bearer_auth(&token)
        .header("Range", "bytes=300000-")
        .send()
        .await
        .unwrap();
    assert_eq!(past.status(), 416);
    assert_eq!(
        http.get(&url).send().await.unwrap().status(),
        401,
        "kiosks only"
    );
    let unknown = format!("{}/api/v1/updates/{}", running.base, "0".repeat(64));
    assert_eq!(
        http.get(&unknown)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let odd = format!("{}/api/v1/updates/..%2Fhall.db", running.base);
    assert_eq!(
        http.get(&odd)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_actions_ride_the_heartbeat_until_the_kiosk_answers() {
    let dir = tempfile::tempdir().unwrap();
    let (hall, kiosks, _) = fleet(dir.path()).await;
    let router = hall.router();
    let store = hall.store.as_ref();
    let (k0, t0) = &kiosks[0];
    let (k1, t1) = &kiosks[1];
    let journal =
        hall::updates::cli::queue_action(store, k0, ActionRequest::Journal { minutes: 10 }, "ops")
            .await
            .unwrap();
    let restart = hall::updates::cli::queue_action(store, k0, ActionRequest::Restart, "ops")
        .await
        .unwrap();
    assert!(hall::updates::cli::queue_action(
        store,
        k0,
        ActionRequest::Journal { minutes: 0 },
        "ops"
    )
    .await
    .is_err());
    assert!(hall::updates::cli::queue_action(
        store,
        k0,
        ActionRequest::Config {
            toml: "[hall\nurl=".into()
        },
        "ops"
    )
    .await
    .is_err());
    let answer = post_heartbeat(&router, k0, t0, heartbeat_body()).await;
    assert_eq!(
        answer["actions"],
        json!([
            {"id": journal, "action": {"kind": "journal", "minutes": 10}},
            {"id": restart, "action": {"kind": "restart"}}
        ])
    );
    assert!(
        post_heartbeat(&router, k1, t1, heartbeat_body())
            .await
            .get("actions")
            .is_none(),
        "another kiosk's actions stay with it"
    );
    // Delivered again until answered (a lost answer is not a lost action).
    assert_eq!(
        post_heartbeat(&router, k0, t0, heartbeat_body()).await["actions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let path = format!("/api/v1/kiosks/{k0}/actions/{journal}/result");
    let body = json!({"ok": true, "output": "kiosk[1]: started"});
    let (s, _, _) = call(
        &router,
        request("POST", &path, Some(t0), Some(body.clone())),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, _) = call(
        &router,
        request(
            "POST",
            &path,
            Some(t0),
            Some(json!({"ok": false, "output": "again"})),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "a retry is answered the same");
    let (s, _, _) = call(
        &router,
        request("POST", &path, Some(t1), Some(body.clone())),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = call(
        &router,
        request(
            "POST",
            &format!("/api/v1/kiosks/{k1}/actions/{journal}/result"),
            Some(t1),
            Some(body),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = call(
        &router,
        request(
            "POST",
            &path,
            Some(t0),
            Some(json!({"ok": true, "output": "x".repeat(49 * 1024)})),
        ),
    )
    .await;
    assert!(s.is_client_error());
    let answer = post_heartbeat(&router, k0, t0, heartbeat_body()).await;
    assert_eq!(
        answer["actions"],
        json!([{"id": restart, "action": {"kind": "restart"}}])
    );
    let done = store.actions(Some(k0), 10).await.unwrap();
    let j = done.iter().find(|a| a.id == journal).unwrap();
    assert_eq!(
        (j.ok, j.output.as_deref()),
        (Some(true), Some("kiosk[1]: started")),
        "the first result is kept"
    );
    // Two queued actions, two audit lines (the refused ones wrote none).
    assert_eq!(hall.count("staff_audit"), 2);
}

#[tokio::test]
async fn a_newer_kiosk_is_heard_not_refused() {
    let hall = TestHall::new().await;
    let router = hall.router();
    let token = hall.credential(PrincipalKind::Kiosk, "k1").await;
    let mut body = heartbeat_body();
    body["devices"]
        .as_array_mut()
        .unwrap()
        .push(json!({"class": "fingerprintReader", "state": "online"}));
    body["devices"][0]["state"] = json!("hibernating");
    body["devices"][1]["paper"] = json!("nearEnd");
    body["thermal"] = json!({"cpu": 51});
    body["update"] = json!({"slot": "B", "state": "verifying", "progressPercent": 40});
    let answer = post_heartbeat(&router, "k1", &token, body).await;
    assert!(answer["catalogVersion"].is_string());
    let view = hall::handlers::fleet::fleet_view(&hall.state)
        .await
        .unwrap();
    let k = &view.kiosks[0];
    assert_eq!(k.devices.len(), 3, "the unknown device is left out");
    assert_eq!(k.devices[0].state.as_str(), "unknown");
    assert_eq!(k.update.as_ref().unwrap().slot.as_deref(), Some("B"));
}
