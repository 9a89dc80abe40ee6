//! The subscriber-lines CSV (`hotline lines import FILE.csv`), checked before anything is
//! written: all rows are good and imported together, or none is and every bad row is
//! reported as `FILE:LINE: reason`.
//!
//! A header row names the columns (any order): `number, kind, prefecture, status, tier,
//! big_customer, leased_line, owner_name, contact_phone, contract_number`. Enums are their
//! stable names (`landline`, `suspended-arrears`, `gold`…), flags `true`/`false`, the
//! number must fit the kind and the prefecture's area code (`tickets::number`); the
//! contact phone and the contract number may be empty.
//!
//! The header, row and duplicate checks ([`parse_csv`]) serve the accounts CSVs of
//! [`super::import_accounts`] too.

use std::fmt;

use crate::tickets::model::Line;
use crate::tickets::number::Prefectures;

/// The columns of the file, in the order the demo file writes them.
pub const COLUMNS: [&str; 10] = [
    "number",
    "kind",
    "prefecture",
    "status",
    "tier",
    "big_customer",
    "leased_line",
    "owner_name",
    "contact_phone",
    "contract_number",
];

/// One bad row (or a bad header, line 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadRow {
    pub file: String,
    pub line: u64,
    pub reason: String,
}

impl fmt::Display for BadRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

/// Parses and checks every row of `text` (the content of `file`).
pub fn parse_lines(
    text: &str,
    file: &str,
    prefectures: &Prefectures,
) -> Result<Vec<Line>, Vec<BadRow>> {
    let check = |fields: &Fields| check_row(fields, prefectures);
    parse_csv(text, file, &COLUMNS, check, "number", |line: &Line| {
        &line.number
    })
}

/// One row's fields, read by column name (an absent column reads as empty).
pub(crate) struct Fields<'r> {
    header: &'r csv::StringRecord,
    record: &'r csv::StringRecord,
}

impl<'r> Fields<'r> {
    pub(crate) fn get(&self, name: &str) -> &'r str {
        let index = self.header.iter().position(|h| h == name);
        index.and_then(|i| self.record.get(i)).unwrap_or("")
    }
}

