//! The session's state as the screens' view models ([`kiosk_ui::vm`]): which screen shows,
//! and what is on it. Pure functions; personal data masked wherever the citizen need not
//! check it (the form shows what the citizen must check, and marks what came from the card).

use hall_api::application::Status;
use hall_api::feedback::BadRatingReason;
use hall_api::form::FieldKind as SchemaKind;
use kiosk_ui::vm::{self, ScreenId};
use vocab::mask::{mask_id_number, mask_name, mask_phone};

use crate::session::screens::{ChooseView, ProgressView};
use crate::session::transaction::Submission;
use crate::session::{listing, prompts, Choice, Screen, Session};

/// The UI screen for a session screen, one for one.
pub fn screen_id(s: &Session) -> ScreenId {
    match &s.screen {
        Screen::Home => ScreenId::Home,
        Screen::Identify => ScreenId::Identify,
        Screen::OutOfService { .. } => ScreenId::OutOfService,
        Screen::Choose(_) => ScreenId::Browse,
        Screen::Guide => ScreenId::Guide,
        Screen::Form => ScreenId::Form,
        Screen::Materials => ScreenId::Materials,
        Screen::Delivery => ScreenId::Delivery,
        Screen::Review => ScreenId::Review,
        Screen::Submitting => ScreenId::Submitting,
        Screen::Receipt => ScreenId::Receipt,
        Screen::Rating(_) => ScreenId::Rating,
        Screen::Progress(_) => ScreenId::Progress,
        Screen::Appointment(_) => ScreenId::Appointment,
        Screen::Complaint(_) => ScreenId::Complaint,
        Screen::Help(_) => ScreenId::Help,
        Screen::Farewell { .. } => ScreenId::Farewell,
    }
}

/// Splits `all` into pages of `rows`; returns the page shown (clamped) and the page count.
pub fn page_of<T: Clone>(all: &[T], page: usize, rows: usize) -> (Vec<T>, usize, usize) {
    let rows = rows.max(1);
    let pages = all.len().div_ceil(rows).max(1);
    let page = page.min(pages - 1);
    (
        all.iter().skip(page * rows).take(rows).cloned().collect(),
        page,
        pages,
    )
}

fn department_name(s: &Session, code: &str) -> String {
    s.catalog
        .as_ref()
        .and_then(|c| c.departments.iter().find(|d| d.code == code))
        .map_or_else(
            || code.to_owned(),
            |d| content(s, &d.name, d.name_en.as_deref()),
        )
}

/// Catalog text (an item's, a material's, a department's name) in the session's language:
/// the hall's English where it wrote one, otherwise the Chinese marked "(Chinese only)" so an
/// English reader knows it is not a mistake.
pub(crate) fn content(s: &Session, zh: &str, en: Option<&str>) -> String {
    match en.map(str::trim).filter(|e| !e.is_empty()) {
        _ if s.is_chinese() => zh.to_owned(),
        Some(en) => en.to_owned(),
        None => format!("{zh} (Chinese only)"),
    }
}

/// A form's words (a label, an option) in the session's language: the English where there
/// is one, else the Chinese as it is (the field beside it says what it is for).
pub(crate) fn label(s: &Session, zh: &str, en: Option<&str>) -> String {
    match en.map(str::trim).filter(|e| !e.is_empty()) {
        Some(en) if !s.is_chinese() => en.to_owned(),
        _ => zh.to_owned(),
    }
}

/// The words in the session's language: Chinese, or English for the same words. (Catalog
/// content, such as item names, is the hall's and stays as the hall wrote it.)
pub(crate) fn tr(s: &Session, zh: &str, en: &str) -> String {
    if s.is_chinese() { zh } else { en }.to_owned()
}

fn limit_text(s: &Session, days: u32) -> String {
    match (days, s.is_chinese()) {
        (0, true) => "即办".to_owned(),
        (0, false) => "on the spot".to_owned(),
        (n, true) => format!("{n} 个工作日"),
        (n, false) => format!("{n} working days"),
    }
}

