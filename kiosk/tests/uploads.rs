//! Uploads the hall keeps: materials photographed at the kiosk (pages from the camera handle
//! fed with rendered document photos, through the page pipeline, made into one PDF) stored
//! in the outbox with their application and uploaded before it, to the real hall on
//! loopback — resumed after the hall and the kiosk were stopped mid-way, kept (not refused)
//! while the hall misses an attachment, and refused for good over the hall's size limits.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use hall_api::application::{ApplicationDetails, ApplicationReceipt, MaterialSource};
use hall_api::attachment::AttachmentLimits;
use kiosk::citizen::effects::assemble;
use kiosk::delivery::{BackendClock, Delivery, Outcome};
use kiosk::devices::CameraHandle;
use kiosk::hall::HallClient;
use kiosk::outbox::{Outbox, RecordKind, RecordState};
use kiosk::session::{DocBytes, ScannedDoc};
use kiosk::uploads::sha256_hex;
use kiosk_drivers::camera::sample;

use crate::exactly_once_support::hall::{application_body, LoopbackHall};
use crate::exactly_once_support::proxy::{Counters, FaultProxy};
use crate::exactly_once_support::{hall_client, outbox_key};

const TIMEOUT: Duration = Duration::from_secs(10);

/// Three pages of the household register, photographed in three poses, through the camera
/// handle and the page pipeline, made into one PDF.
fn register_pdf() -> ScannedDoc {
    let page = sample::render_page().expect("fonts-noto-cjk renders the sample page");
    let photos = sample::standard_specs()[..3]
        .iter()
        .map(|spec| sample::photograph(&page, spec).photo)
        .collect();
    let camera = CameraHandle::from_photos(photos);
    let pages: Vec<DocBytes> = (0..3)
        .map(|_| {
            let shot = camera.still(true).expect("a page from the photo");
            DocBytes::new(shot.page.expect("processed").jpeg)
        })
        .collect();
    assemble(&pages).expect("one PDF")
}

/// The seed catalog's application, its photo material photographed: `pages`, `sha`.
fn body_with(n: usize, pages: u32, sha: &str) -> Vec<u8> {
    let mut body: serde_json::Value =
        serde_json::from_slice(&application_body(n)).expect("the test body");
    body["materials"] = serde_json::json!([
        {"code": "photo", "source": "scanned", "pages": pages, "attachments": [sha]}
    ]);
    serde_json::to_vec(&body).expect("json")
}

struct Setup {
    dir: tempfile::TempDir,
    hall: LoopbackHall,
    credential: std::path::PathBuf,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("tempdir");
    let hall = LoopbackHall::start(dir.path()).await;
    let credential = dir.path().join("kiosk.credential");
    hall.kiosk_credential(&credential).await;
    Setup {
        dir,
        hall,
        credential,
    }
}

impl Setup {
    fn client(&self, url: &str) -> HallClient {
        hall_client(url, &self.credential, TIMEOUT)
    }

    /// The kiosk's outbox and delivery (no worker: rounds are run by the test).
    fn kiosk(&self, url: &str) -> (Arc<Outbox>, Arc<Delivery>) {
        let outbox = Arc::new(
            Outbox::open(&self.dir.path().join("outbox.db"), outbox_key()).expect("outbox"),
        );
        let delivery = Delivery::new(
            outbox.clone(),
            self.client(url),
            Arc::new(BackendClock::default()),
        );
        (outbox, delivery)
    }

    async fn details(&self, id: &str) -> ApplicationDetails {
        let token = self.hall.staff_token().await;
        let response = reqwest::Client::new()
            .get(format!(
                "{}api/v1/applications/{id}/details",
                self.hall.url()
            ))
            .bearer_auth(token)
            .send()
            .await
            .expect("the hall answers");
        assert!(response.status().is_success(), "{}", response.status());
        response.json().await.expect("details")
    }
}

