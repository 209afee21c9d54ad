//! SQL for queue: the walk-in queue: rooms, tickets, ticket numbers, queue events and versions.

use kernel::db::{Db, Tx};
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use super::{Room, Ticket};

fn row_room(r: &AnyRow) -> sqlx::Result<Room> {
    let services: String = r.try_get("services")?;
    Ok(Room {
        id: r.try_get("id")?,
        service_point: r.try_get("service_point")?,
        name_en: r.try_get("name_en")?,
        name_zh: r.try_get("name_zh")?,
        services: services.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
    })
}

/// The active rooms of a service point, in the order they were set up.
pub async fn queue_rooms(db: &Db, point: &str) -> sqlx::Result<Vec<Room>> {
    let rows =
        sqlx::query("SELECT * FROM clinic_queue_rooms WHERE service_point = $1 AND active = 1 ORDER BY created_at, id")
            .bind(point)
            .fetch_all(db.pool())
            .await?;
    rows.iter().map(row_room).collect()
}

pub async fn queue_room(db: &Db, id: &str) -> sqlx::Result<Option<Room>> {
    let r = sqlx::query("SELECT * FROM clinic_queue_rooms WHERE id = $1 AND active = 1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(row_room).transpose()
}

pub async fn insert_room(tx: &mut Tx, room: &Room, at: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO clinic_queue_rooms (id, service_point, name_en, name_zh, services, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&room.id)
    .bind(&room.service_point)
    .bind(&room.name_en)
    .bind(&room.name_zh)
    .bind(room.services.join(","))
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The next ticket number of a letter at a service point on a day (1, 2, 3 …).
pub async fn next_ticket_number(tx: &mut Tx, point: &str, day: &str, letter: char) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO clinic_queue_numbers (service_point, day, letter, last) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (service_point, day, letter) DO UPDATE SET last = clinic_queue_numbers.last + 1 RETURNING last",
    )
    .bind(point)
    .bind(day)
    .bind(letter.to_string())
    .fetch_one(&mut **tx)
    .await
}

/// Sets the last ticket number given (demo history).
pub async fn set_ticket_number(tx: &mut Tx, point: &str, day: &str, letter: char, last: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO clinic_queue_numbers (service_point, day, letter, last) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (service_point, day, letter) DO UPDATE SET last = $4",
    )
    .bind(point)
    .bind(day)
    .bind(letter.to_string())
    .bind(last)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn insert_ticket(tx: &mut Tx, t: &Ticket, issued_by: &str) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO clinic_tickets (id, token, service_point, service, day, number, priority, rank, channel, status, \
         room_id, lang, issued_at, queued_at, first_called_at, called_at, done_at, calls, transfers, issued_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 0, $19, $13)",
    )
    .bind(&t.id)
    .bind(&t.token)
    .bind(&t.service_point)
    .bind(&t.service)
    .bind(&t.day)
    .bind(&t.number)
    .bind(&t.priority)
    .bind(t.rank)
    .bind(t.channel.as_str())
    .bind(t.status.as_str())
    .bind(&t.room_id)
    .bind(&t.lang)
    .bind(t.issued_at)
    .bind(t.queued_at)
    .bind(t.first_called_at)
    .bind(t.called_at)
    .bind(t.done_at)
    .bind(t.calls)
    .bind(issued_by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn ticket(db: &Db, id: &str) -> sqlx::Result<Option<Ticket>> {
    let r = sqlx::query("SELECT * FROM clinic_tickets WHERE id = $1").bind(id).fetch_optional(db.pool()).await?;
    r.as_ref().map(Ticket::from_row).transpose()
}

pub async fn ticket_by_token(db: &Db, token: &str) -> sqlx::Result<Option<Ticket>> {
    let r = sqlx::query("SELECT * FROM clinic_tickets WHERE token = $1").bind(token).fetch_optional(db.pool()).await?;
    r.as_ref().map(Ticket::from_row).transpose()
}

/// Waiting tickets at a service point in the order they will be called.
pub async fn waiting_tickets(db: &Db, point: &str) -> sqlx::Result<Vec<Ticket>> {
    let rows = sqlx::query(
        "SELECT * FROM clinic_tickets WHERE service_point = $1 AND status = 'waiting' ORDER BY rank, queued_at, id",
    )
    .bind(point)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(Ticket::from_row).collect()
}

/// Tickets currently called to a room, and those skipped today.
pub async fn tickets_with_status(db: &Db, point: &str, day: &str, status: &str) -> sqlx::Result<Vec<Ticket>> {
    let rows = sqlx::query(
        "SELECT * FROM clinic_tickets WHERE service_point = $1 AND day = $2 AND status = $3 ORDER BY called_at DESC, queued_at",
    )
    .bind(point)
    .bind(day)
    .bind(status)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(Ticket::from_row).collect()
}

/// How many waiting tickets a room serving this ticket would call first.
pub async fn tickets_ahead(db: &Db, t: &Ticket) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM clinic_tickets WHERE service_point = $1 AND status = 'waiting' AND service = $2 \
         AND (room_id IS NULL OR room_id = $3) AND (rank < $4 OR (rank = $4 AND (queued_at < $5 OR (queued_at = $5 AND id < $6))))",
    )
    .bind(&t.service_point)
    .bind(&t.service)
    .bind(t.room_id.as_deref().unwrap_or(""))
    .bind(t.rank)
    .bind(t.queued_at)
    .bind(&t.id)
    .fetch_one(db.pool())
    .await
}

