//! Tests of the session machine, one file per flow.
