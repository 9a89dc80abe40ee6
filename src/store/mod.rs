//! The durable store (sqlx): subscriber lines, tickets with their lifecycle events,
//! serial numbers, call recordings ([`recording`]), the accounts of the self-service
//! queries and passwords ([`accounts`]), the human agents with their phones'
//! registrations ([`agents`]), the callers' call-back requests ([`callbacks`]) and the
//! call records ([`call_records`]), on
//! SQLite (the default, one file) or PostgreSQL (multi-node).
//!
//! Owns: the schema (`migrations/sqlite`, `migrations/postgres`, embedded and applied by
//! [`Store::connect`]), the CSV imports ([`import`], [`import_accounts`]) and the transactions
//! that run the pure rules of [`crate::tickets`] over what is stored: one report is read,
//! decided and written in one transaction, serialized per number, so two calls reporting
//! the same number at the same moment make one ticket; the caller's recording is written
//! in that same transaction.
//! Must not decide anything itself: every decision is `tickets::rules` or
//! `tickets::lifecycle`. Times are stored in UTC.
//!
//! One query path for both backends: the queries live once in `queries.rs`, included
//! into a `sqlite` and a `postgres` module that each fix the driver type and the two
//! things that differ (how a writing transaction starts and locks). `sqlx::Any` was not
//! used: it has no chrono types, and `BEGIN IMMEDIATE` / advisory locks are per backend.

pub mod import;
pub mod import_accounts;
pub mod recording;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use crate::tickets::calendar::Calendar;
use crate::tickets::config::Catalogue;
use crate::tickets::lifecycle::{Actor, IllegalStep, Step, StepRecord, TicketState};
use crate::tickets::model::{Line, NewTicket, Product, TicketId, TicketStatus, UnknownName};
use crate::tickets::rules::{ComplaintRequest, Decision, FaultReport, SuggestionRequest};
use crate::tickets::serial::{Serial, SerialError};

pub use accounts::{Balance, InstallOrder, NewCard, PasswordLock, PasswordSubject, Redeemed};
pub use agents::{Agent, Binding, InvalidAgent, NewAgent, DEFAULT_SIP_REALM};
pub use callbacks::{Callback, CallbackReason, CallbackState, NewCallback};
pub use menu_versions::{MenuVersion, NewMenuVersion};
pub use recording::{NewRecording, Recording, RecordingId, RecordingInfo};
pub use seats::{QueueCallerRecord, SeatRecord};

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL `{0}` (use sqlite://FILE or postgres://…)")]
    UnsupportedUrl(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("no ticket {0}")]
    NoTicket(TicketId),
    /// A lifecycle step refused by `lifecycle::apply` (HTTP 409); nothing changed.
    #[error(transparent)]
    Illegal(#[from] IllegalStep),
    #[error("serial number: {0}")]
    Serial(#[from] SerialError),
    /// A stored value that is not one of the model's names (a hand-edited row).
    #[error("stored data: {0}")]
    Corrupt(String),
    /// An agent refused before anything is written (bad work number, name, skills or
    /// password).
    #[error("agent: {0}")]
    InvalidAgent(#[from] InvalidAgent),
    #[error("agent {0} already exists")]
    DuplicateAgent(String),
    #[error("no enabled agent {0}")]
    NoAgent(String),
    /// A blocking task (a password hash check) panicked or was cancelled.
    #[error("background task: {0}")]
    Blocking(#[from] tokio::task::JoinError),
}

impl From<UnknownName> for StoreError {
    fn from(error: UnknownName) -> Self {
        StoreError::Corrupt(error.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(error: serde_json::Error) -> Self {
        StoreError::Corrupt(error.to_string())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What one report made: the rules' decision, when it made a ticket the committed
/// ticket's id and serial (speak it only now), and the id of the caller's recording when
/// one was given and stored (with the ticket made or urged).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub decision: Decision,
    pub created: Option<Created>,
    pub recording: Option<RecordingId>,
}

/// A committed new ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Created {
    pub id: TicketId,
    pub serial: Serial,
}

/// A stored ticket: what the rules made, and where it stands now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ticket {
    pub id: TicketId,
    pub serial: Serial,
    pub ticket: NewTicket,
    pub state: TicketState,
    pub created_by: Actor,
    pub cleared_at: Option<DateTime<Utc>>,
    pub clearing_result: Option<String>,
}

/// A ticket with every step taken on it and every recording of it, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TicketDetail {
    pub ticket: Ticket,
    pub events: Vec<StepRecord>,
    pub recordings: Vec<RecordingInfo>,
}

/// Which of a number's tickets: active (not archived nor withdrawn) or history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    Active,
    History,
}

impl FromStr for Which {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "active" => Ok(Which::Active),
            "history" => Ok(Which::History),
            _ => Err(format!("`{s}` is not active or history")),
        }
    }
}

/// The store: a connection pool to one database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
}

