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
//! (401 with a `WWW-Authenticate` challenge otherwise, also for a disabled agent);
//! supervisors are the agents with the `supervisor` skill (403 for the others).

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::header::WWW_AUTHENTICATE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::headers::authorization::Basic;
use axum_extra::headers::Authorization;
use axum_extra::TypedHeader;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};

use super::tickets::ApiError;
use crate::call::{CallBoard, Distributor};
use crate::passwords::Secret;
use crate::queues::center::AgentCommand;
use crate::store::{Agent, CallbackState, Store};

/// The skill that makes an agent a supervisor.
pub const SUPERVISOR_SKILL: &str = "supervisor";

/// What the seat routes need.
#[derive(Clone)]
pub struct Seats {
    pub store: Store,
    pub distributor: Distributor,
    /// The queued calls' cards (the console shows them).
    pub board: CallBoard,
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

/// A refusal for want of a login: 401 with the Basic challenge.
struct LoginNeeded;

impl IntoResponse for LoginNeeded {
    fn into_response(self) -> Response {
        let body = Json(json!({ "error": "log in with your work number and password" }));
        let challenge = [(
            WWW_AUTHENTICATE,
            "Basic realm=\"hotline\", charset=\"UTF-8\"",
        )];
        (StatusCode::UNAUTHORIZED, challenge, body).into_response()
    }
}

/// Either refusal of a route.
enum Refused {
    Login(LoginNeeded),
    Api(ApiError),
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::Login(login) => login.into_response(),
            Refused::Api(error) => error.into_response(),
        }
    }
}

impl<E: Into<ApiError>> From<E> for Refused {
    fn from(error: E) -> Self {
        Refused::Api(error.into())
    }
}

/// The agent the request's Basic credentials name, if the password is theirs.
async fn logged_in(
    store: &Store,
    credentials: Option<TypedHeader<Authorization<Basic>>>,
) -> Result<Agent, Refused> {
    let Some(TypedHeader(Authorization(basic))) = credentials else {
        return Err(Refused::Login(LoginNeeded));
    };
    let password = Secret::new(basic.password().to_string());
    let work_number = basic.username();
    if !store.verify_agent_password(work_number, &password).await? {
        tracing::info!(work_number, "HTTP login refused");
        return Err(Refused::Login(LoginNeeded));
    }
    match store.agent(work_number).await? {
        Some(agent) if !agent.disabled => Ok(agent),
        _ => Err(Refused::Login(LoginNeeded)),
    }
}

async fn supervisor(
    store: &Store,
    credentials: Option<TypedHeader<Authorization<Basic>>>,
) -> Result<Agent, Refused> {
    let agent = logged_in(store, credentials).await?;
    if agent.skills.iter().any(|s| s == SUPERVISOR_SKILL) {
        Ok(agent)
    } else {
        Err(Refused::Api(ApiError::new(
            StatusCode::FORBIDDEN,
            "only supervisors see the queues",
        )))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StateChange {
    state: String,
    reason: Option<String>,
}

async fn set_state(
    State(seats): State<Arc<Seats>>,
    credentials: Option<TypedHeader<Authorization<Basic>>>,
    body: Result<Json<StateChange>, JsonRejection>,
) -> Result<Json<Value>, Refused> {
    let agent = logged_in(&seats.store, credentials).await?;
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

async fn queues(
    State(seats): State<Arc<Seats>>,
    credentials: Option<TypedHeader<Authorization<Basic>>>,
) -> Result<Json<Value>, Refused> {
    supervisor(&seats.store, credentials).await?;
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
    credentials: Option<TypedHeader<Authorization<Basic>>>,
    query: Result<Query<CallbackQuery>, QueryRejection>,
) -> Result<Json<Value>, Refused> {
    supervisor(&seats.store, credentials).await?;
    let Query(query) = query.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let state = (query.state.as_deref())
        .map(str::parse::<CallbackState>)
        .transpose()
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    let callbacks = seats.store.callbacks(state, query.queue.as_deref()).await?;
    Ok(Json(json!({ "callbacks": callbacks })))
}

async fn calls(
    State(seats): State<Arc<Seats>>,
    credentials: Option<TypedHeader<Authorization<Basic>>>,
) -> Result<Json<Value>, Refused> {
    supervisor(&seats.store, credentials).await?;
    Ok(Json(json!({ "calls": seats.board.cards(Utc::now()) })))
}
