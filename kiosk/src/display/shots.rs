//! Screenshots of every screen, in zh-CN and English, normal and elder mode, and again in reach
//! mode (轮椅模式) on its own and with elder mode, rendered with the software renderer into PNG
//! files with no display (`kioskctl screenshots --out DIR`).
//!
//! Each shot is reached the way a citizen reaches it: a [`Stage`] (the real screen on the real
//! session machine, with the stub hall and the card reader simulator's cards) is walked there
//! from the home screen by touches, cards and the passing of time. Only the notices are laid
//! over directly: some of them need a device or the hall to fail at the right moment.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use kiosk_config::schema::Language;
use kiosk_config::Config;
use kiosk_ui::generated as ui;
use kiosk_ui::headless::Frame;
use kiosk_ui::screen::delivery::AddressField;
use kiosk_ui::screen::ScreenId;
use slint::{ComponentHandle, PhysicalSize};

use super::stage::{Stage, StageError};
use crate::session::{Notice, TextField, UiInput};

/// The maintenance PIN of the screenshots' and the preview's kiosk.
pub const PREVIEW_PIN: &str = "246810";
/// The sample card the screenshots' citizen places on the reader.
pub const SAMPLE_CARD: &str = "resident-zhang-san";
/// The item the screenshots apply for (居民身份证换领).
pub const SAMPLE_ITEM: &str = "GA-000101-001";
/// The sample item's material the camera photographs (居民户口簿).
pub const PHOTOGRAPHED_MATERIAL: &str = "hukou";
/// An item of the sample catalog that cannot be done at the kiosk (不动产首次登记).
pub const WINDOW_ONLY_ITEM: &str = "ZR-000510-003";

/// The appointment's stages a shot can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppointmentStage {
    /// Days with free slots.
    Day,
    /// The day's slots.
    Slot,
    /// Name and phone for the booking.
    Contact,
    /// The booked slip.
    Booked,
    /// The hall could not be reached.
    Failed,
}

/// The 自助打印 stages a shot can show besides the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintsShot {
    /// Place the card or scan the receipt.
    Waiting,
    /// A document printing.
    Printing,
    /// Printed: take it.
    Printed,
    /// The printer ran out of paper: the copy was given back.
    PaperOut,
    /// The hall could not be reached.
    HallUnreachable,
}

/// What is laid over or opened on a screen for a shot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    /// The screen as it first shows.
    None,
    /// The on-screen keyboard open (browse search: pinyin; elsewhere: the box's keyboard).
    Keyboard,
    /// The idle countdown over the screen.
    IdleCountdown,
    /// The appointment screen at a later stage than the department picker.
    Appointment(AppointmentStage),
    /// A notice banner over the screen.
    Notice(Notice),
    /// The receipt of an application queued on the kiosk (the hall unreachable).
    Queued,
    /// Staff were called: "help is coming" on the screen.
    HelpCalled,
    /// The guide of an item that cannot be done at the kiosk: 预约到窗口 instead of the form.
    WindowOnly,
    /// Standard mode with the voice switched on: the spoken words shown under the title.
    VoiceOn,
    /// The camera screen with two pages taken.
    CameraPages,
    /// The camera screen saying what went wrong (no sheet found in the photo).
    CameraProblem,
    /// The camera screen while a page is being taken.
    CameraBusy,
    /// 自助打印 at a stage other than the list.
    Prints(PrintsShot),
    /// The delivery page with 免费邮寄 chosen: the four empty address boxes.
    Mail,
    /// The delivery page after 下一步 with the address boxes empty: an error under each.
    MailErrors,
    /// The rating after a 差评 (不满意) with two reasons ticked.
    BadRating,
    /// The rating after 非常不满意 sent without a reason: the reasons and the message.
    BadRatingError,
}

