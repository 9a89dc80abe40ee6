//! A server per backend (`ServerConfig::for_tests`, its own SQLite file, or the test's
//! PostgreSQL schema) with the fixture lines, and one-shot HTTP/1.1 requests to it.

use std::path::Path;

use axum_extra::headers::{Authorization, Header};
use hotline::server::{RunningServer, ServerConfig};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{backends, with_lines, TestDb};

/// One running server per backend, with the fixture lines imported.
pub async fn servers() -> Vec<(RunningServer, TestDb)> {
    let mut servers = Vec::new();
    for db in backends().await {
        let mut config = ServerConfig::for_tests(Path::new(env!("CARGO_MANIFEST_DIR")));
        if db.backend != "sqlite" {
            config.db = db.url.clone();
        }
        let server = hotline::server::start(config).await.expect("server starts");
        with_lines(server.store()).await;
        servers.push((server, db));
    }
    servers
}

/// An HTTP answer: the status, the header lines and the body bytes.
pub struct Answer {
    pub status: u16,
    head: String,
    pub body: Vec<u8>,
}

impl Answer {
    /// The value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {:?}", String::from_utf8_lossy(&self.body)))
    }
}

/// One HTTP/1.1 request (`Connection: close`), the body sent as JSON. The answer must not
/// be chunked: every route knows its length.
pub async fn send(server: &RunningServer, method: &str, path: &str, body: Option<&str>) -> Answer {
    send_as(server, None, method, path, body).await
}

/// [`send`] with HTTP Basic credentials (work number, password) when given.
pub async fn send_as(
    server: &RunningServer,
    login: Option<(&str, &str)>,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Answer {
    let body = body.unwrap_or("").as_bytes();
    send_bytes_as(server, login, method, path, "application/json", body).await
}

/// [`send_as`] with any body (a WAV file) of `content_type`.
pub async fn send_bytes_as(
    server: &RunningServer,
    login: Option<(&str, &str)>,
    method: &str,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> Answer {
    let mut stream = TcpStream::connect(server.http).await.expect("connect");
    let authorization = login.map_or(String::new(), |(user, password)| {
        let mut values = Vec::new();
        Authorization::basic(user, password).encode(&mut values);
        let value = values[0].to_str().expect("ASCII credentials");
        format!("Authorization: {value}\r\n")
    });
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{authorization}\
         Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        server.http,
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    stream.write_all(body).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head and a body");
    let head = String::from_utf8(answer[..end].to_vec()).expect("a text head");
    let answer = Answer {
        status: head
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .expect("a status line"),
        body: answer[end + 4..].to_vec(),
        head,
    };
    assert!(
        answer
            .header("transfer-encoding")
            .is_none_or(|coding| !coding.contains("chunked")),
        "{}",
        answer.head
    );
    answer
}

/// [`send`], for routes that answer JSON: the status and the JSON body.
pub async fn request(
    server: &RunningServer,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> (u16, Value) {
    request_as(server, None, method, path, body).await
}

/// [`request`] with HTTP Basic credentials (work number, password) when given.
pub async fn request_as(
    server: &RunningServer,
    login: Option<(&str, &str)>,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> (u16, Value) {
    let answer = send_as(server, login, method, path, body).await;
    (answer.status, answer.json())
}
