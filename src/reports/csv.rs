//! A report as CSV: one line per bucket, the row's JSON flattened into columns named by
//! their path (`tickets.by_kind.fault`, `service_level.general.rate`). The columns are
//! `period`, `from`, `to`, then every other path met in any row, in name order; a value a
//! row lacks (a queue nobody entered that week) or a `null` is an empty field.

use std::collections::BTreeMap;

use serde_json::Value;

use super::figures::PeriodRow;

/// The leading columns, in this order.
const FIRST: [&str; 3] = ["period", "from", "to"];

/// The rows as one CSV text with a header row.
pub fn to_csv(rows: &[PeriodRow]) -> Result<String, csv::Error> {
    let flat: Vec<BTreeMap<String, String>> = (rows.iter())
        .map(|row| {
            let mut cells = BTreeMap::new();
            let json = serde_json::to_value(row).unwrap_or(Value::Null);
            flatten("", &json, &mut cells);
            cells
        })
        .collect();
    let mut columns: Vec<String> = FIRST.iter().map(|c| c.to_string()).collect();
    let mut rest: Vec<&String> = flat.iter().flat_map(BTreeMap::keys).collect();
    rest.sort();
    rest.dedup();
    columns.extend(
        (rest.into_iter())
            .filter(|c| !FIRST.contains(&c.as_str()))
            .cloned(),
    );
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&columns)?;
    for cells in &flat {
        writer.write_record(
            columns
                .iter()
                .map(|c| cells.get(c).map_or("", String::as_str)),
        )?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| csv::Error::from(error.into_error()))?;
    String::from_utf8(bytes).map_err(|error| csv::Error::from(std::io::Error::other(error)))
}

fn flatten(prefix: &str, value: &Value, cells: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(fields) => {
            for (name, value) in fields {
                let path = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}.{name}")
                };
                flatten(&path, value, cells);
            }
        }
        Value::Null => {
            cells.insert(prefix.to_string(), String::new());
        }
        Value::String(text) => {
            cells.insert(prefix.to_string(), text.clone());
        }
        other => {
            cells.insert(prefix.to_string(), other.to_string());
        }
    }
}
