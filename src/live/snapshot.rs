//! One version of the operator's files, read once: the menu file's text and every
//! recording and prompt list of the prompt folder, with their SHA-256. The same bytes are
//! validated, put in service and recorded, so what the version history says went live is
//! exactly what callers heard.
//!
//! Validation is `hotline check`'s ([`crate::menu::check`]): the menu's diagnostics, the
//! prompts it uses, every file of the folder, plus the queues its transfers name, and
//! every prompt list (`*.tsv`) must parse ([`crate::prompts::texts`]); its texts go into
//! the release.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::Release;
use crate::menu::{prompt_problems, Diagnostic, Menu};
use crate::prompts::texts::folder_texts;
use crate::prompts::{read_folder, FolderFile, PromptError, PromptStore};
use crate::queues::config::QueueConfig;

/// The menu file and the prompt folder as read at one moment.
pub struct Snapshot {
    pub menu_path: PathBuf,
    pub menu_text: String,
    pub prompts_dir: PathBuf,
    pub prompt_files: Vec<FolderFile>,
    /// Prompt files that could not be read (validation reports them).
    read_errors: Vec<PromptError>,
}

/// What a version holds, by content: the menu text and each prompt file's SHA-256 (hex)
/// by its path relative to the prompt folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contents {
    pub menu_text: String,
    pub prompts: BTreeMap<String, String>,
}

impl Snapshot {
    /// Reads the menu file and the prompt folder; an unreadable menu file is a
    /// diagnostic at its line 1.
    pub fn read(menu_path: &Path, prompts_dir: &Path) -> Result<Snapshot, Vec<Diagnostic>> {
        let menu_text = std::fs::read_to_string(menu_path).map_err(|error| {
            vec![Diagnostic {
                file: menu_path.to_path_buf(),
                line: 1,
                column: 1,
                message: format!("cannot read the menu file: {error}"),
            }]
        })?;
        let (prompt_files, read_errors) = read_folder(prompts_dir);
        Ok(Snapshot {
            menu_path: menu_path.to_path_buf(),
            menu_text,
            prompts_dir: prompts_dir.to_path_buf(),
            prompt_files,
            read_errors,
        })
    }

    /// The menu text and the digest of every prompt file.
    pub fn contents(&self) -> Contents {
        let prompts = (self.prompt_files.iter())
            .map(|file| (file.relative.clone(), sha256_hex(&file.bytes)))
            .collect();
        Contents {
            menu_text: self.menu_text.clone(),
            prompts,
        }
    }

    /// Validates the whole version as `hotline check` does (and the queues its transfers
    /// name against `queues`) and builds the release to serve; `version` is its number.
    pub fn release(&self, queues: &QueueConfig, version: i64) -> Result<Release, Vec<Diagnostic>> {
        let menu = Menu::from_str(&self.menu_path, &self.menu_text)?;
        let mut errors = self.read_errors.clone();
        let prompts = match PromptStore::from_folder(&self.prompt_files) {
            Ok(prompts) => Some(prompts),
            Err(decode_errors) => {
                errors.extend(decode_errors);
                None
            }
        };
        let mut problems = prompt_problems(&menu, &self.prompts_dir, &self.prompt_files, errors);
        // A list's mistakes are among the problems already.
        let (texts, _) = folder_texts(&self.prompt_files);
        let unknown = queues.missing_queues(menu.queues());
        if !unknown.is_empty() {
            problems.push(Diagnostic {
                file: self.menu_path.clone(),
                line: 1,
                column: 1,
                message: format!(
                    "the menu hands calls to queues the queue configuration does not define: {}",
                    unknown.join(", ")
                ),
            });
        }
        match (problems.is_empty(), prompts) {
            (true, Some(prompts)) => Ok(Release {
                version,
                menu: Arc::new(menu),
                prompts,
                texts,
            }),
            _ => Err(problems),
        }
    }
}

/// The SHA-256 of `bytes` in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::queues::config::load_queue_config;

    #[test]
    fn the_release_has_the_prompt_texts_and_a_broken_list_refuses_it_at_its_line() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let menu = root.join("menus/hotline.yaml");
        let mut snapshot = Snapshot::read(&menu, &root.join("prompts")).expect("read");
        let queues = load_queue_config(&root.join("config/queues.yaml")).expect("queues");
        let Ok(release) = snapshot.release(&queues, 0) else {
            panic!("the bundled version is valid");
        };
        assert!(release.texts["zh/02"].text.contains("查询请按1"));
        assert!(!release.texts["zh/02"].gloss.is_empty());

        let list = (snapshot.prompt_files.iter_mut())
            .find(|file| file.relative == "zh/prompts.tsv")
            .expect("the list");
        let lines = std::str::from_utf8(&list.bytes)
            .expect("text")
            .lines()
            .count();
        list.bytes.extend_from_slice("99\t只有两列\n".as_bytes());
        let path = list.path.clone();
        let Err(problems) = snapshot.release(&queues, 0) else {
            panic!("a malformed row refuses the version");
        };
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!((&problems[0].file, problems[0].line), (&path, lines + 1));
        assert_eq!(problems[0].column, 1);
    }
}
