//! The rollout's rules, pure: which wave each kiosk is in, what a heartbeat says about a
//! kiosk's progress, and whether a rollout moves on, halts or is done.
//!
//! A wave opens when every kiosk of the waves before it has finished (succeeded or failed)
//! and no wave failed too often. A wave halts the rollout as soon as its failed share passes
//! the limit (failures only grow, so waiting would not change the verdict). A kiosk
//! succeeded when its heartbeat says it runs the version; failed when it reports that
//! version as failed (download, install, or the health check after the reboot).

use sha2::{Digest, Sha256};

use hall_api::fleet::Heartbeat;
use hall_api::updates::UpdateState;

use crate::error::HallError;

/// A rollout's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RolloutState {
    /// Offering the version to its open wave.
    Active,
    /// Stopped because a wave failed too often (or by an operator).
    Halted,
    /// Every wave finished.
    Done,
    /// A newer rollout replaced it.
    Superseded,
}

impl RolloutState {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RolloutState::Active => "active",
            RolloutState::Halted => "halted",
            RolloutState::Done => "done",
            RolloutState::Superseded => "superseded",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Active, Self::Halted, Self::Done, Self::Superseded]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// How far one kiosk got with a rollout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KioskOutcome {
    /// Not started (or its wave is not open yet).
    Pending,
    /// Downloading the bundle.
    Downloading,
    /// Writing it into the other slot.
    Installing,
    /// Installed, waiting for the quiet window.
    Installed,
    /// Runs the version.
    Succeeded,
    /// Reported the version failed.
    Failed,
}

impl KioskOutcome {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            KioskOutcome::Pending => "pending",
            KioskOutcome::Downloading => "downloading",
            KioskOutcome::Installing => "installing",
            KioskOutcome::Installed => "installed",
            KioskOutcome::Succeeded => "succeeded",
            KioskOutcome::Failed => "failed",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Downloading,
            Self::Installing,
            Self::Installed,
            Self::Succeeded,
            Self::Failed,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    /// Succeeded or failed.
    pub fn is_finished(self) -> bool {
        matches!(self, KioskOutcome::Succeeded | KioskOutcome::Failed)
    }
}

