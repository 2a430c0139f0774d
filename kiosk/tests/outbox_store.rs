//! The outbox on a real SQLite file: durability, idempotency, backoff, encryption at rest,
//! and records surviving a SIGKILL at random moments.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use kiosk::outbox::{Outbox, OutboxKey, RecordKind, RecordState, Requeued};

const NAME: &str = "欧阳明月";
const ID_NUMBER: &str = "11010519491231002X";

fn key() -> OutboxKey {
    OutboxKey::from_bytes(&[42u8; 32]).expect("key")
}

fn payload(n: usize) -> Vec<u8> {
    format!(r#"{{"n":{n},"name":"{NAME}","idNumber":"{ID_NUMBER}"}}"#).into_bytes()
}

fn t(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000 + secs)
}

#[test]
fn records_survive_reopening_and_leave_once_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("var/outbox.sqlite");
    {
        let outbox = Outbox::open(&path, key()).unwrap();
        outbox
            .enqueue(RecordKind::Application, "k-1", &payload(1), t(0))
            .unwrap();
        outbox
            .enqueue(RecordKind::Rating, "k-2", &payload(2), t(1))
            .unwrap();
    }
    let outbox = Outbox::open(&path, key()).unwrap();
    let due = outbox.due(t(5), 10).unwrap();
    assert_eq!(due.len(), 2);
    assert_eq!(due[0].idempotency_key, "k-1");
    assert_eq!(due[0].kind, RecordKind::Application);
    assert_eq!(&due[1].payload[..], &payload(2)[..]);

    outbox.delivered(due[0].id).unwrap();
    let stats = outbox.stats(t(5)).unwrap();
    assert_eq!(stats.pending, 1);
    assert_eq!(stats.oldest_pending_age, Some(Duration::from_secs(4)));
    assert_eq!(outbox.list().unwrap().len(), 1);
}

#[test]
fn the_same_idempotency_key_is_saved_once() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::open(&dir.path().join("o.sqlite"), key()).unwrap();
    let first = outbox
        .enqueue(RecordKind::Application, "same", &payload(1), t(0))
        .unwrap();
    let again = outbox
        .enqueue(RecordKind::Application, "same", &payload(1), t(3))
        .unwrap();
    assert_eq!(first, again);
    assert_eq!(outbox.stats(t(3)).unwrap().pending, 1);
}

#[test]
fn a_record_held_for_the_citizens_own_attempt_is_not_due_until_then_or_until_it_fails() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::open(&dir.path().join("o.sqlite"), key()).unwrap();
    let held = outbox
        .enqueue_due(RecordKind::Application, "held-1", &payload(1), t(0), t(10))
        .unwrap();
    let other = outbox
        .enqueue_due(RecordKind::Application, "held-2", &payload(2), t(0), t(10))
        .unwrap();
    assert!(
        outbox.due(t(5), 10).unwrap().is_empty(),
        "held from the worker"
    );
    assert_eq!(outbox.stats(t(5)).unwrap().pending, 2, "but saved");
    // The attempt failed: due at once, for the worker to retry.
    outbox.failed(held, "hall unreachable", t(2)).unwrap();
    let due: Vec<_> = outbox.due(t(5), 10).unwrap().iter().map(|r| r.id).collect();
    assert_eq!(due, [held]);
    // A crash during the attempt: due once the hold is over.
    assert_eq!(outbox.due(t(10), 10).unwrap().len(), 2);
    assert!(outbox.due(t(10), 10).unwrap().iter().any(|r| r.id == other));
}

#[test]
fn a_failed_record_counts_its_attempts_and_a_rejected_one_waits_for_a_technician() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::open(&dir.path().join("o.sqlite"), key()).unwrap();
    let id = outbox
        .enqueue(RecordKind::Complaint, "c-1", &payload(1), t(0))
        .unwrap();

    // When to try again is the hall link's business (one backoff for the hall, in the
    // delivery worker): the record only counts its attempts and keeps the last error.
    assert_eq!(outbox.failed(id, "hall answered 503", t(1)).unwrap(), 1);
    for _ in 0..10 {
        outbox.failed(id, "connection refused", t(1)).unwrap();
    }
    assert_eq!(outbox.due(t(1), 10).unwrap().len(), 1, "still due");
    let summary = &outbox.list().unwrap()[0];
    assert_eq!(summary.attempts, 11);
    assert_eq!(summary.last_error.as_deref(), Some("connection refused"));

    outbox
        .rejected(id, "hall answered 422: unknown item", t(5))
        .unwrap();
    assert!(outbox.due(t(10_000), 10).unwrap().is_empty());
    let stats = outbox.stats(t(10_000)).unwrap();
    assert_eq!((stats.pending, stats.rejected), (0, 1));
    assert_eq!(outbox.list().unwrap()[0].state, RecordState::Rejected);

    // Retrying everything leaves the refusal alone; by its id it says what was refused.
    assert_eq!(outbox.retry_pending_now(t(10_000)).unwrap(), 0);
    assert!(outbox.due(t(10_000), 10).unwrap().is_empty());
    assert_eq!(
        outbox.requeue(id, t(10_000)).unwrap(),
        Requeued::Rejected {
            error: Some("hall answered 422: unknown item".into())
        }
    );
    assert_eq!(outbox.due(t(10_000), 10).unwrap().len(), 1);
    assert_eq!(outbox.next_due().unwrap(), Some(t(10_000)));
    assert_eq!(
        outbox.requeue(id + 100, t(10_000)).unwrap(),
        Requeued::NotFound
    );
}