#[derive(Clone, Debug)]
enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same query function on the backend in use.
macro_rules! on_backend {
    ($store:expr, $function:ident($($arg:expr),* $(,)?)) => {
        match &$store.backend {
            Backend::Sqlite(pool) => sqlite::$function(pool, $($arg),*).await,
            Backend::Postgres(pool) => postgres::$function(pool, $($arg),*).await,
        }
    };
}

pub mod accounts;
pub mod agents;
pub mod call_records;
pub mod callbacks;
pub mod menu_versions;
pub mod seats;

impl Store {
    /// Connects to `sqlite://FILE` (created on first use; WAL, foreign keys, a busy
    /// timeout) or `postgres://…`, and applies the embedded migrations.
    pub async fn connect(url: &str) -> Result<Store> {
        let backend = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options)
                .await?;
            sqlx::migrate!("migrations/sqlite").run(&pool).await?;
            Backend::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new().max_connections(8).connect(url).await?;
            sqlx::migrate!("migrations/postgres").run(&pool).await?;
            Backend::Postgres(pool)
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        };
        Ok(Store { backend })
    }

    /// Closes the pool (waits for connections to be returned).
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(pool) => pool.close().await,
            Backend::Postgres(pool) => pool.close().await,
        }
    }

    /// Inserts or replaces `lines` in one transaction; returns how many.
    pub async fn upsert_lines(&self, lines: &[Line]) -> Result<usize> {
        on_backend!(self, upsert_lines(lines))
    }

    pub async fn line(&self, number: &str) -> Result<Option<Line>> {
        on_backend!(self, line(number))
    }

    pub async fn count_lines(&self) -> Result<i64> {
        on_backend!(self, count_lines())
    }

    /// The line a caller keyed: `digits` exactly, and for Broadband or None also
    /// `adsl{digits}` then `lan{digits}`; Telephone accepts landline, card-phone and leased
    /// kinds, Broadband broadband and wireless. First match in that order.
    pub async fn find_keyed_line(
        &self,
        digits: &str,
        product: Option<Product>,
    ) -> Result<Option<Line>> {
        if digits.is_empty() {
            return Ok(None);
        }
        let mut numbers = vec![digits.to_string()];
        if product != Some(Product::Telephone) {
            numbers.extend(["adsl", "lan"].map(|prefix| format!("{prefix}{digits}")));
        }
        let accept = |line: &Line| product.is_none_or(|product| line.kind.product() == product);
        on_backend!(self, first_line(&numbers, &accept))
    }

    /// A fault report (3 → 1 or an agent) about `number` by `actor`, decided by
    /// `rules::decide_fault_report` and written in one transaction with `recording`.
    pub async fn report_fault(
        &self,
        number: &str,
        report: &FaultReport,
        actor: &Actor,
        calendar: &Calendar,
        now: DateTime<Utc>,
        recording: Option<&NewRecording>,
    ) -> Result<Outcome> {
        let decide = |line: Option<&Line>, history: &[_]| {
            crate::tickets::rules::decide_fault_report(report, line, history, calendar, now)
        };
        on_backend!(
            self,
            report(number, &decide, actor, calendar, now, recording)
        )
    }

    /// A complaint (3 → 2 or an agent), decided by `rules::decide_complaint`.
    #[expect(
        clippy::too_many_arguments,
        reason = "the report's parts, as the call shell and the API hold them"
    )]
    pub async fn file_complaint(
        &self,
        number: &str,
        request: &ComplaintRequest,
        actor: &Actor,
        catalogue: &Catalogue,
        calendar: &Calendar,
        now: DateTime<Utc>,
        recording: Option<&NewRecording>,
    ) -> Result<Outcome> {
        let decide = |line: Option<&Line>, history: &[_]| {
            crate::tickets::rules::decide_complaint(
                request, line, history, catalogue, calendar, now,
            )
        };
        on_backend!(
            self,
            report(number, &decide, actor, calendar, now, recording)
        )
    }

    /// A suggestion (3 → 3 or an agent), decided by `rules::decide_suggestion`.
    pub async fn file_suggestion(
        &self,
        number: &str,
        request: &SuggestionRequest,
        actor: &Actor,
        calendar: &Calendar,
        now: DateTime<Utc>,
        recording: Option<&NewRecording>,
    ) -> Result<Outcome> {
        let decide = |line: Option<&Line>, _: &[_]| {
            crate::tickets::rules::decide_suggestion(request, number, line, calendar, now)
        };
        on_backend!(
            self,
            report(number, &decide, actor, calendar, now, recording)
        )
    }

    /// A recording with its bytes; `None` if there is no such recording.
    pub async fn recording(&self, id: RecordingId) -> Result<Option<Recording>> {
        on_backend!(self, recording(id))
    }

    /// Takes one lifecycle step; an illegal one is `StoreError::Illegal` and changes
    /// nothing.
    pub async fn apply_step(
        &self,
        id: TicketId,
        step: &Step,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<StepRecord> {
        on_backend!(self, apply_step(id, step, actor, now))
    }

    /// A ticket with its events and recordings; `None` if there is no such ticket.
    pub async fn ticket(&self, id: TicketId) -> Result<Option<TicketDetail>> {
        on_backend!(self, ticket(id))
    }

    /// A number's active or history tickets, newest first.
    pub async fn tickets_for_number(&self, number: &str, which: Which) -> Result<Vec<Ticket>> {
        on_backend!(self, list_tickets(Some(number), which, i64::MAX))
    }

    /// At most `limit` active tickets due by `by` (their resolve-by deadline, else their
    /// reply-by), the soonest first: overdue ones when `by` is now.
    pub async fn tickets_due(&self, by: DateTime<Utc>, limit: i64) -> Result<Vec<Ticket>> {
        on_backend!(self, list_due_tickets(by, limit))
    }

    /// The tickets created in `[from, to)`, any status, oldest first (for the reports).
    pub async fn tickets_created_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Ticket>> {
        on_backend!(self, list_tickets_created_between(from, to))
    }

    /// The newest `limit` active or history tickets of every number.
    pub async fn recent_tickets(&self, which: Which, limit: i64) -> Result<Vec<Ticket>> {
        on_backend!(self, list_tickets(None, which, limit))
    }
}

