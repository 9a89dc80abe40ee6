//! The figures of one report row ([`PeriodRow`], its JSON shape is the API's): calls and
//! their outcomes, self-service completion, hand-overs to agents and REFER transfers,
//! abandoned calls, the service level per queue, average wait and talk; the tickets
//! created by kind, complaint type, prefecture and state, and how their deadlines stand.
//!
//! Definitions (decisions where the spec is silent):
//! - the calls that reached the menu are the answered ones; self-service completion is
//!   `self_served + ticket_created` over them;
//! - handed to agents: calls the menu handed to a queue; REFER transfers: `transferred`;
//! - service level of a queue: calls answered by an agent within 15 s of entering it over
//!   every call that entered it (abandoned, call-back kept and ACD hand-overs included);
//! - averages: the wait over the calls with one (every queued call), the talk over the
//!   calls an agent answered;
//! - a ticket's deadline is its resolve-by, else its reply-by: met when cleared by then,
//!   missed when cleared after it or still open past it, due soon when open and due
//!   within 2 hours of `now`; a withdrawn ticket that was never cleared counts in none;
//! - satisfaction is `null` ("no survey yet") until the call-back survey exists.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{buckets, Bucket, Period};
use crate::records::range::DateRange;
use crate::records::{CallRecord, RecordOutcome};
use crate::store::Ticket;
use crate::tickets::model::TicketStatus;

/// An agent must answer within this of the caller entering the queue (spec §5).
pub const SERVICE_LEVEL_MS: i64 = 15_000;

/// Open tickets due within this are "due soon".
pub const DUE_SOON: Duration = Duration::hours(2);

/// Why `satisfaction` is null.
pub const NO_SURVEY: &str = "no survey yet";

/// One bucket of a report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PeriodRow {
    pub period: Period,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub calls: u64,
    /// Calls per record outcome (only the outcomes that occurred).
    pub outcomes: BTreeMap<String, u64>,
    pub reached_menu: u64,
    pub self_service_completed: u64,
    pub self_service_rate: Option<f64>,
    pub to_agents: u64,
    pub answered_by_agent: u64,
    pub refer_transfers: u64,
    pub abandoned_in_queue: u64,
    pub service_level: BTreeMap<String, ServiceLevel>,
    pub average_wait_ms: Option<f64>,
    pub average_talk_ms: Option<f64>,
    pub tickets: TicketFigures,
    pub satisfaction: Option<f64>,
    pub satisfaction_note: &'static str,
}

/// One queue's service level.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceLevel {
    pub entered: u64,
    pub answered_in_time: u64,
    pub rate: Option<f64>,
}

/// The tickets created in a bucket.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TicketFigures {
    pub total: u64,
    pub by_kind: BTreeMap<String, u64>,
    /// Complaints by their complaint type (tickets without one are not counted here).
    pub by_type: BTreeMap<String, u64>,
    pub by_prefecture: BTreeMap<String, u64>,
    pub by_state: BTreeMap<String, u64>,
    pub deadlines: DeadlineFigures,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DeadlineFigures {
    pub met: u64,
    pub due_soon: u64,
    pub missed: u64,
}

/// The rows of a `period` report over `range`, from the records and tickets of the range,
/// deadlines judged at `now`.
pub fn report(
    period: Period,
    range: &DateRange,
    records: &[CallRecord],
    tickets: &[Ticket],
    now: DateTime<Utc>,
) -> Vec<PeriodRow> {
    buckets(period, range)
        .into_iter()
        .map(|bucket| {
            let records: Vec<&CallRecord> = (records.iter())
                .filter(|r| bucket.holds(r.started_at.date_naive()))
                .collect();
            let tickets: Vec<&Ticket> = (tickets.iter())
                .filter(|t| bucket.holds(t.ticket.created_at.date_naive()))
                .collect();
            row(period, bucket, &records, &tickets, now)
        })
        .collect()
}

