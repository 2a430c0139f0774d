//! The two schemas, migrated from scratch, compared table by table: columns (name, the
//! family of the value as the SQLite store reads it, NOT NULL, whether a default exists),
//! primary key, unique constraints and indexes, other indexes (name, columns, partial),
//! foreign keys and the column sets of CHECK constraints. A difference fails with a list of
//! what one side has and the other lacks.
//!
//! Idiom differences taken as equal: PostgreSQL's TIMESTAMPTZ and DATE are SQLite's text
//! (RFC 3339), BOOLEAN is SQLite's 0/1 integer (so SQLite's `CHECK (x IN (0, 1))` is the
//! type there), an identity column is `INTEGER PRIMARY KEY AUTOINCREMENT`, and key columns
//! are NOT NULL (SQLite lets a rowid table's text key be NULL; the store never writes one).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One column as compared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Column {
    name: String,
    family: &'static str,
    not_null: bool,
    has_default: bool,
}

#[derive(Debug, Default)]
struct Table {
    columns: BTreeSet<Column>,
    primary_key: Vec<String>,
    /// (columns, partial).
    unique: BTreeSet<(Vec<String>, bool)>,
    /// (name, columns, partial).
    indexes: BTreeSet<(String, Vec<String>, bool)>,
    /// (columns, referenced table, referenced columns, on delete).
    foreign_keys: BTreeSet<(Vec<String>, String, Vec<String>, String)>,
    /// Column sets, sorted.
    checks: BTreeSet<Vec<String>>,
    /// Columns PostgreSQL keeps as BOOLEAN (not compared; they excuse a 0/1 CHECK).
    booleans: BTreeSet<String>,
}

type Schema = BTreeMap<String, Table>;

fn sqlite_family(declared: &str) -> &'static str {
    match declared.to_ascii_uppercase().as_str() {
        "INTEGER" => "integer",
        "TEXT" => "text",
        "BLOB" => "blob",
        _ => "other",
    }
}

fn pg_family(data_type: &str) -> &'static str {
    match data_type {
        "bigint" | "integer" | "smallint" | "boolean" => "integer",
        "text" | "timestamp with time zone" | "date" => "text",
        "bytea" => "blob",
        _ => "other",
    }
}

