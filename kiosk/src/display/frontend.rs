//! The screen attached to the session: every callback of the UI becomes a [`UiInput`] sent
//! to the session loop, and every new session state is drawn. What is only the screen's own
//! business (which page of a list, the keyboard's composition, the maintenance PIN pad)
//! stays here; everything the citizen decides goes to the session.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kiosk_drivers::status::DeviceStatus;
use kiosk_ui::generated as ui;
use kiosk_ui::language;
use kiosk_ui::screen::{
    self as ui_screen,
    appointment::{AppointmentStage, AppointmentVm},
    browse::BrowseVm,
    camera::CameraVm,
    delivery::DeliveryVm,
    farewell::FarewellKind,
    feedback::{ComplaintVm, HelpVm},
    form::FormVm,
    guide::GuideVm,
    handin::MaterialsVm,
    identify::IdentifyVm,
    keyboard::KeyboardVm,
    notice::NoticeKind,
    prints::PrintsVm,
    progress::ProgressVm,
    rating::RatingVm,
    receipt::ReceiptVm,
    review::ReviewVm,
    shell::{HelpCall, ShellVm},
    submitting::SubmittingVm,
    Paging, ScreenId,
};
use slint::{ComponentHandle, Timer, TimerMode};
use tokio::sync::watch;

use super::technician::Technician;
use super::{map, screen};
use crate::citizen::SessionHandle;
use crate::session::personal::FieldValue;
use crate::session::personal::PersonalText;
use crate::session::{Session, TextField, UiInput};

/// A box the keyboard types into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Target {
    /// A form field, by key.
    Field(String),
    /// A text box outside the form (address, contact, comment).
    Text(TextField),
}

/// The screen's own state.
#[derive(Debug, Default)]
pub(super) struct Local {
    pub browse_page: usize,
    pub guide_page: usize,
    pub form_page: usize,
    /// The page of the list reach mode cuts into pages on this screen (materials, 差评
    /// reasons, the address boxes, the appointment's departments, days or slots); `None`: the
    /// first, or on the delivery page the first box still to fill.
    pub list_page: Option<usize>,
    /// The page of that list last drawn (where 上一页/下一页 step from).
    pub list_page_shown: usize,
    pub query: String,
    pub searching: bool,
    /// The box being typed into (a form field or another text box), and its text.
    pub editing: Option<(Target, String)>,
    pub keyboard: KeyboardVm,
    pub candidate_page: usize,
    /// Showing the PIN pad or the maintenance screen instead of the session.
    pub technician: Option<ScreenId>,
    pub hidden_taps: u32,
    pub last_screen: &'static str,
    /// What was last put on screen, so that only what changed is redrawn (a keystroke
    /// repaints one field, not the form).
    pub shown: Shown,
    /// The camera screen's thumbnails of the pages taken.
    pub thumbs: screen::camera::Thumbnails,
}

/// The view models last applied, per screen.
#[derive(Debug, Default)]
pub(super) struct Shown {
    pub screen: Option<ScreenId>,
    pub browse: Option<BrowseVm>,
    pub guide: Option<GuideVm>,
    pub identify: Option<IdentifyVm>,
    pub materials: Option<MaterialsVm>,
    pub camera: Option<CameraVm>,
    pub delivery: Option<DeliveryVm>,
    pub submitting: Option<SubmittingVm>,
    pub appointment: Option<AppointmentVm>,
    pub complaint: Option<ComplaintVm>,
    pub help: Option<HelpVm>,
    pub farewell: Option<FarewellKind>,
    pub notice: Option<Option<NoticeKind>>,
    pub help_call: Option<HelpCall>,
    pub form: Option<FormVm>,
    pub review: Option<ReviewVm>,
    pub receipt: Option<ReceiptVm>,
    pub rating: Option<RatingVm>,
    pub progress: Option<ProgressVm>,
    pub prints: Option<PrintsVm>,
    pub print_ready: Option<bool>,
    pub out_of_service: Option<Vec<String>>,
    pub keyboard: Option<KeyboardVm>,
    pub idle: Option<Option<u32>>,
    pub shell: Option<ShellVm>,
}

/// The text box being typed into, for the views.
fn typing(editing: &Option<(Target, String)>) -> super::screen::Typing<'_> {
    match editing {
        Some((Target::Text(field), text)) => Some((*field, text.as_str())),
        _ => None,
    }
}

/// Applies `new` unless it equals what `last` holds.
fn apply_changed<T: PartialEq>(last: &mut Option<T>, new: T, apply: impl FnOnce(&T)) {
    if last.as_ref() != Some(&new) {
        apply(&new);
        *last = Some(new);
    }
}

