//! Starts the server: loads the menu, prompts and ticket rules, connects the store
//! (migrations applied), binds SIP (UDP and TCP) and HTTP, and runs the switchboard. [`start`] is what `hotline serve` and the tests call.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::agents::registrar::Registrar;
use crate::call::{
    switchboard, CallBoard, CallContext, Desk, Distributor, MediaClock, RecordWriter, RtpPorts,
};
pub use crate::config::ServerConfig;
use crate::http::menu::MenuApi;
use crate::http::seats::Seats;
use crate::http::tickets::TicketsApi;
use crate::live::snapshot::Snapshot;
use crate::live::watch::watch;
use crate::live::Reloader;
use crate::menu::Diagnostic;
use crate::metrics::Metrics;
use crate::prompts::PromptStore;
use crate::queues::config::load_queue_config;
use crate::sip::transport::SipSockets;
use crate::sip::{Endpoint, EndpointConfig};
use crate::store::Store;
use crate::tickets::config::{load_calendar, load_catalogue, load_password_rules};

/// Inbound SIP messages queued for the endpoint before the sockets wait.
const INBOUND_QUEUE: usize = 4096;

/// A server that is running; dropping it (or [`RunningServer::shutdown`]) stops it.
pub struct RunningServer {
    /// The SIP address (UDP and TCP).
    pub sip: SocketAddr,
    /// The HTTP address.
    pub http: SocketAddr,
    metrics: Arc<Metrics>,
    reloader: Reloader,
    store: Store,
    draining: Arc<AtomicBool>,
    tasks: JoinSet<()>,
    _scratch: Option<Scratch>,
}

impl RunningServer {
    /// The prompts new calls hear (tests compare what they hear with these).
    pub fn prompts(&self) -> PromptStore {
        self.reloader.live().current().prompts.clone()
    }

    /// Switches the menu and prompts (SIGHUP and the tests use it).
    pub fn reloader(&self) -> &Reloader {
        &self.reloader
    }

    /// The server's metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The server's store (tests import lines and look at tickets through it).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Starts draining: new calls are refused with 503 and `/healthz` answers 503, while
    /// the calls in progress go on.
    pub fn drain(&self) {
        self.draining.store(true, Ordering::Relaxed);
        tracing::info!(
            active_calls = self.metrics.active_calls.get(),
            "draining: new calls get 503"
        );
    }

    /// Waits until no call is in progress, at most `within`; whether none is left.
    pub async fn drained(&self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        while self.metrics.active_calls.get() > 0 {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        true
    }

    /// Stops every task of the server, calls included, and closes the store.
    pub async fn shutdown(mut self) {
        self.tasks.shutdown().await;
        self.store.close().await;
    }
}

/// A scratch folder (the tests' database), removed when dropped: with the server, or
/// at once when the start fails.
struct Scratch(PathBuf);

impl Scratch {
    fn create(path: &Path) -> anyhow::Result<Scratch> {
        std::fs::create_dir_all(path)
            .with_context(|| format!("creating the scratch folder {}", path.display()))?;
        Ok(Scratch(path.to_path_buf()))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_dir_all(&self.0) {
            tracing::warn!(%error, scratch = %self.0.display(), "scratch folder not removed");
        }
    }
}

/// Loads the menu and prompts and starts serving.
pub async fn start(config: ServerConfig) -> anyhow::Result<RunningServer> {
    let queues = load_queue_config(&config.tickets_config.join("queues.yaml"))?;
    let snapshot = Snapshot::read(&config.menu, &config.prompts).map_err(refused)?;
    let release = snapshot.release(&queues, 0).map_err(refused)?;
    let calendar = load_calendar(&config.tickets_config.join("holidays.yaml"))?;
    let catalogue = load_catalogue(&config.tickets_config.join("complaint-catalogue.yaml"))?;
    let password_rules = load_password_rules(&config.tickets_config.join("passwords.yaml"))?;
    let scratch = config.scratch.as_deref().map(Scratch::create).transpose()?;
    let store = Store::connect(&config.db)
        .await
        .with_context(|| format!("cannot open the store {}", without_password(&config.db)))?;

    let metrics = Arc::new(Metrics::new());
    let queues = Arc::new(queues);
    let reloader = Reloader::start(
        &snapshot,
        release,
        store.clone(),
        queues.clone(),
        metrics.clone(),
    )
    .await
    .context("recording the menu version in the store")?;
    drop(snapshot);
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
    let media_threads = match config.media_threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        threads => threads,
    };
    let media_clock = MediaClock::start(media_threads, metrics.clone())
        .context("starting the media clock threads")?;
    let distributor = Distributor::start(&queues, store.clone(), metrics.clone());
    if config.watch_files {
        let watching = watch(reloader.clone()).context("watching the menu and prompt files")?;
        tasks.spawn(watching);
    }
    let board = CallBoard::default();
    let draining = Arc::new(AtomicBool::new(false));
    let context = Arc::new(CallContext {
        live: reloader.live().clone(),
        rtp_ports: RtpPorts::new(config.rtp_ports.clone()),
        media_clock,
        rtp_ip: config.sip.ip(),
        metrics: metrics.clone(),
        desk: Desk::new(
            store.clone(),
            calendar.clone(),
            catalogue.clone(),
            password_rules,
            metrics.clone(),
        ),
        distributor: distributor.clone(),
        board: board.clone(),
        queues,
        console_base: format!("http://{http}"),
        sip_host: sip.to_string(),
        draining: draining.clone(),
        records: RecordWriter::start(store.clone()),
    });
    let registrar = Registrar::new(store.clone(), &config.sip_realm, config.sip_digest.clone());
    tasks.spawn(switchboard::run(
        endpoint, sender, inbound, context, registrar,
    ));
    let tickets = Arc::new(TicketsApi::new(store.clone(), calendar, catalogue));
    let seats = Arc::new(Seats {
        store: store.clone(),
        distributor,
        board,
        sip_realm: config.sip_realm.clone(),
    });
    let menu_api = Arc::new(MenuApi {
        store: store.clone(),
        reloader: reloader.clone(),
    });
    let router = crate::http::router(metrics.clone(), tickets, seats, menu_api)
        .merge(crate::http::health(draining.clone()));
    tasks.spawn(async move {
        if let Err(error) = axum::serve(http_listener, router).await {
            tracing::error!(%error, "HTTP server stopped");
        }
    });
    tracing::info!(%sip, %http, rtp_ports = ?config.rtp_ports, menu = %config.menu.display(), db = %without_password(&config.db), "hotline serving");
    Ok(RunningServer {
        sip,
        http,
        metrics,
        reloader,
        store,
        draining,
        tasks,
        _scratch: scratch,
    })
}

/// A database URL fit for logs: `scheme://host/…` without the user and password.
fn without_password(url: &str) -> String {
    match (url.split_once("://"), url.rsplit_once('@')) {
        (Some((scheme, _)), Some((_, host))) => format!("{scheme}://…@{host}"),
        _ => url.to_string(),
    }
}

/// The diagnostics of a menu version the server can't start with, one per line.
fn refused(problems: Vec<Diagnostic>) -> anyhow::Error {
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    anyhow::anyhow!("the menu or its prompts have errors:\n{}", lines.join("\n"))
}
