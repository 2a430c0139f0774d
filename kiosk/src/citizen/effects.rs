//! Carries out what the session machine asks ([`Effect`]) and feeds the answers back as
//! events: prints through the device manager's printer, stores submissions durably in the
//! outbox before anything is sent, asks the hall, speaks, counts.
//!
//! Each effect that waits (printing, the hall) runs on its own task, so a slow hall never
//! holds up a touch; its answer comes back through the session's event channel.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hall_api::application::ApplicationReceipt;
use hall_api::appointment::AppointmentReceipt;
use hall_api::attachment::{PrintFailure, PrintableQuery};
use hall_api::error::ErrorCode;
use kiosk_drivers::a4printer::A4Error;
use kiosk_drivers::printer::Receipt;
use kiosk_drivers::status::{ClassStatus, PaperState};
use kiosk_drivers::ErrorKind;
use tokio::sync::mpsc::UnboundedSender;

use crate::citizen::a4::a4_document;
use crate::delivery::{Delivery, Outcome};
use crate::devices::{A4Handle, CameraHandle, DeviceError, PrinterHandle};
use crate::hall::{HallClient, HallError};
use crate::health::metrics::SessionCounts;
use crate::outbox::RecordKind;
use crate::session::{
    BookOutcome, CaptureProblem, DocBytes, DocKind, Effect, EndReason, Event, LookupResult,
    PrintDoc, PrintOutcome, ProgressLookup, ScannedDoc, SubmitOutcome,
};
use crate::uploads::{over_limits, sha256_hex, Sized};

/// How long the citizen waits for the hall before the application is kept for later.
pub const SUBMIT_DEADLINE: Duration = Duration::from_secs(8);
/// As [`SUBMIT_DEADLINE`] for an application with photographed materials: the pages go
/// first (a few hundred KB each); past this the worker finishes the upload.
pub const UPLOAD_DEADLINE: Duration = Duration::from_secs(20);
/// How long the hall's upload limits are waited for before the built-in ones are used.
const LIMITS_WAIT: Duration = Duration::from_secs(3);

/// A material's pages as one PDF (the drivers' `material_pdf`), with its hash.
pub fn assemble(pages: &[DocBytes]) -> Result<ScannedDoc, CaptureProblem> {
    let pages_in: Vec<kiosk_drivers::camera::Page> = pages
        .iter()
        .map(|p| kiosk_drivers::camera::Page {
            jpeg: p.bytes().to_vec(),
            corners: kiosk_drivers::camera::Corners([(0.0, 0.0); 4]),
            quality: 0,
        })
        .collect();
    let pdf = kiosk_drivers::camera::material_pdf(&pages_in);
    // The copies handed to the PDF writer are the citizen's pages too.
    for mut page in pages_in {
        zeroize::Zeroize::zeroize(&mut page.jpeg);
    }
    let pdf = pdf.map_err(|err| {
        tracing::warn!(%err, "a material's pages could not be made into a PDF");
        CaptureProblem::Unreadable
    })?;
    Ok(ScannedDoc {
        sha256: sha256_hex(&pdf),
        pages: u32::try_from(pages.len()).unwrap_or(u32::MAX),
        pdf: DocBytes::new(pdf),
    })
}

/// What carries out the session's effects. The service's is [`Executor`] (outbox, hall,
/// printers, voice); the rehearsal's is [`super::rehearsal::StubEffects`] (answers from
/// fixtures, for the preview, screenshots and UI tests). Answers go back as session events.
pub trait Effects {
    /// Starts one effect; answers, if any, arrive later as events.
    fn run(&self, effect: Effect);
}

impl Effects for Executor {
    fn run(&self, effect: Effect) {
        Executor::run(self, effect);
    }
}

