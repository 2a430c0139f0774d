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

/// The made-up citizens of these tests carry valid numbers (GB 11643 check digit), as a
/// real card's would: a session test must not pass on a number the reader would refuse.
#[test]
fn the_test_citizens_numbers_are_valid() {
    for c in [support::citizen(), support::other_citizen()] {
        assert!(vocab::id_number::is_valid(&c.id_number), "{}", c.name);
    }
}
