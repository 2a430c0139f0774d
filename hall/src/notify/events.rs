//! What the hall tells people, and how it reads in Chinese.
//!
//! Staff events (a new help request, a new complaint, a new 差评) carry ids, kinds, the kiosk
//! and its location, the item, times and a link into the workbench: never the citizen's ID
//! number, name, phone or text, which staff read in the workbench after signing in.
//! Citizen notices (受理, 补正, 不予受理, 办结) go only to the phone number the citizen gave
//! with their consent ([`SmsConsent`]), carry the progress link, and never the ID number: any
//! ID-number-like run in free text written by staff is masked before it is sent.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The kinds of event, as named in the configuration, the delivery log and the webhook body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    /// 一键求助 / 代办 / 上门服务.
    HelpRequested,
    /// 办不成事.
    ComplaintFiled,
    /// A 差评 (level 1 or 2).
    BadRating,
    /// 受理, to the citizen.
    CitizenAccepted,
    /// 补正, to the citizen.
    CitizenCorrectionRequired,
    /// 不予受理, to the citizen.
    CitizenRejected,
    /// 办结, to the citizen.
    CitizenConcluded,
    /// An open application due within 2 working days (the hall's sweep).
    ApplicationDueSoon,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 8] = [
        EventKind::HelpRequested,
        EventKind::ComplaintFiled,
        EventKind::BadRating,
        EventKind::CitizenAccepted,
        EventKind::CitizenCorrectionRequired,
        EventKind::CitizenRejected,
        EventKind::CitizenConcluded,
        EventKind::ApplicationDueSoon,
    ];

    /// The name used everywhere outside the code.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::HelpRequested => "help.requested",
            EventKind::ComplaintFiled => "complaint.filed",
            EventKind::BadRating => "rating.bad",
            EventKind::CitizenAccepted => "citizen.accepted",
            EventKind::CitizenCorrectionRequired => "citizen.correctionRequired",
            EventKind::CitizenRejected => "citizen.rejected",
            EventKind::CitizenConcluded => "citizen.concluded",
            EventKind::ApplicationDueSoon => "application.dueSoon",
        }
    }

    /// Whether it goes to a citizen (through an SMS gateway) rather than to staff.
    pub fn is_citizen(self) -> bool {
        matches!(
            self,
            EventKind::CitizenAccepted
                | EventKind::CitizenCorrectionRequired
                | EventKind::CitizenRejected
                | EventKind::CitizenConcluded
        )
    }
}

impl FromStr for EventKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        EventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(())
    }
}

/// A new help request or complaint (a ticket).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketEvent {
    /// Ticket id.
    pub ticket_id: String,
    /// The reference on the citizen's slip (`BZ-…`, `TS-…`).
    pub reference: String,
    /// `assistance`, `proxy`, `homeVisit` or `banbucheng`.
    pub category: String,
    /// Item concerned, if any.
    pub item_code: Option<String>,
    /// Its name.
    pub item_name: Option<String>,
    /// The kiosk.
    pub kiosk_id: String,
    /// Where the kiosk stands (its registered label).
    pub location: String,
    /// When the hall received it.
    pub received_at: DateTime<Utc>,
}

impl TicketEvent {
    /// The category in Chinese.
    pub fn category_zh(&self) -> &'static str {
        match self.category.as_str() {
            "assistance" => "一键求助",
            "proxy" => "代办",
            "homeVisit" => "上门服务",
            "banbucheng" => "办不成事",
            _ => "求助",
        }
    }
}

/// A new 差评.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RatingEvent {
    /// Rating id.
    pub rating_id: String,
    /// The application rated.
    pub application_id: String,
    /// Its 办件编号.
    pub tracking_code: String,
    /// Item or bundle code.
    pub subject_code: String,
    /// Item or bundle name.
    pub subject_name: String,
    /// 1 (非常不满意) or 2 (不满意).
    pub level: u8,
    /// Reasons, in Chinese (the fixed options, never the citizen's comment).
    pub reasons: Vec<String>,
    /// The kiosk the application came from.
    pub kiosk_id: String,
    /// Where it stands.
    pub location: String,
    /// When.
    pub rated_at: DateTime<Utc>,
}

/// An open application due within 2 working days: for the staff who work it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DueSoonEvent {
    /// Application id.
    pub application_id: String,
    /// Its 办件编号.
    pub tracking_code: String,
    /// Item or bundle code.
    pub subject_code: String,
    /// Item or bundle name.
    pub subject_name: String,
    /// The departments that work it (names).
    pub departments: Vec<String>,
    /// Where it stands, in Chinese (`已受理`, `承办中`).
    pub status: String,
    /// The due date.
    pub due_on: NaiveDate,
}

