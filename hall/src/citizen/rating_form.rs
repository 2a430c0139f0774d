//! The 好差评 card of the progress page: the form (the kiosk's five levels and eight 差评
//! reasons; reasons hidden by CSS `:has()` once a good level is chosen, and ignored by the
//! hall for levels 3–5 since hidden boxes still post), the draft it keeps on a mistake, and
//! the notices for a refused second rating or an early one.

use std::fmt::Write as _;

use hall_api::feedback::BadRatingReason;

use super::form::{Lang, ReceiptCodes};
use super::markup::{rateable, Shown};
use crate::handlers::dashboard::escape;

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

pub(super) fn rating(
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