impl Extra {
    /// The part of the file name that names this extra ("" for none).
    pub fn slug(self) -> String {
        match self {
            Extra::None => String::new(),
            Extra::Keyboard => "-keyboard".into(),
            Extra::IdleCountdown => "-idle".into(),
            Extra::Appointment(stage) => format!("-{stage:?}").to_lowercase(),
            Extra::Notice(kind) => format!("-notice-{kind:?}").to_lowercase(),
            Extra::Queued => "-queued".into(),
            Extra::HelpCalled => "-help-called".into(),
            Extra::WindowOnly => "-window-only".into(),
            Extra::VoiceOn => "-voice".into(),
            Extra::CameraPages => "-pages".into(),
            Extra::CameraProblem => "-problem".into(),
            Extra::CameraBusy => "-busy".into(),
            Extra::Prints(stage) => format!("-{stage:?}").to_lowercase(),
            Extra::Mail => "-mail".into(),
            Extra::MailErrors => "-mail-errors".into(),
            Extra::BadRating => "-bad".into(),
            Extra::BadRatingError => "-bad-error".into(),
        }
    }
}

/// One screenshot to take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shot {
    /// The screen.
    pub screen: ScreenId,
    /// Its language.
    pub language: Language,
    /// Elder mode.
    pub elder: bool,
    /// Reach mode (轮椅模式): every control in the lower part of a portrait screen.
    pub reach: bool,
    /// 1920×1080 instead of 1080×1920.
    pub landscape: bool,
    /// What is open on top.
    pub extra: Extra,
}

impl Shot {
    /// The PNG's file name:
    /// `<screen>[-<extra>]-<lang>-<normal|elder>[-reach][-landscape].png`.
    pub fn file_name(&self) -> String {
        format!(
            "{}{}-{}-{}{}{}.png",
            self.screen.slug(),
            self.extra.slug(),
            self.language.tag(),
            if self.elder { "elder" } else { "normal" },
            if self.reach { "-reach" } else { "" },
            if self.landscape { "-landscape" } else { "" }
        )
    }

    /// The window size of this shot.
    pub fn size(&self) -> PhysicalSize {
        if self.landscape {
            PhysicalSize::new(1920, 1080)
        } else {
            PhysicalSize::new(1080, 1920)
        }
    }
}

/// Every shot: each screen in both languages and both modes, plus the keyboards, the idle
/// overlay, the appointment's stages, the mailing address (empty, and refused with an error
/// under each box), the rating after a 差评 (reasons ticked, and sent without one), every
/// notice, the queued receipt, "help is coming", and
/// the home and camera screens in landscape; then the same in reach mode (portrait only, with
/// fewer notices and no voice shots, which look as in the other modes).
pub fn shots() -> Vec<Shot> {
    let mut out = Vec::new();
    for reach in [false, true] {
        for language in [Language::ZhCn, Language::En] {
            for elder in [false, true] {
                mode_shots(&mut out, language, elder, reach);
            }
        }
    }
    out
}

