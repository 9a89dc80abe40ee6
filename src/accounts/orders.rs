//! Installation orders (新装, 移机): their kind, their state as the caller hears it, and
//! the latest time by which the customer must have an appointment (spec §5).
//!
//! Decisions the spec is silent on:
//! - The tier's hours count only between 08:00 and 20:00 local time, on every day of
//!   the week (installers visit on weekends and holidays; only nights are off). An order
//!   made at night starts counting at 08:00; a deadline that lands exactly on 20:00
//!   stays on that evening.
//! - An appointment date and half-day belong to `appointed` orders only: the other
//!   states refuse them, so a stored or imported row means one thing.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use crate::tickets::model::{named_enum, Tier};

use super::spoken::{speak_date, DATE_WORDS, NUMBER_WORDS};

named_enum! {
    /// What the order is for.
    OrderKind, "order kind" {
        /// 新装: a new line.
        NewInstall = "new-install",
        /// 移机: an existing line moved to another address.
        Move = "move",
    }
}

named_enum! {
    /// Which half of the day an installer visits.
    HalfDay, "half-day" {
        Morning = "morning",
        Afternoon = "afternoon",
    }
}

/// Where an order stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderState {
    WaitingForAppointment,
    Appointed {
        date: NaiveDate,
        half: HalfDay,
    },
    /// Put off at the customer's request.
    Deferred,
    UnderConstruction,
    Done,
}

impl OrderState {
    /// The stable name stored in the database.
    pub fn name(&self) -> &'static str {
        match self {
            OrderState::WaitingForAppointment => "waiting",
            OrderState::Appointed { .. } => "appointed",
            OrderState::Deferred => "deferred",
            OrderState::UnderConstruction => "construction",
            OrderState::Done => "done",
        }
    }

    /// The state from its stored name and the appointment columns.
    pub fn from_parts(
        name: &str,
        date: Option<NaiveDate>,
        half: Option<HalfDay>,
    ) -> Result<OrderState, String> {
        let plain = match name {
            "appointed" => {
                return match (date, half) {
                    (Some(date), Some(half)) => Ok(OrderState::Appointed { date, half }),
                    _ => Err("an appointed order needs an appointment date and half-day".into()),
                };
            }
            "waiting" => OrderState::WaitingForAppointment,
            "deferred" => OrderState::Deferred,
            "construction" => OrderState::UnderConstruction,
            "done" => OrderState::Done,
            _ => {
                return Err(format!(
                    "unknown order state `{name}` (expected one of: waiting, appointed, \
                     deferred, construction, done)"
                ))
            }
        };
        if date.is_some() || half.is_some() {
            return Err(format!(
                "a `{name}` order has no appointment date or half-day"
            ));
        }
        Ok(plain)
    }

    /// The state as the caller hears it: one prompt, and the date for an appointment.
    pub fn prompts(&self) -> Vec<&'static str> {
        match self {
            OrderState::WaitingForAppointment => vec!["order-waiting"],
            OrderState::Appointed { date, half } => {
                let mut prompts = vec!["order-appointed"];
                prompts.extend(speak_date(*date, *half));
                prompts
            }
            OrderState::Deferred => vec!["order-deferred"],
            OrderState::UnderConstruction => vec!["order-construction"],
            OrderState::Done => vec!["order-done"],
        }
    }

    /// Every prompt [`prompts`](Self::prompts) can play, for the menu's prompt check.
    pub fn every_prompt() -> Vec<&'static str> {
        let any_day = NaiveDate::MIN;
        let states = [
            OrderState::WaitingForAppointment,
            OrderState::Appointed {
                date: any_day,
                half: HalfDay::Morning,
            },
            OrderState::Deferred,
            OrderState::UnderConstruction,
            OrderState::Done,
        ];
        let mut prompts: Vec<&'static str> = states.iter().map(|s| s.prompts()[0]).collect();
        prompts.extend(NUMBER_WORDS);
        prompts.extend(DATE_WORDS);
        prompts
    }
}

