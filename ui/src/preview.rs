//! Preview data: a believable county hall, used by the screenshots, the development window and
//! the flow tests until the kiosk's session machine feeds real view models. Personal data here is
//! invented and already masked the way the drivers' masking functions will mask it. The screens
//! after the form and the services beside the path are in `more`.

use crate::vm::*;

mod more;

pub use more::*;

fn st(s: &str) -> String {
    s.to_owned()
}

/// The header of the sample hall.
pub fn shell() -> ShellVm {
    ShellVm {
        hall_name: st("示范县政务服务中心"),
        date_text: st("11月26日 星期四"),
        time_text: st("21:30"),
        hotline: st("0571-12345"),
    }
}

fn item(id: &str, name: &str, detail: &str) -> ItemEntry {
    ItemEntry {
        id: st(id),
        name: st(name),
        detail: st(detail),
    }
}

/// Sample catalog items (the most-used list).
pub fn items() -> Vec<ItemEntry> {
    vec![
        item(
            "gaj-hz-bl",
            "居民身份证换领",
            "公安局 · 承诺时限 15 个工作日",
        ),
        item("mzj-jh-dj", "婚姻登记预约", "民政局 · 即办"),
        item("rsj-sb-cb", "城乡居民养老保险参保登记", "人社局 · 即办"),
        item("ybj-yd-ba", "异地就医备案", "医保局 · 即办"),
        item(
            "gaj-hk-qr",
            "户口迁入（投靠）",
            "公安局 · 承诺时限 10 个工作日",
        ),
        item("bdc-dy-cx", "不动产登记信息查询", "不动产登记中心 · 即办"),
        item(
            "scj-gt-dj",
            "个体工商户设立登记",
            "市场监管局 · 承诺时限 1 个工作日",
        ),
        item("wjj-sy-dj", "生育登记", "卫健局 · 即办"),
    ]
}

/// The browsing screen with the most-used list.
pub fn browse(rows: usize) -> BrowseVm {
    let all = items();
    BrowseVm {
        departments: [
            "公安",
            "民政",
            "人社",
            "医保",
            "市场监管",
            "不动产",
            "卫健",
            "税务",
        ]
        .iter()
        .enumerate()
        .map(|(i, n)| Department {
            id: format!("d{i}"),
            name: st(n),
        })
        .collect(),
        selected_department: String::new(),
        query: String::new(),
        searching: false,
        bundles: vec![
            item(
                "yjs-cs",
                "出生一件事",
                "出生医学证明、户口登记、医保参保一次办",
            ),
            item("yjs-tx", "退休一件事", "养老金申领、医保转移一次办"),
        ],
        list_title: st("常用事项"),
        pages: all.len().div_ceil(rows.max(1)),
        items: all.into_iter().take(rows).collect(),
        page: 0,
    }
}

/// 一次性告知 (the guide) for 居民身份证换领.
pub fn guide() -> GuideVm {
    let m = |name: &str, form: &str, note: &str, required: bool, reused: bool| Material {
        name: st(name),
        form: st(form),
        note: st(note),
        required,
        reused,
    };
    GuideVm {
        item_name: st("居民身份证换领"),
        facts: vec![
            (st("办理部门"), st("县公安局户政科")),
            (st("承诺时限"), st("15 个工作日")),
            (st("收费"), st("20 元（可扫码支付）")),
            (st("领取方式"), st("邮寄到家或窗口领取")),
        ],
        materials: vec![
            m("居民户口簿", "原件 1 份", "", true, true),
            m(
                "原居民身份证",
                "原件 1 份",
                "现场交回，已丢失的请说明",
                true,
                false,
            ),
            m(
                "本人近期免冠照片",
                "现场采集",
                "本机可拍照，无需自带",
                true,
                false,
            ),
            m(
                "监护人身份证明",
                "原件 1 份",
                "未满 16 周岁的申请人需要",
                false,
                false,
            ),
        ],
        page: 0,
        pages: 1,
        window_only: false,
    }
}

fn field(id: &str, label: &str, kind: FieldKind, value: &str, placeholder: &str) -> Field {
    Field {
        id: st(id),
        label: st(label),
        kind,
        value: st(value),
        placeholder: st(placeholder),
        required: true,
        prefilled: false,
        error: String::new(),
        options: Vec::new(),
        checked: false,
        suggestion: String::new(),
        suggested: false,
    }
}

/// A form with every field kind: prefilled marks, a validation message, and the phone field
/// being typed into.
pub fn form() -> FormVm {
    let mut name = field("name", "姓名", FieldKind::Text, "张*", "");
    name.prefilled = true;
    let mut id = field(
        "id",
        "身份证号",
        FieldKind::IdNumber,
        "3301**********1234",
        "",
    );
    id.prefilled = true;
    let mut phone = field(
        "phone",
        "手机号码",
        FieldKind::Phone,
        "1381234",
        "11 位手机号",
    );
    phone.error = st("手机号码应为 11 位数字，还差 4 位");
    // The number given before, offered for one touch.
    phone.suggestion = st("用 138****5678");
    let mut reason = field("reason", "换领原因", FieldKind::Select, "有效期满", "");
    reason.options = vec![st("有效期满"), st("证件损坏"), st("信息变更")];
    let mut address = field(
        "address",
        "邮寄地址",
        FieldKind::Address,
        "",
        "省市县、街道、门牌号",
    );
    address.required = false;
    let date = field(
        "date",
        "原证有效期至",
        FieldKind::Date,
        "2026-12-31",
        "年-月-日",
    );
    let mut mail = field(
        "mail",
        "邮寄",
        FieldKind::Checkbox,
        "",
        "新证办好后邮寄到家（免费）",
    );
    mail.checked = true;
    mail.required = false;
    FormVm {
        item_name: st("居民身份证换领"),
        fields: vec![name, id, phone, reason, date, address, mail],
        active: Some(2),
        page: 0,
        pages: 2,
    }
}

