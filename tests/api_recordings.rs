//! Call recordings over real HTTP: a ticket's detail links its recordings, and
//! `GET /api/recordings/{id}` serves the WAV as stored; on every backend.

mod store_common;

use serde_json::json;
use store_common::api::{request, send, servers};
use store_common::{calendar, ivr, local, recording, report, LANDLINE};

#[tokio::test]
async fn a_ticket_links_its_recording_and_the_wav_is_served_as_stored() {
    let wav = recording(1500, 7);
    for (server, db) in servers().await {
        let backend = db.backend;
        let now = local(10, 10, 0);
        let out = server
            .store()
            .report_fault(LANDLINE, &report(), &ivr(), &calendar(), now, Some(&wav))
            .await
            .unwrap();
        let ticket = out.created.expect("a ticket").id;
        let id = out.recording.expect("a recording").0;

        let (status, shown) =
            request(&server, "GET", &format!("/api/tickets/{ticket}"), None).await;
        assert_eq!(status, 200, "{backend}: {shown}");
        let url = format!("/api/recordings/{id}");
        assert_eq!(
            shown["recordings"],
            json!([{"id": id, "url": url, "duration_ms": 1500, "created_at": now}]),
            "{backend}"
        );

        let answer = send(&server, "GET", &url, None).await;
        assert_eq!(answer.status, 200, "{backend}");
        assert_eq!(answer.header("content-type"), Some("audio/wav"));
        let length = wav.wav.len().to_string();
        assert_eq!(answer.header("content-length"), Some(length.as_str()));
        assert!(answer.body == wav.wav, "{backend}: the WAV differs");
        server.shutdown().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn an_unknown_recording_is_404_and_a_bad_id_400_with_a_json_error() {
    for (server, db) in servers().await {
        let backend = db.backend;
        let (status, error) = request(&server, "GET", "/api/recordings/999999", None).await;
        assert_eq!(status, 404, "{backend}: {error}");
        assert_eq!(error["error"], "no recording 999999");
        let (status, error) = request(&server, "GET", "/api/recordings/latest", None).await;
        assert_eq!(status, 400, "{backend}: {error}");
        assert!(
            error["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{error}"
        );
        server.shutdown().await;
        db.finish().await;
    }
}
