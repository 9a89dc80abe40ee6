//! The report figures against a hand-made set: 20 calls and 10 tickets on Sunday
//! 2026-03-15 (ISO week 11) and Monday 2026-03-16 (week 12), judged at 12:00 UTC on the
//! Monday.

use chrono::{NaiveDate, TimeZone};

use super::*;
use crate::records::RecordOutcome::{self, *};
use crate::store::Ticket;
use crate::tickets::lifecycle::{Actor, ActorKind, TicketState};
use crate::tickets::model::{
    Deadlines, NewTicket, Priority, Team, TicketId, TicketKind, TicketStatus,
};
use crate::tickets::serial::Serial;

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, minute, 0).unwrap()
}

fn now() -> DateTime<Utc> {
    at(16, 12, 0)
}

/// A call started on March `day`; queued ones with their wait and talk.
fn call(
    day: u32,
    outcome: RecordOutcome,
    queue: Option<&str>,
    wait_ms: Option<i64>,
    talk_ms: Option<i64>,
) -> CallRecord {
    let start = at(day, 9, 0);
    let answered = !matches!(outcome, Rejected | Cancelled);
    CallRecord {
        call_id: format!("{day}-{outcome}"),
        started_at: start,
        answered_at: answered.then_some(start),
        ended_at: start,
        caller: "05512345678".into(),
        called: "112".into(),
        path: vec!["menu main".into()],
        outcome,
        tickets: Vec::new(),
        queue: queue.map(str::to_string),
        wait_ms,
        agent: talk_ms.map(|_| "1001".to_string()),
        talk_ms,
        menu_version: 1,
    }
}

fn records() -> Vec<CallRecord> {
    let g = Some("general");
    let s = Some("senior");
    vec![
        call(15, SelfServed, None, None, None),
        call(15, SelfServed, None, None, None),
        call(15, TicketCreated, None, None, None),
        call(15, TimedOut, None, None, None),
        call(15, HungUpInMenu, None, None, None),
        call(15, AnsweredByAgent, g, Some(10_000), Some(60_000)),
        call(15, AnsweredByAgent, g, Some(20_000), Some(120_000)),
        call(15, AbandonedInQueue, g, Some(30_000), None),
        call(15, Rejected, None, None, None),
        call(15, Transferred, None, None, None),
        call(16, SelfServed, None, None, None),
        call(16, TicketCreated, None, None, None),
        call(16, TicketCreated, None, None, None),
        call(16, AnsweredByAgent, s, Some(5_000), Some(30_000)),
        call(16, AnsweredByAgent, g, Some(15_000), Some(90_000)),
        call(16, CallbackKept, g, Some(40_000), None),
        call(16, Cancelled, None, None, None),
        call(16, Failed, None, None, None),
        call(16, HungUpInMenu, None, None, None),
        call(16, AbandonedInQueue, s, Some(16_000), None),
    ]
}

struct Made {
    day: u32,
    kind: TicketKind,
    complaint_type: Option<&'static str>,
    prefecture: &'static str,
    status: TicketStatus,
    deadline: DateTime<Utc>,
    cleared_at: Option<DateTime<Utc>>,
}

fn ticket(id: i64, made: Made) -> Ticket {
    let created_at = at(made.day, 8, 0);
    // Faults have only a reply-by; the others a resolve-by that wins over it.
    let resolve_by = (made.kind != TicketKind::Fault).then_some(made.deadline);
    let reply_by = if resolve_by.is_some() {
        created_at
    } else {
        made.deadline
    };
    let date = NaiveDate::from_ymd_opt(2026, 3, made.day).unwrap();
    Ticket {
        id: TicketId(id),
        serial: Serial::new(date, u32::try_from(id).unwrap()).unwrap(),
        ticket: NewTicket {
            kind: made.kind,
            number: "05512345678".into(),
            prefecture: made.prefecture.into(),
            team: Team::CustomerService,
            priority: Priority::General,
            rush: false,
            subscriber_name: String::new(),
            contact_name: String::new(),
            contact_phone: String::new(),
            no_call_back: false,
            category: None,
            complaint_type: made.complaint_type.map(str::to_string),
            about: None,
            escalates: None,
            order: None,
            phenomenon: None,
            content: String::new(),
            menu_path: String::new(),
            created_at,
            deadlines: Deadlines {
                dispatch_by: created_at,
                hand_on_by: created_at,
                reply_by,
                resolve_by,
            },
        },
        state: TicketState {
            status: made.status,
            ..TicketState::new(false)
        },
        created_by: Actor {
            kind: ActorKind::Ivr,
            id: "call".into(),
        },
        cleared_at: made.cleared_at,
        clearing_result: None,
    }
}

