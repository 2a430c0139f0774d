//! The real serial scanner driver against the scanner simulator over pseudo-terminals:
//! every framing a scanner can be set to, and hostile input arriving over a real tty.

use std::path::Path;
use std::time::{Duration, Instant};

use kiosk_drivers::scanner::codec::{FrameEnd, Framing};
use kiosk_drivers::scanner::driver::{SerialScanner, SerialScannerConfig};
use kiosk_drivers::scanner::flood::FloodLimit;
use kiosk_drivers::scanner::sanitize::TextEncoding;
use kiosk_drivers::scanner::sim::{ScannerProfile, ScannerSim};
use kiosk_drivers::scanner::{Rejection, ScanOutcome, Symbology};

/// A hang guard only: the tests wait for outcomes, they do not measure speed.
const PATIENCE: Duration = Duration::from_secs(10);

fn open(link: &Path, framing: Framing) -> SerialScanner {
    let mut config = SerialScannerConfig::new(link);
    config.framing = framing;
    SerialScanner::open(&config).expect("the simulator's pty opens")
}

/// Polls until `n` outcomes arrived (or the hang guard fires).
fn collect(scanner: &mut SerialScanner, n: usize) -> Vec<ScanOutcome> {
    let start = Instant::now();
    let mut out = Vec::new();
    while out.len() < n && start.elapsed() < PATIENCE {
        scanner.poll(&mut out).expect("the pty stays open");
    }
    out
}

fn texts(outcomes: &[ScanOutcome]) -> Vec<(Symbology, String)> {
    outcomes
        .iter()
        .map(|o| match o {
            ScanOutcome::Scan(s) => (s.symbology, s.text.clone()),
            ScanOutcome::Rejected(r) => panic!("unexpected rejection: {r}"),
        })
        .collect()
}

fn sim_with(framing: Framing, encoding: TextEncoding) -> (tempfile::TempDir, ScannerSim) {
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = ScannerProfile {
        framing,
        send_aim: true,
        encoding,
    };
    let sim = ScannerSim::start(dir.path().join("scanner"), profile).expect("pty pair");
    (dir, sim)
}

#[test]
fn every_terminator_and_affix_setting_yields_the_same_codes() {
    let settings = [
        Framing::default(),
        Framing {
            end: FrameEnd::Lf,
            ..Framing::default()
        },
        Framing {
            end: FrameEnd::CrLf,
            ..Framing::default()
        },
        Framing {
            end: FrameEnd::Tab,
            ..Framing::default()
        },
        Framing {
            end: FrameEnd::Bytes(vec![0x03]),
            prefix: vec![0x02],
            ..Framing::default()
        },
        Framing {
            prefix: b"SCN:".to_vec(),
            suffix: b";".to_vec(),
            ..Framing::default()
        },
    ];
    for framing in settings {
        let (_dir, mut sim) = sim_with(framing.clone(), TextEncoding::Utf8);
        let mut scanner = open(sim.link(), framing.clone());
        sim.scan(Symbology::Qr, "https://zwfw.gov.cn/q?n=1")
            .unwrap();
        sim.scan(Symbology::Ean13, "6901234567892").unwrap();
        sim.scan(Symbology::Code128, "预约A0042").unwrap();
        let got = texts(&collect(&mut scanner, 3));
        assert_eq!(
            got,
            vec![
                (Symbology::Qr, "https://zwfw.gov.cn/q?n=1".to_owned()),
                (Symbology::Ean13, "6901234567892".to_owned()),
                (Symbology::Code128, "预约A0042".to_owned()),
            ],
            "framing {framing:?}"
        );
    }
}

#[test]
fn gb18030_scanners_and_scanners_without_aim_ids_are_read() {
    let (_dir, mut sim) = sim_with(Framing::default(), TextEncoding::Gb18030);
    let mut scanner = open(sim.link(), Framing::default());
    sim.scan(Symbology::Qr, "临安区行政服务中心 第0042号")
        .unwrap();
    let got = collect(&mut scanner, 1);
    let [ScanOutcome::Scan(scan)] = got.as_slice() else {
        panic!("{got:?}");
    };
    assert_eq!(scan.text, "临安区行政服务中心 第0042号");
    assert_eq!(scan.aim.as_deref(), Some("]Q1"));
    // The raw bytes are kept as sent: GB18030, not re-encoded.
    assert_eq!(&scan.raw[3..7], &[0xC1, 0xD9, 0xB0, 0xB2]);

    sim.send_raw(b"NOAIM-123\r").unwrap();
    assert_eq!(
        texts(&collect(&mut scanner, 1)),
        vec![(Symbology::Unknown, "NOAIM-123".to_owned())]
    );
}

