//! The reports for supervisors (spec §7), computed by [`crate::reports`] from the call
//! records and the tickets created in the range:
//!
//! - `GET /api/reports?period=day|week|month&from=YYYY-MM-DD&to=YYYY-MM-DD`: a JSON array,
//!   one [`PeriodRow`](crate::reports::figures::PeriodRow) per bucket: `period`, `from`,
//!   `to`, `calls`, `outcomes` {outcome: n}, `reached_menu`, `self_service_completed`,
//!   `self_service_rate`, `to_agents`, `answered_by_agent`, `refer_transfers`,
//!   `abandoned_in_queue`, `service_level` {queue: {`entered`, `answered_in_time`,
//!   `rate`}}, `average_wait_ms`, `average_talk_ms`, `tickets` {`total`, `by_kind`,
//!   `by_type`, `by_prefecture`, `by_state`, `deadlines` {`met`, `due_soon`, `missed`}},
//!   `satisfaction` (null without call-back answers) and `satisfaction_note`;
//! - `GET /api/reports.csv?…`: the same rows as CSV, one line per bucket, flattened columns;
//! - `GET /api/reports/menu-usage?from=&to=`: a JSON array of
//!   `{"node", "visits", "timeouts", "wrong_keys", "gave_up", "to_agent"}`.
//!
//! Days are UTC, `to` included, at most 366 of them; 400 for a bad date or period, 401
//! without a login, 403 for an agent who is not a supervisor (menu usage: neither a
//! supervisor nor an operator, who colour the menu diagram with it). Deadlines are judged at the
//! time of the request.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;

use super::login::{Refused, Supervisor, SupervisorOrOperator};
use super::records::{csv_file, date_range, Days};
use super::tickets::ApiError;
use crate::reports::figures::{report, PeriodRow};
use crate::reports::menu_usage::{menu_usage, NodeUsage};
use crate::reports::Period;
use crate::store::Store;

/// The `/api/reports` routes.
pub fn routes(store: Store) -> Router {
    Router::new()
        .route("/api/reports", get(json_report))
        .route("/api/reports.csv", get(csv_report))
        .route("/api/reports/menu-usage", get(usage))
        .with_state(store)
}

#[derive(Deserialize)]
struct PeriodQuery {
    period: String,
}

/// The rows asked for by `?period=…&from=…&to=…`.
async fn rows(
    store: &Store,
    period: Result<Query<PeriodQuery>, QueryRejection>,
    days: Result<Query<Days>, QueryRejection>,
) -> Result<(String, Vec<PeriodRow>), Refused> {
    let Query(period) =
        period.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let period: Period =
        (period.period.parse()).map_err(|e: crate::tickets::model::UnknownName| {
            ApiError::new(StatusCode::BAD_REQUEST, e.to_string())
        })?;
    let range = date_range(days)?;
    let records = store.call_records(range.start(), range.end()).await?;
    let tickets = (store.tickets_created_between(range.start(), range.end())).await?;
    let name = format!("report-{period}-{}-{}.csv", range.first, range.last);
    let rows = report(period, &range, &records, &tickets, Utc::now());
    Ok((name, rows))
}

async fn json_report(
    State(store): State<Store>,
    _: Supervisor,
    period: Result<Query<PeriodQuery>, QueryRejection>,
    days: Result<Query<Days>, QueryRejection>,
) -> Result<Json<Vec<PeriodRow>>, Refused> {
    let (_, rows) = rows(&store, period, days).await?;
    Ok(Json(rows))
}

async fn csv_report(
    State(store): State<Store>,
    _: Supervisor,
    period: Result<Query<PeriodQuery>, QueryRejection>,
    days: Result<Query<Days>, QueryRejection>,
) -> Result<Response, Refused> {
    let (name, rows) = rows(&store, period, days).await?;
    let text = crate::reports::csv::to_csv(&rows)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(csv_file(&name, text))
}

async fn usage(
    State(store): State<Store>,
    _: SupervisorOrOperator,
    days: Result<Query<Days>, QueryRejection>,
) -> Result<Json<Vec<NodeUsage>>, Refused> {
    let range = date_range(days)?;
    let records = store.call_records(range.start(), range.end()).await?;
    Ok(Json(menu_usage(&records)))
}
