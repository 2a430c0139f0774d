//! Working days: the statutory holidays and make-up working days (调休) of each year, read
//! from one editable TOML file per year (`hall/holidays/2025.toml`, shipped for 2025–2027 and
//! built in). A 承诺时限 of N working days from 受理 ends on the Nth working day after the
//! acceptance day; 0 (即办) means the same day. A year without a file counts Monday–Friday:
//! the hall never refuses to start over it, but it logs a warning once per year and
//! [`Calendar::missing_years`] lets the supervisor's page and metrics say which file to add.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::sync::Mutex;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

/// The shipped files, built in so a hall without its source tree still has them.
const SHIPPED: &[(&str, &str)] = &[
    ("2025.toml", include_str!("../../holidays/2025.toml")),
    ("2026.toml", include_str!("../../holidays/2026.toml")),
    ("2027.toml", include_str!("../../holidays/2027.toml")),
];

/// A holiday file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("holiday file {file}: {message}")]
pub struct CalendarError {
    /// Which file.
    pub file: String,
    /// What is wrong with it, for the technician.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    year: i32,
    #[serde(default)]
    provisional: bool,
    #[serde(default)]
    holidays: Vec<HolidayRange>,
    #[serde(default)]
    workdays: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayRange {
    #[serde(default)]
    #[allow(dead_code)]
    name: String,
    from: String,
    to: String,
}

/// One year's exceptions to Monday–Friday.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Year {
    /// Days off that would be working days (or are anyway).
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days worked (调休上班).
    pub workdays: BTreeSet<NaiveDate>,
    /// Marked provisional in its file (not yet checked against the State Council notice).
    pub provisional: bool,
}

impl Year {
    /// Parses one year's file; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<(i32, Year), CalendarError> {
        let fail = |message: String| CalendarError {
            file: file.to_owned(),
            message,
        };
        let parsed: YearFile = toml::from_str(text).map_err(|e| fail(e.to_string()))?;
        let date = |text: &str| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| fail(format!("{text:?} is not a date (YYYY-MM-DD)")))
                .and_then(|d| {
                    if d.year() == parsed.year {
                        Ok(d)
                    } else {
                        Err(fail(format!("{text} is not in {}", parsed.year)))
                    }
                })
        };
        let mut year = Year {
            provisional: parsed.provisional,
            ..Year::default()
        };
        for range in &parsed.holidays {
            let (from, to) = (date(&range.from)?, date(&range.to)?);
            if to < from || (to - from).num_days() > 31 {
                return Err(fail(format!(
                    "holiday {}..{} is reversed or longer than a month",
                    range.from, range.to
                )));
            }
            let mut d = from;
            loop {
                year.holidays.insert(d);
                match d.succ_opt() {
                    Some(next) if next <= to => d = next,
                    _ => break,
                }
            }
        }
        for text in &parsed.workdays {
            let d = date(text)?;
            if year.holidays.contains(&d) {
                return Err(fail(format!("{text} is both a holiday and a working day")));
            }
            year.workdays.insert(d);
        }
        Ok((parsed.year, year))
    }
}

/// The working-day calendar.
#[derive(Debug, Default)]
pub struct Calendar {
    years: BTreeMap<i32, Year>,
    /// Years asked about without a file (warned once each).
    missing: Mutex<BTreeSet<i32>>,
}

impl Calendar {
    /// The built-in files for 2025–2027.
    pub fn shipped() -> Result<Calendar, CalendarError> {
        let mut years = BTreeMap::new();
        for (file, text) in SHIPPED {
            let (y, year) = Year::parse(file, text)?;
            years.insert(y, year);
        }
        Ok(Calendar::from_years(years))
    }

    /// The built-in files, overridden and extended by every `YYYY.toml` in `dir`.
    pub fn shipped_and_dir(dir: &Path) -> Result<Calendar, CalendarError> {
        let mut cal = Calendar::shipped()?;
        let entries = std::fs::read_dir(dir).map_err(|e| CalendarError {
            file: dir.display().to_string(),
            message: format!("cannot read the directory: {e}"),
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("toml") {
                continue;
            }
            let name = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|e| CalendarError {
                file: name.clone(),
                message: e.to_string(),
            })?;
            let (y, year) = Year::parse(&name, &text)?;
            cal.years.insert(y, year);
        }
        Ok(cal)
    }

    /// A calendar of the given years (tests build their own).
    pub fn from_years(years: BTreeMap<i32, Year>) -> Calendar {
        for (y, year) in &years {
            if year.provisional {
                tracing::warn!(
                    year = y,
                    "the holiday file for {y} is provisional: check it against the State Council's notice"
                );
            }
        }
        Calendar {
            years,
            missing: Mutex::new(BTreeSet::new()),
        }
    }

