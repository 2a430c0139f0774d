//! What each screen says, in Chinese or English: spoken in elder mode (`Effect::Speak`) and
//! shown as text for deaf users (the accessibility checklist asks for text of voice prompts).
//! Also what a citizen is told about a device that failed them ([`device_trouble`]), keyed by
//! the drivers' one [`ErrorKind`]: the drivers speak English to technicians only.

use kiosk_config::schema::Language;
use kiosk_drivers::status::DeviceClass;
use kiosk_drivers::ErrorKind;

use super::screens::{AppointmentStage, Farewell, ProgressView, Screen};
use super::state::{HelpAck, Notice, Session};

/// The prompt of the current screen (or of the idle countdown, which covers it).
pub fn prompt(s: &Session) -> String {
    let zh = s.language == Language::ZhCn;
    let pick = |z: &'static str, e: &'static str| if zh { z } else { e };
    if s.idle.countdown_until.is_some() {
        return pick(
            "您已较长时间未操作，即将返回首页。如需继续，请触摸屏幕。",
            "You have been inactive. Touch the screen to continue, or the kiosk returns home.",
        )
        .to_owned();
    }
    let text = match &s.screen {
        Screen::Home => pick(
            "您好，请选择要办理的业务，或放置身份证。",
            "Welcome. Choose a service, or place your ID card on the reader.",
        ),
        Screen::OutOfService { .. } => pick(
            "本机暂停服务，请按求助按钮联系工作人员。",
            "This kiosk is out of service. Press Help to call staff.",
        ),
        Screen::Identify => {
            if s.devices.reader {
                pick(
                    "请将身份证放在感应区。",
                    "Please place your ID card on the reader.",
                )
            } else {
                pick(
                    "身份证阅读器暂不可用，可扫描回执或预约码，或浏览办事指南。",
                    "The card reader is unavailable. Scan a receipt or appointment code, or browse the guides.",
                )
            }
        }
        Screen::Choose(_) => pick(
            "请选择要办理的事项。",
            "Please choose the service you need.",
        ),
        Screen::Guide => pick(
            "以下是需要准备的全部材料，可以打印。",
            "These are all the materials you need. You can print this list.",
        ),
        Screen::Form => pick(
            "请核对并填写表单，已从身份证自动填入的内容已标出。",
            "Please check and complete the form. Items filled from your ID card are marked.",
        ),
        Screen::Materials => match s.transaction.as_ref().and_then(|t| t.capture.as_ref()) {
            // The camera is up: how to lay the page (spoken in elder mode), or what went wrong.
            Some(c) => match c.problem {
                Some(problem) => problem.text(s.language),
                None if c.pages.is_empty() => pick(
                    "请将材料平放在拍摄区内，对齐后点击拍照。",
                    "Lay the page flat inside the frame under the camera, then press Take photo.",
                ),
                None => pick(
                    "已拍好，可重拍本页；下一页请将材料平放在拍摄区内后点击下一页，全部拍完点击完成。",
                    "Taken. Retake this page, or lay the next one flat inside the frame and press Next page; press Done when all are taken.",
                ),
            },
            None => pick(
                "请确认材料，已有材料可直接复用。",
                "Please confirm the materials. Materials you handed in before can be reused.",
            ),
        },
        Screen::Delivery => pick(
            "请选择领取方式，可免费邮寄。",
            "Choose how to receive the result. Mailing is free.",
        ),
        Screen::Review => pick(
            "请核对信息，确认无误后提交。",
            "Please review your application, then submit.",
        ),
        Screen::Submitting => pick("正在提交，请稍候。", "Submitting, please wait."),
        Screen::Receipt => pick(
            "办理完成，请取走回执和身份证。",
            "Done. Please take your receipt and your ID card.",
        ),
        Screen::Rating(_) => pick(
            "请对本次服务进行评价，也可以跳过。",
            "Please rate this service, or skip.",
        ),
        Screen::Progress(ProgressView::Waiting) => pick(
            "请扫描回执上的二维码，或放置身份证。",
            "Scan the QR code on your receipt, or place your ID card.",
        ),
        Screen::Progress(ProgressView::Loading { .. }) => {
            pick("正在查询，请稍候。", "Looking it up, please wait.")
        }
        Screen::Progress(ProgressView::Shown { .. }) => {
            pick("以下是办理进度。", "Here is the progress.")
        }
        Screen::Progress(ProgressView::NotFound) => {
            pick("未查到办件信息。", "No application was found.")
        }
        Screen::Progress(ProgressView::Unreachable) => pick(
            "暂时无法连接大厅，请稍后再试。",
            "The hall cannot be reached now. Please try again later.",
        ),
        Screen::Appointment(v) => match v.stage {
            AppointmentStage::Department => pick("请选择预约部门。", "Choose a department."),
            AppointmentStage::Slots { day: None, .. } => pick("请选择日期。", "Choose a day."),
            AppointmentStage::Slots { .. } => pick("请选择时段。", "Choose a time."),
            AppointmentStage::Contact { .. } => {
                pick("请填写姓名和手机号。", "Enter your name and phone number.")
            }
            AppointmentStage::Booking { .. } | AppointmentStage::Lookup(_) => {
                pick("请稍候。", "Please wait.")
            }
            AppointmentStage::Booked(_) => pick(
                "预约成功，请取走预约凭条。",
                "Booked. Please take your appointment slip.",
            ),
            AppointmentStage::Failed => pick(
                "预约未成功，请稍后再试或求助工作人员。",
                "The booking did not succeed. Try again later or ask staff.",
            ),
        },
        Screen::Complaint(_) => pick(
            "请说明未能办成的事，我们会尽快处理。",
            "Tell us what could not be done; we will follow it up.",
        ),
        Screen::Help(_) => pick(
            "请留下联系电话，工作人员会与您联系。",
            "Leave a phone number and staff will contact you.",
        ),
        Screen::Prints(v) => super::prints::prompt(v, zh),
        Screen::Farewell { message, .. } => match message {
            Farewell::ThanksForRating => pick("感谢您的评价。", "Thank you for your rating."),
            Farewell::Done => pick("感谢使用，再见。", "Thank you. Goodbye."),
            Farewell::ComplaintSent => pick(
                "已收到您的反映，工作人员会尽快处理。",
                "We have your report; staff will follow it up.",
            ),
            Farewell::HelpRequested(HelpAck::Waiting) => {
                pick("正在发送您的求助，请稍候。", "Sending your request; please wait.")
            }
            Farewell::HelpRequested(HelpAck::Notified) => pick(
                "已通知值班人员，工作人员会与您联系。",
                "The staff on duty have been told; they will contact you.",
            ),
            Farewell::HelpRequested(HelpAck::Hotline) => pick(
                "您的求助已保存，暂未能通知值班人员；急事请拨打服务热线。",
                "Your request is saved but the staff on duty could not be told yet; for anything urgent, call the hotline.",
            ),
        },
    };
    text.to_owned()
}

