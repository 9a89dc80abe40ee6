//! `hotline serve` stopping well: on SIGTERM it drains — `/healthz` answers 503, a new
//! call is refused with 503, the call in progress goes on to its end — and then exits
//! cleanly by itself.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hotline::caller::{Call, CallError, CallerConfig, KeyMethod, PromptIndex};
use hotline::prompts::PromptStore;
use hotline::sip::Transport;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEAR: Duration = Duration::from_secs(60);

/// The server process, killed if the test ends before it exits.
struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The status line's code of `GET path`.
async fn get_status(http: SocketAddr, path: &str) -> u16 {
    let mut stream = TcpStream::connect(http).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {http}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_new_calls_get_503_and_the_call_in_progress_finishes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("hotline.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args([
            "serve",
            "--sip",
            "127.0.0.1:0",
            "--http",
            "127.0.0.1:0",
            "--no-watch",
        ])
        .args(["--db", &db, "--drain-timeout", "2m"])
        .env("RUST_LOG", "warn")
        .current_dir(root)
        .stdout(Stdio::piped())
        .spawn()
        .expect("hotline serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut serving = Serving(child);
    let mut banner = String::new();
    BufReader::new(stdout)
        .read_line(&mut banner)
        .expect("the banner");
    // "hotline: SIP on udp/tcp 127.0.0.1:PORT, HTTP on http://127.0.0.1:PORT"
    let sip: SocketAddr = (banner.split("udp/tcp ").nth(1))
        .and_then(|rest| rest.split(',').next())
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| panic!("a SIP address in {banner:?}"));
    let http: SocketAddr = (banner.split("http://").nth(1))
        .and_then(|addr| addr.trim().parse().ok())
        .unwrap_or_else(|| panic!("an HTTP address in {banner:?}"));
    assert_eq!(get_status(http, "/healthz").await, 200);

    let prompts = PromptStore::load_dir(&root.join("prompts")).expect("the bundled prompts");
    let mut config = CallerConfig::new(sip, Transport::Udp);
    config.prompts = Some(Arc::new(PromptIndex::new(&prompts)));
    let mut call = Call::dial(config.clone()).await.expect("answered");
    call.expect_prompts(&["zh/01", "zh/02"], HEAR)
        .await
        .expect("the main menu");

    let pid = Pid::from_raw(i32::try_from(serving.0.id()).expect("a pid"));
    kill(pid, Signal::SIGTERM).expect("SIGTERM sent");
    let deadline = Instant::now() + Duration::from_secs(30);
    while get_status(http, "/healthz").await != 503 {
        assert!(Instant::now() < deadline, "/healthz never said draining");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    match Call::dial(config).await {
        Err(CallError::Rejected { status }) => assert_eq!(status, 503),
        Err(error) => panic!("refused otherwise: {error}"),
        Ok(_) => panic!("a new call was answered while draining"),
    }

    // The call in progress is served as before, to its end.
    call.press(
        hotline::media::Key::from_char('1').expect("a key"),
        KeyMethod::Rfc4733,
    )
    .await
    .expect("key sent");
    call.expect_prompts(&["zh/04"], HEAR)
        .await
        .expect("the query menu");
    assert!(
        serving.0.try_wait().expect("status").is_none(),
        "still serving the call"
    );
    call.hang_up().await.expect("BYE answered");

    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = serving.0.try_wait().expect("status") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop after its last call"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}");
}
