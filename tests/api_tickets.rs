//! The tickets JSON API over real HTTP: a server from `ServerConfig::for_tests` (its own
//! SQLite file) and, when `DATABASE_URL` names PostgreSQL, one on a fresh schema too.

mod store_common;

use std::path::Path;

use hotline::server::ServerConfig;
use serde_json::{json, Value};
use store_common::api::{request, servers};
use store_common::{report, ARREARS, LANDLINE};

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
        assert_eq!(shown["recordings"], json!([]), "{shown}");
        server.shutdown().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn a_suggestion_is_taken_from_any_number_and_refused_without_a_contact_phone() {
    let suggestion = |number: &str, phone: &str| {
        json!({
            "kind": "suggestion",
            "number": number,
            "actor": {"kind": "agent", "id": "A007"},
            "contact_phone": phone,
            "description": "希望增加夜间人工座席",
        })
        .to_string()
    };
    for (server, db) in servers().await {
        let backend = db.backend;
        let body = suggestion("13912340000", "13912340000");
        let (status, made) = request(&server, "POST", "/api/tickets", Some(&body)).await;
        assert_eq!(status, 201, "{backend}: {made}");
        assert_eq!(made["decision"]["decision"], "suggestion");
        assert_eq!(made["decision"]["ticket"]["prefecture"], "");
        let id = made["created"]["id"].as_i64().expect("an id");
        let (status, shown) = request(&server, "GET", &format!("/api/tickets/{id}"), None).await;
        assert_eq!(status, 200, "{backend}: {shown}");
        let ticket = &shown["ticket"]["ticket"];
        assert_eq!(
            (&ticket["kind"], &ticket["team"], &ticket["priority"]),
            (
                &json!("suggestion"),
                &json!("customer-service"),
                &json!("general")
            ),
            "{shown}"
        );
        assert!(ticket["deadlines"]["resolve_by"].is_string(), "{shown}");

        let body = suggestion(LANDLINE, "");
        let (status, error) = request(&server, "POST", "/api/tickets", Some(&body)).await;
        assert_eq!(status, 422, "{backend}: {error}");
        assert_eq!(
            error["fields"],
            json!({"contact_phone": "missing-contact-phone"})
        );
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