/// The form: only the rows that changed when the same fields are shown, else everything.
fn apply_form(app: &ui::AppWindow, last: &mut Option<FormVm>, new: FormVm) {
    if let Some(old) = last.as_ref() {
        let same_rows = old.item_name == new.item_name
            && old.page == new.page
            && old.pages == new.pages
            && old.active == new.active
            && old.fields.len() == new.fields.len()
            && old
                .fields
                .iter()
                .zip(&new.fields)
                .all(|(a, b)| a.id == b.id);
        if same_rows {
            for (i, (a, b)) in old.fields.iter().zip(&new.fields).enumerate() {
                if a != b {
                    ui_screen::form::update_form_field(app, i, b);
                }
            }
            *last = Some(new);
            return;
        }
    }
    ui_screen::form::apply_form(app, &new);
    *last = Some(new);
}

/// The screen, its session, and the technician's side.
pub(super) struct Frontend {
    pub app: ui::AppWindow,
    pub session: SessionHandle,
    pub view: RefCell<watch::Receiver<Arc<Session>>>,
    pub current: RefCell<Arc<Session>>,
    pub local: RefCell<Local>,
    /// The camera screen's live preview (frames from the camera, not from the session).
    pub preview: RefCell<super::preview::LivePreview>,
    pub tech: RefCell<Technician>,
    pub devices: watch::Receiver<Vec<DeviceStatus>>,
    pub hall_name: String,
    pub hotline: String,
    /// The wall clock the PIN pad's lockout is counted on (a test sets its own).
    pub clock: fn() -> std::time::SystemTime,
}

type Shared = Rc<Frontend>;

/// Rows of a list per page: fewer, larger ones in elder mode; fewer again in reach mode,
/// where the list shares the lower part of the screen with the page's buttons.
pub(super) fn rows_for(s: &Session) -> usize {
    match (s.elder_mode, s.reach) {
        (true, true) => 2,
        (true, false) => 3,
        (false, true) => 4,
        (false, false) => 6,
    }
}

/// Rows a page of a list that reach mode cuts into pages, so that the list and the page's
/// buttons fit below the reach line (0: the whole list). Elder mode's larger rows need fewer;
/// its 差评 reasons are paged in any case (with the level, its question and a message they
/// would push the buttons off a portrait screen).
#[derive(Debug, Clone, Copy)]
pub(super) struct ReachRows {
    /// Materials on the hand-in page (a row with its choices is tall).
    pub materials: usize,
    /// 差评 reasons (two to a row).
    pub reasons: usize,
    /// Mailing-address boxes.
    pub address: usize,
    /// The appointment's departments, days or slots (two to a row).
    pub picks: usize,
}

pub(super) fn reach_rows(s: &Session) -> ReachRows {
    match (s.reach, s.elder_mode) {
        (false, elder) => ReachRows {
            materials: 0,
            reasons: if elder { 4 } else { 0 },
            address: 0,
            picks: 0,
        },
        (true, false) => ReachRows {
            materials: 3,
            reasons: 0,
            address: 0,
            picks: 6,
        },
        (true, true) => ReachRows {
            materials: 1,
            reasons: 4,
            address: 1,
            picks: 4,
        },
    }
}

/// Reach mode while the search keyboard is open: the first results only, as the keyboard
/// takes most of the lower part of the screen (完成 closes it and shows a full page; elder
/// mode's larger keys leave room for none).
fn search_rows(s: &Session, searching: bool) -> Option<usize> {
    (s.reach && searching).then_some(2)
}

impl Frontend {
    /// Sends a touch to the session.
    pub fn press(&self, input: UiInput) {
        if let Err(err) = self.session.press(input) {
            tracing::warn!(%err, "a touch could not reach the session");
        }
    }

    /// Draws the latest state if it changed; true if it did.
    pub fn poll(&self) -> bool {
        let tested = self.tech.borrow_mut().collect();
        let changed = self.view.borrow().has_changed().unwrap_or(false) || tested;
        if changed {
            let s = self.view.borrow_mut().borrow_and_update().clone();
            *self.current.borrow_mut() = s;
            self.redraw();
        }
        let fresh = self.preview.borrow_mut().show_newest(&self.app);
        changed || fresh
    }

