//! Callers and agents over loopback (issue 6): an agent's phone registers with digest
//! authentication and the agent says "ready" over the API; a caller presses 0, hears 05,
//! 13 and the hold music; the agent's phone rings with the call's context in its INVITE,
//! answers, the caller hears 30 with the agent's work number, audio and keys go both ways
//! through the bridge, and a hang-up on either side ends both. A ring that is not
//! answered sends the caller back to the head of the queue and the agent to not ready; a
//! queue with nobody logged in plays 12 and keeps a call-back request. Each scenario runs
//! on SQLite, and on PostgreSQL too when `DATABASE_URL` names one.

mod common;
#[path = "store_common/mod.rs"]
mod store_common;

use std::path::Path;
use std::time::Duration;

use chrono::Utc;
use common::agents::{add_centre, phone, SUPERVISOR};
use common::{key, TestServer, HEAR, WAIT};
use hotline::caller::{Call, KeyMethod};
use hotline::media::G711;
use hotline::server::ServerConfig;
use hotline::store::CallbackState;
use serde_json::Value;
use store_common::api::send_as;
use store_common::{backends, TestDb};
use tokio::time::Instant;

const CALLER: &str = "075512345678";
const PASSWORD: &str = "seat-pass-1";

/// A server on `db` whose queues ring for `ring_timeout`, with agents 1001 and 1002
/// (ordinary) and the supervisor 9001.
async fn server_on(db: &TestDb, ring_timeout: &str) -> (TestServer, tempfile::TempDir) {
    server_with(db, ring_timeout, "30s").await
}

/// [`server_on`], with the caller's place announced every `announce_every`.
async fn server_with(
    db: &TestDb,
    ring_timeout: &str,
    announce_every: &str,
) -> (TestServer, tempfile::TempDir) {
    configured(
        db,
        &[
            ("ring_timeout", ring_timeout),
            ("announce_every", announce_every),
        ],
    )
    .await
}

/// [`server_on`], with the queues open during `hours` only.
async fn server_with_hours(db: &TestDb, hours: &str) -> (TestServer, tempfile::TempDir) {
    configured(db, &[("hours", hours)]).await
}

/// A server whose `queues.yaml` has the top-level `settings` changed.
async fn configured(db: &TestDb, settings: &[(&str, &str)]) -> (TestServer, tempfile::TempDir) {
    configured_with(db, settings, |queues| queues).await
}

/// [`configured`], with `edit` applied to the whole `queues.yaml` text too.
async fn configured_with(
    db: &TestDb,
    settings: &[(&str, &str)],
    edit: impl FnOnce(String) -> String,
) -> (TestServer, tempfile::TempDir) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config_dir = tempfile::tempdir().expect("a config folder");
    for entry in std::fs::read_dir(root.join("config")).expect("config/") {
        let path = entry.expect("an entry").path();
        let target = config_dir.path().join(path.file_name().expect("a name"));
        std::fs::copy(&path, target).expect("copied");
    }
    let queues = std::fs::read_to_string(root.join("config/queues.yaml")).expect("queues.yaml");
    let queues = (settings.iter()).fold(queues, |text, (name, value)| {
        set_setting(&text, name, value)
    });
    std::fs::write(config_dir.path().join("queues.yaml"), edit(queues)).expect("written");
    let mut config = ServerConfig::for_tests(root);
    config.db = db.url.clone();
    config.tickets_config = config_dir.path().to_path_buf();
    let server = TestServer::start_with(config).await;
    add_centre(&server.server, PASSWORD).await;
    (server, config_dir)
}

/// `text` with the top-level setting `name` given `value`.
fn set_setting(text: &str, name: &str, value: &str) -> String {
    let prefix = format!("{name}:");
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            if line.starts_with(&prefix) {
                format!("{name}: {value}")
            } else {
                line.to_string()
            }
        })
        .collect();
    assert!(
        lines.iter().any(|l| l == &format!("{name}: {value}")),
        "{name} in queues.yaml"
    );
    lines.join("\n") + "\n"
}