/// The shots of one language and mode.
fn mode_shots(out: &mut Vec<Shot>, language: Language, elder: bool, reach: bool) {
    let shot = |screen, extra, landscape| Shot {
        screen,
        language,
        elder,
        reach,
        landscape,
        extra,
    };
    for screen in ScreenId::ALL {
        out.push(shot(screen, Extra::None, false));
    }
    out.push(shot(ScreenId::Browse, Extra::Keyboard, false));
    out.push(shot(ScreenId::Form, Extra::Keyboard, false));
    out.push(shot(ScreenId::Form, Extra::IdleCountdown, false));
    out.push(shot(ScreenId::Delivery, Extra::Keyboard, false));
    out.push(shot(ScreenId::Delivery, Extra::Mail, false));
    out.push(shot(ScreenId::Delivery, Extra::MailErrors, false));
    out.push(shot(ScreenId::Rating, Extra::BadRating, false));
    out.push(shot(ScreenId::Rating, Extra::BadRatingError, false));
    out.push(shot(ScreenId::Complaint, Extra::Keyboard, false));
    for stage in [
        AppointmentStage::Day,
        AppointmentStage::Slot,
        AppointmentStage::Contact,
        AppointmentStage::Booked,
        AppointmentStage::Failed,
    ] {
        out.push(shot(
            ScreenId::Appointment,
            Extra::Appointment(stage),
            false,
        ));
    }
    out.push(shot(ScreenId::Appointment, Extra::Keyboard, false));
    // Every notice where text is longest (English, elder) and in the default mode; one
    // elsewhere, to keep the run short (reach mode: the longest and one more).
    let all_notices = !reach && (language == Language::En) == elder;
    if reach && language == Language::En && elder {
        out.push(shot(
            ScreenId::Review,
            Extra::Notice(Notice::HelpHotline),
            false,
        ));
    }
    for kind in Notice::ALL {
        if all_notices || kind == Notice::CardReadFailed {
            out.push(shot(ScreenId::Review, Extra::Notice(kind), false));
        }
    }
    out.push(shot(ScreenId::Receipt, Extra::Queued, false));
    out.push(shot(ScreenId::Form, Extra::HelpCalled, false));
    out.push(shot(ScreenId::Guide, Extra::WindowOnly, false));
    for extra in [Extra::CameraPages, Extra::CameraProblem, Extra::CameraBusy] {
        out.push(shot(ScreenId::Camera, extra, false));
    }
    for stage in [
        PrintsShot::Waiting,
        PrintsShot::Printing,
        PrintsShot::Printed,
        PrintsShot::PaperOut,
        PrintsShot::HallUnreachable,
    ] {
        out.push(shot(ScreenId::Prints, Extra::Prints(stage), false));
    }
    if !elder && !reach {
        // Elder mode speaks anyway; in standard mode the 语音 button turns it on.
        for screen in [ScreenId::Home, ScreenId::Form, ScreenId::Review] {
            out.push(shot(screen, Extra::VoiceOn, false));
        }
    }
    // Reach mode leaves a landscape screen as it is: one shot shows it.
    if !reach || (language == Language::ZhCn && !elder) {
        out.push(shot(ScreenId::Home, Extra::None, true));
    }
    if !reach {
        out.push(shot(ScreenId::Camera, Extra::CameraPages, true));
    }
}

