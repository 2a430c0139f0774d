//! The 办理进度 screen (`progress.slint`): an application's stages (受理 → 承办 → 办结 → 反馈 → 回访).

use std::rc::Rc;

use hall_api::application::Status;
use kiosk_ui::generated as ui;
use kiosk_ui::screen::progress::{ProgressVm, Stage, StageState};
use slint::ComponentHandle;

use crate::display::frontend::{on0, Frontend};
use crate::display::map::tr;
use crate::session::screens::ProgressView;
use crate::session::{Screen, Session, UiInput};

/// The stages of the timeline (受理 → 承办 → 办结 → 反馈 → 回访), by status.
fn stage_index(status: Status) -> usize {
    match status {
        Status::Submitted | Status::Accepted | Status::CorrectionRequired | Status::Rejected => 0,
        Status::Processing => 1,
        Status::Concluded => 2,
        Status::Feedback => 3,
        Status::Revisited => 4,
    }
}

/// The progress page.
pub fn view(s: &Session) -> ProgressVm {
    let Screen::Progress(view) = &s.screen else {
        return ProgressVm::default();
    };
    match view {
        ProgressView::Waiting => ProgressVm {
            message: tr(
                s,
                "请扫描回执上的二维码，或放置身份证",
                "Scan the QR code on your receipt, or place your ID card",
            ),
            ..Default::default()
        },
        ProgressView::Loading { .. } => ProgressVm {
            message: tr(s, "正在查询…", "Looking it up…"),
            ..Default::default()
        },
        ProgressView::NotFound => ProgressVm {
            message: tr(
                s,
                "未找到该办件，请核对回执或咨询窗口",
                "Not found: check the receipt, or ask at a window",
            ),
            ..Default::default()
        },
        ProgressView::Unreachable => ProgressVm {
            message: tr(
                s,
                "暂时无法连接政务服务中心，请稍后再试",
                "The service centre cannot be reached now; please try later",
            ),
            ..Default::default()
        },
        ProgressView::Shown { list, .. } => {
            let Some(p) = list.first() else {
                return ProgressVm::default();
            };
            let names = if s.is_chinese() {
                ["受理", "承办", "办结", "反馈", "回访"]
            } else {
                [
                    "Accepted",
                    "Processing",
                    "Concluded",
                    "Feedback",
                    "Follow-up",
                ]
            };
            let current = stage_index(p.status);
            let stages = names
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let entry = p.timeline.iter().rfind(|e| stage_index(e.status) == i);
                    Stage {
                        name: (*name).to_owned(),
                        state: if i < current {
                            StageState::Done
                        } else if i == current {
                            StageState::Current
                        } else {
                            StageState::Pending
                        },
                        time: entry
                            .map(|e| {
                                crate::citizen::runner::local_time(e.at)
                                    .format("%m-%d %H:%M")
                                    .to_string()
                            })
                            .unwrap_or_default(),
                        note: entry.and_then(|e| e.note.clone()).unwrap_or_default(),
                    }
                })
                .collect();
            ProgressVm {
                tracking_code: p.tracking_code.clone(),
                item_name: p.subject_name.clone(),
                stages,
                message: if s.is_chinese() {
                    format!("当前状态：{}", p.status.label_zh())
                } else {
                    format!("Status: {}", crate::citizen::summary::wire(&p.status))
                },
            }
        }
    }
}

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let app = &f.app;
    app.global::<ui::ProgressAdapter<'_>>()
        .on_scan_again(on0(f, |f| f.press(UiInput::OpenProgress)));
}
