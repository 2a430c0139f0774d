//! The seed catalog loaded on first start: departments of a county service hall, realistic
//! items from 公安, 税务, 不动产登记, 市场监管, 人社, 医保, 民政 and 卫健, and 一件事 bundles.

mod build;
mod bundles;
mod business;
mod civil;
mod english;
mod firms;
mod life;
mod people;
mod welfare;

use hall_api::catalog::{Bundle, Catalog, Department};

/// The seed catalog's version; change it whenever the content changes.
pub const SEED_VERSION: &str = "2026.12-seed.4";

fn dept(code: &str, name: &str, window: &str, slot_capacity: u32) -> Department {
    Department {
        code: code.into(),
        name: name.into(),
        name_en: None,
        window: window.into(),
        slot_capacity,
    }
}

/// A bundle: code, name, summary, member item codes in processing order.
fn bundle(code: &str, name: &str, summary: &str, items: &[&str]) -> Bundle {
    Bundle {
        code: code.into(),
        name: name.into(),
        name_en: None,
        summary: summary.into(),
        items: items.iter().map(|s| (*s).into()).collect(),
    }
}

/// The seed catalog.
pub fn catalog() -> Catalog {
    let mut items = people::items();
    items.extend(welfare::items());
    items.extend(business::items());
    items.extend(life::items());
    items.extend(civil::items());
    items.extend(firms::items());
    let mut catalog = Catalog {
        version: SEED_VERSION.into(),
        departments: vec![
            dept("gongan", "县公安局（户政、出入境）", "A区 1-4号窗口", 8),
            dept("shuiwu", "国家税务总局本县税务局", "B区 5-9号窗口", 10),
            dept("budongchan", "县不动产登记中心", "B区 10-13号窗口", 6),
            dept("shichang", "县市场监督管理局", "C区 14-16号窗口", 6),
            dept("renshe", "县人力资源和社会保障局", "C区 17-19号窗口", 8),
            dept("yibao", "县医疗保障局", "C区 20-21号窗口", 6),
            dept(
                "minzheng",
                "县民政局（婚姻登记、社会救助）",
                "D区 22-23号窗口",
                4,
            ),
            dept("weijian", "县卫生健康局", "D区 24号窗口", 4),
            dept("jiaoyu", "县教育局", "D区 25号窗口", 4),
            dept("tuiyi", "县退役军人事务局", "D区 26号窗口", 2),
            dept("canlian", "县残疾人联合会", "D区 27号窗口", 2),
            dept(
                "gongjijin",
                "市住房公积金管理中心县管理部",
                "C区 28-29号窗口",
                6,
            ),
            dept(
                "gongdian",
                "国网县供电公司",
                "E区 30号窗口（水电气网联合报装）",
                4,
            ),
            dept(
                "gongshui",
                "县自来水公司",
                "E区 30号窗口（水电气网联合报装）",
                4,
            ),
            dept("ranqi", "县燃气公司", "E区 30号窗口（水电气网联合报装）", 4),
        ],
        items,
        bundles: bundles::bundles(),
        partners: Vec::new(),
    };
    english::apply(&mut catalog);
    catalog
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

    #[test]
    fn at_least_twenty_bundles_of_real_items_each_asking_a_document_once() {
        let c = catalog();
        assert!(c.bundles.len() >= 20, "{} bundles", c.bundles.len());
        let codes: HashSet<_> = c.bundles.iter().map(|b| &b.code).collect();
        assert_eq!(codes.len(), c.bundles.len(), "bundle codes are unique");
        for name in [
            "结婚一件事",
            "身后一件事",
            "企业注销一件事",
            "军人退役一件事",
            "水电气联合报装一件事",
        ] {
            assert!(c.bundles.iter().any(|b| b.name == name), "{name}");
        }
        // One material code names one document everywhere, so a bundle can ask it once.
        let mut names = std::collections::HashMap::new();
        for i in &c.items {
            for m in &i.materials {
                let first = names
                    .entry(m.code.clone())
                    .or_insert_with(|| m.name.clone());
                assert_eq!(first, &m.name, "material {} has two names", m.code);
            }
        }
        for b in &c.bundles {
            let items = c
                .bundle_items(b)
                .unwrap_or_else(|| panic!("{} names an unknown item", b.code));
            assert!(items.len() >= 2, "{}", b.code);
            let mats = c.bundle_materials(b);
            let distinct: HashSet<_> = mats.iter().map(|m| &m.material.code).collect();
            assert_eq!(
                distinct.len(),
                mats.len(),
                "{} asks a material twice",
                b.code
            );
            let asked: usize = items.iter().map(|i| i.materials.len()).sum();
            if items
                .iter()
                .filter(|i| i.materials.iter().any(|m| m.code == "sfz"))
                .count()
                > 1
            {
                assert!(mats.len() < asked, "{}: the ID card is asked once", b.code);
            }
            // A key shared by two items means the same thing in both.
            for f in c.bundle_form(b).fields {
                for i in &items {
                    if let Some(g) = i.form.fields.iter().find(|g| g.key == f.key) {
                        assert_eq!(
                            std::mem::discriminant(&g.kind),
                            std::mem::discriminant(&f.kind),
                            "{}: field {} differs between items",
                            b.code,
                            f.key
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn every_entry_of_the_seed_has_plain_english() {
        let c = catalog();
        let mut missing = Vec::new();
        let mut check = |what: String, en: &Option<String>| match en {
            None => missing.push(format!("{what}: no English")),
            Some(t)
                if t.trim().is_empty() || t.chars().count() > crate::catalog_file::MAX_ENGLISH =>
            {
                missing.push(format!("{what}: {t:?} is empty or too long"))
            }
            // English words, not Chinese characters (pinyin cannot be told apart by code;
            // the table in english.rs is reviewed by people).
            Some(t) if t.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)) => {
                missing.push(format!("{what}: {t:?} has Chinese characters"))
            }
            Some(_) => {}
        };
        for d in &c.departments {
            check(format!("department {}", d.code), &d.name_en);
        }
        for b in &c.bundles {
            check(format!("bundle {}", b.code), &b.name_en);
        }
        for i in &c.items {
            check(format!("item {}", i.code), &i.name_en);
            for m in &i.materials {
                check(format!("material {} of {}", m.code, i.code), &m.name_en);
            }
            for f in &i.form.fields {
                check(format!("field {} of {}", f.key, i.code), &f.label_en);
                if let hall_api::form::FieldKind::Select { options } = &f.kind {
                    for o in options {
                        check(
                            format!("option {}.{} of {}", f.key, o.value, i.code),
                            &o.label_en,
                        );
                    }
                }
            }
        }
        assert!(missing.is_empty(), "{missing:#?}");
        assert_eq!((c.items.len(), c.bundles.len()), (69, 22));
        let renewal = c.item("QR-000172-001").and_then(|i| i.name_en.as_deref());
        assert_eq!(renewal, Some("ID card renewal"));
    }
}
