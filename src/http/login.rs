//! Who is asking: HTTP Basic authentication of agents (work number and password) for the
//! JSON API, or the console's session cookie (the console page calls the same API; a
//! request that changes anything then needs the session's `X-CSRF-Token`), as axum
//! extractors. [`LoggedIn`] is any enabled agent whose password is
//! right; [`Supervisor`] one with the `supervisor` skill, [`Operator`] one with the
//! `operator` skill (menu and prompt changes). Anything else is refused with
//! 401 and a `WWW-Authenticate: Basic` challenge (also for a disabled agent, so the
//! answer does not tell which agents exist), or 403 for an agent who is not a supervisor.
//! Refused logins are logged with the work number, never the password.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::WWW_AUTHENTICATE;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use axum_extra::headers::authorization::Basic;
use axum_extra::headers::{Authorization, Cookie, HeaderMapExt};
use serde_json::json;

use super::console::session::{Sessions, COOKIE, CSRF_HEADER};
use super::seats::SUPERVISOR_SKILL;
use super::tickets::ApiError;
use crate::passwords::Secret;
use crate::store::{Agent, Store};

/// A refusal: no (good) login, or an API error while checking it.
pub enum Refused {
    Login,
    Api(ApiError),
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::Login => {
                let body = Json(json!({ "error": "log in with your work number and password" }));
                let challenge = [(
                    WWW_AUTHENTICATE,
                    "Basic realm=\"hotline\", charset=\"UTF-8\"",
                )];
                (StatusCode::UNAUTHORIZED, challenge, body).into_response()
            }
            Refused::Api(error) => error.into_response(),
        }
    }
}

impl<E: Into<ApiError>> From<E> for Refused {
    fn from(error: E) -> Self {
        Refused::Api(error.into())
    }
}

/// An enabled agent who gave their own password.
pub struct LoggedIn(pub Agent);

impl<S> FromRequestParts<S> for LoggedIn
where
    Store: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Refused> {
        let store = Store::from_ref(state);
        let work_number = match parts.headers.typed_get::<Authorization<Basic>>() {
            Some(Authorization(basic)) => {
                let password = Secret::new(basic.password().to_string());
                if !store
                    .verify_agent_password(basic.username(), &password)
                    .await?
                {
                    tracing::info!(work_number = basic.username(), "HTTP login refused");
                    return Err(Refused::Login);
                }
                basic.username().to_string()
            }
            None => console_session(parts)?,
        };
        match store.agent(&work_number).await? {
            Some(agent) if !agent.disabled => Ok(LoggedIn(agent)),
            _ => Err(Refused::Login),
        }
    }
}

/// The work number of the console session the request's cookie names (the console's
/// page calls the API with it); a request that changes anything must carry the
/// session's CSRF token in `X-CSRF-Token` (403 otherwise).
fn console_session(parts: &Parts) -> Result<String, Refused> {
    let sessions = parts
        .extensions
        .get::<Arc<Sessions>>()
        .ok_or(Refused::Login)?;
    let cookies = parts.headers.typed_get::<Cookie>().ok_or(Refused::Login)?;
    let token = cookies.get(COOKIE).ok_or(Refused::Login)?;
    let session = sessions
        .touch(token, Instant::now())
        .ok_or(Refused::Login)?;
    let safe = matches!(parts.method, Method::GET | Method::HEAD);
    let csrf = parts
        .headers
        .get(CSRF_HEADER)
        .and_then(|value| value.to_str().ok());
    if !safe && !csrf.is_some_and(|token| session.csrf_matches(token)) {
        return Err(Refused::Api(ApiError::new(
            StatusCode::FORBIDDEN,
            "missing or wrong X-CSRF-Token",
        )));
    }
    Ok(session.work_number)
}

/// The skill that lets an agent change the menu and the prompts.
pub const OPERATOR_SKILL: &str = "operator";

/// The logged-in agent when they have one of `skills`, else 403 saying who may.
async fn with_skill<S>(
    parts: &mut Parts,
    state: &S,
    skills: &[&str],
    who: &str,
) -> Result<Agent, Refused>
where
    Store: FromRef<S>,
    S: Send + Sync,
{
    let LoggedIn(agent) = LoggedIn::from_request_parts(parts, state).await?;
    if agent
        .skills
        .iter()
        .any(|held| skills.contains(&held.as_str()))
    {
        return Ok(agent);
    }
    tracing::info!(work_number = %agent.work_number, ?skills, "route refused: the skill is missing");
    Err(Refused::Api(ApiError::new(
        StatusCode::FORBIDDEN,
        format!("only {who} may do this"),
    )))
}

/// An extractor for a logged-in agent with one of `skills`; `who` names them in the 403.
macro_rules! skilled_agent {
    ($(#[$doc:meta])* $name:ident, [$($skill:expr),+], $who:literal) => {
        $(#[$doc])*
        pub struct $name(pub Agent);

        impl<S> FromRequestParts<S> for $name
        where
            Store: FromRef<S>,
            S: Send + Sync,
        {
            type Rejection = Refused;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Refused> {
                with_skill(parts, state, &[$($skill),+], $who).await.map($name)
            }
        }
    };
}

skilled_agent!(
    /// A logged-in agent with the supervisor skill.
    Supervisor,
    [SUPERVISOR_SKILL],
    "supervisors"
);
skilled_agent!(
    /// A logged-in agent with the `operator` skill: changes the menu and the prompts.
    Operator,
    [OPERATOR_SKILL],
    "operators"
);
skilled_agent!(
    /// A logged-in supervisor or operator: sees how callers use the menu.
    SupervisorOrOperator,
    [SUPERVISOR_SKILL, OPERATOR_SKILL],
    "supervisors and operators"
);
