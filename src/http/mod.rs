//! HTTP (axum): `GET /healthz` (503 while draining), Prometheus `GET /metrics`, the tickets JSON API
//! ([`tickets`]), the call recordings its tickets link to ([`recordings`]), the
//! password locks ([`passwords`]), the agents ([`agents`]) and their seats and queues
//! ([`seats`]), the call records as CSV ([`records`]), the reports ([`reports`]), the menu
//! and its prompts for operators ([`menu`], [`prompts`]), and the agent console page with
//! its sessions ([`console`]). The agents, seats, locks, menu, prompts, records and
//! reports need an agent's login ([`login`]: HTTP Basic, or the console's
//! session, with which the console page calls the same routes); the
//! tickets API and the recordings do not yet (they take the actor from the request).
//!
//! Owns the HTTP routes, their JSON shapes and status codes only: what `/metrics` reports
//! comes from [`crate::metrics`], every ticket decision from the store and the rules of
//! [`crate::tickets`]. Must not decide anything about tickets itself.

pub mod agents;
pub mod console;
pub mod login;
pub mod menu;
pub mod passwords;
pub mod prompts;
pub mod recordings;
pub mod records;
pub mod reports;
pub mod seats;
pub mod tickets;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Router};

use crate::metrics::Metrics;
use console::session::Sessions;
use menu::MenuApi;
use seats::Seats;
use tickets::TicketsApi;

/// The HTTP routes of the server.
pub fn router(
    metrics: Arc<Metrics>,
    tickets: Arc<TicketsApi>,
    seats: Arc<Seats>,
    menu: Arc<MenuApi>,
) -> Router {
    // The console's sessions: its page calls the API with them (see `login`).
    let sessions = Arc::new(Sessions::default());
    Router::new()
        .route("/metrics", get(metrics_text))
        .with_state(metrics)
        .merge(recordings::routes(tickets.store().clone()))
        .merge(passwords::routes(tickets.store().clone()))
        .merge(records::routes(tickets.store().clone()))
        .merge(reports::routes(tickets.store().clone()))
        .merge(agents::routes(seats.clone()))
        .merge(console::routes(
            seats.clone(),
            tickets.clone(),
            sessions.clone(),
        ))
        .merge(seats::routes(seats))
        .merge(prompts::routes(menu.clone()))
        .merge(menu::routes(menu))
        .merge(tickets::routes(tickets))
        .layer(Extension(sessions))
}

/// `GET /healthz`: 200 `ok` while the server takes calls, 503 `draining` once it drains
/// (so a dispatcher in front stops sending it calls).
pub fn health(draining: Arc<AtomicBool>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .with_state(draining)
}

async fn healthz(State(draining): State<Arc<AtomicBool>>) -> (StatusCode, &'static str) {
    match draining.load(Ordering::Relaxed) {
        false => (StatusCode::OK, "ok\n"),
        true => (StatusCode::SERVICE_UNAVAILABLE, "draining\n"),
    }
}

async fn metrics_text(State(metrics): State<Arc<Metrics>>) -> impl IntoResponse {
    (
        [(
            CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.encode(),
    )
}
