// The agents queries (see `store/agents.rs`), written once and included into
// `store::sqlite` and `store::postgres` after `queries.rs`, whose `Db`, `DbRow` and
// `begin_write` they use.

use std::collections::BTreeMap;

use crate::agents::digest::Algorithm;
use crate::store::agents::{Agent, Binding, Credentials, NewAgent};

const BINDING_COLUMNS: &str =
    "work_number, contact, source, transport, call_id, cseq, user_agent, expires_at";

/// Inserts the agent and their skills; false when the work number is taken.
pub(super) async fn insert_agent(
    pool: &sqlx::Pool<Db>,
    agent: &NewAgent,
    credentials: &Credentials,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut tx = begin_write(pool).await?;
    let inserted = sqlx::query(
        "INSERT INTO agents (work_number, name, password_hash, ha1_sha256, ha1_md5, realm, \
         disabled, created_at, password_set_at) VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7, $7) \
         ON CONFLICT (work_number) DO NOTHING",
    )
    .bind(&agent.work_number)
    .bind(&agent.name)
    .bind(&credentials.password_hash)
    .bind(&credentials.ha1_sha256)
    .bind(&credentials.ha1_md5)
    .bind(&credentials.realm)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    for (position, skill) in (0_i32..).zip(&agent.skills) {
        sqlx::query("INSERT INTO agent_skills (work_number, position, skill) VALUES ($1, $2, $3)")
            .bind(&agent.work_number)
            .bind(position)
            .bind(skill)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// One agent (`Some(work_number)`) or all, by work number, with their skills in order.
pub(super) async fn read_agents(
    pool: &sqlx::Pool<Db>,
    only: Option<&str>,
) -> Result<Vec<Agent>> {
    let mut conn = pool.acquire().await?;
    let skill_rows = sqlx::query(
        "SELECT work_number, skill FROM agent_skills WHERE $1 IS NULL OR work_number = $1 \
         ORDER BY work_number, position",
    )
    .bind(only)
    .fetch_all(&mut *conn)
    .await?;
    let mut skills: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in &skill_rows {
        let work_number: String = row.try_get("work_number")?;
        skills.entry(work_number).or_default().push(row.try_get("skill")?);
    }
    let rows = sqlx::query(
        "SELECT work_number, name, disabled, created_at FROM agents \
         WHERE $1 IS NULL OR work_number = $1 ORDER BY work_number",
    )
    .bind(only)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let work_number: String = row.try_get("work_number")?;
            Ok(Agent {
                skills: skills.remove(&work_number).unwrap_or_default(),
                work_number,
                name: row.try_get("name")?,
                disabled: row.try_get("disabled")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
}

pub(super) async fn set_agent_password(
    pool: &sqlx::Pool<Db>,
    work_number: &str,
    credentials: &Credentials,
    now: DateTime<Utc>,
) -> Result<bool> {
    let updated = sqlx::query(
        "UPDATE agents SET password_hash = $2, ha1_sha256 = $3, ha1_md5 = $4, realm = $5, \
         password_set_at = $6 WHERE work_number = $1",
    )
    .bind(work_number)
    .bind(&credentials.password_hash)
    .bind(&credentials.ha1_sha256)
    .bind(&credentials.ha1_md5)
    .bind(&credentials.realm)
    .bind(now)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(updated == 1)
}

/// Sets the flag; disabling also deletes the agent's bindings, in one transaction.
pub(super) async fn set_agent_disabled(
    pool: &sqlx::Pool<Db>,
    work_number: &str,
    disabled: bool,
) -> Result<bool> {
    let mut tx = begin_write(pool).await?;
    let updated = sqlx::query("UPDATE agents SET disabled = $2 WHERE work_number = $1")
        .bind(work_number)
        .bind(disabled)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if updated == 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    if disabled {
        sqlx::query("DELETE FROM agent_bindings WHERE work_number = $1")
            .bind(work_number)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn agent_ha1(
    pool: &sqlx::Pool<Db>,
    work_number: &str,
    algorithm: Algorithm,
) -> Result<Option<String>> {
    let row = sqlx::query(
        "SELECT ha1_sha256, ha1_md5 FROM agents WHERE work_number = $1 AND NOT disabled",
    )
    .bind(work_number)
    .fetch_optional(pool)
    .await?;
    let column = match algorithm {
        Algorithm::Sha256 => "ha1_sha256",
        Algorithm::Md5 => "ha1_md5",
    };
    Ok(row.map(|row| row.try_get(column)).transpose()?)
}

/// The argon2id hash of an enabled agent's password.
pub(super) async fn agent_password_hash(
    pool: &sqlx::Pool<Db>,
    work_number: &str,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT password_hash FROM agents WHERE work_number = $1 AND NOT disabled",
    )
    .bind(work_number)
    .fetch_optional(pool)
    .await?)
}

/// Upserts the binding if its agent is enabled; false otherwise.
pub(super) async fn bind(pool: &sqlx::Pool<Db>, binding: &Binding) -> Result<bool> {
    // `WHERE EXISTS` also keeps SQLite's parser from reading `ON CONFLICT` as a join.
    let sql = format!(
        "INSERT INTO agent_bindings ({BINDING_COLUMNS}) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE EXISTS \
         (SELECT 1 FROM agents WHERE work_number = $1 AND NOT disabled) \
         ON CONFLICT (work_number, contact) DO UPDATE SET source = excluded.source, \
         transport = excluded.transport, call_id = excluded.call_id, cseq = excluded.cseq, \
         user_agent = excluded.user_agent, expires_at = excluded.expires_at"
    );
    let written = sqlx::query(&sql)
        .bind(&binding.work_number)
        .bind(&binding.contact)
        .bind(&binding.source)
        .bind(&binding.transport)
        .bind(&binding.call_id)
        .bind(i64::from(binding.cseq))
        .bind(&binding.user_agent)
        .bind(binding.expires_at)
        .execute(pool)
        .await?
        .rows_affected();
    Ok(written == 1)
}

pub(super) async fn unbind(
    pool: &sqlx::Pool<Db>,
    work_number: &str,
    contact: Option<&str>,
) -> Result<u64> {
    Ok(sqlx::query(
        "DELETE FROM agent_bindings WHERE work_number = $1 AND ($2 IS NULL OR contact = $2)",
    )
    .bind(work_number)
    .bind(contact)
    .execute(pool)
    .await?
    .rows_affected())
}

pub(super) async fn bindings(
    pool: &sqlx::Pool<Db>,
    work_number: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Binding>> {
    let sql = format!(
        "SELECT {BINDING_COLUMNS} FROM agent_bindings WHERE work_number = $1 \
         AND expires_at > $2 ORDER BY expires_at DESC, contact"
    );
    let rows = sqlx::query(&sql)
        .bind(work_number)
        .bind(now)
        .fetch_all(pool)
        .await?;
    rows.iter().map(binding_from_row).collect()
}

pub(super) async fn expire_bindings(pool: &sqlx::Pool<Db>, now: DateTime<Utc>) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM agent_bindings WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected())
}

fn binding_from_row(row: &DbRow) -> Result<Binding> {
    let cseq: i64 = row.try_get("cseq")?;
    Ok(Binding {
        work_number: row.try_get("work_number")?,
        contact: row.try_get("contact")?,
        source: row.try_get("source")?,
        transport: row.try_get("transport")?,
        call_id: row.try_get("call_id")?,
        cseq: u32::try_from(cseq)
            .map_err(|_| StoreError::Corrupt(format!("binding CSeq {cseq} out of range")))?,
        user_agent: row.try_get("user_agent")?,
        expires_at: row.try_get("expires_at")?,
    })
}
