//! The ticket core (spec §3 fault reports "112", §4 complaints and tickets), pure: the
//! facts of a subscriber line, number validation, the ticket lifecycle, working-day and
//! priority deadlines, the 112 / complaint decision rules and serial numbers, plus the
//! loaders of the operator's files `config/prefectures.yaml`, `config/holidays.yaml` and
//! `config/complaint-catalogue.yaml`.
//!
//! Must not touch a database, sockets, tokio or the clock: time is always an argument
//! (`now: DateTime<Utc>`), history is a slice the caller read from the store. The store,
//! the HTTP API and the call flows build on these types.

pub mod calendar;
pub mod config;
pub mod lifecycle;
pub mod model;
pub mod number;
pub mod rules;
pub mod serial;