#[test]
fn hostile_codes_are_rejected_and_the_next_good_code_still_arrives() {
    let (_dir, mut sim) = sim_with(Framing::default(), TextEncoding::Utf8);
    // Six codes back to back would trip the default flood limit; this test is about content.
    let mut config = SerialScannerConfig::new(sim.link());
    config.flood = FloodLimit {
        burst: 100,
        per_second: 100,
    };
    let mut scanner = SerialScanner::open(&config).expect("the simulator's pty opens");
    // A pty holds only a few KiB: write from another thread while the driver reads.
    let writer = std::thread::spawn(move || {
        sim.send_raw(b"]Q1\x1b]0;pwned\x07\r").unwrap(); // terminal title escape
        sim.send_raw(b"abc\x00def\r").unwrap(); // NUL
        sim.send_raw("x\u{202E}fdp.exe\r".as_bytes()).unwrap(); // bidi override
        sim.send_raw(b"\xff\xfe\xfd\r").unwrap(); // neither UTF-8 nor GB18030
        let mut long = vec![b'8'; 20_000];
        long.push(b'\r');
        sim.send_raw(&long).unwrap(); // a 20,000-byte line
        sim.scan(Symbology::Qr, "GOOD").unwrap();
        sim
    });
    let got = collect(&mut scanner, 6);
    let codes: Vec<_> = got
        .iter()
        .map(|o| match o {
            ScanOutcome::Rejected(r) => r.code().to_owned(),
            ScanOutcome::Scan(s) => format!("scan:{}", s.text),
        })
        .collect();
    assert_eq!(
        codes,
        [
            "controlCharacter",
            "controlCharacter",
            "controlCharacter",
            "badEncoding",
            "codeTooLong",
            "scan:GOOD"
        ]
    );
    assert!(matches!(
        got[4],
        ScanOutcome::Rejected(Rejection::TooLong { len: 20_000, .. })
    ));
    assert_eq!(scanner.rejected_total(), 5);
    drop(writer.join().expect("writer thread"));
}

#[test]
fn a_flood_is_cut_to_a_few_codes_and_one_report() {
    let (_dir, mut sim) = sim_with(Framing::default(), TextEncoding::Utf8);
    let mut scanner = open(sim.link(), Framing::default());
    let flood: Vec<u8> = (0..500)
        .flat_map(|i| format!("]Q1CODE{i}\r").into_bytes())
        .collect();
    sim.send_raw(&flood).unwrap();
    sim.send_raw(b"]Q1LAST\r").unwrap();
    // Read until the last code has been judged (accepted, or counted as dropped).
    let start = Instant::now();
    let mut out = Vec::new();
    while scanner.rejected_total() + scans(&out) < 501 && start.elapsed() < PATIENCE {
        scanner.poll(&mut out).unwrap();
    }
    let accepted = scans(&out);
    let flood_reports = out
        .iter()
        .filter(|o| matches!(o, ScanOutcome::Rejected(Rejection::Flood { .. })))
        .count();
    assert_eq!(
        accepted + scanner.rejected_total(),
        501,
        "every code is accounted for"
    );
    assert!(
        (5..=10).contains(&accepted),
        "{accepted} codes got through the flood"
    );
    assert!(
        (1..=accepted - 4).contains(&(flood_reports as u64)),
        "{flood_reports} flood reports"
    );
}

fn scans(out: &[ScanOutcome]) -> u64 {
    out.iter()
        .filter(|o| matches!(o, ScanOutcome::Scan(_)))
        .count() as u64
}

#[test]
fn a_scanner_without_a_terminator_is_read_with_an_idle_timeout() {
    let (_dir, mut sim) = sim_with(Framing::default(), TextEncoding::Utf8);
    let mut config = SerialScannerConfig::new(sim.link());
    config.end_on_idle = Some(Duration::from_millis(50));
    config.read_timeout = Duration::from_millis(60);
    let mut scanner = SerialScanner::open(&config).unwrap();
    sim.send_raw(b"]C0NOEND").unwrap();
    assert_eq!(
        texts(&collect(&mut scanner, 1)),
        vec![(Symbology::Code128, "NOEND".to_owned())]
    );
}

#[test]
fn a_port_already_held_by_a_driver_is_reported_busy() {
    let (_dir, sim) = sim_with(Framing::default(), TextEncoding::Utf8);
    let _first = open(sim.link(), Framing::default());
    let err = SerialScanner::open(&SerialScannerConfig::new(sim.link())).unwrap_err();
    assert_eq!(err.kind(), kiosk_drivers::ErrorKind::Busy);
}

#[test]
fn opening_a_missing_port_says_no_device_and_names_it() {
    let err = SerialScanner::open(&SerialScannerConfig::new("/dev/ttyNOSUCH9")).unwrap_err();
    assert_eq!(err.kind(), kiosk_drivers::ErrorKind::NotFound);
    let text = err.to_string();
    assert!(
        text.contains("/dev/ttyNOSUCH9") && text.contains("kioskctl devices"),
        "{text}"
    );
}
