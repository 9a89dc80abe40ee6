//! The hotline's local time and working days.
//!
//! Local time is a fixed UTC offset (`utc_offset` in `config/holidays.yaml`, `+08:00`
//! for China Standard Time, which has no daylight saving): the 18:00–08:00 rule and the
//! local date of a serial number use it. Saturdays and Sundays are days off unless listed
//! as make-up working days; listed public holidays are days off.
//!
//! A working-day deadline of `n` days ends at local midnight after the `n`-th working day
//! that follows the day the ticket was made: a complaint made on a Friday afternoon,
//! 7 working days, is due at the end of the next-but-one Tuesday (no holidays between).
//! Hour deadlines (priorities) count every hour: the hotline and its teams work 24/7.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, Utc, Weekday};

use super::model::{Deadlines, Priority, TicketKind};

/// Working days to resolve a complaint.
pub const COMPLAINT_WORKING_DAYS: u32 = 7;
/// Working days to answer a consultation.
pub const CONSULTATION_WORKING_DAYS: u32 = 3;

/// Working days over a holiday calendar, in the hotline's local time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    offset: FixedOffset,
    holidays: BTreeSet<NaiveDate>,
    working_days: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// `holidays` are days off; `working_days` are make-up working days (weekend dates).
    pub fn new(
        offset: FixedOffset,
        holidays: impl IntoIterator<Item = NaiveDate>,
        working_days: impl IntoIterator<Item = NaiveDate>,
    ) -> Self {
        Calendar {
            offset,
            holidays: holidays.into_iter().collect(),
            working_days: working_days.into_iter().collect(),
        }
    }

    /// The hotline's local offset from UTC.
    pub fn offset(&self) -> FixedOffset {
        self.offset
    }

    /// `t` on the hotline's wall clock.
    pub fn local(&self, t: DateTime<Utc>) -> NaiveDateTime {
        t.with_timezone(&self.offset).naive_local()
    }

    /// The UTC instant of a local wall-clock time.
    pub fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        let utc = local - Duration::seconds(i64::from(self.offset.local_minus_utc()));
        DateTime::from_naive_utc_and_offset(utc, Utc)
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.working_days.contains(&date) {
            return true;
        }
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        !weekend && !self.holidays.contains(&date)
    }

    /// The end (local midnight) of the `days`-th working day after the local day of
    /// `start`. `days == 0` is the end of the day of `start`.
    pub fn working_days_after(&self, start: DateTime<Utc>, days: u32) -> DateTime<Utc> {
        let mut date = self.local(start).date();
        let mut left = days;
        // The holiday list is finite, so working days always come again.
        while left > 0 {
            date = next_day(date);
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        self.to_utc(next_day(date).and_time(chrono::NaiveTime::MIN))
    }

    /// The deadlines of a ticket made at `created`: dispatch at once when `rush`, else
    /// within an hour; hand-on and reply by the priority's hours; resolution by working
    /// days for complaints and consultations.
    pub fn deadlines(
        &self,
        kind: TicketKind,
        priority: Priority,
        rush: bool,
        created: DateTime<Utc>,
    ) -> Deadlines {
        let working_days = match kind {
            TicketKind::Complaint => Some(COMPLAINT_WORKING_DAYS),
            TicketKind::Consultation => Some(CONSULTATION_WORKING_DAYS),
            TicketKind::Fault | TicketKind::Suggestion => None,
        };
        Deadlines {
            dispatch_by: if rush {
                created
            } else {
                created + Duration::hours(1)
            },
            hand_on_by: created + priority.hand_on_within(),
            reply_by: created + priority.reply_within(),
            resolve_by: working_days.map(|days| self.working_days_after(created, days)),
        }
    }
}

fn next_day(date: NaiveDate) -> NaiveDate {
    date.succ_opt().unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// 2026 National Day: Oct 1–7 off, Sat Oct 10 a make-up working day.
    fn calendar() -> Calendar {
        Calendar::new(
            FixedOffset::east_opt(8 * 3600).unwrap(),
            (1..=7).map(|d| date(2026, 10, d)),
            [date(2026, 10, 10)],
        )
    }

    /// A local (UTC+8) wall-clock time as UTC.
    fn local(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn complaint_made_on_friday_is_due_seven_working_days_later_skipping_the_weekend() {
        // Fri 2026-09-11; working days Mon 14 … Tue 22 (Sat 19 and Sun 20: 20 is not
        // listed here, so a plain weekend).
        let due = calendar().working_days_after(local(9, 11, 15, 30), 7);
        assert_eq!(due, local(9, 23, 0, 0));
    }

    #[test]
    fn consultation_over_a_holiday_and_make_up_day_counts_only_working_days() {
        // Tue 2026-09-29: Wed 30 is day 1, Oct 1–7 off, Thu 8 day 2, Fri 9 day 3.
        let due = calendar().working_days_after(local(9, 29, 10, 0), 3);
        assert_eq!(due, local(10, 10, 0, 0));
        // The make-up Saturday Oct 10 counts: Fri Oct 9 + 1 working day = Sat Oct 10.
        let due = calendar().working_days_after(local(10, 9, 10, 0), 1);
        assert_eq!(due, local(10, 11, 0, 0));
    }

    #[test]
    fn local_date_not_utc_date_starts_the_count() {
        // 2026-09-10 17:00 UTC is Fri 2026-09-11 01:00 local: day 1 is Mon 14.
        let start = Utc.with_ymd_and_hms(2026, 9, 10, 17, 0, 0).unwrap();
        assert_eq!(calendar().working_days_after(start, 1), local(9, 15, 0, 0));
    }

    #[test]
    fn rush_ticket_is_dispatched_at_once_and_others_within_an_hour() {
        let made = local(9, 11, 15, 30);
        let cal = calendar();
        let rush = cal.deadlines(TicketKind::Fault, Priority::Urgent, true, made);
        assert_eq!(rush.dispatch_by, made);
        assert_eq!(rush.hand_on_by, made + Duration::hours(1));
        assert_eq!(rush.reply_by, made + Duration::hours(4));
        assert_eq!(rush.resolve_by, None);
        let plain = cal.deadlines(TicketKind::Consultation, Priority::General, false, made);
        assert_eq!(plain.dispatch_by, made + Duration::hours(1));
        assert_eq!(plain.resolve_by, Some(local(9, 17, 0, 0)));
    }

    #[test]
    fn weekend_holiday_and_make_up_day_are_classified() {
        let cal = calendar();
        assert!(cal.is_working_day(date(2026, 9, 30)));
        assert!(!cal.is_working_day(date(2026, 9, 12))); // Saturday
        assert!(!cal.is_working_day(date(2026, 10, 5))); // Monday, holiday
        assert!(cal.is_working_day(date(2026, 10, 10))); // Saturday, make-up day
    }
}
