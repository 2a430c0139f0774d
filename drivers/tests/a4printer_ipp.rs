//! The A4 printer driver against a real IPP Everywhere printer: CUPS's `ippeveprinter` on
//! loopback (cups-ipp-utils), keeping the jobs it receives. The PDFs it got are read back
//! with poppler's `pdftotext`, `pdffonts` and `pdftoppm` (poppler-utils), and the QR code on
//! the rendered page is decoded. Paper, toner, a cover and the network are changed on the
//! printer itself: its tray and supply forms, a print engine command that reports
//! `cover-open`, and stopping the process.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use kiosk_drivers::a4printer::pdf::render;
use kiosk_drivers::a4printer::stand_in::{StandInConfig, StandInPrinter};
use kiosk_drivers::a4printer::{A4Error, A4Printer, JobWait};
use kiosk_drivers::printer::Receipt;
use kiosk_drivers::status::{DeviceState, PaperState};
use kiosk_drivers::ErrorKind;

const RECEIPT_URL: &str = "https://hall.example/p?c=BJ2026-000123&v=k7Q2xZ";

fn quick() -> JobWait {
    JobWait {
        poll: Duration::from_millis(100),
        give_up_after: Duration::from_secs(60),
    }
}

fn receipt() -> Receipt {
    let mut r = Receipt::new();
    r.header("某某县政务服务中心");
    r.title("受理回执");
    r.separator();
    r.key_value("事项", "户籍证明开具");
    r.key_value("申请人", "李*英");
    r.key_value("证件号码", "3301**********1234");
    r.key_value("办件编号", "BJ2026-000123");
    r.list(["居民身份证（已读取）", "居民户口簿（已拍照，3页）"], true);
    r.qr(RECEIPT_URL, Some("扫描二维码查询办理进度"));
    r.footer("自助终端 K-0001");
    r
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} must be installed (poppler-utils): {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn decode_qr(png_path: &Path) -> Vec<String> {
    let file = std::fs::File::open(png_path).expect("open rendered PNG");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[(y * w + x) * channels]);
    img.detect_grids()
        .iter()
        .map(|g| g.decode().expect("QR decodes").1)
        .collect()
}

fn started(dir: &Path, config: StandInConfig) -> (StandInPrinter, A4Printer) {
    let stand_in = StandInPrinter::start(dir, config).expect("ippeveprinter starts");
    let printer = A4Printer::new(&stand_in.uri()).expect("valid URI");
    (stand_in, printer)
}

#[test]
fn a_receipt_pdf_arrives_whole_with_its_text_fonts_and_qr_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (stand_in, printer) = started(dir.path(), StandInConfig::default());
    let (cond, report) = printer.condition().expect("printer answers");
    assert_eq!(cond.state, DeviceState::Online, "{report:?}");
    assert!(report.formats.iter().any(|f| f == "application/pdf"));
    assert_eq!(report.model.as_deref(), Some("Kiosk Stand-in A4"));

    let pdf = render(&receipt(), "受理回执").expect("PDF renders");
    assert!(
        pdf.len() < 200_000,
        "the font is subset: {} bytes",
        pdf.len()
    );
    let job = printer
        .print_pdf(pdf.clone(), "受理回执", quick())
        .expect("job completes");
    assert!(job.job_id > 0);

    let docs = stand_in.documents();
    assert_eq!(docs.len(), 1, "{docs:?}");
    assert_eq!(
        std::fs::read(&docs[0]).expect("spooled PDF"),
        pdf,
        "byte for byte"
    );
    let path = docs[0].to_str().expect("UTF-8 path");

    let text = run("pdftotext", &["-layout", path, "-"]);
    for expected in [
        "某某县政务服务中心",
        "受理回执",
        "户籍证明开具",
        "李*英",
        "3301**********1234",
        "BJ2026-000123",
        "居民户口簿（已拍照，3页）",
        "扫描二维码查询办理进度",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    let fonts = run("pdffonts", &[path]);
    let face = fonts
        .lines()
        .find(|l| l.contains("Noto") || l.contains("CJK"))
        .unwrap_or_else(|| panic!("the CJK face is embedded: {fonts}"));
    // Columns: name type encoding emb sub uni object ID.
    let cols: Vec<&str> = face.split_whitespace().collect();
    let flags = &cols[cols.len() - 5..cols.len() - 2];
    assert_eq!(
        flags,
        ["yes", "yes", "yes"],
        "embedded, subset, unicode: {face}"
    );

    // KIOSK_A4_RENDER_DIR keeps the rendered page for a person to look at.
    let keep = std::env::var_os("KIOSK_A4_RENDER_DIR").map(std::path::PathBuf::from);
    let png_base = keep.as_deref().unwrap_or(dir.path()).join("page");
    run(
        "pdftoppm",
        &[
            "-gray",
            "-png",
            "-r",
            "150",
            "-singlefile",
            path,
            png_base.to_str().expect("path"),
        ],
    );
    assert_eq!(
        decode_qr(&png_base.with_extension("png")),
        vec![RECEIPT_URL.to_owned()]
    );
}

