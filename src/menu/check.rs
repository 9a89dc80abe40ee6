//! `hotline check`: the menu's own diagnostics, then one diagnostic per prompt the menu
//! uses whose file `<prompts>/<lang>/<id>.wav` is missing or can't be decoded (reported
//! where the menu first names it), then one per other file of the prompt folder that the
//! server would refuse to load (reported as `file:1:1`: a WAV has no lines), then each
//! mistake of a prompt list (`zh/prompts.tsv`) at its line.
//!
//! The live reload validates a new version with the same [`prompt_problems`], over the
//! files it read once, so what `check` accepts is what the server switches to.

use std::path::Path;

use super::{Diagnostic, Menu};
use crate::prompts::texts::folder_texts;
use crate::prompts::{read_folder, FolderFile, PromptError, PromptStore};

/// Every problem of the menu at `menu_path` and of the prompts under `prompts_dir`.
/// Empty when all is well.
pub fn check(menu_path: &Path, prompts_dir: &Path) -> Vec<Diagnostic> {
    let menu = match Menu::load(menu_path) {
        Ok(menu) => menu,
        Err(diagnostics) => return diagnostics,
    };
    let (files, mut errors) = read_folder(prompts_dir);
    if let Err(decode_errors) = PromptStore::from_folder(&files) {
        errors.extend(decode_errors);
    }
    prompt_problems(&menu, prompts_dir, &files, errors)
}

/// The problems of the prompt folder `files` (read from `prompts_dir`, with the files
/// that failed to read or decode in `errors`) for `menu`: each prompt the menu uses that
/// is missing or broken, where the menu first names it, then every other broken file,
/// then every mistake of the prompt lists.
pub fn prompt_problems(
    menu: &Menu,
    prompts_dir: &Path,
    files: &[FolderFile],
    mut errors: Vec<PromptError>,
) -> Vec<Diagnostic> {
    let refs = menu.prompt_refs();
    let mut out = Vec::new();
    for (i, (name, at)) in refs.iter().enumerate() {
        if refs[..i].iter().any(|(seen, _)| seen == name) {
            continue;
        }
        let file = prompts_dir.join(format!("{name}.wav"));
        let present = files.iter().any(|f| f.prompt_name() == Some(name.as_str()));
        let problem = match errors.iter().position(|error| error.path == file) {
            Some(index) => {
                let error = errors.remove(index);
                format!("{}: {}", file.display(), error.message)
            }
            None if !present => format!("no file {}", file.display()),
            None => continue,
        };
        let uses = refs.iter().filter(|(n, _)| n == name).count();
        let more = match uses {
            1 => String::new(),
            n => format!(" (used {n} times; this is the first)"),
        };
        out.push(Diagnostic {
            message: format!("prompt `{name}`: {problem}{more}"),
            ..at.clone()
        });
    }
    out.extend(errors.into_iter().map(|error| Diagnostic {
        file: error.path,
        line: 1,
        column: 1,
        message: error.message,
    }));
    let (_, list_problems) = folder_texts(files);
    out.extend(list_problems.into_iter().map(|(file, problem)| Diagnostic {
        file,
        line: problem.line,
        column: 1,
        message: problem.message,
    }));
    out
}
