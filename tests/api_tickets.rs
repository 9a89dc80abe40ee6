//! The tickets JSON API over real HTTP: a server from `ServerConfig::for_tests` (its own
//! SQLite file) and, when `DATABASE_URL` names PostgreSQL, one on a fresh schema too.

mod store_common;

use std::path::Path;

use hotline::server::{RunningServer, ServerConfig};
use serde_json::{json, Value};
use store_common::{backends, report, with_lines, TestDb, ARREARS, LANDLINE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One running server per backend, with the fixture lines imported.
async fn servers() -> Vec<(RunningServer, TestDb)> {
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

/// One HTTP/1.1 request (`Connection: close`): the status and the JSON body.
async fn request(
    server: &RunningServer,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> (u16, Value) {
    let mut stream = TcpStream::connect(server.http).await.expect("connect");
    let body = body.unwrap_or("");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        server.http,
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    stream.write_all(body.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "{head}"
    );
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let json = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body:?}"));
    (status, json)
}

fn fault_report(number: &str) -> String {
    let r = report();
    json!({
        "kind": "fault",
        "number": number,
        "actor": {"kind": "agent", "id": "A007"},
        "contact_name": r.contact_name,
        "contact_phone": r.contact_phone,
        "phenomenon": r.phenomenon,
        "description": r.description,
    })
    .to_string()
}

#[tokio::test]
async fn an_agent_report_makes_a_ticket_a_repeat_urges_it_and_steps_follow_the_lifecycle() {
    for (server, db) in servers().await {
        let backend = db.backend;
        let (status, made) = request(
            &server,
            "POST",
            "/api/tickets",
            Some(&fault_report(LANDLINE)),
        )
        .await;
        assert_eq!(status, 201, "{backend}: {made}");
        assert_eq!(made["decision"]["decision"], "new-fault");
        let serial = made["created"]["serial"].as_str().expect("a serial");
        assert!(
            serial.len() == 12 && serial.bytes().all(|b| b.is_ascii_digit()),
            "{serial}"
        );
        let id = made["created"]["id"].as_i64().expect("an id");

        let (status, again) = request(
            &server,
            "POST",
            "/api/tickets",
            Some(&fault_report(LANDLINE)),
        )
        .await;
        assert_eq!(status, 200, "{backend}: {again}");
        assert_eq!(again["decision"], json!({"decision": "urge", "ticket": id}));
        assert_eq!(again["created"], Value::Null);

        let (status, pay) = request(
            &server,
            "POST",
            "/api/tickets",
            Some(&fault_report(ARREARS)),
        )
        .await;
        assert_eq!(
            (status, &pay["decision"]["decision"]),
            (200, &json!("remind-to-pay"))
        );

        let (status, list) = request(
            &server,
            "GET",
            &format!("/api/tickets?number={LANDLINE}"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{backend}: {list}");
        assert_eq!(list["state"], "active");
        let tickets = list["tickets"].as_array().expect("tickets");
        assert_eq!(tickets.len(), 1, "{backend}: {list}");
        assert_eq!(tickets[0]["serial"], serial);
        let (_, history) = request(
            &server,
            "GET",
            &format!("/api/tickets?number={LANDLINE}&state=history"),
            None,
        )
        .await;
        assert_eq!(history["tickets"], json!([]));

        let path = format!("/api/tickets/{id}/events");
        let accept = json!({"step": "accept", "actor": {"kind": "team", "id": "repair-centre"}});
        let (status, illegal) = request(&server, "POST", &path, Some(&accept.to_string())).await;
        assert_eq!(status, 409, "{backend}: {illegal}");
        assert!(
            illegal["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{illegal}"
        );
        let dispatch = json!({"step": "dispatch", "team": "repair-centre",
                              "actor": {"kind": "agent", "id": "A007"}});
        let (status, record) = request(&server, "POST", &path, Some(&dispatch.to_string())).await;
        assert_eq!(status, 200, "{backend}: {record}");

        let (status, shown) = request(&server, "GET", &format!("/api/tickets/{id}"), None).await;
        assert_eq!(status, 200, "{backend}: {shown}");
        assert_eq!(shown["ticket"]["serial"], serial);
        assert_eq!(shown["ticket"]["ticket"]["kind"], "fault");
        assert_eq!(shown["ticket"]["state"]["status"], "dispatched");
        let steps: Vec<&Value> = shown["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|event| &event["step"]["step"])
            .collect();
        assert_eq!(steps, [&json!("urge"), &json!("dispatch")], "{shown}");
        server.shutdown().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn bad_requests_get_a_json_error_with_their_status() {
    for (server, db) in servers().await {
        let backend = db.backend;
        let (status, error) = request(&server, "POST", "/api/tickets", Some("{\"kind\": ")).await;
        assert_eq!(status, 400, "{backend}: {error}");
        assert!(
            error["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{error}"
        );

        let (status, error) = request(
            &server,
            "POST",
            "/api/tickets",
            Some(r#"{"kind": "fault"}"#),
        )
        .await;
        assert_eq!(status, 422, "{backend}: {error}");
        assert_eq!(error["fields"]["number"], "required", "{error}");
        assert!(error["fields"]["actor"].is_string(), "{error}");
        assert!(error["fields"].get("kind").is_none(), "{error}");

        let mut nameless: Value = serde_json::from_str(&fault_report(LANDLINE)).unwrap();
        nameless["contact_name"] = json!("");
        let (status, error) =
            request(&server, "POST", "/api/tickets", Some(&nameless.to_string())).await;
        assert_eq!(status, 422, "{backend}: {error}");
        assert_eq!(
            error["fields"],
            json!({"contact_name": "missing-contact-name"})
        );

        let (status, error) = request(&server, "GET", "/api/tickets/999999", None).await;
        assert_eq!(status, 404, "{backend}: {error}");
        assert!(error["error"].is_string());
        let urge = json!({"step": "urge", "actor": {"kind": "agent", "id": "A007"}}).to_string();
        let (status, _) = request(&server, "POST", "/api/tickets/999999/events", Some(&urge)).await;
        assert_eq!(status, 404, "{backend}");

        let (status, made) = request(
            &server,
            "POST",
            "/api/tickets",
            Some(&fault_report(LANDLINE)),
        )
        .await;
        assert_eq!(status, 201, "{backend}: {made}");
        let path = format!("/api/tickets/{}/events", made["created"]["id"]);
        let fly = json!({"step": "fly", "actor": {"kind": "agent", "id": "A007"}}).to_string();
        let (status, error) = request(&server, "POST", &path, Some(&fly)).await;
        assert_eq!(status, 422, "{backend}: {error}");

        let (status, error) = request(&server, "GET", "/api/tickets", None).await;
        assert_eq!(status, 400, "{backend}: {error}");
        assert!(
            error["error"]
                .as_str()
                .is_some_and(|e| e.contains("number")),
            "{error}"
        );
        let (status, _) = request(
            &server,
            "GET",
            &format!("/api/tickets?number={LANDLINE}&state=all"),
            None,
        )
        .await;
        assert_eq!(status, 400, "{backend}");
        server.shutdown().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn a_store_that_cannot_be_opened_stops_the_start_with_a_clear_message() {
    let mut config = ServerConfig::for_tests(Path::new(env!("CARGO_MANIFEST_DIR")));
    config.db = "mysql://nowhere/hotline".to_string();
    let error = hotline::server::start(config).await.err().expect("refused");
    let message = format!("{error:#}");
    assert!(
        message.contains("cannot open the store mysql://nowhere/hotline"),
        "{message}"
    );
}
