//! Sheets as grids of text cells, read from xlsx (calamine) or a folder of CSV files, and
//! written back (rust_xlsxwriter, csv). Row and column numbers are the spreadsheet's own, so
//! errors point at the cell a person sees.

use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};

use super::spec::{header_cell, SHEETS};
use super::CatalogFileError;

/// A cell's text, or why it has none (an Excel error value such as `#N/A`).
pub type CellText = Result<String, String>;

/// One non-empty row: its 1-based number and its cells from column A.
#[derive(Debug, Clone)]
pub struct GridRow {
    /// Row number as the spreadsheet shows it.
    pub number: u32,
    /// Cells from column A (trimmed text).
    pub cells: Vec<CellText>,
}

/// One sheet.
#[derive(Debug, Clone)]
pub struct Grid {
    /// Sheet name.
    pub sheet: String,
    /// Its non-empty rows in order.
    pub rows: Vec<GridRow>,
}

/// A value to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// A yes/no.
    Bool(bool),
    /// Nothing.
    Empty,
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => format_number(*n),
            Cell::Bool(b) => b.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// A sheet to write: its name and rows under the spec's header.
#[derive(Debug, Clone)]
pub struct OutSheet {
    /// Sheet name.
    pub name: &'static str,
    /// Header cells.
    pub header: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<Cell>>,
}

/// Whole numbers without a fraction (`3`, not `3.0`); others as Rust prints them, which
/// reads back to the same `f64`.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn data_text(d: &Data) -> CellText {
    match d {
        Data::Empty => Ok(String::new()),
        Data::String(s) => Ok(s.trim().to_owned()),
        Data::Int(i) => Ok(i.to_string()),
        Data::Float(f) => Ok(format_number(*f)),
        Data::Bool(b) => Ok(b.to_string()),
        Data::DateTime(d) => Ok(format_number(d.as_f64())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Ok(s.clone()),
        Data::Error(e) => Err(format!(
            "the cell holds the spreadsheet error {e}; type the value instead of a formula"
        )),
    }
}

fn non_empty(cells: &[CellText]) -> bool {
    cells.iter().any(|c| !matches!(c, Ok(t) if t.is_empty()))
}

/// Every sheet of an xlsx workbook.
pub fn read_xlsx(path: &Path) -> Result<Vec<Grid>, CatalogFileError> {
    let unreadable = |message: String| CatalogFileError::Unreadable {
        path: path.display().to_string(),
        message,
    };
    let mut book: Xlsx<_> =
        open_workbook(path).map_err(|e| unreadable(format!("not an xlsx workbook ({e})")))?;
    let mut grids = Vec::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| unreadable(format!("sheet {name}: {e}")))?;
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let mut rows = Vec::new();
        for (i, row) in range.rows().enumerate() {
            let mut cells: Vec<CellText> = vec![Ok(String::new()); col0 as usize];
            cells.extend(row.iter().map(data_text));
            if non_empty(&cells) {
                rows.push(GridRow {
                    number: row0 + i as u32 + 1,
                    cells,
                });
            }
        }
        grids.push(Grid { sheet: name, rows });
    }
    Ok(grids)
}

/// The sheets of a folder of CSV files (`items.csv`, …; UTF-8, a byte-order mark allowed).
/// A missing file is a missing sheet, reported by the parser.
pub fn read_csv_dir(dir: &Path) -> Result<Vec<Grid>, CatalogFileError> {
    if !dir.is_dir() {
        return Err(CatalogFileError::Unreadable {
            path: dir.display().to_string(),
            message: "neither an .xlsx file nor a folder of CSV files (departments.csv, items.csv, materials.csv, form_fields.csv, bundles.csv)".into(),
        });
    }
    let mut grids = Vec::new();
    for spec in SHEETS {
        let path = dir.join(format!("{}.csv", spec.name));
        if !path.exists() {
            continue;
        }
        let unreadable = |message: String| CatalogFileError::Unreadable {
            path: path.display().to_string(),
            message,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(&path)
            .map_err(|e| unreadable(e.to_string()))?;
        let mut rows = Vec::new();
        for record in reader.records() {
            let record =
                record.map_err(|e| unreadable(format!("{e} (save the sheet as \"CSV UTF-8\")")))?;
            let number = record.position().map_or(0, |p| p.line()) as u32;
            let cells: Vec<CellText> = record
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let c = if i == 0 {
                        c.trim_start_matches('\u{feff}')
                    } else {
                        c
                    };
                    Ok(c.trim().to_owned())
                })
                .collect();
            if non_empty(&cells) {
                rows.push(GridRow { number, cells });
            }
        }
        grids.push(Grid {
            sheet: spec.name.to_owned(),
            rows,
        });
    }
    Ok(grids)
}

/// Writes the sheets as an xlsx workbook: a bold, frozen header row and readable widths.
pub fn write_xlsx(sheets: &[OutSheet], path: &Path) -> Result<(), CatalogFileError> {
    let fail = |e: rust_xlsxwriter::XlsxError| CatalogFileError::Unwritable {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for sheet in sheets {
        let ws = book.add_worksheet();
        ws.set_name(sheet.name).map_err(fail)?;
        for (c, h) in sheet.header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(fail)?;
            ws.set_column_width(c as u16, 16).map_err(fail)?;
        }
        ws.set_freeze_panes(1, 0).map_err(fail)?;
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(t) => {
                        ws.write_string(r, c, t).map_err(fail)?;
                    }
                    Cell::Number(n) => {
                        ws.write_number(r, c, *n).map_err(fail)?;
                    }
                    Cell::Bool(b) => {
                        ws.write_boolean(r, c, *b).map_err(fail)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
    }
    book.save(path).map_err(fail)
}

/// Writes the sheets as a folder of CSV files (UTF-8 with a byte-order mark, which Excel
/// needs to show Chinese text).
pub fn write_csv_dir(sheets: &[OutSheet], dir: &Path) -> Result<(), CatalogFileError> {
    std::fs::create_dir_all(dir).map_err(|e| CatalogFileError::Unwritable {
        path: dir.display().to_string(),
        message: e.to_string(),
    })?;
    for sheet in sheets {
        let path = dir.join(format!("{}.csv", sheet.name));
        let fail = |message: String| CatalogFileError::Unwritable {
            path: path.display().to_string(),
            message,
        };
        let mut out: Vec<u8> = "\u{feff}".as_bytes().to_vec();
        {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(&sheet.header)
                .map_err(|e| fail(e.to_string()))?;
            for row in &sheet.rows {
                w.write_record(row.iter().map(Cell::text))
                    .map_err(|e| fail(e.to_string()))?;
            }
            w.flush().map_err(|e| fail(e.to_string()))?;
        }
        std::fs::write(&path, out).map_err(|e| fail(e.to_string()))?;
    }
    Ok(())
}

/// The header row of a sheet as the export writes it.
pub fn header(spec: &super::spec::SheetSpec) -> Vec<String> {
    spec.columns.iter().map(header_cell).collect()
}
