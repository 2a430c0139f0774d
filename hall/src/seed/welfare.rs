//! Seed items of 民政 (marriage, social assistance, elderly and disability benefits) and 卫健
//! (birth certificates, vaccination records), in the same style as `people.rs`.

use hall_api::catalog::{ItemKind::*, ServiceItem};

use super::build::*;

pub fn items() -> Vec<ServiceItem> {
    vec![
        // ---- 民政 ----
        item(
            "QR-000201-001",
            "内地居民结婚登记（预约）",
            "minzheng",
            Confirmation,
            "双方共同到婚姻登记处办理；自助机可预审并预约。",
        )
        .materials(vec![
            id_card(),
            hukoubu(),
            mat("photo2", "双方近期半身免冠合影2寸照片", 3, 0, true, false),
        ])
        .limits(None, 0)
        .window_only()
        .cross_province()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_text("partnerName", "另一方姓名", true, 30),
            f_other_id("partnerIdNumber", "另一方公民身份号码", true),
        ]),
        item(
            "JF-000202-003",
            "最低生活保障申请",
            "minzheng",
            Benefit,
            "家庭人均收入低于当地低保标准且财产符合规定的，可申请低保。",
        )
        .materials(vec![
            id_card(),
            hukoubu(),
            mat("shouruzhengming", "家庭收入情况说明", 1, 0, true, false),
            mat("hedui", "家庭经济状况核对授权书", 1, 0, true, false),
        ])
        .limits(Some(30), 25)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_address("homeAddress", "家庭住址", true),
            f_number("householdSize", "家庭人口数", 1.0, 20.0, true),
            f_number(
                "monthlyIncomeYuan",
                "家庭月总收入（元）",
                0.0,
                100_000.0,
                false,
            ),
        ]),
        item(
            "JF-000203-001",
            "高龄津贴申领",
            "minzheng",
            Benefit,
            "年满80周岁的本县户籍老年人申领高龄津贴。",
        )
        .materials(vec![
            id_card(),
            hukoubu(),
            mat("yinhangka", "本人社会保障卡或银行卡", 1, 1, true, true),
        ])
        .limits(Some(20), 10)
        .form(vec![f_name(), f_id(), f_phone()]),
        item(
            "JF-000204-002",
            "困难残疾人生活补贴申请",
            "minzheng",
            Benefit,
            "持第二代残疾人证的低保、特困残疾人申请生活补贴。",
        )
        .materials(vec![
            id_card(),
            mat("canjirenzheng", "中华人民共和国残疾人证", 1, 1, true, true),
        ])
        .limits(Some(30), 20)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_address("homeAddress", "家庭住址", true),
        ]),
        // ---- 卫健 ----
        item(
            "GG-000311-001",
            "《出生医学证明》首次签发",
            "weijian",
            PublicService,
            "由助产机构签发，自助机可预审并选择邮寄。",
        )
        .materials(vec![
            mat_note(
                mat("fumusfz", "父母居民身份证", 1, 1, true, false),
                "父母双方",
            ),
            mat("jiehunzheng", "父母结婚证", 1, 1, false, true),
        ])
        .limits(None, 3)
        .mail()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_text("childName", "新生儿姓名", true, 20),
            f_past_date("childBirthDate", "出生日期"),
            f_text("hospital", "出生医院", true, 60),
        ]),
        item(
            "GG-000312-004",
            "预防接种证办理",
            "weijian",
            PublicService,
            "新生儿建立预防接种档案并发放接种证。",
        )
        .materials(vec![mat(
            "chushengyixue",
            "《出生医学证明》",
            1,
            1,
            true,
            true,
        )])
        .limits(None, 0)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_text("childName", "新生儿姓名", true, 20),
            f_past_date("childBirthDate", "出生日期"),
        ]),
    ]
}
