//! The `hotline` command: `serve`, `check`, `simulate`, `tickets`, `agents`, `menu`
//! (versions and rollback), `records` (`export` of the call records as CSV), and the CSV
//! imports `lines`, `balances`, `orders` and `cards` (`… import FILE.csv`).
//!
//! `agents`, `menu` and `records` live in `src/cli/`, `agents` with the terminal password
//! prompt only it uses: inline they would take this file past its 600 lines; another
//! group that grows moves there the same way.

#[path = "cli/agents.rs"]
mod agents_cli;
#[path = "cli/menu.rs"]
mod menu_cli;
#[path = "cli/records.rs"]
mod records_cli;

use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use hotline::agents::digest::Algorithm;
use hotline::config::{parse_port_range, ServerConfig};
use hotline::live::{Reloader, Trigger};
use hotline::menu::{self, Menu};
use hotline::queues::config::load_queue_config;
use hotline::store::import::BadRow;
use hotline::store::{import, import_accounts, Store, StoreError, Which, DEFAULT_SIP_REALM};

/// hotline: the telecom customer-service hotline's IVR server.
#[derive(Parser)]
#[command(name = "hotline", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (SIP on UDP and TCP, RTP, HTTP).
    Serve(ServeArgs),
    /// Validate a menu and its prompts; one `file:line:column: message` line per problem.
    Check(CheckArgs),
    /// Walk the menu without any network and print what it would play and do.
    Simulate(SimulateArgs),
    /// Subscriber lines in the store.
    Lines(LinesArgs),
    /// Tickets in the store.
    Tickets(TicketsArgs),
    /// Balances and this month's charges (the bill query).
    Balances(ImportArgs),
    /// Installation and move orders (the installation progress query).
    Orders(OrdersArgs),
    /// Recharge cards (top-up); the CSV has the PINs in clear, the store only hashes.
    Cards(ImportArgs),
    /// The human agents: work number, name, skills, password.
    Agents(agents_cli::AgentsArgs),
    /// The menu versions that went live, and rolling back to one.
    Menu(menu_cli::MenuCommandArgs),
    /// The call records: `export --from D --to D [--out FILE]` as CSV.
    Records(records_cli::RecordsArgs),
}

#[derive(Args)]
struct DbArgs {
    /// The store: sqlite://FILE (created on first run) or postgres://…
    #[arg(
        long,
        global = true,
        env = "HOTLINE_DB",
        default_value = "sqlite://hotline.db"
    )]
    db: String,
}

#[derive(Args)]
struct LinesArgs {
    #[command(flatten)]
    store: DbArgs,
    #[command(subcommand)]
    command: LinesCommand,
}

#[derive(Subcommand)]
enum LinesCommand {
    /// Load a lines CSV: all rows or, on any bad row, none (`FILE:LINE: reason`).
    Import {
        file: PathBuf,
        /// The prefectures and their area codes.
        #[arg(
            long,
            env = "HOTLINE_PREFECTURES",
            default_value = "config/prefectures.yaml"
        )]
        prefectures: PathBuf,
    },
}

#[derive(Args)]
struct ImportArgs {
    #[command(flatten)]
    store: DbArgs,
    #[command(subcommand)]
    command: ImportCommand,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Load a CSV: all rows or, on any bad row, none (`FILE:LINE: reason`).
    Import { file: PathBuf },
}

#[derive(Args)]
struct OrdersArgs {
    #[command(flatten)]
    store: DbArgs,
    #[command(subcommand)]
    command: OrdersCommand,
}

#[derive(Subcommand)]
enum OrdersCommand {
    /// Load an orders CSV: all rows or, on any bad row, none (`FILE:LINE: reason`).
    Import {
        file: PathBuf,
        /// The ticket core's folder: local time comes from its holidays.yaml.
        #[arg(long, env = "HOTLINE_TICKETS_CONFIG", default_value = "config")]
        tickets_config: PathBuf,
    },
}

