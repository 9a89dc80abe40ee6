//! Live menu and prompt changes over real calls: a saved edit goes live while 20 calls
//! are in the menu without dropping or disturbing any of them (they finish on the menu
//! they started with; new calls hear the new one), a broken edit and a broken recording
//! are refused with their file:line:column while calls go on, and an operator rolls back
//! to an earlier version through the API (on every backend).

mod common;
#[path = "store_common/mod.rs"]
mod store_common;

use std::time::Duration;

use common::agents::add_agent;
use common::files::MenuFiles;
use common::{TestServer, HEAR, WAIT};
use futures::future::join_all;
use hotline::caller::{Call, KeyMethod};
use hotline::live::reload::Outcome;
use hotline::metrics::CallOutcome;
use store_common::api::request_as;
use store_common::backends;

/// The bundled query menu's prompt, and the one the edited menu plays instead.
const QUERY_PROMPT: &str = "    prompt: 04\n";
const EDITED_QUERY_PROMPT: &str = "    prompt: 03\n";

/// The menu file's text.
fn menu_text(files: &MenuFiles) -> String {
    std::fs::read_to_string(&files.menu).expect("menu readable")
}

/// Saves the menu with `from` replaced by `to` (once: the edit must be unambiguous).
fn edit_menu(files: &MenuFiles, from: &str, to: &str) {
    let text = menu_text(files);
    assert_eq!(text.matches(from).count(), 1, "{from:?} appears once");
    std::fs::write(&files.menu, text.replacen(from, to, 1)).expect("menu saved");
}

async fn server_on(files: &MenuFiles, db: Option<&str>, watch: bool) -> TestServer {
    let mut config = files.config();
    config.watch_files = watch;
    if let Some(db) = db {
        config.db = db.to_string();
    }
    TestServer::start_with(config).await
}

