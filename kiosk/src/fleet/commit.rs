//! The health check that commits a freshly updated slot (`kioskctl health commit-check`,
//! run by the image's kiosk-commit.service before boot-complete.target). The slot is marked
//! good (`rauc status mark-good`) only when every check passes: the service answers on its
//! admin socket, it drew its first frame (systemd has its READY=1, which the kiosk sends
//! only then), every configured device passed its internal self-test (a device the
//! configuration leaves out is not tested), the hall answered once, and the outbox opened
//! (the status carries its counts only when the outbox, opened with the kiosk's existing
//! key, answered; every record waiting for delivery opens with that key, and none was
//! quarantined since the service started: records set aside before the update do not count).
//! Otherwise the boot is not committed and the next boot falls back.
//!
//! [`verdict`] is pure: it judges [`Facts`] gathered by the command, so every way the check
//! can fail is tested without a kiosk.

use serde::Serialize;

use crate::service::admin::{SelftestLine, StatusReport};

/// What the command found out about the running kiosk.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The admin socket's status answer, or why there was none.
    pub status: Option<Result<StatusReport, String>>,
    /// Whether systemd has the service's READY=1 (sent after its first frame): `Ok(true)`
    /// active, `Ok(false)` not (yet), `Err` systemd could not be asked.
    pub ready: Option<Result<bool, String>>,
    /// The internal self-test of every configured device, or why it could not run.
    pub selftest: Option<Result<Vec<SelftestLine>, String>>,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// `service`, `first-frame`, `devices`, `hall`, `outbox`.
    pub name: &'static str,
    /// Passed.
    pub passed: bool,
    /// What was found, in English, without personal data.
    pub detail: String,
}

/// The whole check: passed only when every part passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Every check passed: the slot may be committed.
    pub passed: bool,
    /// Each check, in order.
    pub checks: Vec<Check>,
}

impl Verdict {
    /// The failed checks' names, for a one-line log.
    pub fn failed(&self) -> Vec<&'static str> {
        self.checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| c.name)
            .collect()
    }
}

fn check(name: &'static str, passed: bool, detail: impl Into<String>) -> Check {
    Check {
        name,
        passed,
        detail: detail.into(),
    }
}

