//! Printable documents (一次性告知 materials list, application receipt, booking slip) and
//! the codes printed on them: the receipt QR code (`{progress_url}?c={tracking}&v={verifier}`)
//! and the appointment code (`YY-…`), with the parsers for when they are scanned back.

use hall_api::application::{MaterialSource, ProgressQuery, Status};
use hall_api::appointment::AppointmentReceipt;
use vocab::mask::{mask_id_number, mask_name};

use super::citizen::Citizen;
use super::effect::{DocKind, PrintDoc};
use super::transaction::{Submission, Transaction};

/// Longest tracking code, verifier or appointment code accepted from a scan.
const MAX_CODE_LEN: usize = 64;

fn is_code(text: &str) -> bool {
    (1..=MAX_CODE_LEN).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The QR content of a receipt: the progress address with tracking code and verifier.
pub fn receipt_qr(progress_url: &str, tracking_code: &str, verifier: &str) -> String {
    let sep = if progress_url.contains('?') { '&' } else { '?' };
    format!("{progress_url}{sep}c={tracking_code}&v={verifier}")
}

/// Reads a scanned receipt QR code back; `None` if it is not one (whatever the host, so
/// receipts from before a change of address still work).
pub fn parse_receipt_qr(text: &str) -> Option<ProgressQuery> {
    let (_, query) = text.trim().split_once('?')?;
    let mut code = None;
    let mut verifier = None;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("c", v)) => code = Some(v),
            Some(("v", v)) => verifier = Some(v),
            _ => {}
        }
    }
    let (code, verifier) = (code?, verifier?);
    (is_code(code) && is_code(verifier)).then(|| ProgressQuery {
        tracking_code: code.to_owned(),
        verifier: verifier.to_owned(),
    })
}

/// Reads a scanned appointment code (`YY-…`, as the hall prints it).
pub fn parse_appointment_code(text: &str) -> Option<String> {
    let text = text.trim();
    (text.starts_with("YY-") && is_code(text)).then(|| text.to_owned())
}

fn fen_text(fen: u64) -> String {
    if fen == 0 {
        "免费".to_owned()
    } else {
        format!("{}.{:02} 元", fen / 100, fen % 100)
    }
}

/// 一次性告知: everything needed, on paper, before the citizen starts.
pub fn guide(t: &Transaction, hall_name: &str) -> PrintDoc {
    let mut lines = vec![
        hall_name.to_owned(),
        t.summary.clone(),
        "所需材料：".to_owned(),
    ];
    for (i, l) in t.materials.iter().enumerate() {
        let m = &l.material;
        let mut parts = Vec::new();
        if m.originals > 0 {
            parts.push(format!("原件{}份", m.originals));
        }
        if m.copies > 0 {
            parts.push(format!("复印件{}份", m.copies));
        }
        parts.push(
            if m.required {
                "必交"
            } else {
                "视情况提交"
            }
            .to_owned(),
        );
        if m.satisfied_by_id_card {
            parts.push("在本机读取身份证即可".to_owned());
        } else if m.photographable {
            // The paper list is kept for any kiosk: the camera of this one may be down.
            parts.push("可在自助机上拍照提交".to_owned());
        }
        let mut line = format!("{}. {}（{}）", i + 1, m.name, parts.join("，"));
        if let Some(note) = &m.note {
            line.push_str(&format!("：{note}"));
        }
        lines.push(line);
    }
    // A bundle's items often have the same fee (free): say each different one once.
    let mut fees: Vec<String> = Vec::new();
    for fee in &t.fees {
        let line = format!("收费：{}（{}）", fen_text(fee.amount_fen), fee.note);
        if !fees.contains(&line) {
            fees.push(line);
        }
    }
    lines.extend(fees);
    lines.push(if t.promised_days == 0 {
        "承诺时限：即办".to_owned()
    } else {
        format!("承诺时限：{}个工作日", t.promised_days)
    });
    lines.push(format!(
        "提交地点：{hall_name}综合受理窗口（无差别综合受理），也可邮寄"
    ));
    if !t.kiosk_completable {
        lines.push("本事项需到窗口办理，可在本机预约".to_owned());
    }
    PrintDoc {
        kind: DocKind::Guide,
        title: format!("办事指南：{}", t.title),
        lines,
        qr: None,
    }
}

