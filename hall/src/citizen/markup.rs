//! The progress page's markup: pure functions from what the citizen may see to HTML, readable
//! at 360 px, no scripts, no external assets. Every text from the store is escaped. The style
//! sheet is in [`super::style`], the 好差评 card in [`super::rating_form`].

use std::fmt::Write as _;

use chrono::NaiveDate;
use hall_api::application::{Status, TimelineEntry};

use super::form::{page_link, Lang, ReceiptCodes};
use super::rating_form::{rating, Notice, RatingDraft};
use super::style::STYLE;
use crate::handlers::dashboard::escape;

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
    /// 跨省通办: the partner place handling it (taken in here, 代收).
    pub handled_by: Option<hall_api::catalog::PartnerPlace>,
}

/// Whether an application has reached an end the citizen can rate.
pub fn rateable(status: Status) -> bool {
    matches!(
        status,
        Status::Concluded | Status::Feedback | Status::Revisited | Status::Rejected
    )
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

use vocab::time::local_minute as local;

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
         <p class=\"sub\" lang=\"{}\">{}{}{}</p></section>",
        escape(lang.pick(heading.0, heading.1)),
        escape(lang.pick(text.0, text.1)),
        other.pick("zh-CN", "en"),
        escape(other.pick(heading.0, heading.1)),
        other.pick("：", ". "),
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

/// On the English page, marks text written in Chinese (the catalog's names, staff's notes)
/// as such, so a screen reader reads it in Chinese (WCAG 3.1.2).
fn zh_part(lang: Lang) -> &'static str {
    lang.pick("", " lang=\"zh-CN\"")
}

