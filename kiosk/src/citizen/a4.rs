//! The session's printable documents laid out for A4 paper: the same [`PrintDoc`] the
//! receipt roll prints (so the masking rules are the same: the session only ever puts a
//! masked name and ID number in a document), arranged as a page — the hall as header, the
//! title, `key：value` lines as a two-column table, numbered materials as a list, the
//! tracking QR code with its caption, the kiosk at the foot. `kiosk-drivers` turns the
//! result into a PDF with the font embedded as a subset.

use kiosk_drivers::printer::{Block, Receipt};

use crate::session::PrintDoc;

/// Keys longer than this (or with a comma) are sentences with a colon, not table rows.
const MAX_KEY_CHARS: usize = 6;

/// Lays a session document out for A4.
pub fn a4_document(doc: &PrintDoc, hall_name: &str, kiosk_id: &str) -> Receipt {
    let mut r = Receipt::new();
    if !hall_name.is_empty() {
        r.header(hall_name);
    }
    r.title(doc.title.clone());
    r.separator();
    let mut list: Vec<String> = Vec::new();
    let flush = |r: &mut Receipt, list: &mut Vec<String>| {
        if !list.is_empty() {
            r.push(Block::List {
                items: std::mem::take(list),
                numbered: true,
            });
        }
    };
    for line in &doc.lines {
        // The hall is the page's header already.
        if line == hall_name {
            continue;
        }
        if let Some(item) = numbered_item(line) {
            list.push(item.to_owned());
            continue;
        }
        flush(&mut r, &mut list);
        match line.split_once('：') {
            Some((key, value))
                if !value.is_empty()
                    && !key.contains('，')
                    && (1..=MAX_KEY_CHARS).contains(&key.chars().count()) =>
            {
                r.key_value(key, value);
            }
            _ => {
                r.text(line.clone());
            }
        }
    }
    flush(&mut r, &mut list);
    if let Some(qr) = &doc.qr {
        r.qr(qr.clone(), doc.qr_caption());
    }
    r.footer(format!("自助终端 {kiosk_id}"));
    r
}

