//! The agent console: a web page served by the server, for agents (their seat, the call
//! that rings with what the menu learnt, tickets for the caller's number) and
//! supervisors (queues, agents and calls live).
//!
//! Routes:
//! - `GET /console`: the login page (工号 work number + 密码 password) without a session,
//!   else the console with the session's CSRF token in `<meta name="csrf-token">`;
//!   `GET /console/calls/{call_id}` (the link in the ringing INVITE's Call-Info): the same;
//!   `GET /console/console.js`, `GET /console/console.css`: its assets (embedded);
//! - `POST /console/login` (form-urlencoded `work_number`, `password`, `login_token`): a
//!   session cookie and 303 to `/console`; 401 with the login page and a message for a
//!   wrong login, 403 when `login_token` is not the login page's (see [`session`]);
//! - `POST /console/logout`: ends the session (and logs the seat out when it can), 303;
//! - the JSON API under `/console/api` ([`api`]) and the live updates `GET
//!   /console/events` ([`events`]);
//! - the operators' pages `GET /console/menu`, `/console/prompts`, `/console/reports`
//!   and their script ([`operator`]).
//!
//! Decisions: sessions and CSRF as in [`session`]; the agent is read from the store on
//! every request, so a disabled agent's session stops working at once. The page is plain
//! HTML, CSS and a small script (fetch + EventSource), no CDN, no framework.

mod api;
mod events;
mod operator;
pub mod session;

use std::sync::Arc;
use std::time::Instant;

use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::headers::Cookie;
use axum_extra::TypedHeader;
use serde::Deserialize;

use super::seats::{Seats, SUPERVISOR_SKILL};
use super::tickets::{ApiError, TicketsApi};
use crate::passwords::Secret;
use crate::queues::center::AgentCommand;
use crate::store::Agent;
use session::{tokens_match, Session, Sessions, COOKIE, CSRF_HEADER, LOGIN_COOKIE};

const LOGIN_PAGE: &str = include_str!("login.html");
const CONSOLE_PAGE: &str = include_str!("console.html");
const SCRIPT: &str = include_str!("console.js");
const STYLE: &str = include_str!("console.css");

/// What the console routes need.
pub struct Console {
    pub seats: Arc<Seats>,
    pub tickets: Arc<TicketsApi>,
    pub sessions: Arc<Sessions>,
}

/// The `/console` routes.
pub fn routes(seats: Arc<Seats>, tickets: Arc<TicketsApi>, sessions: Arc<Sessions>) -> Router {
    let console = Arc::new(Console {
        seats,
        tickets,
        sessions,
    });
    Router::new()
        .route("/console", get(page))
        .route("/console/calls/{call_id}", get(page))
        .route("/console/console.js", get(script))
        .route("/console/console.css", get(style))
        .route("/console/login", post(login))
        .route("/console/logout", post(logout))
        .route("/console/events", get(events::stream))
        .merge(api::routes())
        .merge(operator::routes())
        .with_state(console)
}

/// A logged-in request: the session and the agent as the store has them now.
pub(super) struct LoggedIn {
    pub session: Session,
    pub agent: Agent,
}

impl LoggedIn {
    /// Whether the agent has the supervisor skill.
    pub fn supervisor(&self) -> bool {
        (self.agent.skills.iter()).any(|skill| skill == SUPERVISOR_SKILL)
    }
}

fn session_token(cookies: &Option<TypedHeader<Cookie>>) -> Option<&str> {
    cookies.as_ref().and_then(|TypedHeader(c)| c.get(COOKIE))
}

/// The request's session and its agent; None without a live session or for an agent
/// gone or disabled.
async fn logged_in(
    console: &Console,
    cookies: &Option<TypedHeader<Cookie>>,
) -> Result<Option<LoggedIn>, ApiError> {
    let Some(token) = session_token(cookies) else {
        return Ok(None);
    };
    let Some(session) = console.sessions.touch(token, Instant::now()) else {
        return Ok(None);
    };
    match console.seats.store.agent(&session.work_number).await? {
        Some(agent) if !agent.disabled => Ok(Some(LoggedIn { session, agent })),
        _ => {
            console.sessions.close(token);
            Ok(None)
        }
    }
}

/// The API's login check: 401 JSON without a session.
pub(super) async fn api_login(
    console: &Console,
    cookies: &Option<TypedHeader<Cookie>>,
) -> Result<LoggedIn, ApiError> {
    logged_in(console, cookies)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "log in at /console"))
}

