//! Materials photographed with the document camera: pages taken, retaken and finished into
//! one PDF; the material then `scanned`, sent with its hash and never owed; the pages held
//! for the session only; 已有材料 offered with the hall's uploads.

use hall_api::application::{MaterialSource, ReusableMaterial, ReusableMaterials};
use kiosk_drivers::status::DeviceClass;

use super::support::*;
use crate::session::capture::{CaptureProblem, CaptureWait, DocBytes, ScannedDoc};
use crate::session::transaction::ReuseLookup;
use crate::session::{Effect, Event, RequestId, Screen, SubmitOutcome, UiInput};

/// The household register: photographable in the test catalog.
const HUKOU: &str = "hukou";
/// The digital photo receipt: not photographable.
const PHOTO: &str = "photo-receipt";

/// A page as the pipeline would write it (the session only looks at its size).
fn page(n: u8) -> DocBytes {
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    jpeg.extend(std::iter::repeat_n(n, 40 * 1024));
    DocBytes::new(jpeg)
}

fn doc(pages: u32) -> ScannedDoc {
    ScannedDoc {
        pdf: DocBytes::new(b"%PDF-1.5 three pages".to_vec()),
        sha256: "ab".repeat(32),
        pages,
    }
}

/// On the materials screen of the ID-card item, the hall holding nothing.
fn at_materials() -> Kiosk {
    let mut k = Kiosk::at_form(ITEM, false);
    fill_item_form(&mut k);
    let request = match k.s.transaction.as_ref().map(|t| t.reuse) {
        Some(ReuseLookup::Pending(r)) => r,
        other => panic!("no reuse lookup: {other:?}"),
    };
    k.ev(Event::ReusableMaterialsFetched {
        request,
        result: Some(ReusableMaterials {
            materials: Vec::new(),
            documents: Vec::new(),
        }),
    });
    k.ui(UiInput::Next);
    assert_eq!(k.screen(), "materials");
    k
}

fn photograph(k: &mut Kiosk, code: &str) {
    k.ui(UiInput::SetMaterialSource {
        code: code.into(),
        source: MaterialSource::Scanned,
    });
}

fn waiting(k: &Kiosk) -> Option<CaptureWait> {
    k.s.transaction.as_ref()?.capture.as_ref()?.waiting
}

fn problem(k: &Kiosk) -> Option<CaptureProblem> {
    k.s.transaction.as_ref()?.capture.as_ref()?.problem
}

/// Presses `input` and answers the camera's `TakePage` with `result`.
fn take(k: &mut Kiosk, input: UiInput, result: Result<DocBytes, CaptureProblem>) {
    let fx = k.ui(input);
    let request = fx
        .iter()
        .find_map(|e| match e {
            Effect::TakePage { request } => Some(*request),
            _ => None,
        })
        .expect("the camera is asked for a page");
    k.ev(Event::PageTaken { request, result });
}

fn pages(k: &Kiosk) -> Vec<DocBytes> {
    k.s.transaction
        .as_ref()
        .and_then(|t| t.capture.as_ref())
        .map(|c| c.pages.clone())
        .unwrap_or_default()
}

/// Photographs the household register in three pages (the second retaken) and finishes it.
fn three_pages(k: &mut Kiosk) -> Vec<DocBytes> {
    photograph(k, HUKOU);
    take(k, UiInput::TakePage, Ok(page(1)));
    take(k, UiInput::TakePage, Ok(page(2)));
    take(k, UiInput::RetakePage, Ok(page(22)));
    take(k, UiInput::TakePage, Ok(page(3)));
    let taken = pages(k);
    assert_eq!(
        taken,
        [page(1), page(22), page(3)],
        "the retake replaced page 2"
    );
    let fx = k.ui(UiInput::FinishMaterial);
    let Some(Effect::AssembleMaterial {
        request,
        code,
        pages: sent,
    }) = fx.into_iter().next()
    else {
        panic!("完成 makes the PDF");
    };
    assert_eq!(code, HUKOU);
    assert_eq!(sent, taken, "the pages in order");
    k.ev(Event::MaterialAssembled {
        request,
        result: Ok(doc(3)),
    });
    taken
}