/// The agent's button over the API; the state the seat is in afterwards.
async fn press(server: &TestServer, work_number: &str, state: &str) -> String {
    let body = format!(r#"{{"state": "{state}"}}"#);
    let login = Some((work_number, PASSWORD));
    let answer = send_as(
        &server.server,
        login,
        "POST",
        "/api/agent/state",
        Some(&body),
    )
    .await;
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    answer.json()["state"]
        .as_str()
        .expect("a state")
        .to_string()
}

/// What the supervisor sees: the queues and the agents.
async fn supervisor_view(server: &TestServer) -> Value {
    let login = Some((SUPERVISOR, PASSWORD));
    let answer = send_as(&server.server, login, "GET", "/api/queues", None).await;
    assert_eq!(answer.status, 200);
    answer.json()
}

fn agent_state(view: &Value, work_number: &str) -> String {
    let agents = view["agents"].as_array().expect("agents");
    let agent = agents.iter().find(|a| a["work_number"] == work_number);
    agent.map_or("logged-out".into(), |a| {
        a["state"].as_str().unwrap_or_default().into()
    })
}

/// Waits until the prompts heard, without the hold music, end with `expected`.
async fn hear(call: &mut Call, expected: &[&str], within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let heard: Vec<String> = (call.heard().iter())
            .filter(|p| *p != "music/hold")
            .cloned()
            .collect();
        if heard.ends_with(&expected.iter().map(|p| p.to_string()).collect::<Vec<_>>()) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "expected {expected:?} last, heard {heard:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A caller who pressed 0 and hears 05 and 13.
async fn caller_waiting(server: &TestServer) -> Call {
    let mut call = server.dial_from(CALLER).await;
    call.press(key('0'), KeyMethod::Rfc4733)
        .await
        .expect("pressed");
    hear(&mut call, &["zh/05", "zh/13"], HEAR).await;
    call
}

async fn answered_and_bridged(db: &TestDb) {
    let (server, _config) = server_on(db, "15s").await;
    let mut agent_phone = phone(&server, "1001", PASSWORD).await;
    assert_eq!(press(&server, "1001", "ready").await, "ready");
    let mut call = caller_waiting(&server).await;

    let invite = agent_phone
        .next_invite(WAIT)
        .await
        .expect("the phone rings");
    let from = invite.header("From").expect("a From");
    assert!(from.contains(CALLER), "From shows the caller: {from}");
    assert_eq!(invite.header("X-Hotline-Caller"), Some(CALLER));
    let call_info = invite.header("Call-Info").expect("a Call-Info");
    assert!(call_info.contains("/console/calls/"), "{call_info}");
    assert_eq!(
        agent_state(&supervisor_view(&server).await, "1001"),
        "ringing"
    );
    // The call's card: who calls, how they came through the menu, where it stands.
    let login = Some((SUPERVISOR, PASSWORD));
    let cards = send_as(&server.server, login, "GET", "/api/calls", None).await;
    let card = &cards.json()["calls"][0];
    assert_eq!(card["caller"], CALLER);
    assert_eq!(card["stage"], "ringing");
    assert_eq!(card["agent"], "1001");
    assert_eq!(card["queue"], "general");
    let path: Vec<&str> = (card["path"].as_array().expect("a path").iter())
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(path, ["menu main", "key 0"]);

    let mut agent_call = invite.answer(G711::Alaw).await.expect("answered");
    let with_number = [
        "zh/digit-1",
        "zh/digit-0",
        "zh/digit-0",
        "zh/digit-1",
        "zh/30",
    ];
    hear(&mut call, &with_number, HEAR).await;
    assert_eq!(
        agent_state(&supervisor_view(&server).await, "1001"),
        "talking"
    );
    let metrics = server.server.metrics().encode();
    for series in [
        r#"hotline_agents{state="talking"} 1"#,
        r#"hotline_agents{state="ready"} 0"#,
        r#"hotline_queue_callers{queue="general"} 0"#,
        r#"hotline_queue_wait_seconds_count{queue="general",end="answered"} 1"#,
        r#"hotline_menu_node_visits_total{node="main"} 1"#,
    ] {
        assert!(metrics.contains(series), "{series} in {metrics}");
    }

    // Audio both ways through the bridge (the caller is µ-law, the agent A-law), and
    // the caller's keys reach the agent as telephone-events. The bridge starts when 30
    // has played to its end; the caller's tone outlasts it.
    call.send_tone(1000.0, Duration::from_secs(4));
    agent_call
        .expect_tone(1000.0, WAIT)
        .await
        .expect("the caller's voice reaches the agent");
    agent_call.send_tone(700.0, Duration::from_millis(600));
    call.expect_tone(700.0, WAIT)
        .await
        .expect("the agent's voice reaches the caller");
    call.press(key('5'), KeyMethod::Rfc4733)
        .await
        .expect("pressed");
    agent_call
        .expect_key(key('5'), WAIT)
        .await
        .expect("the key is relayed");

    // The agent hangs up: the caller's leg ends too, and the seat goes to wrap-up.
    agent_call.hang_up().await.expect("hung up");
    call.wait_for_bye(WAIT)
        .await
        .expect("the caller's leg ends");
    assert_eq!(
        agent_state(&supervisor_view(&server).await, "1001"),
        "wrap-up"
    );
    let view = supervisor_view(&server).await;
    let general = &view["queues"][0];
    assert_eq!(general["name"], "general");
    assert_eq!(general["answered_within_threshold"], 1);
}

#[tokio::test]
async fn an_agent_answers_a_caller_and_they_talk_through_the_bridge() {
    for db in backends().await {
        answered_and_bridged(&db).await;
    }
}

async fn caller_hangs_up_on_the_agent(db: &TestDb) {
    let (server, _config) = server_on(db, "15s").await;
    let mut agent_phone = phone(&server, "1002", PASSWORD).await;
    press(&server, "1002", "ready").await;
    let call = caller_waiting(&server).await;
    let invite = agent_phone
        .next_invite(WAIT)
        .await
        .expect("the phone rings");
    let mut agent_call = invite.answer(G711::Ulaw).await.expect("answered");
    tokio::time::sleep(Duration::from_millis(300)).await;
    call.hang_up().await.expect("the caller hangs up");
    agent_call
        .wait_hung_up(WAIT)
        .await
        .expect("the agent's leg ends too");
}

#[tokio::test]
async fn a_caller_hanging_up_ends_the_agents_leg() {
    for db in backends().await {
        caller_hangs_up_on_the_agent(&db).await;
    }
}

async fn ring_no_answer(db: &TestDb) {
    let (server, _config) = server_on(db, "2s").await;
    let mut first = phone(&server, "1001", PASSWORD).await;
    press(&server, "1001", "ready").await;
    let mut call = caller_waiting(&server).await;
    let invite = first
        .next_invite(WAIT)
        .await
        .expect("the first phone rings");
    invite
        .wait_cancel(WAIT)
        .await
        .expect("cancelled after the ring timeout");
    let view = supervisor_view(&server).await;
    assert_eq!(agent_state(&view, "1001"), "not-ready");
    assert_eq!(view["queues"][0]["waiting"], 1, "the caller waits again");

    // The next agent who is ready gets the caller at once.
    let mut second = phone(&server, "1002", PASSWORD).await;
    press(&server, "1002", "ready").await;
    let invite = second
        .next_invite(WAIT)
        .await
        .expect("the second phone rings");
    let _agent_call = invite.answer(G711::Ulaw).await.expect("answered");
    hear(
        &mut call,
        &[
            "zh/digit-1",
            "zh/digit-0",
            "zh/digit-0",
            "zh/digit-2",
            "zh/30",
        ],
        HEAR,
    )
    .await;
}

#[tokio::test]
async fn a_ring_nobody_answers_requeues_the_caller_and_sets_the_agent_not_ready() {
    for db in backends().await {
        ring_no_answer(&db).await;
    }
}

async fn nobody_logged_in(db: &TestDb) {
    let (server, _config) = server_on(db, "15s").await;
    let mut call = server.dial_from(CALLER).await;
    call.press(key('0'), KeyMethod::Rfc4733)
        .await
        .expect("pressed");
    call.expect_prompts(&["zh/05", "zh/12", "zh/queue-callback-taken"], HEAR)
        .await
        .expect("busy, and a call-back is promised");
    call.wait_for_bye(WAIT).await.expect("the call ends");
    let store = server.server.store();
    let open = (store.callbacks(Some(CallbackState::Open), None))
        .await
        .expect("call-backs");
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].callback_number, CALLER);
    assert_eq!(open[0].queue, "general");
    assert_eq!(open[0].reason.to_string(), "no-agents");
    // Supervisors see it over the API; agents may not.
    let login = Some((SUPERVISOR, PASSWORD));
    let answer = send_as(
        &server.server,
        login,
        "GET",
        "/api/callbacks?state=open",
        None,
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["callbacks"][0]["callback_number"], CALLER);
    let login = Some(("1001", PASSWORD));
    let answer = send_as(&server.server, login, "GET", "/api/callbacks", None).await;
    assert_eq!(answer.status, 403);
    let answer = send_as(&server.server, None, "GET", "/api/queues", None).await;
    assert_eq!(answer.status, 401);
    assert!(answer
        .header("WWW-Authenticate")
        .is_some_and(|c| c.starts_with("Basic")));
    let login = Some(("1001", "wrong"));
    let answer = send_as(
        &server.server,
        login,
        "POST",
        "/api/agent/state",
        Some(r#"{"state":"ready"}"#),
    )
    .await;
    assert_eq!(answer.status, 401);
}

#[tokio::test]
async fn a_queue_nobody_can_answer_plays_12_and_keeps_a_call_back_request() {
    for db in backends().await {
        nobody_logged_in(&db).await;
    }
}

async fn caller_asks_for_a_call_back(db: &TestDb) {
    let (server, _config) = server_with(db, "15s", "2s").await;
    // Logged in but not ready: the caller waits, first in line.
    let login = Some(("1001", PASSWORD));
    let body = r#"{"state": "not-ready", "reason": "training"}"#;
    let answer = send_as(
        &server.server,
        login,
        "POST",
        "/api/agent/state",
        Some(body),
    )
    .await;
    assert_eq!(answer.json()["state"], "not-ready");
    let mut call = caller_waiting(&server).await;
    hear(
        &mut call,
        &["zh/queue-first", "zh/queue-callback-offer"],
        HEAR,
    )
    .await;
    // The waiting caller is in the store too, first in the general queue.
    let store = server.server.store();
    let waiting = store.queue_callers().await.expect("queue callers");
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(
        (waiting[0].call_id.as_str(), waiting[0].caller.as_str()),
        (call.call_id(), CALLER)
    );
    assert_eq!(
        (waiting[0].queue.as_str(), waiting[0].place),
        ("general", Some(1))
    );
    call.press(key('1'), KeyMethod::Rfc4733)
        .await
        .expect("pressed");
    hear(&mut call, &["zh/queue-callback-taken"], HEAR).await;
    call.wait_for_bye(WAIT).await.expect("the call ends");
    let open = (store.callbacks(Some(CallbackState::Open), None))
        .await
        .expect("call-backs");
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].reason.to_string(), "caller-asked");
    let deadline = Instant::now() + WAIT;
    while !store
        .queue_callers()
        .await
        .expect("queue callers")
        .is_empty()
    {
        assert!(
            Instant::now() < deadline,
            "the caller who left is still in the store"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(open[0].waited_ms >= 2000, "{open:?}");
    let view = supervisor_view(&server).await;
    assert_eq!(view["queues"][0]["waiting"], 0);
    assert_eq!(view["queues"][0]["abandoned"], 1);
}

#[tokio::test]
async fn a_waiting_caller_hears_their_place_and_can_leave_a_call_back_request() {
    for db in backends().await {
        caller_asks_for_a_call_back(&db).await;
    }
}

async fn outside_opening_hours(db: &TestDb) {
    // Open for one hour, starting two hours from now (local time of holidays.yaml).
    let local = Utc::now() + chrono::Duration::hours(8);
    let from = local + chrono::Duration::hours(2);
    let to = from + chrono::Duration::hours(1);
    let hours = format!("\"{}-{}\"", from.format("%H:00"), to.format("%H:00"));
    let (server, _config) = server_with_hours(db, &hours).await;
    press(&server, "1001", "ready").await;
    let mut call = server.dial_from(CALLER).await;
    call.press(key('0'), KeyMethod::Rfc4733)
        .await
        .expect("pressed");
    call.expect_prompts(&["zh/05", "zh/queue-closed"], HEAR)
        .await
        .expect("closed: a call-back is promised");
    call.wait_for_bye(WAIT).await.expect("the call ends");
    let open = (server
        .server
        .store()
        .callbacks(Some(CallbackState::Open), None))
    .await
    .expect("call-backs");
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].reason.to_string(), "closed");
}

