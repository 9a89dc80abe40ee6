// The seat queries (see `store/seats.rs`), written once and included into
// `store::sqlite` and `store::postgres` after `queries.rs`, whose `Db` and `DbRow` they
// use.

use crate::store::seats::{QueueCallerRecord, SeatRecord};

pub(super) async fn save_seat(pool: &sqlx::Pool<Db>, seat: &SeatRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO agent_seats (work_number, state, reason, call_id, since) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (work_number) DO UPDATE SET state = excluded.state, \
         reason = excluded.reason, call_id = excluded.call_id, since = excluded.since",
    )
    .bind(&seat.work_number)
    .bind(seat.state.as_str())
    .bind(&seat.reason)
    .bind(&seat.call_id)
    .bind(seat.since)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn read_seats(pool: &sqlx::Pool<Db>) -> Result<Vec<SeatRecord>> {
    let rows = sqlx::query(
        "SELECT work_number, state, reason, call_id, since FROM agent_seats ORDER BY work_number",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(SeatRecord {
                work_number: row.try_get("work_number")?,
                state: row.try_get::<String, _>("state")?.parse()?,
                reason: row.try_get("reason")?,
                call_id: row.try_get("call_id")?,
                since: row.try_get("since")?,
            })
        })
        .collect()
}

pub(super) async fn save_queue_caller(
    pool: &sqlx::Pool<Db>,
    caller: &QueueCallerRecord,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO queue_callers (call_id, queue, caller, tier, entered_at, requeued, place, \
         ringing) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (call_id) DO UPDATE SET queue = excluded.queue, \
         caller = excluded.caller, tier = excluded.tier, entered_at = excluded.entered_at, \
         requeued = excluded.requeued, place = excluded.place, ringing = excluded.ringing",
    )
    .bind(&caller.call_id)
    .bind(&caller.queue)
    .bind(&caller.caller)
    .bind(caller.tier.as_str())
    .bind(caller.entered_at)
    .bind(caller.requeued)
    .bind(caller.place.map(i64::from))
    .bind(&caller.ringing)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn remove_queue_caller(pool: &sqlx::Pool<Db>, call_id: &str) -> Result<bool> {
    let removed = sqlx::query("DELETE FROM queue_callers WHERE call_id = $1")
        .bind(call_id)
        .execute(pool)
        .await?
        .rows_affected();
    Ok(removed == 1)
}

pub(super) async fn read_queue_callers(pool: &sqlx::Pool<Db>) -> Result<Vec<QueueCallerRecord>> {
    let rows = sqlx::query(
        "SELECT call_id, queue, caller, tier, entered_at, requeued, place, ringing \
         FROM queue_callers ORDER BY queue, place IS NULL, place, entered_at",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let place: Option<i64> = row.try_get("place")?;
            Ok(QueueCallerRecord {
                call_id: row.try_get("call_id")?,
                queue: row.try_get("queue")?,
                caller: row.try_get("caller")?,
                tier: row.try_get::<String, _>("tier")?.parse()?,
                entered_at: row.try_get("entered_at")?,
                requeued: row.try_get("requeued")?,
                place: place
                    .map(|p| {
                        u32::try_from(p).map_err(|_| StoreError::Corrupt(format!("place {p}")))
                    })
                    .transpose()?,
                ringing: row.try_get("ringing")?,
            })
        })
        .collect()
}