/// The application receipt. It says honestly whether the hall has the application or the
/// kiosk is keeping it to send later; personal data only masked.
pub fn receipt(
    t: &Transaction,
    citizen: &Citizen,
    hall_name: &str,
    progress_url: &str,
) -> Option<PrintDoc> {
    let mut lines = vec![
        hall_name.to_owned(),
        format!("事项：{}", t.title),
        format!("申请人：{}", mask_name(&citizen.name)),
        format!("证件号码：{}", mask_id_number(&citizen.id_number)),
    ];
    if let Some(place) = t.handled_by_name() {
        lines.push(format!("跨省通办：由{place}办理，本中心代收转交"));
    }
    let (title, qr) = match t.submission.as_ref()? {
        Submission::Pending { .. } => return None,
        Submission::Delivered { receipt, .. } => {
            lines.push(format!("办件编号：{}", receipt.tracking_code));
            lines.push(format!("查询码：{}", receipt.verifier));
            lines.push(format!("状态：{}", receipt_status(receipt.status)));
            lines.push(format!("承诺办结日期：{}", receipt.promised_by));
            let qr = receipt_qr(progress_url, &receipt.tracking_code, &receipt.verifier);
            ("受理回执", Some(qr))
        }
        Submission::Queued { key } => {
            lines.push("已保存在本机，网络恢复后将自动发送，无需再次办理".to_owned());
            lines.push(format!("本机受理编号：{key}"));
            lines.push("如需查询，请凭本凭条到大厅窗口咨询".to_owned());
            ("申请回执（待发送）", None)
        }
    };
    lines.push(if t.mail {
        "领取方式：免费邮寄".to_owned()
    } else {
        "领取方式：窗口领取".to_owned()
    });
    let received = received_materials(t);
    if !received.is_empty() {
        lines.push(format!("已收材料：{}", received.join("、")));
    }
    let later = owed_materials(t);
    if !later.is_empty() {
        lines.push(format!("请补交材料：{}", later.join("、")));
    }
    Some(PrintDoc {
        kind: DocKind::Receipt,
        title: title.to_owned(),
        lines,
        qr,
    })
}

/// The status as a receipt says it: the hall holding the application (已提交) is said as
/// what it means for the citizen, received and waiting for a window to accept it.
fn receipt_status(status: Status) -> &'static str {
    match status {
        Status::Submitted => "中心已收件，待窗口审核受理",
        Status::Accepted => "已受理",
        other => other.label_zh(),
    }
}

/// The booking slip.
pub fn booking_slip(b: &AppointmentReceipt, department_name: &str, name: &str) -> PrintDoc {
    PrintDoc {
        kind: DocKind::Slip,
        title: "预约凭条".to_owned(),
        lines: vec![
            format!("部门：{department_name}"),
            format!("日期：{}", b.slot.date),
            format!("时间：{}–{}", b.slot.start, b.slot.end),
            format!("预约人：{}", mask_name(name)),
            format!("预约号：{}", b.reference),
            "请按时到大厅取号机扫码取号".to_owned(),
        ],
        qr: Some(b.reference.clone()),
    }
}

/// The required materials still to hand in at the window or by post (not reused, not given
/// by the card read here): what the receipt asks for.
/// The materials handed in with the application, each with how (`居民身份证（读卡）`,
/// `居民户口簿（拍照3页）`, `结婚证（已有材料）`): what the receipt says the hall received.
fn received_materials(t: &Transaction) -> Vec<String> {
    t.materials
        .iter()
        .filter_map(|l| {
            let how = match l.source {
                MaterialSource::IdCardRead => "读卡".to_owned(),
                MaterialSource::Scanned => match &l.scan {
                    Some(scan) => format!("拍照{}页", scan.pages),
                    None => "拍照".to_owned(),
                },
                MaterialSource::Reused => "已有材料".to_owned(),
                MaterialSource::Later => return None,
            };
            Some(format!("{}（{how}）", l.material.name))
        })
        .collect()
}

pub(crate) fn owed_materials(t: &Transaction) -> Vec<&str> {
    t.materials
        .iter()
        .filter(|l| l.source == MaterialSource::Later && l.material.required)
        .map(|l| l.material.name.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_qr_reads_back() {
        let qr = receipt_qr("https://hall.example/p", "BJ2024-000123", "k7Q2xZ");
        assert_eq!(qr, "https://hall.example/p?c=BJ2024-000123&v=k7Q2xZ");
        let q = parse_receipt_qr(&qr).unwrap();
        assert_eq!(q.tracking_code, "BJ2024-000123");
        assert_eq!(q.verifier, "k7Q2xZ");
        let with_query = receipt_qr("https://h/p?lang=zh", "A1", "B2");
        assert_eq!(parse_receipt_qr(&with_query).unwrap().tracking_code, "A1");
    }

    #[test]
    fn a_bundles_guide_names_each_fee_once() {
        let catalog = crate::session::tests::support::catalog();
        let t = Transaction::for_bundle(&catalog, crate::session::tests::support::BUNDLE)
            .expect("the bundle");
        assert!(t.fees.len() > 1, "the bundle's items each have a fee");
        let doc = guide(&t, "大厅");
        let fee_lines: Vec<_> = doc.lines.iter().filter(|l| l.starts_with("收费")).collect();
        let unique: std::collections::HashSet<_> = fee_lines.iter().collect();
        assert_eq!(fee_lines.len(), unique.len(), "{fee_lines:?}");
        assert!(!fee_lines.is_empty());
    }

    #[test]
    fn hostile_or_foreign_codes_are_not_receipts() {
        assert!(parse_receipt_qr("https://shop.example/?item=3").is_none());
        assert!(
            parse_receipt_qr("https://h/p?c=A1").is_none(),
            "no verifier"
        );
        assert!(parse_receipt_qr("https://h/p?c=A1&v=<script>").is_none());
        let long = format!("https://h/p?c={}&v=x", "9".repeat(65));
        assert!(parse_receipt_qr(&long).is_none());
        assert!(parse_receipt_qr("").is_none());
        assert_eq!(
            parse_appointment_code(" YY-20240506-07 "),
            Some("YY-20240506-07".into())
        );
        assert_eq!(parse_appointment_code("YY-中文"), None);
        assert_eq!(parse_appointment_code("XX-1"), None);
    }
}