#[tokio::test]
async fn outside_the_opening_hours_a_caller_leaves_a_call_back_request() {
    for db in backends().await {
        outside_opening_hours(&db).await;
    }
}

async fn external_acd(db: &TestDb) {
    let general = "  general:\n";
    let acd = "sip:acd@127.0.0.1:5999";
    let with_acd = |queues: String| {
        assert!(queues.contains(general), "a general queue in queues.yaml");
        queues.replace(general, &format!("{general}    refer_to: {acd}\n"))
    };
    let (server, _config) = configured_with(db, &[], with_acd).await;
    let mut call = server.dial_from(CALLER).await;
    call.press(key('0'), KeyMethod::Rfc4733)
        .await
        .expect("pressed");
    let refer_to = call.wait_for_refer(HEAR).await.expect("a REFER to the ACD");
    let target = refer_to.trim_matches(['<', '>']);
    assert!(target.starts_with(&format!("{acd}?")), "{refer_to}");
    assert!(
        target.contains(&format!("X-Hotline-Caller={CALLER}")),
        "{refer_to}"
    );
    assert!(target.contains("&Call-Info=%3Chttp%3A%2F%2F"), "{refer_to}");
    call.notify_transfer(200).await.expect("NOTIFY answered");
    call.wait_for_bye(WAIT)
        .await
        .expect("handed over, the server hangs up");
}

#[tokio::test]
async fn a_queue_kept_by_an_external_acd_hands_the_caller_over_by_refer_with_the_context() {
    for db in backends().await {
        external_acd(&db).await;
    }
}
