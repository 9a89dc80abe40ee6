//! Call records (issue 7): one [`CallRecord`] per call that reached a call task, with its
//! times, the path through the menu, how it ended ([`RecordOutcome`]), the tickets it
//! touched, the queue, agent and menu version. Pure: the call shell fills a record in
//! (`call::call_record`), the store keeps it (`store::call_records`), [`csv`] writes it
//! out for a [`range`] of days and `crate::reports` sums it up.
//!
//! How a call's ending becomes an outcome ([`classify`]) — decisions the issue leaves open:
//! - a ticket made or urged in the call wins over how the call ended in the menu: a
//!   caller who hangs up while (or after) hearing the serial, or whom the menu lets go
//!   after more timeouts, counts as `ticket_created`;
//! - a caller the desk answered (a balance, an order or repair state, a card redeemed, a
//!   password checked or set) is `self_served` however they left the menu, and so is a
//!   call the menu ended with a goodbye after anything else (an information prompt);
//! - the menu ending the call after too many timeouts (the path's last step is a timeout)
//!   is `timed_out`; after too many wrong keys or entries `hung_up_in_menu`, like a caller
//!   who hangs up before anything was done: both gave up in the menu;
//! - a caller who hangs up after the menu handed them to a queue (waiting, ringing, or
//!   while being handed to an external ACD) abandoned in that queue;
//! - rejected (488/503), cancelled and failed calls keep the metrics' meaning.

pub mod csv;
pub mod range;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::menu::PathStep;
use crate::metrics::CallOutcome;
use crate::tickets::model::named_enum;

named_enum! {
    /// How a call ended, for the records and reports (snake_case in the store, CSV and
    /// JSON).
    RecordOutcome, "call outcome" {
        /// The caller got what they called for from the menu.
        SelfServed = "self_served",
        /// A ticket was made or urged in the call.
        TicketCreated = "ticket_created",
        /// Waited in a queue and talked to an agent.
        AnsweredByAgent = "answered_by_agent",
        /// Hung up while waiting in a queue (or while the agent's phone rang).
        AbandonedInQueue = "abandoned_in_queue",
        /// Could not wait, or chose not to: a call-back request was kept.
        CallbackKept = "callback_kept",
        /// Handed on by SIP REFER (a menu transfer or an external ACD).
        Transferred = "transferred",
        /// The menu hung up after too many timeouts.
        TimedOut = "timed_out",
        /// Gave up in the menu before anything was done.
        HungUpInMenu = "hung_up_in_menu",
        /// Refused before the answer (488, 503).
        Rejected = "rejected",
        /// The caller cancelled before the answer.
        Cancelled = "cancelled",
        /// Lost: no ACK, media or signalling failure.
        Failed = "failed",
    }
}

/// One call, as kept in the store and exported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRecord {
    /// The SIP Call-ID of the caller's call.
    pub call_id: String,
    /// When the INVITE arrived.
    pub started_at: DateTime<Utc>,
    /// When the call was confirmed (our 200 OK acknowledged); none when never answered.
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: DateTime<Utc>,
    pub caller: String,
    pub called: String,
    /// The steps through the menu as the engine shows them (`menu main`, `key 3`,
    /// `wrong key 7`, `timeout`, `entry ******` …), secret digits masked.
    pub path: Vec<String>,
    pub outcome: RecordOutcome,
    /// The serials of the tickets made or urged in the call.
    pub tickets: Vec<String>,
    /// The queue the menu handed the call to.
    pub queue: Option<String>,
    /// From the hand-over to the queue until an agent answered or the caller left it.
    pub wait_ms: Option<i64>,
    /// The work number of the agent who answered.
    pub agent: Option<String>,
    /// From the bridge with the agent to the end.
    pub talk_ms: Option<i64>,
    /// The menu version the call was served with (the live one at the time for calls
    /// never answered).
    pub menu_version: i64,
}

/// What the call task knows at the end of a call, for [`classify`].
#[derive(Clone, Copy, Debug)]
pub struct CallFacts<'a> {
    /// How the call task saw it end.
    pub ended: CallOutcome,
    /// A ticket was made or urged.
    pub touched_tickets: bool,
    /// The desk answered one of the caller's queries or password requests.
    pub served: bool,
    /// The menu handed the call to a queue.
    pub queued: bool,
    /// The last step of the path through the menu.
    pub last_step: Option<&'a PathStep>,
}

/// The record's outcome of a call (decisions in the module doc).
pub fn classify(facts: &CallFacts<'_>) -> RecordOutcome {
    use RecordOutcome as R;
    match facts.ended {
        CallOutcome::Rejected => R::Rejected,
        CallOutcome::Cancelled => R::Cancelled,
        CallOutcome::Failed => R::Failed,
        CallOutcome::Transferred => R::Transferred,
        CallOutcome::AnsweredByAgent => R::AnsweredByAgent,
        CallOutcome::Abandoned => R::AbandonedInQueue,
        CallOutcome::CallbackKept => R::CallbackKept,
        CallOutcome::HungUpByCaller if facts.queued => R::AbandonedInQueue,
        CallOutcome::HungUpByMenu | CallOutcome::HungUpByCaller if facts.touched_tickets => {
            R::TicketCreated
        }
        CallOutcome::HungUpByMenu | CallOutcome::HungUpByCaller if facts.served => R::SelfServed,
        CallOutcome::HungUpByMenu => match facts.last_step {
            Some(PathStep::Timeout) => R::TimedOut,
            Some(PathStep::WrongKey(_) | PathStep::WrongEntry(_)) => R::HungUpInMenu,
            _ => R::SelfServed,
        },
        CallOutcome::HungUpByCaller => R::HungUpInMenu,
    }
}

/// The path as one field: `menu main > key 3 > menu report`.
pub fn joined_path(path: &[String]) -> String {
    path.join(PATH_SEPARATOR)
}

/// The path back from [`joined_path`].
pub fn split_path(joined: &str) -> Vec<String> {
    if joined.is_empty() {
        return Vec::new();
    }
    joined.split(PATH_SEPARATOR).map(str::to_string).collect()
}

const PATH_SEPARATOR: &str = " > ";

#[cfg(test)]
#[path = "classify_tests.rs"]
mod classify_tests;