/// The human text of a step for the event row (reason, result, remark, team).
fn step_note(step: &Step) -> Option<String> {
    match step {
        Step::Dispatch { team } => Some(team.as_str().to_string()),
        Step::Return { reason } | Step::Withdraw { reason } => Some(reason.clone()),
        Step::Clear { result } => Some(result.clone()),
        Step::FollowUp { remark } => Some(remark.clone()),
        Step::CallBack { satisfied } => Some(
            if *satisfied {
                "satisfied"
            } else {
                "not satisfied"
            }
            .to_string(),
        ),
        Step::Accept | Step::Start | Step::Archive | Step::Urge => None,
    }
}

/// `status IN (…)` for active or history tickets, from the model's own split.
fn status_filter(which: Which) -> String {
    let names: Vec<String> = TicketStatus::ALL
        .iter()
        .filter(|status| status.is_active() == (which == Which::Active))
        .map(|status| format!("'{}'", status.as_str()))
        .collect();
    format!("status IN ({})", names.join(", "))
}

/// The SQLite queries: a writing transaction is `BEGIN IMMEDIATE`, which takes the
/// database's one write lock up front, so reads inside it see every earlier write.
mod sqlite {
    use super::*;

    type Db = sqlx::Sqlite;
    type DbRow = sqlx::sqlite::SqliteRow;
    const FOR_UPDATE: &str = "";

    async fn begin_write(pool: &sqlx::Pool<Db>) -> Result<sqlx::Transaction<'static, Db>> {
        Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    async fn lock_number(_: &mut sqlx::Transaction<'static, Db>, _: &str) -> Result<()> {
        Ok(())
    }

    include!("queries.rs");
    include!("accounts_queries.rs");
    include!("agents_queries.rs");
    include!("callbacks_queries.rs");
    include!("seats_queries.rs");
    include!("menu_versions_queries.rs");
    include!("call_records_queries.rs");
}

/// The PostgreSQL queries: a transaction-scoped advisory lock keyed by the number
/// serializes reports on one number (known or not) across nodes; lifecycle steps lock
/// the ticket row with `FOR UPDATE`.
mod postgres {
    use super::*;

    type Db = sqlx::Postgres;
    type DbRow = sqlx::postgres::PgRow;
    const FOR_UPDATE: &str = " FOR UPDATE";

    async fn begin_write(pool: &sqlx::Pool<Db>) -> Result<sqlx::Transaction<'static, Db>> {
        Ok(pool.begin().await?)
    }

    async fn lock_number(tx: &mut sqlx::Transaction<'static, Db>, number: &str) -> Result<()> {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(number)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    include!("queries.rs");
    include!("accounts_queries.rs");
    include!("agents_queries.rs");
    include!("callbacks_queries.rs");
    include!("seats_queries.rs");
    include!("menu_versions_queries.rs");
    include!("call_records_queries.rs");
}
