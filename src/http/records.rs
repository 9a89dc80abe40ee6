//! The call records for supervisors: `GET /api/call-records.csv?from=YYYY-MM-DD&to=YYYY-MM-DD`
//! answers `text/csv` with a header row and one row per call started in those UTC days
//! (`to` included), oldest first, written by [`crate::records::csv`] as `hotline records
//! export` does. 400 for a missing or bad date, `from` after `to` or more than 366 days;
//! 401 without a login, 403 for an agent who is not a supervisor.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::login::{Refused, Supervisor};
use super::tickets::ApiError;
use crate::records::csv::to_csv;
use crate::records::range::DateRange;
use crate::store::Store;

/// The `/api/call-records.csv` route.
pub fn routes(store: Store) -> Router {
    Router::new()
        .route("/api/call-records.csv", get(export))
        .with_state(store)
}

/// `?from=…&to=…` as given.
#[derive(Deserialize)]
pub(super) struct Days {
    from: String,
    to: String,
}

/// The range of `?from=…&to=…`, or a 400 saying what is wrong with it.
pub(super) fn date_range(
    query: Result<Query<Days>, QueryRejection>,
) -> Result<DateRange, ApiError> {
    let Query(days) = query.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    DateRange::parse(&days.from, &days.to)
        .map_err(|message| ApiError::new(StatusCode::BAD_REQUEST, message))
}

/// A CSV answer, offered as a download named `name`.
pub(super) fn csv_file(name: &str, text: String) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (CONTENT_DISPOSITION, disposition),
        ],
        text,
    )
        .into_response()
}

async fn export(
    State(store): State<Store>,
    _: Supervisor,
    query: Result<Query<Days>, QueryRejection>,
) -> Result<Response, Refused> {
    let range = date_range(query)?;
    let records = store.call_records(range.start(), range.end()).await?;
    let text = to_csv(&records)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let name = format!("call-records-{}-{}.csv", range.first, range.last);
    Ok(csv_file(&name, text))
}
