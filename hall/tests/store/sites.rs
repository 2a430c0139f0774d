//! Sites and the due-soon sweep on both backends.

use chrono::{NaiveDate, Utc};
use hall::notify::due_soon::DueSoonStore;
use hall::notify::queue::{NewNotice, NoticeStore};
use hall::sites::{Level, Rule, Site, SiteStore};
use hall::store::staff::{StaffMove, StaffMoved, StaffStore};
use hall::store::{Store, Written};
use hall_api::application::{Status, TimelineEntry};

fn site(code: &str, level: Level, parent: Option<&str>) -> Site {
    Site {
        code: code.into(),
        name: format!("站点 {code}"),
        level,
        parent: parent.map(str::to_owned),
    }
}

on_both!(sites_rules_and_kiosk_sites, store => {
    assert!(store.add_site(site("330100", Level::County, None)).await.unwrap());
    assert!(store.add_site(site("330100-01", Level::Township, Some("330100"))).await.unwrap());
    assert!(!store.add_site(site("330100-01", Level::Village, None)).await.unwrap(), "exists");
    assert!(store.site_map("k1").await.unwrap().sites.is_empty(), "no rules: nothing to map");
    store.set_site_rules("330100-01", Rule::Hide, vec!["A".into(), "B".into()], false).await.unwrap();
    store.set_site_rules("330100-01", Rule::Hide, vec!["C".into(), "B".into()], false).await.unwrap();
    store.set_site_rules("330100", Rule::Only, vec!["A".into()], false).await.unwrap();
    let hidden = |rules: &[hall::sites::SiteRule]| -> Vec<String> {
        rules.iter().filter(|r| r.rule == Rule::Hide).map(|r| r.item.clone()).collect()
    };
    assert_eq!(hidden(&store.site_rules().await.unwrap()), ["A", "B", "C"]);
    store.set_site_rules("330100-01", Rule::Hide, vec!["D".into()], true).await.unwrap();
    assert_eq!(hidden(&store.site_rules().await.unwrap()), ["D"]);
    store.set_kiosk_site("k1", "330100").await.unwrap();
    store.set_kiosk_site("k1", "330100-01").await.unwrap();
    assert_eq!(store.kiosk_sites().await.unwrap(), [("k1".to_owned(), "330100-01".to_owned())]);
    let map = store.site_map("k1").await.unwrap();
    assert_eq!((map.sites.len(), map.rules.len(), map.kiosk_site.as_deref()), (2, 2, Some("330100-01")));
    assert_eq!(store.site_map("k2").await.unwrap().kiosk_site, None);
    assert!(store.set_kiosk_site("k3", "nowhere").await.is_err(), "the site must exist");
    store.clear_site_rules("330100-01").await.unwrap();
    assert_eq!(store.site_rules().await.unwrap().len(), 1);
});

on_both!(a_due_soon_notice_is_told_once, store => {
    store.create_application(crate::store::app("key-1", "a1", "T-1")).await.unwrap();
    store.create_application(crate::store::app("key-2", "a2", "T-2")).await.unwrap();
    let due = NaiveDate::from_ymd_opt(2024, 6, 3).unwrap();
    let accepted = StaffMove {
        application_id: "a1".into(),
        seen_version: 1,
        entry: TimelineEntry { status: Status::Accepted, at: Utc::now(), note: None },
        staff: "wang".into(),
        sealed_detail: None,
        due_on: Some(due),
        handler: None,
    };
    assert!(matches!(store.staff_move(accepted).await.unwrap(), StaffMoved::Done(_)));
    let window = |from: u32, to: u32| {
        (NaiveDate::from_ymd_opt(2024, 6, from).unwrap(), NaiveDate::from_ymd_opt(2024, 6, to).unwrap())
    };
    let (from, to) = window(1, 3);
    let open = vec![Status::Accepted, Status::Processing];
    let found = store.due_soon_untold(open.clone(), from, to, 10).await.unwrap();
    assert_eq!(found.iter().map(|c| (c.id.as_str(), c.due_on)).collect::<Vec<_>>(), [("a1", due)]);
    let (later, _) = window(4, 4);
    assert!(store.due_soon_untold(open.clone(), later, later, 10).await.unwrap().is_empty());
    assert!(store.due_soon_untold(vec![Status::Submitted], from, to, 10).await.unwrap().is_empty());
    let notice = |id: &str| NewNotice {
        id: id.into(),
        kind: hall::notify::EventKind::HelpRequested,
        created_at: Utc::now(),
        sealed: vec![1],
        targets: vec!["staff".into()],
    };
    assert!(store.tell_due_soon("a1", due, notice("d1")).await.unwrap());
    assert!(!store.tell_due_soon("a1", due, notice("d2")).await.unwrap(), "once per due date");
    assert_eq!(store.delivery_log(10).await.unwrap().len(), 1);
    assert!(store.due_soon_untold(open, from, to, 10).await.unwrap().is_empty());
});

on_both!(partners_are_registered_with_their_credential_and_removed_with_it, store => {
    use hall::partners::{Partner, PartnerLink, PartnerStore};
    use hall::store::{Principal, PrincipalKind};
    let partner = Partner {
        code: "420600".into(),
        name: "湖北省襄阳市".into(),
        name_en: "Xiangyang, Hubei".into(),
        url: "https://hall.xiangyang.example".into(),
        token_sealed: Some(vec![1, 2]),
        created_at: Utc::now(),
    };
    let principal = Principal {
        id: "420600".into(),
        kind: PrincipalKind::Partner,
        label: "湖北省襄阳市".into(),
        secret_hash: [6; 32],
    };
    let (catalog, credentials) = store.generations().await.unwrap();
    store.put_partner(partner.clone(), Some(principal)).await.unwrap();
    assert_eq!(store.generations().await.unwrap(), (catalog + 1, credentials + 1));
    let mut renamed = partner.clone();
    renamed.name_en = "Xiangyang".into();
    renamed.token_sealed = None;
    store.put_partner(renamed, None).await.unwrap();
    let got = store.partner("420600").await.unwrap().unwrap();
    assert_eq!((got.name_en.as_str(), got.token_sealed.as_deref()), ("Xiangyang", Some(&[1u8, 2][..])), "the token is kept");
    assert!(store.set_partner_token("420600", vec![3]).await.unwrap());
    assert!(!store.set_partner_token("000000", vec![3]).await.unwrap());
    assert_eq!(store.partners().await.unwrap().len(), 1);
    assert!(store.principal(PrincipalKind::Partner, "420600").await.unwrap().is_some());
    let mut received = crate::store::app("key-r", "r1", "T-R");
    received.partner = Some(PartnerLink::ReceivedFrom {
        place: hall_api::catalog::PartnerPlace { code: "420600".into(), name: "湖北省襄阳市".into(), name_en: "Xiangyang".into() },
        origin_id: "their-9".into(),
        origin_tracking_code: "X-9".into(),
    });
    let Written::Created(rec) = store.create_application(received).await.unwrap() else { panic!("created") };
    assert!(rec.timeline[0].note.as_deref().unwrap().contains("X-9"));
    assert_eq!(rec.handled_by, None, "received, not forwarded");
    let found = store.received_from("420600", vec!["nope".into(), "their-9".into()]).await.unwrap();
    assert_eq!(found, [("their-9".to_owned(), "r1".to_owned())]);
    assert!(store.remove_partner("420600").await.unwrap());
    assert!(store.partner("420600").await.unwrap().is_none());
    assert!(store.principal(PrincipalKind::Partner, "420600").await.unwrap().is_none(), "its credential is revoked");
    assert!(!store.remove_partner("420600").await.unwrap());
});
