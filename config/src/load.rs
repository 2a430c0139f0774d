//! Loading: file → environment overrides → typed config → validation, collecting every
//! problem on the way instead of stopping at the first.
//!
//! serde stops at the first error, so the loader deserialises, records the error with its
//! place, removes the offending key (its default takes over) and tries again, until the
//! text deserialises. Each round's error span is mapped back to a dotted key path, and the
//! path to the line and column in the technician's own file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, ImDocument, Item, Table, Value};

use crate::report::{Origin, Problem, Report, Severity};
use crate::source::{file_origin, KeyMap};
use crate::suggest::closest;
use crate::Config;

/// Where the kiosk reads its configuration unless told otherwise.
pub const DEFAULT_PATH: &str = "/etc/kiosk/kiosk.toml";

/// The prefix of environment variables that override keys: `KIOSK_DEVICES__PRINTER__BAUD`
/// sets `devices.printer.baud` (sections joined by a double underscore).
pub const ENV_PREFIX: &str = "KIOSK_";

/// Guards against a pathological file that keeps producing errors.
const MAX_ROUNDS: usize = 200;

/// What to load and how.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// The configuration file.
    pub path: PathBuf,
    /// Environment variables to apply (normally `std::env::vars()`); only `KIOSK_*` ones with
    /// a `__` are used.
    pub env: Vec<(String, String)>,
    /// Check referenced files under this directory instead of `/` (an image's root file
    /// system being prepared on a bench).
    pub root: Option<PathBuf>,
}

impl LoadOptions {
    /// Loads `path` with the process environment applied.
    pub fn from_process(path: impl Into<PathBuf>) -> Self {
        LoadOptions {
            path: path.into(),
            env: std::env::vars().collect(),
            root: None,
        }
    }
}

/// A configuration that passed validation, with any warnings.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The configuration, with relative paths resolved against the file's folder.
    pub config: Config,
    /// Warnings (nothing here stops the kiosk).
    pub warnings: Report,
}

/// Loads and validates a configuration. On failure the report lists every problem found.
pub fn load(options: &LoadOptions) -> Result<Loaded, Report> {
    let path = &options.path;
    let mut report = Report::default();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) => {
            report.push(unreadable(path, &err));
            return Err(report);
        }
    };
    let parsed = match ImDocument::parse(text.clone()) {
        Ok(doc) => doc,
        Err(err) => {
            let at = err.span().map_or(0, |s| s.start);
            report.push(Problem {
                severity: Severity::Error,
                origin: file_origin(path, &text, at),
                field: String::new(),
                value: None,
                message: format!(
                    "TOML syntax error: {}",
                    err.message().trim().replace('\n', "; ")
                ),
                hint: Some("fix the syntax; see config/examples/kiosk.toml for the format".into()),
            });
            return Err(report);
        }
    };
    let mut places = Places {
        path: path.clone(),
        text: text.clone(),
        keys: KeyMap::of(&parsed),
        env: BTreeMap::new(),
    };

    let mut doc = parsed.into_mut();
    for (var, raw) in &options.env {
        if let Some(problem) = apply_env(&mut doc, var, raw, &mut places) {
            report.push(problem);
        }
    }

    let mut config = deserialize_collecting(doc, &places, &mut report);
    let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    crate::files::resolve_relative(&mut config, &base);
    crate::validate::validate(&config, &places, &mut report);
    crate::files::check(&config, options.root.as_deref(), &places, &mut report);

    report.sort();
    if report.has_errors() {
        Err(report)
    } else {
        Ok(Loaded {
            config,
            warnings: report,
        })
    }
}

fn unreadable(path: &Path, err: &std::io::Error) -> Problem {
    let hint = match err.kind() {
        std::io::ErrorKind::NotFound => format!(
            "create it from config/examples/kiosk.toml, or pass --config FILE (or set KIOSK_CONFIG); the default is {DEFAULT_PATH}"
        ),
        std::io::ErrorKind::PermissionDenied => {
            "run as the kiosk user or root, or fix the file's owner".into()
        }
        _ => "check that it is a readable UTF-8 text file".into(),
    };
    Problem {
        severity: Severity::Error,
        origin: Origin::Whole(path.to_path_buf()),
        field: String::new(),
        value: None,
        message: format!("cannot read the configuration file: {err}"),
        hint: Some(hint),
    }
}

/// Where every key came from: the file (with spans) or an environment variable.
#[derive(Debug)]
pub(crate) struct Places {
    path: PathBuf,
    text: String,
    keys: KeyMap,
    env: BTreeMap<String, (String, String)>,
}

impl Places {
    /// The origin of a dotted field path.
    pub fn origin(&self, field: &str) -> Origin {
        if let Some((var, _)) = self.env.get(field) {
            return Origin::Env(var.clone());
        }
        match self.keys.places.get(field) {
            Some(place) => {
                let at = place
                    .value_span
                    .as_ref()
                    .or(place.key_span.as_ref())
                    .map_or(0, |s| s.start);
                file_origin(&self.path, &self.text, at)
            }
            None => Origin::Default(self.path.clone()),
        }
    }

