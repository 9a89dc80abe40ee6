//! `hotline-load`: places many concurrent SIP calls with RTP over loopback against a
//! running (or spawned) `hotline serve`, walks a menu path with keys, and reports set-up
//! times, key handling, the server's RTP timing and the server's CPU and memory per call
//! (from `/proc`), beside the bare UDP path's figures (`--bare`). See BENCHMARKS.md.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::{Parser, ValueEnum};
use hotline::caller::{
    Call, CallError, CallerClock, CallerConfig, KeyMethod, PromptIndex, RtpStats,
};
use hotline::load::bare;
use hotline::load::plan::{steps_from_simulation, Step};
use hotline::load::procfs;
use hotline::load::report::{
    BareFigures, CallFigures, Cost, KeyFigures, LoadSample, Ratios, Report, RtpFigures, Spread,
};
use hotline::media::G711;
use hotline::menu::{simulate, Menu};
use hotline::prompts::PromptStore;
use hotline::sip::Transport;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// Time allowed for the prompts of one step to be identified.
const HEAR_WITHIN: Duration = Duration::from_secs(20);
/// How often the measured process is sampled.
const SAMPLE_EVERY: Duration = Duration::from_millis(500);
/// Key failure messages kept in the report.
const MAX_EXAMPLES: usize = 5;

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Keys {
    Rfc4733,
    Info,
    Inband,
}

/// Load generator for hotline: N concurrent calls over loopback.
#[derive(Parser, Debug)]
#[command(name = "hotline-load", version)]
struct Args {
    /// SIP address of a running server (UDP).
    #[arg(long)]
    server: Option<SocketAddr>,
    /// Pid of that server, for CPU and memory from /proc.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Start `hotline serve` on free loopback ports and measure it.
    #[arg(long)]
    spawn_server: bool,
    /// The `hotline` binary for --spawn-server (default: beside this one).
    #[arg(long)]
    hotline_bin: Option<PathBuf>,
    /// Most calls up at once.
    #[arg(long, default_value_t = 100)]
    calls: usize,
    /// New calls per second.
    #[arg(long, default_value_t = 100.0)]
    rate: f64,
    /// Keep placing calls at --rate for this many seconds (default: place --calls once).
    #[arg(long)]
    duration: Option<f64>,
    /// Seconds each call stays up after the answer (the path is walked first).
    #[arg(long, default_value_t = 20.0)]
    hold: f64,
    /// Menu keys to walk, space-separated (an empty path still hears the opening prompts).
    #[arg(long, default_value = "3 1 *")]
    path: String,
    /// Don't walk or listen: each call is held --hold after the answer, then hung up
    /// (set-up rate runs).
    #[arg(long)]
    setup_only: bool,
    /// How keys are sent.
    #[arg(long, value_enum, default_value = "rfc4733")]
    keys: Keys,
    /// Identify prompts on 1 call in N (the others press keys on prompt timing and are
    /// not judged).
    #[arg(long, default_value_t = 1)]
    identify_every: usize,
    /// The menu and prompts the server runs (for the expected prompts).
    #[arg(long, default_value = "menus/hotline.yaml")]
    menu: PathBuf,
    #[arg(long, default_value = "prompts")]
    prompts: PathBuf,
    /// RTP ports for --spawn-server.
    #[arg(long, default_value = "20000-29999")]
    rtp_ports: String,
    /// Also run the bare UDP path (same streams, no server logic); alone when no server.
    #[arg(long)]
    bare: bool,
    /// Threads sending and reading the calls' RTP in this tool.
    #[arg(long, default_value_t = 1)]
    caller_threads: usize,
    /// Write the report as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Internal: be the bare path's server stand-in with this many streams.
    #[arg(long, hide = true)]
    bare_server_streams: Option<usize>,
    #[arg(long, hide = true, default_value_t = 60.0)]
    bare_lifetime: f64,
}

