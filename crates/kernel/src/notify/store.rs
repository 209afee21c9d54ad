//! The outbox's SQL: queuing, claiming and recording deliveries (the worker), and reading it
//! (the staff page, metrics); nothing else.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Claimed, Message};
use crate::db::{Db, Tx};

const COLUMNS: &str =
    "id, channel, recipient, locale, template, subject, body, status, attempts, last_error, created_at";

fn row_to_entry(r: &AnyRow) -> sqlx::Result<OutboxEntry> {
    Ok(OutboxEntry {
        id: r.try_get("id")?,
        channel: r.try_get("channel")?,
        recipient: r.try_get("recipient")?,
        locale: r.try_get("locale")?,
        template: r.try_get("template")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
    })
}

/// One row of the outbox, for the staff page.
#[derive(Clone, Debug, Serialize)]
pub struct OutboxEntry {
    pub id: String,
    pub channel: String,
    pub recipient: String,
    pub locale: String,
    pub template: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
}

pub async fn recent(db: &Db, limit: i64) -> sqlx::Result<Vec<OutboxEntry>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1"
    )))
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_to_entry).collect()
}

/// Filters of the staff outbox page.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Part of the recipient's address (case-insensitive).
    pub recipient: Option<String>,
    pub template: Option<String>,
    pub status: Option<String>,
}

const WHERE: &str = "($1 IS NULL OR LOWER(recipient) LIKE $1 ESCAPE '\\') AND ($2 IS NULL OR template = $2) \
                     AND ($3 IS NULL OR status = $3)";

/// One page of messages matching the filter, newest first, and how many match.
pub async fn search(db: &Db, f: &Filter, limit: i64, offset: i64) -> sqlx::Result<(Vec<OutboxEntry>, i64)> {
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM outbox WHERE {WHERE}")))
        .bind(f.recipient.as_deref().map(crate::db::contains_pattern))
        .bind(&f.template)
        .bind(&f.status)
        .fetch_one(db.pool())
        .await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM outbox WHERE {WHERE} ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5"
    )))
    .bind(f.recipient.as_deref().map(crate::db::contains_pattern))
    .bind(&f.template)
    .bind(&f.status)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    Ok((rows.iter().map(row_to_entry).collect::<sqlx::Result<_>>()?, total))
}

/// The templates that have messages (for the filter).
pub async fn templates(db: &Db) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT DISTINCT template FROM outbox ORDER BY template").fetch_all(db.pool()).await
}

pub async fn by_id(db: &Db, id: &str) -> sqlx::Result<Option<OutboxEntry>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM outbox WHERE id = $1")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(row_to_entry).transpose()
}

/// Messages by status, for `/metrics`.
pub async fn depth(db: &Db) -> sqlx::Result<Vec<(String, i64)>> {
    let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status").fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((r.try_get("status")?, r.try_get("n")?))).collect()
}

/// Inserts rendered messages `(id, message, subject, body)` in `tx` with multi-row inserts, to
/// be delivered from `due` on.
pub(crate) async fn insert(
    tx: &mut Tx,
    rows: &[(String, &Message<'_>, String, String)],
    now: i64,
    due: i64,
) -> sqlx::Result<()> {
    const COLS: usize = 9;
    for chunk in rows.chunks(crate::db::rows_per_statement(COLS)) {
        let values = (0..chunk.len())
            .map(|r| {
                let b = r * COLS;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, 'queued', 0, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8,
                    b + 8,
                    b + 9
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO outbox (id, channel, recipient, locale, template, subject, body, status, attempts, created_at, \
             updated_at, next_attempt_at) VALUES {values}"
        )));
        for (id, msg, subject, body) in chunk {
            q = q
                .bind(id.clone())
                .bind(msg.channel.code())
                .bind(msg.recipient.to_string())
                .bind(msg.locale.tag())
                .bind(msg.template.to_string())
                .bind(subject.clone())
                .bind(body.clone())
                .bind(now)
                .bind(due);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Claims up to `batch` due messages (queued, due for a retry, or abandoned mid-send) in one
/// statement, leased until `lease_until` (`SKIP LOCKED` on PostgreSQL, so replicas share them).
pub(crate) async fn claim(db: &Db, now: i64, lease_until: i64, batch: i64) -> sqlx::Result<Vec<Claimed>> {
    let claim = format!(
        "UPDATE outbox SET status = 'sending', attempts = attempts + 1, lease_until = $1, updated_at = $2 \
         WHERE id IN (SELECT id FROM outbox WHERE (status IN ('queued', 'temporary_failure') AND next_attempt_at <= $2) \
         OR (status = 'sending' AND lease_until < $2) ORDER BY next_attempt_at LIMIT $3{}) \
         RETURNING id, channel, recipient, subject, body, attempts",
        db.skip_locked()
    );
    let rows = {
        let _turn = db.writer_turn().await;
        sqlx::query(sqlx::AssertSqlSafe(claim)).bind(lease_until).bind(now).bind(batch).fetch_all(db.pool()).await?
    };
    rows.iter()
        .map(|r| {
            Ok(Claimed {
                id: r.try_get("id")?,
                channel: r.try_get("channel")?,
                recipient: r.try_get("recipient")?,
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
                attempts: r.try_get("attempts")?,
            })
        })
        .collect()
}

/// Records a failed attempt: `status` with its error and when to try again.
pub(crate) async fn record_failure(
    db: &Db,
    id: &str,
    status: &str,
    error: &str,
    next_attempt_at: i64,
    now: i64,
) -> sqlx::Result<()> {
    db.write(
        sqlx::query(
            "UPDATE outbox SET status = $1, last_error = $2, next_attempt_at = $3, lease_until = NULL, updated_at = $4 \
             WHERE id = $5",
        )
        .bind(status)
        .bind(error)
        .bind(next_attempt_at)
        .bind(now)
        .bind(id),
    )
    .await?;
    Ok(())
}

/// Marks messages delivered by `provider`, in as few statements as possible.
pub(crate) async fn mark_delivered(db: &Db, provider: &str, ids: &[&str], now: i64) -> sqlx::Result<()> {
    for chunk in ids.chunks(crate::db::MAX_BINDS - 2) {
        let list = crate::db::list_placeholders(3, chunk.len());
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE outbox SET status = 'delivered', provider = $1, last_error = NULL, lease_until = NULL, \
             updated_at = $2, delivered_at = $2 WHERE id IN ({list})"
        )))
        .bind(provider)
        .bind(now);
        for id in chunk {
            q = q.bind(*id);
        }
        db.write(q).await?;
    }
    Ok(())
}
