//! The password-locks routes, for agents and supervisors: `GET /api/password-locks`
//! lists the locks in force, newest first; `DELETE /api/password-locks/{kind}/{subject}`
//! lifts the lock of a `line` or `contract` password (204, or 404 when it is not locked).
//!
//! Both need an agent's login ([`super::login`]); a lift is recorded as by the agent's
//! work number. Errors are the tickets API's JSON errors.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use chrono::Utc;
use serde_json::{json, Value};

use crate::store::{PasswordSubject, Store};

use super::login::{LoggedIn, Refused};
use super::tickets::ApiError;

/// The `/api/password-locks` routes.
pub fn routes(store: Store) -> Router {
    Router::new()
        .route("/api/password-locks", get(list))
        .route("/api/password-locks/{kind}/{subject}", delete(lift))
        .with_state(store)
}

/// `GET /api/password-locks`: `{"locks": [{"id", "kind", "subject", "locked_at",
/// "locked_until", …}]}`.
async fn list(State(store): State<Store>, _: LoggedIn) -> Result<Json<Value>, Refused> {
    let locks = store.password_locks(true, Utc::now()).await?;
    Ok(Json(json!({ "locks": locks })))
}

/// `DELETE /api/password-locks/{kind}/{subject}`: 204 lifted, 404 not locked, 400 for a
/// kind other than `line` or `contract`.
async fn lift(
    State(store): State<Store>,
    LoggedIn(agent): LoggedIn,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<StatusCode, Refused> {
    let Path((kind, subject)) =
        path.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let subject = PasswordSubject::from_parts(&kind, &subject)
        .map_err(|reason| ApiError::new(StatusCode::BAD_REQUEST, reason))?;
    let lifted = (store.lift_lock(&subject, &agent.work_number, Utc::now())).await?;
    if lifted {
        tracing::info!(%kind, by = %agent.work_number, "password lock lifted");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("the {kind} password of {} is not locked", subject.subject()),
        )
        .into())
    }
}