/// The review screen.
pub fn review() -> ReviewVm {
    ReviewVm {
        item_name: st("居民身份证换领"),
        rows: vec![
            (st("姓名"), st("张三丰")),
            (st("身份证号"), st("3301**********1234")),
            (st("手机号码"), st("138****5678")),
            (st("换领原因"), st("有效期满")),
            (st("领取方式"), st("邮寄：浙江省示范县城关镇人民路 18 号")),
        ],
        materials: vec![
            st("居民户口簿（电子证照）"),
            st("本人近期免冠照片（现场采集）"),
        ],
        submitting: false,
        notify_phone: st("138****5678"),
        notify_consent: false,
    }
}

/// The receipt, delivered.
pub fn receipt() -> ReceiptVm {
    ReceiptVm {
        item_name: st("居民身份证换领"),
        delivered: true,
        tracking_code: st("QX2026-1126-0042"),
        qr_payload: st("KIOSK:QX2026-1126-0042:7F3A"),
        applicant: st("张*  3301**********1234"),
        submitted_at: st("2026-11-26 21:42"),
        time_limit: st("15 个工作日（12月17日前）"),
        printed: false,
    }
}

/// A 差评 being explained.
pub fn rating() -> RatingVm {
    RatingVm {
        item_name: st("居民身份证换领"),
        level: 2,
        reasons: [
            "操作太复杂",
            "等待时间长",
            "材料要求不清楚",
            "设备故障",
            "字太小看不清",
            "其他",
        ]
        .iter()
        .enumerate()
        .map(|(i, r)| (st(r), i == 1))
        .collect(),
        message: String::new(),
    }
}

/// A timeline in its third stage.
pub fn progress() -> ProgressVm {
    let stage = |name: &str, state, time: &str, note: &str| Stage {
        name: st(name),
        state,
        time: st(time),
        note: st(note),
    };
    ProgressVm {
        tracking_code: st("QX2026-1126-0042"),
        item_name: st("居民身份证换领"),
        message: String::new(),
        stages: vec![
            stage(
                "受理",
                StageState::Done,
                "11-26 21:42",
                "自助机提交，材料齐全",
            ),
            stage("承办", StageState::Done, "11-27 09:15", "户政科王*审核通过"),
            stage("办结", StageState::Current, "", "证件制作中"),
            stage("反馈", StageState::Pending, "", ""),
            stage("回访", StageState::Pending, "", ""),
        ],
    }
}

/// What is broken, in citizens' words.
pub fn out_of_service() -> (Vec<String>, String) {
    (
        vec![st("回执打印机缺纸"), st("身份证读卡器无响应")],
        st("21:05"),
    )
}

/// The PIN screen after one wrong attempt.
pub fn pin() -> PinVm {
    PinVm {
        entered: 2,
        length: 6,
        min_length: 6,
        message: st("密码错误，还可尝试 2 次"),
        locked: false,
    }
}

/// The maintenance screen.
pub fn maintenance() -> MaintenanceVm {
    let d = |name: &str, state: &str, detail: &str, ok| DeviceLine {
        name: st(name),
        state: st(state),
        detail: st(detail),
        ok,
    };
    MaintenanceVm {
        devices: vec![
            d("身份证读卡器", "online", "/dev/ttyUSB0 · SAM 正常", true),
            d("回执打印机", "paper out", "USB 0519:2013 · 缺纸", false),
            d("扫码器", "online", "/dev/ttyACM0", true),
        ],
        config: vec![
            (st("终端编号"), st("KIOSK-330100-007")),
            (st("大厅服务器"), st("https://hall.example.invalid")),
            (st("待发送申请"), st("0")),
            (st("软件版本"), st(env!("CARGO_PKG_VERSION"))),
        ],
        log_lines: vec![
            st("21:05:12 WARN printer: paper out (ESC/POS status 0x0c)"),
            st("21:05:13 INFO outbox: 0 pending"),
            st("21:30:00 INFO health: heartbeat sent"),
        ],
        test_result: String::new(),
    }
}

/// The pinyin keyboard after typing "zhang".
pub fn keyboard() -> KeyboardVm {
    let candidates = crate::ime::PinyinIme
        .candidates_for("zhang")
        .into_iter()
        .take(6)
        .collect();
    KeyboardVm {
        mode: KeyboardMode::Pinyin,
        composition: st("zhang"),
        candidates,
        more_candidates: true,
    }
}
