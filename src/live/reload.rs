//! Switching the live release: read the operator's files once, validate the whole
//! version as `hotline check` does, record it, and only then put it in service. A version
//! that fails validation (or can't be recorded) is refused: the running one keeps
//! serving, and the problems, each with file, line and column, are logged and kept for
//! `GET /api/menu/status`.
//!
//! Decisions:
//! - one switch at a time (a lock), so a file change, a SIGHUP and an API call arriving
//!   together are taken in turn and each sees the result of the one before;
//! - a version whose contents (menu text and every prompt file's digest) equal the one in
//!   service is "unchanged": nothing is recorded or switched, and the status keeps its
//!   last real attempt (editors touch files without changing them);
//! - a version that went live is always in the history; if the store can't record it, it
//!   does not go live either;
//! - a rollback writes the chosen version's files back into the menu file and the prompt
//!   folder, then switches to them like any edit: the files on disk always say what is
//!   in service.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex as StdMutex};

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::Mutex;

use super::diff;
use super::restore::{restore, RestoreError};
use super::snapshot::{Contents, Snapshot};
use super::{LiveMenu, Release};
use crate::menu::Diagnostic;
use crate::metrics::{Metrics, ReloadResult};
use crate::queues::config::QueueConfig;
use crate::store::{NewMenuVersion, Store, StoreError};

/// What asked for a switch; its text is the version's `source` in the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trigger {
    Startup,
    /// The file watcher saw a saved change.
    FileChange,
    /// SIGHUP.
    Signal,
    /// `POST /api/reload` by an operator.
    Api {
        by: String,
    },
    /// `POST /api/menu/versions/{to}/rollback` by an operator.
    Rollback {
        to: i64,
        by: String,
    },
    /// A recording uploaded on the console.
    PromptUpload {
        prompt: String,
        by: String,
    },
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trigger::Startup => f.write_str("startup"),
            Trigger::FileChange => f.write_str("file change"),
            Trigger::Signal => f.write_str("SIGHUP"),
            Trigger::Api { by } => write!(f, "reload by {by}"),
            Trigger::Rollback { to, by } => write!(f, "rollback to version {to} by {by}"),
            Trigger::PromptUpload { prompt, by } => write!(f, "prompt {prompt} uploaded by {by}"),
        }
    }
}

/// How an attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The new version is in service.
    Switched,
    /// Nothing changed.
    Unchanged,
    /// The running version keeps serving; see the problems.
    Refused,
}

/// One attempt to switch.
#[derive(Clone, Debug, Serialize)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub trigger: String,
    pub outcome: Outcome,
    /// The version in service after the attempt.
    pub version: i64,
    /// What is wrong with the files, each at its file, line and column.
    pub problems: Vec<Diagnostic>,
    /// A failure that is not the files' (the store could not record the version).
    pub error: Option<String>,
}

/// What is in service, and how the last switch or refusal went.
#[derive(Clone, Debug, Serialize)]
pub struct MenuStatus {
    pub version: i64,
    pub activated_at: DateTime<Utc>,
    pub source: String,
    pub menu_file: PathBuf,
    pub prompts_dir: PathBuf,
    /// The last attempt that switched or was refused.
    pub last_attempt: Option<Attempt>,
}

/// A rollback that could not be carried out (nothing was switched).
#[derive(Debug, thiserror::Error)]
pub enum RollbackError {
    #[error("there is no version {0}")]
    NoVersion(i64),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Restore(#[from] RestoreError),
}

/// Switches the live release. Cheap to clone.
#[derive(Clone)]
pub struct Reloader {
    inner: Arc<Inner>,
}

struct Inner {
    live: LiveMenu,
    store: Store,
    menu_path: PathBuf,
    prompts_dir: PathBuf,
    queues: Arc<QueueConfig>,
    metrics: Arc<Metrics>,
    /// The contents in service; held for the whole of an attempt.
    serving: Mutex<Contents>,
    status: StdMutex<MenuStatus>,
}

impl Reloader {
    /// Puts the startup version in service: `release` was built from `snapshot`. It is
    /// recorded as a new version unless the newest recorded one has the same contents.
    pub async fn start(
        snapshot: &Snapshot,
        mut release: Release,
        store: Store,
        queues: Arc<QueueConfig>,
        metrics: Arc<Metrics>,
    ) -> Result<Reloader, StoreError> {
        let contents = snapshot.contents();
        let latest = store.latest_menu_version().await?;
        let (version, activated_at, source) = match latest {
            Some((recorded, kept)) if kept == contents => {
                (recorded.version, recorded.activated_at, recorded.source)
            }
            latest => {
                let before = latest.map(|(_, kept)| kept);
                let now = Utc::now();
                let source = Trigger::Startup.to_string();
                let version =
                    record(&store, snapshot, &contents, before.as_ref(), &source, now).await?;
                (version, now, source)
            }
        };
        release.version = version;
        tracing::info!(version, menu = %snapshot.menu_path.display(), "menu version in service");
        let status = MenuStatus {
            version,
            activated_at,
            source,
            menu_file: snapshot.menu_path.clone(),
            prompts_dir: snapshot.prompts_dir.clone(),
            last_attempt: None,
        };
        Ok(Reloader {
            inner: Arc::new(Inner {
                live: LiveMenu::new(release),
                store,
                menu_path: snapshot.menu_path.clone(),
                prompts_dir: snapshot.prompts_dir.clone(),
                queues,
                metrics,
                serving: Mutex::new(contents),
                status: StdMutex::new(status),
            }),
        })
    }

