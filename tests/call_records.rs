//! Call records of real calls over loopback (issue 7): a caller who presses a wrong key
//! and hangs up, one who files a fault ticket and hangs up after its serial, one who
//! lets the menu time out until its goodbye, one who cancels before the answer and one
//! refused with 488. Each call leaves one record in the store, written by the server
//! after the call, with its path, outcome, tickets and menu version. On SQLite only: the
//! store tests cover PostgreSQL, and calls are slow.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{walk, wrong_key, TestServer, HEAR, WAIT};
use hotline::caller::{Call, CallError, CancelOutcome};
use hotline::records::{CallRecord, RecordOutcome};
use hotline::server::ServerConfig;
use hotline::sip::Transport;
use hotline::store::Which;
use hotline::tickets::model::{Line, LineKind, LineStatus, Tier};
use tokio::time::Instant;

const OWN_LINE: &str = "05512345678";

/// The menu version the server has in service (the one it recorded at startup).
fn live_version(server: &TestServer) -> i64 {
    server.server.reloader().status().version
}

/// The bundled menu with a 2 s no-input timeout and a goodbye after too many, and the
/// caller's own line in the store.
async fn server() -> (TestServer, tempfile::TempDir) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bundled = std::fs::read_to_string(root.join("menus/hotline.yaml")).expect("menu");
    let edits = [
        ("  timeout: 5s ", "  timeout: 2s "),
        ("on_too_many: {transfer: agent}", "on_too_many: hangup"),
    ];
    let mut menu = bundled.clone();
    for (from, to) in edits {
        assert!(
            menu.contains(from),
            "the bundled menu no longer says {from:?}"
        );
        menu = menu.replace(from, to);
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hotline.yaml");
    std::fs::write(&path, menu).expect("write menu");
    let mut config = ServerConfig::for_tests(root);
    config.menu = path;
    let server = TestServer::start_with(config).await;
    let line = Line {
        number: OWN_LINE.to_string(),
        kind: LineKind::Landline,
        status: LineStatus::Active,
        tier: Tier::Ordinary,
        big_customer: false,
        leased_line: false,
        prefecture: "jinghe".to_string(),
        owner_name: "用户78".to_string(),
        contact_phone: None,
        contract_number: None,
    };
    server
        .server
        .store()
        .upsert_lines(&[line])
        .await
        .expect("line");
    (server, dir)
}

/// The record of the call `call_id`, once the server has written it.
async fn record_of(server: &TestServer, call_id: &str) -> CallRecord {
    record_once(server, |r| r.call_id == call_id).await
}

