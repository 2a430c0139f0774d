//! Problems found in a configuration, and the report that lists them all at once.

use std::fmt;
use std::path::PathBuf;

/// Where a value came from, so a technician can find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A place in a file (line and column count from 1; the column in characters).
    File {
        /// The file.
        path: PathBuf,
        /// Line, from 1.
        line: usize,
        /// Column, from 1, in characters.
        column: usize,
    },
    /// A `KIOSK_*` environment variable.
    Env(String),
    /// The built-in default (the key is absent from the file).
    Default(PathBuf),
    /// The file as a whole (it cannot be read).
    Whole(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { path, line, column } => {
                write!(f, "{}:{line}:{column}", path.display())
            }
            Origin::Env(var) => write!(f, "environment variable {var}"),
            Origin::Default(path) => write!(f, "{} (default value)", path.display()),
            Origin::Whole(path) => write!(f, "{}", path.display()),
        }
    }
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The kiosk works, but something is probably not what the technician meant.
    Warning,
    /// The kiosk must not start with this configuration.
    Error,
}

/// One problem: where, which field, what is wrong, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// Where the offending value is.
    pub origin: Origin,
    /// The field's dotted path (`devices.printer.baud`); empty for a whole-file problem.
    pub field: String,
    /// The offending value as written, if there is one.
    pub value: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {label}: ", self.origin)?;
        match (&self.field, &self.value) {
            (field, _) if field.is_empty() => {}
            (field, Some(value)) => write!(f, "{field} = {value}: ")?,
            (field, None) => write!(f, "{field}: ")?,
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

/// Every problem found in one configuration, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The problems, errors and warnings.
    pub problems: Vec<Problem>,
}

impl Report {
    /// Whether any problem is an error (the kiosk must not start).
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }

    pub(crate) fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    /// Sorts problems by where they are, so the report reads top to bottom like the file.
    pub(crate) fn sort(&mut self) {
        self.problems.sort_by_key(|p| match &p.origin {
            Origin::File { line, column, .. } => (0, *line, *column, String::new()),
            Origin::Env(var) => (1, 0, 0, var.clone()),
            Origin::Default(_) => (2, 0, 0, p.field.clone()),
            Origin::Whole(_) => (3, 0, 0, String::new()),
        });
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for problem in &self.problems {
            writeln!(f, "{problem}")?;
        }
        let errors = self.errors().count();
        let warnings = self.problems.len() - errors;
        write!(f, "{errors} error(s), {warnings} warning(s)")
    }
}

impl std::error::Error for Report {}