/// The citizen's consent to SMS notices, with the number they gave. The only way to build a
/// citizen notice; without the tick on the form there is none.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsConsent {
    phone: String,
}

impl std::fmt::Debug for SmsConsent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let masked: String = self
            .phone
            .char_indices()
            .map(|(i, c)| if (3..7).contains(&i) { '*' } else { c })
            .collect();
        f.debug_struct("SmsConsent")
            .field("phone", &masked)
            .finish()
    }
}

impl SmsConsent {
    /// The consent if the citizen ticked the box and gave a mainland mobile number
    /// (11 digits starting with 1).
    pub fn given(consented: bool, phone: &str) -> Option<Self> {
        let phone = phone.trim();
        let mobile = phone.len() == 11
            && phone.starts_with('1')
            && phone.bytes().all(|b| b.is_ascii_digit());
        (consented && mobile).then(|| SmsConsent {
            phone: phone.to_owned(),
        })
    }

    /// The number.
    pub fn phone(&self) -> &str {
        &self.phone
    }
}

/// How a finished application reaches the citizen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "method")]
pub enum Collection {
    /// 免费邮寄.
    Mail {
        /// Carrier (EMS).
        carrier: String,
        /// Waybill number.
        waybill: String,
    },
    /// Collect at a window.
    PickUp {
        /// Where (`综合窗口 3号`).
        place: String,
        /// Pick-up code, if any.
        code: Option<String>,
    },
}

/// What a citizen notice says besides the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "stage")]
pub enum CitizenStage {
    /// 受理.
    Accepted {
        /// 承诺办结 date.
        due_by: Option<NaiveDate>,
    },
    /// 补正: what to bring or fix.
    CorrectionRequired {
        /// Missing or wrong materials, by name.
        missing: Vec<String>,
        /// A note from staff.
        note: Option<String>,
    },
    /// 不予受理, and why.
    Rejected {
        /// The reason.
        reason: String,
    },
    /// 办结, and how to get the result.
    Concluded {
        /// Mail or pick-up.
        collection: Collection,
    },
}

/// A notice to a citizen about their application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CitizenNotice {
    /// Where it goes.
    pub consent: SmsConsent,
    /// Application id.
    pub application_id: String,
    /// 办件编号.
    pub tracking_code: String,
    /// Item or bundle name.
    pub subject_name: String,
    /// The receipt QR's progress address.
    pub progress_link: String,
    /// The stage reached.
    pub stage: CitizenStage,
}

/// Something that happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data")]
pub enum Event {
    /// A new help request.
    #[serde(rename = "help.requested")]
    HelpRequested(TicketEvent),
    /// A new 办不成事 complaint.
    #[serde(rename = "complaint.filed")]
    ComplaintFiled(TicketEvent),
    /// A new 差评.
    #[serde(rename = "rating.bad")]
    BadRating(RatingEvent),
    /// Something to tell a citizen.
    #[serde(rename = "citizen")]
    Citizen(CitizenNotice),
    /// An application due within 2 working days.
    #[serde(rename = "application.dueSoon")]
    ApplicationDueSoon(DueSoonEvent),
}

impl Event {
    /// The kind.
    pub fn kind(&self) -> EventKind {
        match self {
            Event::HelpRequested(_) => EventKind::HelpRequested,
            Event::ComplaintFiled(_) => EventKind::ComplaintFiled,
            Event::BadRating(_) => EventKind::BadRating,
            Event::ApplicationDueSoon(_) => EventKind::ApplicationDueSoon,
            Event::Citizen(n) => match n.stage {
                CitizenStage::Accepted { .. } => EventKind::CitizenAccepted,
                CitizenStage::CorrectionRequired { .. } => EventKind::CitizenCorrectionRequired,
                CitizenStage::Rejected { .. } => EventKind::CitizenRejected,
                CitizenStage::Concluded { .. } => EventKind::CitizenConcluded,
            },
        }
    }
}

/// An event with its id and time: what the queue stores (sealed) and the notifiers send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    /// Event id: stable across retries, so receivers can drop duplicates.
    pub id: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// The link prefix configured when it was enqueued (may be empty).
    pub base_url: String,
    /// What happened.
    pub event: Event,
}

/// A rendered message: a title (mail subject) and a text (SMS or mail body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Short title.
    pub title: String,
    /// The text.
    pub text: String,
}

