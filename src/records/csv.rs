//! The call records as CSV (`GET /api/call-records.csv`, `hotline records export`): a
//! header row, then one row per record in the order given.
//!
//! Decisions: times are RFC 3339 in UTC (`2026-03-10T01:02:03Z`, fractions only when
//! there are some); the path is one field, its steps joined by ` > `; the tickets' serials
//! are one field joined by spaces; an absent value (not answered, no queue …) is an empty
//! field.

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};

use super::{joined_path, CallRecord};

/// The header row, in column order.
pub const COLUMNS: [&str; 14] = [
    "call_id",
    "started_at",
    "answered_at",
    "ended_at",
    "caller",
    "called",
    "path",
    "outcome",
    "tickets",
    "queue",
    "wait_ms",
    "agent",
    "talk_ms",
    "menu_version",
];

/// Writes `records` as CSV with the header row to `out`.
pub fn write_records<W: Write>(out: W, records: &[CallRecord]) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(COLUMNS)?;
    for record in records {
        writer.write_record(row(record))?;
    }
    writer.flush()?;
    Ok(())
}

/// The records as one CSV text.
pub fn to_csv(records: &[CallRecord]) -> Result<String, csv::Error> {
    let mut bytes = Vec::new();
    write_records(&mut bytes, records)?;
    String::from_utf8(bytes).map_err(|error| csv::Error::from(std::io::Error::other(error)))
}

fn row(record: &CallRecord) -> [String; 14] {
    let number = |value: Option<i64>| value.map(|v| v.to_string()).unwrap_or_default();
    [
        record.call_id.clone(),
        time(record.started_at),
        record.answered_at.map(time).unwrap_or_default(),
        time(record.ended_at),
        record.caller.clone(),
        record.called.clone(),
        joined_path(&record.path),
        record.outcome.as_str().to_string(),
        record.tickets.join(" "),
        record.queue.clone().unwrap_or_default(),
        number(record.wait_ms),
        record.agent.clone().unwrap_or_default(),
        number(record.talk_ms),
        record.menu_version.to_string(),
    ]
}

/// RFC 3339 in UTC with a `Z`.
pub fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::RecordOutcome;
    use chrono::TimeZone;

    #[test]
    fn a_record_is_one_row_under_the_header_with_the_path_in_one_field() {
        let at = Utc.with_ymd_and_hms(2026, 3, 10, 1, 2, 3).unwrap();
        let record = CallRecord {
            call_id: "a,b@h".into(),
            started_at: at,
            answered_at: None,
            ended_at: at,
            caller: "05512345678".into(),
            called: "112".into(),
            path: vec!["menu main".into(), "wrong key 7".into()],
            outcome: RecordOutcome::HungUpInMenu,
            tickets: vec!["1".into(), "2".into()],
            queue: None,
            wait_ms: None,
            agent: None,
            talk_ms: Some(5),
            menu_version: 3,
        };
        let text = to_csv(&[record]).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], COLUMNS.join(","));
        assert_eq!(
            lines[1],
            "\"a,b@h\",2026-03-10T01:02:03Z,,2026-03-10T01:02:03Z,05512345678,112,\
             menu main > wrong key 7,hung_up_in_menu,1 2,,,,5,3"
        );
        assert_eq!(to_csv(&[]).unwrap().lines().count(), 1, "the header alone");
    }
}