/// Serialises calls at one room (a row lock on PostgreSQL; SQLite has one writer anyway), so
/// that a double click never leaves a room with two tickets called.
pub async fn lock_room(tx: &mut Tx, room_id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE clinic_queue_rooms SET active = active WHERE id = $1").bind(room_id).execute(&mut **tx).await?;
    Ok(())
}

/// Marks the ticket a room is serving as done, and returns it.
pub async fn finish_room_ticket(tx: &mut Tx, room_id: &str, now: i64) -> sqlx::Result<Option<Ticket>> {
    let r = sqlx::query(
        "UPDATE clinic_tickets SET status = 'done', done_at = $2, updated_at = $2 \
         WHERE room_id = $1 AND status = 'called' RETURNING *",
    )
    .bind(room_id)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    r.as_ref().map(Ticket::from_row).transpose()
}

/// Calls the first waiting ticket this room may take (transferred to it, or of a service it
/// serves), by priority then time in the queue. Two rooms never get the same ticket: the
/// update is conditional on the ticket still waiting (and rows are claimed with SKIP LOCKED
/// on PostgreSQL).
pub async fn call_next_ticket(db: &Db, tx: &mut Tx, room: &Room, now: i64) -> sqlx::Result<Option<Ticket>> {
    if room.services.is_empty() {
        return Ok(None);
    }
    let list = kernel::db::list_placeholders(3, room.services.len());
    let sql = format!(
        "SELECT id FROM clinic_tickets WHERE service_point = $1 AND status = 'waiting' \
         AND (room_id = $2 OR (room_id IS NULL AND service IN ({list}))) ORDER BY rank, queued_at, id LIMIT 1{}",
        db.skip_locked()
    );
    for _ in 0..5 {
        let mut q =
            sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql.clone())).bind(&room.service_point).bind(&room.id);
        for s in &room.services {
            q = q.bind(s);
        }
        let Some(id) = q.fetch_optional(&mut **tx).await? else { return Ok(None) };
        let r = sqlx::query(
            "UPDATE clinic_tickets SET status = 'called', room_id = $2, called_at = $3, \
             first_called_at = COALESCE(first_called_at, $3), calls = calls + 1, updated_at = $3 \
             WHERE id = $1 AND status = 'waiting' RETURNING *",
        )
        .bind(&id)
        .bind(&room.id)
        .bind(now)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(r) = r {
            return Ticket::from_row(&r).map(Some);
        }
    }
    Ok(None)
}

