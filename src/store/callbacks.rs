//! Call-back requests in the store (table `callback_requests` of migration 0005; queries
//! in `callbacks_queries.rs`, one text for both backends like `queries.rs`): when nobody
//! can take a call (no agent, queue full, maximum wait, outside opening hours) or the
//! waiting caller pressed the call-back key, the request is kept so the call is not lost
//! (issue 6), and an agent later marks it done or cancelled.
//!
//! Decisions the contract leaves open:
//! - the number to call back is the caller's unless another is given; both are kept;
//! - a request is closed once: only an open request can be marked done or cancelled, and
//!   "closing" to `open` changes nothing (both answer false), so two agents closing the
//!   same request at once can't both succeed;
//! - `done_by` is the work number of whoever closed it, `None` when the system did (a
//!   caller who got through later); it is not a foreign key, so a request keeps its
//!   history when the agent is removed;
//! - requests are listed oldest first (creation time, then id), the order they are
//!   called back in.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{postgres, sqlite, Backend, Result, Store};
use crate::tickets::model::named_enum;

named_enum! {
    /// Why a call-back request was kept.
    CallbackReason, "call-back reason" {
        /// The waiting caller pressed the call-back key.
        CallerAsked = "caller-asked",
        /// No agent serving the queue was logged in.
        NoAgents = "no-agents",
        /// The queue already had its maximum of waiting callers.
        QueueFull = "queue-full",
        /// The caller waited the queue's maximum wait.
        MaxWait = "max-wait",
        /// Outside the queue's opening hours.
        Closed = "closed",
    }
}

named_enum! {
    /// Where a call-back request stands.
    CallbackState, "call-back state" {
        Open = "open",
        /// Called back.
        Done = "done",
        /// Not to be called back (the caller got through later, a duplicate …).
        Cancelled = "cancelled",
    }
}

/// A request to keep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCallback {
    pub created_at: DateTime<Utc>,
    /// The number that called.
    pub caller: String,
    /// The number to call back when not the caller's.
    pub callback_number: Option<String>,
    pub queue: String,
    pub reason: CallbackReason,
    /// The SIP Call-ID of the caller's call.
    pub call_id: String,
    /// How long the caller waited in the queue, in milliseconds.
    pub waited_ms: u64,
}

/// A stored request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Callback {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub caller: String,
    /// The number to call back (the caller's unless another was given).
    pub callback_number: String,
    pub queue: String,
    pub reason: CallbackReason,
    pub call_id: String,
    pub waited_ms: u64,
    pub state: CallbackState,
    pub done_at: Option<DateTime<Utc>>,
    /// The work number of whoever closed it; `None` while open or when the system did.
    pub done_by: Option<String>,
    pub note: Option<String>,
}

impl Store {
    /// Keeps a call-back request, open; its id.
    pub async fn add_callback(&self, callback: &NewCallback) -> Result<i64> {
        on_backend!(self, insert_callback(callback))
    }

    /// The requests in `state` (all when `None`) of `queue` (all when `None`), oldest
    /// first.
    pub async fn callbacks(
        &self,
        state: Option<CallbackState>,
        queue: Option<&str>,
    ) -> Result<Vec<Callback>> {
        on_backend!(self, read_callbacks(state, queue))
    }

    /// Marks an open request done or cancelled at `now`, by a work number (`None`: the
    /// system) with an optional note. False when there is no such open request or
    /// `state` is `Open`.
    pub async fn close_callback(
        &self,
        id: i64,
        state: CallbackState,
        by: Option<&str>,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        if state == CallbackState::Open {
            return Ok(false);
        }
        on_backend!(self, close_callback(id, state, by, note, now))
    }
}
