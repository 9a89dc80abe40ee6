//! The ticket core (spec §3 fault reports "112", §4 complaints and tickets), pure.
//!
//! Owns: line facts and stable enum names ([`model`]), number shapes and the prefectures
//! ([`number`]), the lifecycle step function ([`lifecycle`]), local time, working days and
//! deadlines ([`calendar`]), the 112 / complaint decisions and their precedence
//! ([`rules`]), serial numbers with a Damm check digit ([`serial`]), and the loaders of
//! `config/prefectures.yaml`, `config/holidays.yaml`, `config/complaint-catalogue.yaml`
//! with `file:line:column` errors ([`config`]).
//!
//! Must not touch a database, sockets, tokio or the clock: time is always an argument
//! (`now: DateTime<Utc>`), a number's history is a slice the caller read from the store.
//! The sqlx store, the HTTP API and the call flows build on these types.

pub mod calendar;
pub mod config;
pub mod lifecycle;
pub mod model;
pub mod number;
pub mod rules;
pub mod serial;
