//! A range of whole UTC days as the export and the reports take it: `from` and `to` as
//! `YYYY-MM-DD`, both included, at most [`MAX_DAYS`] days, `from` not after `to`. The
//! messages are for the person who typed the dates (HTTP 400, the CLI's error line).

use chrono::{DateTime, Days, NaiveDate, Utc};

/// The longest range one request may cover (a leap year).
pub const MAX_DAYS: u64 = 366;

/// Whole UTC days `first..=last`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateRange {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl DateRange {
    /// Parses `from` and `to`, checking their order and the range's length.
    pub fn parse(from: &str, to: &str) -> Result<DateRange, String> {
        let first = day(from, "from")?;
        let last = day(to, "to")?;
        if first > last {
            return Err(format!("from ({first}) is after to ({last})"));
        }
        let days = last.signed_duration_since(first).num_days() + 1;
        if days > MAX_DAYS as i64 {
            return Err(format!("{days} days asked; at most {MAX_DAYS} at a time"));
        }
        Ok(DateRange { first, last })
    }

    /// The first instant of the range.
    pub fn start(&self) -> DateTime<Utc> {
        midnight(self.first)
    }

    /// The first instant after the range (`to` is included).
    pub fn end(&self) -> DateTime<Utc> {
        midnight(self.last + Days::new(1))
    }
}

fn day(text: &str, name: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{name} `{text}` is not a date (YYYY-MM-DD)"))
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_days_are_included_in_utc() {
        let range = DateRange::parse("2026-02-28", "2026-03-01").unwrap();
        assert_eq!(range.start().to_rfc3339(), "2026-02-28T00:00:00+00:00");
        assert_eq!(range.end().to_rfc3339(), "2026-03-02T00:00:00+00:00");
    }

    #[test]
    fn bad_dates_reversed_ranges_and_too_long_ones_are_refused() {
        assert!(DateRange::parse("2026-13-01", "2026-12-31")
            .unwrap_err()
            .contains("from `2026-13-01`"));
        assert!(DateRange::parse("2026-03-02", "yesterday")
            .unwrap_err()
            .contains("to `yesterday`"));
        assert!(DateRange::parse("2026-03-02", "2026-03-01")
            .unwrap_err()
            .contains("after"));
        assert!(
            DateRange::parse("2024-01-01", "2024-12-31").is_ok(),
            "366 days"
        );
        assert!(DateRange::parse("2024-01-01", "2025-01-01")
            .unwrap_err()
            .contains("at most 366"));
    }
}
