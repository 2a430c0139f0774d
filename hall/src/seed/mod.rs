//! The seed catalog loaded on first start: departments of a county service hall, realistic
//! items from 公安, 税务, 不动产登记, 市场监管, 人社, 医保, 民政 and 卫健, and 一件事 bundles.

mod build;
mod business;
mod people;
mod welfare;

use hall_api::catalog::{Bundle, Catalog, Department};

/// The seed catalog's version; change it whenever the content changes.
pub const SEED_VERSION: &str = "2024.05-seed.1";

fn dept(code: &str, name: &str, window: &str, slot_capacity: u32) -> Department {
    Department {
        code: code.into(),
        name: name.into(),
        window: window.into(),
        slot_capacity,
    }
}

fn bundle(code: &str, name: &str, summary: &str, items: &[&str]) -> Bundle {
    Bundle {
        code: code.into(),
        name: name.into(),
        summary: summary.into(),
        items: items.iter().map(|s| (*s).into()).collect(),
    }
}

/// The seed catalog.
pub fn catalog() -> Catalog {
    let mut items = people::items();
    items.extend(welfare::items());
    items.extend(business::items());
    Catalog {
        version: SEED_VERSION.into(),
        departments: vec![
            dept("gongan", "县公安局（户政、出入境）", "A区 1-4号窗口", 8),
            dept("shuiwu", "国家税务总局本县税务局", "B区 5-9号窗口", 10),
            dept("budongchan", "县不动产登记中心", "B区 10-13号窗口", 6),
            dept("shichang", "县市场监督管理局", "C区 14-16号窗口", 6),
            dept("renshe", "县人力资源和社会保障局", "C区 17-19号窗口", 8),
            dept("yibao", "县医疗保障局", "C区 20-21号窗口", 6),
            dept("minzheng", "县民政局（婚姻登记、社会救助）", "D区 22-23号窗口", 4),
            dept("weijian", "县卫生健康局", "D区 24号窗口", 4),
        ],
        items,
        bundles: vec![
            bundle("yjs-xinshenger", "新生儿出生一件事",
                "出生医学证明、户口登记、医保参保、社保卡申领、预防接种证一次办，共用材料只交一次。",
                &["GG-000311-001", "QR-000173-003", "GG-000258-001", "GG-000245-001", "GG-000312-004"]),
            bundle("yjs-kaibanqiye", "开办企业一件事",
                "企业设立登记、公章刻制备案、新办纳税人套餐一次办，营业执照电子证照自动共享。",
                &["XK-000110-001", "QT-000175-001", "QT-000133-001"]),
            bundle("yjs-tuixiu", "退休一件事",
                "职工退休申请、养老金核定与退休人员医保待遇核定一次办。",
                &["QR-000246-004", "JF-000259-002"]),
            bundle("yjs-canji", "残疾人服务一件事",
                "困难残疾人生活补贴与城乡居民医保参保一次办。",
                &["JF-000204-002", "GG-000258-001"]),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_seed_covers_the_seven_departments_with_several_items_each() {
        let c = catalog();
        for d in [
            "gongan",
            "shuiwu",
            "budongchan",
            "shichang",
            "renshe",
            "yibao",
            "minzheng",
        ] {
            let n = c.items.iter().filter(|i| i.department == d).count();
            assert!(n >= 3, "{d} has only {n} items");
        }
        let codes: HashSet<_> = c.items.iter().map(|i| &i.code).collect();
        assert_eq!(codes.len(), c.items.len(), "item codes are unique");
        for i in &c.items {
            assert!(
                c.department(&i.department).is_some(),
                "{} names an unknown department",
                i.code
            );
            assert!(!i.materials.is_empty(), "{} lists no materials", i.code);
            assert!(i.form.fields.iter().any(|f| f.key == "declaration"));
        }
        let free = c.items.iter().filter(|i| i.fee.amount_fen == 0).count();
        assert!(free * 3 > c.items.len() * 2, "fees are mostly zero");
    }

    #[test]
    fn bundles_name_real_items_and_ask_shared_materials_once() {
        let c = catalog();
        for name in ["新生儿出生一件事", "开办企业一件事", "退休一件事"] {
            assert!(c.bundles.iter().any(|b| b.name == name), "{name}");
        }
        for b in &c.bundles {
            assert!(
                c.bundle_items(b).is_some(),
                "{} names an unknown item",
                b.code
            );
        }
        let newborn = c.bundle("yjs-xinshenger").unwrap();
        let mats = c.bundle_materials(newborn);
        let birth_cert: Vec<_> = mats
            .iter()
            .filter(|m| m.material.code == "chushengyixue")
            .collect();
        assert_eq!(birth_cert.len(), 1, "asked once");
        assert!(
            birth_cert[0].for_items.len() >= 2,
            "but serves several items"
        );
        let form = c.bundle_form(newborn);
        let names = form.fields.iter().filter(|f| f.key == "childName").count();
        assert_eq!(names, 1);
    }
}
