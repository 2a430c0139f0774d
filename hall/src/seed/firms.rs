//! Seed items for a business's later life (changes, closing) and for a home's transfer and
//! utilities: 税务, 市场监管, 不动产登记 and the water, power and gas companies' windows
//! (水电气网联合报装).

use hall_api::catalog::{ItemKind::*, ServiceItem};

use super::build::*;

fn f_company() -> hall_api::form::FormField {
    f_text("companyName", "企业（字号）名称", true, 60)
}

fn f_credit_code() -> hall_api::form::FormField {
    let mut f = f_text("creditCode", "统一社会信用代码", true, 18);
    f.rules.min_len = Some(18);
    f
}

fn licence() -> hall_api::catalog::Material {
    mat("yingyezhizhao", "营业执照", 1, 1, true, true)
}

fn property_cert() -> hall_api::catalog::Material {
    mat("budongchanzheng", "不动产权证书", 1, 1, true, true)
}

fn f_property_address() -> hall_api::form::FormField {
    f_address("propertyAddress", "房屋坐落", false)
}

fn utility(code: &str, name: &str, dept: &str, summary: &str, what: &str) -> ServiceItem {
    item(code, name, dept, PublicService, summary)
        .materials(vec![id_card(), property_cert()])
        .limits(None, 3)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_property_address(),
            f_select(
                &format!("{dept}Usage"),
                &format!("{what}用途"),
                &[("home", "居民生活"), ("business", "经营")],
            ),
        ])
}

fn transfer(code: &str, name: &str, dept: &str, summary: &str) -> ServiceItem {
    item(code, name, dept, PublicService, summary)
        .materials(vec![
            id_card(),
            property_cert(),
            mat_note(
                mat("jiaofeiqingdan", "原户主结清费用凭证", 1, 0, false, false),
                "可由营业厅联网核验",
            ),
        ])
        .limits(None, 1)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_property_address(),
            f_text(&format!("{dept}Account"), "原户号", true, 20),
        ])
}

/// The business and home items.
pub fn items() -> Vec<ServiceItem> {
    vec![
        // ---- 税务 ----
        item(
            "QT-000136-001",
            "税务注销（清税证明）",
            "shuiwu",
            Other,
            "纳税人结清应纳税款、滞纳金、罚款，缴销发票后出具清税证明；符合条件的即办。",
        )
        .materials(vec![
            licence(),
            id_card(),
            mat_note(
                mat("fapiaojiaoxiao", "发票缴销清单", 1, 0, false, false),
                "领用过纸质发票的提交",
            ),
        ])
        .limits(Some(20), 1)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_company(),
            f_credit_code(),
        ]),
        item(
            "QT-000136-004",
            "税务登记信息变更",
            "shuiwu",
            Other,
            "市场监管部门变更登记后，税务登记信息同步变更；非共享信息由纳税人确认。",
        )
        .materials(vec![
            licence(),
            id_card(),
            mat("biangengtongzhi", "登记事项变更通知书", 1, 1, true, false),
        ])
        .limits(None, 0)
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_company(),
            f_credit_code(),
        ]),
        // ---- 市场监管 ----
        item(
            "QT-000112-010",
            "企业注销登记",
            "shichang",
            Other,
            "企业清算完毕、清税后申请注销登记；未发生债权债务的可适用简易注销。",
        )
        .materials(vec![
            licence(),
            id_card(),
            mat("zhuxiaoshenqing", "企业注销登记申请书", 1, 0, true, false),
            mat_note(
                mat(
                    "qingsuanbaogao",
                    "清算报告或全体投资人承诺书",
                    1,
                    0,
                    true,
                    false,
                ),
                "简易注销提交承诺书",
            ),
            mat("qingshuizhengming", "清税证明", 1, 0, true, false),
        ])
        .limits(Some(20), 3)
        .window_only()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_company(),
            f_credit_code(),
            f_select(
                "procedure",
                "注销程序",
                &[("simple", "简易注销"), ("general", "一般注销")],
            ),
        ]),
        // ---- 不动产 ----
        item(
            "QR-000128-006",
            "新建商品房转移登记",
            "budongchan",
            Confirmation,
            "购买新建商品房的，买卖双方申请转移登记，与契税缴纳、抵押登记一窗受理。",
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
            mat("wanshuipingzheng", "契税完税凭证", 1, 1, true, false),
        ])
        .limits(Some(30), 5)
        .window_only()
        .mail()
        .form(vec![
            f_name(),
            f_id(),
            f_phone(),
            f_property_address(),
            f_number("areaSqm", "建筑面积（平方米）", 1.0, 10_000.0, false),
        ]),
        // ---- 水电气 ----
        utility(
            "GG-000801-001",
            "低压居民及小微企业用电报装",
            "gongdian",
            "低压用户用电报装，供电公司现场勘查、装表接电，小微企业“零投资”接入。",
            "用电",
        ),
        transfer(
            "GG-000801-004",
            "用电户名过户",
            "gongdian",
            "房屋产权转移后，新产权人办理用电户名变更。",
        ),
        utility(
            "GG-000802-001",
            "用水报装",
            "gongshui",
            "新建房屋或经营场所申请接入公共供水管网，装表通水。",
            "用水",
        ),
        transfer(
            "GG-000802-004",
            "用水户名过户",
            "gongshui",
            "房屋产权转移后，新产权人办理用水户名变更。",
        ),
        utility(
            "GG-000803-001",
            "管道燃气报装",
            "ranqi",
            "居民或经营场所申请开通管道天然气，燃气公司勘查、安装、验收通气。",
            "用气",
        ),
        transfer(
            "GG-000803-004",
            "燃气户名过户",
            "ranqi",
            "房屋产权转移后，新产权人办理燃气户名变更。",
        ),
    ]
}
