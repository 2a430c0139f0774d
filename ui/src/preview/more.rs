//! Preview data of identify, materials hand-in, delivery, submitting, appointment, complaint,
//! help and farewell.

use crate::vm::*;

fn st(s: &str) -> String {
    s.to_owned()
}

/// The identify screen with every way in working.
pub fn identify() -> IdentifyVm {
    IdentifyVm::default()
}

/// The materials of 居民身份证换领: the 户口簿 reused, the old card read at the kiosk, the
/// photo to hand in later.
pub fn hand_in() -> MaterialsVm {
    let line = |code: &str, name: &str, form: &str, can_reuse: bool| HandInLine {
        code: st(code),
        name: st(name),
        form: st(form),
        can_reuse,
        reused: can_reuse,
        by_id_card: false,
    };
    MaterialsVm {
        item_name: st("居民身份证换领"),
        materials: vec![
            line("hukou", "居民户口簿", "原件 1 份", true),
            HandInLine {
                by_id_card: true,
                ..line("old-id", "原居民身份证", "原件 1 份", false)
            },
            line("photo", "本人近期免冠照片", "现场采集", false),
        ],
        reuse_unknown: false,
    }
}

/// Mail chosen, the recipient prefilled from the card, the phone refused.
pub fn delivery() -> DeliveryVm {
    DeliveryVm {
        item_name: st("居民身份证换领"),
        mail: true,
        pickup_place: st("县政务服务中心一楼 3 号窗口（周一至周五 9:00–17:00）"),
        address: AddressVm {
            recipient: st("张三丰"),
            phone: st("1381234"),
            region: st("浙江省示范县"),
            detail: String::new(),
        },
        errors: vec![
            (AddressField::Phone, st("手机号码应为 11 位数字")),
            (AddressField::Detail, st("请填写详细地址")),
        ],
        active: None,
    }
}

/// Submitting 居民身份证换领.
pub fn submitting() -> SubmittingVm {
    SubmittingVm {
        item_name: st("居民身份证换领"),
    }
}

/// Departments one can book with.
pub fn appointment_departments() -> Vec<Department> {
    ["公安", "民政", "人社", "不动产"]
        .iter()
        .enumerate()
        .map(|(i, n)| Department {
            id: format!("d{i}"),
            name: st(n),
        })
        .collect()
}

/// Working days with their free counts (the third is full).
pub fn appointment_days() -> Vec<PickOption> {
    [
        ("2026-11-27", "11月27日 星期五", 12),
        ("2026-11-30", "11月30日 星期一", 3),
        ("2026-12-01", "12月1日 星期二", 0),
        ("2026-12-02", "12月2日 星期三", 20),
    ]
    .iter()
    .map(|(id, label, free)| PickOption {
        id: st(id),
        label: st(label),
        free: *free,
    })
    .collect()
}

/// Slots of a day (the second is full).
pub fn appointment_slots(day: &str) -> Vec<PickOption> {
    [
        ("0900", "09:00–09:30", 2),
        ("0930", "09:30–10:00", 0),
        ("1000", "10:00–10:30", 5),
        ("1400", "14:00–14:30", 1),
    ]
    .iter()
    .map(|(hhmm, label, free)| PickOption {
        id: format!("d0.{day}.{hhmm}"),
        label: st(label),
        free: *free,
    })
    .collect()
}

/// The appointment screen at `stage`, with the choices before it made.
pub fn appointment(stage: AppointmentStage) -> AppointmentVm {
    let booked = stage == AppointmentStage::Booked;
    AppointmentVm {
        stage,
        departments: appointment_departments(),
        department_name: st("公安"),
        days: appointment_days(),
        day_label: st("11月27日 星期五"),
        slots: appointment_slots("2026-11-27"),
        slot_label: st("09:00–09:30"),
        name: st("张三丰"),
        name_error: String::new(),
        phone: st("138"),
        phone_error: st("手机号码应为 11 位数字"),
        active: None,
        reference: if booked {
            st("YY-1127-0031")
        } else {
            String::new()
        },
        qr_payload: if booked {
            st("APPT:YY-1127-0031")
        } else {
            String::new()
        },
        place: st("县政务服务中心一楼 公安综合窗口"),
    }
}

/// A complaint with its text typed.
pub fn complaint() -> ComplaintVm {
    ComplaintVm {
        item_name: st("居民身份证换领"),
        message: MessageVm {
            text: st("系统提示户籍信息不一致，无法继续办理"),
            ..MessageVm::default()
        },
    }
}

/// A 代办 request with the phone missing.
pub fn help() -> HelpVm {
    HelpVm {
        kind: HelpKind::Proxy,
        item_name: String::new(),
        message: MessageVm {
            name: st("张先生"),
            phone_error: st("请留下联系电话，方便工作人员联系您"),
            ..MessageVm::default()
        },
    }
}