/// How many originals and copies, in words.
pub(crate) fn amounts(s: &Session, originals: u32, copies: u32) -> String {
    let mut form = Vec::new();
    if originals > 0 {
        form.push(match s.is_chinese() {
            true => format!("原件 {originals} 份"),
            false => format!("{originals} original(s)"),
        });
    }
    if copies > 0 {
        form.push(match s.is_chinese() {
            true => format!("复印件 {copies} 份"),
            false => format!("{copies} copy(ies)"),
        });
    }
    form.join(if s.is_chinese() { "，" } else { ", " })
}

/// The browsing screen: departments, bundles, and one page of the current list.
pub fn browse(s: &Session, page: usize, rows: usize, query: &str, searching: bool) -> vm::BrowseVm {
    let Some(catalog) = s.catalog.as_ref() else {
        return vm::BrowseVm::default();
    };
    let view = match &s.screen {
        Screen::Choose(view) => view.clone(),
        _ => ChooseView::MostUsed,
    };
    let entry = |choice: &Choice| match choice {
        Choice::Item { code, name } => {
            let detail = catalog.item(code).map_or_else(String::new, |i| {
                format!(
                    "{} · {}",
                    department_name(s, &i.department),
                    limit_text(s, i.promised_limit_days)
                )
            });
            vm::ItemEntry {
                id: code.clone(),
                name: content(
                    s,
                    name,
                    catalog.item(code).and_then(|i| i.name_en.as_deref()),
                ),
                detail,
            }
        }
        Choice::Bundle { code, name } => vm::ItemEntry {
            id: code.clone(),
            name: content(
                s,
                name,
                catalog.bundle(code).and_then(|b| b.name_en.as_deref()),
            ),
            detail: tr(s, "一件事 · 材料只交一次", "life event · materials once"),
        },
    };
    let all: Vec<vm::ItemEntry> = listing(catalog, &view, &s.most_used)
        .iter()
        .map(entry)
        .collect();
    let (items, page, pages) = page_of(&all, page, rows);
    let (selected, title) = match &view {
        ChooseView::MostUsed | ChooseView::Departments => {
            (String::new(), tr(s, "常用事项", "Most used"))
        }
        ChooseView::Department(d) => (d.clone(), department_name(s, d)),
        ChooseView::Bundles => (String::new(), tr(s, "一件事", "Life events")),
        ChooseView::Search(_) => (String::new(), tr(s, "搜索结果", "Search results")),
    };
    vm::BrowseVm {
        departments: catalog
            .departments
            .iter()
            .map(|d| vm::Department {
                id: d.code.clone(),
                name: content(s, &d.name, d.name_en.as_deref()),
            })
            .collect(),
        selected_department: selected,
        query: query.to_owned(),
        searching,
        bundles: catalog
            .bundles
            .iter()
            .map(|b| vm::ItemEntry {
                id: b.code.clone(),
                name: content(s, &b.name, b.name_en.as_deref()),
                detail: if s.is_chinese() {
                    format!("{} 个事项，材料只交一次", b.items.len())
                } else {
                    format!("{} items, materials once", b.items.len())
                },
            })
            .collect(),
        list_title: title,
        items,
        page,
        pages,
    }
}

