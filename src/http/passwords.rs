//! The password-locks routes, for agents and supervisors: `GET /api/password-locks`
//! lists the locks in force, newest first; `DELETE /api/password-locks/{kind}/{subject}`
//! lifts the lock of a `line` or `contract` password (204, or 404 when it is not locked).
//!
//! There is no login yet (issue 6 adds it): anyone who reaches the HTTP port can lift a
//! lock, and the lift is recorded as by `api`. Errors are the tickets API's JSON errors.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use chrono::Utc;
use serde_json::{json, Value};

use crate::store::{PasswordSubject, Store};

use super::tickets::ApiError;

/// Who a lift through the API is recorded as, until logins exist.
const LIFTED_BY: &str = "api";

/// The `/api/password-locks` routes.
pub fn routes(store: Store) -> Router {
    Router::new()
        .route("/api/password-locks", get(list))
        .route("/api/password-locks/{kind}/{subject}", delete(lift))
        .with_state(store)
}

/// `GET /api/password-locks`: `{"locks": [{"id", "kind", "subject", "locked_at",
/// "locked_until", …}]}`.
async fn list(State(store): State<Store>) -> Result<Json<Value>, ApiError> {
    let locks = store.password_locks(true, Utc::now()).await?;
    Ok(Json(json!({ "locks": locks })))
}

/// `DELETE /api/password-locks/{kind}/{subject}`: 204 lifted, 404 not locked, 400 for a
/// kind other than `line` or `contract`.
async fn lift(
    State(store): State<Store>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let Path((kind, subject)) =
        path.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let subject = PasswordSubject::from_parts(&kind, &subject)
        .map_err(|reason| ApiError::new(StatusCode::BAD_REQUEST, reason))?;
    if store.lift_lock(&subject, LIFTED_BY, Utc::now()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("the {kind} password of {} is not locked", subject.subject()),
        ))
    }
}