#[test]
fn a_photographed_material_is_sent_scanned_with_its_pdf_and_never_owed() {
    let mut k = at_materials();
    three_pages(&mut k);
    let t = k.s.transaction.as_ref().unwrap();
    assert!(t.capture.is_none(), "the camera screen closed");
    let line = t
        .materials
        .iter()
        .find(|l| l.material.code == HUKOU)
        .unwrap();
    assert_eq!(line.source, MaterialSource::Scanned);
    k.ui(UiInput::Next);
    k.ui(UiInput::ChooseMail(false));
    k.ui(UiInput::Next);
    assert_eq!(k.screen(), "review");
    let fx = k.ui(UiInput::Submit);
    let Some(Effect::Submit {
        idempotency_key,
        payload,
        attachments,
    }) = fx.into_iter().find(|e| matches!(e, Effect::Submit { .. }))
    else {
        panic!("submitted");
    };
    let hukou = payload.materials.iter().find(|m| m.code == HUKOU).unwrap();
    assert_eq!(hukou.source, MaterialSource::Scanned);
    assert_eq!(hukou.pages, 3);
    assert_eq!(hukou.attachments, vec!["ab".repeat(32)]);
    assert_eq!(
        attachments,
        vec![doc(3)],
        "the PDF goes with the application"
    );
    let photo = payload.materials.iter().find(|m| m.code == PHOTO).unwrap();
    assert_eq!(photo.source, MaterialSource::Later);
    assert!(photo.attachments.is_empty());

    k.ev(Event::SubmitResult {
        key: idempotency_key,
        outcome: SubmitOutcome::Delivered(receipt(hall_api::application::Subject::Item(
            ITEM.into(),
        ))),
    });
    let receipt = k.s.receipt_doc().expect("a receipt");
    let owed = receipt
        .lines
        .iter()
        .find(|l| l.starts_with("请补交材料"))
        .expect("the photo receipt is still owed");
    assert!(!owed.contains("居民户口簿"), "{owed}");
    assert!(owed.contains("数码照片回执"), "{owed}");
}

#[test]
fn only_photographable_materials_open_the_camera_and_a_missing_sheet_is_retaken() {
    let mut k = at_materials();
    photograph(&mut k, PHOTO);
    assert!(k.s.transaction.as_ref().unwrap().capture.is_none());
    photograph(&mut k, "old-id");
    assert!(
        k.s.transaction.as_ref().unwrap().capture.is_none(),
        "the card gives it"
    );

    photograph(&mut k, HUKOU);
    take(&mut k, UiInput::TakePage, Err(CaptureProblem::NoSheet));
    assert_eq!(problem(&k), Some(CaptureProblem::NoSheet));
    assert!(pages(&k).is_empty());
    // A second tap while a page is being taken asks nothing more.
    let fx = k.ui(UiInput::TakePage);
    assert_eq!(fx.len(), 1);
    assert!(k.ui(UiInput::TakePage).is_empty(), "one page at a time");
    let Some(CaptureWait::Page { request, .. }) = waiting(&k) else {
        panic!("waiting for the page");
    };
    // An answer to another request is ignored.
    k.ev(Event::PageTaken {
        request: RequestId(request.0 + 100),
        result: Ok(page(9)),
    });
    assert!(pages(&k).is_empty());
    k.ev(Event::PageTaken {
        request,
        result: Ok(page(1)),
    });
    assert_eq!(pages(&k), [page(1)]);
    assert_eq!(problem(&k), None);
    // Nothing to finish without a page, and no leaving for the next screen mid-capture.
    k.ui(UiInput::Next);
    assert_eq!(k.screen(), "materials");

    k.ev(Event::DeviceChanged {
        device: DeviceClass::Camera,
        available: false,
    });
    assert_eq!(problem(&k), Some(CaptureProblem::CameraUnavailable));
    assert!(k.ui(UiInput::TakePage).is_empty(), "no camera, no request");

    // 返回 drops the pages; the material stays owed.
    k.ui(UiInput::Back);
    let t = k.s.transaction.as_ref().unwrap();
    assert!(t.capture.is_none());
    assert_eq!(k.screen(), "materials");
    let line = t
        .materials
        .iter()
        .find(|l| l.material.code == HUKOU)
        .unwrap();
    assert_eq!(line.source, MaterialSource::Later);
}

#[test]
fn too_many_pages_for_one_material_are_refused_before_they_are_taken() {
    let mut k = at_materials();
    photograph(&mut k, HUKOU);
    let big = |n: u8| DocBytes::new(vec![n; 299 * 1024]);
    let mut n = 0u8;
    while problem(&k).is_none() {
        n += 1;
        assert!(n < 40, "a limit must stop the pages");
        let fx = k.ui(UiInput::TakePage);
        if let Some(Effect::TakePage { request }) = fx.first() {
            k.ev(Event::PageTaken {
                request: *request,
                result: Ok(big(n)),
            });
        }
    }
    assert_eq!(problem(&k), Some(CaptureProblem::TooManyPages));
    let total: usize = pages(&k).iter().map(DocBytes::len).sum();
    assert!(total as u64 <= hall_api::attachment::MAX_ATTACHMENT_BYTES);
    assert!(pages(&k).len() >= 25, "{} pages", pages(&k).len());
    // A page over the per-page limit is not kept.
    let fx = k.ui(UiInput::RetakePage);
    if let Some(Effect::TakePage { request }) = fx.first() {
        k.ev(Event::PageTaken {
            request: *request,
            result: Ok(DocBytes::new(vec![1; 301 * 1024])),
        });
    }
    assert_eq!(problem(&k), Some(CaptureProblem::Unreadable));
}

