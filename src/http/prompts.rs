//! The prompt catalogue for operators (state: the menu routes' [`MenuApi`]):
//!
//! - `GET /api/prompts` (any agent): the version in service and its catalogue
//!   ([`crate::prompts::catalogue`]): every prompt's text, gloss, playing time, uses and
//!   flags;
//! - `GET /api/prompts/{lang}/{id}.wav` (any agent): the file, to listen to in the
//!   browser (`audio/wav`; 404 when there is none);
//! - `PUT /api/prompts/{lang}/{id}` (operator; the body a WAV file of at most 16 MiB):
//!   the recording is decoded (any format the server plays), converted to 8 kHz mono
//!   16-bit PCM and written into the prompt folder (a temporary file, then a rename),
//!   then the menu and prompts are reloaded: 200 with the attempt when it switched (or
//!   the file watcher was quicker and nothing was left to change), 422 when the version
//!   was refused (the file stays: the folder is the operator's), 400 with a message for
//!   a body that is not a WAV the server can read (nothing is written then).
//!
//! Decisions: names are `[A-Za-z0-9_-]+` per part (400 otherwise, so no path leaves the
//! prompt folder); the language folder must exist (404), uploads make no new folders.
//! The catalogue's flags and the files to listen to are read from disk (what the folder
//! holds now); durations are the release's (what callers hear).

use std::collections::BTreeMap;
use std::path::{Path as FilePath, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::login::{LoggedIn, Operator, Refused};
use super::menu::{answer, MenuApi};
use super::tickets::ApiError;
use crate::live::{Attempt, Trigger};
use crate::prompts::catalogue::{catalogue, Sources};
use crate::prompts::{read_folder, to_telephone_wav, wav_format};

/// The largest recording accepted.
pub const MAX_UPLOAD_BYTES: usize = 16 * 1024 * 1024;

/// The prompt routes.
pub fn routes(api: Arc<MenuApi>) -> Router {
    Router::new()
        .route("/api/prompts", get(list))
        .route("/api/prompts/{lang}/{file}", get(listen).put(upload))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
        .with_state(api)
}

async fn list(State(api): State<Arc<MenuApi>>, _: LoggedIn) -> Result<Json<Value>, Refused> {
    let release = api.reloader.live().current();
    let folder = api.reloader.paths().1.to_path_buf();
    let read = tokio::task::spawn_blocking(move || {
        let (files, _) = read_folder(&folder);
        (files.iter())
            .filter_map(|file| Some((file.prompt_name()?.to_string(), wav_format(&file.bytes))))
            .collect::<BTreeMap<_, _>>()
    });
    let files = read.await.map_err(|error| internal(&error))?;
    let menu_prompts: Vec<String> = (release.menu.prompt_refs().into_iter())
        .map(|(name, _)| name)
        .collect();
    let entries = catalogue(&Sources {
        graph: &release.menu.graph(),
        menu_prompts: &menu_prompts,
        language: release.menu.language(),
        texts: &release.texts,
        files: &files,
        prompts: &release.prompts,
    });
    Ok(Json(
        json!({ "version": release.version, "prompts": entries }),
    ))
}

async fn listen(
    State(api): State<Arc<MenuApi>>,
    _: LoggedIn,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, Refused> {
    let (lang, file) = names(path)?;
    let id = (file.strip_suffix(".wav"))
        .filter(|id| plain(id))
        .ok_or_else(|| {
            let message = format!(
                "`{file}` is not a prompt file: ask for ID.wav, the ID of letters, digits, `-` and `_`"
            );
            ApiError::new(StatusCode::BAD_REQUEST, message)
        })?;
    let wav = prompt_file(api.reloader.paths().1, &lang, id);
    match tokio::fs::read(&wav).await {
        Ok(bytes) => {
            let headers = [(CONTENT_TYPE, "audio/wav"), (CACHE_CONTROL, "no-store")];
            Ok((headers, bytes).into_response())
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let message = format!("there is no prompt {lang}/{id}");
            Err(ApiError::new(StatusCode::NOT_FOUND, message).into())
        }
        Err(error) => Err(internal(&error).into()),
    }
}

async fn upload(
    State(api): State<Arc<MenuApi>>,
    Operator(by): Operator,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Attempt>), Refused> {
    let (lang, id) = names(path)?;
    if !plain(&id) {
        return Err(bad_name(&id).into());
    }
    let body =
        body.map_err(|rejection| ApiError::new(rejection.status(), rejection.body_text()))?;
    let folder = api.reloader.paths().1.join(&lang);
    if !tokio::fs::metadata(&folder).await.is_ok_and(|m| m.is_dir()) {
        let message = format!("there is no prompt folder {lang}");
        return Err(ApiError::new(StatusCode::NOT_FOUND, message).into());
    }
    let converted = tokio::task::spawn_blocking(move || to_telephone_wav(&body))
        .await
        .map_err(|error| internal(&error))?
        .map_err(|error| {
            let message = format!("not a WAV recording the server can read: {error}");
            ApiError::new(StatusCode::BAD_REQUEST, message)
        })?;
    let target = prompt_file(api.reloader.paths().1, &lang, &id);
    write_atomically(&target, &converted)
        .await
        .map_err(|error| internal(&error))?;
    let prompt = format!("{lang}/{id}");
    tracing::info!(%prompt, by = %by.work_number, bytes = converted.len(), "prompt uploaded");
    let trigger = Trigger::PromptUpload {
        prompt,
        by: by.work_number,
    };
    Ok(answer(api.reloader.reload(trigger).await))
}

/// The two name parts, each `[A-Za-z0-9_-]+` (the second may end in `.wav`).
fn names(
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<(String, String), ApiError> {
    let Path((lang, file)) =
        path.map_err(|rejection| ApiError::new(StatusCode::BAD_REQUEST, rejection.body_text()))?;
    match plain(&lang) {
        true => Ok((lang, file)),
        false => Err(bad_name(&lang)),
    }
}

/// Letters, digits, `-` and `_` only: a name that stays inside its folder.
fn plain(name: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    !name.is_empty() && name.len() <= 64 && name.chars().all(allowed)
}

fn bad_name(name: &str) -> ApiError {
    let message = format!("`{name}` is not a prompt name: use letters, digits, `-` and `_`");
    ApiError::new(StatusCode::BAD_REQUEST, message)
}

fn prompt_file(folder: &FilePath, lang: &str, id: &str) -> PathBuf {
    folder.join(lang).join(format!("{id}.wav"))
}

/// Writes `bytes` to a hidden temporary file of its own beside `target` (the file watcher
/// ignores it; two uploads at once don't share it), then renames it over `target`: the
/// folder never holds half a recording.
async fn write_atomically(target: &FilePath, bytes: &[u8]) -> std::io::Result<()> {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned());
    let unique = rand::random::<u64>();
    let temporary = target.with_file_name(format!(
        ".{}.{unique:016x}.upload",
        name.unwrap_or_default()
    ));
    let written = async {
        let mut file = tokio::fs::File::create(&temporary).await?;
        tokio::io::AsyncWriteExt::write_all(&mut file, bytes).await?;
        file.sync_all().await?;
        tokio::fs::rename(&temporary, target).await
    };
    let result = written.await;
    if result.is_err() {
        let _ = tokio::fs::remove_file(&temporary).await;
    }
    result
}

fn internal(error: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(%error, "prompt route failed");
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
}
