//! Shared helpers of the end-to-end tests with real third-party SIP clients
//! (`tests/e2e_*.rs`, each includes this file with `#[path]`).
//!
//! Owns: finding a client program (skip, or fail under `HOTLINE_REQUIRE_E2E=1`), free
//! loopback ports for the clients, child processes that die with the test, the server
//! started in-process on ephemeral ports, and reading `/metrics` over HTTP.
//! Must not touch: the server's internals. Tests see it only through its public start
//! API, its SIP port, its HTTP `/metrics` and its prompt store.
//! What a client heard is judged in `hearing.rs`.

#![allow(dead_code)] // each test binary uses a different part of this file

use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hotline::server::{start, RunningServer, ServerConfig};

/// Set to `1` (CI does) to turn a missing client program into a test failure.
pub const REQUIRE_ENV: &str = "HOTLINE_REQUIRE_E2E";

/// Whether `what` is usable: `probe` (e.g. `python3 -c "import pjsua2"`) must succeed.
/// When it does not, see [`missing`].
pub fn client_available(what: &str, probe: &mut Command, install: &str) -> bool {
    let found = probe
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    found || missing(what, install)
}

/// Whether a program is on PATH. When it is not, see [`missing`].
pub fn program_available(program: &str, install: &str) -> bool {
    let on_path = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()));
    on_path || missing(program, install)
}

/// A client is missing: prints `SKIPPED: …` and returns false, or panics when
/// `HOTLINE_REQUIRE_E2E=1` (CI) makes it a failure.
fn missing(what: &str, install: &str) -> bool {
    if std::env::var(REQUIRE_ENV).is_ok_and(|value| value == "1") {
        panic!("{what} is not installed ({install}) and {REQUIRE_ENV}=1 requires it");
    }
    // Straight to stderr: the test harness captures `println!` of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: {what} not installed ({install})"
    );
    false
}

/// One client at a time per test binary: real-time audio on 2 cores stays predictable.
pub fn one_client_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The first of `count` consecutive loopback ports, even, free for both UDP and TCP right
/// now. Drawn from 30000-32767: below the kernel's ephemeral range (32768 and up, where
/// any socket's automatic port could take it between this check and the client's bind)
/// and above the server's RTP range (20000-29999); never 5060.
pub fn free_ports(count: u16) -> u16 {
    const FIRST: u16 = 30_000;
    const LAST: u16 = 32_767;
    for _ in 0..500 {
        let base = (FIRST + rand::random::<u16>() % (LAST - FIRST - count)) & !1;
        let all_free = (base..base + count).all(|port| {
            UdpSocket::bind(("127.0.0.1", port)).is_ok()
                && TcpListener::bind(("127.0.0.1", port)).is_ok()
        });
        if all_free {
            return base;
        }
    }
    panic!("no run of {count} free loopback ports found in {FIRST}-{LAST}");
}