#[test]
fn paper_and_toner_follow_the_printer_and_a_job_waits_for_paper() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (stand_in, printer) = started(dir.path(), StandInConfig::default());

    stand_in.load_paper(10).expect("tray form");
    stand_in.set_toner(5).expect("supply form");
    let (cond, _) = printer.condition().expect("printer answers");
    assert_eq!(cond.paper, PaperState::Low);
    assert!(cond.toner_low);
    assert_eq!(cond.state, DeviceState::Online, "low is still usable");

    stand_in.load_paper(0).expect("tray form");
    let (cond, _) = printer.condition().expect("printer answers");
    assert_eq!(cond.paper, PaperState::Out);
    assert_eq!(cond.state, DeviceState::UserError);
    assert!(cond.reasons.contains(&"media-empty".to_owned()));

    // A job sent now is held by the printer until paper is loaded.
    let pdf = render(&receipt(), "受理回执").expect("PDF renders");
    let job_id = printer.submit_pdf(pdf, "受理回执").expect("accepted");
    let stalled = printer
        .follow(
            job_id,
            JobWait {
                poll: Duration::from_millis(100),
                give_up_after: Duration::from_millis(800),
            },
        )
        .expect_err("no paper: the job cannot finish");
    assert!(
        matches!(&stalled, A4Error::JobStalled { printer_reasons, .. } if printer_reasons.contains("media-empty")),
        "{stalled}"
    );
    // Stalled for want of paper: the printer's reasons say so.
    assert_eq!(stalled.kind(), ErrorKind::PaperOut);

    stand_in.load_paper(250).expect("tray form");
    stand_in.set_toner(80).expect("supply form");
    let done = printer
        .follow(job_id, quick())
        .expect("prints once paper is in");
    assert_eq!(done.job_id, job_id);
    let (cond, _) = printer.condition().expect("printer answers");
    assert_eq!(
        (cond.state, cond.paper, cond.toner_low),
        (DeviceState::Online, PaperState::Full, false)
    );
    assert_eq!(stand_in.documents().len(), 1);
}

#[test]
fn a_stopped_printer_is_unreachable_and_comes_back_on_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut stand_in, printer) = started(dir.path(), StandInConfig::default());
    assert!(printer.condition().is_ok());

    stand_in.stop();
    let err = printer.condition().expect_err("nobody answers");
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert!(err.to_string().contains("unreachable"), "{err}");
    let pdf = render(&receipt(), "受理回执").expect("PDF renders");
    let err = printer
        .print_pdf(pdf.clone(), "受理回执", quick())
        .expect_err("cannot print");
    assert_eq!(err.kind(), ErrorKind::NotFound);

    stand_in.resume().expect("restarts on the same port");
    let (cond, _) = printer.condition().expect("answers again");
    assert_eq!(cond.state, DeviceState::Online);
    printer.print_pdf(pdf, "受理回执", quick()).expect("prints");
}

