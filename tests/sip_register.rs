//! An agent's phone registering over loopback UDP (issue 6): challenged with SHA-256
//! and MD5 digest, registered with the right password (the binding in the store and in
//! the 200), refused with a wrong one or as an unknown agent, refreshed and removed. Each
//! scenario runs on SQLite, and on PostgreSQL too when `DATABASE_URL` names one.

mod common;
#[path = "store_common/mod.rs"]
mod store_common;

use std::net::SocketAddr;

use chrono::Utc;
use common::agents::add_agent;
use common::{on_every_backend, TestServer, WAIT};
use hotline::agents::digest::{Algorithm, Credentials};
use store_common::{backends, TestDb};
use tokio::net::UdpSocket;

const AGENT: &str = "1001";
const PASSWORD: &str = "seat-1001-pass";

async fn server_on(db: &TestDb) -> TestServer {
    let server = TestServer::with_lines(&db.url, &[]).await;
    add_agent(&server.server, AGENT, "ordinary", PASSWORD).await;
    server
}

/// A phone: a UDP socket that sends REGISTERs for `user` and reads the answers.
struct Phone {
    socket: UdpSocket,
    server: SocketAddr,
    user: String,
    cseq: u32,
}

/// A response: its status and header lines.
struct Response {
    code: u16,
    headers: Vec<(String, String)>,
}