#[test]
fn pages_live_for_the_session_only() {
    // Timed out mid-capture.
    let mut k = at_materials();
    photograph(&mut k, HUKOU);
    let first = page(1);
    let watch = first.watch();
    take(&mut k, UiInput::TakePage, Ok(first));
    assert!(watch.upgrade().is_some(), "held while the session runs");
    k.wait(IDLE + COUNTDOWN);
    assert_eq!(k.s.screen, Screen::Home);
    assert!(k.log.contains(&Effect::WipePersonalData));
    assert!(
        watch.upgrade().is_none(),
        "the page's bytes were dropped (and zeroed) with the session"
    );

    // Finished, submitted, and the citizen done.
    let mut k = at_materials();
    let taken = three_pages(&mut k);
    let watches: Vec<_> = taken.iter().map(DocBytes::watch).collect();
    drop(taken);
    let pdf_watch = k.s.transaction.as_ref().unwrap().materials[0]
        .scan
        .as_ref()
        .map(|d| d.pdf.watch());
    k.ui(UiInput::Next);
    k.ui(UiInput::Next);
    k.ui(UiInput::Submit);
    let key = submitted_key(&k);
    k.ev(Event::SubmitResult {
        key,
        outcome: SubmitOutcome::Queued,
    });
    k.ui(UiInput::Done);
    k.ui(UiInput::Done);
    assert_eq!(k.s.screen, Screen::Home);
    // The effects were carried out by now: the service holds no copy of its own.
    k.log.clear();
    for w in &watches {
        assert!(w.upgrade().is_none(), "a page outlived the session");
    }
    let pdf_watch = pdf_watch.expect("the register's PDF");
    assert!(
        pdf_watch.upgrade().is_none(),
        "the PDF outlived the session"
    );
}

#[test]
fn materials_the_hall_holds_are_offered_with_their_uploads() {
    let mut k = Kiosk::at_form(ITEM, false);
    fill_item_form(&mut k);
    let request = match k.s.transaction.as_ref().map(|t| t.reuse) {
        Some(ReuseLookup::Pending(r)) => r,
        other => panic!("{other:?}"),
    };
    let held = |valid_secs: i64| ReusableMaterial {
        code: HUKOU.into(),
        name: "居民户口簿".into(),
        handed_in_at: at(0).utc,
        attachments: vec!["cd".repeat(32), "not a hash".into()],
        valid_until: Some(at(0).utc + chrono::Duration::seconds(valid_secs)),
    };
    k.ev(Event::ReusableMaterialsFetched {
        request,
        result: Some(ReusableMaterials {
            materials: vec![held(3600)],
            documents: Vec::new(),
        }),
    });
    let t = k.s.transaction.as_ref().unwrap();
    let line = t
        .materials
        .iter()
        .find(|l| l.material.code == HUKOU)
        .unwrap();
    assert!(line.held);
    assert_eq!(line.source, MaterialSource::Reused, "not asked again");
    let payload = t.payload(k.s.citizen.as_ref().unwrap(), &at(1));
    let m = payload.materials.iter().find(|m| m.code == HUKOU).unwrap();
    assert_eq!(m.source, MaterialSource::Reused);
    assert_eq!(m.attachments, vec!["cd".repeat(32)], "only real hashes");

    // Expired uploads are not offered.
    let mut t2 = k.s.transaction.clone().unwrap();
    t2.materials
        .iter_mut()
        .for_each(|l| l.source = MaterialSource::Later);
    t2.apply_reusable(&[held(-1)], at(0).utc);
    let line = t2
        .materials
        .iter()
        .find(|l| l.material.code == HUKOU)
        .unwrap();
    assert!(!line.held);
    assert_eq!(line.source, MaterialSource::Later);
}

#[test]
fn a_material_over_the_halls_limits_goes_back_to_the_materials_screen() {
    let mut k = at_materials();
    three_pages(&mut k);
    k.ui(UiInput::Next);
    k.ui(UiInput::Next);
    k.ui(UiInput::Submit);
    let key = submitted_key(&k);
    k.ev(Event::SubmitResult {
        key,
        outcome: SubmitOutcome::Refused(vec![hall_api::form::FieldError {
            field: format!("materials.{HUKOU}"),
            code: hall_api::form::FieldErrorCode::TooLong,
            message: "材料文件过大".into(),
        }]),
    });
    assert_eq!(k.screen(), "materials");
    let t = k.s.transaction.as_ref().unwrap();
    assert!(t.errors.contains_key("materials.hukou"));
    assert!(
        t.submission.is_none(),
        "a corrected application gets a new key"
    );
}