/// 一次性告知: the transaction's materials, fee and time limit.
pub fn guide(s: &Session, page: usize, rows: usize) -> vm::GuideVm {
    let Some(t) = s.transaction.as_ref() else {
        return vm::GuideVm::default();
    };
    let all: Vec<vm::Material> = t
        .materials
        .iter()
        .map(|line| {
            let m = &line.material;
            vm::Material {
                name: content(s, &m.name, m.name_en.as_deref()),
                form: amounts(s, m.originals, m.copies),
                note: m.note.clone().unwrap_or_default(),
                required: m.required,
                reused: line.held,
            }
        })
        .collect();
    let (materials, page, pages) = page_of(&all, page, rows);
    let fee = t
        .fees
        .iter()
        .map(|f| f.note.clone())
        .collect::<Vec<_>>()
        .join("；");
    vm::GuideVm {
        item_name: content(s, &t.title, t.title_en.as_deref()),
        facts: vec![
            (
                tr(s, "承诺时限", "Time limit"),
                limit_text(s, t.promised_days),
            ),
            (
                tr(s, "收费", "Fee"),
                if fee.is_empty() {
                    tr(s, "不收费", "free")
                } else {
                    fee
                },
            ),
            (
                tr(s, "自助办理", "At the kiosk"),
                if t.kiosk_completable {
                    tr(s, "可在本机提交", "can be submitted here")
                } else {
                    tr(
                        s,
                        "请到窗口办理，可预约",
                        "at a window; you can book a visit",
                    )
                },
            ),
        ]
        .into_iter()
        // Why not here (a lost card cannot be checked at a kiosk): the item's own guidance.
        .chain(
            (!t.kiosk_completable && !t.summary.trim().is_empty())
                .then(|| (tr(s, "说明", "Why"), t.summary.clone())),
        )
        .collect(),
        materials,
        page,
        pages,
        window_only: !t.kiosk_completable,
    }
}

fn field_kind(kind: &SchemaKind) -> vm::FieldKind {
    match kind {
        SchemaKind::Text => vm::FieldKind::Text,
        SchemaKind::Number => vm::FieldKind::Number,
        SchemaKind::Date => vm::FieldKind::Date,
        SchemaKind::Phone => vm::FieldKind::Phone,
        SchemaKind::IdNumber => vm::FieldKind::IdNumber,
        SchemaKind::Select { .. } => vm::FieldKind::Select,
        SchemaKind::Address => vm::FieldKind::Address,
        SchemaKind::Checkbox => vm::FieldKind::Checkbox,
    }
}