/// Visits happen from this local time …
const DAY_STARTS: NaiveTime = NaiveTime::from_hms_opt(8, 0, 0).expect("08:00");
/// … until this one.
const DAY_ENDS: NaiveTime = NaiveTime::from_hms_opt(20, 0, 0).expect("20:00");

/// The tier's hours to give an appointment (spec §5).
fn appointment_hours(kind: OrderKind, tier: Tier) -> i64 {
    match (kind, tier) {
        (OrderKind::NewInstall, Tier::Diamond) => 3,
        (OrderKind::NewInstall, Tier::Gold) => 7,
        (OrderKind::NewInstall, Tier::Silver) => 16,
        (OrderKind::Move, Tier::Diamond) => 1,
        (OrderKind::Move, Tier::Gold) => 5,
        (OrderKind::Move, Tier::Silver) => 10,
        (_, Tier::Ordinary) => 24,
    }
}

/// The latest time the customer must have been given an appointment: the tier's hours
/// (new installs diamond 3, gold 7, silver 16, ordinary 24; moves 1/5/10/24) counted only
/// within 08:00–20:00 local time (no visits at night), from `created_at`.
pub fn appointment_due(
    created_at: DateTime<Utc>,
    kind: OrderKind,
    tier: Tier,
    offset: FixedOffset,
) -> DateTime<Utc> {
    let mut left = Duration::hours(appointment_hours(kind, tier));
    let mut at = created_at.with_timezone(&offset).naive_local();
    loop {
        if at.time() < DAY_STARTS {
            at = at.date().and_time(DAY_STARTS);
        } else if at.time() >= DAY_ENDS {
            at = next_morning(at);
            continue;
        }
        let today = at.date().and_time(DAY_ENDS) - at;
        if left <= today {
            let local = at + left;
            let utc = local - Duration::seconds(i64::from(offset.local_minus_utc()));
            return DateTime::from_naive_utc_and_offset(utc, Utc);
        }
        left -= today;
        at = next_morning(at);
    }
}

