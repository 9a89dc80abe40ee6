//! The `hotline` command as an operator runs it: `check` on the bundled and on a broken
//! menu and queues file, and `simulate`.

use std::path::Path;
use std::process::{Command, Output};

fn hotline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the hotline binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_accepts_the_bundled_menu_and_prompts() {
    let out = hotline(&["check"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "menus/hotline.yaml: ok\n");
}

#[test]
fn check_names_file_line_and_column_of_each_mistake_and_exits_non_zero() {
    let bundled =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("menus/hotline.yaml"))
            .unwrap();
    let broken = bundled
        .replace("3: {goto: fault}", "3: {goto: faults}")
        .replace("    prompt: 04\n", "    prompt: 04\n    colour: red\n");
    let dir = tempfile::tempdir().unwrap();
    let menu = dir.path().join("hotline.yaml");
    std::fs::write(&menu, &broken).unwrap();
    let out = hotline(&["check", "--menu", menu.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let line_of = |needle: &str| broken.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let goto_line = line_of("{goto: faults}");
    let goto_column = broken
        .lines()
        .nth(goto_line - 1)
        .unwrap()
        .find("faults")
        .unwrap()
        + 1;
    let colour_line = line_of("colour: red");
    let shown = menu.display();
    assert!(
        stderr.contains(&format!("{shown}:{goto_line}:{goto_column}: ")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{shown}:{colour_line}:5: ")),
        "{stderr}"
    );
    assert!(stderr.contains("colour"), "{stderr}");
}

#[test]
fn simulate_prints_the_prompts_and_actions_of_a_key_sequence() {
    let out = hotline(&["simulate", "--caller", "075512345678", "--keys", "3 *"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[..5],
        [
            "play zh/01 zh/02",
            "key 3",
            "play zh/06 zh/repair-offer",
            "key *",
            "play zh/02"
        ],
        "{stdout}"
    );
}

#[test]
fn check_finds_the_queues_the_menu_names_and_the_mistakes_of_queues_yaml() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let queues = std::fs::read_to_string(root.join("config/queues.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let without_directory = dir.path().join("queues.yaml");
    let cut = queues.find("  directory:").expect("a directory queue");
    std::fs::write(&without_directory, &queues[..cut]).unwrap();
    let out = hotline(&["check", "--queues", without_directory.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("a transfer hands calls to queue `directory`"),
        "{stderr}"
    );

    let broken = dir.path().join("broken.yaml");
    std::fs::write(
        &broken,
        queues.replace("ring_timeout: 15s", "ring_timeout: soon"),
    )
    .unwrap();
    let out = hotline(&["check", "--queues", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let line = queues
        .lines()
        .position(|l| l.starts_with("ring_timeout"))
        .unwrap()
        + 1;
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:{line}:15: ", broken.display())),
        "{stderr}"
    );
}
