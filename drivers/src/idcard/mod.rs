//! The second-generation ID-card reader (二代证阅读器, SAM protocol).
//!
//! - [`frame`]: the wire framing and the streaming decoder that resynchronises on garbage.
//! - [`codec`]: commands, SW3 statuses and answer payloads as types.
//! - [`layout`] and [`card`]: the 256-byte text block of all four card kinds → [`IdCard`];
//!   [`nation`], [`id_number`] (GB 11643 check character), [`mask`], [`photo`] beside them.
//! - [`transport`], [`driver`] and [`runner`]: blocking serial I/O, the command sequence
//!   (SAM check, find → select → read, removal polling) and the thread that runs it, with
//!   reconnect and baud detection, pushing [`ReaderEvent`]s.
//! - [`sim`]: the reader side of the protocol, with switchable faults, and the sample card
//!   files it serves.

pub mod card;
pub mod codec;
pub mod error;
pub mod frame;
pub mod layout;
pub mod nation;
pub mod photo;

pub use card::{CardDate, CardKind, Gender, IdCard, Validity};
pub use error::IdCardError;
pub use nation::Nation;
pub mod driver;
pub mod runner;
mod session;
pub mod sim;
pub mod transport;

pub use driver::Reader;
pub use runner::{Pace, ReaderControl, ReaderEvent, ReaderHandle, RunnerConfig, SamAnswer};
pub use transport::{Connector, SerialConnector, SerialTransport, Transport};
