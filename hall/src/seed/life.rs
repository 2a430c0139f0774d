//! Seed items for life events the 一件事 bundles combine, part one: school entry, birth and
//! death certificates, employment and unemployment (教育, 卫健, 人社); [`super::civil`] has
//! the rest. The helpers here (a deceased person's fields, common materials) serve both.

use hall_api::catalog::{ItemKind::*, ServiceItem};

use super::build::*;

pub(super) fn f_company_of_employer() -> hall_api::form::FormField {
    f_text("employerName", "用人单位名称", true, 60)
}

pub(super) fn f_deceased() -> Vec<hall_api::form::FormField> {
    vec![
        f_text("deceasedName", "逝者姓名", true, 30),
        f_other_id("deceasedIdNumber", "逝者公民身份号码", true),
        f_past_date("deathDate", "死亡日期"),
    ]
}

pub(super) fn f_relation() -> hall_api::form::FormField {
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

pub(super) fn death_cert() -> hall_api::catalog::Material {
    mat(
        "siwangzhengming",
        "居民死亡医学证明（推断）书",
        1,
        1,
        true,
        true,
    )
}

pub(super) fn relation_proof() -> hall_api::catalog::Material {
    mat_note(
        mat("qinshuguanxi", "亲属关系证明", 1, 1, true, true),
        "户口簿、结婚证或出生医学证明等能证明关系的材料之一",
    )
}

pub(super) fn tuiyi_cert() -> hall_api::catalog::Material {
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
    ]
}