#[derive(Args)]
struct TicketsArgs {
    #[command(flatten)]
    store: DbArgs,
    #[command(subcommand)]
    command: TicketsCommand,
}

#[derive(Subcommand)]
enum TicketsCommand {
    /// One line per ticket, newest first.
    List {
        /// Only this number's tickets (else the newest 100).
        #[arg(long)]
        number: Option<String>,
        /// active (not archived nor withdrawn) or history.
        #[arg(long, default_value = "active")]
        state: Which,
    },
    /// A ticket with every step taken on it.
    Show { id: i64 },
}

#[derive(Args)]
struct MenuArgs {
    /// The menu YAML file.
    #[arg(long, env = "HOTLINE_MENU", default_value = "menus/hotline.yaml")]
    menu: PathBuf,
    /// The prompt folder.
    #[arg(long, env = "HOTLINE_PROMPTS", default_value = "prompts")]
    prompts: PathBuf,
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    files: MenuArgs,
    /// The queues the menu's transfers name (`config/queues.yaml`).
    #[arg(long, env = "HOTLINE_QUEUES", default_value = "config/queues.yaml")]
    queues: PathBuf,
}

#[derive(Args)]
struct ServeArgs {
    /// SIP address, served on UDP and TCP.
    #[arg(long, env = "HOTLINE_SIP", default_value = "127.0.0.1:5060")]
    sip: SocketAddr,
    /// RTP port range, LO-HI.
    #[arg(long, env = "HOTLINE_RTP_PORTS", default_value = "20000-29999", value_parser = parse_port_range)]
    rtp_ports: RangeInclusive<u16>,
    /// HTTP address (/healthz, /metrics, /api/tickets).
    #[arg(long, env = "HOTLINE_HTTP", default_value = "127.0.0.1:8080")]
    http: SocketAddr,
    /// Media clock threads driving the calls' RTP (0: one per CPU core).
    #[arg(long, env = "HOTLINE_MEDIA_THREADS", default_value_t = 0)]
    media_threads: usize,
    /// The ticket core's folder (holidays.yaml, complaint-catalogue.yaml).
    #[arg(long, env = "HOTLINE_TICKETS_CONFIG", default_value = "config")]
    tickets_config: PathBuf,
    /// The SIP digest realm of the agents' phones (their passwords are kept for it: set
    /// them again with `hotline agents passwd` after changing it).
    #[arg(long, env = "HOTLINE_SIP_REALM", default_value = DEFAULT_SIP_REALM)]
    sip_realm: String,
    /// The digest algorithms agents' phones are challenged with, preferred first
    /// (`md5` alone for phones that give up on a SHA-256 challenge).
    #[arg(
        long,
        env = "HOTLINE_SIP_DIGEST",
        value_delimiter = ',',
        default_value = "sha-256,md5"
    )]
    sip_digest: Vec<Algorithm>,
    /// Don't watch the menu and prompt files; changes go live only on SIGHUP or `POST
    /// /api/reload`.
    #[arg(long, env = "HOTLINE_NO_WATCH")]
    no_watch: bool,
    #[command(flatten)]
    files: MenuArgs,
    #[command(flatten)]
    store: DbArgs,
}

#[derive(Args)]
struct SimulateArgs {
    /// The caller's number.
    #[arg(long, default_value = "02112345678")]
    caller: String,
    /// Keys to press, space-separated (`3 1 *`); `timeout` lets the no-input timer fire.
    #[arg(long, default_value = "")]
    keys: String,
    /// The menu YAML file.
    #[arg(long, env = "HOTLINE_MENU", default_value = "menus/hotline.yaml")]
    menu: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(args),
        Command::Check(args) => check(args),
        Command::Simulate(args) => simulate(args),
        Command::Lines(args) => with_store(&args.store, |store| lines(store, args.command)),
        Command::Tickets(args) => with_store(&args.store, |store| tickets(store, args.command)),
        Command::Balances(args) => with_store(&args.store, |store| balances(store, args.command)),
        Command::Orders(args) => with_store(&args.store, |store| orders(store, args.command)),
        Command::Cards(args) => with_store(&args.store, |store| cards(store, args.command)),
        Command::Agents(args) => {
            with_store(&args.store, |store| agents_cli::agents(store, args.command))
        }
        Command::Menu(args) => with_store(&args.store, |store| menu_cli::menu(store, args.command)),
        Command::Records(args) => with_store(&args.store, |store| {
            records_cli::records(store, args.command)
        }),
    }
}