fn next_morning(at: NaiveDateTime) -> NaiveDateTime {
    at.date()
        .succ_opt()
        .unwrap_or(NaiveDate::MAX)
        .and_time(DAY_STARTS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn china() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).unwrap()
    }

    /// 2026-03-`d` `h`:`min` in local time (+08:00), as UTC.
    fn local(d: u32, h: u32, min: u32) -> DateTime<Utc> {
        china()
            .with_ymd_and_hms(2026, 3, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn due(created: DateTime<Utc>, kind: OrderKind, tier: Tier) -> DateTime<Utc> {
        appointment_due(created, kind, tier, china())
    }

    #[test]
    fn daytime_hours_count_straight_through() {
        let made = local(10, 9, 15);
        assert_eq!(
            due(made, OrderKind::NewInstall, Tier::Diamond),
            local(10, 12, 15)
        );
        assert_eq!(
            due(made, OrderKind::NewInstall, Tier::Gold),
            local(10, 16, 15)
        );
        assert_eq!(due(made, OrderKind::Move, Tier::Diamond), local(10, 10, 15));
        assert_eq!(due(made, OrderKind::Move, Tier::Gold), local(10, 14, 15));
        assert_eq!(due(made, OrderKind::Move, Tier::Silver), local(10, 19, 15));
    }

    #[test]
    fn the_night_does_not_count() {
        // 09:15 + 16 h: 10 h 45 min today, 5 h 15 min from 08:00 tomorrow.
        let made = local(10, 9, 15);
        assert_eq!(
            due(made, OrderKind::NewInstall, Tier::Silver),
            local(11, 13, 15)
        );
        // 24 h: 10 h 45 today, 12 h tomorrow, 1 h 15 the day after.
        assert_eq!(
            due(made, OrderKind::NewInstall, Tier::Ordinary),
            local(12, 9, 15)
        );
        assert_eq!(due(made, OrderKind::Move, Tier::Ordinary), local(12, 9, 15));
        // 19:30 + 1 h: 30 min tonight, 30 min from 08:00.
        assert_eq!(
            due(local(10, 19, 30), OrderKind::Move, Tier::Diamond),
            local(11, 8, 30)
        );
    }

    #[test]
    fn an_order_made_at_night_starts_counting_at_eight() {
        assert_eq!(
            due(local(10, 23, 40), OrderKind::Move, Tier::Diamond),
            local(11, 9, 0)
        );
        assert_eq!(
            due(local(11, 2, 0), OrderKind::Move, Tier::Diamond),
            local(11, 9, 0)
        );
        assert_eq!(
            due(local(10, 20, 0), OrderKind::NewInstall, Tier::Diamond),
            local(11, 11, 0)
        );
        assert_eq!(
            due(local(10, 8, 0), OrderKind::NewInstall, Tier::Diamond),
            local(10, 11, 0)
        );
    }

    #[test]
    fn a_deadline_ending_at_twenty_stays_that_evening() {
        assert_eq!(
            due(local(10, 19, 0), OrderKind::Move, Tier::Diamond),
            local(10, 20, 0)
        );
        assert_eq!(
            due(local(10, 8, 0), OrderKind::NewInstall, Tier::Ordinary),
            local(11, 20, 0)
        );
    }

    #[test]
    fn utc_times_are_read_in_local_time() {
        // 2026-03-09 23:30 UTC is 07:30 on the 10th locally: counting starts 08:00.
        let made = Utc.with_ymd_and_hms(2026, 3, 9, 23, 30, 0).unwrap();
        assert_eq!(due(made, OrderKind::Move, Tier::Gold), local(10, 13, 0));
    }

    #[test]
    fn kinds_and_half_days_have_stable_names() {
        for kind in OrderKind::ALL {
            assert_eq!(kind.as_str().parse::<OrderKind>(), Ok(*kind));
        }
        assert_eq!("new-install".parse(), Ok(OrderKind::NewInstall));
        assert_eq!("afternoon".parse(), Ok(HalfDay::Afternoon));
        assert!("evening".parse::<HalfDay>().is_err());
    }

    #[test]
    fn states_round_trip_through_their_parts() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let states = [
            OrderState::WaitingForAppointment,
            OrderState::Appointed {
                date,
                half: HalfDay::Morning,
            },
            OrderState::Deferred,
            OrderState::UnderConstruction,
            OrderState::Done,
        ];
        for state in states {
            let (date, half) = match state {
                OrderState::Appointed { date, half } => (Some(date), Some(half)),
                _ => (None, None),
            };
            assert_eq!(OrderState::from_parts(state.name(), date, half), Ok(state));
        }
        assert!(OrderState::from_parts("appointed", Some(date), None).is_err());
        assert!(OrderState::from_parts("appointed", None, None).is_err());
        assert!(OrderState::from_parts("done", Some(date), None).is_err());
        let error = OrderState::from_parts("lost", None, None).unwrap_err();
        assert!(error.contains("`lost`"), "{error}");
    }

    #[test]
    fn each_state_is_spoken_with_its_prompt_and_an_appointment_with_its_date() {
        assert_eq!(
            OrderState::WaitingForAppointment.prompts(),
            ["order-waiting"]
        );
        assert_eq!(OrderState::Deferred.prompts(), ["order-deferred"]);
        assert_eq!(
            OrderState::UnderConstruction.prompts(),
            ["order-construction"]
        );
        assert_eq!(OrderState::Done.prompts(), ["order-done"]);
        let appointed = OrderState::Appointed {
            date: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            half: HalfDay::Afternoon,
        };
        assert_eq!(
            appointed.prompts(),
            [
                "order-appointed",
                "num-10",
                "num-1",
                "month",
                "digit-2",
                "num-10",
                "digit-2",
                "day",
                "afternoon"
            ]
        );
    }
}
