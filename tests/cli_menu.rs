//! The operator's commands around a running `hotline serve`: SIGHUP puts a saved edit in
//! service, `hotline menu versions` and `show` read the history, and `hotline menu
//! rollback` writes an earlier version back, which the next SIGHUP puts in service.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::process::ServeProcess;
use nix::sys::signal::Signal;

fn hotline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args(args)
        .output()
        .expect("the hotline binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `hotline menu versions` until it lists `count` versions; its lines.
fn wait_for_versions(db: &str, count: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let out = hotline(&["menu", "versions", "--db", db]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let lines: Vec<String> = text(&out.stdout).lines().map(str::to_string).collect();
        if lines.len() == count {
            return lines;
        }
        assert!(
            Instant::now() < deadline,
            "{count} versions never listed: {lines:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn sighup_switches_and_menu_rollback_writes_an_earlier_version_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("temp dir");
    let menu = dir.path().join("hotline.yaml");
    let bundled = std::fs::read_to_string(root.join("menus/hotline.yaml")).expect("menu");
    std::fs::write(&menu, &bundled).expect("menu copied");
    let prompts = root.join("prompts");
    let db = format!("sqlite://{}", dir.path().join("hotline.db").display());
    let (menu_arg, prompts_arg) = (
        menu.to_str().expect("UTF-8"),
        prompts.to_str().expect("UTF-8"),
    );
    let config = root.join("config");
    let serving = ServeProcess::start(&[
        "--menu",
        menu_arg,
        "--prompts",
        prompts_arg,
        "--db",
        &db,
        "--tickets-config",
        config.to_str().expect("UTF-8"),
    ]);
    let first = wait_for_versions(&db, 1);
    assert!(
        first[0].starts_with("1\t") && first[0].ends_with("\tstartup"),
        "{first:?}"
    );

    std::fs::write(
        &menu,
        bundled.replacen("    prompt: 04\n", "    prompt: 03\n", 1),
    )
    .expect("menu edited");
    serving.signal(Signal::SIGHUP);
    let second = wait_for_versions(&db, 2);
    assert!(
        second[0].starts_with("2\t") && second[0].ends_with("\tSIGHUP"),
        "{second:?}"
    );
    let show = hotline(&["menu", "show", "2", "--db", &db]);
    assert!(show.status.success(), "{}", text(&show.stderr));
    let shown = text(&show.stdout);
    assert!(
        shown.starts_with("version 2 of hotline.yaml, live since "),
        "{shown}"
    );
    assert!(
        shown.contains("\n-    prompt: 04\n+    prompt: 03\n"),
        "{shown}"
    );

    let rollback = hotline(&[
        "menu",
        "rollback",
        "1",
        "--db",
        &db,
        "--menu",
        menu_arg,
        "--prompts",
        prompts_arg,
    ]);
    assert!(rollback.status.success(), "{}", text(&rollback.stderr));
    assert_eq!(std::fs::read_to_string(&menu).expect("menu"), bundled);
    serving.signal(Signal::SIGHUP);
    let third = wait_for_versions(&db, 3);
    assert!(
        third[0].starts_with("3\t") && third[0].ends_with("\tSIGHUP  (same as version 1)"),
        "{third:?}"
    );

    let missing = hotline(&["menu", "show", "9", "--db", &db]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        text(&missing.stderr).contains("there is no version 9"),
        "{}",
        text(&missing.stderr)
    );
    drop(serving);
}
