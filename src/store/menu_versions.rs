//! The menu versions in the store (tables `menu_versions` and `prompt_blobs` of migration
//! 0007; queries in `menu_versions_queries.rs`, one text for both backends): every version
//! of the menu file and prompt folder that went live, and each prompt file once by its
//! SHA-256, so that any version can be read back whole and restored.
//!
//! Decisions:
//! - a version is recorded with its files in one transaction: a version is never listed
//!   whose prompt files are not all kept;
//! - version numbers come from the database, so servers sharing one PostgreSQL number
//!   their versions in one sequence;
//! - `same_as` names the newest earlier version with identical contents (menu text and
//!   every prompt file), which is how a rollback reads in the history.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{postgres, sqlite, Backend, Result, Store, StoreError};
use crate::live::snapshot::Contents;

/// A version to record.
pub struct NewMenuVersion<'a> {
    pub activated_at: DateTime<Utc>,
    /// What put it live (`startup`, `file change`, `reload by 1001` …).
    pub source: &'a str,
    /// The menu file's name.
    pub menu_file: &'a str,
    pub contents: &'a Contents,
    /// What changed from the version before.
    pub changes: &'a str,
    /// Every prompt file of the version whose bytes the store may not have yet, by
    /// SHA-256 (the store keeps those it lacks).
    pub files: &'a [(&'a str, &'a [u8])],
}

/// A recorded version, without its files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MenuVersion {
    pub version: i64,
    pub activated_at: DateTime<Utc>,
    pub source: String,
    pub menu_file: String,
    pub changes: String,
    pub same_as: Option<i64>,
}

impl Contents {
    /// One digest of the menu text and every prompt file's digest.
    pub fn digest(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.menu_text.as_bytes());
        for (file, digest) in &self.prompts {
            hasher.update([0]);
            hasher.update(file.as_bytes());
            hasher.update([0]);
            hasher.update(digest.as_bytes());
        }
        hex::encode(hasher.finalize())
    }
}

impl Store {
    /// Records a version that went live (with the prompt files the store lacks); its
    /// number.
    pub async fn record_menu_version(&self, new: &NewMenuVersion<'_>) -> Result<i64> {
        on_backend!(self, insert_menu_version(new))
    }

    /// The newest `limit` versions, newest first.
    pub async fn menu_versions(&self, limit: i64) -> Result<Vec<MenuVersion>> {
        on_backend!(self, read_menu_versions(limit))
    }

    /// One version with its contents; `None` when there is no such version.
    pub async fn menu_version(&self, version: i64) -> Result<Option<(MenuVersion, Contents)>> {
        on_backend!(self, read_menu_version(Some(version)))
    }

    /// The newest version with its contents; `None` before the first.
    pub async fn latest_menu_version(&self) -> Result<Option<(MenuVersion, Contents)>> {
        on_backend!(self, read_menu_version(None))
    }

    /// The SHA-256 of every prompt file the store keeps.
    pub async fn kept_prompt_files(&self) -> Result<BTreeSet<String>> {
        on_backend!(self, read_prompt_blob_digests())
    }

    /// The bytes of the prompt file with this SHA-256.
    pub async fn prompt_file(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        on_backend!(self, read_prompt_blob(sha256))
    }
}

pub(super) fn prompts_from_json(text: &str) -> Result<BTreeMap<String, String>> {
    serde_json::from_str(text).map_err(|error| StoreError::Corrupt(format!("prompts: {error}")))
}