fn serve(args: ServeArgs) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let config = ServerConfig {
        sip: args.sip,
        rtp_ports: args.rtp_ports,
        http: args.http,
        media_threads: args.media_threads,
        menu: args.files.menu,
        prompts: args.files.prompts,
        db: args.store.db,
        tickets_config: args.tickets_config,
        sip_realm: args.sip_realm,
        sip_digest: args.sip_digest,
        scratch: None,
        watch_files: !args.no_watch,
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("hotline: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let server = match hotline::server::start(config).await {
            Ok(server) => server,
            Err(error) => {
                eprintln!("hotline: {error:#}");
                return ExitCode::FAILURE;
            }
        };
        println!(
            "hotline: SIP on udp/tcp {}, HTTP on http://{}",
            server.sip, server.http
        );
        let reloads = tokio::spawn(reload_on_sighup(server.reloader().clone()));
        wait_for_stop_signal().await;
        reloads.abort();
        server.shutdown().await;
        ExitCode::SUCCESS
    })
}

/// Each SIGHUP reads the menu and prompts again (they go live if they are valid).
async fn reload_on_sighup(reloader: Reloader) {
    let hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup());
    let mut hangup = match hangup {
        Ok(signal) => signal,
        Err(error) => {
            return tracing::warn!(%error, "SIGHUP can't be caught; reload by file or API")
        }
    };
    while hangup.recv().await.is_some() {
        reloader.reload(Trigger::Signal).await;
    }
}

async fn wait_for_stop_signal() {
    let mut terminate =
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let CheckArgs { files, queues } = args;
    let mut problems: Vec<String> = menu::check(&files.menu, &files.prompts)
        .iter()
        .map(ToString::to_string)
        .collect();
    match load_queue_config(&queues) {
        Err(error) => problems.push(error.to_string()),
        Ok(config) => {
            if let Ok(menu) = Menu::load(&files.menu) {
                problems.extend(
                    config
                        .missing_queues(menu.queues())
                        .into_iter()
                        .map(|name| {
                            format!(
                        "{}: a transfer hands calls to queue `{name}`, which {} does not define",
                        files.menu.display(),
                        queues.display()
                    )
                        }),
                );
            }
        }
    }
    if problems.is_empty() {
        println!("{}: ok", files.menu.display());
        return ExitCode::SUCCESS;
    }
    for problem in &problems {
        eprintln!("{problem}");
    }
    eprintln!("{} problem(s)", problems.len());
    ExitCode::FAILURE
}

