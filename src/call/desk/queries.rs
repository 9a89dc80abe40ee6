//! The desk's self-service queries: a line's balance and this month's charges, topping it
//! up with a recharge card, an installation or move order's state, and where the line's
//! open fault ticket stands (spec §3: repaired within 24 hours of the first report).
//!
//! Decisions made here (the spec is silent on them):
//! - the balance and the card are for the line whose password was accepted in this call
//!   (the menu asks only then; the desk does not check it again), keyed as the password
//!   store keys a line: its digits, an E.164 `+` dropped;
//! - an order is looked up by what the caller keyed, an order number or else a line
//!   number; nothing keyed is `Unknown`;
//! - the repair query is about a number found like a report's (the line keyed, also as
//!   an `adsl`/`lan` account; else the digits as keyed; nothing keyed: the caller's own
//!   number) and speaks its newest fault ticket that is still open (any status before
//!   cleared, as the repeat rules count it); complaints are not spoken;
//! - the promised repair time is [`REPAIR_TIME_LIMIT`] after the first report, on the
//!   hotline's wall clock, spoken to the hour and so rounded up to the next whole hour
//!   (22:30 is heard as 23点, never earlier than the promise); at exactly the promised
//!   time the fault is overdue (as in `tickets::rules`);
//! - an overdue ticket is urged (催办) by the voice menu on the caller's behalf each time
//!   the caller asks, so the repair team sees the caller waiting. The urge is best effort:
//!   if it is refused or fails it is logged, and the caller still hears that the fault is
//!   overdue.

use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, Timelike, Utc};

use super::{caller_number, menu_actor, Desk};
use crate::menu::{
    BalanceFound, CardRedeemed, OrderFound, RepairFound, RepairProgress, RepairStage,
};
use crate::passwords::Secret;
use crate::store::{Redeemed, Result, Ticket, Which};
use crate::tickets::calendar::Calendar;
use crate::tickets::lifecycle::Step;
use crate::tickets::model::{TicketKind, TicketStatus};

/// How long after the first report a fault is promised repaired (spec §3 rule 1).
pub const REPAIR_TIME_LIMIT: Duration = Duration::hours(24);

impl Desk {
    /// The balance and this month's charges of line `number`.
    pub(super) async fn query_balance(&self, number: &str) -> BalanceFound {
        match self.store.balance(&caller_number(number)).await {
            Ok(Some(found)) => BalanceFound::Found {
                balance: found.balance,
                charges: found.charges,
            },
            Ok(None) => BalanceFound::Unknown,
            Err(error) => {
                tracing::error!(%error, "balance not read");
                BalanceFound::Unavailable
            }
        }
    }

    /// Redeems recharge card `card` with `pin` onto line `number`.
    pub(super) async fn redeem_card(&self, number: &str, card: &str, pin: &Secret) -> CardRedeemed {
        let number = caller_number(number);
        match self.store.redeem_card(card, pin, &number, Utc::now()).await {
            Ok(redeemed) => {
                tracing::info!(number, card, ?redeemed, "recharge card redeemed");
                match redeemed {
                    Redeemed::ToppedUp { balance } => CardRedeemed::ToppedUp { balance },
                    Redeemed::Refused => CardRedeemed::Refused,
                }
            }
            Err(error) => {
                tracing::error!(%error, number, card, "recharge card not redeemed");
                CardRedeemed::Unavailable
            }
        }
    }

    /// The state of the order with number `order_or_number`, else of that line's newest
    /// order.
    pub(super) async fn order_status(&self, order_or_number: &str) -> OrderFound {
        if order_or_number.is_empty() {
            return OrderFound::Unknown;
        }
        match self.store.install_order(order_or_number).await {
            Ok(Some(order)) => OrderFound::Found(order.state),
            Ok(None) => OrderFound::Unknown,
            Err(error) => {
                tracing::error!(%error, "order not read");
                OrderFound::Unavailable
            }
        }
    }

    /// Where the newest open fault ticket of `number` (keyed; empty: the caller's)
    /// stands; an overdue one is urged.
    pub(super) async fn repair_status(&self, number: &str, caller: &str) -> RepairFound {
        match self.open_fault(number, caller).await {
            Ok(Some((ticket, stage))) => {
                let first_report = ticket.ticket.created_at;
                let (due, overdue) = promised_repair(first_report, &self.calendar, Utc::now());
                if overdue {
                    self.urge(&ticket, caller).await;
                }
                RepairFound::Open(RepairProgress {
                    serial: ticket.serial.as_str().to_string(),
                    stage,
                    due,
                    overdue,
                })
            }
            Ok(None) => RepairFound::NoOpenFault,
            Err(error) => {
                tracing::error!(%error, "repair status not read");
                RepairFound::Unavailable
            }
        }
    }

    /// The newest fault ticket of the number that is still open, with its stage.
    async fn open_fault(&self, keyed: &str, caller: &str) -> Result<Option<(Ticket, RepairStage)>> {
        let (_, number) = self.keyed_line(keyed, None, caller).await?;
        let tickets = (self.store)
            .tickets_for_number(&number, Which::Active)
            .await?;
        Ok(tickets.into_iter().find_map(|ticket| {
            let stage = repair_stage(ticket.state.status)?;
            (ticket.ticket.kind == TicketKind::Fault).then_some((ticket, stage))
        }))
    }