fn forwarded(counters: &Counters) -> u64 {
    Counters::get(&counters.forwarded)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_with_a_photographed_register_arrives_with_its_pdf() {
    let s = setup().await;
    let doc = register_pdf();
    assert_eq!(doc.pages, 3);
    assert!(doc.pdf.bytes().starts_with(b"%PDF-"));
    let (outbox, delivery) = s.kiosk(&s.hall.url());
    delivery.set_chunk_bytes(64 * 1024);
    let outcome = delivery
        .submit_with_attachments(
            "uploads-register-0001".into(),
            body_with(1, 3, &doc.sha256),
            vec![doc.pdf.clone()],
            TIMEOUT,
        )
        .await
        .expect("saved");
    let Outcome::Delivered(answer) = outcome else {
        panic!("not delivered: {outcome:?}");
    };
    let receipt: ApplicationReceipt = serde_json::from_slice(&answer).expect("a receipt");
    assert_eq!(outbox.stats(SystemTime::now()).expect("stats").pending, 0);
    assert!(
        outbox
            .attachments(1, RecordKind::Application, "uploads-register-0001")
            .expect("query")
            .is_empty(),
        "delivered: the PDF left the kiosk's disk with its application"
    );

    // The hall holds the whole PDF (it checked the SHA-256 over every byte) ...
    let status = s
        .client(&s.hall.url())
        .attachment_status(&doc.sha256)
        .await
        .expect("status");
    assert!(status.complete);
    assert_eq!(status.total, Some(doc.pdf.len() as u64));
    // ... and staff see the material photographed, with its three pages and that PDF.
    let details = s.details(&receipt.id).await;
    let photo = details
        .materials
        .iter()
        .find(|m| m.code == "photo")
        .expect("the material");
    assert_eq!(photo.source, MaterialSource::Scanned);
    assert_eq!(photo.pages, 3);
    assert_eq!(photo.attachments, vec![doc.sha256.clone()]);
    s.hall
        .arrivals()
        .assert_exactly(&["uploads-register-0001".into()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_cut_off_mid_way_resumes_where_the_hall_stopped() {
    let mut s = setup().await;
    let doc = register_pdf();
    const CHUNK: u64 = 32 * 1024;
    let total = doc.pdf.len() as u64;
    let chunks = total.div_ceil(CHUNK);
    assert!(chunks >= 4, "{total} bytes: several chunks");

    // The kiosk saved the application with its PDF and got two chunks out ...
    let key = "uploads-resume-0001";
    {
        let (outbox, _) = s.kiosk(&s.hall.url());
        outbox
            .enqueue_with_attachments(
                RecordKind::Application,
                key,
                &body_with(2, 3, &doc.sha256),
                &[doc.pdf.bytes()],
                SystemTime::now(),
                SystemTime::now(),
            )
            .expect("saved");
        let client = s.client(&s.hall.url());
        for i in 0..2 {
            let from = (i * CHUNK) as usize;
            let to = ((i + 1) * CHUNK) as usize;
            client
                .put_attachment_chunk(&doc.sha256, i * CHUNK, total, &doc.pdf.bytes()[from..to])
                .await
                .expect("a chunk");
        }
    }
    // ... when the hall went down and came back, and the kiosk restarted.
    s.hall.restart().await;
    let proxy = FaultProxy::start(s.hall.addr, 1).await;
    let (outbox, delivery) = s.kiosk(&proxy.url());
    delivery.set_chunk_bytes(CHUNK);
    let round = delivery.round().await.expect("a round");
    assert_eq!(round.delivered, 1, "{round:?}");
    // One status request, only the chunks the hall did not hold, then the application.
    assert_eq!(forwarded(proxy.counters()), 1 + (chunks - 2) + 1);
    let status = s
        .client(&s.hall.url())
        .attachment_status(&doc.sha256)
        .await
        .expect("status");
    assert!(status.complete);
    assert_eq!(outbox.stats(SystemTime::now()).expect("stats").pending, 0);
    s.hall.arrivals().assert_exactly(&[key.into()]);

    // A repeat (the answer was lost) costs one status request and changes nothing.
    let before = forwarded(proxy.counters());
    let sent = s
        .client(&proxy.url())
        .upload_attachment(&doc.sha256, doc.pdf.bytes(), CHUNK)
        .await
        .expect("idempotent");
    assert_eq!(sent, 0);
    assert_eq!(forwarded(proxy.counters()) - before, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_is_not_accepted_before_its_attachments_and_is_kept_meanwhile() {
    let s = setup().await;
    let doc = register_pdf();
    let (outbox, delivery) = s.kiosk(&s.hall.url());
    // An application whose PDF never went up (saved by an older firmware, say).
    let key = "uploads-missing-0001";
    outbox
        .enqueue(
            RecordKind::Application,
            key,
            &body_with(3, 3, &doc.sha256),
            SystemTime::now(),
        )
        .expect("saved");
    let round = delivery.round().await.expect("a round");
    assert_eq!(round.delivered, 0);
    assert!(round.hall_failed.is_some(), "retryable: {round:?}");
    let listed = outbox.list().expect("list");
    assert_eq!(listed[0].state, RecordState::Pending, "kept, not refused");
    let why = listed[0].last_error.clone().unwrap_or_default();
    assert!(why.contains("AttachmentsMissing"), "{why}");
    assert_eq!(
        s.hall.arrivals().application_rows,
        0,
        "the hall stored nothing"
    );

    // Once the PDF is there, the same application (same key) goes through.
    s.client(&s.hall.url())
        .upload_attachment(&doc.sha256, doc.pdf.bytes(), 1024 * 1024)
        .await
        .expect("uploaded");
    let round = delivery.round().await.expect("a round");
    assert_eq!(round.delivered, 1, "{round:?}");
    s.hall.arrivals().assert_exactly(&[key.into()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_over_the_halls_limits_are_refused_clearly_and_the_application_never_arrives() {
    let s = setup().await;
    let (outbox, delivery) = s.kiosk(&s.hall.url());
    // The kiosk learns the limits from the hall.
    let limits = delivery.attachment_limits(TIMEOUT).await;
    assert_eq!(limits, AttachmentLimits::default());

    // A "PDF" over the per-attachment limit, as if the kiosk's own check were bypassed.
    let mut big = b"%PDF-1.5\n".to_vec();
    big.resize(
        usize::try_from(limits.max_attachment_bytes).expect("fits") + 1,
        b' ',
    );
    let sha = sha256_hex(&big);
    let key = "uploads-too-big-0001";
    let outcome = delivery
        .submit_with_attachments(
            key.into(),
            body_with(4, 30, &sha),
            vec![DocBytes::new(big)],
            TIMEOUT,
        )
        .await
        .expect("saved");
    let Outcome::Rejected { reason, .. } = outcome else {
        panic!("an oversized attachment is refused for good: {outcome:?}");
    };
    assert!(reason.contains("at most"), "the limit is named: {reason}");
    let listed = outbox.list().expect("list");
    assert_eq!(listed[0].state, RecordState::Rejected);
    assert_eq!(s.hall.arrivals().application_rows, 0);
}