/// Why a shot could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum ShotError {
    /// The stage could not be set up or walked.
    #[error(transparent)]
    Stage(#[from] StageError),
    /// The walk ended on another screen than the shot's.
    #[error("the walk to {file} ended on the {reached:?} screen")]
    Lost {
        /// The shot's file name.
        file: String,
        /// Where it ended.
        reached: ScreenId,
    },
    /// The PNG could not be written.
    #[error("cannot write {path}: {message}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

/// The configuration of the screenshots' and the preview's kiosk: the defaults, with the
/// preview PIN.
pub fn preview_config() -> Config {
    let mut config = Config::default();
    config.identity.kiosk_id = "LA-ZW-001".into();
    config.identity.hall_name = "临安区政务服务中心".into();
    config.identity.location = "一楼 24 小时自助服务区".into();
    config.ui.maintenance_pin_hash = kiosk_config::pin::PinHash::new(PREVIEW_PIN)
        .ok()
        .map(|h| h.to_string());
    config
}

/// The screenshots' clock: a Monday morning (09:30 in the hall's time zone).
pub fn preview_start() -> DateTime<Utc> {
    DateTime::from_timestamp(1_796_607_000, 0).unwrap_or_else(Utc::now)
}

fn keys(stage: &mut Stage, text: &str) {
    let kb = stage.app().global::<ui::KeyboardAdapter<'_>>();
    for c in text.chars() {
        kb.invoke_key(c.to_string().into());
    }
    stage.pump();
}

/// On the form of the sample item with the card read.
fn to_form(stage: &mut Stage) -> Result<(), StageError> {
    stage.read_card(SAMPLE_CARD)?;
    stage.ui(UiInput::PickItem(SAMPLE_ITEM.into()));
    stage.ui(UiInput::StartForm);
    Ok(())
}

/// The sample item's form filled in (the card filled name, number and sex).
fn fill_form(stage: &mut Stage) {
    for (key, value) in [
        ("phone", serde_json::json!("13812345678")),
        ("reason", serde_json::json!("expired")),
        ("declaration", serde_json::json!(true)),
    ] {
        stage.ui(UiInput::SetField {
            key: key.into(),
            value: value.into(),
        });
    }
}

/// On the review screen, mailing chosen and the address typed.
fn to_review(stage: &mut Stage) -> Result<(), StageError> {
    to_delivery(stage)?;
    stage.ui(UiInput::ChooseMail(true));
    for (field, value) in [
        (TextField::RecipientPhone, "13912345678"),
        (TextField::Region, "浙江省杭州市临安区"),
        (TextField::AddressDetail, "衣锦街100号3幢201室"),
    ] {
        stage.ui(UiInput::SetText {
            field,
            value: crate::session::personal::PersonalText::new(value.to_owned()),
        });
    }
    stage.ui(UiInput::Next);
    Ok(())
}

/// The delivery page: the review offers it (collecting at the window is assumed on the way).
fn to_delivery(stage: &mut Stage) -> Result<(), StageError> {
    to_form(stage)?;
    fill_form(stage);
    stage.ui(UiInput::Next);
    if stage.screen() == ScreenId::Materials {
        stage.ui(UiInput::Next);
    }
    stage.ui(UiInput::ChangeDelivery);
    Ok(())
}

fn to_receipt(stage: &mut Stage) -> Result<(), StageError> {
    to_review(stage)?;
    stage.ui(UiInput::Submit);
    Ok(())
}

fn to_appointment(stage: &mut Stage, until: AppointmentStage) -> Result<(), StageError> {
    stage.ui(UiInput::OpenAppointment);
    stage.ui(UiInput::PickDepartment("gongan".into()));
    let day = crate::citizen::rehearsal::StubEffects::slots("gongan", stage.session_today())
        .slots
        .into_iter()
        .find(|s| s.remaining > 0);
    let Some(slot) = day else { return Ok(()) };
    if until == AppointmentStage::Day {
        return Ok(());
    }
    stage.ui(UiInput::PickDay(slot.date));
    if until == AppointmentStage::Slot {
        return Ok(());
    }
    stage.ui(UiInput::PickSlot(slot.id));
    if until == AppointmentStage::Contact {
        return Ok(());
    }
    stage.ui(UiInput::SetText {
        field: TextField::ContactName,
        value: crate::session::personal::PersonalText::new("张三".to_owned()),
    });
    stage.ui(UiInput::SetText {
        field: TextField::ContactPhone,
        value: crate::session::personal::PersonalText::new("13812345678".to_owned()),
    });
    if until == AppointmentStage::Failed {
        stage.rehearsal().stub().set_reachable(false);
    }
    stage.ui(UiInput::Book);
    Ok(())
}

/// 自助打印 from the home tile: the card read, the list (or a stage of printing its first
/// document).
fn to_prints(stage: &mut Stage, extra: Extra) -> Result<(), StageError> {
    let stub = stage.rehearsal().stub();
    match extra {
        Extra::Prints(PrintsShot::HallUnreachable) => stub.set_reachable(false),
        Extra::Prints(PrintsShot::PaperOut) => stub.set_paper_out(true),
        _ => {}
    }
    stage.ui(UiInput::OpenPrints);
    if extra == Extra::Prints(PrintsShot::Waiting) {
        return Ok(());
    }
    stage.read_card(SAMPLE_CARD)?;
    if extra == Extra::Prints(PrintsShot::Printing) {
        // The list is in; the print's answer is held, so the screen stays on 正在打印.
        stage.rehearsal().stub().hold();
    }
    if matches!(
        extra,
        Extra::Prints(PrintsShot::Printing | PrintsShot::Printed | PrintsShot::PaperOut)
    ) {
        stage.ui(UiInput::PrintDocument("doc-1".into()));
    }
    Ok(())
}

/// Walks a fresh session to `shot`'s screen in its language and mode.
pub fn reach(stage: &mut Stage, shot: &Shot) -> Result<(), ShotError> {
    stage.restart()?;
    stage.resize(shot.size());
    if shot.language != Language::ZhCn {
        stage.ui(UiInput::SetLanguage(shot.language));
    }
    if shot.elder {
        stage.ui(UiInput::ToggleElderMode);
    }
    if shot.reach {
        stage.ui(UiInput::ToggleReachMode);
    }
    if shot.extra == Extra::VoiceOn {
        stage.ui(UiInput::ToggleVoice);
    }
    let keyboard = shot.extra == Extra::Keyboard;
    match shot.screen {
        ScreenId::Home | ScreenId::MaintenancePin | ScreenId::Maintenance => {}
        ScreenId::Identify => stage.ui(UiInput::StartApplying),
        ScreenId::Browse => {
            stage.read_card(SAMPLE_CARD)?;
            if keyboard {
                stage
                    .app()
                    .global::<ui::BrowseAdapter<'_>>()
                    .invoke_open_search();
                stage.pump();
                keys(stage, "zhang");
            }
        }
        ScreenId::Guide => {
            stage.read_card(SAMPLE_CARD)?;
            let item = if shot.extra == Extra::WindowOnly {
                WINDOW_ONLY_ITEM
            } else {
                SAMPLE_ITEM
            };
            stage.ui(UiInput::PickItem(item.into()));
        }
        ScreenId::Form => {
            to_form(stage)?;
            match shot.extra {
                Extra::Keyboard => stage.activate_first_field(),
                Extra::IdleCountdown => {
                    let s = stage.session();
                    let wait = s.config.idle_timeout.as_secs() + 3;
                    stage.wait(wait);
                }
                Extra::HelpCalled => stage.ui(UiInput::CallForHelp),
                _ => {}
            }
        }
        // The materials page is on the path when there is something to decide: here the
        // household register, which the camera may photograph (the hall holding nothing).
        ScreenId::Materials => {
            stage.rehearsal().stub().set_holds_materials(false);
            to_form(stage)?;
            fill_form(stage);
            stage.ui(UiInput::Next);
        }
        ScreenId::Camera => {
            stage.rehearsal().stub().set_holds_materials(false);
            to_form(stage)?;
            fill_form(stage);
            stage.ui(UiInput::Next);
            stage.ui(UiInput::SetMaterialSource {
                code: PHOTOGRAPHED_MATERIAL.into(),
                source: hall_api::application::MaterialSource::Scanned,
            });
            match shot.extra {
                Extra::CameraPages => {
                    stage.ui(UiInput::TakePage);
                    stage.ui(UiInput::TakePage);
                }
                Extra::CameraProblem => {
                    stage
                        .rehearsal()
                        .stub()
                        .fail_pages(Some(crate::session::CaptureProblem::NoSheet));
                    stage.ui(UiInput::TakePage);
                }
                Extra::CameraBusy => {
                    stage.ui(UiInput::TakePage);
                    stage.rehearsal().stub().hold();
                    stage.ui(UiInput::TakePage);
                }
                _ => {}
            }
        }
        ScreenId::Delivery => {
            to_delivery(stage)?;
            if matches!(shot.extra, Extra::Mail | Extra::MailErrors) {
                stage.ui(UiInput::ChooseMail(true));
            }
            if shot.extra == Extra::MailErrors {
                stage.ui(UiInput::Next);
            }
            if keyboard {
                stage.ui(UiInput::ChooseMail(true));
                let delivery = stage.app().global::<ui::DeliveryAdapter<'_>>();
                let detail = AddressField::Detail.index();
                delivery.invoke_activate(i32::try_from(detail).unwrap_or(0));
                stage.pump();
                keys(stage, "8");
            }
        }
        ScreenId::Review => to_review(stage)?,
        ScreenId::Submitting => {
            to_review(stage)?;
            stage.rehearsal().stub().hold();
            stage.ui(UiInput::Submit);
        }
        ScreenId::Receipt => {
            if shot.extra == Extra::Queued {
                stage.rehearsal().stub().set_reachable(false);
            }
            to_receipt(stage)?;
        }
        ScreenId::Rating => {
            to_receipt(stage)?;
            stage.ui(UiInput::Done);
            match shot.extra {
                Extra::BadRating => {
                    stage.ui(UiInput::RateLevel(2));
                    for reason in [
                        hall_api::feedback::BadRatingReason::TooSlow,
                        hall_api::feedback::BadRatingReason::HardToUse,
                    ] {
                        stage.ui(UiInput::ToggleReason(reason));
                    }
                }
                Extra::BadRatingError => {
                    stage.ui(UiInput::RateLevel(1));
                    stage.ui(UiInput::Send);
                }
                _ => {}
            }
        }
        ScreenId::Farewell => {
            to_receipt(stage)?;
            stage.ui(UiInput::Done);
            stage.ui(UiInput::RateLevel(5));
            stage.ui(UiInput::Send);
        }
        ScreenId::Progress => {
            stage.ui(UiInput::OpenProgress);
            stage.read_card(SAMPLE_CARD)?;
        }
        ScreenId::Appointment => {
            let until = match shot.extra {
                Extra::Appointment(stage) => stage,
                Extra::Keyboard => AppointmentStage::Contact,
                _ => AppointmentStage::Day,
            };
            if matches!(shot.extra, Extra::None) {
                stage.ui(UiInput::OpenAppointment);
            } else {
                to_appointment(stage, until)?;
            }
            if keyboard {
                let a = stage.app().global::<ui::AppointmentAdapter<'_>>();
                a.invoke_activate(1);
                stage.pump();
                keys(stage, "138");
            }
        }
        ScreenId::Complaint => {
            stage.ui(UiInput::OpenComplaint);
            if keyboard {
                let c = stage.app().global::<ui::ComplaintAdapter<'_>>();
                c.invoke_activate(0);
                stage.pump();
                keys(stage, "dengle");
            }
        }
        ScreenId::Prints => to_prints(stage, shot.extra)?,
        ScreenId::Help => stage.ui(UiInput::OpenHelpRequest(
            hall_api::feedback::HelpKind::Proxy,
        )),
        ScreenId::OutOfService => {
            for device in [
                kiosk_drivers::status::DeviceClass::IdCardReader,
                kiosk_drivers::status::DeviceClass::Scanner,
            ] {
                stage.ev(crate::session::Event::DeviceChanged {
                    device,
                    available: false,
                });
            }
        }
    }
    match shot.screen {
        ScreenId::MaintenancePin => stage.open_pin_pad(),
        ScreenId::Maintenance => {
            stage.open_pin_pad();
            let pin = stage.app().global::<ui::PinAdapter<'_>>();
            for d in PREVIEW_PIN.chars() {
                pin.invoke_digit(d.to_string().into());
            }
            pin.invoke_confirm();
            stage.pump();
        }
        _ => {}
    }
    if let Extra::Notice(notice) = shot.extra {
        stage.lay_notice(notice);
    }
    let reached = stage.screen();
    if reached != shot.screen {
        return Err(ShotError::Lost {
            file: shot.file_name(),
            reached,
        });
    }
    Ok(())
}

/// Renders the given shots into `out_dir`, calling `inspect` with the stage, the shot and the
/// frame after each render (the tests check labels and pixels there). Returns the files
/// written. Installs the headless platform on this thread.
pub fn render_shots(
    out_dir: &Path,
    shots: &[Shot],
    mut inspect: impl FnMut(&Stage, &Shot, &Frame),
) -> Result<Vec<PathBuf>, ShotError> {
    std::fs::create_dir_all(out_dir).map_err(|e| ShotError::Write {
        path: out_dir.to_owned(),
        message: e.to_string(),
    })?;
    // The simulated camera streams the sample register page to the camera screen's preview.
    let camera = crate::devices::CameraHandle::sample();
    let mut stage = Stage::offscreen_with_camera(&preview_config(), preview_start(), Some(camera))?;
    let mut written = Vec::new();
    for shot in shots {
        reach(&mut stage, shot)?;
        if shot.screen == ScreenId::Camera
            && stage
                .next_preview_frame(0, std::time::Duration::from_secs(30))
                .is_none()
        {
            tracing::warn!(
                shot = %shot.file_name(),
                "the simulated camera sent no preview frame; the shot shows none"
            );
        }
        let frame = stage.render();
        inspect(&stage, shot, &frame);
        let path = out_dir.join(shot.file_name());
        frame.save_png(&path).map_err(|e| ShotError::Write {
            path: path.clone(),
            message: e.to_string(),
        })?;
        written.push(path);
    }
    Ok(written)
}

/// Renders every screen into `out_dir` as PNG files and returns their paths.
pub fn render_all(out_dir: &Path) -> Result<Vec<PathBuf>, ShotError> {
    render_shots(out_dir, &shots(), |_, _, _| {})
}