    /// The origin of a field's key (rather than its value): for keys that should not be there.
    pub fn key_origin(&self, field: &str) -> Origin {
        match self
            .keys
            .places
            .get(field)
            .and_then(|p| p.key_span.as_ref())
        {
            Some(span) if !self.env.contains_key(field) => {
                file_origin(&self.path, &self.text, span.start)
            }
            _ => self.origin(field),
        }
    }

    /// The value of a field as the technician wrote it, if they did.
    pub fn raw(&self, field: &str) -> Option<String> {
        if let Some((_, raw)) = self.env.get(field) {
            return Some(raw.clone());
        }
        self.keys
            .places
            .get(field)
            .map(|p| p.raw.clone())
            .filter(|raw| !raw.is_empty())
    }

    /// A problem about `field`, placed where it was written.
    pub fn problem(
        &self,
        severity: Severity,
        field: &str,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Problem {
        Problem {
            severity,
            origin: self.origin(field),
            field: field.to_owned(),
            value: self.raw(field),
            message: message.into(),
            hint,
        }
    }
}

/// Applies one `KIOSK_A__B__C=value` override to the document.
fn apply_env(doc: &mut DocumentMut, var: &str, raw: &str, places: &mut Places) -> Option<Problem> {
    let rest = var.strip_prefix(ENV_PREFIX)?;
    if !rest.contains("__") {
        return None;
    }
    let segments: Vec<String> = rest.split("__").map(str::to_ascii_lowercase).collect();
    let field = segments.join(".");
    // A value that is valid TOML (a number, a boolean, a quoted string) is taken as such;
    // anything else is a plain string, so paths and USB ids need no quoting.
    let value = raw
        .parse::<Value>()
        .unwrap_or_else(|_| Value::from(raw.to_owned()));
    places
        .env
        .insert(field.clone(), (var.to_owned(), raw.to_owned()));
    let (last, parents) = segments.split_last()?;
    let mut table: &mut Table = doc.as_table_mut();
    for segment in parents {
        let entry = table
            .entry(segment)
            .or_insert_with(|| Item::Table(Table::new()));
        if let Some(inline) = entry.as_inline_table().cloned() {
            *entry = Item::Table(inline.into_table());
        }
        match entry.as_table_mut() {
            Some(next) => table = next,
            None => {
                return Some(places.problem(
                    Severity::Error,
                    &field,
                    format!("`{segment}` is a value, not a section, so {var} cannot set a key inside it"),
                    Some("check the variable's name against the keys in config/examples/kiosk.toml".into()),
                ))
            }
        }
    }
    table.insert(last, Item::Value(value));
    None
}

/// Deserialises, and on each error records it and drops the offending key, until it works.
fn deserialize_collecting(mut doc: DocumentMut, places: &Places, report: &mut Report) -> Config {
    for _ in 0..MAX_ROUNDS {
        let text = doc.to_string();
        let err = match toml::from_str::<Config>(&text) {
            Ok(config) => return config,
            Err(err) => err,
        };
        let field = err.span().and_then(|span| {
            let current = ImDocument::parse(text.clone()).ok()?;
            KeyMap::of(&current).path_at(span.start)
        });
        let Some(field) = field else {
            // Not attributable to a key: report it and fall back to the defaults.
            report.push(Problem {
                severity: Severity::Error,
                origin: Origin::Whole(places.path.clone()),
                field: String::new(),
                value: None,
                message: err.message().to_owned(),
                hint: None,
            });
            return Config::default();
        };
        report.push(type_problem(places, &field, err.message()));
        if !remove(&mut doc, &field) {
            return Config::default();
        }
    }
    Config::default()
}

/// Turns serde's message into one a technician can act on.
fn type_problem(places: &Places, field: &str, message: &str) -> Problem {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or_default();
        let expected: Vec<&str> = rest
            .split_once("expected")
            .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        let hint = match closest(name, &expected) {
            Some(near) => format!("did you mean `{near}`?"),
            None if expected.is_empty() => "remove it".to_owned(),
            None => format!("keys allowed here: {}", expected.join(", ")),
        };
        let mut problem = places.problem(
            Severity::Error,
            field,
            format!("unknown key `{name}`"),
            Some(hint),
        );
        problem.value = None;
        problem.origin = places.key_origin(field);
        return problem;
    }
    places.problem(
        Severity::Error,
        field,
        message.replace('\n', " "),
        Some("see config/examples/kiosk.toml for the expected form".into()),
    )
}

/// Removes a dotted key from the document; false if it was not there.
fn remove(doc: &mut DocumentMut, field: &str) -> bool {
    let segments: Vec<&str> = field.split('.').collect();
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let mut item: &mut Item = doc.as_item_mut();
    for segment in parents {
        match item.get_mut(segment) {
            Some(next) => item = next,
            None => return false,
        }
    }
    match item {
        Item::Table(t) => t.remove(last).is_some(),
        Item::Value(Value::InlineTable(t)) => t.remove(last).is_some(),
        _ => false,
    }
}
