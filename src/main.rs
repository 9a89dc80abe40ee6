//! The `hotline` command: `serve`, `check` and `simulate`.

use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use hotline::config::{parse_port_range, ServerConfig};
use hotline::menu::{self, Menu};

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
    Check(MenuArgs),
    /// Walk the menu without any network and print what it would play and do.
    Simulate(SimulateArgs),
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
struct ServeArgs {
    /// SIP address, served on UDP and TCP.
    #[arg(long, env = "HOTLINE_SIP", default_value = "127.0.0.1:5060")]
    sip: SocketAddr,
    /// RTP port range, LO-HI.
    #[arg(long, env = "HOTLINE_RTP_PORTS", default_value = "20000-29999", value_parser = parse_port_range)]
    rtp_ports: RangeInclusive<u16>,
    /// HTTP address (/healthz, /metrics).
    #[arg(long, env = "HOTLINE_HTTP", default_value = "127.0.0.1:8080")]
    http: SocketAddr,
    #[command(flatten)]
    files: MenuArgs,
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
        menu: args.files.menu,
        prompts: args.files.prompts,
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
        wait_for_stop_signal().await;
        server.shutdown().await;
        ExitCode::SUCCESS
    })
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

fn check(args: MenuArgs) -> ExitCode {
    let diagnostics = menu::check(&args.menu, &args.prompts);
    if diagnostics.is_empty() {
        println!("{}: ok", args.menu.display());
        return ExitCode::SUCCESS;
    }
    for diagnostic in &diagnostics {
        eprintln!("{diagnostic}");
    }
    eprintln!("{} problem(s)", diagnostics.len());
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