    /// Draws everything from the current state.
    pub fn redraw(&self) {
        let s = self.current.borrow().clone();
        let app = &self.app;
        {
            let mut local = self.local.borrow_mut();
            let name = s.screen.name();
            if name != local.last_screen {
                // A new screen starts at its first page with the keyboard closed.
                local.last_screen = name;
                local.browse_page = 0;
                local.guide_page = 0;
                local.form_page = 0;
                local.list_page = None;
                local.list_page_shown = 0;
                local.editing = None;
                local.searching = false;
                local.keyboard = KeyboardVm::default();
                // A form opens with the keyboard on its first empty field to type.
                if name == "form" {
                    if let Some(key) = screen::form::next_to_type(&s, None) {
                        screen::form::focus(&s, &mut local, &key);
                    }
                }
            }
        }
        ui_screen::shell::set_elder(app, s.elder_mode);
        ui_screen::shell::set_reach(app, s.reach);
        ui_screen::shell::set_voice(app, s.voice);
        let lang = s.language;
        if language::current_language(app) != lang {
            if let Err(err) = language::set_language(app, lang) {
                tracing::warn!(%err, "cannot switch the screen's language");
            }
        }
        let now = crate::citizen::runner::local_time(chrono::Utc::now());
        let mut local = self.local.borrow_mut();
        let local = &mut *local;
        let shown = &mut local.shown;
        apply_changed(
            &mut shown.shell,
            ShellVm {
                hall_name: self.hall_name.clone(),
                date_text: now.format("%Y年%m月%d日").to_string(),
                time_text: now.format("%H:%M").to_string(),
                hotline: self.hotline.clone(),
            },
            |v| ui_screen::shell::apply_shell(app, v),
        );
        apply_changed(
            &mut shown.idle,
            s.countdown_remaining()
                .map(|d| u32::try_from(d.as_secs().max(1)).unwrap_or(u32::MAX)),
            |v| ui_screen::idle::apply_idle(app, *v),
        );
        let id = map::screen_id(&s);
        // The preview runs only while the camera screen is in front.
        let camera_shown = id == ScreenId::Camera && local.technician.is_none();
        self.preview.borrow_mut().want(app, camera_shown);
        if !camera_shown && !local.thumbs.is_empty() {
            local.thumbs.clear();
            ui_screen::camera::set_camera_pages(app, &[]);
        }
        if let Some(screen) = local.technician {
            self.tech
                .borrow()
                .draw(app, screen, &self.devices.borrow(), (self.clock)());
            ui_screen::shell::show_screen(app, screen);
            shown.screen = Some(screen);
            return;
        }
        let rows = rows_for(&s);
        let reach = reach_rows(&s);
        let list_page = local.list_page.unwrap_or(0);
        match id {
            ScreenId::Browse => apply_changed(
                &mut shown.browse,
                screen::browse::view(
                    &s,
                    local.browse_page,
                    search_rows(&s, local.searching).unwrap_or(rows),
                    &local.query,
                    local.searching,
                ),
                |v| ui_screen::browse::apply_browse(app, v),
            ),
            ScreenId::Guide => apply_changed(
                &mut shown.guide,
                // Reach mode with elder mode: a material a page, under the item's facts.
                screen::guide::view(
                    &s,
                    local.guide_page,
                    if s.reach && s.elder_mode { 1 } else { rows },
                ),
                |v| ui_screen::guide::apply_guide(app, v),
            ),
            ScreenId::Form => {
                let editing = match &local.editing {
                    Some((Target::Field(key), text)) => Some((key.as_str(), text.as_str())),
                    _ => None,
                };
                let mut form = screen::form::view(
                    &s,
                    local.form_page,
                    screen::form::rows(&s),
                    editing.map(|(k, _)| k),
                );
                if let (Some((key, text)), Some(i)) = (editing, form.active) {
                    if let Some(f) = form.fields.get_mut(i).filter(|f| f.id == key) {
                        f.value = text.to_owned();
                    }
                }
                apply_form(app, &mut shown.form, form);
            }
            ScreenId::Review => apply_changed(&mut shown.review, screen::review::view(&s), |v| {
                ui_screen::review::apply_review(app, v)
            }),
            ScreenId::Receipt => {
                apply_changed(&mut shown.receipt, screen::receipt::view(&s), |v| {
                    ui_screen::receipt::apply_receipt(app, v)
                })
            }
            ScreenId::Rating => {
                let mut v = screen::rating::view(&s);
                v.reason_paging = Paging::cut(&mut v.reasons, list_page, reach.reasons);
                local.list_page_shown = v.reason_paging.page;
                apply_changed(&mut shown.rating, v, |v| {
                    ui_screen::rating::apply_rating(app, v)
                })
            }
            ScreenId::Progress => {
                apply_changed(&mut shown.progress, screen::progress::view(&s), |v| {
                    ui_screen::progress::apply_progress(app, v)
                })
            }
            ScreenId::Prints => apply_changed(&mut shown.prints, screen::prints::view(&s), |v| {
                ui_screen::prints::apply_prints(app, v)
            }),
            ScreenId::Home => apply_changed(&mut shown.print_ready, s.offers().self_print, |v| {
                ui_screen::home::apply_home_print_ready(app, *v)
            }),
            ScreenId::Identify => {
                apply_changed(&mut shown.identify, screen::identify::view(&s), |v| {
                    ui_screen::identify::apply_identify(app, v)
                })
            }
            ScreenId::Materials => {
                let mut v = screen::handin::view(&s);
                v.paging = Paging::cut(&mut v.materials, list_page, reach.materials);
                local.list_page_shown = v.paging.page;
                apply_changed(&mut shown.materials, v, |v| {
                    ui_screen::handin::apply_materials(app, v)
                })
            }
            ScreenId::Camera => {
                apply_changed(&mut shown.camera, screen::camera::view(&s), |v| {
                    ui_screen::camera::apply_camera(app, v)
                });
                let pages = screen::camera::capture(&s).map_or(&[][..], |c| &c.pages[..]);
                if local.thumbs.update(pages) {
                    ui_screen::camera::set_camera_pages(app, &local.thumbs.pictures());
                }
            }
            ScreenId::Delivery => {
                let mut v = screen::delivery::view(&s, typing(&local.editing));
                screen::delivery::page(
                    &mut v,
                    local.list_page,
                    reach.address,
                    local.list_page_shown,
                );
                local.list_page_shown = v.paging.page;
                apply_changed(&mut shown.delivery, v, |v| {
                    ui_screen::delivery::apply_delivery(app, v)
                })
            }
            ScreenId::Submitting => {
                apply_changed(&mut shown.submitting, screen::submitting::view(&s), |v| {
                    ui_screen::submitting::apply_submitting(app, v)
                })
            }
            ScreenId::Appointment => {
                let mut v = screen::appointment::view(&s, typing(&local.editing));
                // Another stage, another list: from its first page.
                if shown
                    .appointment
                    .as_ref()
                    .is_some_and(|o| o.stage != v.stage)
                {
                    local.list_page = None;
                }
                let list_page = local.list_page.unwrap_or(0);
                v.paging = match v.stage {
                    // One to a row: fewer a page.
                    AppointmentStage::Department if v.long_names => {
                        let rows = match (reach.picks, s.elder_mode) {
                            (0, _) => 0,
                            (_, true) => 2,
                            (_, false) => 5,
                        };
                        Paging::cut(&mut v.departments, list_page, rows)
                    }
                    AppointmentStage::Department => {
                        Paging::cut(&mut v.departments, list_page, reach.picks)
                    }
                    AppointmentStage::Day => Paging::cut(&mut v.days, list_page, reach.picks),
                    AppointmentStage::Slot => Paging::cut(&mut v.slots, list_page, reach.picks),
                    _ => Paging::default(),
                };
                local.list_page_shown = v.paging.page;
                apply_changed(&mut shown.appointment, v, |v| {
                    ui_screen::appointment::apply_appointment(app, v)
                })
            }
            ScreenId::Complaint => apply_changed(
                &mut shown.complaint,
                screen::feedback::complaint(&s, typing(&local.editing)),
                |v| ui_screen::feedback::apply_complaint(app, v),
            ),
            ScreenId::Help => apply_changed(
                &mut shown.help,
                screen::feedback::help(&s, typing(&local.editing)),
                |v| ui_screen::feedback::apply_help(app, v),
            ),
            ScreenId::Farewell => {
                apply_changed(&mut shown.farewell, screen::farewell::view(&s), |v| {
                    ui_screen::farewell::apply_farewell(app, *v)
                })
            }
            ScreenId::OutOfService => apply_changed(
                &mut shown.out_of_service,
                screen::out_of_service::view(&s),
                |v| ui_screen::out_of_service::apply_out_of_service(app, v, ""),
            ),
            _ => {}
        }
        apply_changed(&mut shown.keyboard, local.keyboard.clone(), |v| {
            ui_screen::keyboard::apply_keyboard(app, v)
        });
        apply_changed(&mut shown.notice, screen::notice::view(&s), |v| {
            ui_screen::notice::apply_notice(app, *v)
        });
        apply_changed(&mut shown.help_call, screen::notice::help_call(&s), |v| {
            ui_screen::shell::set_help_call(app, *v)
        });
        if shown.screen != Some(id) {
            ui_screen::shell::show_screen(app, id);
            shown.screen = Some(id);
        }
    }

