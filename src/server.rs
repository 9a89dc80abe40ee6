//! Starts the server: loads the menu, prompts and ticket rules, connects the store
//! (migrations applied), binds SIP (UDP and TCP) and HTTP, and runs the switchboard. [`start`] is what `hotline serve` and the tests call.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::agents::registrar::Registrar;
use crate::call::{switchboard, CallBoard, CallContext, Desk, Distributor, MediaClock, RtpPorts};
pub use crate::config::ServerConfig;
use crate::http::seats::Seats;
use crate::http::tickets::TicketsApi;
use crate::live::{LiveMenu, Release};
use crate::menu::Menu;
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
    live: LiveMenu,
    store: Store,
    tasks: JoinSet<()>,
    _scratch: Option<Scratch>,
}

impl RunningServer {
    /// The prompts new calls hear (tests compare what they hear with these).
    pub fn prompts(&self) -> PromptStore {
        self.live.current().prompts.clone()
    }

    /// The server's metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The server's store (tests import lines and look at tickets through it).
    pub fn store(&self) -> &Store {
        &self.store
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

    let queues = load_queue_config(&config.tickets_config.join("queues.yaml"))?;
    let unknown = queues.missing_queues(menu.queues());
    if !unknown.is_empty() {
        bail!(
            "the menu hands calls to queues that {} does not define: {}",
            config.tickets_config.join("queues.yaml").display(),
            unknown.join(", ")
        );
    }
    let calendar = load_calendar(&config.tickets_config.join("holidays.yaml"))?;
    let catalogue = load_catalogue(&config.tickets_config.join("complaint-catalogue.yaml"))?;
    let password_rules = load_password_rules(&config.tickets_config.join("passwords.yaml"))?;
    let scratch = config.scratch.as_deref().map(Scratch::create).transpose()?;
    let store = Store::connect(&config.db)
        .await
        .with_context(|| format!("cannot open the store {}", without_password(&config.db)))?;

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
    let media_threads = match config.media_threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        threads => threads,
    };
    let media_clock = MediaClock::start(media_threads, metrics.clone())
        .context("starting the media clock threads")?;
    let distributor = Distributor::start(&queues, store.clone());
    let board = CallBoard::default();
    let live = LiveMenu::new(Release {
        version: 0,
        menu: Arc::new(menu),
        prompts,
    });
    let context = Arc::new(CallContext {
        live: live.clone(),
        rtp_ports: RtpPorts::new(config.rtp_ports.clone()),
        media_clock,
        rtp_ip: config.sip.ip(),
        metrics: metrics.clone(),
        desk: Desk::new(
            store.clone(),
            calendar.clone(),
            catalogue.clone(),
            password_rules,
        ),
        distributor: distributor.clone(),
        board: board.clone(),
        queues: Arc::new(queues),
        console_base: format!("http://{http}"),
        sip_host: sip.to_string(),
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
    let router = crate::http::router(metrics.clone(), tickets, seats);
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
        live,
        store,
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
