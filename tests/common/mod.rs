//! Shared by the `call_*` integration tests: an in-process server on ephemeral loopback
//! ports, caller configurations that recognise its prompts, and its active calls.
#![allow(dead_code)] // each test binary uses its own part of this module

pub mod agents;
pub mod files;
pub mod log;
pub mod process;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hotline::caller::{Call, CallerConfig, KeyMethod, PromptIndex};
use hotline::media::Key;
use hotline::server::{RunningServer, ServerConfig};
use hotline::sip::Transport;
use hotline::tickets::model::Line;
use tokio::time::Instant;

/// Generous bound for anything a loaded CI machine should finish in a few seconds.
pub const WAIT: Duration = Duration::from_secs(30);
/// Bound for a prompt to be identified: the longest prompt plus a menu timeout, with room.
pub const HEAR: Duration = Duration::from_secs(60);

/// The DTMF key `c`.
pub fn key(c: char) -> Key {
    Key::from_char(c).expect("a DTMF key")
}

pub struct TestServer {
    pub server: RunningServer,
    pub prompts: Arc<PromptIndex>,
}

impl TestServer {
    /// Starts the server with the bundled menu and prompts on ephemeral ports.
    pub async fn start() -> TestServer {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        TestServer::start_with(ServerConfig::for_tests(root)).await
    }

    /// Starts the server with the bundled menu on the database at `db`, with `lines`.
    pub async fn with_lines(db: &str, lines: &[Line]) -> TestServer {
        let mut config = ServerConfig::for_tests(Path::new(env!("CARGO_MANIFEST_DIR")));
        config.db = db.to_string();
        let server = TestServer::start_with(config).await;
        let store = server.server.store();
        store.upsert_lines(lines).await.expect("lines");
        server
    }

    /// Dials from `caller` over UDP and waits for the welcome and the main menu.
    pub async fn dial_from(&self, caller: &str) -> Call {
        let mut config = self.caller(Transport::Udp);
        config.caller_number = caller.to_string();
        let mut call = Call::dial(config).await.expect("answered");
        call.expect_prompts(&["zh/01", "zh/02"], HEAR)
            .await
            .expect("welcome and main menu");
        call
    }

    /// Starts the server with `config`.
    pub async fn start_with(config: ServerConfig) -> TestServer {
        let server = hotline::server::start(config).await.expect("server starts");
        let prompts = Arc::new(PromptIndex::new(&server.prompts()));
        TestServer { server, prompts }
    }

    /// A caller for this server over `transport` that recognises its prompts.
    pub fn caller(&self, transport: Transport) -> CallerConfig {
        let mut config = CallerConfig::new(self.server.sip, transport);
        config.prompts = Some(Arc::clone(&self.prompts));
        config
    }

    /// Dials this server with its default caller over `transport`; panics unless answered.
    pub async fn dial(&self, transport: Transport) -> Call {
        Call::dial(self.caller(transport)).await.expect("answered")
    }

    /// The server's active-calls gauge (the one `/metrics` shows).
    pub fn active_calls(&self) -> i64 {
        self.server.metrics().active_calls.get()
    }

    /// Waits until the active-calls gauge reads `n` (the server updates it when a call
    /// ends, which the caller cannot observe directly); panics after `WAIT`.
    pub async fn wait_active_calls(&self, n: i64) {
        let deadline = Instant::now() + WAIT;
        loop {
            let now = self.active_calls();
            if now == n {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "active calls stayed {now}, expected {n}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Presses 9, a key the main menu does not know; hears 11 and the menu again.
pub async fn wrong_key(call: &mut Call) {
    call.press(key('9'), KeyMethod::Rfc4733)
        .await
        .expect("key sent");
    call.expect_prompts(&["zh/11", "zh/02"], HEAR)
        .await
        .expect("invalid, menu again");
}

/// Presses each step's keys (RFC 4733) and expects the prompts that follow them.
pub async fn walk(call: &mut Call, steps: &[(&str, &[&str])]) {
    for (keys, prompts) in steps {
        call.press_keys(keys, KeyMethod::Rfc4733)
            .await
            .expect("keys sent");
        call.expect_prompts(prompts, HEAR)
            .await
            .unwrap_or_else(|e| panic!("after {keys:?}: {e}"));
    }
}

/// Runs `scenario` against a fresh server on every backend of `backends()` (in scope
/// where it is used), the server made by `server_on(&db)`.
#[allow(unused_macros)] // used by the call tests that run on every backend
macro_rules! on_every_backend {
    ($server_on:ident, $scenario:ident) => {
        for db in backends().await {
            let server = $server_on(&db).await;
            println!("{} on {}", stringify!($scenario), db.backend);
            $scenario(&server).await;
            server.server.shutdown().await;
            db.finish().await;
        }
    };
}
#[allow(unused_imports)] // used by the call tests that run on every backend
pub(crate) use on_every_backend;