    /// The text the keyboard types into changed: show it and tell the session.
    pub(super) fn typed(&self) {
        let (search, field) = {
            let local = self.local.borrow();
            (
                local.searching.then(|| local.query.clone()),
                local.editing.clone(),
            )
        };
        if let Some(query) = search {
            self.press(UiInput::Search(query));
        } else if let Some((target, text)) = field {
            self.press(match target {
                Target::Field(key) => UiInput::SetField {
                    key,
                    value: FieldValue::from(serde_json::Value::String(text)),
                },
                Target::Text(field) => UiInput::SetText {
                    field,
                    value: PersonalText::new(text),
                },
            });
        }
        self.refresh_candidates();
        self.redraw();
    }

    pub(super) fn refresh_candidates(&self) {
        let mut local = self.local.borrow_mut();
        let local = &mut *local;
        local
            .keyboard
            .show_candidates(&mut local.candidate_page, self.current.borrow().elder_mode);
    }

    pub(super) fn commit_text(&self, text: &str) {
        let mut local = self.local.borrow_mut();
        if local.searching {
            local.query.push_str(text);
        } else if let Some((_, t)) = local.editing.as_mut() {
            t.push_str(text);
        }
    }
}

pub(super) fn on0(f: &Shared, act: impl Fn(&Frontend) + 'static) -> impl Fn() + 'static {
    let weak = Rc::downgrade(f);
    move || {
        if let Some(f) = weak.upgrade() {
            act(&f);
        }
    }
}

pub(super) fn on1<A>(f: &Shared, act: impl Fn(&Frontend, A) + 'static) -> impl Fn(A) + 'static {
    let weak = Rc::downgrade(f);
    move |a| {
        if let Some(f) = weak.upgrade() {
            act(&f, a);
        }
    }
}

pub(super) fn page_step(f: &Frontend, which: fn(&mut Local) -> &mut usize, forward: bool) {
    {
        let mut local = f.local.borrow_mut();
        let page = which(&mut local);
        *page = if forward {
            *page + 1
        } else {
            page.saturating_sub(1)
        };
    }
    f.press(UiInput::StillHere);
    f.redraw();
}

/// 上一页/下一页 of a list reach mode cuts into pages.
pub(super) fn list_step(f: &Frontend, forward: bool) {
    {
        let mut local = f.local.borrow_mut();
        let page = local.list_page.unwrap_or(local.list_page_shown);
        local.list_page = Some(if forward {
            page + 1
        } else {
            page.saturating_sub(1)
        });
    }
    f.press(UiInput::StillHere);
    f.redraw();
}

/// The list of the screen changed (another appointment stage, a box typed into): its first
/// page (or the delivery page's box still to fill) is shown next.
pub(super) fn list_restart(f: &Frontend) {
    f.local.borrow_mut().list_page = None;
}

/// Wires every callback and starts the timers that draw new states and tick the clock.
pub(super) fn connect(f: &Shared) -> Vec<Timer> {
    let app = &f.app;
    let shell = app.global::<ui::Shell<'_>>();
    shell.on_home(on0(f, |f| {
        f.local.borrow_mut().technician = None;
        f.press(UiInput::Home);
    }));
    shell.on_toggle_elder(on0(f, |f| f.press(UiInput::ToggleElderMode)));
    shell.on_toggle_voice(on0(f, |f| f.press(UiInput::ToggleVoice)));
    shell.on_toggle_reach(on0(f, |f| f.press(UiInput::ToggleReachMode)));
    shell.on_toggle_language(on0(f, |f| {
        let next = f.current.borrow().language.other();
        f.press(UiInput::SetLanguage(next));
    }));
    shell.on_hidden_tap(on0(f, |f| {
        let open = {
            let mut local = f.local.borrow_mut();
            local.hidden_taps += 1;
            local.hidden_taps >= 5
        };
        if open {
            let mut local = f.local.borrow_mut();
            local.hidden_taps = 0;
            local.technician = Some(ScreenId::MaintenancePin);
            drop(local);
            f.tech.borrow_mut().clear();
            f.redraw();
        }
    }));

    super::keyboard::connect(f);
    super::screen::connect(f);
    super::technician::connect(f);

    let poll = Timer::default();
    let weak = Rc::downgrade(f);
    poll.start(TimerMode::Repeated, Duration::from_millis(40), move || {
        if let Some(f) = weak.upgrade() {
            f.poll();
        }
    });
    let clock = Timer::default();
    let weak = Rc::downgrade(f);
    let mut minute = Instant::now();
    clock.start(TimerMode::Repeated, Duration::from_secs(1), move || {
        if let Some(f) = weak.upgrade() {
            if minute.elapsed() >= Duration::from_secs(30) {
                minute = Instant::now();
                f.redraw();
            }
        }
    });
    vec![poll, clock]
}
