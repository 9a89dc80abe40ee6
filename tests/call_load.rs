//! Fifty calls at once, each walking a short path with RFC 4733 keys and hanging up.

mod common;

use common::{key, TestServer, HEAR};
use hotline::caller::{Call, CallerConfig, KeyMethod};
use hotline::sip::Transport;
use tokio::task::JoinSet;

const CALLS: usize = 50;

async fn short_walk(config: CallerConfig) -> Result<(), String> {
    let mut call = Call::dial(config).await.map_err(|e| format!("dial: {e}"))?;
    let steps: [(Option<char>, &[&str]); 3] = [
        (None, &["zh/01", "zh/02"]),
        (Some('3'), &["zh/06"]),
        (Some('*'), &["zh/02"]),
    ];
    for (k, prompts) in steps {
        if let Some(k) = k {
            call.press(key(k), KeyMethod::Rfc4733)
                .await
                .map_err(|e| format!("key {k}: {e}"))?;
        }
        call.expect_prompts(prompts, HEAR)
            .await
            .map_err(|e| format!("{prompts:?}: {e}"))?;
    }
    call.hang_up().await.map_err(|e| format!("BYE: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_calls_at_once_each_walk_a_short_path() {
    let server = TestServer::start().await;
    let mut calls = JoinSet::new();
    for _ in 0..CALLS {
        calls.spawn(short_walk(server.caller(Transport::Udp)));
    }
    let mut failures = Vec::new();
    while let Some(result) = calls.join_next().await {
        if let Err(e) = result.map_err(|e| e.to_string()).and_then(|r| r) {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {CALLS} calls failed: {failures:#?}",
        failures.len()
    );
    server.wait_active_calls(0).await;
}
