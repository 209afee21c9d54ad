//! The event log's SQL: append, and read in case order for the exports and the mining pages.

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use kernel::db::Tx;
use sqlx::Row;
use sqlx::any::AnyRow;

/// One row of `workflow_events`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRow {
    pub id: String,
    pub instance_id: String,
    pub definition_key: String,
    pub definition_version: i64,
    pub node_id: String,
    pub activity: String,
    pub lifecycle: String,
    pub actor: Option<String>,
    pub role: Option<String>,
    pub at: i64,
    pub data: String,
}

/// Appends one event (the log is append-only: nothing here updates or deletes).
pub async fn append(tx: &mut Tx, e: &LogRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO workflow_events (id, instance_id, definition_key, definition_version, node_id, activity, \
         lifecycle, actor, role, at, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&e.id)
    .bind(&e.instance_id)
    .bind(&e.definition_key)
    .bind(e.definition_version)
    .bind(&e.node_id)
    .bind(&e.activity)
    .bind(&e.lifecycle)
    .bind(&e.actor)
    .bind(&e.role)
    .bind(e.at)
    .bind(&e.data)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Every event, one instance after another, each instance's events in time order (streamed:
/// memory does not grow with the log).
pub fn by_instance(db: &kernel::Db) -> BoxStream<'_, sqlx::Result<LogRow>> {
    sqlx::query(
        "SELECT id, instance_id, definition_key, definition_version, node_id, activity, lifecycle, actor, role, at, data \
         FROM workflow_events ORDER BY instance_id, at, id",
    )
    .fetch(db.pool())
    .map(|r| r.and_then(|r| row(&r)))
    .boxed()
}

fn row(r: &AnyRow) -> sqlx::Result<LogRow> {
    Ok(LogRow {
        id: r.try_get("id")?,
        instance_id: r.try_get("instance_id")?,
        definition_key: r.try_get("definition_key")?,
        definition_version: r.try_get("definition_version")?,
        node_id: r.try_get("node_id")?,
        activity: r.try_get("activity")?,
        lifecycle: r.try_get("lifecycle")?,
        actor: r.try_get("actor")?,
        role: r.try_get("role")?,
        at: r.try_get("at")?,
        data: r.try_get("data")?,
    })
}

/// The distinct activities of the log.
pub async fn activities(db: &kernel::Db) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT DISTINCT activity FROM workflow_events ORDER BY activity").fetch_all(db.pool()).await
}

/// The distinct definition keys of the log.
pub async fn definitions(db: &kernel::Db) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT DISTINCT definition_key FROM workflow_events ORDER BY definition_key")
        .fetch_all(db.pool())
        .await
}

/// The distinct actors of the log.
pub async fn actors(db: &kernel::Db) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT DISTINCT actor FROM workflow_events WHERE actor IS NOT NULL ORDER BY actor")
        .fetch_all(db.pool())
        .await
}

/// Number of events in the log.
pub async fn count(db: &kernel::Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM workflow_events").fetch_one(db.pool()).await
}

/// The completed steps of the instances of one definition version, one instance after another
/// in time order: (instance id, activity). SLA milestones (`sla:…`) and migrations
/// (`phos:…`) are bookkeeping, not steps, and are left out.
pub async fn completed_steps(db: &kernel::Db, key: &str, version: i64) -> sqlx::Result<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT instance_id, activity FROM workflow_events WHERE definition_key = $1 AND definition_version = $2 \
         AND lifecycle = 'complete' AND node_id NOT LIKE 'sla:%' AND node_id NOT LIKE 'phos:%' \
         ORDER BY instance_id, at, id",
    )
    .bind(key)
    .bind(version)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("instance_id")?, r.try_get("activity")?))).collect()
}
