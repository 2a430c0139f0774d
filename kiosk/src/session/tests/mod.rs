//! Tests of the session machine, one file per flow, run with no runtime: each drives
//! [`step`](super::step) with events and checks the state and the effects.

mod apply;
mod camera;
mod choose;
mod devices;
mod elsewhere;
mod idle;
mod prints;
mod random;
mod rating;
mod reader_pace;
pub(crate) mod support;