/// The one record `mine` picks, once the server has written it; panics on a second.
async fn record_once(server: &TestServer, mine: impl Fn(&CallRecord) -> bool) -> CallRecord {
    let deadline = Instant::now() + WAIT;
    let now = chrono::Utc::now();
    let (from, to) = (
        now - chrono::Duration::days(1),
        now + chrono::Duration::days(1),
    );
    let store = server.server.store();
    loop {
        let records = store.call_records(from, to).await.expect("records");
        let mut picked: Vec<CallRecord> = records.into_iter().filter(|r| mine(r)).collect();
        assert!(picked.len() <= 1, "one record per call: {picked:#?}");
        if let Some(record) = picked.pop() {
            return record;
        }
        assert!(Instant::now() < deadline, "no record");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn steps(record: &CallRecord) -> Vec<&str> {
    record.path.iter().map(String::as_str).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_call_leaves_one_record_with_its_path_outcome_and_tickets() {
    let (server, _menu) = server().await;

    // A wrong key, then the caller hangs up.
    let mut call = server.dial_from(OWN_LINE).await;
    wrong_key(&mut call).await;
    let call_id = call.call_id().to_string();
    call.hang_up().await.expect("BYE answered");
    let record = record_of(&server, &call_id).await;
    assert_eq!(steps(&record), ["menu main", "wrong key 9"]);
    assert_eq!(record.outcome, RecordOutcome::HungUpInMenu);
    assert_eq!(
        (record.caller.as_str(), record.menu_version),
        (OWN_LINE, live_version(&server))
    );
    let answered = record.answered_at.expect("answered");
    assert!(
        record.started_at <= answered && answered <= record.ended_at,
        "{record:#?}"
    );
    assert!(record.tickets.is_empty() && record.queue.is_none());

    // A fault on the caller's own line; the caller hangs up after the serial.
    let mut call = server.dial_from(OWN_LINE).await;
    walk(
        &mut call,
        &[
            ("3", &["zh/06"]),
            ("1", &["zh/fault-product"]),
            ("1", &["zh/whose-number"]),
            ("1", &["zh/phenomenon-telephone"]),
            ("2", &["zh/describe", "zh/beep"]),
            ("#", &["zh/contact-number"]),
            ("#", &["zh/31"]),
        ],
    )
    .await;
    let tickets = (server
        .server
        .store()
        .tickets_for_number(OWN_LINE, Which::Active))
    .await
    .expect("tickets");
    assert_eq!(tickets.len(), 1, "{tickets:#?}");
    let serial = tickets[0].serial.as_str().to_string();
    let call_id = call.call_id().to_string();
    call.hang_up().await.expect("BYE answered");
    let record = record_of(&server, &call_id).await;
    assert_eq!(record.outcome, RecordOutcome::TicketCreated);
    assert_eq!(record.tickets, vec![serial]);
    assert_eq!(
        steps(&record)[..3],
        ["menu main", "key 3", "menu fault"],
        "{record:#?}"
    );

    // No key at all: three timeouts, 08, the goodbye and the server's BYE.
    let mut call = server.dial_from(OWN_LINE).await;
    for heard in [["zh/10", "zh/02"], ["zh/10", "zh/02"], ["zh/08", "zh/09"]] {
        call.expect_prompts(&heard, HEAR)
            .await
            .expect("timeouts, then goodbye");
    }
    call.wait_for_bye(HEAR).await.expect("the server hangs up");
    let record = record_of(&server, call.call_id()).await;
    assert_eq!(
        steps(&record),
        ["menu main", "timeout", "timeout", "timeout"]
    );
    assert_eq!(record.outcome, RecordOutcome::TimedOut);
    assert_eq!(record.menu_version, live_version(&server));

    server.server.shutdown().await;
}

/// The server answers at once, so the CANCEL may come after the 200 OK: then the caller
/// hangs up in the menu instead. Either way the call leaves one record; so does a call
/// refused with 488.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_and_rejected_calls_leave_a_record_too() {
    let server = TestServer::start().await;
    let cancelled = Call::dial_and_cancel(server.caller(Transport::Udp)).await;
    let expected = match cancelled.expect("a final response") {
        CancelOutcome::Cancelled { .. } => RecordOutcome::Cancelled,
        CancelOutcome::Answered(call) => {
            call.hang_up().await.expect("BYE answered");
            RecordOutcome::HungUpInMenu
        }
    };
    let record = record_once(&server, |_| true).await;
    assert_eq!(record.outcome, expected, "{record:#?}");
    if expected == RecordOutcome::Cancelled {
        assert_eq!((record.answered_at, record.path.len()), (None, 0));
    }
    assert_eq!(record.menu_version, live_version(&server));

    let mut no_g711 = server.caller(Transport::Udp);
    no_g711.codecs = Vec::new();
    let refused = Call::dial(no_g711).await;
    assert!(matches!(refused, Err(CallError::Rejected { status: 488 })));
    let rejected = record_once(&server, |r| r.outcome == RecordOutcome::Rejected).await;
    assert_eq!((rejected.answered_at, rejected.path.len()), (None, 0));
    assert_eq!(rejected.menu_version, live_version(&server));
    server.server.shutdown().await;
}
