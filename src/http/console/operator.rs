//! The operators' pages of the console: `GET /console/menu` (the menu diagram coloured
//! by usage, its status, versions, reload and rollback), `GET /console/prompts` (the
//! prompt catalogue: listen, upload) and `GET /console/reports` (daily, weekly and
//! monthly reports with charts and CSV), with their assets `GET /console/common.js`
//! (shared with the agent page) and `GET /console/operator.js`.
//!
//! Decisions: three addresses of one page (`operator.html`, its `page` meta tag says
//! which section to show), served like `/console`: the login page without a session,
//! else the page with the session's CSRF token; 403 for an agent who is neither an
//! operator nor a supervisor. The page's script calls the `/api/...` routes with the
//! session (see [`crate::http::login`]), which decide who may do what; the operator's
//! buttons (reload, rollback, upload) are only shown to operators (the `operator` meta
//! tag). Reports are the supervisors' routes ([`crate::http::reports`]): an operator who
//! is not a supervisor sees their 403 message there; menu usage (the diagram's colours)
//! is open to operators too.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use axum_extra::headers::Cookie;
use axum_extra::TypedHeader;

use super::{escape, logged_in, login_page, Console};
use crate::http::login::OPERATOR_SKILL;
use crate::http::seats::SUPERVISOR_SKILL;
use crate::http::tickets::ApiError;

const PAGE: &str = include_str!("operator.html");
const COMMON_SCRIPT: &str = include_str!("common.js");
const SCRIPT: &str = include_str!("operator.js");

/// The operators' pages and the scripts.
pub(super) fn routes() -> Router<Arc<Console>> {
    Router::new()
        .route("/console/menu", get(|s, c| page(s, c, "menu")))
        .route("/console/prompts", get(|s, c| page(s, c, "prompts")))
        .route("/console/reports", get(|s, c| page(s, c, "reports")))
        .route("/console/common.js", get(|| script(COMMON_SCRIPT)))
        .route("/console/operator.js", get(|| script(SCRIPT)))
}

async fn page(
    State(console): State<Arc<Console>>,
    cookies: Option<TypedHeader<Cookie>>,
    which: &str,
) -> Result<Response, ApiError> {
    let Some(logged_in) = logged_in(&console, &cookies).await? else {
        return Ok(login_page(StatusCode::OK, ""));
    };
    let agent = &logged_in.agent;
    let has = |skill: &str| agent.skills.iter().any(|held| held == skill);
    if !has(OPERATOR_SKILL) && !has(SUPERVISOR_SKILL) {
        let refusal = "<!DOCTYPE html><meta charset=\"utf-8\"><title>hotline</title>\
                       <p>只有运营人员和班长可以查看此页 Only operators and supervisors see this page. \
                       <a href=\"/console\">坐席台 Console</a></p>";
        return Ok((StatusCode::FORBIDDEN, Html(refusal)).into_response());
    }
    let page = PAGE
        .replace("{{csrf}}", &logged_in.session.csrf)
        .replace(
            "{{operator}}",
            if has(OPERATOR_SKILL) { "yes" } else { "no" },
        )
        .replace("{{page}}", which)
        .replace(
            "{{agent}}",
            &escape(&format!("{} {}", agent.work_number, agent.name)),
        );
    Ok(([(CACHE_CONTROL, "no-store")], Html(page)).into_response())
}

async fn script(text: &'static str) -> impl IntoResponse {
    ([(CONTENT_TYPE, "text/javascript; charset=utf-8")], text)
}
