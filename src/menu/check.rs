//! `hotline check`: the menu's own diagnostics, then one diagnostic per prompt the menu
//! uses whose file `<prompts>/<lang>/<id>.wav` is missing or can't be decoded (reported
//! where the menu first names it), then one per other file of the prompt folder that the
//! server would refuse to load (reported as `file:1:1`: a WAV has no lines).

use std::path::Path;

use super::{Diagnostic, Menu};
use crate::prompts::{PromptError, PromptStore};

/// Every problem of the menu at `menu_path` and of the prompts under `prompts_dir`.
/// Empty when all is well.
pub fn check(menu_path: &Path, prompts_dir: &Path) -> Vec<Diagnostic> {
    let menu = match Menu::load(menu_path) {
        Ok(menu) => menu,
        Err(diagnostics) => return diagnostics,
    };
    let mut load_errors = PromptStore::load_dir(prompts_dir).err().unwrap_or_default();
    let refs = menu.prompt_refs();
    let mut out = Vec::new();
    for (i, (name, at)) in refs.iter().enumerate() {
        if refs[..i].iter().any(|(seen, _)| seen == name) {
            continue;
        }
        let file = prompts_dir.join(format!("{name}.wav"));
        let Some(problem) = prompt_problem(&file, &mut load_errors) else {
            continue;
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
    out.extend(load_errors.into_iter().map(|error| Diagnostic {
        file: error.path,
        line: 1,
        column: 1,
        message: error.message,
    }));
    out
}

/// What is wrong with a prompt file the menu uses, if anything; takes its load error
/// out of `load_errors` so it is reported once, where the menu names it.
fn prompt_problem(file: &Path, load_errors: &mut Vec<PromptError>) -> Option<String> {
    if !file.is_file() {
        return Some(format!("no file {}", file.display()));
    }
    let index = load_errors.iter().position(|error| error.path == file)?;
    let error = load_errors.remove(index);
    Some(format!("{}: {}", file.display(), error.message))
}