/// The column names inside each `CHECK (...)` of a table's SQL.
fn check_columns(sql: &str, columns: &BTreeSet<String>) -> BTreeSet<Vec<String>> {
    let upper = sql.to_ascii_uppercase();
    let mut out = BTreeSet::new();
    let mut from = 0;
    while let Some(found) = upper[from..].find("CHECK") {
        let start = from + found + "CHECK".len();
        let Some(open) = sql[start..].find('(').map(|o| start + o) else {
            break;
        };
        let mut depth = 0;
        let mut end = open;
        for (i, ch) in sql[open..].char_indices() {
            match ch {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let body = &sql[open..end];
        let mut names: Vec<String> = body
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| columns.contains(*w))
            .map(str::to_owned)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        names.sort();
        out.insert(names);
        from = end.max(start);
    }
    out
}

fn sqlite_schema(path: &Path) -> Schema {
    let conn = rusqlite::Connection::open(path).expect("read the schema");
    let tables: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .expect("read the schema")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("read the schema")
        .collect::<Result<_, _>>()
        .expect("read the schema");
    let mut schema = Schema::new();
    for (name, sql) in tables {
        let mut t = Table::default();
        let mut pk: Vec<(i64, String)> = Vec::new();
        let mut stmt = conn
            .prepare(&format!("PRAGMA table_info({name})"))
            .expect("read the schema");
        let mut rows = stmt.query([]).expect("read the schema");
        while let Some(r) = rows.next().expect("read the schema") {
            let col: String = r.get(1).expect("read the schema");
            let declared: String = r.get(2).expect("read the schema");
            let not_null: bool = r.get(3).expect("read the schema");
            let default: Option<String> = r.get(4).expect("read the schema");
            let key: i64 = r.get(5).expect("read the schema");
            if key > 0 {
                pk.push((key, col.clone()));
            }
            t.columns.insert(Column {
                name: col,
                family: sqlite_family(&declared),
                not_null: not_null || key > 0,
                has_default: default.is_some(),
            });
        }
        pk.sort();
        t.primary_key = pk.into_iter().map(|(_, c)| c).collect();
        let indexes: Vec<(String, bool, String, bool)> = conn
            .prepare(&format!("PRAGMA index_list({name})"))
            .expect("read the schema")
            .query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .expect("read the schema")
            .collect::<Result<_, _>>()
            .expect("read the schema");
        for (index, unique, origin, partial) in indexes {
            if origin == "pk" {
                continue;
            }
            let cols: Vec<String> = conn
                .prepare(&format!("PRAGMA index_info({index})"))
                .expect("read the schema")
                .query_map([], |r| r.get(2))
                .expect("read the schema")
                .collect::<Result<_, _>>()
                .expect("read the schema");
            if unique {
                t.unique.insert((cols, partial));
            } else {
                t.indexes.insert((index, cols, partial));
            }
        }
        let mut fks: BTreeMap<i64, (Vec<String>, String, Vec<String>, String)> = BTreeMap::new();
        let mut stmt = conn
            .prepare(&format!("PRAGMA foreign_key_list({name})"))
            .expect("read the schema");
        let mut rows = stmt.query([]).expect("read the schema");
        while let Some(r) = rows.next().expect("read the schema") {
            let id: i64 = r.get(0).expect("read the schema");
            let fk = fks.entry(id).or_insert_with(|| {
                (
                    Vec::new(),
                    r.get(2).expect("read the schema"),
                    Vec::new(),
                    r.get(6).expect("read the schema"),
                )
            });
            fk.0.push(r.get(3).expect("read the schema"));
            fk.2.push(r.get(4).expect("read the schema"));
        }
        t.foreign_keys = fks.into_values().collect();
        let names = t.columns.iter().map(|c| c.name.clone()).collect();
        t.checks = check_columns(&sql, &names);
        schema.insert(name, t);
    }
    schema
}

async fn pg_schema(url: &str) -> Schema {
    let (c, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("read the schema");
    tokio::spawn(connection);
    let mut schema = Schema::new();
    let tables = c
        .query(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
               AND table_name <> 'hall_schema'",
            &[],
        )
        .await
        .expect("read the schema");
    let cols_of = "ARRAY(SELECT a.attname::text FROM unnest(KEYS) WITH ORDINALITY k(n, o)
                         JOIN pg_attribute a ON a.attrelid = REL AND a.attnum = k.n
                         ORDER BY k.o)";
    for row in tables {
        let name: String = row.get(0);
        let mut t = Table::default();
        for r in c
            .query(
                "SELECT column_name::text, data_type::text, is_nullable = 'NO',
                        column_default IS NOT NULL
                 FROM information_schema.columns
                 WHERE table_schema = 'public' AND table_name = $1",
                &[&name],
            )
            .await
            .expect("read the schema")
        {
            let data_type: String = r.get(1);
            let col: String = r.get(0);
            if data_type == "boolean" {
                t.booleans.insert(col.clone());
            }
            t.columns.insert(Column {
                name: col,
                family: pg_family(&data_type),
                not_null: r.get(2),
                has_default: r.get(3),
            });
        }
        let index_cols = cols_of
            .replace("KEYS", "i.indkey::int2[]")
            .replace("REL", "i.indrelid");
        for r in c
            .query(
                &format!(
                    "SELECT ic.relname::text, i.indisunique, i.indisprimary,
                            i.indpred IS NOT NULL, {index_cols}
                     FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                     WHERE i.indrelid = ($1::text)::regclass"
                ),
                &[&name],
            )
            .await
            .expect("read the schema")
        {
            let (index, unique, primary, partial): (String, bool, bool, bool) =
                (r.get(0), r.get(1), r.get(2), r.get(3));
            let cols: Vec<String> = r.get(4);
            if primary {
                t.primary_key = cols;
            } else if unique {
                t.unique.insert((cols, partial));
            } else {
                t.indexes.insert((index, cols, partial));
            }
        }
        let own = cols_of
            .replace("KEYS", "c.conkey")
            .replace("REL", "c.conrelid");
        let theirs = cols_of
            .replace("KEYS", "c.confkey")
            .replace("REL", "c.confrelid");
        for r in c
            .query(
                &format!(
                    "SELECT c.contype::text, {own}, c.confrelid::regclass::text, {theirs},
                            c.confdeltype::text
                     FROM pg_constraint c WHERE c.conrelid = ($1::text)::regclass
                       AND c.contype IN ('f', 'c')"
                ),
                &[&name],
            )
            .await
            .expect("read the schema")
        {
            let kind: String = r.get(0);
            let mut cols: Vec<String> = r.get(1);
            if kind == "c" {
                cols.sort();
                t.checks.insert(cols);
                continue;
            }
            let on_delete = match r.get::<_, String>(4).as_str() {
                "c" => "CASCADE",
                "r" => "RESTRICT",
                "n" => "SET NULL",
                "d" => "SET DEFAULT",
                _ => "NO ACTION",
            };
            t.foreign_keys
                .insert((cols, r.get(2), r.get(3), on_delete.to_owned()));
        }
        schema.insert(name, t);
    }
    schema
}

fn diff_set<T: Ord + std::fmt::Debug>(
    out: &mut Vec<String>,
    table: &str,
    what: &str,
    sqlite: &BTreeSet<T>,
    pg: &BTreeSet<T>,
) {
    for x in sqlite.difference(pg) {
        out.push(format!("{table}: {what} only in SQLite: {x:?}"));
    }
    for x in pg.difference(sqlite) {
        out.push(format!("{table}: {what} only in PostgreSQL: {x:?}"));
    }
}

/// Every difference, one line each.
fn differences(sqlite: &Schema, pg: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = sqlite.keys().chain(pg.keys()).collect();
    for name in names {
        let (Some(s), Some(p)) = (sqlite.get(name), pg.get(name)) else {
            let side = if sqlite.contains_key(name) {
                "SQLite"
            } else {
                "PostgreSQL"
            };
            out.push(format!("{name}: table only in {side}"));
            continue;
        };
        diff_set(&mut out, name, "column", &s.columns, &p.columns);
        if s.primary_key != p.primary_key {
            out.push(format!(
                "{name}: primary key {:?} in SQLite, {:?} in PostgreSQL",
                s.primary_key, p.primary_key
            ));
        }
        diff_set(
            &mut out,
            name,
            "unique (columns, partial)",
            &s.unique,
            &p.unique,
        );
        diff_set(
            &mut out,
            name,
            "index (name, columns, partial)",
            &s.indexes,
            &p.indexes,
        );
        diff_set(
            &mut out,
            name,
            "foreign key",
            &s.foreign_keys,
            &p.foreign_keys,
        );
        // A 0/1 CHECK on a column PostgreSQL types BOOLEAN is that type.
        let s_checks = s
            .checks
            .iter()
            .filter(|cols| !cols.iter().all(|c| p.booleans.contains(c)))
            .cloned()
            .collect();
        diff_set(&mut out, name, "CHECK on columns", &s_checks, &p.checks);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postgresql_migrations_build_the_sqlite_schema() {
    let dir = tempfile::tempdir().expect("read the schema");
    let db = dir.path().join("hall.db");
    hall::store::sqlite::SqliteStore::open(&db)
        .expect("read the schema")
        .close();
    let url = crate::store::common::pg::fresh_database().await;
    drop(
        hall::store::postgres::PgStore::connect(&url)
            .await
            .expect("read the schema"),
    );
    let (sqlite, pg) = (sqlite_schema(&db), pg_schema(&url).await);
    assert!(
        sqlite.len() > 25,
        "the SQLite schema was read: {:?}",
        sqlite.keys()
    );
    assert!(
        sqlite.values().map(|t| t.checks.len()).sum::<usize>() >= 8
            && sqlite.values().map(|t| t.foreign_keys.len()).sum::<usize>() >= 15
            && sqlite.values().map(|t| t.indexes.len()).sum::<usize>() >= 20,
        "the comparison sees CHECKs, foreign keys and indexes"
    );
    let diff = differences(&sqlite, &pg);
    assert!(
        diff.is_empty(),
        "the PostgreSQL schema differs from SQLite's:\n  {}",
        diff.join("\n  ")
    );
    assert_eq!(
        hall::store::postgres::latest_schema(),
        hall::store::sqlite::latest_schema(),
        "the migrations are numbered alike"
    );
}

/// The comparison itself notices a difference (so a passing comparison means something).
#[test]
fn the_comparison_reports_a_missing_index_and_check() {
    let mut a = Table::default();
    a.indexes.insert(("by_x".into(), vec!["x".into()], false));
    a.checks.insert(vec!["level".into()]);
    let sqlite = Schema::from([("t".to_owned(), a)]);
    let pg = Schema::from([("t".to_owned(), Table::default())]);
    let diff = differences(&sqlite, &pg);
    assert_eq!(diff.len(), 2, "{diff:?}");
    assert!(diff[0].contains("index") && diff[1].contains("CHECK"));
}
