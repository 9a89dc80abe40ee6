//! Call records in the store on every backend: written and read back field for field,
//! by the `[from, to)` range of their start, oldest first; and the tickets created in a
//! range, which the reports read.

mod store_common;

use hotline::records::RecordOutcome;
use hotline::tickets::model::LineStatus;
use store_common::records::{at, call_record, gave_up};
use store_common::{backends, calendar, ivr, line, report};

#[tokio::test]
async fn a_record_reads_back_as_it_was_written() {
    for db in backends().await {
        let store = &db.store;
        let full = call_record("full@127.0.0.1", at(10, 9, 0, 0));
        let bare = gave_up("bare@127.0.0.1", at(10, 9, 30, 0));
        let rejected = hotline::records::CallRecord {
            answered_at: None,
            path: Vec::new(),
            outcome: RecordOutcome::Rejected,
            ..gave_up("rejected@127.0.0.1", at(10, 9, 45, 0))
        };
        for record in [&full, &bare, &rejected] {
            store.insert_call_record(record).await.unwrap();
        }
        let read = store.call_records(at(10, 0, 0, 0), at(11, 0, 0, 0)).await;
        assert_eq!(read.unwrap(), vec![full, bare, rejected], "{}", db.backend);
        assert_eq!(db.count_rows("call_records").await, 3);
        db.finish().await;
    }
}

#[tokio::test]
async fn the_range_includes_its_start_excludes_its_end_and_is_oldest_first() {
    for db in backends().await {
        let store = &db.store;
        let starts = [
            ("late", at(11, 0, 0, 0)),
            ("first", at(10, 0, 0, 0)),
            ("before", at(9, 23, 59, 59)),
            ("middle", at(10, 12, 0, 0)),
            ("last", at(10, 23, 59, 59)),
        ];
        for (id, started_at) in starts {
            store
                .insert_call_record(&gave_up(id, started_at))
                .await
                .unwrap();
        }
        let read = (store.call_records(at(10, 0, 0, 0), at(11, 0, 0, 0)))
            .await
            .unwrap();
        let ids: Vec<&str> = read.iter().map(|r| r.call_id.as_str()).collect();
        assert_eq!(ids, ["first", "middle", "last"], "{}", db.backend);
        let empty = store.call_records(at(12, 0, 0, 0), at(13, 0, 0, 0)).await;
        assert!(empty.unwrap().is_empty());
        db.finish().await;
    }
}

#[tokio::test]
async fn the_reports_read_the_tickets_created_in_a_range_of_any_status() {
    for db in backends().await {
        let store = &db.store;
        let numbers = ["05512345670", "05512345671", "05512345672"];
        let lines = numbers.map(|number| line(number, LineStatus::Active));
        store.upsert_lines(&lines).await.unwrap();
        let (fault, by, calendar) = (report(), ivr(), calendar());
        for (number, made_at) in [
            (numbers[0], at(10, 0, 0, 0)),
            (numbers[1], at(10, 23, 59, 59)),
            (numbers[2], at(11, 0, 0, 0)),
        ] {
            let filed = store.report_fault(number, &fault, &by, &calendar, made_at, None);
            filed.await.unwrap();
        }
        let made = (store.tickets_created_between(at(10, 0, 0, 0), at(11, 0, 0, 0)))
            .await
            .unwrap();
        let made_for: Vec<&str> = made.iter().map(|t| t.ticket.number.as_str()).collect();
        assert_eq!(made_for, numbers[..2], "{}", db.backend);
        db.finish().await;
    }
}
