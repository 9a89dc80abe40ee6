// The seat queries (see `store/seats.rs`), written once and included into
// `store::sqlite` and `store::postgres` after `queries.rs`, whose `Db` and `DbRow` they
// use.

use crate::store::seats::SeatRecord;

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