    /// Urges an overdue ticket for the caller; a failure is only logged.
    async fn urge(&self, ticket: &Ticket, caller: &str) {
        let urged = (self.store)
            .apply_step(ticket.id, &Step::Urge, &menu_actor(caller), Utc::now())
            .await;
        match urged {
            Ok(_) => tracing::info!(serial = ticket.serial.as_str(), "overdue fault urged"),
            Err(error) => {
                tracing::warn!(%error, serial = ticket.serial.as_str(), "overdue fault not urged");
            }
        }
    }
}

/// The caller's view of an open ticket's status; `None` once it is no longer open.
fn repair_stage(status: TicketStatus) -> Option<RepairStage> {
    match status {
        TicketStatus::Created => Some(RepairStage::Accepted),
        TicketStatus::Dispatched | TicketStatus::Accepted | TicketStatus::Returned => {
            Some(RepairStage::Dispatched)
        }
        TicketStatus::InProgress => Some(RepairStage::InProgress),
        TicketStatus::Cleared
        | TicketStatus::CalledBack
        | TicketStatus::Archived
        | TicketStatus::Withdrawn => None,
    }
}

/// When a fault first reported at `first_report` is promised repaired, on the hotline's
/// wall clock to the hour it is spoken in (rounded up: never earlier than the real
/// time), and whether the real time has come at `now`.
fn promised_repair(
    first_report: DateTime<Utc>,
    calendar: &Calendar,
    now: DateTime<Utc>,
) -> (NaiveDateTime, bool) {
    let due = first_report + REPAIR_TIME_LIMIT;
    let local = calendar.local(due);
    let hour = local.date().and_time(NaiveTime::MIN) + Duration::hours(i64::from(local.hour()));
    let spoken = if hour == local {
        hour
    } else {
        hour + Duration::hours(1)
    };
    (spoken, now >= due)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, NaiveDate, TimeZone};

    fn china() -> Calendar {
        Calendar::new(FixedOffset::east_opt(8 * 3600).unwrap(), [], [])
    }

    fn utc(d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, min, s).unwrap()
    }

    #[test]
    fn the_stage_follows_the_lifecycle_and_only_open_tickets_have_one() {
        use RepairStage::{Accepted, Dispatched, InProgress};
        assert_eq!(repair_stage(TicketStatus::Created), Some(Accepted));
        assert_eq!(repair_stage(TicketStatus::Dispatched), Some(Dispatched));
        assert_eq!(repair_stage(TicketStatus::Accepted), Some(Dispatched));
        assert_eq!(repair_stage(TicketStatus::Returned), Some(Dispatched));
        assert_eq!(repair_stage(TicketStatus::InProgress), Some(InProgress));
        for status in TicketStatus::ALL {
            assert_eq!(
                repair_stage(*status).is_some(),
                status.is_open(),
                "{status:?}"
            );
        }
    }

    #[test]
    fn the_promised_repair_is_a_day_after_the_first_report_rounded_up_to_the_hour() {
        // Reported 22:30 local (14:30 UTC) on 27 November: due 22:30 local on the 28th,
        // heard as 23点.
        let first_report = utc(27, 14, 30, 0);
        let at = |h| {
            NaiveDate::from_ymd_opt(2026, 11, 28)
                .unwrap()
                .and_hms_opt(h, 0, 0)
        };
        let (spoken, overdue) = promised_repair(first_report, &china(), utc(28, 10, 0, 0));
        assert_eq!(Some(spoken), at(23));
        assert!(!overdue);
        // A report on the hour keeps its hour.
        let (spoken, _) = promised_repair(utc(27, 6, 0, 0), &china(), utc(27, 7, 0, 0));
        assert_eq!(Some(spoken), at(14));
        // A second past the hour is the next hour.
        let (spoken, _) = promised_repair(utc(27, 6, 0, 1), &china(), utc(27, 7, 0, 0));
        assert_eq!(Some(spoken), at(15));
    }

    #[test]
    fn a_fault_is_overdue_from_the_promised_time_itself() {
        let first_report = utc(27, 14, 30, 0);
        let just_before = utc(28, 14, 29, 59);
        assert!(!promised_repair(first_report, &china(), just_before).1);
        assert!(promised_repair(first_report, &china(), utc(28, 14, 30, 0)).1);
        assert!(promised_repair(first_report, &china(), utc(29, 9, 0, 0)).1);
    }

    #[test]
    fn a_report_after_local_midnight_is_due_on_the_next_local_day() {
        // 00:15 local on 28 November is still the 27th in UTC.
        let first_report = utc(27, 16, 15, 0);
        let (due, _) = promised_repair(first_report, &china(), first_report);
        let expected = NaiveDate::from_ymd_opt(2026, 11, 29)
            .unwrap()
            .and_hms_opt(1, 0, 0);
        assert_eq!(Some(due), expected);
    }
}
