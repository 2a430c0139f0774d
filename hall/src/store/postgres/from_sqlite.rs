//! `hall migrate-to postgres://…`: moves a county's SQLite database into an empty PostgreSQL
//! one, every table with its ids, in one PostgreSQL transaction that commits only when each
//! table holds as many rows as the SQLite file did.
//!
//! Both sides are first brought to the latest schema (the two migration files are kept
//! table for table and column for column alike, `tests/store/schema.rs`), so the column
//! list of PostgreSQL's catalog is read from SQLite by name. Values are converted by the
//! PostgreSQL column's type: RFC 3339 text → `TIMESTAMPTZ`, `YYYY-MM-DD` → `DATE`, 0/1 →
//! `BOOLEAN`. Tables are filled parents first (by their foreign keys); a table is emptied
//! just before it is filled, which drops what the migrations seeded (`generations`) and the
//! rows a trigger derived from a table copied earlier (`application_facts`, copied last
//! as it is). Identity columns are copied as they are (`OVERRIDING SYSTEM VALUE`) and their
//! sequences set past the highest id SQLite ever handed out (`sqlite_sequence`), so new rows
//! never reuse one.
//!
//! SQLite is read in one read transaction (a consistent state even if a hall still runs;
//! stop it first so nothing arrives after the copy) on a blocking thread that streams rows
//! in chunks. Errors name the table and column, never a value (values may be personal data).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rusqlite::types::ValueRef;
use tokio::sync::mpsc;
use tokio_postgres::types::ToSql;

use super::PgStore;
use crate::error::HallError;

/// Tables filled by triggers from others: copied after every other table.
const DERIVED: &[&str] = &["application_facts"];
/// Rows per INSERT statement (fewer when a table has many columns).
const CHUNK: usize = 500;

/// One SQLite value.
enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// What the reading thread sends.
enum Read {
    /// Row counts and `sqlite_sequence`, read first in the same transaction.
    Counts(HashMap<String, i64>, HashMap<String, i64>),
    /// Rows of a table (in plan order).
    Rows(Vec<Vec<Cell>>),
    /// The table is done.
    End,
    Failed(HallError),
}

/// A table to copy: its name and its columns as (name, PostgreSQL type, identity).
struct Table {
    name: String,
    columns: Vec<(String, String, bool)>,
}

/// A parameter of the INSERT.
type Param = Box<dyn ToSql + Sync + Send>;

