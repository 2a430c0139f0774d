//! The catalog as the county keeps it: a spreadsheet (xlsx, or a folder of CSV files) with
//! one sheet per kind of row. [`read_file`] turns a file into a [`Catalog`], checking every
//! row and reporting every error at once by sheet, row and column; [`write_file`] writes a
//! catalog back in the same layout (export then import gives the same catalog); [`diff`]
//! says in English what importing a file would change. The sheets and columns are
//! [`SHEETS`], documented in `hall/README.md`.

mod diff;
mod export;
mod grid;
mod parse;
mod spec;

use std::fmt;
use std::path::Path;

use hall_api::catalog::Catalog;

pub use diff::{change_count, diff};
pub use parse::MAX_ENGLISH;
pub use spec::{Column, SheetSpec, SHEETS};

/// One thing wrong in a spreadsheet: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetError {
    /// The sheet (`items`), or the CSV file's sheet name.
    pub sheet: String,
    /// The 1-based row as the spreadsheet shows it, if the error is in a row.
    pub row: Option<u32>,
    /// The column as the spreadsheet shows it (`C`) with its key, if the error is in a cell.
    pub column: Option<String>,
    /// What is wrong and what to do (English, for the technician).
    pub message: String,
}

impl fmt::Display for SheetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sheet {}", self.sheet)?;
        if let Some(row) = self.row {
            write!(f, ", row {row}")?;
        }
        if let Some(col) = &self.column {
            write!(f, ", column {col}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Why a catalog file was not read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogFileError {
    /// The file could not be opened or is not a spreadsheet.
    #[error("cannot read {path}: {message}")]
    Unreadable {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// The file was read and some rows are wrong; nothing of it may be applied.
    #[error("{} error(s) in the catalog file:\n{}", .0.len(), list(.0))]
    Invalid(Vec<SheetError>),
    /// The catalog could not be written.
    #[error("cannot write {path}: {message}")]
    Unwritable {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
}

fn list(errors: &[SheetError]) -> String {
    errors
        .iter()
        .map(|e| format!("  {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether a path means the xlsx layout (by its extension); anything else is a folder of
/// CSV files, one per sheet (`items.csv`, …).
pub fn is_xlsx(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// Reads and checks a catalog file. The catalog's `version` is left empty: the hall gives
/// each stored version its label.
pub fn read_file(path: &Path) -> Result<Catalog, CatalogFileError> {
    let book = if is_xlsx(path) {
        grid::read_xlsx(path)?
    } else {
        grid::read_csv_dir(path)?
    };
    parse::catalog(&book).map_err(CatalogFileError::Invalid)
}

/// Writes a catalog in the layout [`read_file`] reads (xlsx, or a folder of CSV files).
pub fn write_file(catalog: &Catalog, path: &Path) -> Result<(), CatalogFileError> {
    let sheets = export::sheets(catalog);
    if is_xlsx(path) {
        grid::write_xlsx(&sheets, path)
    } else {
        grid::write_csv_dir(&sheets, path)
    }
}