/// The text of a notice.
pub fn notice(n: Notice, language: Language) -> &'static str {
    let zh = language == Language::ZhCn;
    let pick = |z: &'static str, e: &'static str| if zh { z } else { e };
    match n {
        Notice::CardReadFailed => pick(
            "身份证读取失败，请重新放置。",
            "The card could not be read; place it again.",
        ),
        Notice::UnknownCode => pick("无法识别此二维码。", "This code is not recognised."),
        Notice::ReaderUnavailable => pick(
            "身份证阅读器暂不可用，请扫描回执或预约码，或联系工作人员。",
            "The ID-card reader is unavailable; scan a receipt or appointment code, or call staff.",
        ),
        Notice::PrinterUnavailable => pick(
            "打印机暂不可用，请拍下屏幕上的二维码或记下编号。",
            "The printer is unavailable; photograph the QR code or note the number on screen.",
        ),
        Notice::PrintFailed => pick(
            "打印失败，请拍下屏幕上的二维码或记下编号。",
            "Printing failed; photograph the QR code or note the number on screen.",
        ),
        Notice::CardNeeded => pick("请先放置身份证。", "Please place your ID card first."),
        Notice::NotKioskCompletable => pick(
            "此事项需到窗口办理，可打印指南或在本机预约。",
            "This service needs a visit to a window; print the guide or book a visit here.",
        ),
        Notice::NewCitizen => pick(
            "检测到新的身份证，上一位办事人的信息已清除。",
            "A different ID card was placed; the previous person's data was cleared.",
        ),
        Notice::HelpCalled => pick(
            "正在呼叫值班人员，请稍候。",
            "Calling the staff on duty; please wait.",
        ),
        Notice::HelpNotified => pick(
            "已通知值班人员，请在原地稍候。",
            "The staff on duty have been told; please wait here.",
        ),
        Notice::HelpHotline => pick(
            "暂未能通知值班人员，请拨打屏幕上的服务热线。",
            "The staff on duty could not be told; please call the hotline on screen.",
        ),
        Notice::HallUnreachable => pick(
            "暂时无法连接大厅，请稍后再试。",
            "The hall cannot be reached now; please try again later.",
        ),
        Notice::UnknownSubject => pick("该事项暂不可办理。", "This service is not available."),
    }
}