/// Moves a ticket from one of `from` statuses to `to`, with the given column changes;
/// `None` when the ticket is not in one of those statuses (someone else acted first).
pub async fn move_ticket(
    tx: &mut Tx,
    id: &str,
    from: &[&str],
    change: TicketChange<'_>,
    now: i64,
) -> sqlx::Result<Option<Ticket>> {
    let from_list = from.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ");
    let set = match change {
        TicketChange::Recall => "calls = calls + 1, called_at = $2".to_string(),
        TicketChange::Skip => "status = 'skipped'".to_string(),
        TicketChange::Reinstate => "status = 'waiting', room_id = NULL".to_string(),
        TicketChange::Done => "status = 'done', done_at = $2".to_string(),
        TicketChange::Cancel => "status = 'cancelled', done_at = $2".to_string(),
        TicketChange::Transfer { .. } => {
            "status = 'waiting', service = $3, room_id = $4, transfers = transfers + 1".to_string()
        }
    };
    let sql = format!(
        "UPDATE clinic_tickets SET {set}, updated_at = $2 WHERE id = $1 AND status IN ({from_list}) RETURNING *"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).bind(now);
    if let TicketChange::Transfer { service, room_id } = change {
        q = q.bind(service).bind(room_id);
    }
    let r = q.fetch_optional(&mut **tx).await?;
    r.as_ref().map(Ticket::from_row).transpose()
}

/// What a queue action changes on a ticket.
#[derive(Clone, Copy, Debug)]
pub enum TicketChange<'a> {
    Recall,
    Skip,
    Reinstate,
    Done,
    Cancel,
    Transfer { service: &'a str, room_id: Option<&'a str> },
}

pub async fn insert_queue_event(tx: &mut Tx, t: &Ticket, kind: &str, by: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO clinic_queue_events (id, ticket_id, service_point, kind, room_id, service, at, by_actor) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(kernel::new_id())
    .bind(&t.id)
    .bind(&t.service_point)
    .bind(kind)
    .bind(&t.room_id)
    .bind(&t.service)
    .bind(now)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks a change at a service point, for live pages on every replica.
pub async fn bump_queue_version(tx: &mut Tx, point: &str) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO clinic_queue_versions (service_point, version) VALUES ($1, 1) \
         ON CONFLICT (service_point) DO UPDATE SET version = clinic_queue_versions.version + 1",
    )
    .bind(point)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn queue_version(db: &Db, point: &str) -> sqlx::Result<i64> {
    Ok(sqlx::query_scalar("SELECT version FROM clinic_queue_versions WHERE service_point = $1")
        .bind(point)
        .fetch_optional(db.pool())
        .await?
        .unwrap_or(0))
}

/// When tickets of a service were called at a service point since `since` (first calls only).
pub async fn queue_calls_since(db: &Db, point: &str, service: &str, since: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT at FROM clinic_queue_events WHERE service_point = $1 AND service = $2 AND kind = 'called' AND at >= $3",
    )
    .bind(point)
    .bind(service)
    .bind(since)
    .fetch_all(db.pool())
    .await
}

/// The latest calls and recalls at a service point, newest first: (number, room id, at).
pub async fn latest_calls(db: &Db, point: &str, since: i64, limit: i64) -> sqlx::Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT t.number, e.room_id, e.at FROM clinic_queue_events e JOIN clinic_tickets t ON t.id = e.ticket_id \
         WHERE e.service_point = $1 AND e.kind IN ('called', 'recalled') AND e.at >= $2 AND e.room_id IS NOT NULL \
         ORDER BY e.at DESC LIMIT $3",
    )
    .bind(point)
    .bind(since)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("number")?, r.try_get("room_id")?, r.try_get("at")?))).collect()
}

/// Per ticket issued between two days (inclusive): day, service, issued and first called
/// (NULL while still waiting or never called), and status.
pub async fn queue_history(
    db: &Db,
    point: &str,
    from_day: &str,
    to_day: &str,
) -> sqlx::Result<Vec<(String, String, i64, Option<i64>, String)>> {
    let rows = sqlx::query(
        "SELECT day, service, issued_at, first_called_at, status FROM clinic_tickets \
         WHERE service_point = $1 AND day >= $2 AND day <= $3 ORDER BY day, issued_at",
    )
    .bind(point)
    .bind(from_day)
    .bind(to_day)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("day")?,
                r.try_get("service")?,
                r.try_get("issued_at")?,
                r.try_get("first_called_at")?,
                r.try_get("status")?,
            ))
        })
        .collect()
}

// ---- Cold chain ----
