//! A rehearsal of the citizen session with no hall and no devices attached: the real session
//! machine ([`step`]), a clock the caller moves, the ID cards of the card reader's simulator,
//! and [`StubEffects`], the effect executor's stand-in behind the same [`Effects`] trait, which
//! answers the hall's questions from fixtures and keeps nothing personal.
//!
//! The preview window (`kioskctl preview`), `kioskctl screenshots`, the UI tests and the redraw
//! benchmark run on it, so what they show is what the session does.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use hall_api::application::{
    ApplicationReceipt, Progress, ReusableMaterial, ReusableMaterials, Status, Subject,
    TimelineEntry,
};
use hall_api::appointment::{AppointmentReceipt, Slot, SlotList};
use hall_api::attachment::{PrintFailure, PrintableDocument};
use hall_api::catalog::Catalog;
use kiosk_config::Config;
use kiosk_drivers::idcard::sim::card_file::sample_card;
use kiosk_drivers::status::DeviceClass;

use super::devices::citizen_from_card;
use super::effects::Effects;
use super::runner::{local_time, most_used, session_config};
use crate::session::capture::{CaptureProblem, DocBytes};
use crate::session::{
    step, BookOutcome, Effect, Event, LookupResult, Now, PrintOutcome, Session, SessionError,
    SubmitOutcome, UiInput,
};

/// The catalog rehearsals use: five items of four departments and one 一件事 bundle, the same
/// file the session's tests use.
pub fn sample_catalog() -> Arc<Catalog> {
    let text = include_str!("../../tests/data/session_catalog.json");
    // The file is part of the build and checked by the tests; an empty catalog is the
    // fallback should it ever not parse.
    Arc::new(serde_json::from_str(text).unwrap_or_else(|err| {
        tracing::error!(%err, "the sample catalog does not parse");
        Catalog {
            version: "empty".into(),
            departments: Vec::new(),
            items: Vec::new(),
            bundles: Vec::new(),
            partners: Vec::new(),
        }
    }))
}

