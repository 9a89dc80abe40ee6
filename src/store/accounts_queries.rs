// The accounts queries (see `store/accounts.rs`), written once and included into
// `store::sqlite` and `store::postgres` after `queries.rs`, whose `Db`, `DbRow`, `Tx`,
// `FOR_UPDATE`, `begin_write`, `lock_number` and `named` they use.

use crate::accounts::money::Cents;
use crate::accounts::orders::OrderState;
use crate::passwords::lockout::{Attempts, LockoutPolicy, Verdict};
use crate::passwords::Secret;
use crate::store::accounts::{
    verify, Balance, InstallOrder, NewCard, PasswordLock, PasswordSubject, Redeemed,
};

const ORDER_COLUMNS: &str = "order_number, number, kind, state, appointment_date, half_day, \
     tier, created_at, appointment_due";

pub(super) async fn balance(pool: &sqlx::Pool<Db>, number: &str) -> Result<Option<Balance>> {
    let row = sqlx::query(
        "SELECT number, balance_cents, month, charges_cents FROM balances WHERE number = $1",
    )
    .bind(number)
    .fetch_optional(pool)
    .await?;
    row.map(|row| {
        Ok(Balance {
            number: row.try_get("number")?,
            balance: Cents(row.try_get("balance_cents")?),
            month: row.try_get("month")?,
            charges: Cents(row.try_get("charges_cents")?),
        })
    })
    .transpose()
}

pub(super) async fn redeem_card(
    pool: &sqlx::Pool<Db>,
    card_number: &str,
    pin: &Secret,
    number: &str,
    now: DateTime<Utc>,
) -> Result<Redeemed> {
    let card = sqlx::query(
        "SELECT pin_hash, value_cents FROM recharge_cards \
         WHERE card_number = $1 AND redeemed_at IS NULL",
    )
    .bind(card_number)
    .fetch_optional(pool)
    .await?;
    let Some(card) = card else {
        return Ok(Redeemed::Refused);
    };
    if !verify(pin, card.try_get("pin_hash")?).await? {
        return Ok(Redeemed::Refused);
    }
    let value = Cents(card.try_get("value_cents")?);
    let mut tx = begin_write(pool).await?;
    let taken = sqlx::query(
        "UPDATE recharge_cards SET redeemed_at = $2, redeemed_by = $3 \
         WHERE card_number = $1 AND redeemed_at IS NULL",
    )
    .bind(card_number)
    .bind(now)
    .bind(number)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let sql = format!("SELECT balance_cents FROM balances WHERE number = $1{FOR_UPDATE}");
    let old: Option<i64> = sqlx::query_scalar(&sql)
        .bind(number)
        .fetch_optional(&mut *tx)
        .await?;
    let new = old.and_then(|old| Cents(old).checked_add(value));
    let (1, Some(balance)) = (taken, new) else {
        tx.rollback().await?;
        return Ok(Redeemed::Refused);
    };
    sqlx::query("UPDATE balances SET balance_cents = $2, updated_at = $3 WHERE number = $1")
        .bind(number)
        .bind(balance.0)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Redeemed::ToppedUp { balance })
}

pub(super) async fn install_order(
    pool: &sqlx::Pool<Db>,
    order_or_number: &str,
) -> Result<Option<InstallOrder>> {
    let by_order = format!("SELECT {ORDER_COLUMNS} FROM install_orders WHERE order_number = $1");
    let by_line = format!(
        "SELECT {ORDER_COLUMNS} FROM install_orders WHERE number = $1 \
         ORDER BY created_at DESC, order_number DESC LIMIT 1"
    );
    for sql in [by_order, by_line] {
        let row = sqlx::query(&sql)
            .bind(order_or_number)
            .fetch_optional(pool)
            .await?;
        if let Some(row) = row {
            return order_from_row(&row).map(Some);
        }
    }
    Ok(None)
}

pub(super) async fn contract_known(pool: &sqlx::Pool<Db>, contract: &str) -> Result<bool> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT number FROM lines WHERE contract_number = $1 LIMIT 1")
            .bind(contract)
            .fetch_optional(pool)
            .await?;
    Ok(found.is_some())
}