/// `3. 居民户口簿（原件1份）` → `居民户口簿（原件1份）`.
fn numbered_item(line: &str) -> Option<&str> {
    let (number, rest) = line.split_once(". ")?;
    (!number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::DocKind;

    fn blocks(doc: &PrintDoc) -> Vec<Block> {
        a4_document(doc, "某某县政务服务中心", "K-0001")
            .blocks()
            .to_vec()
    }

    #[test]
    fn a_guide_becomes_header_title_list_and_table() {
        let doc = PrintDoc {
            kind: DocKind::Guide,
            title: "办事指南：户籍证明开具".into(),
            lines: vec![
                "某某县政务服务中心".into(),
                "为户籍人口开具户籍证明".into(),
                "所需材料：".into(),
                "1. 居民身份证（原件1份，必交，在本机读取身份证即可）".into(),
                "2. 居民户口簿（原件1份，必交）：户主页和本人页".into(),
                "承诺时限：即办".into(),
            ],
            qr: None,
        };
        let b = blocks(&doc);
        assert_eq!(b[0], Block::Header("某某县政务服务中心".into()));
        assert_eq!(b[1], Block::Title("办事指南：户籍证明开具".into()));
        assert!(b.contains(&Block::List {
            items: vec![
                "居民身份证（原件1份，必交，在本机读取身份证即可）".into(),
                "居民户口簿（原件1份，必交）：户主页和本人页".into(),
            ],
            numbered: true,
        }));
        assert!(b.contains(&Block::KeyValue {
            key: "承诺时限".into(),
            value: "即办".into()
        }));
        // "所需材料：" has no value: a heading line, not a table row.
        assert!(b
            .iter()
            .any(|x| matches!(x, Block::Text { text, .. } if text == "所需材料：")));
        assert_eq!(
            b.iter().filter(|x| matches!(x, Block::Header(_))).count(),
            1,
            "the hall once"
        );
    }

    #[test]
    fn a_receipt_qr_gets_the_progress_caption_and_the_kiosk_signs_the_foot() {
        let doc = PrintDoc {
            kind: DocKind::Receipt,
            title: "受理回执".into(),
            lines: vec!["申请人：李*英".into()],
            qr: Some("https://hall.example/p?c=A1&v=B2".into()),
        };
        let b = blocks(&doc);
        assert!(b.contains(&Block::Qr {
            data: "https://hall.example/p?c=A1&v=B2".into(),
            caption: Some("扫描二维码查询办理进度".into()),
        }));
        assert_eq!(b.last(), Some(&Block::Footer("自助终端 K-0001".into())));
    }

    #[test]
    fn each_document_goes_on_the_paper_that_suits_it() {
        use crate::citizen::effects::paper_for;
        // (A4, roll) for: A4 ready with a roll, A4 ready alone, A4 not ready.
        assert_eq!(paper_for(DocKind::Guide, true, true), (true, false));
        assert_eq!(paper_for(DocKind::Receipt, true, true), (true, true));
        assert_eq!(paper_for(DocKind::Slip, true, true), (false, true));
        for kind in [DocKind::Guide, DocKind::Receipt, DocKind::Slip] {
            assert_eq!(paper_for(kind, true, false), (true, false), "{kind:?}");
            assert_eq!(paper_for(kind, false, true), (false, true), "{kind:?}");
            assert_eq!(
                paper_for(kind, false, false),
                (false, true),
                "{kind:?}: fails as before"
            );
        }
    }

    /// Renders a document to PDF, reads it back with poppler (pdftotext, and pdftoppm for
    /// the QR code), and keeps the page as PNG in `KIOSK_A4_RENDER_DIR` if set.
    fn render_and_read(doc: &PrintDoc, name: &str) -> (String, Vec<String>) {
        // The hall the session's documents name, as the service passes it.
        let hall = crate::session::tests::support::config().hall_name;
        let page = a4_document(doc, &hall, "K-0001");
        let pdf = kiosk_drivers::a4printer::pdf::render(&page, &doc.title).expect("renders");
        let dir = tempfile::tempdir().expect("temp dir");
        let keep = std::env::var_os("KIOSK_A4_RENDER_DIR").map(std::path::PathBuf::from);
        let out = keep.as_deref().unwrap_or(dir.path());
        let pdf_path = out.join(format!("{name}.pdf"));
        std::fs::write(&pdf_path, &pdf).expect("write PDF");
        let run = |program: &str, args: &[&std::ffi::OsStr]| {
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
        };
        let text = run("pdftotext", &[pdf_path.as_os_str(), "-".as_ref()]);
        let png_base = out.join(name);
        run(
            "pdftoppm",
            &[
                "-gray".as_ref(),
                "-png".as_ref(),
                "-r".as_ref(),
                "120".as_ref(),
                "-singlefile".as_ref(),
                pdf_path.as_os_str(),
                png_base.as_os_str(),
            ],
        );
        let file = std::fs::File::open(png_base.with_extension("png")).expect("PNG");
        let mut reader = png::Decoder::new(std::io::BufReader::new(file))
            .read_info()
            .expect("PNG header");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("PNG data");
        let channels = match info.color_type {
            png::ColorType::Grayscale => 1,
            png::ColorType::Rgb => 3,
            other => panic!("{other:?}"),
        };
        let (w, h) = (info.width as usize, info.height as usize);
        let mut img =
            rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[(y * w + x) * channels]);
        let codes = img
            .detect_grids()
            .iter()
            .map(|g| g.decode().expect("QR decodes").1)
            .collect();
        (text, codes)
    }

    #[test]
    fn the_a4_receipt_reads_back_masked_with_its_tracking_qr_code() {
        use crate::session::tests::support::*;
        use crate::session::{Effect, Event, SubmitOutcome, UiInput};
        let mut k = at_review();
        k.ui(UiInput::Submit);
        let key = submitted_key(&k);
        k.log.clear();
        k.ev(Event::SubmitResult {
            key,
            outcome: SubmitOutcome::Delivered(receipt(hall_api::application::Subject::Item(
                ITEM.into(),
            ))),
        });
        let [Effect::Print(doc)] = &k.log[..] else {
            panic!("{:?}", k.log)
        };
        assert_eq!(doc.kind, DocKind::Receipt);
        let (text, codes) = render_and_read(doc, "receipt");
        let flat: String = text.split_whitespace().collect();
        for expected in [
            "受理回执",
            "1101**********002X",
            "张**",
            "LA20240506-0042",
            "扫描二维码查询办理进度",
        ] {
            assert!(flat.contains(expected), "{expected} not in {text}");
        }
        assert!(
            !flat.contains(ID_CARD),
            "the full ID number is never printed: {text}"
        );
        assert!(
            !flat.contains(&citizen().name),
            "the full name is never printed"
        );
        assert_eq!(
            codes,
            vec!["https://hall.example.gov.cn/p?c=LA20240506-0042&v=q7Xk2m".to_owned()]
        );
    }

    #[test]
    fn the_a4_checklist_lists_every_material_with_counts_and_where_to_hand_in() {
        use crate::session::tests::support::*;
        use crate::session::{Effect, Event, UiInput};
        let mut k = Kiosk::ready();
        k.ev(Event::CardRead(citizen()));
        k.ui(UiInput::PickItem(ITEM.into()));
        let fx = k.ui(UiInput::PrintGuide);
        let [Effect::Print(doc)] = &fx[..] else {
            panic!("{fx:?}")
        };
        assert_eq!(doc.kind, DocKind::Guide);
        let t = k.s.transaction.as_ref().expect("the item");
        let (text, codes) = render_and_read(doc, "checklist");
        let flat: String = text.split_whitespace().collect();
        for line in &t.materials {
            assert!(
                flat.contains(&line.material.name),
                "{} missing: {text}",
                line.material.name
            );
        }
        assert!(flat.contains("原件1份"), "{text}");
        assert!(flat.contains("提交地点"), "{text}");
        assert!(codes.is_empty());
        assert!(!flat.contains(ID_CARD));
    }

    #[test]
    fn the_a4_appointment_slip_carries_the_booking_code() {
        let booked = hall_api::appointment::AppointmentReceipt {
            id: "b1".into(),
            reference: "YY-20240507-0003".into(),
            slot: hall_api::appointment::Slot {
                id: "gongan.2024-05-07.1000".into(),
                department: "gongan".into(),
                date: chrono::NaiveDate::from_ymd_opt(2024, 5, 7).expect("date"),
                start: "10:00".into(),
                end: "10:30".into(),
                capacity: 4,
                remaining: 1,
            },
            booked_at: chrono::DateTime::UNIX_EPOCH,
        };
        let doc = crate::session::docs::booking_slip(&booked, "公安户政窗口", "王小五");
        assert_eq!(doc.kind, DocKind::Slip);
        let (text, codes) = render_and_read(&doc, "slip");
        let flat: String = text.split_whitespace().collect();
        for expected in [
            "预约凭条",
            "公安户政窗口",
            "2024-05-07",
            "10:00",
            "YY-20240507-0003",
        ] {
            assert!(flat.contains(expected), "{expected} not in {text}");
        }
        assert!(!flat.contains("王小五"), "masked name only: {text}");
        assert_eq!(codes, vec!["YY-20240507-0003".to_owned()]);
    }
}
