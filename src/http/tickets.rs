//! The tickets JSON API: list a number's tickets, show one with its events and links to
//! its recordings, create fault reports, complaints and suggestions (agents), and take
//! lifecycle steps.
//!
//! Every answer that is not a success is `{"error": "..."}` (with `"fields"` for a
//! refused report) and is logged here, in [`ApiError::into_response`]; the recordings
//! routes answer their errors the same way.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::store::{Outcome, Store, StoreError, Which};
use crate::tickets::calendar::Calendar;
use crate::tickets::config::Catalogue;
use crate::tickets::lifecycle::{Actor, Step};
use crate::tickets::model::{OrderRef, TicketId};
use crate::tickets::rules::{ComplaintRequest, Decision, FaultReport, Refusal, SuggestionRequest};

use super::recordings::RecordingLink;

/// What the tickets routes need: the store and the rules' configuration.
pub struct TicketsApi {
    store: Store,
    calendar: Calendar,
    catalogue: Catalogue,
}

impl TicketsApi {
    pub fn new(store: Store, calendar: Calendar, catalogue: Catalogue) -> Self {
        TicketsApi {
            store,
            calendar,
            catalogue,
        }
    }

    /// The store the routes read and write.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The complaint catalogue (the console offers its types).
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }
}

/// The `/api/tickets` routes.
pub fn routes(api: Arc<TicketsApi>) -> Router {
    Router::new()
        .route("/api/tickets", get(list).post(create))
        .route("/api/tickets/{id}", get(show))
        .route("/api/tickets/{id}/events", post(step))
        .with_state(api)
}

/// An error answer: a status, a message and, for a refused report, the fields at fault.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    fields: BTreeMap<&'static str, String>,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            fields: BTreeMap::new(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        let status = match &error {
            StoreError::NoTicket(_) | StoreError::NoAgent(_) => StatusCode::NOT_FOUND,
            StoreError::Illegal(_) | StoreError::DuplicateAgent(_) => StatusCode::CONFLICT,
            StoreError::InvalidAgent(_) => StatusCode::BAD_REQUEST,
            StoreError::Database(_) | StoreError::Migrate(_) | StoreError::UnsupportedUrl(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            StoreError::Serial(_) | StoreError::Corrupt(_) | StoreError::Blocking(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let message = match &error {
            StoreError::Illegal(illegal) => illegal.reason.clone(),
            StoreError::Database(_) | StoreError::Migrate(_) => {
                format!("the store is unavailable: {error}")
            }
            _ => error.to_string(),
        };
        ApiError::new(status, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(status = %self.status, error = %self.message, "HTTP API");
        } else {
            tracing::warn!(status = %self.status, error = %self.message, "HTTP API");
        }
        let mut body = json!({ "error": self.message });
        if !self.fields.is_empty() {
            body["fields"] = json!(self.fields);
        }
        (self.status, Json(body)).into_response()
    }
}

#[derive(Deserialize)]
struct ListQuery {
    number: Option<String>,
    state: Option<String>,
}

/// `GET /api/tickets?number=…&state=active|history` (state defaults to active).
async fn list(
    State(api): State<Arc<TicketsApi>>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let number = query
        .number
        .filter(|number| !number.trim().is_empty())
        .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "the query needs number=…"))?;
    let state = query.state.unwrap_or_else(|| "active".to_string());
    let which: Which = state
        .parse()
        .map_err(|reason: String| ApiError::new(StatusCode::BAD_REQUEST, reason))?;
    let tickets = api.store.tickets_for_number(&number, which).await?;
    Ok(Json(
        json!({ "number": number, "state": state, "tickets": tickets }),
    ))
}

/// `GET /api/tickets/{id}`: the ticket with its events, and its recordings each with the
/// URL that serves it.
async fn show(
    State(api): State<Arc<TicketsApi>>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(id) = id.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let id = TicketId(id);
    let detail = api
        .store
        .ticket(id)
        .await?
        .ok_or(StoreError::NoTicket(id))?;
    let links: Vec<_> = detail.recordings.iter().map(RecordingLink::from).collect();
    let mut body = json!(detail);
    body["recordings"] = json!(links);
    Ok(Json(body))
}

/// The body of `POST /api/tickets`: a fault report, a complaint or a suggestion about
/// `number`.
/// Only `kind`, `number` and `actor` are required here; whether the rest makes a
/// complete report is the rules' call (a refusal is a 422 naming the field).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CreateBody {
    kind: Option<ReportKind>,
    number: Option<String>,
    /// Who reports; the console replaces it with the logged-in agent.
    pub(super) actor: Option<Actor>,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    menu_path: String,
    #[serde(default)]
    phenomenon: String,
    #[serde(default)]
    no_call_back: bool,
    #[serde(default)]
    complaint_type: String,
    order: Option<OrderRef>,
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum ReportKind {
    Fault,
    Complaint,
    Suggestion,
}

