// The store's queries, written once and included into `store::sqlite` and
// `store::postgres` (see `store/mod.rs`), which define `Db`, `DbRow`, `FOR_UPDATE`,
// `begin_write` and `lock_number`. Placeholders are `$n`: SQLite accepts them too.

use sqlx::Row;

use crate::tickets::lifecycle::{self as lifecycle, ActorKind, Transition};
use crate::tickets::model::{Deadlines, OrderRef, TicketFacts, TicketKind, TicketStatus};

type Tx = sqlx::Transaction<'static, Db>;
type Conn = <Db as sqlx::Database>::Connection;

const TICKET_COLUMNS: &str = "id, serial, kind, number, prefecture, status, route_team, team, \
     priority, rush, subscriber_name, contact_name, contact_phone, no_call_back, category, \
     complaint_type, about_ticket, escalates, order_number, order_state, phenomenon, content, \
     menu_path, created_by_kind, created_by_id, created_at, dispatch_by, hand_on_by, reply_by, \
     resolve_by, cleared_at, clearing_result, urges, satisfied";

pub(super) async fn upsert_lines(pool: &sqlx::Pool<Db>, lines: &[Line]) -> Result<usize> {
    let mut tx = begin_write(pool).await?;
    for line in lines {
        sqlx::query(
            "INSERT INTO lines (number, kind, prefecture, status, tier, big_customer, \
             leased_line, owner_name, contact_phone, contract_number) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (number) DO UPDATE SET kind = excluded.kind, \
             prefecture = excluded.prefecture, status = excluded.status, tier = excluded.tier, \
             big_customer = excluded.big_customer, leased_line = excluded.leased_line, \
             owner_name = excluded.owner_name, contact_phone = excluded.contact_phone, \
             contract_number = excluded.contract_number",
        )
        .bind(&line.number)
        .bind(line.kind.as_str())
        .bind(&line.prefecture)
        .bind(line.status.as_str())
        .bind(line.tier.as_str())
        .bind(line.big_customer)
        .bind(line.leased_line)
        .bind(&line.owner_name)
        .bind(&line.contact_phone)
        .bind(&line.contract_number)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(lines.len())
}

pub(super) async fn line(pool: &sqlx::Pool<Db>, number: &str) -> Result<Option<Line>> {
    let mut conn = pool.acquire().await?;
    read_line(&mut conn, number).await
}

/// The first of `numbers` that is a line `accept` takes.
pub(super) async fn first_line(
    pool: &sqlx::Pool<Db>,
    numbers: &[String],
    accept: &impl Fn(&Line) -> bool,
) -> Result<Option<Line>> {
    let mut conn = pool.acquire().await?;
    for number in numbers {
        if let Some(line) = read_line(&mut conn, number).await?.filter(accept) {
            return Ok(Some(line));
        }
    }
    Ok(None)
}

pub(super) async fn count_lines(pool: &sqlx::Pool<Db>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM lines")
        .fetch_one(pool)
        .await?)
}

/// One report: lock the number, read its line and history, decide, write the decision
/// and the recording (with the ticket made or urged, if any), commit.
pub(super) async fn report(
    pool: &sqlx::Pool<Db>,
    number: &str,
    decide: &impl Fn(Option<&Line>, &[TicketFacts]) -> Decision,
    actor: &Actor,
    calendar: &Calendar,
    now: DateTime<Utc>,
    recording: Option<&NewRecording>,
) -> Result<Outcome> {
    let mut tx = begin_write(pool).await?;
    lock_number(&mut tx, number).await?;
    let line = read_line(&mut tx, number).await?;
    let history = history(&mut tx, number).await?;
    let decision = decide(line.as_ref(), &history);
    let (created, about) = match &decision {
        Decision::NewFault { ticket }
        | Decision::Complaint { ticket }
        | Decision::Declaration { ticket, .. }
        | Decision::Suggestion { ticket } => {
            let created = insert_ticket(&mut tx, ticket, actor, calendar).await?;
            let id = created.id;
            (Some(created), Some(id))
        }
        Decision::Urge { ticket } => {
            take_step(&mut tx, *ticket, &Step::Urge, actor, now).await?;
            (None, Some(*ticket))
        }
        Decision::RemindToPay | Decision::Supervisor { .. } | Decision::Refused { .. } => {
            (None, None)
        }
    };
    let recording = match (about, recording) {
        (Some(ticket), Some(recording)) => {
            Some(insert_recording(&mut tx, ticket, recording, now).await?)
        }
        _ => None,
    };
    tx.commit().await?;
    Ok(Outcome {
        decision,
        created,
        recording,
    })
}