pub(super) fn value_text(value: Option<&serde_json::Value>) -> String {
    match value {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The form: one page of fields with their values, marks and errors. `editing` is the key
/// being typed into (its value is shown in full; a prefilled ID number is masked otherwise).
pub fn form(s: &Session, page: usize, rows: usize, editing: Option<&str>) -> vm::FormVm {
    let Some(t) = s.transaction.as_ref() else {
        return vm::FormVm::default();
    };
    let values = t.values.get();
    let all: Vec<vm::Field> = t
        .form
        .fields
        .iter()
        .map(|f| {
            let raw = value_text(values.get(&f.key));
            let prefilled = t.prefilled.contains(&f.key);
            let value = if prefilled
                && matches!(f.kind, SchemaKind::IdNumber)
                && editing != Some(f.key.as_str())
            {
                mask_id_number(&raw)
            } else {
                raw
            };
            let (options, selected_label) = match &f.kind {
                SchemaKind::Select { options } => (
                    options
                        .iter()
                        .map(|o| label(s, &o.label, o.label_en.as_deref()))
                        .collect(),
                    options
                        .iter()
                        .find(|o| {
                            Some(&serde_json::Value::String(o.value.clone())) == values.get(&f.key)
                        })
                        .map(|o| label(s, &o.label, o.label_en.as_deref())),
                ),
                _ => (Vec::new(), None),
            };
            vm::Field {
                id: f.key.clone(),
                label: label(s, &f.label, f.label_en.as_deref()),
                kind: field_kind(&f.kind),
                value: selected_label.unwrap_or(value),
                placeholder: f.hint.clone().unwrap_or_default(),
                required: f.required,
                prefilled,
                error: t
                    .errors
                    .get(&f.key)
                    .map(|e| e.message.clone())
                    .unwrap_or_default(),
                options,
                checked: values.get(&f.key) == Some(&serde_json::Value::Bool(true)),
                suggestion: String::new(),
                suggested: false,
            }
        })
        .map(|mut field| {
            // The phone number given before: offered masked, for one touch.
            if let Some(known) = t
                .known_phone
                .as_ref()
                .filter(|_| t.phone_field() == Some(field.id.as_str()))
            {
                field.suggestion = if s.is_chinese() {
                    format!("用 {}", known.masked)
                } else {
                    format!("Use {}", known.masked)
                };
                field.suggested = t.use_known_phone;
                if t.use_known_phone {
                    field.value = known.masked.clone();
                }
            }
            field
        })
        .collect();
    let (fields, page, pages) = page_of(&all, page, rows);
    let active = editing.and_then(|key| fields.iter().position(|f| f.id == key));
    vm::FormVm {
        item_name: content(s, &t.title, t.title_en.as_deref()),
        fields,
        active,
        page,
        pages,
    }
}

/// The review page.
pub fn review(s: &Session) -> vm::ReviewVm {
    let Some(t) = s.transaction.as_ref() else {
        return vm::ReviewVm::default();
    };
    let f = form(s, 0, usize::MAX, None);
    // Fields the card's name fills: masked on the review, whatever their label says.
    let name_fields: Vec<&str> = t
        .form
        .fields
        .iter()
        .filter(|x| x.prefill == Some(hall_api::form::PrefillSource::Name))
        .map(|x| x.key.as_str())
        .collect();
    let mut rows: Vec<(String, String)> = f
        .fields
        .iter()
        .filter(|field| !field.value.is_empty() || field.kind == vm::FieldKind::Checkbox)
        .map(|field| {
            let value = match field.kind {
                vm::FieldKind::Checkbox => {
                    if field.checked {
                        tr(s, "是", "yes")
                    } else {
                        tr(s, "否", "no")
                    }
                }
                vm::FieldKind::IdNumber => mask_id_number(&field.value),
                // The card's name, in either language's label.
                _ if t.prefilled.contains(&field.id)
                    && name_fields.contains(&field.id.as_str()) =>
                {
                    mask_name(&field.value)
                }
                _ => field.value.clone(),
            };
            (field.label.clone(), value)
        })
        .collect();
    rows.push((
        tr(s, "领取方式", "Delivery"),
        if t.mail {
            tr(s, "免费邮寄", "free mail")
        } else {
            tr(s, "窗口领取", "collect at the window")
        },
    ));
    vm::ReviewVm {
        item_name: content(s, &t.title, t.title_en.as_deref()),
        rows,
        materials: t
            .materials
            .iter()
            .map(|l| {
                let how = if l.held {
                    tr(s, "（已有，复用）", " (held, reused)")
                } else {
                    tr(s, "（窗口补交）", " (hand in later)")
                };
                format!(
                    "{}{how}",
                    content(s, &l.material.name, l.material.name_en.as_deref())
                )
            })
            .collect(),
        submitting: matches!(s.screen, Screen::Submitting),
        notify_phone: t.notify_phone().map(mask_phone).unwrap_or_default(),
        notify_consent: t.notify_consent,
    }
}

/// The receipt page: delivered or saved for later, with its QR code.
pub fn receipt(s: &Session) -> vm::ReceiptVm {
    let (Some(t), Some(c)) = (s.transaction.as_ref(), s.citizen.as_ref()) else {
        return vm::ReceiptVm::default();
    };
    let doc = s.receipt_doc();
    let (delivered, tracking, submitted_at) = match &t.submission {
        Some(Submission::Delivered { receipt, .. }) => (
            true,
            receipt.tracking_code.clone(),
            crate::citizen::runner::local_time(receipt.received_at)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        ),
        Some(Submission::Queued { key }) => (false, key.clone(), String::new()),
        _ => (false, String::new(), String::new()),
    };
    vm::ReceiptVm {
        item_name: content(s, &t.title, t.title_en.as_deref()),
        delivered,
        tracking_code: tracking,
        qr_payload: doc.and_then(|d| d.qr).unwrap_or_default(),
        applicant: format!("{}  {}", mask_name(&c.name), mask_id_number(&c.id_number)),
        submitted_at,
        time_limit: limit_text(s, t.promised_days),
        printed: s.offers().print && s.notice.is_none(),
    }
}

/// The 差评 reasons in screen order (the rating screen's `toggle-reason(i)` is an index here),
/// with their Chinese and English words.
pub(super) const RATING_REASONS: [(BadRatingReason, &str, &str); 8] = [
    (BadRatingReason::UnclearGuide, "指南不清楚", "unclear guide"),
    (
        BadRatingReason::TooManyMaterials,
        "材料太多",
        "too many materials",
    ),
    (BadRatingReason::RepeatedTrips, "来回跑", "repeated trips"),
    (BadRatingReason::TooSlow, "办理太慢", "too slow"),
    (BadRatingReason::HardToUse, "机器难用", "hard to use"),
    (BadRatingReason::DeviceFault, "设备故障", "device fault"),
    (BadRatingReason::PoorAttitude, "服务态度", "attitude"),
    (BadRatingReason::Other, "其他", "other"),
];

/// 好差评.
pub fn rating(s: &Session) -> vm::RatingVm {
    let Screen::Rating(d) = &s.screen else {
        return vm::RatingVm::default();
    };
    vm::RatingVm {
        item_name: s
            .transaction
            .as_ref()
            .map(|t| t.title.clone())
            .unwrap_or_default(),
        level: d.level.unwrap_or(0),
        reasons: RATING_REASONS
            .iter()
            .map(|(r, zh, en)| (tr(s, zh, en), d.reasons.contains(r)))
            .collect(),
        message: d
            .errors
            .first()
            .map(|e| e.message.clone())
            .unwrap_or_default(),
    }
}

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
pub fn progress(s: &Session) -> vm::ProgressVm {
    let Screen::Progress(view) = &s.screen else {
        return vm::ProgressVm::default();
    };
    match view {
        ProgressView::Waiting => vm::ProgressVm {
            message: tr(
                s,
                "请扫描回执上的二维码，或放置身份证",
                "Scan the QR code on your receipt, or place your ID card",
            ),
            ..Default::default()
        },
        ProgressView::Loading { .. } => vm::ProgressVm {
            message: tr(s, "正在查询…", "Looking it up…"),
            ..Default::default()
        },
        ProgressView::NotFound => vm::ProgressVm {
            message: tr(
                s,
                "未找到该办件，请核对回执或咨询窗口",
                "Not found: check the receipt, or ask at a window",
            ),
            ..Default::default()
        },
        ProgressView::Unreachable => vm::ProgressVm {
            message: tr(
                s,
                "暂时无法连接政务服务中心，请稍后再试",
                "The service centre cannot be reached now; please try later",
            ),
            ..Default::default()
        },
        ProgressView::Shown { list, .. } => {
            let Some(p) = list.first() else {
                return vm::ProgressVm::default();
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
                    vm::Stage {
                        name: (*name).to_owned(),
                        state: if i < current {
                            vm::StageState::Done
                        } else if i == current {
                            vm::StageState::Current
                        } else {
                            vm::StageState::Pending
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
            vm::ProgressVm {
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

/// What the out-of-service screen names.
pub fn out_of_service(s: &Session) -> Vec<String> {
    s.faults()
        .iter()
        .map(|f| {
            use crate::session::Fault;
            match f {
                Fault::Reader => tr(
                    s,
                    "身份证阅读器暂不可用",
                    "The ID-card reader is not available",
                ),
                Fault::Scanner => tr(s, "扫码器暂不可用", "The scanner is not available"),
                Fault::Printer => tr(
                    s,
                    "凭条打印机暂不可用（回执将显示在屏幕上）",
                    "The printer is not available (receipts show on screen)",
                ),
                Fault::NoCatalog => tr(
                    s,
                    "事项目录暂未加载",
                    "The list of services is not loaded yet",
                ),
            }
        })
        .collect()
}

/// The line over the screen: the notice, else the screen's prompt.
pub fn caption(s: &Session) -> String {
    match s.notice {
        Some(n) => prompts::notice(n, s.language).to_owned(),
        None => prompts::prompt(s),
    }
}