/// Where effects go: the outbox and hall, the printer, the voice, the counters.
#[derive(Clone)]
pub struct Executor {
    /// Outbox and delivery.
    pub delivery: Arc<Delivery>,
    /// Direct questions to the hall (progress, slots, bookings).
    pub hall: HallClient,
    /// The printer, if the kiosk has one.
    pub printer: Option<PrinterHandle>,
    /// The A4 printer, if the kiosk has one: the 一次性告知 list and the A4 受理回执.
    pub a4: Option<A4Handle>,
    /// The document camera, if the kiosk has one: materials photographed page by page.
    pub camera: Option<CameraHandle>,
    /// The hall's name, the A4 pages' header.
    pub hall_name: String,
    /// Answers go back to the session through here.
    pub events: UnboundedSender<Event>,
    /// How sessions ended.
    pub sessions: Arc<Mutex<SessionCounts>>,
    /// Ratings given, by level 1–5.
    pub ratings: Arc<Mutex<[u64; 5]>>,
    /// The voice of elder mode.
    pub speech: Arc<dyn kiosk_ui::speech::SpeechOutput + Send + Sync>,
    /// Printed at the foot of every document: the kiosk's id.
    pub kiosk_id: String,
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("kiosk_id", &self.kiosk_id)
            .finish_non_exhaustive()
    }
}

/// The printer's layout of a session document.
pub fn receipt_of(doc: &PrintDoc, kiosk_id: &str) -> Receipt {
    let mut r = Receipt::new();
    r.title(doc.title.clone());
    r.separator();
    for line in &doc.lines {
        r.text(line.clone());
    }
    if let Some(qr) = &doc.qr {
        r.qr(qr.clone(), doc.qr_caption());
    }
    r.footer(format!("自助终端 {kiosk_id}"));
    r
}