#[test]
fn retry_without_an_id_makes_pending_records_due_and_leaves_refusals_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o.sqlite");
    let outbox = Outbox::open(&path, key()).unwrap();
    let waiting = outbox
        .enqueue(RecordKind::Application, "wait-1", &payload(1), t(0))
        .unwrap();
    let refused = outbox
        .enqueue(RecordKind::Application, "refused-1", &payload(2), t(0))
        .unwrap();
    outbox.failed(waiting, "hall unreachable", t(1)).unwrap();
    outbox.rejected(refused, "hall answered 422", t(1)).unwrap();
    // A record an older firmware scheduled for later (per-record backoff) is made due too.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE outbox SET next_attempt_ms = next_attempt_ms + 600000 WHERE id = ?1",
            [waiting],
        )
        .unwrap();
    assert!(outbox.due(t(2), 10).unwrap().is_empty());

    assert_eq!(outbox.retry_pending_now(t(2)).unwrap(), 1);
    let due = outbox.due(t(2), 10).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].id, waiting);
    let list = outbox.list().unwrap();
    let refused_row = list.iter().find(|r| r.id == refused).unwrap();
    assert_eq!(refused_row.state, RecordState::Rejected);
}

/// Overwrites a record's stored column through SQLite, as bit rot or another firmware would.
fn tamper(path: &Path, sql: &str, id: i64) {
    let conn = rusqlite::Connection::open(path).expect("open the outbox");
    assert_eq!(conn.execute(sql, [id]).expect("tamper"), 1, "{sql}");
}

#[test]
fn a_record_that_cannot_be_opened_or_understood_is_quarantined_and_the_rest_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o.sqlite");
    let outbox = Outbox::open(&path, key()).unwrap();
    let ids: Vec<i64> = (0..5)
        .map(|n| {
            outbox
                .enqueue(
                    RecordKind::Application,
                    &format!("q-{n}"),
                    &payload(n),
                    t(0),
                )
                .unwrap()
        })
        .collect();
    // Bit rot in one payload; a kind from a newer firmware in another.
    tamper(
        &path,
        "UPDATE outbox SET payload = CAST(zeroblob(64) AS BLOB) WHERE id = ?1",
        ids[1],
    );
    tamper(
        &path,
        "UPDATE outbox SET kind = 'video_call' WHERE id = ?1",
        ids[3],
    );

    let due = outbox.due(t(1), 10).unwrap();
    let keys: Vec<&str> = due.iter().map(|p| p.idempotency_key.as_str()).collect();
    assert_eq!(keys, ["q-0", "q-2", "q-4"]);
    assert_eq!(&due[2].payload[..], &payload(4)[..]);

    let stats = outbox.stats(t(1)).unwrap();
    assert_eq!(
        (stats.pending, stats.quarantined, stats.rejected),
        (3, 2, 0)
    );
    let list = outbox.list().unwrap();
    let rot = list.iter().find(|r| r.id == ids[1]).unwrap();
    assert_eq!(rot.state, RecordState::Quarantined);
    let reason = rot.last_error.as_deref().unwrap();
    assert!(reason.contains("outbox key"), "{reason}");
    let newer = list.iter().find(|r| r.id == ids[3]).unwrap();
    assert_eq!(
        (newer.state, newer.kind.as_str()),
        (RecordState::Quarantined, "video_call")
    );
    assert!(
        newer
            .last_error
            .as_deref()
            .unwrap()
            .contains("unknown to this firmware"),
        "{newer:?}"
    );
    for row in &list {
        let text = format!("{row:?}");
        assert!(!text.contains(ID_NUMBER) && !text.contains(NAME), "{text}");
    }

    // Quarantined records are not sent again, not even by their id.
    assert!(matches!(
        outbox.requeue(ids[1], t(2)).unwrap(),
        Requeued::Quarantined { reason: Some(_) }
    ));
    assert_eq!(outbox.retry_pending_now(t(2)).unwrap(), 3);
    assert_eq!(outbox.due(t(2), 10).unwrap().len(), 3);
    assert_eq!(outbox.stats(t(2)).unwrap().quarantined, 2);
}

