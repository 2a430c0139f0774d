//! The vocabulary both sides speak, written once: the kiosk (`drivers`, `kiosk`, `ui`) and the
//! hall (`hall-api`, `hall`) use these and keep no copies.
//!
//! - [`id_number`]: the check of ID numbers (GB 11643-1999 and the permits that follow it).
//! - [`mask`]: how ID numbers, names, addresses and phone numbers are shown on screens, receipts,
//!   pages and logs.
//! - [`device`]: device class, state and paper supply, in XFS4IoT's words.
//! - [`language`]: the languages of the kiosk's screens.
//! - [`help`]: the kinds of help a citizen asks for; [`form`]: the types of a form's fields.
//! - [`time`]: the hall's time zone (China Standard Time, UTC+8, no daylight saving).

#![forbid(unsafe_code)]

pub mod device;
pub mod form;
pub mod help;
pub mod id_number;
pub mod language;
pub mod mask;
pub mod time;
