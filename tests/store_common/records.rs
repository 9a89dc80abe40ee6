//! Call records for the store, API and CLI tests.

use chrono::{DateTime, TimeZone, Utc};
use hotline::records::{CallRecord, RecordOutcome};

/// 2026-03-`day` at `hour`:`minute`:`second` UTC.
pub fn at(day: u32, hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, minute, second)
        .unwrap()
}

/// A call that walked the menu to the general queue and talked to agent 1001, started at
/// `started_at`; `wrong key 7` and a secret entry in its path.
pub fn call_record(call_id: &str, started_at: DateTime<Utc>) -> CallRecord {
    let ms = chrono::Duration::milliseconds;
    CallRecord {
        call_id: call_id.to_string(),
        started_at,
        answered_at: Some(started_at + ms(250)),
        ended_at: started_at + ms(95_500),
        caller: "05512345678".to_string(),
        called: "112".to_string(),
        path: [
            "menu main",
            "wrong key 7",
            "key 2",
            "menu pin",
            "entry ******",
            "key 0",
        ]
        .map(str::to_string)
        .to_vec(),
        outcome: RecordOutcome::AnsweredByAgent,
        tickets: vec!["2603100001".to_string()],
        queue: Some("general".to_string()),
        wait_ms: Some(12_000),
        agent: Some("1001".to_string()),
        talk_ms: Some(60_000),
        menu_version: 3,
    }
}

/// A call that gave up in the menu: no queue, no agent, no ticket.
pub fn gave_up(call_id: &str, started_at: DateTime<Utc>) -> CallRecord {
    CallRecord {
        path: vec!["menu main".to_string(), "timeout".to_string()],
        outcome: RecordOutcome::TimedOut,
        tickets: Vec::new(),
        queue: None,
        wait_ms: None,
        agent: None,
        talk_ms: None,
        ..call_record(call_id, started_at)
    }
}
