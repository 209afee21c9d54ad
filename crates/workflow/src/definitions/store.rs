//! Deployed definitions' SQL.

use kernel::db::Tx;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A deployed definition (one version of one process key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Deployed {
    pub id: String,
    pub process_key: String,
    pub version: i64,
    pub name: Option<String>,
    pub name_zh: Option<String>,
    #[serde(skip)]
    pub bpmn: String,
    pub deployed_by: String,
    pub deployed_at: i64,
}

const COLS: &str = "id, process_key, version, name, name_zh, bpmn, deployed_by, deployed_at";

fn row(r: &AnyRow) -> sqlx::Result<Deployed> {
    Ok(Deployed {
        id: r.try_get("id")?,
        process_key: r.try_get("process_key")?,
        version: r.try_get("version")?,
        name: r.try_get("name")?,
        name_zh: r.try_get("name_zh")?,
        bpmn: r.try_get("bpmn")?,
        deployed_by: r.try_get("deployed_by")?,
        deployed_at: r.try_get("deployed_at")?,
    })
}

/// Inserts the next version of a key (the version is computed in the statement; two
/// concurrent deployments of one key meet the unique constraint, never a duplicate version).
pub async fn insert_next(tx: &mut Tx, d: &Deployed) -> sqlx::Result<i64> {
    let r = sqlx::query(
        "INSERT INTO workflow_definitions (id, process_key, version, name, name_zh, bpmn, deployed_by, deployed_at) \
         SELECT $1, $2, COALESCE(MAX(version), 0) + 1, $3, $4, $5, $6, $7 FROM workflow_definitions WHERE process_key = $2 \
         RETURNING version",
    )
    .bind(&d.id)
    .bind(&d.process_key)
    .bind(&d.name)
    .bind(&d.name_zh)
    .bind(&d.bpmn)
    .bind(&d.deployed_by)
    .bind(d.deployed_at)
    .fetch_one(&mut **tx)
    .await?;
    r.try_get("version")
}

/// The latest version of a key.
pub async fn latest(db: &kernel::Db, key: &str) -> sqlx::Result<Option<Deployed>> {
    let sql = format!("SELECT {COLS} FROM workflow_definitions WHERE process_key = $1 ORDER BY version DESC LIMIT 1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(key).fetch_optional(db.pool()).await?.as_ref().map(row).transpose()
}

pub async fn by_id(db: &kernel::Db, id: &str) -> sqlx::Result<Option<Deployed>> {
    let sql = format!("SELECT {COLS} FROM workflow_definitions WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(db.pool()).await?.as_ref().map(row).transpose()
}

/// Every deployed version, newest first within each key.
pub async fn all(db: &kernel::Db) -> sqlx::Result<Vec<Deployed>> {
    let sql = format!("SELECT {COLS} FROM workflow_definitions ORDER BY process_key, version DESC");
    sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(db.pool()).await?.iter().map(row).collect()
}

/// Running instances per deployed version: (definition id, count).
pub async fn running_counts(db: &kernel::Db) -> sqlx::Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT definition_id, COUNT(*) AS n FROM workflow_instances WHERE status = 'running' GROUP BY definition_id",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("definition_id")?, r.try_get("n")?))).collect()
}

/// Where the running instances of a version wait: one JSON array of node ids per instance.
pub async fn waiting_of(db: &kernel::Db, definition_id: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT waiting FROM workflow_instances WHERE definition_id = $1 AND status = 'running'")
        .bind(definition_id)
        .fetch_all(db.pool())
        .await
}

/// Open or claimed user tasks of a version's instances, per node: (node id, count).
pub async fn open_tasks_by_node(db: &kernel::Db, definition_id: &str) -> sqlx::Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT t.node_id, COUNT(*) AS n FROM workflow_tasks t JOIN workflow_instances i ON i.id = t.instance_id \
         WHERE i.definition_id = $1 AND t.status IN ('open', 'claimed') GROUP BY t.node_id",
    )
    .bind(definition_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("node_id")?, r.try_get("n")?))).collect()
}

/// One version of a key.
pub async fn by_key_version(db: &kernel::Db, key: &str, version: i64) -> sqlx::Result<Option<Deployed>> {
    let sql = format!("SELECT {COLS} FROM workflow_definitions WHERE process_key = $1 AND version = $2");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(key)
        .bind(version)
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(row)
        .transpose()
}