    /// Whether `day` is a working day.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        let weekday = !matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        match self.years.get(&day.year()) {
            Some(year) => {
                if year.holidays.contains(&day) {
                    false
                } else {
                    weekday || year.workdays.contains(&day)
                }
            }
            None => {
                self.note_missing(day.year());
                weekday
            }
        }
    }

    fn note_missing(&self, year: i32) {
        let mut missing = self.missing.lock().unwrap_or_else(|p| p.into_inner());
        if missing.insert(year) {
            tracing::warn!(
                year,
                "no holiday file for {year}: counting Monday to Friday; add holidays/{year}.toml"
            );
        }
    }

    /// The due date of `days` working days counted from `from` (the day of 受理): the
    /// `days`-th working day after it; `from` itself for 0 (即办).
    pub fn add_working_days(&self, from: NaiveDate, days: u32) -> NaiveDate {
        let mut date = from;
        let mut left = days;
        while left > 0 {
            let Some(next) = date.succ_opt() else { break };
            date = next;
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date
    }

    /// Years that were needed but have no file (for the log, `/metrics` and the supervisor).
    pub fn missing_years(&self) -> Vec<i32> {
        let missing = self.missing.lock().unwrap_or_else(|p| p.into_inner());
        missing.iter().copied().collect()
    }

    /// Years whose file is marked provisional.
    pub fn provisional_years(&self) -> Vec<i32> {
        self.years
            .iter()
            .filter(|(_, y)| y.provisional)
            .map(|(y, _)| *y)
            .collect()
    }

    /// Years with a file.
    pub fn years(&self) -> HashSet<i32> {
        self.years.keys().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_shipped_2025_file_has_the_state_councils_days() {
        let cal = Calendar::shipped().unwrap();
        for off in [
            "2025-01-01",
            "2025-01-28",
            "2025-02-04",
            "2025-05-05",
            "2025-10-08",
        ] {
            assert!(!cal.is_working_day(d(off)), "{off} is a holiday");
        }
        for on in [
            "2025-01-26",
            "2025-02-08",
            "2025-04-27",
            "2025-09-28",
            "2025-10-11",
        ] {
            assert!(
                cal.is_working_day(d(on)),
                "{on} is a make-up working day (a weekend)"
            );
        }
        assert!(cal.is_working_day(d("2025-03-03")), "an ordinary Monday");
        assert!(!cal.is_working_day(d("2025-03-01")), "an ordinary Saturday");
        assert!(cal.missing_years().is_empty());
        assert_eq!(cal.provisional_years(), vec![2026, 2027]);
    }

    #[test]
    fn due_dates_skip_the_spring_festival_and_count_make_up_days() {
        let cal = Calendar::shipped().unwrap();
        // Accepted Friday 2025-01-24: Sun 26th is worked (1), Mon 27th (2), then the holiday
        // 28th..4th, Wed 5th (3), Thu (4), Fri (5).
        assert_eq!(cal.add_working_days(d("2025-01-24"), 5), d("2025-02-07"));
        // Saturday 8 February is a working day.
        assert_eq!(cal.add_working_days(d("2025-02-07"), 1), d("2025-02-08"));
        // National Day: accepted Tuesday 30 September, 1 day → Thursday 9 October.
        assert_eq!(cal.add_working_days(d("2025-09-30"), 1), d("2025-10-09"));
    }

    #[test]
    fn same_day_items_are_due_the_day_they_are_accepted_even_on_a_holiday() {
        let cal = Calendar::shipped().unwrap();
        assert_eq!(cal.add_working_days(d("2025-10-03"), 0), d("2025-10-03"));
        assert_eq!(cal.add_working_days(d("2025-03-04"), 0), d("2025-03-04"));
    }

    #[test]
    fn a_year_without_a_file_counts_monday_to_friday_and_is_reported() {
        let cal = Calendar::shipped().unwrap();
        // 2031-01-03 is a Friday; 1 working day later is Monday the 6th.
        assert_eq!(cal.add_working_days(d("2031-01-03"), 1), d("2031-01-06"));
        assert!(
            cal.is_working_day(d("2031-01-01")),
            "no file: New Year counts"
        );
        assert_eq!(cal.missing_years(), vec![2031]);
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let err = Year::parse("x.toml", "year = 2025\nworkdays = [\"2025-02-30\"]").unwrap_err();
        assert!(err.to_string().contains("2025-02-30"), "{err}");
        let err = Year::parse("x.toml", "year = 2025\nworkdays = [\"2026-01-04\"]").unwrap_err();
        assert!(err.to_string().contains("not in 2025"), "{err}");
        let err = Year::parse(
            "x.toml",
            "year = 2025\nholidays = [{from = \"2025-05-05\", to = \"2025-05-01\"}]",
        )
        .unwrap_err();
        assert!(err.to_string().contains("reversed"), "{err}");
        let err = Year::parse(
            "x.toml",
            "year = 2025\nholidays = [{from = \"2025-05-01\", to = \"2025-05-01\"}]\nworkdays = [\"2025-05-01\"]",
        )
        .unwrap_err();
        assert!(err.to_string().contains("both"), "{err}");
        assert!(Year::parse("x.toml", "yaer = 2025").is_err());
    }

    #[test]
    fn a_directory_file_overrides_the_shipped_year() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("2031.toml"),
            "year = 2031\nholidays = [{name = \"元旦\", from = \"2031-01-01\", to = \"2031-01-01\"}]",
        )
        .unwrap();
        let cal = Calendar::shipped_and_dir(dir.path()).unwrap();
        assert!(!cal.is_working_day(d("2031-01-01")));
        assert!(cal.missing_years().is_empty());
        assert!(cal.years().contains(&2025));
    }
}
