//! The agent console's HTTP side over real HTTP (a server per backend: SQLite always,
//! PostgreSQL when `DATABASE_URL` names one): login and its cookie, the session and CSRF
//! checks of `/console/api`, the seat buttons, what an agent may see of calls and the
//! overview (and of a real call's card), and tickets filed with the logged-in agent as
//! the actor.

mod common;
mod store_common;

use std::path::Path;
use std::time::Duration;

use common::agents::{add_agent, add_centre, phone};
use common::{key, TestServer, HEAR};
use hotline::caller::KeyMethod;
use hotline::server::RunningServer;
use hotline::server::ServerConfig;
use serde_json::{json, Value};
use store_common::api::servers;
use store_common::{backends, calendar, ivr, report, LANDLINE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PASSWORD: &str = "console-pass-1";

/// An HTTP answer: status, head lines and body.
struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// One HTTP/1.1 request with extra header lines.
async fn http(
    server: &RunningServer,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut stream = TcpStream::connect(server.http).await.expect("connect");
    let extra: String = (headers.iter())
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{extra}\
         Content-Length: {}\r\n\r\n{body}",
        server.http,
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let answer = String::from_utf8(answer).expect("UTF-8");
    let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
    Answer {
        status: head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status"),
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// The value of `name="…" value="…"`-style attribute `marker` in `page`.
fn attribute_after<'a>(page: &'a str, marker: &str) -> &'a str {
    let start = page
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {page}"))
        + marker.len();
    page[start..].split('"').next().expect("a value")
}

/// The `name=value` of a Set-Cookie header.
fn cookie_of(answer: &Answer) -> String {
    let set_cookie = answer.header("set-cookie").expect("a cookie");
    set_cookie
        .split(';')
        .next()
        .expect("name=value")
        .to_string()
}

/// The login page's form, posted with the page's login token and cookie.
async fn login(server: &RunningServer, work_number: &str, password: &str) -> Answer {
    let page = http(server, "GET", "/console", &[], "").await;
    let token = attribute_after(&page.body, r#"name="login_token" value=""#).to_string();
    let form = format!("work_number={work_number}&password={password}&login_token={token}");
    let form_type = ("Content-Type", "application/x-www-form-urlencoded");
    let cookie = ("Cookie", cookie_of(&page));
    let headers = [form_type, (cookie.0, cookie.1.as_str())];
    http(server, "POST", "/console/login", &headers, &form).await
}

/// A logged-in agent: the cookie header value and the page's CSRF token.
struct Agent {
    cookie: String,
    csrf: String,
}

async fn logged_in(server: &RunningServer, work_number: &str) -> Agent {
    let answer = login(server, work_number, PASSWORD).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let set_cookie = answer.header("set-cookie").expect("a cookie");
    let cookie = set_cookie
        .split(';')
        .next()
        .expect("name=value")
        .to_string();
    let page = http(server, "GET", "/console", &[("Cookie", &cookie)], "").await;
    let marker = r#"<meta name="csrf-token" content=""#;
    let start = page.body.find(marker).expect("the CSRF meta tag") + marker.len();
    let csrf = page.body[start..]
        .split('"')
        .next()
        .expect("a token")
        .to_string();
    Agent { cookie, csrf }
}

impl Agent {
    async fn get(&self, server: &RunningServer, path: &str) -> Answer {
        http(server, "GET", path, &[("Cookie", &self.cookie)], "").await
    }

    async fn post(&self, server: &RunningServer, path: &str, body: &Value) -> Answer {
        let headers = [
            ("Cookie", self.cookie.as_str()),
            ("X-CSRF-Token", self.csrf.as_str()),
            ("Content-Type", "application/json"),
        ];
        http(server, "POST", path, &headers, &body.to_string()).await
    }
}

/// What `GET /console/events` sends in its first `for_how_long`.
async fn events_for(server: &RunningServer, cookie: &str, for_how_long: Duration) -> String {
    let mut stream = TcpStream::connect(server.http).await.expect("connect");
    let request = format!(
        "GET /console/events HTTP/1.1\r\nHost: {}\r\nCookie: {cookie}\r\n\r\n",
        server.http
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut received = Vec::new();
    let read = async {
        loop {
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await.expect("read");
            assert!(n > 0, "the stream ended");
            received.extend_from_slice(&chunk[..n]);
        }
    };
    let _ = tokio::time::timeout(for_how_long, read).await;
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn login_sets_a_strict_http_only_session_cookie_and_refuses_wrong_passwords() {
    for (server, db) in servers().await {
        let backend = db.backend;
        add_agent(&server, "1001", "ordinary", PASSWORD).await;
        let page = http(&server, "GET", "/console", &[], "").await;
        assert_eq!(page.status, 200, "{backend}");
        assert!(
            page.body.contains(r#"<form id="login""#),
            "{backend}: login page"
        );

        let form_type = ("Content-Type", "application/x-www-form-urlencoded");
        let forged = format!("work_number=1001&password={PASSWORD}&login_token=abc");
        let answer = http(&server, "POST", "/console/login", &[form_type], &forged).await;
        assert_eq!(
            answer.status, 403,
            "{backend}: a login without the page's token"
        );
        assert!(answer.header("location").is_none(), "{backend}");

        let wrong = login(&server, "1001", "not-the-password").await;
        assert_eq!(wrong.status, 401, "{backend}");
        let cookie = wrong.header("set-cookie").unwrap_or_default();
        assert!(
            cookie.starts_with("hotline_login="),
            "{backend}: no session: {cookie}"
        );
        assert!(
            wrong.body.contains("工号或密码错误"),
            "{backend}: {}",
            wrong.body
        );
        let unknown = login(&server, "4242", PASSWORD).await;
        assert_eq!(unknown.status, 401, "{backend}");

        let good = login(&server, "1001", PASSWORD).await;
        assert_eq!(good.status, 303, "{backend}");
        assert_eq!(good.header("location"), Some("/console"));
        let cookie = good.header("set-cookie").expect("a session cookie");
        assert!(cookie.starts_with("hotline_session="), "{cookie}");
        for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(cookie.contains(flag), "{backend}: {flag} in {cookie}");
        }
        let session = cookie.split(';').next().expect("name=value");
        assert_eq!(session.len(), "hotline_session=".len() + 64, "{session}");
        let page = http(&server, "GET", "/console", &[("Cookie", session)], "").await;
        assert!(
            page.body.contains(r#"id="seat-state""#),
            "{backend}: the console"
        );
        assert!(page.body.contains("1001 坐席1001"), "{backend}: the agent");

        let out = http(
            &server,
            "POST",
            "/console/logout",
            &[("Cookie", session)],
            "",
        )
        .await;
        assert_eq!(out.status, 303, "{backend}");
        let me = http(
            &server,
            "GET",
            "/console/api/me",
            &[("Cookie", session)],
            "",
        )
        .await;
        assert_eq!(me.status, 401, "{backend}: the session ended");
    }
}

#[tokio::test]
async fn the_api_needs_a_session_and_changes_need_the_csrf_token() {
    for (server, db) in servers().await {
        let backend = db.backend;
        add_agent(&server, "1001", "ordinary", PASSWORD).await;
        for path in [
            "/console/api/me",
            "/console/api/overview",
            "/console/events",
        ] {
            let answer = http(&server, "GET", path, &[], "").await;
            assert_eq!(answer.status, 401, "{backend}: {path}");
            assert!(answer.json()["error"].is_string(), "{backend}: {path}");
        }
        let forged = [("Cookie", "hotline_session=00ff")];
        let answer = http(&server, "GET", "/console/api/me", &forged, "").await;
        assert_eq!(answer.status, 401, "{backend}: an unknown session");

        let agent = logged_in(&server, "1001").await;
        let ready = json!({"state": "ready"}).to_string();
        let json_type = ("Content-Type", "application/json");
        let no_token = [("Cookie", agent.cookie.as_str()), json_type];
        let answer = http(&server, "POST", "/console/api/state", &no_token, &ready).await;
        assert_eq!(answer.status, 403, "{backend}: no token");
        let wrong = [
            ("Cookie", agent.cookie.as_str()),
            ("X-CSRF-Token", "0123"),
            json_type,
        ];
        let answer = http(&server, "POST", "/console/api/state", &wrong, &ready).await;
        assert_eq!(answer.status, 403, "{backend}: a wrong token");
        let answer = http(&server, "POST", "/console/api/tickets", &wrong, "{}").await;
        assert_eq!(answer.status, 403, "{backend}: tickets too");

        let answer = agent
            .post(&server, "/console/api/state", &json!({"state": "ready"}))
            .await;
        assert_eq!(answer.status, 200, "{backend}: {}", answer.body);
        assert_eq!(answer.json()["state"], "ready");
        let me = agent.get(&server, "/console/api/me").await.json();
        assert_eq!(me["seat"]["state"], "ready", "{backend}: {me}");
        assert_eq!(me["supervisor"], false);
        assert_eq!(me["agent"]["work_number"], "1001");
        assert_eq!(me["cards"], json!([]));

        let events = events_for(&server, &agent.cookie, Duration::from_millis(2500)).await;
        assert!(events.contains("text/event-stream"), "{backend}: {events}");
        let seats: Vec<&str> = (events.split("event: seat\ndata: ").skip(1))
            .filter_map(|rest| rest.lines().next())
            .collect();
        assert_eq!(seats.len(), 1, "{backend}: once until it changes: {events}");
        assert!(
            seats[0].contains(r#""state":"ready""#),
            "{backend}: {events}"
        );

        let pause = json!({"state": "not-ready", "reason": "午休 lunch"});
        let answer = agent.post(&server, "/console/api/state", &pause).await;
        assert_eq!(answer.status, 200, "{backend}: {}", answer.body);
        let me = agent.get(&server, "/console/api/me").await.json();
        assert_eq!(me["seat"]["state"], "not-ready", "{backend}");
        assert_eq!(me["seat"]["reason"], "午休 lunch", "{backend}");
    }
}

#[tokio::test]
async fn the_json_api_takes_the_console_session_with_the_token_for_changes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let server = hotline::server::start(ServerConfig::for_tests(root))
        .await
        .expect("server starts");
    add_agent(&server, "8001", "operator", PASSWORD).await;
    add_agent(&server, "1001", "ordinary", PASSWORD).await;
    let operator = logged_in(&server, "8001").await;
    let answer = operator.get(&server, "/api/menu/status").await;
    assert_eq!(
        answer.status, 200,
        "a GET needs only the session: {}",
        answer.body
    );
    assert_eq!(answer.json()["version"], 1);
    let no_token = [("Cookie", operator.cookie.as_str())];
    let answer = http(&server, "POST", "/api/reload", &no_token, "").await;
    assert_eq!(answer.status, 403, "a change needs the token");
    assert!(answer.json()["error"]
        .as_str()
        .is_some_and(|e| e.contains("X-CSRF-Token")));
    let answer = operator.post(&server, "/api/reload", &json!({})).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["outcome"], "unchanged");
    let agent = logged_in(&server, "1001").await;
    let answer = agent.post(&server, "/api/reload", &json!({})).await;
    assert_eq!(
        answer.status, 403,
        "the session is an agent's, not an operator's"
    );
    let forged = [("Cookie", "hotline_session=00ff")];
    let answer = http(&server, "GET", "/api/menu/status", &forged, "").await;
    assert_eq!(answer.status, 401, "an unknown session");
    server.shutdown().await;
}

#[tokio::test]
async fn only_supervisors_see_the_overview_and_other_agents_calls() {
    for (server, db) in servers().await {
        let backend = db.backend;
        add_agent(&server, "1001", "ordinary", PASSWORD).await;
        add_agent(&server, "9001", "supervisor", PASSWORD).await;
        let agent = logged_in(&server, "1001").await;
        let supervisor = logged_in(&server, "9001").await;
        let answer = agent.get(&server, "/console/api/overview").await;
        assert_eq!(answer.status, 403, "{backend}");
        let ready = json!({"state": "ready"});
        assert_eq!(
            agent
                .post(&server, "/console/api/state", &ready)
                .await
                .status,
            200
        );

        let overview = supervisor.get(&server, "/console/api/overview").await;
        assert_eq!(overview.status, 200, "{backend}: {}", overview.body);
        let overview = overview.json();
        assert_eq!(
            overview["queues"][0]["name"], "general",
            "{backend}: {overview}"
        );
        let agents = overview["agents"].as_array().expect("agents");
        let seat = agents.iter().find(|a| a["work_number"] == "1001");
        assert_eq!(seat.expect("1001 listed")["state"], "ready", "{backend}");
        assert!(supervisor.get(&server, "/console/api/me").await.json()["supervisor"] == true);

        // A fault reported a week ago and never answered is overdue (a reply is due
        // within 144 hours of a general fault).
        let reported = chrono::Utc::now() - chrono::Duration::days(7);
        let store = server.store();
        let made = (store.report_fault(LANDLINE, &report(), &ivr(), &calendar(), reported, None))
            .await
            .expect("reported");
        let created = made.created.expect("a new ticket");
        let overview = supervisor
            .get(&server, "/console/api/overview")
            .await
            .json();
        let due = overview["due"].as_array().expect("due tickets");
        assert_eq!(due.len(), 1, "{backend}: {overview}");
        assert_eq!(due[0]["serial"], created.serial.to_string(), "{backend}");
        assert_eq!(due[0]["overdue"], true, "{backend}");

        let types = agent
            .get(&server, "/console/api/complaint-types")
            .await
            .json();
        let first = &types["categories"][0]["types"][0];
        assert!(
            first["code"].is_string() && first["name"].is_string(),
            "{types}"
        );

        let unknown = agent.get(&server, "/console/api/calls/no-such-call").await;
        assert_eq!(unknown.status, 404, "{backend}");
    }
}

#[tokio::test]
async fn a_ticket_filed_on_the_console_has_the_agent_as_its_actor() {
    for (server, db) in servers().await {
        let backend = db.backend;
        add_agent(&server, "1001", "ordinary", PASSWORD).await;
        let agent = logged_in(&server, "1001").await;
        let r = report();
        let fault = json!({
            "kind": "fault",
            "number": LANDLINE,
            "actor": {"kind": "agent", "id": "someone-else"},
            "contact_name": r.contact_name,
            "contact_phone": r.contact_phone,
            "phenomenon": r.phenomenon,
            "description": "无拨号音 no dial tone since morning",
        });
        let made = agent.post(&server, "/console/api/tickets", &fault).await;
        assert_eq!(made.status, 201, "{backend}: {}", made.body);
        let made = made.json();
        let id = made["created"]["id"].as_i64().expect("an id");
        let stored = (server.store().ticket(hotline::tickets::model::TicketId(id)))
            .await
            .expect("read")
            .expect("the ticket");
        assert_eq!(stored.ticket.ticket.number, LANDLINE, "{backend}");
        assert_eq!(
            json!(stored.ticket.created_by),
            json!({"kind": "agent", "id": "1001"}),
            "{backend}: the logged-in agent, whatever the body says"
        );

        let list = agent
            .get(&server, &format!("/console/api/tickets?number={LANDLINE}"))
            .await;
        assert_eq!(list.status, 200, "{backend}: {}", list.body);
        assert_eq!(list.json()["active"][0]["id"], id, "{backend}");

        let urge = json!({"step": "urge"});
        let path = format!("/console/api/tickets/{id}/events");
        let step = agent.post(&server, &path, &urge).await;
        assert_eq!(step.status, 200, "{backend}: {}", step.body);
        assert_eq!(step.json()["actor"], json!({"kind": "agent", "id": "1001"}));

        let refused = json!({"kind": "fault", "number": LANDLINE, "description": "x"});
        let answer = agent.post(&server, "/console/api/tickets", &refused).await;
        assert_eq!(answer.status, 422, "{backend}: the rules still apply");
    }
}

#[tokio::test]
async fn an_agent_sees_the_card_of_the_call_ringing_for_them_and_no_other_agent_does() {
    for db in backends().await {
        let backend = db.backend;
        let mut config = ServerConfig::for_tests(Path::new(env!("CARGO_MANIFEST_DIR")));
        config.db = db.url.clone();
        let server = TestServer::start_with(config).await;
        add_centre(&server.server, PASSWORD).await;
        let mut phone = phone(&server, "1001", PASSWORD).await;
        let [agent, other, supervisor] = [
            logged_in(&server.server, "1001").await,
            logged_in(&server.server, "1002").await,
            logged_in(&server.server, "9001").await,
        ];
        let ready = json!({"state": "ready"});
        let answer = agent
            .post(&server.server, "/console/api/state", &ready)
            .await;
        assert_eq!(answer.status, 200, "{backend}: {}", answer.body);

        let mut call = server.dial_from(LANDLINE).await;
        call.press(key('0'), KeyMethod::Rfc4733)
            .await
            .expect("pressed");
        let _ringing = phone.next_invite(HEAR).await.expect("the phone rings");
        let me = agent.get(&server.server, "/console/api/me").await.json();
        assert_eq!(me["seat"]["state"], "ringing", "{backend}: {me}");
        let card = &me["cards"][0];
        assert_eq!(card["caller"], LANDLINE, "{backend}: {me}");
        assert_eq!(card["stage"], "ringing");
        assert_eq!(card["path"], json!(["menu main", "key 0"]));
        let path = format!(
            "/console/api/calls/{}",
            card["call_id"].as_str().expect("an id")
        );

        assert_eq!(
            agent.get(&server.server, &path).await.status,
            200,
            "{backend}"
        );
        assert_eq!(
            other.get(&server.server, &path).await.status,
            403,
            "{backend}"
        );
        assert_eq!(
            supervisor.get(&server.server, &path).await.status,
            200,
            "{backend}"
        );
        let others = other.get(&server.server, "/console/api/me").await.json();
        assert_eq!(others["cards"], json!([]), "{backend}: {others}");
        let overview = supervisor
            .get(&server.server, "/console/api/overview")
            .await
            .json();
        assert_eq!(
            overview["cards"][0]["caller"], LANDLINE,
            "{backend}: {overview}"
        );
    }
}