fn simulate(args: SimulateArgs) -> ExitCode {
    let menu = match Menu::load(&args.menu) {
        Ok(menu) => menu,
        Err(diagnostics) => {
            for diagnostic in &diagnostics {
                eprintln!("{diagnostic}");
            }
            return ExitCode::FAILURE;
        }
    };
    match menu::simulate(Arc::new(menu), &args.caller, &args.keys) {
        Ok(lines) => {
            for line in lines {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("hotline simulate: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `work` on the store named by `--db`, on a small runtime.
fn with_store<F, Fut>(db: &DbArgs, work: F) -> ExitCode
where
    F: FnOnce(Store) -> Fut,
    Fut: std::future::Future<Output = Result<ExitCode, String>>,
{
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("hotline: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let store = match Store::connect(&db.db).await {
            Ok(store) => store,
            Err(error) => {
                eprintln!("hotline: {}: {error}", db.db);
                return ExitCode::FAILURE;
            }
        };
        let code = work(store.clone()).await.unwrap_or_else(|error| {
            eprintln!("hotline: {error}");
            ExitCode::FAILURE
        });
        store.close().await;
        code
    })
}

async fn lines(store: Store, command: LinesCommand) -> Result<ExitCode, String> {
    let LinesCommand::Import { file, prefectures } = command;
    let prefectures =
        hotline::tickets::config::load_prefectures(&prefectures).map_err(|e| e.to_string())?;
    let parse = |text: &str, name: &str| import::parse_lines(text, name, &prefectures);
    import_csv(&file, "line(s)", parse, |lines| async move {
        store.upsert_lines(&lines).await
    })
    .await
}

async fn balances(store: Store, command: ImportCommand) -> Result<ExitCode, String> {
    let ImportCommand::Import { file } = command;
    import_csv(
        &file,
        "balance(s)",
        import_accounts::parse_balances,
        |rows| async move { store.import_balances(&rows, chrono::Utc::now()).await },
    )
    .await
}

async fn orders(store: Store, command: OrdersCommand) -> Result<ExitCode, String> {
    let OrdersCommand::Import {
        file,
        tickets_config,
    } = command;
    let calendar = hotline::tickets::config::load_calendar(&tickets_config.join("holidays.yaml"))
        .map_err(|e| e.to_string())?;
    let parse =
        |text: &str, name: &str| import_accounts::parse_orders(text, name, calendar.offset());
    import_csv(&file, "order(s)", parse, |rows| async move {
        store.import_orders(&rows).await
    })
    .await
}

async fn cards(store: Store, command: ImportCommand) -> Result<ExitCode, String> {
    let ImportCommand::Import { file } = command;
    import_csv(
        &file,
        "card(s)",
        import_accounts::parse_cards,
        |rows| async move { store.import_cards(&rows, chrono::Utc::now()).await },
    )
    .await
}

/// Reads and checks `file` with `parse`, then writes every row with `write`, or prints
/// every bad row and writes none.
async fn import_csv<T, Fut>(
    file: &Path,
    what: &str,
    parse: impl FnOnce(&str, &str) -> Result<Vec<T>, Vec<BadRow>>,
    write: impl FnOnce(Vec<T>) -> Fut,
) -> Result<ExitCode, String>
where
    Fut: std::future::Future<Output = Result<usize, StoreError>>,
{
    let text =
        std::fs::read_to_string(file).map_err(|error| format!("{}: {error}", file.display()))?;
    let name = file.display().to_string();
    match parse(&text, &name) {
        Ok(rows) => {
            let count = write(rows).await.map_err(|e| e.to_string())?;
            println!("{name}: {count} {what} imported");
            Ok(ExitCode::SUCCESS)
        }
        Err(bad_rows) => {
            for bad in &bad_rows {
                eprintln!("{bad}");
            }
            eprintln!("{} bad row(s); nothing imported", bad_rows.len());
            Ok(ExitCode::FAILURE)
        }
    }
}

async fn tickets(store: Store, command: TicketsCommand) -> Result<ExitCode, String> {
    match command {
        TicketsCommand::List { number, state } => {
            let list = match &number {
                Some(number) => store.tickets_for_number(number, state).await,
                None => store.recent_tickets(state, 100).await,
            }
            .map_err(|e| e.to_string())?;
            for t in &list {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.serial,
                    t.ticket.kind,
                    t.ticket.number,
                    t.state.status,
                    t.ticket.priority,
                    t.ticket.prefecture,
                    t.ticket.created_at.to_rfc3339()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        TicketsCommand::Show { id } => {
            let id = hotline::tickets::model::TicketId(id);
            let Some(detail) = store.ticket(id).await.map_err(|e| e.to_string())? else {
                return Err(format!("no ticket {id}"));
            };
            let json = serde_json::to_string_pretty(&detail).map_err(|e| e.to_string())?;
            println!("{json}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
