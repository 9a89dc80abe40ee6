//! The agents' seats in the store (table `agent_seats` of migration 0006; queries in
//! `seats_queries.rs`): the call distributor writes each seat through when it changes,
//! so that the CLI, reports and (later) other servers see who is ready, ringing or
//! talking. The distributor's memory stays the truth for offering calls; a seat whose
//! agent has never pressed a button since the store was made has no row (logged out).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{postgres, sqlite, Backend, Result, Store};
use crate::queues::seat::SeatStateName;

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

impl Store {
    /// Writes the seat (insert or replace).
    pub async fn save_seat(&self, seat: &SeatRecord) -> Result<()> {
        on_backend!(self, save_seat(seat))
    }

    /// Every seat written, by work number.
    pub async fn seats(&self) -> Result<Vec<SeatRecord>> {
        on_backend!(self, read_seats())
    }
}
