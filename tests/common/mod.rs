//! Shared by the `call_*` integration tests: an in-process server on ephemeral loopback
//! ports, caller configurations that recognise its prompts, and its `/metrics`.
#![allow(dead_code)] // each test binary uses its own part of this module

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hotline::caller::{CallerConfig, PromptIndex};
use hotline::server::{RunningServer, ServerConfig};
use hotline::sip::Transport;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// Generous bound for anything a loaded CI machine should finish in a few seconds.
pub const WAIT: Duration = Duration::from_secs(30);
/// Bound for a prompt to be identified: the longest prompt plus a menu timeout, with room.
pub const HEAR: Duration = Duration::from_secs(60);

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

    /// The server's `/metrics` text.
    pub async fn metrics(&self) -> String {
        let mut stream = TcpStream::connect(self.server.http)
            .await
            .expect("connect to the HTTP port");
        let request = format!(
            "GET /metrics HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.server.http
        );
        stream
            .write_all(request.as_bytes())
            .await
            .expect("send GET");
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .await
            .expect("read /metrics");
        response
    }

    /// The active-calls gauge from `/metrics`.
    pub async fn active_calls(&self) -> u64 {
        let metrics = self.metrics().await;
        metrics
            .lines()
            .filter(|line| !line.starts_with('#'))
            .find_map(|line| {
                let (name, value) = line.rsplit_once(' ')?;
                let name = name.split('{').next()?;
                name.ends_with("active_calls")
                    .then(|| value.trim().parse::<f64>().ok())
                    .flatten()
            })
            .unwrap_or_else(|| panic!("no active_calls gauge in /metrics:\n{metrics}"))
            as u64
    }

    /// Waits until the active-calls gauge reads `n` (the server updates it when a call
    /// ends, which the caller cannot observe directly); panics after `WAIT`.
    pub async fn wait_active_calls(&self, n: u64) {
        let deadline = Instant::now() + WAIT;
        loop {
            let now = self.active_calls().await;
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
