//! The citizen session machine, pure data: [`step`]`(state, event) -> (state, effects)`.
//! No tokio, Slint, SQL, HTTP, clock or randomness: time comes in [`Event::Tick`], devices
//! and hall answers come in as events, and everything the machine wants done leaves as an
//! [`Effect`]. The state is the view: the UI draws [`Session::screen`] and its flags.
//!
//! - [`state`], [`screens`], [`transaction`]: the state.
//! - [`event`], [`effect`]: what comes in and what goes out.
//! - `step`: routing and what works everywhere (home, back, help, elder mode, language);
//!   one module per flow: `identify`, `choose`, `form`, `submit`, `rating`, `progress`,
//!   `appointment`, `help`, `idle`.
//! - [`citizen`], [`personal`]: personal data holders (zeroized on drop, masked `Debug`).
//! - [`progress::can_rate_later`]: whether the progress page offers a rating.
//! - [`capture`]: materials photographed with the document camera (pages, one PDF each).
//! - [`docs`]: printable documents and the codes printed on them; [`prompts`]: texts.
//! - [`prints`]: 自助打印, result documents printed on A4 by their citizen.
//!
//! Card removal is not an idle reset: the citizen may take the card back and keep going;
//! the idle countdown, 返回首页, finishing, or a different card end the session.

mod appointment;
pub mod capture;
mod choose;
pub mod citizen;
pub mod config;
pub mod docs;
pub mod effect;
pub mod error;
pub mod event;
mod form;
mod help;
mod identify;
mod idle;
pub mod personal;
pub mod prints;
pub mod progress;
pub mod prompts;
mod rating;
pub mod screens;
pub mod state;
mod step;
mod submit;
pub mod transaction;

#[cfg(test)]
pub(crate) mod tests;

pub use capture::{CaptureProblem, DocBytes, ScannedDoc};
pub use choose::{listing, Choice};
pub use citizen::{CardType, Citizen};
pub use config::{Now, SessionConfig};
pub use effect::{DocKind, Effect, EndReason, PrintDoc, ProgressLookup};
pub use error::{SessionError, SessionErrorKind};
pub use event::{BookOutcome, Event, LookupResult, SubmitOutcome, TextField, UiInput};
pub use form::address_errors;
pub use prints::{PrintOutcome, PrintProblem, PrintStage, PrintsView};
pub use screens::Screen;
pub use state::{Devices, Fault, HelpAck, Notice, Offers, RequestId, Session};
pub use step::step;
