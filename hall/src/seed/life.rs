//! Seed items for life events the 一件事 bundles combine: school entry, employment and
//! unemployment, marriage, after a death, leaving the army, disability, and the housing
//! provident fund (教育, 人社, 医保, 公积金, 卫健, 公安, 民政, 残联, 退役军人).

use hall_api::catalog::{ItemKind::*, ServiceItem};

use super::build::*;

fn f_company_of_employer() -> hall_api::form::FormField {
    f_text("employerName", "用人单位名称", true, 60)
}

fn f_deceased() -> Vec<hall_api::form::FormField> {
    vec![
        f_text("deceasedName", "逝者姓名", true, 30),
        f_other_id("deceasedIdNumber", "逝者公民身份号码", true),
        f_past_date("deathDate", "死亡日期"),
    ]
}

fn f_relation() -> hall_api::form::FormField {
    f_select(
        "relation",
        "申请人与逝者关系",
        &[
            ("spouse", "配偶"),
            ("child", "子女"),
            ("parent", "父母"),
            ("other", "其他近亲属"),
        ],
    )
}

fn death_cert() -> hall_api::catalog::Material {
    mat(
        "siwangzhengming",
        "居民死亡医学证明（推断）书",
        1,
        1,
        true,
        true,
    )
}

fn relation_proof() -> hall_api::catalog::Material {
    mat_note(
        mat("qinshuguanxi", "亲属关系证明", 1, 1, true, true),
        "户口簿、结婚证或出生医学证明等能证明关系的材料之一",
    )
}

fn tuiyi_cert() -> hall_api::catalog::Material {
    mat("tuiyizheng", "退出现役证", 1, 1, true, true)
}

