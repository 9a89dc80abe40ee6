// The call record queries (see `store/call_records.rs`), written once and included into
// `store::sqlite` and `store::postgres` after `queries.rs`, whose `Db` and `DbRow` they use.

use crate::records::CallRecord;

const CALL_RECORD_COLUMNS: &str = "call_id, started_at, answered_at, ended_at, caller, \
     called, path, outcome, tickets, queue, wait_ms, agent, talk_ms, menu_version";

/// Inserts `records` in one transaction.
pub(super) async fn insert_call_records(pool: &sqlx::Pool<Db>, records: &[CallRecord]) -> Result<()> {
    let sql = format!(
        "INSERT INTO call_records ({CALL_RECORD_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    );
    let mut tx = begin_write(pool).await?;
    for record in records {
        sqlx::query(&sql)
            .bind(&record.call_id)
            .bind(record.started_at)
            .bind(record.answered_at)
            .bind(record.ended_at)
            .bind(&record.caller)
            .bind(&record.called)
            .bind(serde_json::to_string(&record.path)?)
            .bind(record.outcome.as_str())
            .bind(serde_json::to_string(&record.tickets)?)
            .bind(&record.queue)
            .bind(record.wait_ms)
            .bind(&record.agent)
            .bind(record.talk_ms)
            .bind(record.menu_version)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn read_call_records(
    pool: &sqlx::Pool<Db>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<CallRecord>> {
    let sql = format!(
        "SELECT {CALL_RECORD_COLUMNS} FROM call_records \
         WHERE started_at >= $1 AND started_at < $2 ORDER BY started_at, id"
    );
    let rows = sqlx::query(&sql).bind(from).bind(to).fetch_all(pool).await?;
    rows.iter().map(call_record_from_row).collect()
}

fn call_record_from_row(row: &DbRow) -> Result<CallRecord> {
    Ok(CallRecord {
        call_id: row.try_get("call_id")?,
        started_at: row.try_get("started_at")?,
        answered_at: row.try_get("answered_at")?,
        ended_at: row.try_get("ended_at")?,
        caller: row.try_get("caller")?,
        called: row.try_get("called")?,
        path: serde_json::from_str(&row.try_get::<String, _>("path")?)?,
        outcome: named(row, "outcome")?,
        tickets: serde_json::from_str(&row.try_get::<String, _>("tickets")?)?,
        queue: row.try_get("queue")?,
        wait_ms: row.try_get("wait_ms")?,
        agent: row.try_get("agent")?,
        talk_ms: row.try_get("talk_ms")?,
        menu_version: row.try_get("menu_version")?,
    })
}