/// The notice for a card that was placed but not read: a reader that is at fault is
/// unavailable (scan or call staff); anything else asks for the card again.
pub fn card_read_notice(kind: ErrorKind) -> Notice {
    if kind.needs_person() || kind.is_lost() {
        Notice::ReaderUnavailable
    } else {
        Notice::CardReadFailed
    }
}

/// What the citizen is told when `class` (if known) failed with `kind`: the card or photo to
/// present again, a moment to wait, or staff to call. Paper and cover only the printer has.
pub fn device_trouble(
    class: Option<DeviceClass>,
    kind: ErrorKind,
    language: Language,
) -> &'static str {
    let zh = language == Language::ZhCn;
    let pick = |z: &'static str, e: &'static str| if zh { z } else { e };
    match (class, kind) {
        (Some(DeviceClass::IdCardReader), ErrorKind::Unreadable) => pick(
            "读卡失败，请将身份证平放在读卡区重新放置",
            "The card could not be read; place it flat on the reader again.",
        ),
        (Some(DeviceClass::IdCardReader), k) if k.is_transient() => pick(
            "读卡未完成，请保持身份证不动，稍候重试",
            "Reading did not finish; keep the card still, it is tried again.",
        ),
        (Some(DeviceClass::IdCardReader), _) => pick(
            "读卡器暂时无法使用，请联系工作人员",
            "The card reader cannot be used now; please call staff.",
        ),
        (Some(DeviceClass::ReceiptPrinter), ErrorKind::PaperOut) => pick(
            "打印机缺纸，请联系工作人员",
            "The printer is out of paper; please call staff.",
        ),
        (Some(DeviceClass::ReceiptPrinter), ErrorKind::CoverOpen | ErrorKind::Fault) => pick(
            "打印机故障，请联系工作人员",
            "The printer has a fault; please call staff.",
        ),
        (Some(DeviceClass::Scanner), ErrorKind::Busy) => {
            pick("扫码过于频繁，请稍后再试", "Too many scans, please wait.")
        }
        (Some(DeviceClass::Scanner), ErrorKind::Unreadable) => pick(
            "无法识别此二维码，请换一个码再试",
            "This code cannot be read, please try another.",
        ),
        (_, ErrorKind::Busy) => pick(
            "设备繁忙，请稍后再试",
            "The device is busy; please try again shortly.",
        ),
        (Some(DeviceClass::ReceiptPrinter), _) => pick(
            "凭条打印机暂时无法使用，请联系工作人员",
            "The receipt printer cannot be used now; please call staff.",
        ),
        (_, ErrorKind::Timeout) => pick(
            "设备繁忙，请稍后再试",
            "The device is busy; please try again shortly.",
        ),
        _ => pick(
            "设备暂时无法使用，请联系工作人员",
            "The device cannot be used now; please call staff.",
        ),
    }
}
