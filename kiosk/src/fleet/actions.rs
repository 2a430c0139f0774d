//! Remote actions from the heartbeat's answer: each id runs once (the hall repeats an
//! action until its result arrives), its result is posted back, and a restart or an applied
//! configuration ends the service cleanly afterwards so systemd starts it again.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use hall_api::updates::{ActionRequest, ActionResult, RemoteAction, MAX_ACTION_OUTPUT};

use super::{config_push, journal};
use crate::hall::{HallClient, HallError};

/// Runs the device self-test and returns its report (no personal data), or why it could
/// not run.
pub type Selftest = Arc<dyn Fn() -> Result<String, SelftestError> + Send + Sync>;

/// Why the self-test did not run (the service is stopping, the devices are not running).
pub type SelftestError = Box<dyn std::error::Error + Send + Sync>;

/// Why a remote action failed: its result says so to the hall (scrubbed).
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// The self-test could not run.
    #[error("the self-test did not run: {0}")]
    Selftest(SelftestError),
    /// The journal could not be read.
    #[error(transparent)]
    Journal(#[from] super::install::CommandError),
    /// The pushed configuration was refused or not staged.
    #[error(transparent)]
    Config(#[from] config_push::PushError),
    /// An action this kiosk's version does not know.
    #[error("this kiosk does not know that action")]
    Unknown,
    /// The blocking task running the action died.
    #[error("the action's task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// What the service must do after the actions ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum After {
    /// Nothing.
    #[default]
    Continue,
    /// Exit cleanly (systemd restarts the service).
    Restart,
}

/// Runs remote actions for one kiosk.
pub struct ActionRunner {
    hall: HallClient,
    kiosk_id: String,
    config_path: PathBuf,
    data_dir: PathBuf,
    selftest: Selftest,
    done: Mutex<HashSet<String>>,
}

impl std::fmt::Debug for ActionRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActionRunner")
            .field("kiosk_id", &self.kiosk_id)
            .finish_non_exhaustive()
    }
}

impl ActionRunner {
    /// A runner posting results as `kiosk_id`.
    pub fn new(
        hall: HallClient,
        kiosk_id: &str,
        config_path: PathBuf,
        data_dir: PathBuf,
        selftest: Selftest,
    ) -> Self {
        ActionRunner {
            hall,
            kiosk_id: kiosk_id.to_owned(),
            config_path,
            data_dir,
            selftest,
            done: Mutex::new(HashSet::new()),
        }
    }

    /// Performs one action (blocking work off the async threads): its result, and whether
    /// the service should restart once the result is posted.
    pub async fn perform(&self, action: &RemoteAction) -> (ActionResult, After) {
        let result = match &action.action {
            ActionRequest::Restart => Ok(("restarting".to_owned(), After::Restart)),
            ActionRequest::Selftest => {
                let selftest = Arc::clone(&self.selftest);
                blocking(move || selftest().map_err(ActionError::Selftest))
                    .await
                    .map(|r| (r, After::Continue))
            }
            ActionRequest::Journal { minutes } => {
                let minutes = (*minutes).clamp(1, 1440);
                blocking(move || Ok(journal::collect(minutes)?))
                    .await
                    .map(|r| (r, After::Continue))
            }
            ActionRequest::Config { toml } => {
                let (config, data, text, id) = (
                    self.config_path.clone(),
                    self.data_dir.clone(),
                    toml.clone(),
                    action.id.clone(),
                );
                blocking(move || {
                    const ACCEPTED: &str = "configuration accepted; restarting with it (rolled back if it does not come up healthy)";
                    // Delivered again (its result did not reach the hall): the file is in
                    // place already. Staged twice, the pushed file would become `.prev`.
                    if std::fs::read_to_string(&config).is_ok_and(|now| now == text) {
                        let staged = config_push::on_trial(&data)
                            .is_some_and(|t| t.action_id == id && t.starts == 0);
                        return Ok(if staged {
                            (ACCEPTED.to_owned(), After::Restart)
                        } else {
                            (
                                "this configuration is in place already".to_owned(),
                                After::Continue,
                            )
                        });
                    }
                    config_push::stage(&config, &text, &data, &id)?;
                    Ok((ACCEPTED.to_owned(), After::Restart))
                })
                .await
            }
            ActionRequest::Unknown => Err(ActionError::Unknown),
        };
        match result {
            Ok((output, after)) => (
                ActionResult {
                    ok: true,
                    output: journal::tail(&output, MAX_ACTION_OUTPUT),
                },
                after,
            ),
            Err(why) => (
                ActionResult {
                    ok: false,
                    output: journal::tail(&journal::scrub(&why.to_string()), MAX_ACTION_OUTPUT),
                },
                After::Continue,
            ),
        }
    }

    /// Runs the actions not run before and posts each result; says whether to restart.
    pub async fn run(&self, actions: &[RemoteAction]) -> After {
        let mut after = After::Continue;
        for action in actions {
            let fresh = self
                .done
                .lock()
                .map(|mut d| d.insert(action.id.clone()))
                .unwrap_or(false);
            if !fresh {
                continue;
            }
            let (result, then) = self.perform(action).await;
            tracing::info!(action = %action.id, kind = action.action.name(), ok = result.ok, "remote action done");
            if let Err(e) = self.post(&action.id, &result).await {
                // Posted again when the hall repeats the action.
                tracing::warn!(action = %action.id, %e, "remote action result not delivered");
                if let Ok(mut d) = self.done.lock() {
                    d.remove(&action.id);
                }
                continue;
            }
            if then == After::Restart {
                after = After::Restart;
            }
        }
        after
    }

    /// Posts a result.
    pub async fn post(&self, action_id: &str, result: &ActionResult) -> Result<(), HallError> {
        let path = format!(
            "/api/v1/kiosks/{}/actions/{action_id}/result",
            self.kiosk_id
        );
        self.hall
            .post_json::<_, serde_json::Value>(&path, result)
            .await
            .map(|_| ())
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ActionError> + Send + 'static,
) -> Result<T, ActionError> {
    tokio::task::spawn_blocking(f).await?
}
