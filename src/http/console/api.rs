//! The console's JSON API under `/console/api` (session cookie, 401 JSON without;
//! state-changing requests need `X-CSRF-Token`, 403 without or with a wrong one):
//!
//! - `GET /console/api/me`: the agent, whether a supervisor, the seat (`state`,
//!   `reason`, `since`) and the cards of the calls offered to or talking with them;
//! - `POST /console/api/state` `{"state", "reason"}`: the seat buttons, as
//!   `POST /api/agent/state`;
//! - `GET /console/api/tickets?number=N`: the number's active and history tickets;
//! - `POST /console/api/tickets`, `POST /console/api/tickets/{id}/events`: the bodies
//!   and rules of `/api/tickets`, the actor always the logged-in agent;
//! - `GET /console/api/complaint-types`: the complaint catalogue's categories and types;
//! - `GET /console/api/calls/{call_id}`: one call's card (404 when not up), 403 when the
//!   call is not offered to or talking with the agent (supervisors see every card);
//! - `GET /console/api/overview` (supervisors, 403 for others): queues and agents, every
//!   card, and the active tickets overdue or due within [`DUE_SOON`] (their resolve-by
//!   deadline, else their reply-by).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::headers::Cookie;
use axum_extra::TypedHeader;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{api_login, api_login_csrf, stopped, Console};
use crate::call::board::CallCard;
use crate::http::tickets::{self, ApiError, CreateBody};
use crate::queues::center::{AgentCommand, AgentSnapshot, QueueSnapshot};
use crate::queues::seat::{NotReadyReason, SeatState};
use crate::store::Which;
use crate::tickets::lifecycle::{Actor, ActorKind};
use crate::tickets::model::TicketId;

pub(super) fn routes() -> Router<Arc<Console>> {
    Router::new()
        .route("/console/api/me", get(me))
        .route("/console/api/state", post(set_state))
        .route(
            "/console/api/tickets",
            get(list_tickets).post(create_ticket),
        )
        .route("/console/api/tickets/{id}/events", post(ticket_step))
        .route("/console/api/complaint-types", get(complaint_types))
        .route("/console/api/calls/{call_id}", get(call_card))
        .route("/console/api/overview", get(overview))
}

type Cookies = Option<TypedHeader<Cookie>>;

/// The seat as the console shows it: the state's name, the not-ready reason, since when.
pub(super) fn seat_json(state: Option<&SeatState>, now: Instant, wall: DateTime<Utc>) -> Value {
    let Some(state) = state else {
        return json!({ "state": "logged-out", "reason": null, "since": null });
    };
    let (reason, since) = match state {
        SeatState::LoggedOut => (None, None),
        SeatState::Ready { since }
        | SeatState::Ringing { since, .. }
        | SeatState::Talking { since, .. } => (None, Some(*since)),
        SeatState::NotReady { reason, since } => {
            let reason = match reason {
                NotReadyReason::LoggedIn => "logged-in".to_string(),
                NotReadyReason::NoAnswer => "no-answer".to_string(),
                NotReadyReason::Chosen(reason) => reason.clone(),
            };
            (Some(reason), Some(*since))
        }
        SeatState::WrapUp { .. } => (None, None),
    };
    let since = since.map(|since| {
        let ago =
            chrono::Duration::from_std(now.saturating_duration_since(since)).unwrap_or_default();
        wall - ago
    });
    json!({ "state": state.name().to_string(), "reason": reason, "since": since })
}

/// The agent's seat in a snapshot.
pub(super) fn own_seat<'a>(
    agents: &'a [AgentSnapshot],
    work_number: &str,
) -> Option<&'a SeatState> {
    (agents.iter())
        .find(|agent| agent.work_number == work_number)
        .map(|agent| &agent.state)
}

/// The cards `work_number` may see: the calls offered to or talking with them.
pub(super) fn is_own_card(card: &CallCard, work_number: &str) -> bool {
    card.agent.as_deref() == Some(work_number)
}

