//! Seed items for life events, part two: medical insurance transfers, the housing provident
//! fund, household registration, funeral relief, disability and veterans (医保, 公积金, 公安,
//! 民政, 残联, 退役军人).

use hall_api::catalog::{ItemKind::*, ServiceItem};

use super::build::*;
use super::life::{death_cert, f_company_of_employer, f_deceased, f_relation, tuiyi_cert};

/// The items.
pub fn items() -> Vec<ServiceItem> {
    vec![
        // ---- 医保 ----
        item(
            "GG-000258-003",
            "职工基本医疗保险参保登记（单位增员）",
            "yibao",
            PublicService,
            "用人单位为新招用职工办理职工基本医疗保险和生育保险参保。",
        )
        .materials(vec![
            mat("yingyezhizhao", "营业执照", 1, 1, true, true),
            id_card(),
        ])
        .limits(None, 0)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_company_of_employer(),
            f_past_date("insuredSince", "参保起始日期"),
        ]),
        item(
            "GG-000258-007",
            "基本医疗保险关系转移接续",
            "yibao",
            PublicService,
            "跨统筹地区流动就业或退役安置的，转移接续基本医疗保险关系，缴费年限累计计算。",
        )
        .materials(vec![
            id_card(),
            mat_note(
                mat("yibaopingzheng", "参保凭证", 1, 0, false, true),
                "可由转出地经办机构网上出具",
            ),
        ])
        .limits(Some(15), 10)
        .cross_province()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_text("fromRegion", "转出地（省、市、县）", true, 40),
        ]),
        // ---- 公积金 ----
        item(
            "GG-000501-001",
            "住房公积金单位缴存登记",
            "gongjijin",
            PublicService,
            "新设立单位自设立之日起 30 日内办理住房公积金缴存登记。",
        )
        .materials(vec![
            mat("yingyezhizhao", "营业执照", 1, 1, true, true),
            id_card(),
        ])
        .limits(None, 1)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_company_of_employer(),
            f_number("employees", "缴存职工人数", 1.0, 100_000.0, true),
        ]),
        item(
            "GG-000501-002",
            "住房公积金个人账户设立",
            "gongjijin",
            PublicService,
            "单位为新录用职工在录用之日起 30 日内办理缴存登记，设立个人账户。",
        )
        .materials(vec![
            id_card(),
            mat("laodonghetong", "劳动合同", 1, 1, true, false),
        ])
        .limits(None, 0)
        .form(vec![f_name(), f_id(), f_phone(), f_company_of_employer()]),
        item(
            "JF-000502-001",
            "住房公积金提取（购房、退休、死亡）",
            "gongjijin",
            Benefit,
            "购买自住住房、离休退休或职工死亡的，提取住房公积金账户余额。",
        )
        .materials(vec![
            id_card(),
            mat_note(
                mat("tiqupingzheng", "提取原因证明", 1, 1, true, false),
                "购房合同及发票、退休证明或死亡证明",
            ),
            mat("yinhangka", "本人社会保障卡或银行卡", 1, 1, true, true),
        ])
        .limits(None, 3)
        .cross_province()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_select(
                "reason",
                "提取原因",
                &[
                    ("house", "购买自住住房"),
                    ("retire", "离休退休"),
                    ("death", "职工死亡"),
                ],
            ),
            f_text("bankAccount", "收款银行账号", true, 30),
        ]),
        // ---- 公安 ----
        item(
            "QR-000173-020",
            "死亡人员户口注销",
            "gongan",
            Confirmation,
            "公民死亡后，其亲属持死亡证明办理户口注销，同步注销居民身份证。",
        )
        .materials(vec![id_card(), death_cert(), hukoubu()])
        .limits(None, 0)
        .form({
            let mut f = vec![f_name(), f_id(), f_phone()];
            f.extend(f_deceased());
            f.push(f_relation());
            f
        }),
        item(
            "QR-000173-015",
            "退役士兵户口登记",
            "gongan",
            Confirmation,
            "退役士兵持安置地退役军人事务部门开具的介绍信办理户口登记。",
        )
        .materials(vec![
            id_card(),
            tuiyi_cert(),
            mat("luhujieshaoxin", "落户介绍信", 1, 0, true, false),
        ])
        .limits(None, 1)
        .window_only()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_address("homeAddress", "落户地址", false),
        ]),
        item(
            "QR-000173-025",
            "户口登记项目变更（婚姻状况）",
            "gongan",
            Confirmation,
            "结婚、离婚后变更户口登记中的婚姻状况。",
        )
        .materials(vec![
            id_card(),
            hukoubu(),
            mat("benrenjiehunzheng", "结婚证", 1, 1, true, true),
        ])
        .limits(None, 0)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_select(
                "maritalStatus",
                "变更后婚姻状况",
                &[
                    ("married", "已婚"),
                    ("divorced", "离婚"),
                    ("widowed", "丧偶"),
                ],
            ),
        ]),
        // ---- 民政 ----
        item(
            "JF-000205-001",
            "基本殡葬服务费用减免",
            "minzheng",
            Benefit,
            "本县户籍居民死亡后火化的，减免遗体接运、暂存、火化、骨灰寄存等基本殡葬服务费用。",
        )
        .materials(vec![
            id_card(),
            death_cert(),
            mat("huohuazhengming", "火化证明", 1, 1, true, false),
        ])
        .limits(None, 5)
        .form({
            let mut f = vec![f_name(), f_id(), f_phone()];
            f.extend(f_deceased());
            f.push(f_relation());
            f
        }),
        item(
            "JF-000204-003",
            "重度残疾人护理补贴申请",
            "minzheng",
            Benefit,
            "残疾等级为一、二级且需要长期照护的重度残疾人申领护理补贴。",
        )
        .materials(vec![
            id_card(),
            hukoubu(),
            mat("canjirenzheng", "中华人民共和国残疾人证", 1, 1, true, true),
        ])
        .limits(Some(20), 15)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_address("homeAddress", "居住地址", true),
            f_text("bankAccount", "收款银行账号", true, 30),
        ]),
        // ---- 残联 ----
        item(
            "QR-000701-001",
            "残疾人证新办",
            "canlian",
            Confirmation,
            "经指定医疗机构评定残疾类别和等级后，核发第三代智能化残疾人证。",
        )
        .materials(vec![
            id_card(),
            hukoubu(),
            mat_note(
                mat("zhaopian", "近期两寸免冠白底彩色照片", 2, 0, true, false),
                "可在自助机现场拍摄",
            ),
            mat("canjipingding", "残疾评定表", 1, 0, true, false),
        ])
        .limits(Some(20), 10)
        .mail()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_select(
                "category",
                "残疾类别",
                &[
                    ("visual", "视力"),
                    ("hearing", "听力"),
                    ("speech", "言语"),
                    ("physical", "肢体"),
                    ("intellectual", "智力"),
                    ("mental", "精神"),
                    ("multiple", "多重"),
                ],
            ),
        ]),
        // ---- 退役军人 ----
        item(
            "QR-000601-001",
            "退役军人报到与信息采集",
            "tuiyi",
            Confirmation,
            "退役军人自退役之日起 30 日内到安置地退役军人事务局报到，采集信息、建立档案。",
        )
        .materials(vec![
            id_card(),
            tuiyi_cert(),
            mat("anzhiwenjian", "安置介绍信", 1, 0, true, false),
        ])
        .limits(None, 0)
        .window_only()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_past_date("dischargeDate", "退役日期"),
            f_select(
                "placement",
                "安置方式",
                &[
                    ("self", "自主就业"),
                    ("assigned", "安排工作"),
                    ("retired", "退休"),
                    ("supported", "供养"),
                ],
            ),
        ]),
        item(
            "GG-000601-005",
            "退役军人优待证申领",
            "tuiyi",
            PublicService,
            "退役军人、其他优抚对象申领优待证，凭证享受交通、文旅等优待。",
        )
        .materials(vec![
            id_card(),
            tuiyi_cert(),
            mat_note(
                mat("zhaopian", "近期两寸免冠白底彩色照片", 2, 0, true, false),
                "可在自助机现场拍摄",
            ),
        ])
        .limits(None, 20)
        .mail()
        .form(vec![f_name(), f_id(), f_phone()]),
    ]
}
