//! Call recordings: what the caller said after the beep (a fault description, a
//! complaint, a suggestion), kept with the ticket it was made for.
//!
//! A recording is written in the transaction of its report and linked to the ticket the
//! report made or urged; a report that makes and urges nothing stores no recording. The
//! store keeps the WAV bytes as given and hands them back unchanged.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::tickets::model::TicketId;

/// A recording to store with a report: a 16-bit PCM WAV file and its length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRecording {
    pub wav: Vec<u8>,
    pub duration_ms: u32,
}

/// The database id of a recording (assigned by the store).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct RecordingId(pub i64);

impl fmt::Display for RecordingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A stored recording with its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recording {
    pub id: RecordingId,
    pub ticket: TicketId,
    pub wav: Vec<u8>,
    pub duration_ms: u32,
    pub created_at: DateTime<Utc>,
}

/// A ticket's recording as its detail lists it (without the bytes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordingInfo {
    pub id: RecordingId,
    pub duration_ms: u32,
    pub created_at: DateTime<Utc>,
}