/// The life-event items.
pub fn items() -> Vec<ServiceItem> {
    vec![
        // ---- 教育 ----
        item(
            "GG-000401-001",
            "义务教育阶段新生入学登记",
            "jiaoyu",
            PublicService,
            "适龄儿童按户籍或居住证划片入读小学、初中，监护人办理入学登记。",
        )
        .materials(vec![
            id_card(),
            hukoubu(),
            mat_note(
                mat("fangchan", "房屋产权证明或居住证明", 1, 1, true, true),
                "随迁子女提交居住证",
            ),
            mat("jiezhongchayan", "预防接种证查验证明", 1, 0, true, false),
        ])
        .limits(None, 10)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_text("childName", "儿童姓名", true, 30),
            f_other_id("childIdNumber", "儿童公民身份号码", true),
            f_select(
                "stage",
                "入学阶段",
                &[("primary", "小学一年级"), ("junior", "初中一年级")],
            ),
            f_address("homeAddress", "实际居住地址", false),
        ]),
        // ---- 卫健 ----
        item(
            "GG-000312-006",
            "入学入托预防接种证查验",
            "weijian",
            PublicService,
            "新生入学入托前查验预防接种证，出具查验证明，需补种的告知补种安排。",
        )
        .materials(vec![
            mat("jiezhongzheng", "预防接种证", 1, 0, true, false),
            id_card(),
        ])
        .limits(None, 0)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_text("childName", "儿童姓名", true, 30),
            f_other_id("childIdNumber", "儿童公民身份号码", true),
        ]),
        item(
            "GG-000313-001",
            "《居民死亡医学证明（推断）书》签发",
            "weijian",
            PublicService,
            "在家中或医疗机构外死亡的，由社区卫生服务机构或乡镇卫生院调查后签发。",
        )
        .materials(vec![
            id_card(),
            mat("shizhe_sfz", "逝者居民身份证", 1, 1, true, false),
            mat_note(
                mat(
                    "diaochaqingkuang",
                    "死亡调查记录或派出所证明",
                    1,
                    0,
                    false,
                    false,
                ),
                "非正常死亡的提交公安机关证明",
            ),
        ])
        .limits(None, 1)
        .window_only()
        .form({
            let mut f = vec![f_name(), f_id(), f_phone()];
            f.extend(f_deceased());
            f.push(f_relation());
            f
        }),
        item(
            "GG-000314-001",
            "生育登记",
            "weijian",
            PublicService,
            "夫妻生育子女的，在孕前或孕期办理生育登记，享受孕产期保健服务。",
        )
        .materials(vec![
            id_card(),
            hukoubu(),
            mat("benrenjiehunzheng", "结婚证", 1, 1, true, true),
        ])
        .limits(None, 0)
        .cross_province()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_text("spouseName", "配偶姓名", true, 30),
            f_other_id("spouseIdNumber", "配偶公民身份号码", true),
            f_number("childOrder", "本次生育子女孩次", 1.0, 10.0, true),
        ]),
        // ---- 人社 ----
        item(
            "GG-000248-001",
            "就业登记",
            "renshe",
            PublicService,
            "劳动者与用人单位建立劳动关系后办理就业登记，记入就业创业证（电子）。",
        )
        .materials(vec![
            id_card(),
            mat("laodonghetong", "劳动合同", 1, 1, true, false),
        ])
        .limits(None, 0)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_company_of_employer(),
            f_past_date("employedSince", "入职日期"),
        ]),
        item(
            "GG-000248-003",
            "失业登记",
            "renshe",
            PublicService,
            "法定劳动年龄内、有劳动能力和就业要求、处于无业状态的城乡劳动者办理失业登记。",
        )
        .materials(vec![
            id_card(),
            mat_note(
                mat("jiechuhetong", "解除或终止劳动合同证明", 1, 1, false, false),
                "原在单位就业的提交",
            ),
        ])
        .limits(None, 0)
        .cross_province()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_address("homeAddress", "常住地址", true),
            f_past_date("unemployedSince", "失业日期"),
        ]),
        item(
            "GG-000248-005",
            "用人单位招用人员备案（用工备案）",
            "renshe",
            PublicService,
            "用人单位招用职工之日起 30 日内办理用工备案。",
        )
        .materials(vec![
            mat("yingyezhizhao", "营业执照", 1, 1, true, true),
            mat("laodonghetong", "劳动合同", 1, 1, true, false),
            id_card(),
        ])
        .limits(None, 0)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_company_of_employer(),
            f_number("hires", "本次招用人数", 1.0, 10_000.0, true),
        ]),
        item(
            "GG-000249-002",
            "单位职工社会保险增员",
            "renshe",
            PublicService,
            "用人单位为新招用职工办理养老、工伤、失业保险参保增员。",
        )
        .materials(vec![
            mat("yingyezhizhao", "营业执照", 1, 1, true, true),
            mat("laodonghetong", "劳动合同", 1, 1, true, false),
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
            "GG-000249-004",
            "单位社会保险登记信息变更",
            "renshe",
            PublicService,
            "单位名称、住所、法定代表人等变更后，30 日内办理社会保险登记变更。",
        )
        .materials(vec![
            mat("yingyezhizhao", "营业执照", 1, 1, true, true),
            mat("biangengtongzhi", "登记事项变更通知书", 1, 1, true, false),
            id_card(),
        ])
        .limits(None, 0)
        .form(vec![f_name(), f_id(), f_phone(), f_company_of_employer()]),
        item(
            "GG-000249-006",
            "单位社会保险注销登记",
            "renshe",
            PublicService,
            "单位依法终止的，结清欠缴社会保险费后办理社会保险注销登记。",
        )
        .materials(vec![
            mat("yingyezhizhao", "营业执照", 1, 1, true, true),
            mat(
                "zhongzhiwenjian",
                "单位终止的决议或批准文件",
                1,
                1,
                true,
                false,
            ),
            id_card(),
        ])
        .limits(None, 3)
        .form(vec![f_name(), f_id(), f_phone(), f_company_of_employer()]),
        item(
            "GG-000249-008",
            "基本养老保险关系转移接续",
            "renshe",
            PublicService,
            "跨统筹地区就业或退役安置的，转移接续基本养老保险关系。",
        )
        .materials(vec![
            id_card(),
            mat_note(
                mat("canbaopingzheng", "参保缴费凭证", 1, 0, false, true),
                "可由转出地经办机构网上出具",
            ),
        ])
        .limits(Some(45), 15)
        .cross_province()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_text("fromRegion", "转出地（省、市、县）", true, 40),
        ]),
        item(
            "JF-000246-015",
            "参保人员丧葬补助金、抚恤金申领",
            "renshe",
            Benefit,
            "参加基本养老保险的人员死亡后，其遗属申领丧葬补助金和抚恤金。",
        )
        .materials(vec![
            id_card(),
            death_cert(),
            relation_proof(),
            mat("yinhangka", "本人社会保障卡或银行卡", 1, 1, true, true),
        ])
        .limits(Some(20), 10)
        .form({
            let mut f = vec![f_name(), f_id(), f_phone()];
            f.extend(f_deceased());
            f.push(f_relation());
            f.push(f_text("bankAccount", "收款银行账号", true, 30));
            f
        }),
        item(
            "GG-000245-006",
            "社会保障卡注销",
            "renshe",
            PublicService,
            "持卡人死亡或出国（境）定居的，注销其社会保障卡。",
        )
        .materials(vec![id_card(), death_cert()])
        .limits(None, 0)
        .form({
            let mut f = vec![f_name(), f_id(), f_phone()];
            f.extend(f_deceased());
            f
        }),
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
