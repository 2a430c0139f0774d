//! Seed items of the departments citizens meet most: 公安 (户籍、身份证), 人社 and 医保.
//! Materials, fees and time limits follow common county practice; codes are in the style of
//! GB/T 39554.1 (type letters, 6-digit basic code, 3-digit 子项), not registered codes.

use hall_api::catalog::{ItemKind::*, ServiceItem};

use super::build::*;

pub fn items() -> Vec<ServiceItem> {
    vec![
        // ---- 公安 ----
        item(
            "QR-000172-001",
            "居民身份证换领",
            "gongan",
            Confirmation,
            "有效期满或证件损坏需换领。自助机可完成信息采集预审，现场拍照采集指纹。",
        )
        .materials(vec![
            id_card(),
            hukoubu(),
            mat_note(
                mat(
                    "photo",
                    "本人近期免冠白底证件照（数码回执）",
                    1,
                    0,
                    false,
                    false,
                ),
                "可在大厅照相点或合作照相馆拍摄",
            ),
        ])
        .limits(Some(60), 15)
        .fee(2000, "工本费20元（《居民身份证法》）")
        .cross_province()
        .mail()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_select(
                "reason",
                "换领原因",
                &[
                    ("expired", "有效期满"),
                    ("damaged", "证件损坏"),
                    ("changed", "登记项目变更"),
                ],
            ),
        ]),
        item(
            "QR-000172-002",
            "居民身份证补领",
            "gongan",
            Confirmation,
            "身份证丢失后补领，丢失期间原证自动作废。没有身份证，自助机无法核验身份：请预约后到窗口办理（急用可先申领临时身份证）。",
        )
        .materials(vec![
            hukoubu(),
            mat(
                "photo",
                "本人近期免冠白底证件照（数码回执）",
                1,
                0,
                false,
                false,
            ),
        ])
        .limits(Some(60), 15)
        .fee(2000, "工本费20元")
        .window_only()
        .cross_province()
        .mail()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_past_date("lostOn", "丢失日期"),
        ]),
        item(
            "QR-000172-010",
            "临时居民身份证办理",
            "gongan",
            Confirmation,
            "换领、补领期间急需使用身份证明的，可申领临时身份证，有效期三个月。",
        )
        .materials(vec![
            hukoubu(),
            mat(
                "photo",
                "本人近期免冠白底证件照（数码回执）",
                1,
                0,
                true,
                false,
            ),
        ])
        .limits(Some(3), 1)
        .fee(1000, "工本费10元")
        .window_only()
        .form(vec![f_name(), f_id(), f_phone()]),
        item(
            "QR-000173-003",
            "出生登记（户口申报）",
            "gongan",
            Confirmation,
            "新生儿出生后一个月内，由监护人向户籍所在地派出所申报出生登记。",
        )
        .materials(vec![
            mat("chushengyixue", "《出生医学证明》", 1, 1, true, true),
            hukoubu(),
            mat("jiehunzheng", "父母结婚证", 1, 1, false, true),
            mat_note(
                mat("fumusfz", "父母居民身份证", 1, 1, true, false),
                "父母一方为申报人时，另一方身份证复印件",
            ),
        ])
        .limits(Some(20), 1)
        .cross_province()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_text("childName", "新生儿姓名", true, 20),
            f_select(
                "childSex",
                "新生儿性别",
                &[("male", "男"), ("female", "女")],
            ),
            f_past_date("childBirthDate", "出生日期"),
            f_select(
                "settleWith",
                "随父或随母落户",
                &[("father", "随父"), ("mother", "随母")],
            ),
        ]),
        item(
            "QR-000173-011",
            "户籍证明开具",
            "gongan",
            PublicService,
            "开具本人户籍信息、亲属关系等户籍证明。",
        )
        .materials(vec![id_card(), hukoubu()])
        .limits(None, 0)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_text("purpose", "证明用途", true, 50),
        ]),
        item(
            "QT-000175-001",
            "公章刻制备案",
            "gongan",
            Other,
            "企业、个体工商户设立后刻制印章，由刻章企业向公安机关备案。",
        )
        .materials(vec![
            mat("yingyezhizhao", "营业执照", 1, 1, true, true),
            id_card(),
            mat_note(
                mat("weituoshu", "授权委托书", 1, 0, false, false),
                "经办人非法定代表人时提供",
            ),
        ])
        .limits(Some(1), 0)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_text("companyName", "企业名称", true, 60),
            f_number("sealCount", "刻制印章枚数", 1.0, 10.0, true),
        ]),
        // ---- 人社 ----
        item(
            "GG-000245-001",
            "社会保障卡申领",
            "renshe",
            PublicService,
            "首次申领社会保障卡（含电子社保卡），可选择邮寄到家。",
        )
        .materials(vec![
            id_card(),
            mat(
                "photo",
                "本人近期免冠白底证件照（数码回执）",
                1,
                0,
                true,
                false,
            ),
        ])
        .limits(None, 10)
        .mail()
        .cross_province()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_address("homeAddress", "常住地址", true),
        ]),
        item(
            "GG-000245-003",
            "社会保障卡挂失与补换",
            "renshe",
            PublicService,
            "社保卡丢失或损坏的，先挂失再补换新卡。",
        )
        .materials(vec![id_card()])
        .limits(None, 10)
        .fee(0, "首次补换免费")
        .mail()
        .cross_province()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_select(
                "reason",
                "补换原因",
                &[("lost", "丢失"), ("damaged", "损坏")],
            ),
        ]),
        item(
            "QR-000246-004",
            "职工正常退休（职）申请",
            "renshe",
            Confirmation,
            "达到法定退休年龄的企业职工，申请办理退休并核定基本养老金。",
        )
        .materials(vec![
            id_card(),
            mat_note(
                mat("dangan", "本人人事档案", 1, 0, true, false),
                "由单位或档案保管机构调转",
            ),
            mat("tuixiushenpibiao", "职工退休审批表", 2, 0, true, false),
        ])
        .limits(Some(20), 10)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_text("employer", "参保单位名称", true, 60),
            f_select(
                "pensionBank",
                "养老金发放银行",
                &[
                    ("icbc", "工商银行"),
                    ("abc", "农业银行"),
                    ("boc", "中国银行"),
                    ("ccb", "建设银行"),
                    ("rcc", "农商银行"),
                ],
            ),
        ]),
        item(
            "JF-000246-010",
            "城乡居民基本养老保险待遇申领",
            "renshe",
            Benefit,
            "年满60周岁、累计缴费满15年的城乡居民申领养老金。",
        )
        .materials(vec![
            id_card(),
            hukoubu(),
            mat("yinhangka", "本人社会保障卡或银行卡", 1, 1, true, true),
        ])
        .limits(Some(20), 5)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_address("homeAddress", "户籍地址", true),
        ]),
        item(
            "JF-000247-001",
            "失业保险金申领",
            "renshe",
            Benefit,
            "非因本人意愿中断就业、已办理失业登记且缴费满一年的，可申领失业保险金。",
        )
        .materials(vec![
            id_card(),
            mat("jiechuhetong", "解除或终止劳动合同证明", 1, 1, true, false),
        ])
        .limits(Some(15), 5)
        .cross_province()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_past_date("leftOn", "离职日期"),
            f_text("lastEmployer", "原工作单位", true, 60),
        ]),
        // ---- 医保 ----
        item(
            "GG-000258-001",
            "城乡居民基本医疗保险参保登记",
            "yibao",
            PublicService,
            "未参加职工医保的城乡居民（含新生儿）参保登记。",
        )
        .materials(vec![id_card(), hukoubu()])
        .limits(None, 0)
        .cross_province()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_other_id("insuredIdNumber", "参保人公民身份号码", true),
        ]),
        item(
            "GG-000258-005",
            "异地就医备案",
            "yibao",
            PublicService,
            "异地长期居住、工作或转诊就医人员办理备案后可直接结算。",
        )
        .materials(vec![
            id_card(),
            mat_note(
                mat(
                    "changzhuzhengming",
                    "异地居住或工作证明",
                    1,
                    1,
                    false,
                    false,
                ),
                "承诺制：可用个人承诺书代替",
            ),
        ])
        .limits(None, 0)
        .cross_province()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_select(
                "kind",
                "备案类型",
                &[
                    ("resident", "异地长期居住"),
                    ("worker", "常驻异地工作"),
                    ("referral", "转诊就医"),
                ],
            ),
            f_text("destination", "就医地（省市）", true, 30),
        ]),
        item(
            "JF-000259-002",
            "退休人员医保待遇核定",
            "yibao",
            Benefit,
            "职工退休时核定医保缴费年限，符合条件的享受退休人员医保待遇。",
        )
        .materials(vec![
            id_card(),
            mat("tuixiuzheng", "退休审批表或退休证", 1, 1, true, true),
        ])
        .limits(Some(20), 5)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_number(
                "contributionYears",
                "医保实际缴费年限（年）",
                0.0,
                50.0,
                true,
            ),
        ]),
        item(
            "JF-000259-006",
            "医疗费用手工（零星）报销",
            "yibao",
            Benefit,
            "未能直接结算的医疗费用，凭票据申请报销，可邮寄送达结果。",
        )
        .materials(vec![
            id_card(),
            mat("fapiao", "医疗收费票据", 1, 0, true, false),
            mat("feiyongqingdan", "费用明细清单", 1, 0, true, false),
            mat("chuyuanxiaojie", "出院小结（住院时）", 0, 1, false, false),
        ])
        .limits(Some(30), 20)
        .mail()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_number("amountYuan", "报销金额（元）", 1.0, 1_000_000.0, false),
        ]),
    ]
}
