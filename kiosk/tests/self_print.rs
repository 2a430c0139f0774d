//! 自助打印 with real parts: the real hall on loopback (staff conclude an application and
//! attach its result document), the kiosk's session machine and effect executor, and a real
//! IPP printer (`ippeveprinter`) that keeps what it prints. The applicant prints the one
//! allowed copy (read back with `pdftotext`), a second print is refused, another card sees
//! nothing; a printer that fails mid-job gives the copy back, a printer out of paper uses
//! nothing up, and an unreachable hall is said as such.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hall_api::application::ApplicationReceipt;
use hall_api::attachment::{PrintFailure, PrintableQuery};
use kiosk::citizen::effects::Executor;
use kiosk::delivery::{BackendClock, Delivery};
use kiosk::devices::{DeviceManager, ManagerOptions};
use kiosk::hall::HallClient;
use kiosk::outbox::{Outbox, RecordKind};
use kiosk::session::citizen::CardType;

use crate::support::a4_only;
use kiosk::session::{
    step, Citizen, Event, Now, PrintOutcome, PrintProblem, PrintStage, Screen, Session, UiInput,
};
use kiosk_config::Config;
use kiosk_drivers::a4printer::stand_in::{StandInConfig, StandInPrinter};
use kiosk_drivers::a4printer::{pdf, JobWait};
use kiosk_drivers::printer::Receipt;
use kiosk_drivers::status::{DeviceClass, DeviceState};
use tokio::sync::mpsc;

use crate::exactly_once_support::hall::{application_body, LoopbackHall, KIOSK_ID};
use crate::exactly_once_support::{hall_client, outbox_key};
use crate::support::snapshot_where;

const TIMEOUT: Duration = Duration::from_secs(10);
/// The applicant of `application_body` (a made-up number with a valid check digit).
const APPLICANT: &str = "11010519491231002X";
const OTHER: &str = "110105198001010016";
const TITLE: &str = "社会保障卡申领结果通知书";

fn citizen(id_number: &str, name: &str) -> Citizen {
    Citizen {
        name: name.into(),
        sex: "男".into(),
        nation: "汉".into(),
        birth_date: "1949-12-31".into(),
        address: "浙江省某县城关镇人民路1号".into(),
        id_number: id_number.into(),
        issuing_authority: "某县公安局".into(),
        valid_from: "2015-01-01".into(),
        valid_until: "长期".into(),
        card_type: CardType::Resident,
    }
}

fn options() -> ManagerOptions {
    ManagerOptions {
        a4_poll: Duration::from_millis(200),
        a4_wait: JobWait {
            poll: Duration::from_millis(100),
            give_up_after: Duration::from_secs(30),
        },
        ..ManagerOptions::default()
    }
}

/// A result document as staff would upload it: a real PDF with extractable text.
fn result_pdf(tracking_code: &str) -> Vec<u8> {
    let mut r = Receipt::new();
    r.title(TITLE);
    r.key_value("办件编号", tracking_code);
    r.text("经审核，准予办理。");
    pdf::render(&r, TITLE).expect("the PDF renders")
}

/// The text of a PDF the printer kept.
fn pdf_text(path: &std::path::Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

struct World {
    _dir: tempfile::TempDir,
    hall: LoopbackHall,
    client: HallClient,
    receipt: ApplicationReceipt,
    document: String,
}

/// A hall with one concluded application of [`APPLICANT`] whose result document (`copies`
/// allowed) staff attached.
async fn world(copies: u32) -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let hall = LoopbackHall::start(dir.path()).await;
    let credential = dir.path().join("kiosk.credential");
    hall.kiosk_credential(&credential).await;
    let client = hall_client(&hall.url(), &credential, TIMEOUT);
    let answer = client
        .submit(
            RecordKind::Application,
            "self-print-1",
            &application_body(1),
        )
        .await
        .expect("the application is taken");
    let receipt: ApplicationReceipt = serde_json::from_slice(&answer).expect("a receipt");
    let document = hall
        .conclude_with_result(
            &receipt.id,
            TITLE,
            copies,
            &result_pdf(&receipt.tracking_code),
        )
        .await;
    World {
        _dir: dir,
        hall,
        client,
        receipt,
        document,
    }
}

/// The kiosk: its A4 printer in the device manager, and the executor of the session's
/// effects; the session's answers come back on `events`.
struct Kiosk {
    _dir: tempfile::TempDir,
    manager: DeviceManager,
    executor: Executor,
    events: mpsc::UnboundedReceiver<Event>,
    session: Session,
    secs: u64,
}

