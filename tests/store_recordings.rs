//! Call recordings through the store: written in the report's transaction with the
//! ticket made or urged, never without one, and read back byte for byte; on every
//! backend.

mod store_common;

use chrono::Duration;
use hotline::store::{RecordingId, RecordingInfo};
use hotline::tickets::model::{LineStatus, TicketKind};
use hotline::tickets::rules::{ComplaintRequest, Decision, SuggestionRequest};
use store_common::*;

#[tokio::test]
async fn a_recording_is_stored_with_a_new_fault_and_read_back_byte_identical() {
    let now = local(10, 10, 0);
    let wav = recording(2500, 0);
    for db in backends().await {
        with_lines(&db.store).await;
        let out = db
            .store
            .report_fault(LANDLINE, &report(), &ivr(), &calendar(), now, Some(&wav))
            .await
            .unwrap();
        let ticket = out.created.expect("a ticket").id;
        let id = out.recording.expect("a recording");
        let stored = db.store.recording(id).await.unwrap().expect("stored");
        assert_eq!((stored.id, stored.ticket), (id, ticket), "{}", db.backend);
        assert!(stored.wav == wav.wav, "{}: the bytes differ", db.backend);
        assert_eq!((stored.duration_ms, stored.created_at), (2500, now));
        let detail = db.store.ticket(ticket).await.unwrap().unwrap();
        assert_eq!(
            detail.recordings,
            [RecordingInfo {
                id,
                duration_ms: 2500,
                created_at: now
            }]
        );
        let missing = RecordingId(id.0 + 100);
        assert_eq!(db.store.recording(missing).await.unwrap(), None);
        db.finish().await;
    }
}

#[tokio::test]
async fn a_repeat_report_links_its_recording_to_the_urged_ticket() {
    let first = local(10, 10, 0);
    let again = first + Duration::hours(2);
    for db in backends().await {
        with_lines(&db.store).await;
        let cal = calendar();
        let made = db
            .store
            .report_fault(
                LANDLINE,
                &report(),
                &ivr(),
                &cal,
                first,
                Some(&recording(800, 1)),
            )
            .await
            .unwrap();
        let ticket = made.created.unwrap().id;
        let repeat = recording(1200, 2);
        let out = db
            .store
            .report_fault(LANDLINE, &report(), &ivr(), &cal, again, Some(&repeat))
            .await
            .unwrap();
        assert_eq!(out.decision, Decision::Urge { ticket }, "{}", db.backend);
        let id = out.recording.expect("a recording");
        let stored = db.store.recording(id).await.unwrap().unwrap();
        assert_eq!(stored.ticket, ticket);
        assert!(stored.wav == repeat.wav);
        let listed: Vec<_> = (db.store.ticket(ticket).await.unwrap().unwrap().recordings)
            .iter()
            .map(|r| (r.duration_ms, r.created_at))
            .collect();
        assert_eq!(listed, [(800, first), (1200, again)], "{}", db.backend);
        db.finish().await;
    }
}

#[tokio::test]
async fn no_recording_is_kept_when_no_ticket_is_made_or_urged() {
    let now = local(10, 10, 0);
    let wav = recording(1000, 3);
    for db in backends().await {
        with_lines(&db.store).await;
        let vacant = line("05512340000", LineStatus::Vacant);
        db.store
            .upsert_lines(std::slice::from_ref(&vacant))
            .await
            .unwrap();
        let mut nameless = report();
        nameless.contact_name.clear();
        let cases = [
            (ARREARS, report()),
            (vacant.number.as_str(), report()),
            ("05599999999", report()),
            (LANDLINE, nameless),
        ];
        for (number, report) in &cases {
            let out = db
                .store
                .report_fault(number, report, &ivr(), &calendar(), now, Some(&wav))
                .await
                .unwrap();
            assert!(
                matches!(
                    out.decision,
                    Decision::RemindToPay | Decision::Supervisor { .. } | Decision::Refused { .. }
                ),
                "{}: {number}: {:?}",
                db.backend,
                out.decision
            );
            assert_eq!((out.created, out.recording), (None, None));
        }
        assert_eq!(db.count_rows("recordings").await, 0, "{}", db.backend);
        assert_eq!(db.count_rows("tickets").await, 0, "{}", db.backend);
        db.finish().await;
    }
}

#[tokio::test]
async fn complaints_and_suggestions_keep_their_recording_too() {
    let now = local(10, 10, 0);
    for db in backends().await {
        with_lines(&db.store).await;
        let complaint = ComplaintRequest {
            complaint_type: "bill-dispute".to_string(),
            contact_name: "王芳".to_string(),
            contact_phone: "13900000001".to_string(),
            description: String::new(),
            order: None,
            menu_path: "3-2-3-1".to_string(),
        };
        let out = db
            .store
            .file_complaint(
                LANDLINE,
                &complaint,
                &ivr(),
                &catalogue(),
                &calendar(),
                now,
                Some(&recording(3000, 4)),
            )
            .await
            .unwrap();
        let stored = db.store.recording(out.recording.unwrap()).await.unwrap();
        assert_eq!(stored.unwrap().ticket, out.created.unwrap().id);

        let suggestion = SuggestionRequest {
            contact_name: String::new(),
            contact_phone: "13700000002".to_string(),
            description: String::new(),
            menu_path: "3-3".to_string(),
        };
        let out = db
            .store
            .file_suggestion(
                "13700000002",
                &suggestion,
                &ivr(),
                &calendar(),
                now,
                Some(&recording(4000, 5)),
            )
            .await
            .unwrap();
        let ticket = out.created.expect("a suggestion").id;
        let detail = db.store.ticket(ticket).await.unwrap().unwrap();
        assert_eq!(detail.ticket.ticket.kind, TicketKind::Suggestion);
        assert_eq!(detail.recordings.len(), 1, "{}", db.backend);
        assert_eq!(Some(detail.recordings[0].id), out.recording);
        db.finish().await;
    }
}