/// Which paper a document goes on: (A4, receipt roll). With an A4 printer ready, the
/// 一次性告知 list goes on A4 only (a long list is hard to read on a roll), the receipt on
/// both (the slip to keep, the page to hand in or file), the appointment slip on the roll;
/// whatever has no other paper goes on the one there is.
pub fn paper_for(kind: DocKind, a4_ready: bool, roll_fitted: bool) -> (bool, bool) {
    match (kind, a4_ready, roll_fitted) {
        (_, false, _) => (false, true),
        (_, true, false) => (true, false),
        (DocKind::Guide, true, true) => (true, false),
        (DocKind::Receipt, true, true) => (true, true),
        (DocKind::Slip, true, true) => (false, true),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Executor {
    fn send(&self, event: Event) {
        // The session loop is gone only at shutdown; then the answer has nobody to go to.
        let _ = self.events.send(event);
    }

    /// Starts one effect; waiting ones continue on their own task.
    pub fn run(&self, effect: Effect) {
        tracing::debug!(?effect, "session effect");
        match effect {
            Effect::Print(doc) => self.print(doc),
            Effect::Submit {
                idempotency_key,
                payload,
                attachments,
            } => {
                let this = self.clone();
                tokio::spawn(
                    async move { this.submit(idempotency_key, payload, attachments).await },
                );
            }
            Effect::TakePage { request } => {
                let this = self.clone();
                tokio::spawn(async move {
                    let result = this.take_page().await;
                    this.send(Event::PageTaken { request, result });
                });
            }
            Effect::AssembleMaterial {
                request,
                code,
                pages,
            } => {
                let this = self.clone();
                tokio::spawn(async move {
                    let count = pages.len();
                    let result = tokio::task::spawn_blocking(move || assemble(&pages))
                        .await
                        .unwrap_or(Err(CaptureProblem::Unreadable));
                    match &result {
                        Ok(doc) => {
                            tracing::info!(%code, pages = count, bytes = doc.pdf.len(), "material made into one PDF")
                        }
                        Err(problem) => {
                            tracing::warn!(%code, pages = count, ?problem, "material PDF not made")
                        }
                    }
                    this.send(Event::MaterialAssembled { request, result });
                });
            }
            Effect::SubmitRating {
                idempotency_key,
                payload,
            } => {
                if (1..=5).contains(&payload.level) {
                    lock(&self.ratings)[usize::from(payload.level) - 1] += 1;
                }
                self.store(RecordKind::Rating, idempotency_key, &payload);
            }
            Effect::SubmitComplaint {
                idempotency_key,
                payload,
            } => self.store(RecordKind::Complaint, idempotency_key, &payload),
            Effect::SubmitHelpRequest {
                idempotency_key,
                payload,
            } => {
                let this = self.clone();
                tokio::spawn(async move { this.call_for_help(idempotency_key, payload).await });
            }
            Effect::FetchProgress { request, lookup } => {
                let this = self.clone();
                tokio::spawn(async move {
                    let result = match lookup {
                        ProgressLookup::Receipt(query) => {
                            match lookup_result(this.hall.progress(&query).await) {
                                LookupResult::Found(p) => LookupResult::Found(vec![p]),
                                LookupResult::NotFound => LookupResult::NotFound,
                                LookupResult::Unreachable => LookupResult::Unreachable,
                            }
                        }
                        ProgressLookup::IdNumber(query) => {
                            match lookup_result(
                                this.hall.progress_by_id_number(&query.id_number).await,
                            ) {
                                LookupResult::Found(list) if list.applications.is_empty() => {
                                    LookupResult::NotFound
                                }
                                LookupResult::Found(list) => LookupResult::Found(list.applications),
                                LookupResult::NotFound => LookupResult::NotFound,
                                LookupResult::Unreachable => LookupResult::Unreachable,
                            }
                        }
                    };
                    this.send(Event::ProgressFetched { request, result });
                });
            }
            Effect::FetchReusableMaterials { request, query } => {
                let this = self.clone();
                tokio::spawn(async move {
                    let result = this.hall.reusable_materials(&query.id_number).await.ok();
                    this.send(Event::ReusableMaterialsFetched { request, result });
                });
            }
            Effect::FetchKnownContact { request, query } => {
                let this = self.clone();
                tokio::spawn(async move {
                    let result = this.hall.known_contact(&query.id_number).await.ok();
                    this.send(Event::KnownContactFetched { request, result });
                });
            }
            Effect::FetchSlots {
                request,
                department,
            } => {
                let this = self.clone();
                tokio::spawn(async move {
                    let result = lookup_result(this.hall.slots(&department).await);
                    this.send(Event::SlotsFetched { request, result });
                });
            }
            Effect::Book {
                idempotency_key,
                payload,
            } => {
                let this = self.clone();
                tokio::spawn(async move { this.book(idempotency_key, payload).await });
            }
            Effect::FetchAppointment { request, reference } => {
                let this = self.clone();
                tokio::spawn(async move {
                    let result = lookup_result(this.hall.appointment(&reference).await);
                    this.send(Event::AppointmentFetched { request, result });
                });
            }
            Effect::FetchPrintable { request, proof } => {
                let this = self.clone();
                tokio::spawn(async move {
                    let result = match lookup_result(this.hall.printable(&proof).await) {
                        LookupResult::Found(list) => LookupResult::Found(list.documents),
                        LookupResult::NotFound => LookupResult::NotFound,
                        LookupResult::Unreachable => LookupResult::Unreachable,
                    };
                    this.send(Event::PrintableFetched { request, result });
                });
            }
            Effect::PrintResultDocument {
                request,
                document_id,
                title,
                proof,
            } => {
                let this = self.clone();
                tokio::spawn(async move {
                    let outcome = this.print_result(&document_id, &title, &proof).await;
                    this.send(Event::ResultDocumentPrinted { request, outcome });
                });
            }
            Effect::Speak(text) => {
                if let Err(err) = self.speech.speak(&text) {
                    tracing::warn!(%err, "voice prompt not spoken");
                }
            }
            Effect::WipePersonalData => {
                // The session state already dropped (and zeroized) its copies; the card the
                // manager decoded is dropped with the last event that carried it.
                tracing::info!("session personal data wiped");
            }
            Effect::SessionEnded(reason) => {
                let mut counts = lock(&self.sessions);
                match reason {
                    EndReason::Completed => counts.completed += 1,
                    EndReason::Cancelled | EndReason::NewCitizen => counts.abandoned += 1,
                    EndReason::Timeout => counts.timeout += 1,
                }
                tracing::info!(reason = reason.label(), "session ended");
            }
        }
    }

    fn print(&self, doc: PrintDoc) {
        let a4 = self.a4.clone().filter(A4Handle::usable);
        let (on_a4, on_roll) = paper_for(doc.kind, a4.is_some(), self.printer.is_some());
        if let (true, Some(a4)) = (on_a4, a4) {
            let page = a4_document(&doc, &self.hall_name, &self.kiosk_id);
            let (this, title) = (self.clone(), doc.title.clone());
            tokio::spawn(async move {
                match a4.print_receipt(&page, &title).await {
                    Ok(job) => tracing::info!(%title, job = job.job_id, "printed on A4"),
                    Err(err) => {
                        tracing::warn!(%err, %title, "A4 print failed");
                        // Only news for the citizen when nothing else prints it.
                        if !on_roll {
                            this.send(Event::PrintFailed);
                        }
                    }
                }
            });
        }
        if !on_roll {
            if !on_a4 {
                self.send(Event::PrintFailed);
            }
            return;
        }
        let Some(printer) = self.printer.clone() else {
            self.send(Event::PrintFailed);
            return;
        };
        let receipt = receipt_of(&doc, &self.kiosk_id);
        let this = self.clone();
        tokio::spawn(async move {
            match printer.print(receipt).await {
                Ok(result) => {
                    tracing::info!(title = %doc.title, confirmation = ?result.confirmation, "printed")
                }
                Err(err) => {
                    tracing::warn!(%err, title = %doc.title, "print failed; the document is shown on screen");
                    this.send(Event::PrintFailed);
                }
            }
        });
    }

    /// 自助打印 of one copy: the hall uses the copy up and hands out the PDF (kept in a wiping
    /// buffer, never written anywhere), the A4 printer prints it and the job is followed to
    /// its end. If the printer does not print it, a stalled job is cancelled (so it does not
    /// come out when its citizen has gone) and the copy is given back to the hall; a job that
    /// cannot be cancelled keeps the copy used (it may still come out: staff sort it out).
    pub async fn print_result(
        &self,
        document_id: &str,
        title: &str,
        proof: &PrintableQuery,
    ) -> PrintOutcome {
        let Some(a4) = self.a4.clone().filter(A4Handle::usable) else {
            tracing::info!(document = %document_id, "result document not fetched: the A4 printer is not ready");
            return PrintOutcome::PrinterUnavailable;
        };
        let (copy, pdf) = match self.hall.print_copy(document_id, proof).await {
            Ok(answer) => answer,
            Err(HallError::Refused { body, .. }) if body.code == ErrorCode::CopiesUsed => {
                return PrintOutcome::CopiesUsed
            }
            Err(HallError::Refused { body, .. }) if body.code == ErrorCode::NotFound => {
                return PrintOutcome::NotFound
            }
            Err(err) => {
                tracing::warn!(%err, document = %document_id, "result document not fetched from the hall");
                return PrintOutcome::HallUnreachable;
            }
        };
        let bytes = pdf.len();
        let err = match a4.print_pdf(pdf, title).await {
            Ok(job) => {
                tracing::info!(document = %document_id, copy, bytes, job = job.job_id, "result document printed");
                return PrintOutcome::Printed { copy };
            }
            Err(err) => err,
        };
        // What the printer says now (its state is refreshed after every job) names the cause
        // better than the job's end: an aborted job on an empty tray is "paper out".
        let failure = match a4.status().detail {
            ClassStatus::A4Printer {
                paper: PaperState::Out,
                ..
            } => PrintFailure::PaperOut,
            ClassStatus::A4Printer {
                cover_open: true, ..
            } => PrintFailure::CoverOpen,
            _ => print_failure(&err),
        };
        tracing::warn!(%err, document = %document_id, copy, failure = failure.as_str(), "result document not printed");
        if let DeviceError::A4(A4Error::JobStalled { job_id, .. }) = &err {
            if let Err(cancel) = a4.cancel(*job_id).await {
                tracing::error!(%cancel, document = %document_id, copy, job = job_id, "a stalled result document job could not be cancelled; its copy stays used (it may still come out)");
                return PrintOutcome::PrinterFailed {
                    failure,
                    given_back: false,
                };
            }
        }
        let given_back = match self
            .hall
            .print_failed(document_id, copy, proof, failure)
            .await
        {
            Ok(left) => {
                tracing::info!(document = %document_id, copy, copies_left = left.copies_left, "copy given back to the hall");
                true
            }
            Err(err) => {
                tracing::error!(%err, document = %document_id, copy, "copy not given back to the hall; staff must allow another");
                false
            }
        };
        PrintOutcome::PrinterFailed {
            failure,
            given_back,
        }
    }

    /// Ratings, complaints, help requests: saved, then delivered by the worker (nobody waits).
    fn store<T: serde::Serialize>(&self, kind: RecordKind, key: String, payload: &T) {
        let body = match crate::outbox::to_json_wiped(payload) {
            Ok(body) => body,
            Err(err) => {
                tracing::error!(%err, kind = kind.as_str(), "cannot encode a submission");
                return;
            }
        };
        let delivery = self.delivery.clone();
        tokio::spawn(async move {
            match delivery.submit_now(kind, key, body, SUBMIT_DEADLINE).await {
                Ok(outcome) => tracing::info!(
                    kind = kind.as_str(),
                    outcome = outcome_label(&outcome),
                    "submission stored"
                ),
                Err(err) => {
                    tracing::error!(%err, kind = kind.as_str(), "cannot save a submission on this kiosk")
                }
            }
        });
    }

    /// A page from the camera through its page pipeline (on the camera's thread).
    async fn take_page(&self) -> Result<DocBytes, CaptureProblem> {
        let Some(camera) = self.camera.clone() else {
            return Err(CaptureProblem::CameraUnavailable);
        };
        let shot = tokio::task::spawn_blocking(move || camera.still(true))
            .await
            .map_err(|_| CaptureProblem::CameraUnavailable)?;
        match shot {
            Ok(shot) => match shot.page {
                Some(page) => {
                    tracing::info!(
                        bytes = page.jpeg.len(),
                        quality = page.quality,
                        "page taken"
                    );
                    Ok(DocBytes::new(page.jpeg))
                }
                None => Err(CaptureProblem::Unreadable),
            },
            Err(DeviceError::Page(err)) => {
                tracing::info!(%err, "no page in the photo; the citizen is asked to retake it");
                Err(CaptureProblem::NoSheet)
            }
            Err(err) => {
                tracing::warn!(%err, "the document camera did not take a page");
                Err(CaptureProblem::CameraUnavailable)
            }
        }
    }

    async fn submit(
        &self,
        key: String,
        payload: hall_api::application::CreateApplication,
        attachments: Vec<ScannedDoc>,
    ) {
        if !attachments.is_empty() {
            let limits = self.delivery.attachment_limits(LIMITS_WAIT).await;
            let sized: Vec<Sized> = payload
                .materials
                .iter()
                .filter_map(|m| {
                    let doc = attachments
                        .iter()
                        .find(|a| m.attachments.first() == Some(&a.sha256))?;
                    Some(Sized {
                        code: m.code.clone(),
                        pages: doc.pages,
                        bytes: doc.pdf.len() as u64,
                    })
                })
                .collect();
            let errors = over_limits(&limits, &sized);
            if !errors.is_empty() {
                let total: u64 = sized.iter().map(|s| s.bytes).sum();
                for e in &errors {
                    tracing::warn!(
                        field = %e.field,
                        total_bytes = total,
                        max_attachment = limits.max_attachment_bytes,
                        max_application = limits.max_application_bytes,
                        max_page = limits.max_page_bytes,
                        "application not stored: a photographed material is over the hall's upload limits; the citizen is asked to take fewer pages or hand it in at the window"
                    );
                }
                self.send(Event::SubmitResult {
                    key,
                    outcome: SubmitOutcome::Refused(errors),
                });
                return;
            }
        }
        let body = match crate::outbox::to_json_wiped(&payload) {
            Ok(body) => body,
            Err(err) => {
                tracing::error!(%err, "cannot encode an application");
                return;
            }
        };
        drop(payload);
        let saved = if attachments.is_empty() {
            self.delivery
                .submit_now(RecordKind::Application, key.clone(), body, SUBMIT_DEADLINE)
                .await
        } else {
            let pdfs = attachments.into_iter().map(|a| a.pdf).collect();
            self.delivery
                .submit_with_attachments(key.clone(), body, pdfs, UPLOAD_DEADLINE)
                .await
        };
        let outcome = match saved {
            Ok(Outcome::Delivered(answer)) => {
                match serde_json::from_slice::<ApplicationReceipt>(&answer) {
                    Ok(receipt) => SubmitOutcome::Delivered(receipt),
                    Err(err) => {
                        // Delivered, but the answer is unreadable: the hall has it; the
                        // receipt says it is saved and the code comes from the hall later.
                        tracing::warn!(%err, "the hall's receipt could not be read");
                        SubmitOutcome::Queued
                    }
                }
            }
            Ok(Outcome::Queued { .. }) => SubmitOutcome::Queued,
            Ok(Outcome::Rejected { fields, .. }) => SubmitOutcome::Refused(fields),
            Err(err) => {
                // Not even saved (disk full, outbox broken): the citizen must not be told
                // it will be sent. Refused with no field errors shows "not accepted".
                tracing::error!(%err, "cannot save an application on this kiosk");
                SubmitOutcome::Refused(Vec::new())
            }
        };
        self.send(Event::SubmitResult { key, outcome });
    }

    /// Sends a help request like any submission (saved first, so it is never lost) and tells
    /// the session whether the hall passed it on to the on-duty staff: anything short of the
    /// hall's word (queued, refused, unreadable, not even saved) means "call the hotline".
    async fn call_for_help(&self, key: String, payload: hall_api::feedback::CreateHelpRequest) {
        let body = match crate::outbox::to_json_wiped(&payload) {
            Ok(body) => body,
            Err(err) => {
                tracing::error!(%err, "cannot encode a help request");
                self.send(Event::HelpAnswered {
                    key,
                    notified: false,
                });
                return;
            }
        };
        drop(payload);
        let notified = match self
            .delivery
            .submit_now(RecordKind::HelpRequest, key.clone(), body, SUBMIT_DEADLINE)
            .await
        {
            Ok(Outcome::Delivered(answer)) => {
                match serde_json::from_slice::<hall_api::feedback::TicketReceipt>(&answer) {
                    Ok(receipt) => receipt.on_duty_notified,
                    Err(err) => {
                        tracing::warn!(%err, "the hall's ticket receipt could not be read");
                        false
                    }
                }
            }
            Ok(outcome) => {
                tracing::info!(
                    outcome = outcome_label(&outcome),
                    "help request not passed on now"
                );
                false
            }
            Err(err) => {
                tracing::error!(%err, "cannot save a help request on this kiosk");
                false
            }
        };
        tracing::info!(notified, "help request answered");
        self.send(Event::HelpAnswered { key, notified });
    }

    async fn book(&self, key: String, payload: hall_api::appointment::CreateAppointment) {
        let body = match crate::outbox::to_json_wiped(&payload) {
            Ok(body) => body,
            Err(err) => {
                tracing::error!(%err, "cannot encode a booking");
                return;
            }
        };
        // A booking is only worth anything if it is confirmed now: it does not go through
        // the outbox. The idempotency key makes a retried booking the same booking.
        let attempt = tokio::time::timeout(
            SUBMIT_DEADLINE,
            self.hall.submit(RecordKind::Appointment, &key, &body),
        )
        .await;
        let outcome = match attempt {
            Ok(Ok(answer)) => match serde_json::from_slice::<AppointmentReceipt>(&answer) {
                Ok(receipt) => BookOutcome::Booked(receipt),
                Err(_) => BookOutcome::Unreachable,
            },
            Ok(Err(HallError::Refused { body, .. })) if !body.code.is_retryable() => {
                BookOutcome::Refused(body.fields)
            }
            Ok(Err(err)) => {
                tracing::info!(%err, "booking not confirmed");
                BookOutcome::Unreachable
            }
            Err(_) => BookOutcome::Unreachable,
        };
        self.send(Event::BookResult { key, outcome });
    }
}

/// What the hall records for a copy the A4 printer did not print.
fn print_failure(err: &DeviceError) -> PrintFailure {
    match err {
        DeviceError::A4(e) => match e.kind() {
            ErrorKind::PaperOut => PrintFailure::PaperOut,
            ErrorKind::CoverOpen => PrintFailure::CoverOpen,
            ErrorKind::NotFound | ErrorKind::Disconnected | ErrorKind::Timeout => {
                PrintFailure::PrinterOffline
            }
            _ => PrintFailure::JobFailed,
        },
        DeviceError::NotFitted(_) | DeviceError::NotConnected(_) | DeviceError::Stopped => {
            PrintFailure::PrinterOffline
        }
        _ => PrintFailure::JobFailed,
    }
}

fn outcome_label(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Delivered(_) => "delivered",
        Outcome::Queued { .. } => "queued",
        Outcome::Rejected { .. } => "rejected",
    }
}

fn lookup_result<T>(result: Result<T, HallError>) -> LookupResult<T> {
    match result {
        Ok(found) => LookupResult::Found(found),
        Err(HallError::Refused { body, .. }) if body.code == ErrorCode::NotFound => {
            LookupResult::NotFound
        }
        Err(err) => {
            tracing::info!(%err, "hall lookup failed");
            LookupResult::Unreachable
        }
    }
}