fn summary(out: &mut String, s: &Shown, lang: Lang) {
    let overdue = s.today > s.promised_by
        && matches!(
            s.status,
            Status::Submitted | Status::Accepted | Status::Processing | Status::CorrectionRequired
        );
    let _ = write!(
        out,
        "<section class=\"card\" id=\"summary\"><p class=\"item\"{zh}>{item}</p><dl>\
         <dt>{l_code}</dt><dd class=\"code\">{code}</dd>",
        zh = zh_part(lang),
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
    if let Some(place) = &s.handled_by {
        let name = match lang {
            Lang::En if !place.name_en.is_empty() => &place.name_en,
            _ => &place.name,
        };
        let _ = write!(
            out,
            "<dt>{}</dt><dd id=\"handled-by\">{}{}{}</dd>",
            lang.pick("办理地", "Handled by"),
            escape(name),
            // A full-width bracket brings its own space.
            lang.pick("", " "),
            lang.pick(
                "（跨省通办，本中心代收）",
                "(inter-provincial; taken in here)"
            ),
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
    let zh = zh_part(lang);
    match s.status {
        Status::CorrectionRequired => {
            let _ = write!(
                out,
                "<section class=\"card alert\" id=\"correction\"><h2>{}</h2><p{zh}>{note}</p><p>{}{window}{}</p></section>",
                lang.pick("需要补正", "What to bring"),
                lang.pick("请带上以上材料、本人身份证和回执，到 ", "Bring the above, your ID card and this receipt to "),
                lang.pick(" 补交（工作日）。补齐后继续办理，无需重新申请。", " (working days). It goes on from there; no new application is needed."),
            );
        }
        Status::Rejected => {
            let _ = write!(
                out,
                "<section class=\"card alert stop\" id=\"rejection\"><h2>{}</h2><p{zh}>{note}</p><p>{}{window}{}</p></section>",
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
    for (i, e) in s.timeline.iter().enumerate().rev() {
        let note = e.note.as_deref().map_or(String::new(), |n| {
            // The hall's own notes on the first entry have English; staff's stay Chinese.
            match (lang, i) {
                (Lang::En, 0) => hall_note_en(n, s),
                _ => None,
            }
            .map_or_else(
                || format!("<span class=\"note\"{}>{}</span>", zh_part(lang), escape(n)),
                |en| format!("<span class=\"note\">{}</span>", escape(&en)),
            )
        });
        let _ = write!(
            out,
            "<li><strong>{}</strong> <span class=\"when\">{}</span>{note}</li>",
            status_label(e.status, lang),
            local(e.at),
        );
    }
    out.push_str("</ul></section>");
}

/// The English of a first entry's note when every part of it is one the hall writes itself
/// (the 代收 note of a cross-province application, the note of one taken in after its item
/// was withdrawn; joined by [`crate::store::NOTE_JOIN`]); `None` for anything else.
fn hall_note_en(note: &str, s: &Shown) -> Option<String> {
    use crate::handlers::applications::{
        WITHDRAWN_AFTER_SUBMISSION, WITHDRAWN_AFTER_SUBMISSION_EN,
    };
    let parts: Option<Vec<String>> = note
        .split(crate::store::NOTE_JOIN)
        .map(|part| {
            if part == WITHDRAWN_AFTER_SUBMISSION {
                return Some(WITHDRAWN_AFTER_SUBMISSION_EN.to_owned());
            }
            s.handled_by
                .as_ref()
                .filter(|place| part == crate::partners::forwarded_note(place))
                .map(crate::partners::forwarded_note_en)
        })
        .collect();
    parts.map(|p| p.join(". ") + ".")
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn shown(status: Status, steps: &[(Status, Option<&str>)]) -> Shown {
        let at = Utc.with_ymd_and_hms(2024, 5, 6, 1, 2, 3).unwrap();
        Shown {
            tracking_code: "240506-ABCD-EFGH".into(),
            subject_name: "<i>社会保障卡申领</i>".into(),
            applicant: Some("张*  1101**********002X".into()),
            status,
            timeline: steps
                .iter()
                .map(|(st, note)| TimelineEntry {
                    status: *st,
                    at,
                    note: note.map(str::to_owned),
                })
                .collect(),
            promised_by: NaiveDate::from_ymd_opt(2024, 5, 20).unwrap(),
            today: NaiveDate::from_ymd_opt(2024, 5, 21).unwrap(),
            mailed: false,
            window: None,
            rated: false,
            handled_by: None,
        }
    }

    fn codes() -> ReceiptCodes {
        ReceiptCodes {
            code: "240506-ABCD-EFGH".into(),
            verifier: "K3M9Q2WX".into(),
        }
    }

    #[test]
    fn a_late_application_is_marked_overdue_until_it_is_concluded() {
        use Status::*;
        let late = shown(
            Processing,
            &[(Submitted, None), (Accepted, None), (Processing, None)],
        );
        let html = progress(Lang::Zh, &codes(), &late, None, None);
        assert!(html.contains("已超期"));
        assert!(html.contains("&lt;i&gt;社会保障卡申领") && !html.contains("<i>"));
        let done = shown(
            Concluded,
            &[
                (Submitted, None),
                (Accepted, None),
                (Processing, None),
                (Concluded, None),
            ],
        );
        assert!(!progress(Lang::Zh, &codes(), &done, None, None).contains("已超期"));
    }

    #[test]
    fn the_halls_own_first_notes_have_english_and_staff_notes_stay_chinese() {
        use crate::handlers::applications::{
            WITHDRAWN_AFTER_SUBMISSION, WITHDRAWN_AFTER_SUBMISSION_EN,
        };
        use Status::*;
        let place = hall_api::catalog::PartnerPlace {
            code: "420600".into(),
            name: "湖北省襄阳市".into(),
            name_en: "Xiangyang, Hubei".into(),
        };
        let both = format!(
            "{}{}{WITHDRAWN_AFTER_SUBMISSION}",
            crate::partners::forwarded_note(&place),
            crate::store::NOTE_JOIN
        );
        let mut s = shown(
            Accepted,
            &[
                (Submitted, Some(both.as_str())),
                (Accepted, Some(WITHDRAWN_AFTER_SUBMISSION)),
            ],
        );
        s.handled_by = Some(place);
        let en = progress(Lang::En, &codes(), &s, None, None);
        let first = format!(
            "<span class=\"note\">Taken in here for Xiangyang, Hubei, which handles it; passed on to them. {WITHDRAWN_AFTER_SUBMISSION_EN}.</span>"
        );
        assert!(en.contains(&first), "{en}");
        // The same words as a staff note on a later entry are staff's: left in Chinese.
        assert!(
            en.contains(&format!(
                "<span class=\"note\" lang=\"zh-CN\">{WITHDRAWN_AFTER_SUBMISSION}</span>"
            )),
            "{en}"
        );
        let zh = progress(Lang::Zh, &codes(), &s, None, None);
        assert!(
            zh.contains(&format!("<span class=\"note\">{}</span>", both)),
            "{zh}"
        );
        assert!(!zh.contains("Taken in here"));
        // A part the hall did not write keeps the whole note Chinese on the English page.
        s.timeline[0].note = Some(format!("{both}。请携带户口簿"));
        let en = progress(Lang::En, &codes(), &s, None, None);
        assert!(!en.contains("Taken in here"), "{en}");
        assert!(en.contains("lang=\"zh-CN\">代收："), "{en}");
    }

    #[test]
    fn a_correction_after_processing_sits_between_processing_and_conclusion() {
        use Status::*;
        let s = shown(
            CorrectionRequired,
            &[
                (Submitted, None),
                (Accepted, None),
                (Processing, None),
                (CorrectionRequired, Some("补交户口簿")),
            ],
        );
        let html = progress(Lang::En, &codes(), &s, None, None);
        let order: Vec<usize> = [
            "Processing</span>",
            "Correction needed</span>",
            "Concluded</span>",
        ]
        .iter()
        .map(|l| html.find(&format!("<span class=\"step\">{l}")).unwrap())
        .collect();
        assert!(order[0] < order[1] && order[1] < order[2], "{order:?}");
        assert!(html.contains("the hall's general window") && html.contains("补交户口簿"));
    }
}