#[test]
fn waiting_records_another_key_cannot_open_are_counted_and_left_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o.sqlite");
    {
        let outbox = Outbox::open(&path, key()).unwrap();
        for n in 0..3 {
            outbox
                .enqueue(
                    RecordKind::Application,
                    &format!("u-{n}"),
                    &payload(n),
                    t(0),
                )
                .unwrap();
        }
        assert_eq!(outbox.unreadable_pending().unwrap(), 0);
    }
    // An update that came with another outbox.key: every waiting record is unreadable to it,
    // and counting them changes nothing (the old slot, with the right key, still sends them).
    let other = Outbox::open(&path, OutboxKey::from_bytes(&[9u8; 32]).unwrap()).unwrap();
    assert_eq!(other.unreadable_pending().unwrap(), 3);
    assert_eq!(
        (
            other.stats(t(1)).unwrap().pending,
            other.quarantined_since(t(0)).unwrap()
        ),
        (3, 0)
    );
    drop(other);

    let outbox = Outbox::open(&path, key()).unwrap();
    assert_eq!(outbox.unreadable_pending().unwrap(), 0);
    let id = outbox.list().unwrap()[1].id;
    tamper(
        &path,
        "UPDATE outbox SET payload = CAST(zeroblob(64) AS BLOB) WHERE id = ?1",
        id,
    );
    assert_eq!(outbox.unreadable_pending().unwrap(), 1);
    // The delivery worker sets it aside when it comes due (at t(5)): from then on it is
    // quarantined, counted from that time, and no longer waiting.
    assert_eq!(outbox.due(t(5), 10).unwrap().len(), 2);
    assert_eq!(outbox.unreadable_pending().unwrap(), 0);
    assert_eq!(outbox.quarantined_since(t(4)).unwrap(), 1);
    assert_eq!(outbox.quarantined_since(t(5)).unwrap(), 1);
    assert_eq!(outbox.quarantined_since(t(6)).unwrap(), 0);
}

#[test]
fn rejected_and_quarantined_records_are_purged_after_the_retention() {
    let day = 86_400;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o.sqlite");
    let outbox = Outbox::open(&path, key()).unwrap();
    let pending = outbox
        .enqueue(RecordKind::Application, "p-1", &payload(0), t(0))
        .unwrap();
    let refused = outbox
        .enqueue(RecordKind::Rating, "r-1", &payload(1), t(0))
        .unwrap();
    let late = outbox
        .enqueue(RecordKind::Complaint, "r-2", &payload(2), t(0))
        .unwrap();
    let broken = outbox
        .enqueue(RecordKind::Application, "b-1", &payload(3), t(0))
        .unwrap();
    outbox
        .rejected(refused, "hall answered 422", t(day))
        .unwrap();
    outbox
        .rejected(late, "hall answered 422", t(20 * day))
        .unwrap();
    outbox
        .quarantine(broken, "payload cannot be opened", t(2 * day))
        .unwrap();

    let retention = Duration::from_secs(30 * day);
    // Retention counts from when it was set aside, not from when it was saved.
    assert!(outbox
        .purge_set_aside(t(30 * day), retention)
        .unwrap()
        .is_empty());
    let purged = outbox.purge_set_aside(t(33 * day), retention).unwrap();
    let mut seen: Vec<(i64, &str, RecordState, u64)> = purged
        .iter()
        .map(|p| (p.id, p.kind.as_str(), p.state, p.age.as_secs() / day))
        .collect();
    seen.sort_by_key(|s| s.0);
    assert_eq!(
        seen,
        [
            (refused, "rating", RecordState::Rejected, 32),
            (broken, "application", RecordState::Quarantined, 31),
        ]
    );
    let left: Vec<i64> = outbox.list().unwrap().iter().map(|r| r.id).collect();
    assert_eq!(left, [pending, late], "pending records are never purged");
    // Purged for good: the ciphertext is gone from the file too (secure_delete).
    drop(outbox);
    let outbox = Outbox::open(&path, key()).unwrap();
    assert_eq!(outbox.list().unwrap().len(), 2);
    assert_eq!(
        outbox
            .purge_set_aside(t(51 * day), retention)
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>(),
        [late]
    );
}

