//! The centre's reports (spec §7, issue 7), pure: for each day, ISO week (Monday first)
//! or month of a range of UTC days, figures computed from the call records and the
//! tickets created in it ([`figures`]); how callers use each menu node ([`menu_usage`]);
//! the rows as CSV ([`csv`]). The HTTP routes are `crate::http::reports`.
//!
//! Decisions the spec leaves open:
//! - a call belongs to the bucket of its start, a ticket to the bucket of its creation,
//!   both by their UTC date, like the range;
//! - every bucket that meets the range is a row, empty or not (charts want the zeros);
//!   a week or month cut by the range is shown with the range's first or last day as
//!   its `from` or `to`, and holds only what the range holds;
//! - a rate whose denominator is zero, and an average of nothing, are `null`.

pub mod csv;
pub mod figures;
pub mod menu_usage;

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::records::range::DateRange;
use crate::tickets::model::named_enum;

named_enum! {
    /// The length of one row of a report.
    Period, "period" {
        Day = "day",
        /// An ISO week, Monday to Sunday.
        Week = "week",
        /// A calendar month.
        Month = "month",
    }
}

impl Period {
    /// The first day of the period that holds `day`.
    pub fn start_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => day,
            Period::Week => day - Days::new(u64::from(day.weekday().num_days_from_monday())),
            Period::Month => day.with_day(1).expect("every month has a first day"),
        }
    }

    /// The first day of the next period after the one starting `start`.
    fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => start + Days::new(1),
            Period::Week => start + Days::new(7),
            Period::Month => start + Months::new(1),
        }
    }
}

/// One row's days: `first..=last`, the period cut to the range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Bucket {
    pub fn holds(&self, day: NaiveDate) -> bool {
        self.first <= day && day <= self.last
    }
}

/// The buckets of `period` that meet `range`, in order, cut to it.
pub fn buckets(period: Period, range: &DateRange) -> Vec<Bucket> {
    let mut buckets = Vec::new();
    let mut start = period.start_of(range.first);
    while start <= range.last {
        let next = period.next(start);
        buckets.push(Bucket {
            first: start.max(range.first),
            last: (next - Days::new(1)).min(range.last),
        });
        start = next;
    }
    buckets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn spans(period: Period, from: &str, to: &str) -> Vec<(String, String)> {
        let range = DateRange::parse(from, to).unwrap();
        (buckets(period, &range).iter())
            .map(|b| (b.first.to_string(), b.last.to_string()))
            .collect()
    }

    #[test]
    fn a_sunday_ends_its_iso_week_and_the_monday_starts_the_next() {
        assert_eq!(Period::Week.start_of(day("2026-03-15")), day("2026-03-09"));
        assert_eq!(Period::Week.start_of(day("2026-03-16")), day("2026-03-16"));
        let weeks = spans(Period::Week, "2026-03-15", "2026-03-16");
        assert_eq!(
            weeks,
            vec![
                ("2026-03-15".into(), "2026-03-15".into()),
                ("2026-03-16".into(), "2026-03-16".into())
            ]
        );
    }

    #[test]
    fn months_end_on_their_last_day_leap_years_included() {
        assert_eq!(Period::Month.start_of(day("2024-02-29")), day("2024-02-01"));
        let months = spans(Period::Month, "2024-01-31", "2024-03-01");
        assert_eq!(
            months,
            vec![
                ("2024-01-31".into(), "2024-01-31".into()),
                ("2024-02-01".into(), "2024-02-29".into()),
                ("2024-03-01".into(), "2024-03-01".into())
            ]
        );
    }

    #[test]
    fn days_are_one_bucket_each_and_whole_weeks_stay_whole() {
        assert_eq!(spans(Period::Day, "2026-03-09", "2026-03-11").len(), 3);
        let weeks = spans(Period::Week, "2026-03-09", "2026-03-22");
        assert_eq!(weeks[1], ("2026-03-16".into(), "2026-03-22".into()));
        assert_eq!(weeks.len(), 2);
    }
}
