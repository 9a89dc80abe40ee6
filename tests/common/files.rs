//! A copy of the bundled menu and prompts in a temp folder, for tests that change them
//! (uploads, edits) without touching the repository's files.

use std::path::{Path, PathBuf};

use hotline::server::ServerConfig;

/// The copy; removed when dropped.
pub struct MenuFiles {
    _dir: tempfile::TempDir,
    pub menu: PathBuf,
    pub prompts: PathBuf,
}

impl MenuFiles {
    /// Copies `menus/hotline.yaml` and the `prompts` folder.
    pub fn copy_bundled() -> MenuFiles {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().expect("a folder for the menu");
        let menu = dir.path().join("hotline.yaml");
        std::fs::copy(root.join("menus/hotline.yaml"), &menu).expect("menu copied");
        let prompts = dir.path().join("prompts");
        copy_folder(&root.join("prompts"), &prompts);
        MenuFiles {
            _dir: dir,
            menu,
            prompts,
        }
    }

    /// [`ServerConfig::for_tests`] on this copy.
    pub fn config(&self) -> ServerConfig {
        let mut config = ServerConfig::for_tests(Path::new(env!("CARGO_MANIFEST_DIR")));
        config.menu = self.menu.clone();
        config.prompts = self.prompts.clone();
        config
    }
}

fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for entry in std::fs::read_dir(from).expect("readable") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        match entry.file_type().expect("type").is_dir() {
            true => copy_folder(&entry.path(), &target),
            false => {
                std::fs::copy(entry.path(), target).expect("copied");
            }
        }
    }
}