#[test]
fn nothing_personal_is_stored_in_clear_and_the_files_are_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o.sqlite");
    let outbox = Outbox::open(&path, key()).unwrap();
    for n in 0..20 {
        outbox
            .enqueue(
                RecordKind::Application,
                &format!("k-{n}"),
                &payload(n),
                t(0),
            )
            .unwrap();
    }
    let mut on_disk = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let entry = entry.unwrap();
        let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{:?} has mode {mode:o}", entry.path());
        on_disk.extend(std::fs::read(entry.path()).unwrap());
    }
    assert!(on_disk.len() > 4096);
    for secret in [ID_NUMBER.as_bytes(), NAME.as_bytes(), b"idNumber"] {
        assert!(
            !on_disk.windows(secret.len()).any(|w| w == secret),
            "{} found in the database files",
            String::from_utf8_lossy(secret)
        );
    }
}

#[test]
fn a_wrong_key_quarantines_the_record_instead_of_failing_the_round() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o.sqlite");
    Outbox::open(&path, key())
        .unwrap()
        .enqueue(RecordKind::Application, "k", &payload(0), t(0))
        .unwrap();
    let other = Outbox::open(&path, OutboxKey::from_bytes(&[1u8; 32]).unwrap()).unwrap();
    // A record saved under the new key still goes.
    other
        .enqueue(RecordKind::Rating, "new-key", &payload(1), t(0))
        .unwrap();
    let due = other.due(t(1), 10).expect("the round goes on");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].idempotency_key, "new-key");
    let stats = other.stats(t(1)).unwrap();
    assert_eq!((stats.pending, stats.quarantined), (1, 1));
}

#[test]
fn a_missing_or_short_key_file_says_how_to_make_one() {
    let dir = tempfile::tempdir().unwrap();
    let err = OutboxKey::from_file(&dir.path().join("none.key")).unwrap_err();
    assert!(err.to_string().contains("head -c 32 /dev/urandom"), "{err}");
    let short = dir.path().join("short.key");
    std::fs::write(&short, b"abc").unwrap();
    assert!(OutboxKey::from_file(&short)
        .unwrap_err()
        .to_string()
        .contains("not a 32-byte key"));
}

/// Child half of the SIGKILL test: enqueues forever, printing each key once it is durable.
/// Run only by the parent below (through the `OUTBOX_WRITER_DB` variable).
#[test]
#[ignore = "helper process for records_acknowledged_before_a_sigkill_are_all_there"]
fn writer_process() {
    let Ok(db) = std::env::var("OUTBOX_WRITER_DB") else {
        return;
    };
    let start: usize = std::env::var("OUTBOX_WRITER_START")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let outbox = Outbox::open(Path::new(&db), key()).unwrap();
    let mut stdout = std::io::stdout().lock();
    for n in start.. {
        let key = format!("kill-{n}");
        outbox
            .enqueue(
                RecordKind::Application,
                &key,
                &payload(n),
                SystemTime::now(),
            )
            .unwrap();
        writeln!(stdout, "acked {key}").unwrap();
        stdout.flush().unwrap();
    }
}

#[test]
fn records_acknowledged_before_a_sigkill_are_all_there() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("o.sqlite");
    let mut acked = Vec::new();
    for round in 0..12 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                &this_module_test!("writer_process"),
                "--ignored",
                "--nocapture",
            ])
            .env("OUTBOX_WRITER_DB", &db)
            .env("OUTBOX_WRITER_START", (round * 100_000).to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // Kill after a varying number of acknowledgements: 1, 8, 15, …
        let kill_after = 1 + (round * 7) % 40;
        let mut lines = BufReader::new(stdout).lines();
        let mut seen = 0;
        while seen < kill_after {
            let line = lines.next().expect("writer ended early").unwrap();
            if let Some(key) = line.strip_prefix("acked ") {
                acked.push(key.to_owned());
                seen += 1;
            }
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // Lines already written before the kill are acknowledged too.
        for line in lines.map_while(Result::ok) {
            if let Some(key) = line.strip_prefix("acked ") {
                acked.push(key.to_owned());
            }
        }
    }
    let outbox = Outbox::open(&db, key()).unwrap();
    let stored: std::collections::HashSet<String> = outbox
        .list()
        .unwrap()
        .into_iter()
        .map(|r| r.idempotency_key)
        .collect();
    let due = outbox
        .due(SystemTime::now() + Duration::from_secs(1), 100_000)
        .unwrap();
    assert_eq!(due.len(), stored.len(), "every stored record opens");
    for key in &acked {
        assert!(stored.contains(key), "{key} was acknowledged but is gone");
    }
}