fn tickets() -> Vec<Ticket> {
    use TicketKind::*;
    use TicketStatus as S;
    let made = |day, kind, complaint_type, prefecture, status, deadline, cleared_at| Made {
        day,
        kind,
        complaint_type,
        prefecture,
        status,
        deadline,
        cleared_at,
    };
    let billing = Some("billing");
    [
        made(
            15,
            Fault,
            None,
            "jinghe",
            S::Cleared,
            at(16, 8, 0),
            Some(at(15, 20, 0)),
        ),
        made(
            15,
            Fault,
            None,
            "jinghe",
            S::Cleared,
            at(15, 12, 0),
            Some(at(15, 13, 0)),
        ),
        made(
            15,
            Complaint,
            billing,
            "hexi",
            S::InProgress,
            at(16, 13, 0),
            None,
        ),
        made(
            15,
            Complaint,
            billing,
            "jinghe",
            S::Dispatched,
            at(16, 10, 0),
            None,
        ),
        made(
            15,
            Suggestion,
            None,
            "hexi",
            S::Withdrawn,
            at(15, 10, 0),
            None,
        ),
        made(16, Fault, None, "jinghe", S::Created, at(17, 8, 0), None),
        made(
            16,
            Complaint,
            Some("network"),
            "jinghe",
            S::Archived,
            at(20, 8, 0),
            Some(at(16, 11, 0)),
        ),
        made(
            16,
            Consultation,
            None,
            "hexi",
            S::Created,
            at(16, 13, 59),
            None,
        ),
        made(
            16,
            Complaint,
            billing,
            "hexi",
            S::Dispatched,
            at(16, 15, 0),
            None,
        ),
        made(
            16,
            Fault,
            None,
            "jinghe",
            S::Cleared,
            at(16, 11, 0),
            Some(at(16, 11, 0)),
        ),
    ]
    .into_iter()
    .zip(1..)
    .map(|(made, id)| ticket(id, made))
    .collect()
}

