//! The simulated ID-card reader: the device side of the SAM protocol, serving a card from
//! a sample file, with switchable faults. Technicians train on it, the demo runs on it, and
//! the driver's tests run against it over pseudo-terminals.

pub mod card_file;
pub mod core;
pub mod pty;

pub use self::card_file::{load_card_arg, load_file, load_sample, sample_card, SAMPLES};
pub use self::core::{Fault, Reply, SimCard, SimControl};
pub use self::pty::{SimLine, SimulatorHandle};