/// Parses `10,50,100`: cumulative percentages, each 1-100, rising, the last 100.
pub fn parse_waves(text: &str) -> Result<Vec<u8>, HallError> {
    let bad = || {
        HallError::InvalidArgument(format!(
            "--waves {text:?}: give rising percentages ending in 100, like 10,50,100"
        ))
    };
    let waves: Vec<u8> = text
        .split(',')
        .map(|p| p.trim().trim_end_matches('%').parse::<u8>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    let rising = waves.windows(2).all(|w| w[0] < w[1]);
    if waves.is_empty() || !rising || waves[0] == 0 || waves.last() != Some(&100) {
        return Err(bad());
    }
    Ok(waves)
}

/// Parses `20%` or `20`: the failed share (0-100) above which a wave halts the rollout.
pub fn parse_max_failure(text: &str) -> Result<u8, HallError> {
    text.trim()
        .trim_end_matches('%')
        .parse::<u8>()
        .ok()
        .filter(|p| *p <= 100)
        .ok_or_else(|| {
            HallError::InvalidArgument(format!(
                "--max-failure {text:?}: give a percentage 0-100, like 20%"
            ))
        })
}

/// Puts each kiosk in a wave: the kiosks in a stable order drawn from the rollout id (so
/// the first wave is not always the same kiosks), then wave `i` takes them up to
/// ceil(n × waves[i] / 100).
pub fn assign(rollout_id: &str, kiosks: &[String], waves: &[u8]) -> Vec<(String, u32)> {
    let mut order: Vec<([u8; 32], &String)> = kiosks
        .iter()
        .map(|k| {
            let mut h = Sha256::new();
            h.update(rollout_id.as_bytes());
            h.update([0]);
            h.update(k.as_bytes());
            (h.finalize().into(), k)
        })
        .collect();
    order.sort();
    let n = order.len();
    let mut out = Vec::with_capacity(n);
    let mut wave = 0usize;
    for (i, (_, k)) in order.into_iter().enumerate() {
        while wave + 1 < waves.len() && i >= (n * usize::from(waves[wave])).div_ceil(100) {
            wave += 1;
        }
        out.push((k.clone(), u32::try_from(wave).unwrap_or(u32::MAX)));
    }
    out
}

/// What a heartbeat says about a kiosk in a rollout of `version`, given what was known.
/// A failure is final; a success turns into a failure only if the kiosk then reports the
/// version failed (it fell back to the old slot).
pub fn outcome_from(previous: KioskOutcome, version: &str, hb: &Heartbeat) -> KioskOutcome {
    if previous == KioskOutcome::Failed {
        return previous;
    }
    let update = hb.update.as_ref();
    if update.is_some_and(|u| u.failed_version.as_deref() == Some(version)) {
        return KioskOutcome::Failed;
    }
    if hb.versions.image.as_deref() == Some(version) {
        return KioskOutcome::Succeeded;
    }
    if previous == KioskOutcome::Succeeded {
        return previous;
    }
    match update {
        Some(u) if u.target.as_deref() == Some(version) => match u.state {
            UpdateState::Downloading => KioskOutcome::Downloading,
            UpdateState::Installing => KioskOutcome::Installing,
            UpdateState::Installed => KioskOutcome::Installed,
            _ => previous,
        },
        _ => previous,
    }
}

/// A rollout's verdict from its kiosks' outcomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Offer the version to waves up to this one.
    Open(u32),
    /// Stop: this wave failed too often.
    Halt {
        /// The wave.
        wave: u32,
        /// Failed kiosks in it.
        failed: usize,
        /// Kiosks in it.
        of: usize,
    },
    /// Every kiosk finished within the limit.
    Done,
}

/// Evaluates a rollout of `waves` waves with the limit `max_failure_pct` over (wave,
/// outcome) of each kiosk.
pub fn evaluate(waves: usize, max_failure_pct: u8, kiosks: &[(u32, KioskOutcome)]) -> Verdict {
    for w in 0..waves {
        let w = u32::try_from(w).unwrap_or(u32::MAX);
        let members: Vec<KioskOutcome> = kiosks
            .iter()
            .filter(|(kw, _)| *kw == w)
            .map(|(_, o)| *o)
            .collect();
        let failed = members
            .iter()
            .filter(|o| **o == KioskOutcome::Failed)
            .count();
        if failed * 100 > usize::from(max_failure_pct) * members.len() {
            return Verdict::Halt {
                wave: w,
                failed,
                of: members.len(),
            };
        }
        if !members.iter().all(|o| o.is_finished()) {
            return Verdict::Open(w);
        }
    }
    Verdict::Done
}

#[cfg(test)]
mod tests {
    use super::*;
    use hall_api::fleet::Versions;
    use hall_api::updates::UpdateReport;
    use KioskOutcome::*;

    fn hb(image: Option<&str>, update: Option<UpdateReport>) -> Heartbeat {
        Heartbeat {
            sent_at: chrono::Utc::now(),
            uptime_seconds: 1,
            versions: Versions {
                kiosk: "1".into(),
                image: image.map(Into::into),
                catalog: None,
            },
            devices: Vec::new(),
            outbox: Default::default(),
            update,
            location: None,
        }
    }