impl PgStore {
    /// Copies the SQLite database at `sqlite` (already at the latest schema) into this
    /// database, which must be empty; returns each table's row count.
    pub async fn take_from_sqlite(&self, sqlite: &Path) -> Result<Vec<(String, i64)>, HallError> {
        let mut client = self.client().await?;
        let tables = plan(&client).await?;
        refuse_if_not_empty(&client, &tables).await?;

        let (tx, mut rx) = mpsc::channel(4);
        let names: Vec<(String, Vec<String>)> = tables
            .iter()
            .map(|t| {
                let cols = t.columns.iter().map(|c| c.0.clone()).collect();
                (t.name.clone(), cols)
            })
            .collect();
        let path = sqlite.to_path_buf();
        let reader = tokio::task::spawn_blocking(move || {
            if let Err(e) = read_sqlite(&path, &names, &tx) {
                let _ = tx.blocking_send(Read::Failed(e));
            }
        });
        let (counts, sequences) = match rx.recv().await {
            Some(Read::Counts(c, s)) => (c, s),
            Some(Read::Failed(e)) => return Err(e),
            _ => return Err(HallError::Internal("the SQLite reader stopped".into())),
        };

        let txn = client.transaction().await?;
        let mut moved = Vec::new();
        for table in &tables {
            txn.execute(&format!("DELETE FROM \"{}\"", table.name), &[])
                .await?;
            loop {
                match rx.recv().await {
                    Some(Read::Rows(rows)) => insert(&txn, table, rows).await?,
                    Some(Read::End) => break,
                    Some(Read::Failed(e)) => return Err(e),
                    Some(Read::Counts(..)) | None => {
                        return Err(HallError::Internal("the SQLite reader stopped".into()))
                    }
                }
            }
            for (column, _, identity) in &table.columns {
                if *identity {
                    let floor = sequences.get(&table.name).copied().unwrap_or(0);
                    txn.execute(
                        &format!(
                            "SELECT setval(pg_get_serial_sequence($1, $2),
                                 GREATEST(COALESCE(MAX(\"{column}\"), 0), $3, 1),
                                 GREATEST(COALESCE(MAX(\"{column}\"), 0), $3) > 0)
                             FROM \"{}\"",
                            table.name
                        ),
                        &[&table.name, column, &floor],
                    )
                    .await?;
                }
            }
            let here: i64 = txn
                .query_one(&format!("SELECT COUNT(*) FROM \"{}\"", table.name), &[])
                .await?
                .get(0);
            let there = counts.get(&table.name).copied().unwrap_or(-1);
            if here != there {
                return Err(HallError::Internal(format!(
                    "table {}: {there} rows in SQLite but {here} copied; nothing was committed",
                    table.name
                )));
            }
            moved.push((table.name.clone(), here));
        }
        txn.commit().await?;
        reader
            .await
            .map_err(|e| HallError::Internal(format!("the SQLite reader: {e}")))?;
        Ok(moved)
    }
}

/// The tables of the schema (but `hall_schema`), parents before children, derived last.
async fn plan(client: &tokio_postgres::Client) -> Result<Vec<Table>, HallError> {
    let mut columns: BTreeMap<String, Vec<(String, String, bool)>> = BTreeMap::new();
    for r in client
        .query(
            "SELECT c.table_name::text, c.column_name::text, c.data_type::text,
                    c.is_identity::text = 'YES'
             FROM information_schema.columns c
             JOIN information_schema.tables t
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
               AND c.table_name <> 'hall_schema'
             ORDER BY c.table_name, c.ordinal_position",
            &[],
        )
        .await?
    {
        columns
            .entry(r.get(0))
            .or_default()
            .push((r.get(1), r.get(2), r.get(3)));
    }
    let mut parents: BTreeMap<String, BTreeSet<String>> = columns
        .keys()
        .map(|t| (t.clone(), BTreeSet::new()))
        .collect();
    for r in client
        .query(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
             WHERE contype = 'f' AND connamespace = current_schema()::regnamespace",
            &[],
        )
        .await?
    {
        let (child, parent): (String, String) = (r.get(0), r.get(1));
        if child != parent {
            parents.entry(child).or_default().insert(parent);
        }
    }
    let mut order = Vec::new();
    let mut left: BTreeSet<String> = columns
        .keys()
        .filter(|t| !DERIVED.contains(&t.as_str()))
        .cloned()
        .collect();
    while !left.is_empty() {
        let ready = left
            .iter()
            .find(|t| {
                parents
                    .get(*t)
                    .is_none_or(|ps| ps.iter().all(|p| !left.contains(p)))
            })
            .cloned()
            .ok_or_else(|| {
                HallError::Internal(format!("foreign keys form a cycle among {left:?}"))
            })?;
        left.remove(&ready);
        order.push(ready);
    }
    order.extend(
        DERIVED
            .iter()
            .filter(|t| columns.contains_key(**t))
            .map(|t| (*t).to_owned()),
    );
    Ok(order
        .into_iter()
        .map(|name| Table {
            columns: columns.remove(&name).unwrap_or_default(),
            name,
        })
        .collect())
}

/// A target holding anything but what the migrations seed is refused: a second run, or a
/// database another county already uses, must not be merged into.
async fn refuse_if_not_empty(
    client: &tokio_postgres::Client,
    tables: &[Table],
) -> Result<(), HallError> {
    let mut used = Vec::new();
    for t in tables {
        let sql = if t.name == "generations" {
            "SELECT COUNT(*) FROM generations WHERE value <> 0".to_owned()
        } else {
            format!("SELECT COUNT(*) FROM \"{}\"", t.name)
        };
        let n: i64 = client.query_one(&sql, &[]).await?.get(0);
        if n > 0 {
            used.push(format!("{} ({n} rows)", t.name));
        }
    }
    if used.is_empty() {
        Ok(())
    } else {
        Err(HallError::InvalidArgument(format!(
            "the PostgreSQL database is not empty: {}; move a county into a new database \
             (CREATE DATABASE …) that no hall has served",
            used.join(", ")
        )))
    }
}

/// Inserts `rows` of `table`, converted by column type, in statements of up to [`CHUNK`].
async fn insert(
    txn: &tokio_postgres::Transaction<'_>,
    table: &Table,
    rows: Vec<Vec<Cell>>,
) -> Result<(), HallError> {
    let width = table.columns.len().max(1);
    let per = CHUNK.min(60_000 / width).max(1);
    let names: Vec<String> = table
        .columns
        .iter()
        .map(|c| format!("\"{}\"", c.0))
        .collect();
    let overriding = if table.columns.iter().any(|c| c.2) {
        " OVERRIDING SYSTEM VALUE"
    } else {
        ""
    };
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut params: Vec<Param> = Vec::new();
        let mut tuples = Vec::new();
        for row in rows.by_ref().take(per) {
            let mut slots = Vec::with_capacity(width);
            for (cell, (column, ty, _)) in row.into_iter().zip(&table.columns) {
                params.push(convert(cell, ty).map_err(|why| {
                    HallError::Corrupt(format!("{}.{column}: {why}", table.name))
                })?);
                slots.push(format!("${}", params.len()));
            }
            tuples.push(format!("({})", slots.join(", ")));
        }
        let sql = format!(
            "INSERT INTO \"{}\" ({}){overriding} VALUES {}",
            table.name,
            names.join(", "),
            tuples.join(", ")
        );
        let refs: Vec<&(dyn ToSql + Sync)> = params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect();
        txn.execute(&sql, &refs).await?;
    }
    Ok(())
}

/// A SQLite value as the parameter for a PostgreSQL column of type `ty`; the reason if it
/// cannot be (without the value).
fn convert(cell: Cell, ty: &str) -> Result<Param, String> {
    let kind = match &cell {
        Cell::Null => "NULL",
        Cell::Int(_) => "an integer",
        Cell::Real(_) => "a real",
        Cell::Text(_) => "text",
        Cell::Blob(_) => "a blob",
    };
    let wrong = || format!("{kind} does not fit a {ty} column");
    Ok(match (ty, cell) {
        ("bigint", Cell::Null) => Box::new(None::<i64>),
        ("bigint", Cell::Int(i)) => Box::new(Some(i)),
        ("integer", Cell::Null) => Box::new(None::<i32>),
        ("integer", Cell::Int(i)) => Box::new(Some(i32::try_from(i).map_err(|_| wrong())?)),
        ("boolean", Cell::Null) => Box::new(None::<bool>),
        ("boolean", Cell::Int(i)) => Box::new(Some(i != 0)),
        ("bytea", Cell::Null) => Box::new(None::<Vec<u8>>),
        ("bytea", Cell::Blob(b)) => Box::new(Some(b)),
        ("bytea", Cell::Text(t)) => Box::new(Some(t.into_bytes())),
        ("text", Cell::Null) => Box::new(None::<String>),
        ("text", Cell::Text(t)) => Box::new(Some(t)),
        ("text", Cell::Int(i)) => Box::new(Some(i.to_string())),
        ("text", Cell::Real(r)) => Box::new(Some(r.to_string())),
        ("timestamp with time zone", Cell::Null) => Box::new(None::<DateTime<Utc>>),
        ("timestamp with time zone", Cell::Text(t)) => {
            Box::new(Some(timestamp(&t).ok_or_else(|| {
                "text that is not an RFC 3339 time does not fit a timestamptz column".to_owned()
            })?))
        }
        ("timestamp with time zone", Cell::Int(secs)) => Box::new(Some(
            DateTime::<Utc>::from_timestamp(secs, 0).ok_or_else(wrong)?,
        )),
        ("date", Cell::Null) => Box::new(None::<NaiveDate>),
        ("date", Cell::Text(t)) => Box::new(Some(
            NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| wrong())?,
        )),
        _ => return Err(wrong()),
    })
}

/// RFC 3339, or SQLite's `YYYY-MM-DD HH:MM:SS[.fff]` (UTC).
fn timestamp(t: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f")
                .ok()
                .map(|n| n.and_utc())
        })
}

/// The reading thread: counts, then each table's rows in plan order, in one transaction.
fn read_sqlite(
    path: &PathBuf,
    tables: &[(String, Vec<String>)],
    tx: &mpsc::Sender<Read>,
) -> Result<(), HallError> {
    let mut conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    let read = conn.transaction()?;
    let mut counts = HashMap::new();
    for (name, _) in tables {
        let n: i64 = read
            .query_row(&format!("SELECT COUNT(*) FROM \"{name}\""), [], |r| {
                r.get(0)
            })
            .map_err(|e| HallError::InvalidArgument(format!("SQLite table {name}: {e}")))?;
        counts.insert(name.clone(), n);
    }
    let mut sequences = HashMap::new();
    let has_sequences: bool = read.query_row(
        "SELECT COUNT(*) > 0 FROM sqlite_master WHERE name = 'sqlite_sequence'",
        [],
        |r| r.get(0),
    )?;
    if has_sequences {
        let mut stmt = read.prepare("SELECT name, seq FROM sqlite_sequence")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (name, seq) = row?;
            sequences.insert(name, seq);
        }
    }
    if tx.blocking_send(Read::Counts(counts, sequences)).is_err() {
        return Ok(());
    }
    for (name, columns) in tables {
        let list: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
        let mut stmt = read.prepare(&format!("SELECT {} FROM \"{name}\"", list.join(", ")))?;
        let mut rows = stmt.query([])?;
        let mut chunk = Vec::with_capacity(CHUNK);
        while let Some(row) = rows.next()? {
            let mut cells = Vec::with_capacity(columns.len());
            for i in 0..columns.len() {
                cells.push(match row.get_ref(i)? {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(i) => Cell::Int(i),
                    ValueRef::Real(r) => Cell::Real(r),
                    ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
                });
            }
            chunk.push(cells);
            if chunk.len() == CHUNK
                && tx
                    .blocking_send(Read::Rows(std::mem::take(&mut chunk)))
                    .is_err()
            {
                return Ok(());
            }
        }
        if !chunk.is_empty() && tx.blocking_send(Read::Rows(chunk)).is_err() {
            return Ok(());
        }
        if tx.blocking_send(Read::End).is_err() {
            return Ok(());
        }
    }
    Ok(())
}