pub(super) async fn apply_step(
    pool: &sqlx::Pool<Db>,
    id: TicketId,
    step: &Step,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<StepRecord> {
    let mut tx = begin_write(pool).await?;
    let record = take_step(&mut tx, id, step, actor, now).await?;
    tx.commit().await?;
    Ok(record)
}

pub(super) async fn ticket(pool: &sqlx::Pool<Db>, id: TicketId) -> Result<Option<TicketDetail>> {
    let mut conn = pool.acquire().await?;
    let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1");
    let Some(row) = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let ticket = ticket_from_row(&row)?;
    let rows = sqlx::query(
        "SELECT detail, actor_kind, actor_id, at, from_status, to_status \
         FROM ticket_events WHERE ticket_id = $1 ORDER BY id",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;
    let events = rows
        .iter()
        .map(|row| {
            Ok(StepRecord {
                step: serde_json::from_str(&row.try_get::<String, _>("detail")?)?,
                actor: Actor {
                    kind: named(row, "actor_kind")?,
                    id: row.try_get("actor_id")?,
                },
                at: row.try_get("at")?,
                from: named(row, "from_status")?,
                to: named(row, "to_status")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let rows = sqlx::query(
        "SELECT id, duration_ms, created_at FROM recordings WHERE ticket_id = $1 ORDER BY id",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;
    let recordings = rows
        .iter()
        .map(|row| {
            Ok(RecordingInfo {
                id: RecordingId(row.try_get("id")?),
                duration_ms: duration_ms(row)?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(TicketDetail {
        ticket,
        events,
        recordings,
    }))
}

pub(super) async fn recording(pool: &sqlx::Pool<Db>, id: RecordingId) -> Result<Option<Recording>> {
    let row = sqlx::query(
        "SELECT id, ticket_id, wav, duration_ms, created_at FROM recordings WHERE id = $1",
    )
    .bind(id.0)
    .fetch_optional(pool)
    .await?;
    row.map(|row| {
        Ok(Recording {
            id: RecordingId(row.try_get("id")?),
            ticket: TicketId(row.try_get("ticket_id")?),
            wav: row.try_get("wav")?,
            duration_ms: duration_ms(&row)?,
            created_at: row.try_get("created_at")?,
        })
    })
    .transpose()
}

pub(super) async fn list_tickets(
    pool: &sqlx::Pool<Db>,
    number: Option<&str>,
    which: Which,
    limit: i64,
) -> Result<Vec<Ticket>> {
    let sql = format!(
        "SELECT {TICKET_COLUMNS} FROM tickets \
         WHERE (CAST($1 AS TEXT) IS NULL OR number = $1) AND {} \
         ORDER BY id DESC LIMIT $2",
        super::status_filter(which)
    );
    let rows = sqlx::query(&sql)
        .bind(number)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    rows.iter().map(ticket_from_row).collect()
}

/// Active tickets whose last deadline (resolve-by, else reply-by) is at or before `by`,
/// the soonest first.
pub(super) async fn list_due_tickets(
    pool: &sqlx::Pool<Db>,
    by: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Ticket>> {
    let sql = format!(
        "SELECT {TICKET_COLUMNS} FROM tickets \
         WHERE COALESCE(resolve_by, reply_by) <= $1 AND {} \
         ORDER BY COALESCE(resolve_by, reply_by), id LIMIT $2",
        super::status_filter(Which::Active)
    );
    let rows = sqlx::query(&sql).bind(by).bind(limit).fetch_all(pool).await?;
    rows.iter().map(ticket_from_row).collect()
}

/// Tickets created in `[from, to)`, oldest first, any status.
pub(super) async fn list_tickets_created_between(
    pool: &sqlx::Pool<Db>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Ticket>> {
    let sql = format!(
        "SELECT {TICKET_COLUMNS} FROM tickets \
         WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at, id"
    );
    let rows = sqlx::query(&sql).bind(from).bind(to).fetch_all(pool).await?;
    rows.iter().map(ticket_from_row).collect()
}

async fn read_line(conn: &mut Conn, number: &str) -> Result<Option<Line>> {
    let row = sqlx::query(
        "SELECT number, kind, prefecture, status, tier, big_customer, leased_line, \
         owner_name, contact_phone, contract_number FROM lines WHERE number = $1",
    )
    .bind(number)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(Line {
        number: row.try_get("number")?,
        kind: named(&row, "kind")?,
        status: named(&row, "status")?,
        tier: named(&row, "tier")?,
        big_customer: row.try_get("big_customer")?,
        leased_line: row.try_get("leased_line")?,
        prefecture: row.try_get("prefecture")?,
        owner_name: row.try_get("owner_name")?,
        contact_phone: row.try_get("contact_phone")?,
        contract_number: row.try_get("contract_number")?,
    }))
}

/// Every ticket of the number, any status: what the repeat rules read.
async fn history(conn: &mut Conn, number: &str) -> Result<Vec<TicketFacts>> {
    let rows = sqlx::query(
        "SELECT id, kind, status, created_at, cleared_at, clearing_result, about_ticket \
         FROM tickets WHERE number = $1 ORDER BY id",
    )
    .bind(number)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(TicketFacts {
                id: TicketId(row.try_get("id")?),
                kind: named(row, "kind")?,
                status: named(row, "status")?,
                created_at: row.try_get("created_at")?,
                cleared_at: row.try_get("cleared_at")?,
                clearing_result: row.try_get("clearing_result")?,
                about: row.try_get::<Option<i64>, _>("about_ticket")?.map(TicketId),
            })
        })
        .collect()
}

/// The next serial of the ticket's local day (the counter row is the day's lock).
async fn next_serial(tx: &mut Tx, calendar: &Calendar, at: DateTime<Utc>) -> Result<Serial> {
    let day = calendar.local(at).date();
    let sequence: i32 = sqlx::query_scalar(
        "INSERT INTO serial_counters (day, last) VALUES ($1, 1) \
         ON CONFLICT (day) DO UPDATE SET last = serial_counters.last + 1 RETURNING last",
    )
    .bind(day)
    .fetch_one(&mut **tx)
    .await?;
    let sequence = u32::try_from(sequence).map_err(|_| SerialError::Sequence(0))?;
    Ok(Serial::new(day, sequence)?)
}

async fn insert_ticket(
    tx: &mut Tx,
    ticket: &NewTicket,
    actor: &Actor,
    calendar: &Calendar,
) -> Result<Created> {
    let serial = next_serial(tx, calendar, ticket.created_at).await?;
    let Deadlines {
        dispatch_by,
        hand_on_by,
        reply_by,
        resolve_by,
    } = ticket.deadlines;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tickets (serial, kind, number, prefecture, status, route_team, priority, \
         rush, subscriber_name, contact_name, contact_phone, no_call_back, category, \
         complaint_type, about_ticket, escalates, order_number, order_state, phenomenon, \
         content, menu_path, created_by_kind, created_by_id, created_at, dispatch_by, \
         hand_on_by, reply_by, resolve_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28) RETURNING id",
    )
    .bind(serial.as_str())
    .bind(ticket.kind.as_str())
    .bind(&ticket.number)
    .bind(&ticket.prefecture)
    .bind(TicketStatus::Created.as_str())
    .bind(ticket.team.as_str())
    .bind(ticket.priority.as_str())
    .bind(ticket.rush)
    .bind(&ticket.subscriber_name)
    .bind(&ticket.contact_name)
    .bind(&ticket.contact_phone)
    .bind(ticket.no_call_back)
    .bind(&ticket.category)
    .bind(&ticket.complaint_type)
    .bind(ticket.about.map(|t| t.0))
    .bind(ticket.escalates.map(|t| t.0))
    .bind(ticket.order.as_ref().map(|o| o.acceptance_number.as_str()))
    .bind(ticket.order.as_ref().map(|o| o.state.as_str()))
    .bind(&ticket.phenomenon)
    .bind(&ticket.content)
    .bind(&ticket.menu_path)
    .bind(actor.kind.as_str())
    .bind(&actor.id)
    .bind(ticket.created_at)
    .bind(dispatch_by)
    .bind(hand_on_by)
    .bind(reply_by)
    .bind(resolve_by)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Created {
        id: TicketId(id),
        serial,
    })
}

async fn insert_recording(
    tx: &mut Tx,
    ticket: TicketId,
    recording: &NewRecording,
    now: DateTime<Utc>,
) -> Result<RecordingId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO recordings (ticket_id, wav, duration_ms, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(ticket.0)
    .bind(&recording.wav)
    .bind(i64::from(recording.duration_ms))
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(RecordingId(id))
}

/// Reads the ticket's state (locked), applies the step, writes the state and the event.
async fn take_step(
    tx: &mut Tx,
    id: TicketId,
    step: &Step,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<StepRecord> {
    let sql = format!(
        "SELECT status, team, no_call_back, urges, satisfied FROM tickets WHERE id = $1{FOR_UPDATE}"
    );
    let row = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NoTicket(id))?;
    let state = state_from_row(&row)?;
    let Transition { state, record } = lifecycle::apply(&state, step, actor, now)?;
    let (cleared_at, clearing_result) = match step {
        Step::Clear { result } => (Some(now), Some(result.trim())),
        _ => (None, None),
    };
    sqlx::query(
        "UPDATE tickets SET status = $2, team = $3, urges = $4, satisfied = $5, \
         cleared_at = COALESCE($6, cleared_at), \
         clearing_result = COALESCE($7, clearing_result) WHERE id = $1",
    )
    .bind(id.0)
    .bind(state.status.as_str())
    .bind(state.team.map(|t| t.as_str()))
    .bind(i32::try_from(state.urges).unwrap_or(i32::MAX))
    .bind(state.satisfied)
    .bind(cleared_at)
    .bind(clearing_result)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO ticket_events (ticket_id, step, detail, actor_kind, actor_id, at, \
         from_status, to_status, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.0)
    .bind(step.kind().as_str())
    .bind(serde_json::to_string(step)?)
    .bind(actor.kind.as_str())
    .bind(&actor.id)
    .bind(now)
    .bind(record.from.as_str())
    .bind(record.to.as_str())
    .bind(super::step_note(step))
    .execute(&mut **tx)
    .await?;
    Ok(record)
}

fn state_from_row(row: &DbRow) -> Result<TicketState> {
    Ok(TicketState {
        status: named(row, "status")?,
        team: optional_named(row, "team")?,
        no_call_back: row.try_get("no_call_back")?,
        urges: u32::try_from(row.try_get::<i32, _>("urges")?).unwrap_or(0),
        satisfied: row.try_get("satisfied")?,
    })
}

fn ticket_from_row(row: &DbRow) -> Result<Ticket> {
    let order = row
        .try_get::<Option<String>, _>("order_number")?
        .map(|acceptance_number| {
            Ok::<_, StoreError>(OrderRef {
                acceptance_number,
                state: row
                    .try_get::<Option<String>, _>("order_state")?
                    .unwrap_or_default(),
            })
        })
        .transpose()?;
    let kind: TicketKind = named(row, "kind")?;
    let serial: String = row.try_get("serial")?;
    Ok(Ticket {
        id: TicketId(row.try_get("id")?),
        serial: Serial::parse(&serial)?,
        ticket: NewTicket {
            kind,
            number: row.try_get("number")?,
            prefecture: row.try_get("prefecture")?,
            team: named(row, "route_team")?,
            priority: named(row, "priority")?,
            rush: row.try_get("rush")?,
            subscriber_name: row.try_get("subscriber_name")?,
            contact_name: row.try_get("contact_name")?,
            contact_phone: row.try_get("contact_phone")?,
            no_call_back: row.try_get("no_call_back")?,
            category: row.try_get("category")?,
            complaint_type: row.try_get("complaint_type")?,
            about: row.try_get::<Option<i64>, _>("about_ticket")?.map(TicketId),
            escalates: row.try_get::<Option<i64>, _>("escalates")?.map(TicketId),
            order,
            phenomenon: row.try_get("phenomenon")?,
            content: row.try_get("content")?,
            menu_path: row.try_get("menu_path")?,
            created_at: row.try_get("created_at")?,
            deadlines: Deadlines {
                dispatch_by: row.try_get("dispatch_by")?,
                hand_on_by: row.try_get("hand_on_by")?,
                reply_by: row.try_get("reply_by")?,
                resolve_by: row.try_get("resolve_by")?,
            },
        },
        state: state_from_row(row)?,
        created_by: Actor {
            kind: named::<ActorKind>(row, "created_by_kind")?,
            id: row.try_get("created_by_id")?,
        },
        cleared_at: row.try_get("cleared_at")?,
        clearing_result: row.try_get("clearing_result")?,
    })
}

fn duration_ms(row: &DbRow) -> Result<u32> {
    let ms: i64 = row.try_get("duration_ms")?;
    u32::try_from(ms).map_err(|_| StoreError::Corrupt(format!("recording duration {ms} ms")))
}

/// A text column holding one of the model's stable names.
fn named<T: std::str::FromStr<Err = UnknownName>>(row: &DbRow, column: &str) -> Result<T> {
    Ok(row.try_get::<String, _>(column)?.parse()?)
}

fn optional_named<T: std::str::FromStr<Err = UnknownName>>(
    row: &DbRow,
    column: &str,
) -> Result<Option<T>> {
    row.try_get::<Option<String>, _>(column)?
        .map(|text| text.parse().map_err(StoreError::from))
        .transpose()
}