fn row(
    period: Period,
    bucket: Bucket,
    records: &[&CallRecord],
    tickets: &[&Ticket],
    now: DateTime<Utc>,
) -> PeriodRow {
    let count = |outcome: RecordOutcome| count_where(records, |r| r.outcome == outcome);
    let reached_menu = count_where(records, |r| r.answered_at.is_some());
    let completed = count(RecordOutcome::SelfServed) + count(RecordOutcome::TicketCreated);
    let mut outcomes = BTreeMap::new();
    for record in records {
        *outcomes.entry(record.outcome.to_string()).or_default() += 1;
    }
    PeriodRow {
        period,
        from: bucket.first,
        to: bucket.last,
        calls: records.len() as u64,
        outcomes,
        reached_menu,
        self_service_completed: completed,
        self_service_rate: rate(completed, reached_menu),
        to_agents: count_where(records, |r| r.queue.is_some()),
        answered_by_agent: count(RecordOutcome::AnsweredByAgent),
        refer_transfers: count(RecordOutcome::Transferred),
        abandoned_in_queue: count(RecordOutcome::AbandonedInQueue),
        service_level: service_levels(records),
        average_wait_ms: average(records.iter().filter_map(|r| r.wait_ms)),
        average_talk_ms: average(records.iter().filter_map(|r| r.talk_ms)),
        tickets: ticket_figures(tickets, now),
        satisfaction: None,
        satisfaction_note: NO_SURVEY,
    }
}

fn service_levels(records: &[&CallRecord]) -> BTreeMap<String, ServiceLevel> {
    let mut levels: BTreeMap<String, ServiceLevel> = BTreeMap::new();
    for record in records {
        let Some(queue) = &record.queue else { continue };
        let level = levels.entry(queue.clone()).or_insert(ServiceLevel {
            entered: 0,
            answered_in_time: 0,
            rate: None,
        });
        level.entered += 1;
        let in_time = record.wait_ms.is_some_and(|wait| wait <= SERVICE_LEVEL_MS);
        if record.outcome == RecordOutcome::AnsweredByAgent && in_time {
            level.answered_in_time += 1;
        }
    }
    for level in levels.values_mut() {
        level.rate = rate(level.answered_in_time, level.entered);
    }
    levels
}

fn ticket_figures(tickets: &[&Ticket], now: DateTime<Utc>) -> TicketFigures {
    let mut figures = TicketFigures {
        total: tickets.len() as u64,
        ..TicketFigures::default()
    };
    for stored in tickets {
        let ticket = &stored.ticket;
        *figures.by_kind.entry(ticket.kind.to_string()).or_default() += 1;
        if let Some(kind) = &ticket.complaint_type {
            *figures.by_type.entry(kind.clone()).or_default() += 1;
        }
        *figures
            .by_prefecture
            .entry(ticket.prefecture.clone())
            .or_default() += 1;
        let status = stored.state.status;
        *figures.by_state.entry(status.to_string()).or_default() += 1;
        let deadline = ticket
            .deadlines
            .resolve_by
            .unwrap_or(ticket.deadlines.reply_by);
        let counts = &mut figures.deadlines;
        match stored.cleared_at {
            Some(cleared) if cleared <= deadline => counts.met += 1,
            Some(_) => counts.missed += 1,
            None if status == TicketStatus::Withdrawn => {}
            None if deadline < now => counts.missed += 1,
            None if deadline <= now + DUE_SOON => counts.due_soon += 1,
            None => {}
        }
    }
    figures
}

fn count_where(records: &[&CallRecord], keep: impl Fn(&CallRecord) -> bool) -> u64 {
    records.iter().filter(|r| keep(r)).count() as u64
}

fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn average(values: impl Iterator<Item = i64>) -> Option<f64> {
    let (sum, count) = values.fold((0i64, 0u64), |(sum, n), v| (sum.saturating_add(v), n + 1));
    (count > 0).then(|| sum as f64 / count as f64)
}

#[cfg(test)]
#[path = "figures_tests.rs"]
mod figures_tests;
