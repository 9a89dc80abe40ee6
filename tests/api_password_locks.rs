//! The password-locks API over real HTTP on every backend: a locked password is listed,
//! lifted once (204), then no longer locked (404); a bad kind is a 400.

mod store_common;

use chrono::Utc;
use hotline::passwords::hash::hash_password;
use hotline::passwords::lockout::{LockoutPolicy, Verdict};
use hotline::passwords::Secret;
use hotline::store::PasswordSubject;
use store_common::api::{request, send, servers};
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

        let (status, body) = request(&server, "GET", "/api/password-locks", None).await;
        assert_eq!(status, 200, "{backend}: {body}");
        let locks = body["locks"].as_array().expect("a list");
        assert_eq!(locks.len(), 1, "{backend}: {body}");
        assert_eq!(locks[0]["kind"], "line");
        assert_eq!(locks[0]["subject"], LANDLINE);
        assert!(locks[0]["locked_until"].is_string(), "{body}");
        assert!(locks[0]["lifted_at"].is_null(), "{body}");

        let path = format!("/api/password-locks/line/{LANDLINE}");
        assert_eq!(send(&server, "DELETE", &path, None).await.status, 204);
        let (status, error) = request(&server, "DELETE", &path, None).await;
        assert_eq!(status, 404, "{backend}: {error}");
        assert!(error["error"]
            .as_str()
            .is_some_and(|e| e.contains("not locked")));
        let (_, body) = request(&server, "GET", "/api/password-locks", None).await;
        assert_eq!(body["locks"], serde_json::json!([]), "{backend}");
        let path = format!("/api/password-locks/account/{LANDLINE}");
        let (status, _) = request(&server, "DELETE", &path, None).await;
        assert_eq!(status, 400, "{backend}");
        server.shutdown().await;
        db.finish().await;
    }
}