/// A child process killed when dropped.
struct Spawned(Child);

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn first_stdout_line(child: &mut Child) -> Result<String, String> {
    let stdout = child.stdout.take().ok_or("child has no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    Ok(line)
}

fn spawn_server(args: &Args) -> Result<(Spawned, SocketAddr), String> {
    let bin = match &args.hotline_bin {
        Some(bin) => bin.clone(),
        None => std::env::current_exe()
            .map_err(|e| e.to_string())?
            .with_file_name("hotline"),
    };
    let child = Command::new(&bin)
        .args(["serve", "--sip", "127.0.0.1:0", "--http", "127.0.0.1:0"])
        .arg("--rtp-ports")
        .arg(&args.rtp_ports)
        .arg("--menu")
        .arg(&args.menu)
        .arg("--prompts")
        .arg(&args.prompts)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    let mut child = Spawned(child);
    // The banner "hotline: SIP on udp/tcp 127.0.0.1:PORT, HTTP on http://…" comes among
    // the log lines (also on stdout); the rest of stdout is drained so the server never
    // blocks on a full pipe.
    let stdout = child.0.stdout.take().ok_or("server has no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines
            .next()
            .ok_or("the server exited before its banner")?
            .map_err(|e| e.to_string())?;
        if let Some(rest) = line.strip_prefix("hotline: SIP on udp/tcp ") {
            break rest
                .split(',')
                .next()
                .and_then(|a| a.trim().parse().ok())
                .ok_or_else(|| format!("unexpected server banner: {line:?}"))?;
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    Ok((child, addr))
}

/// Samples `pid` with the number of active calls until `stop` is set.
fn monitor(
    pid: String,
    active: Arc<AtomicU64>,
    stop: Arc<AtomicU64>,
) -> tokio::task::JoinHandle<Vec<LoadSample>> {
    tokio::spawn(async move {
        let start = Instant::now();
        let mut samples = Vec::new();
        let mut ticks = tokio::time::interval(SAMPLE_EVERY);
        while stop.load(Ordering::Relaxed) == 0 {
            ticks.tick().await;
            if let Some(proc) = procfs::sample(&pid) {
                samples.push(LoadSample {
                    at: start.elapsed(),
                    active: active.load(Ordering::Relaxed),
                    proc,
                });
            }
        }
        samples
    })
}

#[derive(Default)]
struct Tally {
    answered: u64,
    failures: std::collections::BTreeMap<String, u64>,
    dropped: u64,
    setup: Vec<Duration>,
    keys: KeyFigures,
    rtp: RtpStats,
    streams: u64,
}

struct Walk {
    server: SocketAddr,
    steps: Vec<Step>,
    /// How long the prompts of each step play (for calls that don't identify them).
    step_lengths: Vec<Duration>,
    index: Arc<PromptIndex>,
    method: KeyMethod,
    hold: Duration,
    active: Arc<AtomicU64>,
    tally: Mutex<Tally>,
    clock: Arc<CallerClock>,
}

/// The tool's own caller clock (`--caller-threads`).
fn caller_clock(args: &Args) -> Result<Arc<CallerClock>, String> {
    CallerClock::start(args.caller_threads)
        .map(Arc::new)
        .map_err(|e| format!("starting the caller clock: {e}"))
}

fn failure_reason(error: &CallError) -> String {
    match error {
        CallError::Rejected { status } => status.to_string(),
        CallError::Timeout(_) => "timeout".into(),
        CallError::Io(e) => format!("io: {}", e.kind()),
        other => other.to_string(),
    }
}

async fn one_call(walk: Arc<Walk>, number: usize, identify: bool) {
    let mut config = CallerConfig::new(walk.server, Transport::Udp);
    config.caller_number = format!("138{number:08}");
    if matches!(walk.method, KeyMethod::InBand) {
        config.telephone_event = None;
    }
    config.prompts = identify.then(|| walk.index.clone());
    config.clock = walk.clock.clone();
    let mut call = match Call::dial(config).await {
        Ok(call) => call,
        Err(error) => {
            let mut tally = walk.tally.lock().unwrap_or_else(|p| p.into_inner());
            *tally.failures.entry(failure_reason(&error)).or_default() += 1;
            return;
        }
    };
    let answered = Instant::now();
    walk.active.fetch_add(1, Ordering::Relaxed);
    let (mut pressed, mut acted, mut failed, mut example, mut dropped) = (0, 0, 0, None, false);
    for (step, length) in walk.steps.iter().zip(&walk.step_lengths) {
        if let Some(key) = step.key {
            if let Err(e) = call.press(key, walk.method).await {
                example = Some(format!("press {}: {e}", key.as_char()));
                dropped = true;
                break;
            }
            pressed += 1;
        }
        if !identify {
            tokio::time::sleep(*length).await;
            continue;
        }
        let prompts: Vec<&str> = step.prompts.iter().map(String::as_str).collect();
        match call.expect_prompts(&prompts, HEAR_WITHIN).await {
            Ok(()) => acted += u64::from(step.key.is_some()),
            Err(e) => {
                let key = step
                    .key
                    .map_or("start".to_owned(), |k| k.as_char().to_string());
                example = Some(format!("after {key}: {e}"));
                failed += u64::from(step.key.is_some());
                dropped = matches!(e, CallError::EndedByServer { .. } | CallError::Closed);
                break;
            }
        }
    }
    tokio::time::sleep_until(answered + walk.hold).await;
    dropped |= call.bye_received();
    let stats = call.rtp_stats().await.ok();
    let setup = call.setup_time();
    let hung_up = call.hang_up().await;
    walk.active.fetch_sub(1, Ordering::Relaxed);
    let mut tally = walk.tally.lock().unwrap_or_else(|p| p.into_inner());
    tally.answered += 1;
    tally.setup.push(setup);
    tally.dropped += u64::from(dropped || hung_up.is_err());
    tally.keys.pressed += pressed;
    tally.keys.acted_on += acted;
    tally.keys.failed += failed;
    if !identify {
        tally.keys.not_judged += pressed;
    }
    if let Some(e) = example.filter(|_| tally.keys.examples.len() < MAX_EXAMPLES) {
        tally.keys.examples.push(e);
    }
    if let Some(stats) = stats {
        tally.rtp.merge(&stats);
        tally.streams += 1;
    }
}

fn load_walk(args: &Args, server: SocketAddr, active: Arc<AtomicU64>) -> Result<Walk, String> {
    let menu = Menu::load(&args.menu).map_err(|d| format!("{}: {d:?}", args.menu.display()))?;
    let lines = simulate(Arc::new(menu), "13800000000", &args.path)?;
    let steps = if args.setup_only {
        Vec::new()
    } else {
        steps_from_simulation(&lines)
    };
    let store = PromptStore::load_dir(&args.prompts)
        .map_err(|e| format!("{}: {} prompt errors", args.prompts.display(), e.len()))?;
    let step_lengths = steps
        .iter()
        .map(|step| {
            let frames: usize = step
                .prompts
                .iter()
                .filter_map(|p| store.get(p))
                .map(|p| p.frames(G711::Ulaw).len())
                .sum();
            Duration::from_millis(20 * frames as u64 + 200)
        })
        .collect();
    let method = match args.keys {
        Keys::Rfc4733 => KeyMethod::Rfc4733,
        Keys::Info => KeyMethod::SipInfo,
        Keys::Inband => KeyMethod::InBand,
    };
    Ok(Walk {
        server,
        steps,
        step_lengths,
        index: Arc::new(PromptIndex::new(&store)),
        method,
        hold: Duration::from_secs_f64(args.hold),
        active,
        tally: Mutex::new(Tally::default()),
        clock: caller_clock(args)?,
    })
}

/// Places the calls; returns the call figures and the server's samples.
async fn run_calls(
    args: &Args,
    server: SocketAddr,
    pid: Option<String>,
    report: &mut Report,
) -> Result<(), String> {
    let active = Arc::new(AtomicU64::new(0));
    let walk = Arc::new(load_walk(args, server, active.clone())?);
    let stop = Arc::new(AtomicU64::new(0));
    let sampler = pid.map(|pid| monitor(pid, active.clone(), stop.clone()));
    tokio::time::sleep(SAMPLE_EVERY * 2).await;
    let total = match args.duration {
        Some(d) => (args.rate * d).round() as usize,
        None => args.calls,
    };
    let limit = Arc::new(Semaphore::new(args.calls.max(1)));
    let start = Instant::now();
    let mut last_start = start;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..total {
        tokio::time::sleep_until(start + Duration::from_secs_f64(i as f64 / args.rate)).await;
        let Ok(permit) = limit.clone().acquire_owned().await else {
            break;
        };
        last_start = Instant::now();
        let identify = i % args.identify_every.max(1) == 0;
        let walk = walk.clone();
        tasks.spawn(async move {
            one_call(walk, i, identify).await;
            drop(permit);
        });
    }
    while tasks.join_next().await.is_some() {}
    stop.store(1, Ordering::Relaxed);
    let samples = match sampler {
        Some(s) => s.await.map_err(|e| e.to_string())?,
        None => Vec::new(),
    };
    let mut tally = walk.tally.lock().unwrap_or_else(|p| p.into_inner());
    let failed: u64 = tally.failures.values().sum();
    report.calls = Some(CallFigures {
        attempted: total as u64,
        answered: tally.answered,
        failed,
        failures: std::mem::take(&mut tally.failures),
        dropped: tally.dropped,
        setup: Spread::of(&mut tally.setup),
        rate_achieved: total.saturating_sub(1) as f64
            / (last_start - start).as_secs_f64().max(1e-9),
    });
    report.keys = Some(std::mem::take(&mut tally.keys));
    report.rtp = Some(RtpFigures::from_stats(tally.streams, &tally.rtp));
    report.server = (!samples.is_empty()).then(|| Cost::from_samples(&samples));
    Ok(())
}

/// Runs the bare path with the same number of streams, ramp and hold.
async fn run_bare(args: &Args) -> Result<BareFigures, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let ramp = args.calls as f64 / args.rate;
    let child = Command::new(exe)
        .arg("--bare-server-streams")
        .arg(args.calls.to_string())
        .arg("--bare-lifetime")
        .arg((ramp + args.hold + 10.0).to_string())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut child = Spawned(child);
    let ports: Vec<u16> = first_stdout_line(&mut child.0)?
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect();
    let active = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicU64::new(0));
    let sampler = monitor(child.0.id().to_string(), active.clone(), stop.clone());
    tokio::time::sleep(SAMPLE_EVERY * 2).await;
    let hold = Duration::from_secs_f64(args.hold);
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let clock = caller_clock(args)?;
    for (i, port) in ports.into_iter().enumerate() {
        tokio::time::sleep_until(start + Duration::from_secs_f64(i as f64 / args.rate)).await;
        let active = active.clone();
        let clock = clock.clone();
        active.fetch_add(1, Ordering::Relaxed);
        tasks.spawn(async move {
            let server = SocketAddr::from(([127, 0, 0, 1], port));
            let stats = bare::run_stream(&clock, server, hold).await;
            active.fetch_sub(1, Ordering::Relaxed);
            stats
        });
    }
    let mut merged = RtpStats::default();
    let mut streams = 0;
    while let Some(done) = tasks.join_next().await {
        if let Ok(Ok(stats)) = done {
            merged.merge(&stats);
            streams += 1;
        }
    }
    stop.store(1, Ordering::Relaxed);
    let samples = sampler.await.map_err(|e| e.to_string())?;
    Ok(BareFigures {
        cost: Cost::from_samples(&samples),
        rtp: RtpFigures::from_stats(streams, &merged),
    })
}

async fn run(args: Args) -> Result<Report, String> {
    let mut report = Report::default();
    for (k, v) in [
        ("calls", args.calls.to_string()),
        ("rate", args.rate.to_string()),
        ("duration", format!("{:?}", args.duration)),
        ("hold", args.hold.to_string()),
        ("path", args.path.clone()),
        ("keys", format!("{:?}", args.keys)),
        ("identify_every", args.identify_every.to_string()),
    ] {
        report.settings.insert(k.into(), v);
    }
    let tool_before = procfs::sample("self").unwrap_or_default();
    let started = Instant::now();
    let mut spawned = None;
    let target = if args.spawn_server {
        let (child, addr) = spawn_server(&args)?;
        let pid = child.0.id().to_string();
        spawned = Some(child);
        Some((addr, Some(pid)))
    } else {
        args.server
            .map(|addr| (addr, args.server_pid.map(|p| p.to_string())))
    };
    if let Some((addr, pid)) = target {
        report.settings.insert("server".into(), addr.to_string());
        run_calls(&args, addr, pid, &mut report).await?;
    }
    drop(spawned);
    if args.bare {
        let bare = run_bare(&args).await?;
        if let (Some(server), Some(rtp)) = (&report.server, &report.rtp) {
            report.ratios = Some(Ratios::of(server, rtp, &bare));
        }
        report.bare = Some(bare);
    }
    let tool_after = procfs::sample("self").unwrap_or_default();
    report.tool_cpu_seconds = tool_after.cpu.saturating_sub(tool_before.cpu).as_secs_f64();
    report.tool_cpu_percent = 100.0 * report.tool_cpu_seconds / started.elapsed().as_secs_f64();
    Ok(report)
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(streams) = args.bare_server_streams {
        let lifetime = Duration::from_secs_f64(args.bare_lifetime);
        return match bare::serve_streams(streams, lifetime, std::io::stdout()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("hotline-load: bare server: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if args.server.is_none() && !args.spawn_server && !args.bare {
        eprintln!("hotline-load: give --server ADDR, --spawn-server or --bare");
        return ExitCode::FAILURE;
    }
    let json = args.json.clone();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("hotline-load: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(report) => {
            print!("{}", report.text());
            if let Some(path) = json {
                let text = serde_json::to_string_pretty(&report).unwrap_or_default();
                if let Err(e) = std::fs::write(&path, text) {
                    eprintln!("hotline-load: {}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("hotline-load: {e}");
            ExitCode::FAILURE
        }
    }
}