impl Kiosk {
    async fn start(client: HallClient, printer_uri: &str) -> Kiosk {
        let dir = tempfile::tempdir().expect("tempdir");
        let manager = DeviceManager::start(&a4_only(printer_uri), options()).expect("devices");
        snapshot_where(&manager, DeviceClass::A4Printer, "online", |s| {
            s.state == DeviceState::Online
        })
        .await;
        let outbox =
            Arc::new(Outbox::open(&dir.path().join("outbox.db"), outbox_key()).expect("outbox"));
        let (tx, events) = mpsc::unbounded_channel();
        let executor = Executor {
            delivery: Delivery::new(outbox, client.clone(), Arc::new(BackendClock::default())),
            hall: client,
            printer: None,
            a4: Some(manager.a4printer()),
            camera: None,
            hall_name: "某县政务服务中心".into(),
            events: tx,
            sessions: Arc::default(),
            ratings: Arc::new(Mutex::new([0; 5])),
            speech: Arc::new(kiosk_ui::speech::Silent),
            kiosk_id: KIOSK_ID.into(),
        };
        let config = kiosk::citizen::runner::session_config(&Config::default());
        let session = Session::new(config, now(0)).expect("a session");
        let mut k = Kiosk {
            _dir: dir,
            manager,
            executor,
            events,
            session,
            secs: 0,
        };
        for device in [
            DeviceClass::IdCardReader,
            DeviceClass::Scanner,
            DeviceClass::A4Printer,
        ] {
            k.ev(Event::DeviceChanged {
                device,
                available: true,
            });
        }
        k
    }

    /// Steps the session and carries out its effects.
    fn ev(&mut self, event: Event) {
        let (next, effects) = step(&self.session, event);
        self.session = next;
        for effect in effects {
            self.executor.run(effect);
        }
    }

    fn ui(&mut self, input: UiInput) {
        self.secs += 1;
        self.ev(Event::Tick(now(self.secs)));
        self.ev(Event::Ui(input));
    }

    /// Waits for the answer of the effect in flight and steps it.
    async fn answer(&mut self) {
        let event = tokio::time::timeout(Duration::from_secs(60), self.events.recv())
            .await
            .expect("the effect answers")
            .expect("the channel is open");
        self.ev(event);
    }

    fn stage(&self) -> PrintStage {
        match &self.session.screen {
            Screen::Prints(v) => v.stage.clone(),
            other => panic!("not on 自助打印: {other:?}"),
        }
    }

    fn copies_left(&self) -> Vec<(String, u32)> {
        match &self.session.screen {
            Screen::Prints(v) => v
                .documents
                .iter()
                .map(|d| (d.title.clone(), d.copies_left))
                .collect(),
            _ => Vec::new(),
        }
    }
}

