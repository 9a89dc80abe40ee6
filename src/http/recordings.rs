//! The recordings route: `GET /api/recordings/{id}` serves a call recording as
//! `audio/wav` (what a ticket's detail links to as `url`).
//!
//! Errors are the tickets API's JSON errors: 400 for an id that is not a number, 404 for
//! no such recording, 503 when the store is unavailable.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::store::{RecordingId, RecordingInfo, Store};

use super::tickets::ApiError;

/// The `/api/recordings` routes.
pub fn routes(store: Store) -> Router {
    Router::new()
        .route("/api/recordings/{id}", get(serve))
        .with_state(store)
}

/// A ticket's recording as the tickets API lists it: with the URL that serves it.
#[derive(Serialize)]
pub struct RecordingLink {
    id: RecordingId,
    url: String,
    duration_ms: u32,
    created_at: DateTime<Utc>,
}

impl From<&RecordingInfo> for RecordingLink {
    fn from(info: &RecordingInfo) -> Self {
        RecordingLink {
            id: info.id,
            url: format!("/api/recordings/{}", info.id),
            duration_ms: info.duration_ms,
            created_at: info.created_at,
        }
    }
}

/// `GET /api/recordings/{id}`: 200 with the WAV bytes (the length in Content-Length).
async fn serve(
    State(store): State<Store>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = id.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let id = RecordingId(id);
    let recording = store
        .recording(id)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no recording {id}")))?;
    Ok(([(CONTENT_TYPE, "audio/wav")], recording.wav).into_response())
}
