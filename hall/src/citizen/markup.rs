//! The progress page's markup: pure functions from what the citizen may see to HTML, in the
//! dashboard's colours, readable at 360 px, no scripts, no external assets. Every text from
//! the store is escaped; the style sheet is one constant whose hash the CSP names.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use hall_api::application::{Status, TimelineEntry};
use hall_api::feedback::BadRatingReason;

use super::form::{page_link, Lang, ReceiptCodes};
use crate::handlers::dashboard::escape;

/// The page's only style sheet (inline; the Content-Security-Policy allows exactly its hash).
pub const STYLE: &str = r#"
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans CJK SC","Noto Sans",sans-serif;background:#f5f6f4;color:#1f2a2e;font-size:18px;line-height:1.55;-webkit-text-size-adjust:100%;text-size-adjust:100%}
header{background:#23454f;color:#fff;padding:14px 16px;display:flex;align-items:center;justify-content:space-between;gap:12px}
header h1{margin:0;font-size:21px;font-weight:600}
header a{color:#fff;font-size:16px;border:1px solid #c7d6da;border-radius:8px;padding:6px 12px;text-decoration:none;white-space:nowrap}
main{padding:12px;max-width:640px;margin:0 auto}
.card{background:#fff;border-radius:10px;padding:16px;margin:0 0 12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
h2{margin:0 0 10px;font-size:19px}
.item{font-size:22px;font-weight:700;margin:0 0 12px;overflow-wrap:anywhere}
dl{margin:0}
dt{color:#4f5d61;font-size:15px}
dd{margin:0 0 8px;overflow-wrap:anywhere}
.code{font-family:"Noto Sans Mono","DejaVu Sans Mono",monospace;font-size:17px}
.pill{display:inline-block;border-radius:999px;padding:3px 12px;font-size:16px;font-weight:700}
.ok{background:#e3f1e6;color:#1d6b34}
.warn{background:#fdf1d8;color:#7a4f00}
.bad{background:#fbe3e1;color:#a3261b}
.now{background:#e2edf0;color:#23454f}
.lead{margin:10px 0 0;font-size:18px}
.jump{display:block;margin-top:12px;padding:12px 14px;border-radius:10px;background:#23454f;color:#fff;font-weight:700;text-align:center;text-decoration:none}
ol.steps{list-style:none;margin:0;padding:0}
ol.steps li{position:relative;padding:0 0 16px 40px;min-height:44px}
ol.steps li:before{content:"";position:absolute;left:4px;top:3px;width:22px;height:22px;border-radius:50%;border:3px solid #aab6b8;background:#fff}
ol.steps li:after{content:"";position:absolute;left:14px;top:29px;bottom:0;width:3px;background:#d5dcdd}
ol.steps li:last-child:after{display:none}
ol.steps li.done:before{background:#1d6b34;border-color:#1d6b34}
ol.steps li.current:before{background:#23454f;border-color:#23454f;box-shadow:0 0 0 4px #cfe0e4}
ol.steps li.fix:before{background:#b57600;border-color:#b57600}
ol.steps li.stop:before{background:#a3261b;border-color:#a3261b}
.step{font-weight:700;font-size:19px}
li.todo .step{color:#4f5d61;font-weight:500}
.when{display:block;font-size:15px;color:#4f5d61}
.alert{border-left:6px solid #b57600;background:#fffaf0}
.alert.stop{border-left-color:#a3261b;background:#fff6f5}
.alert p{margin:6px 0 0}
.history{list-style:none;margin:0;padding:0}
.history li{padding:8px 0;border-top:1px solid #e8ebe8}
.history li:first-child{border-top:0;padding-top:0}
.history .note{display:block;overflow-wrap:anywhere}
fieldset{border:0;margin:0 0 14px;padding:0;min-width:0}
legend{font-weight:700;font-size:18px;margin:0 0 8px;padding:0}
.choice{display:flex;align-items:center;gap:12px;min-height:52px;padding:10px 14px;margin:0 0 8px;border:2px solid #c3ccce;border-radius:10px;font-size:18px;background:#fff}
.choice input{width:24px;height:24px;margin:0;flex:none;accent-color:#23454f}
.choice:has(input:checked){border-color:#23454f;background:#eef4f5}
form:has(input[name=level][value="3"]:checked) .reasons,form:has(input[name=level][value="4"]:checked) .reasons,form:has(input[name=level][value="5"]:checked) .reasons{display:none}
label.text{display:block;font-weight:700;margin:0 0 6px}
textarea{display:block;width:100%;min-height:104px;font:inherit;font-size:17px;padding:10px;border:2px solid #c3ccce;border-radius:10px;color:#1f2a2e}
button{display:block;width:100%;min-height:54px;margin-top:14px;font:inherit;font-size:19px;font-weight:700;color:#fff;background:#23454f;border:0;border-radius:10px}
.errors{margin:0 0 12px;padding:10px 14px;border-radius:8px;background:#fbe3e1;color:#a3261b;font-weight:700}
.errors p{margin:0}
.sub{color:#4f5d61;font-size:15px}
footer{padding:0 16px 28px;font-size:14px;color:#4f5d61;max-width:640px;margin:0 auto}
"#;

/// What the citizen may see of their application: nothing beyond the receipt's own content
/// (the applicant only masked) plus where it stands.
#[derive(Debug, Clone)]
pub struct Shown {
    /// 办件编号.
    pub tracking_code: String,
    /// Item or bundle name.
    pub subject_name: String,
    /// `张*  1101**********002X`, as the receipt prints it; `None` if it cannot be read.
    pub applicant: Option<String>,
    /// Current status.
    pub status: Status,
    /// Every step, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// 承诺办结 date.
    pub promised_by: NaiveDate,
    /// The hall's date today.
    pub today: NaiveDate,
    /// 免费邮寄 (otherwise collected at a window).
    pub mailed: bool,
    /// The department and its window (`县人力社保局 · B区 2号窗口`), from the catalog.
    pub window: Option<String>,
    /// Whether a 好差评 rating was given.
    pub rated: bool,
}

/// Whether an application has reached an end the citizen can rate.
pub fn rateable(status: Status) -> bool {
    matches!(
        status,
        Status::Concluded | Status::Feedback | Status::Revisited | Status::Rejected
    )
}

/// The rating form as the citizen left it, with what was wrong.
#[derive(Debug, Clone, Default)]
pub struct RatingDraft {
    /// The level chosen, if any.
    pub level: Option<u8>,
    /// Reasons ticked.
    pub reasons: Vec<BadRatingReason>,
    /// The comment typed.
    pub comment: String,
    /// Messages to show above the form.
    pub errors: Vec<String>,
}

/// Something to say at the top of the rating card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// A second rating was refused.
    AlreadyRated,
    /// A rating before the application is done was refused.
    NotYet,
}

/// The five levels, best first, as the kiosk shows them.
const LEVELS: [(u8, &str, &str); 5] = [
    (5, "非常满意", "Very satisfied"),
    (4, "满意", "Satisfied"),
    (3, "基本满意", "Acceptable"),
    (2, "不满意", "Dissatisfied"),
    (1, "非常不满意", "Very dissatisfied"),
];

/// The 差评 reasons in the kiosk's order.
const REASONS: [(BadRatingReason, &str); 8] = [
    (BadRatingReason::UnclearGuide, "Unclear guide"),
    (BadRatingReason::TooManyMaterials, "Too many materials"),
    (BadRatingReason::RepeatedTrips, "Repeated trips"),
    (BadRatingReason::TooSlow, "Too slow"),
    (BadRatingReason::HardToUse, "Hard to use"),
    (BadRatingReason::DeviceFault, "Device fault"),
    (BadRatingReason::PoorAttitude, "Poor attitude"),
    (BadRatingReason::Other, "Other"),
];

/// A reason by its form value (the wire name, `tooSlow`).
pub fn reason_by_value(value: &str) -> Option<BadRatingReason> {
    REASONS
        .iter()
        .map(|(r, _)| *r)
        .find(|r| reason_value(*r) == value)
}

fn reason_value(r: BadRatingReason) -> &'static str {
    match r {
        BadRatingReason::UnclearGuide => "unclearGuide",
        BadRatingReason::TooManyMaterials => "tooManyMaterials",
        BadRatingReason::RepeatedTrips => "repeatedTrips",
        BadRatingReason::TooSlow => "tooSlow",
        BadRatingReason::HardToUse => "hardToUse",
        BadRatingReason::DeviceFault => "deviceFault",
        BadRatingReason::PoorAttitude => "poorAttitude",
        BadRatingReason::Other => "other",
    }
}

/// The status in the page's words.
pub fn status_label(status: Status, lang: Lang) -> &'static str {
    let en = match status {
        Status::Submitted => "Submitted",
        Status::Accepted => "Accepted",
        Status::Processing => "In progress",
        Status::Concluded => "Concluded",
        Status::Feedback => "Result given",
        Status::Revisited => "Followed up",
        Status::Rejected => "Not accepted",
        Status::CorrectionRequired => "Correction needed",
    };
    lang.pick(status.label_zh(), en)
}

fn local(at: DateTime<Utc>) -> String {
    let cst = FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| unreachable!("+8h is valid"));
    at.with_timezone(&cst).format("%Y-%m-%d %H:%M").to_string()
}

/// The page around a body: head, header with the language switch, footer.
pub fn shell(lang: Lang, switch: Option<&str>, body: &str) -> String {
    let (html_lang, title) = match lang {
        Lang::Zh => ("zh-CN", "办件进度查询"),
        Lang::En => ("en", "Application progress"),
    };
    let switch = switch.map_or(String::new(), |href| {
        format!(
            "<a href=\"{}\" lang=\"{}\">{}</a>",
            escape(href),
            lang.pick("en", "zh-CN"),
            lang.pick("English", "中文")
        )
    });
    format!(
        "<!doctype html>\n<html lang=\"{html_lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{title}</title><style>{STYLE}</style></head>\n\
         <body><header><h1>{title}</h1>{switch}</header>\n<main>{body}</main>\n<footer>{footer}</footer></body></html>\n",
        footer = lang.pick(
            "回执上的二维码可查询本件进度，请勿转给他人。本页不使用 Cookie，也不记录您的信息。",
            "The QR code on your receipt opens this page: do not share it. This page uses no cookies and keeps nothing about you."
        ),
    )
}

/// A page that only says something (not found, bad address, too many tries, a fault).
pub fn message(lang: Lang, heading: (&str, &str), text: (&str, &str)) -> String {
    let other = match lang {
        Lang::Zh => Lang::En,
        Lang::En => Lang::Zh,
    };
    let body = format!(
        "<section class=\"card\" id=\"message\"><h2>{}</h2><p>{}</p>\
         <p class=\"sub\" lang=\"{}\">{} {}</p></section>",
        escape(lang.pick(heading.0, heading.1)),
        escape(lang.pick(text.0, text.1)),
        other.pick("zh-CN", "en"),
        escape(other.pick(heading.0, heading.1)),
        escape(other.pick(text.0, text.1)),
    );
    shell(lang, None, &body)
}

fn stage_index(status: Status) -> Option<usize> {
    match status {
        Status::Accepted => Some(0),
        Status::Processing => Some(1),
        Status::Concluded => Some(2),
        Status::Feedback => Some(3),
        Status::Revisited => Some(4),
        _ => None,
    }
}

const STAGES: [(Status, &str, &str); 5] = [
    (Status::Accepted, "受理", "Accepted"),
    (Status::Processing, "承办", "Processing"),
    (Status::Concluded, "办结", "Concluded"),
    (Status::Feedback, "反馈", "Result given"),
    (Status::Revisited, "回访", "Follow-up"),
];

fn last_entry(s: &Shown, status: Status) -> Option<&TimelineEntry> {
    s.timeline.iter().rev().find(|e| e.status == status)
}

fn lead(s: &Shown, lang: Lang) -> &'static str {
    match s.status {
        Status::Submitted => lang.pick(
            "已提交，等待窗口工作人员受理。",
            "Submitted; waiting for a clerk to accept it.",
        ),
        Status::Accepted => lang.pick(
            "已受理，正在转交承办部门。",
            "Accepted; being passed to the department.",
        ),
        Status::Processing => lang.pick("承办部门正在办理。", "The department is working on it."),
        Status::Concluded if s.mailed => lang.pick(
            "已办结，结果将免费邮寄给您。",
            "Concluded; the result is mailed to you free of charge.",
        ),
        Status::Concluded => lang.pick(
            "已办结，请到窗口领取结果。",
            "Concluded; collect the result at the window.",
        ),
        Status::Feedback => lang.pick(
            "办理结果已告知或送达。",
            "The result has been given to you.",
        ),
        Status::Revisited => lang.pick(
            "已回访，本件办理完毕。",
            "Followed up; this application is closed.",
        ),
        Status::Rejected => lang.pick("本件不予受理，原因见下。", "Not accepted; see why below."),
        Status::CorrectionRequired => lang.pick(
            "需要补正，请按下方说明补交。",
            "Something is missing; see below what to bring.",
        ),
    }
}

fn pill_class(status: Status) -> &'static str {
    match status {
        Status::Rejected => "bad",
        Status::CorrectionRequired => "warn",
        Status::Concluded | Status::Feedback | Status::Revisited => "ok",
        _ => "now",
    }
}

fn summary(out: &mut String, s: &Shown, lang: Lang) {
    let overdue = s.today > s.promised_by
        && matches!(
            s.status,
            Status::Submitted | Status::Accepted | Status::Processing | Status::CorrectionRequired
        );
    let _ = write!(
        out,
        "<section class=\"card\" id=\"summary\"><p class=\"item\">{item}</p><dl>\
         <dt>{l_code}</dt><dd class=\"code\">{code}</dd>",
        item = escape(&s.subject_name),
        l_code = lang.pick("办件编号", "Tracking code"),
        code = escape(&s.tracking_code),
    );
    if let Some(who) = &s.applicant {
        let _ = write!(
            out,
            "<dt>{}</dt><dd id=\"applicant\">{}</dd>",
            lang.pick("申请人", "Applicant"),
            escape(who)
        );
    }
    let _ = write!(
        out,
        "<dt>{}</dt><dd id=\"due\">{}{}</dd></dl>\
         <span class=\"pill {}\" id=\"status\">{}</span><p class=\"lead\">{}</p>{}</section>",
        lang.pick("承诺办结日期", "Promised by"),
        s.promised_by.format("%Y-%m-%d"),
        if overdue {
            format!(
                " <span class=\"pill bad\">{}</span>",
                lang.pick("已超期", "overdue")
            )
        } else {
            String::new()
        },
        pill_class(s.status),
        status_label(s.status, lang),
        lead(s, lang),
        if s.rated {
            format!(
                "<p class=\"lead\"><span class=\"pill ok\">{}</span></p>",
                lang.pick("已评价", "Rated")
            )
        } else if rateable(s.status) {
            format!(
                "<a class=\"jump\" href=\"#rating\">{}</a>",
                lang.pick("为本次服务评价 ↓", "Rate this service ↓")
            )
        } else {
            String::new()
        },
    );
}

fn steps(out: &mut String, s: &Shown, lang: Lang) {
    let _ = write!(
        out,
        "<section class=\"card\" id=\"timeline\"><h2>{}</h2><ol class=\"steps\">",
        lang.pick("办理进度", "Progress")
    );
    let submitted = s.timeline.first().map(|e| local(e.at)).unwrap_or_default();
    let _ = write!(
        out,
        "<li class=\"{}\"><span class=\"step\">{}</span><span class=\"when\">{}</span></li>",
        if s.status == Status::Submitted {
            "current"
        } else {
            "done"
        },
        lang.pick("已提交", "Submitted"),
        submitted
    );
    // The furthest main stage reached so far (a 补正 keeps the stages before it).
    let reached = s
        .timeline
        .iter()
        .filter_map(|e| stage_index(e.status))
        .max();
    let current = stage_index(s.status);
    // Where a 不予受理 or 补正 stopped it: in place of the next stage.
    let stop = matches!(s.status, Status::Rejected | Status::CorrectionRequired)
        .then(|| reached.map_or(0, |r| r + 1));
    for (i, (status, zh, en)) in STAGES.iter().enumerate() {
        if stop == Some(i) {
            let (class, label) = if s.status == Status::Rejected {
                ("stop", lang.pick("不予受理", "Not accepted"))
            } else {
                ("fix", lang.pick("补正", "Correction needed"))
            };
            let when = last_entry(s, s.status)
                .map(|e| local(e.at))
                .unwrap_or_default();
            let _ = write!(
                out,
                "<li class=\"{class}\"><span class=\"step\">{label}</span><span class=\"when\">{when}</span></li>"
            );
            if s.status == Status::Rejected {
                break;
            }
        }
        let done = reached.is_some_and(|r| i <= r);
        let class = if current == Some(i) {
            "current"
        } else if done {
            "done"
        } else {
            "todo"
        };
        let when = if done {
            last_entry(s, *status).map(|e| local(e.at))
        } else {
            None
        };
        let _ = write!(
            out,
            "<li class=\"{class}\"><span class=\"step\">{}</span>{}</li>",
            lang.pick(zh, en),
            when.map_or(String::new(), |w| format!(
                "<span class=\"when\">{w}</span>"
            ))
        );
    }
    out.push_str("</ol></section>");
}

fn window_text(s: &Shown, lang: Lang) -> String {
    s.window.as_deref().map_or_else(
        || {
            lang.pick("政务服务中心综合受理窗口", "the hall's general window")
                .to_owned()
        },
        escape,
    )
}

fn stopped(out: &mut String, s: &Shown, lang: Lang) {
    let note = last_entry(s, s.status)
        .and_then(|e| e.note.as_deref())
        .map(escape)
        .unwrap_or_default();
    let window = window_text(s, lang);
    match s.status {
        Status::CorrectionRequired => {
            let _ = write!(
                out,
                "<section class=\"card alert\" id=\"correction\"><h2>{}</h2><p>{note}</p><p>{}{window}{}</p></section>",
                lang.pick("需要补正", "What to bring"),
                lang.pick("请带上以上材料、本人身份证和回执，到 ", "Bring the above, your ID card and this receipt to "),
                lang.pick(" 补交（工作日）。补齐后继续办理，无需重新申请。", " (working days). It goes on from there; no new application is needed."),
            );
        }
        Status::Rejected => {
            let _ = write!(
                out,
                "<section class=\"card alert stop\" id=\"rejection\"><h2>{}</h2><p>{note}</p><p>{}{window}{}</p></section>",
                lang.pick("不予受理的原因", "Why it was not accepted"),
                lang.pick("如有疑问，可到 ", "For questions, ask at "),
                lang.pick(" 咨询。", "."),
            );
        }
        _ => {}
    }
}

fn delivery(out: &mut String, s: &Shown, lang: Lang) {
    if s.status == Status::Rejected {
        return;
    }
    let done = matches!(
        s.status,
        Status::Concluded | Status::Feedback | Status::Revisited
    );
    let _ = write!(
        out,
        "<section class=\"card\" id=\"delivery\"><h2>{}</h2>",
        lang.pick("领取方式", "How you get the result")
    );
    if s.mailed {
        let _ = write!(
            out,
            "<p>{}</p>",
            lang.pick(
                "免费邮寄到您申请时填写的地址。",
                "Mailed free of charge to the address you gave."
            )
        );
        // Staff record the waybill as the note of 办结 or 反馈.
        let waybill = [Status::Feedback, Status::Concluded]
            .into_iter()
            .find_map(|st| last_entry(s, st).and_then(|e| e.note.as_deref()));
        if let (true, Some(w)) = (done, waybill) {
            let _ = write!(
                out,
                "<p id=\"waybill\"><strong>{}</strong>{}</p>",
                lang.pick("寄送信息：", "Shipping: "),
                escape(w)
            );
        }
    } else {
        let _ = write!(
            out,
            "<p>{}<strong id=\"window\">{}</strong></p>",
            lang.pick("窗口领取：", "Collect at: "),
            window_text(s, lang)
        );
        if done {
            let _ = write!(
                out,
                "<p>{}</p>",
                lang.pick(
                    "结果已可领取，请带上本人身份证和回执。",
                    "The result is ready: bring your ID card and this receipt."
                )
            );
        }
    }
    out.push_str("</section>");
}

fn history(out: &mut String, s: &Shown, lang: Lang) {
    let _ = write!(
        out,
        "<section class=\"card\" id=\"history\"><h2>{}</h2><ul class=\"history\">",
        lang.pick("办理记录", "History")
    );
    for e in s.timeline.iter().rev() {
        let _ = write!(
            out,
            "<li><strong>{}</strong> <span class=\"when\">{}</span>{}</li>",
            status_label(e.status, lang),
            local(e.at),
            e.note.as_deref().map_or(String::new(), |n| format!(
                "<span class=\"note\">{}</span>",
                escape(n)
            ))
        );
    }
    out.push_str("</ul></section>");
}

fn rating(
    out: &mut String,
    s: &Shown,
    codes: &ReceiptCodes,
    lang: Lang,
    draft: Option<&RatingDraft>,
    notice: Option<Notice>,
) {
    let _ = write!(
        out,
        "<section class=\"card\" id=\"rating\"><h2>{}</h2>",
        lang.pick("好差评", "Rate this service")
    );
    let note = |out: &mut String, class: &str, text: &str| {
        let _ = write!(out, "<p class=\"pill {class}\" id=\"notice\">{text}</p>");
    };
    match notice {
        Some(Notice::AlreadyRated) => note(
            out,
            "warn",
            lang.pick(
                "该办件已评价过，每件只能评价一次。",
                "This application was rated already; one rating each.",
            ),
        ),
        Some(Notice::NotYet) => note(
            out,
            "warn",
            lang.pick(
                "办结后才能评价。",
                "You can rate once the application is concluded.",
            ),
        ),
        None => {}
    }
    if s.rated {
        if notice.is_none() {
            note(
                out,
                "ok",
                lang.pick(
                    "您已评价，感谢您的反馈！",
                    "Rated. Thank you for your feedback!",
                ),
            );
        }
        out.push_str("</section>");
        return;
    }
    if !rateable(s.status) {
        let _ = write!(
            out,
            "<p class=\"sub\">{}</p></section>",
            lang.pick(
                "办结后可在此评价本次服务。",
                "Once it is concluded you can rate the service here."
            )
        );
        return;
    }
    let empty = RatingDraft::default();
    let d = draft.unwrap_or(&empty);
    if !d.errors.is_empty() {
        out.push_str("<div class=\"errors\" id=\"errors\" role=\"alert\">");
        for e in &d.errors {
            let _ = write!(out, "<p>{}</p>", escape(e));
        }
        out.push_str("</div>");
    }
    let _ = write!(
        out,
        "<form method=\"post\" action=\"progress\">\
         <input type=\"hidden\" name=\"c\" value=\"{}\"><input type=\"hidden\" name=\"v\" value=\"{}\">\
         <input type=\"hidden\" name=\"lang\" value=\"{}\"><fieldset><legend>{}</legend>",
        escape(&codes.code),
        escape(&codes.verifier),
        lang.pick("zh", "en"),
        lang.pick("您对本次服务满意吗？", "How satisfied are you?"),
    );
    for (level, zh, en) in LEVELS {
        let _ = write!(
            out,
            "<label class=\"choice\"><input type=\"radio\" name=\"level\" value=\"{level}\" required{}>{}</label>",
            if d.level == Some(level) { " checked" } else { "" },
            lang.pick(zh, en)
        );
    }
    let _ = write!(
        out,
        "</fieldset><fieldset class=\"reasons\"><legend>{}</legend>",
        lang.pick(
            "如不满意，请选择原因（可多选）：",
            "If dissatisfied, tell us why (any that apply):"
        )
    );
    for (reason, en) in REASONS {
        let _ = write!(
            out,
            "<label class=\"choice\"><input type=\"checkbox\" name=\"reason\" value=\"{}\"{}>{}</label>",
            reason_value(reason),
            if d.reasons.contains(&reason) { " checked" } else { "" },
            lang.pick(reason.label_zh(), en)
        );
    }
    let _ = write!(
        out,
        "</fieldset><label class=\"text\" for=\"comment\">{}</label>\
         <textarea id=\"comment\" name=\"comment\" maxlength=\"300\" rows=\"4\">{}</textarea>\
         <button type=\"submit\">{}</button></form></section>",
        lang.pick(
            "意见建议（选填，300字以内）",
            "Comments (optional, up to 300 characters)"
        ),
        escape(&d.comment),
        lang.pick("提交评价", "Submit rating"),
    );
}

/// The progress page.
pub fn progress(
    lang: Lang,
    codes: &ReceiptCodes,
    s: &Shown,
    draft: Option<&RatingDraft>,
    notice: Option<Notice>,
) -> String {
    let mut body = String::new();
    summary(&mut body, s, lang);
    stopped(&mut body, s, lang);
    steps(&mut body, s, lang);
    delivery(&mut body, s, lang);
    rating(&mut body, s, codes, lang, draft, notice);
    history(&mut body, s, lang);
    let other = match lang {
        Lang::Zh => Lang::En,
        Lang::En => Lang::Zh,
    };
    shell(lang, Some(&page_link(codes, other)), &body)
}