    /// The release new calls get.
    pub fn live(&self) -> &LiveMenu {
        &self.inner.live
    }

    /// The menu file and prompt folder this reloader reads.
    pub fn paths(&self) -> (&Path, &Path) {
        (&self.inner.menu_path, &self.inner.prompts_dir)
    }

    /// What is in service and how the last attempt went.
    pub fn status(&self) -> MenuStatus {
        self.inner.status.lock().expect("status lock").clone()
    }

    /// Reads the files again and switches to them if they are a valid new version.
    pub async fn reload(&self, trigger: Trigger) -> Attempt {
        let mut serving = self.inner.serving.lock().await;
        self.switch_locked(&mut serving, trigger).await
    }

    /// Writes version `to`'s files back and switches to them.
    pub async fn rollback(&self, to: i64, by: &str) -> Result<Attempt, RollbackError> {
        let mut serving = self.inner.serving.lock().await;
        let (_, contents) =
            (self.inner.store.menu_version(to).await?).ok_or(RollbackError::NoVersion(to))?;
        let inner = &self.inner;
        restore(
            &inner.store,
            &contents,
            &inner.menu_path,
            &inner.prompts_dir,
        )
        .await?;
        let trigger = Trigger::Rollback {
            to,
            by: by.to_string(),
        };
        Ok(self.switch_locked(&mut serving, trigger).await)
    }

    async fn switch_locked(&self, serving: &mut Contents, trigger: Trigger) -> Attempt {
        let inner = &self.inner;
        let (menu_path, prompts_dir) = (inner.menu_path.clone(), inner.prompts_dir.clone());
        let read = tokio::task::spawn_blocking(move || {
            Snapshot::read(&menu_path, &prompts_dir).map(|snapshot| {
                let contents = snapshot.contents();
                (snapshot, contents)
            })
        })
        .await;
        let (snapshot, contents) = match read {
            Ok(Ok(read)) => read,
            Ok(Err(problems)) => return self.refused(trigger, problems, None),
            Err(error) => return self.refused(trigger, Vec::new(), Some(error.to_string())),
        };
        if contents == *serving {
            tracing::debug!(%trigger, "menu and prompts unchanged");
            return self.attempt(trigger, Outcome::Unchanged, Vec::new(), None);
        }
        let queues = inner.queues.clone();
        let built = tokio::task::spawn_blocking(move || {
            let release = snapshot.release(&queues, 0);
            (snapshot, release)
        })
        .await;
        let (snapshot, mut release) = match built {
            Ok((snapshot, Ok(release))) => (snapshot, release),
            Ok((_, Err(problems))) => return self.refused(trigger, problems, None),
            Err(error) => return self.refused(trigger, Vec::new(), Some(error.to_string())),
        };
        let now = Utc::now();
        let source = trigger.to_string();
        let recorded = record(
            &inner.store,
            &snapshot,
            &contents,
            Some(serving),
            &source,
            now,
        );
        let version = match recorded.await {
            Ok(version) => version,
            Err(error) => {
                let error = format!("the new version could not be recorded: {error}");
                return self.refused(trigger, Vec::new(), Some(error));
            }
        };
        release.version = version;
        inner.live.switch(release);
        *serving = contents;
        {
            let mut status = inner.status.lock().expect("status lock");
            status.version = version;
            status.activated_at = now;
            status.source = source;
        }
        tracing::info!(version, %trigger, "new menu version in service");
        self.attempt(trigger, Outcome::Switched, Vec::new(), None)
    }

    fn refused(
        &self,
        trigger: Trigger,
        problems: Vec<Diagnostic>,
        error: Option<String>,
    ) -> Attempt {
        for problem in &problems {
            tracing::warn!(%trigger, %problem, "menu change refused");
        }
        if let Some(error) = &error {
            tracing::error!(%trigger, error, "menu change refused");
        }
        self.attempt(trigger, Outcome::Refused, problems, error)
    }

    fn attempt(
        &self,
        trigger: Trigger,
        outcome: Outcome,
        problems: Vec<Diagnostic>,
        error: Option<String>,
    ) -> Attempt {
        let mut status = self.inner.status.lock().expect("status lock");
        let attempt = Attempt {
            at: Utc::now(),
            trigger: trigger.to_string(),
            outcome,
            version: status.version,
            problems,
            error,
        };
        if outcome != Outcome::Unchanged {
            self.inner.metrics.reload_finished(match outcome {
                Outcome::Switched => ReloadResult::Switched,
                _ => ReloadResult::Refused,
            });
            status.last_attempt = Some(attempt.clone());
        }
        attempt
    }
}

/// Records `snapshot` as a new version with the prompt files the store lacks; its number.
async fn record(
    store: &Store,
    snapshot: &Snapshot,
    contents: &Contents,
    before: Option<&Contents>,
    source: &str,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let kept = store.kept_prompt_files().await?;
    let files: Vec<(&str, &[u8])> = (snapshot.prompt_files.iter())
        .filter_map(|file| {
            let digest = contents.prompts.get(&file.relative)?;
            (!kept.contains(digest)).then_some((digest.as_str(), file.bytes.as_slice()))
        })
        .collect();
    let empty = Contents {
        menu_text: String::new(),
        prompts: Default::default(),
    };
    let menu_file = (snapshot.menu_path.file_name()).map_or_else(
        || snapshot.menu_path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    let changes = diff::describe(before.unwrap_or(&empty), contents, &menu_file);
    store
        .record_menu_version(&NewMenuVersion {
            activated_at: now,
            source,
            menu_file: &menu_file,
            contents,
            changes: &changes,
            files: &files,
        })
        .await
}
