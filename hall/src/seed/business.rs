//! Seed items of 税务, 不动产登记 and 市场监管: the property and business side of the hall.

use hall_api::catalog::{ItemKind::*, ServiceItem};

use super::build::*;

fn f_company() -> hall_api::form::FormField {
    f_text("companyName", "企业（字号）名称", true, 60)
}

fn f_credit_code(required: bool) -> hall_api::form::FormField {
    let mut f = f_text("creditCode", "统一社会信用代码", required, 18);
    f.rules.min_len = Some(18);
    f
}

pub fn items() -> Vec<ServiceItem> {
    vec![
        // ---- 税务 ----
        item(
            "QT-000133-001",
            "新办纳税人套餐式服务（信息确认、发票票种核定）",
            "shuiwu",
            Other,
            "新设立企业一次办理税务信息确认、发票票种核定、税控或数电发票开通。",
        )
        .materials(vec![
            mat("yingyezhizhao", "营业执照", 1, 1, true, true),
            id_card(),
        ])
        .limits(None, 1)
        .cross_province()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_company(),
            f_credit_code(false),
            f_select(
                "invoiceKind",
                "发票种类",
                &[("digital", "数电发票"), ("paper", "纸质发票")],
            ),
        ]),
        item(
            "GG-000133-005",
            "个人所得税纳税记录开具",
            "shuiwu",
            PublicService,
            "开具个人所得税纳税记录，可用于购房、落户等。",
        )
        .materials(vec![id_card()])
        .limits(None, 0)
        .cross_province()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_number("fromYear", "起始年度", 2019.0, 2100.0, true),
            f_number("toYear", "截止年度", 2019.0, 2100.0, true),
        ]),
        item(
            "QT-000134-002",
            "代开增值税发票（自然人）",
            "shuiwu",
            Other,
            "自然人出租不动产、提供劳务等需要发票的，可申请代开。",
        )
        .materials(vec![
            id_card(),
            mat("hetong", "合同或协议", 1, 1, true, false),
        ])
        .limits(None, 0)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_text("buyerName", "受票方名称", true, 60),
            f_number("amountYuan", "金额（元）", 1.0, 10_000_000.0, false),
        ]),
        item(
            "QT-000135-001",
            "契税申报",
            "shuiwu",
            Other,
            "购买房屋等不动产权属转移时申报缴纳契税。",
        )
        .materials(vec![
            id_card(),
            mat(
                "goufanghetong",
                "房屋买卖合同（网签备案）",
                1,
                1,
                true,
                false,
            ),
            mat("goufangfapiao", "购房发票", 1, 1, false, false),
        ])
        .limits(None, 0)
        .window_only()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_address("propertyAddress", "房屋坐落", false),
            f_number("areaSqm", "建筑面积（平方米）", 1.0, 10_000.0, false),
        ]),
        // ---- 不动产登记 ----
        item(
            "QR-000128-001",
            "不动产首次登记（商品房）",
            "budongchan",
            Confirmation,
            "新建商品房由开发企业申请首次登记后，购房人办理转移登记。",
        )
        .materials(vec![
            id_card(),
            mat(
                "goufanghetong",
                "房屋买卖合同（网签备案）",
                1,
                1,
                true,
                false,
            ),
            mat("wanshuipingzheng", "契税完税凭证", 1, 1, true, false),
        ])
        .limits(Some(30), 5)
        .fee(8000, "登记费80元（住宅），证书工本费每增加一本10元")
        .mail()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_address("propertyAddress", "房屋坐落", false),
        ]),
        item(
            "QR-000128-004",
            "不动产转移登记（二手房买卖）",
            "budongchan",
            Confirmation,
            "买卖双方共同申请，可“一窗受理、税费同缴”。",
        )
        .materials(vec![
            id_card(),
            mat("budongchanzheng", "不动产权证书", 1, 0, true, false),
            mat(
                "goufanghetong",
                "房屋买卖合同（网签备案）",
                1,
                1,
                true,
                false,
            ),
            mat("wanshuipingzheng", "契税完税凭证", 1, 1, true, false),
            mat("hukoubu", "居民户口簿", 1, 1, false, true),
        ])
        .limits(Some(30), 3)
        .fee(8000, "登记费80元（住宅）")
        .window_only()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_address("propertyAddress", "房屋坐落", false),
            f_text("sellerName", "出卖人姓名", true, 30),
        ]),
        item(
            "QR-000128-009",
            "不动产抵押登记",
            "budongchan",
            Confirmation,
            "办理房产抵押贷款时由抵押双方申请。",
        )
        .materials(vec![
            id_card(),
            mat("budongchanzheng", "不动产权证书", 1, 0, true, false),
            mat("diyahetong", "抵押合同及主债权合同", 1, 1, true, false),
        ])
        .limits(Some(30), 1)
        .fee(8000, "登记费80元（住宅）")
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_text("bank", "抵押权人（银行）", true, 60),
            f_number("amountYuan", "被担保主债权数额（元）", 1.0, 1e10, false),
        ]),
        item(
            "GG-000129-001",
            "不动产登记资料查询（权属证明）",
            "budongchan",
            PublicService,
            "权利人查询本人名下不动产登记结果，出具查询结果证明。",
        )
        .materials(vec![id_card()])
        .limits(None, 0)
        .cross_province()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_text("purpose", "查询用途", true, 50),
        ]),
        // ---- 市场监管 ----
        item(
            "XK-000110-001",
            "企业设立登记（有限责任公司）",
            "shichang",
            License,
            "设立有限责任公司，名称自主申报后提交设立登记。",
        )
        .materials(vec![
            mat("shenqingshu", "公司登记（备案）申请书", 1, 0, true, false),
            mat("gongsizhangcheng", "公司章程", 1, 0, true, false),
            mat_note(
                mat("zhusuo", "住所使用证明", 0, 1, true, false),
                "自有房产提供产权证明，租赁提供租赁合同；可用住所申报承诺代替",
            ),
            mat("gudongzhuti", "股东主体资格证明", 0, 1, true, false),
            mat(
                "renzhiwenjian",
                "法定代表人、董事、监事和经理的任职文件",
                1,
                0,
                true,
                false,
            ),
        ])
        .limits(Some(3), 1)
        .mail()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_company(),
            f_number(
                "capitalWanYuan",
                "注册资本（万元）",
                0.01,
                1_000_000.0,
                false,
            ),
            f_address("businessAddress", "住所（经营场所）", false),
            f_text("scope", "经营范围", true, 500),
        ]),
        item(
            "XK-000110-008",
            "个体工商户设立登记",
            "shichang",
            License,
            "个体经营者申请登记，当场办结。",
        )
        .materials(vec![
            id_card(),
            mat_note(
                mat("jingyingchangsuo", "经营场所使用证明", 0, 1, true, false),
                "可用住所申报承诺代替",
            ),
        ])
        .limits(Some(15), 0)
        .mail()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_text("shopName", "个体户名称（可不填）", false, 60),
            f_address("businessAddress", "经营场所", false),
            f_text("scope", "经营范围", true, 300),
        ]),
        item(
            "XK-000111-002",
            "食品经营许可（仅销售预包装食品备案）",
            "shichang",
            License,
            "仅销售预包装食品的，实行备案管理。",
        )
        .materials(vec![
            mat("yingyezhizhao", "营业执照", 1, 1, true, true),
            id_card(),
        ])
        .limits(Some(20), 5)
        .mail()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_company(),
            f_credit_code(true),
            f_address("businessAddress", "经营场所", false),
        ]),
        item(
            "QT-000112-003",
            "企业变更登记（住所、经营范围、法定代表人）",
            "shichang",
            Other,
            "公司登记事项发生变更的，应申请变更登记。",
        )
        .materials(vec![
            mat("yingyezhizhao", "营业执照", 1, 0, true, true),
            mat("shenqingshu", "公司登记（备案）申请书", 1, 0, true, false),
            mat("jueyi", "股东会决议或决定", 1, 0, true, false),
        ])
        .limits(Some(3), 1)
        .mail()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_company(),
            f_credit_code(true),
            f_select(
                "change",
                "变更事项",
                &[
                    ("address", "住所"),
                    ("scope", "经营范围"),
                    ("representative", "法定代表人"),
                ],
            ),
        ]),
    ]
}
