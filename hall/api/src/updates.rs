//! Software updates and remote actions on the wire: what a kiosk reports about its A/B slot
//! and update, the update the hall wants it to run, and the remote actions an operator
//! queued. Every enum reads a value a newer peer sends as `Unknown` instead of refusing the
//! whole message.

use serde::{Deserialize, Serialize};

/// Where a kiosk stands with a software update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum UpdateState {
    /// Nothing under way.
    #[default]
    Idle,
    /// Downloading a bundle.
    Downloading,
    /// Writing the downloaded bundle into the other slot (`rauc install`: a minute or more).
    Installing,
    /// Installed into the other slot, waiting for the quiet window to reboot.
    Installed,
    /// The last update failed (download, hash, install, or the health check after the reboot).
    Failed,
    /// A state this build does not know.
    #[serde(other)]
    Unknown,
}

impl UpdateState {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            UpdateState::Idle => "idle",
            UpdateState::Downloading => "downloading",
            UpdateState::Installing => "installing",
            UpdateState::Installed => "installed",
            UpdateState::Failed => "failed",
            UpdateState::Unknown => "unknown",
        }
    }
}

/// A kiosk's slot and update state, carried in its heartbeat.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UpdateReport {
    /// The booted root slot (RAUC's bootname, `A` or `B`), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<String>,
    /// The update state.
    #[serde(default)]
    pub state: UpdateState,
    /// The version being downloaded or installed (the rollout's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The version that failed last, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_version: Option<String>,
    /// A stable code for the failure (`sha256Mismatch`, `installFailed`, `healthCheck`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The bundle the hall wants a kiosk to run, in the heartbeat's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WantedUpdate {
    /// The bundle's version (its manifest's).
    pub version: String,
    /// Where to download it (a path on the hall, kiosk-authenticated, HTTP Range allowed).
    pub url: String,
    /// SHA-256 of the bundle file, lowercase hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

/// What an operator asks a kiosk to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum ActionRequest {
    /// Restart the kiosk service (a clean exit; systemd starts it again).
    Restart,
    /// Run the device self-test and post its report.
    Selftest,
    /// Post the service's journal of the last `minutes` minutes (scrubbed of personal data).
    Journal {
        /// How far back, 1-1440.
        minutes: u32,
    },
    /// Replace `kiosk.toml` with this text (checked first; rolled back if unhealthy).
    Config {
        /// The whole file.
        toml: String,
    },
    /// An action this build does not know: answered as failed.
    #[serde(other)]
    Unknown,
}

impl ActionRequest {
    /// The stable name (`restart`, `selftest`, `journal`, `config`).
    pub fn name(&self) -> &'static str {
        match self {
            ActionRequest::Restart => "restart",
            ActionRequest::Selftest => "selftest",
            ActionRequest::Journal { .. } => "journal",
            ActionRequest::Config { .. } => "config",
            ActionRequest::Unknown => "unknown",
        }
    }
}

/// One queued remote action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RemoteAction {
    /// Its id (the kiosk posts the result under it; a repeated delivery has the same id).
    pub id: String,
    /// What to do.
    pub action: ActionRequest,
}

/// The body of `POST /api/v1/kiosks/{id}/actions/{action}/result`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ActionResult {
    /// Whether it worked.
    pub ok: bool,
    /// What it produced: the self-test report, the journal, or why it failed (at most
    /// 48 KiB; no personal data).
    #[serde(default)]
    pub output: String,
}

/// The most output an action result may carry.
pub const MAX_ACTION_OUTPUT: usize = 48 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_from_a_newer_peer_read_as_unknown() {
        let r: UpdateReport =
            serde_json::from_str(r#"{"slot":"B","state":"verifying","extra":1}"#).unwrap();
        assert_eq!(r.state, UpdateState::Unknown);
        assert_eq!(r.slot.as_deref(), Some("B"));
        let a: RemoteAction =
            serde_json::from_str(r#"{"id":"a1","action":{"kind":"reflash"}}"#).unwrap();
        assert_eq!(a.action, ActionRequest::Unknown);
        let j: RemoteAction =
            serde_json::from_str(r#"{"id":"a2","action":{"kind":"journal","minutes":5}}"#).unwrap();
        assert_eq!(j.action, ActionRequest::Journal { minutes: 5 });
    }
}
