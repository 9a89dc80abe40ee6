//! The menu in service and its history, for operators:
//!
//! - `GET /api/menu/status` (any agent): the version in service, since when, what put it
//!   live, and the last switch or refusal with each problem at its file, line and column;
//! - `POST /api/reload` (operator): read the menu and prompts again now; 200 with the
//!   attempt when it switched or nothing changed, 422 with the problems when refused;
//! - `GET /api/menu/versions?limit=N` (any agent): the versions that went live, newest
//!   first; `GET /api/menu/versions/{version}`: one, with what it changed and its menu
//!   text and prompt files;
//! - `POST /api/menu/versions/{version}/rollback` (operator): write that version's files
//!   back and switch to them (200/422 as a reload; 404 for no such version);
//! - `GET /api/menu/graph` (any agent): the menu in service as a graph
//!   ([`crate::menu::graph`]) with its `version`, and `prompts`: the text, gloss and
//!   playing time of every prompt its nodes and welcome play, by name.

use std::sync::Arc;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRef, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::login::{LoggedIn, Operator, Refused};
use super::tickets::ApiError;
use crate::live::reload::{Outcome, RollbackError};
use crate::live::{Attempt, Reloader, Trigger};
use crate::store::Store;

/// Versions listed when the request does not say.
const DEFAULT_LIMIT: i64 = 50;

/// What the menu routes need.
pub struct MenuApi {
    pub store: Store,
    pub reloader: Reloader,
}

impl FromRef<Arc<MenuApi>> for Store {
    fn from_ref(api: &Arc<MenuApi>) -> Store {
        api.store.clone()
    }
}

/// The menu routes.
pub fn routes(api: Arc<MenuApi>) -> Router {
    Router::new()
        .route("/api/menu/status", get(status))
        .route("/api/menu/graph", get(graph))
        .route("/api/reload", post(reload))
        .route("/api/menu/versions", get(versions))
        .route("/api/menu/versions/{version}", get(version))
        .route("/api/menu/versions/{version}/rollback", post(rollback))
        .with_state(api)
}

async fn status(State(api): State<Arc<MenuApi>>, _: LoggedIn) -> Json<Value> {
    Json(json!(api.reloader.status()))
}

async fn graph(State(api): State<Arc<MenuApi>>, _: LoggedIn) -> Json<Value> {
    let release = api.reloader.live().current();
    let graph = release.menu.graph();
    let named = (graph.nodes.iter())
        .flat_map(|node| node.prompts.iter().chain(&node.plays))
        .chain(&graph.welcome);
    let mut prompts = serde_json::Map::new();
    for name in named {
        let text = release.texts.get(name);
        let duration = release.prompts.get(name).map(|p| p.duration.as_millis());
        let prompt = json!({
            "text": text.map(|t| &t.text),
            "gloss": text.map(|t| &t.gloss),
            "duration_ms": duration,
        });
        prompts.insert(name.clone(), prompt);
    }
    let mut answer = json!(graph);
    answer["version"] = json!(release.version);
    answer["prompts"] = Value::Object(prompts);
    Json(answer)
}

async fn reload(
    State(api): State<Arc<MenuApi>>,
    Operator(by): Operator,
) -> (StatusCode, Json<Attempt>) {
    let attempt = api
        .reloader
        .reload(Trigger::Api { by: by.work_number })
        .await;
    answer(attempt)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Limit {
    limit: Option<i64>,
}

async fn versions(
    State(api): State<Arc<MenuApi>>,
    _: LoggedIn,
    query: Result<Query<Limit>, QueryRejection>,
) -> Result<Json<Value>, Refused> {
    let Query(limit) = query.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let limit = limit.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "limit must be 1 to 1000").into());
    }
    Ok(Json(json!(api.store.menu_versions(limit).await?)))
}

async fn version(
    State(api): State<Arc<MenuApi>>,
    _: LoggedIn,
    path: Result<Path<i64>, PathRejection>,
) -> Result<Json<Value>, Refused> {
    let number = version_number(path)?;
    let (version, contents) =
        (api.store.menu_version(number).await?).ok_or_else(|| no_version(number))?;
    Ok(Json(json!({
        "version": version,
        "menu_text": contents.menu_text,
        "prompts": contents.prompts,
    })))
}

async fn rollback(
    State(api): State<Arc<MenuApi>>,
    Operator(by): Operator,
    path: Result<Path<i64>, PathRejection>,
) -> Result<(StatusCode, Json<Attempt>), Refused> {
    let number = version_number(path)?;
    match api.reloader.rollback(number, &by.work_number).await {
        Ok(attempt) => Ok(answer(attempt)),
        Err(RollbackError::NoVersion(number)) => Err(no_version(number).into()),
        Err(RollbackError::Store(error)) => Err(error.into()),
        Err(error) => {
            tracing::error!(%error, version = number, "rollback failed");
            Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into())
        }
    }
}

/// 200 for a switch or no change, 422 (with the problems) for a refusal.
pub(super) fn answer(attempt: Attempt) -> (StatusCode, Json<Attempt>) {
    let status = match attempt.outcome {
        Outcome::Refused => StatusCode::UNPROCESSABLE_ENTITY,
        Outcome::Switched | Outcome::Unchanged => StatusCode::OK,
    };
    (status, Json(attempt))
}

fn version_number(path: Result<Path<i64>, PathRejection>) -> Result<i64, ApiError> {
    let Path(number) = path.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    Ok(number)
}

fn no_version(number: i64) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("there is no version {number}"),
    )
}