/// A photographed page as the camera's page pipeline leaves it: an A4 sheet (at 50 dpi, to
/// keep rehearsals quick) in grey with lines of "text", as JPEG.
fn sample_page() -> Option<DocBytes> {
    let (w, h) = (413u32, 585u32);
    let img = image::GrayImage::from_fn(w, h, |x, y| {
        let line = (y % 24) < 6 && y > 60 && y < h - 60 && x > 40 && x < w - 40;
        image::Luma([if line { 40 } else { 245 }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageLuma8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .ok()?;
    Some(DocBytes::new(out.into_inner()))
}

/// The rehearsal's hall: answers from fixtures, with a switch for "unreachable".
#[derive(Debug)]
pub struct StubEffects {
    answers: mpsc::Sender<Event>,
    catalog: Arc<Catalog>,
    now: Mutex<Option<Now>>,
    reachable: AtomicBool,
    holds_materials: AtomicBool,
    paper_out: AtomicBool,
    holding: AtomicBool,
    held: Mutex<Vec<Event>>,
    page_problem: Mutex<Option<CaptureProblem>>,
    seq: AtomicU32,
    printed: Mutex<Vec<String>>,
    owed: Mutex<Vec<String>>,
    spoken: Mutex<Vec<String>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl StubEffects {
    /// A stub answering into `answers`, naming items from `catalog`.
    pub fn new(answers: mpsc::Sender<Event>, catalog: Arc<Catalog>) -> StubEffects {
        StubEffects {
            answers,
            catalog,
            now: Mutex::new(None),
            reachable: AtomicBool::new(true),
            holds_materials: AtomicBool::new(true),
            paper_out: AtomicBool::new(false),
            holding: AtomicBool::new(false),
            held: Mutex::new(Vec::new()),
            page_problem: Mutex::new(None),
            seq: AtomicU32::new(0),
            printed: Mutex::new(Vec::new()),
            owed: Mutex::new(Vec::new()),
            spoken: Mutex::new(Vec::new()),
        }
    }

    /// Whether the hall answers (else submissions are queued and lookups fail as unreachable).
    pub fn set_reachable(&self, reachable: bool) {
        self.reachable.store(reachable, Ordering::SeqCst);
    }

    /// Whether the hall holds a material of the citizen's from before (已有材料, the first
    /// material of the first item); without one, a material the camera may photograph keeps
    /// the materials page on the path.
    pub fn set_holds_materials(&self, holds: bool) {
        self.holds_materials.store(holds, Ordering::SeqCst);
    }

    /// Whether the A4 printer runs out of paper on the next 自助打印 (the copy is then given
    /// back, as the service does).
    pub fn set_paper_out(&self, out: bool) {
        self.paper_out.store(out, Ordering::SeqCst);
    }

    /// Keeps the hall's answers back until [`release`](Self::release) (to see the screens a
    /// citizen sees while waiting).
    pub fn hold(&self) {
        self.holding.store(true, Ordering::SeqCst);
    }

    /// Makes every page the camera takes fail with `problem` (none: pages are taken again).
    pub fn fail_pages(&self, problem: Option<CaptureProblem>) {
        *lock(&self.page_problem) = problem;
    }

    /// Sends the answers held back and stops holding.
    pub fn release(&self) {
        self.holding.store(false, Ordering::SeqCst);
        for event in lock(&self.held).drain(..) {
            let _ = self.answers.send(event);
        }
    }

    /// The titles of the documents printed so far (titles only: no personal data is kept).
    pub fn printed(&self) -> Vec<String> {
        lock(&self.printed).clone()
    }

    /// The "请补交材料：…" lines of the receipts printed so far (material names only).
    pub fn owed(&self) -> Vec<String> {
        lock(&self.owed).clone()
    }

    /// What was spoken so far.
    pub fn spoken(&self) -> Vec<String> {
        lock(&self.spoken).clone()
    }

    fn set_now(&self, now: Now) {
        *lock(&self.now) = Some(now);
    }

    fn now(&self) -> Now {
        (*lock(&self.now)).unwrap_or_else(|| Now {
            mono: Duration::ZERO,
            utc: Utc::now(),
            today: local_time(Utc::now()).date_naive(),
        })
    }

    fn answer(&self, event: Event) {
        if self.holding.load(Ordering::SeqCst) {
            lock(&self.held).push(event);
        } else {
            let _ = self.answers.send(event);
        }
    }

    fn reachable(&self) -> bool {
        self.reachable.load(Ordering::SeqCst)
    }

    fn next(&self) -> u32 {
        self.seq.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// The hall's slots for a department: the next five working days, four half-hour slots a
    /// morning, some already taken.
    pub fn slots(department: &str, today: NaiveDate) -> SlotList {
        let mut slots = Vec::new();
        let mut day = today;
        let mut days = 0;
        while days < 5 {
            day = day.succ_opt().unwrap_or(day);
            if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                continue;
            }
            days += 1;
            for (i, (start, end)) in [
                ("09:00", "09:30"),
                ("09:30", "10:00"),
                ("10:00", "10:30"),
                ("10:30", "11:00"),
            ]
            .into_iter()
            .enumerate()
            {
                let remaining = u32::try_from((days + i) % 4).unwrap_or(0);
                slots.push(Slot {
                    id: format!("{department}.{day}.{}", start.replace(':', "")),
                    department: department.to_owned(),
                    date: day,
                    start: start.into(),
                    end: end.into(),
                    capacity: 4,
                    remaining,
                });
            }
        }
        SlotList { slots }
    }

    fn progress(&self, now: &Now) -> Vec<Progress> {
        let Some(item) = self.catalog.items.first() else {
            return Vec::new();
        };
        let day = |d: i64| now.utc - chrono::Duration::days(d);
        vec![Progress {
            tracking_code: format!(
                "LA{}-0007",
                (now.today - chrono::Days::new(3)).format("%Y%m%d")
            ),
            subject: Subject::Item(item.code.clone()),
            subject_name: item.name.clone(),
            status: Status::Processing,
            timeline: vec![
                TimelineEntry {
                    status: Status::Submitted,
                    at: day(3),
                    note: None,
                },
                TimelineEntry {
                    status: Status::Accepted,
                    at: day(2),
                    note: None,
                },
                TimelineEntry {
                    status: Status::Processing,
                    at: day(1),
                    note: None,
                },
            ],
            promised_by: now.today + chrono::Days::new(12),
            mailed: true,
            rated: false,
            handled_by: None,
        }]
    }

    /// The result documents staff attached: two of the first item's application, concluded
    /// last week.
    fn printable(&self, now: &Now) -> Vec<PrintableDocument> {
        let Some(item) = self.catalog.items.first() else {
            return Vec::new();
        };
        let code = format!(
            "LA{}-0007",
            (now.today - chrono::Days::new(9)).format("%Y%m%d")
        );
        [
            ("doc-1", "准予登记通知书", 2),
            ("doc-2", "办理结果告知书", 1),
        ]
        .into_iter()
        .map(|(id, title, copies_left)| PrintableDocument {
            id: id.into(),
            tracking_code: code.clone(),
            subject_name: item.name.clone(),
            title: title.into(),
            bytes: 48_213,
            copies_left,
            attached_at: now.utc - chrono::Duration::days(2),
        })
        .collect()
    }

    fn reusable(&self, now: &Now) -> ReusableMaterials {
        // The first material of the first item, handed in a month ago, valid for a year.
        let materials = self
            .catalog
            .items
            .iter()
            .flat_map(|i| i.materials.iter())
            .take(usize::from(self.holds_materials.load(Ordering::SeqCst)))
            .map(|m| ReusableMaterial {
                code: m.code.clone(),
                name: m.name.clone(),
                handed_in_at: now.utc - chrono::Duration::days(30),
                attachments: Vec::new(),
                valid_until: Some(now.utc + chrono::Duration::days(335)),
            })
            .collect();
        ReusableMaterials {
            materials,
            documents: Vec::new(),
        }
    }
}

impl Effects for StubEffects {
    fn run(&self, effect: Effect) {
        let now = self.now();
        let up = self.reachable();
        match effect {
            Effect::Print(doc) => {
                lock(&self.printed).push(doc.title.clone());
                // What a receipt asks to hand in later (material names only).
                lock(&self.owed).extend(
                    doc.lines
                        .iter()
                        .filter(|l| l.starts_with("请补交材料"))
                        .cloned(),
                );
            }
            Effect::Speak(text) => lock(&self.spoken).push(text),
            Effect::Submit {
                idempotency_key,
                payload,
                ..
            } => {
                let outcome = if up {
                    let n = self.next();
                    SubmitOutcome::Delivered(ApplicationReceipt {
                        id: format!("rehearsal-{n}"),
                        tracking_code: format!("LA{}-{n:04}", now.today.format("%Y%m%d")),
                        verifier: "q7Xk2m".into(),
                        subject: payload.subject.clone(),
                        status: Status::Submitted,
                        received_at: now.utc,
                        promised_by: now.today + chrono::Days::new(15),
                    })
                } else {
                    SubmitOutcome::Queued
                };
                self.answer(Event::SubmitResult {
                    key: idempotency_key,
                    outcome,
                });
            }
            Effect::SubmitHelpRequest {
                idempotency_key, ..
            } => self.answer(Event::HelpAnswered {
                key: idempotency_key,
                notified: up,
            }),
            Effect::FetchProgress { request, .. } => self.answer(Event::ProgressFetched {
                request,
                result: if up {
                    LookupResult::Found(self.progress(&now))
                } else {
                    LookupResult::Unreachable
                },
            }),
            Effect::FetchReusableMaterials { request, .. } => {
                self.answer(Event::ReusableMaterialsFetched {
                    request,
                    result: up.then(|| self.reusable(&now)),
                })
            }
            Effect::FetchKnownContact { request, .. } => self.answer(Event::KnownContactFetched {
                request,
                result: None,
            }),
            Effect::FetchSlots {
                request,
                department,
            } => self.answer(Event::SlotsFetched {
                request,
                result: if up {
                    LookupResult::Found(StubEffects::slots(&department, now.today))
                } else {
                    LookupResult::Unreachable
                },
            }),
            Effect::Book {
                idempotency_key,
                payload,
            } => {
                let slot = payload
                    .slot_id
                    .split('.')
                    .next()
                    .map(|dept| StubEffects::slots(dept, now.today))
                    .and_then(|list| list.slots.into_iter().find(|s| s.id == payload.slot_id));
                let outcome = match (up, slot) {
                    (false, _) => BookOutcome::Unreachable,
                    (true, None) => BookOutcome::Refused(Vec::new()),
                    (true, Some(mut slot)) => {
                        slot.remaining = slot.remaining.saturating_sub(1);
                        let n = self.next();
                        BookOutcome::Booked(AppointmentReceipt {
                            id: format!("booking-{n}"),
                            reference: format!("YY-{}-{n:04}", now.today.format("%Y%m%d")),
                            slot,
                            booked_at: now.utc,
                        })
                    }
                };
                self.answer(Event::BookResult {
                    key: idempotency_key,
                    outcome,
                });
            }
            Effect::TakePage { request } => self.answer(Event::PageTaken {
                request,
                result: match *lock(&self.page_problem) {
                    Some(problem) => Err(problem),
                    None => sample_page().ok_or(CaptureProblem::CameraUnavailable),
                },
            }),
            Effect::AssembleMaterial { request, pages, .. } => {
                self.answer(Event::MaterialAssembled {
                    request,
                    result: super::effects::assemble(&pages),
                })
            }
            Effect::FetchPrintable { request, .. } => self.answer(Event::PrintableFetched {
                request,
                result: if up {
                    LookupResult::Found(self.printable(&now))
                } else {
                    LookupResult::Unreachable
                },
            }),
            Effect::PrintResultDocument { request, title, .. } => {
                let outcome = if !up {
                    PrintOutcome::HallUnreachable
                } else if self.paper_out.load(Ordering::SeqCst) {
                    PrintOutcome::PrinterFailed {
                        failure: PrintFailure::PaperOut,
                        given_back: true,
                    }
                } else {
                    lock(&self.printed).push(title);
                    PrintOutcome::Printed { copy: 1 }
                };
                self.answer(Event::ResultDocumentPrinted { request, outcome });
            }
            Effect::FetchAppointment { request, .. } => self.answer(Event::AppointmentFetched {
                request,
                result: LookupResult::NotFound,
            }),
            Effect::SubmitRating { .. }
            | Effect::SubmitComplaint { .. }
            | Effect::WipePersonalData
            | Effect::SessionEnded(_) => {}
        }
    }
}

/// Why a rehearsal cannot do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum RehearsalError {
    /// The session configuration is refused.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// No such sample card in the card reader's simulator.
    #[error("no sample ID card {name:?} in the card reader simulator: {reason}")]
    Card {
        /// The sample asked for.
        name: String,
        /// Why.
        reason: String,
    },
}

/// The session and its stub hall, stepped by the caller.
#[derive(Debug)]
pub struct Rehearsal {
    session: Session,
    start: DateTime<Utc>,
    secs: u64,
    stub: StubEffects,
    answers: mpsc::Receiver<Event>,
}

impl Rehearsal {
    /// A session as `config` sets it up, with the sample catalog loaded and every device
    /// working, at home, with its clock at `start`.
    pub fn new(config: &Config, start: DateTime<Utc>) -> Result<Rehearsal, RehearsalError> {
        let catalog = sample_catalog();
        let (tx, answers) = mpsc::channel();
        let mut r = Rehearsal {
            session: Session::new(session_config(config), Rehearsal::now_at(start, 0))?,
            start,
            secs: 0,
            stub: StubEffects::new(tx, catalog.clone()),
            answers,
        };
        let most_used = most_used(&catalog);
        r.ev(Event::CatalogLoaded { catalog, most_used });
        for device in DeviceClass::ALL {
            r.ev(Event::DeviceChanged {
                device,
                available: true,
            });
        }
        Ok(r)
    }

    fn now_at(start: DateTime<Utc>, secs: u64) -> Now {
        let utc = start + chrono::Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX));
        Now {
            mono: Duration::from_secs(secs),
            utc,
            today: local_time(utc).date_naive(),
        }
    }

    /// The session's clock now.
    pub fn now(&self) -> Now {
        Rehearsal::now_at(self.start, self.secs)
    }

    /// The session as it stands.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The stub hall.
    pub fn stub(&self) -> &StubEffects {
        &self.stub
    }

    /// Steps one event, carries out its effects, and steps every answer they bring, as the
    /// service's session loop does (each stamped with the time first).
    pub fn ev(&mut self, event: Event) {
        let mut queue = VecDeque::from([event]);
        while let Some(event) = queue.pop_front() {
            let now = self.now();
            self.stub.set_now(now);
            if !matches!(event, Event::Tick(_)) {
                self.feed(Event::Tick(now));
            }
            self.feed(event);
            queue.extend(self.answers.try_iter());
        }
    }

    fn feed(&mut self, event: Event) {
        let (next, effects) = step(&self.session, event);
        self.session = next;
        for effect in effects {
            self.stub.run(effect);
        }
    }

    /// A touch.
    pub fn ui(&mut self, input: UiInput) {
        self.ev(Event::Ui(input));
    }

    /// Lets `secs` seconds pass, one tick a second.
    pub fn wait(&mut self, secs: u64) {
        for _ in 0..secs {
            self.secs += 1;
            self.ev(Event::Tick(self.now()));
        }
    }

    /// Answers held back by the stub, now stepped.
    pub fn release(&mut self) {
        self.stub.release();
        let answers: Vec<Event> = self.answers.try_iter().collect();
        for event in answers {
            self.ev(event);
        }
    }

    /// Lays `notice` over the screen as the session would after a device or the hall failed
    /// at that moment (for screenshots of every notice).
    pub fn lay_notice(&mut self, notice: crate::session::Notice) {
        self.session.notice = Some(notice);
    }

    /// A sample card of the card reader's simulator (`resident-zhang-san`,
    /// `resident-li-xiuying`, …) placed on the reader.
    pub fn read_card(&mut self, sample: &str) -> Result<(), RehearsalError> {
        let (card, _) = sample_card(sample).map_err(|e| RehearsalError::Card {
            name: sample.to_owned(),
            reason: e.to_string(),
        })?;
        self.ev(Event::CardRead(citizen_from_card(&card)));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Screen;

    fn start() -> DateTime<Utc> {
        chrono::DateTime::parse_from_rfc3339("2026-12-07T01:30:00Z")
            .expect("a time")
            .with_timezone(&Utc)
    }

    #[test]
    fn a_rehearsal_applies_submits_and_the_stub_hall_answers() {
        let mut r = Rehearsal::new(&Config::default(), start()).expect("rehearsal");
        assert_eq!(r.session().screen, Screen::Home);
        r.ui(UiInput::StartApplying);
        r.read_card("resident-zhang-san").expect("a sample card");
        assert_ne!(r.session().screen, Screen::Identify);
        assert!(r.session().citizen.is_some());
        r.ui(UiInput::PickItem("GA-000101-001".into()));
        assert_eq!(r.session().screen, Screen::Guide);
    }

    #[test]
    fn an_unreachable_stub_hall_queues_and_a_held_answer_waits() {
        let r = Rehearsal::new(&Config::default(), start()).expect("rehearsal");
        r.stub().hold();
        r.stub().run(Effect::FetchSlots {
            request: crate::session::RequestId(1),
            department: "gongan".into(),
        });
        assert_eq!(r.answers.try_iter().count(), 0, "held back");
        r.stub().release();
        let got: Vec<Event> = r.answers.try_iter().collect();
        assert!(matches!(
            got.as_slice(),
            [Event::SlotsFetched { result: LookupResult::Found(list), .. }] if list.slots.len() == 20
        ));
        r.stub().set_reachable(false);
        r.stub().run(Effect::FetchSlots {
            request: crate::session::RequestId(2),
            department: "gongan".into(),
        });
        assert!(matches!(
            r.answers.try_iter().next(),
            Some(Event::SlotsFetched {
                result: LookupResult::Unreachable,
                ..
            })
        ));
    }

    #[test]
    fn slots_skip_weekends() {
        let friday = NaiveDate::from_ymd_opt(2026, 12, 4).expect("a date");
        let list = StubEffects::slots("gongan", friday);
        assert!(list
            .slots
            .iter()
            .all(|s| !matches!(s.date.weekday(), Weekday::Sat | Weekday::Sun)));
        assert_eq!(
            list.slots.first().map(|s| s.date),
            NaiveDate::from_ymd_opt(2026, 12, 7)
        );
    }
}