/// Judges the facts. A fact that was not gathered fails its check.
pub fn verdict(facts: &Facts) -> Verdict {
    let status = match &facts.status {
        Some(Ok(status)) => Ok(status),
        Some(Err(err)) => Err(err.clone()),
        None => Err("not asked".to_owned()),
    };
    let mut checks = vec![match &status {
        Ok(s) => check(
            "service",
            true,
            format!(
                "kiosk {} {} answered its admin socket",
                s.kiosk_id, s.version
            ),
        ),
        Err(err) => check("service", false, format!("no answer: {err}")),
    }];
    checks.push(match &facts.ready {
        Some(Ok(true)) => check(
            "first-frame",
            true,
            "systemd has READY=1 (sent after the first frame)",
        ),
        Some(Ok(false)) => check(
            "first-frame",
            false,
            "kiosk.service is not active: no READY=1, so no first frame yet",
        ),
        Some(Err(err)) => check("first-frame", false, format!("cannot ask systemd: {err}")),
        None => check("first-frame", false, "not asked"),
    });
    checks.push(match &facts.selftest {
        Some(Ok(lines)) => {
            let failed: Vec<String> = lines
                .iter()
                .filter(|l| !l.passed)
                .map(|l| format!("{} ({})", l.device, l.text))
                .collect();
            if failed.is_empty() {
                let mut devices: Vec<&str> = lines.iter().map(|l| l.device.as_str()).collect();
                devices.dedup();
                let detail = if devices.is_empty() {
                    "no device configured".to_owned()
                } else {
                    format!("self-test passed: {}", devices.join(", "))
                };
                check("devices", true, detail)
            } else {
                check(
                    "devices",
                    false,
                    format!("self-test failed: {}", failed.join("; ")),
                )
            }
        }
        Some(Err(err)) => check("devices", false, format!("self-test could not run: {err}")),
        None => check("devices", false, "not asked"),
    });
    checks.push(match &status {
        Ok(StatusReport {
            hall_last_success_seconds_ago: Some(ago),
            ..
        }) => check("hall", true, format!("the hall answered {ago} s ago")),
        Ok(_) => check(
            "hall",
            false,
            "the hall has not answered since the service started",
        ),
        Err(_) => check("hall", false, "unknown: the service did not answer"),
    });
    checks.push(match &status {
        Ok(s) if s.outbox_unreadable_pending > 0 => check(
            "outbox",
            false,
            format!(
                "{} waiting record(s) do not open with this outbox key or firmware: is outbox.key \
                 the kiosk's own? (the old slot can still send them)",
                s.outbox_unreadable_pending
            ),
        ),
        Ok(s) if s.outbox_quarantined_since_start > 0 => check(
            "outbox",
            false,
            format!(
                "{} record(s) quarantined since the service started: this firmware or key \
                 cannot open them",
                s.outbox_quarantined_since_start
            ),
        ),
        Ok(s) => {
            let before = s.outbox_quarantined;
            check(
                "outbox",
                true,
                if before == 0 {
                    format!(
                        "open: {} waiting, {} refused",
                        s.outbox_pending, s.outbox_rejected
                    )
                } else {
                    format!(
                        "open: {} waiting, {} refused; {before} quarantined before this start \
                         (not this boot's doing)",
                        s.outbox_pending, s.outbox_rejected
                    )
                },
            )
        }
        Err(_) => check("outbox", false, "unknown: the service did not answer"),
    });
    Verdict {
        passed: checks.iter().all(|c| c.passed),
        checks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status() -> StatusReport {
        StatusReport {
            kiosk_id: "zizhu-01".into(),
            version: "2.0.0".into(),
            uptime_seconds: 40,
            devices: Vec::new(),
            outbox_pending: 2,
            outbox_rejected: 0,
            outbox_quarantined: 0,
            outbox_quarantined_since_start: 0,
            outbox_unreadable_pending: 0,
            hall_last_success_seconds_ago: Some(3),
            catalog_version: Some("c1".into()),
        }
    }

    fn line(device: &str, passed: bool) -> SelftestLine {
        SelftestLine {
            device: device.into(),
            level: "internal".into(),
            passed,
            text: if passed {
                "answered".into()
            } else {
                "no answer within 2 s".into()
            },
        }
    }

    fn healthy() -> Facts {
        Facts {
            status: Some(Ok(status())),
            ready: Some(Ok(true)),
            selftest: Some(Ok(vec![line("idcard", true), line("printer", true)])),
        }
    }

    fn failed_of(facts: &Facts) -> Vec<&'static str> {
        verdict(facts).failed()
    }

    #[test]
    fn a_healthy_kiosk_passes_every_check() {
        let v = verdict(&healthy());
        assert!(v.passed, "{v:?}");
        assert_eq!(
            v.checks.iter().map(|c| c.name).collect::<Vec<_>>(),
            ["service", "first-frame", "devices", "hall", "outbox"]
        );
        assert!(v.checks[2].detail.contains("idcard, printer"));
    }

    #[test]
    fn a_kiosk_that_never_answered_fails_everything_it_would_have_told() {
        let facts = Facts {
            status: Some(Err("connection refused".into())),
            ready: Some(Ok(false)),
            selftest: Some(Err("connection refused".into())),
        };
        let v = verdict(&facts);
        assert!(!v.passed);
        assert_eq!(
            v.failed(),
            ["service", "first-frame", "devices", "hall", "outbox"]
        );
        assert!(v.checks[0].detail.contains("connection refused"));
        // Nothing gathered at all fails too (a check that cannot fail is no check).
        assert!(!verdict(&Facts::default()).passed);
    }

    #[test]
    fn each_missing_fact_fails_its_own_check() {
        let mut no_frame = healthy();
        no_frame.ready = Some(Ok(false));
        assert_eq!(failed_of(&no_frame), ["first-frame"]);

        let mut no_systemd = healthy();
        no_systemd.ready = Some(Err("systemctl: not found".into()));
        assert_eq!(failed_of(&no_systemd), ["first-frame"]);

        let mut bad_device = healthy();
        bad_device.selftest = Some(Ok(vec![line("idcard", true), line("printer", false)]));
        assert_eq!(failed_of(&bad_device), ["devices"]);
        assert!(verdict(&bad_device).checks[2]
            .detail
            .contains("printer (no answer"));

        let mut no_hall = healthy();
        if let Some(Ok(s)) = &mut no_hall.status {
            s.hall_last_success_seconds_ago = None;
        }
        assert_eq!(failed_of(&no_hall), ["hall"]);

        let mut wrong_key = healthy();
        if let Some(Ok(s)) = &mut wrong_key.status {
            s.outbox_unreadable_pending = 2;
        }
        assert_eq!(failed_of(&wrong_key), ["outbox"]);
        assert!(verdict(&wrong_key).checks[4].detail.contains("outbox.key"));

        let mut set_aside_now = healthy();
        if let Some(Ok(s)) = &mut set_aside_now.status {
            s.outbox_quarantined = 3;
            s.outbox_quarantined_since_start = 1;
        }
        assert_eq!(failed_of(&set_aside_now), ["outbox"]);
        assert!(verdict(&set_aside_now).checks[4]
            .detail
            .contains("1 record(s) quarantined since the service started"));
    }

    #[test]
    fn records_quarantined_before_the_update_do_not_stop_it_being_committed() {
        // A record the old firmware set aside months ago (bit rot, a full disk) says nothing
        // about the new slot: every waiting record still opens and nothing was set aside now.
        let mut facts = healthy();
        if let Some(Ok(s)) = &mut facts.status {
            s.outbox_quarantined = 3;
        }
        let v = verdict(&facts);
        assert!(v.passed, "{v:?}");
        assert!(
            v.checks[4]
                .detail
                .contains("3 quarantined before this start"),
            "{v:?}"
        );
    }

    #[test]
    fn a_kiosk_without_configured_devices_passes_the_device_check() {
        let mut facts = healthy();
        facts.selftest = Some(Ok(Vec::new()));
        let v = verdict(&facts);
        assert!(v.passed);
        assert_eq!(v.checks[2].detail, "no device configured");
    }
}
