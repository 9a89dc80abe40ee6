//! `hotline serve` stopping well: on SIGTERM it drains — `/healthz` answers 503, a new
//! call is refused with 503, the call in progress goes on to its end — and then exits
//! cleanly by itself.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::process::ServeProcess;
use hotline::caller::{Call, CallError, CallerConfig, KeyMethod, PromptIndex};
use hotline::prompts::PromptStore;
use hotline::sip::Transport;
use nix::sys::signal::Signal;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEAR: Duration = Duration::from_secs(60);

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
    let mut serving = ServeProcess::start(&["--db", &db, "--drain-timeout", "2m"]);
    let (sip, http) = (serving.sip, serving.http);
    assert_eq!(get_status(http, "/healthz").await, 200);

    let prompts = PromptStore::load_dir(&root.join("prompts")).expect("the bundled prompts");
    let mut config = CallerConfig::new(sip, Transport::Udp);
    config.prompts = Some(Arc::new(PromptIndex::new(&prompts)));
    let mut call = Call::dial(config.clone()).await.expect("answered");
    call.expect_prompts(&["zh/01", "zh/02"], HEAR)
        .await
        .expect("the main menu");

    serving.signal(Signal::SIGTERM);
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
    assert!(serving.exited().is_none(), "still serving the call");
    call.hang_up().await.expect("BYE answered");

    let status = serving.wait_exit(Duration::from_secs(30));
    assert!(status.success(), "{status}");
}
