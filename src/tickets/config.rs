//! The operator's ticket files under `config/`, loaded with `file:line:column` errors:
//! `prefectures.yaml` (the 11 prefectures and their area codes), `holidays.yaml` (local
//! UTC offset, public holidays and make-up working days) and `complaint-catalogue.yaml`
//! (complaint categories and types), and `passwords.yaml` (the line password's strength
//! rules and lockout, spec §2). Each loader reads and checks the whole file; the caller
//! keeps what it had when one fails.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{Datelike, FixedOffset, NaiveDate, Weekday};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use super::calendar::Calendar;
use super::model::FaultComplaint;
use super::number::{Prefecture, Prefectures};
use crate::passwords::lockout::LockoutPolicy;
use crate::passwords::strength::StrengthRules;

/// The catalogue code of the installation/move time-limit complaint (装移机时限), which
/// must carry the order's acceptance number and state.
pub const INSTALL_MOVE_TIME_LIMIT: &str = "install-move-time-limit";

/// A problem in an operator file, at a 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (file, line, column) = (self.file.display(), self.line, self.column);
        write!(f, "{file}:{line}:{column}: {}", self.message)
    }
}

/// The complaint catalogue: categories, each with its types.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub categories: Vec<Category>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub types: Vec<ComplaintType>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintType {
    /// Stable code, unique over the whole catalogue (`repair-time-limit`).
    pub code: String,
    pub name: String,
    /// The complaint must carry the order's acceptance number and its state.
    #[serde(default)]
    pub needs_order: bool,
}

impl Catalogue {
    /// The category and type of a type code.
    pub fn find(&self, type_code: &str) -> Option<(&Category, &ComplaintType)> {
        self.categories.iter().find_map(|c| {
            let t = c.types.iter().find(|t| t.code == type_code)?;
            Some((c, t))
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PrefecturesFile {
    prefectures: Vec<Prefecture>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidaysFile {
    utc_offset: String,
    #[serde(default)]
    holidays: Vec<NaiveDate>,
    #[serde(default)]
    working_days: Vec<NaiveDate>,
}

/// The rules of the line and contract passwords: every field has its default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordRules {
    pub strength: StrengthRules,
    pub lockout: LockoutPolicy,
}

pub fn load_password_rules(path: &Path) -> Result<PasswordRules, ConfigError> {
    let text = read(path)?;
    Doc::new(&text, path)?.decode()
}

pub fn load_prefectures(path: &Path) -> Result<Prefectures, ConfigError> {
    parse_prefectures(&read(path)?, path)
}

pub fn load_calendar(path: &Path) -> Result<Calendar, ConfigError> {
    parse_calendar(&read(path)?, path)
}

pub fn load_catalogue(path: &Path) -> Result<Catalogue, ConfigError> {
    parse_catalogue(&read(path)?, path)
}

/// `text` is the content of `file` (named in errors).
pub fn parse_prefectures(text: &str, file: &Path) -> Result<Prefectures, ConfigError> {
    let doc = Doc::new(text, file)?;
    let parsed: PrefecturesFile = doc.decode()?;
    let mut codes = HashMap::new();
    for (i, p) in parsed.prefectures.iter().enumerate() {
        let at = |field: &str| format!("prefectures.{i}.{field}");
        if p.code.is_empty() || !p.code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
            return Err(doc.error(
                &at("code"),
                "a prefecture code is lower-case letters and `-`",
            ));
        }
        if let Some(first) = codes.insert(p.code.as_str(), i) {
            let msg = format!(
                "prefecture `{}` is already defined (item {})",
                p.code,
                first + 1
            );
            return Err(doc.error(&at("code"), &msg));
        }
        let area = &p.area_code;
        if !(3..=4).contains(&area.len()) || !area.starts_with('0') || !is_digits(area) {
            let msg = format!("area code `{area}` must be 3–4 digits starting with 0 (quote it)");
            return Err(doc.error(&at("area_code"), &msg));
        }
        if let Some(other) = parsed.prefectures[..i]
            .iter()
            .find(|o| o.area_code.starts_with(area.as_str()) || area.starts_with(&o.area_code))
        {
            let msg = format!(
                "area code `{area}` clashes with `{}` of {}",
                other.area_code, other.code
            );
            return Err(doc.error(&at("area_code"), &msg));
        }
    }
    if parsed.prefectures.is_empty() {
        return Err(doc.error("prefectures", "at least one prefecture is needed"));
    }
    Ok(Prefectures::new(parsed.prefectures))
}

pub fn parse_calendar(text: &str, file: &Path) -> Result<Calendar, ConfigError> {
    let doc = Doc::new(text, file)?;
    let parsed: HolidaysFile = doc.decode()?;
    let offset = parse_offset(&parsed.utc_offset).ok_or_else(|| {
        doc.error(
            "utc_offset",
            "utc_offset must look like `+08:00` (hours:minutes east of UTC)",
        )
    })?;
    let mut seen = BTreeSet::new();
    for (i, date) in parsed.holidays.iter().enumerate() {
        if !seen.insert(*date) {
            return Err(doc.error(&format!("holidays.{i}"), &format!("{date} is listed twice")));
        }
    }
    for (i, date) in parsed.working_days.iter().enumerate() {
        let at = format!("working_days.{i}");
        if !seen.insert(*date) {
            let msg = format!("{date} is already listed (as a holiday or working day)");
            return Err(doc.error(&at, &msg));
        }
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            let msg = format!(
                "{date} is a {}: a make-up working day is a Saturday or Sunday",
                date.weekday()
            );
            return Err(doc.error(&at, &msg));
        }
    }
    Ok(Calendar::new(offset, parsed.holidays, parsed.working_days))
}

pub fn parse_catalogue(text: &str, file: &Path) -> Result<Catalogue, ConfigError> {
    let doc = Doc::new(text, file)?;
    let catalogue: Catalogue = doc.decode()?;
    let mut codes = HashSet::new();
    for (c, category) in catalogue.categories.iter().enumerate() {
        if !codes.insert(category.code.as_str()) {
            let msg = format!("category code `{}` is used twice", category.code);
            return Err(doc.error(&format!("categories.{c}.code"), &msg));
        }
        if category.types.is_empty() {
            return Err(doc.error(
                &format!("categories.{c}.types"),
                "a category needs at least one type",
            ));
        }
        for (t, kind) in category.types.iter().enumerate() {
            if !codes.insert(kind.code.as_str()) {
                let msg = format!("code `{}` is used twice in the catalogue", kind.code);
                return Err(doc.error(&format!("categories.{c}.types.{t}.code"), &msg));
            }
        }
    }
    let required = FaultComplaint::ALL.iter().map(|f| f.as_str());
    for code in required.chain([INSTALL_MOVE_TIME_LIMIT]) {
        match catalogue.find(code) {
            None => {
                let msg = format!("the catalogue must define the complaint type `{code}`");
                return Err(doc.error("categories", &msg));
            }
            Some((_, t)) if code == INSTALL_MOVE_TIME_LIMIT && !t.needs_order => {
                let msg = format!("`{code}` must have `needs_order: true`");
                return Err(doc.error("categories", &msg));
            }
            Some(_) => {}
        }
    }
    Ok(catalogue)
}

pub(crate) fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: path.to_path_buf(),
        line: 1,
        column: 1,
        message: format!("cannot read: {e}"),
    })
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `+08:00`, `-05:30`, `+8`.
fn parse_offset(text: &str) -> Option<FixedOffset> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// One file's text with the position of every value, by dotted path
/// (`prefectures.3.area_code`), for errors found after decoding.
pub(crate) struct Doc<'a> {
    text: &'a str,
    file: &'a Path,
    positions: HashMap<String, (usize, usize)>,
}

