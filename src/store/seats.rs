//! The agents' seats and the queues' callers in the store (tables `agent_seats` and
//! `queue_callers` of migration 0006; queries in `seats_queries.rs`): the call
//! distributor writes each seat and each caller through when they change, so that the
//! CLI, reports and (later) other servers see who is ready, ringing or talking and who
//! waits. The distributor's memory stays the truth for offering calls; a seat whose agent
//! has never pressed a button since the store was made has no row (logged out), and a
//! caller's row goes when an agent answers or the caller leaves.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{postgres, sqlite, Backend, Result, Store};
use crate::queues::seat::SeatStateName;
use crate::tickets::model::Tier;

/// One seat as last written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SeatRecord {
    pub work_number: String,
    pub state: SeatStateName,
    /// Why not ready.
    pub reason: Option<String>,
    /// The SIP Call-ID of the caller ringing or talked to.
    pub call_id: Option<String>,
    pub since: DateTime<Utc>,
}

/// One caller in a queue as last written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QueueCallerRecord {
    /// The SIP Call-ID of the caller's call.
    pub call_id: String,
    pub queue: String,
    pub caller: String,
    pub tier: Tier,
    pub entered_at: DateTime<Utc>,
    pub requeued: bool,
    /// 1-based place; None while an agent's phone rings.
    pub place: Option<u32>,
    /// The agent whose phone rings.
    pub ringing: Option<String>,
}

impl Store {
    /// Writes the seat (insert or replace).
    pub async fn save_seat(&self, seat: &SeatRecord) -> Result<()> {
        on_backend!(self, save_seat(seat))
    }

    /// Every seat written, by work number.
    pub async fn seats(&self) -> Result<Vec<SeatRecord>> {
        on_backend!(self, read_seats())
    }

    /// Writes a caller in a queue (insert or replace).
    pub async fn save_queue_caller(&self, caller: &QueueCallerRecord) -> Result<()> {
        on_backend!(self, save_queue_caller(caller))
    }

    /// Takes a caller out of the queues' table; false when it was not there.
    pub async fn remove_queue_caller(&self, call_id: &str) -> Result<bool> {
        on_backend!(self, remove_queue_caller(call_id))
    }

    /// Every caller written, queue by queue in place order (ringing ones last).
    pub async fn queue_callers(&self) -> Result<Vec<QueueCallerRecord>> {
        on_backend!(self, read_queue_callers())
    }
}