async fn me(
    State(console): State<Arc<Console>>,
    cookies: Cookies,
) -> Result<Json<Value>, ApiError> {
    let logged_in = api_login(&console, &cookies).await?;
    let (_, agents) = console
        .seats
        .distributor
        .snapshot()
        .await
        .map_err(stopped)?;
    let agent = &logged_in.agent;
    let seat = seat_json(
        own_seat(&agents, &agent.work_number),
        Instant::now(),
        Utc::now(),
    );
    let cards: Vec<CallCard> = (console.seats.board.cards(Utc::now()).into_iter())
        .filter(|card| is_own_card(card, &agent.work_number))
        .collect();
    Ok(Json(json!({
        "agent": { "work_number": agent.work_number, "name": agent.name, "skills": agent.skills },
        "supervisor": logged_in.supervisor(),
        "seat": seat,
        "cards": cards,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StateChange {
    state: String,
    #[serde(default)]
    reason: String,
}

async fn set_state(
    State(console): State<Arc<Console>>,
    cookies: Cookies,
    headers: HeaderMap,
    body: Result<Json<StateChange>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let logged_in = api_login_csrf(&console, &cookies, &headers).await?;
    let Json(change) = body.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let command = match change.state.as_str() {
        "ready" => AgentCommand::Ready,
        "not-ready" => AgentCommand::NotReady(change.reason),
        "log-in" => AgentCommand::LogIn,
        "log-out" => AgentCommand::LogOut,
        other => {
            let message =
                format!("state {other:?} is not one of ready, not-ready, log-in, log-out");
            return Err(ApiError::new(StatusCode::BAD_REQUEST, message));
        }
    };
    let agent = logged_in.agent;
    let changed = (console.seats.distributor)
        .agent(&agent.work_number, agent.skills, command)
        .await
        .map_err(stopped)?;
    let state =
        changed.map_err(|refused| ApiError::new(StatusCode::CONFLICT, refused.to_string()))?;
    tracing::info!(work_number = %agent.work_number, state = %state.name(), "seat changed on the console");
    Ok(Json(seat_json(Some(&state), Instant::now(), Utc::now())))
}

#[derive(Deserialize)]
struct NumberQuery {
    number: Option<String>,
}

async fn list_tickets(
    State(console): State<Arc<Console>>,
    cookies: Cookies,
    query: Result<Query<NumberQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    api_login(&console, &cookies).await?;
    let Query(query) = query.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let number = (query.number)
        .filter(|number| !number.trim().is_empty())
        .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "the query needs number=…"))?;
    let store = console.tickets.store();
    let active = store.tickets_for_number(&number, Which::Active).await?;
    let history = store.tickets_for_number(&number, Which::History).await?;
    Ok(Json(
        json!({ "number": number, "active": active, "history": history }),
    ))
}

fn agent_actor(work_number: &str) -> Actor {
    Actor {
        kind: ActorKind::Agent,
        id: work_number.to_string(),
    }
}

async fn create_ticket(
    State(console): State<Arc<Console>>,
    cookies: Cookies,
    headers: HeaderMap,
    body: Result<Json<CreateBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let logged_in = api_login_csrf(&console, &cookies, &headers).await?;
    let Json(mut body) = body.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    body.actor = Some(agent_actor(&logged_in.agent.work_number));
    tickets::create_report(&console.tickets, body).await
}

async fn ticket_step(
    State(console): State<Arc<Console>>,
    cookies: Cookies,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let logged_in = api_login_csrf(&console, &cookies, &headers).await?;
    let Path(id) = id.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let Json(mut body) = body.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    let Some(object) = body.as_object_mut() else {
        let message = "the body must be a JSON object";
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message));
    };
    let actor = agent_actor(&logged_in.agent.work_number);
    object.insert("actor".to_string(), json!(actor));
    tickets::take_step(&console.tickets, TicketId(id), body).await
}

/// Tickets whose deadline falls within this are shown as due soon.
pub const DUE_SOON: chrono::Duration = chrono::Duration::hours(2);
/// At most this many due tickets are shown.
const DUE_SHOWN: i64 = 50;

/// The supervisors' overview now: queues and agents as given, the board's cards, and the
/// active tickets overdue or due within [`DUE_SOON`] (left out, and logged, when the
/// store can't be read).
pub(super) async fn overview_now(
    console: &Console,
    queues: &[QueueSnapshot],
    agents: &[AgentSnapshot],
) -> Value {
    let wall = Utc::now();
    let cards = console.seats.board.cards(wall);
    let due = match console
        .seats
        .store
        .tickets_due(wall + DUE_SOON, DUE_SHOWN)
        .await
    {
        Ok(due) => due,
        Err(error) => {
            tracing::warn!(%error, "due tickets not read for the overview");
            Vec::new()
        }
    };
    let mut shown = overview_json(queues, agents, &cards);
    shown["due"] = (due.iter())
        .map(|ticket| {
            let deadlines = &ticket.ticket.deadlines;
            let due_by = deadlines.resolve_by.unwrap_or(deadlines.reply_by);
            json!({
                "id": ticket.id,
                "serial": ticket.serial,
                "kind": ticket.ticket.kind,
                "number": ticket.ticket.number,
                "status": ticket.state.status,
                "due_by": due_by,
                "overdue": due_by <= wall,
            })
        })
        .collect();
    shown
}

/// Queues, agents and cards for the supervisors' overview.
fn overview_json(queues: &[QueueSnapshot], agents: &[AgentSnapshot], cards: &[CallCard]) -> Value {
    let now = Instant::now();
    let wall = Utc::now();
    let queues: Vec<Value> = (queues.iter())
        .map(|queue| {
            json!({
                "name": queue.name,
                "waiting": queue.waiting,
                "longest_wait_seconds": queue.longest_wait.map(|w| w.as_secs_f64()),
                "offered": queue.figures.offered,
                "service_level": queue.figures.service_level,
            })
        })
        .collect();
    let agents: Vec<Value> = (agents.iter())
        .map(|agent| {
            let mut seat = seat_json(Some(&agent.state), now, wall);
            seat["work_number"] = json!(agent.work_number);
            seat["skills"] = json!(agent.skills);
            seat
        })
        .collect();
    json!({ "queues": queues, "agents": agents, "cards": cards })
}

async fn overview(
    State(console): State<Arc<Console>>,
    cookies: Cookies,
) -> Result<Json<Value>, ApiError> {
    if !api_login(&console, &cookies).await?.supervisor() {
        let message = "only supervisors see the overview";
        return Err(ApiError::new(StatusCode::FORBIDDEN, message));
    }
    let (queues, agents) = console
        .seats
        .distributor
        .snapshot()
        .await
        .map_err(stopped)?;
    Ok(Json(overview_now(&console, &queues, &agents).await))
}

async fn call_card(
    State(console): State<Arc<Console>>,
    cookies: Cookies,
    call_id: Result<Path<String>, PathRejection>,
) -> Result<Json<CallCard>, ApiError> {
    let logged_in = api_login(&console, &cookies).await?;
    let Path(call_id) =
        call_id.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let card = (console.seats.board.card(&call_id))
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "no such call on the board"))?;
    if logged_in.supervisor() || is_own_card(&card, &logged_in.agent.work_number) {
        Ok(Json(card))
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "the call is another agent's",
        ))
    }
}

async fn complaint_types(
    State(console): State<Arc<Console>>,
    cookies: Cookies,
) -> Result<Json<Value>, ApiError> {
    api_login(&console, &cookies).await?;
    let categories = &console.tickets.catalogue().categories;
    Ok(Json(json!({ "categories": categories })))
}