/// The checks every import shares: a header naming exactly `columns` (any order), one
/// record per row checked by `check` (which reads a field by column name), blank rows
/// skipped, and no two rows with the same `key` (named `key_name` in messages).
pub(crate) fn parse_csv<T>(
    text: &str,
    file: &str,
    columns: &[&str],
    check: impl Fn(&Fields) -> Result<T, Vec<String>>,
    key_name: &str,
    key: impl Fn(&T) -> &str,
) -> Result<Vec<T>, Vec<BadRow>> {
    let bad = |line: u64, reason: String| BadRow {
        file: file.to_string(),
        line,
        reason,
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|error| vec![bad(1, format!("unreadable header: {error}"))])?
        .clone();
    check_header(&header, columns).map_err(|reason| vec![bad(1, reason)])?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                errors.push(bad(line, format!("unreadable row: {error}")));
                continue;
            }
        };
        let line_no = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != header.len() {
            errors.push(bad(
                line_no,
                format!("{} fields, the header has {}", record.len(), header.len()),
            ));
            continue;
        }
        let fields = Fields {
            header: &header,
            record: &record,
        };
        match check(&fields) {
            Ok(row) => match seen.insert(key(&row).to_string(), line_no) {
                Some(first) => errors.push(bad(
                    line_no,
                    format!("{key_name} `{}` is already on line {first}", key(&row)),
                )),
                None => rows.push(row),
            },
            Err(reasons) => errors.push(bad(line_no, reasons.join("; "))),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Every column is required, no other is allowed.
fn check_header(header: &csv::StringRecord, columns: &[&str]) -> Result<(), String> {
    let unknown: Vec<&str> = header.iter().filter(|h| !columns.contains(h)).collect();
    let missing: Vec<&str> = columns
        .iter()
        .copied()
        .filter(|c| !header.iter().any(|h| h == *c))
        .collect();
    if !unknown.is_empty() || !missing.is_empty() {
        return Err(format!(
            "header: unknown column(s) [{}], missing column(s) [{}]; expected {}",
            unknown.join(", "),
            missing.join(", "),
            columns.join(",")
        ));
    }
    Ok(())
}

/// Every problem of one row, or its line.
fn check_row(fields: &Fields, prefectures: &Prefectures) -> Result<Line, Vec<String>> {
    let field = |name: &str| fields.get(name);
    let mut reasons = Vec::new();
    let mut required = |name: &str| {
        let value = field(name);
        if value.is_empty() {
            reasons.push(format!("{name} is required"));
        }
        value
    };
    let number = required("number");
    let owner_name = required("owner_name");
    let kind_text = required("kind");
    let prefecture = required("prefecture");
    let status_text = required("status");
    let tier_text = required("tier");
    let big_text = required("big_customer");
    let leased_text = required("leased_line");
    let kind = parse_named(kind_text, &mut reasons);
    let status = parse_named(status_text, &mut reasons);
    let tier = parse_named(tier_text, &mut reasons);
    let big_customer = parse_flag("big_customer", big_text, &mut reasons);
    let leased_line = parse_flag("leased_line", leased_text, &mut reasons);
    if let Some(kind) = kind {
        if !number.is_empty() && !prefecture.is_empty() {
            if let Err(error) = prefectures.check_line_number(number, kind, prefecture) {
                reasons.push(error.to_string());
            }
        }
    }
    let contact_phone = optional(field("contact_phone"));
    if let Some(phone) = &contact_phone {
        if !(5..=15).contains(&phone.len()) || !phone.bytes().all(|b| b.is_ascii_digit()) {
            reasons.push(format!("contact_phone `{phone}` is not 5-15 digits"));
        }
    }
    match (kind, status, tier, big_customer, leased_line) {
        (Some(kind), Some(status), Some(tier), Some(big_customer), Some(leased_line))
            if reasons.is_empty() =>
        {
            Ok(Line {
                number: number.to_string(),
                kind,
                status,
                tier,
                big_customer,
                leased_line,
                prefecture: prefecture.to_string(),
                owner_name: owner_name.to_string(),
                contact_phone,
                contract_number: optional(field("contract_number")),
            })
        }
        _ => Err(reasons),
    }
}

pub(super) fn parse_named<T>(text: &str, reasons: &mut Vec<String>) -> Option<T>
where
    T: std::str::FromStr<Err = crate::tickets::model::UnknownName>,
{
    if text.is_empty() {
        return None;
    }
    text.parse()
        .map_err(|error: crate::tickets::model::UnknownName| reasons.push(error.to_string()))
        .ok()
}

fn parse_flag(name: &str, text: &str, reasons: &mut Vec<String>) -> Option<bool> {
    match text {
        "true" => Some(true),
        "false" => Some(false),
        "" => None,
        _ => {
            reasons.push(format!("{name} `{text}` is not true or false"));
            None
        }
    }
}

pub(super) fn optional(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::config::parse_prefectures;

    fn prefectures() -> Prefectures {
        let yaml = "prefectures:\n  - code: jinghe\n    name: J\n    area_code: \"0551\"\n    \
                    logical_broadband: true\n  - code: qingshan\n    name: Q\n    area_code: \"0552\"\n";
        parse_prefectures(yaml, std::path::Path::new("p.yaml")).expect("prefectures")
    }

    const HEADER: &str = "number,kind,prefecture,status,tier,big_customer,leased_line,owner_name,contact_phone,contract_number\n";

    #[test]
    fn good_rows_become_lines() {
        let text = format!(
            "{HEADER}05512345678,landline,jinghe,active,gold,false,false,Wang Fang,13900000001,C-1\n\
             adsl.wang,broadband,qingshan,suspended-arrears,ordinary,true,false,Li,,\n"
        );
        let lines = parse_lines(&text, "l.csv", &prefectures()).expect("good");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].contact_phone, None);
        assert!(lines[1].big_customer);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line_number() {
        let text = format!(
            "{HEADER}05522345678,landline,jinghe,active,gold,false,false,Wang,,\n\
             05512345678,landline,jinghe,active,gold,false,false,Wang,,\n\
             10412345678,broadband,qingshan,active,gold,false,false,Li,,\n\
             05512345679,cable,jinghe,open,gold,maybe,false,,12,\n\
             05512345678,landline,jinghe,active,gold,false,false,Wang,,\n\
             05512345670,landline,jinghe\n"
        );
        let errors = parse_lines(&text, "l.csv", &prefectures()).unwrap_err();
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 5, "{shown:#?}");
        assert!(shown[0].starts_with("l.csv:2: ") && shown[0].contains("qingshan"));
        assert!(shown[1].starts_with("l.csv:4: ") && shown[1].contains("logical"));
        assert!(shown[2].starts_with("l.csv:5: "));
        for part in [
            "owner_name is required",
            "cable",
            "open",
            "maybe",
            "contact_phone",
        ] {
            assert!(shown[2].contains(part), "{part} in {}", shown[2]);
        }
        assert!(shown[3].starts_with("l.csv:6: ") && shown[3].contains("line 3"));
        assert!(shown[4].starts_with("l.csv:7: ") && shown[4].contains("3 fields"));
    }

    #[test]
    fn a_header_without_a_required_column_is_refused_at_line_1() {
        let errors = parse_lines("number,kind\n", "l.csv", &prefectures()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 1);
        assert!(errors[0].reason.contains("missing column(s) [prefecture"));
    }
}
