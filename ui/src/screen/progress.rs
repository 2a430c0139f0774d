//! An application's progress (`progress.slint`): the timeline 受理 → 承办 → 办结 → 反馈 → 回访.

use slint::ComponentHandle;

use super::{model, s};
use crate::generated as ui;

/// Where a stage of the timeline is (done, current, pending): the Slint enum of `progress.slint`,
/// re-exported.
pub use crate::generated::StageState;

/// One stage of an application's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// 受理, 承办, 办结, 反馈, 回访.
    pub name: String,
    /// Where it is.
    pub state: StageState,
    /// When it finished.
    pub time: String,
    /// What happened.
    pub note: String,
}

/// The progress screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProgressVm {
    /// The tracking code looked up; empty while waiting for a scan.
    pub tracking_code: String,
    /// The item's name.
    pub item_name: String,
    /// The timeline.
    pub stages: Vec<Stage>,
    /// Shown above the timeline (请扫描回执上的二维码, 查询码不存在…).
    pub message: String,
}

/// The progress timeline.
pub fn apply_progress(app: &ui::AppWindow, vm: &ProgressVm) {
    let g = app.global::<ui::ProgressAdapter<'_>>();
    g.set_tracking_code(s(&vm.tracking_code));
    g.set_item_name(s(&vm.item_name));
    g.set_message(s(&vm.message));
    g.set_stages(model(
        vm.stages
            .iter()
            .map(|st| ui::StageRow {
                name: s(&st.name),
                state: st.state,
                time: s(&st.time),
                note: s(&st.note),
            })
            .collect(),
    ));
}
