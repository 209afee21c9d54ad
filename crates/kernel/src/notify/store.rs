//! The outbox's SQL for reading it (the staff page, metrics), and nothing else. (Queuing and
//! dispatch, with their SQL, are still in `notify`'s `mod.rs`.)

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::Db;

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