impl Response {
    fn all(&self, name: &str) -> Vec<&str> {
        (self.headers.iter())
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

impl Phone {
    async fn new(server: &TestServer, user: &str) -> Phone {
        let socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        Phone {
            socket,
            server: server.server.sip,
            user: user.to_string(),
            cseq: 0,
        }
    }

    fn contact(&self) -> String {
        let local = self.socket.local_addr().expect("local address");
        format!("sip:{}@{local}", self.user)
    }

    /// Sends a REGISTER with `extra` headers and waits for its final answer.
    async fn register(&mut self, extra: &str) -> Response {
        self.cseq += 1;
        let local = self.socket.local_addr().expect("local address");
        let (user, server, cseq) = (&self.user, self.server, self.cseq);
        let text = format!(
            "REGISTER sip:{server} SIP/2.0\r\n\
             Via: SIP/2.0/UDP {local};branch=z9hG4bK-reg-{cseq}-{}\r\n\
             Max-Forwards: 70\r\nFrom: <sip:{user}@{server}>;tag=ph{cseq}\r\n\
             To: <sip:{user}@{server}>\r\nCall-ID: reg-{user}@{local}\r\nCSeq: {cseq} REGISTER\r\n\
             {extra}Content-Length: 0\r\n\r\n",
            rand::random::<u32>()
        );
        self.socket
            .send_to(text.as_bytes(), server)
            .await
            .expect("sent");
        let mut buffer = vec![0u8; 8192];
        loop {
            let read = tokio::time::timeout(WAIT, self.socket.recv_from(&mut buffer));
            let (n, _) = read.await.expect("an answer in time").expect("received");
            let response = parse(&String::from_utf8_lossy(&buffer[..n]));
            if response.code >= 200 {
                return response;
            }
        }
    }

    /// REGISTERs `extra` with digest credentials for `password`, answering the challenge
    /// that offers `algorithm`.
    async fn register_with(
        &mut self,
        password: &str,
        algorithm: Algorithm,
        extra: &str,
    ) -> Response {
        let challenged = self.register(extra).await;
        assert_eq!(challenged.code, 401);
        let challenge = (challenged.all("WWW-Authenticate").into_iter())
            .find(|c| c.contains(&format!("algorithm={}", algorithm.name())))
            .expect("a challenge for the algorithm")
            .to_string();
        let authorization = self.credentials(&challenge, password, algorithm);
        self.register(&format!("Authorization: {authorization}\r\n{extra}"))
            .await
    }

    fn credentials(&self, challenge: &str, password: &str, algorithm: Algorithm) -> String {
        let realm = quoted(challenge, "realm");
        let mut credentials = Credentials {
            username: self.user.clone(),
            realm: realm.clone(),
            nonce: quoted(challenge, "nonce"),
            uri: format!("sip:{}", self.server),
            response: String::new(),
            algorithm,
            nc: 1,
            cnonce: format!("{:08x}", rand::random::<u32>()),
        };
        let ha1 = hotline::agents::digest::ha1(algorithm, &self.user, &realm, password);
        credentials.response = credentials.expected_response(&ha1, "REGISTER");
        credentials.to_string()
    }
}

/// The value of `name="…"` in a challenge.
fn quoted(challenge: &str, name: &str) -> String {
    let start = challenge.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
    let end = challenge[start..].find('"').expect("closing quote") + start;
    challenge[start..end].to_string()
}

fn parse(text: &str) -> Response {
    let mut lines = text.split("\r\n");
    let status = lines.next().unwrap_or_default();
    let code = status
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Response { code, headers }
}

async fn bindings_of(server: &TestServer, user: &str) -> Vec<String> {
    let store = server.server.store();
    let bindings = store.bindings(user, Utc::now()).await.expect("bindings");
    bindings.into_iter().map(|b| b.contact).collect()
}

async fn register_and_unregister(server: &TestServer) {
    let mut phone = Phone::new(server, AGENT).await;
    let contact = phone.contact();
    let with_contact = format!("Contact: <{contact}>\r\nExpires: 600\r\n");
    let first = phone.register(&with_contact).await;
    assert_eq!(first.code, 401, "no credentials: challenged");
    let challenges = first.all("WWW-Authenticate");
    assert_eq!(challenges.len(), 2, "{challenges:?}");
    assert!(challenges[0].contains("algorithm=SHA-256") && challenges[1].contains("algorithm=MD5"));
    assert_eq!(bindings_of(server, AGENT).await, Vec::<String>::new());

    let ok = phone
        .register_with(PASSWORD, Algorithm::Sha256, &with_contact)
        .await;
    assert_eq!(ok.code, 200);
    let listed = ok.all("Contact");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(
        listed[0].starts_with(&format!("<{contact}>;expires=")),
        "{listed:?}"
    );
    let left: u32 = listed[0].rsplit('=').next().unwrap().parse().unwrap();
    assert!((590..=600).contains(&left), "{left}");
    assert_eq!(
        bindings_of(server, AGENT).await,
        std::slice::from_ref(&contact)
    );

    // MD5 works as well; then Expires: 0 removes the binding.
    let removed = phone
        .register_with(
            PASSWORD,
            Algorithm::Md5,
            &format!("Contact: <{contact}>\r\nExpires: 0\r\n"),
        )
        .await;
    assert_eq!(removed.code, 200);
    assert_eq!(removed.all("Contact"), Vec::<&str>::new());
    assert_eq!(bindings_of(server, AGENT).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agents_phone_registers_with_digest_and_unregisters() {
    on_every_backend!(server_on, register_and_unregister);
}

async fn wrong_password_and_unknown_agent(server: &TestServer) {
    let mut phone = Phone::new(server, AGENT).await;
    let with_contact = format!("Contact: <{}>\r\n", phone.contact());
    let refused = phone
        .register_with("not-it", Algorithm::Sha256, &with_contact)
        .await;
    assert_eq!(refused.code, 403);
    assert_eq!(bindings_of(server, AGENT).await, Vec::<String>::new());

    let mut stranger = Phone::new(server, "9999").await;
    let strangers = format!("Contact: <{}>\r\n", stranger.contact());
    let refused = stranger
        .register_with(PASSWORD, Algorithm::Md5, &strangers)
        .await;
    assert_eq!(refused.code, 403);

    let too_brief = phone
        .register_with(
            PASSWORD,
            Algorithm::Sha256,
            &format!("{with_contact}Expires: 10\r\n"),
        )
        .await;
    assert_eq!(too_brief.code, 423);
    assert_eq!(too_brief.all("Min-Expires"), ["60"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_or_an_unknown_agent_is_refused() {
    on_every_backend!(server_on, wrong_password_and_unknown_agent);
}