/// Waits until the server's menu version is `version`.
async fn wait_for_version(server: &TestServer, version: i64) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while server.server.reloader().status().version != version {
        assert!(
            tokio::time::Instant::now() < deadline,
            "version {version} never went live"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the last attempt to switch was refused; its problems.
async fn wait_for_refusal(server: &TestServer, refusals: usize) -> hotline::live::Attempt {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let text = server.server.metrics().encode();
        let refused = format!("hotline_menu_reloads_total{{result=\"refused\"}} {refusals}");
        if text.contains(&refused) {
            let attempt = server.server.reloader().status().last_attempt;
            return attempt.expect("the refusal is the last attempt");
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the change was never refused"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A call in the query menu: welcome, main menu, 1 → 04.
async fn call_in_query_menu(server: &TestServer, caller: String) -> Call {
    let mut call = server.dial_from(&caller).await;
    call.press_keys("1", KeyMethod::Rfc4733)
        .await
        .expect("key sent");
    call.expect_prompts(&["zh/04"], HEAR)
        .await
        .expect("the query menu");
    call
}

/// From the query menu: 3 → 20 (installation), * → `query_prompt` (the query menu of the
/// menu version the call started with), then hang up.
async fn finish_in_query_menu(mut call: Call, query_prompt: &str) {
    call.press_keys("3", KeyMethod::Rfc4733)
        .await
        .expect("key sent");
    call.expect_prompts(&["zh/20"], HEAR)
        .await
        .expect("installation progress");
    call.press_keys("*", KeyMethod::Rfc4733)
        .await
        .expect("key sent");
    call.expect_prompts(&[query_prompt], HEAR)
        .await
        .expect("back in the query menu");
    call.hang_up().await.expect("BYE answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_edit_goes_live_during_twenty_calls_without_disturbing_them() {
    let files = MenuFiles::copy_bundled();
    let server = server_on(&files, None, true).await;
    let first = server.server.reloader().status().version;
    let calls =
        join_all((0..20).map(|n| call_in_query_menu(&server, format!("0551752{n:04}")))).await;

    // The edit is saved while the calls are pressing keys.
    let finishing = tokio::spawn({
        let calls = calls;
        async move {
            join_all(
                calls
                    .into_iter()
                    .map(|call| finish_in_query_menu(call, "zh/04")),
            )
            .await
        }
    });
    edit_menu(&files, QUERY_PROMPT, EDITED_QUERY_PROMPT);
    wait_for_version(&server, first + 1).await;
    finishing
        .await
        .expect("every old call finished on the menu it started with");

    let new_call = call_in_query_menu_expecting(&server, "zh/03").await;
    new_call.hang_up().await.expect("BYE answered");
    server.wait_active_calls(0).await;
    let metrics = server.server.metrics();
    assert_eq!(
        metrics.calls_ended(CallOutcome::HungUpByCaller),
        21,
        "no call was dropped"
    );
    assert_eq!(metrics.calls_ended(CallOutcome::Failed), 0);

    let status = server.server.reloader().status();
    let attempt = status.last_attempt.expect("an attempt");
    assert_eq!(
        (attempt.outcome, attempt.trigger.as_str()),
        (Outcome::Switched, "file change")
    );
    let versions = server
        .server
        .store()
        .menu_versions(10)
        .await
        .expect("versions");
    assert_eq!(versions.len(), 2, "startup and the edit");
    assert_eq!(versions[0].source, "file change");
    assert!(
        versions[0]
            .changes
            .contains("-    prompt: 04\n+    prompt: 03\n"),
        "{}",
        versions[0].changes
    );
}

/// A new call that presses 1 and hears `query_prompt`.
async fn call_in_query_menu_expecting(server: &TestServer, query_prompt: &str) -> Call {
    let mut call = server.dial_from("05517520999").await;
    call.press_keys("1", KeyMethod::Rfc4733)
        .await
        .expect("key sent");
    call.expect_prompts(&[query_prompt], HEAR)
        .await
        .expect("the query menu");
    call
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_menu_or_recording_is_refused_with_its_position_while_calls_go_on() {
    let files = MenuFiles::copy_bundled();
    let server = server_on(&files, None, true).await;
    let version = server.server.reloader().status().version;
    add_agent(&server.server, "8001", "operator", "op-secret").await;
    let call = call_in_query_menu(&server, "05517520001".to_string()).await;

    // An unknown target: refused, with the line and column of the mistake.
    let broken = "      3: {goto: install-kind}      # installation progress\n";
    let line = 1 + menu_text(&files)[..menu_text(&files).find(broken).expect("the line")]
        .matches('\n')
        .count();
    edit_menu(&files, broken, "      3: {goto: nowhere}\n");
    let attempt = wait_for_refusal(&server, 1).await;
    assert_eq!(attempt.outcome, Outcome::Refused);
    let problem = &attempt.problems[0];
    assert_eq!(
        (problem.file.as_path(), problem.line),
        (files.menu.as_path(), line),
        "{problem}"
    );
    assert!(problem.message.contains("nowhere"), "{problem}");
    let (status, body) = request_as(
        &server.server,
        Some(("8001", "op-secret")),
        "GET",
        "/api/menu/status",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], version);
    assert_eq!(body["last_attempt"]["outcome"], "refused");
    assert_eq!(body["last_attempt"]["problems"][0]["line"], line);

    // A recording that can't be decoded: refused where the menu first names it, with the
    // file and what is wrong with it.
    edit_menu(&files, "      3: {goto: nowhere}\n", broken);
    let recording = files.prompts.join("zh/20.wav");
    std::fs::write(&recording, b"RIFF, but not really a WAV").expect("written");
    let attempt = wait_for_refusal(&server, 2).await;
    assert!(
        attempt.problems.iter().any(|p| p.file == files.menu
            && p.message.contains(&recording.display().to_string())
            && p.message.contains("not a WAV")),
        "{:?}",
        attempt.problems
    );

    // The call in progress and a new call both still have the running version.
    finish_in_query_menu(call, "zh/04").await;
    let new_call = call_in_query_menu_expecting(&server, "zh/04").await;
    new_call.hang_up().await.expect("BYE answered");
    assert_eq!(server.server.reloader().status().version, version);
    server.wait_active_calls(0).await;
    assert_eq!(
        server
            .server
            .metrics()
            .calls_ended(CallOutcome::HungUpByCaller),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_reloads_and_rolls_back_through_the_api_on_every_backend() {
    for db in backends().await {
        println!("rollback on {}", db.backend);
        let files = MenuFiles::copy_bundled();
        let bundled = menu_text(&files);
        let server = server_on(&files, Some(&db.url), false).await;
        let server_ref = &server.server;
        add_agent(server_ref, "8001", "operator", "op-secret").await;
        add_agent(server_ref, "1001", "ordinary", "agent-secret").await;
        let operator = Some(("8001", "op-secret"));
        let first = server_ref.reloader().status().version;

        // Without the watcher, an edit waits for the reload.
        edit_menu(&files, QUERY_PROMPT, EDITED_QUERY_PROMPT);
        let (status, _) = request_as(server_ref, None, "POST", "/api/reload", None).await;
        assert_eq!(status, 401, "anonymous");
        let agent = Some(("1001", "agent-secret"));
        let (status, _) = request_as(server_ref, agent, "POST", "/api/reload", None).await;
        assert_eq!(status, 403, "an agent is not an operator");
        let (status, body) = request_as(server_ref, operator, "POST", "/api/reload", None).await;
        assert_eq!(
            (status, &body["outcome"]),
            (200, &"switched".into()),
            "{body}"
        );
        assert_eq!(body["version"], first + 1);
        let (_, body) = request_as(server_ref, operator, "POST", "/api/reload", None).await;
        assert_eq!(
            body["outcome"], "unchanged",
            "a reload with nothing new changes nothing"
        );
        let call = call_in_query_menu_expecting(&server, "zh/03").await;
        call.hang_up().await.expect("BYE answered");

        // Back to the first version.
        let rollback = format!("/api/menu/versions/{first}/rollback");
        let (status, _) = request_as(server_ref, agent, "POST", &rollback, None).await;
        assert_eq!(status, 403, "an agent can't roll back");
        let (status, body) = request_as(server_ref, operator, "POST", &rollback, None).await;
        assert_eq!(
            (status, &body["outcome"]),
            (200, &"switched".into()),
            "{body}"
        );
        assert_eq!(
            menu_text(&files),
            bundled,
            "the file on disk is the first version again"
        );
        let call = call_in_query_menu_expecting(&server, "zh/04").await;
        call.hang_up().await.expect("BYE answered");
        let (status, body) =
            request_as(server_ref, operator, "GET", "/api/menu/versions", None).await;
        assert_eq!(status, 200);
        let newest = &body[0];
        assert_eq!(newest["version"], first + 2);
        assert_eq!(newest["same_as"], first);
        assert_eq!(
            newest["source"],
            format!("rollback to version {first} by 8001")
        );
        assert_eq!(body[1]["source"], "reload by 8001");
        let path = format!("/api/menu/versions/{}", first + 1);
        let (status, body) = request_as(server_ref, agent, "GET", &path, None).await;
        assert_eq!(status, 200, "any agent may read the history");
        assert!(body["menu_text"]
            .as_str()
            .is_some_and(|text| text.contains("prompt: 03")));
        assert!(body["version"]["changes"]
            .as_str()
            .is_some_and(|c| c.contains("+    prompt: 03")));
        let (status, _) = request_as(
            server_ref,
            operator,
            "POST",
            "/api/menu/versions/999/rollback",
            None,
        )
        .await;
        assert_eq!(status, 404);
        let (status, _) =
            request_as(server_ref, operator, "GET", "/api/menu/versions/x", None).await;
        assert_eq!(status, 400);
        server.wait_active_calls(0).await;
        server.server.shutdown().await;
        db.finish().await;
    }
}