fn now(secs: u64) -> Now {
    let utc = chrono::Utc::now();
    Now {
        mono: Duration::from_secs(secs),
        utc,
        today: utc.date_naive(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_applicant_prints_the_one_copy_and_another_card_sees_nothing() {
    let w = world(1).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let printer =
        StandInPrinter::start(dir.path(), StandInConfig::default()).expect("ippeveprinter");
    let mut k = Kiosk::start(w.client.clone(), &printer.uri()).await;

    // Another person's card: nothing of the applicant's.
    k.ui(UiInput::OpenPrints);
    assert_eq!(k.stage(), PrintStage::Waiting);
    k.ev(Event::CardRead(citizen(OTHER, "李四")));
    k.answer().await;
    assert_eq!(k.stage(), PrintStage::Problem(PrintProblem::NoDocuments));
    let refused = k
        .executor
        .print_result(
            &w.document,
            TITLE,
            &PrintableQuery::IdCard {
                id_number: OTHER.into(),
            },
        )
        .await;
    assert_eq!(
        refused,
        PrintOutcome::NotFound,
        "another card prints nothing"
    );
    k.ui(UiInput::Home);

    // The applicant's card: the list, then the print.
    k.ui(UiInput::OpenPrints);
    k.ev(Event::CardRead(citizen(APPLICANT, "张三")));
    k.answer().await;
    assert_eq!(k.stage(), PrintStage::List);
    assert_eq!(k.copies_left(), [(TITLE.to_owned(), 1)]);
    k.ui(UiInput::PrintDocument(w.document.clone()));
    assert!(matches!(k.stage(), PrintStage::Printing { .. }));
    k.answer().await;
    assert_eq!(
        k.stage(),
        PrintStage::Printed {
            title: TITLE.into()
        }
    );
    let printed = printer.documents();
    assert_eq!(printed.len(), 1, "{printed:?}");
    let text = pdf_text(&printed[0]);
    assert!(
        text.contains(TITLE) && text.contains(&w.receipt.tracking_code),
        "{text}"
    );
    assert_eq!(w.hall.prints(), [(1, KIOSK_ID.to_owned(), None)]);

    // The one copy is used: off the list, and refused by card and by receipt.
    k.ui(UiInput::ShowPrintList);
    assert_eq!(k.stage(), PrintStage::Problem(PrintProblem::NoDocuments));
    let again = k
        .executor
        .print_result(
            &w.document,
            TITLE,
            &PrintableQuery::Receipt {
                tracking_code: w.receipt.tracking_code.clone(),
                verifier: w.receipt.verifier.clone(),
            },
        )
        .await;
    assert_eq!(again, PrintOutcome::CopiesUsed);
    assert_eq!(printer.documents().len(), 1, "nothing more printed");
    k.ui(UiInput::Done);
    assert!(!k.session.holds_personal_data());
    drop(k.manager);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_print_gives_the_copy_back_and_an_unreachable_hall_is_said() {
    let mut w = world(1).await;
    let proof = PrintableQuery::IdCard {
        id_number: APPLICANT.into(),
    };
    // A print engine that runs out of paper mid-job: the job is aborted.
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = dir.path().join("engine.sh");
    std::fs::write(
        &engine,
        "#!/bin/sh\necho 'STATE: +media-empty' >&2\nexit 1\n",
    )
    .expect("script");
    let mut perms = std::fs::metadata(&engine).expect("script").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&engine, perms).expect("chmod");
    let failing = StandInPrinter::start(
        &dir.path().join("failing"),
        StandInConfig {
            command: Some(engine),
            ..StandInConfig::default()
        },
    )
    .expect("ippeveprinter");
    let k = Kiosk::start(w.client.clone(), &failing.uri()).await;
    let outcome = k.executor.print_result(&w.document, TITLE, &proof).await;
    assert_eq!(
        outcome,
        PrintOutcome::PrinterFailed {
            failure: PrintFailure::PaperOut,
            given_back: true
        }
    );
    assert_eq!(
        w.hall.prints(),
        [(1, KIOSK_ID.to_owned(), Some("paperOut".to_owned()))]
    );
    let listed = w.client.printable(&proof).await.expect("the list");
    assert_eq!(listed.documents[0].copies_left, 1, "the copy is back");

    // Now the tray is known empty: nothing is fetched, nothing used up.
    snapshot_where(&k.manager, DeviceClass::A4Printer, "paper out", |s| {
        s.state != DeviceState::Online
    })
    .await;
    let outcome = k.executor.print_result(&w.document, TITLE, &proof).await;
    assert_eq!(outcome, PrintOutcome::PrinterUnavailable);
    assert_eq!(w.hall.prints().len(), 1, "nothing taken");
    drop(k);

    // A working printer, and the hall out of reach: said as such, nothing used up.
    let printer = StandInPrinter::start(&dir.path().join("working"), StandInConfig::default())
        .expect("ippeveprinter");
    let mut k = Kiosk::start(w.client.clone(), &printer.uri()).await;
    w.hall.stop().await;
    k.ui(UiInput::OpenPrints);
    k.ev(Event::CardRead(citizen(APPLICANT, "张三")));
    k.answer().await;
    assert_eq!(
        k.stage(),
        PrintStage::Problem(PrintProblem::HallUnreachable)
    );
    let outcome = k.executor.print_result(&w.document, TITLE, &proof).await;
    assert_eq!(outcome, PrintOutcome::HallUnreachable);

    // The hall back: the copy given back prints as copy 2.
    w.hall.restart().await;
    k.ui(UiInput::PrintsByCard);
    k.answer().await;
    assert_eq!(k.copies_left(), [(TITLE.to_owned(), 1)]);
    k.ui(UiInput::PrintDocument(w.document.clone()));
    k.answer().await;
    assert!(
        matches!(k.stage(), PrintStage::Printed { .. }),
        "{:?}",
        k.stage()
    );
    assert_eq!(printer.documents().len(), 1);
    assert_eq!(
        w.hall.prints(),
        [
            (1, KIOSK_ID.to_owned(), Some("paperOut".to_owned())),
            (2, KIOSK_ID.to_owned(), None)
        ]
    );
}