/// Replaces anything that looks like a resident ID number (a run of 15 to 18 digits, the
/// last possibly `X`) with its masked form, so a number typed into a staff note never leaves
/// the hall in a notice.
pub fn scrub_id_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let mut j = i;
        while j < chars.len() && chars[j].is_ascii_digit() {
            j += 1;
        }
        if j < chars.len() && j > i && matches!(chars[j], 'X' | 'x') {
            j += 1;
        }
        let run = j - i;
        if run >= 15 {
            let s: String = chars[i..j].iter().collect();
            out.push_str(&vocab::mask::mask_id_number(&s));
            i = j;
        } else if run > 0 {
            out.extend(&chars[i..j]);
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

use vocab::time::local_minute as local;

impl Notice {
    /// The link in the message: into the workbench for staff, the progress page for citizens.
    /// The workbench paths are `/staff/tickets/{id}` and `/staff/ratings/{id}`.
    pub fn link(&self) -> String {
        match &self.event {
            Event::HelpRequested(t) | Event::ComplaintFiled(t) => {
                format!("{}/staff/tickets/{}", self.base_url, t.ticket_id)
            }
            Event::BadRating(r) => format!("{}/staff/ratings/{}", self.base_url, r.rating_id),
            Event::ApplicationDueSoon(d) => {
                format!("{}/staff/applications/{}", self.base_url, d.application_id)
            }
            Event::Citizen(n) => n.progress_link.clone(),
        }
    }

    /// The message in Chinese.
    pub fn message(&self) -> Message {
        let link = self.link();
        let m = match &self.event {
            Event::HelpRequested(t) | Event::ComplaintFiled(t) => {
                let item = t
                    .item_name
                    .as_deref()
                    .map(|n| format!("，事项：{n}"))
                    .unwrap_or_default();
                Message {
                    title: format!("【政务服务】新的{}：{}", t.category_zh(), t.reference),
                    text: format!(
                        "{}（{}）于 {} 收到{}「{}」{}。请登录工作台处理：{link}",
                        t.location,
                        t.kiosk_id,
                        local(t.received_at),
                        t.category_zh(),
                        t.reference,
                        item
                    ),
                }
            }
            Event::BadRating(r) => {
                let level = if r.level <= 1 {
                    "非常不满意"
                } else {
                    "不满意"
                };
                let reasons = if r.reasons.is_empty() {
                    String::new()
                } else {
                    format!("，原因：{}", r.reasons.join("、"))
                };
                Message {
                    title: format!("【政务服务】新的差评：{}", r.tracking_code),
                    text: format!(
                        "办件 {}（{}）于 {} 收到差评「{level}」{reasons}；来自 {}（{}）。请在规定时限内核实整改：{link}",
                        r.tracking_code,
                        r.subject_name,
                        local(r.rated_at),
                        r.location,
                        r.kiosk_id
                    ),
                }
            }
            Event::ApplicationDueSoon(d) => Message {
                title: format!("【政务服务】办件即将到期：{}", d.tracking_code),
                text: format!(
                    "办件 {}（{}，{}）将于 {} 到期，当前状态：{}。请在期限内办结：{link}",
                    d.tracking_code,
                    d.subject_name,
                    if d.departments.is_empty() {
                        "部门未知".to_owned()
                    } else {
                        d.departments.join("、")
                    },
                    d.due_on.format("%Y年%m月%d日"),
                    d.status
                ),
            },
            Event::Citizen(n) => {
                let head = format!(
                    "您办理的「{}」（办件编号 {}）",
                    n.subject_name, n.tracking_code
                );
                let (title, body) = match &n.stage {
                    CitizenStage::Accepted { due_by } => (
                        "已受理",
                        match due_by {
                            Some(d) => format!(
                                "{head}已受理，承诺于 {} 前办结。",
                                d.format("%Y年%m月%d日")
                            ),
                            None => format!("{head}已受理。"),
                        },
                    ),
                    CitizenStage::CorrectionRequired { missing, note } => (
                        "需要补正材料",
                        format!(
                            "{head}需要补正：{}。{}请携带后到政务服务中心综合窗口或自助终端补交。",
                            if missing.is_empty() {
                                "详见进度页面".to_owned()
                            } else {
                                missing.join("、")
                            },
                            note.as_deref()
                                .map(|s| format!("说明：{s}。"))
                                .unwrap_or_default()
                        ),
                    ),
                    CitizenStage::Rejected { reason } => (
                        "不予受理",
                        format!("{head}不予受理，原因：{reason}。如有疑问请致电 12345。"),
                    ),
                    CitizenStage::Concluded { collection } => (
                        "已办结",
                        match collection {
                            // The staff API's 办结 carries no waybill: the page shows staff's note.
                            Collection::Mail { carrier, waybill } if waybill.is_empty() => {
                                format!("{head}已办结，结果将通过{carrier}免费寄出，运单号请查看进度页面。")
                            }
                            Collection::Mail { carrier, waybill } => {
                                format!("{head}已办结，结果已通过{carrier}寄出，运单号 {waybill}。")
                            }
                            Collection::PickUp { place, code } => format!(
                                "{head}已办结，请到{place}领取{}。",
                                code.as_deref()
                                    .map(|c| format!("，取件码 {c}"))
                                    .unwrap_or_default()
                            ),
                        },
                    ),
                };
                Message {
                    title: format!("【政务服务】{title}"),
                    text: format!("{body}查看进度：{link}"),
                }
            }
        };
        Message {
            title: scrub_id_numbers(&m.title),
            text: scrub_id_numbers(&m.text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "11010519491231002X";

    fn citizen(stage: CitizenStage) -> Notice {
        Notice {
            id: "e1".into(),
            occurred_at: Utc::now(),
            base_url: "https://hall.example".into(),
            event: Event::Citizen(CitizenNotice {
                consent: SmsConsent::given(true, "13812345678").expect("consent"),
                application_id: "a1".into(),
                tracking_code: "240506-ABCD-EFGH".into(),
                subject_name: "社会保障卡申领".into(),
                progress_link: "https://hall.example/progress?c=240506-ABCD-EFGH&v=K7P2M9QX".into(),
                stage,
            }),
        }
    }

    #[test]
    fn citizen_notices_carry_the_link_and_never_an_id_number() {
        let stages = [
            CitizenStage::Accepted {
                due_by: NaiveDate::from_ymd_opt(2024, 5, 20),
            },
            CitizenStage::CorrectionRequired {
                missing: vec!["户口簿".into(), "近期免冠照片".into()],
                note: Some(format!("身份证号 {ID} 与户口簿不符")),
            },
            CitizenStage::Rejected {
                reason: format!("申请人 {} 不在本县参保", ID.to_lowercase()),
            },
            CitizenStage::Concluded {
                collection: Collection::Mail {
                    carrier: "EMS".into(),
                    waybill: "1100123456789".into(),
                },
            },
            CitizenStage::Concluded {
                collection: Collection::PickUp {
                    place: "县政务服务中心综合窗口 3号".into(),
                    code: Some("5821".into()),
                },
            },
        ];
        let wants = [
            "已受理",
            "户口簿、近期免冠照片",
            "不予受理，原因",
            "运单号 1100123456789",
            "取件码 5821",
        ];
        for (stage, want) in stages.into_iter().zip(wants) {
            let n = citizen(stage);
            assert!(n.event.kind().is_citizen());
            let m = n.message();
            assert!(m.text.contains(want), "{}", m.text);
            assert!(
                m.text
                    .contains("https://hall.example/progress?c=240506-ABCD-EFGH"),
                "{}",
                m.text
            );
            for s in [&m.title, &m.text] {
                assert!(!s.to_uppercase().contains(ID), "ID number leaked: {s}");
                assert!(
                    !s.contains("13812345678"),
                    "the phone is the address, not the text: {s}"
                );
            }
        }
    }

    #[test]
    fn consent_needs_the_tick_and_a_mobile_number() {
        assert!(SmsConsent::given(false, "13812345678").is_none());
        assert!(SmsConsent::given(true, "0571-87654321").is_none());
        assert!(SmsConsent::given(true, ID).is_none());
        let c = SmsConsent::given(true, " 13812345678 ").expect("consent");
        assert_eq!(c.phone(), "13812345678");
        assert!(!format!("{c:?}").contains("13812345678"));
    }

    #[test]
    fn id_numbers_in_free_text_are_masked() {
        assert_eq!(
            scrub_id_numbers(&format!("号码{ID}有误")),
            "号码1101**********002X有误"
        );
        assert_eq!(
            scrub_id_numbers("运单号 1100123456789 电话 13812345678"),
            "运单号 1100123456789 电话 13812345678"
        );
        assert_eq!(scrub_id_numbers("110105194912310"), "***************");
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for k in EventKind::ALL {
            assert_eq!(k.as_str().parse::<EventKind>(), Ok(k));
        }
        assert!("help".parse::<EventKind>().is_err());
    }

    #[test]
    fn staff_messages_name_the_kiosk_item_and_link() {
        let n = Notice {
            id: "e2".into(),
            occurred_at: Utc::now(),
            base_url: String::new(),
            event: Event::HelpRequested(TicketEvent {
                ticket_id: "t1".into(),
                reference: "BZ-ABC123".into(),
                category: "homeVisit".into(),
                item_code: Some("GG-1".into()),
                item_name: Some("社会保障卡申领".into()),
                kiosk_id: "k1".into(),
                location: "城关镇便民服务中心".into(),
                received_at: Utc::now(),
            }),
        };
        let m = n.message();
        assert_eq!(m.title, "【政务服务】新的上门服务：BZ-ABC123");
        assert!(m.text.contains("城关镇便民服务中心（k1）"), "{}", m.text);
        assert!(m.text.ends_with("/staff/tickets/t1"), "{}", m.text);
    }
}
