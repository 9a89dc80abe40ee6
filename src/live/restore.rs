//! Writing a recorded version's files back: the menu file's text and every prompt file,
//! and removing prompt files the version did not have. Used by a rollback, from the
//! console or `hotline menu rollback`.
//!
//! Decisions:
//! - each file is written to a temporary file beside it and renamed into place, so a
//!   reader (the file watcher, a call being set up) never sees half a file;
//! - a file already on disk with the right content is left alone;
//! - paths come from the store: each must be a plain relative path (no `..`, no root, no
//!   hidden folder) of a `.wav` or `.tsv` file, or nothing is written;
//! - every prompt file's bytes are fetched and checked against their SHA-256 before the
//!   first write, so a version the store can't give back whole is not half-restored.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use super::snapshot::{sha256_hex, Contents};
use crate::prompts::read_folder;
use crate::store::{Store, StoreError};

/// Why a version's files could not be written back.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the store does not keep the prompt file {0} (SHA-256 {1})")]
    MissingFile(String, String),
    #[error("the stored prompt file {0} does not match its SHA-256")]
    Corrupt(String),
    #[error("`{0}` is not a path inside the prompt folder")]
    BadPath(String),
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
}

/// Writes `contents` into `menu_path` and `prompts_dir`.
pub async fn restore(
    store: &Store,
    contents: &Contents,
    menu_path: &Path,
    prompts_dir: &Path,
) -> Result<(), RestoreError> {
    for relative in contents.prompts.keys() {
        if !is_safe(relative) {
            return Err(RestoreError::BadPath(relative.clone()));
        }
    }
    let dir = prompts_dir.to_path_buf();
    let on_disk: BTreeMap<String, String> = tokio::task::spawn_blocking(move || {
        let (files, _) = read_folder(&dir);
        (files.into_iter())
            .map(|file| (file.relative, sha256_hex(&file.bytes)))
            .collect()
    })
    .await
    .unwrap_or_default();
    let mut writes: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for (relative, digest) in &contents.prompts {
        if on_disk.get(relative) == Some(digest) {
            continue;
        }
        let bytes = (store.prompt_file(digest).await?)
            .ok_or_else(|| RestoreError::MissingFile(relative.clone(), digest.clone()))?;
        if sha256_hex(&bytes) != *digest {
            return Err(RestoreError::Corrupt(relative.clone()));
        }
        writes.push((prompts_dir.join(relative), bytes));
    }
    let removals: Vec<PathBuf> = (on_disk.keys())
        .filter(|relative| !contents.prompts.contains_key(*relative))
        .map(|relative| prompts_dir.join(relative))
        .collect();
    writes.push((
        menu_path.to_path_buf(),
        contents.menu_text.clone().into_bytes(),
    ));
    tokio::task::spawn_blocking(move || {
        for (path, bytes) in writes {
            write_replacing(&path, &bytes)?;
        }
        for path in removals {
            std::fs::remove_file(&path).map_err(|error| RestoreError::Io(path, error))?;
        }
        Ok(())
    })
    .await
    .map_err(|error| RestoreError::Io(menu_path.to_path_buf(), std::io::Error::other(error)))?
}

/// A relative path of plain names ending in `.wav` or `.tsv`.
fn is_safe(relative: &str) -> bool {
    let path = Path::new(relative);
    let plain = path.components().all(|component| match component {
        Component::Normal(name) => !name.to_string_lossy().starts_with('.'),
        _ => false,
    });
    let lower = relative.to_ascii_lowercase();
    plain && !relative.is_empty() && (lower.ends_with(".wav") || lower.ends_with(".tsv"))
}

/// Writes `bytes` to a temporary file beside `path` and renames it over `path`.
fn write_replacing(path: &Path, bytes: &[u8]) -> Result<(), RestoreError> {
    let io = |error| RestoreError::Io(path.to_path_buf(), error);
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.restoring"));
    std::fs::write(&temporary, bytes).map_err(io)?;
    std::fs::rename(&temporary, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::is_safe;

    #[test]
    fn only_plain_relative_prompt_paths_are_written() {
        assert!(is_safe("zh/02.wav"));
        assert!(is_safe("zh/prompts.tsv"));
        assert!(is_safe("music/hold.WAV"));
        for bad in [
            "../menus/hotline.yaml",
            "/etc/passwd.wav",
            "zh/../../x.wav",
            "zh/.hidden.wav",
            "zh/02.yaml",
            "",
            "./zh/02.wav",
        ] {
            assert!(!is_safe(bad), "{bad:?} must be refused");
        }
    }
}