    #[test]
    fn waves_parse_and_refuse_what_does_not_rise_to_100() {
        assert_eq!(parse_waves("10,50,100").unwrap(), vec![10, 50, 100]);
        assert_eq!(parse_waves("100").unwrap(), vec![100]);
        for bad in ["", "10,50", "50,10,100", "0,100", "10,x,100", "10,100,100"] {
            assert!(parse_waves(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_max_failure("20%").unwrap(), 20);
        assert!(parse_max_failure("120%").is_err());
    }

    #[test]
    fn assignment_fills_waves_by_cumulative_share_and_is_stable() {
        let kiosks: Vec<String> = (0..20).map(|i| format!("k{i:02}")).collect();
        let a = assign("r1", &kiosks, &[10, 50, 100]);
        let count = |w| a.iter().filter(|(_, x)| *x == w).count();
        assert_eq!((count(0), count(1), count(2)), (2, 8, 10));
        assert_eq!(a, assign("r1", &kiosks, &[10, 50, 100]));
        assert_ne!(
            a,
            assign("r2", &kiosks, &[10, 50, 100]),
            "another rollout, another order"
        );
        // Three kiosks at 10%: the first wave still has one.
        let small = assign("r1", &kiosks[..3], &[10, 50, 100]);
        let waves: Vec<u32> = small.iter().map(|(_, w)| *w).collect();
        assert_eq!(waves, vec![0, 1, 2]);
    }

    #[test]
    fn waves_advance_on_success_and_halt_past_the_limit() {
        // Wave 0 not finished: it is the open one.
        assert_eq!(
            evaluate(2, 20, &[(0, Succeeded), (0, Downloading), (1, Pending)]),
            Verdict::Open(0)
        );
        // Wave 0 finished: wave 1 opens.
        assert_eq!(
            evaluate(2, 20, &[(0, Succeeded), (0, Succeeded), (1, Pending)]),
            Verdict::Open(1)
        );
        // 1 of 5 failed = 20%: not past the limit.
        let one_in_five = [
            (0, Failed),
            (0, Succeeded),
            (0, Succeeded),
            (0, Succeeded),
            (0, Succeeded),
            (1, Pending),
        ];
        assert_eq!(evaluate(2, 20, &one_in_five), Verdict::Open(1));
        // 2 of 5 = 40%: halted, even before the others finish.
        let two_in_five = [
            (0, Failed),
            (0, Failed),
            (0, Pending),
            (0, Pending),
            (0, Pending),
            (1, Pending),
        ];
        assert_eq!(
            evaluate(2, 20, &two_in_five),
            Verdict::Halt {
                wave: 0,
                failed: 2,
                of: 5
            }
        );
        assert_eq!(
            evaluate(2, 20, &[(0, Succeeded), (1, Succeeded)]),
            Verdict::Done
        );
        // An empty wave (few kiosks) is passed over.
        assert_eq!(
            evaluate(3, 0, &[(0, Succeeded), (2, Pending)]),
            Verdict::Open(2)
        );
    }

    #[test]
    fn a_heartbeat_moves_a_kiosk_forward_and_a_failure_is_final() {
        let report = |state, target: Option<&str>, failed: Option<&str>| UpdateReport {
            slot: Some("A".into()),
            state,
            target: target.map(Into::into),
            failed_version: failed.map(Into::into),
            detail: None,
        };
        let v = "2.0.0";
        assert_eq!(outcome_from(Pending, v, &hb(Some("1.0.0"), None)), Pending);
        let dl = hb(
            Some("1.0.0"),
            Some(report(UpdateState::Downloading, Some(v), None)),
        );
        assert_eq!(outcome_from(Pending, v, &dl), Downloading);
        let other = hb(
            Some("1.0.0"),
            Some(report(UpdateState::Downloading, Some("3"), None)),
        );
        assert_eq!(
            outcome_from(Pending, v, &other),
            Pending,
            "another version's download"
        );
        assert_eq!(outcome_from(Installed, v, &hb(Some(v), None)), Succeeded);
        let fell_back = hb(
            Some("1.0.0"),
            Some(report(UpdateState::Failed, None, Some(v))),
        );
        assert_eq!(outcome_from(Succeeded, v, &fell_back), Failed);
        assert_eq!(outcome_from(Failed, v, &hb(Some(v), None)), Failed);
        // An older kiosk (no update report) on the version: succeeded.
        assert_eq!(outcome_from(Pending, v, &hb(Some(v), None)), Succeeded);
    }
}
