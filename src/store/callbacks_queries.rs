// The call-back request queries (see `store/callbacks.rs`), written once and included
// into `store::sqlite` and `store::postgres` after `queries.rs`, whose `Db` and `DbRow`
// they use.

use crate::store::callbacks::{Callback, CallbackState, NewCallback};

const CALLBACK_COLUMNS: &str = "id, created_at, caller, callback_number, queue, reason, \
     call_id, waited_ms, state, done_at, done_by, note";

pub(super) async fn insert_callback(pool: &sqlx::Pool<Db>, callback: &NewCallback) -> Result<i64> {
    let waited_ms = i64::try_from(callback.waited_ms)
        .map_err(|_| StoreError::Corrupt(format!("waited {} ms", callback.waited_ms)))?;
    Ok(sqlx::query_scalar(
        "INSERT INTO callback_requests (created_at, caller, callback_number, queue, reason, \
         call_id, waited_ms, state) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open') RETURNING id",
    )
    .bind(callback.created_at)
    .bind(&callback.caller)
    .bind(callback.callback_number.as_ref().unwrap_or(&callback.caller))
    .bind(&callback.queue)
    .bind(callback.reason.as_str())
    .bind(&callback.call_id)
    .bind(waited_ms)
    .fetch_one(pool)
    .await?)
}

pub(super) async fn read_callbacks(
    pool: &sqlx::Pool<Db>,
    state: Option<CallbackState>,
    queue: Option<&str>,
) -> Result<Vec<Callback>> {
    let sql = format!(
        "SELECT {CALLBACK_COLUMNS} FROM callback_requests \
         WHERE ($1 IS NULL OR state = $1) AND ($2 IS NULL OR queue = $2) \
         ORDER BY created_at, id"
    );
    let rows = sqlx::query(&sql)
        .bind(state.map(CallbackState::as_str))
        .bind(queue)
        .fetch_all(pool)
        .await?;
    rows.iter().map(callback_from_row).collect()
}

/// Closes an open request; false when there is none with that id.
pub(super) async fn close_callback(
    pool: &sqlx::Pool<Db>,
    id: i64,
    state: CallbackState,
    by: Option<&str>,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let closed = sqlx::query(
        "UPDATE callback_requests SET state = $2, done_at = $3, done_by = $4, note = $5 \
         WHERE id = $1 AND state = 'open'",
    )
    .bind(id)
    .bind(state.as_str())
    .bind(now)
    .bind(by)
    .bind(note)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(closed == 1)
}

fn callback_from_row(row: &DbRow) -> Result<Callback> {
    let waited_ms: i64 = row.try_get("waited_ms")?;
    Ok(Callback {
        id: row.try_get("id")?,
        created_at: row.try_get("created_at")?,
        caller: row.try_get("caller")?,
        callback_number: row.try_get("callback_number")?,
        queue: row.try_get("queue")?,
        reason: row.try_get::<String, _>("reason")?.parse()?,
        call_id: row.try_get("call_id")?,
        waited_ms: u64::try_from(waited_ms)
            .map_err(|_| StoreError::Corrupt(format!("call-back waited {waited_ms} ms")))?,
        state: row.try_get::<String, _>("state")?.parse()?,
        done_at: row.try_get("done_at")?,
        done_by: row.try_get("done_by")?,
        note: row.try_get("note")?,
    })
}
