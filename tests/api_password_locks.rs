//! The password-locks API over real HTTP on every backend: a locked password is listed,
//! lifted once (204) by a logged-in agent, then no longer locked (404); a bad kind is a
//! 400; without a login nothing is shown or lifted (401).

mod store_common;

use chrono::Utc;
use hotline::passwords::hash::hash_password;
use hotline::passwords::lockout::{LockoutPolicy, Verdict};
use hotline::passwords::Secret;
use hotline::store::PasswordSubject;
use hotline::store::{NewAgent, DEFAULT_SIP_REALM};
use store_common::api::{request, request_as, send_as, servers};
use store_common::LANDLINE;

#[tokio::test]
async fn a_locked_password_is_listed_and_lifted_once() {
    let subject = PasswordSubject::Line(LANDLINE.to_string());
    let policy = LockoutPolicy {
        max_failures: 1,
        lock_minutes: 30,
    };
    for (server, db) in servers().await {
        let backend = db.backend;
        let store = server.store();
        let now = Utc::now();
        let phc = hash_password(&Secret::new("802011".to_string()));
        store.set_password(&subject, &phc, now).await.unwrap();
        let wrong = Secret::new("000001".to_string());
        let verdict = store.check_password(&subject, &wrong, &policy, now).await;
        assert!(matches!(
            verdict,
            Ok(Verdict::Wrong {
                locked_until: Some(_)
            })
        ));

        let agent = NewAgent {
            work_number: "1001".to_string(),
            name: "王芳".to_string(),
            skills: vec!["ordinary".to_string()],
            password: Secret::new("seat-pass".to_string()),
        };
        store
            .add_agent(&agent, DEFAULT_SIP_REALM, now)
            .await
            .unwrap();
        let login = Some(("1001", "seat-pass"));
        let (status, _) = request(&server, "GET", "/api/password-locks", None).await;
        assert_eq!(status, 401, "{backend}: no login, no locks");
        let path = format!("/api/password-locks/line/{LANDLINE}");
        let (status, _) = request(&server, "DELETE", &path, None).await;
        assert_eq!(status, 401, "{backend}: no login, no lift");

        let (status, body) = request_as(&server, login, "GET", "/api/password-locks", None).await;
        assert_eq!(status, 200, "{backend}: {body}");
        let locks = body["locks"].as_array().expect("a list");
        assert_eq!(locks.len(), 1, "{backend}: {body}");
        assert_eq!(locks[0]["kind"], "line");
        assert_eq!(locks[0]["subject"], LANDLINE);
        assert!(locks[0]["locked_until"].is_string(), "{body}");
        assert!(locks[0]["lifted_at"].is_null(), "{body}");

        assert_eq!(
            send_as(&server, login, "DELETE", &path, None).await.status,
            204
        );
        let (status, error) = request_as(&server, login, "DELETE", &path, None).await;
        assert_eq!(status, 404, "{backend}: {error}");
        assert!(error["error"]
            .as_str()
            .is_some_and(|e| e.contains("not locked")));
        let (_, body) = request_as(&server, login, "GET", "/api/password-locks", None).await;
        assert_eq!(body["locks"], serde_json::json!([]), "{backend}");
        let path = format!("/api/password-locks/account/{LANDLINE}");
        let (status, _) = request_as(&server, login, "DELETE", &path, None).await;
        assert_eq!(status, 400, "{backend}");
        server.shutdown().await;
        db.finish().await;
    }
}
