//! Call records in the store (table `call_records` of migration 0008; queries in
//! `call_records_queries.rs`, one text for both backends like `queries.rs`): one row per
//! call, written once at the call's end and read by period for the CSV export and the
//! reports (issue 7).
//!
//! Decisions: the path and the tickets are JSON arrays of strings in a text column (read
//! whole, never queried into); a period is `[from, to)` on the start time, oldest first
//! (then by id, the order they were written).

use chrono::{DateTime, Utc};

use super::{postgres, sqlite, Backend, Result, Store};
use crate::records::CallRecord;

impl Store {
    /// Keeps a call's record.
    pub async fn insert_call_record(&self, record: &CallRecord) -> Result<()> {
        self.insert_call_records(std::slice::from_ref(record)).await
    }

    /// Keeps `records` in one transaction: all or none.
    pub async fn insert_call_records(&self, records: &[CallRecord]) -> Result<()> {
        on_backend!(self, insert_call_records(records))
    }

    /// The records of calls started in `[from, to)`, oldest first.
    pub async fn call_records(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CallRecord>> {
        on_backend!(self, read_call_records(from, to))
    }
}
