//! A whole receipt through the real serial driver, a pseudo-terminal and the emulator: the
//! PNG's QR code is decoded back and compared with what was sent, on 58 and 80 mm paper,
//! with native and raster QR, and with a name character the printer font lacks.

use std::path::Path;

use kiosk_drivers::printer::profile::FirmwareCharset;
use kiosk_drivers::printer::sim::runner::{spawn, EmulatorHandle};
use kiosk_drivers::printer::sim::{Emulator, EmulatorConfig};
use kiosk_drivers::printer::transport::serial::SerialTransport;
use kiosk_drivers::printer::{sample, Confirmation, PrinterProfile, Receipt, ReceiptPrinter};
use serialport::TTYPort;

fn rig(
    profile: &PrinterProfile,
    charset: FirmwareCharset,
    dir: &Path,
) -> (ReceiptPrinter<SerialTransport>, EmulatorHandle) {
    let (master, slave) = TTYPort::pair().expect("create a pseudo-terminal pair");
    let cfg = EmulatorConfig {
        width_dots: usize::from(profile.width_dots),
        charset,
        out_dir: Some(dir.to_owned()),
        keep_receipts: 8,
    };
    let emu = Emulator::new(cfg).expect("emulator needs fonts-noto-cjk");
    let handle = spawn(emu, Box::new(master));
    let printer = ReceiptPrinter::new(
        SerialTransport::from_port(Box::new(slave), "pty"),
        profile.clone(),
    );
    (printer, handle)
}

/// Decodes every QR code in a PNG file.
fn decode_qr(png_path: &Path) -> Vec<String> {
    let file = std::fs::File::open(png_path).expect("open rendered PNG");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    img.detect_grids()
        .iter()
        .map(|g| g.decode().expect("QR decodes").1)
        .collect()
}

fn print_and_check(
    profile: &PrinterProfile,
    charset: FirmwareCharset,
    receipt: &Receipt,
    qr: &str,
) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut printer, handle) = rig(profile, charset, dir.path());
    let (status, how) = printer.print_receipt(receipt).expect("receipt prints");
    assert!(status.is_ready());
    assert_eq!(how, Confirmation::Printed);
    assert_eq!(handle.printed(), 1, "confirmed means the emulator cut it");
    let emu = handle.stop().expect("emulator stops cleanly");
    let r = emu.receipts().last().expect("one receipt").clone();
    assert_eq!(r.image.width(), usize::from(profile.width_dots));
    assert!(r.lints.is_empty(), "printer would misprint: {:?}", r.lints);
    let png = r.png.clone().expect("PNG written");
    assert!(png.ends_with("receipt-0001.png"));
    assert_eq!(decode_qr(&png), vec![qr.to_owned()]);
    let log = std::fs::read_to_string(dir.path().join("log.jsonl")).expect("JSON log");
    for line in log.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("each log line is JSON");
    }
    assert!(log.contains("\"cmd\":\"cut\""));
    if let Ok(keep) = std::env::var("KEEP_RECEIPTS") {
        let to = Path::new(&keep).join(format!("{}.png", profile.name));
        std::fs::copy(&png, to).expect("copy PNG for viewing");
    }
    r.texts
}

const QR: &str = "https://zwfw.example.gov.cn/q?c=3301022026112600123&v=7F3K";

#[test]
fn a_typical_receipt_on_80mm_prints_and_its_qr_decodes_back() {
    let texts = print_and_check(
        &PrinterProfile::GENERIC_80,
        FirmwareCharset::Gbk,
        &sample::typical_receipt(),
        QR,
    );
    assert!(texts.iter().any(|t| t.contains("某某县政务服务中心")));
    assert!(texts
        .iter()
        .any(|t| t.starts_with("证件号码：") && t.ends_with("3301**********1234")));
    assert!(texts.iter().all(|t| t.chars().count() <= 48));
}

#[test]
fn a_typical_receipt_on_58mm_prints_and_its_qr_decodes_back() {
    let texts = print_and_check(
        &PrinterProfile::GENERIC_58,
        FirmwareCharset::Gb2312,
        &sample::typical_receipt(),
        QR,
    );
    assert!(texts.iter().any(|t| t.contains("办件受理回执")));
}

#[test]
fn a_printer_without_native_qr_gets_a_raster_qr_that_still_decodes() {
    let texts = print_and_check(
        &PrinterProfile::BASIC_58,
        FirmwareCharset::Gb2312,
        &sample::typical_receipt(),
        QR,
    );
    assert!(texts.iter().any(|t| t.contains("请妥善保管本回执")));
}

#[test]
fn rare_name_characters_are_printed_as_raster_lines_not_lost() {
    let mut r = Receipt::new();
    r.key_value("申请人", "王䶮")
        .key_value("备注", "𬱖")
        .qr("X-1", None);
    let texts = print_and_check(&PrinterProfile::GENERIC_80, FirmwareCharset::Gbk, &r, "X-1");
    // The lines went out as images: no text line carries them, and no lint fired.
    assert!(!texts.iter().any(|t| t.contains('王') || t.contains('䶮')));
}

#[test]
fn the_test_receipt_prints_on_both_widths() {
    let r = sample::test_receipt("KS-0001", "某某县政务服务中心", "/dev/ttyUSB0");
    for (p, cs) in [
        (&PrinterProfile::GENERIC_80, FirmwareCharset::Gbk),
        (&PrinterProfile::GENERIC_58, FirmwareCharset::Gb2312),
    ] {
        let texts = print_and_check(p, cs, &r, "KIOSK-TEST:KS-0001");
        assert!(
            texts.iter().any(|t| t.contains("T-KS-0001")),
            "barcode HRI printed"
        );
    }
}
