//! Call-back requests in the store on every backend: kept open with the caller's number
//! as the number to call back unless another is given, listed oldest first by state and
//! queue, closed once (done or cancelled) with who and a note, and refused by the schema
//! when malformed.

mod store_common;

use chrono::{DateTime, Duration, Utc};
use hotline::store::{Callback, CallbackReason, CallbackState, NewCallback};
use store_common::{backends, local, TestDb};

fn request(
    caller: &str,
    queue: &str,
    reason: CallbackReason,
    created_at: DateTime<Utc>,
) -> NewCallback {
    NewCallback {
        created_at,
        caller: caller.to_string(),
        callback_number: None,
        queue: queue.to_string(),
        reason,
        call_id: format!("call-{caller}@127.0.0.1"),
        waited_ms: 0,
    }
}

/// Runs `sql` past the store, on a connection of its own.
async fn execute(db: &TestDb, sql: &str) -> Result<(), sqlx::Error> {
    if db.backend == "sqlite" {
        let pool = sqlx::SqlitePool::connect(&db.url).await?;
        let result = sqlx::query(sql).execute(&pool).await;
        pool.close().await;
        result.map(drop)
    } else {
        let pool = sqlx::PgPool::connect(&db.url).await?;
        let result = sqlx::query(sql).execute(&pool).await;
        pool.close().await;
        result.map(drop)
    }
}

fn ids(callbacks: &[Callback]) -> Vec<i64> {
    callbacks.iter().map(|callback| callback.id).collect()
}

#[tokio::test]
async fn a_request_is_kept_open_with_the_callers_number_unless_another_is_given() {
    for db in backends().await {
        let store = &db.store;
        let now = local(10, 9, 0);
        let asked = NewCallback {
            waited_ms: 42_500,
            ..request("05512345678", "general", CallbackReason::CallerAsked, now)
        };
        let first = store.add_callback(&asked).await.unwrap();
        let other_number = NewCallback {
            callback_number: Some("13800000000".to_string()),
            ..request("05519876543", "senior", CallbackReason::QueueFull, now)
        };
        let second = store.add_callback(&other_number).await.unwrap();
        assert_ne!(first, second, "{}", db.backend);

        let stored = store.callbacks(None, None).await.unwrap();
        assert_eq!(
            stored[0],
            Callback {
                id: first,
                created_at: now,
                caller: "05512345678".to_string(),
                callback_number: "05512345678".to_string(),
                queue: "general".to_string(),
                reason: CallbackReason::CallerAsked,
                call_id: "call-05512345678@127.0.0.1".to_string(),
                waited_ms: 42_500,
                state: CallbackState::Open,
                done_at: None,
                done_by: None,
                note: None,
            },
            "{}",
            db.backend
        );
        assert_eq!(
            (
                stored[1].caller.as_str(),
                stored[1].callback_number.as_str()
            ),
            ("05519876543", "13800000000")
        );
        assert_eq!(stored[1].reason, CallbackReason::QueueFull);
        db.finish().await;
    }
}

#[tokio::test]
async fn requests_are_listed_oldest_first_by_state_and_queue() {
    for db in backends().await {
        let store = &db.store;
        let start = local(10, 9, 0);
        let at = |minutes| start + Duration::minutes(minutes);
        // added out of time order: the list goes by creation time
        let late = store
            .add_callback(&request("1", "general", CallbackReason::MaxWait, at(30)))
            .await
            .unwrap();
        let early = store
            .add_callback(&request("2", "general", CallbackReason::NoAgents, at(5)))
            .await
            .unwrap();
        let closed = store
            .add_callback(&request("3", "supervisor", CallbackReason::Closed, at(10)))
            .await
            .unwrap();
        let done = store
            .add_callback(&request("4", "general", CallbackReason::CallerAsked, at(1)))
            .await
            .unwrap();
        assert!(store
            .close_callback(done, CallbackState::Done, Some("1001"), None, at(40))
            .await
            .unwrap());

        let all = store.callbacks(None, None).await.unwrap();
        assert_eq!(ids(&all), [done, early, closed, late], "{}", db.backend);
        let open = store.callbacks(Some(CallbackState::Open), None).await;
        assert_eq!(ids(&open.unwrap()), [early, closed, late]);
        let general = store.callbacks(None, Some("general")).await.unwrap();
        assert_eq!(ids(&general), [done, early, late]);
        let open_general = store
            .callbacks(Some(CallbackState::Open), Some("general"))
            .await
            .unwrap();
        assert_eq!(ids(&open_general), [early, late]);
        let cancelled = store.callbacks(Some(CallbackState::Cancelled), None).await;
        assert!(cancelled.unwrap().is_empty());
        assert!(store
            .callbacks(None, Some("directory"))
            .await
            .unwrap()
            .is_empty());
        db.finish().await;
    }
}

