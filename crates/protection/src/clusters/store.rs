//! SQL of clusters and their transmission links.

use kernel::db::{Db, Tx};
use sqlx::{AssertSqlSafe, FromRow, Row};

use super::{Cluster, Link, NewCluster};
use crate::cases::Case;
use crate::cases::store::CASE_COLUMNS;

const CLUSTER_SELECT: &str = "SELECT cl.id, cl.reference, cl.name, cl.disease, cl.setting, cl.description, cl.status, cl.created_at, \
    (SELECT COUNT(*) FROM protection_cases c WHERE c.cluster_id = cl.id) AS cases, \
    (SELECT COUNT(*) FROM protection_links l WHERE l.cluster_id = cl.id) AS links FROM protection_clusters cl";

pub async fn clusters(db: &Db) -> sqlx::Result<Vec<Cluster>> {
    sqlx::query_as::<_, Cluster>(AssertSqlSafe(format!("{CLUSTER_SELECT} ORDER BY cl.status DESC, cl.created_at DESC")))
        .fetch_all(db.pool())
        .await
}

pub async fn cluster_by_reference(db: &Db, reference: &str) -> sqlx::Result<Option<Cluster>> {
    sqlx::query_as::<_, Cluster>(AssertSqlSafe(format!("{CLUSTER_SELECT} WHERE cl.reference = $1")))
        .bind(reference)
        .fetch_optional(db.pool())
        .await
}

pub async fn cluster_by_id(db: &Db, id: &str) -> sqlx::Result<Option<Cluster>> {
    sqlx::query_as::<_, Cluster>(AssertSqlSafe(format!("{CLUSTER_SELECT} WHERE cl.id = $1")))
        .bind(id)
        .fetch_optional(db.pool())
        .await
}

/// Inserts an open cluster.
pub async fn insert_cluster(
    tx: &mut Tx,
    id: &str,
    reference: &str,
    c: &NewCluster<'_>,
    by: &str,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO protection_clusters (id, reference, name, disease, setting, description, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $8)",
    )
    .bind(id)
    .bind(reference)
    .bind(c.name)
    .bind(c.disease)
    .bind(c.setting)
    .bind(c.description)
    .bind(by)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn set_cluster_status(tx: &mut Tx, id: &str, status: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE protection_clusters SET status = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(status)
        .bind(kernel::now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Cases of a cluster, oldest onset first, with their persons' sex and date of birth.
pub async fn cluster_cases(db: &Db, cluster_id: &str) -> sqlx::Result<Vec<(Case, String, Option<String>)>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS}, p.sex, p.birth_date FROM protection_cases c JOIN protection_persons p ON p.id = c.person_id \
         WHERE c.cluster_id = $1 ORDER BY COALESCE(c.onset_date, c.notified_date), c.reference"
    )))
    .bind(cluster_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((Case::from_row(r)?, r.try_get("sex")?, r.try_get("birth_date")?))).collect()
}

pub async fn links(db: &Db, cluster_id: &str) -> sqlx::Result<Vec<Link>> {
    sqlx::query_as::<_, Link>(
        "SELECT l.id, s.reference AS source, t.reference AS target, l.note FROM protection_links l \
         JOIN protection_cases s ON s.id = l.source_case_id JOIN protection_cases t ON t.id = l.target_case_id \
         WHERE l.cluster_id = $1 ORDER BY l.created_at, l.id",
    )
    .bind(cluster_id)
    .fetch_all(db.pool())
    .await
}

/// Adds a link; false if it already exists.
pub async fn insert_link(
    tx: &mut Tx,
    cluster_id: &str,
    source: &str,
    target: &str,
    note: &str,
    by: &str,
) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "INSERT INTO protection_links (id, cluster_id, source_case_id, target_case_id, note, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (source_case_id, target_case_id) DO NOTHING",
    )
    .bind(kernel::new_id())
    .bind(cluster_id)
    .bind(source)
    .bind(target)
    .bind(note)
    .bind(by)
    .bind(kernel::now_ms())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub async fn delete_link(tx: &mut Tx, cluster_id: &str, link_id: &str) -> sqlx::Result<bool> {
    let n = sqlx::query("DELETE FROM protection_links WHERE id = $1 AND cluster_id = $2")
        .bind(link_id)
        .bind(cluster_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// Links that involve a case (kept consistent when a case leaves its cluster).
pub async fn delete_links_of_case(tx: &mut Tx, case_id: &str) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM protection_links WHERE source_case_id = $1 OR target_case_id = $1")
        .bind(case_id)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}
