//! The agents' seats over HTTP, for softphone integrations and scripts (the console's
//! login with sessions comes with the console page):
//!
//! - `POST /api/agent/state` `{"state": "ready" | "not-ready" | "log-in" | "log-out",
//!   "reason": "…"}`: the agent's own button; 200 `{"work_number", "state"}`, 409 when
//!   the seat refuses it now (e.g. logging out while a call rings);
//! - `GET /api/queues` (supervisors): every queue (waiting callers, longest wait, the
//!   service level so far) and every agent's state;
//! - `GET /api/callbacks?state=open` (supervisors): the call-back requests kept;
//! - `GET /api/calls` (supervisors): the cards of the queued calls (the caller, their
//!   line, the way through the menu, the ticket draft, the stage and the agent).
//!
//! Every route needs HTTP Basic authentication with an agent's work number and password
//! ([`super::login`]: 401 with a challenge otherwise); supervisors are the agents with the
//! `supervisor` skill (403 for the others).

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRef, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};

use super::login::{LoggedIn, Refused, Supervisor};
use super::tickets::ApiError;
use crate::call::{CallBoard, Distributor};
use crate::queues::center::AgentCommand;
use crate::store::{CallbackState, Store};

/// The skill that makes an agent a supervisor.
pub const SUPERVISOR_SKILL: &str = "supervisor";

/// What the seat routes need.
#[derive(Clone)]
pub struct Seats {
    pub store: Store,
    pub distributor: Distributor,
    /// The queued calls' cards (the console shows them).
    pub board: CallBoard,
    /// The SIP digest realm, for agents' passwords set through the API.
    pub sip_realm: String,
}

impl FromRef<Arc<Seats>> for Store {
    fn from_ref(seats: &Arc<Seats>) -> Store {
        seats.store.clone()
    }
}

/// The seat routes.
pub fn routes(seats: Arc<Seats>) -> Router {
    Router::new()
        .route("/api/agent/state", post(set_state))
        .route("/api/queues", get(queues))
        .route("/api/callbacks", get(callbacks))
        .route("/api/calls", get(calls))
        .with_state(seats)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StateChange {
    state: String,
    reason: Option<String>,
}

async fn set_state(
    State(seats): State<Arc<Seats>>,
    LoggedIn(agent): LoggedIn,
    body: Result<Json<StateChange>, JsonRejection>,
) -> Result<Json<Value>, Refused> {
    let Json(change) = body.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let command = match change.state.as_str() {
        "ready" => AgentCommand::Ready,
        "not-ready" => AgentCommand::NotReady(change.reason.unwrap_or_default()),
        "log-in" => AgentCommand::LogIn,
        "log-out" => AgentCommand::LogOut,
        other => {
            let message =
                format!("state {other:?} is not one of ready, not-ready, log-in, log-out");
            return Err(ApiError::new(StatusCode::BAD_REQUEST, message).into());
        }
    };
    let work_number = agent.work_number.clone();
    let changed = seats
        .distributor
        .agent(&work_number, agent.skills, command)
        .await
        .map_err(|stopped| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, stopped.to_string()))?;
    let state =
        changed.map_err(|refused| ApiError::new(StatusCode::CONFLICT, refused.to_string()))?;
    tracing::info!(%work_number, state = %state.name(), "agent's seat changed");
    Ok(Json(
        json!({ "work_number": work_number, "state": state.name().to_string() }),
    ))
}

async fn queues(State(seats): State<Arc<Seats>>, _: Supervisor) -> Result<Json<Value>, Refused> {
    let (queues, agents) = (seats.distributor.snapshot().await)
        .map_err(|stopped| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, stopped.to_string()))?;
    let queues: Vec<Value> = queues
        .iter()
        .map(|queue| {
            let f = &queue.figures;
            json!({
                "name": queue.name,
                "waiting": queue.waiting,
                "longest_wait_seconds": queue.longest_wait.map(|w| w.as_secs_f64()),
                "offered": f.offered,
                "answered_within_threshold": f.answered_within_threshold,
                "answered_after_threshold": f.answered_after_threshold,
                "abandoned": f.abandoned_within_threshold + f.abandoned_after_threshold,
                "service_level": f.service_level,
            })
        })
        .collect();
    let agents: Vec<Value> = agents
        .iter()
        .map(|agent| {
            json!({
                "work_number": agent.work_number,
                "skills": agent.skills,
                "state": agent.state.name().to_string(),
            })
        })
        .collect();
    Ok(Json(json!({ "queues": queues, "agents": agents })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CallbackQuery {
    state: Option<String>,
    queue: Option<String>,
}

async fn callbacks(
    State(seats): State<Arc<Seats>>,
    _: Supervisor,
    query: Result<Query<CallbackQuery>, QueryRejection>,
) -> Result<Json<Value>, Refused> {
    let Query(query) = query.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let state = (query.state.as_deref())
        .map(str::parse::<CallbackState>)
        .transpose()
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    let callbacks = seats.store.callbacks(state, query.queue.as_deref()).await?;
    Ok(Json(json!({ "callbacks": callbacks })))
}

async fn calls(State(seats): State<Arc<Seats>>, _: Supervisor) -> Result<Json<Value>, Refused> {
    Ok(Json(json!({ "calls": seats.board.cards(Utc::now()) })))
}
