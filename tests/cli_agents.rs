//! `hotline agents` as an operator runs it on a SQLite file: add (the password from
//! HOTLINE_AGENT_PASSWORD), list, passwd, disable and enable, and the clear refusals of
//! bad input, a duplicate and an unknown agent.

use std::process::{Command, Output};

use hotline::agents::digest::{ha1, Algorithm};
use hotline::passwords::Secret;
use hotline::queues::seat::SeatStateName;
use hotline::store::{SeatRecord, Store};

/// Runs `hotline agents ARGS --db URL`, with `password` in HOTLINE_AGENT_PASSWORD when
/// given, and without any realm from the environment.
fn agents(url: &str, args: &[&str], password: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hotline"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("agents")
        .args(args)
        .args(["--db", url])
        .env_remove("HOTLINE_SIP_REALM")
        .env_remove("HOTLINE_AGENT_PASSWORD");
    if let Some(password) = password {
        command.env("HOTLINE_AGENT_PASSWORD", password);
    }
    command.output().expect("run hotline")
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
}

fn succeeds(out: Output) -> String {
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn fails_with(out: Output, message: &str) {
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains(message),
        "no `{message}` in {}",
        text(&out)
    );
}

#[tokio::test]
async fn an_agent_is_added_listed_given_a_new_password_and_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("hotline.db").display());
    let add = [
        "add",
        "1001",
        "--name",
        "王芳",
        "--skills",
        "ordinary,senior",
    ];
    let added = succeeds(agents(&url, &add, Some("soft-phone-1")));
    assert!(added.contains("agent 1001 added"), "{added}");
    let add = [
        "add",
        "2002",
        "--name",
        "李强",
        "--skills",
        "supervisor",
        "--realm",
        "centre",
    ];
    succeeds(agents(&url, &add, Some("soft-phone-2")));
    let listed = succeeds(agents(&url, &["list"], None));
    assert_eq!(
        listed,
        "1001\t王芳\tordinary,senior\tenabled\t0 registration(s)\tlogged-out\n\
         2002\t李强\tsupervisor\tenabled\t0 registration(s)\tlogged-out\n"
    );
    // A seat the server wrote (here by hand) is shown with its reason.
    let store = Store::connect(&url).await.unwrap();
    let since = "2026-11-28T03:00:00Z".parse().unwrap();
    let seat = SeatRecord {
        work_number: "1001".to_string(),
        state: SeatStateName::NotReady,
        reason: Some("training".to_string()),
        call_id: None,
        since,
    };
    store.save_seat(&seat).await.unwrap();
    let listed = succeeds(agents(&url, &["list"], None));
    assert!(
        listed.contains("\tnot-ready (training) since 2026-11-28 03:00:00 UTC\n"),
        "{listed}"
    );

    let changed = succeeds(agents(&url, &["passwd", "1001"], Some("soft-phone-3")));
    assert!(changed.contains("agent 1001: password set"), "{changed}");
    let disabled = succeeds(agents(&url, &["disable", "2002"], None));
    assert!(disabled.contains("agent 2002 disabled"), "{disabled}");
    let listed = succeeds(agents(&url, &["list"], None));
    assert!(
        listed.contains("2002\t李强\tsupervisor\tdisabled\t"),
        "{listed}"
    );

    let password = |text: &str| Secret::new(text.to_string());
    assert!(!store
        .verify_agent_password("1001", &password("soft-phone-1"))
        .await
        .unwrap());
    assert!(store
        .verify_agent_password("1001", &password("soft-phone-3"))
        .await
        .unwrap());
    let expected = ha1(Algorithm::Sha256, "1001", "hotline", "soft-phone-3");
    let stored = store.agent_ha1("1001", Algorithm::Sha256).await.unwrap();
    assert_eq!(stored, Some(expected), "the default realm is `hotline`");
    assert!(!store
        .verify_agent_password("2002", &password("soft-phone-2"))
        .await
        .unwrap());
    store.close().await;

    succeeds(agents(&url, &["enable", "2002"], None));
    let store = Store::connect(&url).await.unwrap();
    let expected = ha1(Algorithm::Md5, "2002", "centre", "soft-phone-2");
    let stored = store.agent_ha1("2002", Algorithm::Md5).await.unwrap();
    assert_eq!(stored, Some(expected), "the HA1s of --realm");
    store.close().await;
}

#[tokio::test]
async fn bad_input_a_duplicate_and_an_unknown_agent_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("hotline.db").display());
    let add = |work_number: &str, skills: &str| {
        let args = ["add", work_number, "--name", "王芳", "--skills", skills];
        agents(&url, &args, Some("soft-phone-1"))
    };
    succeeds(add("1001", "ordinary"));
    fails_with(add("1001", "senior"), "agent 1001 already exists");
    fails_with(
        add("10o1", "ordinary"),
        "work number \"10o1\" is not 1 to 10 digits",
    );
    fails_with(add("1002", "ordinary,,senior"), "skill \"\" is not letters");
    fails_with(
        add("1002", "senior,senior"),
        "skill \"senior\" is given twice",
    );
    let args = ["add", "1002", "--name", "李强", "--skills", "ordinary"];
    fails_with(agents(&url, &args, Some("")), "the password is empty");
    fails_with(
        agents(&url, &["passwd", "9999"], Some("pw")),
        "no agent 9999",
    );
    fails_with(agents(&url, &["disable", "9999"], None), "no agent 9999");
    let listed = succeeds(agents(&url, &["list"], None));
    assert_eq!(listed.lines().count(), 1, "{listed}");
}