/// `POST /api/tickets`: 201 with the decision and the new ticket's id and serial, 200
/// when no ticket was made (urge, remind to pay, supervisor), 422 when refused.
async fn create(
    State(api): State<Arc<TicketsApi>>,
    body: Result<Json<CreateBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    create_report(&api, body).await
}

/// Files the report of `body` (the rules of `POST /api/tickets`, whoever calls).
pub(super) async fn create_report(
    api: &TicketsApi,
    body: CreateBody,
) -> Result<Response, ApiError> {
    let kind = body.kind.ok_or("required: fault, complaint or suggestion");
    let number = (body.number)
        .filter(|number| !number.trim().is_empty())
        .ok_or("required");
    let actor = body.actor.ok_or("required: {\"kind\": …, \"id\": …}");
    let (kind, number, actor) = match (kind, number, actor) {
        (Ok(kind), Ok(number), Ok(actor)) => (kind, number, actor),
        (kind, number, actor) => {
            let fields = [
                ("kind", kind.err()),
                ("number", number.err()),
                ("actor", actor.err()),
            ]
            .into_iter()
            .filter_map(|(name, reason)| Some((name, reason?.to_string())))
            .collect();
            return Err(ApiError {
                fields,
                ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "incomplete report")
            });
        }
    };
    let now = Utc::now();
    let outcome = match kind {
        ReportKind::Fault => {
            let report = FaultReport {
                contact_name: body.contact_name,
                contact_phone: body.contact_phone,
                phenomenon: body.phenomenon,
                description: body.description,
                no_call_back: body.no_call_back,
                menu_path: body.menu_path,
            };
            api.store
                .report_fault(&number, &report, &actor, &api.calendar, now, None)
                .await?
        }
        ReportKind::Complaint => {
            let request = ComplaintRequest {
                complaint_type: body.complaint_type,
                contact_name: body.contact_name,
                contact_phone: body.contact_phone,
                description: body.description,
                order: body.order,
                menu_path: body.menu_path,
            };
            api.store
                .file_complaint(
                    &number,
                    &request,
                    &actor,
                    &api.catalogue,
                    &api.calendar,
                    now,
                    None,
                )
                .await?
        }
        ReportKind::Suggestion => {
            let request = SuggestionRequest {
                contact_name: body.contact_name,
                contact_phone: body.contact_phone,
                description: body.description,
                menu_path: body.menu_path,
            };
            api.store
                .file_suggestion(&number, &request, &actor, &api.calendar, now, None)
                .await?
        }
    };
    created_or_not(outcome)
}

fn created_or_not(outcome: Outcome) -> Result<Response, ApiError> {
    if let Decision::Refused { reason } = &outcome.decision {
        let mut fields = BTreeMap::new();
        fields.insert(refused_field(*reason), reason.as_str().to_string());
        return Err(ApiError {
            fields,
            ..ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("refused: {}", reason.as_str()),
            )
        });
    }
    Ok(match &outcome.created {
        Some(created) => (
            StatusCode::CREATED,
            [(LOCATION, format!("/api/tickets/{}", created.id.0))],
            Json(json!(outcome)),
        )
            .into_response(),
        None => (StatusCode::OK, Json(json!(outcome))).into_response(),
    })
}

/// The request field a refusal is about.
fn refused_field(reason: Refusal) -> &'static str {
    match reason {
        Refusal::UnknownNumber | Refusal::NotOn112 => "number",
        Refusal::MissingContactName => "contact_name",
        Refusal::MissingContactPhone | Refusal::ContactIsTheWirelessAccount => "contact_phone",
        Refusal::NoCallBackOnlyForCardPhones => "no_call_back",
        Refusal::MissingPhenomenon => "phenomenon",
        Refusal::UnknownComplaintType => "complaint_type",
        Refusal::MissingOrder => "order",
    }
}

/// `POST /api/tickets/{id}/events`: `{"step": "dispatch", "team": …, "actor": {…}}`;
/// 200 with the step's record, 409 with the reason for an illegal step.
async fn step(
    State(api): State<Arc<TicketsApi>>,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(id) = id.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let Json(body) = body.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    take_step(&api, TicketId(id), body).await
}

/// Takes the step of `body` (`{"step": …, "actor": {…}, …}`) on ticket `id`.
pub(super) async fn take_step(
    api: &TicketsApi,
    id: TicketId,
    mut body: Value,
) -> Result<Json<Value>, ApiError> {
    let unprocessable = |message: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message);
    let Some(object) = body.as_object_mut() else {
        return Err(unprocessable("the body must be a JSON object".to_string()));
    };
    let actor = object
        .remove("actor")
        .ok_or_else(|| unprocessable("missing field `actor`".to_string()))?;
    let actor: Actor =
        serde_json::from_value(actor).map_err(|e| unprocessable(format!("bad actor: {e}")))?;
    let step: Step =
        serde_json::from_value(body).map_err(|e| unprocessable(format!("bad step: {e}")))?;
    let record = api.store.apply_step(id, &step, &actor, Utc::now()).await?;
    Ok(Json(json!(record)))
}
