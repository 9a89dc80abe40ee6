//! The agents API over real HTTP on every backend: a supervisor adds an agent (refused
//! when invalid or taken), sees them with their seat, sets their password and disables
//! and enables them; an ordinary agent is refused (403) and nobody gets in without a
//! login (401).

mod store_common;

use chrono::Utc;
use hotline::passwords::Secret;
use hotline::server::RunningServer;
use hotline::store::{NewAgent, DEFAULT_SIP_REALM};
use store_common::api::{request_as, send_as, servers};

const LEAD: (&str, &str) = ("9001", "lead-pass");

/// The status of a request whose answer may have no body (204).
async fn status_of(
    server: &RunningServer,
    login: Option<(&str, &str)>,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> u16 {
    send_as(server, login, method, path, body).await.status
}

#[tokio::test]
async fn a_supervisor_manages_agents_and_nobody_else_can() {
    for (server, db) in servers().await {
        let backend = db.backend;
        let lead = NewAgent {
            work_number: LEAD.0.to_string(),
            name: "值班经理".to_string(),
            skills: vec!["supervisor".to_string()],
            password: Secret::new(LEAD.1.to_string()),
        };
        let store = server.store();
        (store.add_agent(&lead, DEFAULT_SIP_REALM, Utc::now()))
            .await
            .unwrap();
        let lead = Some(LEAD);

        let agent = r#"{"work_number": "1001", "name": "王芳", "skills": ["ordinary"], "password": "first-pass"}"#;
        let status = status_of(&server, None, "POST", "/api/agents", Some(agent)).await;
        assert_eq!(status, 401, "{backend}");
        let (status, body) = request_as(&server, lead, "POST", "/api/agents", Some(agent)).await;
        assert_eq!(status, 201, "{backend}: {body}");
        let status = status_of(&server, lead, "POST", "/api/agents", Some(agent)).await;
        assert_eq!(status, 409, "{backend}: the work number is taken");
        let bad =
            r#"{"work_number": "10x", "name": "李", "skills": ["ordinary"], "password": "p"}"#;
        let (status, body) = request_as(&server, lead, "POST", "/api/agents", Some(bad)).await;
        assert_eq!(status, 400, "{backend}: {body}");
        assert!(body["error"].as_str().unwrap().contains("10x"), "{body}");

        let agent_login = Some(("1001", "first-pass"));
        let status = status_of(&server, agent_login, "GET", "/api/agents", None).await;
        assert_eq!(status, 403, "{backend}: agents don't manage agents");
        let (status, body) = request_as(&server, lead, "GET", "/api/agents", None).await;
        assert_eq!(status, 200, "{backend}: {body}");
        let listed = body["agents"].as_array().unwrap();
        let added = listed.iter().find(|a| a["work_number"] == "1001").unwrap();
        assert_eq!(added["name"], "王芳");
        assert_eq!(added["state"], "logged-out");
        assert_eq!(added["disabled"], false);

        let password = r#"{"password": "second-pass"}"#;
        let path = "/api/agents/1001/password";
        let status = status_of(&server, lead, "PUT", path, Some(password)).await;
        assert_eq!(status, 204, "{backend}");
        let ready = r#"{"state": "ready"}"#;
        let state = "/api/agent/state";
        let status = status_of(&server, agent_login, "POST", state, Some(ready)).await;
        assert_eq!(status, 401, "{backend}: the old password is gone");
        let new_login = Some(("1001", "second-pass"));
        let (status, body) = request_as(&server, new_login, "POST", state, Some(ready)).await;
        assert_eq!((status, body["state"].as_str()), (200, Some("ready")));

        let status = status_of(&server, lead, "POST", "/api/agents/1001/disable", None).await;
        assert_eq!(status, 204, "{backend}");
        let status = status_of(&server, new_login, "POST", state, Some(ready)).await;
        assert_eq!(status, 401, "{backend}: a disabled agent can't log in");
        let status = status_of(&server, lead, "POST", "/api/agents/1001/enable", None).await;
        assert_eq!(status, 204, "{backend}");
        let status = status_of(&server, new_login, "POST", state, Some(ready)).await;
        assert_eq!(status, 200, "{backend}");
        let status = status_of(&server, lead, "POST", "/api/agents/4444/disable", None).await;
        assert_eq!(status, 404, "{backend}");

        server.shutdown().await;
        db.finish().await;
    }
}
