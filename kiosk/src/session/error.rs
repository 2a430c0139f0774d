//! Errors of the session machine: only at creation (the machine itself never fails; bad
//! input becomes a notice or a field error in the state).

/// Why a session could not be created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The instance id would make idempotency keys the hall refuses.
    #[error(
        "session instance id is {len} characters or has characters outside [A-Za-z0-9_-]; \
         the service must draw 8-40 such characters at start (e.g. 16 random hex digits)"
    )]
    InvalidInstance {
        /// Its length in bytes.
        len: usize,
    },
}

/// What the caller can do about a [`SessionError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionErrorKind {
    /// A bug or bad setting in the service: report it and do not start serving.
    Report,
}

impl SessionError {
    /// What the caller can do about it.
    pub fn kind(&self) -> SessionErrorKind {
        match self {
            SessionError::InvalidInstance { .. } => SessionErrorKind::Report,
        }
    }
}
