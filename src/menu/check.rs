//! `hotline check`: the menu's own diagnostics, then one diagnostic per prompt the menu
//! uses whose file `<prompts>/<lang>/<id>.wav` is missing, unreadable or not a WAV file,
//! reported where the menu first names it. (Decoding the audio itself is the prompt
//! store's business; the server refuses to load a prompt directory it cannot decode.)

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::{Diagnostic, Menu};

/// Every problem of the menu at `menu_path` and of the prompts it uses under `prompts_dir`.
/// Empty when all is well.
pub fn check(menu_path: &Path, prompts_dir: &Path) -> Vec<Diagnostic> {
    let menu = match Menu::load(menu_path) {
        Ok(menu) => menu,
        Err(diagnostics) => return diagnostics,
    };
    let refs = menu.prompt_refs();
    let mut out = Vec::new();
    for (i, (name, at)) in refs.iter().enumerate() {
        if refs[..i].iter().any(|(seen, _)| seen == name) {
            continue;
        }
        let file = prompts_dir.join(format!("{name}.wav"));
        let Some(problem) = wav_problem(&file) else {
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
    out
}

/// What is wrong with a prompt file, if anything.
fn wav_problem(file: &Path) -> Option<String> {
    let shown = file.display();
    let mut header = [0u8; 12];
    let read = File::open(file).and_then(|mut f| f.read_exact(&mut header));
    match read {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(format!("no file {shown}")),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            Some(format!("{shown} is too short to be a WAV file"))
        }
        Err(e) => Some(format!("cannot read {shown}: {e}")),
        Ok(()) if &header[0..4] != b"RIFF" || &header[8..12] != b"WAVE" => {
            Some(format!("{shown} is not a WAV file"))
        }
        Ok(()) => None,
    }
}
