//! 户籍证明开具 with the household register photographed at the kiosk (issue 19), against
//! the real kiosk service and the real hall on loopback: the simulated document camera
//! (`[devices.camera] device = "sim"`: photos of a sample register page, sent as YUYV frames
//! through the real camera effect executor, the page pipeline and the PDF writer; no V4L2
//! device exists on the build machine) and a real IPP printer (`ippeveprinter`, CUPS's IPP
//! Everywhere printer) keeping the PDFs it receives. Three pages taken, the material made
//! into one PDF and uploaded; the hall holds the application with its PDF attachment and
//! nothing owed; the receipt asks for nothing; the A4 一次性告知 checklist and the A4 受理回执
//! arrive at the printer with the right text and a decodable QR code. Then 自助打印: staff
//! conclude the application (the staff API) and a reviewer attaches the 户籍证明 in the
//! workbench (its upload form, signed in over HTTP); the applicant's card lists it and the
//! kiosk prints it on A4; another citizen's card finds nothing, and the one allowed copy is
//! not printed twice.

use std::path::Path;
use std::time::Duration;

use kiosk_drivers::a4printer::stand_in::{StandInConfig, StandInPrinter};
use kiosk_e2e::hall_db;
use kiosk_e2e::kiosk::{KioskOptions, Rig};
use kiosk_e2e::receipt::{printed_texts, query_param};
use kiosk_e2e::staff_web::StaffWeb;
use kiosk_e2e::{eventually, Hall};

const LONG: Duration = Duration::from_secs(60);
/// A page through the page pipeline in a debug build (a few seconds; generous on a busy
/// machine).
const PAGE: Duration = Duration::from_secs(180);

const ITEM: &str = "QR-000173-011";

