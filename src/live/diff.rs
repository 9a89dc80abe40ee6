//! What changed between two versions, for the operator reading the history: a unified
//! diff of the menu file and one line per prompt file added, removed or re-recorded.

use similar::TextDiff;

use super::snapshot::Contents;

/// Lines of context around each change of the menu file.
const CONTEXT_LINES: usize = 3;

/// The change from `before` to `after` as text; empty when they are the same.
/// `menu_file` names the file in the diff's header.
pub fn describe(before: &Contents, after: &Contents, menu_file: &str) -> String {
    let mut out = String::new();
    if before.menu_text != after.menu_text {
        let diff = TextDiff::from_lines(&before.menu_text, &after.menu_text);
        let unified = diff
            .unified_diff()
            .context_radius(CONTEXT_LINES)
            .header(&format!("a/{menu_file}"), &format!("b/{menu_file}"))
            .to_string();
        out.push_str(&unified);
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    for (file, digest) in &after.prompts {
        match before.prompts.get(file) {
            None => out.push_str(&format!("prompt added: {file}\n")),
            Some(old) if old != digest => out.push_str(&format!("prompt changed: {file}\n")),
            Some(_) => {}
        }
    }
    for file in before.prompts.keys() {
        if !after.prompts.contains_key(file) {
            out.push_str(&format!("prompt removed: {file}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn contents(menu: &str, prompts: &[(&str, &str)]) -> Contents {
        Contents {
            menu_text: menu.to_string(),
            prompts: (prompts.iter())
                .map(|(file, digest)| (file.to_string(), digest.to_string()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    #[test]
    fn the_same_contents_make_an_empty_description() {
        let a = contents("start: main\n", &[("zh/01.wav", "aa")]);
        assert_eq!(describe(&a, &a.clone(), "hotline.yaml"), "");
    }

    #[test]
    fn a_menu_edit_is_a_unified_diff_with_the_file_named() {
        let before = contents("start: main\nmenus:\n  main: {}\n", &[]);
        let after = contents("start: main\nmenus:\n  main: {timeout: 5s}\n", &[]);
        let text = describe(&before, &after, "hotline.yaml");
        assert!(
            text.starts_with("--- a/hotline.yaml\n+++ b/hotline.yaml\n@@"),
            "{text}"
        );
        assert!(
            text.contains("\n-  main: {}\n+  main: {timeout: 5s}\n"),
            "{text}"
        );
        assert!(!text.contains("prompt "), "{text}");
    }

    #[test]
    fn prompt_files_added_changed_and_removed_are_listed_once_each() {
        let before = contents(
            "m\n",
            &[
                ("zh/01.wav", "aa"),
                ("zh/02.wav", "bb"),
                ("zh/03.wav", "cc"),
            ],
        );
        let after = contents(
            "m\n",
            &[
                ("zh/01.wav", "aa"),
                ("zh/02.wav", "b2"),
                ("zh/04.wav", "dd"),
            ],
        );
        assert_eq!(
            describe(&before, &after, "hotline.yaml"),
            "prompt changed: zh/02.wav\nprompt added: zh/04.wav\nprompt removed: zh/03.wav\n"
        );
    }
}