fn rows(period: Period) -> Vec<PeriodRow> {
    let range = DateRange::parse("2026-03-15", "2026-03-16").unwrap();
    report(period, &range, &records(), &tickets(), now())
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

fn level(entered: u64, answered_in_time: u64) -> ServiceLevel {
    ServiceLevel {
        entered,
        answered_in_time,
        rate: Some(answered_in_time as f64 / entered as f64),
    }
}

#[test]
fn the_calls_of_each_day() {
    let days = rows(Period::Day);
    assert_eq!(days.len(), 2);
    let (sunday, monday) = (&days[0], &days[1]);
    assert_eq!(
        (sunday.from.to_string(), sunday.to.to_string()),
        ("2026-03-15".into(), "2026-03-15".into())
    );
    assert_eq!(
        (
            sunday.calls,
            sunday.reached_menu,
            sunday.self_service_completed
        ),
        (10, 9, 3)
    );
    assert_eq!(sunday.self_service_rate, Some(3.0 / 9.0));
    assert_eq!(
        (
            sunday.to_agents,
            sunday.answered_by_agent,
            sunday.refer_transfers,
            sunday.abandoned_in_queue
        ),
        (3, 2, 1, 1)
    );
    let general = [("general".to_string(), level(3, 1))].into_iter().collect();
    assert_eq!(sunday.service_level, general);
    assert_eq!(sunday.average_wait_ms, Some(20_000.0));
    assert_eq!(sunday.average_talk_ms, Some(90_000.0));
    assert_eq!(sunday.outcomes["self_served"], 2);
    assert_eq!(sunday.outcomes.values().sum::<u64>(), 10);

    assert_eq!(
        (
            monday.calls,
            monday.reached_menu,
            monday.self_service_completed
        ),
        (10, 9, 3)
    );
    assert_eq!(
        (
            monday.to_agents,
            monday.answered_by_agent,
            monday.refer_transfers,
            monday.abandoned_in_queue
        ),
        (4, 2, 0, 1)
    );
    // 15 s exactly is in time, 16 s is not.
    let levels = [
        ("general".to_string(), level(2, 1)),
        ("senior".to_string(), level(2, 1)),
    ];
    assert_eq!(monday.service_level, levels.into_iter().collect());
    assert_eq!(monday.average_wait_ms, Some(19_000.0));
    assert_eq!(monday.average_talk_ms, Some(60_000.0));
    assert_eq!(
        (monday.satisfaction, monday.satisfaction_note),
        (None, "no survey yet")
    );
}

#[test]
fn the_tickets_of_each_day() {
    let days = rows(Period::Day);
    let sunday = &days[0].tickets;
    assert_eq!(sunday.total, 5);
    assert_eq!(
        sunday.by_kind,
        counts(&[("complaint", 2), ("fault", 2), ("suggestion", 1)])
    );
    assert_eq!(sunday.by_type, counts(&[("billing", 2)]));
    assert_eq!(sunday.by_prefecture, counts(&[("hexi", 2), ("jinghe", 3)]));
    assert_eq!(
        sunday.by_state,
        counts(&[
            ("cleared", 2),
            ("dispatched", 1),
            ("in-progress", 1),
            ("withdrawn", 1)
        ])
    );
    let deadlines = DeadlineFigures {
        met: 1,
        due_soon: 1,
        missed: 2,
    };
    assert_eq!(sunday.deadlines, deadlines);

    let monday = &days[1].tickets;
    assert_eq!(monday.total, 5);
    assert_eq!(
        monday.by_kind,
        counts(&[("complaint", 2), ("consultation", 1), ("fault", 2)])
    );
    assert_eq!(monday.by_type, counts(&[("billing", 1), ("network", 1)]));
    assert_eq!(monday.by_prefecture, counts(&[("hexi", 2), ("jinghe", 3)]));
    assert_eq!(
        monday.by_state,
        counts(&[
            ("archived", 1),
            ("cleared", 1),
            ("created", 2),
            ("dispatched", 1)
        ])
    );
    let deadlines = DeadlineFigures {
        met: 2,
        due_soon: 1,
        missed: 0,
    };
    assert_eq!(monday.deadlines, deadlines);
}

#[test]
fn the_weeks_split_on_monday_and_the_month_holds_both_days() {
    let weeks = rows(Period::Week);
    assert_eq!(
        weeks.len(),
        2,
        "Sunday ends ISO week 11, Monday starts week 12"
    );
    assert_eq!(weeks[0].calls, 10);
    assert_eq!(weeks[1].tickets.total, 5);
    let mut sunday = rows(Period::Day)[0].clone();
    sunday.period = Period::Week;
    assert_eq!(weeks[0], sunday, "week 11 cut to the range is the Sunday");

    let month = &rows(Period::Month)[0];
    assert_eq!(
        (month.from.to_string(), month.to.to_string()),
        ("2026-03-15".into(), "2026-03-16".into())
    );
    assert_eq!(
        (
            month.calls,
            month.reached_menu,
            month.self_service_completed
        ),
        (20, 18, 6)
    );
    assert_eq!(month.self_service_rate, Some(1.0 / 3.0));
    assert_eq!(
        (
            month.to_agents,
            month.answered_by_agent,
            month.refer_transfers
        ),
        (7, 4, 1)
    );
    assert_eq!(month.abandoned_in_queue, 2);
    let levels = [
        ("general".to_string(), level(5, 2)),
        ("senior".to_string(), level(2, 1)),
    ];
    assert_eq!(month.service_level, levels.into_iter().collect());
    assert_eq!(month.service_level["general"].rate, Some(0.4));
    assert_eq!(month.average_wait_ms, Some(136_000.0 / 7.0));
    assert_eq!(month.average_talk_ms, Some(75_000.0));
    assert_eq!(month.tickets.total, 10);
    let deadlines = DeadlineFigures {
        met: 3,
        due_soon: 2,
        missed: 2,
    };
    assert_eq!(month.tickets.deadlines, deadlines);
    assert_eq!(
        month.tickets.by_type,
        counts(&[("billing", 3), ("network", 1)])
    );
}

#[test]
fn an_empty_day_is_a_row_of_zeros_and_nulls() {
    let range = DateRange::parse("2026-03-14", "2026-03-14").unwrap();
    let rows = report(Period::Day, &range, &records(), &tickets(), now());
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].calls, rows[0].tickets.total), (0, 0));
    assert_eq!(
        (rows[0].self_service_rate, rows[0].average_wait_ms),
        (None, None)
    );
}

#[test]
fn the_csv_has_one_line_per_bucket_with_flattened_columns() {
    let text = crate::reports::csv::to_csv(&rows(Period::Day)).unwrap();
    let mut reader = ::csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(
        &header.iter().take(3).collect::<Vec<_>>(),
        &["period", "from", "to"]
    );
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let lines: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(&lines[0][column("calls")], "10");
    assert_eq!(&lines[1][column("service_level.senior.rate")], "0.5");
    assert_eq!(
        &lines[0][column("service_level.senior.rate")],
        "",
        "nobody in senior on Sunday"
    );
    assert_eq!(&lines[0][column("tickets.deadlines.missed")], "2");
    assert_eq!(&lines[0][column("satisfaction")], "");
}