pub(super) async fn password_hash(
    pool: &sqlx::Pool<Db>,
    subject: &PasswordSubject,
) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT hash FROM passwords WHERE subject_kind = $1 AND subject = $2")
            .bind(subject.kind())
            .bind(subject.subject())
            .fetch_optional(pool)
            .await?,
    )
}

pub(super) async fn set_password(
    pool: &sqlx::Pool<Db>,
    subject: &PasswordSubject,
    phc: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO passwords (subject_kind, subject, hash, set_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (subject_kind, subject) DO UPDATE SET hash = excluded.hash, \
         set_at = excluded.set_at",
    )
    .bind(subject.kind())
    .bind(subject.subject())
    .bind(phc)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn check_password(
    pool: &sqlx::Pool<Db>,
    subject: &PasswordSubject,
    secret: &Secret,
    policy: &LockoutPolicy,
    now: DateTime<Utc>,
) -> Result<Verdict> {
    let Some(phc) = password_hash(pool, subject).await? else {
        return Ok(Verdict::Wrong { locked_until: None });
    };
    let earlier = attempts(&mut *pool.acquire().await?, subject).await?;
    if let Some(until) = policy.is_locked(&earlier, now) {
        return Ok(Verdict::Locked { until });
    }
    let correct = verify(secret, phc).await?;
    let mut tx = begin_write(pool).await?;
    lock_number(&mut tx, &lock_key(subject)).await?;
    let before = attempts(&mut tx, subject).await?;
    let (verdict, after) = policy.judge(&before, correct, now);
    if after != before {
        sqlx::query(
            "INSERT INTO password_attempts (subject_kind, subject, failures, locked_until) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (subject_kind, subject) DO UPDATE \
             SET failures = excluded.failures, locked_until = excluded.locked_until",
        )
        .bind(subject.kind())
        .bind(subject.subject())
        .bind(i32::try_from(after.failures).unwrap_or(i32::MAX))
        .bind(after.locked_until)
        .execute(&mut *tx)
        .await?;
    }
    if let Verdict::Wrong {
        locked_until: Some(until),
    } = verdict
    {
        sqlx::query(
            "INSERT INTO password_locks (subject_kind, subject, locked_at, locked_until) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(subject.kind())
        .bind(subject.subject())
        .bind(now)
        .bind(until)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(verdict)
}

pub(super) async fn password_locks(
    pool: &sqlx::Pool<Db>,
    only_active: bool,
    now: DateTime<Utc>,
) -> Result<Vec<PasswordLock>> {
    let rows = sqlx::query(
        "SELECT id, subject_kind, subject, locked_at, locked_until, lifted_at, lifted_by \
         FROM password_locks WHERE $1 = FALSE OR lifted_at IS NULL ORDER BY id DESC",
    )
    .bind(only_active)
    .fetch_all(pool)
    .await?;
    let locks = rows.iter().map(lock_from_row).collect::<Result<Vec<_>>>()?;
    Ok(locks
        .into_iter()
        .filter(|lock| !only_active || lock.locked_until > now)
        .collect())
}

pub(super) async fn lift_lock(
    pool: &sqlx::Pool<Db>,
    subject: &PasswordSubject,
    by: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut tx = begin_write(pool).await?;
    lock_number(&mut tx, &lock_key(subject)).await?;
    let locked = attempts(&mut tx, subject)
        .await?
        .locked_until
        .is_some_and(|until| until > now);
    if !locked {
        tx.rollback().await?;
        return Ok(false);
    }
    sqlx::query("DELETE FROM password_attempts WHERE subject_kind = $1 AND subject = $2")
        .bind(subject.kind())
        .bind(subject.subject())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE password_locks SET lifted_at = $3, lifted_by = $4 \
         WHERE subject_kind = $1 AND subject = $2 AND lifted_at IS NULL",
    )
    .bind(subject.kind())
    .bind(subject.subject())
    .bind(now)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn import_balances(
    pool: &sqlx::Pool<Db>,
    rows: &[Balance],
    now: DateTime<Utc>,
) -> Result<usize> {
    let mut tx = begin_write(pool).await?;
    for row in rows {
        sqlx::query(
            "INSERT INTO balances (number, balance_cents, month, charges_cents, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (number) DO UPDATE SET \
             balance_cents = excluded.balance_cents, month = excluded.month, \
             charges_cents = excluded.charges_cents, updated_at = excluded.updated_at",
        )
        .bind(&row.number)
        .bind(row.balance.0)
        .bind(&row.month)
        .bind(row.charges.0)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

pub(super) async fn import_orders(pool: &sqlx::Pool<Db>, rows: &[InstallOrder]) -> Result<usize> {
    let mut tx = begin_write(pool).await?;
    for row in rows {
        let (date, half) = match row.state {
            OrderState::Appointed { date, half } => (Some(date), Some(half.as_str())),
            _ => (None, None),
        };
        let sql = format!(
            "INSERT INTO install_orders ({ORDER_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (order_number) DO UPDATE \
             SET number = excluded.number, kind = excluded.kind, state = excluded.state, \
             appointment_date = excluded.appointment_date, half_day = excluded.half_day, \
             tier = excluded.tier, created_at = excluded.created_at, \
             appointment_due = excluded.appointment_due"
        );
        sqlx::query(&sql)
            .bind(&row.order_number)
            .bind(&row.number)
            .bind(row.kind.as_str())
            .bind(row.state.name())
            .bind(date)
            .bind(half)
            .bind(row.tier.as_str())
            .bind(row.created_at)
            .bind(row.appointment_due)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

pub(super) async fn import_cards(
    pool: &sqlx::Pool<Db>,
    rows: &[NewCard],
    now: DateTime<Utc>,
) -> Result<usize> {
    let mut tx = begin_write(pool).await?;
    for row in rows {
        sqlx::query(
            "INSERT INTO recharge_cards (card_number, pin_hash, value_cents, loaded_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (card_number) DO UPDATE SET \
             pin_hash = excluded.pin_hash, value_cents = excluded.value_cents, \
             loaded_at = excluded.loaded_at WHERE recharge_cards.redeemed_at IS NULL",
        )
        .bind(&row.card_number)
        .bind(&row.pin_hash)
        .bind(row.value.0)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

/// The key that serializes checks and lifts of one password (PostgreSQL advisory lock).
fn lock_key(subject: &PasswordSubject) -> String {
    format!("password {} {}", subject.kind(), subject.subject())
}

async fn attempts(conn: &mut Conn, subject: &PasswordSubject) -> Result<Attempts> {
    let row = sqlx::query(
        "SELECT failures, locked_until FROM password_attempts \
         WHERE subject_kind = $1 AND subject = $2",
    )
    .bind(subject.kind())
    .bind(subject.subject())
    .fetch_optional(&mut *conn)
    .await?;
    row.map_or(Ok(Attempts::default()), |row| {
        Ok(Attempts {
            failures: u32::try_from(row.try_get::<i32, _>("failures")?).unwrap_or(0),
            locked_until: row.try_get("locked_until")?,
        })
    })
}

fn order_from_row(row: &DbRow) -> Result<InstallOrder> {
    let half = optional_named(row, "half_day")?;
    let state = OrderState::from_parts(
        &row.try_get::<String, _>("state")?,
        row.try_get("appointment_date")?,
        half,
    )
    .map_err(StoreError::Corrupt)?;
    Ok(InstallOrder {
        order_number: row.try_get("order_number")?,
        number: row.try_get("number")?,
        kind: named(row, "kind")?,
        state,
        tier: named(row, "tier")?,
        created_at: row.try_get("created_at")?,
        appointment_due: row.try_get("appointment_due")?,
    })
}

fn lock_from_row(row: &DbRow) -> Result<PasswordLock> {
    let kind: String = row.try_get("subject_kind")?;
    Ok(PasswordLock {
        id: row.try_get("id")?,
        subject: PasswordSubject::from_parts(&kind, &row.try_get::<String, _>("subject")?)
            .map_err(StoreError::Corrupt)?,
        locked_at: row.try_get("locked_at")?,
        locked_until: row.try_get("locked_until")?,
        lifted_at: row.try_get("lifted_at")?,
        lifted_by: row.try_get("lifted_by")?,
    })
}