/// [`api_login`] for a state-changing request: the `X-CSRF-Token` header must be the
/// session's token (403 otherwise).
pub(super) async fn api_login_csrf(
    console: &Console,
    cookies: &Option<TypedHeader<Cookie>>,
    headers: &HeaderMap,
) -> Result<LoggedIn, ApiError> {
    let logged_in = api_login(console, cookies).await?;
    let token = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    match token {
        Some(token) if logged_in.session.csrf_matches(token) => Ok(logged_in),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "missing or wrong X-CSRF-Token",
        )),
    }
}

/// Text escaped for HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The login page with a fresh login token, in its form and in the `hotline_login` cookie.
fn login_page(status: StatusCode, error: &str) -> Response {
    let token = session::random_hex();
    let page = (LOGIN_PAGE.replace("{{error}}", &escape(error))).replace("{{login_token}}", &token);
    let cookie = format!("{LOGIN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/console");
    let headers = [
        (CACHE_CONTROL, "no-store".to_string()),
        (SET_COOKIE, cookie),
    ];
    (status, headers, Html(page)).into_response()
}

async fn page(
    State(console): State<Arc<Console>>,
    cookies: Option<TypedHeader<Cookie>>,
) -> Result<Response, ApiError> {
    let Some(logged_in) = logged_in(&console, &cookies).await? else {
        return Ok(login_page(StatusCode::OK, ""));
    };
    let agent = &logged_in.agent;
    let page = CONSOLE_PAGE
        .replace("{{csrf}}", &logged_in.session.csrf)
        .replace(
            "{{agent}}",
            &escape(&format!("{} {}", agent.work_number, agent.name)),
        );
    Ok(([(CACHE_CONTROL, "no-store")], Html(page)).into_response())
}

async fn script() -> impl IntoResponse {
    ([(CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT)
}

async fn style() -> impl IntoResponse {
    ([(CONTENT_TYPE, "text/css; charset=utf-8")], STYLE)
}

#[derive(Deserialize)]
struct LoginForm {
    work_number: String,
    password: String,
    #[serde(default)]
    login_token: String,
}

async fn login(
    State(console): State<Arc<Console>>,
    cookies: Option<TypedHeader<Cookie>>,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, ApiError> {
    let Ok(Form(form)) = form else {
        return Ok(login_page(
            StatusCode::BAD_REQUEST,
            "请输入工号和密码 Enter your work number and password",
        ));
    };
    let expected = cookies
        .as_ref()
        .and_then(|TypedHeader(c)| c.get(LOGIN_COOKIE));
    if !tokens_match(expected.unwrap_or_default(), &form.login_token) {
        tracing::info!(
            work_number = form.work_number.trim(),
            "console login without its form's token"
        );
        return Ok(login_page(
            StatusCode::FORBIDDEN,
            "登录页已过期，请重试 The login page expired, try again",
        ));
    }
    let work_number = form.work_number.trim();
    let password = Secret::new(form.password);
    let store = &console.seats.store;
    let verified = !work_number.is_empty()
        && store.verify_agent_password(work_number, &password).await?
        && store.agent(work_number).await?.is_some_and(|a| !a.disabled);
    if !verified {
        tracing::info!(work_number, "console login refused");
        return Ok(login_page(
            StatusCode::UNAUTHORIZED,
            "工号或密码错误 Wrong work number or password",
        ));
    }
    let (token, _) = console.sessions.open(work_number, Instant::now());
    tracing::info!(work_number, "console login");
    let cookie = format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/");
    Ok((
        StatusCode::SEE_OTHER,
        [(SET_COOKIE, cookie), (LOCATION, "/console".to_string())],
    )
        .into_response())
}

/// Ends the session; a seat that can log out does (one that rings or talks stays).
async fn logout(
    State(console): State<Arc<Console>>,
    cookies: Option<TypedHeader<Cookie>>,
) -> Result<Response, ApiError> {
    if let Some(logged_in) = logged_in(&console, &cookies).await? {
        let agent = logged_in.agent;
        let seat = console
            .seats
            .distributor
            .agent(&agent.work_number, agent.skills, AgentCommand::LogOut)
            .await;
        if let Ok(Err(refused)) = seat {
            tracing::info!(work_number = %agent.work_number, %refused, "seat stays at logout");
        }
        tracing::info!(work_number = %agent.work_number, "console logout");
    }
    if let Some(token) = session_token(&cookies) {
        console.sessions.close(token);
    }
    let expired = format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    Ok((
        StatusCode::SEE_OTHER,
        [(SET_COOKIE, expired), (LOCATION, "/console".to_string())],
    )
        .into_response())
}

/// The JSON `{"error": …}` for a distributor that has stopped.
pub(super) fn stopped(error: impl ToString) -> ApiError {
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, error.to_string())
}
