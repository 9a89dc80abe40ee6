//! Noticing saved changes: a file watcher (inotify on Linux, through `notify`) on the menu
//! file's folder and the prompt folder that asks the [`Reloader`] to switch once the
//! files have been quiet for [`QUIET`].
//!
//! Decisions: only the menu file itself and `.wav`/`.tsv` files under the prompt folder
//! count (an editor's swap and backup files don't); a burst of events (an editor writing
//! a temporary file and renaming it, a copy of many recordings) is one reload, after
//! [`QUIET`] without another event.

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::{Event, EventKind, RecursiveMode, Watcher};
use tokio::sync::mpsc;

use super::{Reloader, Trigger};

/// How long the files must be left alone before a change is read.
pub const QUIET: Duration = Duration::from_millis(400);

/// Watches the reloader's files until the returned future is dropped.
pub fn watch(reloader: Reloader) -> notify::Result<impl std::future::Future<Output = ()>> {
    let (menu_path, prompts_dir) = reloader.paths();
    let menu_path = canonical(menu_path);
    let prompts_dir = canonical(prompts_dir);
    let menu_dir = menu_path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let (events_in, mut events) = mpsc::unbounded_channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
        // The receiver is gone only when the server stops.
        let _ = events_in.send(event);
    })?;
    watcher.watch(&menu_dir, RecursiveMode::NonRecursive)?;
    watcher.watch(&prompts_dir, RecursiveMode::Recursive)?;
    tracing::info!(menu = %menu_path.display(), prompts = %prompts_dir.display(), "watching the menu and prompts for changes");
    let counts = move |event: &notify::Result<Event>| match event {
        Ok(event) => concerns(event, &menu_path, &prompts_dir),
        Err(error) => {
            tracing::warn!(%error, "file watcher error; reloading to be safe");
            true
        }
    };
    Ok(async move {
        let _watcher = watcher;
        while let Some(event) = events.recv().await {
            if !counts(&event) {
                continue;
            }
            // Wait for the files to be quiet.
            loop {
                match tokio::time::timeout(QUIET, events.recv()).await {
                    Ok(Some(_)) => continue,
                    Ok(None) => return,
                    Err(_) => break,
                }
            }
            reloader.reload(Trigger::FileChange).await;
        }
    })
}

/// Whether `event` changed the menu file or a prompt file.
fn concerns(event: &Event, menu_path: &Path, prompts_dir: &Path) -> bool {
    let changes = matches!(
        event.kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any
    ) || matches!(
        event.kind,
        EventKind::Access(notify::event::AccessKind::Close(
            notify::event::AccessMode::Write
        ))
    );
    changes
        && event.paths.iter().any(|path| {
            path == menu_path || (path.starts_with(prompts_dir) && is_prompt_file(path))
        })
}

fn is_prompt_file(path: &Path) -> bool {
    let hidden = (path.file_name()).is_some_and(|name| name.to_string_lossy().starts_with('.'));
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    !hidden && matches!(extension.as_deref(), Some("wav" | "tsv"))
}

/// The absolute path, symlinks resolved, so event paths compare equal; as given when it
/// can't be resolved.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind};

    use super::*;

    fn event(kind: EventKind, path: &str) -> Event {
        Event::new(kind).add_path(PathBuf::from(path))
    }

    #[test]
    fn the_menu_file_and_prompt_recordings_count_and_nothing_else() {
        let (menu, prompts) = (Path::new("/h/menus/hotline.yaml"), Path::new("/h/prompts"));
        let write = EventKind::Modify(ModifyKind::Any);
        assert!(concerns(
            &event(write, "/h/menus/hotline.yaml"),
            menu,
            prompts
        ));
        assert!(concerns(
            &event(write, "/h/prompts/zh/02.wav"),
            menu,
            prompts
        ));
        assert!(concerns(
            &event(
                EventKind::Create(CreateKind::File),
                "/h/prompts/zh/prompts.tsv"
            ),
            menu,
            prompts
        ));
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Write));
        assert!(concerns(
            &event(closed, "/h/prompts/zh/02.wav"),
            menu,
            prompts
        ));
        for other in [
            "/h/menus/.hotline.yaml.swp",
            "/h/menus/other.yaml",
            "/h/prompts/zh/.02.wav.restoring",
            "/h/prompts/zh/notes.txt",
            "/h/prompts/zh/02.wav~",
        ] {
            assert!(!concerns(&event(write, other), menu, prompts), "{other}");
        }
        let read = EventKind::Access(AccessKind::Read);
        assert!(!concerns(
            &event(read, "/h/menus/hotline.yaml"),
            menu,
            prompts
        ));
    }
}