/// Polls `check` every 50 ms until it gives a value; panics after `timeout` with `what`.
pub fn wait_for<T>(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check() {
            return value;
        }
        if Instant::now() >= deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A client process whose stdout and stderr go to a log file; killed when dropped.
pub struct Client {
    name: String,
    child: std::process::Child,
    log: PathBuf,
}

impl Client {
    /// Starts `command` with its output in `<dir>/<name>.log`.
    pub fn spawn(name: &str, command: &mut Command, stdin: Stdio, dir: &Path) -> Client {
        let log = dir.join(format!("{name}.log"));
        let out = File::create(&log).expect("create client log");
        let err = out.try_clone().expect("clone client log");
        let child = command
            .stdin(stdin)
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|error| panic!("starting {name}: {error}"));
        Client {
            name: name.to_owned(),
            child,
            log,
        }
    }

    /// Writes one line to the client's stdin (for clients driven by commands on stdin).
    pub fn type_line(&mut self, line: &str) {
        let stdin = self
            .child
            .stdin
            .as_mut()
            .expect("client started with piped stdin");
        writeln!(stdin, "{line}")
            .and_then(|()| stdin.flush())
            .unwrap_or_else(|error| panic!("{} stdin: {error}\n{}", self.name, self.log()));
    }

    /// Everything the client printed so far.
    pub fn log(&self) -> String {
        let bytes = std::fs::read(&self.log).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Waits until the log holds `text` after byte `from`; returns the offset just past it.
    pub fn wait_for_output(&mut self, text: &str, from: usize, timeout: Duration) -> usize {
        self.try_wait_for_output(text, from, timeout)
            .unwrap_or_else(|how| {
                panic!(
                    "{} {how} before printing {text:?}; its output:\n{}",
                    self.name,
                    self.log()
                )
            })
    }

    /// Like [`Client::wait_for_output`], but says how it failed instead of panicking.
    pub fn try_wait_for_output(
        &mut self,
        text: &str,
        from: usize,
        timeout: Duration,
    ) -> Result<usize, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let log = self.log();
            if let Some(at) = log.get(from..).and_then(|tail| tail.find(text)) {
                return Ok(from + at + text.len());
            }
            if let Some(status) = self.child.try_wait().ok().flatten() {
                return Err(format!("exited ({status})"));
            }
            if Instant::now() >= deadline {
                return Err(format!("timed out after {timeout:?}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for the process to exit by itself; `None` when it is still running at `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                _ => return None,
            }
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The hotline server running in this test process on loopback ephemeral ports (SIP on
/// UDP and TCP, HTTP), with the bundled menu and prompts. Stopped when dropped.
pub struct Hotline {
    server: Option<RunningServer>,
    runtime: tokio::runtime::Runtime,
}

impl Hotline {
    pub fn start() -> Hotline {
        Hotline::start_with(|_| {})
    }

    /// Starts the server with the test configuration as `adjust` leaves it.
    pub fn start_with(adjust: impl FnOnce(&mut ServerConfig)) -> Hotline {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let mut config = ServerConfig::for_tests(Path::new(env!("CARGO_MANIFEST_DIR")));
        adjust(&mut config);
        let server = runtime
            .block_on(start(config))
            .unwrap_or_else(|error| panic!("starting the hotline server: {error:#}"));
        Hotline {
            server: Some(server),
            runtime,
        }
    }

    fn server(&self) -> &RunningServer {
        self.server.as_ref().expect("server runs until drop")
    }

    /// Where clients send SIP (UDP and TCP).
    pub fn sip(&self) -> SocketAddr {
        self.server().sip
    }

    /// The request URI a client dials.
    pub fn uri(&self) -> String {
        format!("sip:1000@{}", self.sip())
    }

    /// How long the prompt `name` (e.g. `zh/01`) plays.
    pub fn prompt_duration(&self, name: &str) -> Duration {
        self.prompt(name).duration
    }

    /// The prompt `name`, as the server plays it.
    pub fn prompt(&self, name: &str) -> std::sync::Arc<hotline::prompts::Prompt> {
        let store = self.server().prompts();
        let prompt = store
            .get(name)
            .unwrap_or_else(|| panic!("the server has no prompt {name}"));
        prompt.clone()
    }

    /// Adds agent `work_number` with `password` (SIP digest in the server's realm).
    pub fn add_agent(&self, work_number: &str, password: &str) {
        let agent = hotline::store::NewAgent {
            work_number: work_number.to_string(),
            name: format!("agent {work_number}"),
            skills: vec!["ordinary".to_string()],
            password: hotline::passwords::Secret::new(password.to_string()),
        };
        let realm = hotline::store::DEFAULT_SIP_REALM;
        let added = (self.runtime).block_on(self.server().store().add_agent(
            &agent,
            realm,
            chrono::Utc::now(),
        ));
        added.expect("agent added");
    }

    /// Runs `future` on the server's runtime (for the scripted caller of `hotline::caller`).
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// A scripted caller for this server that recognises its prompts.
    pub fn caller(&self) -> hotline::caller::CallerConfig {
        let server = self.server();
        let mut config =
            hotline::caller::CallerConfig::new(server.sip, hotline::sip::Transport::Udp);
        let index = hotline::caller::PromptIndex::new(&server.prompts());
        config.prompts = Some(std::sync::Arc::new(index));
        config
    }

    /// The agent presses "ready" over the seats API (HTTP Basic login); the status.
    pub fn agent_ready(&self, work_number: &str, password: &str) -> u16 {
        use axum_extra::headers::{Authorization, Header};
        let mut values = Vec::new();
        Authorization::basic(work_number, password).encode(&mut values);
        let authorization = values[0].to_str().expect("ASCII credentials").to_string();
        let body = r#"{"state":"ready"}"#;
        let request = format!(
            "POST /api/agent/state HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\
             Authorization: {authorization}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len(),
            host = self.server().http,
        );
        let mut stream = TcpStream::connect(self.server().http).expect("connect");
        stream.write_all(request.as_bytes()).expect("send");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read");
        (answer.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }

    /// The agent's phone registrations now.
    pub fn bindings(&self, work_number: &str) -> Vec<hotline::store::Binding> {
        let store = self.server().store();
        (self.runtime)
            .block_on(store.bindings(work_number, chrono::Utc::now()))
            .expect("bindings read")
    }

    /// `GET /metrics`, parsed.
    pub fn metrics(&self) -> Metrics {
        Metrics::scrape(self.server().http)
    }

    /// Waits until the metric `series` (name with labels, as in the text format) reaches
    /// `at_least`; returns its value.
    pub fn wait_for_metric(&self, series: &str, at_least: f64, timeout: Duration) -> f64 {
        self.wait_for_scrape(&format!("{series} >= {at_least}"), timeout, |metrics| {
            let value = metrics.get(series);
            (value >= at_least).then_some(value)
        })
    }

    /// Waits until no call is in progress (`hotline_active_calls` is 0).
    pub fn wait_for_no_calls(&self, timeout: Duration) {
        self.wait_for_scrape("no active calls", timeout, |metrics| {
            (metrics.get("hotline_active_calls") == 0.0).then_some(())
        })
    }

    fn wait_for_scrape<T>(
        &self,
        what: &str,
        timeout: Duration,
        check: impl Fn(&Metrics) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            let metrics = self.metrics();
            if let Some(value) = check(&metrics) {
                return value;
            }
            if Instant::now() >= deadline {
                panic!(
                    "timed out after {timeout:?} waiting for {what}; /metrics:\n{}",
                    metrics.text
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Hotline {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.shutdown());
        }
    }
}

/// One scrape of `/metrics` (Prometheus/OpenMetrics text).
pub struct Metrics {
    pub text: String,
}

impl Metrics {
    fn scrape(http: SocketAddr) -> Metrics {
        let mut stream =
            TcpStream::connect_timeout(&http, Duration::from_secs(2)).expect("connect HTTP");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("read timeout");
        // HTTP/1.0: the body ends when the server closes, never chunked.
        stream
            .write_all(b"GET /metrics HTTP/1.0\r\nHost: hotline\r\n\r\n")
            .expect("send GET /metrics");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read /metrics");
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        assert!(
            head.starts_with("HTTP/1.") && head.contains(" 200 "),
            "GET /metrics: {head}"
        );
        Metrics {
            text: body.to_owned(),
        }
    }

    /// The value of `series`, e.g. `hotline_dtmf_keys_total{method="rfc4733"}`; 0 if absent.
    pub fn get(&self, series: &str) -> f64 {
        self.text
            .lines()
            .filter_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
            .find_map(|rest| rest.split_whitespace().next()?.parse().ok())
            .unwrap_or(0.0)
    }
}

/// The DTMF counter series of one method (`rfc4733`, `info`, `inband`).
pub fn dtmf_series(method: &str) -> String {
    format!("hotline_dtmf_keys_total{{method=\"{method}\"}}")
}

/// The ended-calls counter series of one outcome (e.g. `hung_up_by_caller`).
pub fn calls_series(outcome: &str) -> String {
    format!("hotline_calls_total{{outcome=\"{outcome}\"}}")
}

/// Writes `seconds` of digital silence as an 8 kHz mono 16-bit WAV (what clients "say").
pub fn write_silence_wav(path: &Path, seconds: u32) {
    write_wav(path, &vec![0i16; seconds as usize * 8000]);
}

/// Writes `seconds` of a sine at `hz` as an 8 kHz mono 16-bit WAV (a client "talking").
pub fn write_tone_wav(path: &Path, hz: f32, seconds: u32) {
    let pcm = hotline::caller::tone_pcm(hz, Duration::from_secs(u64::from(seconds)));
    write_wav(path, &pcm);
}

fn write_wav(path: &Path, samples: &[i16]) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).expect("create WAV");
    for sample in samples {
        writer.write_sample(*sample).expect("write WAV");
    }
    writer.finalize().expect("finish WAV");
}