#[test]
fn an_open_cover_reported_by_the_engine_needs_a_person() {
    let dir = tempfile::tempdir().expect("temp dir");
    let engine = dir.path().join("engine.sh");
    std::fs::write(
        &engine,
        "#!/bin/sh\necho 'STATE: +cover-open' >&2\nexit 0\n",
    )
    .expect("script");
    let mut perms = std::fs::metadata(&engine).expect("script").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&engine, perms).expect("chmod");
    let (_stand_in, printer) = started(
        &dir.path().join("printer"),
        StandInConfig {
            command: Some(engine),
            ..StandInConfig::default()
        },
    );
    let pdf = render(&receipt(), "测试页").expect("PDF renders");
    printer
        .print_pdf(pdf, "测试页", quick())
        .expect("job completes");
    let (cond, _) = printer.condition().expect("printer answers");
    assert!(cond.cover_open, "{:?}", cond.reasons);
    assert_eq!(cond.state, DeviceState::UserError);
}

#[test]
fn a_printer_without_pdf_refuses_the_job_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_stand_in, printer) = started(
        dir.path(),
        StandInConfig {
            formats: "image/pwg-raster".to_owned(),
            ..StandInConfig::default()
        },
    );
    let pdf = render(&receipt(), "受理回执").expect("PDF renders");
    let err = printer.submit_pdf(pdf, "受理回执").expect_err("refused");
    assert!(matches!(err, A4Error::Refused { .. }), "{err}");
    assert!(err.to_string().contains("Print-Job"), "{err}");
}

#[test]
fn bad_uris_are_refused_before_anything_is_sent() {
    for uri in [
        "",
        "lpd://printer/queue",
        "ipps://printer/ipp/print",
        "ipp:///ipp/print",
    ] {
        let err = A4Printer::new(uri).expect_err(uri);
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{uri}: {err}");
        assert!(err.to_string().contains("ipp://"), "{err}");
    }
}

#[test]
fn a_printer_busy_with_another_job_is_asked_again_until_it_takes_the_next() {
    let dir = tempfile::tempdir().expect("temp dir");
    let stand_in =
        StandInPrinter::start(dir.path(), StandInConfig::default()).expect("ippeveprinter");
    let printer = A4Printer::new(&stand_in.uri()).expect("valid URI");
    let pdf = || render(&receipt(), "受理回执").expect("PDF renders");

    // Out of paper, the first job stays on the printer: it takes no other one meanwhile.
    stand_in.load_paper(0).expect("tray form");
    let first = printer.submit_pdf(pdf(), "办事指南").expect("accepted");
    let busy = printer
        .submit_pdf(pdf(), "受理回执")
        .expect_err("one job at a time");
    assert!(matches!(busy, A4Error::Busy { .. }), "{busy}");
    assert_eq!(busy.kind(), ErrorKind::Busy);

    // Still busy when the wait is over: said as such, nothing sent.
    let gave_up = printer
        .print_pdf(
            pdf(),
            "受理回执",
            JobWait {
                poll: Duration::from_millis(100),
                give_up_after: Duration::from_millis(600),
            },
        )
        .expect_err("the printer stays busy");
    assert!(
        matches!(gave_up, A4Error::Busy { waited_secs: 0, .. }),
        "{gave_up}"
    );

    // Paper comes while the kiosk asks again: the first job prints, then the second.
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(800));
            stand_in.load_paper(250).expect("tray form");
        });
        let second = printer
            .print_pdf(pdf(), "受理回执", quick())
            .expect("taken once the first is done");
        assert_ne!(second.job_id, first);
    });
    let done = printer
        .follow(first, quick())
        .expect("the first job printed");
    assert_eq!(done.job_id, first);
    assert_eq!(stand_in.documents().len(), 2, "both kept, nothing twice");
}
