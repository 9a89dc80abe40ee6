//! The RFC 4475 torture messages over a real socket: each fixture is sent as one UDP
//! datagram to a running server, and the final response must have the status of
//! `tests/fixtures/rfc4475/expected.tsv` (the table `sip::torture_tests` also reads), or
//! nothing must come back for a `dropped` row. Afterwards an ordinary call is answered
//! and walks a key: the server still serves.
//!
//! Responses go to the top Via's sent-by, and the fixtures name hosts like
//! `192.0.2.95`: before sending, only the top Via's sent-by (host and port) is rewritten
//! to this test's socket, `127.0.0.1:<port>`; every other byte is the RFC's. A message
//! the server answers 200 to an INVITE gets our ACK and BYE, so no call is left.

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{walk, TestServer};
use tokio::net::UdpSocket;

/// How long a response may take (the registrar asks the store).
const ANSWER_WAIT: Duration = Duration::from_secs(10);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rfc4475")
}

/// The table's rows: file and status (`None`: dropped).
fn table() -> Vec<(String, Option<u16>)> {
    let text = std::fs::read_to_string(fixtures().join("expected.tsv")).expect("the table");
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let mut cells = line.split('\t');
            let file = cells.next().expect("a file").to_string();
            let status = match cells.next().expect("a status") {
                "dropped" => None,
                code => Some(code.parse().expect("a status code")),
            };
            (file, status)
        })
        .collect()
}

/// `bytes` with the top Via's sent-by (host[:port], after the sent-protocol's two `/`
/// and its transport, LWS and folding allowed) replaced by `sent_by`.
fn with_top_via(bytes: &[u8], sent_by: &str) -> Vec<u8> {
    let head_end = find(bytes, b"\r\n\r\n").unwrap_or(bytes.len());
    let mut at = 0;
    let value_start = loop {
        let line_end = find(&bytes[at..head_end], b"\r\n").map_or(head_end, |i| at + i);
        let line = &bytes[at..line_end];
        if let Some(colon) = line.iter().position(|b| *b == b':') {
            let name = String::from_utf8_lossy(&line[..colon])
                .trim()
                .to_ascii_lowercase();
            if at > 0 && (name == "via" || name == "v") {
                break at + colon + 1;
            }
        }
        if line_end >= head_end {
            return bytes.to_vec();
        }
        at = line_end + 2;
    };
    let mut i = value_start;
    let mut slashes = 0;
    while i < head_end && slashes < 2 {
        slashes += usize::from(bytes[i] == b'/');
        i += 1;
    }
    let skip_space = |mut i: usize| {
        while i < head_end && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    i = skip_space(i);
    while i < head_end && !bytes[i].is_ascii_whitespace() {
        i += 1; // the transport
    }
    let host_start = skip_space(i);
    let mut host_end = host_start;
    while host_end < head_end && !b";, \t\r".contains(&bytes[host_end]) {
        host_end += 1;
    }
    let mut out = bytes[..host_start].to_vec();
    out.extend_from_slice(sent_by.as_bytes());
    out.extend_from_slice(&bytes[host_end..]);
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A response: its status and its header lines.
struct Response {
    status: u16,
    text: String,
}

impl Response {
    fn cseq_method(&self) -> Option<&str> {
        self.header("CSeq")?.split_whitespace().nth(1)
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.text.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

async fn receive(socket: &UdpSocket) -> Option<Response> {
    let mut buf = vec![0u8; 65536];
    let (n, _) = tokio::time::timeout(ANSWER_WAIT, socket.recv_from(&mut buf))
        .await
        .ok()?
        .ok()?;
    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
    let status = text.strip_prefix("SIP/2.0 ")?.get(..3)?.parse().ok()?;
    Some(Response { status, text })
}

/// The first final response on `socket`, provisional ones skipped.
async fn final_response(socket: &UdpSocket) -> Option<Response> {
    loop {
        let response = receive(socket).await?;
        if response.status >= 200 {
            return Some(response);
        }
    }
}

/// An in-dialog request (ACK or BYE) for the dialog a 200 to an INVITE made.
fn in_dialog(ok: &Response, method: &str, cseq: u32, local: SocketAddr) -> String {
    let contact = ok.header("Contact").expect("a Contact in the 200");
    let target = contact.trim_start_matches('<').split('>').next().unwrap();
    format!(
        "{method} {target} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK-torture-{method}-{cseq}\r\n\
         Max-Forwards: 70\r\nFrom: {}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {cseq} {method}\r\n\
         Content-Length: 0\r\n\r\n",
        ok.header("From").unwrap(),
        ok.header("To").unwrap(),
        ok.header("Call-ID").unwrap(),
    )
}

/// An OPTIONS from `local`: its answer, coming first, shows nothing came before it.
fn ping(local: SocketAddr, file: &str) -> String {
    format!(
        "OPTIONS sip:hotline@{local} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK-ping-{file}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:torture@{local}>;tag=ping\r\nTo: <sip:hotline@{local}>\r\n\
         Call-ID: ping-{file}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_torture_message_gets_the_tables_answer_and_the_server_still_serves() {
    let server = TestServer::start().await;
    let mut wrong = Vec::new();
    for (file, expected) in table() {
        // A socket per message: late retransmissions of one answer can't meet the next.
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let local = socket.local_addr().unwrap();
        let bytes = std::fs::read(fixtures().join(format!("{file}.dat"))).unwrap();
        let bytes = with_top_via(&bytes, &local.to_string());
        socket.send_to(&bytes, server.server.sip).await.unwrap();
        let got = match expected {
            Some(_) => final_response(&socket).await,
            None => {
                socket
                    .send_to(ping(local, &file).as_bytes(), server.server.sip)
                    .await
                    .unwrap();
                let first = final_response(&socket).await;
                match first {
                    Some(r) if r.header("Call-ID") == Some(&format!("ping-{file}")) => None,
                    other => other,
                }
            }
        };
        let status = got.as_ref().map(|r| r.status);
        if status != expected {
            wrong.push(format!("{file}: expected {expected:?}, got {status:?}"));
        }
        let invite_ok = |r: &Response| r.status == 200 && r.cseq_method() == Some("INVITE");
        if let Some(ok) = got.filter(invite_ok) {
            let cseq: u32 = (ok.header("CSeq").unwrap().split_whitespace().next())
                .and_then(|n| n.parse().ok())
                .unwrap();
            let ack = in_dialog(&ok, "ACK", cseq, local);
            socket
                .send_to(ack.as_bytes(), server.server.sip)
                .await
                .unwrap();
            let bye = in_dialog(&ok, "BYE", cseq + 1, local);
            socket
                .send_to(bye.as_bytes(), server.server.sip)
                .await
                .unwrap();
            let answer = loop {
                match final_response(&socket).await {
                    Some(r) if r.cseq_method() != Some("BYE") => continue,
                    other => break other.map(|r| r.status),
                }
            };
            assert_eq!(answer, Some(200), "{file}: our BYE");
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    server.wait_active_calls(0).await;

    let mut call = server.dial_from("13800000000").await;
    walk(&mut call, &[("1", &["zh/04"])]).await;
    call.hang_up().await.expect("BYE answered");
    server.wait_active_calls(0).await;
}
