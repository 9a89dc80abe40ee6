//! The agents themselves, for supervisors (the API twin of `hotline agents`):
//!
//! - `GET /api/agents`: every agent (work number, name, skills, disabled) with the state of
//!   their seat now;
//! - `POST /api/agents` `{"work_number", "name", "skills": [...], "password"}`: 201, 400
//!   for an invalid agent (the store's rules: 1–10 digit work number, skills …), 409 when
//!   the work number is taken;
//! - `PUT /api/agents/{work_number}/password` `{"password"}`: 204 (the SIP digest HA1s
//!   are made for the server's realm);
//! - `POST /api/agents/{work_number}/disable` and `/enable`: 204; disabling removes the
//!   agent's phone registrations, so no call is offered to them.
//!
//! 404 for an unknown work number. Passwords are taken from the body and never logged.

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};

use super::login::{Refused, Supervisor};
use super::seats::Seats;
use super::tickets::ApiError;
use crate::passwords::Secret;
use crate::store::NewAgent;

/// The `/api/agents` routes.
pub fn routes(seats: Arc<Seats>) -> Router {
    Router::new()
        .route("/api/agents", get(list).post(add))
        .route("/api/agents/{work_number}/password", put(set_password))
        .route("/api/agents/{work_number}/disable", post(disable))
        .route("/api/agents/{work_number}/enable", post(enable))
        .with_state(seats)
}

async fn list(State(seats): State<Arc<Seats>>, _: Supervisor) -> Result<Json<Value>, Refused> {
    let agents = seats.store.agents().await?;
    let (_, seated) = (seats.distributor.snapshot().await)
        .map_err(|stopped| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, stopped.to_string()))?;
    let agents: Vec<Value> = agents
        .iter()
        .map(|agent| {
            let seat = seated.iter().find(|s| s.work_number == agent.work_number);
            let state = seat.map_or("logged-out".to_string(), |s| s.state.name().to_string());
            json!({
                "work_number": agent.work_number,
                "name": agent.name,
                "skills": agent.skills,
                "disabled": agent.disabled,
                "created_at": agent.created_at,
                "state": state,
            })
        })
        .collect();
    Ok(Json(json!({ "agents": agents })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentBody {
    work_number: String,
    name: String,
    skills: Vec<String>,
    password: String,
}

async fn add(
    State(seats): State<Arc<Seats>>,
    Supervisor(by): Supervisor,
    body: Result<Json<AgentBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), Refused> {
    let Json(body) = body.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let agent = NewAgent {
        work_number: body.work_number,
        name: body.name,
        skills: body.skills,
        password: Secret::new(body.password),
    };
    (seats.store)
        .add_agent(&agent, &seats.sip_realm, Utc::now())
        .await?;
    tracing::info!(work_number = %agent.work_number, by = %by.work_number, "agent added");
    let added =
        json!({ "work_number": agent.work_number, "name": agent.name, "skills": agent.skills });
    Ok((StatusCode::CREATED, Json(added)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordBody {
    password: String,
}

async fn set_password(
    State(seats): State<Arc<Seats>>,
    Supervisor(by): Supervisor,
    path: Result<Path<String>, PathRejection>,
    body: Result<Json<PasswordBody>, JsonRejection>,
) -> Result<StatusCode, Refused> {
    let work_number = work_number(path)?;
    let Json(body) = body.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let password = Secret::new(body.password);
    let changed = (seats.store)
        .set_agent_password(&work_number, &password, &seats.sip_realm, Utc::now())
        .await?;
    found(changed, &work_number)?;
    tracing::info!(%work_number, by = %by.work_number, "agent's password set");
    Ok(StatusCode::NO_CONTENT)
}

async fn disable(
    State(seats): State<Arc<Seats>>,
    by: Supervisor,
    path: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, Refused> {
    set_disabled(&seats, by, path, true).await
}

async fn enable(
    State(seats): State<Arc<Seats>>,
    by: Supervisor,
    path: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, Refused> {
    set_disabled(&seats, by, path, false).await
}

async fn set_disabled(
    seats: &Seats,
    Supervisor(by): Supervisor,
    path: Result<Path<String>, PathRejection>,
    disabled: bool,
) -> Result<StatusCode, Refused> {
    let work_number = work_number(path)?;
    let changed = seats
        .store
        .set_agent_disabled(&work_number, disabled)
        .await?;
    found(changed, &work_number)?;
    tracing::info!(%work_number, disabled, by = %by.work_number, "agent's access changed");
    Ok(StatusCode::NO_CONTENT)
}

fn work_number(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let Path(work_number) =
        path.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    Ok(work_number)
}

fn found(changed: bool, work_number: &str) -> Result<(), ApiError> {
    if changed {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("there is no agent {work_number}"),
        ))
    }
}