impl<'a> Doc<'a> {
    pub(crate) fn new(text: &'a str, file: &'a Path) -> Result<Self, ConfigError> {
        let mut walker = PathWalker::default();
        Parser::new_from_str(text)
            .load(&mut walker, false)
            .map_err(|e| ConfigError {
                file: file.to_path_buf(),
                line: e.marker().line(),
                column: e.marker().col() + 1,
                message: e.info().to_string(),
            })?;
        Ok(Doc {
            text,
            file,
            positions: walker.positions,
        })
    }

    pub(crate) fn decode<T: DeserializeOwned>(&self) -> Result<T, ConfigError> {
        serde_yaml::from_str(self.text).map_err(|e| {
            let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            let message = e.to_string();
            let message = match message.rfind(" at line ") {
                Some(cut) => message[..cut].to_string(),
                None => message,
            };
            ConfigError {
                file: self.file.to_path_buf(),
                line,
                column,
                message,
            }
        })
    }

    pub(crate) fn error(&self, path: &str, message: &str) -> ConfigError {
        let (line, column) = self.positions.get(path).copied().unwrap_or((1, 1));
        ConfigError {
            file: self.file.to_path_buf(),
            line,
            column,
            message: message.to_string(),
        }
    }
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, next: usize },
}

/// Records the position of every value node under its dotted path.
#[derive(Default)]
struct PathWalker {
    stack: Vec<Frame>,
    positions: HashMap<String, (usize, usize)>,
}

impl PathWalker {
    /// The path of the node that starts now, or `None` if it is a mapping key.
    fn place(&mut self, key_text: Option<&str>) -> Option<String> {
        let join = |parent: &str, seg: &str| match parent {
            "" => seg.to_string(),
            _ => format!("{parent}.{seg}"),
        };
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Map {
                key: key @ None, ..
            }) => {
                *key = Some(key_text.unwrap_or_default().to_string());
                None
            }
            Some(Frame::Map { path, key }) => Some(join(path, &key.take().unwrap_or_default())),
            Some(Frame::Seq { path, next }) => {
                *next += 1;
                Some(join(path, &(*next - 1).to_string()))
            }
        }
    }
}

impl MarkedEventReceiver for PathWalker {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let pos = (mark.line(), mark.col() + 1);
        let path = match &event {
            Event::Scalar(text, ..) => self.place(Some(text)),
            Event::MappingStart(..) | Event::SequenceStart(..) | Event::Alias(_) => {
                self.place(None)
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                return;
            }
            _ => return,
        };
        let Some(path) = path else { return };
        self.positions.insert(path.clone(), pos);
        match event {
            Event::MappingStart(..) => self.stack.push(Frame::Map { path, key: None }),
            Event::SequenceStart(..) => self.stack.push(Frame::Seq { path, next: 0 }),
            _ => {}
        }
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
