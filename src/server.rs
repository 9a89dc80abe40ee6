//! Starts the server: loads the menu and prompts, binds SIP (UDP and TCP) and HTTP, and
//! runs the switchboard. [`start`] is what `hotline serve` and the tests call.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{bail, Context};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::call::{switchboard, CallContext, RtpPorts};
pub use crate::config::ServerConfig;
use crate::menu::Menu;
use crate::metrics::Metrics;
use crate::prompts::PromptStore;
use crate::sip::transport::SipSockets;
use crate::sip::{Endpoint, EndpointConfig};

/// Inbound SIP messages queued for the endpoint before the sockets wait.
const INBOUND_QUEUE: usize = 4096;

/// A server that is running; dropping it (or [`RunningServer::shutdown`]) stops it.
pub struct RunningServer {
    /// The SIP address (UDP and TCP).
    pub sip: SocketAddr,
    /// The HTTP address.
    pub http: SocketAddr,
    metrics: Arc<Metrics>,
    prompts: PromptStore,
    tasks: JoinSet<()>,
}

impl RunningServer {
    /// The prompts the server plays (tests compare what they hear with these).
    pub fn prompts(&self) -> PromptStore {
        self.prompts.clone()
    }

    /// The server's metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Stops every task of the server, calls included.
    pub async fn shutdown(mut self) {
        self.tasks.shutdown().await;
    }
}

/// Loads the menu and prompts and starts serving.
pub async fn start(config: ServerConfig) -> anyhow::Result<RunningServer> {
    let menu = load_menu(&config)?;
    let prompts = load_prompts(&config)?;
    let missing: Vec<String> = menu
        .prompt_refs()
        .into_iter()
        .filter(|(name, _)| prompts.get(name).is_none())
        .map(|(name, at)| {
            format!(
                "{at}prompt {name} has no file under {}",
                config.prompts.display()
            )
        })
        .collect();
    if !missing.is_empty() {
        bail!(
            "the menu uses prompts that are missing:\n{}",
            missing.join("\n")
        );
    }

    let metrics = Arc::new(Metrics::new());
    let sockets = SipSockets::bind(config.sip)
        .await
        .with_context(|| format!("binding SIP on {}", config.sip))?;
    let sip = sockets.local_addr()?;
    let http_listener = TcpListener::bind(config.http)
        .await
        .with_context(|| format!("binding HTTP on {}", config.http))?;
    let http = http_listener.local_addr()?;

    let mut tasks = JoinSet::new();
    let (inbound_queue, inbound) = mpsc::channel(INBOUND_QUEUE);
    let sender = sockets.spawn(inbound_queue, &mut tasks);
    let endpoint = Endpoint::new(EndpointConfig {
        local: sip,
        user_agent: format!("hotline/{}", env!("CARGO_PKG_VERSION")),
    });
    let context = Arc::new(CallContext {
        menu: Arc::new(menu),
        prompts: prompts.clone(),
        rtp_ports: RtpPorts::new(config.rtp_ports.clone()),
        rtp_ip: config.sip.ip(),
        metrics: metrics.clone(),
    });
    tasks.spawn(switchboard::run(endpoint, sender, inbound, context));
    let router = crate::http::router(metrics.clone());
    tasks.spawn(async move {
        if let Err(error) = axum::serve(http_listener, router).await {
            tracing::error!(%error, "HTTP server stopped");
        }
    });
    tracing::info!(%sip, %http, rtp_ports = ?config.rtp_ports, menu = %config.menu.display(), "hotline serving");
    Ok(RunningServer {
        sip,
        http,
        metrics,
        prompts,
        tasks,
    })
}

fn load_menu(config: &ServerConfig) -> anyhow::Result<Menu> {
    Menu::load(&config.menu).map_err(|diagnostics| {
        let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("the menu has errors:\n{}", lines.join("\n"))
    })
}

fn load_prompts(config: &ServerConfig) -> anyhow::Result<PromptStore> {
    PromptStore::load_dir(&config.prompts).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("prompts that can't be loaded:\n{}", lines.join("\n"))
    })
}