fn run(program: &str, args: &[&std::ffi::OsStr]) -> String {
    let o = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} (poppler-utils): {e}"));
    assert!(
        o.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A printed PDF's text (pdftotext -layout: a key and its value on one line) and the QR codes on its first page (pdftoppm, rqrr).
fn read_pdf(pdf: &Path) -> (String, Vec<String>) {
    let text = run(
        "pdftotext",
        &["-layout".as_ref(), pdf.as_os_str(), "-".as_ref()],
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let base = dir.path().join("page");
    run(
        "pdftoppm",
        &[
            "-gray".as_ref(),
            "-png".as_ref(),
            "-r".as_ref(),
            "120".as_ref(),
            "-singlefile".as_ref(),
            pdf.as_os_str(),
            base.as_os_str(),
        ],
    );
    let codes = kiosk_e2e::receipt::decode_qr(&base.with_extension("png"));
    (text, codes)
}

/// The printer's documents read back, once there are at least `n`.
fn printed(printer: &StandInPrinter, n: usize) -> Vec<(String, Vec<String>)> {
    let docs = eventually(LONG, || {
        let docs = printer.documents();
        (docs.len() >= n).then_some(docs)
    })
    .unwrap_or_else(|| panic!("fewer than {n} documents reached the IPP printer"));
    // KIOSK_A4_RENDER_DIR keeps the printed PDFs to look at.
    if let Some(keep) = std::env::var_os("KIOSK_A4_RENDER_DIR") {
        let keep = std::path::PathBuf::from(keep);
        std::fs::create_dir_all(&keep).expect("the render folder");
        for (i, d) in docs.iter().enumerate() {
            std::fs::copy(d, keep.join(format!("materials-e2e-{i}.pdf"))).expect("copy a PDF");
        }
    }
    docs.iter().map(|d| read_pdf(d)).collect()
}

/// A list of words in what `session show` says (`materials`, `prints`).
fn words(s: &serde_json::Value, key: &str) -> Vec<String> {
    s[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn materials(s: &serde_json::Value) -> Vec<String> {
    words(s, "materials")
}

/// What `session show` says of 自助打印.
fn prints(s: &serde_json::Value) -> Vec<String> {
    words(s, "prints")
}

/// A result document as staff would upload it: a PDF with extractable text.
fn result_pdf(title: &str, tracking_code: &str) -> Vec<u8> {
    let mut r = kiosk_drivers::printer::Receipt::new();
    r.title(title);
    r.key_value("办件编号", tracking_code);
    r.text("兹证明该居民户籍登记信息属实。");
    kiosk_drivers::a4printer::pdf::render(&r, title).expect("the PDF renders")
}

/// Staff move the application along the staff API (`clerk`'s credential).
fn move_to(hall: &str, staff: &str, id: &str, to: &str, note: Option<&str>) {
    let status = reqwest::blocking::Client::new()
        .post(format!("{hall}/api/v1/applications/{id}/status"))
        .bearer_auth(staff)
        .json(&serde_json::json!({"to": to, "note": note}))
        .send()
        .expect("the staff API answers")
        .status();
    assert!(status.is_success(), "moving to {to}: {status}");
}

/// The citizen walks away and the next one opens 自助打印 with their card.
fn self_print_with(rig: &Rig, card: &str) -> serde_json::Value {
    rig.sim("card remove");
    rig.press("home");
    rig.wait_show(LONG, "the session wiped", |s| {
        s["screen"] == "home" && s["holdsPersonalData"] == false
    });
    let s = rig.press("self-print");
    assert_eq!(prints(&s), ["waiting"], "{s:#}");
    rig.sim(&format!("card place {card}"));
    rig.wait_show(LONG, "the hall's answer", |s| {
        let p = prints(s);
        !p.is_empty() && p[0] != "waiting" && p[0] != "loading"
    })
}

#[test]
fn the_household_register_photographed_reaches_the_hall_and_nothing_is_owed() {
    let spool = tempfile::tempdir().expect("temp dir");
    let printer =
        StandInPrinter::start(spool.path(), StandInConfig::default()).expect("ippeveprinter");
    let mut rig = Rig::start(&KioskOptions {
        extra_config: format!(
            "\n[devices.camera]\nenabled = true\ndevice = \"sim\"\n\n\
             [devices.a4printer]\nenabled = true\nuri = \"{}\"\n",
            printer.uri()
        ),
        ..KioskOptions::default()
    });
    let staff = Hall::credential(&rig.hall_db, "staff", "clerk");
    rig.sim("card place resident-zhang-san");
    rig.wait_show(
        LONG,
        "the card read, the camera and the A4 printer up",
        |s| !s["citizen"].is_null() && s["camera"] == true && s["a4printer"] == true,
    );

    // The 一次性告知 checklist on A4.
    let s = rig.press(&format!("item {ITEM}"));
    assert_eq!(s["subject"], "户籍证明开具", "{s:#}");
    rig.press("print-guide");
    let guide = printed(&printer, 1);
    assert!(guide[0].0.contains("户籍证明开具"), "{}", guide[0].0);
    assert!(
        guide[0]
            .0
            .contains("居民户口簿（原件1份，复印件1份，必交，可在自助机上拍照提交）"),
        "{}",
        guide[0].0
    );

    rig.press("start-form");
    rig.press("field phone 13800138000");
    rig.press("field purpose 子女入学");
    let s = rig.press("field declaration true");
    assert_eq!(s["fieldErrors"], serde_json::json!([]), "{s:#}");
    let s = rig.press("next");
    assert_eq!(s["screen"], "materials", "{s:#}");
    assert!(
        materials(&s).contains(&"sfz idCardRead".to_owned()),
        "the card read counts: {s:#}"
    );

    // Three pages of the register, through the real camera executor and page pipeline.
    let s = rig.press("material hukoubu scanned");
    assert_eq!(s["capture"], "hukoubu 0 pages", "{s:#}");
    for n in 1..=3 {
        rig.press("take-page");
        let want = format!("hukoubu {n} pages");
        rig.wait_show(PAGE, &format!("page {n}"), |s| {
            s["capture"] == want.as_str()
        });
    }
    rig.press("finish-material");
    let s = rig.wait_show(PAGE, "the material's PDF", |s| s["capture"].is_null());
    let mats = materials(&s);
    assert!(mats.contains(&"hukoubu scanned 3".to_owned()), "{s:#}");
    assert!(
        mats.iter().all(|m| !m.contains(" later")),
        "nothing left to hand in: {mats:?}"
    );

    let mut s = rig.press("next");
    while s["screen"] != "review" {
        assert_ne!(s["screen"], "materials", "{s:#}");
        s = rig.press("next");
    }
    rig.press("submit");
    let s = rig.wait_show(PAGE, "the delivered receipt", |s| {
        s["screen"] == "receipt" && s["submission"] == "delivered"
    });
    let code = s["trackingCode"]
        .as_str()
        .expect("a tracking code")
        .to_owned();

    // The hall holds the application with the register's PDF, and nothing owed.
    let stored = hall_db::applications(&rig.hall_db);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].tracking_code, code);
    let details = hall_db::application_details(&rig.hall_url(), &staff, &stored[0].id);
    let handed = details["materials"].as_array().expect("materials").clone();
    assert!(!handed.is_empty(), "{details:#}");
    for m in &handed {
        assert_ne!(m["source"], "later", "nothing owed: {details:#}");
    }
    let register = handed
        .iter()
        .find(|m| m["code"] == "hukoubu")
        .unwrap_or_else(|| panic!("the register: {details:#}"));
    assert_eq!(register["source"], "scanned", "{details:#}");
    assert_eq!(register["pages"], 3, "{details:#}");
    let conn = rusqlite::Connection::open(&rig.hall_db).expect("hall db");
    let (files, complete): (i64, i64) = conn
        .query_row(
            "SELECT COUNT(*), COALESCE(SUM(a.complete), 0) FROM application_attachments l \
             JOIN attachments a ON a.id = l.attachment_id \
             WHERE l.application_id = ?1 AND l.material_code = 'hukoubu' AND a.kind = 'pdf'",
            [&stored[0].id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the application's attachments");
    assert_eq!((files, complete), (1, 1), "one whole PDF of the register");

    // The receipt roll asks for nothing.
    let receipts = eventually(LONG, || {
        let t = printed_texts(&rig.receipts_dir());
        t.iter().any(|r| r.contains(code.as_str())).then_some(t)
    })
    .expect("the receipt on the roll");
    assert!(
        receipts.iter().all(|r| !r.contains("请补交")),
        "{receipts:?}"
    );

    // The A4 受理回执: the tracking code in text and in a QR code; nothing to hand in.
    let docs = printed(&printer, 2);
    let (text, codes) = docs
        .iter()
        .find(|(t, _)| t.contains(code.as_str()))
        .unwrap_or_else(|| panic!("no A4 receipt with {code}: {docs:?}"));
    assert!(text.contains("受理回执"), "{text}");
    let flat: String = text.split_whitespace().collect();
    assert!(
        flat.contains("已收材料：居民身份证（读卡）、居民户口簿（拍照3页）"),
        "what the hall received: {text}"
    );
    assert!(text.contains("户籍证明开具"), "{text}");
    assert!(!text.contains("请补交"), "{text}");
    assert!(
        codes
            .iter()
            .any(|c| query_param(c, "c").as_deref() == Some(code.as_str())),
        "the A4 receipt's QR code carries {code}: {codes:?}"
    );

    // 办结: staff move it on, and the 公安 reviewer attaches the certificate in the workbench.
    let id = stored[0].id.clone();
    let hall = rig.hall_url();
    let hall = hall.trim_end_matches('/');
    for to in ["accepted", "processing"] {
        move_to(hall, &staff, &id, to, None);
    }
    move_to(
        hall,
        &staff,
        &id,
        "concluded",
        Some("可在自助机打印户籍证明"),
    );
    let reviewer =
        StaffWeb::sign_in_new(hall, &rig.hall_db, "reviewer-wang", "reviewer", &["gongan"]);
    let (status, page) = reviewer.attach_result(&id, "户籍证明", 1, &result_pdf("户籍证明", &code));
    assert!(
        status.is_success() || status.is_redirection(),
        "{status}: {page}"
    );

    // Another citizen's card: nothing to print.
    let s = self_print_with(&rig, "resident-li-xiuying");
    assert_eq!(prints(&s), ["problem NoDocuments"], "{s:#}");

    // The applicant's card: the certificate, one copy, printed on A4.
    let s = self_print_with(&rig, "resident-zhang-san");
    let listed = prints(&s);
    assert_eq!(listed.len(), 2, "{s:#}");
    assert_eq!(listed[0], "list", "{s:#}");
    let (doc, copies) = listed[1].split_once(' ').expect("ID COPIES");
    assert_eq!(copies, "1", "{s:#}");
    rig.press(&format!("print-document {doc}"));
    let s = rig.wait_show(LONG, "printed", |s| {
        let p = prints(s);
        p.first().is_some_and(|p| !p.starts_with("printing"))
    });
    if prints(&s) != ["printed"] {
        let log = rig.kiosk.as_mut().map(|k| k.log_so_far().join("\n"));
        let printer_log =
            std::fs::read_to_string(spool.path().join("ippeveprinter.log")).unwrap_or_default();
        panic!(
            "not printed: {s:#}\nkiosk log:\n{}\nippeveprinter log (end):\n{}",
            log.unwrap_or_default(),
            printer_log
                .lines()
                .rev()
                .take(40)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    let docs = printed(&printer, 3);
    let (text, _) = docs
        .iter()
        .find(|(t, _)| t.contains("兹证明"))
        .unwrap_or_else(|| panic!("the certificate reached the IPP printer: {docs:?}"));
    assert!(
        text.contains("户籍证明") && text.contains(code.as_str()),
        "{text}"
    );

    // The one copy is used: the applicant's card now finds nothing more.
    let s = self_print_with(&rig, "resident-zhang-san");
    assert_eq!(prints(&s), ["problem NoDocuments"], "{s:#}");
    assert_eq!(printer.documents().len(), 3, "nothing printed twice");
}