#[tokio::test]
async fn a_request_is_closed_once_with_who_when_and_a_note() {
    for db in backends().await {
        let store = &db.store;
        let now = local(10, 9, 0);
        let later = now + Duration::minutes(20);
        let id = store
            .add_callback(&request("1", "general", CallbackReason::NoAgents, now))
            .await
            .unwrap();
        let note = Some("回电已解决 called back, bill explained");
        assert!(store
            .close_callback(id, CallbackState::Done, Some("1001"), note, later)
            .await
            .unwrap());
        // a second agent closing it too changes nothing
        let again = store
            .close_callback(id, CallbackState::Cancelled, Some("2002"), None, later)
            .await
            .unwrap();
        assert!(!again, "{}", db.backend);
        let stored = store.callbacks(None, None).await.unwrap().remove(0);
        assert_eq!(stored.state, CallbackState::Done);
        assert_eq!(stored.done_at, Some(later));
        assert_eq!(stored.done_by.as_deref(), Some("1001"));
        assert_eq!(stored.note.as_deref(), note);

        // the system cancels one (no agent), and nothing closes a missing one
        let other = store
            .add_callback(&request("2", "general", CallbackReason::MaxWait, now))
            .await
            .unwrap();
        assert!(store
            .close_callback(other, CallbackState::Cancelled, None, None, later)
            .await
            .unwrap());
        let cancelled = store
            .callbacks(Some(CallbackState::Cancelled), None)
            .await
            .unwrap();
        assert_eq!(ids(&cancelled), [other]);
        assert_eq!(cancelled[0].done_by, None);
        assert!(!store
            .close_callback(other + 100, CallbackState::Done, None, None, later)
            .await
            .unwrap());
        db.finish().await;
    }
}

#[tokio::test]
async fn closing_to_open_changes_nothing() {
    for db in backends().await {
        let store = &db.store;
        let now = local(10, 9, 0);
        let id = store
            .add_callback(&request("1", "general", CallbackReason::NoAgents, now))
            .await
            .unwrap();
        let reopened = store
            .close_callback(id, CallbackState::Open, Some("1001"), Some("x"), now)
            .await
            .unwrap();
        assert!(!reopened, "{}", db.backend);
        let stored = store.callbacks(None, None).await.unwrap().remove(0);
        assert_eq!(
            (stored.state, stored.done_at, stored.note),
            (CallbackState::Open, None, None)
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn the_schema_refuses_an_unknown_reason_or_state_and_a_closed_request_without_time() {
    for db in backends().await {
        let now = local(10, 9, 0);
        let insert = |reason: &str, state: &str, done: bool| {
            let done_at = if done { "created_at" } else { "NULL" };
            format!(
                "INSERT INTO callback_requests (created_at, caller, callback_number, queue, \
                 reason, call_id, waited_ms, state, done_at) SELECT created_at, caller, \
                 callback_number, queue, '{reason}', call_id, waited_ms, '{state}', {done_at} \
                 FROM callback_requests"
            )
        };
        db.store
            .add_callback(&request("1", "general", CallbackReason::NoAgents, now))
            .await
            .unwrap();
        for (sql, what) in [
            (insert("lost", "open", false), "unknown reason"),
            (insert("no-agents", "forgotten", false), "unknown state"),
            (insert("no-agents", "done", false), "done without a time"),
            (insert("no-agents", "open", true), "open with a time"),
        ] {
            assert!(execute(&db, &sql).await.is_err(), "{}: {what}", db.backend);
        }
        assert_eq!(db.count_rows("callback_requests").await, 1);
        db.finish().await;
    }
}
